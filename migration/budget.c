/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * budget.c: one bandwidth budget shared by relayed streams (see
 * budget.h and xenmig_budget_new() in xenmig.h)
 *
 * Refills happen lazily, under the budget's mutex, whenever a stream
 * asks: the time since the last refill times the rate is split equally
 * between the streams that have joined. A stream's bucket holds at
 * most its share of the budget's burst (XM_BUDGET_BURST_MS of the
 * rate, but XM_BUDGET_MIN_BURST at least); the excess goes to the
 * pool, which holds at most one burst and drops the rest. Tokens never
 * pile up beyond that, so the sum of the streams over any interval t
 * is at most rate * t plus two bursts.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "migration/budget.h"

struct xm_budget_stream {
    xenmig_budget *b;
    double tokens;                  /* may go below 0: a debt */
    xm_budget_stream *next;
};

struct xenmig_budget {
    pthread_mutex_t mu;
    unsigned int refs;              /* the owner's, and one a stream */
    double rate_Bps;
    double burst;
    double pool;
    struct timespec last;           /* last refill */
    xm_budget_stream *streams;
    unsigned int n, peak;
    uint64_t bytes;
};

static double
share_cap(const xenmig_budget *b)
{
    double cap = b->burst / (b->n ? b->n : 1);

    return cap < XM_BUDGET_MIN_BURST ? XM_BUDGET_MIN_BURST : cap;
}

static void
set_rate(xenmig_budget *b, uint64_t bps)
{
    b->rate_Bps = (double)bps / 8.0;
    b->burst = b->rate_Bps * XM_BUDGET_BURST_MS / 1000.0;
    if (b->burst < XM_BUDGET_MIN_BURST)
        b->burst = XM_BUDGET_MIN_BURST;
}

/* Hand out the tokens earned since the last refill. Locked. */
static void
refill(xenmig_budget *b)
{
    struct timespec now;
    double add, cap, over = 0;
    xm_budget_stream *s;

    clock_gettime(CLOCK_MONOTONIC, &now);
    add = ((double)(now.tv_sec - b->last.tv_sec) +
           (now.tv_nsec - b->last.tv_nsec) / 1e9) * b->rate_Bps;
    b->last = now;
    if (add <= 0 || !b->n)
        return;
    cap = share_cap(b);
    for (s = b->streams; s; s = s->next) {
        s->tokens += add / b->n;
        if (s->tokens > cap) {
            over += s->tokens - cap;
            s->tokens = cap;
        }
    }
    b->pool += over;
    if (b->pool > b->burst)
        b->pool = b->burst;
}

int
xm_budget_new_bps(xenmig_budget **out, uint64_t bps, xenmig_error *err)
{
    xenmig_budget *b;

    *out = NULL;
    if (bps == 0)
        return xm_error_set(err, XENMIG_EINVAL,
                            "a bandwidth budget must be above 0");
    b = xm_calloc(1, sizeof(*b));
    if (!b)
        return xm_error_set(err, XENMIG_ENOMEM,
                            "bandwidth budget: out of memory");
    if (pthread_mutex_init(&b->mu, NULL)) {
        xm_free(b);
        return xm_error_set(err, XENMIG_ENOMEM,
                            "bandwidth budget: no mutex");
    }
    b->refs = 1;
    set_rate(b, bps);
    clock_gettime(CLOCK_MONOTONIC, &b->last);
    *out = b;
    return 0;
}

int
xenmig_budget_new(xenmig_budget **out, unsigned long mbit,
                  xenmig_error *err)
{
    if (!out)
        return xm_error_set(err, XENMIG_EINVAL, "budget: no out pointer");
    *out = NULL;
    if (mbit == 0 || mbit > XM_BUDGET_MAX_MBIT)
        return xm_error_set(err, XENMIG_EINVAL,
                            "bandwidth budget %lu Mbit/s is not in "
                            "1..%lu", mbit, XM_BUDGET_MAX_MBIT);
    return xm_budget_new_bps(out, (uint64_t)mbit * 1000000u, err);
}

