/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain.c: domains as xend lists them (xenmig_domain and its list)
 *
 * Builds a domain from its (domain ...) S-expression, looks one up by
 * name, id or UUID (GET /xend/domain/<dom>, checking that the answer
 * is the domain asked for), and reads the whole list with details
 * (GET /xend/domain?detail=1). Absent optional fields read as the
 * defaults xend.h states.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "xend-client/xend.h"

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
    if (!xm_xend_head_is(sx, "domain")) {
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "reply is not a (domain ...) list");
        goto out;
    }
    rc = xm_xend_field_str(&d->name, sx, "domain/name", true, err);
    if (rc) goto out;
    rc = xm_xend_field_str(&d->uuid, sx, "domain/uuid", false, err);
    if (rc) goto out;
    rc = xm_xend_field_str(&d->state, sx, "domain/state", false, err);
    if (rc) goto out;
    rc = xm_xend_field_int(&d->domid, sx, "domain/domid", 0, 65535, -1, err);
    if (rc) goto out;
    rc = xm_xend_field_int(&d->status, sx, "domain/status", 0, 1000, -1, err);
    if (rc) goto out;
    rc = xm_xend_field_u64(&d->memory, sx, "domain/memory", err);
    if (rc) goto out;
    rc = xm_sexpr_get_u64(&d->maxmem, sx, "domain/maxmem", err);
    if (rc == XENMIG_ENOTFOUND) {
        d->maxmem = d->memory;
        rc = 0;
    }
    if (rc) goto out;
    rc = xm_xend_field_int(&d->vcpus, sx, "domain/vcpus", 0, INT_MAX, -1, err);
    if (rc) goto out;
    if (d->vcpus < 0) {
        rc = xm_xend_field_int(&d->vcpus, sx, "domain/online_vcpus", 0,
                               INT_MAX, 0, err);
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
