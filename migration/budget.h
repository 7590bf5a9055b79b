/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * budget.h: bandwidth budgets for relayed streams (not installed)
 *
 * A budget is a token bucket that one or more streams share: each
 * stream that has joined gets an equal share of the rate in a bucket
 * of its own, so no stream starves; what a stream does not use (its
 * bucket full: the source is slow, or the stream is between steps)
 * overflows into a pool any stream may take from, so the sum of the
 * streams stays at the budget while any of them can use it. Shares are
 * recomputed whenever a stream joins or leaves. The relay's own
 * per-stream cap (--resource) is a private budget with one member.
 */
#ifndef XENMIG_BUDGET_H
#define XENMIG_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "lib/internal.h"

#define XM_BUDGET_MIN_BURST (64 * 1024)   /* bytes, a stream's bucket */
#define XM_BUDGET_BURST_MS 50             /* the whole budget's bucket */
#define XM_BUDGET_MAX_MBIT 10000000UL     /* 10 Tbit/s: beyond any link */

typedef struct xm_budget_stream xm_budget_stream;

/* A budget of @bps bits/s (1 bit/s at least), one reference held. */
int xm_budget_new_bps(xenmig_budget **out, uint64_t bps,
                      xenmig_error *err);

/*
 * Join @b as one more stream (takes a reference: the budget lives
 * until its last stream has left). Returns 0 or XENMIG_ENOMEM.
 */
int xm_budget_join(xm_budget_stream **out, xenmig_budget *b,
                   xenmig_error *err);

/* Leave: the stream's unused tokens go to the pool. NULL is a no-op. */
void xm_budget_leave(xm_budget_stream *s);

/*
 * How many of @want bytes the stream may move now. 0 when its share
 * and the pool hold less than a worthwhile quantum (a quarter of its
 * bucket): then *wait_ms says when to ask again. The bytes are only
 * counted by xm_budget_spend().
 */
size_t xm_budget_grant(xm_budget_stream *s, size_t want, long *wait_ms);

/* @n bytes moved: from the stream's share first, then the pool. */
void xm_budget_spend(xm_budget_stream *s, size_t n);

#endif /* XENMIG_BUDGET_H */
