/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps_xml_read.c: libvirt's <capabilities> XML back to capabilities
 *
 * The document is parsed with libxml2 without network access, entity
 * expansion or a DTD, its depth bounded, and read element by element:
 * unknown elements of libvirt's are skipped (a newer libvirt may add
 * some), unknown ones of the xenmig extension are errors. <host> and
 * <guest> are read in caps_xml_host.c and caps_xml_guest.c; the
 * helpers they share with this file are here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/chvalid.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "capabilities/caps_xml.h"

/* An XENMIG_EPARSE naming the line of @node. */
int
xm_cx_bad(xenmig_error *err, xmlNodePtr node, const char *fmt, ...)
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

int
xm_cx_is_elem(xmlNodePtr n, const char *name, int ours)
{
    if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name))
        return 0;
    if (ours)
        return n->ns && strcmp((const char *)n->ns->href, XM_CAPS_NS) == 0;
    return n->ns == NULL;
}

/* The text of @n, trimmed of blanks, into @buf. */
int
xm_cx_text_of(char *buf, size_t size, xmlNodePtr n, xenmig_error *err)
{
    xmlNodePtr c;
    size_t len = 0;
    const char *s;
    size_t a, b;

    buf[0] = '\0';
    for (c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return xm_cx_bad(err, c, "'%s' inside '%s': text expected",
                             (const char *)c->name, (const char *)n->name);
        if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
            continue;
        s = (const char *)c->content;
        b = strlen(s);
        if (len + b >= size)
            return xm_cx_bad(err, n, "text of '%s' too long",
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

int
xm_cx_must_be_empty(xmlNodePtr n, xenmig_error *err)
{
    char t[8];

    if (xm_cx_text_of(t, sizeof(t), n, err))
        return XENMIG_EPARSE;
    if (t[0])
        return xm_cx_bad(err, n, "'%s' must be empty", (const char *)n->name);
    return 0;
}

int
xm_cx_int_prop(int *out, xmlNodePtr n, const char *name, int min, int max,
               xenmig_error *err)
{
    xmlChar *v = xmlGetNoNsProp(n, X(name));
    int rc = 0;

    if (!v)
        return 0;
    if (xm_parse_int(out, (const char *)v, min, max))
        rc = xm_cx_bad(err, n, "attribute '%s' of '%s' is not a number in "
                       "%d..%d: '%.40s'", name, (const char *)n->name, min, max,
                       (const char *)v);
    xmlFree(v);
    return rc;
}

int
xm_cx_status_prop(int *out, xmlNodePtr n, xenmig_error *err)
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
    st = xm_cx_bad(err, n, "unknown status '%.40s'", (const char *)v);
    xmlFree(v);
    return st;
}

static int
check_depth(xmlNodePtr n, int depth, xenmig_error *err)
{
    xmlNodePtr c;
    int rc;

    if (depth > XM_CAPS_MAX_DEPTH)
        return xm_cx_bad(err, n, "elements nested deeper than %d",
                         XM_CAPS_MAX_DEPTH);
    for (c = n->children; c; c = c->next) {
        if (c->type == XML_ENTITY_REF_NODE ||
            c->type == XML_ENTITY_DECL || c->type == XML_DTD_NODE)
            return xm_cx_bad(err, c, "entities are not allowed");
        if (c->type != XML_ELEMENT_NODE)
            continue;
        rc = check_depth(c, depth + 1, err);
        if (rc)
            return rc;
    }
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
    rc = xm_cx_int_prop(&caps->config_format, ext, "config_format", 1, 100,
                        err);
    if (rc)
        return rc;
    for (c = ext->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (xm_cx_is_elem(c, "relocation", 1)) {
            rc = xm_cx_status_prop(&caps->reloc_status, c, err);
            if (!rc)
                rc = xm_cx_int_prop(&caps->reloc_port, c, "port", 1, 65535,
                                    err);
        } else if (xm_cx_is_elem(c, "ssl_relocation", 1)) {
            rc = xm_cx_status_prop(&caps->ssl_status, c, err);
            if (!rc)
                rc = xm_cx_int_prop(&caps->ssl_port, c, "port", 1, 65535, err);
        } else if (xm_cx_is_elem(c, "hosts_allow", 1)) {
            v = xmlGetNoNsProp(c, X("open"));
            if (!v || strcmp((const char *)v, "unknown") == 0) {
                caps->hosts_allow_open = -1;
            } else if (strcmp((const char *)v, "yes") == 0 ||
                       strcmp((const char *)v, "no") == 0) {
                caps->hosts_allow_open = v[0] == 'y';
            } else {
                xmlFree(v);
                return xm_cx_bad(err, c, "'open' is not yes, no or unknown");
            }
            xmlFree(v);
            /* a later hosts_allow replaces an earlier one */
            xm_free(caps->hosts_allow);
            caps->hosts_allow = NULL;
            rc = xm_cx_text_of(text, sizeof(text), c, err);
            if (!rc && caps->hosts_allow_open >= 0) {
                caps->hosts_allow = xm_strdup(text);
                if (!caps->hosts_allow)
                    rc = xm_error_set(err, XENMIG_ENOMEM, "out of memory");
            }
        } else {
            rc = xm_cx_bad(err, c, "unknown element '%s' in the xenmig "
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

    if (!root || !xm_cx_is_elem(root, "capabilities", 0))
        return xm_cx_bad(err, root, "root element is not 'capabilities'");
    rc = check_depth(root, 1, err);
    if (rc)
        return rc;
    caps->guests = xm_calloc(XM_CAPS_MAX_GUESTS, sizeof(*caps->guests));
    if (!caps->guests)
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    for (c = root->children; c; c = c->next) {
        if (xm_cx_is_elem(c, "host", 0)) {
            if (have_host)
                return xm_cx_bad(err, c, "more than one 'host'");
            rc = xm_cx_read_host(caps, c, err);
            have_host = 1;
        } else if (xm_cx_is_elem(c, "guest", 0)) {
            if (caps->nguests >= XM_CAPS_MAX_GUESTS)
                return xm_cx_bad(err, c, "more than %d guests",
                                 XM_CAPS_MAX_GUESTS);
            rc = xm_cx_read_guest(&caps->guests[caps->nguests], c, err);
            if (!rc)
                caps->nguests++;
        } else if (xm_cx_is_elem(c, "xend", 1)) {
            rc = read_extension(caps, c, err);
        } else if (c->type == XML_ELEMENT_NODE && c->ns &&
                   strcmp((const char *)c->ns->href, XM_CAPS_NS) == 0) {
            rc = xm_cx_bad(err, c, "unknown element '%s' in the xenmig "
                           "namespace", (const char *)c->name);
        }
        if (rc)
            return rc;
    }
    if (!have_host)
        return xm_cx_bad(err, root, "no 'host' element");
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
