/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stepdrive.c: a migration through the public step API only, as a
 * libvirt-style driver would run it (begin, prepare2, perform,
 * finish2, confirm2), for the fault matrix's --steps rows
 * (tests/reliability/fault-matrix.py). Built with -Iinclude only.
 *
 *   test-stepdrive migrate [--live] [--direct] [--resource MBIT]
 *       [--timeout S] [--stall S] --connect SRC DOMAIN DEST
 *
 * and a migration handle, run in one thread and aborted from another
 * (the main one) once the stream has moved, or (--at-start) before
 * the run begins; abort is called twice, and again after the end:
 *
 *   test-stepdrive abort [--at-start] [options as above] --connect SRC
 *       DOMAIN DEST
 *
 * Exits as xenmig migrate: 0 the domain runs on DEST, 1 it runs on
 * SRC, 3 xend lost it, 4 a host could not be asked; 2 bad usage.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xenmig.h"

static int
usage(void)
{
    fprintf(stderr, "usage: test-stepdrive migrate [--live] [--direct] "
            "[--resource MBIT] [--timeout S] [--stall S] --connect SRC "
            "DOMAIN DEST\n");
    return 2;
}

static int
exit_code(int rc)
{
    if (rc == 0)
        return 0;
    if (rc == XENMIG_ELOST)
        return 3;
    if (rc == XENMIG_EUNKNOWN)
        return 4;
    return 1;
}

/*
 * The failure path: finish2 cancelled (when perform failed), then
 * confirm2 failed; both run xenmig_migrate()'s recovery on both hosts.
 * The last word is confirm2's.
 */
static int
give_up(xenmig_conn *src, xenmig_conn *dst, const char *cookie,
        int cancel_finish, xenmig_error *err)
{
    xenmig_error ferr;
    int rc;

    if (cancel_finish) {
        xenmig_error_clear(&ferr);
        rc = xenmig_migrate_finish2(NULL, dst, src, cookie, 1, &ferr);
        fprintf(stderr, "stepdrive: finish2(cancelled): %d: %s\n", rc,
                ferr.msg);
    }
    rc = xenmig_migrate_confirm2(src, dst, cookie, 1, err);
    return rc;
}

struct runner {
    xenmig_migration *mig;
    xenmig_error err;
    int rc;
};

static void *
run_main(void *arg)
{
    struct runner *r = arg;

    r->rc = xenmig_migration_run(r->mig, &r->err);
    return NULL;
}

/* The handle: run in a thread, abort from this one. */
static int
abort_run(xenmig_conn *src, const char *dom, xenmig_conn *dst,
          const xenmig_migrate_opts *o, int at_start, xenmig_error *err)
{
    struct runner r;
    xenmig_progress p;
    pthread_t th;
    int i, rc;

    memset(&r, 0, sizeof(r));
    rc = xenmig_migration_new(&r.mig, src, dom, dst, o, err);
    if (rc)
        return rc;
    if (xenmig_migration_get_progress(r.mig, &p) != XENMIG_ENOTFOUND)
        printf("progress before the run: not XENMIG_ENOTFOUND\n");
    if (at_start)
        xenmig_migration_abort(r.mig);
    if (pthread_create(&th, NULL, run_main, &r) != 0) {
        xenmig_migration_free(r.mig);
        return XENMIG_ERROR;
    }
    /* at most 30 s for the stream to move, in 50 ms looks */
    for (i = 0; !at_start && i < 600; i++) {
        if (xenmig_migration_get_progress(r.mig, &p) == 0 && p.bytes > 0)
            break;
        nanosleep(&(struct timespec){ 0, 50000000L }, NULL);
    }
    if (!at_start) {
        printf("progress before abort: %llu bytes\n",
               (unsigned long long)p.bytes);
        xenmig_migration_abort(r.mig);
        xenmig_migration_abort(r.mig);
    }
    pthread_join(th, NULL);
    xenmig_migration_abort(r.mig);          /* after the end: harmless */
    rc = xenmig_migration_run(r.mig, NULL);
    printf("second run: %s\n", rc == XENMIG_EINVAL ? "refused" : "ran");
    *err = r.err;
    xenmig_migration_free(r.mig);
    return r.rc;
}

