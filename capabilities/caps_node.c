/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps_node.c: capabilities from xend's node information
 *
 * xend's xen_caps words ("xen-3.0-x86_64 hvm-3.0-x86_32p ...") become
 * guests (OS type, arch, word size, PAE), merged where two words name
 * the same guest; machine and hw_caps (with virt_caps) give the host's
 * arch and CPU features (PAE, VMX, SVM). The emulator and loader paths
 * and the relocation server's state are set here from what
 * caps_probe.c found (xend-config.sxp, the relocation probe).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capabilities/caps.h"
#include "xend-client/reloc.h"
#include "xend-client/xend.h"

const char *
xm_caps_arch_of_machine(const char *machine, int has64)
{
    static const char *const same[] = {
        "x86_64", "i686", "ia64", "ppc", "ppc64", "armv7l", "aarch64",
    };
    size_t i;

    if (!machine)
        return NULL;
    if (strcmp(machine, "amd64") == 0)
        return "x86_64";
    /* OpenSolaris xVM: one name for 32- and 64-bit x86 */
    if (strcmp(machine, "i86pc") == 0)
        return has64 ? "x86_64" : "i686";
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

/* "<digits>.<digits>-" at @s: the length, else 0. */
static size_t
version_len(const char *s)
{
    size_t n = strspn(s, "0123456789");
    size_t m;

    if (n == 0 || s[n] != '.')
        return 0;
    m = strspn(s + n + 1, "0123456789");
    if (m == 0 || s[n + 1 + m] != '-')
        return 0;
    return n + 1 + m + 1;
}

int
xm_caps_parse_xen_cap(xm_caps_guest *out, const char *word)
{
    static const struct {
        const char *word, *arch;
        int wordsize, pae, nonpae, be;
    } kinds[] = {
        { "x86_32", "i686", 32, 0, 1, 0 },
        { "x86_32p", "i686", 32, 1, 0, 0 },
        { "x86_64", "x86_64", 64, 0, 0, 0 },
        { "ia64", "ia64", 64, 0, 0, 0 },
        { "ia64be", "ia64", 64, 0, 0, 1 },
        { "powerpc64", "ppc64", 64, 0, 0, 0 },
    };
    const char *os, *rest;
    size_t i, n;

    memset(out, 0, sizeof(*out));
    if (strncmp(word, "xen-", 4) == 0)
        os = "xen";
    else if (strncmp(word, "hvm-", 4) == 0)
        os = "hvm";
    else
        return XENMIG_EINVAL;
    /* "<major>.<minor>-<arch>": the version is not checked further */
    n = version_len(word + 4);
    if (n == 0)
        return XENMIG_EINVAL;
    rest = word + 4 + n;
    for (i = 0; i < XM_ARRAY_SIZE(kinds); i++) {
        if (strcmp(rest, kinds[i].word) == 0)
            break;
    }
    if (i == XM_ARRAY_SIZE(kinds))
        return XENMIG_EINVAL;
    xm_strlcpy(out->os_type, os, sizeof(out->os_type));
    xm_strlcpy(out->arch, kinds[i].arch, sizeof(out->arch));
    out->wordsize = kinds[i].wordsize;
    out->pae = kinds[i].pae;
    out->nonpae = kinds[i].nonpae;
    out->ia64_be = kinds[i].be;
    return 0;
}

/*
 * Word @idx of hw_caps (colon-separated 32-bit hex words, as xend
 * prints Xen's x86_capability array; 3.0.x-3.1 left out trailing zero
 * words). 0 when absent or not hex.
 */
static unsigned long
hw_caps_word(const char *hw_caps, size_t idx)
{
    const char *p = hw_caps;
    unsigned long w = 0;
    size_t i, n;

    for (i = 0; i < idx; i++) {
        p = strchr(p, ':');
        if (!p)
            return 0;
        p++;
    }
    n = strcspn(p, ":");
    if (n == 0 || n > 8 || strspn(p, "0123456789abcdefABCDEF") < n)
        return 0;
    for (i = 0; i < n; i++) {
        char c = p[i];
        unsigned long d = c <= '9' ? (unsigned long)(c - '0')
                        : (unsigned long)((c | 0x20) - 'a' + 10);

        w = (w << 4) | d;
    }
    return w;
}

/* Is @word one of the blank-separated words of @list? */
static int
has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    const char *p = list;

    while ((p = strstr(p, word)) != NULL) {
        if ((p == list || strchr(" \t\n", p[-1])) &&
            (p[n] == '\0' || strchr(" \t\n", p[n])))
            return 1;
        p += n;
    }
    return 0;
}

