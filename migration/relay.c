/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * relay.c: the migration relay between a source xend and the
 * destination's relocation server (see relay.h)
 *
 * One worker thread per relay runs a poll() loop over non-blocking
 * sockets. The bulk direction (source to destination) moves with
 * splice() through one kernel pipe, so the bytes never enter user
 * space; token buckets (budget.c) limit how much is taken from the
 * source. The reply direction is a few dozen bytes ("(ready receive)\n", then
 * "(ok)\n" or "(err ...)\n"): copied through a small buffer and kept
 * for the verdict.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "migration/budget.h"
#include "migration/relay.h"
#include "xend-client/reloc.h"

#define REPLY_CAPTURE (2 * XM_RELOC_MAX_REPLY)
#define PROGRESS_MS 1000L

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
    xenmig_budget *own;         /* the per-stream cap (rate_bps) */
    xm_budget_stream *pace[2];  /* in it, and in the shared budget */
    char dbuf[XM_RELOC_MAX_REPLY]; /* destination -> source */
    size_t dlen, doff;
    char cap[REPLY_CAPTURE + 1];   /* every reply byte, for the verdict */
    size_t caplen;
};


/* "30 s", or "300 ms" when not a whole number of seconds. */
static const char *
dur(char *buf, size_t size, long ms)
{
    if (ms % 1000 == 0)
        xm_snprintf(buf, size, "%ld s", ms / 1000);
    else
        xm_snprintf(buf, size, "%ld ms", ms);
    return buf;
}

static int
cancelled(xm_relay *r)
{
    return __sync_fetch_and_add(&r->cancel, 0);
}

static void
close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Close with a reset, so the peer's next read or write fails at once. */
static void
reset_fd(int *fd)
{
    struct linger lg;

    if (*fd < 0)
        return;
    lg.l_onoff = 1;
    lg.l_linger = 0;
    setsockopt(*fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close_fd(fd);
}

static void
report(xm_relay *r, int done)
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
    r->last_report = now;
    r->report_bytes = b;
    r->next_report = now + PROGRESS_MS;
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
static int
join_budgets(xm_relay *r)
{
    int rc = 0;

    if (r->own)
        rc = xm_budget_join(&r->pace[0], r->own, &r->err);
    if (!rc && r->o.budget)
        rc = xm_budget_join(&r->pace[1], r->o.budget, &r->err);
    return rc;
}

static void
leave_budgets(xm_relay *r)
{
    xm_budget_leave(r->pace[0]);
    xm_budget_leave(r->pace[1]);
    r->pace[0] = r->pace[1] = NULL;
}

/*
 * Wait up to @left ms for @events on @fd or for a cancel on the wake
 * pipe. Returns poll's count (0 on timeout or EINTR) with @fd's events
 * in *revents, or an XENMIG_EIO error recorded in r->err.
 */
static int
poll_or_wake(xm_relay *r, int fd, short events, long left,
             short *revents)
{
    struct pollfd p[2];
    int n;

    p[0].fd = fd;
    p[0].events = events;
    p[1].fd = r->wake_r;
    p[1].events = POLLIN;
    p[0].revents = p[1].revents = 0;
    n = poll(p, 2, (int)left);
    *revents = p[0].revents;
    if (n < 0 && errno != EINTR)
        return xm_error_set_errno(&r->err, XENMIG_EIO, errno,
                                  "relay: poll");
    return n < 0 ? 0 : n;
}

/* Is @a a source address this relay admits? */
static int
admitted(const xm_relay *r, struct in_addr a)
{
    size_t i;

    if (r->o.allow_loopback && (ntohl(a.s_addr) >> 24) == 127)
        return 1;
    for (i = 0; i < r->o.nallowed; i++) {
        if (r->o.allowed[i].s_addr == a.s_addr)
            return 1;
    }
    return 0;
}

/* Reset a connection from a host that is not the source; remember it. */
static void
refuse(xm_relay *r, int fd, struct in_addr a)
{
    int i, n = r->res.nrefused;

    for (i = 0; i < n; i++) {
        if (r->res.refused[i].s_addr == a.s_addr)
            break;
    }
    if (i == n && n < XM_RELAY_MAX_REFUSED)
        r->res.refused[r->res.nrefused++] = a;
    r->res.refused_peers++;
    reset_fd(&fd);
}

static int
wait_accept(xm_relay *r)
{
    short revents;
    struct sockaddr_in peer;
    socklen_t plen;
    long deadline = xm_now_ms() + r->o.accept_timeout_ms;
    long left;
    char d[32];
    int fd, n;

    for (;;) {
        if (cancelled(r)) {
            r->res.cancelled = 1;
            return xm_error_set(&r->err, XENMIG_ECANCELLED,
                                "relay: cancelled before the source "
                                "connected");
        }
        left = deadline - xm_now_ms();
        if (left <= 0)
            return xm_error_set(&r->err, XENMIG_ETIMEOUT,
                                "relay: source did not connect within "
                                "%s", dur(d, sizeof(d),
                                          r->o.accept_timeout_ms));
        n = poll_or_wake(r, r->lfd, POLLIN, left, &revents);
        if (n < 0)
            return n;
        if (n == 0 || !(revents & POLLIN))
            continue;
        plen = sizeof(peer);
        fd = accept4(r->lfd, (struct sockaddr *)&peer, &plen,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EINTR ||
                errno == ECONNABORTED)
                continue;
            return xm_error_set_errno(&r->err, XENMIG_EIO, errno,
                                      "relay: accept");
        }
        if (peer.sin_family != AF_INET || !admitted(r, peer.sin_addr)) {
            refuse(r, fd, peer.sin_addr);
            continue;
        }
        r->src = fd;
        close_fd(&r->lfd);
        return 0;
    }
}

