/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reloc.c: probing xend's relocation server and reading its replies
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "xend-client/reloc.h"
#include "lib/sexpr.h"

const char *
xm_reloc_status_str(xm_reloc_status st)
{
    switch (st) {
    case XM_RELOC_ANSWERS:
        return "answers";
    case XM_RELOC_CLOSED:
        return "refuses connections (no relocation server listening)";
    case XM_RELOC_REJECTED:
        return "closed the connection at once "
               "(xend-relocation-hosts-allow rejects us)";
    case XM_RELOC_SILENT:
        return "accepted but did not answer";
    case XM_RELOC_BAD_REPLY:
        return "answered something that is not a relocation server";
    }
    return "unknown";
}

bool
xm_host_is_ipv6_only(const char *host)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    bool v4 = false, v6 = false;
    const struct addrinfo *a;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return false;
    for (a = res; a; a = a->ai_next) {
        v4 = v4 || a->ai_family == AF_INET;
        v6 = v6 || a->ai_family == AF_INET6;
    }
    freeaddrinfo(res);
    return v6 && !v4;
}

int
xm_resolve_ipv4(struct sockaddr_in *out, const char *host, int port,
                xenmig_error *err)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    int r;

    if (!host || !*host || strlen(host) > 253)
        return xm_error_set(err, XENMIG_EINVAL, "invalid host name '%s'",
                            host ? host : "");
    if (port < 0 || port > 65535)
        return xm_error_set(err, XENMIG_EINVAL, "invalid port %d", port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    r = getaddrinfo(host, NULL, &hints, &res);
    if ((r != 0 || !res) && xm_host_is_ipv6_only(host))
        return xm_error_set(err, XENMIG_ENOTFOUND,
                            "IPv6 is not supported by xend's relocation "
                            "(IPv4 only): '%s' has only IPv6 addresses",
                            host);
    if (r != 0 || !res)
        return xm_error_set(err, XENMIG_ENOTFOUND,
                            "cannot resolve '%s' to an IPv4 address: %s",
                            host, gai_strerror(r));
    memcpy(out, res->ai_addr, sizeof(*out));
    out->sin_port = htons((uint16_t)port);
    freeaddrinfo(res);
    return 0;
}

int
xm_resolve_ipv4_all(struct in_addr *out, size_t max, size_t *n,
                    const char *host, xenmig_error *err)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL, *ai;
    struct in_addr a;
    size_t i;
    int r;

    *n = 0;
    if (!host || !*host || strlen(host) > 253)
        return xm_error_set(err, XENMIG_EINVAL, "invalid host name '%s'",
                            host ? host : "");
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    r = getaddrinfo(host, NULL, &hints, &res);
    if (r != 0 || !res)
        return xm_error_set(err, XENMIG_ENOTFOUND,
                            "cannot resolve '%s' to an IPv4 address: %s",
                            host, gai_strerror(r));
    for (ai = res; ai && *n < max; ai = ai->ai_next) {
        a = ((const struct sockaddr_in *)ai->ai_addr)->sin_addr;
        for (i = 0; i < *n && out[i].s_addr != a.s_addr; i++)
            ;
        if (i == *n)
            out[(*n)++] = a;
    }
    freeaddrinfo(res);
    return 0;
}

/* Wait for @events on @fd until @deadline; 1 ready, 0 timeout, -1 err. */
static int
wait_fd(int fd, short events, long deadline)
{
    struct pollfd p;
    long left;
    int r;

    for (;;) {
        left = deadline - xm_now_ms();
        if (left <= 0)
            return 0;
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        return r > 0 ? 1 : 0;
    }
}

int
xm_reloc_parse_reply(int *ok, char *msg, size_t msg_size,
                     const char *data, size_t len, xenmig_error *err)
{
    xm_sexpr *sx = NULL;
    const char *head, *v;
    int rc;

    rc = xm_sexpr_parse(&sx, data, len, err);
    if (rc) goto out;
    head = xm_sexpr_head(sx);
    if (head && strcmp(head, "ok") == 0) {
        *ok = 1;
        if (msg_size)
            msg[0] = '\0';
        rc = 0;
        goto out;
    }
    if (head && strcmp(head, "err") == 0) {
        *ok = 0;
        v = xm_sexpr_get_str(sx, "err/value");
        if (!v)
            v = "error without a message";
        if (msg_size && xm_strlcpy(msg, v, msg_size) < 0)
            xm_strlcpy(msg, "error message too long", msg_size);
        rc = 0;
        goto out;
    }
    rc = xm_error_set(err, XENMIG_EPARSE,
                      "relocation server replied neither (ok) nor (err)");
 out:
    xm_sexpr_free(sx);
    return rc;
}

