/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xend.c: xend's resources: node information, domains, domain
 * operations and op=migrate (reference sections 3.2 to 3.6)
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "xend-client/xend.h"

struct xenmig_node {
    char *host;
    char *release;
    char *machine;
    char *xen_caps;
    char *hw_caps;
    char *virt_caps;       /* 3.3+, NULL when absent */
    char *node_to_cpu;     /* 3.2-4.0, NULL when absent */
    char *cpu_topology;    /* 4.1+, NULL when absent */
    char *xen_version;     /* "major.minor<extra>", "" if unknown */
    int xen_major;         /* -1 if unknown */
    int xen_minor;
    uint64_t total_memory; /* MiB */
    uint64_t free_memory;
    int nr_cpus;           /* -1 if unknown */
    int config_format;     /* 1 when xend did not say */
};

struct xenmig_domain {
    int domid;             /* -1 when absent */
    char *name;
    char *uuid;
    char *state;
    int status;            /* -1 when absent */
    uint64_t memory;       /* MiB */
    uint64_t maxmem;
    int vcpus;
    bool hvm;
    bool paused;
};

struct xenmig_domain_list {
    size_t count;
    xenmig_domain *items;
};

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
static int
get_string(char **out, const xm_sexpr *sx, const char *path,
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
static int
get_int(int *out, const xm_sexpr *sx, const char *path, int min, int max,
        int dflt, xenmig_error *err)
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
static int
get_u64_required(uint64_t *out, const xm_sexpr *sx, const char *path,
                 xenmig_error *err)
{
    int rc = xm_sexpr_get_u64(out, sx, path, err);

    if (rc == XENMIG_ENOTFOUND)
        return xm_error_set(err, XENMIG_EPARSE, "reply has no '%s' field",
                            strrchr(path, '/') + 1);
    return rc;
}

static bool
head_is(const xm_sexpr *sx, const char *head)
{
    const char *h;

    if (!sx || xm_sexpr_kind_of(sx) != XM_SEXPR_LIST)
        return false;
    h = xm_sexpr_head(sx);
    return h && strcmp(h, head) == 0;
}

/* ---- node ----------------------------------------------------------- */

int
xm_xend_node_from_sexpr(xenmig_node **out, const xm_sexpr *sx,
                        xenmig_error *err)
{
    xenmig_node *node = NULL;
    char *extra = NULL;
    char version[64];
    int rc;

    *out = NULL;
    if (!head_is(sx, "node")) {
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "reply is not a (node ...) list");
        goto out;
    }
    node = xm_calloc(1, sizeof(*node));
    if (!node) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    rc = get_string(&node->host, sx, "node/host", true, err);
    if (rc) goto out;
    rc = get_string(&node->release, sx, "node/release", false, err);
    if (rc) goto out;
    rc = get_string(&node->machine, sx, "node/machine", false, err);
    if (rc) goto out;
    rc = get_string(&node->xen_caps, sx, "node/xen_caps", false, err);
    if (rc) goto out;
    rc = get_string(&node->hw_caps, sx, "node/hw_caps", false, err);
    if (rc) goto out;
    rc = get_string(&node->virt_caps, sx, "node/virt_caps", false, err);
    if (rc) goto out;
    rc = get_string(&node->node_to_cpu, sx, "node/node_to_cpu", false,
                    err);
    if (rc) goto out;
    rc = get_string(&node->cpu_topology, sx, "node/cpu_topology", false,
                    err);
    if (rc) goto out;
    rc = get_string(&extra, sx, "node/xen_extra", false, err);
    if (rc) goto out;
    rc = get_u64_required(&node->total_memory, sx, "node/total_memory",
                          err);
    if (rc) goto out;
    rc = get_u64_required(&node->free_memory, sx, "node/free_memory", err);
    if (rc) goto out;
    if (node->free_memory > node->total_memory) {
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "free_memory %" PRIu64 " MiB is more than "
                          "total_memory %" PRIu64 " MiB",
                          node->free_memory, node->total_memory);
        goto out;
    }
    rc = get_int(&node->xen_major, sx, "node/xen_major", 0, 1000, -1, err);
    if (rc) goto out;
    rc = get_int(&node->xen_minor, sx, "node/xen_minor", 0, 1000, -1, err);
    if (rc) goto out;
    rc = get_int(&node->nr_cpus, sx, "node/nr_cpus", 0, INT_MAX, -1, err);
    if (rc) goto out;
    rc = get_int(&node->config_format, sx, "node/xend_config_format", 0,
                 INT_MAX, 1, err);
    if (rc) goto out;
    version[0] = '\0';
    if (node->xen_major >= 0 && node->xen_minor >= 0 &&
        xm_snprintf(version, sizeof(version), "%d.%d%s", node->xen_major,
                    node->xen_minor, extra) < 0) {
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "field 'xen_extra' is too long");
        goto out;
    }
    node->xen_version = xm_strdup(version);
    if (!node->xen_version) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    *out = node;
    node = NULL;
    rc = 0;
 out:
    xm_free(extra);
    xenmig_node_free(node);
    return rc;
}

