/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sexpr_parse.c: the parser of xend's S-expressions (reference 2.1)
 *
 * The parser makes one pass over the input with an explicit stack, so
 * deep input is an error with a position and never a stack overflow.
 * Values that are complete but not yet in a list wait on a pending
 * array; when a list closes, its items are copied from there into one
 * array of exactly the right size, in the tree's arena. The character
 * tables (Python's shlex classes, as xend uses them) are filled once
 * and shared with the printer.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lib/sexpr_impl.h"

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
unsigned char sx_atomchar[256];

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

void
sx_tables_ready(void)
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

    node = sx_arena_alloc(ps->arena, SX_ROUND(sizeof(*node) + cap + 1));
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

    node = sx_arena_alloc(ps->arena,
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

    sx_tables_ready();
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
    sx_arena_init(&doc->arena, len);
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
        sx_arena_dispose(&doc->arena);
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
