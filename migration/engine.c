/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * engine.c: the migration step engine
 *
 * The engine alternates source and destination steps, as proposed for
 * libvirt's generalised migration protocol: each step takes the
 * previous step's cookie and gives a new one, and returns COMPLETE or
 * FAILED. A FAILED step after xend's op=migrate hands over to
 * recovery (recover.c), which finds the domain and makes sure it runs
 * on exactly one host.
 *
 *   begin    (source)       the domain, the source host
 *   prepare  (destination)  the address to send to, pre-flight checks
 *   perform  (source)       xend's op=migrate, bounded by a timeout
 *   finish   (destination)  the domain runs there
 *   confirm  (source)       the domain is gone from the source
 *
 * Their bodies are in steps.c and perform.c; the checks in checks.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "migration/journal.h"
#include "migration/migrate_int.h"
#include "xend-client/xend.h"

/* ---- states: one table of legal transitions ------------------------ */

const struct step_def xm_mig_steps[STEP_COUNT] = {
    { "begin", SIDE_SOURCE, 0, XM_COOKIE_BEGIN, xm_mig_step_begin },
    { "prepare", SIDE_DEST, XM_COOKIE_BEGIN, XM_COOKIE_PREPARE,
      xm_mig_step_prepare },
    { "perform", SIDE_SOURCE, XM_COOKIE_PREPARE, XM_COOKIE_PERFORM,
      xm_mig_step_perform },
    { "finish", SIDE_DEST, XM_COOKIE_PERFORM, XM_COOKIE_FINISH,
      xm_mig_step_finish },
    { "confirm", SIDE_SOURCE, XM_COOKIE_FINISH, 0, xm_mig_step_confirm },
};

/* ---- small helpers -------------------------------------------------- */

long
xm_mig_settle_ms(void)
{
    const char *env = getenv("XENMIG_SETTLE_TIMEOUT");
    long long s;

    if (env && xm_parse_ll(&s, env, 0, 600) == 0)
        return (long)s * 1000;
    return XM_MIGRATE_SETTLE_MS;
}

