/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenmig.h: probe Xen hosts that run xend and live-migrate domains
 * between them. libxenmig(3) is made from this file's comments
 * (scripts/h2man.sh): each comment documents the declarations right
 * below it.
 *
 * Conventions:
 *  - Fallible calls return 0 or a negative XENMIG_E* code and fill the
 *    caller's xenmig_error (which may be NULL) with a one-line message.
 *  - Argument order: out-parameters, the handle, inputs, then err.
 *  - Objects returned through **out belong to the caller and are
 *    released with the matching NULL-safe *_free().
 *  - Getters return values borrowed from their parent object, valid
 *    until that object is freed. Fields xend did not report read as ""
 *    for strings and -1 for numbers (0 for memory sizes).
 */
#ifndef XENMIG_H
#define XENMIG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
# define XENMIG_API __attribute__((visibility("default")))
#else
# define XENMIG_API
#endif

#define XENMIG_VERSION "0.1.0"

/* ---- errors --------------------------------------------------------- */

enum {
    XENMIG_OK = 0,
    XENMIG_ERROR = -1,       /* generic failure */
    XENMIG_ENOMEM = -2,      /* out of memory */
    XENMIG_EINVAL = -3,      /* invalid argument or input */
    XENMIG_ERANGE = -4,      /* a value or input over its limit */
    XENMIG_EPARSE = -5,      /* malformed S-expression, XML, cookie */
    XENMIG_ENOTFOUND = -6,   /* no such domain or resource */
    XENMIG_EXEND = -7,       /* xend reported a failure */
    XENMIG_EHTTP = -8,       /* HTTP protocol error, unexpected status */
    XENMIG_ECONNECT = -9,    /* could not connect */
    XENMIG_ETIMEOUT = -10,   /* a network wait ran out */
    XENMIG_ESTATE = -11,     /* call not legal in this state */
    XENMIG_EIO = -12,        /* system call failed */
    XENMIG_EREFUSED = -13,   /* peer refused (e.g. hosts-allow) */
    XENMIG_ECANCELLED = -14, /* cancelled by the caller */
    XENMIG_ELOST = -15,      /* the domain runs on no host */
    XENMIG_EUNKNOWN = -16    /* where the domain runs needs a look: a
                                host did not answer, or held a copy */
};

/*
 * Room for xend's longest reasons with the steps and hosts before them
 * (a realistic migration failure is about 300 bytes). Where a message
 * must still be cut, the prefixes are cut before the cause, marked
 * "...".
 */
#define XENMIG_ERROR_MSG_SIZE 1024

/*
 * Caller-allocated error report. Cleared by xenmig_error_clear();
 * filled by a failing call. Fields that do not apply are 0. With
 * XENMIG_DEBUG=1 in the environment, each error set is also written to
 * stderr with the library function that set it.
 */
typedef struct xenmig_error {
    int code;             /* XENMIG_E*, 0 = none */
    int sys_errno;        /* errno of a failed system call */
    long http_status;     /* xend reply status, if relevant */
    int line;             /* parse position (1-based), if relevant */
    int column;           /* parse position (1-based), if relevant */
    char msg[XENMIG_ERROR_MSG_SIZE]; /* one line, NUL-terminated */
} xenmig_error;

/* Reset @err to "no error". NULL is a no-op. */
XENMIG_API void xenmig_error_clear(xenmig_error *err);

/* Static, human-readable name of an XENMIG_E* code. Never NULL. */
XENMIG_API const char *xenmig_strerror(int code);

/* The library's version string, e.g. "0.1.0". */
XENMIG_API const char *xenmig_version(void);

/* ---- set-up and threads -------------------------------------------- */

/*
 * Threads. libxenmig may be used from several threads at once, with
 * these rules:
 *  - Call xenmig_init() once before starting threads that use the
 *    library (it runs libcurl's and libxml2's global set-up, which is
 *    not thread-safe in every libcurl). Without it, the first
 *    xenmig_conn_open() does the same set-up, under a lock.
 *  - A xenmig_conn is used by one thread at a time; two threads need
 *    two connections. A migration uses its two connections until it
 *    returns.
 *  - Node, domain, domain-list and capabilities objects are not
 *    changed after they are made: any number of threads may read one
 *    at once; freeing it is the owner's, when no thread reads it.
 *  - xenmig_error is the caller's own; the library keeps no per-thread
 *    or global error state, and uses only thread-safe C library calls
 *    (strerror_r, getaddrinfo).
 *  - A xenmig_migration handle is shared: one thread runs it
 *    (xenmig_migration_run), any thread may call
 *    xenmig_migration_abort() and xenmig_migration_get_progress() on
 *    it at any time until xenmig_migration_free(), which only the
 *    owner calls, once the run has returned.
 *  - Callbacks: the xenmig_progress_cb runs on the relay's own thread
 *    when the relay carries the stream (about once a second; a slow
 *    callback delays the stream's next report, not the stream), else
 *    on the thread that called the migration function (perform's
 *    watch of the source, about once a second, with source_state set).
 *    The xenmig_check_cb runs on the thread that called the migration
 *    function. No callback runs after that function has returned.
 *  - The migration functions start their own threads (the relay; the
 *    op=migrate request, which xend may leave unanswered) and end them
 *    before they return: an unanswered request is aborted (libcurl
 *    sees it within about a second) and its thread joined, waiting at
 *    most 5 s; one not ended by then is detached and ends on its own.
 */

