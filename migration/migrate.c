/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * migrate.c: the migration step engine and its xend driver
 *
 * The engine alternates source and destination steps, as proposed for
 * libvirt's generalised migration protocol: each step takes the
 * previous step's cookie and gives a new one, and returns COMPLETE,
 * CONTINUE or FAILED. A FAILED step hands over to recovery, which
 * finds the domain and makes sure it runs on exactly one host.
 *
 *   begin    (source)       the domain, the source host
 *   prepare  (destination)  the address to send to, pre-flight checks
 *   perform  (source)       xend's op=migrate, bounded by a timeout
 *   finish   (destination)  the domain runs there
 *   confirm  (source)       the domain is gone from the source
 *
 * The steps appear below in that order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/uri.h>

#include "capabilities/caps.h"
#include "migration/cookie.h"
#include "migration/journal.h"
#include "migration/migrate.h"
#include "migration/relay.h"
#include "xend-client/reloc.h"
#include "xend-client/xend.h"
#include "xend-client/xs.h"

/* ---- states: one table of legal transitions ------------------------ */

typedef enum mig_side {
    SIDE_SOURCE = 1,
    SIDE_DEST
} mig_side;

struct mig;
struct step_ctx {
    struct mig *m;
    xenmig_conn *conn;      /* the side this step runs on */
    const char *dom;        /* begin only: as the user named it */
    const xm_cookie *in;    /* NULL for begin */
    xm_cookie *out;         /* NULL for confirm */
    xenmig_error *err;
};

typedef xenmig_step_result (*step_fn)(struct step_ctx *ctx);

static xenmig_step_result step_begin(struct step_ctx *ctx);
static xenmig_step_result step_prepare(struct step_ctx *ctx);
static xenmig_step_result step_perform(struct step_ctx *ctx);
static xenmig_step_result step_finish(struct step_ctx *ctx);
static xenmig_step_result step_confirm(struct step_ctx *ctx);
static int find_domain(xenmig_domain **out, xenmig_conn *conn,
                       const char *uuid, xenmig_error *err);
static bool in_flight(const xenmig_domain *d, const char *name);
static int count_copies(size_t *n, xenmig_conn *conn, const char *uuid,
                        const char *name, xenmig_error *err);

/*
 * A step may run only on the cookie of the step before it (@needs;
 * 0 = no cookie) and makes the cookie @makes (0 = none).
 */
static const struct step_def {
    const char *name;
    mig_side side;
    xm_cookie_step needs;
    xm_cookie_step makes;
    step_fn fn;
} steps[] = {
    { "begin", SIDE_SOURCE, 0, XM_COOKIE_BEGIN, step_begin },
    { "prepare", SIDE_DEST, XM_COOKIE_BEGIN, XM_COOKIE_PREPARE,
      step_prepare },
    { "perform", SIDE_SOURCE, XM_COOKIE_PREPARE, XM_COOKIE_PERFORM,
      step_perform },
    { "finish", SIDE_DEST, XM_COOKIE_PERFORM, XM_COOKIE_FINISH,
      step_finish },
    { "confirm", SIDE_SOURCE, XM_COOKIE_FINISH, 0, step_confirm },
};

enum { STEP_BEGIN, STEP_PREPARE, STEP_PERFORM, STEP_FINISH,
       STEP_CONFIRM };

/* A step that keeps saying CONTINUE is a bug in its driver. */
#define MAX_CONTINUE 1000

struct mig {
    xenmig_migrate_opts opts;
    xenmig_check_cb cb;
    void *payload;
    xenmig_conn *src;       /* the source, when the engine runs */
    xenmig_conn *dst;       /* the destination, when the engine runs */
    bool check_only;        /* xenmig check: stop after prepare */
    bool recover;           /* confirm: recovery, not success */
    bool posted;            /* perform sent op=migrate to xend */
};

/* ---- small helpers -------------------------------------------------- */


/*
 * How long finish, confirm and recovery wait for xend to settle:
 * XM_MIGRATE_SETTLE_MS, or $XENMIG_SETTLE_TIMEOUT seconds (0..600).
 */
static long
settle_ms(void)
{
    const char *env = getenv("XENMIG_SETTLE_TIMEOUT");
    long long s;

    if (env && xm_parse_ll(&s, env, 0, 600) == 0)
        return (long)s * 1000;
    return XM_MIGRATE_SETTLE_MS;
}

static void
sleep_ms(long ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void
report(struct mig *m, const char *check, int ok, const char *fmt, ...)
    XM_PRINTF(4, 5);

static void
report(struct mig *m, const char *check, int ok, const char *fmt, ...)
{
    char detail[XENMIG_ERROR_MSG_SIZE];
    va_list ap;

    if (!m->cb)
        return;
    va_start(ap, fmt);
    if (vsnprintf(detail, sizeof(detail), fmt, ap) < 0)
        detail[0] = '\0';
    va_end(ap);
    m->cb(check, ok, detail, m->payload);
}

/* A cap or a shared budget (issue 17): either needs the relay. */
#define CAPPED(m) ((m)->opts.resource || (m)->opts.budget)

static void
opts_copy(struct mig *m, const xenmig_migrate_opts *opts)
{
    static const xenmig_migrate_opts defaults = XENMIG_MIGRATE_OPTS_INIT;

    memset(m, 0, sizeof(*m));
    if (opts && opts->version == 1)     /* budget (issue 17): not in v1 */
        memcpy(&m->opts, opts, offsetof(xenmig_migrate_opts, budget));
    else
        m->opts = opts ? *opts : defaults;
    m->cb = m->opts.check;
    m->payload = m->opts.check_payload;
}

static int
opts_check(const struct mig *m, xenmig_error *err)
{
    const xenmig_migrate_opts *o = &m->opts;

    if (o->version != 1 && o->version != XENMIG_MIGRATE_OPTS_VERSION)
        return xm_error_set(err, XENMIG_EINVAL,
                            "migrate options version %u is not %d",
                            o->version, XENMIG_MIGRATE_OPTS_VERSION);
    if (o->flags & ~(unsigned int)(XENMIG_MIGRATE_LIVE |
                                   XENMIG_MIGRATE_SSL |
                                   XENMIG_MIGRATE_CHANGE_HOME |
                                   XENMIG_MIGRATE_DIRECT |
                                   XENMIG_MIGRATE_PROGRESS))
        return xm_error_set(err, XENMIG_EINVAL,
                            "unknown migrate flags 0x%x", o->flags);
    if (o->port < 0 || o->port > 65535)
        return xm_error_set(err, XENMIG_EINVAL,
                            "relocation port %d is not in 1..65535",
                            o->port);
    if (o->node < -1 || o->node > 4095)
        return xm_error_set(err, XENMIG_EINVAL,
                            "NUMA node %d is not in -1..4095", o->node);
    if (o->resource > 1000000)
        return xm_error_set(err, XENMIG_EINVAL,
                            "resource %lu Mbit/s is over 1000000",
                            o->resource);
    if (o->timeout_ms < 0 || o->timeout_ms > XM_XEND_MAX_TIMEOUT_MS)
        return xm_error_set(err, XENMIG_EINVAL,
                            "timeout %ld ms is out of range",
                            o->timeout_ms);
    return 0;
}

/* Does "major.minor" reach @want_major.@want_minor? */
static bool
version_ge(long long major, long long minor, int want_major,
           int want_minor)
{
    return major > want_major ||
           (major == want_major && minor >= want_minor);
}

/* The IPv4 address the connection's host name resolves to. */
static int
conn_addr(struct sockaddr_in *out, bool *is_unix, xenmig_conn *conn,
          xenmig_error *err)
{
    const char *label = xm_xend_conn_label(conn);

    *is_unix = strncmp(label, "unix:", 5) == 0;
    if (*is_unix)
        return 0;
    return xm_resolve_ipv4(out, xenmig_conn_host(conn), 0, err);
}

/*
 * The port after the last ':' of @uri's authority, if it has one:
 * 0 when there is none, -1 when it is not a number in 1..65535.
 */
static int
authority_port(const char *uri)
{
    const char *a = strstr(uri, "://");
    const char *end, *colon;
    char digits[8];
    size_t n;
    int port;

    a = a ? a + 3 : uri;
    end = a + strcspn(a, "/?#");
    colon = memchr(a, ':', (size_t)(end - a));
    if (!colon)
        return 0;
    n = (size_t)(end - colon - 1);
    if (n == 0 || n >= sizeof(digits))
        return -1;
    memcpy(digits, colon + 1, n);
    digits[n] = '\0';
    if (xm_parse_int(&port, digits, 1, 65535) != 0)
        return -1;
    return port;
}

int
xm_migrate_parse_uri(char *host, size_t host_size, int *port,
                     const char *uri, xenmig_error *err)
{
    xmlURIPtr u = NULL;
    xm_buf full = XM_BUF_INIT(1024);
    const char *after;
    char shown[128];
    int rc, p;

    xm_xend_msg_text(shown, sizeof(shown), uri ? uri : "",
                     uri ? strnlen(uri, 512) : 0);
    if (!uri || !*uri) {
        rc = xm_error_set(err, XENMIG_EINVAL, "empty migration URI");
        goto out;
    }
    if (strlen(uri) > 512) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "migration URI '%s' exceeds 512 bytes", shown);
        goto out;
    }
    /* xend's relocation client connects over IPv4 only: brackets, or
     * a second colon after the scheme's, mean an IPv6 address */
    after = strstr(uri, "://") ? strstr(uri, "://") + 3 : uri;
    if (strchr(uri, '[') || strchr(uri, ']') ||
        strchr(after, ':') != strrchr(after, ':')) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "IPv6 is not supported by xend's relocation "
                          "(IPv4 only): '%s'", shown);
        goto out;
    }
    /* "host" and "host:port" are read as xenmigr://host[:port] */
    if (!strstr(uri, "://")) {
        rc = xm_buf_printf(&full, "xenmigr://%s", uri);
        if (rc) goto out;
        uri = xm_buf_cstr(&full);
    }
    p = authority_port(uri);
    u = p < 0 ? NULL : xmlParseURI(uri);
    if (p < 0) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "invalid port in migration URI '%s' (want "
                          "1..65535)", shown);
        goto out;
    }
    if (!u || !u->scheme || (strcmp(u->scheme, "xenmigr") != 0 &&
                             strcmp(u->scheme, "tcp") != 0) ||
        !u->server || !*u->server || u->user ||
        (u->path && *u->path && strcmp(u->path, "/") != 0) ||
        u->query_raw || u->fragment) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "invalid migration URI '%s' (want host, "
                          "host:port, xenmigr://host[:port] or "
                          "tcp://host[:port])", shown);
        goto out;
    }
    if (xm_strlcpy(host, u->server, host_size) < 0) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "host name in migration URI '%s' is too long",
                          shown);
        goto out;
    }
    if (p > 0)
        *port = p;
    rc = 0;
 out:
    if (u)
        xmlFreeURI(u);
    xm_buf_dispose(&full);
    return rc;
}

