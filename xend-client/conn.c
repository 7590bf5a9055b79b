/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conn.c: the public connection object (xenmig_conn) and its URI
 *
 * A URI is parsed with libxml2 (structure; the only parser here that
 * reads unix:///path right) and, for http URIs, with libcurl's URL API
 * as well (host syntax and port) where libcurl has it; older libcurls
 * take the XM_HAVE_CURL_URL fallback (conn.h). The object holds what
 * transport.c needs for a request: the base URL or socket path, the
 * timeouts, the reply limit and one libcurl easy handle. The message
 * helpers every file of the host layer uses are here too.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <string.h>
#include <sys/un.h>

#include <curl/curl.h>
#include <libxml/uri.h>

#include "xend-client/conn.h"

/* ---- message helpers ------------------------------------------------ */

void
xm_xend_msg_text(char *dst, size_t size, const char *src, size_t len)
{
    size_t i, n = 0;
    unsigned char c;

    if (!size)
        return;
    for (i = 0; i < len && n + 1 < size; i++) {
        c = (unsigned char)src[i];
        dst[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    dst[n] = '\0';
    if (i < len && size >= 4)
        memcpy(dst + size - 4, "...", 4);
}

void
xm_xend_msg_str(char *dst, size_t size, const char *s)
{
    xm_xend_msg_text(dst, size, s ? s : "", s ? strlen(s) : 0);
}

void
xm_xend_where(char *dst, size_t size, const xenmig_conn *conn,
              const char *method, const char *path)
{
    char l[XM_XEND_MSG_PIECE];
    char p[XM_XEND_MSG_PIECE];
    char m[16];

    xm_xend_msg_str(l, sizeof(l), conn ? conn->label : "?");
    xm_xend_msg_str(p, sizeof(p), path);
    xm_xend_msg_str(m, sizeof(m), method);
    if (xm_snprintf(dst, size, "xend at '%s': %s %s", l, m, p) < 0)
        xm_xend_msg_str(dst, size, "xend");
}

/* ---- connections ---------------------------------------------------- */

const char *
xm_xend_conn_label(const xenmig_conn *conn)
{
    return conn ? conn->label : "";
}

long
xm_xend_conn_total_timeout(const xenmig_conn *conn)
{
    return conn ? conn->total_ms : XM_XEND_TOTAL_TIMEOUT_MS;
}

void
xm_xend_conn_set_max_reply(xenmig_conn *conn, size_t max)
{
    if (!conn)
        return;
    if (max == 0 || max > XM_XEND_MAX_REPLY)
        max = XM_XEND_MAX_REPLY;
    conn->max_reply = max;
}

XENMIG_API const char *
xenmig_conn_uri(const xenmig_conn *conn)
{
    return conn ? conn->uri : "";
}

XENMIG_API const char *
xenmig_conn_host(const xenmig_conn *conn)
{
    return conn ? conn->host : "";
}

/* Concatenate @a and @b into a new string (NULL when out of memory). */
static char *
concat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s;

    if (la > SIZE_MAX - lb - 1)
        return NULL;
    s = xm_malloc(la + lb + 1);
    if (!s)
        return NULL;
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}

static int
parse_unix_uri(xenmig_conn *conn, const char *uri, const xmlURI *xu,
               const char *shown, xenmig_error *err)
{
    struct sockaddr_un sa;
    const char *path = xu->path;
    size_t i, len;

    if (xu->server || xu->user || xu->authority || xu->port > 0)
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend URI '%s' names a host; use "
                            "unix:///path/to/socket", shown);
    if (xu->query || xu->query_raw || xu->fragment)
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend URI '%s' has a query or fragment", shown);
    if (strstr(uri, "%00"))
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend URI '%s' contains a NUL byte", shown);
    if (!path || path[0] != '/')
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend URI '%s' needs an absolute socket path",
                            shown);
    len = strlen(path);
    if (path[len - 1] == '/')
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend URI '%s' names a directory, not a "
                            "socket", shown);
    for (i = 0; i < len; i++) {
        if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
            return xm_error_set(err, XENMIG_EINVAL,
                                "xend URI '%s' has a control character in "
                                "its path", shown);
    }
    if (len >= sizeof(sa.sun_path))
        return xm_error_set(err, XENMIG_ERANGE,
                            "socket path in xend URI '%s' exceeds %zu "
                            "bytes", shown, sizeof(sa.sun_path) - 1);
    conn->sock_path = xm_strdup(path);
    conn->label = concat("unix://", path);
    conn->host = xm_strdup("localhost");
    conn->base = xm_strdup(XM_XEND_UNIX_BASE);
    if (!conn->sock_path || !conn->label || !conn->host || !conn->base)
        return xm_error_set(err, XENMIG_ENOMEM,
                            "out of memory opening xend URI '%s'", shown);
    return 0;
}

