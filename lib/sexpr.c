/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sexpr.c: parser, printer and lookups for xend's S-expressions
 * (reference section 2)
 *
 * The parser makes one pass over the input with an explicit stack, so
 * deep input is an error with a position and never a stack overflow.
 * Values that are complete but not yet in a list wait on a pending
 * array; when a list closes, its items are copied from there into one
 * array of exactly the right size.
 *
 * A parsed tree lives in an arena owned by its root (struct sx_doc):
 * nodes, their bytes and item arrays are carved out of a few large
 * chunks, and xm_sexpr_free() on the root releases the chunks. Nodes
 * made by xm_sexpr_new_*() are plain heap allocations. Flags on each
 * node say which of its parts it owns, so the two kinds can be mixed:
 * a parsed root may be appended to a built list, and items may be
 * appended to a parsed root (not to the borrowed nodes inside it).
 */
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sexpr.h"

/* Node flags: which parts the node owns. */
#define SX_F_NODE_HEAP 0x1u   /* the node is its own heap allocation */
#define SX_F_DATA_HEAP 0x2u   /* str or items is its own heap allocation */
#define SX_F_DOC 0x4u         /* the node is the root of a parsed tree */

struct xm_sexpr {
    uint8_t kind;             /* xm_sexpr_kind */
    uint8_t flags;            /* SX_F_* */
    uint32_t len;             /* VALUE: bytes; LIST: items */
    union {
        char *str;            /* NUL-terminated */
        xm_sexpr **items;
    } u;
};

/* Every count and length of parsed input fits the 32-bit fields. */
typedef char sx_assert_input_fits[
    XM_SEXPR_MAX_INPUT < UINT32_MAX ? 1 : -1];

/* ---- arena ---------------------------------------------------------- */

#define SX_ALIGN 8u
#define SX_ROUND(n) (((n) + (SX_ALIGN - 1)) & ~(size_t)(SX_ALIGN - 1))
#define SX_CHUNK_MIN ((size_t)4096)
#define SX_CHUNK_MAX ((size_t)16 << 20)

typedef struct sx_chunk {
    struct sx_chunk *next;
    size_t pad;               /* keeps the data 8-aligned on 32-bit too */
} sx_chunk;

#define SX_CHUNK_HDR SX_ROUND(sizeof(sx_chunk))

typedef struct sx_arena {
    sx_chunk *chunks;
    char *cur;                /* next free byte of the head chunk */
    size_t left;              /* free bytes there */
    size_t next_size;         /* size of the next ordinary chunk */
#ifdef XM_SEXPR_PLAIN_MALLOC
    void **plain;             /* every allocation, to free them */
    size_t nplain, capplain;
#endif
} sx_arena;

/* The root of a parsed tree; node must stay the first member. */
typedef struct sx_doc {
    xm_sexpr node;
    sx_arena arena;
    uint32_t nfixed;          /* root items that live in the arena */
} sx_doc;

static void
arena_init(sx_arena *a, size_t input_len)
{
    size_t first = input_len;

    /* A parsed tree takes several times the bytes of its text. */
    if (first < SX_CHUNK_MIN)
        first = SX_CHUNK_MIN;
    if (first > SX_CHUNK_MAX / 2)
        first = SX_CHUNK_MAX / 2;
    a->chunks = NULL;
    a->cur = NULL;
    a->left = 0;
    a->next_size = first;
#ifdef XM_SEXPR_PLAIN_MALLOC
    a->plain = NULL;
    a->nplain = a->capplain = 0;
#endif
}

#ifdef XM_SEXPR_PLAIN_MALLOC
static void plain_dispose(sx_arena *a);
#endif

static void
arena_dispose(sx_arena *a)
{
    sx_chunk *c = a->chunks;
    sx_chunk *next;

#ifdef XM_SEXPR_PLAIN_MALLOC
    plain_dispose(a);
#endif
    while (c) {
        next = c->next;
        xm_free(c);
        c = next;
    }
    a->chunks = NULL;
    a->cur = NULL;
    a->left = 0;
}

