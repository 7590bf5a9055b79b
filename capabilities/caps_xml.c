/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps_xml.c: capabilities to and from libvirt's <capabilities> XML,
 * with libxml2's tree API
 *
 * The xenmig extension is one element, xenmig:xend, the last child of
 * <capabilities>: libvirt's consumers look things up by path under
 * /capabilities/host and /capabilities/guest and never see it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/chvalid.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "capabilities/caps.h"

#define X(s) ((const xmlChar *)(s))
#define XM_CAPS_MAX_TEXT 1024

static const char *const transport_names[] = { "esx", "tcp", "xenmigr" };
/* written xenmigr first: what libvirt's xen driver lists */
static const unsigned int transport_order[] = {
    XM_CAPS_T_XENMIGR, XM_CAPS_T_TCP, XM_CAPS_T_ESX
};
static const char *const feat_names[XM_CAPS_NFEAT] = {
    "acpi", "apic", "hap", "viridian"
};

/* ---- writing ------------------------------------------------------- */

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
            add_toggle(feat, feat_names[i], g->feat[i]))
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
    for (i = 0; i < XM_ARRAY_SIZE(transport_order); i++) {
        if (!(caps->transports & transport_order[i]))
            continue;
        for (b = 0; (1u << b) != transport_order[i]; b++)
            ;
        if (!xmlNewTextChild(ut, NULL, X("uri_transport"),
                             X(transport_names[b])))
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

/* ---- reading ------------------------------------------------------- */

static int bad(xenmig_error *err, xmlNodePtr node, const char *fmt, ...)
    XM_PRINTF(3, 4);

/* An XENMIG_EPARSE naming the line of @node. */
static int
bad(xenmig_error *err, xmlNodePtr node, const char *fmt, ...)
{
    char what[160];
    long line = node ? xmlGetLineNo(node) : 0;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (n < 0)
        what[0] = '\0';
    xm_error_set(err, XENMIG_EPARSE, "capabilities xml: line %ld: %s",
                 line, what);
    if (err)
        err->line = line > 0 && line < 1000000000 ? (int)line : 0;
    return XENMIG_EPARSE;
}

static int
is_elem(xmlNodePtr n, const char *name, int ours)
{
    if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name))
        return 0;
    if (ours)
        return n->ns && strcmp((const char *)n->ns->href, XM_CAPS_NS) == 0;
    return n->ns == NULL;
}

/* The text of @n, trimmed of blanks, into @buf. */
static int
text_of(char *buf, size_t size, xmlNodePtr n, xenmig_error *err)
{
    xmlNodePtr c;
    size_t len = 0;
    const char *s;
    size_t a, b;

    buf[0] = '\0';
    for (c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return bad(err, c, "'%s' inside '%s': text expected",
                       (const char *)c->name, (const char *)n->name);
        if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
            continue;
        s = (const char *)c->content;
        b = strlen(s);
        if (len + b >= size)
            return bad(err, n, "text of '%s' too long",
                       (const char *)n->name);
        memcpy(buf + len, s, b + 1);
        len += b;
    }
    a = strspn(buf, " \t\r\n");
    b = len;
    while (b > a && strchr(" \t\r\n", buf[b - 1]))
        b--;
    memmove(buf, buf + a, b - a);
    buf[b - a] = '\0';
    return 0;
}

static int
must_be_empty(xmlNodePtr n, xenmig_error *err)
{
    char t[8];

    if (text_of(t, sizeof(t), n, err))
        return XENMIG_EPARSE;
    if (t[0])
        return bad(err, n, "'%s' must be empty", (const char *)n->name);
    return 0;
}

static int
int_prop(int *out, xmlNodePtr n, const char *name, int min, int max,
         xenmig_error *err)
{
    xmlChar *v = xmlGetNoNsProp(n, X(name));
    int rc = 0;

    if (!v)
        return 0;
    if (xm_parse_int(out, (const char *)v, min, max))
        rc = bad(err, n, "attribute '%s' of '%s' is not a number in "
                 "%d..%d: '%.40s'", name, (const char *)n->name, min, max,
                 (const char *)v);
    xmlFree(v);
    return rc;
}

