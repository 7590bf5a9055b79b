/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * migrate.h: the migration step engine (not installed)
 */
#ifndef XENMIG_MIGRATE_H
#define XENMIG_MIGRATE_H

#include "lib/internal.h"
#include "migration/relay.h"

/* Bounds on the waits of finish, confirm and recovery. */
#define XM_MIGRATE_SETTLE_MS 30000L     /* xend's own device wait is 30 s */
#define XM_MIGRATE_POLL_MS 100L
#define XM_MIGRATE_DEFAULT_TIMEOUT_MS (3600L * 1000)

/* Where recovery found the domain. */
typedef enum xm_where {
    XM_WHERE_SOURCE = 1,    /* on the source only */
    XM_WHERE_DEST,          /* on the destination only */
    XM_WHERE_BOTH,          /* on both (a restore still running) */
    XM_WHERE_NOWHERE        /* on neither: xend lost it */
} xm_where;

/* ---- recovery's decision (unit-tested on its own) ------------------ */

/* What one look at one host found of the domain. */
#define XM_SEEN_MAX 4
typedef struct xm_copy {
    int domid;
    bool paused;
    bool in_flight;     /* xend calls it migrating-<name> */
    bool named;         /* xend calls it <name> */
    char name[128];
} xm_copy;

typedef struct xm_seen {
    bool answered;      /* false: the host could not be asked */
    size_t n;           /* running domains with the UUID */
    xm_copy copy[XM_SEEN_MAX];  /* the first XM_SEEN_MAX of them */
} xm_seen;

typedef enum xm_rec_act {
    XM_REC_WAIT = 1,    /* look again after a while */
    XM_REC_DESTROY,     /* destroy a copy, then look again */
    XM_REC_UNPAUSE,     /* unpause a copy, then look again */
    XM_REC_ON_SOURCE,   /* verdict: runs on the source alone */
    XM_REC_ON_DEST,     /* verdict: runs on the destination alone */
    XM_REC_LOST,        /* verdict: on neither host */
    XM_REC_UNKNOWN      /* verdict: a host cannot be asked, or xend
                           still holds it in flight beside a copy */
} xm_rec_act;

typedef struct xm_rec_next {
    xm_rec_act act;
    bool on_dest;       /* DESTROY, UNPAUSE: the destination's copy */
    size_t copy;        /* its index in that host's xm_seen */
} xm_rec_next;

/*
 * Recovery's next move from one look at the source @s and the
 * destination @d (for one xend seen twice, @d empty). @late: the
 * source has stopped holding the domain in flight long enough for a
 * late restore to show; @over: the settle time is up (no more
 * waiting). Two copies on one host: destroy the worse (in flight,
 * then not under its own name, then paused, then the higher domid).
 * One on each: destroy the destination's, as xend resumed the source's
 * (unless the source still holds it in flight: unknown).
 */
xm_rec_next xm_recover_decide(const xm_seen *s, const xm_seen *d,
                              bool late, bool over);

/*
 * Split a migration URI: "host", "host:port", "xenmigr://host[:port]"
 * or "tcp://host[:port]" (the two names capabilities advertise for
 * xend's relocation transport) into @host (@host_size bytes) and
 * *port (left alone when the URI has none). Uses libxml2's URI parser.
 */
int xm_migrate_parse_uri(char *host, size_t host_size, int *port,
                         const char *uri, xenmig_error *err);

/*
 * Does the stream go through the relay? Never with @flags DIRECT or
 * SSL. By default only where the relay is on the stream's path anyway:
 * the source xend runs on this machine (@source_local). For a remote
 * source only what needs it: a cap, a timeout, a stall limit, or
 * XENMIG_MIGRATE_PROGRESS. A terminal never changes the path.
 */
bool xm_migrate_want_relay(unsigned int flags, unsigned long resource,
                           long timeout_ms, long stall_ms,
                           bool source_local);

/*
 * Into @buf: "the relay refused a connection from A, which is not the
 * source 'S' (IP): add --relay-allow A if that is the source" for each
 * peer the relay refused (S's IP: ro->allowed[0]); "" for none.
 */
void xm_migrate_refused_note(char *buf, size_t size,
                             const xm_relay_result *res,
                             const xm_relay_opts *ro,
                             const char *src_host);

#endif /* XENMIG_MIGRATE_H */
