/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_util.c: errors, checked allocation, xm_buf, number parsing
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "lib/internal.h"

static void
test_util__parse_ll_accepts_whole_numbers(void)
{
    long long v = 0;

    CU_ASSERT_EQUAL(xm_parse_ll(&v, "42", 0, 100), 0);
    CU_ASSERT_EQUAL(v, 42);
    CU_ASSERT_EQUAL(xm_parse_ll(&v, "-7", -10, 10), 0);
    CU_ASSERT_EQUAL(v, -7);
    CU_ASSERT_EQUAL(xm_parse_ll(&v, "+7", -10, 10), 0);
    CU_ASSERT_EQUAL(v, 7);
}

static void
test_util__parse_ll_rejects_garbage(void)
{
    long long v = 5;

    CU_ASSERT_EQUAL(xm_parse_ll(&v, "", 0, 100), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_parse_ll(&v, " 4", 0, 100), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_parse_ll(&v, "4 ", 0, 100), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_parse_ll(&v, "0x10", 0, 100), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_parse_ll(&v, "-", 0, 100), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_parse_ll(&v, "12ab", 0, 100), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_parse_ll(&v, NULL, 0, 100), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(v, 5);
}

static void
test_util__parse_ll_checks_range(void)
{
    long long v = 5;
    int i = 3;
    uint64_t u = 9;

    CU_ASSERT_EQUAL(xm_parse_ll(&v, "101", 0, 100), XENMIG_ERANGE);
    CU_ASSERT_EQUAL(xm_parse_ll(&v, "99999999999999999999", 0,
                                LLONG_MAX), XENMIG_ERANGE);
    CU_ASSERT_EQUAL(xm_parse_int(&i, "2147483648", 0, INT_MAX),
                    XENMIG_ERANGE);
    CU_ASSERT_EQUAL(xm_parse_u64(&u, "18446744073709551615", UINT64_MAX),
                    0);
    CU_ASSERT_EQUAL(u, UINT64_MAX);
    CU_ASSERT_EQUAL(xm_parse_u64(&u, "18446744073709551616", UINT64_MAX),
                    XENMIG_ERANGE);
    CU_ASSERT_EQUAL(xm_parse_u64(&u, "-1", UINT64_MAX), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(v, 5);
    CU_ASSERT_EQUAL(i, 3);
}

static void
test_util__strlcpy_and_snprintf_refuse_truncation(void)
{
    char small[4];

    CU_ASSERT_EQUAL(xm_strlcpy(small, "abc", sizeof(small)), 0);
    CU_ASSERT_STRING_EQUAL(small, "abc");
    CU_ASSERT_EQUAL(xm_strlcpy(small, "abcd", sizeof(small)), -1);
    CU_ASSERT_STRING_EQUAL(small, "");
    CU_ASSERT_EQUAL(xm_snprintf(small, sizeof(small), "%d", 123), 0);
    CU_ASSERT_STRING_EQUAL(small, "123");
    CU_ASSERT_EQUAL(xm_snprintf(small, sizeof(small), "%d", 1234), -1);
    CU_ASSERT_STRING_EQUAL(small, "");
}

static void
test_util__buf_grows_to_its_maximum_and_no_further(void)
{
    xm_buf buf = XM_BUF_INIT(8);

    CU_ASSERT_STRING_EQUAL(xm_buf_cstr(&buf), "");
    CU_ASSERT_EQUAL(xm_buf_puts(&buf, "abcd"), 0);
    CU_ASSERT_EQUAL(xm_buf_printf(&buf, "%d", 1234), 0);
    CU_ASSERT_EQUAL(buf.len, 8);
    CU_ASSERT_STRING_EQUAL(xm_buf_cstr(&buf), "abcd1234");
    /* one byte over: refused, and the buffer is emptied, not cut */
    CU_ASSERT_EQUAL(xm_buf_putc(&buf, 'x'), XENMIG_ERANGE);
    CU_ASSERT_EQUAL(buf.len, 0);
    CU_ASSERT_PTR_NULL(buf.ptr);
    CU_ASSERT_EQUAL(xm_buf_puts(&buf, "ok"), 0);
    CU_ASSERT_STRING_EQUAL(xm_buf_cstr(&buf), "ok");
    xm_buf_dispose(&buf);
}

static void
test_util__buf_printf_over_maximum_fails(void)
{
    xm_buf buf = XM_BUF_INIT(5);

    CU_ASSERT_EQUAL(xm_buf_printf(&buf, "%s", "123456"), XENMIG_ERANGE);
    CU_ASSERT_EQUAL(buf.len, 0);
    xm_buf_dispose(&buf);
}

static void
test_util__buf_detach_hands_over_memory(void)
{
    xm_buf buf = XM_BUF_INIT(64);
    char *s;

    CU_ASSERT_EQUAL(xm_buf_puts(&buf, "hello"), 0);
    s = xm_buf_detach(&buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, "hello");
    CU_ASSERT_PTR_NULL(buf.ptr);
    xm_free(s);
}

static void
test_util__alloc_failure_is_reported_not_fatal(void)
{
    xm_buf buf = XM_BUF_INIT(1024);
    void *p;

    xm_alloc_fail_at(1);
    p = xm_malloc(16);
    CU_ASSERT_PTR_NULL(p);
    p = xm_malloc(16);
    CU_ASSERT_PTR_NOT_NULL(p);
    xm_free(p);

    xm_alloc_fail_at(1);
    CU_ASSERT_EQUAL(xm_buf_puts(&buf, "x"), XENMIG_ENOMEM);
    CU_ASSERT_EQUAL(buf.len, 0);
    xm_alloc_fail_at(0);
    CU_ASSERT_PTR_NULL(xm_reallocarray(NULL, SIZE_MAX / 2, 4));
    xm_buf_dispose(&buf);
}

static void
test_util__error_records_code_errno_and_message(void)
{
    xenmig_error err;
    int rc;

    xenmig_error_clear(&err);
    rc = xm_error_set_errno(&err, XENMIG_EIO, ENOENT, "open '%s'", "x");
    CU_ASSERT_EQUAL(rc, XENMIG_EIO);
    CU_ASSERT_EQUAL(err.code, XENMIG_EIO);
    CU_ASSERT_EQUAL(err.sys_errno, ENOENT);
    CU_ASSERT_STRING_EQUAL(err.msg, "open 'x': No such file or directory");
    xm_error_prefix(&err, "host '%s'", "h1");
    CU_ASSERT_STRING_EQUAL(err.msg,
        "host 'h1': open 'x': No such file or directory");
    CU_ASSERT_EQUAL(xm_error_set(NULL, XENMIG_EINVAL, "x"), XENMIG_EINVAL);
    CU_ASSERT_STRING_EQUAL(xenmig_strerror(XENMIG_ELOST), "domain lost");
    CU_ASSERT_STRING_EQUAL(xenmig_strerror(12345), "unknown error");
}

static void
test_util__error_marks_a_cut_message(void)
{
    xenmig_error err;
    char longtext[XENMIG_ERROR_MSG_SIZE + 500];

    memset(longtext, 'a', sizeof(longtext) - 1);
    longtext[sizeof(longtext) - 1] = '\0';
    xenmig_error_clear(&err);
    xm_error_set(&err, XENMIG_EINVAL, "%s", longtext);
    CU_ASSERT_EQUAL(strlen(err.msg), sizeof(err.msg) - 1);
    CU_ASSERT_STRING_EQUAL(err.msg + sizeof(err.msg) - 4, "...");
}

/*
 * A realistic migration failure: three prefixes over xend's reason
 * (about 290 bytes) survives whole; and where prefix and cause cannot
 * both fit, the prefix is cut first and the cause is kept.
 */
static void
test_util__error_keeps_the_cause(void)
{
    static const char reason[] = "Error: Device 51712 (vbd) could not "
        "be connected. Hotplug scripts not working.";
    static const char host[] = "xen-prod-a.dc1.example.org";
    xenmig_error err;
    char longprefix[1500];
    char want[XENMIG_ERROR_MSG_SIZE];

    xenmig_error_clear(&err);
    xm_error_set(&err, XENMIG_EXEND, "%s", reason);
    xm_error_prefix(&err, "POST /xend/domain/%s",
                    "4b1c2e9a-7a51-4c1f-9a3e-2f8e1c4d5b6a");
    xm_error_prefix(&err, "xend at '%s'", host);
    xm_error_prefix(&err, "perform on source '%s'", host);
    xm_error_prefix(&err, "domain 'web01' is running on '%s'; migration "
                    "failed", host);
    CU_ASSERT(strlen(err.msg) > 256);   /* the old size cut xend off */
    CU_ASSERT_EQUAL(xm_snprintf(want, sizeof(want), "domain 'web01' is "
        "running on '%s'; migration failed: perform on source '%s': "
        "xend at '%s': POST /xend/domain/"
        "4b1c2e9a-7a51-4c1f-9a3e-2f8e1c4d5b6a: %s", host, host, host,
        reason), 0);
    CU_ASSERT_STRING_EQUAL(err.msg, want);

    /* a prefix longer than the whole message: cut, cause kept */
    memset(longprefix, 'p', sizeof(longprefix) - 1);
    longprefix[sizeof(longprefix) - 1] = '\0';
    xenmig_error_clear(&err);
    xm_error_set(&err, XENMIG_EXEND, "%s", reason);
    xm_error_prefix(&err, "%s", longprefix);
    CU_ASSERT_EQUAL(strlen(err.msg), sizeof(err.msg) - 1);
    CU_ASSERT(strlen(err.msg) > sizeof(reason));
    CU_ASSERT_STRING_EQUAL(err.msg + strlen(err.msg) - (sizeof(reason) - 1),
                           reason);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "ppp...: Error: Device"));

    /* a cause that fills the message still leaves the prefix its
     * minimum: the cause is cut, at its end */
    xenmig_error_clear(&err);
    xm_error_set(&err, XENMIG_EXEND, "%s", longprefix);
    xm_error_prefix(&err, "host '%s'", host);
    CU_ASSERT_EQUAL(strncmp(err.msg, "host 'xen-prod-a", 16), 0);
    CU_ASSERT_STRING_EQUAL(err.msg + sizeof(err.msg) - 4, "...");
}