/* ---- begin (source) ------------------------------------------------- */

/*
 * Does the source show @dom as xend names a domain in flight? Then
 * refuse, naming the xenmig that holds its lock if one here does.
 */
static bool
refuse_in_flight(xenmig_conn *src, const char *dom, xenmig_error *err)
{
    char flying[300];
    xenmig_domain *d = NULL;
    xm_lock probe = XM_LOCK_INIT;

    if (xm_snprintf(flying, sizeof(flying), "migrating-%s", dom) ||
        xenmig_domain_lookup(&d, src, flying, NULL) != 0)
        return false;
    if (xm_lock_take(&probe, xenmig_domain_uuid(d), dom, err) == 0 ||
        err->code != XENMIG_ESTATE) {
        xm_lock_release(&probe);
        xm_error_set(err, XENMIG_ESTATE, "domain '%s' is already in "
                     "flight on '%s' (as '%s'): another migration of it "
                     "runs", dom, xenmig_conn_host(src), flying);
    }
    xenmig_domain_free(d);
    return true;
}

static xenmig_step_result
step_begin(struct step_ctx *ctx)
{
    struct mig *m = ctx->m;
    xenmig_error *err = ctx->err;
    xenmig_domain *d = NULL;
    xenmig_node *node = NULL;
    const char *host;
    xenmig_step_result res = XENMIG_STEP_FAILED;
    int rc;

    host = xenmig_conn_host(ctx->conn);
    if (m->opts.dname) {
        xm_error_set(err, XENMIG_EINVAL,
                     "cannot rename domain '%s' to '%s' on arrival: "
                     "xend cannot rename a domain in flight", ctx->dom,
                     m->opts.dname);
        report(m, "domain", 0, "%s", err->msg);
        goto out;
    }
    rc = xenmig_node_get(&node, ctx->conn, err);
    if (rc) {
        xm_error_prefix(err, "begin on source '%s'", host);
        report(m, "source", 0, "%s", err->msg);
        goto out;
    }
    rc = xenmig_domain_lookup(&d, ctx->conn, ctx->dom, err);
    if (rc == XENMIG_ENOTFOUND && refuse_in_flight(ctx->conn, ctx->dom,
                                                   err)) {
        report(m, "domain", 0, "%s", err->msg);
        goto out;
    }
    if (rc) {
        xm_error_prefix(err, "begin on source '%s'", host);
        report(m, "domain", 0, "%s", err->msg);
        goto out;
    }
    if (xenmig_domain_id(d) == 0) {
        xm_error_set(err, XENMIG_EINVAL,
                     "domain '%s' is domain 0 of '%s': the privileged "
                     "domain cannot migrate", xenmig_domain_name(d),
                     host);
        report(m, "domain", 0, "%s", err->msg);
        goto out;
    }
    if (xenmig_domain_id(d) < 0) {
        xm_error_set(err, XENMIG_ESTATE,
                     "domain '%s' is not running on '%s'",
                     xenmig_domain_name(d), host);
        report(m, "domain", 0, "%s", err->msg);
        goto out;
    }
    if (xenmig_domain_is_paused(d) &&
        version_ge(xenmig_node_xen_major(node),
                   xenmig_node_xen_minor(node), 3, 3)) {
        xm_error_set(err, XENMIG_ESTATE,
                     "domain '%s' is paused on '%s': xend %s migrates "
                     "only running domains (unpause it first)",
                     xenmig_domain_name(d), host,
                     xenmig_node_xen_version(node));
        report(m, "domain", 0, "%s", err->msg);
        goto out;
    }
    if ((m->opts.flags & XENMIG_MIGRATE_SSL) &&
        !version_ge(xenmig_node_xen_major(node),
                    xenmig_node_xen_minor(node), 3, 3)) {
        xm_error_set(err, XENMIG_EINVAL,
                     "xend %s on '%s' has no SSL relocation (3.3 and "
                     "later)", xenmig_node_xen_version(node), host);
        report(m, "source", 0, "%s", err->msg);
        goto out;
    }
    if ((m->opts.flags & XENMIG_MIGRATE_CHANGE_HOME) &&
        !version_ge(xenmig_node_xen_major(node),
                    xenmig_node_xen_minor(node), 4, 0)) {
        xm_error_set(err, XENMIG_EINVAL,
                     "xend %s on '%s' has no change_home_server (4.0 "
                     "and later)", xenmig_node_xen_version(node), host);
        report(m, "source", 0, "%s", err->msg);
        goto out;
    }
    report(m, "domain", 1, "'%s' (id %d, %llu MiB, %s) runs on '%s'",
           xenmig_domain_name(d), xenmig_domain_id(d),
           (unsigned long long)xenmig_domain_memory(d),
           xenmig_domain_is_hvm(d) ? "hvm" : "pv", host);

    if (xm_cookie_set(ctx->out, "name", xenmig_domain_name(d), err) ||
        xm_cookie_set(ctx->out, "uuid", xenmig_domain_uuid(d), err) ||
        xm_cookie_set_ll(ctx->out, "domid", xenmig_domain_id(d), err) ||
        xm_cookie_set_ll(ctx->out, "memory",
                         (long long)xenmig_domain_memory(d), err) ||
        xm_cookie_set_ll(ctx->out, "hvm", xenmig_domain_is_hvm(d), err) ||
        xm_cookie_set(ctx->out, "src_host", host, err) ||
        xm_cookie_set(ctx->out, "src_node", xenmig_node_host(node), err) ||
        xm_cookie_set(ctx->out, "src_caps", xenmig_node_xen_caps(node),
                      err) ||
        xm_cookie_set_ll(ctx->out, "src_major",
                         xenmig_node_xen_major(node), err) ||
        xm_cookie_set_ll(ctx->out, "src_minor",
                         xenmig_node_xen_minor(node), err) ||
        xm_cookie_set(ctx->out, "src_version",
                      xenmig_node_xen_version(node), err) ||
        xm_cookie_set_ll(ctx->out, "flags", m->opts.flags, err))
        goto out;
    res = XENMIG_STEP_COMPLETE;
 out:
    xenmig_domain_free(d);
    xenmig_node_free(node);
    return res;
}

/* ---- prepare (destination) ------------------------------------------ */

/* Is the space-separated word @w in @list? */
static bool
has_word(const char *list, const char *w, size_t wlen)
{
    const char *p = list;
    size_t n;

    while (*p) {
        while (*p == ' ')
            p++;
        n = strcspn(p, " ");
        if (n == wlen && memcmp(p, w, n) == 0)
            return true;
        p += n;
    }
    return false;
}

/*
 * The destination must offer every capability of the source that the
 * domain's kind uses (xen-* for PV, hvm-* for HVM): the guest may be
 * built for any of them. The first missing one goes into @missing.
 */
static bool
caps_compatible(char *missing, size_t size, const char *src_caps,
                const char *dst_caps, bool hvm)
{
    const char *prefix = hvm ? "hvm-" : "xen-";
    const char *p = src_caps;
    bool any = false;
    size_t n;

    missing[0] = '\0';
    while (*p) {
        while (*p == ' ')
            p++;
        n = strcspn(p, " ");
        if (n > 4 && memcmp(p, prefix, 4) == 0) {
            any = true;
            if (!has_word(dst_caps, p, n)) {
                if (n >= size)
                    n = size - 1;
                memcpy(missing, p, n);
                missing[n] = '\0';
                return false;
            }
        }
        p += n;
    }
    if (!any)
        xm_strlcpy(missing, prefix, size);
    return any;
}

/*
 * What a careful administrator would want to hear, without failing the
 * migration: a destination open to any host, and clear text where the
 * destination offers SSL relocation.
 */
static void
warn_trust(struct mig *m, xenmig_conn *dst,
           const struct sockaddr_in *target, const char *host)
{
    struct sockaddr_in ssl_addr = *target;
    xm_caps_config cfg;
    xm_reloc_probe probe;
    const char *path;

    /* a local destination's xend-config.sxp is ours to read */
    if (strncmp(xm_xend_conn_label(dst), "unix:", 5) == 0) {
        path = getenv("XEND_CONFIG");
        if (!path || !*path)
            path = "/etc/xen/xend-config.sxp";
        xm_caps_config_init(&cfg);
        if (xm_caps_config_read(&cfg, path, NULL) == 0 &&
            (!cfg.hosts_allow || !*cfg.hosts_allow))
            report(m, "hosts-allow", XENMIG_CHECK_WARN, "destination '%s' "
                   "takes migrations from any host: "
                   "xend-relocation-hosts-allow is empty in '%s'", host,
                   path);
        xm_caps_config_dispose(&cfg);
    }
    if (m->opts.flags & XENMIG_MIGRATE_SSL)
        return;
    ssl_addr.sin_port = htons(XM_RELOC_DEFAULT_SSL_PORT);
    if (ntohs(target->sin_port) == XM_RELOC_DEFAULT_SSL_PORT)
        return;
    if (xm_reloc_probe_addr(&probe, &ssl_addr, 500, NULL) == 0 &&
        probe.status != XM_RELOC_CLOSED)
        report(m, "ssl", XENMIG_CHECK_WARN, "destination '%s' has an SSL "
               "relocation server on port %d, but this migration goes "
               "in clear text (use --ssl)", host,
               XM_RELOC_DEFAULT_SSL_PORT);
}

typedef enum stream_path_t {
    PATH_UNKNOWN,           /* no source connection (single steps) */
    PATH_RELAY_LOCAL,       /* relay on the source's own loopback */
    PATH_RELAY_REMOTE,      /* relay on this host, source elsewhere */
    PATH_DIRECT_LOCAL,      /* xend connects, xenmig runs on the source */
    PATH_DIRECT_REMOTE      /* xend connects, from another host */
} stream_path_t;

static bool source_local(xenmig_conn *src);
static bool xend_takes_port(const char *version);

/* The path migrate's stream takes, as perform will choose it. */
static stream_path_t
stream_path(const struct mig *m, const char *src_version)
{
    bool local;

    if (!m->src)
        return PATH_UNKNOWN;
    local = source_local(m->src);
    if (xm_migrate_want_relay(m->opts.flags, CAPPED(m),
                              m->opts.timeout_ms, m->opts.stall_ms,
                              local) &&
        (xend_takes_port(src_version) || CAPPED(m)))
        return local ? PATH_RELAY_LOCAL : PATH_RELAY_REMOTE;
    return local ? PATH_DIRECT_LOCAL : PATH_DIRECT_REMOTE;
}

/* Whose view of the relocation server this host's probe gives. */
static const char *
view_str(stream_path_t path)
{
    switch (path) {
    case PATH_RELAY_LOCAL:
    case PATH_RELAY_REMOTE:
        return "as the relay on this host sees it";
    case PATH_DIRECT_LOCAL:
        return "as the source sees it: xenmig runs on the source";
    default:
        return "as this host sees it";
    }
}

