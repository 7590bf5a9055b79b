/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stepapi.c: the public step API, one step per call, cookie text in
 * and out
 */
#include <string.h>
#include <time.h>

#include "migration/migrate_int.h"
#include "xend-client/xend.h"

/* One step on its own, cookie text in and out. */
static int
step_public(size_t idx, char **cookie_out, xenmig_conn *conn,
            const char *dom, const char *cookie_in,
            const xenmig_migrate_opts *opts, bool recovering,
            xenmig_error *err)
{
    const struct step_def *def = &xm_mig_steps[idx];
    xenmig_error local;
    xm_cookie in, out;
    struct mig m;
    xenmig_step_result r;
    int rc;

    if (!err)
        err = &local;
    xenmig_error_clear(err);
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    if (cookie_out)
        *cookie_out = NULL;
    if (!conn || (def->makes && !cookie_out) ||
        (def->needs && !cookie_in) || (!def->needs && !dom)) {
        rc = xm_error_set(err, XENMIG_EINVAL, "%s: missing argument",
                          def->name);
        goto out;
    }
    rc = xm_mig_opts_load(&m, opts, err);
    if (rc)
        goto out;
    m.recover = recovering;
    if (def->needs) {
        /* recovery may follow any step from prepare on */
        rc = xm_cookie_decode(&in, cookie_in, recovering ? 0 : def->needs,
                              (uint64_t)time(NULL), err);
        if (rc) {
            xm_mig_fail(NULL, NULL, err, "%s", def->name);
            goto out;
        }
        if (recovering && in.step < XM_COOKIE_PREPARE) {
            rc = xm_error_set(err, XENMIG_ESTATE, "%s: nothing moved "
                              "before prepare; no recovery needed",
                              def->name);
            goto out;
        }
    }
    r = xm_mig_run_step(&m, idx, conn, dom, def->needs ? &in : NULL, &out,
                        err);
    if (r == XENMIG_STEP_FAILED) {
        rc = err->code;
        goto out;
    }
    if (def->makes) {
        rc = xm_cookie_encode(cookie_out, &out, err);
        if (rc) goto out;
    }
    rc = 0;
 out:
    xm_cookie_dispose(&in);
    xm_cookie_dispose(&out);
    return rc;
}

XENMIG_API int
xenmig_migrate_begin(char **cookie_out, xenmig_conn *src, const char *dom,
                     const xenmig_migrate_opts *opts, xenmig_error *err)
{
    return step_public(STEP_BEGIN, cookie_out, src, dom, NULL, opts,
                       false, err);
}

XENMIG_API int
xenmig_migrate_prepare(char **cookie_out, xenmig_conn *dst,
                       const char *cookie_in,
                       const xenmig_migrate_opts *opts, xenmig_error *err)
{
    return step_public(STEP_PREPARE, cookie_out, dst, NULL, cookie_in,
                       opts, false, err);
}

XENMIG_API int
xenmig_migrate_perform(char **cookie_out, xenmig_conn *src,
                       const char *cookie_in,
                       const xenmig_migrate_opts *opts, xenmig_error *err)
{
    return step_public(STEP_PERFORM, cookie_out, src, NULL, cookie_in,
                       opts, false, err);
}

XENMIG_API int
xenmig_migrate_finish(char **cookie_out, xenmig_conn *dst,
                      const char *cookie_in, xenmig_error *err)
{
    return step_public(STEP_FINISH, cookie_out, dst, NULL, cookie_in,
                       NULL, false, err);
}

XENMIG_API int
xenmig_migrate_confirm(xenmig_conn *src, const char *cookie_in,
                       int failed, xenmig_error *err)
{
    return step_public(STEP_CONFIRM, NULL, src, NULL, cookie_in, NULL,
                       failed != 0, err);
}


/* ---- XENMIG_0.3: the step API with the one-shot's guarantees -------- */

