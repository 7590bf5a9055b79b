/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * steps.c: the bodies of begin, prepare, finish and confirm
 *
 *   begin    (source)       the domain, the source host
 *   prepare  (destination)  the address to send to, pre-flight checks
 *   perform  (source)       xend's op=migrate (perform.c)
 *   finish   (destination)  the domain runs there
 *   confirm  (source)       the domain is gone from the source
 *
 * begin and prepare run their side's checks (checks.c), then write
 * what they found into the cookie.
 */
#include <limits.h>
#include <string.h>

#include "migration/migrate_int.h"
#include "xend-client/xend.h"
#include "xend-client/xs.h"

/* ---- begin (source) ------------------------------------------------- */

xenmig_step_result
xm_mig_step_begin(struct step_ctx *ctx)
{
    struct check_state cs;
    xenmig_domain *d;
    xenmig_node *node;
    xm_cookie *out = ctx->out;
    xenmig_error *err = ctx->err;
    xenmig_step_result res = XENMIG_STEP_FAILED;

    memset(&cs, 0, sizeof(cs));
    if (xm_mig_checks_run(ctx, SIDE_SOURCE, &cs))
        goto out;
    d = cs.dom;
    node = cs.node;
    if (xm_cookie_set(out, "name", xenmig_domain_name(d), err) ||
        xm_cookie_set(out, "uuid", xenmig_domain_uuid(d), err) ||
        xm_cookie_set_ll(out, "domid", xenmig_domain_id(d), err) ||
        xm_cookie_set_ll(out, "memory",
                         (long long)xenmig_domain_memory(d), err) ||
        xm_cookie_set_ll(out, "hvm", xenmig_domain_is_hvm(d), err) ||
        xm_cookie_set(out, "src_host", xenmig_conn_host(ctx->conn), err) ||
        xm_cookie_set(out, "src_node", xenmig_node_host(node), err) ||
        xm_cookie_set(out, "src_caps", xenmig_node_xen_caps(node), err) ||
        xm_cookie_set_ll(out, "src_major", xenmig_node_xen_major(node),
                         err) ||
        xm_cookie_set_ll(out, "src_minor", xenmig_node_xen_minor(node),
                         err) ||
        xm_cookie_set(out, "src_version", xenmig_node_xen_version(node),
                      err) ||
        xm_cookie_set_ll(out, "flags", ctx->m->opts.flags, err))
        goto out;
    res = XENMIG_STEP_COMPLETE;
 out:
    xm_mig_checks_dispose(&cs);
    return res;
}

/* ---- prepare (destination) ------------------------------------------ */

xenmig_step_result
xm_mig_step_prepare(struct step_ctx *ctx)
{
    struct check_state cs;
    xm_cookie *out = ctx->out;
    xenmig_error *err = ctx->err;
    xenmig_step_result res = XENMIG_STEP_FAILED;

    memset(&cs, 0, sizeof(cs));
    cs.name = xm_cookie_get(ctx->in, "name");
    cs.uuid = xm_cookie_get(ctx->in, "uuid");
    cs.src_caps = xm_cookie_get(ctx->in, "src_caps");
    if (!cs.name || !cs.uuid || !cs.src_caps ||
        xm_cookie_get_ll(&cs.memory, ctx->in, "memory", 0, LLONG_MAX,
                         err) ||
        xm_cookie_get_ll(&cs.hvm, ctx->in, "hvm", 0, 1, err)) {
        if (!err || !err->code)
            xm_error_set(err, XENMIG_EPARSE,
                         "begin cookie lacks the domain's description");
        goto out;
    }
    if (xm_mig_checks_run(ctx, SIDE_DEST, &cs))
        goto out;
    if (xm_cookie_set(out, "target", cs.target_name, err) ||
        xm_cookie_set(out, "target_ip", cs.target_ip, err) ||
        xm_cookie_set_ll(out, "port", cs.port, err) ||
        xm_cookie_set(out, "dst_host", xenmig_conn_host(ctx->conn), err) ||
        xm_cookie_set_ll(out, "dst_major", xenmig_node_xen_major(cs.node),
                         err))
        goto out;
    res = XENMIG_STEP_COMPLETE;
 out:
    xm_mig_checks_dispose(&cs);
    return res;
}

/* ---- finish (destination) ------------------------------------------- */

/*
 * Look @uuid up on @conn: 0 with *out set, 0 with *out NULL when xend
 * does not know it, or an error.
 */
