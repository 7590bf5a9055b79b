/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stepapi.c: the public step API, one step per call, cookie text in
 * and out
 */
#include <string.h>
#include <time.h>

#include "migration/migrate_int.h"

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
    xm_mig_opts_copy(&m, opts);
    m.recover = recovering;
    rc = xm_mig_opts_check(&m, err);
    if (rc) goto out;
    if (def->needs) {
        /* recovery may follow any step from prepare on */
        rc = xm_cookie_decode(&in, cookie_in, recovering ? 0 : def->needs,
                              (uint64_t)time(NULL), err);
        if (rc) {
            xm_error_prefix(err, "%s", def->name);
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