/*
 * Global set-up for a program that uses threads: call once before
 * they start. Counted: each successful call is undone by one
 * xenmig_shutdown(). Returns 0 or XENMIG_ERROR (libcurl refused).
 */
XENMIG_API int xenmig_init(xenmig_error *err);

/*
 * Undo one xenmig_init(); the last one releases libcurl's global
 * state. Call it when no thread uses the library any more. libxml2's
 * xmlCleanupParser() is left to the program, which may use libxml2
 * itself.
 */
XENMIG_API void xenmig_shutdown(void);

/* ---- connections to xend ------------------------------------------- */

typedef struct xenmig_conn xenmig_conn;

/* Default xend URI: the local HTTP/SXP Unix socket. */
#define XENMIG_DEFAULT_URI "unix:///var/lib/xend/xend-socket"

/*
 * Open a connection to the xend at @uri: "unix:///path/to/socket",
 * "http://host[:port]" (port 8000 by default), or NULL for
 * XENMIG_DEFAULT_URI. Nothing is sent until the first request.
 * A connection must not be used by two threads at once.
 * Release *out with xenmig_conn_free().
 * Returns 0, XENMIG_EINVAL (bad URI) or XENMIG_ENOMEM.
 */
XENMIG_API int xenmig_conn_open(xenmig_conn **out, const char *uri,
                                xenmig_error *err);

/* Release @conn. NULL is a no-op. */
XENMIG_API void xenmig_conn_free(xenmig_conn *conn);

/*
 * Bound every request on @conn: @connect_ms for the connection,
 * @total_ms for the whole exchange (0 = the defaults: 5 s to connect,
 * 30 s for the exchange; a migration's POST has its own bound).
 */
XENMIG_API int xenmig_conn_set_timeouts(xenmig_conn *conn,
                                        long connect_ms, long total_ms,
                                        xenmig_error *err);

/* The URI @conn was opened with (borrowed). */
XENMIG_API const char *xenmig_conn_uri(const xenmig_conn *conn);

/* The host name @conn talks to ("localhost" for Unix sockets). */
XENMIG_API const char *xenmig_conn_host(const xenmig_conn *conn);

/* ---- node information (GET /xend/node) ----------------------------- */

typedef struct xenmig_node xenmig_node;

/* Fetch /xend/node. Release *out with xenmig_node_free(). */
XENMIG_API int xenmig_node_get(xenmig_node **out, xenmig_conn *conn,
                               xenmig_error *err);
XENMIG_API void xenmig_node_free(xenmig_node *node);

/* Borrowed strings; "" when xend did not report the field. Numbers
 * read -1 when absent (0 for memory). */
XENMIG_API const char *xenmig_node_host(const xenmig_node *node);
XENMIG_API const char *xenmig_node_release(const xenmig_node *node);
XENMIG_API const char *xenmig_node_machine(const xenmig_node *node);
XENMIG_API const char *xenmig_node_xen_caps(const xenmig_node *node);
XENMIG_API const char *xenmig_node_hw_caps(const xenmig_node *node);
/* "major.minor<extra>", e.g. "4.4.0". */
XENMIG_API const char *xenmig_node_xen_version(const xenmig_node *node);
XENMIG_API int xenmig_node_xen_major(const xenmig_node *node);
XENMIG_API int xenmig_node_xen_minor(const xenmig_node *node);
/* MiB, as xend reports them. */
XENMIG_API uint64_t xenmig_node_total_memory(const xenmig_node *node);
XENMIG_API uint64_t xenmig_node_free_memory(const xenmig_node *node);
XENMIG_API int xenmig_node_nr_cpus(const xenmig_node *node);
/* 1 when xend did not report it (xend before 3.0.3). */
XENMIG_API int xenmig_node_xend_config_format(const xenmig_node *node);

/* ---- domains (GET /xend/domain, /xend/domain/<dom>) ---------------- */

typedef struct xenmig_domain xenmig_domain;
typedef struct xenmig_domain_list xenmig_domain_list;

/*
 * Look a domain up by name, domid or UUID (xend's own lookup order).
 * Returns 0, XENMIG_ENOTFOUND when xend does not know it, or an error.
 */
XENMIG_API int xenmig_domain_lookup(xenmig_domain **out,
                                    xenmig_conn *conn, const char *dom,
                                    xenmig_error *err);
XENMIG_API void xenmig_domain_free(xenmig_domain *dom);

/* The running domains, with details (GET /xend/domain?detail=1). */
XENMIG_API int xenmig_domain_list_get(xenmig_domain_list **out,
                                      xenmig_conn *conn,
                                      xenmig_error *err);
