/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sexpr_arena.c: the arena a parsed S-expression tree lives in
 *
 * Chunks grow from a size suited to the input up to SX_CHUNK_MAX; an
 * allocation too big for the head chunk's share gets a chunk of its
 * own behind the head, so the head's free space stays in use. The fast
 * path (sx_arena_alloc) is inline in sexpr_impl.h. Freeing is all at
 * once, by the tree's root. bench/sxp-arena.sh measures why this is
 * worth it against one malloc a node (XM_SEXPR_PLAIN_MALLOC below).
 */
#include <stdint.h>

#include "lib/sexpr_impl.h"

void
sx_arena_init(sx_arena *a, size_t input_len)
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

void
sx_arena_dispose(sx_arena *a)
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

void *
sx_arena_alloc(sx_arena *a, size_t size)
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
void *
sx_arena_alloc_slow(sx_arena *a, size_t size)
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
#endif
