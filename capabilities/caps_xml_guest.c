/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps_xml_guest.c: reading one <guest> of a <capabilities> document
 *
 * The OS type, the <arch> (its name, word size, emulator, loader and
 * first machine) and the <features> (pae or nonpae; acpi, apic, hap
 * and viridian as default/toggle pairs), into one xm_caps_guest.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/chvalid.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "capabilities/caps_xml.h"

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
        rc = xm_cx_bad(err, f, "'default' of '%s' is not on or off",
                       (const char *)f->name);
    if (t && strcmp((const char *)t, "yes") == 0)
        *out |= XM_CAPS_F_TOGGLE;
    else if (t && strcmp((const char *)t, "no") != 0)
        rc = xm_cx_bad(err, f, "'toggle' of '%s' is not yes or no",
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
        if (xm_cx_is_elem(f, "pae", 0))
            g->pae = 1;
        else if (xm_cx_is_elem(f, "nonpae", 0))
            g->nonpae = 1;
        else if (xm_cx_is_elem(f, "ia64_be", 0))
            g->ia64_be = 1;
        for (i = 0; i < XM_CAPS_NFEAT; i++) {
            if (xm_cx_is_elem(f, xm_cx_feat_names[i], 0) &&
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

    if (xm_cx_is_elem(a, "emulator", 0)) {
        dst = g->emulator;
        size = sizeof(g->emulator);
    } else if (xm_cx_is_elem(a, "loader", 0)) {
        dst = g->loader;
        size = sizeof(g->loader);
    } else if (xm_cx_is_elem(a, "machine", 0)) {
        if (g->machine[0])
            return 0;   /* the first of several */
        dst = g->machine;
        size = sizeof(g->machine);
    } else {
        return 0;
    }
    if (xm_cx_text_of(text, size, a, err))
        return XENMIG_EPARSE;
    if (dst != g->machine && !xm_caps_path_ok(text))
        return xm_cx_bad(err, a, "'%s' is not an absolute path: '%.60s'",
                         (const char *)a->name, text);
    if (dst == g->machine &&
        (!text[0] || strspn(text, "abcdefghijklmnopqrstuvwxyz"
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
         != strlen(text)))
        return xm_cx_bad(err, a, "xm_cx_bad machine '%.40s'", text);
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
        return xm_cx_bad(err, c, "guest 'arch' without a valid name");
    }
    xmlFree(name);
    for (a = c->children; a; a = a->next) {
        if (read_arch_child(g, a, err))
            return XENMIG_EPARSE;
        if (!xm_cx_is_elem(a, "wordsize", 0))
            continue;
        if (xm_cx_text_of(ws, sizeof(ws), a, err))
            return XENMIG_EPARSE;
        if (xm_parse_int(&g->wordsize, ws, 8, 128) ||
            (g->wordsize != 32 && g->wordsize != 64))
            return xm_cx_bad(err, a, "wordsize is not 32 or 64: '%s'", ws);
    }
    if (!g->wordsize)
        return xm_cx_bad(err, c, "guest 'arch' without 'wordsize'");
    return 0;
}

int
xm_cx_read_guest(xm_caps_guest *g, xmlNodePtr guest, xenmig_error *err)
{
    char os[16];
    xmlNodePtr c;
    int have_os = 0, have_arch = 0;

    memset(g, 0, sizeof(*g));
    for (c = guest->children; c; c = c->next) {
        if (xm_cx_is_elem(c, "os_type", 0)) {
            if (xm_cx_text_of(os, sizeof(os), c, err))
                return XENMIG_EPARSE;
            if (strcmp(os, "xen") && strcmp(os, "hvm"))
                return xm_cx_bad(err, c, "unknown os_type '%s'", os);
            xm_strlcpy(g->os_type, os, sizeof(g->os_type));
            have_os = 1;
        } else if (xm_cx_is_elem(c, "arch", 0)) {
            if (read_guest_arch(g, c, err))
                return XENMIG_EPARSE;
            have_arch = 1;
        } else if (xm_cx_is_elem(c, "features", 0)) {
            if (read_guest_features(g, c, err))
                return XENMIG_EPARSE;
        }
    }
    if (!have_os || !have_arch)
        return xm_cx_bad(err, guest, "'guest' without '%s'",
                         have_os ? "arch" : "os_type");
    return 0;
}
