/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_caps.c: capabilities XML: building from every xend version's
 * node information, golden documents, the RelaxNG schema, reading
 * documents back, hostile XML, xend-config.sxp and compatibility
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "lib/internal.h"
#include "capabilities/caps.h"
#include "lib/sexpr.h"
#include "xend-client/xend.h"

#define DATA "tests/data/caps/"

static const char *const cases[] = {
    "xen-3.0", "xen-3.1", "xen-3.3", "xen-4.0", "xen-4.4",
    "ia64", "ppc64", "i86pc",
};

/* Read a whole file; NULL when missing or over 4 MiB. */
static char *
read_file(const char *path, size_t *len_out)
{
    xm_buf buf = XM_BUF_INIT(4u << 20);
    char chunk[4096];
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (xm_buf_put(&buf, chunk, n)) {
            fclose(f);
            return NULL;
        }
    }
    fclose(f);
    if (len_out)
        *len_out = buf.len;
    if (!buf.ptr)
        return xm_strdup("");
    return xm_buf_detach(&buf);
}

/* 1 when @xml is valid against the RelaxNG schema in file @rng. */
static int
valid_against(const char *xml, const char *rng)
{
    xmlRelaxNGParserCtxtPtr pctxt = NULL;
    xmlRelaxNGValidCtxtPtr vctxt = NULL;
    xmlRelaxNGPtr schema = NULL;
    xmlDocPtr doc = NULL;
    int ok = 0;

    pctxt = xmlRelaxNGNewParserCtxt(rng);
    schema = pctxt ? xmlRelaxNGParse(pctxt) : NULL;
    vctxt = schema ? xmlRelaxNGNewValidCtxt(schema) : NULL;
    doc = xmlReadMemory(xml, (int)strlen(xml), "caps.xml", NULL,
                        XML_PARSE_NONET);
    if (vctxt && doc)
        ok = xmlRelaxNGValidateDoc(vctxt, doc) == 0;
    xmlFreeDoc(doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlRelaxNGFree(schema);
    xmlRelaxNGFreeParserCtxt(pctxt);
    return ok;
}

/* 1 when @xml is valid against capabilities/caps.rng (libvirt's). */
static int
schema_valid(const char *xml)
{
    return valid_against(xml, "capabilities/caps.rng");
}

/* The trimmed text directly inside @n. */
static void
own_text(char *buf, size_t size, xmlNodePtr n)
{
    xmlNodePtr c;
    size_t len = 0, a, b;

    buf[0] = '\0';
    for (c = n->children; c; c = c->next) {
        const char *t = (const char *)c->content;

        if (c->type != XML_TEXT_NODE || !t)
            continue;
        b = strlen(t);
        if (len + b >= size)
            b = size - 1 - len;
        memcpy(buf + len, t, b);
        len += b;
        buf[len] = '\0';
    }
    a = strspn(buf, " \t\r\n");
    while (len > a && strchr(" \t\r\n", buf[len - 1]))
        len--;
    memmove(buf, buf + a, len - a);
    buf[len - a] = '\0';
}

static xmlNodePtr
next_elem(xmlNodePtr n)
{
    while (n && n->type != XML_ELEMENT_NODE)
        n = n->next;
    return n;
}

/* Element for element: names, namespaces, attributes, text, order. */
static int
same_tree(xmlNodePtr a, xmlNodePtr b)
{
    char ta[512], tb[512];
    xmlAttrPtr p;
    size_t na = 0, nb = 0;
    xmlNodePtr x, y;

    if (strcmp((const char *)a->name, (const char *)b->name) ||
        (a->ns == NULL) != (b->ns == NULL) ||
        (a->ns && strcmp((const char *)a->ns->href,
                         (const char *)b->ns->href)))
        return 0;
    for (p = a->properties; p; p = p->next, na++) {
        xmlChar *va = xmlGetNoNsProp(a, p->name);
        xmlChar *vb = xmlGetNoNsProp(b, p->name);
        int eq = va && vb && strcmp((const char *)va,
                                    (const char *)vb) == 0;

        xmlFree(va);
        xmlFree(vb);
        if (!eq)
            return 0;
    }
    for (p = b->properties; p; p = p->next)
        nb++;
    own_text(ta, sizeof(ta), a);
    own_text(tb, sizeof(tb), b);
    if (na != nb || strcmp(ta, tb))
        return 0;
    x = next_elem(a->children);
    y = next_elem(b->children);
    while (x && y) {
        if (!same_tree(x, y))
            return 0;
        x = next_elem(x->next);
        y = next_elem(y->next);
    }
    return !x && !y;
}

/* 1 when documents @a and @b are the same element for element. */
static int
xml_same(const char *a, const char *b)
{
    xmlDocPtr da = xmlReadMemory(a, (int)strlen(a), "a.xml", NULL,
                                 XML_PARSE_NONET);
    xmlDocPtr db = xmlReadMemory(b, (int)strlen(b), "b.xml", NULL,
                                 XML_PARSE_NONET);
    int ok = da && db && same_tree(xmlDocGetRootElement(da),
                                   xmlDocGetRootElement(db));

    xmlFreeDoc(da);
    xmlFreeDoc(db);
    return ok;
}

/* Caps read from the file @path. */
static xenmig_caps *
caps_of_file(const char *path)
{
    xenmig_caps *caps = NULL;
    xenmig_error err;
    size_t len = 0;
    char *xml = read_file(path, &len);

    xenmig_error_clear(&err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    CU_ASSERT_EQUAL(xenmig_caps_from_xml(&caps, xml, len, &err), 0);
    if (!caps)
        fprintf(stderr, "\n%s: %s\n", path, err.msg);
    xm_free(xml);
    return caps;
}

/* Caps from tests/data/caps/<name>/node.sxp, relocation answering. */
static xenmig_caps *
caps_of_case(const char *name)
{
    char path[256];
    xm_sexpr *sx = NULL;
    xenmig_node *node = NULL;
    xenmig_caps *caps = NULL;
    size_t len;
    char *text;

    if (xm_snprintf(path, sizeof(path), DATA "%s/node.sxp", name) < 0)
        return NULL;
    text = read_file(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse(&sx, text, len, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_xend_node_from_sexpr(&node, sx, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_caps_new(&caps), 0);
    CU_ASSERT_EQUAL(xm_caps_set_node(caps, node, NULL), 0);
    CU_ASSERT_EQUAL(xm_caps_set_relocation(caps, XENMIG_RELOC_ANSWERS,
                                           8002, XENMIG_RELOC_CLOSED,
                                           8003, NULL, NULL), 0);
    xenmig_node_free(node);
    xm_sexpr_free(sx);
    xm_free(text);
    return caps;
}

static void
test_caps__xen_cap_words(void)
{
    xm_caps_guest g;

    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-3.0-x86_64"), 0);
    CU_ASSERT_STRING_EQUAL(g.os_type, "xen");
    CU_ASSERT_STRING_EQUAL(g.arch, "x86_64");
    CU_ASSERT_EQUAL(g.wordsize, 64);
    CU_ASSERT_EQUAL(g.pae, 0);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-3.0-x86_32p"), 0);
    CU_ASSERT_STRING_EQUAL(g.arch, "i686");
    CU_ASSERT_EQUAL(g.wordsize, 32);
    CU_ASSERT_EQUAL(g.pae, 1);
    CU_ASSERT_EQUAL(g.nonpae, 0);
    /* as libvirt: x86_32 without p is non-PAE, PV or HVM */
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "hvm-3.0-x86_32"), 0);
    CU_ASSERT_STRING_EQUAL(g.os_type, "hvm");
    CU_ASSERT_STRING_EQUAL(g.arch, "i686");
    CU_ASSERT_EQUAL(g.pae, 0);
    CU_ASSERT_EQUAL(g.nonpae, 1);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "hvm-3.0-x86_32p"), 0);
    CU_ASSERT_EQUAL(g.pae, 1);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "hvm-3.0-x86_64"), 0);
    CU_ASSERT_STRING_EQUAL(g.arch, "x86_64");
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-3.0-x86_32"), 0);
    CU_ASSERT_EQUAL(g.nonpae, 1);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-3.0-ia64be"), 0);
    CU_ASSERT_STRING_EQUAL(g.arch, "ia64");
    CU_ASSERT_EQUAL(g.ia64_be, 1);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-3.0-powerpc64"), 0);
    CU_ASSERT_STRING_EQUAL(g.arch, "ppc64");
    CU_ASSERT_EQUAL(g.wordsize, 64);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "kvm-1-x86_64"),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-3.0-sparc"),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-3-x86_64"),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-"), XENMIG_EINVAL);
    CU_ASSERT_STRING_EQUAL(xm_caps_arch_of_machine("i386", 0), "i686");
    CU_ASSERT_STRING_EQUAL(xm_caps_arch_of_machine("i86pc", 1), "x86_64");
    CU_ASSERT_STRING_EQUAL(xm_caps_arch_of_machine("i86pc", 0), "i686");
    CU_ASSERT_PTR_NULL(xm_caps_arch_of_machine("vax", 1));
}