static void
test_util__error_message_stays_one_line(void)
{
    xenmig_error err;

    xenmig_error_clear(&err);
    xm_error_set(&err, XENMIG_EINVAL, "bad value '%s'", "80\n80\rx\t");
    CU_ASSERT_STRING_EQUAL(err.msg, "bad value '80?80?x?'");
    xm_error_prefix(&err, "key '%s'", "a\nb");
    CU_ASSERT_STRING_EQUAL(err.msg, "key 'a?b': bad value '80?80?x?'");
}

static CU_TestInfo test_util_tests[] = {
    { "error_keeps_the_cause", test_util__error_keeps_the_cause },
    { "error_message_stays_one_line",
      test_util__error_message_stays_one_line },
    { "parse_ll_accepts_whole_numbers",
      test_util__parse_ll_accepts_whole_numbers },
    { "parse_ll_rejects_garbage", test_util__parse_ll_rejects_garbage },
    { "parse_ll_checks_range", test_util__parse_ll_checks_range },
    { "strlcpy_and_snprintf_refuse_truncation",
      test_util__strlcpy_and_snprintf_refuse_truncation },
    { "buf_grows_to_its_maximum_and_no_further",
      test_util__buf_grows_to_its_maximum_and_no_further },
    { "buf_printf_over_maximum_fails",
      test_util__buf_printf_over_maximum_fails },
    { "buf_detach_hands_over_memory",
      test_util__buf_detach_hands_over_memory },
    { "alloc_failure_is_reported_not_fatal",
      test_util__alloc_failure_is_reported_not_fatal },
    { "error_records_code_errno_and_message",
      test_util__error_records_code_errno_and_message },
    { "error_marks_a_cut_message", test_util__error_marks_a_cut_message },
    CU_TEST_INFO_NULL
};

CU_SuiteInfo test_util_suite = {
    "util", NULL, NULL, NULL, NULL, test_util_tests
};
