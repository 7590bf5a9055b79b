/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xend.c: requests to xend's resources (reference sections 3.2 to 3.6)
 *
 * Paths and form bodies escaped the way xend reads them, a GET or POST
 * whose reply is classified and parsed into an S-expression, op=migrate
 * with every parameter each xend version requires, the simple domain
 * operations, and the typed reading of the fields of a reply that
 * node.c and domain.c build their objects with.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "xend-client/xend.h"

/* ---- requests ------------------------------------------------------- */

/* Append @s escaped (every byte but A-Z a-z 0-9 - . _ ~ as %XX). */
static int
put_escaped(xm_buf *buf, const char *s, size_t len)
{
    char *e;
    int rc;

    if (len > INT_MAX)
        return XENMIG_ERANGE;
    if (len == 0)
        return 0;
    e = curl_easy_escape(NULL, s, (int)len);
    if (!e)
        return XENMIG_ENOMEM;
    rc = xm_buf_puts(buf, e);
    curl_free(e);
    return rc;
}

int
xm_xend_domain_path(xm_buf *buf, const char *dom, xenmig_error *err)
{
    size_t len;
    int rc;

    if (!dom || !dom[0])
        return xm_error_set(err, XENMIG_EINVAL, "empty domain name");
    len = strnlen(dom, XM_XEND_MAX_DOMAIN_NAME + 1);
    if (len > XM_XEND_MAX_DOMAIN_NAME)
        return xm_error_set(err, XENMIG_ERANGE,
                            "domain name exceeds %d bytes",
                            XM_XEND_MAX_DOMAIN_NAME);
    rc = xm_buf_puts(buf, "/xend/domain/");
    if (!rc)
        rc = put_escaped(buf, dom, len);
    if (rc == XENMIG_ENOMEM)
        return xm_error_set(err, rc, "out of memory building a xend path");
    if (rc)
        return xm_error_set(err, rc, "xend path for a domain too long");
    return 0;
}

int
xm_xend_form_encode(xm_buf *buf, const char *const *kv, xenmig_error *err)
{
    size_t i, start = buf->len;
    int rc = 0;

    if (!kv || !kv[0])
        return xm_error_set(err, XENMIG_EINVAL, "empty xend form");
    for (i = 0; kv[i]; i += 2) {
        if (!kv[i][0] || !kv[i + 1])
            return xm_error_set(err, XENMIG_EINVAL,
                                "xend form field %zu has no name or value",
                                i / 2);
        if (strnlen(kv[i], XM_XEND_MAX_FORM + 1) > XM_XEND_MAX_FORM ||
            strnlen(kv[i + 1], XM_XEND_MAX_FORM + 1) > XM_XEND_MAX_FORM) {
            rc = XENMIG_ERANGE;
            break;
        }
        if (i > 0)
            rc = xm_buf_putc(buf, '&');
        if (!rc)
            rc = put_escaped(buf, kv[i], strlen(kv[i]));
        if (!rc)
            rc = xm_buf_putc(buf, '=');
        if (!rc)
            rc = put_escaped(buf, kv[i + 1], strlen(kv[i + 1]));
        if (rc)
            break;
    }
    if (rc == XENMIG_ENOMEM)
        return xm_error_set(err, rc, "out of memory building a xend form");
    if (rc || buf->len - start > XM_XEND_MAX_FORM)
        return xm_error_set(err, XENMIG_ERANGE,
                            "xend form exceeds xend's limit of %d bytes",
                            XM_XEND_MAX_FORM);
    return 0;
}

/* Send, then classify. */
static int
call(xm_xend_reply *reply, xenmig_conn *conn, const char *method,
     const char *path, const char *body, size_t body_len, long timeout_ms,
     xenmig_error *err)
{
    int rc;

    rc = xm_xend_request(reply, conn, method, path, body, body_len,
                         timeout_ms, err);
    if (rc)
        return rc;
    return xm_xend_classify(conn, method, path, reply->status,
                            reply->reason, reply->content_type,
                            reply->body.ptr, reply->body.len, err);
}

