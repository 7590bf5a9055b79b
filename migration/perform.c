/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * perform.c: perform (source), xend's op=migrate, watched
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "migration/migrate_int.h"
#include "migration/postwait.h"
#include "xend-client/xend.h"

/*
 * xend answers op=migrate only when it is done, and only for its own
 * errors (reference 4.7, 7b.6): any other failure resumes the domain,
 * renames it back and leaves the POST unanswered. So the POST runs in
 * a thread on a connection of its own while this one watches the
 * domain on both hosts, by UUID, about once a second, and on a local
 * source's xenstore as it changes (postwait.c).
 */
#define XM_MIGRATE_WATCH_MS 1000L
#define XM_MIGRATE_HANDSHAKE_MS 35000L  /* xend's 30 s handshake + 5 s */
#define XM_MIGRATE_BACK_MS 5000L        /* back, before xend's answer */
#define XM_MIGRATE_JOIN_MS 5000L        /* an aborted POST's thread ends */

struct post {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int refs;               /* the thread and the watcher */
    int done;
    int rc;
    xenmig_error err;
    xenmig_conn *conn;      /* the POST's own connection to xend */
    int wake[2];            /* a byte once done: wakes a xenstore wait */
    pthread_t th;
    char uuid[64];
    char send_to[INET_ADDRSTRLEN];
    int port, node, resource;
    bool live, ssl, chs;
    long timeout_ms;
};

static void
post_unref(struct post *p)
{
    int refs;

    pthread_mutex_lock(&p->lock);
    refs = --p->refs;
    pthread_mutex_unlock(&p->lock);
    if (refs)
        return;
    xenmig_conn_free(p->conn);
    close(p->wake[0]);
    close(p->wake[1]);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    xm_free(p);
}

static void *
post_main(void *arg)
{
    struct post *p = arg;
    xenmig_error e;
    int rc;

    xenmig_error_clear(&e);
    rc = xm_xend_migrate(p->conn, p->uuid, p->send_to, p->live, p->port,
                         p->node, p->ssl, p->chs, p->resource,
                         p->timeout_ms, &e);
    pthread_mutex_lock(&p->lock);
    p->rc = rc;
    p->err = e;
    p->done = 1;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (write(p->wake[1], "", 1) < 0)
        (void)0;    /* a full pipe is awake already */
    post_unref(p);
    return NULL;
}

/*
 * Wait up to @ms for the POST's answer: 1 with *rc and @err set from
 * it, 0 while it is still silent.
 */
static int
post_wait(struct post *p, long ms, int *rc, xenmig_error *err)
{
    struct timespec until;
    int done;

    xm_deadline_ts(&until, ms);
    pthread_mutex_lock(&p->lock);
    while (!p->done &&
           pthread_cond_timedwait(&p->cond, &p->lock, &until) == 0)
        ;
    done = p->done;
    if (done) {
        *rc = p->rc;
        if (p->rc && err)
            *err = p->err;
    }
    pthread_mutex_unlock(&p->lock);
    return done;
}

/* Start the POST in its thread; *out is the watcher's reference. */
static int
post_start(struct post **out, xenmig_conn *src, const char *uuid,
           const char *send_to, int port, const struct mig *m,
           long long flags, long timeout_ms, xenmig_error *err)
{
    struct post *p;
    int rc;

    *out = NULL;
    p = xm_calloc(1, sizeof(*p));
    if (!p)
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    if (pipe2(p->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno, "pipe");
        xm_free(p);
        return rc;
    }
    rc = xenmig_conn_open(&p->conn, xenmig_conn_uri(src), err);
    if (rc) {
        close(p->wake[0]);
        close(p->wake[1]);
        xm_free(p);
        return rc;
    }
    if (xm_strlcpy(p->uuid, uuid, sizeof(p->uuid)) < 0 ||
        xm_strlcpy(p->send_to, send_to, sizeof(p->send_to)) < 0) {
        xenmig_conn_free(p->conn);
        close(p->wake[0]);
        close(p->wake[1]);
        xm_free(p);
        return xm_error_set(err, XENMIG_ERANGE, "uuid or address too "
                            "long");
    }
    p->port = port;
    p->node = m->opts.node;
    p->resource = (int)m->opts.resource;
    p->live = (flags & XENMIG_MIGRATE_LIVE) != 0;
    p->ssl = (flags & XENMIG_MIGRATE_SSL) != 0;
    p->chs = (flags & XENMIG_MIGRATE_CHANGE_HOME) != 0;
    p->timeout_ms = timeout_ms;
    p->refs = 2;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    rc = pthread_create(&p->th, NULL, post_main, p);
    if (rc) {
        p->refs = 1;
        post_unref(p);
        return xm_error_set_errno(err, XENMIG_EIO, rc, "cannot start "
                                  "the op=migrate thread");
    }
    *out = p;
    return 0;
}