static int
status_prop(int *out, xmlNodePtr n, xenmig_error *err)
{
    xmlChar *v = xmlGetNoNsProp(n, X("status"));
    int st;

    *out = XENMIG_RELOC_UNKNOWN;
    if (!v)
        return 0;
    for (st = XENMIG_RELOC_UNKNOWN; st <= XENMIG_RELOC_BAD_REPLY; st++) {
        if (strcmp((const char *)v, xm_caps_status_name(st)) == 0) {
            *out = st;
            xmlFree(v);
            return 0;
        }
    }
    st = bad(err, n, "unknown status '%.40s'", (const char *)v);
    xmlFree(v);
    return st;
}

static int
check_depth(xmlNodePtr n, int depth, xenmig_error *err)
{
    xmlNodePtr c;
    int rc;

    if (depth > XM_CAPS_MAX_DEPTH)
        return bad(err, n, "elements nested deeper than %d",
                   XM_CAPS_MAX_DEPTH);
    for (c = n->children; c; c = c->next) {
        if (c->type == XML_ENTITY_REF_NODE ||
            c->type == XML_ENTITY_DECL || c->type == XML_DTD_NODE)
            return bad(err, c, "entities are not allowed");
        if (c->type != XML_ELEMENT_NODE)
            continue;
        rc = check_depth(c, depth + 1, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int
read_cpu(xenmig_caps *caps, xmlNodePtr cpu, xenmig_error *err)
{
    char arch[32];
    xmlNodePtr c, f;
    int have_arch = 0;

    for (c = cpu->children; c; c = c->next) {
        if (is_elem(c, "arch", 0)) {
            if (text_of(arch, sizeof(arch), c, err))
                return XENMIG_EPARSE;
            if (!arch[0] || strspn(arch, "abcdefghijklmnopqrstuvwxyz"
                                   "0123456789_") != strlen(arch))
                return bad(err, c, "bad cpu arch '%s'", arch);
            xm_free(caps->arch);
            caps->arch = xm_strdup(arch);
            if (!caps->arch)
                return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
            have_arch = 1;
        } else if (is_elem(c, "features", 0)) {
            for (f = c->children; f; f = f->next) {
                if (is_elem(f, "pae", 0))
                    caps->host_pae = 1;
                else if (is_elem(f, "vmx", 0))
                    caps->host_vmx = 1;
                else if (is_elem(f, "svm", 0))
                    caps->host_svm = 1;
            }
        }
    }
    if (!have_arch)
        return bad(err, cpu, "'cpu' without 'arch'");
    return 0;
}

static int
read_migration(xenmig_caps *caps, xmlNodePtr mf, xenmig_error *err)
{
    char name[16];
    xmlNodePtr c, t;
    size_t i;

    for (c = mf->children; c; c = c->next) {
        if (is_elem(c, "live", 0)) {
            if (must_be_empty(c, err))
                return XENMIG_EPARSE;
            caps->live = 1;
        } else if (is_elem(c, "uri_transports", 0)) {
            for (t = c->children; t; t = t->next) {
                if (t->type != XML_ELEMENT_NODE)
                    continue;
                if (!is_elem(t, "uri_transport", 0))
                    return bad(err, t, "unexpected '%s' in "
                               "'uri_transports'", (const char *)t->name);
                if (text_of(name, sizeof(name), t, err))
                    return XENMIG_EPARSE;
                for (i = 0; i < XM_ARRAY_SIZE(transport_names); i++) {
                    if (strcmp(name, transport_names[i]) == 0)
                        break;
                }
                if (i == XM_ARRAY_SIZE(transport_names))
                    return bad(err, t, "unknown uri_transport '%s'", name);
                caps->transports |= 1u << i;
            }
        } else if (c->type == XML_ELEMENT_NODE) {
            return bad(err, c, "unexpected '%s' in 'migration_features'",
                       (const char *)c->name);
        }
    }
    return 0;
}

/* <cpus> of one <cell>: each <cpu id>, appended to caps->cpus. */
static int
read_cell_cpus(xenmig_caps *caps, xm_caps_cell *cell, xmlNodePtr cpus,
               xenmig_error *err)
{
    xmlNodePtr c;
    int id;

    for (c = cpus->children; c; c = c->next) {
        if (!is_elem(c, "cpu", 0))
            continue;
        if (caps->ncpus >= XM_CAPS_MAX_CPUS)
            return bad(err, c, "more than %d topology cpus",
                       XM_CAPS_MAX_CPUS);
        id = -1;
        if (int_prop(&id, c, "id", 0, 1000000, err))
            return XENMIG_EPARSE;
        if (id < 0)
            return bad(err, c, "'cpu' without 'id'");
        caps->cpus[caps->ncpus++] = id;
        cell->ncpus++;
    }
    return 0;
}

/* <topology><cells><cell id>...: ids and CPUs; memory etc. skipped. */
static int
read_topology(xenmig_caps *caps, xmlNodePtr topo, xenmig_error *err)
{
    xmlNodePtr cells, cell, c;

    if (caps->cells)
        return bad(err, topo, "more than one 'topology'");
    caps->cells = xm_calloc(XM_CAPS_MAX_CELLS, sizeof(*caps->cells));
    caps->cpus = xm_calloc(XM_CAPS_MAX_CPUS, sizeof(*caps->cpus));
    if (!caps->cells || !caps->cpus)
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    for (cells = topo->children; cells; cells = cells->next) {
        if (!is_elem(cells, "cells", 0))
            continue;
        for (cell = cells->children; cell; cell = cell->next) {
            xm_caps_cell *x;

            if (!is_elem(cell, "cell", 0))
                continue;
            if (caps->ncells >= XM_CAPS_MAX_CELLS)
                return bad(err, cell, "more than %d cells",
                           XM_CAPS_MAX_CELLS);
            x = &caps->cells[caps->ncells++];
            x->id = -1;
            x->first = caps->ncpus;
            if (int_prop(&x->id, cell, "id", 0, 1000000, err))
                return XENMIG_EPARSE;
            if (x->id < 0)
                return bad(err, cell, "'cell' without 'id'");
            for (c = cell->children; c; c = c->next) {
                if (is_elem(c, "cpus", 0) &&
                    read_cell_cpus(caps, x, c, err))
                    return XENMIG_EPARSE;
            }
        }
    }
    return 0;
}

static int
read_host(xenmig_caps *caps, xmlNodePtr host, xenmig_error *err)
{
    xmlNodePtr c;
    int have_cpu = 0;
    int rc;

    for (c = host->children; c; c = c->next) {
        if (is_elem(c, "cpu", 0)) {
            rc = read_cpu(caps, c, err);
            if (rc)
                return rc;
            have_cpu = 1;
        } else if (is_elem(c, "migration_features", 0)) {
            rc = read_migration(caps, c, err);
            if (rc)
                return rc;
        } else if (is_elem(c, "power_management", 0)) {
            caps->power_management = 1;
        } else if (is_elem(c, "topology", 0)) {
            rc = read_topology(caps, c, err);
            if (rc)
                return rc;
        }
    }
    if (!have_cpu)
        return bad(err, host, "'host' without 'cpu'");
    return 0;
}

/* A <feature default= toggle=/> into XM_CAPS_F_* bits. */
static int
read_toggle(unsigned char *out, xmlNodePtr f, xenmig_error *err)
{
    xmlChar *d = xmlGetNoNsProp(f, X("default"));
    xmlChar *t = xmlGetNoNsProp(f, X("toggle"));
    int rc = 0;

    *out = XM_CAPS_F_HAVE;
    if (d && strcmp((const char *)d, "on") == 0)
        *out |= XM_CAPS_F_ON;
    else if (d && strcmp((const char *)d, "off") != 0)
        rc = bad(err, f, "'default' of '%s' is not on or off",
                 (const char *)f->name);
    if (t && strcmp((const char *)t, "yes") == 0)
        *out |= XM_CAPS_F_TOGGLE;
    else if (t && strcmp((const char *)t, "no") != 0)
        rc = bad(err, f, "'toggle' of '%s' is not yes or no",
                 (const char *)f->name);
    xmlFree(d);
    xmlFree(t);
    return rc;
}

static int
read_guest_features(xm_caps_guest *g, xmlNodePtr feat, xenmig_error *err)
{
    xmlNodePtr f;
    size_t i;

    for (f = feat->children; f; f = f->next) {
        if (is_elem(f, "pae", 0))
            g->pae = 1;
        else if (is_elem(f, "nonpae", 0))
            g->nonpae = 1;
        else if (is_elem(f, "ia64_be", 0))
            g->ia64_be = 1;
        for (i = 0; i < XM_CAPS_NFEAT; i++) {
            if (is_elem(f, feat_names[i], 0) &&
                read_toggle(&g->feat[i], f, err))
                return XENMIG_EPARSE;
        }
    }
    return 0;
}

/* <emulator>, <loader> (paths libvirt's schema takes), <machine>. */
static int
read_arch_child(xm_caps_guest *g, xmlNodePtr a, xenmig_error *err)
{
    char text[XM_CAPS_MAX_PATH];
    char *dst = NULL;
    size_t size = 0;

    if (is_elem(a, "emulator", 0)) {
        dst = g->emulator;
        size = sizeof(g->emulator);
    } else if (is_elem(a, "loader", 0)) {
        dst = g->loader;
        size = sizeof(g->loader);
    } else if (is_elem(a, "machine", 0)) {
        if (g->machine[0])
            return 0;   /* the first of several */
        dst = g->machine;
        size = sizeof(g->machine);
    } else {
        return 0;
    }
    if (text_of(text, size, a, err))
        return XENMIG_EPARSE;
    if (dst != g->machine && !xm_caps_path_ok(text))
        return bad(err, a, "'%s' is not an absolute path: '%.60s'",
                   (const char *)a->name, text);
    if (dst == g->machine &&
        (!text[0] || strspn(text, "abcdefghijklmnopqrstuvwxyz"
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
         != strlen(text)))
        return bad(err, a, "bad machine '%.40s'", text);
    xm_strlcpy(dst, text, size);
    return 0;
}

static int
read_guest_arch(xm_caps_guest *g, xmlNodePtr c, xenmig_error *err)
{
    char ws[16];
    xmlNodePtr a;
    xmlChar *name;

    name = xmlGetNoNsProp(c, X("name"));
    if (!name || !name[0] ||
        strspn((const char *)name, "abcdefghijklmnopqrstuvwxyz"
               "0123456789_") != strlen((const char *)name) ||
        xm_strlcpy(g->arch, (const char *)name, sizeof(g->arch)) < 0) {
        xmlFree(name);
        return bad(err, c, "guest 'arch' without a valid name");
    }
    xmlFree(name);
    for (a = c->children; a; a = a->next) {
        if (read_arch_child(g, a, err))
            return XENMIG_EPARSE;
        if (!is_elem(a, "wordsize", 0))
            continue;
        if (text_of(ws, sizeof(ws), a, err))
            return XENMIG_EPARSE;
        if (xm_parse_int(&g->wordsize, ws, 8, 128) ||
            (g->wordsize != 32 && g->wordsize != 64))
            return bad(err, a, "wordsize is not 32 or 64: '%s'", ws);
    }
    if (!g->wordsize)
        return bad(err, c, "guest 'arch' without 'wordsize'");
    return 0;
}

static int
read_guest(xm_caps_guest *g, xmlNodePtr guest, xenmig_error *err)
{
    char os[16];
    xmlNodePtr c;
    int have_os = 0, have_arch = 0;

    memset(g, 0, sizeof(*g));
    for (c = guest->children; c; c = c->next) {
        if (is_elem(c, "os_type", 0)) {
            if (text_of(os, sizeof(os), c, err))
                return XENMIG_EPARSE;
            if (strcmp(os, "xen") && strcmp(os, "hvm"))
                return bad(err, c, "unknown os_type '%s'", os);
            xm_strlcpy(g->os_type, os, sizeof(g->os_type));
            have_os = 1;
        } else if (is_elem(c, "arch", 0)) {
            if (read_guest_arch(g, c, err))
                return XENMIG_EPARSE;
            have_arch = 1;
        } else if (is_elem(c, "features", 0)) {
            if (read_guest_features(g, c, err))
                return XENMIG_EPARSE;
        }
    }
    if (!have_os || !have_arch)
        return bad(err, guest, "'guest' without '%s'",
                   have_os ? "arch" : "os_type");
    return 0;
}

static int
read_extension(xenmig_caps *caps, xmlNodePtr ext, xenmig_error *err)
{
    char text[XM_CAPS_MAX_TEXT];
    xmlChar *v;
    xmlNodePtr c;
    int rc;

    v = xmlGetNoNsProp(ext, X("host"));
    if (v) {
        xm_free(caps->host);
        caps->host = xm_strdup((const char *)v);
        xmlFree(v);
        if (!caps->host)
            return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    }
    v = xmlGetNoNsProp(ext, X("version"));
    if (v) {
        xm_free(caps->xen_version);
        caps->xen_version = xm_strdup((const char *)v);
        xmlFree(v);
        if (!caps->xen_version)
            return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    }
    rc = int_prop(&caps->config_format, ext, "config_format", 1, 100, err);
    if (rc)
        return rc;
    for (c = ext->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_elem(c, "relocation", 1)) {
            rc = status_prop(&caps->reloc_status, c, err);
            if (!rc)
                rc = int_prop(&caps->reloc_port, c, "port", 1, 65535, err);
        } else if (is_elem(c, "ssl_relocation", 1)) {
            rc = status_prop(&caps->ssl_status, c, err);
            if (!rc)
                rc = int_prop(&caps->ssl_port, c, "port", 1, 65535, err);
        } else if (is_elem(c, "hosts_allow", 1)) {
            v = xmlGetNoNsProp(c, X("open"));
            if (!v || strcmp((const char *)v, "unknown") == 0) {
                caps->hosts_allow_open = -1;
            } else if (strcmp((const char *)v, "yes") == 0 ||
                       strcmp((const char *)v, "no") == 0) {
                caps->hosts_allow_open = v[0] == 'y';
            } else {
                xmlFree(v);
                return bad(err, c, "'open' is not yes, no or unknown");
            }
            xmlFree(v);
            /* a later hosts_allow replaces an earlier one */
            xm_free(caps->hosts_allow);
            caps->hosts_allow = NULL;
            rc = text_of(text, sizeof(text), c, err);
            if (!rc && caps->hosts_allow_open >= 0) {
                caps->hosts_allow = xm_strdup(text);
                if (!caps->hosts_allow)
                    rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
            }
        } else {
            rc = bad(err, c, "unknown element '%s' in the xenmig "
                     "namespace", (const char *)c->name);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* The xen_caps words of one merged guest. */
static int
guest_words(xm_buf *buf, const xm_caps_guest *g)
{
    const char *a[2] = { NULL, NULL };
    size_t i;
    int rc = 0;

    if (strcmp(g->arch, "i686") == 0) {
        a[0] = g->nonpae || !g->pae ? "x86_32" : NULL;
        a[1] = g->pae ? "x86_32p" : NULL;
    } else if (strcmp(g->arch, "ia64") == 0) {
        a[0] = "ia64";
        a[1] = g->ia64_be ? "ia64be" : NULL;
    } else if (strcmp(g->arch, "ppc64") == 0) {
        a[0] = "powerpc64";
    } else {
        a[0] = g->arch;
    }
    for (i = 0; i < 2 && !rc; i++) {
        if (a[i])
            rc = xm_buf_printf(buf, "%s%s-3.0-%s", buf->len ? " " : "",
                               g->os_type, a[i]);
    }
    return rc;
}

/* xen_caps words again, from the guests. */
static int
rebuild_xen_caps(xenmig_caps *caps, xenmig_error *err)
{
    xm_buf buf = XM_BUF_INIT(XM_CAPS_MAX_XEN_CAPS);
    size_t i;
    int rc = 0;

    for (i = 0; i < caps->nguests && !rc; i++)
        rc = guest_words(&buf, &caps->guests[i]);
    if (!rc) {
        xm_free(caps->xen_caps);
        caps->xen_caps = xm_strdup(xm_buf_cstr(&buf));
        if (!caps->xen_caps)
            rc = XENMIG_ENOMEM;
    }
    xm_buf_dispose(&buf);
    if (rc)
        return xm_error_set(err, rc, "capabilities xml: xen_caps: %s",
                            xenmig_strerror(rc));
    return 0;
}

/* SAX hook: a DOCTYPE stops the parser before anything in it is read. */
static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id,
           const xmlChar *sys_id)
{
    xmlParserCtxtPtr ctxt = ctx;

    ctxt->_private = ctxt;
    xmlStopParser(ctxt);
}

static int
read_doc(xenmig_caps *caps, xmlDocPtr doc, xenmig_error *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr c;
    int have_host = 0;
    int rc;

    if (!root || !is_elem(root, "capabilities", 0))
        return bad(err, root, "root element is not 'capabilities'");
    rc = check_depth(root, 1, err);
    if (rc)
        return rc;
    caps->guests = xm_calloc(XM_CAPS_MAX_GUESTS, sizeof(*caps->guests));
    if (!caps->guests)
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    for (c = root->children; c; c = c->next) {
        if (is_elem(c, "host", 0)) {
            if (have_host)
                return bad(err, c, "more than one 'host'");
            rc = read_host(caps, c, err);
            have_host = 1;
        } else if (is_elem(c, "guest", 0)) {
            if (caps->nguests >= XM_CAPS_MAX_GUESTS)
                return bad(err, c, "more than %d guests",
                           XM_CAPS_MAX_GUESTS);
            rc = read_guest(&caps->guests[caps->nguests], c, err);
            if (!rc)
                caps->nguests++;
        } else if (is_elem(c, "xend", 1)) {
            rc = read_extension(caps, c, err);
        } else if (c->type == XML_ELEMENT_NODE && c->ns &&
                   strcmp((const char *)c->ns->href, XM_CAPS_NS) == 0) {
            rc = bad(err, c, "unknown element '%s' in the xenmig "
                     "namespace", (const char *)c->name);
        }
        if (rc)
            return rc;
    }
    if (!have_host)
        return bad(err, root, "no 'host' element");
    return rebuild_xen_caps(caps, err);
}

int
xenmig_caps_from_xml(xenmig_caps **out, const char *xml, size_t len,
                     xenmig_error *err)
{
    xenmig_caps *caps = NULL;
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    const xmlError *xe;
    int rc;

    if (!out || (!xml && len)) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "capabilities xml: invalid argument");
        goto out;
    }
    *out = NULL;
    if (len > XM_CAPS_MAX_XML) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "capabilities xml: document over %u bytes",
                          XM_CAPS_MAX_XML);
        goto out;
    }
    rc = xm_caps_new(&caps);
    ctxt = rc ? NULL : xmlNewParserCtxt();
    if (!ctxt) {
        rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        goto out;
    }
    ctxt->sax->internalSubset = on_doctype;
    ctxt->sax->externalSubset = on_doctype;
    ctxt->_private = NULL;
    /* no XML_PARSE_NOENT, no DTD loading, no network */
    doc = xmlCtxtReadMemory(ctxt, xml ? xml : "", (int)len,
                            "capabilities.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (ctxt->_private) {
        rc = xm_error_set(err, XENMIG_EPARSE, "capabilities xml: line %d: "
                          "a DTD or entity declaration is not allowed",
                          ctxt->input ? ctxt->input->line : 0);
        if (err)
            err->line = ctxt->input ? ctxt->input->line : 0;
        goto out;
    }
    if (!doc || !ctxt->wellFormed) {
        char msg[120];
        size_t n;

        xe = xmlCtxtGetLastError(ctxt);
        if (xm_strlcpy(msg, xe && xe->message ? xe->message
                            : "not well-formed", sizeof(msg)) < 0)
            memcpy(msg + sizeof(msg) - 4, "...", 4);
        n = strlen(msg);
        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            msg[--n] = '\0';
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "capabilities xml: line %d: %s",
                          xe ? xe->line : 0, msg);
        if (err) {
            err->line = xe ? xe->line : 0;
            err->column = xe ? xe->int2 : 0;
        }
        goto out;
    }
    rc = read_doc(caps, doc, err);
    if (rc)
        goto out;
    *out = caps;
    caps = NULL;
 out:
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    xenmig_caps_free(caps);
    return rc;
}
