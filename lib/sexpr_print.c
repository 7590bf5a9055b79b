/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sexpr_print.c: the printer of S-expressions (reference 2.2)
 *
 * Prints a tree the way xend's own printer does: atoms bare when every
 * byte is one xend leaves unquoted, otherwise a quoted string in
 * Python's repr() form, so that what xend parses back is the same
 * value. Depth is bounded like the parser's.
 */
#include <stdio.h>
#include <string.h>

#include "lib/sexpr_impl.h"

/* ---- printer (reference 2.2) ---------------------------------------- */

/* Raw when non-empty and "@" or made only of atom characters. */
static int
prints_raw(const unsigned char *s, size_t len)
{
    size_t i;

    if (len == 0)
        return 0;
    if (len == 1 && s[0] == '@')
        return 1;
    for (i = 0; i < len; i++) {
        if (!sx_atomchar[s[i]])
            return 0;
    }
    return 1;
}

/* Python 2 repr() of a byte string. */
static int
print_repr(xm_buf *buf, const unsigned char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char esc[4];
    const void *sq;
    const void *dq;
    unsigned char quote;
    size_t run = 0;
    size_t i;
    size_t elen;
    int rc;

    sq = len ? memchr(s, '\'', len) : NULL;
    dq = len ? memchr(s, '"', len) : NULL;
    quote = sq && !dq ? '"' : '\'';
    rc = xm_buf_putc(buf, (char)quote);
    if (rc) return rc;
    for (i = 0; i < len; i++) {
        unsigned char c = s[i];

        if (c == quote || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            elen = 2;
        } else if (c == '\t' || c == '\n' || c == '\r') {
            esc[0] = '\\';
            esc[1] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
            elen = 2;
        } else if (c < 0x20 || c >= 0x7f) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 0xf];
            elen = 4;
        } else {
            continue;
        }
        /* Flush the plain bytes before this one, then the escape. */
        rc = xm_buf_put(buf, s + run, i - run);
        if (rc) return rc;
        rc = xm_buf_put(buf, esc, elen);
        if (rc) return rc;
        run = i + 1;
    }
    rc = xm_buf_put(buf, s + run, len - run);
    if (rc) return rc;
    return xm_buf_putc(buf, (char)quote);
}

static int
print_value(xm_buf *buf, const xm_sexpr *sx)
{
    const unsigned char *s = (const unsigned char *)sx->u.str;

    if (prints_raw(s, sx->len))
        return xm_buf_put(buf, s, sx->len);
    return print_repr(buf, s, sx->len);
}

/* Deepest tree the printer walks: parsed trees, plus parse_all's list. */
#define SX_PRINT_MAX_DEPTH (XM_SEXPR_MAX_DEPTH + 1)

int
xm_sexpr_print(xm_buf *buf, const xm_sexpr *sx)
{
    const xm_sexpr *list[SX_PRINT_MAX_DEPTH];
    size_t next[SX_PRINT_MAX_DEPTH];
    const xm_sexpr *cur;
    int depth = 0;
    int rc;

    sx_tables_ready();
    if (!buf || !sx)
        return XENMIG_EINVAL;
    cur = sx;
    for (;;) {
        /* Print @cur, descending into it if it is a list. */
        if (cur->kind == XM_SEXPR_VALUE) {
            rc = print_value(buf, cur);
            if (rc) return rc;
        } else {
            if (depth == SX_PRINT_MAX_DEPTH)
                return XENMIG_ERANGE;
            rc = xm_buf_putc(buf, '(');
            if (rc) return rc;
            list[depth] = cur;
            next[depth] = 0;
            depth++;
        }
        /* Find the next item to print, closing finished lists. */
        cur = NULL;
        while (depth > 0) {
            const xm_sexpr *l = list[depth - 1];
            size_t k = next[depth - 1];

            if (k < l->len) {
                if (k > 0) {
                    rc = xm_buf_putc(buf, ' ');
                    if (rc) return rc;
                }
                next[depth - 1] = k + 1;
                cur = l->u.items[k];
                break;
            }
            rc = xm_buf_putc(buf, ')');
            if (rc) return rc;
            depth--;
        }
        if (!cur)
            return 0;
    }
}
