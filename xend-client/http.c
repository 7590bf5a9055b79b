/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * http.c: connections to xend and one HTTP exchange with libcurl
 *
 * The URI is parsed with libxml2 (structure; the only parser here that
 * reads unix:///path right) and, for http URIs, with libcurl's URL API
 * as well (host syntax and port) where libcurl has it. Replies are
 * classified by a pure function so that the rules of reference 1.5 and
 * 1.7 can be tested without a socket.
 *
 * Older libcurls (the floor is 7.19.7, docs/PLATFORMS.md) lack some of
 * the calls used here; each XM_HAVE_* below says which, and its #else
 * is the fallback. make FLOOR=1 defines XM_FLOOR, which takes every
 * fallback against today's libcurl.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/uri.h>

#include "xend-client/xend.h"

#if LIBCURL_VERSION_NUM >= 0x072800 && !defined(XM_FLOOR)
# define XM_HAVE_CURL_UNIX_SOCKET 1     /* CURLOPT_UNIX_SOCKET_PATH */
#endif
#if LIBCURL_VERSION_NUM >= 0x074100 && !defined(XM_FLOOR)
# define XM_HAVE_CURL_URL 1             /* URL API with CURLUPART_ZONEID */
#endif
#if LIBCURL_VERSION_NUM >= 0x075500 && !defined(XM_FLOOR)
# define XM_HAVE_CURL_PROTOCOLS_STR 1
#endif

struct xenmig_conn {
    char *uri;          /* as the caller gave it */
    char *label;        /* "http://host:8000" or "unix:///path" */
    char *host;         /* "localhost" for Unix sockets, no [] */
    char *base;         /* request URL prefix, "http://host:8000" */
    char *sock_path;    /* Unix socket path, NULL for TCP */
    long connect_ms;
    long total_ms;
    size_t max_reply;
    CURL *curl;
    char errbuf[CURL_ERROR_SIZE];
    int aborted;        /* xm_xend_conn_abort(): transfers stop */
};

/* What a transfer's callbacks saw, and why they stopped it. */
typedef struct exchange {
    xm_xend_reply *reply;
    size_t max_reply;
    size_t header_lines;
    size_t header_bytes;
    bool saw_status;
    int failure;        /* XENMIG_E* a callback aborted with, 0 */
    const char *why;    /* what went wrong in a callback */
} exchange;

/* Longest piece of a path or value quoted in a message. */
#define MSG_PIECE 96

/* The Host libcurl sends over a Unix socket (libvirt's choice too). */
#ifdef XM_HAVE_CURL_UNIX_SOCKET
# define UNIX_BASE "http://localhost:8000"
#else
/* numeric: nothing to resolve; open_unix_socket() replaces it */
# define UNIX_BASE "http://127.0.0.1:8000"
# define UNIX_HOST "Host: localhost:8000"
#endif

/* ---- library set-up ------------------------------------------------- */

/*
 * libcurl's and libxml2's global set-up, done once: by xenmig_init(),
 * or by the first connection opened without it. Under a mutex, since
 * curl_global_init() is not thread-safe on the libcurl of the floor.
 */
static pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int setup_refs;     /* xenmig_init() calls not undone */
static bool setup_done;

static int
setup_locked(xenmig_error *err)
{
    CURLcode rc;

    if (setup_done)
        return 0;
    xmlInitParser();
    rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        return xm_error_set(err, XENMIG_ERROR,
                            "cannot initialise libcurl: %s",
                            curl_easy_strerror(rc));
    setup_done = true;
    return 0;
}

static int
setup(xenmig_error *err)
{
    int rc;

    pthread_mutex_lock(&setup_lock);
    rc = setup_locked(err);
    pthread_mutex_unlock(&setup_lock);
    return rc;
}

XENMIG_API int
xenmig_init(xenmig_error *err)
{
    int rc;

    pthread_mutex_lock(&setup_lock);
    rc = setup_locked(err);
    if (rc == 0)
        setup_refs++;
    pthread_mutex_unlock(&setup_lock);
    return rc;
}

XENMIG_API void
xenmig_shutdown(void)
{
    pthread_mutex_lock(&setup_lock);
    if (setup_refs > 0 && --setup_refs == 0 && setup_done) {
        /* libcurl counts its own inits; libxml2's cleanup is left to
         * the program, since it may use libxml2 itself */
        curl_global_cleanup();
        setup_done = false;
    }
    pthread_mutex_unlock(&setup_lock);
}

/* ---- small helpers -------------------------------------------------- */

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

/* @s as message text (NULL shows as ""). */
static void
msg_str(char *dst, size_t size, const char *s)
{
    xm_xend_msg_text(dst, size, s ? s : "", s ? strlen(s) : 0);
}

static bool
has_prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "xend at '<label>': <METHOD> <path>" for the start of a message. */
static void
where(char *dst, size_t size, const xenmig_conn *conn, const char *method,
      const char *path)
{
    char l[MSG_PIECE];
    char p[MSG_PIECE];
    char m[16];

    msg_str(l, sizeof(l), conn ? conn->label : "?");
    msg_str(p, sizeof(p), path);
    msg_str(m, sizeof(m), method);
    if (xm_snprintf(dst, size, "xend at '%s': %s %s", l, m, p) < 0)
        msg_str(dst, size, "xend");
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
    conn->base = xm_strdup(UNIX_BASE);
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
        if (!is_digit(c) && !(c >= 'a' && c <= 'z') &&
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
    char shown[MSG_PIECE];
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
    rc = setup(err);
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

/* ---- replies -------------------------------------------------------- */

void
xm_xend_reply_init(xm_xend_reply *reply)
{
    reply->status = 0;
    reply->reason[0] = '\0';
    reply->content_type[0] = '\0';
    xm_buf_init(&reply->body, XM_XEND_MAX_REPLY);
}

void
xm_xend_reply_dispose(xm_xend_reply *reply)
{
    if (!reply)
        return;
    xm_buf_dispose(&reply->body);
    reply->status = 0;
    reply->reason[0] = '\0';
    reply->content_type[0] = '\0';
}

int
xm_xend_parse_status_line(long *status, char *reason, size_t reason_size,
                          const char *line, size_t len)
{
    size_t i, rlen;

    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    /* "HTTP/1.x NNN" is 12 bytes */
    if (len < 12 || memcmp(line, "HTTP/1.", 7) != 0 || !is_digit(line[7]) ||
        line[8] != ' ')
        return XENMIG_EHTTP;
    if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) ||
        line[9] == '0')
        return XENMIG_EHTTP;
    if (len > 12 && line[12] != ' ')
        return XENMIG_EHTTP;
    i = len > 12 ? 13 : 12;
    rlen = len - i;
    if (rlen >= reason_size)
        return XENMIG_ERANGE;
    for (; i < len; i++) {
        if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
            return XENMIG_EHTTP;
    }
    *status = (line[9] - '0') * 100 + (line[10] - '0') * 10 +
              (line[11] - '0');
    memcpy(reason, line + len - rlen, rlen);
    reason[rlen] = '\0';
    return 0;
}

/* Stop the transfer from a callback with @code. */
static size_t
abort_transfer(exchange *ex, int code, const char *why)
{
    ex->failure = code;
    ex->why = why;
    return 0;
}

static size_t
on_header(char *data, size_t size, size_t nitems, void *userdata)
{
    exchange *ex = userdata;
    xm_xend_reply *reply = ex->reply;
    size_t len = size * nitems;
    size_t vlen;
    const char *v;
    int rc;

    ex->header_lines++;
    if (ex->header_lines > XM_XEND_MAX_HEADERS ||
        len > XM_XEND_MAX_HEADER_BYTES - ex->header_bytes)
        return abort_transfer(ex, XENMIG_ERANGE, "reply headers");
    ex->header_bytes += len;
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        /* a new response (after a 1xx) starts afresh */
        rc = xm_xend_parse_status_line(&reply->status, reply->reason,
                                       sizeof(reply->reason), data, len);
        if (rc == XENMIG_ERANGE)
            return abort_transfer(ex, XENMIG_ERANGE, "status line");
        if (rc)
            return abort_transfer(ex, XENMIG_EHTTP, "status line");
        reply->content_type[0] = '\0';
        ex->saw_status = true;
        return len;
    }
    if (!ex->saw_status)
        return abort_transfer(ex, XENMIG_EHTTP, "status line");
    if (len > 13 && has_prefix_ci(data, "content-type:")) {
        v = data + 13;
        vlen = len - 13;
        while (vlen > 0 && (*v == ' ' || *v == '\t')) {
            v++;
            vlen--;
        }
        while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
                            v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
            vlen--;
        if (vlen >= sizeof(reply->content_type))
            return abort_transfer(ex, XENMIG_ERANGE, "content-type header");
        memcpy(reply->content_type, v, vlen);
        reply->content_type[vlen] = '\0';
    }
    return len;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    exchange *ex = userdata;
    xm_buf *body = &ex->reply->body;
    size_t len = size * nmemb;
    int rc;

    if (len > ex->max_reply - body->len)
        return abort_transfer(ex, XENMIG_ERANGE, "reply body");
    rc = xm_buf_put(body, data, len);
    if (rc)
        return abort_transfer(ex, rc, "reply body");
    return len;
}

