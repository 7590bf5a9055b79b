/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps.c: the capabilities object, its accessors, and the mapping from
 * xend's node information (xen_caps, machine, hw_caps)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capabilities/caps.h"
#include "xend-client/reloc.h"

int
xm_caps_new(xenmig_caps **out)
{
    xenmig_caps *caps = NULL;

    *out = NULL;
    caps = xm_calloc(1, sizeof(*caps));
    if (!caps)
        return XENMIG_ENOMEM;
    caps->config_format = -1;
    caps->hosts_allow_open = -1;
    *out = caps;
    return 0;
}

void
xenmig_caps_free(xenmig_caps *caps)
{
    if (!caps)
        return;
    xm_free(caps->host);
    xm_free(caps->arch);
    xm_free(caps->guests);
    xm_free(caps->xen_caps);
    xm_free(caps->xen_version);
    xm_free(caps->hosts_allow);
    xm_free(caps);
}

const char *
xm_caps_arch_of_machine(const char *machine)
{
    static const char *const same[] = {
        "x86_64", "i686", "ia64", "ppc", "ppc64", "armv7l", "aarch64",
    };
    size_t i;

    if (!machine)
        return NULL;
    if (strcmp(machine, "amd64") == 0)
        return "x86_64";
    if (strlen(machine) == 4 && machine[0] == 'i' &&
        machine[1] >= '3' && machine[1] <= '6' &&
        strcmp(machine + 2, "86") == 0)
        return "i686";
    for (i = 0; i < XM_ARRAY_SIZE(same); i++) {
        if (strcmp(machine, same[i]) == 0)
            return same[i];
    }
    return NULL;
}

int
xm_caps_parse_xen_cap(xm_caps_guest *out, const char *word)
{
    const char *os = NULL, *arch = NULL;
    int wordsize = 0, pae = 0, nonpae = 0;
    const char *rest;

    memset(out, 0, sizeof(*out));
    if (strncmp(word, "xen-", 4) == 0) {
        os = "xen";
        rest = word + 4;
    } else if (strncmp(word, "hvm-", 4) == 0) {
        os = "hvm";
        rest = word + 4;
    } else {
        return XENMIG_EINVAL;
    }
    /* "<major>.<minor>-<arch>": the version is not checked further */
    rest = strchr(rest, '-');
    if (!rest)
        return XENMIG_EINVAL;
    rest++;
    if (strcmp(rest, "x86_64") == 0) {
        arch = "x86_64";
        wordsize = 64;
    } else if (strcmp(rest, "x86_32p") == 0) {
        arch = "i686";
        wordsize = 32;
        pae = 1;
    } else if (strcmp(rest, "x86_32") == 0) {
        arch = "i686";
        wordsize = 32;
        /* a PV kernel of this kind must be built without PAE */
        nonpae = strcmp(os, "xen") == 0;
    } else if (strcmp(rest, "ia64") == 0) {
        arch = "ia64";
        wordsize = 64;
    } else {
        return XENMIG_EINVAL;
    }
    if (xm_strlcpy(out->os_type, os, sizeof(out->os_type)) < 0 ||
        xm_strlcpy(out->arch, arch, sizeof(out->arch)) < 0)
        return XENMIG_EINVAL;
    out->wordsize = wordsize;
    out->pae = pae;
    out->nonpae = nonpae;
    return 0;
}

/* hw_caps is colon-separated hex words; word 0 is CPUID 1 EDX. */
static int
hw_caps_pae(const char *hw_caps)
{
    unsigned long w = 0;
    size_t i;

    for (i = 0; hw_caps[i] && hw_caps[i] != ':' && i < 8; i++) {
        char c = hw_caps[i];
        int d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return 0;
        w = (w << 4) | (unsigned long)d;
    }
    return i > 0 && (w & (1ul << 6)) != 0;
}