/* Fill out->ops from an (ok (help op op ...)) reply. */
static void
record_ops(xm_reloc_probe *out, const char *data, size_t len)
{
    xm_sexpr *sx = NULL;
    const xm_sexpr *help;
    xm_buf ops = XM_BUF_INIT(sizeof(out->ops) - 1);
    size_t i;

    if (xm_sexpr_parse(&sx, data, len, NULL))
        return;
    help = xm_sexpr_lookup_list(sx, "ok/help");
    for (i = 1; help && i < xm_sexpr_count(help); i++) {
        const xm_sexpr *it = xm_sexpr_at(help, i);

        if (xm_sexpr_kind_of(it) != XM_SEXPR_VALUE)
            continue;
        if ((i > 1 && xm_buf_putc(&ops, ' ')) ||
            xm_buf_puts(&ops, xm_sexpr_value(it)))
            break;
    }
    xm_strlcpy(out->ops, xm_buf_cstr(&ops), sizeof(out->ops));
    xm_buf_dispose(&ops);
    xm_sexpr_free(sx);
}

int
xm_reloc_probe_addr(xm_reloc_probe *out, const struct sockaddr_in *addr,
                    long timeout_ms, xenmig_error *err)
{
    static const char req[] = "(help)\n";
    char reply[XM_RELOC_MAX_REPLY];
    char ip[INET_ADDRSTRLEN];
    size_t got = 0;
    long start, deadline;
    socklen_t elen = sizeof(int);
    int fd = -1;
    int soerr = 0;
    int ok = 0;
    int r, rc;
    ssize_t n;

    memset(out, 0, sizeof(*out));
    out->addr = *addr;
    inet_ntop(AF_INET, &addr->sin_addr, ip, sizeof(ip));
    if (timeout_ms <= 0)
        timeout_ms = XM_RELOC_TIMEOUT_MS;
    start = xm_now_ms();
    deadline = start + timeout_ms;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno,
                                "relocation probe of %s: socket", ip);
        goto out;
    }
    r = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
    if (r < 0 && errno != EINPROGRESS) {
        soerr = errno;
    } else if (r < 0) {
        r = wait_fd(fd, POLLOUT, deadline);
        if (r == 0) {
            out->status = XM_RELOC_SILENT;
            rc = 0;
            goto out;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) < 0)
            soerr = errno;
    }
    if (soerr == ECONNREFUSED) {
        out->status = XM_RELOC_CLOSED;
        rc = 0;
        goto out;
    }
    /* accepted and closed at once, before we looked: hosts-allow */
    if (soerr == ECONNRESET || soerr == EPIPE) {
        out->status = XM_RELOC_REJECTED;
        rc = 0;
        goto out;
    }
    if (soerr) {
        rc = xm_error_set_errno(err, XENMIG_ECONNECT, soerr,
                                "relocation probe of %s:%d: connect", ip,
                                ntohs(addr->sin_port));
        goto out;
    }

    n = send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL);
    if (n < 0 && (errno == ECONNRESET || errno == EPIPE)) {
        out->status = XM_RELOC_REJECTED;
        rc = 0;
        goto out;
    }
    /* A short send of 7 bytes on a fresh socket does not happen. */
    for (;;) {
        r = wait_fd(fd, POLLIN, deadline);
        if (r <= 0) {
            out->status = got ? XM_RELOC_BAD_REPLY : XM_RELOC_SILENT;
            rc = 0;
            goto out;
        }
        n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            /* EOF or reset before a whole line: hosts-allow closed us */
            out->status = got ? XM_RELOC_BAD_REPLY : XM_RELOC_REJECTED;
            rc = 0;
            goto out;
        }
        got += (size_t)n;
        if (memchr(reply, '\n', got))
            break;
        if (got == sizeof(reply) - 1) {
            out->status = XM_RELOC_BAD_REPLY;
            rc = 0;
            goto out;
        }
    }
    reply[got] = '\0';
    out->rtt_ms = (double)(xm_now_ms() - start);
    if (xm_reloc_parse_reply(&ok, NULL, 0, reply, got, NULL) || !ok) {
        out->status = XM_RELOC_BAD_REPLY;
        rc = 0;
        goto out;
    }
    record_ops(out, reply, got);
    out->status = XM_RELOC_ANSWERS;
    /* polite end of the conversation; the server then closes */
    (void)send(fd, "(quit)\n", 7, MSG_NOSIGNAL);
    rc = 0;
 out:
    if (fd >= 0)
        close(fd);
    return rc;
}
