/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * error.c: the per-call error report
 */
#include <errno.h>
#include <stdio.h>
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

int
xm_error_set_full(xenmig_error *err, int code, int sys_errno,
                  const char *func, const char *fmt, ...)
{
    va_list ap;
    int n;
    size_t used;

    (void)func;
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
        return code;
    }
    if (sys_errno) {
        used = (size_t)n;
        n = snprintf(err->msg + used, sizeof(err->msg) - used, ": %s",
                     strerror(sys_errno));
        if (n < 0 || (size_t)n >= sizeof(err->msg) - used)
            mark_truncated(err->msg, sizeof(err->msg));
    }
    return code;
}

void
xm_error_prefix(xenmig_error *err, const char *fmt, ...)
{
    char prefix[XENMIG_ERROR_MSG_SIZE];
    char old[XENMIG_ERROR_MSG_SIZE];
    va_list ap;
    int n;

    if (!err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    memcpy(old, err->msg, sizeof(old));
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