/*
 * Every personality's node fields give the libvirt-shaped document
 * written by hand in tests/data/caps/<case>/caps.xml, element for
 * element; the output validates against libvirt's schema (the
 * extended one only against caps-extended.rng) and reads back to the
 * same bytes.
 */
static void
test_caps__golden(void)
{
    size_t i;

    for (i = 0; i < XM_ARRAY_SIZE(cases); i++) {
        char path[256];
        xenmig_caps *caps = caps_of_case(cases[i]);
        xenmig_caps *back = NULL, *theirs = NULL;
        char *xml = NULL, *plain = NULL, *again = NULL, *want;
        char why[200];

        CU_ASSERT_PTR_NOT_NULL_FATAL(caps);
        CU_ASSERT_EQUAL(xenmig_caps_to_xml(&xml, caps, 1, NULL), 0);
        CU_ASSERT_EQUAL(xenmig_caps_to_xml(&plain, caps, 0, NULL), 0);
        CU_ASSERT_FATAL(xml && plain);
        CU_ASSERT(schema_valid(plain));
        CU_ASSERT(!schema_valid(xml));
        CU_ASSERT(valid_against(xml, "capabilities/caps-extended.rng"));
        CU_ASSERT_PTR_NULL(strstr(plain, XM_CAPS_NS));
        CU_ASSERT_EQUAL(xm_snprintf(path, sizeof(path), DATA "%s/caps.xml",
                                    cases[i]), 0);
        want = read_file(path, NULL);
        CU_ASSERT_PTR_NOT_NULL(want);
        if (want && !xml_same(want, plain)) {
            fprintf(stderr, "\n%s differs from:\n%s", path, plain);
            CU_FAIL("golden document differs");
        }
        /* read back, write again: the same bytes */
        CU_ASSERT_EQUAL(xenmig_caps_from_xml(&back, xml, strlen(xml),
                                             NULL), 0);
        CU_ASSERT_EQUAL(xenmig_caps_to_xml(&again, back, 1, NULL), 0);
        if (again)
            CU_ASSERT_STRING_EQUAL(again, xml);
        CU_ASSERT_STRING_EQUAL(xenmig_caps_xen_caps(back),
                               xenmig_caps_xen_caps(caps));
        /* the hand-written document reads as the same host */
        theirs = caps_of_file(path);
        CU_ASSERT_EQUAL(xenmig_caps_compatible(theirs, caps, why,
                                               sizeof(why)), 1);
        CU_ASSERT_EQUAL(xenmig_caps_compatible(caps, theirs, why,
                                               sizeof(why)), 1);
        xenmig_caps_free(theirs);
        xenmig_caps_free(back);
        xm_free(again);
        xm_free(want);
        xm_free(xml);
        xm_free(plain);
        xenmig_caps_free(caps);
    }
}

