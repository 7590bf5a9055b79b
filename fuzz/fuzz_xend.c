/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_xend.c: a raw HTTP reply from xend, taken apart the way
 * transport.c's libcurl callbacks see it (status line, headers, body), then
 * xm_xend_parse_status_line, xm_xend_classify for several requests,
 * and the body's S-expression through xm_xend_node_from_sexpr and
 * xm_xend_domain_from_sexpr (also each item of a domain list).
 */
#include <strings.h>

#include "fuzz/fuzz.h"
#include "lib/sexpr.h"
#include "xend-client/xend.h"

#define T "xend"

static const char *const requests[][2] = {
    { "GET", "/xend/node" },
    { "GET", "/xend/domain?detail=1" },
    { "GET", "/xend/domain/guest1" },
    { "POST", "/xend/domain/guest1" },
    { "POST", "/xend/domain/a%2Fb" },
    { "POST", "/xend/domain/" },
};

static xenmig_conn *conn;

/* Length of the line at @p (up to and including LF, or to @end). */
static size_t
line_len(const char *p, const char *end)
{
    const char *lf = memchr(p, '\n', (size_t)(end - p));

    return lf != NULL ? (size_t)(lf - p) + 1 : (size_t)(end - p);
}

static void
to_views(const xm_sexpr *sx)
{
    xenmig_node *node = NULL;
    xenmig_domain *dom = NULL;
    xenmig_error err;
    int rc;

    xenmig_error_clear(&err);
    rc = xm_xend_node_from_sexpr(&node, sx, &err);
    xm_fuzz_check_err(T, rc, &err);
    if (rc == 0) {
        (void)xenmig_node_host(node);
        (void)xenmig_node_xen_version(node);
        (void)xenmig_node_total_memory(node);
    }
    xenmig_node_free(node);
    xenmig_error_clear(&err);
    rc = xm_xend_domain_from_sexpr(&dom, sx, &err);
    xm_fuzz_check_err(T, rc, &err);
    if (rc == 0) {
        (void)xenmig_domain_name(dom);
        (void)xenmig_domain_state(dom);
        (void)xenmig_domain_is_paused(dom);
        (void)xenmig_domain_is_hvm(dom);
    }
    xenmig_domain_free(dom);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    char reason[256], ctype[64] = "";
    const char *v;
    long status = 0;
    size_t n, vlen, i;
    xm_sexpr *sx = NULL;
    xenmig_error err;
    int rc;

    if (conn == NULL &&
        xenmig_conn_open(&conn, "http://xend.example:8000", NULL) != 0)
        abort();
    reason[0] = '\0';
    n = line_len(p, end);
    rc = xm_xend_parse_status_line(&status, reason, sizeof(reason), p, n);
    if (rc != 0 && rc != XENMIG_EHTTP && rc != XENMIG_ERANGE)
        xm_fuzz_fail(T, "status line: unexpected return code");
    if (rc == 0 && (memchr(reason, '\0', sizeof(reason)) == NULL ||
                    strchr(reason, '\n') != NULL))
        xm_fuzz_fail(T, "status line: reason not one line");
    if (rc != 0) {
        status = 0;
        reason[0] = '\0';
    }
    p += n;
    /* headers, up to an empty line */
    while (p < end) {
        n = line_len(p, end);
        if (n == 0 || p[0] == '\n' || (n >= 2 && p[0] == '\r' &&
                                       p[1] == '\n')) {
            p += n;
            break;
        }
        if (n > 13 && strncasecmp(p, "content-type:", 13) == 0) {
            v = p + 13;
            vlen = n - 13;
            while (vlen > 0 && (*v == ' ' || *v == '\t')) {
                v++;
                vlen--;
            }
            while (vlen > 0 && (v[vlen - 1] == '\r' ||
                                v[vlen - 1] == '\n' ||
                                v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen < sizeof(ctype)) {
                memcpy(ctype, v, vlen);
                ctype[vlen] = '\0';
            }
        }
        p += n;
    }
    for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
        xenmig_error_clear(&err);
        rc = xm_xend_classify(i % 2 ? conn : NULL, requests[i][0],
                              requests[i][1], status, reason, ctype, p,
                              (size_t)(end - p), &err);
        xm_fuzz_check_err(T, rc, &err);
        if (rc != 0 && err.http_status != status)
            xm_fuzz_fail(T, "classify: http_status not set");
    }
    xenmig_error_clear(&err);
    rc = xm_sexpr_parse(&sx, p, (size_t)(end - p), &err);
    xm_fuzz_check_err(T, rc, &err);
    if (rc == 0) {
        to_views(sx);
        for (i = 0; i < xm_sexpr_count(sx) && i < 64; i++)
            to_views(xm_sexpr_at(sx, i));
    }
    xm_sexpr_free(sx);
    return 0;
}