/*
 * Host CPU features from hw_caps. In every Xen from 3.0 to 4.4
 * (xen/include/asm-x86/cpufeature.h) word 0 is CPUID 1 EDX (PAE bit
 * 6), word 4 CPUID 1 ECX (VMX bit 5) and word 6 CPUID 0x80000001 ECX
 * (SVM bit 2). Other architectures report zeros. VMX or SVM count
 * only when Xen agrees it runs HVM guests (an hvm xen_caps word, or
 * "hvm" in virt_caps, 3.3+); a CPU claiming both is not believed.
 */
static void
set_host_features(xenmig_caps *caps, const char *hw_caps,
                  const char *virt_caps)
{
    int x86 = strcmp(caps->arch, "x86_64") == 0 ||
              strcmp(caps->arch, "i686") == 0;
    int hvm = strstr(caps->xen_caps, "hvm-") != NULL ||
              has_word(virt_caps, "hvm");

    caps->host_pae = x86 && (hw_caps_word(hw_caps, 0) & (1ul << 6));
    caps->host_vmx = x86 && hvm &&
                     (hw_caps_word(hw_caps, 4) & (1ul << 5));
    caps->host_svm = x86 && hvm &&
                     (hw_caps_word(hw_caps, 6) & (1ul << 2));
    if (caps->host_vmx && caps->host_svm)
        caps->host_vmx = caps->host_svm = 0;
}

int
xm_caps_path_ok(const char *path)
{
    size_t n;

    if (!path || path[0] != '/')
        return 0;
    n = strlen(path);
    return n > 1 && n < XM_CAPS_MAX_PATH &&
           strspn(path, "abcdefghijklmnopqrstuvwxyz"
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-\\&\"'<>/%,")
           == n;
}

int
xm_caps_set_paths(xenmig_caps *caps, const char *emulator,
                  const char *loader, xenmig_error *err)
{
    char *e = NULL, *l = NULL;

    if ((emulator && !xm_caps_path_ok(emulator)) ||
        (loader && !xm_caps_path_ok(loader)))
        return xm_error_set(err, XENMIG_EINVAL, "%s path '%.100s' is not "
                            "an absolute path libvirt accepts",
                            emulator && !xm_caps_path_ok(emulator) ?
                            "emulator" : "loader",
                            emulator && !xm_caps_path_ok(emulator) ?
                            emulator : loader);
    e = emulator ? xm_strdup(emulator) : NULL;
    l = loader ? xm_strdup(loader) : NULL;
    if ((emulator && !e) || (loader && !l)) {
        xm_free(e);
        xm_free(l);
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    }
    xm_free(caps->emulator);
    xm_free(caps->loader);
    caps->emulator = e;
    caps->loader = l;
    return 0;
}

/*
 * What libvirt's xen driver adds to each guest: emulator (lib64 path
 * on x86_64 hosts), loader and machine xenfv for HVM, xenpv for PV,
 * and for HVM acpi (on, toggle), apic (on, toggle up to Xen 4.0),
 * hap (on, toggle, 3.3+) and viridian (off, toggle, 3.4+).
 */
static void
dress_guest(xm_caps_guest *g, const xenmig_caps *caps, int major,
            int minor)
{
    int hvm = strcmp(g->os_type, "hvm") == 0;
    const char *emu = caps->emulator ? caps->emulator
                    : strcmp(caps->arch, "x86_64") == 0
                    ? XM_CAPS_EMULATOR_LIB64 : XM_CAPS_EMULATOR_LIB;
    const char *ldr = caps->loader ? caps->loader : XM_CAPS_LOADER;
    unsigned int have = XM_CAPS_F_HAVE;

    xm_strlcpy(g->emulator, emu, sizeof(g->emulator));
    xm_strlcpy(g->machine, hvm ? "xenfv" : "xenpv", sizeof(g->machine));
    if (!hvm)
        return;
    xm_strlcpy(g->loader, ldr, sizeof(g->loader));
    g->feat[XM_CAPS_FEAT_ACPI] = have | XM_CAPS_F_ON | XM_CAPS_F_TOGGLE;
    g->feat[XM_CAPS_FEAT_APIC] = have | XM_CAPS_F_ON |
        (major > 3 && minor > 0 ? 0 : XM_CAPS_F_TOGGLE);
    if (major > 3 || (major == 3 && minor >= 3))
        g->feat[XM_CAPS_FEAT_HAP] = have | XM_CAPS_F_ON |
                                    XM_CAPS_F_TOGGLE;
    if (major > 3 || (major == 3 && minor >= 4))
        g->feat[XM_CAPS_FEAT_VIRIDIAN] = have | XM_CAPS_F_TOGGLE;
}

