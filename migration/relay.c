/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * relay.c: the migration relay between a source xend and the
 * destination's relocation server (see relay.h)
 *
 * One worker thread per relay runs a poll() loop over non-blocking
 * sockets: here it waits for the source and connects to the
 * destination; relay_pump.c moves the stream. The bulk direction
 * (source to destination) moves with splice() through one kernel pipe,
 * so the bytes never enter user space; token buckets (budget.c) limit
 * how much is taken from the source. The reply direction is a few
 * dozen bytes ("(ready receive)\n", then "(ok)\n" or "(err ...)\n"):
 * copied through a small buffer and kept for the verdict.
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

#include "migration/relay_int.h"

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
    xm_relay_reset_fd(&fd);
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
        if (xm_relay_cancelled(r)) {
            r->res.cancelled = 1;
            return xm_error_set(&r->err, XENMIG_ECANCELLED,
                                "relay: cancelled before the source "
                                "connected");
        }
        left = deadline - xm_now_ms();
        if (left <= 0)
            return xm_error_set(&r->err, XENMIG_ETIMEOUT,
                                "relay: source did not connect within "
                                "%s", xm_relay_dur(d, sizeof(d),
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
        xm_relay_close_fd(&r->lfd);
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
        if (xm_relay_cancelled(r)) {
            r->res.cancelled = 1;
            return xm_error_set(&r->err, XENMIG_ECANCELLED,
                                "relay: cancelled at byte 0");
        }
        left = deadline - xm_now_ms();
        if (left <= 0)
            return xm_error_set(&r->err, XENMIG_ETIMEOUT,
                                "relay: destination %s: connect: no "
                                "answer within %s", r->dname,
                                xm_relay_dur(d, sizeof(d),
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
    r->next_report = r->t0 + XM_RELAY_PROGRESS_MS;
    rc = connect_dest(r);
    if (rc) goto out;
    rc = xm_relay_join_budgets(r);
    if (rc) goto out;
    rc = xm_relay_pump(r);
 out:
    xm_relay_leave_budgets(r);
    if (rc) {
        xm_relay_reset_fd(&r->src);
        xm_relay_reset_fd(&r->dst);
    }
    if (r->t0) {
        r->res.elapsed_s = (xm_now_ms() - r->t0) / 1000.0;
        xm_relay_find_verdict(r);
        xm_relay_report(r, 1);
    }
    xm_relay_close_fd(&r->src);
    xm_relay_close_fd(&r->dst);
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
    xm_relay_close_fd(&r->lfd);
    xm_relay_close_fd(&r->src);
    xm_relay_close_fd(&r->dst);
    xm_relay_close_fd(&r->pipe_r);
    xm_relay_close_fd(&r->pipe_w);
    xm_relay_close_fd(&r->wake_r);
    xm_relay_close_fd(&r->wake_w);
    xenmig_budget_free(r->own);
    xm_free(r);
}
