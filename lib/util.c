/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * util.c: bounded string copies and checked number parsing
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/internal.h"

int
xm_strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size == 0)
        return -1;
    if (len >= size) {
        dst[0] = '\0';
        return -1;
    }
    memcpy(dst, src, len + 1);
    return 0;
}

int
xm_snprintf(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(dst, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        if (size)
            dst[0] = '\0';
        return -1;
    }
    return 0;
}

int
xm_parse_ll(long long *out, const char *s, long long min, long long max)
{
    char *end = NULL;
    long long v;

    if (!s || !*s)
        return XENMIG_EINVAL;
    /* strtoll skips leading space and accepts "0x"; we want neither. */
    if (!((*s >= '0' && *s <= '9') || *s == '-' || *s == '+'))
        return XENMIG_EINVAL;
    if ((*s == '-' || *s == '+') && !(s[1] >= '0' && s[1] <= '9'))
        return XENMIG_EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end != '\0')
        return XENMIG_EINVAL;
    if (errno == ERANGE || v < min || v > max)
        return XENMIG_ERANGE;
    *out = v;
    return 0;
}

int
xm_parse_int(int *out, const char *s, int min, int max)
{
    long long v;
    int rc;

    rc = xm_parse_ll(&v, s, min, max);
    if (rc)
        return rc;
    *out = (int)v;
    return 0;
}

int
xm_parse_u64(uint64_t *out, const char *s, uint64_t max)
{
    char *end = NULL;
    unsigned long long v;

    if (!s || !(*s >= '0' && *s <= '9'))
        return XENMIG_EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (end == s || *end != '\0')
        return XENMIG_EINVAL;
    if (errno == ERANGE || v > max)
        return XENMIG_ERANGE;
    *out = (uint64_t)v;
    return 0;
}

long
xm_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
xm_deadline_ts(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int
xm_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

size_t
xm_utf8_next(const char *s, size_t len, unsigned long *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned long c, min;
    size_t n, i;

    if (len == 0)
        return 0;
    c = u[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        c &= 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        c &= 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

bool
xm_utf8_valid(const char *s, size_t len)
{
    unsigned long cp;
    size_t i = 0, n;

    while (i < len) {
        n = xm_utf8_next(s + i, len - i, &cp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}