static void
test_caps__node_versions(void)
{
    xenmig_caps *c30 = caps_of_case("xen-3.0");
    xenmig_caps *c31 = caps_of_case("xen-3.1");
    xenmig_caps *c44 = caps_of_case("xen-4.4");

    CU_ASSERT_STRING_EQUAL(xenmig_caps_arch(c30), "i686");
    CU_ASSERT_STRING_EQUAL(xenmig_caps_xen_caps(c30), "xen-3.0-x86_32");
    CU_ASSERT_STRING_EQUAL(xenmig_caps_xen_version(c30), "3.0.2-1");
    /* absent before 3.0.3: libvirt assumed 1 */
    CU_ASSERT_EQUAL(xenmig_caps_xend_config_format(c30), 1);
    CU_ASSERT_EQUAL(c30->nguests, 1);
    CU_ASSERT_EQUAL(c30->guests[0].nonpae, 1);
    CU_ASSERT_EQUAL(xenmig_caps_xend_config_format(c31), 4);
    /* hvm x86_32 and x86_32p are one guest with both features */
    CU_ASSERT_EQUAL(c31->nguests, 2);
    CU_ASSERT_EQUAL(c31->guests[1].pae, 1);
    CU_ASSERT_EQUAL(c31->guests[1].nonpae, 1);
    CU_ASSERT_STRING_EQUAL(xenmig_caps_host(c44), "h1");
    CU_ASSERT_STRING_EQUAL(xenmig_caps_arch(c44), "x86_64");
    CU_ASSERT_EQUAL(c44->nguests, 4);
    CU_ASSERT_EQUAL(c44->host_pae, 1);
    CU_ASSERT_EQUAL(c44->host_vmx, 1);
    CU_ASSERT_EQUAL(c44->host_svm, 0);
    CU_ASSERT_EQUAL(xenmig_caps_live(c44), 1);
    CU_ASSERT_EQUAL(xenmig_caps_has_transport(c44, "tcp"), 1);
    CU_ASSERT_EQUAL(xenmig_caps_has_transport(c44, "xenmigr"), 1);
    CU_ASSERT_EQUAL(xenmig_caps_has_transport(c44, "esx"), 0);
    xenmig_caps_free(c30);
    xenmig_caps_free(c31);
    xenmig_caps_free(c44);
}

/* A node with @machine, @xen_caps and Xen 4.1 into caps: rc. */
static int
caps_of_fields(xenmig_caps **out, const char *fields, xenmig_error *err)
{
    char text[2048];
    xm_sexpr *sx = NULL;
    xenmig_node *node = NULL;
    int rc;

    *out = NULL;
    CU_ASSERT_EQUAL_FATAL(xm_snprintf(text, sizeof(text), "(node (host "
                                      "h9) (total_memory 1024) "
                                      "(free_memory 512) (xen_major 4) "
                                      "(xen_minor 1) (xen_extra .0) %s)",
                                      fields), 0);
    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse(&sx, text, strlen(text), NULL),
                          0);
    CU_ASSERT_EQUAL_FATAL(xm_xend_node_from_sexpr(&node, sx, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_caps_new(out), 0);
    rc = xm_caps_set_node(*out, node, err);
    xenmig_node_free(node);
    xm_sexpr_free(sx);
    return rc;
}

