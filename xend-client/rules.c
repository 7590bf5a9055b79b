/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rules.c: what xend's reply means (reference 1.5 and 1.7)
 *
 * xend answers failure in several ways: HTTP 200 with an
 * (xend.err '...') body, 202 with "failed", 500 "Request failed: <op>",
 * 404 for a missing domain, 406, 501, or an HTML page. xm_xend_classify()
 * turns a status, reason, Content-Type and body into success or an
 * error naming host, request and xend's own reason. It is a pure
 * function, so that every rule can be tested (and fuzzed) without a
 * socket.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "xend-client/conn.h"

static bool
has_prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

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
        xm_xend_msg_str(dst, size, "no message");
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
    char why[XM_XEND_MSG_PIECE];
    char dom[XM_XEND_MSG_PIECE];
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
    xm_xend_where(pre, sizeof(pre), conn, method, path);
    xm_xend_msg_str(why, sizeof(why), reason);

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
                              conn ? xenmig_conn_host(conn) : "xend");
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
            xm_xend_msg_str(why, sizeof(why), arg);
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
            xm_xend_msg_str(why, sizeof(why), arg);
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