/* Parse a reply body's first S-expression, naming the request. */
static int
parse_body(xm_sexpr **out, const xenmig_conn *conn, const char *method,
           const char *path, const xm_buf *body, xenmig_error *err)
{
    char p[96];
    int rc;

    xm_xend_msg_text(p, sizeof(p), path, strlen(path));
    if (body->len == 0)
        return xm_error_set(err, XENMIG_EPARSE,
                            "xend at '%s': %s %s: empty reply",
                            xm_xend_conn_label(conn), method, p);
    rc = xm_sexpr_parse(out, body->ptr, body->len, err);
    if (rc)
        xm_error_prefix(err, "xend at '%s': %s %s",
                        xm_xend_conn_label(conn), method, p);
    return rc;
}

int
xm_xend_get_sexpr(xm_sexpr **out, xenmig_conn *conn, const char *path,
                  xenmig_error *err)
{
    xm_xend_reply reply;
    int rc;

    xm_xend_reply_init(&reply);
    if (!out) {
        rc = xm_error_set(err, XENMIG_EINVAL, "no place for the reply");
        goto out;
    }
    *out = NULL;
    rc = call(&reply, conn, "GET", path, NULL, 0, 0, err);
    if (rc) goto out;
    rc = parse_body(out, conn, "GET", path, &reply.body, err);
 out:
    xm_xend_reply_dispose(&reply);
    return rc;
}

int
xm_xend_post(xm_sexpr **out, xenmig_conn *conn, const char *path,
             const char *const *kv, long timeout_ms, xenmig_error *err)
{
    xm_xend_reply reply;
    xm_buf form = XM_BUF_INIT(XM_XEND_MAX_FORM + 1);
    int rc;

    xm_xend_reply_init(&reply);
    if (out)
        *out = NULL;
    rc = xm_xend_form_encode(&form, kv, err);
    if (rc) goto out;
    rc = call(&reply, conn, "POST", path, xm_buf_cstr(&form), form.len,
              timeout_ms, err);
    if (rc) goto out;
    if (out && reply.body.len > 0)
        rc = parse_body(out, conn, "POST", path, &reply.body, err);
 out:
    xm_buf_dispose(&form);
    xm_xend_reply_dispose(&reply);
    return rc;
}

int
xm_xend_migrate(xenmig_conn *conn, const char *dom,
                const char *destination, bool live, int port, int node,
                bool ssl, bool change_home_server, int resource,
                long timeout_ms, xenmig_error *err)
{
    xm_buf path = XM_BUF_INIT(XM_XEND_MAX_PATH);
    char port_s[16], node_s[16], resource_s[16];
    const char *kv[17];
    int rc;

    if (!destination || !destination[0]) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "migrate needs a destination host");
        goto out;
    }
    if (port < 0 || port > 65535 || node < -1 || resource < 0) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "migrate: port %d, node %d or resource %d out "
                          "of range", port, node, resource);
        goto out;
    }
    rc = xm_xend_domain_path(&path, dom, err);
    if (rc) goto out;
    if (xm_snprintf(port_s, sizeof(port_s), "%d", port) < 0 ||
        xm_snprintf(node_s, sizeof(node_s), "%d", node) < 0 ||
        xm_snprintf(resource_s, sizeof(resource_s), "%d", resource) < 0) {
        rc = xm_error_set(err, XENMIG_ERANGE, "migrate: number too long");
        goto out;
    }
    kv[0] = "op";
    kv[1] = "migrate";
    kv[2] = "destination";
    kv[3] = destination;
    kv[4] = "live";
    kv[5] = live ? "1" : "0";
    kv[6] = "port";
    kv[7] = port_s;
    kv[8] = "node";
    kv[9] = node_s;
    kv[10] = "ssl";
    kv[11] = ssl ? "1" : "0";
    kv[12] = "change_home_server";
    kv[13] = change_home_server ? "1" : "0";
    kv[14] = "resource";
    kv[15] = resource_s;
    kv[16] = NULL;
    rc = xm_xend_post(NULL, conn, xm_buf_cstr(&path), kv, timeout_ms, err);
 out:
    xm_buf_dispose(&path);
    return rc;
}

