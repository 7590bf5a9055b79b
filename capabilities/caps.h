/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps.h: a host's migration capabilities as libvirt's <capabilities>
 * XML (not installed)
 *
 * The public handle xenmig_caps is defined here so that the probe, the
 * XML writer and reader, and the unit tests share one layout.
 */
#ifndef XENMIG_CAPS_H
#define XENMIG_CAPS_H

#include "lib/internal.h"

/* Limits for untrusted input. */
#define XM_CAPS_MAX_XML (1u << 20)       /* bytes of a document */
#define XM_CAPS_MAX_DEPTH 16             /* element nesting */
#define XM_CAPS_MAX_GUESTS 32            /* <guest> elements */
#define XM_CAPS_MAX_CONFIG (1u << 20)    /* bytes of xend-config.sxp */
#define XM_CAPS_MAX_XEN_CAPS 1024        /* bytes of the xen_caps line */

/* Our namespace for what libvirt's schema cannot hold. */
#define XM_CAPS_NS "http://xenmig.org/schemas/capabilities/1"
#define XM_CAPS_NS_PREFIX "xenmig"

#define XM_CAPS_DEFAULT_CONFIG "/etc/xen/xend-config.sxp"

/* uri_transport bits */
enum {
    XM_CAPS_T_ESX = 1 << 0,
    XM_CAPS_T_TCP = 1 << 1,
    XM_CAPS_T_XENMIGR = 1 << 2
};

typedef struct xm_caps_guest {
    char os_type[8];       /* "xen" or "hvm" */
    char arch[16];         /* "x86_64", "i686", "ia64", ... */
    int wordsize;          /* 32 or 64 */
    int pae;               /* 1: <pae/> */
    int nonpae;            /* 1: <nonpae/> */
} xm_caps_guest;

/* What xend-config.sxp says about relocation; -1 / NULL = not read. */
typedef struct xm_caps_config {
    int relocation_server;
    int relocation_port;
    char *relocation_address;
    char *hosts_allow;
    int ssl_server;
    int ssl_port;
} xm_caps_config;

struct xenmig_caps {
    char *host;            /* xend's host name ("" if unknown) */
    char *arch;            /* host CPU arch, libvirt spelling */
    int host_pae;          /* host CPU has PAE (hw_caps) */
    int live;              /* <live/> */
    unsigned int transports;  /* XM_CAPS_T_* */
    size_t nguests;
    xm_caps_guest *guests;
    char *xen_caps;        /* space-separated, as xend says */
    /* extension (the xenmig namespace); unknowns as below */
    char *xen_version;     /* "" if unknown */
    int config_format;     /* -1 if unknown */
    int reloc_status;      /* XENMIG_RELOC_*, 0 = unknown */
    int reloc_port;        /* 0 if unknown */
    int ssl_status;        /* XENMIG_RELOC_*, 0 = unknown */
    int ssl_port;          /* 0 if unknown */
    int hosts_allow_open;  /* 1 open to any host, 0 restricted, -1 ? */
    char *hosts_allow;     /* the regexes, NULL if unknown */
};

/* An empty caps object (everything unknown). */
int xm_caps_new(xenmig_caps **out);

/*
 * Fill the host and guest parts of @caps from xend's node information:
 * arch from machine, PAE from hw_caps, one guest per xen_caps word.
 * Unknown xen_caps words are skipped. Returns 0, XENMIG_ENOMEM.
 */
int xm_caps_set_node(xenmig_caps *caps, const xenmig_node *node,
                     xenmig_error *err);

/*
 * Turn one xen_caps word ("xen-3.0-x86_32p") into a guest. Returns 0,
 * or XENMIG_EINVAL for a word that is not a guest type we know.
 */
int xm_caps_parse_xen_cap(xm_caps_guest *out, const char *word);

/* Map an uname machine to libvirt's arch name ("i386" -> "i686"). */
const char *xm_caps_arch_of_machine(const char *machine);

/*
 * Set the relocation facts: status of the "(help)" probe on @port,
 * SSL status (XENMIG_RELOC_ANSWERS / _CLOSED / 0) on @ssl_port, and
 * the hosts-allow value (NULL = unknown). Derives <live/> and the tcp
 * transport (both only when the relocation server answered).
 */
int xm_caps_set_relocation(xenmig_caps *caps, int status, int port,
                           int ssl_status, int ssl_port,
                           const char *hosts_allow, xenmig_error *err);

/*
 * Read xend's configuration (@data, @len bytes of xend-config.sxp)
 * for the relocation keys. Booleans as reference 1.1; another value
 * is XENMIG_EINVAL naming the key. @where names the file in messages.
 * Free with xm_caps_config_dispose().
 */
int xm_caps_config_parse(xm_caps_config *cfg, const char *data,
                         size_t len, const char *where,
                         xenmig_error *err);
/* Read and parse the file @path (at most XM_CAPS_MAX_CONFIG bytes). */
int xm_caps_config_read(xm_caps_config *cfg, const char *path,
                        xenmig_error *err);
void xm_caps_config_init(xm_caps_config *cfg);
void xm_caps_config_dispose(xm_caps_config *cfg);

/* xend's boolean spelling: 1, 0, or -1 when @s is neither. */
int xm_caps_parse_bool(const char *s);

/* Name of a XENMIG_RELOC_* status in the XML ("answers", ...). */
const char *xm_caps_status_name(int status);

#endif /* XENMIG_CAPS_H */
