/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * transport.c: one HTTP exchange with xend over libcurl
 *
 * xm_xend_request() sends a GET or POST on a fresh connection (TCP or
 * xend's Unix socket) and reads the whole reply, whatever its status,
 * within the connection's limits: header lines and bytes, body size,
 * connect and total timeouts. The status line is checked here (HTTP/1.x
 * only); the Content-Type is libcurl's (CURLINFO_CONTENT_TYPE). A
 * libcurl failure becomes an error naming the host and the request.
 * Whether the reply means success is rules.c's business.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <curl/curl.h>

#include "xend-client/conn.h"

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
    if (len < 12 || memcmp(line, "HTTP/1.", 7) != 0 ||
        !xm_xend_is_digit(line[7]) || line[8] != ' ')
        return XENMIG_EHTTP;
    if (!xm_xend_is_digit(line[9]) || !xm_xend_is_digit(line[10]) ||
        !xm_xend_is_digit(line[11]) || line[9] == '0')
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
        ex->saw_status = true;
        return len;
    }
    if (!ex->saw_status)
        return abort_transfer(ex, XENMIG_EHTTP, "status line");
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

/*
 * The reply's Content-Type as libcurl read it (the last one sent, its
 * value trimmed of white space; NULL when there was none) into
 * @reply->content_type.
 */
static int
content_type(xm_xend_reply *reply, xenmig_conn *conn, const char *prefix,
             xenmig_error *err)
{
    char *ct = NULL;

    if (curl_easy_getinfo(conn->curl, CURLINFO_CONTENT_TYPE, &ct) !=
        CURLE_OK || !ct)
        ct = "";
    if (xm_strlcpy(reply->content_type, ct,
                   sizeof(reply->content_type)) != 0)
        return xm_error_set(err, XENMIG_ERANGE,
                            "%s: content-type header from '%s' too long",
                            prefix, conn->host);
    return 0;
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
    xm_xend_where(prefix, sizeof(prefix), conn, method, path);
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
        (conn->sock_path && !add_header(&headers, XM_XEND_UNIX_HOST)) ||
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
    rc = content_type(reply, conn, prefix, err);
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