XENMIG_API void xenmig_domain_list_free(xenmig_domain_list *list);
XENMIG_API size_t xenmig_domain_list_count(const xenmig_domain_list *l);
/* Borrowed from @list; NULL when @i is out of range. */
XENMIG_API const xenmig_domain *
xenmig_domain_list_at(const xenmig_domain_list *list, size_t i);

/*
 * Fields xend did not report read as "" for strings and -1 for
 * numbers (0 for memory sizes).
 */
/* -1 when the domain has no domid (inactive managed domain). */
XENMIG_API int xenmig_domain_id(const xenmig_domain *dom);
XENMIG_API const char *xenmig_domain_name(const xenmig_domain *dom);
XENMIG_API const char *xenmig_domain_uuid(const xenmig_domain *dom);
/* Six-letter xend state string such as "-b----"; "" if absent. */
XENMIG_API const char *xenmig_domain_state(const xenmig_domain *dom);
/* 0 Halted 1 Paused 2 Running 3 Suspended 4 ShuttingDown 5 Crashed;
 * -1 when absent. */
XENMIG_API int xenmig_domain_status(const xenmig_domain *dom);
/* MiB. */
XENMIG_API uint64_t xenmig_domain_memory(const xenmig_domain *dom);
XENMIG_API uint64_t xenmig_domain_maxmem(const xenmig_domain *dom);
XENMIG_API int xenmig_domain_vcpus(const xenmig_domain *dom);
/* 1 for HVM, 0 for PV. */
XENMIG_API int xenmig_domain_is_hvm(const xenmig_domain *dom);
/* 1 when the state string shows the domain paused. */
XENMIG_API int xenmig_domain_is_paused(const xenmig_domain *dom);

/*
 * Simple domain operations: "pause", "unpause", "destroy", or
 * "shutdown" (with @arg the reason). 0 or an error carrying xend's
 * message.
 */
XENMIG_API int xenmig_domain_op(xenmig_conn *conn, const char *dom,
                                const char *op, const char *arg,
                                xenmig_error *err);

/* ---- migration ------------------------------------------------------ */

/* Flags, as xm migrate's options. */
enum {
    XENMIG_MIGRATE_LIVE = 1 << 0,         /* -l: live pre-copy */
    XENMIG_MIGRATE_SSL = 1 << 1,          /* -s: SSL relocation */
    XENMIG_MIGRATE_CHANGE_HOME = 1 << 2,  /* -c: change_home_server */
    XENMIG_MIGRATE_DIRECT = 1 << 3,       /* no relay: xend connects
                                             straight to the destination */
    XENMIG_MIGRATE_PROGRESS = 1 << 4      /* relay for progress even from
                                             a remote source (a local
                                             source is relayed anyway) */
};

/*
 * What a step tells the engine. xend's steps each finish in one call:
 * every step of this library returns COMPLETE or FAILED, and the step
 * functions below return 0 for COMPLETE, an XENMIG_E* code for FAILED.
 * CONTINUE ("call the same step again") is kept for the ABI and never
 * returned.
 */
typedef enum xenmig_step_result {
    XENMIG_STEP_COMPLETE = 0,   /* done; go on with the other side */
    XENMIG_STEP_CONTINUE = 1,   /* reserved: never returned */
    XENMIG_STEP_FAILED = 2      /* failed; the other side recovers */
} xenmig_step_result;

/* Progress of the stream, reported while perform runs. */
typedef struct xenmig_progress {
    uint64_t bytes;          /* stream bytes sent so far */
    uint64_t memory_bytes;   /* the domain's memory */
    double elapsed_s;        /* since the stream started */
    double rate_mbit;        /* over the last interval */
    unsigned int pass;       /* 1 for the first copy of memory, 2 ... when
                                live pre-copy sends dirtied pages again */
    int percent;             /* of the first pass, 0..100; capped, never
                                above 100 */
    int done;                /* 1 on the last report */
    const char *source_state; /* without the relay no byte is counted:
                                 the domain's state on the source ("in
                                 flight", "running", "gone", "unknown"),
                                 with elapsed_s; NULL with the relay */
    int sent;                /* 1 once every byte of the stream is at the
                                destination and the relay waits for its
                                verdict (its restore): the link is free.
                                Reported once as it happens (done 0),
                                then on the last report; 0 before and
                                without the relay (since 0.3) */
} xenmig_progress;

/* Called about once a second; return non-zero to cancel. */
typedef int (*xenmig_progress_cb)(const xenmig_progress *p,
                                  void *payload);

/* A check's outcome, as xenmig_check_cb's @ok. */
enum {
    XENMIG_CHECK_FAILED = 0,
    XENMIG_CHECK_OK = 1,
    XENMIG_CHECK_WARN = 2       /* passed, with a warning in @detail */
};

/*
 * Hears the outcome of one pre-flight check: @ok is XENMIG_CHECK_OK,
 * XENMIG_CHECK_FAILED or XENMIG_CHECK_WARN.
 */
