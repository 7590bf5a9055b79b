/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps_probe.c: gather a host's capabilities from xend's node
 * information, its relocation server and (local xend) its
 * xend-config.sxp
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "capabilities/caps.h"
#include "xend-client/reloc.h"
#include "lib/sexpr.h"

int
xm_caps_parse_bool(const char *s)
{
    static const char *const yes[] = { "yes", "y", "1", "on", "true", "t" };
    static const char *const no[] = { "no", "n", "0", "off", "false", "f" };
    size_t i;

    for (i = 0; i < XM_ARRAY_SIZE(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

void
xm_caps_config_init(xm_caps_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->relocation_server = -1;
    cfg->relocation_port = -1;
    cfg->ssl_server = -1;
    cfg->ssl_port = -1;
}

void
xm_caps_config_dispose(xm_caps_config *cfg)
{
    if (!cfg)
        return;
    xm_free(cfg->relocation_address);
    xm_free(cfg->hosts_allow);
    xm_caps_config_init(cfg);
}

/* The value of the first top-level (key value) form, or NULL. */
static const xm_sexpr *
config_value(const xm_sexpr *all, const char *key)
{
    size_t i;

    for (i = 0; i < xm_sexpr_count(all); i++) {
        const xm_sexpr *form = xm_sexpr_at(all, i);
        const char *head = xm_sexpr_head(form);

        if (head && strcmp(head, key) == 0)
            return xm_sexpr_at(form, 1);
    }
    return NULL;
}

static int
config_str(const char **out, const xm_sexpr *all, const char *key,
           const char *where, xenmig_error *err)
{
    const xm_sexpr *v = config_value(all, key);

    *out = NULL;
    if (!v)
        return 0;
    if (xm_sexpr_kind_of(v) != XM_SEXPR_VALUE ||
        strlen(xm_sexpr_value(v)) != xm_sexpr_value_len(v))
        return xm_error_set(err, XENMIG_EINVAL,
                            "%s: '%s' is not a plain value", where, key);
    *out = xm_sexpr_value(v);
    return 0;
}

static int
config_bool(int *out, const xm_sexpr *all, const char *key, int dflt,
            const char *where, xenmig_error *err)
{
    const char *s;
    int rc, b;

    rc = config_str(&s, all, key, where, err);
    if (rc)
        return rc;
    if (!s) {
        *out = dflt;
        return 0;
    }
    b = xm_caps_parse_bool(s);
    if (b < 0)
        return xm_error_set(err, XENMIG_EINVAL,
                            "%s: '%s' is not a boolean: '%s'", where, key,
                            s);
    *out = b;
    return 0;
}

static int
config_port(int *out, const xm_sexpr *all, const char *key, int dflt,
            const char *where, xenmig_error *err)
{
    const char *s;
    int rc;

    rc = config_str(&s, all, key, where, err);
    if (rc)
        return rc;
    if (!s) {
        *out = dflt;
        return 0;
    }
    if (xm_parse_int(out, s, 1, 65535))
        return xm_error_set(err, XENMIG_EINVAL,
                            "%s: '%s' is not a port: '%s'", where, key, s);
    return 0;
}

int
xm_caps_config_parse(xm_caps_config *cfg, const char *data, size_t len,
                     const char *where, xenmig_error *err)
{
    xm_sexpr *all = NULL;
    const char *addr, *allow;
    int rc;

    xm_caps_config_init(cfg);
    rc = xm_sexpr_parse_all(&all, data, len, err);
    if (rc) {
        xm_error_prefix(err, "%s", where);
        goto out;
    }
    rc = config_bool(&cfg->relocation_server, all,
                     "xend-relocation-server", 0, where, err);
    if (rc)
        goto out;
    rc = config_port(&cfg->relocation_port, all, "xend-relocation-port",
                     XM_RELOC_DEFAULT_PORT, where, err);
    if (rc)
        goto out;
    rc = config_bool(&cfg->ssl_server, all, "xend-relocation-ssl-server",
                     0, where, err);
    if (rc)
        goto out;
    rc = config_port(&cfg->ssl_port, all, "xend-relocation-ssl-port",
                     XM_RELOC_DEFAULT_SSL_PORT, where, err);
    if (rc)
        goto out;
    rc = config_str(&addr, all, "xend-relocation-address", where, err);
    if (rc)
        goto out;
    rc = config_str(&allow, all, "xend-relocation-hosts-allow", where,
                    err);
    if (rc)
        goto out;
    cfg->relocation_address = xm_strdup(addr ? addr : "");
    cfg->hosts_allow = xm_strdup(allow ? allow : "");
    if (!cfg->relocation_address || !cfg->hosts_allow) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    rc = 0;
 out:
    if (rc)
        xm_caps_config_dispose(cfg);
    xm_sexpr_free(all);
    return rc;
}

int
xm_caps_config_read(xm_caps_config *cfg, const char *path,
                    xenmig_error *err)
{
    xm_buf buf = XM_BUF_INIT(XM_CAPS_MAX_CONFIG);
    char chunk[8192];
    FILE *f = NULL;
    size_t n;
    int rc;

    xm_caps_config_init(cfg);
    f = fopen(path, "re");
    if (!f) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno,
                                "cannot read xend config '%s'", path);
        goto out;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = xm_buf_put(&buf, chunk, n);
        if (rc == XENMIG_ERANGE) {
            rc = xm_error_set(err, rc, "xend config '%s' over %u bytes",
                              path, XM_CAPS_MAX_CONFIG);
            goto out;
        }
        if (rc) {
            rc = xm_error_set(err, rc, "out of memory");
            goto out;
        }
    }
    if (ferror(f)) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno,
                                "cannot read xend config '%s'", path);
        goto out;
    }
    rc = xm_caps_config_parse(cfg, xm_buf_cstr(&buf), buf.len, path, err);
 out:
    if (f)
        fclose(f);
    xm_buf_dispose(&buf);
    return rc;
}


