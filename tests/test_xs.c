/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_xs.c: the libxenstore wrapper against the emulator's xenstored,
 * through Debian's real libxenstore and $XENSTORED_PATH
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests/support/emu.h"
#include "xend-client/xend.h"
#include "xend-client/xs.h"

static const char *const host_args[] = {
    "--name", "xs-test", "--address", "127.0.0.1", "--http-port", "off",
    "--unix-socket", "%d/xend-socket", "--xenstore-socket", "%d/xenstored",
    "--relocation-server", "no", "--control-port", "off",
    "--domain", "name=victim,memory=16,domid=7", "--log-file", "%d/log",
    NULL
};

/* xend on the emulated host: POST an op to a domain, as xend does */
static int
xend_op(const char *uri, const char *dom, const char *op, const char *to)
{
    const char *kv[] = { "op", op, to ? "name" : NULL, to, NULL };
    xenmig_conn *conn = NULL;
    char path[96];
    int rc;

    snprintf(path, sizeof(path), "/xend/domain/%s", dom);
    rc = xenmig_conn_open(&conn, uri, NULL);
    if (!rc)
        rc = xm_xend_post(NULL, conn, path, kv, 0, NULL);
    xenmig_conn_free(conn);
    return rc;
}

/* the same, 300 ms later, from another thread */
struct later {
    const char *uri, *dom, *op, *to;
    pthread_t th;
    int rc;
};

static void *
later_main(void *arg)
{
    struct later *l = arg;

    usleep(300 * 1000);
    l->rc = xend_op(l->uri, l->dom, l->op, l->to);
    return NULL;
}

static void
later_start(struct later *l, const char *uri, const char *dom,
            const char *op, const char *to)
{
    l->uri = uri;
    l->dom = dom;
    l->op = op;
    l->to = to;
    l->rc = -1;
    CU_ASSERT_FATAL(pthread_create(&l->th, NULL, later_main, l) == 0);
}

/*
 * Start the emulated host, point libxenstore at its xenstored and
 * connect; @uri gets its xend's "unix://" address. NULL when the
 * connection failed (counted as a failure).
 */
static xm_xs *
xs_start(struct test_emu *emu, char *uri, size_t size)
{
    char path[128];
    xm_xs *xs = NULL;

    CU_ASSERT_FATAL(test_emu_start(emu, host_args) == 0);
    setenv("XENSTORED_PATH",
           test_emu_path(emu, "xenstored", path, sizeof(path)), 1);
    snprintf(uri, size, "unix://%s",
             test_emu_path(emu, "xend-socket", path, sizeof(path)));
    CU_ASSERT_EQUAL(xm_xs_open(&xs, NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(xs);
    return xs;
}

static void
xs_stop(struct test_emu *emu, xm_xs *xs)
{
    xm_xs_close(xs);
    unsetenv("XENSTORED_PATH");
    test_emu_stop(emu);
}

static void
test_xs__release_is_seen_through_the_watch(void)
{
    struct test_emu emu;
    struct later l;
    char uri[160], name[64];
    xenmig_error err;
    xm_xs *xs;

    xenmig_error_clear(&err);
    xs = xs_start(&emu, uri, sizeof(uri));
    if (!xs)
        goto out;
    CU_ASSERT_EQUAL(xm_xs_domain_name(name, sizeof(name), xs, 7, &err), 0);
    CU_ASSERT_STRING_EQUAL(name, "victim");
    CU_ASSERT_EQUAL(xm_xs_domain_name(name, sizeof(name), xs, 99, &err),
                    XENMIG_ENOTFOUND);
    /* still there: the wait runs out */
    CU_ASSERT_EQUAL(xm_xs_wait_released(xs, 7, 200, &err),
                    XENMIG_ETIMEOUT);

    /* xend destroys it; the watch wakes us (a bound that ran out
     * would be XENMIG_ETIMEOUT) */
    later_start(&l, uri, "victim", "destroy", NULL);
    CU_ASSERT_EQUAL(xm_xs_wait_released(xs, 7, 5000, &err), 0);
    pthread_join(l.th, NULL);
    CU_ASSERT_EQUAL(l.rc, 0);
 out:
    xs_stop(&emu, xs);
}

static void
test_xs__name_back_is_seen_through_the_watch(void)
{
    struct test_emu emu;
    struct later l;
    char uri[160];
    xenmig_error err;
    xm_xs *xs;

    xenmig_error_clear(&err);
    xs = xs_start(&emu, uri, sizeof(uri));
    if (!xs)
        goto out;
    /* already so: at once */
    CU_ASSERT_EQUAL(xm_xs_wait_name(xs, 7, "victim", 5000, &err), 0);
    CU_ASSERT_EQUAL(xm_xs_wait_name(xs, 99, "victim", 5000, &err),
                    XENMIG_ENOTFOUND);

    /* in flight, as xend names it during a migration */
    CU_ASSERT_EQUAL_FATAL(xend_op(uri, "victim", "rename",
                                  "migrating-victim"), 0);
    CU_ASSERT_EQUAL(xm_xs_wait_name(xs, 7, "victim", 200, &err),
                    XENMIG_ETIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'migrating-victim'"));

    /* xend writes the name back; the watch wakes us well before the
     * bound */
    later_start(&l, uri, "migrating-victim", "rename", "victim");
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_xs_wait_name(xs, 7, "victim", 5000, &err), 0);
    pthread_join(l.th, NULL);
    CU_ASSERT_EQUAL(l.rc, 0);
 out:
    xs_stop(&emu, xs);
}

static void
test_xs__no_xenstored_means_no_handle_not_an_error(void)
{
    xm_xs *xs = (xm_xs *)1;
    xenmig_error err;

    xenmig_error_clear(&err);
    setenv("XENSTORED_PATH", "/nonexistent/xenmig/xenstored", 1);
    CU_ASSERT_EQUAL(xm_xs_open(&xs, &err), 0);
    CU_ASSERT_PTR_NULL(xs);
    unsetenv("XENSTORED_PATH");
}

static CU_TestInfo test_xs_tests[] = {
    { "release_is_seen_through_the_watch",
      test_xs__release_is_seen_through_the_watch },
    { "name_back_is_seen_through_the_watch",
      test_xs__name_back_is_seen_through_the_watch },
    { "no_xenstored_means_no_handle_not_an_error",
      test_xs__no_xenstored_means_no_handle_not_an_error },
    CU_TEST_INFO_NULL
};

CU_SuiteInfo test_xs_suite = {
    "xs", NULL, NULL, NULL, NULL, test_xs_tests
};