typedef void (*xenmig_check_cb)(const char *check, int ok,
                                const char *detail, void *payload);

/*
 * A bandwidth budget that several migrations share: the sum of their
 * relayed streams stays within it, each stream getting an equal share
 * while all of them send and the shares of idle ones going to the
 * others; shares follow as streams start and end. Opaque; thread-safe.
 * Set as xenmig_migrate_opts.budget of each migration (it then needs
 * the relay, as a cap does). A migration holds a reference while its
 * stream runs, so xenmig_budget_free() may come before it ends.
 */
typedef struct xenmig_budget xenmig_budget;

/*
 * A new budget of @mbit Mbit/s (10^6 bit/s, as xenmig_migrate()'s
 * @resource), 1 to 10000000; release with xenmig_budget_free().
 * Returns 0, XENMIG_EINVAL (@mbit out of range), XENMIG_ENOMEM.
 */
XENMIG_API int xenmig_budget_new(xenmig_budget **out, unsigned long mbit,
                                 xenmig_error *err);

/*
 * Change the budget to @mbit Mbit/s (1 to 10000000), for the streams
 * running now and the next ones. Returns 0 or XENMIG_EINVAL.
 */
XENMIG_API int xenmig_budget_set(xenmig_budget *budget, unsigned long mbit,
                                 xenmig_error *err);

/*
 * What the budget has carried: the stream bytes counted against it
 * so far, the streams using it now, and the most that used it at once.
 * Any pointer may be NULL; a NULL @budget gives zeros.
 */
XENMIG_API void xenmig_budget_usage(const xenmig_budget *budget,
                                    uint64_t *bytes, unsigned int *streams,
                                    unsigned int *peak);

/* Drop the caller's reference. NULL is a no-op. */
XENMIG_API void xenmig_budget_free(xenmig_budget *budget);

/* 2 added budget; a version-1 struct (without it) is still taken. */
#define XENMIG_MIGRATE_OPTS_VERSION 2

typedef struct xenmig_migrate_opts {
    unsigned int version;       /* XENMIG_MIGRATE_OPTS_VERSION */
    unsigned int flags;         /* XENMIG_MIGRATE_* */
    const char *dname;          /* rename on arrival: refused by xend */
    const char *uri;            /* where the source sends: "host",
                                   "host:port", "xenmigr://host[:port]"
                                   or "tcp://host[:port]";
                                   NULL = the destination's own host */
    unsigned long resource;     /* cap in Mbit/s; 0 = none */
    int port;                   /* relocation port; 0 = 8002 */
    int node;                   /* NUMA node on the target; -1 = any */
    long timeout_ms;            /* bound on perform; 0 = 1 hour */
    long stall_ms;              /* no progress this long = stall;
                                   0 = 60 s */
    const char *relay_address;  /* relay listens here */
    xenmig_progress_cb progress;
    void *payload;
    xenmig_check_cb check;      /* hears checks and warnings; may be NULL */
    void *check_payload;
    const char *const *relay_allow; /* NULL-terminated: more source
                                   addresses or names the relay admits
                                   (besides the source host's own
                                   addresses, and all of 127.0.0.0/8
                                   when it listens on loopback); NULL =
                                   none */
    xenmig_budget *budget;      /* version 2: share this budget with the
                                   other migrations that name it, as
                                   well as any @resource cap; NULL =
                                   none */
} xenmig_migrate_opts;

#define XENMIG_MIGRATE_OPTS_INIT \
    { XENMIG_MIGRATE_OPTS_VERSION, 0, NULL, NULL, 0, 0, -1, 0, 0, NULL, \
      NULL, NULL, NULL, NULL, NULL, NULL }

/*
 * Migrate domain @dom (name, id or UUID) from the xend at @src to the
 * xend at @dst in one call: begin, prepare, perform, finish, confirm,
 * with recovery on failure. As virDomainMigrate(): @dname, @uri may
 * be NULL, @resource 0. Returns 0 when the domain runs on @dst and is
 * gone from @src; XENMIG_EUNKNOWN when a host cannot be asked or
 * keeps a copy xenmig could not remove (the message says what to check);
 * XENMIG_ELOST when xend destroyed it on @src and @dst
 * did not restore it; another error when it still runs on @src (the
 * message says where it is and why the migration failed).
 */
XENMIG_API int xenmig_migrate(xenmig_conn *src, const char *dom,
                              xenmig_conn *dst, unsigned int flags,
                              const char *dname, const char *uri,
                              unsigned long resource, xenmig_error *err);

/* xenmig_migrate() with every option. @opts may be NULL. */
XENMIG_API int xenmig_migrate_ex(xenmig_conn *src, const char *dom,
                                 xenmig_conn *dst,
                                 const xenmig_migrate_opts *opts,
                                 xenmig_error *err);

