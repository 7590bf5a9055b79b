/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_xend.c: the xend HTTP client: URI parsing, reply classification
 * (pure, no socket) and whole exchanges against a canned-reply server
 * on 127.0.0.1 or a Unix socket (tests/support/httpd.c)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "lib/internal.h"
#include "xend-client/xend.h"
#include "tests/support/httpd.h"

#define DATA "tests/data/xend/"

/* Assert, and leave the test through its out: label when false. */
#define REQUIRE(cond) \
    do { \
        bool ok_ = (cond); \
        CU_assertImplementation(ok_, __LINE__, #cond, __FILE__, "", \
                                CU_FALSE); \
        if (!ok_) \
            goto out; \
    } while (0)

#define ASSERT_CONTAINS(hay, needle) \
    CU_assertImplementation(strstr((hay), (needle)) != NULL, __LINE__, \
                            "'" needle "' in " #hay, __FILE__, "", \
                            CU_FALSE)

/* A server with one canned fixture, and a connection to it. */
static int
serve_file(httpd **h, xenmig_conn **conn, bool unix_socket,
           const char *fixture)
{
    xenmig_error err;

    xenmig_error_clear(&err);
    *conn = NULL;
    *h = httpd_start(unix_socket);
    if (!*h)
        return -1;
    if (fixture && httpd_push_file(*h, fixture))
        return -1;
    if (xenmig_conn_open(conn, httpd_uri(*h), &err))
        return -1;
    return xenmig_conn_set_timeouts(*conn, 2000, 5000, &err);
}

/* @line ("\r\nName: ...") starts somewhere in the headers of @req. */
static bool
has_line(const char *req, const char *line)
{
    const char *end = strstr(req, "\r\n\r\n");
    size_t n = strlen(line);
    const char *p;

    if (!end)
        return false;
    for (p = strchr(req, '\r'); p && p < end + 2; p = strchr(p + 1, '\r')) {
        if (strncasecmp(p, line, n) == 0)
            return true;
    }
    return false;
}

/* The header @name with value @value appears in @req (any case). */
static bool
has_header(const char *req, const char *name, const char *value)
{
    char line[256];

    snprintf(line, sizeof(line), "\r\n%s: %s\r\n", name, value);
    return has_line(req, line);
}

/* The header @name appears at all. */
static bool
has_header_name(const char *req, const char *name)
{
    char line[128];

    snprintf(line, sizeof(line), "\r\n%s:", name);
    return has_line(req, line);
}

/* The request line of @req equals @want. */
static bool
request_line_is(const char *req, const char *want)
{
    size_t n = strlen(want);

    return strncmp(req, want, n) == 0 && strncmp(req + n, "\r\n", 2) == 0;
}

/* ---- classification, no socket -------------------------------------- */

static int
classify(const xenmig_conn *conn, const char *method, const char *path,
         long status, const char *reason, const char *ctype,
         const char *body, xenmig_error *err)
{
    xenmig_error_clear(err);
    return xm_xend_classify(conn, method, path, status, reason, ctype,
                            body, body ? strlen(body) : 0, err);
}

static void
test_xend__classify_accepts_2xx(void)
{
    xenmig_conn *conn = NULL;
    xenmig_error err;

    REQUIRE(xenmig_conn_open(&conn, "http://h1:8000", &err) == 0);
    CU_ASSERT_EQUAL(classify(conn, "POST", "/xend/domain/g", 200, "OK",
                             "", "", &err), 0);
    CU_ASSERT_EQUAL(classify(conn, "POST", "/xend/domain/g", 202,
                             "Accepted", "", "", &err), 0);
    CU_ASSERT_EQUAL(classify(conn, "POST", "/xend/domain", 201, "created",
                             "application/sxp", "(domain (name g))",
                             &err), 0);
    CU_ASSERT_EQUAL(classify(conn, "GET", "/xend/node", 200, "OK",
                             "application/sxp", "(node (host h1))",
                             &err), 0);
    CU_ASSERT_EQUAL(err.code, 0);
 out:
    xenmig_conn_free(conn);
}

static void
test_xend__classify_post_xend_err_gives_clean_message(void)
{
    static const char body[] =
        "(xend.err \"can't connect: [Errno 111] Connection refused\")";
    xenmig_conn *conn = NULL;
    xenmig_error err;

    REQUIRE(xenmig_conn_open(&conn, "http://h1:8000", &err) == 0);
    CU_ASSERT_EQUAL(classify(conn, "POST", "/xend/domain/guest1", 200,
                             "OK", "application/sxp", body, &err),
                    XENMIG_EXEND);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "xend at 'http://h1:8000': POST "
                           "/xend/domain/guest1: can't connect: "
                           "[Errno 111] Connection refused");
    CU_ASSERT_EQUAL(err.http_status, 200);
    /* 201 and 202 carry xend.err the same way */
    CU_ASSERT_EQUAL(classify(conn, "POST", "/xend/domain/g", 202,
                             "Accepted", "application/sxp",
                             "(xend.err 'Missing parameter: node')", &err),
                    XENMIG_EXEND);
    ASSERT_CONTAINS(err.msg, ": Missing parameter: node");
 out:
    xenmig_conn_free(conn);
}

static void
test_xend__classify_get_fails_only_on_leading_xend_err(void)
{
    xenmig_error err;

    /* a domain's own SXP may mention xend.err: still a success */
    CU_ASSERT_EQUAL(classify(NULL, "GET", "/xend/domain/g", 200, "OK",
                             "application/sxp",
                             "(domain (name g) (description 'xend.err "
                             "failed'))''", &err), 0);
    CU_ASSERT_EQUAL(classify(NULL, "GET", "/xend/domain/g", 200, "OK",
                             "application/sxp",
                             "  (xend.err 'Domain is not running')",
                             &err), XENMIG_EXEND);
    ASSERT_CONTAINS(err.msg, ": Domain is not running");
}

static void
test_xend__classify_unparsable_xend_err_falls_back_to_raw(void)
{
    xenmig_error err;

    CU_ASSERT_EQUAL(classify(NULL, "POST", "/xend/domain/g", 200, "OK",
                             "text/plain", "Error : xend.err\nboom (",
                             &err), XENMIG_EXEND);
    ASSERT_CONTAINS(err.msg, ": Error : xend.err?boom (");
    CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
    /* an unclosed list is not guessed at */
    CU_ASSERT_EQUAL(classify(NULL, "POST", "/xend/domain/g", 200, "OK",
                             "application/sxp", "(xend.err 'half",
                             &err), XENMIG_EXEND);
    ASSERT_CONTAINS(err.msg, ": (xend.err 'half");
}

static void
test_xend__classify_202_with_failed(void)
{
    xenmig_error err;

    CU_ASSERT_EQUAL(classify(NULL, "POST", "/xend/domain/g", 202,
                             "Accepted", "application/sxp",
                             "'save failed: No space left on device'",
                             &err), XENMIG_EXEND);
    ASSERT_CONTAINS(err.msg, "save failed: No space left on device");
    CU_ASSERT_EQUAL(err.http_status, 202);
    /* "failed" means nothing on a 200 */
    CU_ASSERT_EQUAL(classify(NULL, "POST", "/xend/domain/g", 200, "OK",
                             "application/sxp", "(failed 0)", &err), 0);
}

static void
test_xend__classify_500_request_failed(void)
{
    xenmig_conn *conn = NULL;
    xenmig_error err;

    REQUIRE(xenmig_conn_open(&conn, NULL, &err) == 0);
    CU_ASSERT_EQUAL(classify(conn, "POST", "/xend/domain/Domain-0", 500,
                             "Request failed: pause", "application/sxp",
                             "(xend.err 'Cannot pause privileged domain "
                             "0')", &err), XENMIG_EXEND);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "xend at 'unix:///var/lib/xend/xend-socket': "
                           "POST /xend/domain/Domain-0: pause failed: "
                           "Cannot pause privileged domain 0");
    CU_ASSERT_EQUAL(err.http_status, 500);
    CU_ASSERT_EQUAL(classify(conn, "GET", "/xend/node", 500,
                             "Internal server error", "", "", &err),
                    XENMIG_EXEND);
    ASSERT_CONTAINS(err.msg, "internal error (500 'Internal server "
                    "error')");
 out:
    xenmig_conn_free(conn);
}

