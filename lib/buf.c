/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * buf.c: a growable, NUL-terminated buffer with a maximum size
 */
#include <stdio.h>
#include <string.h>

#include "lib/internal.h"

void
xm_buf_init(xm_buf *buf, size_t max)
{
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max = max;
}

void
xm_buf_dispose(xm_buf *buf)
{
    if (!buf)
        return;
    xm_free(buf->ptr);
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
}

void
xm_buf_reset(xm_buf *buf)
{
    buf->len = 0;
    if (buf->ptr)
        buf->ptr[0] = '\0';
}

/* Make room for @extra more bytes of content plus the NUL. */
static int
buf_grow(xm_buf *buf, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > buf->max || buf->len > buf->max - extra) {
        xm_buf_dispose(buf);
        return XENMIG_ERANGE;
    }
    need = buf->len + extra + 1;
    if (need <= buf->cap)
        return 0;
    cap = buf->cap ? buf->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > buf->max + 1)
        cap = buf->max + 1;
    p = xm_reallocarray(buf->ptr, cap, 1);
    if (!p) {
        xm_buf_dispose(buf);
        return XENMIG_ENOMEM;
    }
    buf->ptr = p;
    buf->cap = cap;
    return 0;
}

int
xm_buf_put(xm_buf *buf, const void *data, size_t len)
{
    int rc;

    rc = buf_grow(buf, len);
    if (rc)
        return rc;
    if (len)
        memcpy(buf->ptr + buf->len, data, len);
    buf->len += len;
    buf->ptr[buf->len] = '\0';
    return 0;
}

int
xm_buf_puts(xm_buf *buf, const char *s)
{
    return xm_buf_put(buf, s, strlen(s));
}

int
xm_buf_putc(xm_buf *buf, char c)
{
    return xm_buf_put(buf, &c, 1);
}

int
xm_buf_vprintf(xm_buf *buf, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    int rc;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        xm_buf_dispose(buf);
        return XENMIG_EINVAL;
    }
    rc = buf_grow(buf, (size_t)n);
    if (rc)
        return rc;
    n = vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
    if (n < 0) {
        xm_buf_dispose(buf);
        return XENMIG_EINVAL;
    }
    buf->len += (size_t)n;
    return 0;
}

int
xm_buf_printf(xm_buf *buf, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = xm_buf_vprintf(buf, fmt, ap);
    va_end(ap);
    return rc;
}

const char *
xm_buf_cstr(const xm_buf *buf)
{
    return buf->ptr ? buf->ptr : "";
}

char *
xm_buf_detach(xm_buf *buf)
{
    char *p = buf->ptr;

    if (!p)
        p = xm_strdup("");
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
    return p;
}