/* Turn a callback's abort into an error. */
static int
callback_error(const xenmig_conn *conn, const exchange *ex,
               const char *prefix, xenmig_error *err)
{
    if (ex->failure == XENMIG_ENOMEM)
        return xm_error_set(err, XENMIG_ENOMEM,
                            "%s: out of memory reading the reply", prefix);
    if (ex->failure == XENMIG_ERANGE &&
        strcmp(ex->why, "reply body") == 0)
        return xm_error_set(err, XENMIG_ERANGE,
                            "%s: reply from '%s' exceeds %zu bytes", prefix,
                            conn->host, ex->max_reply);
    if (ex->failure == XENMIG_ERANGE &&
        strcmp(ex->why, "reply headers") == 0)
        return xm_error_set(err, XENMIG_ERANGE,
                            "%s: reply headers from '%s' over the limit "
                            "(%d lines, %u bytes)", prefix, conn->host,
                            XM_XEND_MAX_HEADERS, XM_XEND_MAX_HEADER_BYTES);
    if (ex->failure == XENMIG_ERANGE)
        return xm_error_set(err, XENMIG_ERANGE, "%s: %s from '%s' too long",
                            prefix, ex->why, conn->host);
    return xm_error_set(err, XENMIG_EHTTP,
                        "%s: malformed %s in the reply (HTTP/1.x expected)",
                        prefix, ex->why);
}

