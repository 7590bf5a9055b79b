/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps_xml_write.c: capabilities to libvirt's <capabilities> XML, with
 * libxml2's tree API
 *
 * The xenmig extension is one element, xenmig:xend, the last child of
 * <capabilities>: libvirt's consumers look things up by path under
 * /capabilities/host and /capabilities/guest and never see it. xend's
 * text goes in as well-formed character data whatever bytes it holds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/chvalid.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "capabilities/caps_xml.h"

const char *const xm_cx_transport_names[] = { "esx", "tcp", "xenmigr" };
const unsigned int xm_cx_transport_order[] = {
    XM_CAPS_T_XENMIGR, XM_CAPS_T_TCP, XM_CAPS_T_ESX
};
const char *const xm_cx_feat_names[XM_CAPS_NFEAT] = {
    "acpi", "apic", "hap", "viridian"
};

/*
 * xend's text as XML character data, so that the document is always
 * well-formed: each byte that does not start a valid UTF-8 character,
 * and each character XML 1.0 forbids (controls other than tab, LF and
 * CR; U+FFFE, U+FFFF), becomes U+FFFD. A new string (xm_free()), or
 * NULL when out of memory.
 */
static char *
xml_clean(const char *s)
{
    size_t left = strlen(s), n;
    unsigned long c;
    xm_buf b;
    int rc = 0;

    /* U+FFFD is 3 bytes: the most one byte can become */
    xm_buf_init(&b, left * 3 + 1);
    while (!rc && left > 0) {
        /* (libxml2's xmlGetUTF8Char takes stray continuation bytes) */
        n = xm_utf8_next(s, left, &c);
        if (n == 0 || !xmlIsCharQ(c)) {
            rc = xm_buf_puts(&b, "\xef\xbf\xbd");
            n = n ? n : 1;
        } else {
            rc = xm_buf_put(&b, s, n);
        }
        s += n;
        left -= n;
    }
    if (rc) {
        xm_buf_dispose(&b);
        return NULL;
    }
    return xm_buf_detach(&b);
}

/* xmlNewProp with xend's @value made XML text (xml_clean). */
static xmlAttrPtr
new_prop(xmlNodePtr node, const char *name, const char *value)
{
    char *v = xml_clean(value);
    xmlAttrPtr a = v ? xmlNewProp(node, X(name), X(v)) : NULL;

    xm_free(v);
    return a;
}

/* xmlNewTextChild with xend's @text made XML text (xml_clean). */
static xmlNodePtr
new_text_child(xmlNodePtr parent, xmlNsPtr ns, const char *name,
               const char *text)
{
    char *t = text ? xml_clean(text) : NULL;
    xmlNodePtr n = NULL;

    if (!text || t)
        n = xmlNewTextChild(parent, ns, X(name), t ? X(t) : NULL);
    xm_free(t);
    return n;
}

static int
add_toggle(xmlNodePtr feat, const char *name, unsigned int f)
{
    xmlNodePtr n = xmlNewChild(feat, NULL, X(name), NULL);

    if (!n || !xmlNewProp(n, X("default"),
                          X(f & XM_CAPS_F_ON ? "on" : "off")) ||
        !xmlNewProp(n, X("toggle"), X(f & XM_CAPS_F_TOGGLE ? "yes" : "no")))
        return XENMIG_ENOMEM;
    return 0;
}

static int
add_guest_features(xmlNodePtr guest, const xm_caps_guest *g)
{
    xmlNodePtr feat;
    size_t i;
    int any = g->pae || g->nonpae || g->ia64_be;

    for (i = 0; i < XM_CAPS_NFEAT; i++)
        any |= g->feat[i] & XM_CAPS_F_HAVE;
    if (!any)
        return 0;
    feat = xmlNewChild(guest, NULL, X("features"), NULL);
    if (!feat)
        return XENMIG_ENOMEM;
    if ((g->pae && !xmlNewChild(feat, NULL, X("pae"), NULL)) ||
        (g->nonpae && !xmlNewChild(feat, NULL, X("nonpae"), NULL)) ||
        (g->ia64_be && !xmlNewChild(feat, NULL, X("ia64_be"), NULL)))
        return XENMIG_ENOMEM;
    for (i = 0; i < XM_CAPS_NFEAT; i++) {
        if ((g->feat[i] & XM_CAPS_F_HAVE) &&
            add_toggle(feat, xm_cx_feat_names[i], g->feat[i]))
            return XENMIG_ENOMEM;
    }
    return 0;
}

