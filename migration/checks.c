/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * checks.c: the pre-flight checks, one table
 *
 * begin runs the source's checks, prepare the destination's, in table
 * order; the first that fails stops the step, reported to the check
 * callback under its name. xenmig_migrate_check() (xenmig check) runs
 * begin and prepare and so walks the whole table. A check reports its
 * own success and warnings, with what it found.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "capabilities/caps.h"
#include "migration/journal.h"
#include "migration/migrate_int.h"
#include "xend-client/reloc.h"
#include "xend-client/xend.h"

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
            xm_mig_report(m, "hosts-allow", XENMIG_CHECK_WARN,
                          "destination '%s' takes migrations from any "
                          "host: xend-relocation-hosts-allow is empty in "
                          "'%s'", host, path);
        xm_caps_config_dispose(&cfg);
    }
    if (m->opts.flags & XENMIG_MIGRATE_SSL)
        return;
    ssl_addr.sin_port = htons(XM_RELOC_DEFAULT_SSL_PORT);
    if (ntohs(target->sin_port) == XM_RELOC_DEFAULT_SSL_PORT)
        return;
    if (xm_reloc_probe_addr(&probe, &ssl_addr, 500, NULL) == 0 &&
        probe.status != XM_RELOC_CLOSED)
        xm_mig_report(m, "ssl", XENMIG_CHECK_WARN, "destination '%s' has "
                      "an SSL relocation server on port %d, but this "
                      "migration goes in clear text (use --ssl)", host,
                      XM_RELOC_DEFAULT_SSL_PORT);
}

typedef enum stream_path_t {
    PATH_UNKNOWN,           /* no source connection (single steps) */
    PATH_RELAY_LOCAL,       /* relay on the source's own loopback */
    PATH_RELAY_REMOTE,      /* relay on this host, source elsewhere */
    PATH_DIRECT_LOCAL,      /* xend connects, xenmig runs on the source */
    PATH_DIRECT_REMOTE      /* xend connects, from another host */
} stream_path_t;