/* What both ways of reading an http URI leave to libxml2's reading. */
static int
check_http_parts(const xmlURI *xu, const char *shown, xenmig_error *err)
{
    if (xu->user)
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend URI '%s' must not contain user "
                            "information", shown);
    if (xu->query || xu->query_raw || xu->fragment)
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend URI '%s' has a query or fragment", shown);
    if (!xu->server || !xu->server[0])
        return xm_error_set(err, XENMIG_EINVAL, "xend URI '%s' has no host",
                            shown);
    if (xu->path && strcmp(xu->path, "/") != 0)
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend URI '%s' has a path; use http://host[:port]",
                            shown);
    return 0;
}

#ifdef XM_HAVE_CURL_URL
static const char *
url_strerror(CURLUcode uc)
{
#if LIBCURL_VERSION_NUM >= 0x075000
    return curl_url_strerror(uc);
#else
    (void)uc;
    return "rejected by libcurl's URL parser";
#endif
}

/*
 * Host (as written: an IPv6 address in brackets) and port of an http
 * URI, checked by libcurl's URL parser.
 */
static int
host_port(char *hostbuf, size_t size, int *portnum, const char *uri,
          const xmlURI *xu, const char *shown, xenmig_error *err)
{
    CURLU *cu = NULL;
    CURLUcode uc;
    char *host = NULL;
    char *port = NULL;
    char *zone = NULL;
    int rc;

    (void)xu;
    cu = curl_url();
    if (!cu) {
        rc = xm_error_set(err, XENMIG_ENOMEM,
                          "out of memory opening xend URI '%s'", shown);
        goto out;
    }
    uc = curl_url_set(cu, CURLUPART_URL, uri, 0);
    if (uc != CURLUE_OK) {
        rc = xm_error_set(err, uc == CURLUE_OUT_OF_MEMORY ? XENMIG_ENOMEM :
                          XENMIG_EINVAL, "xend URI '%s' is not valid: %s",
                          shown, url_strerror(uc));
        goto out;
    }
    if (curl_url_get(cu, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "xend URI '%s' has an IPv6 zone id, which is not "
                          "supported", shown);
        goto out;
    }
    uc = curl_url_get(cu, CURLUPART_HOST, &host, 0);
    if (uc != CURLUE_OK || !host[0]) {
        rc = xm_error_set(err, XENMIG_EINVAL, "xend URI '%s' has no host",
                          shown);
        goto out;
    }
    uc = curl_url_get(cu, CURLUPART_PORT, &port, 0);
    if (uc == CURLUE_OK) {
        if (xm_parse_int(portnum, port, 1, 65535) != 0) {
            rc = xm_error_set(err, XENMIG_EINVAL,
                              "xend URI '%s' has a bad port '%s'", shown,
                              port);
            goto out;
        }
    } else if (uc != CURLUE_NO_PORT) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "xend URI '%s' has a bad port", shown);
        goto out;
    }
    rc = 0;
    if (xm_strlcpy(hostbuf, host, size) < 0)
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "xend URI '%s': host too long", shown);
 out:
    curl_free(zone);
    curl_free(port);
    curl_free(host);
    curl_url_cleanup(cu);
    return rc;
}
#else
/* A host name: letters, digits, '-', '.' and '_' (as libcurl takes). */
static bool
host_name_ok(const char *h, size_t len)
{
    size_t i;
    char c;

    for (i = 0; i < len; i++) {
        c = h[i];
        if (!xm_xend_is_digit(c) && !(c >= 'a' && c <= 'z') &&
            !(c >= 'A' && c <= 'Z') && c != '-' && c != '.' && c != '_')
            return false;
    }
    return len > 0;
}

/*
 * The same without libcurl's URL API (7.62; 7.65 for zone ids): the
 * host libxml2 read must be the host as written (nothing decoded), a
 * name or an IPv6 address in brackets that inet_pton() reads, and what
 * follows it nothing or ":port".
 */