static xenmig_step_result
step_prepare(struct step_ctx *ctx)
{
    struct mig *m = ctx->m;
    xenmig_error *err = ctx->err;
    xenmig_node *node = NULL;
    xenmig_domain *clash = NULL;
    struct sockaddr_in reached, target;
    xm_reloc_probe probe;
    char target_name[256];
    char reached_ip[INET_ADDRSTRLEN], target_ip[INET_ADDRSTRLEN];
    char missing[64];
    const char *host, *name, *uuid, *src_caps;
    long long memory, hvm;
    int port = XM_RELOC_DEFAULT_PORT;
    bool is_unix;
    stream_path_t path;
    xenmig_step_result res = XENMIG_STEP_FAILED;
    int rc;

    host = xenmig_conn_host(ctx->conn);
    name = xm_cookie_get(ctx->in, "name");
    uuid = xm_cookie_get(ctx->in, "uuid");
    src_caps = xm_cookie_get(ctx->in, "src_caps");
    if (!name || !uuid || !src_caps ||
        xm_cookie_get_ll(&memory, ctx->in, "memory", 0, LLONG_MAX, err) ||
        xm_cookie_get_ll(&hvm, ctx->in, "hvm", 0, 1, err)) {
        if (!err || !err->code)
            xm_error_set(err, XENMIG_EPARSE,
                         "begin cookie lacks the domain's description");
        goto out;
    }

    rc = xenmig_node_get(&node, ctx->conn, err);
    if (rc) {
        xm_error_prefix(err, "prepare on destination '%s'", host);
        report(m, "destination", 0, "%s", err->msg);
        goto out;
    }

    /* The address the source must send to, and that it is this host.
     * The port: --port, else the URI's, else xend's default for the
     * kind of relocation (8003 for SSL, 8002 plain). */
    if (m->opts.flags & XENMIG_MIGRATE_SSL)
        port = XM_RELOC_DEFAULT_SSL_PORT;
    if (m->opts.uri) {
        rc = xm_migrate_parse_uri(target_name, sizeof(target_name), &port,
                                  m->opts.uri, err);
        if (rc) {
            report(m, "address", 0, "%s", err->msg);
            goto out;
        }
    } else if (xm_strlcpy(target_name, xenmig_node_host(node),
                          sizeof(target_name)) < 0 || !*target_name) {
        xm_error_set(err, XENMIG_EPARSE,
                     "destination '%s' reports no usable host name", host);
        report(m, "address", 0, "%s", err->msg);
        goto out;
    }
    if (m->opts.port)
        port = m->opts.port;
    rc = xm_resolve_ipv4(&target, target_name, port, err);
    if (rc) {
        xm_error_prefix(err, "prepare on destination '%s'", host);
        report(m, "address", 0, "%s", err->msg);
        goto out;
    }
    inet_ntop(AF_INET, &target.sin_addr, target_ip, sizeof(target_ip));
    rc = conn_addr(&reached, &is_unix, ctx->conn, err);
    if (rc) {
        xm_error_prefix(err, "prepare on destination '%s'", host);
        report(m, "address", 0, "%s", err->msg);
        goto out;
    }
    if (!is_unix && reached.sin_addr.s_addr != target.sin_addr.s_addr) {
        inet_ntop(AF_INET, &reached.sin_addr, reached_ip,
                  sizeof(reached_ip));
        xm_error_set(err, XENMIG_EINVAL,
                     "destination '%s' is at %s, but the migration "
                     "address '%s' resolves to %s: the source would "
                     "send the domain elsewhere (give --migrate-uri)",
                     host, reached_ip, target_name, target_ip);
        report(m, "address", 0, "%s", err->msg);
        goto out;
    }
    report(m, "address", 1, "'%s' resolves to %s, port %d", target_name,
           target_ip, port);

    /* Which path the stream takes decides whose view of the relocation
     * server counts: the relay's host, or the source (reference 4.2). */
    path = stream_path(m, xm_cookie_get(ctx->in, "src_version"));
    report(m, "path", 1, "%s", path == PATH_DIRECT_LOCAL ||
           path == PATH_DIRECT_REMOTE ? "direct: the source xend connects "
           "to the destination itself" : path == PATH_RELAY_REMOTE ?
           "relay: the stream passes through this host, which forwards "
           "it to the destination" : path == PATH_RELAY_LOCAL ?
           "relay: the source xend sends to xenmig on its own loopback, "
           "which forwards it to the destination" :
           "not known here (no source connection)");
    if (path == PATH_DIRECT_REMOTE) {
        report(m, "relocation", XENMIG_CHECK_WARN, "%s:%d not checked "
               "from here: the source xend connects to it, and its "
               "hosts-allow judges the source, not this host", target_ip,
               port);
        goto probed;
    }

    /* The relocation server answers us, without starting a restore. */
    rc = xm_reloc_probe_addr(&probe, &target, 0, err);
    if (rc) {
        report(m, "relocation", 0, "%s", err->msg);
        goto out;
    }
    /* A TLS listener cannot answer "(help)" in clear: it waits, or
     * drops the connection; either way something listens there. */
    if (probe.status != XM_RELOC_ANSWERS &&
        !((probe.status == XM_RELOC_SILENT ||
           probe.status == XM_RELOC_REJECTED) &&
          (m->opts.flags & XENMIG_MIGRATE_SSL))) {
        xm_error_set(err, probe.status == XM_RELOC_REJECTED ?
                     XENMIG_EREFUSED : XENMIG_ECONNECT,
                     "relocation server of '%s' at %s:%d %s (%s)", host,
                     target_ip, port, xm_reloc_status_str(probe.status),
                     view_str(path));
        report(m, "relocation", 0, "%s", err->msg);
        goto out;
    }
    report(m, "relocation", 1, "%s:%d %s (%s)", target_ip, port,
           probe.status == XM_RELOC_ANSWERS ? "answers (help)" :
           "accepts connections (SSL: TLS and hosts-allow not "
           "probed)", view_str(path));
 probed:
    warn_trust(m, ctx->conn, &target, host);

    /* No domain of that name or UUID there already. */
    rc = xenmig_domain_lookup(&clash, ctx->conn, name, err);
    if (rc == 0 || (rc == XENMIG_ENOTFOUND &&
                    (xenmig_error_clear(err),
                     rc = xenmig_domain_lookup(&clash, ctx->conn, uuid,
                                               err)) == 0)) {
        xm_error_set(err, XENMIG_ESTATE,
                     "destination '%s' already has domain '%s' (id %d, "
                     "uuid %s)", host, xenmig_domain_name(clash),
                     xenmig_domain_id(clash), xenmig_domain_uuid(clash));
        report(m, "name", 0, "%s", err->msg);
        goto out;
    }
    if (rc != XENMIG_ENOTFOUND) {
        xm_error_prefix(err, "prepare on destination '%s'", host);
        report(m, "name", 0, "%s", err->msg);
        goto out;
    }
    xenmig_error_clear(err);
    report(m, "name", 1, "no domain '%s' on '%s'", name, host);

    if ((unsigned long long)memory > xenmig_node_free_memory(node)) {
        xm_error_set(err, XENMIG_ERANGE,
                     "destination '%s' has %llu MiB free, domain '%s' "
                     "needs %lld MiB", host,
                     (unsigned long long)xenmig_node_free_memory(node),
                     name, memory);
        report(m, "memory", 0, "%s", err->msg);
        goto out;
    }
    report(m, "memory", 1, "%lld MiB needed, %llu MiB free", memory,
           (unsigned long long)xenmig_node_free_memory(node));

    if (!caps_compatible(missing, sizeof(missing), src_caps,
                         xenmig_node_xen_caps(node), hvm != 0)) {
        xm_error_set(err, XENMIG_EINVAL,
                     "destination '%s' lacks xen_caps '%s' that the "
                     "source offers (destination: '%s')", host, missing,
                     xenmig_node_xen_caps(node));
        report(m, "xen_caps", 0, "%s", err->msg);
        goto out;
    }
    report(m, "xen_caps", 1, "'%s' offers what the source does",
           xenmig_node_xen_caps(node));

    if (xm_cookie_set(ctx->out, "target", target_name, err) ||
        xm_cookie_set(ctx->out, "target_ip", target_ip, err) ||
        xm_cookie_set_ll(ctx->out, "port", port, err) ||
        xm_cookie_set(ctx->out, "dst_host", host, err) ||
        xm_cookie_set_ll(ctx->out, "dst_major",
                         xenmig_node_xen_major(node), err))
        goto out;
    res = XENMIG_STEP_COMPLETE;
 out:
    xenmig_domain_free(clash);
    xenmig_node_free(node);
    return res;
}