/*
 * Does anything accept TCP connections at @addr? ANSWERS, CLOSED
 * (refused or unreachable) or SILENT (no answer in @timeout_ms). The
 * SSL listener is not asked anything: a TLS handshake is not needed.
 */
static int
tcp_reachable(const struct sockaddr_in *addr, long timeout_ms)
{
    struct pollfd pfd;
    socklen_t elen = sizeof(int);
    long deadline = xm_now_ms() + timeout_ms;
    int soerr = 0;
    int fd = -1;
    int st, r;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        st = XENMIG_RELOC_UNKNOWN;
        goto out;
    }
    r = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
    if (r == 0) {
        st = XENMIG_RELOC_ANSWERS;
        goto out;
    }
    if (errno != EINPROGRESS) {
        st = XENMIG_RELOC_CLOSED;
        goto out;
    }
    for (;;) {
        long left = deadline - xm_now_ms();

        if (left <= 0) {
            st = XENMIG_RELOC_SILENT;
            goto out;
        }
        pfd.fd = fd;
        pfd.events = POLLOUT;
        pfd.revents = 0;
        r = poll(&pfd, 1, (int)left);
        if (r > 0)
            break;
        if (r < 0 && errno != EINTR) {
            st = XENMIG_RELOC_UNKNOWN;
            goto out;
        }
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) < 0)
        soerr = errno;
    st = soerr ? XENMIG_RELOC_CLOSED : XENMIG_RELOC_ANSWERS;
 out:
    if (fd >= 0)
        close(fd);
    return st;
}

/* Which config file to read, or NULL for none. */
static const char *
config_path(const xenmig_conn *conn, const xenmig_caps_opts *opts)
{
    const char *env;

    if (opts && opts->config_path)
        return opts->config_path;
    if (strncmp(xenmig_conn_uri(conn), "unix://", 7) != 0)
        return NULL;
    env = getenv("XEND_CONFIG");
    return env && *env ? env : XM_CAPS_DEFAULT_CONFIG;
}

/*
 * For a local xend, the qemu-dm and hvmloader installed here when
 * libvirt's default is not: Debian and Ubuntu put them under
 * /usr/lib/xen-<major>.<minor>/, other layouts under /usr/lib or
 * /usr/lib64. NULL keeps libvirt's default.
 */
static const char *
local_path(char *buf, size_t size, const char *dflt, const char *tail,
           const xenmig_node *node)
{
    static const char *const dirs[] = { "/usr/lib/xen", "/usr/lib64/xen" };
    size_t i;

    if (access(dflt, X_OK) == 0)
        return NULL;
    if (xm_snprintf(buf, size, "/usr/lib/xen-%d.%d/%s",
                    xenmig_node_xen_major(node),
                    xenmig_node_xen_minor(node), tail) == 0 &&
        access(buf, X_OK) == 0)
        return buf;
    for (i = 0; i < XM_ARRAY_SIZE(dirs); i++) {
        if (xm_snprintf(buf, size, "%s/%s", dirs[i], tail) == 0 &&
            access(buf, X_OK) == 0)
            return buf;
    }
    return NULL;
}

