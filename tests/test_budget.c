/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_budget.c: the shared bandwidth budget (migration/budget.c):
 * range checks, shares that keep every stream going, the pool that
 * gives an idle stream's share to the others, the references that let
 * the owner free it first. No rate is measured here (bench/).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "lib/internal.h"
#include "migration/budget.h"

static void
sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Take all the stream may have now; the bytes taken. */
static size_t
drain(xm_budget_stream *s)
{
    size_t got, total = 0;
    long w;
    int i;

    for (i = 0; i < 1000; i++) {
        got = xm_budget_grant(s, 1 << 20, &w);
        if (!got)
            break;
        xm_budget_spend(s, got);
        total += got;
    }
    return total;
}

static void
test_budget__range_is_checked(void)
{
    xenmig_budget *b = (xenmig_budget *)1;
    xenmig_error err;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xenmig_budget_new(&b, 0, &err), XENMIG_EINVAL);
    CU_ASSERT_PTR_NULL(b);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "0 Mbit/s is not in"));
    CU_ASSERT_EQUAL(xenmig_budget_new(&b, XM_BUDGET_MAX_MBIT + 1, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xenmig_budget_new(&b, 400, &err), 0);
    CU_ASSERT_EQUAL(xenmig_budget_set(b, 0, &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xenmig_budget_set(b, 800, &err), 0);
    xenmig_budget_free(b);
    xenmig_budget_free(NULL);
}

/* A greedy stream cannot take the share of one that asks rarely. */
static void
test_budget__no_stream_starves(void)
{
    xenmig_budget *b = NULL;
    xm_budget_stream *greedy = NULL, *quiet = NULL;
    long w;
    int i;

    CU_ASSERT_EQUAL_FATAL(xenmig_budget_new(&b, 8, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_budget_join(&greedy, b, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_budget_join(&quiet, b, NULL), 0);
    for (i = 0; i < 20; i++) {      /* 200 ms of the greedy one */
        sleep_ms(10);
        drain(greedy);
    }
    /* 8 Mbit/s = 1 MB/s: half of it, 100 KB, was the quiet one's */
    CU_ASSERT_TRUE(xm_budget_grant(quiet, 1 << 20, &w) > 0);
    xm_budget_leave(greedy);
    xm_budget_leave(quiet);
    xenmig_budget_free(b);
}

/* What an idle stream leaves goes to a stream that sends. */
static void
test_budget__idle_share_goes_to_others(void)
{
    xenmig_budget *b = NULL;
    xm_budget_stream *busy = NULL, *idle = NULL;
    long w;
    size_t got;

    CU_ASSERT_EQUAL_FATAL(xenmig_budget_new(&b, 8, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_budget_join(&busy, b, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_budget_join(&idle, b, NULL), 0);
    sleep_ms(300);                  /* both buckets overflow */
    got = xm_budget_grant(busy, 1 << 20, &w);
    /* its own bucket (one share) and the pool the idle one fed */
    CU_ASSERT_TRUE(got > XM_BUDGET_MIN_BURST);
    xm_budget_leave(idle);
    xm_budget_leave(busy);
    xenmig_budget_free(b);
}

/* The owner may free first; usage counts bytes and streams. */
static void
test_budget__streams_hold_it_and_are_counted(void)
{
    xenmig_budget *b = NULL;
    xm_budget_stream *s1 = NULL, *s2 = NULL;
    unsigned int now = 9, peak = 9;
    uint64_t bytes = 9;
    size_t got;
    long w;

    CU_ASSERT_EQUAL_FATAL(xenmig_budget_new(&b, 1000, NULL), 0);
    xenmig_budget_usage(b, &bytes, &now, &peak);
    CU_ASSERT_TRUE(bytes == 0 && now == 0 && peak == 0);
    CU_ASSERT_EQUAL_FATAL(xm_budget_join(&s1, b, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_budget_join(&s2, b, NULL), 0);
    xm_budget_leave(s2);
    sleep_ms(20);
    got = xm_budget_grant(s1, 1000, &w);
    CU_ASSERT_EQUAL(got, 1000);
    xm_budget_spend(s1, got);
    xenmig_budget_usage(b, &bytes, &now, &peak);
    CU_ASSERT_TRUE(bytes == 1000 && now == 1 && peak == 2);
    xenmig_budget_free(b);          /* s1 still holds it */
    CU_ASSERT_TRUE(xm_budget_grant(s1, 10, &w) <= 10);
    xm_budget_leave(s1);            /* the last reference */
    xenmig_budget_usage(NULL, &bytes, &now, &peak);
    CU_ASSERT_TRUE(bytes == 0 && now == 0 && peak == 0);
}

static void
test_budget__join_survives_allocation_failure(void)
{
    xenmig_budget *b = NULL;
    xm_budget_stream *s = NULL;
    unsigned int now = 9;

    CU_ASSERT_EQUAL_FATAL(xenmig_budget_new(&b, 10, NULL), 0);
    xm_alloc_fail_at(1);
    CU_ASSERT_EQUAL(xm_budget_join(&s, b, NULL), XENMIG_ENOMEM);
    xm_alloc_fail_at(0);
    CU_ASSERT_PTR_NULL(s);
    xenmig_budget_usage(b, NULL, &now, NULL);
    CU_ASSERT_EQUAL(now, 0);
    xenmig_budget_free(b);
}

/*
 * A caller built against version 1 of xenmig_migrate_opts has a shorter
 * struct (no budget): it is still taken, and read only up to its end
 * (under SANITIZE=1 a read past it fails this test).
 */
static void
test_budget__version_1_options_are_taken(void)
{
    size_t v1 = offsetof(xenmig_migrate_opts, budget);
    xenmig_migrate_opts one = XENMIG_MIGRATE_OPTS_INIT;
    xenmig_migrate_opts v3 = XENMIG_MIGRATE_OPTS_INIT;
    void *o = malloc(v1);
    xenmig_conn *src = NULL, *dst = NULL;
    xenmig_error err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_EQUAL_FATAL(xenmig_conn_open(&src, "http://127.0.0.1:1",
                                           NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xenmig_conn_open(&dst, "http://127.0.0.1:1",
                                           NULL), 0);
    one.version = 1;
    one.flags = 0x8000;         /* refused after the copy: no network */
    memcpy(o, &one, v1);        /* the version-1 struct, nothing after */
    CU_ASSERT_EQUAL(xenmig_migrate_ex(src, "web01", dst, o, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown migrate flags"));
    v3.version = 3;
    CU_ASSERT_EQUAL(xenmig_migrate_ex(src, "web01", dst, &v3, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "options version 3"));
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    free(o);
}

static CU_TestInfo test_budget_tests[] = {
    { "range_is_checked", test_budget__range_is_checked },
    { "no_stream_starves", test_budget__no_stream_starves },
    { "idle_share_goes_to_others",
      test_budget__idle_share_goes_to_others },
    { "streams_hold_it_and_are_counted",
      test_budget__streams_hold_it_and_are_counted },
    { "join_survives_allocation_failure",
      test_budget__join_survives_allocation_failure },
    { "version_1_options_are_taken",
      test_budget__version_1_options_are_taken },
    CU_TEST_INFO_NULL
};

CU_SuiteInfo test_budget_suite = {
    "budget", NULL, NULL, NULL, NULL, test_budget_tests
};