/*
 * The verdict is in: a POST xend has not answered is of no more use.
 * Abort its transfer (within about a second) and join its thread, so
 * that no thread or connection outlives the call in a long-lived
 * caller; one still running after XM_MIGRATE_JOIN_MS is detached, and
 * ends on its own with its own reference.
 */
static void
post_end(struct post *p)
{
    int rc;

    xm_xend_conn_abort(p->conn);
    if (post_wait(p, XM_MIGRATE_JOIN_MS, &rc, NULL))
        pthread_join(p->th, NULL);
    else
        pthread_detach(p->th);
    post_unref(p);
}

/* Does @conn run domain @uuid (present, with a domid, not paused)? */
static int
runs_on(xenmig_conn *conn, const char *uuid, bool *in_flight_r,
        const char *name)
{
    xenmig_domain *d = NULL;
    xenmig_error lerr;
    int r;

    xenmig_error_clear(&lerr);
    if (!conn || xm_mig_find_domain(&d, conn, uuid, &lerr))
        return -1;                      /* cannot tell */
    r = d && xenmig_domain_id(d) > 0 && !xenmig_domain_is_paused(d);
    if (in_flight_r)
        *in_flight_r = d && xm_mig_in_flight(d, name);
    if (!d)
        r = 0;
    xenmig_domain_free(d);
    return r;
}

/* Without the relay: tell the caller how long, and the source's view. */
static void
watch_report(struct mig *m, double elapsed_s, const char *state)
{
    xenmig_progress p;

    if (!m->opts.progress)
        return;
    memset(&p, 0, sizeof(p));
    p.elapsed_s = elapsed_s;
    p.source_state = state;
    (void)m->opts.progress(&p, m->opts.payload);
}

/*
 * Wait for xend's answer to op=migrate while watching the domain.
 * Returns what stands for xend's answer: its own, when it gives one
 * (@err set); XENMIG_ETIMEOUT at the user's timeout; XENMIG_EXEND
 * with a verdict in @err when the domain is back on the source under
 * its own name (after it was seen in flight, or, for a xend that
 * @renames it in flight, past xend's handshake timeout); 0
 * when the state says the stream is over (the domain left the source
 * for the destination, or the relay read the destination's verdict)
 * and xend stays silent for the settle time after it. With @pw (a
 * local source) it sleeps on xenstore's watches, not a poll interval.
 */
static int
post_watch(struct post *p, struct mig *m, xenmig_conn *src,
           xm_relay *relay, xm_postwatch *pw, const char *uuid,
           const char *name, bool renames, long timeout_ms,
           xenmig_error *err)
{
    long t0 = xm_now_ms(), now, back = 0, over = 0;
    bool flying, seen_flying = false, name_back = false;
    int rc, on_src, on_dst, pws = XM_PW_UNKNOWN;

    for (;;) {
        if (pw)
            pws = xm_postwatch_wait(pw, p->wake[0], XM_MIGRATE_WATCH_MS);
        if (post_wait(p, pw ? 0 : XM_MIGRATE_WATCH_MS, &rc, err))
            return rc;
        now = xm_now_ms();
        if (m->opts.timeout_ms && now - t0 >= timeout_ms)
            return XENMIG_ETIMEOUT;
        if (over) {
            if (now >= over)
                return 0;
            continue;
        }
        flying = false;
        on_src = runs_on(src, uuid, &flying, name);
        /* xenstore saw a rename, and back, that xend may not show */
        name_back = pws == XM_PW_BACK;
        if (flying || pws == XM_PW_FLYING || name_back)
            seen_flying = true;
        if (!relay)
            watch_report(m, (now - t0) / 1000.0, flying ? "in flight" :
                         on_src == 1 ? "running" : on_src == 0 ? "gone" :
                         "unknown");
        if (relay && xm_relay_finished(relay)) {
            over = now + xm_mig_settle_ms();
            continue;
        }
        if (on_src == 0 && !flying) {
            on_dst = runs_on(m->dst, uuid, NULL, name);
            if (on_dst == 1 || !m->dst) {
                over = now + xm_mig_settle_ms();
                continue;
            }
        }
        if (on_src == 1 && !flying) {
            if (!back)
                back = now;
            /* only a xend known to rename the domain in flight (4.1+,
             * reference 3.6) says by its name that it stopped */
            if ((seen_flying && now - back >= XM_MIGRATE_BACK_MS) ||
                (renames && now - t0 >= XM_MIGRATE_HANDSHAKE_MS))
                return xm_error_set(err, XENMIG_EXEND, "xend has not "
                                    "answered op=migrate after %ld s, and "
                                    "domain '%s' runs here under its own "
                                    "name again%s: xend failed without "
                                    "saying why", (now - t0) / 1000,
                                    name, name_back ? " (xenstore saw xend "
                                    "write it back)" : "");
        } else {
            back = 0;
        }
    }
}