/* Turn a libcurl failure into an error naming host and request. */
static int
curl_error(xenmig_conn *conn, CURLcode cc, long timeout_ms,
           const char *prefix, xenmig_error *err)
{
    const char *text = conn->errbuf[0] ? conn->errbuf :
                       curl_easy_strerror(cc);
    long os_errno = 0;
    long sent = 0;

    curl_easy_getinfo(conn->curl, CURLINFO_OS_ERRNO, &os_errno);
    if (os_errno < 0 || os_errno > INT_MAX)
        os_errno = 0;
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
        if (os_errno)
            return xm_error_set_errno(err, XENMIG_ECONNECT, (int)os_errno,
                                      "%s: cannot connect", prefix);
        return xm_error_set(err, XENMIG_ECONNECT,
                            "%s: cannot connect: %s", prefix, text);
    case CURLE_COULDNT_RESOLVE_HOST:
        return xm_error_set(err, XENMIG_ECONNECT,
                            "%s: cannot resolve host '%s'", prefix,
                            conn->host);
    case CURLE_OPERATION_TIMEDOUT:
        curl_easy_getinfo(conn->curl, CURLINFO_REQUEST_SIZE, &sent);
        if (sent > 0)
            return xm_error_set(err, XENMIG_ETIMEOUT,
                                "%s: no reply within %ld ms", prefix,
                                timeout_ms);
        return xm_error_set(err, XENMIG_ETIMEOUT,
                            "%s: cannot connect within %ld ms", prefix,
                            conn->connect_ms < timeout_ms ?
                            conn->connect_ms : timeout_ms);
    case CURLE_GOT_NOTHING:
        return xm_error_set(err, XENMIG_EHTTP,
                            "%s: connection closed without a reply",
                            prefix);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        if (os_errno)
            return xm_error_set_errno(err, XENMIG_EHTTP, (int)os_errno,
                                      "%s: connection broken", prefix);
        return xm_error_set(err, XENMIG_EHTTP,
                            "%s: connection broken: %s", prefix, text);
#if LIBCURL_VERSION_NUM >= 0x073300
    case CURLE_WEIRD_SERVER_REPLY:
#else
    case CURLE_FTP_WEIRD_SERVER_REPLY:     /* its name before 7.51 */
#endif
    case CURLE_UNSUPPORTED_PROTOCOL:
        return xm_error_set(err, XENMIG_EHTTP,
                            "%s: not an HTTP/1.x reply: %s", prefix, text);
    case CURLE_PARTIAL_FILE:
        return xm_error_set(err, XENMIG_EHTTP,
                            "%s: reply cut short: %s", prefix, text);
    case CURLE_FILESIZE_EXCEEDED:
        return xm_error_set(err, XENMIG_ERANGE,
                            "%s: reply from '%s' exceeds %zu bytes", prefix,
                            conn->host, conn->max_reply);
    case CURLE_OUT_OF_MEMORY:
        /* libcurl says so, too, of a header line over its own limit
         * (100 KiB), which a hostile or broken peer sends far more
         * often than memory runs out */
        return xm_error_set(err, XENMIG_ERANGE,
                            "%s: libcurl gave up reading the reply from "
                            "'%s' (\"%s\"): a reply header line over its "
                            "limit, or out of memory", prefix, conn->host,
                            text);
    default:
        return xm_error_set(err, XENMIG_EHTTP, "%s: %s", prefix, text);
    }
}

