/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uri.c: migration URIs and the addresses of hosts
 */
#include <arpa/inet.h>
#include <string.h>

#include <libxml/uri.h>

#include "migration/migrate_int.h"
#include "xend-client/reloc.h"
#include "xend-client/xend.h"

bool
xm_mig_version_ge(long long major, long long minor, int want_major,
                  int want_minor)
{
    return major > want_major ||
           (major == want_major && minor >= want_minor);
}

int
xm_mig_conn_addr(struct sockaddr_in *out, bool *is_unix,
                 xenmig_conn *conn, xenmig_error *err)
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

/*
 * Are @a and @b the same xend? The same URI, or HTTP on the same
 * address and port. (A Unix socket and TCP to one host cannot be told
 * apart here; prepare refuses that pair anyway, as the destination
 * then has the domain already.)
 */
bool
xm_mig_same_xend(xenmig_conn *a, xenmig_conn *b)
{
    struct sockaddr_in sa, sb;
    bool ua, ub;
    const char *la = xm_xend_conn_label(a);
    const char *lb = xm_xend_conn_label(b);
    const char *pa = strrchr(la, ':');
    const char *pb = strrchr(lb, ':');

    if (strcmp(la, lb) == 0)
        return true;
    if (xm_mig_conn_addr(&sa, &ua, a, NULL) ||
        xm_mig_conn_addr(&sb, &ub, b, NULL) ||
        ua || ub)
        return false;
    return sa.sin_addr.s_addr == sb.sin_addr.s_addr && pa && pb &&
           strcmp(pa, pb) == 0;
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