int
xm_caps_set_node(xenmig_caps *caps, const xenmig_node *node,
                 xenmig_error *err)
{
    const char *xc = xenmig_node_xen_caps(node);
    const char *arch = xm_caps_arch_of_machine(xenmig_node_machine(node));
    xm_caps_guest *guests = NULL;
    size_t n = 0;
    char *host = NULL, *archs = NULL, *xcs = NULL, *ver = NULL;
    char word[64];
    const char *p;
    int rc;

    if (strlen(xc) > XM_CAPS_MAX_XEN_CAPS) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "xen_caps of '%s' over %d bytes",
                          xenmig_node_host(node), XM_CAPS_MAX_XEN_CAPS);
        goto out;
    }
    guests = xm_calloc(XM_CAPS_MAX_GUESTS, sizeof(*guests));
    host = xm_strdup(xenmig_node_host(node));
    archs = xm_strdup(arch ? arch : xenmig_node_machine(node));
    xcs = xm_strdup(xc);
    ver = xm_strdup(xenmig_node_xen_version(node));
    if (!guests || !host || !archs || !xcs || !ver) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    p = xc;
    while (*p) {
        size_t len = strcspn(p, " \t\n");

        if (len > 0 && len < sizeof(word) && n < XM_CAPS_MAX_GUESTS) {
            memcpy(word, p, len);
            word[len] = '\0';
            if (xm_caps_parse_xen_cap(&guests[n], word) == 0)
                n++;
        }
        p += len;
        p += strspn(p, " \t\n");
    }
    xm_free(caps->host);
    caps->host = host;
    host = NULL;
    xm_free(caps->arch);
    caps->arch = archs;
    archs = NULL;
    xm_free(caps->xen_caps);
    caps->xen_caps = xcs;
    xcs = NULL;
    xm_free(caps->xen_version);
    caps->xen_version = ver;
    ver = NULL;
    xm_free(caps->guests);
    caps->guests = guests;
    guests = NULL;
    caps->nguests = n;
    caps->host_pae = hw_caps_pae(xenmig_node_hw_caps(node));
    caps->config_format = xenmig_node_xend_config_format(node);
    rc = 0;
 out:
    xm_free(guests);
    xm_free(host);
    xm_free(archs);
    xm_free(xcs);
    xm_free(ver);
    return rc;
}

int
xm_caps_set_relocation(xenmig_caps *caps, int status, int port,
                       int ssl_status, int ssl_port,
                       const char *hosts_allow, xenmig_error *err)
{
    char *ha = NULL;

    if (hosts_allow) {
        ha = xm_strdup(hosts_allow);
        if (!ha)
            return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    }
    caps->reloc_status = status;
    caps->reloc_port = port;
    caps->ssl_status = ssl_status;
    caps->ssl_port = ssl_port;
    xm_free(caps->hosts_allow);
    caps->hosts_allow = ha;
    caps->hosts_allow_open = ha ? ha[strspn(ha, " ")] == '\0' : -1;
    caps->live = status == XENMIG_RELOC_ANSWERS;
    caps->transports = status == XENMIG_RELOC_ANSWERS ? XM_CAPS_T_TCP : 0;
    return 0;
}

const char *
xm_caps_status_name(int status)
{
    switch (status) {
    case XENMIG_RELOC_ANSWERS:
        return "answers";
    case XENMIG_RELOC_CLOSED:
        return "closed";
    case XENMIG_RELOC_REJECTED:
        return "rejected";
    case XENMIG_RELOC_SILENT:
        return "silent";
    case XENMIG_RELOC_BAD_REPLY:
        return "bad-reply";
    default:
        return "unknown";
    }
}

const char *
xenmig_caps_status_str(int status)
{
    return xm_caps_status_name(status);
}

const char *
xenmig_caps_arch(const xenmig_caps *caps)
{
    return caps && caps->arch ? caps->arch : "";
}

int
xenmig_caps_live(const xenmig_caps *caps)
{
    return caps ? caps->live : 0;
}

