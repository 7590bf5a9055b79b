/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sexpr.h: xend's S-expressions (reference section 2), not installed
 *
 * xend has no numeric types: every non-list value is a byte string,
 * whether it arrived bare (memory 512), single-quoted ('3') or
 * double-quoted. Consumers convert with the getters below.
 */
#ifndef XENMIG_SEXPR_H
#define XENMIG_SEXPR_H

#include "lib/internal.h"

/* Limits for untrusted input; going over one is an error. */
#define XM_SEXPR_MAX_DEPTH 64          /* nested lists */
#define XM_SEXPR_MAX_INPUT (16u << 20)  /* bytes of text */
#define XM_SEXPR_MAX_ATOM  (1u << 20)   /* bytes in one value */
/*
 * values and lists in one parse: bounds the tree's memory (about 35
 * bytes a node) whatever the text; xend's detail listing of 1000
 * domains has 200,000
 */
#define XM_SEXPR_MAX_NODES (2u << 20)

typedef enum xm_sexpr_kind {
    XM_SEXPR_VALUE = 1,   /* an atom or a quoted string */
    XM_SEXPR_LIST = 2
} xm_sexpr_kind;

typedef struct xm_sexpr xm_sexpr;

/*
 * Parse the first value of @data (@len bytes) into *out, ignoring what
 * follows it (xend appends '' after a domain, reference 1.5). A
 * top-level list that never closes is an error here (xend's parser
 * silently returns nothing; we refuse to guess). Errors are
 * XENMIG_EPARSE or XENMIG_ERANGE, with err->line/column set to the
 * position of the problem. Free *out with xm_sexpr_free().
 *
 * Positions are 1-based, columns count bytes; an unexpected end of
 * input is reported just past the last byte read. ERANGE: input over
 * XM_SEXPR_MAX_INPUT, lists nested deeper than XM_SEXPR_MAX_DEPTH, an
 * atom or a string (its decoded bytes) over XM_SEXPR_MAX_ATOM, more
 * than XM_SEXPR_MAX_NODES values and lists in all. Also
 * XENMIG_ENOMEM, and XENMIG_EINVAL for NULL @out or NULL @data with a
 * length. No input at all (only blanks/comments) is XENMIG_EPARSE.
 */
int xm_sexpr_parse(xm_sexpr **out, const char *data, size_t len,
                   xenmig_error *err);

/*
 * Parse every top-level value of @data into a list (kind LIST) whose
 * items are those values. An empty input gives an empty list.
 */
int xm_sexpr_parse_all(xm_sexpr **out, const char *data, size_t len,
                       xenmig_error *err);

void xm_sexpr_free(xm_sexpr *sx);

/* Construction (for the printer, tests and config writing). */
int xm_sexpr_new_value(xm_sexpr **out, const char *s, size_t len);
int xm_sexpr_new_list(xm_sexpr **out);
/*
 * Append @item to @list, taking ownership (also on failure). @list is
 * a list from xm_sexpr_new_list() or the root of a parsed tree; the
 * nodes inside a parsed tree are borrowed and give XENMIG_EINVAL (as
 * does @item == @list, or an @item borrowed from a tree: both are left
 * alone). Do not append a list to its own descendant.
 */
int xm_sexpr_append(xm_sexpr *list, xm_sexpr *item);

xm_sexpr_kind xm_sexpr_kind_of(const xm_sexpr *sx);
/* VALUE: the bytes (NUL-terminated; may contain NULs from escapes). */
const char *xm_sexpr_value(const xm_sexpr *sx);
size_t xm_sexpr_value_len(const xm_sexpr *sx);
/* LIST: number of items and item @i (NULL if out of range). */
size_t xm_sexpr_count(const xm_sexpr *sx);
const xm_sexpr *xm_sexpr_at(const xm_sexpr *sx, size_t i);
/* LIST whose first item is a VALUE: that value, else NULL. */
const char *xm_sexpr_head(const xm_sexpr *sx);

/*
 * Print @sx the way xend's sxp.show() does (reference 2.2): lists in
 * parentheses separated by single spaces, atom-like values raw, the
 * rest in Python 2 repr quoting. Appends to @buf.
 * Returns 0, the xm_buf error (XENMIG_ERANGE over its maximum, then the
 * buffer is emptied; XENMIG_ENOMEM), or XENMIG_ERANGE for a tree
 * nested deeper than XM_SEXPR_MAX_DEPTH + 1 (what parse_all can make).
 */
int xm_sexpr_print(xm_buf *buf, const xm_sexpr *sx);

/*
 * Lookup by path, libvirt style: "domain/memory" on (domain ... (memory
 * 512) ...) finds the list (memory 512) inside the list whose head is
 * "domain", and returns its first argument (the VALUE 512, or for a
 * longer list the first item after the head). The first path segment
 * must match the head of @sx itself. NULL when absent.
 */
const xm_sexpr *xm_sexpr_lookup(const xm_sexpr *sx, const char *path);

/* The sub-list itself: "domain/image" -> (image (linux ...)). */
const xm_sexpr *xm_sexpr_lookup_list(const xm_sexpr *sx,
                                     const char *path);

/* String at @path, or NULL when absent or not a VALUE. */
const char *xm_sexpr_get_str(const xm_sexpr *sx, const char *path);

/*
 * Numbers that arrive bare (3) or quoted ('3'). Return 0,
 * XENMIG_ENOTFOUND when absent (out untouched), or XENMIG_EINVAL /
 * XENMIG_ERANGE with a message naming the path and the value.
 * err is filled for XENMIG_ENOTFOUND too, so a caller that cannot do
 * without the value can pass the error up as it is.
 */
int xm_sexpr_get_ll(long long *out, const xm_sexpr *sx, const char *path,
                    long long min, long long max, xenmig_error *err);
int xm_sexpr_get_u64(uint64_t *out, const xm_sexpr *sx, const char *path,
                     xenmig_error *err);
/* Python float text ("1.5", "1400000000.12", "3"): 0 or error. */
int xm_sexpr_get_double(double *out, const xm_sexpr *sx,
                        const char *path, xenmig_error *err);

#endif /* XENMIG_SEXPR_H */