/* Emulator and loader: the options', else (local xend) installed. */
static int
set_paths(xenmig_caps *caps, const xenmig_conn *conn,
          const xenmig_node *node, const xenmig_caps_opts *opts,
          xenmig_error *err)
{
    char ebuf[XM_CAPS_MAX_PATH], lbuf[XM_CAPS_MAX_PATH];
    const char *emu = opts && opts->version >= 2 ? opts->emulator : NULL;
    const char *ldr = opts && opts->version >= 2 ? opts->loader : NULL;
    int rc;

    if (strncmp(xenmig_conn_uri(conn), "unix://", 7) == 0) {
        const char *dflt = strcmp(xenmig_node_machine(node), "x86_64")
                           == 0 ? XM_CAPS_EMULATOR_LIB64
                                : XM_CAPS_EMULATOR_LIB;

        if (!emu)
            emu = local_path(ebuf, sizeof(ebuf), dflt, "bin/qemu-dm",
                             node);
        if (!ldr)
            ldr = local_path(lbuf, sizeof(lbuf), XM_CAPS_LOADER,
                             "boot/hvmloader", node);
    }
    rc = xm_caps_set_paths(caps, emu, ldr, err);
    if (rc == XENMIG_EINVAL)
        xm_error_prefix(err, "capabilities");
    return rc;
}

int
xenmig_caps_probe(xenmig_caps **out, xenmig_conn *conn,
                  const xenmig_caps_opts *opts, xenmig_error *err)
{
    xenmig_caps *caps = NULL;
    xenmig_node *node = NULL;
    xm_caps_config cfg;
    xm_reloc_probe probe;
    struct sockaddr_in addr;
    const char *host, *path;
    long timeout_ms;
    int port, ssl_port, ssl_st;
    int have_cfg = 0;
    int rc;

    xm_caps_config_init(&cfg);
    if (!out || !conn || (opts && (opts->version < 1 ||
                                   opts->version > XENMIG_CAPS_OPTS_VERSION))
        || (opts && (opts->port < 0 || opts->port > 65535 ||
                     opts->timeout_ms < 0))) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "capabilities probe: invalid argument");
        goto out;
    }
    *out = NULL;
    host = xenmig_conn_host(conn);
    timeout_ms = opts && opts->timeout_ms ? opts->timeout_ms
                                          : XM_RELOC_TIMEOUT_MS;
    rc = xm_caps_new(&caps);
    if (rc) {
        rc = xm_error_set(err, rc, "out of memory");
        goto out;
    }
    rc = xenmig_node_get(&node, conn, err);
    if (rc) {
        if (!strstr(err ? err->msg : "", host))
            xm_error_prefix(err, "capabilities of '%s'", host);
        goto out;
    }
    rc = set_paths(caps, conn, node, opts, err);
    if (rc)
        goto out;
    rc = xm_caps_set_node(caps, node, err);
    if (rc)
        goto out;

    path = config_path(conn, opts);
    if (path) {
        rc = xm_caps_config_read(&cfg, path, err);
        if (rc == XENMIG_EIO && !(opts && opts->config_path) &&
            err && err->sys_errno == ENOENT) {
            /* implicit local config that is not there: unknown */
            xenmig_error_clear(err);
        } else if (rc) {
            goto out;
        } else {
            have_cfg = 1;
        }
    }
    port = opts && opts->port ? opts->port
         : have_cfg ? cfg.relocation_port : XM_RELOC_DEFAULT_PORT;
    ssl_port = have_cfg ? cfg.ssl_port : XM_RELOC_DEFAULT_SSL_PORT;

    rc = xm_resolve_ipv4(&addr, host, port, err);
    if (rc) {
        xm_error_prefix(err, "relocation probe of '%s'", host);
        goto out;
    }
    rc = xm_reloc_probe_addr(&probe, &addr, timeout_ms, err);
    if (rc)
        goto out;
    addr.sin_port = htons((uint16_t)ssl_port);
    ssl_st = tcp_reachable(&addr, timeout_ms);
    if (ssl_st != XENMIG_RELOC_ANSWERS)
        ssl_st = XENMIG_RELOC_CLOSED;
    rc = xm_caps_set_relocation(caps, (int)probe.status, port, ssl_st,
                                ssl_port,
                                have_cfg ? cfg.hosts_allow : NULL, err);
    if (rc)
        goto out;
    *out = caps;
    caps = NULL;
    rc = 0;
 out:
    xm_caps_config_dispose(&cfg);
    xenmig_node_free(node);
    xenmig_caps_free(caps);
    return rc;
}