#ifndef XM_HAVE_CURL_UNIX_SOCKET
/*
 * xend's Unix socket without CURLOPT_UNIX_SOCKET_PATH (libcurl 7.40).
 * The URL names 127.0.0.1, so libcurl resolves nothing and calls this
 * open-socket callback (7.17.1) once, with that address; libcurl's
 * documentation lets the callback change the address, and libcurl
 * connects the socket returned to whatever the address then is, with
 * its own connect timeout and error reporting. So the callback makes
 * an AF_UNIX socket and puts the socket's path in the address. (The
 * address is libcurl's sockaddr storage, room for any sockaddr; 7.19.7
 * already prints AF_UNIX addresses it finds there.) The one other way,
 * a socket connected here and CURL_SOCKOPT_ALREADY_CONNECTED, needs
 * 7.21.5 and a connect without libcurl's timeout.
 */
static curl_socket_t
open_unix_socket(void *clientp, curlsocktype purpose,
                 struct curl_sockaddr *address)
{
    const xenmig_conn *conn = clientp;
    struct sockaddr_un sa;
    size_t len = strlen(conn->sock_path);
    char *dst = (char *)address + offsetof(struct curl_sockaddr, addr);
    int fd;

    if (purpose != CURLSOCKTYPE_IPCXN || len >= sizeof(sa.sun_path))
        return CURL_SOCKET_BAD;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, conn->sock_path, len + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return CURL_SOCKET_BAD;
    address->family = AF_UNIX;
    address->socktype = SOCK_STREAM;
    address->protocol = 0;
    address->addrlen = (unsigned int)(offsetof(struct sockaddr_un,
                                               sun_path) + len + 1);
    memcpy(dst, &sa, address->addrlen);
    return fd;
}
#endif