int
xenmig_caps_has_transport(const xenmig_caps *caps, const char *name)
{
    unsigned int bit;

    if (!caps || !name)
        return 0;
    if (strcmp(name, "tcp") == 0)
        bit = XM_CAPS_T_TCP;
    else if (strcmp(name, "xenmigr") == 0)
        bit = XM_CAPS_T_XENMIGR;
    else if (strcmp(name, "esx") == 0)
        bit = XM_CAPS_T_ESX;
    else
        return 0;
    return (caps->transports & bit) != 0;
}

int
xenmig_caps_relocation_status(const xenmig_caps *caps)
{
    return caps ? caps->reloc_status : XENMIG_RELOC_UNKNOWN;
}

int
xenmig_caps_relocation_port(const xenmig_caps *caps)
{
    return caps ? caps->reloc_port : 0;
}

int
xenmig_caps_ssl_status(const xenmig_caps *caps)
{
    return caps ? caps->ssl_status : XENMIG_RELOC_UNKNOWN;
}

int
xenmig_caps_ssl_port(const xenmig_caps *caps)
{
    return caps ? caps->ssl_port : 0;
}

int
xenmig_caps_hosts_allow_open(const xenmig_caps *caps)
{
    return caps ? caps->hosts_allow_open : -1;
}

const char *
xenmig_caps_xen_caps(const xenmig_caps *caps)
{
    return caps && caps->xen_caps ? caps->xen_caps : "";
}

const char *
xenmig_caps_xen_version(const xenmig_caps *caps)
{
    return caps && caps->xen_version ? caps->xen_version : "";
}

int
xenmig_caps_xend_config_format(const xenmig_caps *caps)
{
    return caps ? caps->config_format : -1;
}

const char *
xenmig_caps_host(const xenmig_caps *caps)
{
    return caps && caps->host ? caps->host : "";
}

static int
has_guest(const xenmig_caps *caps, const xm_caps_guest *g)
{
    size_t i;

    for (i = 0; i < caps->nguests; i++) {
        const xm_caps_guest *h = &caps->guests[i];

        if (strcmp(h->os_type, g->os_type) == 0 &&
            strcmp(h->arch, g->arch) == 0 && h->pae == g->pae &&
            h->nonpae == g->nonpae)
            return 1;
    }
    return 0;
}

/* The reason, cut to @size with "..." when it does not fit. */
static void say(char *why, size_t size, const char *fmt, ...)
    XM_PRINTF(3, 4);

static void
say(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!why || size == 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(why, size, fmt, ap);
    va_end(ap);
    if (n < 0)
        why[0] = '\0';
    else if ((size_t)n >= size && size > 4)
        memcpy(why + size - 4, "...", 4);
}

int
xenmig_caps_compatible(const xenmig_caps *src, const xenmig_caps *dst,
                       char *why, size_t why_size)
{
    size_t i;

    if (why && why_size)
        why[0] = '\0';
    if (!src || !dst)
        return XENMIG_EINVAL;
    if (!dst->live) {
        say(why, why_size, "destination '%s' does not take live "
            "migrations from us (relocation %s)", xenmig_caps_host(dst),
            xm_caps_status_name(dst->reloc_status));
        return 0;
    }
    if ((src->transports & dst->transports) == 0) {
        say(why, why_size, "no migration transport in common between "
            "'%s' and '%s'", xenmig_caps_host(src),
            xenmig_caps_host(dst));
        return 0;
    }
    for (i = 0; i < src->nguests; i++) {
        const xm_caps_guest *g = &src->guests[i];

        if (!has_guest(dst, g)) {
            char kind[48];

            if (xm_snprintf(kind, sizeof(kind), "%s %s%s", g->os_type,
                            g->arch, g->pae ? " pae" :
                            g->nonpae ? " nonpae" : "") < 0)
                kind[0] = '\0';
            say(why, why_size, "destination '%s' cannot run '%s' "
                "guests", xenmig_caps_host(dst), kind);
            return 0;
        }
    }
    return 1;
}