static int
host_port(char *hostbuf, size_t size, int *portnum, const char *uri,
          const xmlURI *xu, const char *shown, xenmig_error *err)
{
    const char *auth = strstr(uri, "://");
    const char *end;
    char inner[INET6_ADDRSTRLEN + 1];
    char portbuf[8];
    struct in6_addr a6;
    size_t alen, hlen, slen = strlen(xu->server);
    bool v6;

    if (!auth)
        return xm_error_set(err, XENMIG_EINVAL, "xend URI '%s' is not "
                            "valid", shown);
    auth += 3;
    alen = strcspn(auth, "/?#");
    v6 = auth[0] == '[';
    if (v6) {
        end = memchr(auth, ']', alen);
        hlen = end ? (size_t)(end - auth) + 1 : alen + 1;
        if (hlen <= alen && memchr(auth, '%', hlen))
            return xm_error_set(err, XENMIG_EINVAL,
                                "xend URI '%s' has an IPv6 zone id, which "
                                "is not supported", shown);
    } else {
        end = memchr(auth, ':', alen);
        hlen = end ? (size_t)(end - auth) : alen;
    }
    /* libxml2 keeps the brackets; a later one may drop them */
    if (hlen > alen || hlen >= size ||
        (!(slen == hlen && memcmp(xu->server, auth, hlen) == 0) &&
         !(v6 && slen + 2 == hlen &&
           memcmp(xu->server, auth + 1, slen) == 0)))
        return xm_error_set(err, XENMIG_EINVAL, "xend URI '%s' is not "
                            "valid: bad host", shown);
    if (v6 ? hlen - 2 >= sizeof(inner) : !host_name_ok(auth, hlen))
        return xm_error_set(err, XENMIG_EINVAL, "xend URI '%s' is not "
                            "valid: bad host", shown);
    if (v6) {
        memcpy(inner, auth + 1, hlen - 2);
        inner[hlen - 2] = '\0';
        if (inet_pton(AF_INET6, inner, &a6) != 1)
            return xm_error_set(err, XENMIG_EINVAL, "xend URI '%s' is not "
                                "valid: bad IPv6 address", shown);
    }
    memcpy(hostbuf, auth, hlen);
    hostbuf[hlen] = '\0';
    if (hlen == alen)
        return 0;
    if (auth[hlen] != ':' || alen - hlen - 1 >= sizeof(portbuf))
        return xm_error_set(err, XENMIG_EINVAL, "xend URI '%s' has a bad "
                            "port", shown);
    memcpy(portbuf, auth + hlen + 1, alen - hlen - 1);
    portbuf[alen - hlen - 1] = '\0';
    if (xm_parse_int(portnum, portbuf, 1, 65535) != 0)
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend URI '%s' has a bad port '%s'", shown,
                            portbuf);
    return 0;
}
#endif

/* Host and port of an http URI. */
static int
parse_http_uri(xenmig_conn *conn, const char *uri, const xmlURI *xu,
               const char *shown, xenmig_error *err)
{
    char host[XM_XEND_MAX_URI + 1];
    char portbuf[16];
    char *hp = NULL;
    int portnum = XM_XEND_DEFAULT_PORT;
    size_t hlen;
    int rc;

    rc = check_http_parts(xu, shown, err);
    if (rc)
        return rc;
    rc = host_port(host, sizeof(host), &portnum, uri, xu, shown, err);
    if (rc)
        return rc;
    if (xm_snprintf(portbuf, sizeof(portbuf), ":%d", portnum) < 0)
        return xm_error_set(err, XENMIG_ERANGE, "port out of range");
    hp = concat(host, portbuf);
    conn->label = hp ? concat("http://", hp) : NULL;
    conn->base = conn->label ? xm_strdup(conn->label) : NULL;
    hlen = strlen(host);
    if (host[0] == '[' && hlen >= 2)
        conn->host = xm_strndup(host + 1, hlen - 2);
    else
        conn->host = xm_strdup(host);
    xm_free(hp);
    if (!conn->label || !conn->base || !conn->host)
        return xm_error_set(err, XENMIG_ENOMEM,
                            "out of memory opening xend URI '%s'", shown);
    return 0;
}

