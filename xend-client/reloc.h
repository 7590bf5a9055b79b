/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reloc.h: the relocation server, seen from a client (not installed)
 *
 * xend's relocation server (reference section 4) answers one SXP value
 * plus a newline per request. "(help)" is harmless: it starts no
 * restore, so it tells whether a host would take a migration from
 * where we stand.
 */
#ifndef XENMIG_RELOC_H
#define XENMIG_RELOC_H

#include <netinet/in.h>

#include "lib/internal.h"

#define XM_RELOC_DEFAULT_PORT 8002
#define XM_RELOC_DEFAULT_SSL_PORT 8003
#define XM_RELOC_MAX_REPLY 4096        /* bytes of one reply line */
#define XM_RELOC_TIMEOUT_MS 5000L

typedef enum xm_reloc_status {
    XM_RELOC_ANSWERS = 1,   /* replied (ok (help ...)) */
    XM_RELOC_CLOSED,        /* connection refused: no server there */
    XM_RELOC_REJECTED,      /* accepted, then closed at once: hosts-allow */
    XM_RELOC_SILENT,        /* accepted, no reply in time (e.g. SSL port) */
    XM_RELOC_BAD_REPLY      /* replied something that is not xend's */
} xm_reloc_status;

typedef struct xm_reloc_probe {
    xm_reloc_status status;
    struct sockaddr_in addr;      /* the address probed */
    char ops[128];                /* "quit receive sslreceive" if told */
    double rtt_ms;                /* connect to reply */
} xm_reloc_probe;

/* Human-readable status, e.g. "rejected us (hosts-allow)". */
const char *xm_reloc_status_str(xm_reloc_status st);

/* Does @host resolve to IPv6 addresses only? */
bool xm_host_is_ipv6_only(const char *host);

/*
 * Resolve @host to an IPv4 address, as xend's relocation client does
 * (socket.connect over AF_INET). A literal dotted quad is used as is.
 * Returns 0, XENMIG_ENOTFOUND (no IPv4 address) or XENMIG_EINVAL.
 */
int xm_resolve_ipv4(struct sockaddr_in *out, const char *host, int port,
                    xenmig_error *err);

/*
 * Every IPv4 address @host resolves to, each once, at most @max of them
 * in *n. Returns 0 (at least one), XENMIG_ENOTFOUND or XENMIG_EINVAL.
 */
int xm_resolve_ipv4_all(struct in_addr *out, size_t max, size_t *n,
                        const char *host, xenmig_error *err);

/*
 * Probe the relocation server at @addr with "(help)". Every step is
 * bounded by @timeout_ms (0 = XM_RELOC_TIMEOUT_MS). Returns 0 with
 * out->status set for every answer a server can give (including
 * refusal); an error only for local failures (socket, out of memory).
 */
int xm_reloc_probe_addr(xm_reloc_probe *out,
                        const struct sockaddr_in *addr, long timeout_ms,
                        xenmig_error *err);

/*
 * Classify the bytes a relocation server sent (a "(help)" reply, or a
 * destination's verdict after a stream). Sets *ok to 1 for (ok ...),
 * 0 for (err (type T) (value V)) with V copied into @msg. Returns 0,
 * or XENMIG_EPARSE when the bytes are not one of those.
 */
int xm_reloc_parse_reply(int *ok, char *msg, size_t msg_size,
                         const char *data, size_t len,
                         xenmig_error *err);

#endif /* XENMIG_RELOC_H */