/* A machine libvirt has no name for is refused, never copied. */
static void
test_caps__machine_names(void)
{
    xenmig_caps *caps = NULL;
    xenmig_error err;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(caps_of_fields(&caps, "(machine vax) (xen_caps "
                                   "'xen-3.0-x86_64')", &err),
                    XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'vax'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'h9'"));
    xenmig_caps_free(caps);
    CU_ASSERT_EQUAL(caps_of_fields(&caps, "(machine i86pc) (xen_caps "
                                   "'xen-3.0-x86_32p')", &err), 0);
    CU_ASSERT_STRING_EQUAL(xenmig_caps_arch(caps), "i686");
    CU_ASSERT_STRING_EQUAL(caps->guests[0].emulator,
                           "/usr/lib/xen/bin/qemu-dm");
    xenmig_caps_free(caps);
    /* hw_caps of one word, of garbage, claiming VMX and SVM at once */
    CU_ASSERT_EQUAL(caps_of_fields(&caps, "(machine x86_64) (hw_caps "
                                   "bfebfbff) (xen_caps '')", &err), 0);
    CU_ASSERT_EQUAL(caps->host_pae, 1);
    CU_ASSERT_EQUAL(caps->host_vmx + caps->host_svm, 0);
    xenmig_caps_free(caps);
    CU_ASSERT_EQUAL(caps_of_fields(&caps, "(machine x86_64) (hw_caps "
                                   "zz:1:2:3:ffffffff:5:ffffffff) "
                                   "(xen_caps 'hvm-3.0-x86_64')", &err),
                    0);
    CU_ASSERT_EQUAL(caps->host_pae + caps->host_vmx + caps->host_svm, 0);
    xenmig_caps_free(caps);
    /* VMX only when Xen agrees it runs HVM guests */
    CU_ASSERT_EQUAL(caps_of_fields(&caps, "(machine x86_64) (hw_caps "
                                   "bfebfbff:0:0:0:77fafbff:0:0:0) "
                                   "(virt_caps '') (xen_caps "
                                   "'xen-3.0-x86_64')", &err), 0);
    CU_ASSERT_EQUAL(caps->host_pae, 1);
    CU_ASSERT_EQUAL(caps->host_vmx, 0);
    xenmig_caps_free(caps);
    CU_ASSERT_EQUAL(caps_of_fields(&caps, "(machine x86_64) (hw_caps "
                                   "bfebfbff:0:0:0:77fafbff:0:0:0) "
                                   "(virt_caps 'hvm hvm_directio') "
                                   "(xen_caps 'xen-3.0-x86_64')", &err), 0);
    CU_ASSERT_EQUAL(caps->host_vmx, 1);
    xenmig_caps_free(caps);
    CU_ASSERT_EQUAL(caps_of_fields(&caps, "(machine x86_64) (hw_caps "
                                   "178bfbff:0:0:0:0:0:37ff:0) (xen_caps "
                                   "'xen-3.0-x86_64 hvm-3.0-x86_64')",
                                   &err), 0);
    CU_ASSERT_EQUAL(caps->host_svm, 1);
    xenmig_caps_free(caps);
    /* an ia64 host never has x86 features, whatever hw_caps says */
    CU_ASSERT_EQUAL(caps_of_fields(&caps, "(machine ia64) (hw_caps "
                                   "ffffffff:0:0:0:ffffffff) "
                                   "(xen_caps 'xen-3.0-ia64')", &err), 0);
    CU_ASSERT_EQUAL(caps->host_pae + caps->host_vmx + caps->host_svm, 0);
    xenmig_caps_free(caps);
}

/* node_to_cpu (3.2-4.0) and cpu_topology (4.1+) into cells. */
static void
test_caps__topology(void)
{
    xenmig_caps *caps = NULL;
    xenmig_error err;
    char *xml = NULL;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(xm_caps_new(&caps), 0);
    CU_ASSERT_EQUAL(xm_caps_set_topology(caps, "node0:0-1,4\n"
                                         "                         "
                                         "node1:no cpus\n  node2:2-3,5",
                                         NULL, 6, "h", &err), 0);
    CU_ASSERT_EQUAL_FATAL(caps->ncells, 3);
    CU_ASSERT_EQUAL(caps->cells[0].ncpus, 3);
    CU_ASSERT_EQUAL(caps->cpus[caps->cells[0].first + 2], 4);
    CU_ASSERT_EQUAL(caps->cells[1].ncpus, 0);
    CU_ASSERT_EQUAL(caps->cells[2].id, 2);
    CU_ASSERT_EQUAL(caps->cells[2].ncpus, 3);
    CU_ASSERT_EQUAL(caps->cpus[caps->cells[2].first], 2);
    caps->arch = xm_strdup("x86_64");
    CU_ASSERT_EQUAL(xenmig_caps_to_xml(&xml, caps, 0, NULL), 0);
    CU_ASSERT(schema_valid(xml));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<cell id=\"1\"/>"));
    xm_free(xml);
    /* the 4.1+ table: cells in node order */
    CU_ASSERT_EQUAL(xm_caps_set_topology(caps, "", "\ncpu:    core    "
                                         "socket     node\n  0:       0 "
                                         "       0        1\n  1:       1"
                                         "        0        0", 2, "h",
                                         &err), 0);
    CU_ASSERT_EQUAL_FATAL(caps->ncells, 2);
    CU_ASSERT_EQUAL(caps->cells[0].id, 0);
    CU_ASSERT_EQUAL(caps->cpus[caps->cells[0].first], 1);
    CU_ASSERT_EQUAL(caps->cells[1].id, 1);
    /* xend's "none", and nothing at all */
    CU_ASSERT_EQUAL(xm_caps_set_topology(caps, "none", NULL, 2, "h", &err),
                    0);
    CU_ASSERT_EQUAL(caps->ncells, 0);
    /* refused: CPU beyond nr_cpus, junk, a repeated CPU */
    CU_ASSERT_EQUAL(xm_caps_set_topology(caps, "node0:0-9", NULL, 4,
                                         "hostx", &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "hostx"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "node_to_cpu"));
    CU_ASSERT_EQUAL(xm_caps_set_topology(caps, "node0:0-1 x", NULL, 4,
                                         "h", &err), XENMIG_EPARSE);
    CU_ASSERT_EQUAL(xm_caps_set_topology(caps, "node0:3-1", NULL, 4,
                                         "h", &err), XENMIG_EPARSE);
    CU_ASSERT_EQUAL(xm_caps_set_topology(caps, NULL, "\ncpu: c s n\n"
                                         "  0: 0 0 0\n  0: 0 0 0", 4, "h",
                                         &err), XENMIG_EPARSE);
    xenmig_caps_free(caps);
}