XENMIG_API int
xenmig_migrate_prepare2(char **cookie_out, char **uri_out,
                        xenmig_conn *dst, const char *cookie_in,
                        const xenmig_migrate_opts *opts, xenmig_error *err)
{
    xenmig_error local;
    xm_cookie ck;
    xm_buf uri = XM_BUF_INIT(600);
    const char *ip, *port;
    int rc;

    if (!err)
        err = &local;
    if (uri_out)
        *uri_out = NULL;
    if (!uri_out) {
        xenmig_error_clear(err);
        return xm_error_set(err, XENMIG_EINVAL, "prepare: missing "
                            "argument");
    }
    rc = step_public(STEP_PREPARE, cookie_out, dst, NULL, cookie_in, opts,
                     false, err);
    if (rc)
        return rc;
    /* the cookie just made: read back what prepare chose */
    rc = xm_cookie_decode(&ck, *cookie_out, XM_COOKIE_PREPARE,
                          (uint64_t)time(NULL), err);
    if (!rc) {
        ip = xm_cookie_get(&ck, "target_ip");
        port = xm_cookie_get(&ck, "port");
        rc = !ip || !port ? xm_error_set(err, XENMIG_EPARSE, "prepare: "
                                         "no address in its cookie") :
             xm_buf_printf(&uri, "xenmigr://%s:%s", ip, port);
        if (!rc) {
            *uri_out = xm_strdup(xm_buf_cstr(&uri));
            if (!*uri_out)
                rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        }
    }
    xm_cookie_dispose(&ck);
    xm_buf_dispose(&uri);
    if (rc) {
        xm_free(*cookie_out);
        *cookie_out = NULL;
    }
    return rc;
}

/*
 * A failed or cancelled migration, from the cookie of any step from
 * prepare on: recovery as xenmig_migrate() runs it, on both hosts.
 * @code and @why are the failure recovery reports beside where the
 * domain is.
 */
static int
step_recover(xenmig_conn *src, xenmig_conn *dst, const char *cookie_in,
             const char *step, int code, const char *why,
             xenmig_error *err)
{
    xm_cookie in;
    int rc;

    xenmig_error_clear(err);
    if (!src || !dst || !cookie_in)
        return xm_error_set(err, XENMIG_EINVAL, "%s: recovery needs the "
                            "source, the destination and a cookie", step);
    rc = xm_cookie_decode(&in, cookie_in, 0, (uint64_t)time(NULL), err);
    if (rc) {
        xm_mig_fail(NULL, NULL, err, "%s", step);
        return rc;
    }
    if (in.step < XM_COOKIE_PREPARE) {
        rc = xm_error_set(err, XENMIG_ESTATE, "%s: nothing moved before "
                          "prepare; no recovery needed", step);
    } else {
        xm_error_set(err, code, "%s", why);
        rc = xm_mig_recover(src, dst, xm_cookie_get(&in, "uuid"),
                            xm_cookie_get(&in, "name"), err, NULL);
    }
    xm_cookie_dispose(&in);
    return rc;
}

XENMIG_API int
xenmig_migrate_finish2(char **cookie_out, xenmig_conn *dst,
                       xenmig_conn *src, const char *cookie_in,
                       int cancelled, xenmig_error *err)
{
    xenmig_error local;
    char why[160];

    if (!err)
        err = &local;
    if (!cancelled)
        return step_public(STEP_FINISH, cookie_out, dst, NULL, cookie_in,
                           NULL, false, err);
    if (cookie_out)
        *cookie_out = NULL;
    xm_snprintf(why, sizeof(why), "finish on destination '%s': the "
                "migration was cancelled", dst ? xenmig_conn_host(dst) :
                "?");
    return step_recover(src, dst, cookie_in, "finish", XENMIG_ECANCELLED,
                        why, err);
}

XENMIG_API int
xenmig_migrate_confirm2(xenmig_conn *src, xenmig_conn *dst,
                        const char *cookie_in, int failed,
                        xenmig_error *err)
{
    xenmig_error local;
    char why[160];

    if (!err)
        err = &local;
    if (!failed)
        return step_public(STEP_CONFIRM, NULL, src, NULL, cookie_in, NULL,
                           false, err);
    xm_snprintf(why, sizeof(why), "confirm on source '%s': the migration "
                "failed", src ? xenmig_conn_host(src) : "?");
    return step_recover(src, dst, cookie_in, "confirm", XENMIG_ERROR, why,
                        err);
}
