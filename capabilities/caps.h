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
#define XM_CAPS_MAX_PATH 256             /* <emulator>, <loader> */
#define XM_CAPS_MAX_CELLS 64             /* NUMA <cell> elements */
#define XM_CAPS_MAX_CPUS 4096            /* <cpu> elements in all cells */
#define XM_CAPS_MAX_TOPOLOGY 65536       /* bytes of node_to_cpu etc. */

/* Our namespace for what libvirt's schema cannot hold. */
#define XM_CAPS_NS "http://xenmig.org/schemas/capabilities/1"
#define XM_CAPS_NS_PREFIX "xenmig"

#define XM_CAPS_DEFAULT_CONFIG "/etc/xen/xend-config.sxp"

/* libvirt's xen driver: qemu-dm under lib64 on x86_64 hosts */
#define XM_CAPS_EMULATOR_LIB64 "/usr/lib64/xen/bin/qemu-dm"
#define XM_CAPS_EMULATOR_LIB "/usr/lib/xen/bin/qemu-dm"
#define XM_CAPS_LOADER "/usr/lib/xen/boot/hvmloader"

/* uri_transport bits */
enum {
    XM_CAPS_T_ESX = 1 << 0,
    XM_CAPS_T_TCP = 1 << 1,
    XM_CAPS_T_XENMIGR = 1 << 2
};

/* HVM guest features with default and toggle attributes */
enum {
    XM_CAPS_FEAT_ACPI,
    XM_CAPS_FEAT_APIC,
    XM_CAPS_FEAT_HAP,
    XM_CAPS_FEAT_VIRIDIAN,
    XM_CAPS_NFEAT
};
#define XM_CAPS_F_HAVE 1u      /* the feature is listed */
#define XM_CAPS_F_ON 2u        /* default='on' */
#define XM_CAPS_F_TOGGLE 4u    /* toggle='yes' */

/* One <guest>: xen_caps words merged by (os_type, arch), as libvirt. */
typedef struct xm_caps_guest {
    char os_type[8];       /* "xen" or "hvm" */
    char arch[16];         /* "x86_64", "i686", "ia64", "ppc64" */
    int wordsize;          /* 32 or 64 */
    int pae;               /* 1: <pae/> */
    int nonpae;            /* 1: <nonpae/> */
    int ia64_be;           /* 1: <ia64_be/> */
    unsigned char feat[XM_CAPS_NFEAT];   /* XM_CAPS_F_* */
    char emulator[XM_CAPS_MAX_PATH];     /* "" = none */
    char loader[XM_CAPS_MAX_PATH];       /* "" = none */
    char machine[16];                    /* "xenpv", "xenfv", "" */
} xm_caps_guest;

/* One NUMA cell: cpus[first .. first + ncpus) of the caps. */
typedef struct xm_caps_cell {
    int id;
    size_t first;
    size_t ncpus;
} xm_caps_cell;

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
    int host_vmx;          /* host CPU has VMX (hw_caps) */
    int host_svm;          /* host CPU has SVM (hw_caps) */
    int power_management;  /* <power_management/> */
    size_t ncells;         /* NUMA <topology>, 0 = none */
    xm_caps_cell *cells;
    size_t ncpus;
    int *cpus;
    char *emulator;        /* configured <emulator>, NULL = default */
    char *loader;          /* configured <loader>, NULL = default */
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
 * Fill the host and guest parts of @caps from xend's node information
 * as libvirt's xen driver does: arch from machine, PAE/VMX/SVM from
 * hw_caps, NUMA cells, one guest per (os_type, arch) of the xen_caps
 * words with emulator, loader, machine and the HVM features of the
 * Xen version. Unknown xen_caps words are skipped. Returns 0,
 * XENMIG_EPARSE (a machine libvirt has no arch name for, bad NUMA
 * fields), XENMIG_ERANGE, XENMIG_ENOMEM.
 */
int xm_caps_set_node(xenmig_caps *caps, const xenmig_node *node,
                     xenmig_error *err);

/*
 * Turn one xen_caps word ("xen-3.0-x86_32p") into a guest (os_type,
 * arch, wordsize, pae/nonpae/ia64_be; nothing else). Returns 0, or
 * XENMIG_EINVAL for a word that is not a guest type libvirt knows.
 */
int xm_caps_parse_xen_cap(xm_caps_guest *out, const char *word);

/*
 * Map an uname machine to libvirt's arch name ("i386" -> "i686");
 * "i86pc" (Solaris xVM) is "x86_64" when @has64 else "i686". NULL for
 * a machine libvirt has no name for.
 */
const char *xm_caps_arch_of_machine(const char *machine, int has64);

/*
 * Use @emulator / @loader (absolute paths; NULL = libvirt's default)
 * for the guests xm_caps_set_node() makes. XENMIG_EINVAL for a path
 * libvirt's schema would refuse.
 */
int xm_caps_set_paths(xenmig_caps *caps, const char *emulator,
                      const char *loader, xenmig_error *err);

/* 1 when @path is an absolute path libvirt's schema accepts. */
int xm_caps_path_ok(const char *path);

/*
 * Parse NUMA fields: @node_to_cpu ("node0:0-3 node1:no cpus", 3.2-4.0)
 * or else @cpu_topology (the "cpu: core socket node" table, 4.1+)
 * into cells of @caps. NULL/"" fields mean no topology. Returns 0 or
 * XENMIG_EPARSE naming @host.
 */
int xm_caps_set_topology(xenmig_caps *caps, const char *node_to_cpu,
                         const char *cpu_topology, int nr_cpus,
                         const char *host, xenmig_error *err);

/*
 * Set the relocation facts: status of the "(help)" probe on @port,
 * SSL status (XENMIG_RELOC_ANSWERS / _CLOSED / 0) on @ssl_port, and
 * the hosts-allow value (NULL = unknown). Derives <live/> and the
 * transports xenmigr and tcp: both whenever a relocation server is
 * there (it answers, or resets us as hosts-allow does).
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
