/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sexpr_impl.h: the insides of an S-expression tree, shared by the
 * files of lib/ that make, read and print one (not installed)
 *
 * A parsed tree lives in an arena owned by its root (sx_doc): nodes,
 * their bytes and item arrays are carved out of a few large chunks
 * (sexpr_arena.c), and xm_sexpr_free() on the root releases the chunks.
 * Nodes made by xm_sexpr_new_*() are plain heap allocations. Flags on
 * each node say which of its parts it owns, so the two kinds can be
 * mixed. Built with XM_SEXPR_PLAIN_MALLOC (bench/sxp-arena.sh's
 * baseline, never the library), every arena allocation is a malloc.
 */
#ifndef XENMIG_SEXPR_IMPL_H
#define XENMIG_SEXPR_IMPL_H

#include <stdint.h>

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

/* ---- arena (sexpr_arena.c) ------------------------------------------ */

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

/* An empty arena whose first chunk suits @input_len bytes of text. */
void sx_arena_init(sx_arena *a, size_t input_len);

/* Free every chunk of @a. */
void sx_arena_dispose(sx_arena *a);

#ifdef XM_SEXPR_PLAIN_MALLOC
void *sx_arena_alloc(sx_arena *a, size_t size);
#else
/* A new chunk (or a big block of its own) for @size bytes. */
void *sx_arena_alloc_slow(sx_arena *a, size_t size);

/* @size bytes from @a, NULL when out of memory; @size must already be
 * a multiple of SX_ALIGN. */
static inline void *
sx_arena_alloc(sx_arena *a, size_t size)
{
    char *p;

    if (a->left >= size) {
        p = a->cur;
        a->cur += size;
        a->left -= size;
        return p;
    }
    return sx_arena_alloc_slow(a, size);
}
#endif

/* ---- character classes (sexpr_parse.c) ------------------------------ */

/* Characters that xend's printer leaves unquoted (after
 * sx_tables_ready()). */
extern unsigned char sx_atomchar[256];

/* Fill the character tables, once for the process. */
void sx_tables_ready(void);

#endif /* XENMIG_SEXPR_IMPL_H */