void
xm_mig_sleep_ms(long ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void
vreport(struct mig *m, const char *check, int ok, const char *fmt,
        va_list ap)
{
    char detail[XENMIG_ERROR_MSG_SIZE];

    if (!m || !m->cb || !check)
        return;
    if (vsnprintf(detail, sizeof(detail), fmt, ap) < 0)
        detail[0] = '\0';
    m->cb(check, ok, detail, m->payload);
}

void
xm_mig_report(struct mig *m, const char *check, int ok, const char *fmt,
              ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(m, check, ok, fmt, ap);
    va_end(ap);
}

int
xm_mig_fail(struct mig *m, const char *check, xenmig_error *err,
            const char *fmt, ...)
{
    char prefix[XENMIG_ERROR_MSG_SIZE];
    va_list ap;

    if (!err)
        return XENMIG_ERROR;
    if (!err->code)
        err->code = XENMIG_ERROR;
    if (fmt) {
        va_start(ap, fmt);
        if (vsnprintf(prefix, sizeof(prefix), fmt, ap) < 0)
            prefix[0] = '\0';
        va_end(ap);
        xm_error_prefix(err, "%s", prefix);
    }
    xm_mig_report(m, check, 0, "%s", err->msg);
    return err->code;
}

int
xm_mig_poll(xenmig_domain **out, xenmig_conn *conn, const char *uuid,
            long deadline, xm_mig_poll_done done, xm_mig_poll_nap nap,
            void *arg, xenmig_error *err)
{
    int rc;

    *out = NULL;
    for (;;) {
        xenmig_domain_free(*out);
        rc = xm_mig_find_domain(out, conn, uuid, err);
        if (rc)
            return rc;
        if (done(*out, arg) || xm_now_ms() >= deadline)
            return 0;
        if (nap)
            nap(*out, deadline, arg);
        else
            xm_mig_sleep_ms(XM_MIGRATE_POLL_MS);
    }
}

void
xm_mig_opts_copy(struct mig *m, const xenmig_migrate_opts *opts)
{
    static const xenmig_migrate_opts defaults = XENMIG_MIGRATE_OPTS_INIT;

    memset(m, 0, sizeof(*m));
    if (opts && opts->version == 1)     /* budget (issue 17): not in v1 */
        memcpy(&m->opts, opts, offsetof(xenmig_migrate_opts, budget));
    else
        m->opts = opts ? *opts : defaults;
    m->cb = m->opts.check;
    m->payload = m->opts.check_payload;
}

static int
opts_check(const struct mig *m, xenmig_error *err)
{
    const xenmig_migrate_opts *o = &m->opts;

    if (o->version != 1 && o->version != XENMIG_MIGRATE_OPTS_VERSION)
        return xm_error_set(err, XENMIG_EINVAL,
                            "migrate options version %u is not %d",
                            o->version, XENMIG_MIGRATE_OPTS_VERSION);
    if (o->flags & ~(unsigned int)(XENMIG_MIGRATE_LIVE |
                                   XENMIG_MIGRATE_SSL |
                                   XENMIG_MIGRATE_CHANGE_HOME |
                                   XENMIG_MIGRATE_DIRECT |
                                   XENMIG_MIGRATE_PROGRESS))
        return xm_error_set(err, XENMIG_EINVAL,
                            "unknown migrate flags 0x%x", o->flags);
    if (o->port < 0 || o->port > 65535)
        return xm_error_set(err, XENMIG_EINVAL,
                            "relocation port %d is not in 1..65535",
                            o->port);
    if (o->node < -1 || o->node > 4095)
        return xm_error_set(err, XENMIG_EINVAL,
                            "NUMA node %d is not in -1..4095", o->node);
    if (o->resource > 1000000)
        return xm_error_set(err, XENMIG_EINVAL,
                            "resource %lu Mbit/s is over 1000000",
                            o->resource);
    if (o->timeout_ms < 0 || o->timeout_ms > XM_XEND_MAX_TIMEOUT_MS)
        return xm_error_set(err, XENMIG_EINVAL,
                            "timeout %ld ms is out of range",
                            o->timeout_ms);
    return 0;
}

int
xm_mig_opts_load(struct mig *m, const xenmig_migrate_opts *opts,
                 xenmig_error *err)
{
    xm_mig_opts_copy(m, opts);
    return opts_check(m, err);
}

int
xm_mig_begin(struct mig *m, const char *what, xenmig_conn *src,
             const char *dom, xenmig_conn *dst,
             const xenmig_migrate_opts *opts, xenmig_error *err)
{
    if (err)
        xenmig_error_clear(err);
    if (!src || !dst || !dom || !*dom)
        return xm_error_set(err, XENMIG_EINVAL, "%s needs a source, a "
                            "domain and a destination", what);
    return xm_mig_opts_load(m, opts, err);
}

/* ---- the engine ----------------------------------------------------- */

xenmig_step_result
xm_mig_run_step(struct mig *m, size_t idx, xenmig_conn *conn,
                const char *dom, const xm_cookie *in, xm_cookie *out,
                xenmig_error *err)
{
    const struct step_def *def = &xm_mig_steps[idx];
    struct step_ctx ctx;
    xenmig_step_result r;
    size_t i;

    if (def->makes) {
        if (in ? xm_cookie_init_next(out, in, def->makes, err) :
                 xm_cookie_init(out, def->makes, err))
            return XENMIG_STEP_FAILED;
        for (i = 0; in && i < in->nfields; i++) {
            if (xm_cookie_set(out, in->fields[i].key,
                              in->fields[i].value, err))
                return XENMIG_STEP_FAILED;
        }
    }
    ctx.m = m;
    ctx.conn = conn;
    ctx.dom = dom;
    ctx.in = in;
    ctx.out = def->makes ? out : NULL;
    ctx.err = err;
    r = def->fn(&ctx);
    if (r != XENMIG_STEP_COMPLETE)
        r = XENMIG_STEP_FAILED;
    if (r == XENMIG_STEP_FAILED && !err->code)
        xm_error_set(err, XENMIG_ERROR, "step '%s' failed", def->name);
    return r;
}

/* ---- the lock and the journal around a migration -------------------- */

struct guard {
    xm_lock lock;
    bool journaled;         /* an entry of ours is on disk */
    long long started;      /* unix time */
    const char *uuid;
};

/* The journal cookie: the last step's cookie and the j_ fields. */
static int
journal_put(struct guard *g, xenmig_conn *src, xenmig_conn *dst,
            const xm_cookie *last, const char *step, const char *verdict,
            xenmig_error *err)
{
    char host[128];
    xm_cookie jc;
    size_t i;
    int rc = 0;

    memset(&jc, 0, sizeof(jc));
    jc.step = last->step;
    jc.created = last->created;
    memcpy(jc.id, last->id, sizeof(jc.id));
    if (gethostname(host, sizeof(host)) < 0)
        xm_strlcpy(host, "?", sizeof(host));
    host[sizeof(host) - 1] = '\0';
    for (i = 0; i < last->nfields && !rc; i++)
        rc = xm_cookie_set(&jc, last->fields[i].key,
                           last->fields[i].value, err);
    if (!rc &&
        (xm_cookie_set(&jc, "j_step", step, err) ||
         xm_cookie_set(&jc, "j_src_uri", xenmig_conn_uri(src), err) ||
         xm_cookie_set(&jc, "j_dst_uri", xenmig_conn_uri(dst), err) ||
         xm_cookie_set_ll(&jc, "j_started", g->started, err) ||
         xm_cookie_set_ll(&jc, "j_updated", (long long)time(NULL), err) ||
         xm_cookie_set_ll(&jc, "j_pid", (long long)getpid(), err) ||
         xm_cookie_set(&jc, "j_host", host, err) ||
         xm_cookie_set(&jc, "j_verdict", verdict, err)))
        rc = err->code;
    if (!rc)
        rc = xm_journal_write(g->uuid, &jc, err);
    if (!rc)
        g->journaled = true;
    xm_cookie_dispose(&jc);
    return rc;
}

/*
 * After begin: one migration of the domain at a time (the lock), and
 * none while the journal holds an unfinished one.
 */
static int
guard_take(struct guard *g, const xm_cookie *begun, xenmig_error *err)
{
    const char *name = xm_cookie_get(begun, "name");
    xm_cookie old;
    xenmig_error lerr;
    int rc;

    g->uuid = xm_cookie_get(begun, "uuid");
    g->started = (long long)time(NULL);
    if (!g->uuid || !name)
        return xm_error_set(err, XENMIG_EPARSE, "begin cookie lacks the "
                            "domain");
    rc = xm_lock_take(&g->lock, g->uuid, name, err);
    if (rc)
        return rc;
    xenmig_error_clear(&lerr);
    rc = xm_journal_read(&old, g->uuid, &lerr);
    if (rc == XENMIG_ENOTFOUND)
        return 0;
    if (rc == 0)
        xm_error_set(err, XENMIG_ESTATE, "an unfinished migration of "
                     "domain '%s' from '%s' to '%s' (at step '%s') is in "
                     "the journal: run 'xenmig recover %s' first", name,
                     xm_cookie_get(&old, "src_host") ?
                     xm_cookie_get(&old, "src_host") : "?",
                     xm_cookie_get(&old, "dst_host") ?
                     xm_cookie_get(&old, "dst_host") : "?",
                     xm_cookie_get(&old, "j_step") ?
                     xm_cookie_get(&old, "j_step") : "?", g->uuid);
    else
        xm_error_set(err, XENMIG_ESTATE, "the journal entry of domain "
                     "'%s' is unreadable (%s): run 'xenmig recover %s'",
                     name, lerr.msg, g->uuid);
    xm_cookie_dispose(&old);
    return XENMIG_ESTATE;
}

/* The migration ended; @known: in a known state (the entry goes). */
static void
guard_drop(struct guard *g, bool known)
{
    if (g->journaled && known)
        (void)xm_journal_remove(g->uuid, NULL);
    xm_lock_release(&g->lock);
}

int
xm_mig_engine_run(struct mig *m, xenmig_conn *src, const char *dom,
                  xenmig_conn *dst, xenmig_error *err)
{
    xm_cookie ck[STEP_COUNT];
    const struct step_def *def;
    struct guard g = { XM_LOCK_INIT, false, 0, NULL };
    xenmig_step_result r;
    xenmig_conn *conn;
    xm_rec_act verdict = XM_REC_ON_SOURCE;
    char juuid[72];
    size_t i;
    int rc;

    memset(ck, 0, sizeof(ck));
    m->src = src;
    m->dst = dst;
    if (!m->check_only && xm_mig_journal_find(juuid, sizeof(juuid), dom,
                                              NULL) == 0) {
        /* running now (its lock is held), or left unfinished */
        rc = xm_lock_take(&g.lock, juuid, dom, err);
        xm_lock_release(&g.lock);
        if (rc == 0)
            rc = xm_error_set(err, XENMIG_ESTATE, "an unfinished "
                              "migration of domain '%s' is in the "
                              "journal: run 'xenmig recover %s' first",
                              dom, juuid);
        goto out;
    }
    for (i = 0; i < STEP_COUNT; i++) {
        def = &xm_mig_steps[i];
        conn = def->side == SIDE_SOURCE ? src : dst;
        /* aborted (a migration handle): before xend's op=migrate
         * nothing has moved; after it, finishing is the safe course */
        if (m->abort && __sync_fetch_and_add(m->abort, 0) &&
            i <= STEP_PERFORM) {
            rc = xm_error_set(err, XENMIG_ECANCELLED, "cancelled before "
                              "%s; nothing moved: domain '%s' stays on "
                              "'%s'", def->name, dom,
                              xenmig_conn_host(src));
            goto out;
        }
        if (i > STEP_BEGIN && !m->check_only) {
            rc = journal_put(&g, src, dst, &ck[i - 1], def->name, "", err);
            /* before perform a failure costs nothing; after, the
             * migration goes on without the journal */
            if (rc && i <= STEP_PERFORM)
                goto out;
            xenmig_error_clear(err);
        }
        if (!m->check_only)
            xm_journal_kill_point(def->name);
        r = xm_mig_run_step(m, i, conn, dom, i ? &ck[i - 1] : NULL, &ck[i],
                            err);
        if (r == XENMIG_STEP_COMPLETE && i == STEP_BEGIN &&
            !m->check_only) {
            rc = guard_take(&g, &ck[0], err);
            if (rc)
                goto out;
        }
        if (r == XENMIG_STEP_FAILED) {
            /* before xend's op=migrate nothing has moved */
            if (i <= STEP_PREPARE || (i == STEP_PERFORM && !m->posted)) {
                rc = err->code;
            } else {
                (void)journal_put(&g, src, dst, &ck[i - 1], "recover",
                                  err->msg, NULL);
                rc = xm_mig_recover(src, dst,
                                    xm_cookie_get(&ck[i - 1], "uuid"),
                                    xm_cookie_get(&ck[i - 1], "name"), err,
                                    &verdict);
            }
            goto out;
        }
        if (m->check_only && i == STEP_PREPARE)
            break;
    }
    if (!m->check_only)
        xm_journal_kill_point("end");
    rc = 0;
 out:
    guard_drop(&g, verdict != XM_REC_UNKNOWN);
    for (i = 0; i < XM_ARRAY_SIZE(ck); i++)
        xm_cookie_dispose(&ck[i]);
    return rc;
}

XENMIG_API int
xenmig_migrate_ex(xenmig_conn *src, const char *dom, xenmig_conn *dst,
                  const xenmig_migrate_opts *opts, xenmig_error *err)
{
    xenmig_error local;
    struct mig m;
    int rc;

    if (!err)
        err = &local;
    rc = xm_mig_begin(&m, "migrate", src, dom, dst, opts, err);
    if (rc)
        return rc;
    return xm_mig_engine_run(&m, src, dom, dst, err);
}

XENMIG_API int
xenmig_migrate(xenmig_conn *src, const char *dom, xenmig_conn *dst,
               unsigned int flags, const char *dname, const char *uri,
               unsigned long resource, xenmig_error *err)
{
    xenmig_migrate_opts opts = XENMIG_MIGRATE_OPTS_INIT;

    opts.flags = flags;
    opts.dname = dname;
    opts.uri = uri;
    opts.resource = resource;
    return xenmig_migrate_ex(src, dom, dst, &opts, err);
}

XENMIG_API int
xenmig_migrate_check(xenmig_conn *src, const char *dom, xenmig_conn *dst,
                     const xenmig_migrate_opts *opts, xenmig_check_cb cb,
                     void *payload, xenmig_error *err)
{
    xenmig_error local;
    struct mig m;
    int rc;

    if (!err)
        err = &local;
    rc = xm_mig_begin(&m, "check", src, dom, dst, opts, err);
    if (rc)
        return rc;
    m.cb = cb;
    m.payload = payload;
    m.check_only = true;
    return xm_mig_engine_run(&m, src, dom, dst, err);
}

XENMIG_API void
xenmig_free(void *ptr)
{
    xm_free(ptr);
}