#ifdef XM_SEXPR_PLAIN_MALLOC
/*
 * The benchmark's baseline build (bench/sxp-arena.sh): every node,
 * string and item array is its own malloc, as a parser without the
 * arena would make them; the arena only remembers them to free them.
 * Never in the library.
 */
static void
plain_dispose(sx_arena *a)
{
    size_t i;

    for (i = 0; i < a->nplain; i++)
        xm_free(a->plain[i]);
    xm_free(a->plain);
    a->plain = NULL;
    a->nplain = a->capplain = 0;
}

static void *
arena_alloc(sx_arena *a, size_t size)
{
    void **grown;
    void *p;

    if (a->nplain == a->capplain) {
        grown = xm_reallocarray(a->plain, a->capplain ? 2 * a->capplain
                                                      : 64,
                                sizeof(*grown));
        if (!grown)
            return NULL;
        a->plain = grown;
        a->capplain = a->capplain ? 2 * a->capplain : 64;
    }
    p = xm_malloc(size);
    if (p)
        a->plain[a->nplain++] = p;
    return p;
}
#else
static void *
arena_alloc_slow(sx_arena *a, size_t size)
{
    sx_chunk *c;
    size_t want;

    if (size > SIZE_MAX - SX_CHUNK_HDR)
        return NULL;
    if (size > a->next_size / 4) {
        /* Big: a chunk of its own, behind the head so that the head's
         * free space stays in use. */
        c = xm_malloc(SX_CHUNK_HDR + size);
        if (!c)
            return NULL;
        if (a->chunks) {
            c->next = a->chunks->next;
            a->chunks->next = c;
        } else {
            c->next = NULL;
            a->chunks = c;
        }
        return (char *)c + SX_CHUNK_HDR;
    }
    want = a->next_size;
    c = xm_malloc(SX_CHUNK_HDR + want);
    if (!c)
        return NULL;
    c->next = a->chunks;
    a->chunks = c;
    a->cur = (char *)c + SX_CHUNK_HDR + size;
    a->left = want - size;
    if (a->next_size < SX_CHUNK_MAX)
        a->next_size *= 2;
    return (char *)c + SX_CHUNK_HDR;
}

/* @size must already be a multiple of SX_ALIGN. */
static inline void *
arena_alloc(sx_arena *a, size_t size)
{
    char *p;

    if (a->left >= size) {
        p = a->cur;
        a->cur += size;
        a->left -= size;
        return p;
    }
    return arena_alloc_slow(a, size);
}
#endif

/* ---- character classes (reference 2.1) ------------------------------ */

enum {
    SX_T_ATOM = 0,            /* printable: starts an atom */
    SX_T_SPACE,
    SX_T_OPEN,
    SX_T_CLOSE,
    SX_T_COMMENT,
    SX_T_QUOTE,
    SX_T_EOT,                 /* byte 4: end of input */
    SX_T_BAD                  /* not in Python's string.printable */
};

/* Token classes, filled once from the rules below. */
static unsigned char sx_token[256];
/* Bit 0: continues an atom. Bit 1: stops a '...' scan. Bit 2: "...". */
static unsigned char sx_scan[256];
/* Characters that xend's printer leaves unquoted. */
static unsigned char sx_atomchar[256];

#define SX_S_ATOM 0x1u
#define SX_S_SQ 0x2u
#define SX_S_DQ 0x4u

static pthread_once_t sx_tables_once = PTHREAD_ONCE_INIT;

