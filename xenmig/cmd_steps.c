/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_steps.c: the single steps of a migration, xenmig prepare,
 * perform, finish and confirm: each prints the cookie the next step
 * takes (--cookie); finish --cancelled and confirm --failed DEST run
 * the one-shot's recovery on both hosts. Options as migrate's
 * (mig_args.h).
 */
#include <stdio.h>

#include "cli.h"
#include "mig_args.h"

/* Print a step's cookie on stdout, alone on its line. */
static int
emit_cookie(char *cookie)
{
    puts(cookie);
    xenmig_free(cookie);
    return CLI_EXIT_OK;
}

int
cmd_prepare(int argc, char **argv)
{
    struct mig_args a;
    xenmig_conn *src = NULL, *dst = NULL;
    char *begun = NULL, *prepared = NULL;
    xenmig_error err;
    int rc, ret;

    xenmig_error_clear(&err);
    ret = mig_parse_args(&a, "prepare", 2, argc, argv);
    if (ret)
        return ret;
    rc = mig_open_conns(&src, &dst, &a, &err);
    if (!rc)
        rc = xenmig_migrate_begin(&begun, src, a.dom, &a.opts, &err);
    if (!rc)
        rc = xenmig_migrate_prepare(&prepared, dst, begun, &a.opts, &err);
    ret = rc ? cli_fail(rc, &err) : emit_cookie(prepared);
    xenmig_free(begun);
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    return ret;
}

static int
need_cookie(const struct mig_args *a, const char *cmd)
{
    if (a->cookie)
        return 0;
    cli_err("%s needs --cookie (the output of the previous step)", cmd);
    return CLI_EXIT_USAGE;
}

int
cmd_perform(int argc, char **argv)
{
    struct mig_args a;
    xenmig_conn *src = NULL;
    char *performed = NULL;
    xenmig_error err;
    int rc, ret;

    xenmig_error_clear(&err);
    ret = mig_parse_args(&a, "perform", 0, argc, argv);
    if (!ret)
        ret = need_cookie(&a, "perform");
    if (ret)
        return ret;
    rc = mig_open_conns(&src, NULL, &a, &err);
    if (!rc)
        rc = xenmig_migrate_perform(&performed, src, a.cookie, &a.opts,
                                    &err);
    ret = rc ? cli_fail(rc, &err) : emit_cookie(performed);
    xenmig_conn_free(src);
    return ret;
}

/*
 * The end of a step command's recovery: 0 when the domain runs on one
 * host, named; else the failure's exit code (3 lost, 4 needs a look).
 */
static int
step_recovered(int rc, const xenmig_error *err, const struct mig_args *a)
{
    if (rc == 0) {
        if (!a->quiet)
            printf("domain runs on the destination alone: the migration "
                   "went through after all\n");
        return CLI_EXIT_OK;
    }
    if (rc == XENMIG_ECANCELLED || rc == XENMIG_ERROR) {
        if (!a->quiet)
            printf("domain runs on the source alone\n");
        return CLI_EXIT_OK;
    }
    return cli_fail(rc, err);
}

int
cmd_finish(int argc, char **argv)
{
    struct mig_args a;
    xenmig_conn *src = NULL, *dst = NULL;
    char *finished = NULL;
    xenmig_error err;
    int rc, ret;

    xenmig_error_clear(&err);
    ret = mig_parse_args(&a, "finish", 1, argc, argv);
    if (!ret)
        ret = need_cookie(&a, "finish");
    if (ret)
        return ret;
    if (!a.cancelled) {
        rc = mig_open_conns(NULL, &dst, &a, &err);
        if (!rc)
            rc = xenmig_migrate_finish(&finished, dst, a.cookie, &err);
        ret = rc ? cli_fail(rc, &err) : emit_cookie(finished);
        xenmig_conn_free(dst);
        return ret;
    }
    /* perform failed or was given up: recovery, looking at both hosts */
    rc = mig_open_conns(&src, &dst, &a, &err);
    if (!rc)
        rc = xenmig_migrate_finish2(NULL, dst, src, a.cookie, 1, &err);
    ret = step_recovered(rc, &err, &a);
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    return ret;
}

int
cmd_confirm(int argc, char **argv)
{
    struct mig_args a;
    xenmig_conn *src = NULL, *dst = NULL;
    xenmig_error err;
    int rc, ret;

    xenmig_error_clear(&err);
    ret = mig_parse_args(&a, "confirm", -1, argc, argv);
    if (!ret)
        ret = need_cookie(&a, "confirm");
    if (ret)
        return ret;
    if (a.failed && (a.dest || a.dst_uri)) {
        /* the one-shot's recovery: both hosts looked at */
        rc = mig_open_conns(&src, &dst, &a, &err);
        if (!rc)
            rc = xenmig_migrate_confirm2(src, dst, a.cookie, 1, &err);
        ret = step_recovered(rc, &err, &a);
        xenmig_conn_free(src);
        xenmig_conn_free(dst);
        return ret;
    }
    if (a.failed)
        cli_err("warning: without DEST only the source is looked at; a "
                "copy the destination may run is not seen (give DEST, "
                "as to 'xenmig finish')");
    rc = mig_open_conns(&src, NULL, &a, &err);
    if (!rc)
        rc = xenmig_migrate_confirm(src, a.cookie, a.failed, &err);
    ret = rc ? cli_fail(rc, &err) : CLI_EXIT_OK;
    if (!rc && !a.quiet)
        printf(a.failed ? "domain runs on the source\n" :
               "domain is gone from the source\n");
    xenmig_conn_free(src);
    return ret;
}
