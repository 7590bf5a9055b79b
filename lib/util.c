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

int
xm_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool
xm_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n, k;
    uint32_t cp, min;

    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        if ((p[i] & 0xe0) == 0xc0)
            n = 1;
        else if ((p[i] & 0xf0) == 0xe0)
            n = 2;
        else if ((p[i] & 0xf8) == 0xf0)
            n = 3;
        else
            return false;
        cp = p[i] & (0x3f >> n);
        min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
        if (len - i - 1 < n)
            return false;
        for (k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        /* overlong forms, UTF-16 surrogates, past U+10FFFF */
        if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return false;
        i += n + 1;
    }
    return true;
}