/*
 * A migration handle (XENMIG_0.3): xenmig_migrate_ex() as an object
 * that other threads may abort and watch.
 *
 * xenmig_migration_new(): a migration of @dom from @src to @dst with
 *   @opts (NULL: the defaults), checked now, not started. The handle
 *   borrows @src, @dst and the strings and callbacks of @opts: they
 *   must outlive the run. Free it with xenmig_migration_free().
 * xenmig_migration_run(): runs it in the calling thread; returns as
 *   xenmig_migrate(). A handle runs once (XENMIG_EINVAL the second
 *   time).
 * xenmig_migration_abort(): from any thread, at any time, any number
 *   of times (before the run, during it, after it ended: the later
 *   calls change nothing). Before xend's op=migrate the run stops at
 *   the next step (XENMIG_ECANCELLED, nothing moved); during the
 *   stream the relay cuts it at its next progress report, about a
 *   second later, and recovery leaves the domain on the source
 *   (XENMIG_ECANCELLED); a stream the relay does not carry (--direct,
 *   SSL, a remote source without cap, timeout, stall or
 *   XENMIG_MIGRATE_PROGRESS) cannot be cut: xend finishes it and the
 *   run ends as without the abort. After the stream (finish, confirm,
 *   recovery) an abort changes nothing: finishing is the safe course.
 * xenmig_migration_get_progress(): a copy of the last progress report
 *   (as the progress callback saw it) in *out: 0, or XENMIG_ENOTFOUND
 *   (and *out zeroed) before the first report. Any thread.
 */
typedef struct xenmig_migration xenmig_migration;
XENMIG_API int xenmig_migration_new(xenmig_migration **out,
                                    xenmig_conn *src, const char *dom,
                                    xenmig_conn *dst,
                                    const xenmig_migrate_opts *opts,
                                    xenmig_error *err);
XENMIG_API int xenmig_migration_run(xenmig_migration *mig,
                                    xenmig_error *err);
XENMIG_API void xenmig_migration_abort(xenmig_migration *mig);
XENMIG_API int xenmig_migration_get_progress(xenmig_migration *mig,
                                             xenmig_progress *out);
/* NULL is a no-op; not while xenmig_migration_run() runs. */
XENMIG_API void xenmig_migration_free(xenmig_migration *mig);

/*
 * The single steps, for orchestration. Each takes the previous step's
 * cookie and returns a new one in *cookie_out (one line of JSON, at
 * most 4096 bytes, format in libxenmig(3); free with xenmig_free()).
 * Cookies are checksummed and expire an hour after they are made; a
 * cookie from another migration or step is refused.
 *
 * begin (source): describe @dom.        cookie: none -> begin
 * prepare (destination): pre-flight, choose the address.
 *                                       cookie: begin -> prepare
 * perform (source): xend's op=migrate.  cookie: prepare -> perform
 * finish (destination): the domain runs there.
 *                                       cookie: perform -> finish
 * confirm (source): the domain is gone from the source; with
 *   @failed set, recovery on the source alone instead: the domain runs
 *   on the source again (it does not look at the destination: use
 *   xenmig_migrate_confirm2() for the one-shot call's guarantee).
 *
 * Each returns 0 (XENMIG_STEP_COMPLETE) or an XENMIG_E* error
 * (XENMIG_STEP_FAILED).
 */
XENMIG_API int xenmig_migrate_begin(char **cookie_out, xenmig_conn *src,
                                    const char *dom,
                                    const xenmig_migrate_opts *opts,
                                    xenmig_error *err);
XENMIG_API int xenmig_migrate_prepare(char **cookie_out,
                                      xenmig_conn *dst,
                                      const char *cookie_in,
                                      const xenmig_migrate_opts *opts,
                                      xenmig_error *err);
XENMIG_API int xenmig_migrate_perform(char **cookie_out,
                                      xenmig_conn *src,
                                      const char *cookie_in,
                                      const xenmig_migrate_opts *opts,
                                      xenmig_error *err);
XENMIG_API int xenmig_migrate_finish(char **cookie_out, xenmig_conn *dst,
                                     const char *cookie_in,
                                     xenmig_error *err);
XENMIG_API int xenmig_migrate_confirm(xenmig_conn *src,
                                      const char *cookie_in, int failed,
                                      xenmig_error *err);