/* --emulator / --loader: used for every guest, checked as libvirt. */
static void
test_caps__paths(void)
{
    xenmig_caps *caps = NULL;
    xenmig_error err;
    char *xml = NULL;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(xm_caps_new(&caps), 0);
    CU_ASSERT_EQUAL(xm_caps_set_paths(caps, "/usr/lib/xen-4.1/bin/qemu-dm",
                                      "/usr/lib/xen-4.1/boot/hvmloader",
                                      &err), 0);
    CU_ASSERT_EQUAL(xm_caps_set_paths(caps, "qemu-dm", NULL, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "emulator"));
    CU_ASSERT_EQUAL(xm_caps_set_paths(caps, NULL, "/a b", &err),
                    XENMIG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "loader"));
    xenmig_caps_free(caps);
    CU_ASSERT_EQUAL_FATAL(xm_caps_new(&caps), 0);
    CU_ASSERT_EQUAL(xm_caps_set_paths(caps, "/opt/xen/qemu-dm", NULL,
                                      &err), 0);
    xenmig_caps_free(caps);
    caps = caps_of_case("xen-4.4");
    CU_ASSERT_EQUAL(xenmig_caps_to_xml(&xml, caps, 0, NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "/usr/lib64/xen/bin/qemu-dm"));
    xm_free(xml);
    xenmig_caps_free(caps);
}

/* libvirt's own documents of the era read, and match xenmig's. */
static void
test_caps__libvirt_documents(void)
{
    xenmig_caps *lv = caps_of_file(DATA "libvirt/xen-4.4.xml");
    xenmig_caps *ours = caps_of_case("xen-4.4");
    xenmig_caps *numa = caps_of_file(DATA "libvirt/xen-3.3-numa.xml");
    char *xml = NULL;
    char why[200];

    CU_ASSERT_PTR_NOT_NULL_FATAL(lv);
    CU_ASSERT_PTR_NOT_NULL_FATAL(numa);
    CU_ASSERT_EQUAL(xenmig_caps_has_transport(lv, "xenmigr"), 1);
    CU_ASSERT_EQUAL(xenmig_caps_has_transport(lv, "tcp"), 0);
    CU_ASSERT_EQUAL(lv->nguests, 4);
    CU_ASSERT_EQUAL(lv->host_vmx, 1);
    CU_ASSERT_EQUAL(lv->power_management, 1);
    CU_ASSERT_STRING_EQUAL(lv->guests[2].loader,
                           "/usr/lib/xen/boot/hvmloader");
    CU_ASSERT_EQUAL(lv->guests[2].feat[XM_CAPS_FEAT_VIRIDIAN],
                    XM_CAPS_F_HAVE | XM_CAPS_F_TOGGLE);
    CU_ASSERT_EQUAL(lv->guests[2].feat[XM_CAPS_FEAT_APIC],
                    XM_CAPS_F_HAVE | XM_CAPS_F_ON);
    CU_ASSERT_STRING_EQUAL(xenmig_caps_xen_caps(lv),
                           xenmig_caps_xen_caps(ours));
    /* one transport under two names: a match both ways */
    CU_ASSERT_EQUAL(xenmig_caps_compatible(lv, ours, why, sizeof(why)), 1);
    CU_ASSERT_STRING_EQUAL(why, "");
    CU_ASSERT_EQUAL(xenmig_caps_compatible(ours, lv, why, sizeof(why)), 1);
    /* written again it is xenmig's document for the host, bar transport */
    CU_ASSERT_EQUAL(xenmig_caps_to_xml(&xml, lv, 0, NULL), 0);
    CU_ASSERT(schema_valid(xml));
    xm_free(xml);
    CU_ASSERT_EQUAL(numa->ncells, 2);
    CU_ASSERT_EQUAL(numa->cells[1].ncpus, 2);
    CU_ASSERT_EQUAL(numa->cpus[numa->cells[1].first + 1], 3);
    CU_ASSERT_EQUAL(numa->nguests, 2);
    CU_ASSERT_STRING_EQUAL(numa->guests[0].machine, "xenpv");
    CU_ASSERT_EQUAL(xenmig_caps_compatible(numa, ours, why, sizeof(why)),
                    1);
    /* a guest type ours lacks: no */
    numa->guests[1].ia64_be = 1;
    CU_ASSERT_EQUAL(xenmig_caps_compatible(numa, ours, why, sizeof(why)),
                    0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "ia64_be"));
    xenmig_caps_free(lv);
    xenmig_caps_free(numa);
    xenmig_caps_free(ours);
}

/*
 * <live/> and the transports whenever a relocation server is there:
 * it answers, or resets us as hosts-allow does (it may take the
 * source). Refused, silent or not xend: none.
 */