XENMIG_API int
xenmig_node_get(xenmig_node **out, xenmig_conn *conn, xenmig_error *err)
{
    xm_sexpr *sx = NULL;
    int rc;

    if (!out || !conn)
        return xm_error_set(err, XENMIG_EINVAL,
                            "node info needs a connection and a result");
    *out = NULL;
    rc = xm_xend_get_sexpr(&sx, conn, "/xend/node", err);
    if (rc) goto out;
    rc = xm_xend_node_from_sexpr(out, sx, err);
    if (rc)
        xm_error_prefix(err, "xend at '%s': GET /xend/node",
                        xm_xend_conn_label(conn));
 out:
    xm_sexpr_free(sx);
    return rc;
}

XENMIG_API void
xenmig_node_free(xenmig_node *node)
{
    if (!node)
        return;
    xm_free(node->host);
    xm_free(node->release);
    xm_free(node->machine);
    xm_free(node->xen_caps);
    xm_free(node->hw_caps);
    xm_free(node->virt_caps);
    xm_free(node->node_to_cpu);
    xm_free(node->cpu_topology);
    xm_free(node->xen_version);
    xm_free(node);
}

#define NODE_STR(field) \
    return node && node->field ? node->field : ""

XENMIG_API const char *
xenmig_node_host(const xenmig_node *node)
{
    NODE_STR(host);
}

XENMIG_API const char *
xenmig_node_release(const xenmig_node *node)
{
    NODE_STR(release);
}

XENMIG_API const char *
xenmig_node_machine(const xenmig_node *node)
{
    NODE_STR(machine);
}

XENMIG_API const char *
xenmig_node_xen_caps(const xenmig_node *node)
{
    NODE_STR(xen_caps);
}

XENMIG_API const char *
xenmig_node_hw_caps(const xenmig_node *node)
{
    NODE_STR(hw_caps);
}

const char *
xm_xend_node_virt_caps(const xenmig_node *node)
{
    NODE_STR(virt_caps);
}

const char *
xm_xend_node_node_to_cpu(const xenmig_node *node)
{
    NODE_STR(node_to_cpu);
}

const char *
xm_xend_node_cpu_topology(const xenmig_node *node)
{
    NODE_STR(cpu_topology);
}

XENMIG_API const char *
xenmig_node_xen_version(const xenmig_node *node)
{
    NODE_STR(xen_version);
}

#undef NODE_STR

XENMIG_API int
xenmig_node_xen_major(const xenmig_node *node)
{
    return node ? node->xen_major : -1;
}

XENMIG_API int
xenmig_node_xen_minor(const xenmig_node *node)
{
    return node ? node->xen_minor : -1;
}

XENMIG_API uint64_t
xenmig_node_total_memory(const xenmig_node *node)
{
    return node ? node->total_memory : 0;
}

XENMIG_API uint64_t
xenmig_node_free_memory(const xenmig_node *node)
{
    return node ? node->free_memory : 0;
}

XENMIG_API int
xenmig_node_nr_cpus(const xenmig_node *node)
{
    return node ? node->nr_cpus : -1;
}

XENMIG_API int
xenmig_node_xend_config_format(const xenmig_node *node)
{
    return node ? node->config_format : 1;
}

/* ---- domains -------------------------------------------------------- */

