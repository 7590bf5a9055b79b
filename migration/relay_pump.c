/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * relay_pump.c: the relay's stream (see relay.h, relay_int.h): both
 * directions moved until the destination closes, the bulk one by
 * splice() as far as the budgets allow (budget.c), progress about once
 * a second, the destination's verdict read from its replies.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "migration/relay_int.h"

void
xm_relay_report(xm_relay *r, int done)
{
    xenmig_progress p;
    long now = xm_now_ms();
    uint64_t b = r->res.bytes_to_dest;
    uint64_t mem = r->o.memory_bytes;
    long dt = now - r->last_report;

    if (!r->o.progress)
        return;
    memset(&p, 0, sizeof(p));
    p.bytes = b;
    p.memory_bytes = mem;
    p.elapsed_s = (now - r->t0) / 1000.0;
    if (dt > 0)
        p.rate_mbit = (double)(b - r->report_bytes) * 8.0 / dt / 1000.0;
    p.pass = 1;
    if (mem) {
        p.pass = (unsigned int)(1 + b / mem);
        p.percent = p.pass > 1 ? 100 : (int)(b * 100 / mem);
    }
    p.done = done;
    p.sent = r->sent;
    r->last_report = now;
    r->report_bytes = b;
    r->next_report = now + XM_RELAY_PROGRESS_MS;
    if (r->o.progress(&p, r->o.payload) && !done) {
        r->res.user_cancelled = 1;
        xm_relay_cancel(r);
    }
}

/*
 * How many of @want bytes the budgets allow now (the least of them);
 * 0 with *wait_ms when one of them wants to refill first.
 */
static size_t
paced(xm_relay *r, size_t want, long *wait_ms)
{
    long w;
    int i;

    *wait_ms = 0;
    for (i = 0; i < 2 && want; i++) {
        if (!r->pace[i])
            continue;
        want = xm_budget_grant(r->pace[i], want, &w);
        if (!want)
            *wait_ms = w;
    }
    return want;
}

static void
spend(xm_relay *r, size_t n)
{
    int i;

    for (i = 0; i < 2; i++) {
        if (r->pace[i])
            xm_budget_spend(r->pace[i], n);
    }
}

/* Join the budgets for the stream's life: shares follow the streams. */
int
xm_relay_join_budgets(xm_relay *r)
{
    int rc = 0;

    if (r->own)
        rc = xm_budget_join(&r->pace[0], r->own, &r->err);
    if (!rc && r->o.budget)
        rc = xm_budget_join(&r->pace[1], r->o.budget, &r->err);
    return rc;
}

void
xm_relay_leave_budgets(xm_relay *r)
{
    xm_budget_leave(r->pace[0]);
    xm_budget_leave(r->pace[1]);
    r->pace[0] = r->pace[1] = NULL;
}

/* The destination's verdict: the first reply line that is not (ready. */
void
xm_relay_find_verdict(xm_relay *r)
{
    const char *p = r->cap;
    const char *end = r->cap + r->caplen;
    const char *nl;
    int ok = 0;

    r->res.verdict = -1;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        if (nl > p && strncmp(p, "(ready", 6) != 0 &&
            (size_t)(nl - p) <= XM_RELOC_MAX_REPLY &&
            xm_reloc_parse_reply(&ok, r->res.verdict_msg,
                                 sizeof(r->res.verdict_msg), p,
                                 (size_t)(nl - p), NULL) == 0) {
            r->res.verdict = ok;
            return;
        }
        p = nl + 1;
    }
}

static int
io_error(xm_relay *r, const char *who, const char *what, int e)
{
    return xm_error_set_errno(&r->err, XENMIG_EIO, e,
                              "relay: %s: %s at byte %llu", who, what,
                              (unsigned long long)r->res.bytes_to_dest);
}