/*
 * The single steps with xenmig_migrate()'s guarantee (XENMIG_0.3, as
 * libvirt's Prepare3, Finish3 and Confirm3): a caller that runs
 *
 *   begin, prepare2, perform,
 *   perform failed:   finish2(cancelled = 1), confirm2(failed = 1)
 *   else finish2(0);  failed: confirm2(failed = 1)
 *   else confirm2(0); failed: confirm2(failed = 1)
 *
 * leaves the domain running on exactly one host, or is told
 * XENMIG_ELOST (xend destroyed it on the source, the destination did
 * not restore it) or XENMIG_EUNKNOWN (a host cannot be asked, or keeps
 * a copy that could not be removed; the message says what to check).
 * Recovery here is the one xenmig_migrate() runs after a failed step:
 * it looks at both hosts, waits (bounded by the settle time, 30 s or
 * $XENMIG_SETTLE_TIMEOUT) for xend to finish what it started, destroys
 * a copy the source still runs beside, unpauses a paused survivor.
 * The step API takes no lock and writes no journal: that is the
 * caller's.
 *
 * prepare2 (destination): xenmig_migrate_prepare(), and in *uri_out
 *   (free with xenmig_free()) the address it chose,
 *   "xenmigr://IPv4:port": where perform makes the source send.
 * finish2 (destination): @cancelled 0: xenmig_migrate_finish() (@src
 *   may be NULL). @cancelled 1 (perform failed or was abandoned):
 *   recovery; the destination's copy is destroyed when the source
 *   still runs the domain, and kept when it is the only one left.
 *   @cookie_in: the cookie of any step from prepare on; *cookie_out
 *   (may be NULL) stays NULL. Returns as xenmig_migrate(): 0 when the
 *   domain runs on @dst alone (it went after all), XENMIG_ECANCELLED
 *   when it runs on @src, or XENMIG_ELOST or XENMIG_EUNKNOWN.
 * confirm2 (source): @failed 0: xenmig_migrate_confirm() (@dst may be
 *   NULL); if that fails, call confirm2 again with @failed set.
 *   @failed 1: recovery, from the cookie of any step from prepare on;
 *   returns as xenmig_migrate(): 0 (on @dst alone), XENMIG_ELOST,
 *   XENMIG_EUNKNOWN, or XENMIG_ERROR with the domain running on @src.
 */
XENMIG_API int xenmig_migrate_prepare2(char **cookie_out, char **uri_out,
                                       xenmig_conn *dst,
                                       const char *cookie_in,
                                       const xenmig_migrate_opts *opts,
                                       xenmig_error *err);
XENMIG_API int xenmig_migrate_finish2(char **cookie_out,
                                      xenmig_conn *dst, xenmig_conn *src,
                                      const char *cookie_in,
                                      int cancelled, xenmig_error *err);
XENMIG_API int xenmig_migrate_confirm2(xenmig_conn *src,
                                       xenmig_conn *dst,
                                       const char *cookie_in, int failed,
                                       xenmig_error *err);

/*
 * Open a connection to the xend of a migration destination given as
 * xm migrate takes it: "host", "host:port", "xenmigr://host[:port]" or
 * "tcp://host[:port]" (xend at http://host:8000; the port is the
 * relocation port, not xend's), or a xend URI ("http://host:8000",
 * "unix:///path").
 */
XENMIG_API int xenmig_conn_open_dest(xenmig_conn **out, const char *dest,
                                     xenmig_error *err);

/*
 * Every pre-flight check of begin and prepare, nothing moved: the
 * domain can leave @src, the address the source would send to, the
 * destination's relocation server, name clash, free memory, xen_caps.
 * @cb (may be NULL) hears each check as it completes. Returns 0 when
 * all passed, else the first failure.
 * Warnings: an empty xend-relocation-hosts-allow at a local
 * destination (any host may push a domain into it), and a clear-text
 * migration where the destination offers SSL relocation.
 */
XENMIG_API int xenmig_migrate_check(xenmig_conn *src, const char *dom,
                                    xenmig_conn *dst,
                                    const xenmig_migrate_opts *opts,
                                    xenmig_check_cb cb, void *payload,
                                    xenmig_error *err);

/* ---- crash safety: the per-domain lock, the journal, recovery ------ */

/*
 * xenmig_migrate() and xenmig_migrate_ex() hold an exclusive lock per
 * domain while they run (flock(2) on <run dir>/<uuid>.lock; a second
 * migration of the domain fails at once with XENMIG_ESTATE naming the
 * holder's pid, host and start time) and keep a journal entry,
 * <journal dir>/<uuid>.journal (mode 0600, one line: a cookie in the
 * text form of the step API whose j_ fields hold the step, both xend
 * URIs, start and update times, pid, host and the cause of a recovery;
 * fsync'd before each step), removed when the migration ends in a known
 * state.
 * The run directory is $XENMIG_RUN_DIR, by default /run/xenmig (root)
 * or $XDG_RUNTIME_DIR/xenmig, else $HOME/.xenmig (another user); the
 * journal directory is $XENMIG_JOURNAL_DIR, by default
 * /var/lib/xenmig/journal for root and <run dir>/journal otherwise or
 * when $XENMIG_RUN_DIR is set. A migration of a domain with an entry
 * fails with XENMIG_ESTATE until xenmig_recover() has cleared it.
 */

/* What xenmig_recover() read from the journal and where it left the
 * domain. Strings are NUL-terminated, "" when unknown. */
typedef struct xenmig_recover_info {
    char id[72];            /* journal id: the domain's UUID */
    char name[256];         /* the domain's name */
    char source[512];       /* the source xend's URI */
    char destination[512];  /* the destination xend's URI */
    char step[16];          /* the step that was about to begin or ran
                               ("prepare" ... "confirm"), or "recover" */
    char where[16];         /* after recovery: "source", "destination",
                               "nowhere" or "unknown" */
} xenmig_recover_info;