static void
tables_init(void)
{
    static const char separators[] = "{}()<>[];";
    static const char atomchars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        "0123456789.-_:/~";
    size_t i;
    int c;

    for (c = 0; c < 256; c++) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
            c == '\f' || c == '\r')
            sx_token[c] = SX_T_SPACE;
        else if (c == 4)
            sx_token[c] = SX_T_EOT;
        else if (c < 0x20 || c >= 0x7f)
            sx_token[c] = SX_T_BAD;
        else
            sx_token[c] = SX_T_ATOM;
        sx_scan[c] = sx_token[c] == SX_T_SPACE ? 0 : SX_S_ATOM;
    }
    sx_token['('] = SX_T_OPEN;
    sx_token[')'] = SX_T_CLOSE;
    sx_token['#'] = SX_T_COMMENT;
    sx_token['\''] = SX_T_QUOTE;
    sx_token['"'] = SX_T_QUOTE;
    sx_scan['#'] = 0;
    for (i = 0; separators[i]; i++)
        sx_scan[(unsigned char)separators[i]] = 0;
    sx_scan['\\'] |= SX_S_SQ | SX_S_DQ;
    sx_scan['\''] |= SX_S_SQ;
    sx_scan['"'] |= SX_S_DQ;
    for (i = 0; atomchars[i]; i++)
        sx_atomchar[(unsigned char)atomchars[i]] = 1;
}

static void
tables_ready(void)
{
    (void)pthread_once(&sx_tables_once, tables_init);
}

/* ---- parser --------------------------------------------------------- */

typedef struct sx_parser {
    const unsigned char *data;
    size_t len;
    sx_arena *arena;
    xm_sexpr **pend;          /* finished values waiting for their list */
    size_t npend;
    size_t cappend;
    int depth;                /* open lists */
    size_t nodes;             /* values and lists made so far */
    size_t base[XM_SEXPR_MAX_DEPTH + 1];  /* pend index of list d */
    size_t open[XM_SEXPR_MAX_DEPTH + 1];  /* offset of its '(' */
    xenmig_error *err;
} sx_parser;

/* 1-based line and column of byte offset @off. */
static void
sx_position(const unsigned char *data, size_t off, int *line, int *col)
{
    const unsigned char *p = data;
    const unsigned char *end = data + off;
    const unsigned char *nl;
    size_t lines = 1;
    size_t cols;

    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        lines++;
        p = nl + 1;
    }
    cols = (size_t)(end - p) + 1;
    *line = lines > INT_MAX ? INT_MAX : (int)lines;
    *col = cols > INT_MAX ? INT_MAX : (int)cols;
}

static int
sx_fail(sx_parser *ps, int code, size_t off, const char *fmt, ...)
    XM_PRINTF(4, 5);

/*
 * Record "sexpr: <what> at line L, column C" for byte offset @off.
 * Only the message may be cut short, as for every xenmig_error.
 */
static int
sx_fail(sx_parser *ps, int code, size_t off, const char *fmt, ...)
{
    char what[XENMIG_ERROR_MSG_SIZE];
    va_list ap;
    int line;
    int col;

    sx_position(ps->data, off, &line, &col);
    va_start(ap, fmt);
    (void)vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    xm_error_set(ps->err, code, "sexpr: %s at line %d, column %d",
                 what, line, col);
    if (ps->err) {
        ps->err->line = line;
        ps->err->column = col;
    }
    return code;
}

/* End of input inside a string or list that opened at @open_off. */
static int
sx_fail_eof(sx_parser *ps, const char *inside, size_t open_off)
{
    int line;
    int col;
    int oline;
    int ocol;

    sx_position(ps->data, ps->len, &line, &col);
    sx_position(ps->data, open_off, &oline, &ocol);
    xm_error_set(ps->err, XENMIG_EPARSE,
                 "sexpr: unexpected EOF in %s at line %d, column %d "
                 "(%s opened at line %d, column %d)", inside, line, col,
                 inside, oline, ocol);
    if (ps->err) {
        ps->err->line = line;
        ps->err->column = col;
    }
    return XENMIG_EPARSE;
}