static int
connect_dest(xm_relay *r)
{
    short revents;
    long deadline = xm_now_ms() + r->o.connect_timeout_ms;
    long left;
    char d[32];
    socklen_t elen = sizeof(int);
    int soerr = 0;
    int n;

    r->dst = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);
    if (r->dst < 0)
        return xm_error_set_errno(&r->err, XENMIG_EIO, errno,
                                  "relay: destination %s: socket",
                                  r->dname);
    if (connect(r->dst, (const struct sockaddr *)&r->o.dest_addr,
                sizeof(r->o.dest_addr)) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return xm_error_set_errno(&r->err, XENMIG_ECONNECT, errno,
                                  "relay: destination %s: connect",
                                  r->dname);
    for (;;) {
        if (cancelled(r)) {
            r->res.cancelled = 1;
            return xm_error_set(&r->err, XENMIG_ECANCELLED,
                                "relay: cancelled at byte 0");
        }
        left = deadline - xm_now_ms();
        if (left <= 0)
            return xm_error_set(&r->err, XENMIG_ETIMEOUT,
                                "relay: destination %s: connect: no "
                                "answer within %s", r->dname,
                                dur(d, sizeof(d),
                                    r->o.connect_timeout_ms));
        n = poll_or_wake(r, r->dst, POLLOUT, left, &revents);
        if (n < 0)
            return n;
        if (n > 0 && revents)
            break;
    }
    if (getsockopt(r->dst, SOL_SOCKET, SO_ERROR, &soerr, &elen) < 0)
        soerr = errno;
    if (soerr)
        return xm_error_set_errno(&r->err, XENMIG_ECONNECT, soerr,
                                  "relay: destination %s: connect",
                                  r->dname);
    return 0;
}