static int
add_guest(xmlNodePtr root, const xm_caps_guest *g)
{
    xmlNodePtr guest, arch, dom;
    char ws[8];

    if (xm_snprintf(ws, sizeof(ws), "%d", g->wordsize) < 0)
        return XENMIG_EINVAL;
    guest = xmlNewChild(root, NULL, X("guest"), NULL);
    if (!guest || !new_text_child(guest, NULL, "os_type", g->os_type))
        return XENMIG_ENOMEM;
    arch = xmlNewChild(guest, NULL, X("arch"), NULL);
    if (!arch || !new_prop(arch, "name", g->arch) ||
        !xmlNewTextChild(arch, NULL, X("wordsize"), X(ws)))
        return XENMIG_ENOMEM;
    if ((g->emulator[0] && !xmlNewTextChild(arch, NULL, X("emulator"),
                                            X(g->emulator))) ||
        (g->loader[0] && !xmlNewTextChild(arch, NULL, X("loader"),
                                          X(g->loader))) ||
        (g->machine[0] && !xmlNewTextChild(arch, NULL, X("machine"),
                                           X(g->machine))))
        return XENMIG_ENOMEM;
    dom = xmlNewChild(arch, NULL, X("domain"), NULL);
    if (!dom || !xmlNewProp(dom, X("type"), X("xen")))
        return XENMIG_ENOMEM;
    return add_guest_features(guest, g);
}

static int
set_int_prop(xmlNodePtr node, const char *name, int v)
{
    char s[16];

    if (xm_snprintf(s, sizeof(s), "%d", v) < 0)
        return XENMIG_EINVAL;
    return xmlNewProp(node, X(name), X(s)) ? 0 : XENMIG_ENOMEM;
}

static int
add_extension(xmlNodePtr root, const xenmig_caps *caps)
{
    xmlNodePtr ext, n;
    xmlNsPtr ns;
    const char *open;

    ext = xmlNewChild(root, NULL, X("xend"), NULL);
    if (!ext)
        return XENMIG_ENOMEM;
    ns = xmlNewNs(ext, X(XM_CAPS_NS), X(XM_CAPS_NS_PREFIX));
    if (!ns)
        return XENMIG_ENOMEM;
    xmlSetNs(ext, ns);
    if (caps->host && *caps->host &&
        !new_prop(ext, "host", caps->host))
        return XENMIG_ENOMEM;
    if (caps->xen_version && *caps->xen_version &&
        !new_prop(ext, "version", caps->xen_version))
        return XENMIG_ENOMEM;
    if (caps->config_format >= 0 &&
        set_int_prop(ext, "config_format", caps->config_format))
        return XENMIG_ENOMEM;

    n = xmlNewChild(ext, ns, X("relocation"), NULL);
    if (!n || !xmlNewProp(n, X("status"),
                          X(xm_caps_status_name(caps->reloc_status))))
        return XENMIG_ENOMEM;
    if (caps->reloc_port > 0 && set_int_prop(n, "port", caps->reloc_port))
        return XENMIG_ENOMEM;
    n = xmlNewChild(ext, ns, X("ssl_relocation"), NULL);
    if (!n || !xmlNewProp(n, X("status"),
                          X(xm_caps_status_name(caps->ssl_status))))
        return XENMIG_ENOMEM;
    if (caps->ssl_port > 0 && set_int_prop(n, "port", caps->ssl_port))
        return XENMIG_ENOMEM;
    open = caps->hosts_allow_open < 0 ? "unknown"
         : caps->hosts_allow_open ? "yes" : "no";
    n = new_text_child(ext, ns, "hosts_allow", caps->hosts_allow);
    if (!n || !xmlNewProp(n, X("open"), X(open)))
        return XENMIG_ENOMEM;
    return 0;
}

/* <features> of the host CPU, in the schema's order. */
static int
add_cpu_features(xmlNodePtr cpu, const xenmig_caps *caps)
{
    xmlNodePtr feat;

    if (!caps->host_pae && !caps->host_vmx && !caps->host_svm)
        return 0;
    feat = xmlNewChild(cpu, NULL, X("features"), NULL);
    if (!feat ||
        (caps->host_pae && !xmlNewChild(feat, NULL, X("pae"), NULL)) ||
        (caps->host_vmx && !xmlNewChild(feat, NULL, X("vmx"), NULL)) ||
        (caps->host_svm && !xmlNewChild(feat, NULL, X("svm"), NULL)))
        return XENMIG_ENOMEM;
    return 0;
}