static void
domain_dispose(xenmig_domain *d)
{
    xm_free(d->name);
    xm_free(d->uuid);
    xm_free(d->state);
    d->name = NULL;
    d->uuid = NULL;
    d->state = NULL;
}

/* Fill @d from a (domain ...) list; @d is disposed on failure. */
static int
domain_fill(xenmig_domain *d, const xm_sexpr *sx, xenmig_error *err)
{
    int rc;

    memset(d, 0, sizeof(*d));
    if (!head_is(sx, "domain")) {
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "reply is not a (domain ...) list");
        goto out;
    }
    rc = get_string(&d->name, sx, "domain/name", true, err);
    if (rc) goto out;
    rc = get_string(&d->uuid, sx, "domain/uuid", false, err);
    if (rc) goto out;
    rc = get_string(&d->state, sx, "domain/state", false, err);
    if (rc) goto out;
    rc = get_int(&d->domid, sx, "domain/domid", 0, 65535, -1, err);
    if (rc) goto out;
    rc = get_int(&d->status, sx, "domain/status", 0, 1000, -1, err);
    if (rc) goto out;
    rc = get_u64_required(&d->memory, sx, "domain/memory", err);
    if (rc) goto out;
    rc = xm_sexpr_get_u64(&d->maxmem, sx, "domain/maxmem", err);
    if (rc == XENMIG_ENOTFOUND) {
        d->maxmem = d->memory;
        rc = 0;
    }
    if (rc) goto out;
    rc = get_int(&d->vcpus, sx, "domain/vcpus", 0, INT_MAX, -1, err);
    if (rc) goto out;
    if (d->vcpus < 0) {
        rc = get_int(&d->vcpus, sx, "domain/online_vcpus", 0, INT_MAX, 0,
                     err);
        if (rc) goto out;
    }
    d->hvm = xm_sexpr_lookup_list(sx, "domain/image/hvm") != NULL;
    if (d->state[0])
        d->paused = strchr(d->state, 'p') != NULL;
    else
        d->paused = d->status == 1;
    rc = 0;
 out:
    if (rc)
        domain_dispose(d);
    return rc;
}

int
xm_xend_domain_from_sexpr(xenmig_domain **out, const xm_sexpr *sx,
                          xenmig_error *err)
{
    xenmig_domain *d = NULL;
    int rc;

    *out = NULL;
    d = xm_malloc(sizeof(*d));
    if (!d)
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    rc = domain_fill(d, sx, err);
    if (rc) {
        xm_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

/*
 * Is @d the domain @asked names, as xend looks it up: by name, domid
 * or UUID? A reply about another domain is an error naming both.
 */
static int
domain_is(const xenmig_domain *d, const char *asked, xenmig_error *err)
{
    char a[64], name[64], uuid[64];
    int id;

    if (strcmp(d->name, asked) == 0 ||
        (d->uuid[0] && strcasecmp(d->uuid, asked) == 0) ||
        (xm_parse_int(&id, asked, 0, 65535) == 0 && id == d->domid))
        return 0;
    xm_xend_msg_text(a, sizeof(a), asked, strlen(asked));
    xm_xend_msg_text(name, sizeof(name), d->name, strlen(d->name));
    xm_xend_msg_text(uuid, sizeof(uuid), d->uuid, strlen(d->uuid));
    return xm_error_set(err, XENMIG_EPARSE,
                        "the reply describes domain '%s' (id %d, uuid "
                        "'%s'), not the domain '%s' asked for", name,
                        d->domid, uuid, a);
}

XENMIG_API int
xenmig_domain_lookup(xenmig_domain **out, xenmig_conn *conn,
                     const char *dom, xenmig_error *err)
{
    xm_buf path = XM_BUF_INIT(XM_XEND_MAX_PATH);
    xm_sexpr *sx = NULL;
    int rc;

    if (!out || !conn) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "domain lookup needs a connection and a result");
        goto out;
    }
    *out = NULL;
    rc = xm_xend_domain_path(&path, dom, err);
    if (rc) goto out;
    rc = xm_xend_get_sexpr(&sx, conn, xm_buf_cstr(&path), err);
    if (rc) goto out;
    rc = xm_xend_domain_from_sexpr(out, sx, err);
    if (!rc)
        rc = domain_is(*out, dom, err);
    if (rc) {
        xenmig_domain_free(*out);
        *out = NULL;
        xm_error_prefix(err, "xend at '%s': GET %.96s",
                        xm_xend_conn_label(conn), xm_buf_cstr(&path));
    }
 out:
    xm_sexpr_free(sx);
    xm_buf_dispose(&path);
    return rc;
}