/* The destination's verdict: the first reply line that is not (ready. */
static void
find_verdict(xm_relay *r)
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
static int
pump(xm_relay *r)
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
        if (cancelled(r)) {
            r->res.cancelled = 1;
            return xm_error_set(&r->err, XENMIG_ECANCELLED,
                                "relay: cancelled at byte %llu",
                                (unsigned long long)r->res.bytes_to_dest);
        }
        if (now >= r->next_report)
            report(r, 0);
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
        }
        /* destination -> buffer */
        if (!dst_eof && r->doff == r->dlen) {
            k = recv(r->dst, r->dbuf, sizeof(r->dbuf), MSG_DONTWAIT);
            if (k > 0) {
                r->dlen = (size_t)k;
                r->doff = 0;
                if (r->caplen + (size_t)k <= REPLY_CAPTURE) {
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
                reset_fd(&r->src);      /* the source must not go on */
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
                                dur(d, sizeof(d), r->o.stall_ms),
                                (unsigned long long)r->res.bytes_to_dest);
        }
        if (dst_shut && now >= verdict_deadline)
            return xm_error_set(&r->err, XENMIG_ETIMEOUT,
                                "relay: destination %s: no verdict "
                                "within %s after the stream ended",
                                r->dname,
                                dur(d, sizeof(d),
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

static void *
worker(void *arg)
{
    xm_relay *r = arg;
    sigset_t pipe_set;
    struct timespec zero = { 0, 0 };
    int rc;

    /* a write to a closed socket by splice() must not kill the process */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);

    rc = wait_accept(r);
    if (rc) goto out;
    r->t0 = xm_now_ms();
    r->last_report = r->t0;
    r->next_report = r->t0 + PROGRESS_MS;
    rc = connect_dest(r);
    if (rc) goto out;
    rc = join_budgets(r);
    if (rc) goto out;
    rc = pump(r);
 out:
    leave_budgets(r);
    if (rc) {
        reset_fd(&r->src);
        reset_fd(&r->dst);
    }
    if (r->t0) {
        r->res.elapsed_s = (xm_now_ms() - r->t0) / 1000.0;
        find_verdict(r);
        report(r, 1);
    }
    close_fd(&r->src);
    close_fd(&r->dst);
    r->rc = rc;
    while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
        ;
    (void)__sync_fetch_and_or(&r->finished, 1);  /* a full barrier */
    return NULL;
}

/*
 * Raise the splice pipe to XM_RELAY_PIPE_SIZE unless @keep_default;
 * its capacity. A kernel before 2.6.35 has no F_SETPIPE_SZ (EINVAL),
 * pipe-max-size may refuse the size (EPERM), and the floor build
 * (XM_FLOOR) does not ask: the pipe then keeps the kernel's default of
 * 16 pages (pipe(7)), and the relay moves that much per splice().
 */
static size_t
pipe_capacity(int fd, int keep_default)
{
    long page = sysconf(_SC_PAGESIZE);
#if defined(F_SETPIPE_SZ) && defined(F_GETPIPE_SZ) && !defined(XM_FLOOR)
    int n;

    if (!keep_default)
        (void)fcntl(fd, F_SETPIPE_SZ, XM_RELAY_PIPE_SIZE);
    n = fcntl(fd, F_GETPIPE_SZ);
    if (n > 0)
        return (size_t)n;
#else
    (void)fd;
    (void)keep_default;
#endif
    return 16 * (size_t)(page > 0 ? page : 4096);
}

int
xm_relay_start(xm_relay **out, const xm_relay_opts *opts,
               xenmig_error *err)
{
    xm_relay *r = NULL;
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    char ip[INET_ADDRSTRLEN];
    int one = 1;
    int p[2];
    int rc;

    *out = NULL;
    if (!opts || (opts->nallowed == 0 && !opts->allow_loopback) ||
        opts->nallowed > XM_RELAY_MAX_ALLOWED ||
        opts->dest_addr.sin_family != AF_INET ||
        opts->dest_addr.sin_port == 0)
        return xm_error_set(err, XENMIG_EINVAL,
                            "relay: need a destination address and an "
                            "allowed source address");
    r = xm_calloc(1, sizeof(*r));
    if (!r) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "relay: out of memory");
        goto out;
    }
    r->lfd = r->src = r->dst = -1;
    r->pipe_r = r->pipe_w = r->wake_r = r->wake_w = -1;
    r->o = *opts;
    if (r->o.accept_timeout_ms <= 0)
        r->o.accept_timeout_ms = XM_RELAY_ACCEPT_TIMEOUT_MS;
    if (r->o.connect_timeout_ms <= 0)
        r->o.connect_timeout_ms = XM_RELAY_CONNECT_TIMEOUT_MS;
    if (r->o.stall_ms <= 0)
        r->o.stall_ms = XM_RELAY_STALL_MS;
    if (r->o.verdict_timeout_ms <= 0)
        r->o.verdict_timeout_ms = XM_RELAY_VERDICT_TIMEOUT_MS;
    r->res.verdict = -1;
    inet_ntop(AF_INET, &opts->dest_addr.sin_addr, ip, sizeof(ip));
    xm_snprintf(r->dname, sizeof(r->dname), "%s:%d", ip,
                ntohs(opts->dest_addr.sin_port));
    if (opts->rate_bps &&
        (rc = xm_budget_new_bps(&r->own, opts->rate_bps, err)))
        goto out;

    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno, "relay: pipe");
        goto out;
    }
    r->wake_r = p[0];
    r->wake_w = p[1];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno, "relay: pipe");
        goto out;
    }
    r->pipe_r = p[0];
    r->pipe_w = p[1];
    r->pipe_cap = pipe_capacity(r->pipe_w, r->o.default_pipe);
    r->res.pipe_bytes = r->pipe_cap;

    inet_ntop(AF_INET, &opts->listen_addr.sin_addr, ip, sizeof(ip));
    r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);
    if (r->lfd < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno,
                                "relay: socket");
        goto out;
    }
    setsockopt(r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    a = opts->listen_addr;
    a.sin_family = AF_INET;
    if (bind(r->lfd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno,
                                "relay: bind to %s:%d", ip,
                                ntohs(a.sin_port));
        goto out;
    }
    if (listen(r->lfd, 8) < 0 ||
        getsockname(r->lfd, (struct sockaddr *)&a, &alen) < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno,
                                "relay: listen on %s", ip);
        goto out;
    }
    r->port = ntohs(a.sin_port);
    rc = pthread_create(&r->thread, NULL, worker, r);
    if (rc) {
        rc = xm_error_set_errno(err, XENMIG_EIO, rc,
                                "relay: cannot start its thread");
        goto out;
    }
    r->started = 1;
    *out = r;
    r = NULL;
    rc = 0;
 out:
    xm_relay_free(r);
    return rc;
}