/*
 * libcurl's progress callback: often while data moves, about once a
 * second while none does. Nonzero stops the transfer.
 */
#if LIBCURL_VERSION_NUM >= 0x072000
static int
on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
            curl_off_t ultotal, curl_off_t ulnow)
#else
static int
on_progress(void *clientp, double dltotal, double dlnow, double ultotal,
            double ulnow)
#endif
{
    xenmig_conn *conn = clientp;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return __sync_fetch_and_add(&conn->aborted, 0) != 0;
}

void
xm_xend_conn_abort(xenmig_conn *conn)
{
    if (conn)
        (void)__sync_fetch_and_or(&conn->aborted, 1);
}

#define SETOPT(opt, val) \
    do { \
        if (cc == CURLE_OK) \
            cc = curl_easy_setopt(curl, (opt), (val)); \
    } while (0)

static CURLcode
set_options(xenmig_conn *conn, exchange *ex, struct curl_slist *headers,
            const char *url, bool post, const char *body, size_t body_len,
            long timeout_ms)
{
    CURL *curl = conn->curl;
    CURLcode cc = CURLE_OK;

    curl_easy_reset(curl);
    conn->errbuf[0] = '\0';
    SETOPT(CURLOPT_ERRORBUFFER, conn->errbuf);
    SETOPT(CURLOPT_URL, url);
#ifdef XM_HAVE_CURL_UNIX_SOCKET
    if (conn->sock_path)
        SETOPT(CURLOPT_UNIX_SOCKET_PATH, conn->sock_path);
#else
    if (conn->sock_path) {
        SETOPT(CURLOPT_OPENSOCKETFUNCTION, open_unix_socket);
        SETOPT(CURLOPT_OPENSOCKETDATA, conn);
    }
#endif
#ifdef XM_HAVE_CURL_PROTOCOLS_STR
    SETOPT(CURLOPT_PROTOCOLS_STR, "http");
    SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http");
#else
    SETOPT(CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTP);
    SETOPT(CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTP);
#endif
    SETOPT(CURLOPT_PROXY, "");          /* ignore http_proxy and co. */
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_NOPROGRESS, 0L);
#if LIBCURL_VERSION_NUM >= 0x072000
    SETOPT(CURLOPT_XFERINFOFUNCTION, on_progress);
    SETOPT(CURLOPT_XFERINFODATA, conn);
#else
    SETOPT(CURLOPT_PROGRESSFUNCTION, on_progress);
    SETOPT(CURLOPT_PROGRESSDATA, conn);
#endif
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, conn->connect_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, timeout_ms);
    SETOPT(CURLOPT_FORBID_REUSE, 1L);
    SETOPT(CURLOPT_FRESH_CONNECT, 1L);
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x072a00
    SETOPT(CURLOPT_PATH_AS_IS, 1L);
#else
    /* before 7.42 libcurl sends the path as given: nothing to turn off */
#endif
    SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SETOPT(CURLOPT_HTTPHEADER, headers);
    SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ex->max_reply);
    SETOPT(CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(CURLOPT_HEADERDATA, ex);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, ex);
    if (post) {
        SETOPT(CURLOPT_POST, 1L);
        SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        SETOPT(CURLOPT_POSTFIELDS, body ? body : "");
    } else {
        SETOPT(CURLOPT_HTTPGET, 1L);
    }
    return cc;
}

#undef SETOPT