int
main(int argc, char **argv)
{
    xenmig_migrate_opts o = XENMIG_MIGRATE_OPTS_INIT;
    xenmig_conn *src = NULL, *dst = NULL;
    xenmig_error err;
    char *c1 = NULL, *c2 = NULL, *c3 = NULL, *c4 = NULL, *uri = NULL;
    const char *src_uri = NULL, *dom = NULL, *dest = NULL;
    int i, rc, handle, at_start = 0;

    xenmig_error_clear(&err);
    if (argc < 2 || (strcmp(argv[1], "migrate") != 0 &&
                     strcmp(argv[1], "abort") != 0))
        return usage();
    handle = strcmp(argv[1], "abort") == 0;
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--at-start") == 0 && handle)
            at_start = 1;
        else if (strcmp(argv[i], "--live") == 0)
            o.flags |= XENMIG_MIGRATE_LIVE;
        else if (strcmp(argv[i], "--direct") == 0)
            o.flags |= XENMIG_MIGRATE_DIRECT;
        else if (strcmp(argv[i], "--resource") == 0 && i + 1 < argc)
            o.resource = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
            o.timeout_ms = strtol(argv[++i], NULL, 10) * 1000;
        else if (strcmp(argv[i], "--stall") == 0 && i + 1 < argc)
            o.stall_ms = strtol(argv[++i], NULL, 10) * 1000;
        else if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc)
            src_uri = argv[++i];
        else if (argv[i][0] == '-')
            return usage();
        else if (!dom)
            dom = argv[i];
        else if (!dest)
            dest = argv[i];
        else
            return usage();
    }
    if (!src_uri || !dom || !dest)
        return usage();
    if (xenmig_conn_open(&src, src_uri, &err) ||
        xenmig_conn_open_dest(&dst, dest, &err)) {
        rc = err.code;
        goto out;
    }
    if (handle) {
        rc = abort_run(src, dom, dst, &o, at_start, &err);
        goto out;
    }
    /* before perform nothing moves: a failure is the whole answer */
    rc = xenmig_migrate_begin(&c1, src, dom, &o, &err);
    if (!rc)
        rc = xenmig_migrate_prepare2(&c2, &uri, dst, c1, &o, &err);
    if (!rc && strncmp(uri, "xenmigr://", 10) != 0) {
        fprintf(stderr, "stepdrive: prepare2 chose '%s'\n", uri);
        rc = XENMIG_ERROR;
    }
    if (rc)
        goto out;
    rc = xenmig_migrate_perform(&c3, src, c2, &o, &err);
    if (rc) {
        fprintf(stderr, "stepdrive: perform: %s\n", err.msg);
        rc = give_up(src, dst, c2, 1, &err);
        goto out;
    }
    rc = xenmig_migrate_finish2(&c4, dst, src, c3, 0, &err);
    if (rc) {
        fprintf(stderr, "stepdrive: finish2: %s\n", err.msg);
        rc = give_up(src, dst, c3, 0, &err);
        goto out;
    }
    rc = xenmig_migrate_confirm2(src, dst, c4, 0, &err);
    if (rc) {
        fprintf(stderr, "stepdrive: confirm2: %s\n", err.msg);
        rc = give_up(src, dst, c4, 0, &err);
    }
 out:
    if (rc)
        fprintf(stderr, "stepdrive: %s\n", err.msg);
    else
        printf("migrated '%s' (%s)\n", dom, uri ? uri : "handle");
    xenmig_free(c1);
    xenmig_free(c2);
    xenmig_free(c3);
    xenmig_free(c4);
    xenmig_free(uri);
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    return exit_code(rc);
}
