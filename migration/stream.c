/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stream.c: the relay on the migration stream's path
 *
 * Whether the stream goes through the relay, where the relay listens
 * and whom it admits, and, when xend has answered, whose word a
 * failure carries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "migration/migrate_int.h"
#include "xend-client/reloc.h"
#include "xend-client/xend.h"

bool
xm_migrate_want_relay(unsigned int flags, unsigned long resource,
                      long timeout_ms, long stall_ms, bool source_local)
{
    if (flags & (XENMIG_MIGRATE_DIRECT | XENMIG_MIGRATE_SSL))
        return false;
    if (source_local)
        return true;
    return resource || timeout_ms || stall_ms ||
           (flags & XENMIG_MIGRATE_PROGRESS);
}

/*
 * Is the source xend on this machine? Its Unix socket, a loopback
 * address, or an address this host can bind (a multi-homed dom0
 * reached by one of its own names).
 */
bool
xm_mig_source_local(xenmig_conn *src)
{
    struct sockaddr_in sa;
    bool is_unix;
    int fd;
    bool local;

    if (xm_mig_conn_addr(&sa, &is_unix, src, NULL))
        return false;
    if (is_unix || (ntohl(sa.sin_addr.s_addr) >> 24) == 127)
        return true;
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    sa.sin_port = 0;
    local = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return local;
}

/* Would xend at this version send to a relay at all? (3.0.0/3.0.1
 * take no port.) */
bool
xm_mig_xend_takes_port(const char *version)
{
    return !version || (strncmp(version, "3.0.0", 5) != 0 &&
                        strncmp(version, "3.0.1", 5) != 0);
}

static bool
want_relay(const struct mig *m, long long flags, bool local)
{
    return xm_migrate_want_relay((unsigned int)flags, XM_MIG_CAPPED(m),
                                 m->opts.timeout_ms, m->opts.stall_ms,
                                 local);
}

/* Add @a to the relay's admitted sources, once. */
static int
allow_add(xm_relay_opts *ro, struct in_addr a, xenmig_error *err)
{
    size_t i;

    for (i = 0; i < ro->nallowed; i++) {
        if (ro->allowed[i].s_addr == a.s_addr)
            return 0;
    }
    if (ro->nallowed == XM_RELAY_MAX_ALLOWED)
        return xm_error_set(err, XENMIG_ERANGE, "relay: more than %d "
                            "source addresses to admit",
                            XM_RELAY_MAX_ALLOWED);
    ro->allowed[ro->nallowed++] = a;
    return 0;
}

/*
 * Where the relay listens and whom it admits. xend does not bind its
 * outgoing socket (reference 7b.1), so the source may connect from any
 * address it has: admit every address its name resolves to (the first
 * is the one our xend connection reached), all of 127.0.0.0/8 when the
 * relay listens on loopback, and each --relay-allow. It listens on
 * --relay-address, on loopback when the source is on this machine,
 * else on our address on the route to the source.
 */
