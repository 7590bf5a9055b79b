/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sexpr.c: S-expression trees: ownership, construction, accessors and
 * lookups (reference section 2)
 *
 * A tree is either parsed (sexpr_parse.c, living in its root's arena)
 * or built node by node here (plain heap allocations); flags on each
 * node say which of its parts it owns, so a parsed root may be
 * appended to a built list, and items may be appended to a parsed root
 * (not to the borrowed nodes inside it). Lookups walk a path of list
 * heads ("domain/memory") and read numbers in the C locale.
 */
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sexpr_impl.h"

/* ---- ownership and construction ------------------------------------- */

static void free_node(xm_sexpr *sx);

/* Free what @sx owns, from item @from on, but not @sx itself. */
static void
free_parts(xm_sexpr *sx, uint32_t from)
{
    uint32_t i;

    if (sx->kind == XM_SEXPR_LIST) {
        for (i = from; i < sx->len; i++)
            free_node(sx->u.items[i]);
    }
    if (sx->flags & SX_F_DATA_HEAP)
        xm_free(sx->u.str);
}

/*
 * Release @sx. Recursion follows the tree, whose depth is bounded for
 * parsed input; arena nodes inside a parsed tree are skipped wholesale,
 * because only the root of a parsed tree can have been changed.
 */
static void
free_node(xm_sexpr *sx)
{
    sx_doc *doc;

    if (sx->flags & SX_F_DOC) {
        doc = (sx_doc *)(void *)sx;
        free_parts(sx, doc->nfixed);
        sx_arena_dispose(&doc->arena);
        xm_free(doc);
        return;
    }
    if (!(sx->flags & SX_F_NODE_HEAP))
        return;               /* lives in an arena */
    free_parts(sx, 0);
    xm_free(sx);
}

void
xm_sexpr_free(xm_sexpr *sx)
{
    if (sx)
        free_node(sx);
}

int
xm_sexpr_new_value(xm_sexpr **out, const char *s, size_t len)
{
    xm_sexpr *node = NULL;
    int rc;

    if (!out || (!s && len)) {
        rc = XENMIG_EINVAL;
        goto out;
    }
    if (len >= UINT32_MAX) {
        rc = XENMIG_ERANGE;
        goto out;
    }
    node = xm_malloc(sizeof(*node));
    if (!node) {
        rc = XENMIG_ENOMEM;
        goto out;
    }
    node->kind = XM_SEXPR_VALUE;
    node->flags = SX_F_NODE_HEAP | SX_F_DATA_HEAP;
    node->len = (uint32_t)len;
    node->u.str = xm_malloc(len + 1);
    if (!node->u.str) {
        rc = XENMIG_ENOMEM;
        goto out;
    }
    if (len)
        memcpy(node->u.str, s, len);
    node->u.str[len] = '\0';
    *out = node;
    node = NULL;
    rc = 0;
 out:
    xm_sexpr_free(node);
    return rc;
}

int
xm_sexpr_new_list(xm_sexpr **out)
{
    xm_sexpr *node;

    if (!out)
        return XENMIG_EINVAL;
    node = xm_malloc(sizeof(*node));
    if (!node)
        return XENMIG_ENOMEM;
    node->kind = XM_SEXPR_LIST;
    node->flags = SX_F_NODE_HEAP | SX_F_DATA_HEAP;
    node->len = 0;
    node->u.items = NULL;
    *out = node;
    return 0;
}

/* Capacity of a heap item array holding @n items: 4, 8, 16, ... */
static size_t
items_cap(size_t n)
{
    size_t cap = 4;

    while (cap < n)
        cap *= 2;
    return cap;
}

int
xm_sexpr_append(xm_sexpr *list, xm_sexpr *item)
{
    xm_sexpr **items;
    size_t n;
    int rc;

    if (!item)
        return XENMIG_EINVAL;
    if (item == list || !(item->flags & (SX_F_NODE_HEAP | SX_F_DOC)))
        return XENMIG_EINVAL; /* not the caller's to give away */
    if (!list || list->kind != XM_SEXPR_LIST ||
        !(list->flags & (SX_F_NODE_HEAP | SX_F_DOC))) {
        rc = XENMIG_EINVAL;   /* no list, or one borrowed from a tree */
        goto out;
    }
    n = list->len;
    if (n >= UINT32_MAX - 1) {
        rc = XENMIG_ERANGE;
        goto out;
    }
    if (!(list->flags & SX_F_DATA_HEAP)) {
        /* The items of a parsed root live in its arena: move them. */
        items = xm_reallocarray(NULL, items_cap(n + 1), sizeof(*items));
        if (!items) {
            rc = XENMIG_ENOMEM;
            goto out;
        }
        if (n)
            memcpy(items, list->u.items, n * sizeof(*items));
        list->u.items = items;
        list->flags |= SX_F_DATA_HEAP;
    } else if (!list->u.items || n == items_cap(n)) {
        items = xm_reallocarray(list->u.items, items_cap(n + 1),
                                sizeof(*items));
        if (!items) {
            rc = XENMIG_ENOMEM;
            goto out;
        }
        list->u.items = items;
    }
    list->u.items[n] = item;
    list->len = (uint32_t)(n + 1);
    item = NULL;
    rc = 0;
 out:
    xm_sexpr_free(item);
    return rc;
}

/* ---- accessors ------------------------------------------------------ */

xm_sexpr_kind
xm_sexpr_kind_of(const xm_sexpr *sx)
{
    return sx ? (xm_sexpr_kind)sx->kind : (xm_sexpr_kind)0;
}

const char *
xm_sexpr_value(const xm_sexpr *sx)
{
    return sx && sx->kind == XM_SEXPR_VALUE ? sx->u.str : NULL;
}

size_t
xm_sexpr_value_len(const xm_sexpr *sx)
{
    return sx && sx->kind == XM_SEXPR_VALUE ? sx->len : 0;
}

size_t
xm_sexpr_count(const xm_sexpr *sx)
{
    return sx && sx->kind == XM_SEXPR_LIST ? sx->len : 0;
}

const xm_sexpr *
xm_sexpr_at(const xm_sexpr *sx, size_t i)
{
    if (!sx || sx->kind != XM_SEXPR_LIST || i >= sx->len)
        return NULL;
    return sx->u.items[i];
}

const char *
xm_sexpr_head(const xm_sexpr *sx)
{
    if (!sx || sx->kind != XM_SEXPR_LIST || sx->len == 0)
        return NULL;
    return xm_sexpr_value(sx->u.items[0]);
}

/* ---- lookups -------------------------------------------------------- */

static int
head_is(const xm_sexpr *sx, const char *seg, size_t seglen)
{
    const xm_sexpr *h;

    if (sx->kind != XM_SEXPR_LIST || sx->len == 0)
        return 0;
    h = sx->u.items[0];
    return h->kind == XM_SEXPR_VALUE && h->len == seglen &&
           memcmp(h->u.str, seg, seglen) == 0;
}

const xm_sexpr *
xm_sexpr_lookup_list(const xm_sexpr *sx, const char *path)
{
    const xm_sexpr *cur = sx;
    const char *seg = path;
    const char *slash;
    size_t seglen;
    uint32_t i;

    if (!sx || !path)
        return NULL;
    slash = strchr(seg, '/');
    seglen = slash ? (size_t)(slash - seg) : strlen(seg);
    if (seglen == 0 || !head_is(cur, seg, seglen))
        return NULL;
    while (slash) {
        seg = slash + 1;
        slash = strchr(seg, '/');
        seglen = slash ? (size_t)(slash - seg) : strlen(seg);
        if (seglen == 0)
            return NULL;
        for (i = 1; i < cur->len; i++) {
            if (head_is(cur->u.items[i], seg, seglen))
                break;
        }
        if (i == cur->len)
            return NULL;
        cur = cur->u.items[i];
    }
    return cur;
}

const xm_sexpr *
xm_sexpr_lookup(const xm_sexpr *sx, const char *path)
{
    const xm_sexpr *l = xm_sexpr_lookup_list(sx, path);

    return l && l->len >= 2 ? l->u.items[1] : NULL;
}

const char *
xm_sexpr_get_str(const xm_sexpr *sx, const char *path)
{
    return xm_sexpr_value(xm_sexpr_lookup(sx, path));
}

/* Printable ASCII copy of a value for a message, cut with "...". */
static void
show_value(char *dst, size_t size, const char *s, size_t len)
{
    size_t max = size - 4;
    size_t i;
    size_t o = 0;

    for (i = 0; i < len && o < max; i++) {
        unsigned char c = (unsigned char)s[i];

        dst[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (i < len) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o] = '\0';
}

/*
 * The VALUE at @path as a C string with no embedded NUL, or an error
 * naming @path: XENMIG_ENOTFOUND, or XENMIG_EINVAL for a list or
 * binary bytes. @what names the expected kind of number.
 */
static int
number_text(const char **out, const xm_sexpr *sx, const char *path,
            const char *what, xenmig_error *err)
{
    const xm_sexpr *v = xm_sexpr_lookup(sx, path);
    char shown[64];

    if (!v)
        return xm_error_set(err, XENMIG_ENOTFOUND,
                            "sexpr: '%s' not found",
                            path ? path : "");
    if (v->kind != XM_SEXPR_VALUE)
        return xm_error_set(err, XENMIG_EINVAL,
                            "sexpr: '%s' is a list, not %s", path, what);
    if (strlen(v->u.str) != v->len) {
        show_value(shown, sizeof(shown), v->u.str, v->len);
        return xm_error_set(err, XENMIG_EINVAL,
                            "sexpr: '%s' is not %s: '%s'", path, what,
                            shown);
    }
    *out = v->u.str;
    return 0;
}

int
xm_sexpr_get_ll(long long *out, const xm_sexpr *sx, const char *path,
                long long min, long long max, xenmig_error *err)
{
    const char *s;
    char shown[64];
    long long v;
    int rc;

    if (!out)
        return xm_error_set(err, XENMIG_EINVAL, "sexpr: no output given");
    rc = number_text(&s, sx, path, "an integer", err);
    if (rc) return rc;
    rc = xm_parse_ll(&v, s, min, max);
    if (rc) {
        show_value(shown, sizeof(shown), s, strlen(s));
        if (rc == XENMIG_ERANGE)
            return xm_error_set(err, XENMIG_ERANGE,
                                "sexpr: '%s' out of range [%lld, %lld]: "
                                "'%s'", path, min, max, shown);
        return xm_error_set(err, XENMIG_EINVAL,
                            "sexpr: '%s' is not an integer: '%s'", path,
                            shown);
    }
    *out = v;
    return 0;
}

int
xm_sexpr_get_u64(uint64_t *out, const xm_sexpr *sx, const char *path,
                 xenmig_error *err)
{
    const char *s;
    char shown[64];
    uint64_t v;
    int rc;

    if (!out)
        return xm_error_set(err, XENMIG_EINVAL, "sexpr: no output given");
    rc = number_text(&s, sx, path, "an unsigned integer", err);
    if (rc) return rc;
    rc = xm_parse_u64(&v, s, UINT64_MAX);
    if (rc) {
        show_value(shown, sizeof(shown), s, strlen(s));
        if (rc == XENMIG_ERANGE)
            return xm_error_set(err, XENMIG_ERANGE,
                                "sexpr: '%s' out of range for 64 bits: "
                                "'%s'", path, shown);
        return xm_error_set(err, XENMIG_EINVAL,
                            "sexpr: '%s' is not an unsigned integer: "
                            "'%s'", path, shown);
    }
    *out = v;
    return 0;
}

static pthread_once_t sx_c_locale_once = PTHREAD_ONCE_INIT;
static locale_t sx_c_locale = (locale_t)0;

static void
c_locale_init(void)
{
    /* Kept for the life of the process. */
    sx_c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

int
xm_sexpr_get_double(double *out, const xm_sexpr *sx, const char *path,
                    xenmig_error *err)
{
    const char *s;
    char *end = NULL;
    char shown[64];
    size_t i;
    double v;
    int rc;

    if (!out)
        return xm_error_set(err, XENMIG_EINVAL, "sexpr: no output given");
    rc = number_text(&s, sx, path, "a number", err);
    if (rc) return rc;
    show_value(shown, sizeof(shown), s, strlen(s));
    /* Python's str(float): digits, '.', an exponent; no inf or nan,
     * no hex, no spaces, whatever the caller's locale says. */
    for (i = 0; s[i]; i++) {
        if (!strchr("0123456789.eE+-", s[i]))
            break;
    }
    if (i == 0 || s[i] || !strpbrk(s, "0123456789"))
        return xm_error_set(err, XENMIG_EINVAL,
                            "sexpr: '%s' is not a number: '%s'", path,
                            shown);
    (void)pthread_once(&sx_c_locale_once, c_locale_init);
    if (sx_c_locale == (locale_t)0)
        return xm_error_set(err, XENMIG_ENOMEM,
                            "sexpr: out of memory for the C locale");
    v = strtod_l(s, &end, sx_c_locale);
    if (end == s || *end != '\0')
        return xm_error_set(err, XENMIG_EINVAL,
                            "sexpr: '%s' is not a number: '%s'", path,
                            shown);
    if (isinf(v) || isnan(v))
        return xm_error_set(err, XENMIG_ERANGE,
                            "sexpr: '%s' out of range: '%s'", path, shown);
    *out = v;
    return 0;
}