/* Add @g to @guests[*n], or merge it into the (os_type, arch) there. */
static void
merge_guest(xm_caps_guest *guests, size_t *n, const xm_caps_guest *g)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        xm_caps_guest *h = &guests[i];

        if (strcmp(h->os_type, g->os_type) == 0 &&
            strcmp(h->arch, g->arch) == 0) {
            h->pae |= g->pae;
            h->nonpae |= g->nonpae;
            h->ia64_be |= g->ia64_be;
            return;
        }
    }
    if (*n < XM_CAPS_MAX_GUESTS)
        guests[(*n)++] = *g;
}

/* One guest per (os_type, arch) of the words of @xc. */
static size_t
guests_of_xen_caps(xm_caps_guest *guests, const char *xc)
{
    const char *p = xc;
    char word[64];
    size_t n = 0;

    while (*p) {
        size_t len = strcspn(p, " \t\n");
        xm_caps_guest g;

        if (len > 0 && len < sizeof(word)) {
            memcpy(word, p, len);
            word[len] = '\0';
            if (xm_caps_parse_xen_cap(&g, word) == 0)
                merge_guest(guests, &n, &g);
        }
        p += len;
        p += strspn(p, " \t\n");
    }
    return n;
}

/* Replace the string in @slot by *@val, which the caps now own. */
static void
take(char **slot, char **val)
{
    xm_free(*slot);
    *slot = *val;
    *val = NULL;
}

int
xm_caps_set_node(xenmig_caps *caps, const xenmig_node *node,
                 xenmig_error *err)
{
    const char *xc = xenmig_node_xen_caps(node);
    const char *machine = xenmig_node_machine(node);
    const char *arch;
    xm_caps_guest *guests = NULL;
    size_t i, n = 0;
    char *host = NULL, *archs = NULL, *xcs = NULL, *ver = NULL;
    int rc;

    if (strlen(xc) > XM_CAPS_MAX_XEN_CAPS) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "xen_caps of '%s' over %d bytes",
                          xenmig_node_host(node), XM_CAPS_MAX_XEN_CAPS);
        goto out;
    }
    arch = xm_caps_arch_of_machine(machine, strstr(xc, "-x86_64") != NULL);
    if (!arch) {
        rc = xm_error_set(err, XENMIG_EPARSE, "host '%.64s' reports "
                          "machine '%.32s', which has no libvirt "
                          "architecture name", xenmig_node_host(node),
                          machine);
        goto out;
    }
    guests = xm_calloc(XM_CAPS_MAX_GUESTS, sizeof(*guests));
    host = xm_strdup(xenmig_node_host(node));
    archs = xm_strdup(arch);
    xcs = xm_strdup(xc);
    ver = xm_strdup(xenmig_node_xen_version(node));
    if (!guests || !host || !archs || !xcs || !ver) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    n = guests_of_xen_caps(guests, xc);
    take(&caps->host, &host);
    take(&caps->arch, &archs);
    take(&caps->xen_caps, &xcs);
    take(&caps->xen_version, &ver);
    for (i = 0; i < n; i++)
        dress_guest(&guests[i], caps, xenmig_node_xen_major(node),
                    xenmig_node_xen_minor(node));
    xm_free(caps->guests);
    caps->guests = guests;
    guests = NULL;
    caps->nguests = n;
    set_host_features(caps, xenmig_node_hw_caps(node),
                      xm_xend_node_virt_caps(node));
    caps->power_management = 1;
    caps->config_format = xenmig_node_xend_config_format(node);
    rc = xm_caps_set_topology(caps, xm_xend_node_node_to_cpu(node),
                              xm_xend_node_cpu_topology(node),
                              xenmig_node_nr_cpus(node),
                              xenmig_node_host(node), err);
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
    /* a server that resets us per hosts-allow may take the source */
    caps->live = status == XENMIG_RELOC_ANSWERS ||
                 status == XENMIG_RELOC_REJECTED;
    caps->transports = caps->live ? XM_CAPS_T_XENMIGR | XM_CAPS_T_TCP : 0;
    return 0;
}