static int
add_migration(xmlNodePtr host, const xenmig_caps *caps)
{
    xmlNodePtr mf, ut;
    size_t i, b;

    mf = xmlNewChild(host, NULL, X("migration_features"), NULL);
    if (!mf)
        return XENMIG_ENOMEM;
    if (caps->live && !xmlNewChild(mf, NULL, X("live"), NULL))
        return XENMIG_ENOMEM;
    if (!caps->transports)
        return 0;
    ut = xmlNewChild(mf, NULL, X("uri_transports"), NULL);
    if (!ut)
        return XENMIG_ENOMEM;
    for (i = 0; i < XM_ARRAY_SIZE(xm_cx_transport_order); i++) {
        if (!(caps->transports & xm_cx_transport_order[i]))
            continue;
        for (b = 0; (1u << b) != xm_cx_transport_order[i]; b++)
            ;
        if (!xmlNewTextChild(ut, NULL, X("uri_transport"),
                             X(xm_cx_transport_names[b])))
            return XENMIG_ENOMEM;
    }
    return 0;
}

static int
add_topology(xmlNodePtr host, const xenmig_caps *caps)
{
    xmlNodePtr topo, cells, cell, cpus, cpu;
    size_t i, j;

    if (!caps->ncells)
        return 0;
    topo = xmlNewChild(host, NULL, X("topology"), NULL);
    cells = topo ? xmlNewChild(topo, NULL, X("cells"), NULL) : NULL;
    if (!cells || set_int_prop(cells, "num", (int)caps->ncells))
        return XENMIG_ENOMEM;
    for (i = 0; i < caps->ncells; i++) {
        const xm_caps_cell *c = &caps->cells[i];

        cell = xmlNewChild(cells, NULL, X("cell"), NULL);
        if (!cell || set_int_prop(cell, "id", c->id))
            return XENMIG_ENOMEM;
        if (!c->ncpus)
            continue;
        cpus = xmlNewChild(cell, NULL, X("cpus"), NULL);
        if (!cpus || set_int_prop(cpus, "num", (int)c->ncpus))
            return XENMIG_ENOMEM;
        for (j = 0; j < c->ncpus; j++) {
            cpu = xmlNewChild(cpus, NULL, X("cpu"), NULL);
            if (!cpu || set_int_prop(cpu, "id", caps->cpus[c->first + j]))
                return XENMIG_ENOMEM;
        }
    }
    return 0;
}

static int
build(xmlDocPtr doc, const xenmig_caps *caps, int extended)
{
    xmlNodePtr root, host, cpu;
    size_t i;
    int rc;

    root = xmlNewNode(NULL, X("capabilities"));
    if (!root)
        return XENMIG_ENOMEM;
    xmlDocSetRootElement(doc, root);
    host = xmlNewChild(root, NULL, X("host"), NULL);
    cpu = host ? xmlNewChild(host, NULL, X("cpu"), NULL) : NULL;
    if (!cpu || !new_text_child(cpu, NULL, "arch",
                                caps->arch ? caps->arch : ""))
        return XENMIG_ENOMEM;
    if (add_cpu_features(cpu, caps))
        return XENMIG_ENOMEM;
    if (caps->power_management &&
        !xmlNewChild(host, NULL, X("power_management"), NULL))
        return XENMIG_ENOMEM;
    if (add_migration(host, caps) || add_topology(host, caps))
        return XENMIG_ENOMEM;
    for (i = 0; i < caps->nguests; i++) {
        rc = add_guest(root, &caps->guests[i]);
        if (rc)
            return rc;
    }
    if (extended)
        return add_extension(root, caps);
    return 0;
}

int
xenmig_caps_to_xml(char **xml_out, const xenmig_caps *caps, int extended,
                   xenmig_error *err)
{
    xmlDocPtr doc = NULL;
    xmlChar *mem = NULL;
    char *copy = NULL;
    int size = 0;
    int rc;

    if (!xml_out || !caps) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "capabilities xml: invalid argument");
        goto out;
    }
    *xml_out = NULL;
    doc = xmlNewDoc(X("1.0"));
    if (!doc) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    rc = build(doc, caps, extended);
    if (rc) {
        rc = xm_error_set(err, rc, "capabilities xml: %s",
                          rc == XENMIG_ENOMEM ? "out of memory"
                                              : "cannot build");
        goto out;
    }
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    if (!mem || size <= 0) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    copy = xm_strndup((const char *)mem, (size_t)size);
    if (!copy) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    *xml_out = copy;
    rc = 0;
 out:
    xmlFree(mem);
    xmlFreeDoc(doc);
    return rc;
}