xenmig_step_result
xm_mig_step_perform(struct step_ctx *ctx)
{
    struct mig *m = ctx->m;
    xenmig_error *err = ctx->err;
    xenmig_domain *d = NULL;
    xm_relay *relay = NULL;
    xm_relay_opts ro;
    struct post *post = NULL;
    xm_postwatch *pw = NULL;
    struct sockaddr_in via;
    char via_ip[INET_ADDRSTRLEN];
    const char *host, *uuid, *name, *target_ip, *send_to;
    long long port, flags, major, minor, memory;
    long timeout;
    int send_port;
    xenmig_step_result res = XENMIG_STEP_FAILED;
    int rc;

    host = xenmig_conn_host(ctx->conn);
    uuid = xm_cookie_get(ctx->in, "uuid");
    name = xm_cookie_get(ctx->in, "name");
    target_ip = xm_cookie_get(ctx->in, "target_ip");
    if (!uuid || !name || !target_ip ||
        xm_cookie_get_ll(&port, ctx->in, "port", 1, 65535, err) ||
        xm_cookie_get_ll(&flags, ctx->in, "flags", 0, 0xff, err) ||
        xm_cookie_get_ll(&memory, ctx->in, "memory", 0, LLONG_MAX >> 20,
                         err) ||
        xm_cookie_get_ll(&major, ctx->in, "src_major", 0, 99, err) ||
        xm_cookie_get_ll(&minor, ctx->in, "src_minor", 0, 99, err)) {
        if (!err || !err->code)
            xm_error_set(err, XENMIG_EPARSE,
                         "prepare cookie lacks the migration address");
        goto out;
    }

    /* Still there, still the same domain, still able to go. */
    rc = xenmig_domain_lookup(&d, ctx->conn, uuid, err);
    if (rc) {
        xm_mig_fail(NULL, NULL, err, "perform on source '%s'", host);
        goto out;
    }
    if (xenmig_domain_id(d) <= 0) {
        xm_error_set(err, XENMIG_ESTATE,
                     "domain '%s' is not running on '%s' any more", name,
                     host);
        goto out;
    }
    if (strncmp(xenmig_domain_name(d), "migrating-", 10) == 0) {
        xm_error_set(err, XENMIG_ESTATE, "domain '%s' is already in "
                     "flight on '%s' (as '%s'): another migration of it "
                     "runs", name, host, xenmig_domain_name(d));
        goto out;
    }
    if (xenmig_domain_is_paused(d) && xm_mig_version_ge(major, minor, 3, 3)) {
        xm_error_set(err, XENMIG_ESTATE,
                     "domain '%s' was paused on '%s' since prepare; "
                     "xend %lld.%lld migrates only running domains",
                     name, host, major, minor);
        goto out;
    }

    timeout = m->opts.timeout_ms ? m->opts.timeout_ms :
              XM_MIGRATE_DEFAULT_TIMEOUT_MS;
    rc = xm_mig_relay_start(&relay, &ro, &via, ctx, flags, memory, target_ip,
                            port);
    if (rc) {
        xm_mig_fail(NULL, NULL, err, "perform on source '%s'", host);
        goto out;
    }
    send_to = target_ip;
    send_port = (int)port;
    if (relay) {
        inet_ntop(AF_INET, &via.sin_addr, via_ip, sizeof(via_ip));
        send_to = via_ip;
        send_port = ntohs(via.sin_port);
    }
    m->posted = true;
    xm_postwatch_open(&pw, ctx->conn, xenmig_domain_id(d), name);
    rc = post_start(&post, ctx->conn, uuid, send_to, send_port, m, flags,
                    timeout, err);
    if (!rc)
        rc = post_watch(post, m, ctx->conn, relay, pw, uuid, name,
                        xm_mig_version_ge(major, minor, 4, 1), timeout, err);
    if (relay)
        rc = xm_mig_relay_end(relay, &ro, rc, host, timeout, err);
    else if (rc == XENMIG_ETIMEOUT)
        xm_error_set(err, XENMIG_ETIMEOUT, "timed out after %ld s: xend "
                     "had not answered op=migrate", timeout / 1000);
    if (rc) {
        xm_mig_fail(NULL, NULL, err, "perform on source '%s'", host);
        goto out;
    }
    res = XENMIG_STEP_COMPLETE;
 out:
    if (post)
        post_end(post);
    xm_postwatch_close(pw);
    xm_relay_free(relay);
    xenmig_domain_free(d);
    return res;
}