static void
test_xend__classify_404_domain_or_resource(void)
{
    xenmig_conn *conn = NULL;
    xenmig_error err;

    REQUIRE(xenmig_conn_open(&conn, "http://xenhost-b", &err) == 0);
    CU_ASSERT_EQUAL(classify(conn, "GET", "/xend/domain/nosuch", 404,
                             "Not found", "text/plain",
                             "<Fault 3: 'nosuch'>", &err),
                    XENMIG_ENOTFOUND);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "no such domain 'nosuch' on 'xenhost-b'");
    CU_ASSERT_EQUAL(err.http_status, 404);
    /* the name is shown unescaped */
    CU_ASSERT_EQUAL(classify(conn, "POST", "/xend/domain/a%26op%3Dx", 404,
                             "Not found", "text/plain", "", &err),
                    XENMIG_ENOTFOUND);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "no such domain 'a&op=x' on 'xenhost-b'");
    CU_ASSERT_EQUAL(classify(conn, "GET", "/xend/nodes", 404, "Not found",
                             "text/plain", "Not found: nodes", &err),
                    XENMIG_ENOTFOUND);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "xend at 'http://xenhost-b:8000': GET "
                           "/xend/nodes: not found: Not found: nodes");
 out:
    xenmig_conn_free(conn);
}

static void
test_xend__classify_406_501_400_413(void)
{
    xenmig_error err;

    CU_ASSERT_EQUAL(classify(NULL, "POST", "/xend/domain/g", 406,
                             "Invalid request", "application/sxp", "''",
                             &err), XENMIG_EXEND);
    ASSERT_CONTAINS(err.msg, "refused the request as invalid");
    CU_ASSERT_EQUAL(classify(NULL, "POST", "/xend/domain/g", 501,
                             "Operation not implemented: frobnicate",
                             "application/sxp",
                             "Operation not implemented: frobnicate''",
                             &err), XENMIG_EXEND);
    ASSERT_CONTAINS(err.msg, "does not implement operation 'frobnicate'");
    CU_ASSERT_EQUAL(classify(NULL, "PUT", "/xend/node", 501,
                             "Not implemented", "text/plain",
                             "Request method not supported (PUT)", &err),
                    XENMIG_EHTTP);
    ASSERT_CONTAINS(err.msg, "does not support this method");
    CU_ASSERT_EQUAL(classify(NULL, "GET", "/xend/node", 400,
                             "Bad request", "", "", &err), XENMIG_EHTTP);
    ASSERT_CONTAINS(err.msg, "could not parse the request");
    CU_ASSERT_EQUAL(classify(NULL, "POST", "/xend/domain/g", 413,
                             "Request entity too large", "", "", &err),
                    XENMIG_ERANGE);
    ASSERT_CONTAINS(err.msg, "request too large for xend");
    CU_ASSERT_EQUAL(err.http_status, 413);
}

static void
test_xend__classify_unexpected_or_missing_status(void)
{
    xenmig_error err;

    CU_ASSERT_EQUAL(classify(NULL, "GET", "/xend/node", 302, "Found", "",
                             "", &err), XENMIG_EHTTP);
    ASSERT_CONTAINS(err.msg, "unexpected HTTP status 302 'Found'");
    CU_ASSERT_EQUAL(classify(NULL, "GET", "/xend/node", 204,
                             "No content", "", "", &err), XENMIG_EHTTP);
    CU_ASSERT_EQUAL(classify(NULL, "GET", "/xend/node", 0, "", "", "",
                             &err), XENMIG_EHTTP);
    ASSERT_CONTAINS(err.msg, "no valid HTTP status");
    CU_ASSERT_EQUAL(classify(NULL, "GET", "/xend/node", 1200, "", "", "",
                             &err), XENMIG_EHTTP);
    CU_ASSERT_EQUAL(classify(NULL, "GET", "/xend/node", -1, NULL, NULL,
                             NULL, &err), XENMIG_EHTTP);
}

static void
test_xend__classify_html_is_an_error(void)
{
    xenmig_error err;

    CU_ASSERT_EQUAL(classify(NULL, "GET", "/xend/node", 200, "OK",
                             "text/html", "<html><body>node</body></html>",
                             &err), XENMIG_EHTTP);
    ASSERT_CONTAINS(err.msg, "HTML instead of SXP");
}