static int
sx_nomem(sx_parser *ps)
{
    return xm_error_set(ps->err, XENMIG_ENOMEM,
                        "sexpr: out of memory while parsing");
}

static int
pend_grow(sx_parser *ps)
{
    size_t cap = ps->cappend ? ps->cappend * 2 : 64;
    xm_sexpr **p;

    p = xm_reallocarray(ps->pend, cap, sizeof(*p));
    if (!p)
        return sx_nomem(ps);
    ps->pend = p;
    ps->cappend = cap;
    return 0;
}

static inline int
pend_push(sx_parser *ps, xm_sexpr *node)
{
    int rc;

    if (ps->npend == ps->cappend) {
        rc = pend_grow(ps);
        if (rc) return rc;
    }
    ps->pend[ps->npend++] = node;
    return 0;
}

/* A VALUE node with room for @cap bytes and a NUL right behind it. */
static inline xm_sexpr *
new_arena_value(sx_parser *ps, size_t cap)
{
    xm_sexpr *node;

    node = arena_alloc(ps->arena, SX_ROUND(sizeof(*node) + cap + 1));
    if (!node)
        return NULL;
    node->kind = XM_SEXPR_VALUE;
    node->flags = 0;
    node->len = 0;
    node->u.str = (char *)(node + 1);
    return node;
}

/* A LIST node holding pend[@from .. npend), which it takes over. */
static int
make_list(sx_parser *ps, size_t from, xm_sexpr **out)
{
    size_t n = ps->npend - from;
    xm_sexpr *node;

    node = arena_alloc(ps->arena,
                       SX_ROUND(sizeof(*node) + n * sizeof(xm_sexpr *)));
    if (!node)
        return sx_nomem(ps);
    node->kind = XM_SEXPR_LIST;
    node->flags = 0;
    node->len = (uint32_t)n;
    node->u.items = (xm_sexpr **)(void *)(node + 1);
    if (n)
        memcpy(node->u.items, ps->pend + from, n * sizeof(xm_sexpr *));
    ps->npend = from;
    *out = node;
    return 0;
}

static inline int
hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Decode the string body data[@s .. @e) (data[@e] is the closing quote)
 * into @out, which has room for @e - @s bytes. Escapes per reference
 * 2.1; an unknown escape keeps the backslash and drops the letter.
 */
static int
decode_string(sx_parser *ps, size_t s, size_t e, char *out,
              size_t *len_out)
{
    const unsigned char *d = ps->data;
    size_t i = s;
    size_t o = 0;
    size_t j;
    unsigned int v;
    int hi;
    int lo;

    while (i < e) {
        if (d[i] != '\\') {
            out[o++] = (char)d[i++];
            continue;
        }
        /* The scan made sure that a backslash is not the last byte. */
        switch (d[i + 1]) {
        case 'a': out[o++] = '\a'; i += 2; break;
        case 'b': out[o++] = '\b'; i += 2; break;
        case 't': out[o++] = '\t'; i += 2; break;
        case 'n': out[o++] = '\n'; i += 2; break;
        case 'v': out[o++] = '\v'; i += 2; break;
        case 'f': out[o++] = '\f'; i += 2; break;
        case 'r': out[o++] = '\r'; i += 2; break;
        case '\\': out[o++] = '\\'; i += 2; break;
        case '\'': out[o++] = '\''; i += 2; break;
        case '"': out[o++] = '"'; i += 2; break;
        case 'x':
            /* d[e] is the closing quote, so d[i + 3] is in bounds
             * whenever d[i + 2] lies inside the string. */
            hi = i + 2 < e ? hexval(d[i + 2]) : -1;
            lo = hi >= 0 ? hexval(d[i + 3]) : -1;
            if (lo < 0)
                return sx_fail(ps, XENMIG_EPARSE, i,
                               "invalid escape '\\x' (needs two hex "
                               "digits)");
            out[o++] = (char)(hi * 16 + lo);
            i += 4;
            break;
        case '0': case '1': case '2': case '3':
        case '4': case '5': case '6': case '7':
            v = 0;
            j = i + 1;
            while (j < e && j < i + 4 && d[j] >= '0' && d[j] <= '7') {
                v = v * 8 + (unsigned int)(d[j] - '0');
                j++;
            }
            if (v > 255)
                return sx_fail(ps, XENMIG_EPARSE, i,
                               "invalid octal escape '\\%.3s' (over 255)",
                               (const char *)d + i + 1);
            out[o++] = (char)v;
            i = j;
            break;
        default:
            out[o++] = '\\';
            i += 2;
            break;
        }
    }
    *len_out = o;
    return 0;
}

