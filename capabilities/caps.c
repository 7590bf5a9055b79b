/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps.c: the capabilities object, its accessors, and whether two
 * hosts' capabilities allow a migration between them
 *
 * The object is filled from a host by caps_node.c (xend's node
 * information) and caps_probe.c, or from a document by caps_xml_read.c;
 * the accessors are the public API's; xenmig_caps_compatible() compares
 * a source and a destination (live migration taken, a transport in
 * common, every guest type of the source) and says why not;
 * xenmig_xen_caps_compatible() the same for two xen_caps lists, the
 * one rule of the engine's pre-flight check and of evacuate's planner.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capabilities/caps.h"
#include "xend-client/reloc.h"
#include "xend-client/xend.h"

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
    xm_free(caps->cells);
    xm_free(caps->cpus);
    xm_free(caps->emulator);
    xm_free(caps->loader);
    xm_free(caps->xen_caps);
    xm_free(caps->xen_version);
    xm_free(caps->hosts_allow);
    xm_free(caps);
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

/* Does @dst offer the guest type @g: same (os_type, arch), and every
 * PAE / non-PAE / big-endian flavour @g has? */
static int
has_guest(const xenmig_caps *caps, const xm_caps_guest *g)
{
    size_t i;

    for (i = 0; i < caps->nguests; i++) {
        const xm_caps_guest *h = &caps->guests[i];

        if (strcmp(h->os_type, g->os_type) == 0 &&
            strcmp(h->arch, g->arch) == 0 && h->pae >= g->pae &&
            h->nonpae >= g->nonpae && h->ia64_be >= g->ia64_be)
            return 1;
    }
    return 0;
}

/* tcp and xenmigr name the same transport: xend's relocation. */
static unsigned int
transports_of(const xenmig_caps *caps)
{
    unsigned int t = caps->transports;

    if (t & (XM_CAPS_T_TCP | XM_CAPS_T_XENMIGR))
        t |= XM_CAPS_T_TCP | XM_CAPS_T_XENMIGR;
    return t;
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
    if ((transports_of(src) & transports_of(dst)) == 0) {
        say(why, why_size, "no migration transport in common between "
            "'%s' and '%s'", xenmig_caps_host(src),
            xenmig_caps_host(dst));
        return 0;
    }
    for (i = 0; i < src->nguests; i++) {
        const xm_caps_guest *g = &src->guests[i];

        if (!has_guest(dst, g)) {
            char kind[48];

            if (xm_snprintf(kind, sizeof(kind), "%s %s%s%s%s",
                            g->os_type, g->arch, g->pae ? " pae" : "",
                            g->nonpae ? " nonpae" : "",
                            g->ia64_be ? " ia64_be" : "") < 0)
                kind[0] = '\0';
            say(why, why_size, "destination '%s' cannot run '%s' "
                "guests", xenmig_caps_host(dst), kind);
            return 0;
        }
    }
    return 1;
}

/* Is the @n bytes at @w a whole word of the space-separated @list? */
static int
has_word(const char *list, const char *w, size_t n)
{
    const char *p = list;
    size_t k;

    while (*p) {
        while (*p == ' ')
            p++;
        k = strcspn(p, " ");
        if (k == n && memcmp(p, w, n) == 0)
            return 1;
        p += k;
    }
    return 0;
}

int
xenmig_xen_caps_compatible(const char *src_caps, const char *dst_caps,
                           int hvm, char *missing, size_t missing_size)
{
    const char *prefix = hvm ? "hvm-" : "xen-";
    const char *p = src_caps ? src_caps : "";
    int any = 0;
    size_t n;

    if (!dst_caps)
        dst_caps = "";
    if (missing && missing_size)
        missing[0] = '\0';
    while (*p) {
        while (*p == ' ')
            p++;
        n = strcspn(p, " ");
        if (n > 4 && memcmp(p, prefix, 4) == 0) {
            any = 1;
            if (!has_word(dst_caps, p, n)) {
                say(missing, missing_size, "%.*s", (int)n, p);
                return 0;
            }
        }
        p += n;
    }
    if (!any)
        say(missing, missing_size, "%s*", prefix);
    return any;
}
