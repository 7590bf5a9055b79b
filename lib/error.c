/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * error.c: the per-call error report
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/internal.h"

static const struct {
    int code;
    const char *name;
} error_names[] = {
    { XENMIG_OK, "success" },
    { XENMIG_ERROR, "failed" },
    { XENMIG_ENOMEM, "out of memory" },
    { XENMIG_EINVAL, "invalid argument" },
    { XENMIG_ERANGE, "over a limit" },
    { XENMIG_EPARSE, "malformed input" },
    { XENMIG_ENOTFOUND, "not found" },
    { XENMIG_EXEND, "xend reported a failure" },
    { XENMIG_EHTTP, "HTTP protocol error" },
    { XENMIG_ECONNECT, "could not connect" },
    { XENMIG_ETIMEOUT, "timed out" },
    { XENMIG_ESTATE, "not allowed in this state" },
    { XENMIG_EIO, "input/output error" },
    { XENMIG_EREFUSED, "refused by peer" },
    { XENMIG_ECANCELLED, "cancelled" },
    { XENMIG_ELOST, "domain lost" },
    { XENMIG_EUNKNOWN, "outcome needs a look" },
};

XENMIG_API void
xenmig_error_clear(xenmig_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
}

XENMIG_API const char *
xenmig_strerror(int code)
{
    size_t i;

    for (i = 0; i < XM_ARRAY_SIZE(error_names); i++) {
        if (error_names[i].code == code)
            return error_names[i].name;
    }
    return "unknown error";
}

XENMIG_API const char *
xenmig_version(void)
{
    return XENMIG_VERSION;
}

/* Mark a cut message with "..." so nobody mistakes it for whole. */
static void
mark_truncated(char *msg, size_t size)
{
    if (size >= 4)
        memcpy(msg + size - 4, "...", 4);
}

/*
 * Messages are one line: untrusted text copied into them (a URI, a
 * config value, a parser's complaint) must not break that.
 */
static void
one_line(char *msg)
{
    unsigned char *p;

    for (p = (unsigned char *)msg; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
}

/* XENMIG_DEBUG=1 in the environment: each error also goes to stderr,
 * with the function that set it. */
static void
debug_log(const char *func, const xenmig_error *err)
{
    const char *env = getenv("XENMIG_DEBUG");

    if (env && strcmp(env, "1") == 0)
        fprintf(stderr, "xenmig debug: %s(): %s\n", func, err->msg);
}

int
xm_error_set_full(xenmig_error *err, int code, int sys_errno,
                  const char *func, const char *fmt, ...)
{
    va_list ap;
    int n;
    size_t used;
    char ebuf[128];

    if (!err)
        return code;
    err->code = code;
    err->sys_errno = sys_errno;
    va_start(ap, fmt);
    n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    if (n < 0) {
        err->msg[0] = '\0';
        return code;
    }
    one_line(err->msg);
    if ((size_t)n >= sizeof(err->msg)) {
        mark_truncated(err->msg, sizeof(err->msg));
    } else if (sys_errno) {
        /* the GNU strerror_r (_GNU_SOURCE): thread-safe, returns the
         * text, in ebuf or static */
        used = (size_t)n;
        n = snprintf(err->msg + used, sizeof(err->msg) - used, ": %s",
                     strerror_r(sys_errno, ebuf, sizeof(ebuf)));
        if (n < 0 || (size_t)n >= sizeof(err->msg) - used)
            mark_truncated(err->msg, sizeof(err->msg));
    }
    debug_log(func, err);
    return code;
}

/*
 * Prefix the message with "<prefix>: ". The message already there is
 * the cause (xend's reason, a system error): when both do not fit, the
 * prefix is cut first, down to XM_PREFIX_MIN bytes, and only then the
 * cause, each cut marked "...".
 */
#define XM_PREFIX_MIN 64

void
xm_error_prefix(xenmig_error *err, const char *fmt, ...)
{
    char prefix[XENMIG_ERROR_MSG_SIZE];
    char old[XENMIG_ERROR_MSG_SIZE];
    const size_t room = sizeof(err->msg) - 1;  /* bytes of content */
    size_t plen, olen, keep;
    va_list ap;
    int n;

    if (!err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(prefix))
        mark_truncated(prefix, sizeof(prefix));
    memcpy(old, err->msg, sizeof(old));
    plen = strlen(prefix);
    olen = strlen(old);
    if (plen + 2 + olen > room) {
        /* the prefix gets what the cause leaves, but at least
         * XM_PREFIX_MIN bytes; cut with "..." at its end */
        keep = olen + 2 < room ? room - 2 - olen : 0;
        if (keep < XM_PREFIX_MIN)
            keep = XM_PREFIX_MIN;
        if (plen > keep)
            memcpy(prefix + keep - 3, "...", 4);
    }
    n = snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
    one_line(err->msg);
    if (n < 0 || (size_t)n >= sizeof(err->msg))
        mark_truncated(err->msg, sizeof(err->msg));
}

void
xm_error_suffix(xenmig_error *err, const char *fmt, ...)
{
    size_t len;
    va_list ap;
    int n;

    if (!err)
        return;
    len = strlen(err->msg);
    va_start(ap, fmt);
    n = vsnprintf(err->msg + len, sizeof(err->msg) - len, fmt, ap);
    va_end(ap);
    one_line(err->msg);
    if (n < 0 || (size_t)n >= sizeof(err->msg) - len)
        mark_truncated(err->msg, sizeof(err->msg));
}