/* Move bytes both ways until the destination closes. */
int
xm_relay_pump(xm_relay *r)
{
    struct pollfd p[3];
    size_t in_pipe = 0;
    size_t pipe_cap = r->pipe_cap;
    int src_eof = 0, dst_shut = 0, dst_eof = 0, src_dead = 0;
    int dst_dead = 0;
    long verdict_deadline = 0;
    long now, timeout, t, token_wait;
    int moved, want_src_in, want_dst_out, want_dst_in, want_src_out;
    int np, n;
    ssize_t k;
    size_t want;
    char d[32];

    r->last_move = xm_now_ms();
    for (;;) {
        now = xm_now_ms();
        if (xm_relay_cancelled(r)) {
            r->res.cancelled = 1;
            return xm_error_set(&r->err, XENMIG_ECANCELLED,
                                "relay: cancelled at byte %llu",
                                (unsigned long long)r->res.bytes_to_dest);
        }
        if (now >= r->next_report)
            xm_relay_report(r, 0);
        moved = 0;
        want_src_in = want_dst_out = want_dst_in = want_src_out = 0;
        token_wait = 0;

        /* source -> pipe, as far as the budgets allow */
        if (!src_eof && in_pipe < pipe_cap) {
            want = paced(r, pipe_cap - in_pipe, &token_wait);
            if (want > 0) {
                k = splice(r->src, NULL, r->pipe_w, NULL, want,
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (k > 0) {
                    in_pipe += (size_t)k;
                    spend(r, (size_t)k);
                    moved = 1;
                } else if (k == 0) {
                    src_eof = 1;
                } else if (errno == EAGAIN || errno == EINTR) {
                    want_src_in = 1;
                } else {
                    return io_error(r, "source", "read", errno);
                }
            }
        }
        /* pipe -> destination */
        if (in_pipe > 0 && !dst_dead) {
            k = splice(r->pipe_r, NULL, r->dst, NULL, in_pipe,
                       SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (k > 0) {
                in_pipe -= (size_t)k;
                r->res.bytes_to_dest += (uint64_t)k;
                moved = 1;
            } else if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
                want_dst_out = 1;
            } else {
                /* the destination went away; its reply says why */
                dst_dead = 1;
            }
        }
        if (src_eof && in_pipe == 0 && !dst_shut && !dst_dead) {
            shutdown(r->dst, SHUT_WR);
            dst_shut = 1;
            verdict_deadline = now + r->o.verdict_timeout_ms;
            /* nothing more to pace: the stream's share goes to the
             * others now, not after the destination's restore */
            xm_relay_leave_budgets(r);
            r->sent = 1;
            xm_relay_report(r, 0);
        }
        /* destination -> buffer */
        if (!dst_eof && r->doff == r->dlen) {
            k = recv(r->dst, r->dbuf, sizeof(r->dbuf), MSG_DONTWAIT);
            if (k > 0) {
                r->dlen = (size_t)k;
                r->doff = 0;
                if (r->caplen + (size_t)k <= XM_RELAY_CAPTURE) {
                    memcpy(r->cap + r->caplen, r->dbuf, (size_t)k);
                    r->caplen += (size_t)k;
                }
                moved = 1;
            } else if (k == 0) {
                dst_eof = 1;
            } else if (errno == EAGAIN || errno == EINTR) {
                want_dst_in = 1;
            } else {
                dst_eof = 1;
            }
        }
        /* buffer -> source (it may have closed: then the reply drops) */
        if (r->doff < r->dlen) {
            if (src_dead) {
                r->doff = r->dlen;
            } else {
                k = send(r->src, r->dbuf + r->doff, r->dlen - r->doff,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
                if (k > 0) {
                    r->doff += (size_t)k;
                    r->res.bytes_to_source += (uint64_t)k;
                    moved = 1;
                } else if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
                    want_src_out = 1;
                } else {
                    src_dead = 1;
                    r->doff = r->dlen;
                }
            }
        }
        if (moved)
            r->last_move = now;
        if (dst_eof && r->doff == r->dlen) {
            if (!src_eof)
                xm_relay_reset_fd(&r->src);      /* the source must not go on */
            return 0;
        }
        if (dst_dead && !dst_eof && !want_dst_in && !moved)
            want_dst_in = 1;
        if (moved)
            continue;

        /* nothing moved: sleep until something can */
        if (!dst_shut && now - r->last_move >= r->o.stall_ms) {
            r->res.stalled = 1;
            return xm_error_set(&r->err, XENMIG_ETIMEOUT,
                                "relay: stream stalled: no progress for "
                                "%s at byte %llu",
                                xm_relay_dur(d, sizeof(d), r->o.stall_ms),
                                (unsigned long long)r->res.bytes_to_dest);
        }
        if (dst_shut && now >= verdict_deadline)
            return xm_error_set(&r->err, XENMIG_ETIMEOUT,
                                "relay: destination %s: no verdict "
                                "within %s after the stream ended",
                                r->dname,
                                xm_relay_dur(d, sizeof(d),
                                    r->o.verdict_timeout_ms));
        timeout = r->next_report - now;
        if (dst_shut)
            t = verdict_deadline - now;
        else
            t = r->last_move + r->o.stall_ms - now;
        if (t < timeout)
            timeout = t;
        if (token_wait && token_wait < timeout)
            timeout = token_wait;
        if (timeout < 1)
            timeout = 1;
        np = 0;
        p[np].fd = r->wake_r;
        p[np++].events = POLLIN;
        if (want_src_in || want_src_out) {
            p[np].fd = r->src;
            p[np++].events = (short)((want_src_in ? POLLIN : 0) |
                                     (want_src_out ? POLLOUT : 0));
        }
        if (want_dst_in || want_dst_out) {
            p[np].fd = r->dst;
            p[np++].events = (short)((want_dst_in ? POLLIN : 0) |
                                     (want_dst_out ? POLLOUT : 0));
        }
        for (n = 0; n < np; n++)
            p[n].revents = 0;
        n = poll(p, (nfds_t)np, (int)timeout);
        if (n < 0 && errno != EINTR)
            return xm_error_set_errno(&r->err, XENMIG_EIO, errno,
                                      "relay: poll");
    }
}