static int
relay_addrs(xm_relay_opts *ro, xenmig_conn *src,
            const xenmig_migrate_opts *o, xenmig_error *err)
{
    struct sockaddr_in sa, *listen_addr = &ro->listen_addr;
    struct in_addr names[XM_RELAY_MAX_ALLOWED];
    socklen_t len = sizeof(sa);
    size_t i, n = 0;
    bool is_unix;
    int fd, rc;

    rc = xm_mig_conn_addr(&sa, &is_unix, src, err);
    if (rc)
        return rc;
    if (is_unix)
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (xm_resolve_ipv4_all(names, XM_RELAY_MAX_ALLOWED / 2, &n,
                                 xenmig_conn_host(src), NULL))
        n = 0;
    rc = allow_add(ro, sa.sin_addr, err);
    for (i = 0; !rc && i < n; i++)
        rc = allow_add(ro, names[i], err);
    for (i = 0; !rc && o->relay_allow && o->relay_allow[i]; i++) {
        struct sockaddr_in extra;

        rc = xm_resolve_ipv4(&extra, o->relay_allow[i], 0, err);
        if (rc)
            xm_error_prefix(err, "--relay-allow");
        else
            rc = allow_add(ro, extra.sin_addr, err);
    }
    if (rc)
        return rc;
    if (o->relay_address) {
        rc = xm_resolve_ipv4(listen_addr, o->relay_address, 0, err);
    } else if ((ntohl(sa.sin_addr.s_addr) >> 24) == 127) {
        memset(listen_addr, 0, sizeof(*listen_addr));
        listen_addr->sin_family = AF_INET;
        listen_addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else {
        /* our address on the route to the source: a UDP "connect" */
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return xm_error_set_errno(err, XENMIG_EIO, errno,
                                      "relay: socket");
        sa.sin_port = htons(9);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            getsockname(fd, (struct sockaddr *)listen_addr, &len) < 0)
            rc = xm_error_set_errno(err, XENMIG_EIO, errno, "relay: no "
                                    "local address faces the source; "
                                    "give --relay-address");
        close(fd);
        listen_addr->sin_port = 0;
    }
    if (rc)
        return rc;
    ro->allow_loopback =
        (ntohl(listen_addr->sin_addr.s_addr) >> 24) == 127;
    return 0;
}

/* Start the relay for this migration; *relay stays NULL if unwanted. */
int
xm_mig_relay_start(xm_relay **relay, xm_relay_opts *ro,
                   struct sockaddr_in *listen_addr, struct step_ctx *ctx,
                   long long flags, long long memory, const char *target_ip,
                   long long port)
{
    struct mig *m = ctx->m;
    xenmig_error *err = ctx->err;
    const char *version = xm_cookie_get(ctx->in, "src_version");
    char ip[INET_ADDRSTRLEN];
    bool local;
    int rc;

    *relay = NULL;
    local = xm_mig_source_local(ctx->conn);
    if (!want_relay(m, flags, local)) {
        if (XM_MIG_CAPPED(m) && (flags & XENMIG_MIGRATE_SSL))
            return xm_error_set(err, XENMIG_EINVAL,
                                "a bandwidth cap needs the relay, which "
                                "does not carry SSL relocation");
        return 0;
    }
    /*
     * xend 3.0.0 and 3.0.1 take no port: they cannot send to a relay.
     * Progress and timeouts are a nicety there; a cap is a promise.
     */
    if (!xm_mig_xend_takes_port(version)) {
        if (!XM_MIG_CAPPED(m))
            return 0;
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend %s on '%s' ignores the relocation port, "
                            "so its stream cannot be relayed for a cap, "
                            "progress or a timeout: use --direct", version,
                            xenmig_conn_host(ctx->conn));
    }
    memset(ro, 0, sizeof(*ro));
    rc = relay_addrs(ro, ctx->conn, &m->opts, err);
    if (rc)
        return rc;
    rc = xm_resolve_ipv4(&ro->dest_addr, target_ip, (int)port, err);
    if (rc)
        return rc;
    ro->rate_bps = (uint64_t)m->opts.resource * 1000000u;
    ro->budget = m->opts.budget;        /* issue 17: shared by relays */
    ro->memory_bytes = (uint64_t)memory << 20;
    ro->stall_ms = m->opts.stall_ms;
    ro->verdict_timeout_ms = m->opts.timeout_ms ? m->opts.timeout_ms :
                             XM_MIGRATE_DEFAULT_TIMEOUT_MS;
    ro->progress = m->opts.progress;
    ro->payload = m->opts.payload;
    rc = xm_relay_start(relay, ro, err);
    if (rc)
        return rc;
    *listen_addr = ro->listen_addr;
    listen_addr->sin_port = htons((uint16_t)xm_relay_port(*relay));
    if (!local) {
        inet_ntop(AF_INET, &listen_addr->sin_addr, ip, sizeof(ip));
        xm_mig_report(m, "relay", XENMIG_CHECK_WARN, "the stream passes "
                      "through this host: the source xend sends to the "
                      "relay at %s:%d", ip, ntohs(listen_addr->sin_port));
    }
    return 0;
}