static void
test_caps__live_when_server_there(void)
{
    static const int st[] = { XENMIG_RELOC_CLOSED, XENMIG_RELOC_SILENT,
                              XENMIG_RELOC_BAD_REPLY };
    xenmig_caps *caps = caps_of_case("xen-4.4");
    char *xml = NULL;
    size_t i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(caps);
    for (i = 0; i < XM_ARRAY_SIZE(st); i++) {
        CU_ASSERT_EQUAL(xm_caps_set_relocation(caps, st[i], 8002,
                                               XENMIG_RELOC_ANSWERS, 8003,
                                               "^nobody$", NULL), 0);
        CU_ASSERT_EQUAL(xenmig_caps_to_xml(&xml, caps, 1, NULL), 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
        CU_ASSERT_PTR_NULL(strstr(xml, "<live/>"));
        CU_ASSERT_PTR_NULL(strstr(xml, "uri_transport"));
        CU_ASSERT_PTR_NOT_NULL(strstr(xml, "open=\"no\""));
        CU_ASSERT_PTR_NOT_NULL(strstr(xml, "ssl_relocation status="
                                      "\"answers\""));
        CU_ASSERT(valid_against(xml, "capabilities/caps-extended.rng"));
        xm_free(xml);
    }
    CU_ASSERT_EQUAL(xm_caps_set_relocation(caps, XENMIG_RELOC_REJECTED,
                                           8002, 0, 0, "^nobody$", NULL), 0);
    CU_ASSERT_EQUAL(xenmig_caps_to_xml(&xml, caps, 1, NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<live/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<uri_transport>xenmigr<"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "relocation status=\"rejected\""));
    xm_free(xml);
    CU_ASSERT_EQUAL(xm_caps_set_relocation(caps, XENMIG_RELOC_ANSWERS,
                                           8002, 0, 0, "", NULL), 0);
    CU_ASSERT_EQUAL(xenmig_caps_hosts_allow_open(caps), 1);
    xenmig_caps_free(caps);
}

static void
expect_bad(const char *name, int code)
{
    char path[256];
    xenmig_caps *caps = NULL;
    xenmig_error err;
    size_t len = 0;
    char *xml;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(xm_snprintf(path, sizeof(path),
                                      DATA "hostile/%s", name), 0);
    xml = read_file(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    CU_ASSERT_EQUAL(xenmig_caps_from_xml(&caps, xml, len, &err), code);
    CU_ASSERT_PTR_NULL(caps);
    CU_ASSERT(err.line > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "line "));
    /* nothing from /etc/passwd ever reaches us */
    CU_ASSERT_PTR_NULL(strstr(err.msg, "root:"));
    xenmig_caps_free(caps);
    xm_free(xml);
}

static void
test_caps__hostile_files(void)
{
    expect_bad("billion-laughs.xml", XENMIG_EPARSE);
    expect_bad("xxe.xml", XENMIG_EPARSE);
    expect_bad("wordsize.xml", XENMIG_EPARSE);
    expect_bad("transport.xml", XENMIG_EPARSE);
    expect_bad("live-text.xml", XENMIG_EPARSE);
    expect_bad("arch-element.xml", XENMIG_EPARSE);
    expect_bad("ext-port.xml", XENMIG_EPARSE);
    expect_bad("wrong-root.xml", XENMIG_EPARSE);
    expect_bad("unclosed.xml", XENMIG_EPARSE);
}

static void
test_caps__deep_nesting(void)
{
    xm_buf buf = XM_BUF_INIT(1u << 20);
    xenmig_caps *caps = NULL;
    xenmig_error err;
    int i;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_buf_puts(&buf, "<capabilities><host><cpu>"
                                "<arch>x86_64</arch></cpu></host>"), 0);
    for (i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(xm_buf_puts(&buf, "<a>"), 0);
    for (i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(xm_buf_puts(&buf, "</a>"), 0);
    CU_ASSERT_EQUAL(xm_buf_puts(&buf, "</capabilities>"), 0);
    CU_ASSERT_EQUAL(xenmig_caps_from_xml(&caps, buf.ptr, buf.len, &err),
                    XENMIG_EPARSE);
    CU_ASSERT(err.line > 0);
    CU_ASSERT_PTR_NULL(caps);
    /* 20 deep is over our own bound too */
    xm_buf_reset(&buf);
    CU_ASSERT_EQUAL(xm_buf_puts(&buf, "<capabilities><host><cpu>"
                                "<arch>x86_64</arch></cpu></host>"), 0);
    for (i = 0; i < 20; i++)
        CU_ASSERT_EQUAL(xm_buf_puts(&buf, "<a>"), 0);
    for (i = 0; i < 20; i++)
        CU_ASSERT_EQUAL(xm_buf_puts(&buf, "</a>"), 0);
    CU_ASSERT_EQUAL(xm_buf_puts(&buf, "</capabilities>"), 0);
    CU_ASSERT_EQUAL(xenmig_caps_from_xml(&caps, buf.ptr, buf.len, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "nested deeper"));
    xm_buf_dispose(&buf);
}

static void
test_caps__too_big(void)
{
    size_t n = 2u << 20;
    char *big = xm_malloc(n);
    xenmig_caps *caps = NULL;
    xenmig_error err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, ' ', n);
    memcpy(big, "<capabilities>", 14);
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xenmig_caps_from_xml(&caps, big, n, &err),
                    XENMIG_ERANGE);
    CU_ASSERT_PTR_NULL(caps);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "over"));
    xm_free(big);
}

/* A document from elsewhere: only libvirt's part, extras ignored. */
static void
test_caps__read_plain_libvirt(void)
{
    static const char xml[] =
        "<capabilities><host><uuid>0123</uuid><cpu><arch>x86_64</arch>"
        "<features><vmx/></features></cpu><migration_features><live/>"
        "<uri_transports><uri_transport>xenmigr</uri_transport>"
        "</uri_transports></migration_features><topology/></host>"
        "<guest><os_type>hvm</os_type><arch name='i686'><wordsize>32"
        "</wordsize><domain type='xen'/></arch><features><pae/>"
        "</features></guest></capabilities>";
    xenmig_caps *caps = NULL;

    CU_ASSERT_EQUAL_FATAL(xenmig_caps_from_xml(&caps, xml, strlen(xml),
                                               NULL), 0);
    CU_ASSERT_EQUAL(xenmig_caps_live(caps), 1);
    CU_ASSERT_EQUAL(xenmig_caps_has_transport(caps, "xenmigr"), 1);
    CU_ASSERT_EQUAL(xenmig_caps_has_transport(caps, "tcp"), 0);
    CU_ASSERT_STRING_EQUAL(xenmig_caps_xen_caps(caps), "hvm-3.0-x86_32p");
    CU_ASSERT_EQUAL(xenmig_caps_relocation_status(caps),
                    XENMIG_RELOC_UNKNOWN);
    CU_ASSERT_EQUAL(xenmig_caps_hosts_allow_open(caps), -1);
    CU_ASSERT_EQUAL(xenmig_caps_xend_config_format(caps), -1);
    xenmig_caps_free(caps);
}

