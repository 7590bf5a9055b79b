/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * relay_int.h: the relay's state, shared by relay.c (set-up, accept,
 * connect, the thread, wait and cancel) and relay_pump.c (the stream,
 * its pacing, progress and verdict). Not installed; no one else's.
 */
#ifndef XENMIG_RELAY_INT_H
#define XENMIG_RELAY_INT_H

#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "migration/budget.h"
#include "migration/relay.h"
#include "xend-client/reloc.h"

#define XM_RELAY_CAPTURE (2 * XM_RELOC_MAX_REPLY)
#define XM_RELAY_PROGRESS_MS 1000L

struct xm_relay {
    xm_relay_opts o;
    int lfd;                    /* listening socket */
    int src;                    /* the source xend's connection */
    int dst;                    /* to the destination */
    int pipe_r, pipe_w;         /* splice pipe */
    size_t pipe_cap;            /* its capacity, bytes */
    int wake_r, wake_w;         /* xm_relay_cancel() wakes poll() */
    int port;
    int cancel;                 /* set atomically */
    int joined;
    int started;                /* the thread runs */
    int finished;               /* the thread is done (set atomically) */
    pthread_t thread;
    char dname[40];             /* "a.b.c.d:port" of the destination */
    int rc;
    xenmig_error err;
    xm_relay_result res;

    /* worker state */
    long t0;                    /* source connected, ms */
    long last_move;
    long next_report;
    long last_report;
    uint64_t report_bytes;
    int sent;                       /* every byte is at the destination */
    xenmig_budget *own;         /* the per-stream cap (rate_bps) */
    xm_budget_stream *pace[2];  /* in it, and in the shared budget */
    char dbuf[XM_RELOC_MAX_REPLY]; /* destination -> source */
    size_t dlen, doff;
    char cap[XM_RELAY_CAPTURE + 1];   /* every reply byte, for the verdict */
    size_t caplen;
};

/* "30 s", or "300 ms" when not a whole number of seconds. */
static inline const char *
xm_relay_dur(char *buf, size_t size, long ms)
{
    if (ms % 1000 == 0)
        xm_snprintf(buf, size, "%ld s", ms / 1000);
    else
        xm_snprintf(buf, size, "%ld ms", ms);
    return buf;
}

static inline int
xm_relay_cancelled(xm_relay *r)
{
    return __sync_fetch_and_add(&r->cancel, 0);
}

static inline void
xm_relay_close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Close with a reset, so the peer's next read or write fails at once. */
static inline void
xm_relay_reset_fd(int *fd)
{
    struct linger lg;

    if (*fd < 0)
        return;
    lg.l_onoff = 1;
    lg.l_linger = 0;
    setsockopt(*fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    xm_relay_close_fd(fd);
}

/* relay_pump.c */
void xm_relay_report(xm_relay *r, int done);
int xm_relay_join_budgets(xm_relay *r);
void xm_relay_leave_budgets(xm_relay *r);
void xm_relay_find_verdict(xm_relay *r);
int xm_relay_pump(xm_relay *r);

#endif /* XENMIG_RELAY_INT_H */
