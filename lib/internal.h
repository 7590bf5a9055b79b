/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h: helpers shared by the library's files (not installed)
 *
 * Everything here is hidden by -fvisibility=hidden; only symbols
 * marked XENMIG_API in include/xenmig.h leave the shared object.
 */
#ifndef XENMIG_INTERNAL_H
#define XENMIG_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xenmig.h"

#define XM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define XM_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* ---- errors (lib/error.c) ------------------------------------------ */

/*
 * Record @code and a formatted one-line message in @err (may be NULL).
 * The message is truncated to fit xenmig_error.msg; that is the only
 * place a truncation is acceptable, and it is marked with "...".
 * Returns @code so callers can write "return xm_error_set(...)".
 */
#define xm_error_set(err, code, ...) \
    xm_error_set_full((err), (code), 0, __func__, __VA_ARGS__)

/* As xm_error_set, also recording @sys_errno (and appending strerror). */
#define xm_error_set_errno(err, code, sys_errno, ...) \
    xm_error_set_full((err), (code), (sys_errno), __func__, __VA_ARGS__)

int xm_error_set_full(xenmig_error *err, int code, int sys_errno,
                      const char *func, const char *fmt, ...)
    XM_PRINTF(5, 6);

/* Prefix the existing message with "<prefix>: " keeping the code. */
void xm_error_prefix(xenmig_error *err, const char *fmt, ...)
    XM_PRINTF(2, 3);

/* Append to the existing message, keeping the code. */
void xm_error_suffix(xenmig_error *err, const char *fmt, ...)
    XM_PRINTF(2, 3);

/* ---- allocation (lib/alloc.c) -------------------------------------- */

/*
 * Checked allocation. These return NULL on failure and never abort;
 * callers turn NULL into XENMIG_ENOMEM. Size products are checked.
 */
void *xm_malloc(size_t size);
void *xm_calloc(size_t nmemb, size_t size);
void *xm_reallocarray(void *ptr, size_t nmemb, size_t size);
char *xm_strdup(const char *s);
char *xm_strndup(const char *s, size_t n);
void xm_free(void *ptr);
#ifdef XM_TEST_HOOKS
/*
 * Test build only: make the n-th allocation from now fail (n >= 1) so
 * tests can walk every out-of-memory path; 0 disables. The count is of
 * allocations since the process started.
 */
void xm_alloc_fail_at(unsigned long n);
unsigned long xm_alloc_count(void);
#endif

/* ---- strings and numbers (lib/util.c) ------------------------------ */

/* Copy with truncation check: returns 0, or -1 if @src did not fit. */
int xm_strlcpy(char *dst, const char *src, size_t size);

/* snprintf that returns 0, or -1 on truncation or encoding error. */
int xm_snprintf(char *dst, size_t size, const char *fmt, ...)
    XM_PRINTF(3, 4);

/*
 * Parse a whole decimal integer (optional sign, no surrounding space,
 * no trailing bytes) into *out if it lies within [min, max].
 * Returns 0, or XENMIG_EINVAL (not a number) / XENMIG_ERANGE.
 */
int xm_parse_ll(long long *out, const char *s, long long min,
                long long max);
int xm_parse_int(int *out, const char *s, int min, int max);
int xm_parse_u64(uint64_t *out, const char *s, uint64_t max);

/*
 * @ms from now on CLOCK_REALTIME, as pthread_cond_timedwait() and
 * pthread_timedjoin_np() take their deadlines.
 */
struct timespec;
void xm_deadline_ts(struct timespec *ts, long ms);

/* The value of a lower-case hex digit, or -1. */
int xm_hex_digit(char c);

/* @len bytes of @s are well-formed UTF-8 (no overlong form, surrogate
 * or code point past U+10FFFF). */
bool xm_utf8_valid(const char *s, size_t len);

/* Milliseconds on the monotonic clock, for deadlines. */
long xm_now_ms(void);

/*
 * The UTF-8 character at @s (at most @len bytes): its length, and its
 * code point in *cp; 0 when the bytes there are not valid UTF-8
 * (a stray continuation byte, a cut sequence, an overlong form, a
 * surrogate or a code point above U+10FFFF).
 */
size_t xm_utf8_next(const char *s, size_t len, unsigned long *cp);

/* ---- growable buffer with a maximum (lib/buf.c) -------------------- */

/*
 * A NUL-terminated byte buffer that never grows past @max bytes of
 * content. An append that would go over the maximum, or that fails to
 * allocate, frees the buffer and returns XENMIG_ERANGE / XENMIG_ENOMEM:
 * the buffer is never silently truncated. After a failure the buffer
 * is empty (and still valid to append to or dispose).
 */
typedef struct xm_buf {
    char *ptr;     /* NULL until the first append */
    size_t len;    /* bytes of content, without the NUL */
    size_t cap;    /* allocated bytes */
    size_t max;    /* limit on len */
} xm_buf;

#define XM_BUF_INIT(max_) { NULL, 0, 0, (max_) }

void xm_buf_init(xm_buf *buf, size_t max);
void xm_buf_dispose(xm_buf *buf);
void xm_buf_reset(xm_buf *buf);            /* len = 0, keeps memory */
int xm_buf_put(xm_buf *buf, const void *data, size_t len);
int xm_buf_puts(xm_buf *buf, const char *s);
int xm_buf_putc(xm_buf *buf, char c);
int xm_buf_printf(xm_buf *buf, const char *fmt, ...) XM_PRINTF(2, 3);
int xm_buf_vprintf(xm_buf *buf, const char *fmt, va_list ap)
    XM_PRINTF(2, 0);
/* The content (never NULL: "" when empty). */
const char *xm_buf_cstr(const xm_buf *buf);
/* Hand the allocation to the caller (free with xm_free); buf is reset. */
char *xm_buf_detach(xm_buf *buf);

#endif /* XENMIG_INTERNAL_H */