static int
parse_uri(xenmig_conn *conn, const char *uri, xenmig_error *err)
{
    char shown[XM_XEND_MSG_PIECE];
    xmlURIPtr xu = NULL;
    size_t len = strnlen(uri, XM_XEND_MAX_URI + 1);
    int rc;

    xm_xend_msg_text(shown, sizeof(shown), uri, len);
    if (len > XM_XEND_MAX_URI) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "xend URI '%s' exceeds %d bytes", shown,
                          XM_XEND_MAX_URI);
        goto out;
    }
    if (len == 0) {
        rc = xm_error_set(err, XENMIG_EINVAL, "empty xend URI");
        goto out;
    }
    xu = xmlParseURI(uri);
    if (!xu) {
        rc = xm_error_set(err, XENMIG_EINVAL, "xend URI '%s' is not valid",
                          shown);
        goto out;
    }
    if (!xu->scheme) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "xend URI '%s' has no scheme; use "
                          "unix:///path or http://host[:port]", shown);
        goto out;
    }
    if (strcasecmp(xu->scheme, "unix") == 0) {
        rc = parse_unix_uri(conn, uri, xu, shown, err);
    } else if (strcasecmp(xu->scheme, "http") == 0) {
        rc = parse_http_uri(conn, uri, xu, shown, err);
    } else {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "xend URI '%s' has an unsupported scheme; use "
                          "unix:///path or http://host[:port]", shown);
    }
    if (rc)
        goto out;
    conn->uri = xm_strdup(uri);
    if (!conn->uri) {
        rc = xm_error_set(err, XENMIG_ENOMEM,
                          "out of memory opening xend URI '%s'", shown);
        goto out;
    }
    rc = 0;
 out:
    xmlFreeURI(xu);
    return rc;
}

XENMIG_API int
xenmig_conn_open(xenmig_conn **out, const char *uri, xenmig_error *err)
{
    xenmig_conn *conn = NULL;
    int rc;

    if (!out)
        return xm_error_set(err, XENMIG_EINVAL,
                            "no place to store the connection");
    *out = NULL;
    if (!uri)
        uri = XENMIG_DEFAULT_URI;
    rc = xm_xend_setup(err);
    if (rc) goto out;
    conn = xm_calloc(1, sizeof(*conn));
    if (!conn) {
        rc = xm_error_set(err, XENMIG_ENOMEM,
                          "out of memory opening a xend connection");
        goto out;
    }
    conn->connect_ms = XM_XEND_CONNECT_TIMEOUT_MS;
    conn->total_ms = XM_XEND_TOTAL_TIMEOUT_MS;
    conn->max_reply = XM_XEND_MAX_REPLY;
    rc = parse_uri(conn, uri, err);
    if (rc) goto out;
    conn->curl = curl_easy_init();
    if (!conn->curl) {
        rc = xm_error_set(err, XENMIG_ENOMEM,
                          "xend at '%s': cannot create a libcurl handle",
                          conn->label);
        goto out;
    }
    *out = conn;
    conn = NULL;
    rc = 0;
 out:
    xenmig_conn_free(conn);
    return rc;
}

XENMIG_API void
xenmig_conn_free(xenmig_conn *conn)
{
    if (!conn)
        return;
    if (conn->curl)
        curl_easy_cleanup(conn->curl);
    xm_free(conn->uri);
    xm_free(conn->label);
    xm_free(conn->host);
    xm_free(conn->base);
    xm_free(conn->sock_path);
    xm_free(conn);
}

XENMIG_API int
xenmig_conn_set_timeouts(xenmig_conn *conn, long connect_ms,
                         long total_ms, xenmig_error *err)
{
    if (!conn)
        return xm_error_set(err, XENMIG_EINVAL, "no xend connection");
    if (connect_ms < 0 || total_ms < 0)
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend at '%s': negative timeout (%ld ms, "
                            "%ld ms)", conn->label, connect_ms, total_ms);
    if (connect_ms > XM_XEND_MAX_TIMEOUT_MS ||
        total_ms > XM_XEND_MAX_TIMEOUT_MS)
        return xm_error_set(err, XENMIG_ERANGE,
                            "xend at '%s': timeout over %ld ms",
                            conn->label, XM_XEND_MAX_TIMEOUT_MS);
    conn->connect_ms = connect_ms ? connect_ms : XM_XEND_CONNECT_TIMEOUT_MS;
    conn->total_ms = total_ms ? total_ms : XM_XEND_TOTAL_TIMEOUT_MS;
    return 0;
}