/*
 * The ids (domain UUIDs) of the unfinished journal entries on this
 * machine, sorted, at most 1024: a NULL-terminated array in *ids_out
 * (empty when there are none), freed with xenmig_journal_list_free().
 * Returns 0, XENMIG_EIO (the directory is unreadable), XENMIG_ENOMEM.
 */
XENMIG_API int xenmig_journal_list(char ***ids_out, xenmig_error *err);

/* Release a list from xenmig_journal_list(). NULL is a no-op. */
XENMIG_API void xenmig_journal_list_free(char **ids);

/*
 * Finish or undo the migration the journal holds under @id (a journal
 * id, or the name of the domain it records): take the domain's lock,
 * ask both hosts where the domain runs (by UUID) and apply the
 * engine's recovery verdict: on the source alone, make sure it runs
 * there; on the destination alone, make sure it runs there; on both,
 * keep the copy xend resumed on the source and destroy the other; two
 * with one UUID on one host, destroy the second; on neither, report it
 * lost. Every action is followed by a fresh look. The entry is removed
 * unless the outcome is unknown. @info (may be NULL) hears what the
 * entry said and where the domain ended.
 * Returns as xenmig_migrate(): 0 (runs on the destination), XENMIG_ELOST,
 * XENMIG_EUNKNOWN (a host cannot be asked, or a second copy had to be
 * destroyed), another error with the domain on the source; also
 * XENMIG_ENOTFOUND (no such entry) and XENMIG_ESTATE (a migration of
 * the domain holds its lock now).
 */
XENMIG_API int xenmig_recover(xenmig_recover_info *info, const char *id,
                              xenmig_error *err);

/* Release memory the library handed out (cookies). NULL is a no-op. */
XENMIG_API void xenmig_free(void *ptr);

/* ---- capabilities (libvirt <capabilities> XML) ---------------------- */

/*
 * A host's migration capabilities: what libvirt's capabilities XML
 * says (host arch, <migration_features>, one <guest> per xen_caps
 * entry) plus what only xenmig's extension can hold (relocation and
 * SSL ports, hosts-allow, xend version). Opaque; made by
 * xenmig_caps_probe() or xenmig_caps_from_xml(), released by
 * xenmig_caps_free().
 */
typedef struct xenmig_caps xenmig_caps;

/* What the "(help)" probe of a relocation port found. */
enum {
    XENMIG_RELOC_UNKNOWN = 0,   /* not probed / not in the document */
    XENMIG_RELOC_ANSWERS = 1,   /* answers us: would take a migration */
    XENMIG_RELOC_CLOSED = 2,    /* connection refused: no server */
    XENMIG_RELOC_REJECTED = 3,  /* closed on us at once: hosts-allow */
    XENMIG_RELOC_SILENT = 4,    /* accepted, said nothing in time */
    XENMIG_RELOC_BAD_REPLY = 5  /* answered, but not as xend does */
};

#define XENMIG_CAPS_OPTS_VERSION 2

typedef struct xenmig_caps_opts {
    unsigned int version;     /* XENMIG_CAPS_OPTS_VERSION (1 or 2) */
    int port;                 /* relocation port; 0 = the config's,
                                 else 8002 */
    const char *config_path;  /* xend-config.sxp to read; NULL = read
                                 $XEND_CONFIG or /etc/xen/xend-config.sxp
                                 only for a unix:// connection */
    long timeout_ms;          /* bound on each network wait; 0 = 5 s */
    /* version 2: */
    const char *emulator;     /* <emulator> of every guest; NULL =
                                 libvirt's (/usr/lib64/xen/bin/qemu-dm
                                 on x86_64 hosts, else /usr/lib/...) or,
                                 for a local xend, the one installed */
    const char *loader;       /* <loader> of HVM guests; NULL =
                                 /usr/lib/xen/boot/hvmloader (or, for
                                 a local xend, the one installed) */
} xenmig_caps_opts;

#define XENMIG_CAPS_OPTS_INIT \
    { XENMIG_CAPS_OPTS_VERSION, 0, NULL, 0, NULL, NULL }

/*
 * Probe the host behind @conn: GET /xend/node, a "(help)" probe of its
 * relocation port (starts no restore), a TCP connect to its SSL
 * relocation port, and, for a local xend, its xend-config.sxp.
 * @opts may be NULL. Release *out with xenmig_caps_free().
 * Returns 0; XENMIG_EINVAL (bad opts, a bad boolean in the config
 * file, named); XENMIG_EPARSE (config file); XENMIG_EIO (config file
 * unreadable); the xend errors of xenmig_node_get() (the message names
 * the host); XENMIG_ENOMEM.
 */
XENMIG_API int xenmig_caps_probe(xenmig_caps **out, xenmig_conn *conn,
                                 const xenmig_caps_opts *opts,
                                 xenmig_error *err);