/* Add @line to *@list; false when out of memory. */
static bool
add_header(struct curl_slist **list, const char *line)
{
    struct curl_slist *l = curl_slist_append(*list, line);

    if (!l)
        return false;
    *list = l;
    return true;
}

int
xm_xend_request(xm_xend_reply *reply, xenmig_conn *conn,
                const char *method, const char *path, const char *body,
                size_t body_len, long timeout_ms, xenmig_error *err)
{
    struct curl_slist *headers = NULL;
    xm_buf url = XM_BUF_INIT(XM_XEND_MAX_PATH + XM_XEND_MAX_URI + 32);
    char prefix[XENMIG_ERROR_MSG_SIZE];
    exchange ex;
    CURLcode cc;
    bool post;
    int rc;

    if (!reply || !conn || !method || !path)
        return xm_error_set(err, XENMIG_EINVAL,
                            "xend request without connection or path");
    where(prefix, sizeof(prefix), conn, method, path);
    post = strcmp(method, "POST") == 0;
    if (!post && strcmp(method, "GET") != 0) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "%s: unsupported method", prefix);
        goto out;
    }
    if (path[0] != '/' || strnlen(path, XM_XEND_MAX_PATH + 1) >
        XM_XEND_MAX_PATH) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "%s: path must start with '/' and be at most %d "
                          "bytes", prefix, XM_XEND_MAX_PATH);
        goto out;
    }
    if (!post && body_len) {
        rc = xm_error_set(err, XENMIG_EINVAL, "%s: a GET has no body",
                          prefix);
        goto out;
    }
    if (body_len > XM_XEND_MAX_FORM) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "%s: request body of %zu bytes exceeds xend's "
                          "limit of %d", prefix, body_len,
                          XM_XEND_MAX_FORM);
        goto out;
    }
    if (timeout_ms < 0 || timeout_ms > XM_XEND_MAX_TIMEOUT_MS) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "%s: timeout %ld ms out of range", prefix,
                          timeout_ms);
        goto out;
    }
    if (timeout_ms == 0)
        timeout_ms = conn->total_ms;
    xm_xend_reply_dispose(reply);
    xm_buf_init(&reply->body, conn->max_reply);
    memset(&ex, 0, sizeof(ex));
    ex.reply = reply;
    ex.max_reply = conn->max_reply;
    if (xm_buf_puts(&url, conn->base) || xm_buf_puts(&url, path)) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "%s: out of memory", prefix);
        goto out;
    }
    /*
     * Accept: application/sxp makes xend answer in SXP, not HTML
     * (reference 1.3); an empty User-Agent: and Expect: remove those
     * headers altogether.
     */
    if (!add_header(&headers, "Accept: application/sxp") ||
        !add_header(&headers, "User-Agent:") ||
        !add_header(&headers, "Expect:") ||
        !add_header(&headers, "Transfer-Encoding:") ||
#ifndef XM_HAVE_CURL_UNIX_SOCKET
        (conn->sock_path && !add_header(&headers, UNIX_HOST)) ||
#endif
        (post && !add_header(&headers, "Content-Type: "
                             "application/x-www-form-urlencoded"))) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "%s: out of memory", prefix);
        goto out;
    }
    cc = set_options(conn, &ex, headers, xm_buf_cstr(&url), post, body,
                     body_len, timeout_ms);
    if (cc != CURLE_OK) {
        rc = xm_error_set(err, cc == CURLE_OUT_OF_MEMORY ? XENMIG_ENOMEM :
                          XENMIG_ERROR, "%s: cannot set up libcurl: %s",
                          prefix, curl_easy_strerror(cc));
        goto out;
    }
    cc = curl_easy_perform(conn->curl);
    if (ex.failure) {
        rc = callback_error(conn, &ex, prefix, err);
        goto out;
    }
    if (cc != CURLE_OK) {
        rc = curl_error(conn, cc, timeout_ms, prefix, err);
        goto out;
    }
    if (!ex.saw_status || reply->status == 0) {
        rc = xm_error_set(err, XENMIG_EHTTP,
                          "%s: no HTTP/1.x status line in the reply",
                          prefix);
        goto out;
    }
    rc = 0;
 out:
    if (rc && err)
        err->http_status = reply->status;
    if (conn && conn->curl) {
        /* drop the pointers into this call's stack and headers */
        curl_easy_reset(conn->curl);
    }
    curl_slist_free_all(headers);
    xm_buf_dispose(&url);
    return rc;
}