XENMIG_API void
xenmig_domain_free(xenmig_domain *dom)
{
    if (!dom)
        return;
    domain_dispose(dom);
    xm_free(dom);
}

static int
list_from_sexpr(xenmig_domain_list **out, const xm_sexpr *sx,
                xenmig_error *err)
{
    xenmig_domain_list *list = NULL;
    size_t i, n;
    int rc;

    if (xm_sexpr_kind_of(sx) != XM_SEXPR_LIST || xm_sexpr_head(sx)) {
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "reply is not a list of (domain ...) lists");
        goto out;
    }
    n = xm_sexpr_count(sx);
    list = xm_calloc(1, sizeof(*list));
    if (list)
        list->items = xm_calloc(n ? n : 1, sizeof(*list->items));
    if (!list || !list->items) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        rc = domain_fill(&list->items[i], xm_sexpr_at(sx, i), err);
        if (rc) {
            xm_error_prefix(err, "domain %zu of %zu", i + 1, n);
            goto out;
        }
        list->count++;
    }
    *out = list;
    list = NULL;
    rc = 0;
 out:
    xenmig_domain_list_free(list);
    return rc;
}

XENMIG_API int
xenmig_domain_list_get(xenmig_domain_list **out, xenmig_conn *conn,
                       xenmig_error *err)
{
    static const char path[] = "/xend/domain?detail=1";
    xm_sexpr *sx = NULL;
    int rc;

    if (!out || !conn)
        return xm_error_set(err, XENMIG_EINVAL,
                            "domain list needs a connection and a result");
    *out = NULL;
    rc = xm_xend_get_sexpr(&sx, conn, path, err);
    if (rc) goto out;
    rc = list_from_sexpr(out, sx, err);
    if (rc)
        xm_error_prefix(err, "xend at '%s': GET %s",
                        xm_xend_conn_label(conn), path);
 out:
    xm_sexpr_free(sx);
    return rc;
}

XENMIG_API void
xenmig_domain_list_free(xenmig_domain_list *list)
{
    size_t i;

    if (!list)
        return;
    for (i = 0; list->items && i < list->count; i++)
        domain_dispose(&list->items[i]);
    xm_free(list->items);
    xm_free(list);
}

XENMIG_API size_t
xenmig_domain_list_count(const xenmig_domain_list *l)
{
    return l ? l->count : 0;
}

XENMIG_API const xenmig_domain *
xenmig_domain_list_at(const xenmig_domain_list *list, size_t i)
{
    if (!list || i >= list->count)
        return NULL;
    return &list->items[i];
}

XENMIG_API int
xenmig_domain_id(const xenmig_domain *dom)
{
    return dom ? dom->domid : -1;
}

XENMIG_API const char *
xenmig_domain_name(const xenmig_domain *dom)
{
    return dom && dom->name ? dom->name : "";
}

XENMIG_API const char *
xenmig_domain_uuid(const xenmig_domain *dom)
{
    return dom && dom->uuid ? dom->uuid : "";
}

XENMIG_API const char *
xenmig_domain_state(const xenmig_domain *dom)
{
    return dom && dom->state ? dom->state : "";
}

XENMIG_API int
xenmig_domain_status(const xenmig_domain *dom)
{
    return dom ? dom->status : -1;
}

XENMIG_API uint64_t
xenmig_domain_memory(const xenmig_domain *dom)
{
    return dom ? dom->memory : 0;
}

XENMIG_API uint64_t
xenmig_domain_maxmem(const xenmig_domain *dom)
{
    return dom ? dom->maxmem : 0;
}

XENMIG_API int
xenmig_domain_vcpus(const xenmig_domain *dom)
{
    return dom ? dom->vcpus : 0;
}

XENMIG_API int
xenmig_domain_is_hvm(const xenmig_domain *dom)
{
    return dom && dom->hvm;
}

XENMIG_API int
xenmig_domain_is_paused(const xenmig_domain *dom)
{
    return dom && dom->paused;
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
