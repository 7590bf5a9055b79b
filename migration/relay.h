/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * relay.h: the migration relay (not installed)
 *
 * xend accepts a bandwidth ("resource") but never enforces it, reports
 * no progress and cannot be cancelled (reference 3.6). The relay sits
 * between the source xend and the destination's relocation server
 * (reference 4.3): it listens where the source can reach it, accepts
 * one connection from the source host (any address it can use:
 * xend does not bind its socket, reference 7b.1), connects to the
 * destination and forwards both directions, the source-to-destination
 * stream through a token bucket: its own cap, and a budget it may
 * share with other relays (budget.h).
 * Counting gives progress; cutting both connections cancels (the source
 * xend then resumes the domain, reference 4.5); the destination's final
 * "(ok)" or "(err ...)" line is read (and still passed on to the
 * source) so a failed restore has its real reason.
 *
 * Plain TCP only: "sslreceive" streams are TLS and are not relayed.
 * Memory use is fixed (one struct, one kernel pipe), whatever the size
 * of the domain.
 */
#ifndef XENMIG_RELAY_H
#define XENMIG_RELAY_H

#include <netinet/in.h>
#include <stdint.h>

#include "lib/internal.h"

#define XM_RELAY_ACCEPT_TIMEOUT_MS 30000L   /* defaults for 0 below */
#define XM_RELAY_CONNECT_TIMEOUT_MS 5000L
#define XM_RELAY_STALL_MS 60000L
#define XM_RELAY_VERDICT_TIMEOUT_MS 300000L
#define XM_RELAY_PIPE_SIZE (1024 * 1024)    /* splice pipe, bytes */
#define XM_RELAY_MAX_ALLOWED 32             /* source addresses admitted */
#define XM_RELAY_MAX_REFUSED 4              /* refused peers remembered */

typedef struct xm_relay xm_relay;

typedef struct xm_relay_opts {
    struct sockaddr_in listen_addr; /* port 0 = any free port */
    struct sockaddr_in dest_addr;   /* destination relocation server */
    struct in_addr allowed[XM_RELAY_MAX_ALLOWED]; /* source addresses
                                       admitted (exact match) */
    size_t nallowed;
    int allow_loopback;             /* also admit all of 127.0.0.0/8 */
    uint64_t rate_bps;              /* cap in bits/s; 0 = none */
    xenmig_budget *budget;          /* shared with other relays; NULL =
                                       none (both may apply) */
    uint64_t memory_bytes;          /* domain memory, for the percent */
    long accept_timeout_ms;         /* source must connect within this */
    long connect_timeout_ms;        /* connect to the destination */
    long stall_ms;                  /* no byte moved this long = fail */
    long verdict_timeout_ms;        /* (ok)/(err) after the stream */
    xenmig_progress_cb progress;    /* about once a second, then a last
                                       report with done = 1; non-zero
                                       return cancels; NULL = none */
    void *payload;
    int default_pipe;               /* 1: leave the splice pipe at the
                                       kernel's default size, as on
                                       Linux before 2.6.35 (bench) */
} xm_relay_opts;

typedef struct xm_relay_result {
    uint64_t bytes_to_dest;         /* stream bytes delivered */
    uint64_t bytes_to_source;       /* destination replies delivered */
    double elapsed_s;               /* from the source's connection */
    int verdict;                    /* 1 (ok), 0 (err ...), -1 none */
    char verdict_msg[256];          /* (value ...) of an (err ...) */
    int cancelled;
    int stalled;
    int refused_peers;              /* connections from other hosts,
                                       reset at once */
    struct in_addr refused[XM_RELAY_MAX_REFUSED]; /* the first ones, */
    int nrefused;                   /* each once: this many */
    int user_cancelled;             /* the progress callback asked */
    size_t pipe_bytes;              /* the splice pipe's capacity */
} xm_relay_result;

/*
 * Bind and listen on opts->listen_addr (SO_REUSEADDR) and start the
 * relay's thread, which waits for the source. The options are copied.
 * Returns 0 with *out set; XENMIG_EINVAL (bad options), XENMIG_EIO
 * (socket, bind, listen, thread), XENMIG_ENOMEM.
 */
int xm_relay_start(xm_relay **out, const xm_relay_opts *opts,
                   xenmig_error *err);

/* The port the relay listens on (host byte order). */
int xm_relay_port(const xm_relay *r);

/*
 * Has the relay ended on its own (stream over, verdict read, or an
 * error)? Does not wait. NULL counts as ended.
 */
int xm_relay_finished(xm_relay *r);

/*
 * Ask the relay to stop: it resets both connections at once, so the
 * source xend sees its stream fail and resumes the domain. Idempotent;
 * callable from any thread (it sets a flag and writes one byte to a
 * pipe). NULL is a no-op.
 */
void xm_relay_cancel(xm_relay *r);

/*
 * Wait for the relay to end (bounded by the option timeouts) and fill
 * @res (may be NULL). Returns 0 when the stream ran its course: the
 * source closed and the destination answered and closed, or the
 * destination ended the stream early (res->verdict tells which and
 * what it said; verdict -1 = it closed without a reply). Otherwise an
 * error naming the step: XENMIG_ETIMEOUT (source did not connect,
 * stall, no verdict), XENMIG_ECONNECT (destination), XENMIG_ECANCELLED,
 * XENMIG_EIO (a connection failed). @res is filled in every case.
 * A second call returns the same answer.
 */
int xm_relay_wait(xm_relay *r, xm_relay_result *res, xenmig_error *err);

/* Cancel if still running, join, close. NULL is a no-op. */
/*
 * As xm_relay_wait(), but the source is known to be done (xend has
 * answered): give the relay @grace_ms to finish on its own (read the
 * destination's verdict), then cancel it.
 */
int xm_relay_wait_grace(xm_relay *r, long grace_ms, xm_relay_result *res,
                        xenmig_error *err);

void xm_relay_free(xm_relay *r);

#endif /* XENMIG_RELAY_H */