/* ---- classification (reference 1.5, 1.7) ---------------------------- */

static const char *
find_bytes(const char *hay, size_t hlen, const char *needle)
{
    size_t nlen = strlen(needle);

    if (!hay || nlen == 0 || hlen < nlen)
        return NULL;
    return memmem(hay, hlen, needle, nlen);
}

/* Body (after leading white space) starts with "(xend.err". */
static bool
starts_with_xend_err(const char *body, size_t len)
{
    size_t i = 0;

    while (i < len && (body[i] == ' ' || body[i] == '\t' ||
                       body[i] == '\r' || body[i] == '\n'))
        i++;
    return len - i >= 9 && memcmp(body + i, "(xend.err", 9) == 0;
}

/*
 * xend's message from a body such as (xend.err 'Domain is not running'),
 * or the raw body when it does not parse that way.
 */
static void
xend_message(char *dst, size_t size, const char *body, size_t len)
{
    xm_sexpr *sx = NULL;
    const xm_sexpr *msg;
    const char *at;

    at = find_bytes(body, len, "(xend.err");
    if (at && xm_sexpr_parse(&sx, at, len - (size_t)(at - body),
                             NULL) == 0 &&
        xm_sexpr_kind_of(sx) == XM_SEXPR_LIST &&
        xm_sexpr_head(sx) && strcmp(xm_sexpr_head(sx), "xend.err") == 0) {
        msg = xm_sexpr_at(sx, 1);
        if (msg && xm_sexpr_kind_of(msg) == XM_SEXPR_VALUE) {
            xm_xend_msg_text(dst, size, xm_sexpr_value(msg),
                             xm_sexpr_value_len(msg));
            xm_sexpr_free(sx);
            return;
        }
    }
    xm_sexpr_free(sx);
    while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r' ||
                       body[len - 1] == ' '))
        len--;
    if (len == 0) {
        msg_str(dst, size, "no message");
        return;
    }
    xm_xend_msg_text(dst, size, body, len);
}

/*
 * The domain a path under /xend/domain/<dom> names, unescaped, for a
 * message; false when @path is not such a path.
 */
static bool
domain_of_path(char *dst, size_t size, const char *path)
{
    static const char pre[] = "/xend/domain/";
    const char *seg;
    size_t seglen;
    char *plain;
    int plen = 0;

    if (strncmp(path, pre, sizeof(pre) - 1) != 0)
        return false;
    seg = path + sizeof(pre) - 1;
    seglen = strcspn(seg, "/?");
    if (seglen == 0 || seglen > INT_MAX)
        return false;
    plain = curl_easy_unescape(NULL, seg, (int)seglen, &plen);
    if (plain && plen >= 0) {
        xm_xend_msg_text(dst, size, plain, (size_t)plen);
    } else {
        xm_xend_msg_text(dst, size, seg, seglen);
    }
    curl_free(plain);
    return true;
}

/* The text after "<prefix>" in @reason, or NULL. */
static const char *
reason_arg(const char *reason, const char *prefix)
{
    if (!has_prefix_ci(reason, prefix))
        return NULL;
    return reason + strlen(prefix);
}