/* A later hosts_allow replaces an earlier one (fuzz found a leak). */
static void
test_caps__repeated_hosts_allow(void)
{
#define HA_DOC(x) "<capabilities xmlns:x='" XM_CAPS_NS "'><host><cpu>" \
    "<arch>x86_64</arch></cpu></host><x:xend><x:hosts_allow open='no'>" \
    "^a$</x:hosts_allow></x:xend><x:xend>" x "</x:xend></capabilities>"
    static const char *const docs[] = {
        HA_DOC("<x:hosts_allow open='no'>^b$</x:hosts_allow>"),
        HA_DOC("<x:hosts_allow open='unknown'/>"),
        HA_DOC("<x:hosts_allow open='yes'/>"),
    };
#undef HA_DOC
    static const int open[] = { 0, -1, 1 };
    static const char *const text[] = { "^b$", NULL, "" };
    xenmig_caps *caps;
    size_t i;

    for (i = 0; i < XM_ARRAY_SIZE(docs); i++) {
        caps = NULL;
        CU_ASSERT_EQUAL_FATAL(xenmig_caps_from_xml(&caps, docs[i],
                                                   strlen(docs[i]), NULL),
                              0);
        CU_ASSERT_EQUAL(xenmig_caps_hosts_allow_open(caps), open[i]);
        if (text[i]) {
            CU_ASSERT_STRING_EQUAL(caps->hosts_allow, text[i]);
        } else {
            CU_ASSERT_PTR_NULL(caps->hosts_allow);
        }
        xenmig_caps_free(caps);
    }
}

static void
test_caps__compatible(void)
{
    xenmig_caps *c30 = caps_of_case("xen-3.0");
    xenmig_caps *c40 = caps_of_case("xen-4.0");
    xenmig_caps *c44 = caps_of_case("xen-4.4");
    char why[200];

    CU_ASSERT_EQUAL(xenmig_caps_compatible(c40, c44, why, sizeof(why)), 1);
    CU_ASSERT_STRING_EQUAL(why, "");
    CU_ASSERT_EQUAL(xenmig_caps_compatible(c44, c30, why, sizeof(why)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "cannot run"));
    CU_ASSERT_EQUAL(xm_caps_set_relocation(c40, XENMIG_RELOC_REJECTED,
                                           8002, 0, 0, NULL, NULL), 0);
    CU_ASSERT_EQUAL(xenmig_caps_compatible(c44, c40, why, sizeof(why)), 1);
    CU_ASSERT_EQUAL(xm_caps_set_relocation(c40, XENMIG_RELOC_CLOSED,
                                           8002, 0, 0, NULL, NULL), 0);
    CU_ASSERT_EQUAL(xenmig_caps_compatible(c44, c40, why, sizeof(why)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "closed"));
    CU_ASSERT_EQUAL(xenmig_caps_compatible(c44, c40, NULL, 0), 0);
    CU_ASSERT_EQUAL(xenmig_caps_compatible(NULL, c40, why, sizeof(why)),
                    XENMIG_EINVAL);
    xenmig_caps_free(c30);
    xenmig_caps_free(c40);
    xenmig_caps_free(c44);
}

/* The xen_caps rule of the pre-flight check and of evacuate's plan. */
static void
test_caps__xen_caps_compatible(void)
{
    static const char src[] = "xen-3.0-x86_64 xen-3.0-x86_32p "
                              "hvm-3.0-x86_32 hvm-3.0-x86_64";
    char missing[16];

    /* every entry of the guest's kind, whatever the other kind */
    CU_ASSERT_EQUAL(xenmig_xen_caps_compatible(src, " hvm-3.0-x86_64 "
                    "xen-3.0-x86_32p  xen-3.0-x86_64", 0, missing,
                    sizeof(missing)), 1);
    CU_ASSERT_STRING_EQUAL(missing, "");
    CU_ASSERT_EQUAL(xenmig_xen_caps_compatible(src, "xen-3.0-x86_64 "
                    "xen-3.0-x86_32p", 1, missing, sizeof(missing)), 0);
    CU_ASSERT_STRING_EQUAL(missing, "hvm-3.0-x86_32");
    /* a whole word, not a prefix of one */
    CU_ASSERT_EQUAL(xenmig_xen_caps_compatible("xen-3.0-x86_32",
                    "xen-3.0-x86_32p", 0, missing, sizeof(missing)), 0);
    CU_ASSERT_STRING_EQUAL(missing, "xen-3.0-x86_32");
    /* a source with none of the kind: no, and which kind */
    CU_ASSERT_EQUAL(xenmig_xen_caps_compatible("xen-3.0-x86_64", src, 1,
                    missing, sizeof(missing)), 0);
    CU_ASSERT_STRING_EQUAL(missing, "hvm-*");
    CU_ASSERT_EQUAL(xenmig_xen_caps_compatible(NULL, src, 0, missing,
                    sizeof(missing)), 0);
    CU_ASSERT_STRING_EQUAL(missing, "xen-*");
    CU_ASSERT_EQUAL(xenmig_xen_caps_compatible(src, NULL, 0, NULL, 0), 0);
    /* a long entry is cut to the buffer, NUL-terminated */
    CU_ASSERT_EQUAL(xenmig_xen_caps_compatible("xen-3.0-x86_64-very-long",
                    "", 0, missing, sizeof(missing)), 0);
    CU_ASSERT_EQUAL(strlen(missing), sizeof(missing) - 1);
    CU_ASSERT_EQUAL(strncmp(missing, "xen-3.0-x86", 11), 0);
}