int
xenmig_budget_set(xenmig_budget *b, unsigned long mbit, xenmig_error *err)
{
    if (!b || mbit == 0 || mbit > XM_BUDGET_MAX_MBIT)
        return xm_error_set(err, XENMIG_EINVAL,
                            "bandwidth budget %lu Mbit/s is not in "
                            "1..%lu", mbit, XM_BUDGET_MAX_MBIT);
    pthread_mutex_lock(&b->mu);
    refill(b);                      /* the time so far at the old rate */
    set_rate(b, (uint64_t)mbit * 1000000u);
    pthread_mutex_unlock(&b->mu);
    return 0;
}

void
xenmig_budget_usage(const xenmig_budget *cb, uint64_t *bytes,
                    unsigned int *streams, unsigned int *peak)
{
    xenmig_budget *b = (xenmig_budget *)cb;   /* the mutex only */

    if (!b) {
        if (bytes) *bytes = 0;
        if (streams) *streams = 0;
        if (peak) *peak = 0;
        return;
    }
    pthread_mutex_lock(&b->mu);
    if (bytes) *bytes = b->bytes;
    if (streams) *streams = b->n;
    if (peak) *peak = b->peak;
    pthread_mutex_unlock(&b->mu);
}

/* Drop one reference; the last frees. */
static void
unref(xenmig_budget *b)
{
    unsigned int left;

    pthread_mutex_lock(&b->mu);
    left = --b->refs;
    pthread_mutex_unlock(&b->mu);
    if (left)
        return;
    pthread_mutex_destroy(&b->mu);
    xm_free(b);
}

void
xenmig_budget_free(xenmig_budget *b)
{
    if (b)
        unref(b);
}

int
xm_budget_join(xm_budget_stream **out, xenmig_budget *b,
               xenmig_error *err)
{
    xm_budget_stream *s;

    *out = NULL;
    s = xm_calloc(1, sizeof(*s));
    if (!s)
        return xm_error_set(err, XENMIG_ENOMEM,
                            "bandwidth budget: out of memory");
    s->b = b;
    pthread_mutex_lock(&b->mu);
    refill(b);                      /* earned by the streams so far */
    b->refs++;
    s->next = b->streams;
    b->streams = s;
    b->n++;
    if (b->n > b->peak)
        b->peak = b->n;
    pthread_mutex_unlock(&b->mu);
    *out = s;
    return 0;
}

void
xm_budget_leave(xm_budget_stream *s)
{
    xenmig_budget *b;
    xm_budget_stream **pp;

    if (!s)
        return;
    b = s->b;
    pthread_mutex_lock(&b->mu);
    refill(b);
    for (pp = &b->streams; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    b->n--;
    b->pool += s->tokens;           /* a debt is paid by the others */
    if (b->pool > b->burst)
        b->pool = b->burst;
    if (b->pool < -b->burst)
        b->pool = -b->burst;
    pthread_mutex_unlock(&b->mu);
    xm_free(s);
    unref(b);
}

size_t
xm_budget_grant(xm_budget_stream *s, size_t want, long *wait_ms)
{
    xenmig_budget *b = s->b;
    double have, quantum, ms;
    size_t got;

    pthread_mutex_lock(&b->mu);
    refill(b);
    have = s->tokens + (b->pool > 0 ? b->pool : 0);
    quantum = share_cap(b) / 4;
    if (have < quantum) {
        ms = (quantum - have) * 1000.0 * b->n / b->rate_Bps;
        *wait_ms = ms < 1 ? 1 : (long)ms + 1;
        got = 0;
    } else {
        *wait_ms = 0;
        got = (double)want > have ? (size_t)have : want;
    }
    pthread_mutex_unlock(&b->mu);
    return got;
}

void
xm_budget_spend(xm_budget_stream *s, size_t n)
{
    xenmig_budget *b = s->b;
    double k = (double)n;
    double own;

    pthread_mutex_lock(&b->mu);
    own = s->tokens > 0 ? s->tokens : 0;
    if (k <= own) {
        s->tokens -= k;
    } else {
        s->tokens -= own;
        k -= own;
        if (b->pool >= k) {
            b->pool -= k;
        } else {
            /* another stream took the pool meanwhile: owe it */
            k -= b->pool > 0 ? b->pool : 0;
            if (b->pool > 0)
                b->pool = 0;
            s->tokens -= k;
        }
    }
    b->bytes += n;
    pthread_mutex_unlock(&b->mu);
}