int
xm_relay_port(const xm_relay *r)
{
    return r ? r->port : 0;
}

int
xm_relay_finished(xm_relay *r)
{
    return r ? __sync_fetch_and_add(&r->finished, 0) : 1;
}

void
xm_relay_cancel(xm_relay *r)
{
    char c = 1;
    ssize_t n;

    if (!r)
        return;
    (void)__sync_fetch_and_or(&r->cancel, 1);
    n = write(r->wake_w, &c, 1);  /* a full pipe is already awake */
    (void)n;
}

static void
join(xm_relay *r)
{
    if (r->started && !r->joined) {
        pthread_join(r->thread, NULL);
        r->joined = 1;
    }
}

int
xm_relay_wait(xm_relay *r, xm_relay_result *res, xenmig_error *err)
{
    if (!r)
        return xm_error_set(err, XENMIG_EINVAL, "relay: no relay");
    join(r);
    if (res)
        *res = r->res;
    if (r->rc && err)
        *err = r->err;
    return r->rc;
}

int
xm_relay_wait_grace(xm_relay *r, long grace_ms, xm_relay_result *res,
                    xenmig_error *err)
{
    struct timespec until;

    if (!r)
        return xm_error_set(err, XENMIG_EINVAL, "relay: no relay");
    if (r->started && !r->joined) {
        xm_deadline_ts(&until, grace_ms);
        if (pthread_timedjoin_np(r->thread, NULL, &until) == 0)
            r->joined = 1;
        else
            xm_relay_cancel(r);
    }
    return xm_relay_wait(r, res, err);
}

void
xm_relay_free(xm_relay *r)
{
    if (!r)
        return;
    if (r->started && !r->joined)
        xm_relay_cancel(r);
    join(r);
    close_fd(&r->lfd);
    close_fd(&r->src);
    close_fd(&r->dst);
    close_fd(&r->pipe_r);
    close_fd(&r->pipe_w);
    close_fd(&r->wake_r);
    close_fd(&r->wake_w);
    xenmig_budget_free(r->own);
    xm_free(r);
}