/*
 * "the relay refused a connection from A, which is not the source 'S'
 * (IP); add --relay-allow A if that is the source", for every refused
 * peer the relay remembers; "" when it refused none.
 */
void
xm_migrate_refused_note(char *buf, size_t size,
                        const xm_relay_result *res,
                        const xm_relay_opts *ro, const char *src_host)
{
    xm_buf b = XM_BUF_INIT(XENMIG_ERROR_MSG_SIZE);
    char ip[INET_ADDRSTRLEN], src_ip[INET_ADDRSTRLEN];
    int i;

    buf[0] = '\0';
    if (res->nrefused == 0)
        return;
    inet_ntop(AF_INET, &ro->allowed[0], src_ip, sizeof(src_ip));
    for (i = 0; i < res->nrefused; i++) {
        inet_ntop(AF_INET, &res->refused[i], ip, sizeof(ip));
        (void)xm_buf_printf(&b, "%sthe relay refused a connection from "
                            "%s, which is not the source '%s' (%s): add "
                            "--relay-allow %s if that is the source",
                            i ? "; " : "", ip, src_host, src_ip, ip);
    }
    xm_strlcpy(buf, xm_buf_cstr(&b), size);
    xm_buf_dispose(&b);
}

/*
 * xend answered, or our wait for it ended: collect the relay's view
 * and decide whose word the failure carries (reference 7b): the user's
 * own cancel or stall limit, which cut the stream first; then xend's
 * answer; then the destination's (err ...); then a refused peer; then
 * the user's timeout. The relay's other findings follow as context.
 */
int
xm_mig_relay_end(xm_relay *relay, const xm_relay_opts *ro, int xend_rc,
                 const char *src_host, long timeout_ms, xenmig_error *err)
{
    char note[XENMIG_ERROR_MSG_SIZE];
    xm_relay_result res;
    xenmig_error rerr;
    int rc;

    xenmig_error_clear(&rerr);
    if (xend_rc == XENMIG_ETIMEOUT)
        xm_relay_cancel(relay);
    rc = xm_relay_wait_grace(relay, 5000, &res, &rerr);
    xm_migrate_refused_note(note, sizeof(note), &res, ro, src_host);
    if (res.user_cancelled || res.stalled) {
        xm_error_set(err, res.user_cancelled ? XENMIG_ECANCELLED :
                     XENMIG_ETIMEOUT, "%s", rerr.msg);
        return err->code;
    }
    if (note[0] && res.bytes_to_dest == 0 && xend_rc &&
        xend_rc != XENMIG_ETIMEOUT) {
        /* xend's "can't connect" is the refusal seen from its side */
        xm_error_prefix(err, "%s; xend", note);
        err->code = XENMIG_EREFUSED;
        return XENMIG_EREFUSED;
    }
    if (xend_rc && xend_rc != XENMIG_ETIMEOUT) {
        /* xend's own answer: say what the relay saw beside it */
        if (res.verdict == 0 && !strstr(err->msg, res.verdict_msg))
            xm_error_suffix(err, "; destination reported '%s'",
                            res.verdict_msg);
        if (note[0])
            xm_error_suffix(err, "; %s", note);
        else if (rc && !res.cancelled && rerr.msg[0])
            xm_error_suffix(err, "; %s", rerr.msg);
        return xend_rc;
    }
    /* the destination's own words say more than xend's silence */
    if (res.verdict == 0) {
        xm_error_set(err, XENMIG_EXEND, "destination reported '%s'",
                     res.verdict_msg);
        return XENMIG_EXEND;
    }
    if (note[0]) {
        xm_error_set(err, XENMIG_EREFUSED, "%s", note);
        return XENMIG_EREFUSED;
    }
    if (xend_rc) {
        xm_error_set(err, XENMIG_ETIMEOUT, "timed out after %ld s: xend "
                     "had not answered op=migrate (%llu bytes had passed "
                     "the relay)", timeout_ms / 1000,
                     (unsigned long long)res.bytes_to_dest);
        return XENMIG_ETIMEOUT;
    }
    if (rc && res.verdict != 1) {
        *err = rerr;
        return rc;
    }
    return 0;
}
