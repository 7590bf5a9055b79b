/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * migrate_int.h: what the migration layer's files share (not installed)
 *
 *   engine.c   the one-shot xenmig_migrate*(), step sequencing, the
 *              lock and the journal around a migration
 *   stepapi.c  the single steps of the public step API
 *   steps.c    the step bodies: begin, prepare (through the checks),
 *              finish, confirm
 *   checks.c   the pre-flight checks, a table of check_* functions
 *   perform.c  perform: op=migrate in a thread, watched
 *   stream.c   the relay on the stream's path
 *   recover.c  recovery: look at both hosts, decide, act
 *   uri.c      migration URIs and host addresses
 *   handle.c   a migration handle: run, abort from any thread, progress
 */
#ifndef XENMIG_MIGRATE_INT_H
#define XENMIG_MIGRATE_INT_H

#include <netinet/in.h>

#include "migration/cookie.h"
#include "migration/migrate.h"
#include "migration/relay.h"
#include "xend-client/xs.h"

typedef enum mig_side {
    SIDE_SOURCE = 1,
    SIDE_DEST
} mig_side;

/* One migration, as the engine or one public step runs it. */
struct mig {
    xenmig_migrate_opts opts;
    xenmig_check_cb cb;
    void *payload;
    xenmig_conn *src;       /* the source, when the engine runs */
    xenmig_conn *dst;       /* the destination, when known */
    bool check_only;        /* xenmig check: stop after prepare */
    bool recover;           /* confirm: recovery, not success */
    bool cancelled;         /* finish: destroy the destination's copy */
    bool posted;            /* perform sent op=migrate to xend */
    int *abort;             /* a handle's abort flag (atomic), or NULL */
};

/* What a step sees. */
struct step_ctx {
    struct mig *m;
    xenmig_conn *conn;      /* the side this step runs on */
    const char *dom;        /* begin only: as the user named it */
    const xm_cookie *in;    /* NULL for begin */
    xm_cookie *out;         /* NULL for confirm */
    xenmig_error *err;
};

/*
 * A step returns XENMIG_STEP_COMPLETE or XENMIG_STEP_FAILED (with @err
 * set); none of xend's steps needs to be called again, so none returns
 * XENMIG_STEP_CONTINUE.
 */
typedef xenmig_step_result (*step_fn)(struct step_ctx *ctx);

/*
 * A step may run only on the cookie of the step before it (@needs;
 * 0 = no cookie) and makes the cookie @makes (0 = none).
 */
struct step_def {
    const char *name;
    mig_side side;
    xm_cookie_step needs;
    xm_cookie_step makes;
    step_fn fn;
};

enum { STEP_BEGIN, STEP_PREPARE, STEP_PERFORM, STEP_FINISH,
       STEP_CONFIRM, STEP_COUNT };

extern const struct step_def xm_mig_steps[STEP_COUNT];

/* ---- engine.c ------------------------------------------------------- */

/* Walk the steps, alternating sides; recover on failure. */
int xm_mig_engine_run(struct mig *m, xenmig_conn *src, const char *dom,
                      xenmig_conn *dst, xenmig_error *err);

/* A cap or a shared budget (issue 17): either needs the relay. */
#define XM_MIG_CAPPED(m) ((m)->opts.resource || (m)->opts.budget)

/* Copy @opts (NULL: the defaults) into a fresh @m, unchecked. */
void xm_mig_opts_copy(struct mig *m, const xenmig_migrate_opts *opts);
/* The same, then check them: XENMIG_EINVAL naming what is wrong. */
int xm_mig_opts_load(struct mig *m, const xenmig_migrate_opts *opts,
                     xenmig_error *err);
/*
 * The prologue of a public entry that runs @dom from @src to @dst:
 * clear @err (may be NULL), refuse a missing argument ("@what needs a
 * source, a domain and a destination"), load @opts into @m.
 */
int xm_mig_begin(struct mig *m, const char *what, xenmig_conn *src,
                 const char *dom, xenmig_conn *dst,
                 const xenmig_migrate_opts *opts, xenmig_error *err);

/*
 * Run step @idx: build its outgoing cookie from @in (same migration,
 * every field carried forward), call it, and make sure a failure
 * carries a message.
 */
xenmig_step_result xm_mig_run_step(struct mig *m, size_t idx,
                                   xenmig_conn *conn, const char *dom,
                                   const xm_cookie *in, xm_cookie *out,
                                   xenmig_error *err);

/*
 * How long finish, confirm and recovery wait for xend to settle:
 * XM_MIGRATE_SETTLE_MS, or $XENMIG_SETTLE_TIMEOUT seconds (0..600).
 */
long xm_mig_settle_ms(void);
void xm_mig_sleep_ms(long ms);

/* Tell the check callback (if any) how check @check went. */
void xm_mig_report(struct mig *m, const char *check, int ok,
                   const char *fmt, ...) XM_PRINTF(4, 5);

/*
 * A step or check failed with @err set: put "@fmt: " before the cause
 * (@fmt NULL: leave it), tell the check callback under @check (NULL:
 * nobody), and return the error's code (never 0).
 */