/* ---- perform (source) ----------------------------------------------- */

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
static bool
source_local(xenmig_conn *src)
{
    struct sockaddr_in sa;
    bool is_unix;
    int fd;
    bool local;

    if (conn_addr(&sa, &is_unix, src, NULL))
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
static bool
xend_takes_port(const char *version)
{
    return !version || (strncmp(version, "3.0.0", 5) != 0 &&
                        strncmp(version, "3.0.1", 5) != 0);
}

static bool
want_relay(const struct mig *m, long long flags, bool local)
{
    return xm_migrate_want_relay((unsigned int)flags, CAPPED(m),
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

    rc = conn_addr(&sa, &is_unix, src, err);
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
static int
relay_start(xm_relay **relay, xm_relay_opts *ro,
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
    local = source_local(ctx->conn);
    if (!want_relay(m, flags, local)) {
        if (CAPPED(m) && (flags & XENMIG_MIGRATE_SSL))
            return xm_error_set(err, XENMIG_EINVAL,
                                "a bandwidth cap needs the relay, which "
                                "does not carry SSL relocation");
        return 0;
    }
    /*
     * xend 3.0.0 and 3.0.1 take no port: they cannot send to a relay.
     * Progress and timeouts are a nicety there; a cap is a promise.
     */
    if (!xend_takes_port(version)) {
        if (!CAPPED(m))
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
        report(m, "relay", XENMIG_CHECK_WARN, "the stream passes through "
               "this host: the source xend sends to the relay at %s:%d",
               ip, ntohs(listen_addr->sin_port));
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
static int
relay_end(xm_relay *relay, const xm_relay_opts *ro, int xend_rc,
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

/*
 * xend answers op=migrate only when it is done, and only for its own
 * errors (reference 4.7, 7b.6): any other failure resumes the domain,
 * renames it back and leaves the POST unanswered. So the POST runs in
 * a thread on a connection of its own while this one watches the
 * domain on both hosts, by UUID, about once a second.
 */
#define XM_MIGRATE_WATCH_MS 1000L
#define XM_MIGRATE_HANDSHAKE_MS 35000L  /* xend's 30 s handshake + 5 s */
#define XM_MIGRATE_BACK_MS 5000L        /* back, before xend's answer */

struct post {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int refs;               /* the thread and the watcher */
    int done;
    int rc;
    xenmig_error err;
    xenmig_conn *conn;      /* the POST's own connection to xend */
    char uuid[64];
    char send_to[INET_ADDRSTRLEN];
    int port, node, resource;
    bool live, ssl, chs;
    long timeout_ms;
};

static void
post_unref(struct post *p)
{
    int refs;

    pthread_mutex_lock(&p->lock);
    refs = --p->refs;
    pthread_mutex_unlock(&p->lock);
    if (refs)
        return;
    xenmig_conn_free(p->conn);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    xm_free(p);
}

static void *
post_main(void *arg)
{
    struct post *p = arg;
    xenmig_error e;
    int rc;

    xenmig_error_clear(&e);
    rc = xm_xend_migrate(p->conn, p->uuid, p->send_to, p->live, p->port,
                         p->node, p->ssl, p->chs, p->resource,
                         p->timeout_ms, &e);
    pthread_mutex_lock(&p->lock);
    p->rc = rc;
    p->err = e;
    p->done = 1;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    post_unref(p);
    return NULL;
}

/*
 * Wait up to @ms for the POST's answer: 1 with *rc and @err set from
 * it, 0 while it is still silent.
 */
static int
post_wait(struct post *p, long ms, int *rc, xenmig_error *err)
{
    struct timespec until;
    int done;

    xm_deadline_ts(&until, ms);
    pthread_mutex_lock(&p->lock);
    while (!p->done &&
           pthread_cond_timedwait(&p->cond, &p->lock, &until) == 0)
        ;
    done = p->done;
    if (done) {
        *rc = p->rc;
        if (p->rc && err)
            *err = p->err;
    }
    pthread_mutex_unlock(&p->lock);
    return done;
}

/* Start the POST in its thread; *out is the watcher's reference. */
static int
post_start(struct post **out, xenmig_conn *src, const char *uuid,
           const char *send_to, int port, const struct mig *m,
           long long flags, long timeout_ms, xenmig_error *err)
{
    struct post *p;
    pthread_t th;
    int rc;

    *out = NULL;
    p = xm_calloc(1, sizeof(*p));
    if (!p)
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    rc = xenmig_conn_open(&p->conn, xenmig_conn_uri(src), err);
    if (rc) {
        xm_free(p);
        return rc;
    }
    if (xm_strlcpy(p->uuid, uuid, sizeof(p->uuid)) < 0 ||
        xm_strlcpy(p->send_to, send_to, sizeof(p->send_to)) < 0) {
        xenmig_conn_free(p->conn);
        xm_free(p);
        return xm_error_set(err, XENMIG_ERANGE, "uuid or address too "
                            "long");
    }
    p->port = port;
    p->node = m->opts.node;
    p->resource = (int)m->opts.resource;
    p->live = (flags & XENMIG_MIGRATE_LIVE) != 0;
    p->ssl = (flags & XENMIG_MIGRATE_SSL) != 0;
    p->chs = (flags & XENMIG_MIGRATE_CHANGE_HOME) != 0;
    p->timeout_ms = timeout_ms;
    p->refs = 2;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    rc = pthread_create(&th, NULL, post_main, p);
    if (rc) {
        p->refs = 1;
        post_unref(p);
        return xm_error_set_errno(err, XENMIG_EIO, rc, "cannot start "
                                  "the op=migrate thread");
    }
    pthread_detach(th);
    *out = p;
    return 0;
}

/* Does @conn run domain @uuid (present, with a domid, not paused)? */
static int
runs_on(xenmig_conn *conn, const char *uuid, bool *in_flight_r,
        const char *name)
{
    xenmig_domain *d = NULL;
    xenmig_error lerr;
    int r;

    xenmig_error_clear(&lerr);
    if (!conn || find_domain(&d, conn, uuid, &lerr))
        return -1;                      /* cannot tell */
    r = d && xenmig_domain_id(d) > 0 && !xenmig_domain_is_paused(d);
    if (in_flight_r)
        *in_flight_r = d && in_flight(d, name);
    if (!d)
        r = 0;
    xenmig_domain_free(d);
    return r;
}

/* Without the relay: tell the caller how long, and the source's view. */
static void
watch_report(struct mig *m, double elapsed_s, const char *state)
{
    xenmig_progress p;

    if (!m->opts.progress)
        return;
    memset(&p, 0, sizeof(p));
    p.elapsed_s = elapsed_s;
    p.source_state = state;
    (void)m->opts.progress(&p, m->opts.payload);
}

/*
 * Wait for xend's answer to op=migrate while watching the domain.
 * Returns what stands for xend's answer: its own, when it gives one
 * (@err set); XENMIG_ETIMEOUT at the user's timeout; XENMIG_EXEND
 * with a verdict in @err when the domain is back on the source under
 * its own name (after it was seen in flight, or, for a xend that
 * @renames it in flight, past xend's handshake timeout); 0
 * when the state says the stream is over (the domain left the source
 * for the destination, or the relay read the destination's verdict)
 * and xend stays silent for the settle time after it.
 */
static int
post_watch(struct post *p, struct mig *m, xenmig_conn *src,
           xm_relay *relay, const char *uuid, const char *name,
           bool renames, long timeout_ms, xenmig_error *err)
{
    long t0 = xm_now_ms(), now, back = 0, over = 0;
    bool flying, seen_flying = false;
    int rc, on_src, on_dst;

    for (;;) {
        if (post_wait(p, XM_MIGRATE_WATCH_MS, &rc, err))
            return rc;
        now = xm_now_ms();
        if (m->opts.timeout_ms && now - t0 >= timeout_ms)
            return XENMIG_ETIMEOUT;
        if (over) {
            if (now >= over)
                return 0;
            continue;
        }
        flying = false;
        on_src = runs_on(src, uuid, &flying, name);
        if (flying)
            seen_flying = true;
        if (!relay)
            watch_report(m, (now - t0) / 1000.0, flying ? "in flight" :
                         on_src == 1 ? "running" : on_src == 0 ? "gone" :
                         "unknown");
        if (relay && xm_relay_finished(relay)) {
            over = now + settle_ms();
            continue;
        }
        if (on_src == 0 && !flying) {
            on_dst = runs_on(m->dst, uuid, NULL, name);
            if (on_dst == 1 || !m->dst) {
                over = now + settle_ms();
                continue;
            }
        }
        if (on_src == 1 && !flying) {
            if (!back)
                back = now;
            /* only a xend known to rename the domain in flight (4.1+,
             * reference 3.6) says by its name that it stopped */
            if ((seen_flying && now - back >= XM_MIGRATE_BACK_MS) ||
                (renames && now - t0 >= XM_MIGRATE_HANDSHAKE_MS))
                return xm_error_set(err, XENMIG_EXEND, "xend has not "
                                    "answered op=migrate after %ld s, and "
                                    "domain '%s' runs here under its own "
                                    "name again: xend failed without "
                                    "saying why", (now - t0) / 1000,
                                    name);
        } else {
            back = 0;
        }
    }
}

static xenmig_step_result
step_perform(struct step_ctx *ctx)
{
    struct mig *m = ctx->m;
    xenmig_error *err = ctx->err;
    xenmig_domain *d = NULL;
    xm_relay *relay = NULL;
    xm_relay_opts ro;
    struct post *post = NULL;
    struct sockaddr_in via;
    char via_ip[INET_ADDRSTRLEN];
    const char *host, *uuid, *name, *target_ip, *send_to;
    long long port, flags, major, minor, memory;
    long timeout;
    int send_port;
    xenmig_step_result res = XENMIG_STEP_FAILED;
    int rc;

    host = xenmig_conn_host(ctx->conn);
    uuid = xm_cookie_get(ctx->in, "uuid");
    name = xm_cookie_get(ctx->in, "name");
    target_ip = xm_cookie_get(ctx->in, "target_ip");
    if (!uuid || !name || !target_ip ||
        xm_cookie_get_ll(&port, ctx->in, "port", 1, 65535, err) ||
        xm_cookie_get_ll(&flags, ctx->in, "flags", 0, 0xff, err) ||
        xm_cookie_get_ll(&memory, ctx->in, "memory", 0, LLONG_MAX >> 20,
                         err) ||
        xm_cookie_get_ll(&major, ctx->in, "src_major", 0, 99, err) ||
        xm_cookie_get_ll(&minor, ctx->in, "src_minor", 0, 99, err)) {
        if (!err || !err->code)
            xm_error_set(err, XENMIG_EPARSE,
                         "prepare cookie lacks the migration address");
        goto out;
    }

    /* Still there, still the same domain, still able to go. */
    rc = xenmig_domain_lookup(&d, ctx->conn, uuid, err);
    if (rc) {
        xm_error_prefix(err, "perform on source '%s'", host);
        goto out;
    }
    if (xenmig_domain_id(d) <= 0) {
        xm_error_set(err, XENMIG_ESTATE,
                     "domain '%s' is not running on '%s' any more", name,
                     host);
        goto out;
    }
    if (strncmp(xenmig_domain_name(d), "migrating-", 10) == 0) {
        xm_error_set(err, XENMIG_ESTATE, "domain '%s' is already in "
                     "flight on '%s' (as '%s'): another migration of it "
                     "runs", name, host, xenmig_domain_name(d));
        goto out;
    }
    if (xenmig_domain_is_paused(d) && version_ge(major, minor, 3, 3)) {
        xm_error_set(err, XENMIG_ESTATE,
                     "domain '%s' was paused on '%s' since prepare; "
                     "xend %lld.%lld migrates only running domains",
                     name, host, major, minor);
        goto out;
    }

    timeout = m->opts.timeout_ms ? m->opts.timeout_ms :
              XM_MIGRATE_DEFAULT_TIMEOUT_MS;
    rc = relay_start(&relay, &ro, &via, ctx, flags, memory, target_ip,
                     port);
    if (rc) {
        xm_error_prefix(err, "perform on source '%s'", host);
        goto out;
    }
    send_to = target_ip;
    send_port = (int)port;
    if (relay) {
        inet_ntop(AF_INET, &via.sin_addr, via_ip, sizeof(via_ip));
        send_to = via_ip;
        send_port = ntohs(via.sin_port);
    }
    m->posted = true;
    rc = post_start(&post, ctx->conn, uuid, send_to, send_port, m, flags,
                    timeout, err);
    if (!rc)
        rc = post_watch(post, m, ctx->conn, relay, uuid, name,
                        version_ge(major, minor, 4, 1), timeout, err);
    if (relay)
        rc = relay_end(relay, &ro, rc, host, timeout, err);
    else if (rc == XENMIG_ETIMEOUT)
        xm_error_set(err, XENMIG_ETIMEOUT, "timed out after %ld s: xend "
                     "had not answered op=migrate", timeout / 1000);
    if (rc) {
        xm_error_prefix(err, "perform on source '%s'", host);
        goto out;
    }
    res = XENMIG_STEP_COMPLETE;
 out:
    if (post)
        post_unref(post);
    xm_relay_free(relay);
    xenmig_domain_free(d);
    return res;
}

/* ---- finish (destination) ------------------------------------------- */

/*
 * Look @uuid up on @conn: 0 with *out set, 0 with *out NULL when xend
 * does not know it, or an error.
 */
static int
find_domain(xenmig_domain **out, xenmig_conn *conn, const char *uuid,
            xenmig_error *err)
{
    int rc;

    *out = NULL;
    rc = xenmig_domain_lookup(out, conn, uuid, err);
    if (rc == XENMIG_ENOTFOUND) {
        xenmig_error_clear(err);
        return 0;
    }
    return rc;
}

/* A domain is "in flight" on the source while xend calls it so. */
static bool
in_flight(const xenmig_domain *d, const char *name)
{
    const char *n = xenmig_domain_name(d);

    return strncmp(n, "migrating-", 10) == 0 &&
           (!name || strcmp(n + 10, name) == 0);
}

static xenmig_step_result
step_finish(struct step_ctx *ctx)
{
    xenmig_error *err = ctx->err;
    xenmig_domain *d = NULL;
    const char *host, *uuid, *name;
    long deadline;
    size_t copies;
    xenmig_step_result res = XENMIG_STEP_FAILED;
    int rc;

    host = xenmig_conn_host(ctx->conn);
    uuid = xm_cookie_get(ctx->in, "uuid");
    name = xm_cookie_get(ctx->in, "name");
    if (!uuid || !name) {
        xm_error_set(err, XENMIG_EPARSE,
                     "perform cookie lacks the domain");
        goto out;
    }
    deadline = xm_now_ms() + settle_ms();
    for (;;) {
        xenmig_domain_free(d);
        rc = find_domain(&d, ctx->conn, uuid, err);
        if (rc) {
            xm_error_prefix(err, "finish on destination '%s'", host);
            goto out;
        }
        if (d && xenmig_domain_id(d) > 0 && !xenmig_domain_is_paused(d))
            break;
        if (xm_now_ms() >= deadline)
            break;
        sleep_ms(XM_MIGRATE_POLL_MS);
    }
    if (!d || xenmig_domain_id(d) <= 0) {
        xm_error_set(err, XENMIG_ENOTFOUND,
                     "finish on destination '%s': domain '%s' did not "
                     "arrive", host, name);
        goto out;
    }
    if (xenmig_domain_is_paused(d)) {
        /* xend unpauses after the devices connect; do it if it did not */
        rc = xenmig_domain_op(ctx->conn, uuid, "unpause", NULL, err);
        if (rc) {
            xm_error_prefix(err, "finish on destination '%s': domain "
                            "'%s' arrived paused", host, name);
            goto out;
        }
    }
    rc = count_copies(&copies, ctx->conn, uuid, name, err);
    if (rc) {
        xm_error_prefix(err, "finish on destination '%s'", host);
        goto out;
    }
    if (copies > 1) {
        xm_error_set(err, XENMIG_ESTATE, "finish on destination '%s': "
                     "%zu domains there have the UUID of '%s' (%s)", host,
                     copies, name, uuid);
        goto out;
    }
    if (xm_cookie_set_ll(ctx->out, "dst_domid", xenmig_domain_id(d),
                         err))
        goto out;
    res = XENMIG_STEP_COMPLETE;
 out:
    xenmig_domain_free(d);
    return res;
}

/* ---- confirm (source) and recovery ---------------------------------- */

/*
 * Between two looks at a local source xend for a domain in flight:
 * sleep on xenstore until xend writes the name back or the domain
 * goes (reference 6.5), at most until @deadline. Once xenstore has
 * said so, or where there is no xenstored (*xs stays NULL), or the
 * source is not local, a poll interval. xend has the last word.
 */
static void
wait_name_back(xm_xs **xs, int *state, xenmig_conn *src, int domid,
               const char *name, long deadline)
{
    xenmig_error lerr;
    long left = deadline - xm_now_ms();

    xenmig_error_clear(&lerr);
    if (*state == 0) {
        *state = 1;
        /* *xs stays NULL on failure or where no xenstored answers */
        if (strncmp(xm_xend_conn_label(src), "unix:", 5) == 0)
            (void)xm_xs_open(xs, &lerr);
    }
    if (*state == 1 && *xs && domid > 0 && left > 0) {
        *state = 2;             /* once: xend may lag xenstore */
        if (xm_xs_wait_name(*xs, domid, name, left, &lerr) == 0 ||
            lerr.code == XENMIG_ENOTFOUND)
            return;
    }
    sleep_ms(XM_MIGRATE_POLL_MS);
}

/*
 * Make sure the domain runs on the source again after a failure:
 * wait (bounded) for xend to give it its name back, unpause it if it
 * was left paused. 0 when it runs, XENMIG_ENOTFOUND when it is not
 * there, or an error.
 */
static int
resume_on_source(xenmig_conn *src, const char *uuid, const char *name,
                 xenmig_error *err)
{
    xenmig_domain *d = NULL;
    long deadline = xm_now_ms() + settle_ms();
    xm_xs *xs = NULL;
    int xs_state = 0;
    int rc;

    for (;;) {
        xenmig_domain_free(d);
        rc = find_domain(&d, src, uuid, err);
        if (rc) goto out;
        if (!d) {
            rc = XENMIG_ENOTFOUND;
            goto out;
        }
        if (!in_flight(d, name) || xm_now_ms() >= deadline)
            break;
        wait_name_back(&xs, &xs_state, src, xenmig_domain_id(d), name,
                       deadline);
    }
    if (xenmig_domain_is_paused(d)) {
        rc = xenmig_domain_op(src, uuid, "unpause", NULL, err);
        if (rc) goto out;
    }
    rc = 0;
 out:
    xm_xs_close(xs);
    xenmig_domain_free(d);
    return rc;
}

/*
 * A local source xend has xenstored beside it: wait for the domain's
 * @releaseDomain there rather than poll xend (reference 6.5). Only a
 * shortcut: xend, asked next, has the last word either way.
 */
static void
wait_released_locally(xenmig_conn *src, const xm_cookie *ck)
{
    xenmig_error lerr;
    xm_xs *xs = NULL;
    long long domid;

    if (strncmp(xm_xend_conn_label(src), "unix:", 5) != 0)
        return;
    xenmig_error_clear(&lerr);
    if (xm_cookie_get_ll(&domid, ck, "domid", 1, 0x7fff, &lerr))
        return;
    if (xm_xs_open(&xs, &lerr) || !xs)
        return;
    (void)xm_xs_wait_released(xs, (int)domid, settle_ms(), &lerr);
    xm_xs_close(xs);
}

static xenmig_step_result
step_confirm(struct step_ctx *ctx)
{
    xenmig_error *err = ctx->err;
    xenmig_domain *d = NULL;
    const char *host, *uuid, *name;
    long deadline;
    xenmig_step_result res = XENMIG_STEP_FAILED;
    int rc;

    host = xenmig_conn_host(ctx->conn);
    uuid = xm_cookie_get(ctx->in, "uuid");
    name = xm_cookie_get(ctx->in, "name");
    if (!uuid || !name) {
        xm_error_set(err, XENMIG_EPARSE, "cookie lacks the domain");
        goto out;
    }
    if (ctx->m->recover) {
        rc = resume_on_source(ctx->conn, uuid, name, err);
        if (rc == XENMIG_ENOTFOUND)
            xm_error_set(err, XENMIG_ENOTFOUND,
                         "confirm on source '%s': domain '%s' is not on "
                         "the source; look for it on the destination",
                         host, name);
        else if (rc)
            xm_error_prefix(err, "confirm on source '%s'", host);
        if (rc) goto out;
        res = XENMIG_STEP_COMPLETE;
        goto out;
    }
    wait_released_locally(ctx->conn, ctx->in);
    deadline = xm_now_ms() + settle_ms();
    for (;;) {
        xenmig_domain_free(d);
        rc = find_domain(&d, ctx->conn, uuid, err);
        if (rc) {
            xm_error_prefix(err, "confirm on source '%s'", host);
            goto out;
        }
        if (!d || xm_now_ms() >= deadline)
            break;
        sleep_ms(XM_MIGRATE_POLL_MS);
    }
    if (d) {
        xm_error_set(err, XENMIG_ESTATE,
                     "confirm on source '%s': domain '%s' is still there "
                     "(as '%s', id %d)", host, name,
                     xenmig_domain_name(d), xenmig_domain_id(d));
        goto out;
    }
    res = XENMIG_STEP_COMPLETE;
 out:
    xenmig_domain_free(d);
    return res;
}

/* How long a domain seen back on the source alone waits for a late
 * restore on the destination to show (xend never checks, 4.5). */
#define XM_MIGRATE_LATE_MS 3000L

/*
 * Are @a and @b the same xend? The same URI, or HTTP on the same
 * address and port. (A Unix socket and TCP to one host cannot be told
 * apart here; prepare refuses that pair anyway, as the destination
 * then has the domain already.)
 */
static bool
same_xend(xenmig_conn *a, xenmig_conn *b)
{
    struct sockaddr_in sa, sb;
    bool ua, ub;
    const char *la = xm_xend_conn_label(a);
    const char *lb = xm_xend_conn_label(b);
    const char *pa = strrchr(la, ':');
    const char *pb = strrchr(lb, ':');

    if (strcmp(la, lb) == 0)
        return true;
    if (conn_addr(&sa, &ua, a, NULL) || conn_addr(&sb, &ub, b, NULL) ||
        ua || ub)
        return false;
    return sa.sin_addr.s_addr == sb.sin_addr.s_addr && pa && pb &&
           strcmp(pa, pb) == 0;
}

/* ---- recovery: look, decide, act, look again ------------------------ */

/* Is @a a better copy to keep than @b? Deterministic, so that two
 * recoveries looking at one host keep the same copy. */
static bool
copy_better(const xm_copy *a, const xm_copy *b)
{
    if (a->in_flight != b->in_flight)
        return !a->in_flight;
    if (a->named != b->named)
        return a->named;
    if (a->paused != b->paused)
        return !a->paused;
    return a->domid < b->domid;
}

/* The copy on @h to destroy when it holds more than one. */
static size_t
copy_extra(const xm_seen *h)
{
    size_t i, keep = 0, n = h->n < XM_SEEN_MAX ? h->n : XM_SEEN_MAX;

    for (i = 1; i < n; i++)
        if (copy_better(&h->copy[i], &h->copy[keep]))
            keep = i;
    return keep == 0 ? 1 : 0;
}

static bool
any_in_flight(const xm_seen *h)
{
    size_t i;

    for (i = 0; i < h->n && i < XM_SEEN_MAX; i++)
        if (h->copy[i].in_flight)
            return true;
    return false;
}

static xm_rec_next
rec_next(xm_rec_act act, bool on_dest, size_t copy)
{
    xm_rec_next n;

    n.act = act;
    n.on_dest = on_dest;
    n.copy = copy;
    return n;
}

xm_rec_next
xm_recover_decide(const xm_seen *s, const xm_seen *d, bool late, bool over)
{
    if (!s->answered || !d->answered)
        return rec_next(over ? XM_REC_UNKNOWN : XM_REC_WAIT, false, 0);
    /* xend still moving or resuming it: its word comes first */
    if (any_in_flight(s) && !over)
        return rec_next(XM_REC_WAIT, false, 0);
    /* two domains with one UUID on one host: a fault, resolved */
    if (s->n > 1)
        return rec_next(XM_REC_DESTROY, false, copy_extra(s));
    if (d->n > 1)
        return rec_next(XM_REC_DESTROY, true, copy_extra(d));
    if (s->n && d->n) {
        if (s->copy[0].in_flight)
            return rec_next(XM_REC_UNKNOWN, false, 0);
        /* xend resumed it on the source and stands by that copy */
        return rec_next(XM_REC_DESTROY, true, 0);
    }
    if (s->n) {
        if (!late && !over)
            return rec_next(XM_REC_WAIT, false, 0);  /* a late restore? */
        if (s->copy[0].paused)
            return rec_next(XM_REC_UNPAUSE, false, 0);
        return rec_next(XM_REC_ON_SOURCE, false, 0);
    }
    if (d->n) {
        if (d->copy[0].paused)
            return rec_next(late || over ? XM_REC_UNPAUSE : XM_REC_WAIT,
                            true, 0);
        return rec_next(XM_REC_ON_DEST, true, 0);
    }
    return rec_next(over ? XM_REC_LOST : XM_REC_WAIT, false, 0);
}

static void
seen_add(xm_seen *h, const xenmig_domain *d, const char *name)
{
    xm_copy *c;
    size_t i;

    for (i = 0; i < h->n && i < XM_SEEN_MAX; i++)
        if (h->copy[i].domid == xenmig_domain_id(d))
            return;
    if (h->n < XM_SEEN_MAX) {
        c = &h->copy[h->n];
        c->domid = xenmig_domain_id(d);
        c->paused = xenmig_domain_is_paused(d);
        c->in_flight = in_flight(d, name);
        c->named = strcmp(xenmig_domain_name(d), name) == 0;
        if (xm_strlcpy(c->name, xenmig_domain_name(d), sizeof(c->name)))
            xm_strlcpy(c->name + sizeof(c->name) - 4, "...", 4);
    }
    h->n++;
}

/*
 * The copies of @uuid on @conn: the one xend finds by UUID (in any
 * state) and every other running one in xend's domain list (which
 * leaves out paused and suspended domains, reference 3.3).
 */
static int
look(xm_seen *out, xenmig_conn *conn, const char *uuid, const char *name,
     xenmig_error *err)
{
    xenmig_domain_list *l = NULL;
    xenmig_domain *one = NULL;
    const xenmig_domain *d;
    size_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = find_domain(&one, conn, uuid, err);
    if (rc)
        return rc;
    if (one && xenmig_domain_id(one) > 0)
        seen_add(out, one, name);
    xenmig_domain_free(one);
    rc = xenmig_domain_list_get(&l, conn, err);
    if (rc)
        return rc;
    out->answered = true;
    for (i = 0; i < xenmig_domain_list_count(l); i++) {
        d = xenmig_domain_list_at(l, i);
        if (strcmp(xenmig_domain_uuid(d), uuid) == 0 &&
            xenmig_domain_id(d) > 0)
            seen_add(out, d, name);
    }
    xenmig_domain_list_free(l);
    return 0;
}

/* Copies of @uuid on @conn: 0 with *n set, or an error. */
static int
count_copies(size_t *n, xenmig_conn *conn, const char *uuid,
             const char *name, xenmig_error *err)
{
    xm_seen h;
    int rc;

    rc = look(&h, conn, uuid, name, err);
    *n = h.n;
    return rc;
}

/* destroy or unpause one copy, by domid; "no such domain" is "gone" */
static int
rec_act(xenmig_conn *conn, const xm_copy *c, bool destroy,
        xenmig_error *err)
{
    char id[16];
    int rc;

    xm_snprintf(id, sizeof(id), "%d", c->domid);
    rc = xenmig_domain_op(conn, id, destroy ? "destroy" : "unpause", NULL,
                          err);
    if (rc == XENMIG_ENOTFOUND && destroy) {
        xenmig_error_clear(err);
        return 0;
    }
    return rc;
}

/* Recovery's bookkeeping between looks. */
struct rec_state {
    const char *name;
    const char *src_host;
    const char *dst_host;
    char notes[XENMIG_ERROR_MSG_SIZE];  /* what recovery destroyed */
    int dups;                   /* second copies on one host destroyed */
    int acts;                   /* actions taken */
    xenmig_error last;          /* the last action that failed */
};

static void
note_destroyed(struct rec_state *st, const xm_seen *h, bool on_dest,
               size_t i, bool dup)
{
    size_t len = strlen(st->notes);
    const char *host = on_dest ? st->dst_host : st->src_host;

    if (dup) {
        st->dups++;
        xm_snprintf(st->notes + len, sizeof(st->notes) - len, "; a second "
                    "domain with its UUID on '%s' ('%s', id %d) was "
                    "destroyed: another migration of it ran at the same "
                    "time", host, h->copy[i].name, h->copy[i].domid);
    } else {
        xm_snprintf(st->notes + len, sizeof(st->notes) - len, "; its copy "
                    "restored on '%s' after xend resumed it here was "
                    "destroyed", host);
    }
}

/* The verdict, in @cause and the return code. */
static int
rec_verdict(struct rec_state *st, xm_rec_next nx, const xm_seen *s,
            const xm_seen *d, const xenmig_error *serr,
            const xenmig_error *derr, int code, const char *why,
            xenmig_error *cause)
{
    const char *name = st->name;

    switch (nx.act) {
    case XM_REC_ON_SOURCE:
        if (code == XENMIG_ECANCELLED)
            xm_error_set(cause, code, "cancelled; domain '%s' is running "
                         "on '%s'%s (%s)", name, st->src_host, st->notes,
                         why);
        else
            xm_error_set(cause, code, "domain '%s' is running on '%s'%s; "
                         "migration failed: %s", name, st->src_host,
                         st->notes, why);
        return code;
    case XM_REC_ON_DEST:
        if (!st->dups) {
            xenmig_error_clear(cause);
            return 0;
        }
        xm_error_set(cause, XENMIG_EUNKNOWN, "domain '%s' runs on '%s' "
                     "alone now%s", name, st->dst_host, st->notes);
        return XENMIG_EUNKNOWN;
    case XM_REC_LOST:
        xm_error_set(cause, XENMIG_ELOST, "DOMAIN LOST: '%s' is on "
                     "neither '%s' nor '%s': xend destroyed it on the "
                     "source and the destination did not restore it (%s)",
                     name, st->src_host, st->dst_host, why);
        return XENMIG_ELOST;
    default:
        break;
    }
    if (!s->answered && d->answered && d->n)
        xm_error_set(cause, XENMIG_EUNKNOWN, "domain '%s' runs on '%s', "
                     "but the source's xend does not answer (%s): make "
                     "sure '%s' kept no copy; %s", name, st->dst_host,
                     serr->msg, st->src_host, why);
    else if (!d->answered && s->answered && s->n)
        xm_error_set(cause, XENMIG_EUNKNOWN, "domain '%s' is on '%s', but "
                     "the destination's xend does not answer (%s): make "
                     "sure '%s' runs no copy; %s", name, st->src_host,
                     derr->msg, st->dst_host, why);
    else if (!s->answered || !d->answered)
        xm_error_set(cause, XENMIG_EUNKNOWN, "cannot tell where domain "
                     "'%s' is: %s; %s", name, !s->answered ? serr->msg :
                     derr->msg, why);
    else if (s->n && d->n && s->copy[0].in_flight)
        xm_error_set(cause, XENMIG_EUNKNOWN, "domain '%s' runs on '%s', "
                     "and xend on '%s' still holds it as '%s': destroy "
                     "that copy before xend resumes it; %s", name,
                     st->dst_host, st->src_host, s->copy[0].name, why);
    else
        xm_error_set(cause, XENMIG_EUNKNOWN, "domain '%s': recovery's "
                     "last %d actions did not settle it (%s): it is on "
                     "'%s' %zu time(s) and on '%s' %zu time(s); %s", name,
                     st->acts, st->last.msg, st->src_host, s->n,
                     st->dst_host, d->n, why);
    return XENMIG_EUNKNOWN;
}

/* At most this many destroys and unpauses before recovery gives up. */
#define XM_RECOVER_MAX_ACTS 12

/*
 * After a failed step (or from the journal): find domain @uuid and
 * leave it running on exactly one host. Every action (destroy,
 * unpause) is followed by a fresh look at both hosts; xm_recover_decide
 * says what to do next. @cause holds the failure; on return it holds
 * the outcome, where the domain is first. Returns 0 when the domain
 * turned out to run on the destination alone (the migration happened
 * after all), XENMIG_ELOST when it is on neither host, XENMIG_EUNKNOWN
 * when a host cannot be asked, the hosts disagree beyond repair, or
 * a second copy had to be destroyed, else the cause's code with the
 * domain running on the source. *verdict (may be NULL) is the last
 * look's verdict (XM_REC_ON_SOURCE, _ON_DEST, _LOST, _UNKNOWN).
 */
static int
recover(xenmig_conn *src, xenmig_conn *dst, const char *uuid,
        const char *name, xenmig_error *cause, xm_rec_act *verdict)
{
    char why[XENMIG_ERROR_MSG_SIZE];
    struct rec_state st;
    xm_seen s, d;
    xm_rec_next nx;
    xenmig_error serr, derr;
    const xm_seen *h;
    int code = cause && cause->code ? cause->code : XENMIG_ERROR;
    long deadline = xm_now_ms() + settle_ms();
    long late = 0, now;
    bool one_xend = same_xend(src, dst);
    xm_xs *xs = NULL;
    int xs_state = 0;
    int rc;

    if (verdict)
        *verdict = XM_REC_UNKNOWN;
    xm_strlcpy(why, cause && cause->msg[0] ? cause->msg :
               xenmig_strerror(code), sizeof(why));
    if (!uuid || !name)
        return code;
    memset(&st, 0, sizeof(st));
    st.name = name;
    st.src_host = xenmig_conn_host(src);
    st.dst_host = xenmig_conn_host(dst);
    for (;;) {
        xenmig_error_clear(&serr);
        xenmig_error_clear(&derr);
        (void)look(&s, src, uuid, name, &serr);
        if (one_xend) {
            /* one xend seen twice: there is one domain, and it stays */
            memset(&d, 0, sizeof(d));
            d.answered = s.answered;
        } else {
            (void)look(&d, dst, uuid, name, &derr);
        }
        now = xm_now_ms();
        if (!late && s.answered && !any_in_flight(&s))
            late = now + (settle_ms() < XM_MIGRATE_LATE_MS ? settle_ms() :
                          XM_MIGRATE_LATE_MS);
        nx = xm_recover_decide(&s, &d, late && now >= late,
                               now >= deadline ||
                               st.acts >= XM_RECOVER_MAX_ACTS);
        if (nx.act == XM_REC_WAIT) {
            if (s.answered && any_in_flight(&s))
                wait_name_back(&xs, &xs_state, src, s.copy[0].domid, name,
                               deadline);
            else
                sleep_ms(XM_MIGRATE_POLL_MS);
            continue;
        }
        if (nx.act != XM_REC_DESTROY && nx.act != XM_REC_UNPAUSE)
            break;
        if (st.acts >= XM_RECOVER_MAX_ACTS) {
            nx.act = XM_REC_UNKNOWN;
            break;
        }
        h = nx.on_dest ? &d : &s;
        st.acts++;
        xenmig_error_clear(&serr);
        rc = rec_act(nx.on_dest ? dst : src, &h->copy[nx.copy],
                     nx.act == XM_REC_DESTROY, &serr);
        if (rc) {
            st.last = serr;
            sleep_ms(XM_MIGRATE_POLL_MS);
        } else if (nx.act == XM_REC_DESTROY) {
            note_destroyed(&st, h, nx.on_dest, nx.copy, h->n > 1);
        }
    }
    xm_xs_close(xs);
    if (verdict)
        *verdict = nx.act;
    return rec_verdict(&st, nx, &s, &d, &serr, &derr, code, why, cause);
}

/* ---- the engine ----------------------------------------------------- */

/*
 * Run step @idx: build its outgoing cookie from @in (same migration,
 * every field carried forward), call it until it stops saying
 * CONTINUE, and make sure a failure carries a message.
 */
static xenmig_step_result
run_step(struct mig *m, size_t idx, xenmig_conn *conn, const char *dom,
         const xm_cookie *in, xm_cookie *out, xenmig_error *err)
{
    const struct step_def *def = &steps[idx];
    struct step_ctx ctx;
    xenmig_step_result r = XENMIG_STEP_FAILED;
    size_t i;
    int n;

    if (def->makes) {
        if (in ? xm_cookie_init_next(out, in, def->makes, err) :
                 xm_cookie_init(out, def->makes, err))
            return XENMIG_STEP_FAILED;
        for (i = 0; in && i < in->nfields; i++) {
            if (xm_cookie_set(out, in->fields[i].key,
                              in->fields[i].value, err))
                return XENMIG_STEP_FAILED;
        }
    }
    ctx.m = m;
    ctx.conn = conn;
    ctx.dom = dom;
    ctx.in = in;
    ctx.out = def->makes ? out : NULL;
    ctx.err = err;
    for (n = 0; n < MAX_CONTINUE; n++) {
        r = def->fn(&ctx);
        if (r != XENMIG_STEP_CONTINUE)
            break;
    }
    if (r == XENMIG_STEP_CONTINUE) {
        xm_error_set(err, XENMIG_ESTATE, "step '%s' did not complete "
                     "after %d rounds", def->name, MAX_CONTINUE);
        r = XENMIG_STEP_FAILED;
    }
    if (r == XENMIG_STEP_FAILED && !err->code)
        xm_error_set(err, XENMIG_ERROR, "step '%s' failed", def->name);
    return r;
}

/* ---- the lock and the journal around a migration -------------------- */

static int journal_find(char *uuid, size_t size, const char *id,
                        xenmig_error *err);

struct guard {
    xm_lock lock;
    bool journaled;         /* an entry of ours is on disk */
    long long started;      /* unix time */
    const char *uuid;
};

/* The journal cookie: the last step's cookie and the j_ fields. */
static int
journal_put(struct guard *g, xenmig_conn *src, xenmig_conn *dst,
            const xm_cookie *last, const char *step, const char *verdict,
            xenmig_error *err)
{
    char host[128];
    xm_cookie jc;
    size_t i;
    int rc = 0;

    memset(&jc, 0, sizeof(jc));
    jc.step = last->step;
    jc.created = last->created;
    memcpy(jc.id, last->id, sizeof(jc.id));
    if (gethostname(host, sizeof(host)) < 0)
        xm_strlcpy(host, "?", sizeof(host));
    host[sizeof(host) - 1] = '\0';
    for (i = 0; i < last->nfields && !rc; i++)
        rc = xm_cookie_set(&jc, last->fields[i].key,
                           last->fields[i].value, err);
    if (!rc &&
        (xm_cookie_set(&jc, "j_step", step, err) ||
         xm_cookie_set(&jc, "j_src_uri", xenmig_conn_uri(src), err) ||
         xm_cookie_set(&jc, "j_dst_uri", xenmig_conn_uri(dst), err) ||
         xm_cookie_set_ll(&jc, "j_started", g->started, err) ||
         xm_cookie_set_ll(&jc, "j_updated", (long long)time(NULL), err) ||
         xm_cookie_set_ll(&jc, "j_pid", (long long)getpid(), err) ||
         xm_cookie_set(&jc, "j_host", host, err) ||
         xm_cookie_set(&jc, "j_verdict", verdict, err)))
        rc = err->code;
    if (!rc)
        rc = xm_journal_write(g->uuid, &jc, err);
    if (!rc)
        g->journaled = true;
    xm_cookie_dispose(&jc);
    return rc;
}

/*
 * After begin: one migration of the domain at a time (the lock), and
 * none while the journal holds an unfinished one.
 */
static int
guard_take(struct guard *g, const xm_cookie *begun, xenmig_error *err)
{
    const char *name = xm_cookie_get(begun, "name");
    xm_cookie old;
    xenmig_error lerr;
    int rc;

    g->uuid = xm_cookie_get(begun, "uuid");
    g->started = (long long)time(NULL);
    if (!g->uuid || !name)
        return xm_error_set(err, XENMIG_EPARSE, "begin cookie lacks the "
                            "domain");
    rc = xm_lock_take(&g->lock, g->uuid, name, err);
    if (rc)
        return rc;
    xenmig_error_clear(&lerr);
    rc = xm_journal_read(&old, g->uuid, &lerr);
    if (rc == XENMIG_ENOTFOUND)
        return 0;
    if (rc == 0)
        xm_error_set(err, XENMIG_ESTATE, "an unfinished migration of "
                     "domain '%s' from '%s' to '%s' (at step '%s') is in "
                     "the journal: run 'xenmig recover %s' first", name,
                     xm_cookie_get(&old, "src_host") ?
                     xm_cookie_get(&old, "src_host") : "?",
                     xm_cookie_get(&old, "dst_host") ?
                     xm_cookie_get(&old, "dst_host") : "?",
                     xm_cookie_get(&old, "j_step") ?
                     xm_cookie_get(&old, "j_step") : "?", g->uuid);
    else
        xm_error_set(err, XENMIG_ESTATE, "the journal entry of domain "
                     "'%s' is unreadable (%s): run 'xenmig recover %s'",
                     name, lerr.msg, g->uuid);
    xm_cookie_dispose(&old);
    return XENMIG_ESTATE;
}

/* The migration ended; @known: in a known state (the entry goes). */
static void
guard_drop(struct guard *g, bool known)
{
    if (g->journaled && known)
        (void)xm_journal_remove(g->uuid, NULL);
    xm_lock_release(&g->lock);
}

/* Walk the steps, alternating sides; recover on failure. */
static int
engine_run(struct mig *m, xenmig_conn *src, const char *dom,
           xenmig_conn *dst, xenmig_error *err)
{
    xm_cookie ck[XM_ARRAY_SIZE(steps)];
    struct guard g = { XM_LOCK_INIT, false, 0, NULL };
    xenmig_step_result r;
    xenmig_conn *conn;
    xm_rec_act verdict = XM_REC_ON_SOURCE;
    char juuid[72];
    size_t i;
    int rc;

    memset(ck, 0, sizeof(ck));
    m->src = src;
    m->dst = dst;
    if (!m->check_only && journal_find(juuid, sizeof(juuid), dom,
                                       NULL) == 0) {
        /* running now (its lock is held), or left unfinished */
        rc = xm_lock_take(&g.lock, juuid, dom, err);
        xm_lock_release(&g.lock);
        if (rc == 0)
            rc = xm_error_set(err, XENMIG_ESTATE, "an unfinished "
                              "migration of domain '%s' is in the "
                              "journal: run 'xenmig recover %s' first",
                              dom, juuid);
        goto out;
    }
    for (i = 0; i < XM_ARRAY_SIZE(steps); i++) {
        conn = steps[i].side == SIDE_SOURCE ? src : dst;
        if (i > STEP_BEGIN && !m->check_only) {
            rc = journal_put(&g, src, dst, &ck[i - 1], steps[i].name, "",
                             err);
            /* before perform a failure costs nothing; after, the
             * migration goes on without the journal */
            if (rc && i <= STEP_PERFORM)
                goto out;
            xenmig_error_clear(err);
        }
        if (!m->check_only)
            xm_journal_kill_point(steps[i].name);
        r = run_step(m, i, conn, dom, i ? &ck[i - 1] : NULL, &ck[i], err);
        if (r == XENMIG_STEP_COMPLETE && i == STEP_BEGIN &&
            !m->check_only) {
            rc = guard_take(&g, &ck[0], err);
            if (rc)
                goto out;
        }
        if (r == XENMIG_STEP_FAILED) {
            /* before xend's op=migrate nothing has moved */
            if (i <= STEP_PREPARE || (i == STEP_PERFORM && !m->posted)) {
                rc = err->code;
            } else {
                (void)journal_put(&g, src, dst, &ck[i - 1], "recover",
                                  err->msg, NULL);
                rc = recover(src, dst, xm_cookie_get(&ck[i - 1], "uuid"),
                             xm_cookie_get(&ck[i - 1], "name"), err,
                             &verdict);
            }
            goto out;
        }
        if (m->check_only && i == STEP_PREPARE)
            break;
    }
    if (!m->check_only)
        xm_journal_kill_point("end");
    rc = 0;
 out:
    guard_drop(&g, verdict != XM_REC_UNKNOWN);
    for (i = 0; i < XM_ARRAY_SIZE(ck); i++)
        xm_cookie_dispose(&ck[i]);
    return rc;
}

XENMIG_API int
xenmig_migrate_ex(xenmig_conn *src, const char *dom, xenmig_conn *dst,
                  const xenmig_migrate_opts *opts, xenmig_error *err)
{
    xenmig_error local;
    struct mig m;
    int rc;

    if (!err)
        err = &local;
    xenmig_error_clear(err);
    if (!src || !dst || !dom || !*dom)
        return xm_error_set(err, XENMIG_EINVAL,
                            "migrate needs a source, a domain and a "
                            "destination");
    opts_copy(&m, opts);
    rc = opts_check(&m, err);
    if (rc)
        return rc;
    return engine_run(&m, src, dom, dst, err);
}

XENMIG_API int
xenmig_migrate(xenmig_conn *src, const char *dom, xenmig_conn *dst,
               unsigned int flags, const char *dname, const char *uri,
               unsigned long resource, xenmig_error *err)
{
    xenmig_migrate_opts opts = XENMIG_MIGRATE_OPTS_INIT;

    opts.flags = flags;
    opts.dname = dname;
    opts.uri = uri;
    opts.resource = resource;
    return xenmig_migrate_ex(src, dom, dst, &opts, err);
}

XENMIG_API int
xenmig_migrate_check(xenmig_conn *src, const char *dom, xenmig_conn *dst,
                     const xenmig_migrate_opts *opts, xenmig_check_cb cb,
                     void *payload, xenmig_error *err)
{
    xenmig_error local;
    struct mig m;
    int rc;

    if (!err)
        err = &local;
    xenmig_error_clear(err);
    if (!src || !dst || !dom || !*dom)
        return xm_error_set(err, XENMIG_EINVAL,
                            "check needs a source, a domain and a "
                            "destination");
    opts_copy(&m, opts);
    m.cb = cb;
    m.payload = payload;
    m.check_only = true;
    rc = opts_check(&m, err);
    if (rc)
        return rc;
    return engine_run(&m, src, dom, dst, err);
}

/* One step on its own, cookie text in and out. */
static int
step_public(size_t idx, char **cookie_out, xenmig_conn *conn,
            const char *dom, const char *cookie_in,
            const xenmig_migrate_opts *opts, bool recovering,
            xenmig_error *err)
{
    const struct step_def *def = &steps[idx];
    xenmig_error local;
    xm_cookie in, out;
    struct mig m;
    xenmig_step_result r;
    int rc;

    if (!err)
        err = &local;
    xenmig_error_clear(err);
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    if (cookie_out)
        *cookie_out = NULL;
    if (!conn || (def->makes && !cookie_out) ||
        (def->needs && !cookie_in) || (!def->needs && !dom)) {
        rc = xm_error_set(err, XENMIG_EINVAL, "%s: missing argument",
                          def->name);
        goto out;
    }
    opts_copy(&m, opts);
    m.recover = recovering;
    rc = opts_check(&m, err);
    if (rc) goto out;
    if (def->needs) {
        /* recovery may follow any step from prepare on */
        rc = xm_cookie_decode(&in, cookie_in, recovering ? 0 : def->needs,
                              (uint64_t)time(NULL), err);
        if (rc) {
            xm_error_prefix(err, "%s", def->name);
            goto out;
        }
        if (recovering && in.step < XM_COOKIE_PREPARE) {
            rc = xm_error_set(err, XENMIG_ESTATE, "%s: nothing moved "
                              "before prepare; no recovery needed",
                              def->name);
            goto out;
        }
    }
    r = run_step(&m, idx, conn, dom, def->needs ? &in : NULL, &out, err);
    if (r == XENMIG_STEP_FAILED) {
        rc = err->code;
        goto out;
    }
    if (def->makes) {
        rc = xm_cookie_encode(cookie_out, &out, err);
        if (rc) goto out;
    }
    rc = 0;
 out:
    xm_cookie_dispose(&in);
    xm_cookie_dispose(&out);
    return rc;
}

XENMIG_API int
xenmig_migrate_begin(char **cookie_out, xenmig_conn *src, const char *dom,
                     const xenmig_migrate_opts *opts, xenmig_error *err)
{
    return step_public(STEP_BEGIN, cookie_out, src, dom, NULL, opts,
                       false, err);
}

XENMIG_API int
xenmig_migrate_prepare(char **cookie_out, xenmig_conn *dst,
                       const char *cookie_in,
                       const xenmig_migrate_opts *opts, xenmig_error *err)
{
    return step_public(STEP_PREPARE, cookie_out, dst, NULL, cookie_in,
                       opts, false, err);
}

XENMIG_API int
xenmig_migrate_perform(char **cookie_out, xenmig_conn *src,
                       const char *cookie_in,
                       const xenmig_migrate_opts *opts, xenmig_error *err)
{
    return step_public(STEP_PERFORM, cookie_out, src, NULL, cookie_in,
                       opts, false, err);
}

XENMIG_API int
xenmig_migrate_finish(char **cookie_out, xenmig_conn *dst,
                      const char *cookie_in, xenmig_error *err)
{
    return step_public(STEP_FINISH, cookie_out, dst, NULL, cookie_in,
                       NULL, false, err);
}

XENMIG_API int
xenmig_migrate_confirm(xenmig_conn *src, const char *cookie_in,
                       int failed, xenmig_error *err)
{
    return step_public(STEP_CONFIRM, NULL, src, NULL, cookie_in, NULL,
                       failed != 0, err);
}

/* ---- xenmig recover: the journal's unfinished migrations ------------ */

XENMIG_API int
xenmig_journal_list(char ***ids_out, xenmig_error *err)
{
    if (!ids_out)
        return xm_error_set(err, XENMIG_EINVAL, "journal list: missing "
                            "argument");
    return xm_journal_ids(ids_out, err);
}

XENMIG_API void
xenmig_journal_list_free(char **ids)
{
    xm_strv_free(ids);
}

/* The entry @id names: a journal id (UUID), or a domain's name. */
static int
journal_find(char *uuid, size_t size, const char *id, xenmig_error *err)
{
    char **ids = NULL;
    xm_cookie ck;
    const char *name;
    size_t i;
    int rc;

    rc = xm_journal_ids(&ids, err);
    if (rc)
        return rc;
    rc = XENMIG_ENOTFOUND;
    for (i = 0; ids[i] && rc == XENMIG_ENOTFOUND; i++) {
        if (strcmp(ids[i], id) == 0) {
            rc = 0;
        } else if (xm_journal_read(&ck, ids[i], NULL) == 0) {
            name = xm_cookie_get(&ck, "name");
            if (name && strcmp(name, id) == 0)
                rc = 0;
            xm_cookie_dispose(&ck);
        }
        if (rc == 0 && xm_strlcpy(uuid, ids[i], size))
            rc = xm_error_set(err, XENMIG_ERANGE, "journal id too long");
    }
    xm_strv_free(ids);
    if (rc == XENMIG_ENOTFOUND)
        xm_error_set(err, rc, "no unfinished migration of '%s' in the "
                     "journal", id);
    return rc;
}

static void
info_fill(xenmig_recover_info *info, const char *uuid, const xm_cookie *ck)
{
    const char *v;

    xm_strlcpy(info->id, uuid, sizeof(info->id));
    v = xm_cookie_get(ck, "name");
    xm_strlcpy(info->name, v ? v : "", sizeof(info->name));
    v = xm_cookie_get(ck, "j_src_uri");
    xm_strlcpy(info->source, v ? v : "", sizeof(info->source));
    v = xm_cookie_get(ck, "j_dst_uri");
    xm_strlcpy(info->destination, v ? v : "", sizeof(info->destination));
    v = xm_cookie_get(ck, "j_step");
    xm_strlcpy(info->step, v ? v : "", sizeof(info->step));
}

/* Ask both hosts of entry @ck and apply recovery's verdict. */
static int
recover_entry(xenmig_recover_info *info, const xm_cookie *ck,
              const char *uuid, xm_rec_act *verdict, xenmig_error *err)
{
    xenmig_conn *src = NULL, *dst = NULL;
    const char *pid = xm_cookie_get(ck, "j_pid");
    const char *host = xm_cookie_get(ck, "j_host");
    const char *why = xm_cookie_get(ck, "j_verdict");
    int rc;

    if (!info->name[0] || !info->source[0] || !info->destination[0])
        return xm_error_set(err, XENMIG_EPARSE, "journal entry '%s' lacks "
                            "the domain or its hosts", uuid);
    rc = xenmig_conn_open(&src, info->source, err);
    if (!rc)
        rc = xenmig_conn_open(&dst, info->destination, err);
    if (rc)
        goto out;
    if (why && *why)
        xm_error_set(err, XENMIG_ERROR, "xenmig (pid %s on '%s') stopped "
                     "while it recovered from: %s", pid ? pid : "?",
                     host ? host : "?", why);
    else
        xm_error_set(err, XENMIG_ERROR, "xenmig (pid %s on '%s') stopped "
                     "in step '%s'", pid ? pid : "?", host ? host : "?",
                     info->step);
    rc = recover(src, dst, uuid, info->name, err, verdict);
 out:
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    return rc;
}

XENMIG_API int
xenmig_recover(xenmig_recover_info *info, const char *id,
               xenmig_error *err)
{
    xenmig_recover_info local_info;
    xenmig_error local;
    char uuid[72];
    xm_lock lk = XM_LOCK_INIT;
    xm_cookie ck;
    xm_rec_act verdict = XM_REC_UNKNOWN;
    int rc;

    if (!err)
        err = &local;
    if (!info)
        info = &local_info;
    xenmig_error_clear(err);
    memset(info, 0, sizeof(*info));
    memset(&ck, 0, sizeof(ck));
    if (!id || !*id)
        return xm_error_set(err, XENMIG_EINVAL, "recover needs a journal "
                            "id or a domain name");
    rc = journal_find(uuid, sizeof(uuid), id, err);
    if (!rc)
        rc = xm_lock_take(&lk, uuid, id, err);
    if (!rc)
        rc = xm_journal_read(&ck, uuid, err);
    if (rc == XENMIG_ENOTFOUND && lk.fd >= 0)
        xm_error_set(err, rc, "the journal entry of '%s' is gone: another "
                     "'xenmig recover' finished it", id);
    if (rc)
        goto out;
    info_fill(info, uuid, &ck);
    rc = recover_entry(info, &ck, uuid, &verdict, err);
    xm_strlcpy(info->where, verdict == XM_REC_ON_SOURCE ? "source" :
               verdict == XM_REC_ON_DEST ? "destination" :
               verdict == XM_REC_LOST ? "nowhere" : "unknown",
               sizeof(info->where));
    if (verdict != XM_REC_UNKNOWN)
        (void)xm_journal_remove(uuid, NULL);
 out:
    xm_cookie_dispose(&ck);
    xm_lock_release(&lk);
    return rc;
}

XENMIG_API void
xenmig_free(void *ptr)
{
    xm_free(ptr);
}

XENMIG_API int
xenmig_conn_open_dest(xenmig_conn **out, const char *dest,
                      xenmig_error *err)
{
    char host[256];
    char uri[300];
    int port = 0;
    int rc;

    if (!out || !dest)
        return xm_error_set(err, XENMIG_EINVAL, "no destination given");
    if (strncmp(dest, "http://", 7) == 0 ||
        strncmp(dest, "unix://", 7) == 0)
        return xenmig_conn_open(out, dest, err);
    rc = xm_migrate_parse_uri(host, sizeof(host), &port, dest, err);
    if (rc)
        return rc;
    /* said at once, not as a failed connect to xend's (IPv4) server */
    if (xm_host_is_ipv6_only(host))
        return xm_error_set(err, XENMIG_EINVAL,
                            "IPv6 is not supported by xend's relocation "
                            "(IPv4 only): '%s' has only IPv6 addresses",
                            host);
    if (xm_snprintf(uri, sizeof(uri), strchr(host, ':') ?
                    "http://[%s]:%d" : "http://%s:%d", host,
                    XM_XEND_DEFAULT_PORT) < 0)
        return xm_error_set(err, XENMIG_ERANGE,
                            "destination '%s' is too long", dest);
    return xenmig_conn_open(out, uri, err);
}