/* The path migrate's stream takes, as perform will choose it. */
static stream_path_t
stream_path(const struct mig *m, const char *src_version)
{
    bool local;

    if (!m->src)
        return PATH_UNKNOWN;
    local = xm_mig_source_local(m->src);
    if (xm_migrate_want_relay(m->opts.flags, XM_MIG_CAPPED(m),
                              m->opts.timeout_ms, m->opts.stall_ms,
                              local) &&
        (xm_mig_xend_takes_port(src_version) || XM_MIG_CAPPED(m)))
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

typedef int (*check_fn)(struct step_ctx *ctx, struct check_state *cs);

/* ---- the source's checks (begin) ------------------------------------ */

/* xend cannot give the domain another name on arrival. */
static int
check_rename(struct step_ctx *ctx, struct check_state *cs)
{
    (void)cs;
    if (!ctx->m->opts.dname)
        return 0;
    return xm_error_set(ctx->err, XENMIG_EINVAL,
                        "cannot rename domain '%s' to '%s' on arrival: "
                        "xend cannot rename a domain in flight", ctx->dom,
                        ctx->m->opts.dname);
}

/* The source answers. */
static int
check_source(struct step_ctx *ctx, struct check_state *cs)
{
    if (xenmig_node_get(&cs->node, ctx->conn, ctx->err))
        return xm_mig_fail(NULL, NULL, ctx->err, "begin on source '%s'",
                           xenmig_conn_host(ctx->conn));
    return 0;
}

/* The domain runs there and can go. */
static int
check_domain(struct step_ctx *ctx, struct check_state *cs)
{
    xenmig_error *err = ctx->err;
    const char *host = xenmig_conn_host(ctx->conn);
    xenmig_domain *d;
    int rc;

    rc = xenmig_domain_lookup(&cs->dom, ctx->conn, ctx->dom, err);
    if (rc == XENMIG_ENOTFOUND && refuse_in_flight(ctx->conn, ctx->dom,
                                                   err))
        return err->code;
    if (rc)
        return xm_mig_fail(NULL, NULL, err, "begin on source '%s'", host);
    d = cs->dom;
    if (xenmig_domain_id(d) == 0)
        return xm_error_set(err, XENMIG_EINVAL,
                            "domain '%s' is domain 0 of '%s': the "
                            "privileged domain cannot migrate",
                            xenmig_domain_name(d), host);
    if (xenmig_domain_id(d) < 0)
        return xm_error_set(err, XENMIG_ESTATE,
                            "domain '%s' is not running on '%s'",
                            xenmig_domain_name(d), host);
    if (xenmig_domain_is_paused(d) &&
        xm_mig_version_ge(xenmig_node_xen_major(cs->node),
                          xenmig_node_xen_minor(cs->node), 3, 3))
        return xm_error_set(err, XENMIG_ESTATE,
                            "domain '%s' is paused on '%s': xend %s "
                            "migrates only running domains (unpause it "
                            "first)", xenmig_domain_name(d), host,
                            xenmig_node_xen_version(cs->node));
    xm_mig_report(ctx->m, "domain", 1, "'%s' (id %d, %llu MiB, %s) runs "
                  "on '%s'", xenmig_domain_name(d), xenmig_domain_id(d),
                  (unsigned long long)xenmig_domain_memory(d),
                  xenmig_domain_is_hvm(d) ? "hvm" : "pv", host);
    return 0;
}

/* The source's xend has what the flags ask for. */
static int
check_source_xend(struct step_ctx *ctx, struct check_state *cs)
{
    const char *host = xenmig_conn_host(ctx->conn);
    long long major = xenmig_node_xen_major(cs->node);
    long long minor = xenmig_node_xen_minor(cs->node);

    if ((ctx->m->opts.flags & XENMIG_MIGRATE_SSL) &&
        !xm_mig_version_ge(major, minor, 3, 3))
        return xm_error_set(ctx->err, XENMIG_EINVAL,
                            "xend %s on '%s' has no SSL relocation (3.3 "
                            "and later)", xenmig_node_xen_version(cs->node),
                            host);
    if ((ctx->m->opts.flags & XENMIG_MIGRATE_CHANGE_HOME) &&
        !xm_mig_version_ge(major, minor, 4, 0))
        return xm_error_set(ctx->err, XENMIG_EINVAL,
                            "xend %s on '%s' has no change_home_server "
                            "(4.0 and later)",
                            xenmig_node_xen_version(cs->node), host);
    return 0;
}

/* ---- the destination's checks (prepare) ----------------------------- */

/* The destination answers. */
static int
check_destination(struct step_ctx *ctx, struct check_state *cs)
{
    if (xenmig_node_get(&cs->node, ctx->conn, ctx->err))
        return xm_mig_fail(NULL, NULL, ctx->err, "prepare on destination "
                           "'%s'", xenmig_conn_host(ctx->conn));
    return 0;
}

/*
 * The address the source must send to, and that it is this host. The
 * port: --port, else the URI's, else xend's default for the kind of
 * relocation (8003 for SSL, 8002 plain).
 */
static int
check_address(struct step_ctx *ctx, struct check_state *cs)
{
    struct mig *m = ctx->m;
    xenmig_error *err = ctx->err;
    const char *host = xenmig_conn_host(ctx->conn);
    struct sockaddr_in reached;
    char reached_ip[INET_ADDRSTRLEN];
    bool is_unix;

    cs->port = (m->opts.flags & XENMIG_MIGRATE_SSL) ?
               XM_RELOC_DEFAULT_SSL_PORT : XM_RELOC_DEFAULT_PORT;
    if (m->opts.uri) {
        if (xm_migrate_parse_uri(cs->target_name, sizeof(cs->target_name),
                                 &cs->port, m->opts.uri, err))
            return err->code;
    } else if (xm_strlcpy(cs->target_name, xenmig_node_host(cs->node),
                          sizeof(cs->target_name)) < 0 ||
               !cs->target_name[0]) {
        return xm_error_set(err, XENMIG_EPARSE, "destination '%s' reports "
                            "no usable host name", host);
    }
    if (m->opts.port)
        cs->port = m->opts.port;
    if (xm_resolve_ipv4(&cs->target, cs->target_name, cs->port, err) ||
        xm_mig_conn_addr(&reached, &is_unix, ctx->conn, err))
        return xm_mig_fail(NULL, NULL, err, "prepare on destination '%s'",
                           host);
    inet_ntop(AF_INET, &cs->target.sin_addr, cs->target_ip,
              sizeof(cs->target_ip));
    if (!is_unix && reached.sin_addr.s_addr != cs->target.sin_addr.s_addr) {
        inet_ntop(AF_INET, &reached.sin_addr, reached_ip,
                  sizeof(reached_ip));
        return xm_error_set(err, XENMIG_EINVAL,
                            "destination '%s' is at %s, but the migration "
                            "address '%s' resolves to %s: the source would "
                            "send the domain elsewhere (give "
                            "--migrate-uri)", host, reached_ip,
                            cs->target_name, cs->target_ip);
    }
    xm_mig_report(m, "address", 1, "'%s' resolves to %s, port %d",
                  cs->target_name, cs->target_ip, cs->port);
    return 0;
}

/*
 * The relocation server answers, without starting a restore. Which
 * path the stream takes decides whose view of it counts: the relay's
 * host, or the source (reference 4.2).
 */
static int
check_relocation(struct step_ctx *ctx, struct check_state *cs)
{
    struct mig *m = ctx->m;
    xenmig_error *err = ctx->err;
    const char *host = xenmig_conn_host(ctx->conn);
    xm_reloc_probe probe;
    stream_path_t path;

    path = stream_path(m, xm_cookie_get(ctx->in, "src_version"));
    xm_mig_report(m, "path", 1, "%s", path == PATH_DIRECT_LOCAL ||
                  path == PATH_DIRECT_REMOTE ? "direct: the source xend "
                  "connects to the destination itself" :
                  path == PATH_RELAY_REMOTE ? "relay: the stream passes "
                  "through this host, which forwards it to the "
                  "destination" : path == PATH_RELAY_LOCAL ? "relay: the "
                  "source xend sends to xenmig on its own loopback, which "
                  "forwards it to the destination" :
                  "not known here (no source connection)");
    if (path == PATH_DIRECT_REMOTE) {
        xm_mig_report(m, "relocation", XENMIG_CHECK_WARN, "%s:%d not "
                      "checked from here: the source xend connects to it, "
                      "and its hosts-allow judges the source, not this "
                      "host", cs->target_ip, cs->port);
        goto probed;
    }
    if (xm_reloc_probe_addr(&probe, &cs->target, 0, err))
        return err->code;
    /* A TLS listener cannot answer "(help)" in clear: it waits, or
     * drops the connection; either way something listens there. */
    if (probe.status != XM_RELOC_ANSWERS &&
        !((probe.status == XM_RELOC_SILENT ||
           probe.status == XM_RELOC_REJECTED) &&
          (m->opts.flags & XENMIG_MIGRATE_SSL)))
        return xm_error_set(err, probe.status == XM_RELOC_REJECTED ?
                            XENMIG_EREFUSED : XENMIG_ECONNECT,
                            "relocation server of '%s' at %s:%d %s (%s)",
                            host, cs->target_ip, cs->port,
                            xm_reloc_status_str(probe.status),
                            view_str(path));
    xm_mig_report(m, "relocation", 1, "%s:%d %s (%s)", cs->target_ip,
                  cs->port, probe.status == XM_RELOC_ANSWERS ?
                  "answers (help)" : "accepts connections (SSL: TLS and "
                  "hosts-allow not probed)", view_str(path));
 probed:
    warn_trust(m, ctx->conn, &cs->target, host);
    return 0;
}

/* No domain of that name or UUID there already. */
static int
check_name(struct step_ctx *ctx, struct check_state *cs)
{
    xenmig_error *err = ctx->err;
    const char *host = xenmig_conn_host(ctx->conn);
    xenmig_domain *clash = NULL;
    int rc;

    rc = xenmig_domain_lookup(&clash, ctx->conn, cs->name, err);
    if (rc == XENMIG_ENOTFOUND) {
        xenmig_error_clear(err);
        rc = xenmig_domain_lookup(&clash, ctx->conn, cs->uuid, err);
    }
    if (rc == 0) {
        rc = xm_error_set(err, XENMIG_ESTATE, "destination '%s' already "
                          "has domain '%s' (id %d, uuid %s)", host,
                          xenmig_domain_name(clash),
                          xenmig_domain_id(clash),
                          xenmig_domain_uuid(clash));
        xenmig_domain_free(clash);
        return rc;
    }
    if (rc != XENMIG_ENOTFOUND)
        return xm_mig_fail(NULL, NULL, err, "prepare on destination '%s'",
                           host);
    xenmig_error_clear(err);
    xm_mig_report(ctx->m, "name", 1, "no domain '%s' on '%s'", cs->name,
                  host);
    return 0;
}

/* Room for the domain's memory. */
static int
check_memory(struct step_ctx *ctx, struct check_state *cs)
{
    unsigned long long free_mib = xenmig_node_free_memory(cs->node);

    if ((unsigned long long)cs->memory > free_mib)
        return xm_error_set(ctx->err, XENMIG_ERANGE,
                            "destination '%s' has %llu MiB free, domain "
                            "'%s' needs %lld MiB",
                            xenmig_conn_host(ctx->conn), free_mib,
                            cs->name, cs->memory);
    xm_mig_report(ctx->m, "memory", 1, "%lld MiB needed, %llu MiB free",
                  cs->memory, free_mib);
    return 0;
}

/* Every capability of the source the domain's kind may use. */
static int
check_caps(struct step_ctx *ctx, struct check_state *cs)
{
    const char *caps = xenmig_node_xen_caps(cs->node);
    char missing[64];

    if (!xenmig_xen_caps_compatible(cs->src_caps, caps, cs->hvm != 0,
                                    missing, sizeof(missing)))
        return xm_error_set(ctx->err, XENMIG_EINVAL,
                            "destination '%s' lacks xen_caps '%s' that "
                            "the source offers (destination: '%s')",
                            xenmig_conn_host(ctx->conn), missing, caps);
    xm_mig_report(ctx->m, "xen_caps", 1, "'%s' offers what the source "
                  "does", caps);
    return 0;
}

/* ---- the table ------------------------------------------------------ */

static const struct check_def {
    const char *name;       /* as the check callback hears it */
    mig_side side;          /* begin: SOURCE, prepare: DEST */
    check_fn fn;
} checks[] = {
    { "domain", SIDE_SOURCE, check_rename },
    { "source", SIDE_SOURCE, check_source },
    { "domain", SIDE_SOURCE, check_domain },
    { "source", SIDE_SOURCE, check_source_xend },
    { "destination", SIDE_DEST, check_destination },
    { "address", SIDE_DEST, check_address },
    { "relocation", SIDE_DEST, check_relocation },
    { "name", SIDE_DEST, check_name },
    { "memory", SIDE_DEST, check_memory },
    { "xen_caps", SIDE_DEST, check_caps },
};

int
xm_mig_checks_run(struct step_ctx *ctx, mig_side side,
                  struct check_state *cs)
{
    size_t i;
    int rc;

    for (i = 0; i < XM_ARRAY_SIZE(checks); i++) {
        if (checks[i].side != side)
            continue;
        rc = checks[i].fn(ctx, cs);
        if (rc)
            return xm_mig_fail(ctx->m, checks[i].name, ctx->err, NULL);
    }
    return 0;
}

void
xm_mig_checks_dispose(struct check_state *cs)
{
    xenmig_node_free(cs->node);
    xenmig_domain_free(cs->dom);
    cs->node = NULL;
    cs->dom = NULL;
}