int
xm_xend_classify(const xenmig_conn *conn, const char *method,
                 const char *path, long status, const char *reason,
                 const char *content_type, const char *body,
                 size_t body_len, xenmig_error *err)
{
    char pre[XENMIG_ERROR_MSG_SIZE];
    char msg[XENMIG_ERROR_MSG_SIZE];
    char why[MSG_PIECE];
    char dom[MSG_PIECE];
    const char *arg;
    bool post;
    int rc;

    if (!method)
        method = "?";
    if (!path)
        path = "";
    if (!reason)
        reason = "";
    if (!content_type)
        content_type = "";
    if (!body)
        body_len = 0;
    post = strcmp(method, "POST") == 0;
    where(pre, sizeof(pre), conn, method, path);
    msg_str(why, sizeof(why), reason);

    if (status >= 200 && status <= 202) {
        /*
         * libvirt's rules (1.7): a POST whose body mentions xend.err
         * failed; a GET only when the body is an (xend.err ...), since
         * a domain's own SXP may contain that text.
         */
        if (post ? find_bytes(body, body_len, "xend.err") != NULL :
            starts_with_xend_err(body, body_len)) {
            xend_message(msg, sizeof(msg), body, body_len);
            rc = xm_error_set(err, XENMIG_EXEND, "%s: %s", pre, msg);
        } else if (status == 202 && find_bytes(body, body_len, "failed")) {
            xend_message(msg, sizeof(msg), body, body_len);
            rc = xm_error_set(err, XENMIG_EXEND, "%s: xend failed: %s",
                              pre, msg);
        } else if (has_prefix_ci(content_type, "text/html")) {
            rc = xm_error_set(err, XENMIG_EHTTP,
                              "%s: xend sent HTML instead of SXP", pre);
        } else {
            rc = 0;
        }
        goto out;
    }
    switch (status) {
    case 404:
        if (domain_of_path(dom, sizeof(dom), path)) {
            rc = xm_error_set(err, XENMIG_ENOTFOUND,
                              "no such domain '%s' on '%s'", dom,
                              conn ? conn->host : "xend");
            break;
        }
        xend_message(msg, sizeof(msg), body, body_len);
        rc = xm_error_set(err, XENMIG_ENOTFOUND, "%s: not found: %s", pre,
                          msg);
        break;
    case 500:
        xend_message(msg, sizeof(msg), body, body_len);
        arg = reason_arg(reason, "Request failed: ");
        if (arg) {
            msg_str(why, sizeof(why), arg);
            rc = xm_error_set(err, XENMIG_EXEND, "%s: %s failed: %s", pre,
                              why, msg);
            break;
        }
        rc = xm_error_set(err, XENMIG_EXEND,
                          "%s: xend internal error (500 '%s'): %s", pre,
                          why, msg);
        break;
    case 406:
        rc = xm_error_set(err, XENMIG_EXEND,
                          "%s: xend refused the request as invalid (406 "
                          "'%s'): op missing or given twice", pre, why);
        break;
    case 501:
        arg = reason_arg(reason, "Operation not implemented: ");
        if (arg) {
            msg_str(why, sizeof(why), arg);
            rc = xm_error_set(err, XENMIG_EXEND,
                              "%s: this xend does not implement operation "
                              "'%s'", pre, why);
            break;
        }
        rc = xm_error_set(err, XENMIG_EHTTP,
                          "%s: xend does not support this method (501 "
                          "'%s')", pre, why);
        break;
    case 400:
        rc = xm_error_set(err, XENMIG_EHTTP,
                          "%s: xend could not parse the request (400 '%s')",
                          pre, why);
        break;
    case 413:
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "%s: request too large for xend (413 '%s')", pre,
                          why);
        break;
    default:
        if (status < 100 || status > 599) {
            rc = xm_error_set(err, XENMIG_EHTTP,
                              "%s: no valid HTTP status in the reply", pre);
            break;
        }
        rc = xm_error_set(err, XENMIG_EHTTP,
                          "%s: unexpected HTTP status %ld '%s'", pre,
                          status, why);
        break;
    }
 out:
    if (rc && err)
        err->http_status = status;
    return rc;
}
