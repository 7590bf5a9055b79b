/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_output.c: an arbitrary S-expression taken as xend's node or
 * domain reply, and what xenmig prints of it: the capabilities XML
 * (basic and extended) must be well-formed (libxml2 parses it back), and
 * every text field as --json writes it (xenmig/text.c's rule, json-c's
 * writer) must be valid JSON and valid UTF-8 that json-c reads back.
 */
#include "fuzz/fuzz.h"
#include "capabilities/caps.h"
#include "lib/sexpr.h"
#include "xend-client/xend.h"

#include <libxml/parser.h>

/* the tool's own text rules, as it is built (public API only) */
#include "xenmig/text.c"

#define T "output"

static void
xml_well_formed(const xenmig_node *node)
{
    xenmig_caps *caps = NULL;
    xenmig_error err;
    xmlDocPtr doc;
    char *xml = NULL;
    int ext, rc;

    if (xm_caps_new(&caps) != 0)
        return;
    xenmig_error_clear(&err);
    rc = xm_caps_set_node(caps, node, &err);
    for (ext = 0; rc == 0 && ext < 2; ext++) {
        xenmig_error_clear(&err);
        if (xenmig_caps_to_xml(&xml, caps, ext, &err) != 0)
            continue;
        doc = xmlReadMemory(xml, (int)strlen(xml), "caps.xml", "UTF-8",
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
        if (!doc)
            xm_fuzz_fail(T, "capabilities XML is not well-formed");
        xmlFreeDoc(doc);
        xenmig_free(xml);
        xml = NULL;
    }
    xenmig_caps_free(caps);
}

static void
json_valid(const char *s)
{
    json_object *j, *back;
    const char *out;
    unsigned long cp;
    size_t i, n, len;
    char *clean;
    int replaced;

    clean = cli_json_clean(s, &replaced);
    if (!clean)
        return;
    j = json_object_new_string(clean);
    free(clean);
    if (!j)
        return;
    out = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
    len = strlen(out);
    for (i = 0; i < len; i += n) {
        n = cli_utf8_next((const unsigned char *)out + i, len - i, &cp);
        if (n == 0)
            xm_fuzz_fail(T, "JSON output is not UTF-8");
        if (cp < 0x20)
            xm_fuzz_fail(T, "JSON output holds a raw control character");
    }
    back = json_tokener_parse(out);
    if (!back || !json_object_is_type(back, json_type_string))
        xm_fuzz_fail(T, "JSON output does not parse back");
    json_object_put(back);
    json_object_put(j);
}

static void
outputs(const xm_sexpr *sx)
{
    xenmig_node *node = NULL;
    xenmig_domain *dom = NULL;
    xenmig_error err;

    xenmig_error_clear(&err);
    if (xm_xend_node_from_sexpr(&node, sx, &err) == 0) {
        xml_well_formed(node);
        json_valid(xenmig_node_host(node));
        json_valid(xenmig_node_release(node));
        json_valid(xenmig_node_machine(node));
        json_valid(xenmig_node_xen_caps(node));
        json_valid(xenmig_node_xen_version(node));
    }
    xenmig_node_free(node);
    xenmig_error_clear(&err);
    if (xm_xend_domain_from_sexpr(&dom, sx, &err) == 0) {
        json_valid(xenmig_domain_name(dom));
        json_valid(xenmig_domain_uuid(dom));
        json_valid(xenmig_domain_state(dom));
    }
    xenmig_domain_free(dom);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xm_sexpr *sx = NULL;
    xenmig_error err;
    size_t i;

    xenmig_error_clear(&err);
    if (xm_sexpr_parse(&sx, (const char *)data, size, &err) == 0) {
        outputs(sx);
        for (i = 0; i < xm_sexpr_count(sx) && i < 16; i++)
            outputs(xm_sexpr_at(sx, i));
    }
    xm_sexpr_free(sx);
    return 0;
}