/*
 * Write @caps as a <capabilities> document shaped as libvirt's xen
 * driver shapes it (merged guests, emulator, loader, machine, HVM
 * features, NUMA cells) and valid against libvirt's capability schema
 * of the xend era plus the hap and viridian features that driver
 * printed (capabilities/caps.rng). With @extended non-zero the
 * document is a xenmig document, not a libvirt one: it also has the
 * xenmig:xend element (namespace
 * http://xenmig.org/schemas/capabilities/1) as the last child of
 * <capabilities>, which libvirt's closed schema refuses
 * (capabilities/caps-extended.rng). *xml_out is NUL-terminated UTF-8;
 * free it with xenmig_free(). Returns 0, XENMIG_EINVAL, XENMIG_ENOMEM.
 */
XENMIG_API int xenmig_caps_to_xml(char **xml_out, const xenmig_caps *caps,
                                  int extended, xenmig_error *err);

/*
 * Read a capabilities document (@len bytes of @xml; need not be
 * NUL-terminated) back. Refused with XENMIG_EPARSE and err->line set:
 * malformed XML, a DTD or entity declaration, elements nested deeper
 * than 16, an element or value of the wrong type. XENMIG_ERANGE: over
 * 1 MiB. No network or file access is ever made. Release *out with
 * xenmig_caps_free().
 */
XENMIG_API int xenmig_caps_from_xml(xenmig_caps **out, const char *xml,
                                    size_t len, xenmig_error *err);

/* Release @caps. NULL is a no-op. */
XENMIG_API void xenmig_caps_free(xenmig_caps *caps);

/* Host CPU arch, libvirt spelling ("x86_64", "i686"); borrowed. */
XENMIG_API const char *xenmig_caps_arch(const xenmig_caps *caps);
/* 1 when the host takes live migrations from us (<live/>), else 0. */
XENMIG_API int xenmig_caps_live(const xenmig_caps *caps);
/* 1 when <uri_transport>@name</uri_transport> is listed, else 0.
 * xenmig lists both xenmigr (libvirt's name) and tcp whenever it lists
 * either; both name xend's relocation protocol. */
XENMIG_API int xenmig_caps_has_transport(const xenmig_caps *caps,
                                         const char *name);
/* XENMIG_RELOC_* of the relocation port, and that port (0 unknown). */
XENMIG_API int xenmig_caps_relocation_status(const xenmig_caps *caps);
XENMIG_API int xenmig_caps_relocation_port(const xenmig_caps *caps);
/* XENMIG_RELOC_ANSWERS or _CLOSED for the SSL port, 0 unknown. */
XENMIG_API int xenmig_caps_ssl_status(const xenmig_caps *caps);
XENMIG_API int xenmig_caps_ssl_port(const xenmig_caps *caps);
/* 1: hosts-allow empty (any host may migrate in), 0: restricted,
 * -1: unknown (the config file was not read). */
XENMIG_API int xenmig_caps_hosts_allow_open(const xenmig_caps *caps);
/* Space-separated xen_caps ("xen-3.0-x86_64 hvm-3.0-x86_32"); borrowed,
 * "" when unknown. */
XENMIG_API const char *xenmig_caps_xen_caps(const xenmig_caps *caps);
/* xend's Xen version ("4.1.0"), "" when unknown; borrowed. */
XENMIG_API const char *xenmig_caps_xen_version(const xenmig_caps *caps);
/* xend_config_format, -1 when unknown. */
XENMIG_API int xenmig_caps_xend_config_format(const xenmig_caps *caps);
/* xend's host name, "" when unknown; borrowed. */
XENMIG_API const char *xenmig_caps_host(const xenmig_caps *caps);
/* Static name of a XENMIG_RELOC_* status ("answers", "closed", ...). */
XENMIG_API const char *xenmig_caps_status_str(int status);

/*
 * Can a domain go from the host @src describes to the host @dst
 * describes? Yes when @dst has <live/>, the two share a uri_transport
 * (tcp and xenmigr count as one), and for every guest of @src @dst has
 * one of the same os_type and arch with at least its pae, nonpae and
 * ia64_be features.
 * Returns 1 (yes), 0 (no: a one-line reason in @why, which may be
 * NULL) or XENMIG_EINVAL for a NULL @src or @dst.
 */
XENMIG_API int xenmig_caps_compatible(const xenmig_caps *src,
                                      const xenmig_caps *dst, char *why,
                                      size_t why_size);

/*
 * Does a host whose xen_caps (xenmig_node_xen_caps(), space-separated)
 * are @dst_caps offer every entry of @src_caps of the kind the guest
 * uses: hvm-* with @hvm non-zero, xen-* (PV) otherwise? The guest may
 * have been built for any of them. A NULL list counts as empty.
 * Returns 1 (yes) or 0 (no: the first entry @dst_caps lacks in
 * @missing, or "xen-*"/"hvm-*" when @src_caps has none of the kind).
 * @missing may be NULL; it is truncated to @missing_size.
 * Since XENMIG_0.3.
 */
XENMIG_API int xenmig_xen_caps_compatible(const char *src_caps,
                                          const char *dst_caps, int hvm,
                                          char *missing,
                                          size_t missing_size);

#ifdef __cplusplus
}
#endif

#endif /* XENMIG_H */