int
xm_mig_find_domain(xenmig_domain **out, xenmig_conn *conn, const char *uuid,
                   xenmig_error *err)
{
    int rc;

    *out = NULL;
    rc = xenmig_domain_lookup(out, conn, uuid, err);
    if (rc == XENMIG_ENOTFOUND) {
        xenmig_error_clear(err);
        return 0;
    }
    return rc;
}

/* A domain is "in flight" on the source while xend calls it so. */
bool
xm_mig_in_flight(const xenmig_domain *d, const char *name)
{
    const char *n = xenmig_domain_name(d);

    return strncmp(n, "migrating-", 10) == 0 &&
           (!name || strcmp(n + 10, name) == 0);
}

/* The prologue of finish and confirm: the domain @in names. */
static int
cookie_domain(const char **uuid, const char **name, const xm_cookie *in,
              const char *what, xenmig_error *err)
{
    *uuid = xm_cookie_get(in, "uuid");
    *name = xm_cookie_get(in, "name");
    if (!*uuid || !*name)
        return xm_error_set(err, XENMIG_EPARSE, "%s lacks the domain",
                            what);
    return 0;
}

/* finish's wait: the domain runs (has a domid, is not paused). */
static bool
poll_runs(const xenmig_domain *d, void *arg)
{
    (void)arg;
    return d && xenmig_domain_id(d) > 0 && !xenmig_domain_is_paused(d);
}

xenmig_step_result
xm_mig_step_finish(struct step_ctx *ctx)
{
    xenmig_error *err = ctx->err;
    xenmig_domain *d = NULL;
    const char *host, *uuid, *name;
    size_t copies;
    xenmig_step_result res = XENMIG_STEP_FAILED;

    host = xenmig_conn_host(ctx->conn);
    if (cookie_domain(&uuid, &name, ctx->in, "perform cookie", err))
        goto out;
    if (xm_mig_poll(&d, ctx->conn, uuid, xm_now_ms() + xm_mig_settle_ms(),
                    poll_runs, NULL, NULL, err)) {
        xm_mig_fail(NULL, NULL, err, "finish on destination '%s'", host);
        goto out;
    }
    if (!d || xenmig_domain_id(d) <= 0) {
        xm_error_set(err, XENMIG_ENOTFOUND,
                     "finish on destination '%s': domain '%s' did not "
                     "arrive", host, name);
        goto out;
    }
    /* xend unpauses after the devices connect; do it if it did not */
    if (xenmig_domain_is_paused(d) &&
        xenmig_domain_op(ctx->conn, uuid, "unpause", NULL, err)) {
        xm_mig_fail(NULL, NULL, err, "finish on destination '%s': domain "
                    "'%s' arrived paused", host, name);
        goto out;
    }
    if (xm_mig_count_copies(&copies, ctx->conn, uuid, name, err)) {
        xm_mig_fail(NULL, NULL, err, "finish on destination '%s'", host);
        goto out;
    }
    if (copies > 1) {
        xm_error_set(err, XENMIG_ESTATE, "finish on destination '%s': "
                     "%zu domains there have the UUID of '%s' (%s)", host,
                     copies, name, uuid);
        goto out;
    }
    if (xm_cookie_set_ll(ctx->out, "dst_domid", xenmig_domain_id(d),
                         err))
        goto out;
    res = XENMIG_STEP_COMPLETE;
 out:
    xenmig_domain_free(d);
    return res;
}

/* ---- confirm (source) ----------------------------------------------- */

/*
 * Between two looks at a local source xend for a domain in flight:
 * sleep on xenstore until xend writes the name back or the domain
 * goes (reference 6.5), at most until @deadline. Once xenstore has
 * said so, or where there is no xenstored (*xs stays NULL), or the
 * source is not local, a poll interval. xend has the last word.
 */
void
xm_mig_wait_name_back(xm_xs **xs, int *state, xenmig_conn *src, int domid,
                      const char *name, long deadline)
{
    xenmig_error lerr;
    long left = deadline - xm_now_ms();

    xenmig_error_clear(&lerr);
    if (*state == 0) {
        *state = 1;
        /* *xs stays NULL on failure or where no xenstored answers */
        if (strncmp(xm_xend_conn_label(src), "unix:", 5) == 0)
            (void)xm_xs_open(xs, &lerr);
    }
    if (*state == 1 && *xs && domid > 0 && left > 0) {
        *state = 2;             /* once: xend may lag xenstore */
        if (xm_xs_wait_name(*xs, domid, name, left, &lerr) == 0 ||
            lerr.code == XENMIG_ENOTFOUND)
            return;
    }
    xm_mig_sleep_ms(XM_MIGRATE_POLL_MS);
}