/* A quoted string that starts at data[*pos]. */
static int
parse_string(sx_parser *ps, size_t *pos, xm_sexpr **out)
{
    const unsigned char *d = ps->data;
    size_t n = ps->len;
    size_t start = *pos;
    unsigned char q = d[start];
    unsigned int stop = q == '"' ? SX_S_DQ : SX_S_SQ;
    size_t j = start + 1;
    size_t blen;
    int escapes = 0;
    xm_sexpr *node;
    int rc;

    for (;;) {
        while (j < n && !(sx_scan[d[j]] & stop))
            j++;
        if (j >= n)
            return sx_fail_eof(ps, "string", start);
        if (d[j] == q)
            break;
        escapes = 1;          /* a backslash: skip the byte it protects */
        j += 2;
    }
    blen = j - start - 1;
    if (!escapes && blen > XM_SEXPR_MAX_ATOM)
        return sx_fail(ps, XENMIG_ERANGE, start,
                       "string longer than %u bytes",
                       (unsigned int)XM_SEXPR_MAX_ATOM);
    node = new_arena_value(ps, blen);
    if (!node)
        return sx_nomem(ps);
    if (escapes) {
        rc = decode_string(ps, start + 1, j, node->u.str, &blen);
        if (rc) return rc;
        if (blen > XM_SEXPR_MAX_ATOM)
            return sx_fail(ps, XENMIG_ERANGE, start,
                           "string longer than %u bytes",
                           (unsigned int)XM_SEXPR_MAX_ATOM);
    } else {
        memcpy(node->u.str, d + start + 1, blen);
    }
    node->u.str[blen] = '\0';
    node->len = (uint32_t)blen;
    *pos = j + 1;
    *out = node;
    return 0;
}

/*
 * The main loop. With @first_only, stop after the first complete
 * top-level value; otherwise read to the end. Finished top-level
 * values are left in ps->pend.
 */