static void
test_xend__classify_survives_random_input(void)
{
    static const char *const pieces[] = {
        "(xend.err", "'", "\"", ")", "(", "failed", "\\", "\n", "\0",
        "xend.err", "Request failed: ", "<Fault 3: '", "%", "\xff", " ",
    };
    static const char *const paths[] = {
        "/xend/domain/", "/xend/domain/%", "/xend/domain/%zz/x?y",
        "/xend/node", "", "/xend/domain/a%00b",
    };
    static const long statuses[] = {
        0, 200, 201, 202, 404, 406, 413, 500, 501, 400, 999, -5,
    };
    unsigned long seed = 12345;
    char body[512];
    char reason[64];
    xenmig_error err;
    size_t len, n, i;
    int round, rc, bad = 0;

    for (round = 0; round < 3000; round++) {
        len = 0;
        n = (seed >> 8) % 24;
        for (i = 0; i < n; i++) {
            const char *p;
            size_t pl;

            seed = seed * 1103515245 + 12345;
            p = pieces[(seed >> 16) % XM_ARRAY_SIZE(pieces)];
            pl = p[0] ? strlen(p) : 1;
            if (len + pl >= sizeof(body))
                break;
            memcpy(body + len, p, pl);
            len += pl;
        }
        seed = seed * 1103515245 + 12345;
        memcpy(reason, body, len < 63 ? len : 63);
        reason[len < 63 ? len : 63] = '\0';
        xenmig_error_clear(&err);
        rc = xm_xend_classify(NULL, (seed & 1) ? "POST" : "GET",
                              paths[(seed >> 4) % XM_ARRAY_SIZE(paths)],
                              statuses[(seed >> 9) %
                                       XM_ARRAY_SIZE(statuses)],
                              reason, reason, body, len, &err);
        /* every failure has a one-line message, every success none */
        if (rc != err.code || (rc && (!err.msg[0] ||
                                      strchr(err.msg, '\n'))))
            bad++;
        seed = seed * 1103515245 + 12345;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void
test_xend__status_line_parsing(void)
{
    char reason[16];
    long status = 0;

    CU_ASSERT_EQUAL(xm_xend_parse_status_line(&status, reason,
                    sizeof(reason), "HTTP/1.1 200 OK\r\n", 17), 0);
    CU_ASSERT_EQUAL(status, 200);
    CU_ASSERT_STRING_EQUAL(reason, "OK");
    CU_ASSERT_EQUAL(xm_xend_parse_status_line(&status, reason,
                    sizeof(reason), "HTTP/1.0 404\r\n", 14), 0);
    CU_ASSERT_EQUAL(status, 404);
    CU_ASSERT_STRING_EQUAL(reason, "");
    CU_ASSERT_EQUAL(xm_xend_parse_status_line(&status, reason,
                    sizeof(reason), "HTTP/2.0 200 OK\r\n", 17),
                    XENMIG_EHTTP);
    CU_ASSERT_EQUAL(xm_xend_parse_status_line(&status, reason,
                    sizeof(reason), "HTTP/1.1 20 OK\r\n", 16),
                    XENMIG_EHTTP);
    CU_ASSERT_EQUAL(xm_xend_parse_status_line(&status, reason,
                    sizeof(reason), "HTTP/1.1 2000 OK\r\n", 18),
                    XENMIG_EHTTP);
    CU_ASSERT_EQUAL(xm_xend_parse_status_line(&status, reason,
                    sizeof(reason), "HTTX/1.1 200 OK\r\n", 17),
                    XENMIG_EHTTP);
    CU_ASSERT_EQUAL(xm_xend_parse_status_line(&status, reason,
                    sizeof(reason), "HTTP/1.1 200 O\001K\r\n", 18),
                    XENMIG_EHTTP);
    CU_ASSERT_EQUAL(xm_xend_parse_status_line(&status, reason,
                    sizeof(reason), "HTTP/1.1 500 Request failed: "
                    "migrate\r\n", 38), XENMIG_ERANGE);
    CU_ASSERT_EQUAL(status, 404);
}

static void
test_xend__msg_text_is_one_bounded_line(void)
{
    char small[8];
    char line[32];

    xm_xend_msg_text(line, sizeof(line), "a\nb\tc\x7f\xe9", 7);
    CU_ASSERT_STRING_EQUAL(line, "a?b?c??");
    xm_xend_msg_text(small, sizeof(small), "0123456789", 10);
    CU_ASSERT_STRING_EQUAL(small, "0123...");
}

/* ---- URIs and connections ------------------------------------------- */

static void
test_xend__uri_accepts_good_forms(void)
{
    static const struct {
        const char *uri, *label, *host;
    } good[] = {
        { "unix:///var/lib/xend/xend-socket",
          "unix:///var/lib/xend/xend-socket", "localhost" },
        { "unix:///tmp/a%20b/s", "unix:///tmp/a b/s", "localhost" },
        { "http://xenhost-b", "http://xenhost-b:8000", "xenhost-b" },
        { "http://xenhost-b:8000/", "http://xenhost-b:8000",
          "xenhost-b" },
        { "HTTP://h1:80", "http://h1:80", "h1" },
        { "http://192.0.2.7:8001", "http://192.0.2.7:8001", "192.0.2.7" },
        { "http://[::1]:8000", "http://[::1]:8000", "::1" },
    };
    xenmig_conn *conn = NULL;
    xenmig_error err;
    size_t i;

    for (i = 0; i < XM_ARRAY_SIZE(good); i++) {
        xenmig_error_clear(&err);
        CU_ASSERT_EQUAL(xenmig_conn_open(&conn, good[i].uri, &err), 0);
        if (!conn) {
            fprintf(stderr, "\n%s: %s\n", good[i].uri, err.msg);
            continue;
        }
        CU_ASSERT_STRING_EQUAL(xm_xend_conn_label(conn), good[i].label);
        CU_ASSERT_STRING_EQUAL(xenmig_conn_host(conn), good[i].host);
        CU_ASSERT_STRING_EQUAL(xenmig_conn_uri(conn), good[i].uri);
        xenmig_conn_free(conn);
        conn = NULL;
    }
    CU_ASSERT_EQUAL(xenmig_conn_open(&conn, NULL, &err), 0);
    CU_ASSERT_STRING_EQUAL(xenmig_conn_uri(conn), XENMIG_DEFAULT_URI);
    CU_ASSERT_STRING_EQUAL(xenmig_conn_host(conn), "localhost");
    CU_ASSERT_EQUAL(xm_xend_conn_total_timeout(conn),
                    XM_XEND_TOTAL_TIMEOUT_MS);
    xenmig_conn_free(conn);
}

static void
test_xend__uri_rejects_bad_forms(void)
{
    static const struct {
        const char *uri;
        int code;
        const char *msg;
    } bad[] = {
        { "", XENMIG_EINVAL, "empty xend URI" },
        { "xenhost-b", XENMIG_EINVAL, "has no scheme" },
        { "https://h1", XENMIG_EINVAL, "unsupported scheme" },
        { "ftp://h1", XENMIG_EINVAL, "unsupported scheme" },
        { "xen:///", XENMIG_EINVAL, "unsupported scheme" },
        { "http://root:pw@h1", XENMIG_EINVAL, "user information" },
        { "http://h1?op=destroy", XENMIG_EINVAL, "query or fragment" },
        { "http://h1?", XENMIG_EINVAL, "query or fragment" },
        { "http://h1#x", XENMIG_EINVAL, "query or fragment" },
        { "http://h1:0", XENMIG_EINVAL, "bad port" },
        { "http://h1:65536", XENMIG_EINVAL, "'http://h1:65536'" },
        { "http://h1:99999999999999", XENMIG_EINVAL, "not valid" },
        { "http://h1:abc", XENMIG_EINVAL, "not valid" },
        { "http://h1:", XENMIG_EINVAL, "not valid" },
        { "http://h1/xend", XENMIG_EINVAL, "has a path" },
        { "http://", XENMIG_EINVAL, "has no host" },
        { "http:///x", XENMIG_EINVAL, "has no host" },
        { "http://h;x=1", XENMIG_EINVAL, "not valid" },
        { "http://h h", XENMIG_EINVAL, "not valid" },
        { "http://[fe80::1%25eth0]:8000", XENMIG_EINVAL, "zone id" },
        { "unix://host/var/x", XENMIG_EINVAL, "names a host" },
        { "unix:relative/sock", XENMIG_EINVAL, "absolute socket path" },
        { "unix://", XENMIG_EINVAL, "absolute socket path" },
        { "unix:///", XENMIG_EINVAL, "names a directory" },
        { "unix:///tmp/a%00b", XENMIG_EINVAL, "NUL byte" },
        { "unix:///tmp/a%0Ab", XENMIG_EINVAL, "control character" },
        { "unix:///s?x", XENMIG_EINVAL, "query or fragment" },
    };
    char longuri[2048];
    char longsock[300];
    xenmig_conn *conn = (xenmig_conn *)&conn;
    xenmig_error err;
    size_t i;

    for (i = 0; i < XM_ARRAY_SIZE(bad); i++) {
        xenmig_error_clear(&err);
        CU_ASSERT_EQUAL(xenmig_conn_open(&conn, bad[i].uri, &err),
                        bad[i].code);
        CU_ASSERT_PTR_NULL(conn);
        CU_ASSERT_EQUAL(err.code, bad[i].code);
        if (!strstr(err.msg, bad[i].msg)) {
            fprintf(stderr, "\n'%s': got '%s'\n", bad[i].uri, err.msg);
            CU_FAIL("message");
        }
        xenmig_conn_free(conn);
        conn = NULL;
    }
    memset(longuri, 'a', sizeof(longuri));
    memcpy(longuri, "http://", 7);
    longuri[sizeof(longuri) - 1] = '\0';
    CU_ASSERT_EQUAL(xenmig_conn_open(&conn, longuri, &err), XENMIG_ERANGE);
    ASSERT_CONTAINS(err.msg, "exceeds 1024 bytes");
    memset(longsock, 'b', sizeof(longsock));
    memcpy(longsock, "unix:///", 8);
    longsock[sizeof(longsock) - 1] = '\0';
    CU_ASSERT_EQUAL(xenmig_conn_open(&conn, longsock, &err),
                    XENMIG_ERANGE);
    ASSERT_CONTAINS(err.msg, "socket path");
    CU_ASSERT_EQUAL(xenmig_conn_open(NULL, NULL, &err), XENMIG_EINVAL);
}

static void
test_xend__set_timeouts_checks_its_input(void)
{
    xenmig_conn *conn = NULL;
    xenmig_error err;

    REQUIRE(xenmig_conn_open(&conn, "http://h1", &err) == 0);
    CU_ASSERT_EQUAL(xenmig_conn_set_timeouts(conn, 100, 200, &err), 0);
    CU_ASSERT_EQUAL(xm_xend_conn_total_timeout(conn), 200);
    CU_ASSERT_EQUAL(xenmig_conn_set_timeouts(conn, -1, 200, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xenmig_conn_set_timeouts(conn, 1, 100000000L, &err),
                    XENMIG_ERANGE);
    CU_ASSERT_EQUAL(xm_xend_conn_total_timeout(conn), 200);
    CU_ASSERT_EQUAL(xenmig_conn_set_timeouts(conn, 0, 0, &err), 0);
    CU_ASSERT_EQUAL(xm_xend_conn_total_timeout(conn),
                    XM_XEND_TOTAL_TIMEOUT_MS);
    CU_ASSERT_EQUAL(xenmig_conn_set_timeouts(NULL, 0, 0, &err),
                    XENMIG_EINVAL);
 out:
    xenmig_conn_free(conn);
}

/* ---- encoding ------------------------------------------------------- */

static void
test_xend__form_encode_escapes_keys_and_values(void)
{
    static const char *const kv[] = {
        "op", "shutdown", "reason", "a&op=destroy", "k y", "x y%/'\"?+",
        NULL,
    };
    static const char *const odd[] = { "op", NULL };
    static const char *const nokey[] = { "", "v", NULL };
    xm_buf buf = XM_BUF_INIT(XM_XEND_MAX_FORM + 1);
    char big[XM_XEND_MAX_FORM];
    const char *bigkv[3] = { "v", big, NULL };
    xenmig_error err;

    CU_ASSERT_EQUAL(xm_xend_form_encode(&buf, kv, &err), 0);
    CU_ASSERT_STRING_EQUAL(xm_buf_cstr(&buf),
                           "op=shutdown&reason=a%26op%3Ddestroy&"
                           "k%20y=x%20y%25%2F%27%22%3F%2B");
    xm_buf_reset(&buf);
    CU_ASSERT_EQUAL(xm_xend_form_encode(&buf, odd, &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_xend_form_encode(&buf, nokey, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_xend_form_encode(&buf, NULL, &err), XENMIG_EINVAL);
    /* 4000 bytes that escape to 12000 are over xend's 10000 */
    memset(big, '&', 4000);
    big[4000] = '\0';
    xm_buf_reset(&buf);
    CU_ASSERT_EQUAL(xm_xend_form_encode(&buf, bigkv, &err), XENMIG_ERANGE);
    ASSERT_CONTAINS(err.msg, "10000");
    xm_buf_dispose(&buf);
}

static void
test_xend__domain_path_escapes_the_segment(void)
{
    static const struct {
        const char *dom, *path;
    } cases[] = {
        { "guest1", "/xend/domain/guest1" },
        { "a&op=destroy", "/xend/domain/a%26op%3Ddestroy" },
        { "x y", "/xend/domain/x%20y" },
        { "%", "/xend/domain/%25" },
        { "/", "/xend/domain/%2F" },
        { "../node?x", "/xend/domain/..%2Fnode%3Fx" },
        { "'", "/xend/domain/%27" },
        { "\"", "/xend/domain/%22" },
    };
    xm_buf buf = XM_BUF_INIT(XM_XEND_MAX_PATH);
    char big[XM_XEND_MAX_DOMAIN_NAME + 2];
    xenmig_error err;
    size_t i;

    for (i = 0; i < XM_ARRAY_SIZE(cases); i++) {
        xm_buf_reset(&buf);
        CU_ASSERT_EQUAL(xm_xend_domain_path(&buf, cases[i].dom, &err), 0);
        CU_ASSERT_STRING_EQUAL(xm_buf_cstr(&buf), cases[i].path);
    }
    CU_ASSERT_EQUAL(xm_xend_domain_path(&buf, "", &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_xend_domain_path(&buf, NULL, &err), XENMIG_EINVAL);
    memset(big, 'n', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CU_ASSERT_EQUAL(xm_xend_domain_path(&buf, big, &err), XENMIG_ERANGE);
    xm_buf_dispose(&buf);
}

/* ---- whole exchanges ------------------------------------------------ */

static void
test_xend__node_get_reads_a_44_reply(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;
    char *req = NULL;

    xenmig_error_clear(&err);
    REQUIRE(serve_file(&h, &conn, false, DATA "node-4.4.http") == 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), 0);
    REQUIRE(node != NULL);
    CU_ASSERT_STRING_EQUAL(xenmig_node_host(node), "h1");
    CU_ASSERT_STRING_EQUAL(xenmig_node_release(node), "3.2.0");
    CU_ASSERT_STRING_EQUAL(xenmig_node_machine(node), "x86_64");
    CU_ASSERT_STRING_EQUAL(xenmig_node_xen_version(node), "4.4.0");
    CU_ASSERT_EQUAL(xenmig_node_xen_major(node), 4);
    CU_ASSERT_EQUAL(xenmig_node_xen_minor(node), 4);
    CU_ASSERT_STRING_EQUAL(xenmig_node_xen_caps(node), "...");
    CU_ASSERT_STRING_EQUAL(xenmig_node_hw_caps(node), "bfebfbff:...");
    CU_ASSERT_EQUAL(xenmig_node_total_memory(node), 8191);
    CU_ASSERT_EQUAL(xenmig_node_free_memory(node), 1024);
    CU_ASSERT_EQUAL(xenmig_node_nr_cpus(node), 4);
    CU_ASSERT_EQUAL(xenmig_node_xend_config_format(node), 4);

    req = httpd_request(h, 0);
    REQUIRE(req != NULL);
    CU_ASSERT(request_line_is(req, "GET /xend/node HTTP/1.1"));
    CU_ASSERT(has_header(req, "Accept", "application/sxp"));
    CU_ASSERT_FALSE(has_header_name(req, "User-Agent"));
    CU_ASSERT_FALSE(has_header_name(req, "Expect"));
    CU_ASSERT_FALSE(has_header_name(req, "Transfer-Encoding"));
    CU_ASSERT_FALSE(has_header_name(req, "Accept-Encoding"));
    CU_ASSERT(has_header_name(req, "Host"));
 out:
    free(req);
    xenmig_node_free(node);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__node_get_reads_an_old_xend(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;

    REQUIRE(serve_file(&h, &conn, false, DATA "node-3.0.http") == 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), 0);
    REQUIRE(node != NULL);
    CU_ASSERT_STRING_EQUAL(xenmig_node_host(node), "oldbox");
    CU_ASSERT_STRING_EQUAL(xenmig_node_xen_version(node), "3.0.2-1");
    CU_ASSERT_EQUAL(xenmig_node_nr_cpus(node), 2);
    CU_ASSERT_EQUAL(xenmig_node_total_memory(node), 1023);
    CU_ASSERT_EQUAL(xenmig_node_xend_config_format(node), 1);
 out:
    xenmig_node_free(node);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__node_get_names_missing_fields(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;

    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    REQUIRE(httpd_push_sxp(h, "200 OK", "(node (release 1) "
                           "(total_memory 5) (free_memory 1))") == 0);
    REQUIRE(httpd_push_sxp(h, "200 OK", "(node (host h) (total_memory "
                           "5))") == 0);
    REQUIRE(httpd_push_sxp(h, "200 OK", "(node (host h) (total_memory "
                           "lots) (free_memory 1))") == 0);
    REQUIRE(httpd_push_sxp(h, "200 OK", "(domain (host h))") == 0);
    REQUIRE(httpd_push_sxp(h, "200 OK", "") == 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_EPARSE);
    ASSERT_CONTAINS(err.msg, "GET /xend/node: reply has no 'host' field");
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_EPARSE);
    ASSERT_CONTAINS(err.msg, "no 'free_memory' field");
    CU_ASSERT_NOT_EQUAL(xenmig_node_get(&node, conn, &err), 0);
    ASSERT_CONTAINS(err.msg, "lots");
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_EPARSE);
    ASSERT_CONTAINS(err.msg, "(node ...)");
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_EPARSE);
    ASSERT_CONTAINS(err.msg, "empty reply");
    CU_ASSERT_PTR_NULL(node);
 out:
    xenmig_node_free(node);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__domain_lookup_ignores_trailing_quote(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_domain *dom = NULL;
    xenmig_error err;
    char *req = NULL;

    REQUIRE(serve_file(&h, &conn, false, DATA "domain-guest1.http") == 0);
    CU_ASSERT_EQUAL(xenmig_domain_lookup(&dom, conn, "guest1", &err), 0);
    REQUIRE(dom != NULL);
    CU_ASSERT_EQUAL(xenmig_domain_id(dom), 5);
    CU_ASSERT_STRING_EQUAL(xenmig_domain_name(dom), "guest1");
    CU_ASSERT_STRING_EQUAL(xenmig_domain_uuid(dom),
                           "5f2a0ed2-7c1a-4be9-9a52-0d1f5c6fbd42");
    CU_ASSERT_STRING_EQUAL(xenmig_domain_state(dom), "-b----");
    CU_ASSERT_EQUAL(xenmig_domain_status(dom), 2);
    CU_ASSERT_EQUAL(xenmig_domain_memory(dom), 512);
    CU_ASSERT_EQUAL(xenmig_domain_maxmem(dom), 1024);
    CU_ASSERT_EQUAL(xenmig_domain_vcpus(dom), 2);
    CU_ASSERT_FALSE(xenmig_domain_is_hvm(dom));
    CU_ASSERT_FALSE(xenmig_domain_is_paused(dom));
    req = httpd_request(h, 0);
    REQUIRE(req != NULL);
    CU_ASSERT(request_line_is(req, "GET /xend/domain/guest1 HTTP/1.1"));
 out:
    free(req);
    xenmig_domain_free(dom);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__domain_list_reads_details(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_domain_list *list = NULL;
    const xenmig_domain *d;
    xenmig_error err;
    char *req = NULL;

    REQUIRE(serve_file(&h, &conn, false, DATA "domain-list.http") == 0);
    CU_ASSERT_EQUAL(xenmig_domain_list_get(&list, conn, &err), 0);
    REQUIRE(list != NULL);
    REQUIRE(xenmig_domain_list_count(list) == 3);
    d = xenmig_domain_list_at(list, 0);
    CU_ASSERT_STRING_EQUAL(xenmig_domain_name(d), "Domain-0");
    CU_ASSERT_EQUAL(xenmig_domain_id(d), 0);
    CU_ASSERT_EQUAL(xenmig_domain_vcpus(d), 4);
    d = xenmig_domain_list_at(list, 1);
    CU_ASSERT_STRING_EQUAL(xenmig_domain_name(d), "win7");
    CU_ASSERT_EQUAL(xenmig_domain_id(d), 7);
    CU_ASSERT_EQUAL(xenmig_domain_memory(d), 2048);   /* quoted '2048' */
    CU_ASSERT_EQUAL(xenmig_domain_vcpus(d), 2);       /* quoted '2' */
    CU_ASSERT(xenmig_domain_is_hvm(d));
    CU_ASSERT(xenmig_domain_is_paused(d));
    CU_ASSERT_EQUAL(xenmig_domain_status(d), 1);
    d = xenmig_domain_list_at(list, 2);
    CU_ASSERT_STRING_EQUAL(xenmig_domain_name(d), "web 1");
    CU_ASSERT_FALSE(xenmig_domain_is_hvm(d));
    CU_ASSERT_PTR_NULL(xenmig_domain_list_at(list, 3));
    req = httpd_request(h, 0);
    REQUIRE(req != NULL);
    CU_ASSERT(request_line_is(req, "GET /xend/domain?detail=1 HTTP/1.1"));
 out:
    free(req);
    xenmig_domain_list_free(list);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__domain_list_rejects_bad_shapes(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_domain_list *list = NULL;
    xenmig_error err;

    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    REQUIRE(httpd_push_sxp(h, "200 OK", "()") == 0);
    REQUIRE(httpd_push_sxp(h, "200 OK", "(domain (name x) (memory 1))")
            == 0);
    REQUIRE(httpd_push_sxp(h, "200 OK", "((domain (name a) (memory 1)) "
                           "(domain (memory 2)))") == 0);
    CU_ASSERT_EQUAL(xenmig_domain_list_get(&list, conn, &err), 0);
    CU_ASSERT_EQUAL(xenmig_domain_list_count(list), 0);
    xenmig_domain_list_free(list);
    list = NULL;
    CU_ASSERT_EQUAL(xenmig_domain_list_get(&list, conn, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_EQUAL(xenmig_domain_list_get(&list, conn, &err),
                    XENMIG_EPARSE);
    ASSERT_CONTAINS(err.msg, "domain 2 of 2: reply has no 'name' field");
    CU_ASSERT_PTR_NULL(list);
 out:
    xenmig_domain_list_free(list);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__domain_lookup_404_is_not_found(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_domain *dom = NULL;
    xenmig_error err;

    REQUIRE(serve_file(&h, &conn, false, DATA "nosuch-404.http") == 0);
    CU_ASSERT_EQUAL(xenmig_domain_lookup(&dom, conn, "nosuch", &err),
                    XENMIG_ENOTFOUND);
    CU_ASSERT_STRING_EQUAL(err.msg, "no such domain 'nosuch' on "
                           "'127.0.0.1'");
    CU_ASSERT_EQUAL(err.http_status, 404);
    CU_ASSERT_PTR_NULL(dom);
 out:
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__migrate_sends_every_parameter(void)
{
    static const char want[] = "op=migrate&destination=h2&live=1&port=0&"
                               "node=-1&ssl=0&change_home_server=0&"
                               "resource=0";
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_error err;
    char *req = NULL;
    char len[16];

    REQUIRE(serve_file(&h, &conn, false, DATA "migrate-ok.http") == 0);
    CU_ASSERT_EQUAL(xm_xend_migrate(conn, "guest1", "h2", true, 0, -1,
                                    false, false, 0, 3000, &err), 0);
    req = httpd_request(h, 0);
    REQUIRE(req != NULL);
    CU_ASSERT(request_line_is(req, "POST /xend/domain/guest1 HTTP/1.1"));
    CU_ASSERT_STRING_EQUAL(httpd_body_of(req), want);
    snprintf(len, sizeof(len), "%zu", strlen(want));
    CU_ASSERT(has_header(req, "Content-Length", len));
    CU_ASSERT(has_header(req, "Content-Type",
                         "application/x-www-form-urlencoded"));
    CU_ASSERT(has_header(req, "Accept", "application/sxp"));
    CU_ASSERT_FALSE(has_header_name(req, "Transfer-Encoding"));
    CU_ASSERT_FALSE(has_header_name(req, "Expect"));
    CU_ASSERT_FALSE(has_header_name(req, "User-Agent"));
    /* the other values, and checks before anything is sent */
    CU_ASSERT_EQUAL(xm_xend_migrate(conn, "7", "10.0.0.2", false, 8002, 1,
                                    true, true, 100, 0, &err), 0);
    free(req);
    req = httpd_request(h, 1);
    REQUIRE(req != NULL);
    CU_ASSERT_STRING_EQUAL(httpd_body_of(req),
                           "op=migrate&destination=10.0.0.2&live=0&"
                           "port=8002&node=1&ssl=1&change_home_server=1&"
                           "resource=100");
    CU_ASSERT_EQUAL(xm_xend_migrate(conn, "g", "", true, 0, -1, false,
                                    false, 0, 0, &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_xend_migrate(conn, "g", "h2", true, 70000, -1,
                                    false, false, 0, 0, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_xend_migrate(conn, "", "h2", true, 0, -1, false,
                                    false, 0, 0, &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(httpd_request_count(h), 2);
 out:
    free(req);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__migrate_failure_carries_xend_message(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_error err;

    REQUIRE(serve_file(&h, &conn, false, DATA "migrate-err.http") == 0);
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_xend_migrate(conn, "guest1", "h2", true, 0, -1,
                                    false, false, 0, 3000, &err),
                    XENMIG_EXEND);
    ASSERT_CONTAINS(err.msg, "POST /xend/domain/guest1: can't connect: "
                    "[Errno 111] Connection refused");
    CU_ASSERT_EQUAL(err.http_status, 200);
 out:
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__pause_500_carries_xend_message(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_error err;
    char *req = NULL;

    REQUIRE(serve_file(&h, &conn, false, DATA "pause-500.http") == 0);
    CU_ASSERT_EQUAL(xenmig_domain_op(conn, "Domain-0", "pause", NULL,
                                     &err), XENMIG_EXEND);
    ASSERT_CONTAINS(err.msg, "POST /xend/domain/Domain-0: pause failed: "
                    "Cannot pause privileged domain 0");
    CU_ASSERT_EQUAL(err.http_status, 500);
    req = httpd_request(h, 0);
    REQUIRE(req != NULL);
    CU_ASSERT_STRING_EQUAL(httpd_body_of(req), "op=pause");
 out:
    free(req);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__error_replies_over_the_wire(void)
{
    static const struct {
        const char *fixture;
        int code;
        const char *msg;
    } cases[] = {
        { DATA "invalid-406.http", XENMIG_EXEND, "invalid" },
        { DATA "op-501.http", XENMIG_EXEND, "operation 'frobnicate'" },
        { DATA "method-501.http", XENMIG_EHTTP, "method" },
        { DATA "bad-400.http", XENMIG_EHTTP, "could not parse" },
        { DATA "failed-202.http", XENMIG_EXEND, "save failed" },
    };
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_error err;
    size_t i;

    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    for (i = 0; i < XM_ARRAY_SIZE(cases); i++)
        REQUIRE(httpd_push_file(h, cases[i].fixture) == 0);
    for (i = 0; i < XM_ARRAY_SIZE(cases); i++) {
        xenmig_error_clear(&err);
        CU_ASSERT_EQUAL(xenmig_domain_op(conn, "guest1", "destroy", NULL,
                                         &err), cases[i].code);
        if (!strstr(err.msg, cases[i].msg)) {
            fprintf(stderr, "\n%s: got '%s'\n", cases[i].fixture, err.msg);
            CU_FAIL("message");
        }
    }
 out:
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__413_then_drop_is_over_limit(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_error err;
    FILE *f = NULL;
    char buf[512];
    size_t n;

    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    f = fopen(DATA "toolarge-413.http", "rb");
    REQUIRE(f != NULL);
    n = fread(buf, 1, sizeof(buf), f);
    REQUIRE(n > 0 && n < sizeof(buf));
    REQUIRE(httpd_push(h, HTTPD_REPLY_RESET, buf, n) == 0);
    CU_ASSERT_EQUAL(xenmig_domain_op(conn, "guest1", "shutdown",
                                     "poweroff", &err), XENMIG_ERANGE);
    ASSERT_CONTAINS(err.msg, "413");
 out:
    if (f)
        fclose(f);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__accepted_op_succeeds(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_error err;
    char *req = NULL;

    REQUIRE(serve_file(&h, &conn, false, DATA "destroy-202.http") == 0);
    CU_ASSERT_EQUAL(xenmig_domain_op(conn, "guest1", "shutdown", "reboot",
                                     &err), 0);
    CU_ASSERT_EQUAL(xenmig_domain_op(conn, "guest1", "destroy", NULL,
                                     &err), 0);
    CU_ASSERT_EQUAL(xenmig_domain_op(conn, "guest1", "unpause", NULL,
                                     &err), 0);
    req = httpd_request(h, 0);
    REQUIRE(req != NULL);
    CU_ASSERT_STRING_EQUAL(httpd_body_of(req), "op=shutdown&reason=reboot");
    /* refused before sending */
    CU_ASSERT_EQUAL(xenmig_domain_op(conn, "guest1", "frob", NULL, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xenmig_domain_op(conn, "guest1", "shutdown", NULL,
                                     &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xenmig_domain_op(conn, "guest1", "pause", "x", &err),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xenmig_domain_op(conn, "", "pause", NULL, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(httpd_request_count(h), 3);
 out:
    free(req);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__hostile_names_stay_escaped(void)
{
    static const struct {
        const char *name, *line, *body;
    } cases[] = {
        { "a&op=destroy", "POST /xend/domain/a%26op%3Ddestroy HTTP/1.1",
          "op=migrate&destination=a%26op%3Ddestroy&live=1" },
        { "x y", "POST /xend/domain/x%20y HTTP/1.1",
          "op=migrate&destination=x%20y&live=1" },
        { "%", "POST /xend/domain/%25 HTTP/1.1",
          "op=migrate&destination=%25&live=1" },
        { "/", "POST /xend/domain/%2F HTTP/1.1",
          "op=migrate&destination=%2F&live=1" },
        { "'", "POST /xend/domain/%27 HTTP/1.1",
          "op=migrate&destination=%27&live=1" },
        { "\"", "POST /xend/domain/%22 HTTP/1.1",
          "op=migrate&destination=%22&live=1" },
        { "../node?op=x", "POST /xend/domain/..%2Fnode%3Fop%3Dx HTTP/1.1",
          "op=migrate&destination=..%2Fnode%3Fop%3Dx&live=1" },
    };
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_domain *dom = NULL;
    xenmig_error err;
    char *req = NULL;
    size_t i;

    REQUIRE(serve_file(&h, &conn, false, DATA "migrate-ok.http") == 0);
    for (i = 0; i < XM_ARRAY_SIZE(cases); i++) {
        CU_ASSERT_EQUAL(xm_xend_migrate(conn, cases[i].name, cases[i].name,
                                        true, 0, -1, false, false, 0, 0,
                                        &err), 0);
        req = httpd_request(h, i);
        REQUIRE(req != NULL);
        CU_ASSERT(request_line_is(req, cases[i].line));
        CU_ASSERT_NSTRING_EQUAL(httpd_body_of(req), cases[i].body,
                                strlen(cases[i].body));
        free(req);
        req = NULL;
    }
    /* a lookup escapes the same way; the empty reply is refused */
    CU_ASSERT_EQUAL(xenmig_domain_lookup(&dom, conn, "a&b/c", &err),
                    XENMIG_EPARSE);
    req = httpd_request(h, XM_ARRAY_SIZE(cases));
    REQUIRE(req != NULL);
    CU_ASSERT(request_line_is(req, "GET /xend/domain/a%26b%2Fc HTTP/1.1"));
 out:
    free(req);
    xenmig_domain_free(dom);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__post_returns_the_reply_sexpr(void)
{
    static const char *const kv[] = { "op", "vcpuinfo", NULL };
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xm_sexpr *sx = NULL;
    xenmig_error err;

    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    REQUIRE(httpd_push_sxp(h, "200 OK", "(domain (domid 3) (vcpu_count "
                           "1))") == 0);
    REQUIRE(httpd_push_file(h, DATA "migrate-ok.http") == 0);
    CU_ASSERT_EQUAL(xm_xend_post(&sx, conn, "/xend/domain/3", kv, 0, &err),
                    0);
    REQUIRE(sx != NULL);
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(sx, "domain/vcpu_count"), "1");
    xm_sexpr_free(sx);
    sx = (xm_sexpr *)&sx;
    CU_ASSERT_EQUAL(xm_xend_post(&sx, conn, "/xend/domain/3", kv, 0, &err),
                    0);
    CU_ASSERT_PTR_NULL(sx);
 out:
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__silent_server_times_out(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;

    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    REQUIRE(httpd_push(h, HTTPD_SILENT, "", 0) == 0);
    REQUIRE(xenmig_conn_set_timeouts(conn, 1000, 300, &err) == 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_ETIMEOUT);
    /* the message names the bound that ran out: ours, not another */
    ASSERT_CONTAINS(err.msg, "GET /xend/node: no reply within 300 ms");
    /* the migrate POST brings its own bound */
    CU_ASSERT_EQUAL(xm_xend_migrate(conn, "g", "h2", true, 0, -1, false,
                                    false, 0, 200, &err), XENMIG_ETIMEOUT);
    ASSERT_CONTAINS(err.msg, "no reply within 200 ms");
 out:
    xenmig_node_free(node);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__oversized_reply_is_refused(void)
{
    static const char head_len[] = "HTTP/1.1 200 OK\r\nContent-length: "
                                   "4096\r\n\r\n";
    static const char head_eof[] = "HTTP/1.1 200 OK\r\n\r\n";
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xm_sexpr *sx = NULL;
    xenmig_error err;
    char *big = NULL;
    size_t n;

    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    big = malloc(sizeof(head_len) + 4096);
    REQUIRE(big != NULL);
    /* announced by Content-length */
    memcpy(big, head_len, sizeof(head_len) - 1);
    memset(big + sizeof(head_len) - 1, 'x', 4096);
    REQUIRE(httpd_push(h, HTTPD_REPLY, big, sizeof(head_len) - 1 + 4096)
            == 0);
    /* or only found out while reading (no Content-length) */
    memcpy(big, head_eof, sizeof(head_eof) - 1);
    memset(big + sizeof(head_eof) - 1, 'x', 4096);
    REQUIRE(httpd_push(h, HTTPD_REPLY, big, sizeof(head_eof) - 1 + 4096)
            == 0);
    xm_xend_conn_set_max_reply(conn, 1024);
    CU_ASSERT_EQUAL(xm_xend_get_sexpr(&sx, conn, "/xend/node", &err),
                    XENMIG_ERANGE);
    ASSERT_CONTAINS(err.msg, "reply from '127.0.0.1' exceeds 1024 bytes");
    CU_ASSERT_EQUAL(xm_xend_get_sexpr(&sx, conn, "/xend/node", &err),
                    XENMIG_ERANGE);
    ASSERT_CONTAINS(err.msg, "reply from '127.0.0.1' exceeds 1024 bytes");
    CU_ASSERT_PTR_NULL(sx);
    httpd_stop(h);
    h = NULL;
    free(big);
    big = NULL;

    /* and the real limit: 17 MiB without a Content-length */
    h = httpd_start(false);
    REQUIRE(h != NULL);
    xenmig_conn_free(conn);
    conn = NULL;
    REQUIRE(xenmig_conn_open(&conn, httpd_uri(h), &err) == 0);
    n = (size_t)17 << 20;
    big = malloc(sizeof(head_eof) + n);
    REQUIRE(big != NULL);
    memcpy(big, head_eof, sizeof(head_eof) - 1);
    memset(big + sizeof(head_eof) - 1, ' ', n);
    REQUIRE(httpd_push(h, HTTPD_REPLY, big, sizeof(head_eof) - 1 + n) == 0);
    CU_ASSERT_EQUAL(xm_xend_get_sexpr(&sx, conn, "/xend/node", &err),
                    XENMIG_ERANGE);
    ASSERT_CONTAINS(err.msg, "exceeds 16777216 bytes");
 out:
    free(big);
    xm_sexpr_free(sx);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__broken_connections_are_http_errors(void)
{
    static const struct {
        httpd_action action;
        const char *msg;
    } cases[] = {
        { HTTPD_RESET, "connection broken: Connection reset by peer" },
        { HTTPD_CLOSE, "connection closed without a reply" },
    };
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;
    size_t i;

    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    for (i = 0; i < XM_ARRAY_SIZE(cases); i++)
        REQUIRE(httpd_push(h, cases[i].action, "", 0) == 0);
    for (i = 0; i < XM_ARRAY_SIZE(cases); i++) {
        xenmig_error_clear(&err);
        CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_EHTTP);
        if (!strstr(err.msg, cases[i].msg)) {
            fprintf(stderr, "\ngot '%s'\n", err.msg);
            CU_FAIL("message");
        }
        ASSERT_CONTAINS(err.msg, "GET /xend/node");
    }
    CU_ASSERT_PTR_NULL(node);
 out:
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__status_lines_other_than_http1_are_refused(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;

    REQUIRE(serve_file(&h, &conn, false, DATA "garbage-status.http") == 0);
    REQUIRE(httpd_push_file(h, DATA "http2-status.http") == 0);
    REQUIRE(httpd_push(h, HTTPD_REPLY, "\r\n\r\n", 4) == 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_EHTTP);
    ASSERT_CONTAINS(err.msg, "GET /xend/node: not an HTTP/1.x reply");
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_EHTTP);
    ASSERT_CONTAINS(err.msg, "GET /xend/node: malformed status line");
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_EHTTP);
    ASSERT_CONTAINS(err.msg, "xend at 'http://127.0.0.1:");
    ASSERT_CONTAINS(err.msg, "GET /xend/node: not an HTTP/1.x reply");
    CU_ASSERT_PTR_NULL(node);
 out:
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__http10_status_is_accepted(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;

    REQUIRE(serve_file(&h, &conn, false, DATA "node-4.4-http10.http") == 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), 0);
    CU_ASSERT_STRING_EQUAL(xenmig_node_host(node), "h1");
 out:
    xenmig_node_free(node);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__content_type_as_sent_on_the_wire(void)
{
    static const char html[] =
        "HTTP/1.1 200 OK\r\n"
        "Content-TYPE: \t Text/HTML; charset=UTF-8 \r\n"
        "Content-length: 6\r\n\r\n<html>";
    static const char twice[] =
        "HTTP/1.1 200 OK\r\n"
        "content-type: text/html\r\n"
        "Content-Type: application/sxp;charset=\"x\"\r\n"
        "Content-length: 2\r\n\r\n()";
    static const char none[] =
        "HTTP/1.1 200 OK\r\nContent-length: 2\r\n\r\n()";
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xm_xend_reply reply;
    xenmig_error err;

    xm_xend_reply_init(&reply);
    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    REQUIRE(httpd_push(h, HTTPD_REPLY, html, sizeof(html) - 1) == 0);
    REQUIRE(httpd_push(h, HTTPD_REPLY, twice, sizeof(twice) - 1) == 0);
    REQUIRE(httpd_push(h, HTTPD_REPLY, none, sizeof(none) - 1) == 0);
    REQUIRE(httpd_push(h, HTTPD_REPLY, html, sizeof(html) - 1) == 0);
    /* trimmed of white space, case and parameters kept */
    CU_ASSERT_EQUAL(xm_xend_request(&reply, conn, "GET", "/xend/node",
                                    NULL, 0, 0, &err), 0);
    CU_ASSERT_STRING_EQUAL(reply.content_type, "Text/HTML; charset=UTF-8");
    /* the last one sent counts */
    CU_ASSERT_EQUAL(xm_xend_request(&reply, conn, "GET", "/xend/node",
                                    NULL, 0, 0, &err), 0);
    CU_ASSERT_STRING_EQUAL(reply.content_type,
                           "application/sxp;charset=\"x\"");
    CU_ASSERT_EQUAL(xm_xend_request(&reply, conn, "GET", "/xend/node",
                                    NULL, 0, 0, &err), 0);
    CU_ASSERT_STRING_EQUAL(reply.content_type, "");
    /* HTML in any case, with parameters, is refused */
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_EHTTP);
    ASSERT_CONTAINS(err.msg, "HTML instead of SXP");
 out:
    xm_xend_reply_dispose(&reply);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__too_many_headers_are_refused(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;
    char reply[8192];
    size_t len;
    int i;

    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    len = (size_t)snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\n");
    for (i = 0; i < 150; i++)
        len += (size_t)snprintf(reply + len, sizeof(reply) - len,
                                "X-%d: y\r\n", i);
    len += (size_t)snprintf(reply + len, sizeof(reply) - len,
                            "Content-length: 0\r\n\r\n");
    REQUIRE(len < sizeof(reply));
    REQUIRE(httpd_push(h, HTTPD_REPLY, reply, len) == 0);
    len = (size_t)snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\n"
                           "Content-type: application/sxp; %0100d\r\n"
                           "Content-length: 0\r\n\r\n", 0);
    REQUIRE(httpd_push(h, HTTPD_REPLY, reply, len) == 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_ERANGE);
    ASSERT_CONTAINS(err.msg, "reply headers from '127.0.0.1' over the "
                    "limit");
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_ERANGE);
    ASSERT_CONTAINS(err.msg, "content-type header from '127.0.0.1' too "
                    "long");
 out:
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__refused_connection_names_host_and_request(void)
{
    struct sockaddr_in sa;
    socklen_t slen = sizeof(sa);
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;
    char uri[64], want[128];
    int fd;

    /* a bound port nobody listens on refuses at once */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    REQUIRE(getsockname(fd, (struct sockaddr *)&sa, &slen) == 0);
    snprintf(uri, sizeof(uri), "http://127.0.0.1:%u",
             (unsigned)ntohs(sa.sin_port));
    REQUIRE(xenmig_conn_open(&conn, uri, &err) == 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_ECONNECT);
    snprintf(want, sizeof(want), "xend at '%s': GET /xend/node: cannot "
             "connect: Connection refused", uri);
    CU_ASSERT_STRING_EQUAL(err.msg, want);
    CU_ASSERT_EQUAL(err.sys_errno, ECONNREFUSED);
 out:
    if (fd >= 0)
        close(fd);
    xenmig_conn_free(conn);
}

static void
test_xend__connect_timeout_is_bounded(void)
{
    struct sockaddr_in sa;
    socklen_t slen = sizeof(sa);
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;
    char uri[64];
    int fd, fill[4] = { -1, -1, -1, -1 };
    size_t i;

    /*
     * A listener whose accept queue is full drops further SYNs, so
     * the connect hangs until our connect timeout.
     */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    REQUIRE(listen(fd, 0) == 0);
    REQUIRE(getsockname(fd, (struct sockaddr *)&sa, &slen) == 0);
    for (i = 0; i < XM_ARRAY_SIZE(fill); i++) {
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        REQUIRE(fill[i] >= 0);
        if (connect(fill[i], (struct sockaddr *)&sa, sizeof(sa)) != 0)
            REQUIRE(errno == EINPROGRESS);
    }
    snprintf(uri, sizeof(uri), "http://127.0.0.1:%u",
             (unsigned)ntohs(sa.sin_port));
    REQUIRE(xenmig_conn_open(&conn, uri, &err) == 0);
    REQUIRE(xenmig_conn_set_timeouts(conn, 300, 5000, &err) == 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_ETIMEOUT);
    ASSERT_CONTAINS(err.msg, "GET /xend/node: cannot connect within "
                    "300 ms");
 out:
    for (i = 0; i < XM_ARRAY_SIZE(fill); i++) {
        if (fill[i] >= 0)
            close(fill[i]);
    }
    if (fd >= 0)
        close(fd);
    xenmig_conn_free(conn);
}

static void
test_xend__unix_socket_transport(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;
    char *req = NULL;

    REQUIRE(serve_file(&h, &conn, true, DATA "node-4.4.http") == 0);
    CU_ASSERT_STRING_EQUAL(xenmig_conn_host(conn), "localhost");
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), 0);
    CU_ASSERT_STRING_EQUAL(xenmig_node_host(node), "h1");
    req = httpd_request(h, 0);
    REQUIRE(req != NULL);
    CU_ASSERT(request_line_is(req, "GET /xend/node HTTP/1.1"));
    CU_ASSERT(has_header(req, "Host", "localhost:8000"));
    CU_ASSERT_FALSE(has_header_name(req, "User-Agent"));
 out:
    free(req);
    xenmig_node_free(node);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__missing_unix_socket_cannot_connect(void)
{
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;

    REQUIRE(xenmig_conn_open(&conn, "unix:///nonexistent-xenmig/sock",
                             &err) == 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), XENMIG_ECONNECT);
    ASSERT_CONTAINS(err.msg, "xend at 'unix:///nonexistent-xenmig/sock': "
                    "GET /xend/node: cannot connect");
 out:
    xenmig_conn_free(conn);
}

static void
test_xend__each_request_uses_a_fresh_connection(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;
    int i;

    /* the reply offers keep-alive; we must not take it */
    static const char ka[] = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n"
                             "Content-length: 48\r\n\r\n"
                             "(node (host h) (total_memory 1) (free_memory "
                             "1))";
    REQUIRE(serve_file(&h, &conn, false, NULL) == 0);
    REQUIRE(httpd_push(h, HTTPD_REPLY_KEEP, ka, sizeof(ka) - 1) == 0);
    for (i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), 0);
        xenmig_node_free(node);
        node = NULL;
    }
    CU_ASSERT_EQUAL(httpd_request_count(h), 3);
 out:
    xenmig_conn_free(conn);
    httpd_stop(h);
}

/* One thread's share of threads_with_a_connection_each. */
struct node_worker {
    const char *uri;
    int ok;
};

static void *
node_worker_run(void *arg)
{
    struct node_worker *w = arg;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;
    int i;

    xenmig_error_clear(&err);
    if (xenmig_conn_open(&conn, w->uri, &err) ||
        xenmig_conn_set_timeouts(conn, 2000, 5000, &err))
        goto out;
    for (i = 0; i < 4; i++) {
        if (xenmig_node_get(&node, conn, &err))
            goto out;
        if (strcmp(xenmig_node_host(node), "h1") == 0)
            w->ok++;
        xenmig_node_free(node);
        node = NULL;
    }
 out:
    xenmig_conn_free(conn);
    return NULL;
}

/*
 * The header's threads contract: after xenmig_init(), threads with a
 * connection each work side by side; xenmig_init() and
 * xenmig_shutdown() are counted, and the library works again after a
 * shutdown and a new init.
 */
static void
test_xend__threads_with_a_connection_each(void)
{
    httpd *h = NULL;
    xenmig_conn *conn = NULL;
    xenmig_node *node = NULL;
    xenmig_error err;
    struct node_worker w[3];
    pthread_t t[3];
    int i, started = 0;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xenmig_init(&err), 0);
    CU_ASSERT_EQUAL(xenmig_init(&err), 0);
    REQUIRE(serve_file(&h, &conn, false, DATA "node-4.4.http") == 0);
    for (i = 0; i < 3; i++) {
        w[i].uri = httpd_uri(h);
        w[i].ok = 0;
        if (pthread_create(&t[i], NULL, node_worker_run, &w[i]) == 0)
            started++;
    }
    CU_ASSERT_EQUAL(started, 3);
    for (i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(w[i].ok, 4);
    }
    xenmig_shutdown();
    xenmig_shutdown();
    xenmig_shutdown();          /* one too many: a no-op */
    CU_ASSERT_EQUAL(xenmig_init(&err), 0);
    CU_ASSERT_EQUAL(xenmig_node_get(&node, conn, &err), 0);
    xenmig_shutdown();
 out:
    xenmig_node_free(node);
    xenmig_conn_free(conn);
    httpd_stop(h);
}

static void
test_xend__allocation_failures_are_reported(void)
{
    httpd *h = NULL;
    httpd *h2 = NULL;
    xenmig_conn *conn = NULL;
    xenmig_conn *conn2 = NULL;
    xenmig_node *node = NULL;
    xenmig_domain_list *list = NULL;
    xenmig_error err;
    unsigned long n;
    int rc = -1, bad = 0;

    /* each server repeats its one reply, whatever fails in between */
    REQUIRE(serve_file(&h, &conn, false, DATA "node-4.4.http") == 0);
    REQUIRE(serve_file(&h2, &conn2, false, DATA "domain-list.http") == 0);
    xenmig_conn_free(conn);
    conn = NULL;
    for (n = 1; n < 100; n++) {
        xm_alloc_fail_at(n);
        rc = xenmig_conn_open(&conn, httpd_uri(h), &err);
        xm_alloc_fail_at(0);
        if (rc == 0)
            break;
        if (rc != XENMIG_ENOMEM || conn)
            bad++;
    }
    REQUIRE(conn != NULL);
    for (n = 1; n < 1000; n++) {
        xm_alloc_fail_at(n);
        rc = xenmig_node_get(&node, conn, &err);
        xm_alloc_fail_at(0);
        if (rc == 0)
            break;
        if (rc != XENMIG_ENOMEM || node)
            bad++;
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(xenmig_node_host(node), "h1");
    for (n = 1; n < 1000; n++) {
        xm_alloc_fail_at(n);
        rc = xenmig_domain_list_get(&list, conn2, &err);
        xm_alloc_fail_at(0);
        if (rc == 0)
            break;
        if (rc != XENMIG_ENOMEM || list)
            bad++;
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(xenmig_domain_list_count(list), 3);
    CU_ASSERT_EQUAL(bad, 0);
 out:
    xm_alloc_fail_at(0);
    xenmig_domain_list_free(list);
    xenmig_node_free(node);
    xenmig_conn_free(conn);
    xenmig_conn_free(conn2);
    httpd_stop(h);
    httpd_stop(h2);
}

static CU_TestInfo test_xend_tests[] = {
    { "classify_accepts_2xx", test_xend__classify_accepts_2xx },
    { "classify_post_xend_err_gives_clean_message",
      test_xend__classify_post_xend_err_gives_clean_message },
    { "classify_get_fails_only_on_leading_xend_err",
      test_xend__classify_get_fails_only_on_leading_xend_err },
    { "classify_unparsable_xend_err_falls_back_to_raw",
      test_xend__classify_unparsable_xend_err_falls_back_to_raw },
    { "classify_202_with_failed", test_xend__classify_202_with_failed },
    { "classify_500_request_failed",
      test_xend__classify_500_request_failed },
    { "classify_404_domain_or_resource",
      test_xend__classify_404_domain_or_resource },
    { "classify_406_501_400_413", test_xend__classify_406_501_400_413 },
    { "classify_unexpected_or_missing_status",
      test_xend__classify_unexpected_or_missing_status },
    { "classify_html_is_an_error", test_xend__classify_html_is_an_error },
    { "classify_survives_random_input",
      test_xend__classify_survives_random_input },
    { "status_line_parsing", test_xend__status_line_parsing },
    { "msg_text_is_one_bounded_line",
      test_xend__msg_text_is_one_bounded_line },
    { "uri_accepts_good_forms", test_xend__uri_accepts_good_forms },
    { "uri_rejects_bad_forms", test_xend__uri_rejects_bad_forms },
    { "set_timeouts_checks_its_input",
      test_xend__set_timeouts_checks_its_input },
    { "form_encode_escapes_keys_and_values",
      test_xend__form_encode_escapes_keys_and_values },
    { "domain_path_escapes_the_segment",
      test_xend__domain_path_escapes_the_segment },
    { "node_get_reads_a_44_reply", test_xend__node_get_reads_a_44_reply },
    { "node_get_reads_an_old_xend",
      test_xend__node_get_reads_an_old_xend },
    { "node_get_names_missing_fields",
      test_xend__node_get_names_missing_fields },
    { "domain_lookup_ignores_trailing_quote",
      test_xend__domain_lookup_ignores_trailing_quote },
    { "domain_list_reads_details", test_xend__domain_list_reads_details },
    { "domain_list_rejects_bad_shapes",
      test_xend__domain_list_rejects_bad_shapes },
    { "domain_lookup_404_is_not_found",
      test_xend__domain_lookup_404_is_not_found },
    { "migrate_sends_every_parameter",
      test_xend__migrate_sends_every_parameter },
    { "migrate_failure_carries_xend_message",
      test_xend__migrate_failure_carries_xend_message },
    { "pause_500_carries_xend_message",
      test_xend__pause_500_carries_xend_message },
    { "error_replies_over_the_wire",
      test_xend__error_replies_over_the_wire },
    { "413_then_drop_is_over_limit",
      test_xend__413_then_drop_is_over_limit },
    { "accepted_op_succeeds", test_xend__accepted_op_succeeds },
    { "hostile_names_stay_escaped",
      test_xend__hostile_names_stay_escaped },
    { "post_returns_the_reply_sexpr",
      test_xend__post_returns_the_reply_sexpr },
    { "silent_server_times_out", test_xend__silent_server_times_out },
    { "oversized_reply_is_refused",
      test_xend__oversized_reply_is_refused },
    { "broken_connections_are_http_errors",
      test_xend__broken_connections_are_http_errors },
    { "status_lines_other_than_http1_are_refused",
      test_xend__status_lines_other_than_http1_are_refused },
    { "http10_status_is_accepted", test_xend__http10_status_is_accepted },
    { "content_type_as_sent_on_the_wire",
      test_xend__content_type_as_sent_on_the_wire },
    { "too_many_headers_are_refused",
      test_xend__too_many_headers_are_refused },
    { "refused_connection_names_host_and_request",
      test_xend__refused_connection_names_host_and_request },
    { "connect_timeout_is_bounded",
      test_xend__connect_timeout_is_bounded },
    { "unix_socket_transport", test_xend__unix_socket_transport },
    { "missing_unix_socket_cannot_connect",
      test_xend__missing_unix_socket_cannot_connect },
    { "each_request_uses_a_fresh_connection",
      test_xend__each_request_uses_a_fresh_connection },
    { "allocation_failures_are_reported",
      test_xend__allocation_failures_are_reported },
    { "threads_with_a_connection_each",
      test_xend__threads_with_a_connection_each },
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_xend_suite = {
    "xend", NULL, NULL, NULL, NULL, test_xend_tests
};
