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

/* 1 when @xml is valid against capabilities/caps.rng. */
static int
schema_valid(const char *xml)
{
    xmlRelaxNGParserCtxtPtr pctxt = NULL;
    xmlRelaxNGValidCtxtPtr vctxt = NULL;
    xmlRelaxNGPtr schema = NULL;
    xmlDocPtr doc = NULL;
    size_t len = 0;
    char *rng = read_file("capabilities/caps.rng", &len);
    int ok = 0;

    if (!rng)
        goto out;
    pctxt = xmlRelaxNGNewMemParserCtxt(rng, (int)len);
    schema = pctxt ? xmlRelaxNGParse(pctxt) : NULL;
    vctxt = schema ? xmlRelaxNGNewValidCtxt(schema) : NULL;
    doc = xmlReadMemory(xml, (int)strlen(xml), "caps.xml", NULL,
                        XML_PARSE_NONET);
    if (vctxt && doc)
        ok = xmlRelaxNGValidateDoc(vctxt, doc) == 0;
 out:
    xmlFreeDoc(doc);
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlRelaxNGFree(schema);
    xmlRelaxNGFreeParserCtxt(pctxt);
    xm_free(rng);
    return ok;
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
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "hvm-3.0-x86_32"), 0);
    CU_ASSERT_STRING_EQUAL(g.os_type, "hvm");
    CU_ASSERT_STRING_EQUAL(g.arch, "i686");
    CU_ASSERT_EQUAL(g.pae, 0);
    CU_ASSERT_EQUAL(g.nonpae, 0);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "hvm-3.0-x86_32p"), 0);
    CU_ASSERT_EQUAL(g.pae, 1);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "hvm-3.0-x86_64"), 0);
    CU_ASSERT_STRING_EQUAL(g.arch, "x86_64");
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-3.0-x86_32"), 0);
    CU_ASSERT_EQUAL(g.nonpae, 1);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "kvm-1-x86_64"),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-3.0-sparc"),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_caps_parse_xen_cap(&g, "xen-"), XENMIG_EINVAL);
    CU_ASSERT_STRING_EQUAL(xm_caps_arch_of_machine("i386"), "i686");
    CU_ASSERT_PTR_NULL(xm_caps_arch_of_machine("vax"));
}

/* Every version's node fields, and the golden document. */
static void
test_caps__golden(void)
{
    size_t i;

    for (i = 0; i < XM_ARRAY_SIZE(cases); i++) {
        char path[256];
        xenmig_caps *caps = caps_of_case(cases[i]);
        xenmig_caps *back = NULL;
        char *xml = NULL, *plain = NULL, *again = NULL, *want;

        CU_ASSERT_PTR_NOT_NULL_FATAL(caps);
        CU_ASSERT_EQUAL(xenmig_caps_to_xml(&xml, caps, 1, NULL), 0);
        CU_ASSERT_EQUAL(xenmig_caps_to_xml(&plain, caps, 0, NULL), 0);
        CU_ASSERT_FATAL(xml && plain);
        CU_ASSERT(schema_valid(xml));
        CU_ASSERT(schema_valid(plain));
        CU_ASSERT_PTR_NULL(strstr(plain, "xenmig"));
        CU_ASSERT_EQUAL(xm_snprintf(path, sizeof(path), DATA "%s/caps.xml",
                                    cases[i]), 0);
        if (getenv("XM_CAPS_REGEN")) {
            FILE *f = fopen(path, "w");

            if (f) {
                fputs(xml, f);
                fclose(f);
            }
        }
        want = read_file(path, NULL);
        CU_ASSERT_PTR_NOT_NULL(want);
        if (want && strcmp(want, xml) != 0) {
            fprintf(stderr, "\n%s differs from:\n%s", path, xml);
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
    CU_ASSERT_EQUAL(c31->nguests, 3);
    CU_ASSERT_STRING_EQUAL(xenmig_caps_host(c44), "h1");
    CU_ASSERT_STRING_EQUAL(xenmig_caps_arch(c44), "x86_64");
    CU_ASSERT_EQUAL(c44->nguests, 5);
    CU_ASSERT_EQUAL(c44->host_pae, 1);
    CU_ASSERT_EQUAL(xenmig_caps_live(c44), 1);
    CU_ASSERT_EQUAL(xenmig_caps_has_transport(c44, "tcp"), 1);
    CU_ASSERT_EQUAL(xenmig_caps_has_transport(c44, "esx"), 0);
    xenmig_caps_free(c30);
    xenmig_caps_free(c31);
    xenmig_caps_free(c44);
}

/* <live/> and tcp only when the relocation server answers us. */
static void
test_caps__live_only_when_answering(void)
{
    static const int st[] = { XENMIG_RELOC_CLOSED, XENMIG_RELOC_REJECTED,
                              XENMIG_RELOC_SILENT };
    xenmig_caps *caps = caps_of_case("xen-4.4");
    size_t i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(caps);
    for (i = 0; i < XM_ARRAY_SIZE(st); i++) {
        char *xml = NULL;

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
        CU_ASSERT(schema_valid(xml));
        xm_free(xml);
    }
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
    CU_ASSERT_EQUAL(xenmig_caps_compatible(c44, c40, why, sizeof(why)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "rejected"));
    CU_ASSERT_EQUAL(xenmig_caps_compatible(c44, c40, NULL, 0), 0);
    CU_ASSERT_EQUAL(xenmig_caps_compatible(NULL, c40, why, sizeof(why)),
                    XENMIG_EINVAL);
    xenmig_caps_free(c30);
    xenmig_caps_free(c40);
    xenmig_caps_free(c44);
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
    { "live_only_when_answering", test_caps__live_only_when_answering },
    { "hostile_files", test_caps__hostile_files },
    { "deep_nesting", test_caps__deep_nesting },
    { "too_big", test_caps__too_big },
    { "read_plain_libvirt", test_caps__read_plain_libvirt },
    { "repeated_hosts_allow", test_caps__repeated_hosts_allow },
    { "compatible", test_caps__compatible },
    { "config", test_caps__config },
    { "out_of_memory", test_caps__out_of_memory },
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_caps_suite = {
    "caps", NULL, NULL, NULL, NULL, test_caps_tests
};
