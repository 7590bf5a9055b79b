/*
 * test_xs.c: the libxenstore wrapper against the emulator's xenstored,
 * through Debian's real libxenstore and $XENSTORED_PATH
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "support/emu.h"
#include "xend.h"
#include "xs.h"

static const char *const host_args[] = {
    "--name", "xs-test", "--address", "127.0.0.1", "--http-port", "off",
    "--unix-socket", "%d/xend-socket", "--xenstore-socket", "%d/xenstored",
    "--relocation-server", "no", "--control-port", "off",
    "--domain", "name=victim,memory=16,domid=7", "--log-file", "%d/log",
    NULL
};

struct destroyer {
    char uri[160];
    int rc;
};

static void *
destroy_later(void *arg)
{
    struct destroyer *d = arg;
    xenmig_conn *conn = NULL;

    usleep(300 * 1000);
    d->rc = xenmig_conn_open(&conn, d->uri, NULL);
    if (!d->rc)
        d->rc = xenmig_domain_op(conn, "victim", "destroy", NULL, NULL);
    xenmig_conn_free(conn);
    return NULL;
}


static void
test_xs__release_is_seen_through_the_watch(void)
{
    struct test_emu emu;
    struct destroyer d;
    pthread_t t;
    char path[128], sock[128], name[64];
    xm_xs *xs = NULL;
    xenmig_error err;
    long t0;

    xenmig_error_clear(&err);
    CU_ASSERT_FATAL(test_emu_start(&emu, host_args) == 0);
    setenv("XENSTORED_PATH",
           test_emu_path(&emu, "xenstored", path, sizeof(path)), 1);
    CU_ASSERT_EQUAL(xm_xs_open(&xs, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(xs);
    if (!xs)
        goto out;
    CU_ASSERT_EQUAL(xm_xs_domain_name(name, sizeof(name), xs, 7, &err), 0);
    CU_ASSERT_STRING_EQUAL(name, "victim");
    CU_ASSERT_EQUAL(xm_xs_domain_name(name, sizeof(name), xs, 99, &err),
                    XENMIG_ENOTFOUND);
    /* still there: the wait runs out */
    CU_ASSERT_EQUAL(xm_xs_wait_released(xs, 7, 200, &err),
                    XENMIG_ETIMEOUT);

    /* xend destroys it; the watch wakes us well before the bound */
    test_emu_path(&emu, "xend-socket", sock, sizeof(sock));
    snprintf(d.uri, sizeof(d.uri), "unix://%s", sock);
    d.rc = -1;
    CU_ASSERT_FATAL(pthread_create(&t, NULL, destroy_later, &d) == 0);
    t0 = xm_now_ms();
    CU_ASSERT_EQUAL(xm_xs_wait_released(xs, 7, 5000, &err), 0);
    CU_ASSERT(xm_now_ms() - t0 < 4000);
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(d.rc, 0);
 out:
    xm_xs_close(xs);
    unsetenv("XENSTORED_PATH");
    test_emu_stop(&emu);
}

struct renamer {
    char uri[160];
    const char *from, *to;
    int rc;
};

/* POST op=rename, as xend does itself around a migration */
static int
rename_dom(const char *uri, const char *from, const char *to)
{
    const char *kv[] = { "op", "rename", "name", to, NULL };
    xenmig_conn *conn = NULL;
    char path[96];
    int rc;

    snprintf(path, sizeof(path), "/xend/domain/%s", from);
    rc = xenmig_conn_open(&conn, uri, NULL);
    if (!rc)
        rc = xm_xend_post(NULL, conn, path, kv, 0, NULL);
    xenmig_conn_free(conn);
    return rc;
}

static void *
rename_later(void *arg)
{
    struct renamer *r = arg;

    usleep(300 * 1000);
    r->rc = rename_dom(r->uri, r->from, r->to);
    return NULL;
}

static void
test_xs__name_back_is_seen_through_the_watch(void)
{
    struct test_emu emu;
    struct renamer r;
    pthread_t t;
    char path[128], sock[128];
    xm_xs *xs = NULL;
    xenmig_error err;
    long t0;

    xenmig_error_clear(&err);
    CU_ASSERT_FATAL(test_emu_start(&emu, host_args) == 0);
    setenv("XENSTORED_PATH",
           test_emu_path(&emu, "xenstored", path, sizeof(path)), 1);
    test_emu_path(&emu, "xend-socket", sock, sizeof(sock));
    snprintf(r.uri, sizeof(r.uri), "unix://%s", sock);
    CU_ASSERT_EQUAL(xm_xs_open(&xs, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(xs);
    if (!xs)
        goto out;
    /* already so: at once */
    CU_ASSERT_EQUAL(xm_xs_wait_name(xs, 7, "victim", 5000, &err), 0);
    CU_ASSERT_EQUAL(xm_xs_wait_name(xs, 99, "victim", 5000, &err),
                    XENMIG_ENOTFOUND);

    /* in flight, as xend names it during a migration */
    CU_ASSERT_EQUAL_FATAL(rename_dom(r.uri, "victim", "migrating-victim"),
                          0);
    CU_ASSERT_EQUAL(xm_xs_wait_name(xs, 7, "victim", 200, &err),
                    XENMIG_ETIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'migrating-victim'"));

    /* xend writes the name back; the watch wakes us well before the
     * bound */
    r.from = "migrating-victim";
    r.to = "victim";
    r.rc = -1;
    CU_ASSERT_FATAL(pthread_create(&t, NULL, rename_later, &r) == 0);
    t0 = xm_now_ms();
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_xs_wait_name(xs, 7, "victim", 5000, &err), 0);
    CU_ASSERT(xm_now_ms() - t0 < 4000);
    pthread_join(t, NULL);
    CU_ASSERT_EQUAL(r.rc, 0);
 out:
    xm_xs_close(xs);
    unsetenv("XENSTORED_PATH");
    test_emu_stop(&emu);
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