/*
 * Make sure the domain runs on the source again after a failure:
 * wait (bounded) for xend to give it its name back, unpause it if it
 * was left paused. 0 when it runs, XENMIG_ENOTFOUND when it is not
 * there, or an error.
 */
/* resume's wait: xend gave the domain its name back, or it went. */
struct name_back {
    xm_xs *xs;
    int state;
    xenmig_conn *src;
    const char *name;
};

static bool
poll_named(const xenmig_domain *d, void *arg)
{
    struct name_back *nb = arg;

    return !d || !xm_mig_in_flight(d, nb->name);
}

static void
nap_name_back(const xenmig_domain *d, long deadline, void *arg)
{
    struct name_back *nb = arg;

    xm_mig_wait_name_back(&nb->xs, &nb->state, nb->src,
                          xenmig_domain_id(d), nb->name, deadline);
}

static int
resume_on_source(xenmig_conn *src, const char *uuid, const char *name,
                 xenmig_error *err)
{
    struct name_back nb = { NULL, 0, src, name };
    xenmig_domain *d = NULL;
    int rc;

    rc = xm_mig_poll(&d, src, uuid, xm_now_ms() + xm_mig_settle_ms(),
                     poll_named, nap_name_back, &nb, err);
    if (!rc && !d)
        rc = XENMIG_ENOTFOUND;
    if (!rc && xenmig_domain_is_paused(d))
        rc = xenmig_domain_op(src, uuid, "unpause", NULL, err);
    xm_xs_close(nb.xs);
    xenmig_domain_free(d);
    return rc;
}

/*
 * A local source xend has xenstored beside it: wait for the domain's
 * @releaseDomain there rather than poll xend (reference 6.5). Only a
 * shortcut: xend, asked next, has the last word either way.
 */
static void
wait_released_locally(xenmig_conn *src, const xm_cookie *ck)
{
    xenmig_error lerr;
    xm_xs *xs = NULL;
    long long domid;

    if (strncmp(xm_xend_conn_label(src), "unix:", 5) != 0)
        return;
    xenmig_error_clear(&lerr);
    if (xm_cookie_get_ll(&domid, ck, "domid", 1, 0x7fff, &lerr))
        return;
    if (xm_xs_open(&xs, &lerr) || !xs)
        return;
    (void)xm_xs_wait_released(xs, (int)domid, xm_mig_settle_ms(), &lerr);
    xm_xs_close(xs);
}

/* confirm's wait: the domain has left the source. */
static bool
poll_gone(const xenmig_domain *d, void *arg)
{
    (void)arg;
    return d == NULL;
}

xenmig_step_result
xm_mig_step_confirm(struct step_ctx *ctx)
{
    xenmig_error *err = ctx->err;
    xenmig_domain *d = NULL;
    const char *host, *uuid, *name;
    xenmig_step_result res = XENMIG_STEP_FAILED;
    int rc;

    host = xenmig_conn_host(ctx->conn);
    if (cookie_domain(&uuid, &name, ctx->in, "cookie", err))
        goto out;
    if (ctx->m->recover) {
        rc = resume_on_source(ctx->conn, uuid, name, err);
        if (rc == XENMIG_ENOTFOUND)
            xm_error_set(err, XENMIG_ENOTFOUND,
                         "confirm on source '%s': domain '%s' is not on "
                         "the source; look for it on the destination",
                         host, name);
        else if (rc)
            xm_mig_fail(NULL, NULL, err, "confirm on source '%s'", host);
        if (!rc)
            res = XENMIG_STEP_COMPLETE;
        goto out;
    }
    wait_released_locally(ctx->conn, ctx->in);
    if (xm_mig_poll(&d, ctx->conn, uuid, xm_now_ms() + xm_mig_settle_ms(),
                    poll_gone, NULL, NULL, err)) {
        xm_mig_fail(NULL, NULL, err, "confirm on source '%s'", host);
        goto out;
    }
    if (d) {
        xm_error_set(err, XENMIG_ESTATE,
                     "confirm on source '%s': domain '%s' is still there "
                     "(as '%s', id %d)", host, name,
                     xenmig_domain_name(d), xenmig_domain_id(d));
        goto out;
    }
    res = XENMIG_STEP_COMPLETE;
 out:
    xenmig_domain_free(d);
    return res;
}