int xm_mig_fail(struct mig *m, const char *check, xenmig_error *err,
                const char *fmt, ...) XM_PRINTF(4, 5);

/*
 * The one domain poll: look @uuid up on @conn until @done says so of
 * the look (*out, NULL when xend does not know the UUID) or @deadline
 * (xm_now_ms()) passes. Between looks @nap (NULL: XM_MIGRATE_POLL_MS)
 * with @arg. 0 with *out the last look (the caller frees it), or an
 * error from xend.
 */
typedef bool (*xm_mig_poll_done)(const xenmig_domain *d, void *arg);
typedef void (*xm_mig_poll_nap)(const xenmig_domain *d, long deadline,
                                void *arg);
int xm_mig_poll(xenmig_domain **out, xenmig_conn *conn, const char *uuid,
                long deadline, xm_mig_poll_done done,
                xm_mig_poll_nap nap, void *arg, xenmig_error *err);

/* ---- steps.c --------------------------------------------------------- */

xenmig_step_result xm_mig_step_begin(struct step_ctx *ctx);
xenmig_step_result xm_mig_step_prepare(struct step_ctx *ctx);
xenmig_step_result xm_mig_step_perform(struct step_ctx *ctx);
xenmig_step_result xm_mig_step_finish(struct step_ctx *ctx);
xenmig_step_result xm_mig_step_confirm(struct step_ctx *ctx);

/*
 * Look @uuid up on @conn: 0 with *out set, 0 with *out NULL when xend
 * does not know it, or an error.
 */
int xm_mig_find_domain(xenmig_domain **out, xenmig_conn *conn,
                       const char *uuid, xenmig_error *err);
/* A domain is "in flight" on the source while xend calls it so. */
bool xm_mig_in_flight(const xenmig_domain *d, const char *name);

/* Sleep until xend on a local source may have renamed the domain back
 * (xenstore), or a poll interval; *xs, *state start NULL, 0. */
void xm_mig_wait_name_back(xm_xs **xs, int *state, xenmig_conn *src,
                           int domid, const char *name, long deadline);

/* ---- checks.c: the pre-flight checks -------------------------------- */

/* What the checks learn, for the step that runs them. */
struct check_state {
    xenmig_node *node;          /* this side's host */
    xenmig_domain *dom;         /* begin: the domain */
    /* prepare: from the begin cookie */
    const char *name, *uuid, *src_caps;
    long long memory, hvm;
    /* prepare: the address the source sends to */
    char target_name[256];
    char target_ip[INET_ADDRSTRLEN];
    int port;
    struct sockaddr_in target;
};

/*
 * Run the checks of @side in table order; a failed one is reported to
 * the check callback under its name. 0, or the first failure's code.
 */
int xm_mig_checks_run(struct step_ctx *ctx, mig_side side,
                      struct check_state *cs);
void xm_mig_checks_dispose(struct check_state *cs);

/* ---- stream.c: the relay -------------------------------------------- */

bool xm_mig_source_local(xenmig_conn *src);
bool xm_mig_xend_takes_port(const char *version);

/* Start the relay for this migration; *relay stays NULL if unwanted. */
int xm_mig_relay_start(xm_relay **relay, xm_relay_opts *ro,
                       struct sockaddr_in *listen_addr,
                       struct step_ctx *ctx, long long flags,
                       long long memory, const char *target_ip,
                       long long port);
/* xend answered or our wait ended: whose word the failure carries. */
int xm_mig_relay_end(xm_relay *relay, const xm_relay_opts *ro,
                     int xend_rc, const char *src_host, long timeout_ms,
                     xenmig_error *err);

/* ---- recover.c ------------------------------------------------------- */

/* Copies of @uuid on @conn: 0 with *n set, or an error. */
int xm_mig_count_copies(size_t *n, xenmig_conn *conn, const char *uuid,
                        const char *name, xenmig_error *err);

/*
 * After a failed step (or from the journal): find domain @uuid and
 * leave it running on exactly one host (see recover.c). *verdict
 * (may be NULL): XM_REC_ON_SOURCE, _ON_DEST, _LOST or _UNKNOWN.
 */
int xm_mig_recover(xenmig_conn *src, xenmig_conn *dst, const char *uuid,
                   const char *name, xenmig_error *cause,
                   xm_rec_act *verdict);

/* The journal entry @id names: a journal id (UUID), or a domain's name;
 * its UUID into @uuid (@size bytes). */
int xm_mig_journal_find(char *uuid, size_t size, const char *id,
                        xenmig_error *err);

/* ---- uri.c ----------------------------------------------------------- */

/* Does "major.minor" reach @want_major.@want_minor? */
bool xm_mig_version_ge(long long major, long long minor, int want_major,
                       int want_minor);
/* The IPv4 address the connection's host name resolves to. */
int xm_mig_conn_addr(struct sockaddr_in *out, bool *is_unix,
                     xenmig_conn *conn, xenmig_error *err);
/* Are @a and @b the same xend? */
bool xm_mig_same_xend(xenmig_conn *a, xenmig_conn *b);

#endif /* XENMIG_MIGRATE_INT_H */