static void
test_caps__config(void)
{
    xm_caps_config cfg;
    xenmig_error err;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(xm_caps_config_read(&cfg, DATA "xend-config.sxp",
                                              &err), 0);
    CU_ASSERT_EQUAL(cfg.relocation_server, 1);
    CU_ASSERT_EQUAL(cfg.relocation_port, 8012);
    CU_ASSERT_EQUAL(cfg.ssl_server, 0);
    CU_ASSERT_EQUAL(cfg.ssl_port, 8013);
    CU_ASSERT_STRING_EQUAL(cfg.relocation_address, "");
    CU_ASSERT_STRING_EQUAL(cfg.hosts_allow,
                           "^localhost$ ^localhost\\.localdomain$");
    xm_caps_config_dispose(&cfg);

    CU_ASSERT_EQUAL(xm_caps_config_read(&cfg, DATA "xend-config-badbool"
                                        ".sxp", &err), XENMIG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "xend-relocation-server"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "maybe"));
    CU_ASSERT_EQUAL(xm_caps_config_read(&cfg, DATA "no-such-file", &err),
                    XENMIG_EIO);
    /* code defaults for absent keys */
    CU_ASSERT_EQUAL(xm_caps_config_parse(&cfg, "# nothing\n", 10, "x",
                                         &err), 0);
    CU_ASSERT_EQUAL(cfg.relocation_server, 0);
    CU_ASSERT_EQUAL(cfg.relocation_port, 8002);
    CU_ASSERT_EQUAL(cfg.ssl_port, 8003);
    xm_caps_config_dispose(&cfg);
    CU_ASSERT_EQUAL(xm_caps_config_parse(&cfg, "(xend-relocation-port x)",
                                         24, "x", &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_caps_config_parse(&cfg, "(a", 2, "x", &err),
                    XENMIG_EPARSE);

    CU_ASSERT_EQUAL(xm_caps_parse_bool("YES"), 1);
    CU_ASSERT_EQUAL(xm_caps_parse_bool("t"), 1);
    CU_ASSERT_EQUAL(xm_caps_parse_bool("On"), 1);
    CU_ASSERT_EQUAL(xm_caps_parse_bool("F"), 0);
    CU_ASSERT_EQUAL(xm_caps_parse_bool("off"), 0);
    CU_ASSERT_EQUAL(xm_caps_parse_bool("2"), -1);
    CU_ASSERT_EQUAL(xm_caps_parse_bool(""), -1);
}

/* Every allocation of writing and reading can fail cleanly. */
static void
test_caps__out_of_memory(void)
{
    xenmig_caps *caps = caps_of_case("xen-4.4");
    unsigned long n;
    char *xml = NULL;

    CU_ASSERT_EQUAL_FATAL(xenmig_caps_to_xml(&xml, caps, 1, NULL), 0);
    for (n = 1; n < 200; n++) {
        xenmig_caps *back = NULL;
        char *out = NULL;
        int rc1, rc2;

        xm_alloc_fail_at(n);
        rc1 = xenmig_caps_from_xml(&back, xml, strlen(xml), NULL);
        xm_alloc_fail_at(n);
        rc2 = xenmig_caps_to_xml(&out, caps, 1, NULL);
        xm_alloc_fail_at(0);
        CU_ASSERT(rc1 == 0 || rc1 == XENMIG_ENOMEM);
        CU_ASSERT(rc2 == 0 || rc2 == XENMIG_ENOMEM);
        CU_ASSERT((rc1 == 0) == (back != NULL));
        xenmig_caps_free(back);
        xm_free(out);
    }
    xm_free(xml);
    xenmig_caps_free(caps);
}

static CU_TestInfo test_caps_tests[] = {
    { "xen_cap_words", test_caps__xen_cap_words },
    { "golden", test_caps__golden },
    { "node_versions", test_caps__node_versions },
    { "machine_names", test_caps__machine_names },
    { "topology", test_caps__topology },
    { "paths", test_caps__paths },
    { "libvirt_documents", test_caps__libvirt_documents },
    { "live_when_server_there", test_caps__live_when_server_there },
    { "hostile_files", test_caps__hostile_files },
    { "deep_nesting", test_caps__deep_nesting },
    { "too_big", test_caps__too_big },
    { "read_plain_libvirt", test_caps__read_plain_libvirt },
    { "repeated_hosts_allow", test_caps__repeated_hosts_allow },
    { "compatible", test_caps__compatible },
    { "xen_caps_compatible", test_caps__xen_caps_compatible },
    { "config", test_caps__config },
    { "out_of_memory", test_caps__out_of_memory },
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_caps_suite = {
    "caps", NULL, NULL, NULL, NULL, test_caps_tests
};