static int
parse_text(sx_parser *ps, int first_only)
{
    const unsigned char *d = ps->data;
    size_t n = ps->len;
    size_t i = 0;
    size_t j;
    const unsigned char *nl;
    xm_sexpr *node;
    int rc;

    while (i < n) {
        switch (sx_token[d[i]]) {
        case SX_T_SPACE:
            i++;
            continue;
        case SX_T_OPEN:
            if (ps->depth == XM_SEXPR_MAX_DEPTH)
                return sx_fail(ps, XENMIG_ERANGE, i,
                               "lists nested deeper than %d",
                               XM_SEXPR_MAX_DEPTH);
            ps->depth++;
            ps->base[ps->depth] = ps->npend;
            ps->open[ps->depth] = i;
            i++;
            continue;
        case SX_T_CLOSE:
            if (ps->depth == 0)
                return sx_fail(ps, XENMIG_EPARSE, i,
                               "syntax error: ')' at top level");
            rc = make_list(ps, ps->base[ps->depth], &node);
            if (rc) return rc;
            ps->depth--;
            i++;
            break;
        case SX_T_COMMENT:
            nl = memchr(d + i, '\n', n - i);
            i = nl ? (size_t)(nl - d) + 1 : n;
            continue;
        case SX_T_QUOTE:
            rc = parse_string(ps, &i, &node);
            if (rc) return rc;
            break;
        case SX_T_EOT:
            /* xend stops reading here: so do we, and errors about an
             * unfinished list point at this byte. */
            ps->len = i;
            n = i;
            continue;
        case SX_T_BAD:
            return sx_fail(ps, XENMIG_EPARSE, i,
                           "invalid character: code %u",
                           (unsigned int)d[i]);
        default:
            /* An atom; its first byte may be a separator such as ';'. */
            j = i + 1;
            while (j < n && (sx_scan[d[j]] & SX_S_ATOM))
                j++;
            if (j - i > XM_SEXPR_MAX_ATOM)
                return sx_fail(ps, XENMIG_ERANGE, i,
                               "atom longer than %u bytes",
                               (unsigned int)XM_SEXPR_MAX_ATOM);
            node = new_arena_value(ps, j - i);
            if (!node)
                return sx_nomem(ps);
            memcpy(node->u.str, d + i, j - i);
            node->u.str[j - i] = '\0';
            node->len = (uint32_t)(j - i);
            i = j;
            break;
        }
        if (++ps->nodes > XM_SEXPR_MAX_NODES)
            return sx_fail(ps, XENMIG_ERANGE, i - 1,
                           "more than %u values and lists",
                           (unsigned int)XM_SEXPR_MAX_NODES);
        rc = pend_push(ps, node);
        if (rc) return rc;
        if (first_only && ps->depth == 0)
            return 0;
    }
    if (ps->depth > 0)
        return sx_fail_eof(ps, "list", ps->open[ps->depth]);
    return 0;
}

static int
parse_doc(xm_sexpr **out, const char *data, size_t len, int first_only,
          xenmig_error *err)
{
    sx_parser ps;
    sx_doc *doc = NULL;
    xm_sexpr *root = NULL;
    int rc;

    tables_ready();
    memset(&ps, 0, sizeof(ps));
    ps.data = (const unsigned char *)data;
    ps.len = len;
    ps.err = err;
    if (!out || (!data && len)) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "sexpr: no output or no input given");
        goto out;
    }
    *out = NULL;
    if (len > XM_SEXPR_MAX_INPUT) {
        rc = sx_fail(&ps, XENMIG_ERANGE, XM_SEXPR_MAX_INPUT,
                     "input longer than %u bytes",
                     (unsigned int)XM_SEXPR_MAX_INPUT);
        goto out;
    }
    doc = xm_malloc(sizeof(*doc));
    if (!doc) {
        rc = sx_nomem(&ps);
        goto out;
    }
    arena_init(&doc->arena, len);
    ps.arena = &doc->arena;

    rc = parse_text(&ps, first_only);
    if (rc) goto out;

    if (first_only) {
        if (ps.npend == 0) {
            rc = sx_fail(&ps, XENMIG_EPARSE, len, "no value in input");
            goto out;
        }
        root = ps.pend[0];
    } else {
        rc = make_list(&ps, 0, &root);
        if (rc) goto out;
    }
    /* The root node moves into the doc; nothing else points to it. */
    doc->node = *root;
    doc->node.flags = SX_F_DOC;
    doc->nfixed = root->kind == XM_SEXPR_LIST ? root->len : 0;
    *out = &doc->node;
    doc = NULL;
    rc = 0;
 out:
    if (doc) {
        arena_dispose(&doc->arena);
        xm_free(doc);
    }
    xm_free(ps.pend);
    return rc;
}

int
xm_sexpr_parse(xm_sexpr **out, const char *data, size_t len,
               xenmig_error *err)
{
    return parse_doc(out, data, len, 1, err);
}

int
xm_sexpr_parse_all(xm_sexpr **out, const char *data, size_t len,
                   xenmig_error *err)
{
    return parse_doc(out, data, len, 0, err);
}

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
        arena_dispose(&doc->arena);
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

    tables_ready();
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