/* ---- field access --------------------------------------------------- */

/*
 * Copy the string at @path into *out: "" when absent (or an error
 * naming the field when @required), XENMIG_EPARSE when it is a list or
 * holds a NUL byte.
 */
int
xm_xend_field_str(char **out, const xm_sexpr *sx, const char *path,
                  bool required, xenmig_error *err)
{
    const xm_sexpr *v = xm_sexpr_lookup(sx, path);
    const char *field = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *s = "";

    if (!v && required)
        return xm_error_set(err, XENMIG_EPARSE, "reply has no '%s' field",
                            field);
    if (v) {
        if (xm_sexpr_kind_of(v) != XM_SEXPR_VALUE ||
            strlen(xm_sexpr_value(v)) != xm_sexpr_value_len(v))
            return xm_error_set(err, XENMIG_EPARSE,
                                "field '%s' is not a plain string", field);
        s = xm_sexpr_value(v);
    }
    *out = xm_strdup(s);
    if (!*out)
        return xm_error_set(err, XENMIG_ENOMEM,
                            "out of memory copying field '%s'", field);
    return 0;
}

/* An int at @path in [@min, @max]; @dflt when absent. */
int
xm_xend_field_int(int *out, const xm_sexpr *sx, const char *path, int min,
                  int max, int dflt, xenmig_error *err)
{
    long long v;
    int rc;

    rc = xm_sexpr_get_ll(&v, sx, path, min, max, err);
    if (rc == XENMIG_ENOTFOUND) {
        *out = dflt;
        return 0;
    }
    if (rc)
        return rc;
    *out = (int)v;
    return 0;
}

/* A u64 at @path; an error naming the field when absent. */
int
xm_xend_field_u64(uint64_t *out, const xm_sexpr *sx, const char *path,
                  xenmig_error *err)
{
    int rc = xm_sexpr_get_u64(out, sx, path, err);

    if (rc == XENMIG_ENOTFOUND)
        return xm_error_set(err, XENMIG_EPARSE, "reply has no '%s' field",
                            strrchr(path, '/') + 1);
    return rc;
}

bool
xm_xend_head_is(const xm_sexpr *sx, const char *head)
{
    const char *h;

    if (!sx || xm_sexpr_kind_of(sx) != XM_SEXPR_LIST)
        return false;
    h = xm_sexpr_head(sx);
    return h && strcmp(h, head) == 0;
}

/* ---- operations ----------------------------------------------------- */

XENMIG_API int
xenmig_domain_op(xenmig_conn *conn, const char *dom, const char *op,
                 const char *arg, xenmig_error *err)
{
    xm_buf path = XM_BUF_INIT(XM_XEND_MAX_PATH);
    const char *kv[5];
    char shown[32];
    bool shutdown;
    int rc;

    if (!conn || !op) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "domain operation needs a connection and an op");
        goto out;
    }
    shutdown = strcmp(op, "shutdown") == 0;
    if (!shutdown && strcmp(op, "pause") != 0 &&
        strcmp(op, "unpause") != 0 && strcmp(op, "destroy") != 0) {
        xm_xend_msg_text(shown, sizeof(shown), op, strlen(op));
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "unknown domain operation '%s' (pause, unpause, "
                          "destroy or shutdown)", shown);
        goto out;
    }
    if (shutdown ? !arg || !arg[0] : arg != NULL) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          shutdown ? "shutdown needs a reason" :
                          "operation takes no argument");
        goto out;
    }
    rc = xm_xend_domain_path(&path, dom, err);
    if (rc) goto out;
    kv[0] = "op";
    kv[1] = op;
    kv[2] = shutdown ? "reason" : NULL;
    kv[3] = arg;
    kv[4] = NULL;
    rc = xm_xend_post(NULL, conn, xm_buf_cstr(&path), kv, 0, err);
 out:
    xm_buf_dispose(&path);
    return rc;
}
