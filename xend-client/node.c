/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * node.c: a xend host as GET /xend/node describes it (xenmig_node)
 *
 * Builds the node object from xend's (node ...) reply, version by
 * version: which fields each xend sends, the Xen version put together
 * from xen_major, xen_minor and xen_extra, and the fields libvirt's
 * capabilities need beyond the public accessors (virt_caps,
 * node_to_cpu, cpu_topology). Absent optional fields read as the
 * defaults xend.h states.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

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
    if (!xm_xend_head_is(sx, "node")) {
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "reply is not a (node ...) list");
        goto out;
    }
    node = xm_calloc(1, sizeof(*node));
    if (!node) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    rc = xm_xend_field_str(&node->host, sx, "node/host", true, err);
    if (rc) goto out;
    rc = xm_xend_field_str(&node->release, sx, "node/release", false, err);
    if (rc) goto out;
    rc = xm_xend_field_str(&node->machine, sx, "node/machine", false, err);
    if (rc) goto out;
    rc = xm_xend_field_str(&node->xen_caps, sx, "node/xen_caps", false, err);
    if (rc) goto out;
    rc = xm_xend_field_str(&node->hw_caps, sx, "node/hw_caps", false, err);
    if (rc) goto out;
    rc = xm_xend_field_str(&node->virt_caps, sx, "node/virt_caps", false, err);
    if (rc) goto out;
    rc = xm_xend_field_str(&node->node_to_cpu, sx, "node/node_to_cpu", false,
                           err);
    if (rc) goto out;
    rc = xm_xend_field_str(&node->cpu_topology, sx, "node/cpu_topology", false,
                           err);
    if (rc) goto out;
    rc = xm_xend_field_str(&extra, sx, "node/xen_extra", false, err);
    if (rc) goto out;
    rc = xm_xend_field_u64(&node->total_memory, sx, "node/total_memory", err);
    if (rc) goto out;
    rc = xm_xend_field_u64(&node->free_memory, sx, "node/free_memory", err);
    if (rc) goto out;
    if (node->free_memory > node->total_memory) {
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "free_memory %" PRIu64 " MiB is more than "
                          "total_memory %" PRIu64 " MiB",
                          node->free_memory, node->total_memory);
        goto out;
    }
    rc = xm_xend_field_int(&node->xen_major, sx, "node/xen_major", 0, 1000, -1,
                           err);
    if (rc) goto out;
    rc = xm_xend_field_int(&node->xen_minor, sx, "node/xen_minor", 0, 1000, -1,
                           err);
    if (rc) goto out;
    rc = xm_xend_field_int(&node->nr_cpus, sx, "node/nr_cpus", 0, INT_MAX, -1,
                           err);
    if (rc) goto out;
    rc = xm_xend_field_int(&node->config_format, sx, "node/xend_config_format",
                           0, INT_MAX, 1, err);
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
