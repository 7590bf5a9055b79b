/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps_xml.h: what the files of libvirt's <capabilities> XML share
 * (not installed)
 *
 * caps_xml_write.c writes the document; caps_xml_read.c reads it back
 * (document, xenmig extension) with caps_xml_host.c (<host>) and
 * caps_xml_guest.c (<guest>). The helpers below (xm_cx_: capabilities
 * XML) are the reader's: each error is XENMIG_EPARSE naming the line.
 */
#ifndef XENMIG_CAPS_XML_H
#define XENMIG_CAPS_XML_H

#include <libxml/tree.h>

#include "capabilities/caps.h"

#define X(s) ((const xmlChar *)(s))
#define XM_CAPS_MAX_TEXT 1024

/* Names of XM_CAPS_T_* and XM_CAPS_F_* in the document. */
extern const char *const xm_cx_transport_names[3];
/* written xenmigr first: what libvirt's xen driver lists */
extern const unsigned int xm_cx_transport_order[3];
extern const char *const xm_cx_feat_names[XM_CAPS_NFEAT];

/* An XENMIG_EPARSE naming the line of @node. */
int xm_cx_bad(xenmig_error *err, xmlNodePtr node, const char *fmt, ...)
    XM_PRINTF(3, 4);

/* @n is the element @name, in the xenmig namespace when @ours, in no
 * namespace otherwise. */
int xm_cx_is_elem(xmlNodePtr n, const char *name, int ours);

/* The text of @n, trimmed of blanks, into @buf (@size bytes). */
int xm_cx_text_of(char *buf, size_t size, xmlNodePtr n, xenmig_error *err);

/* @n has no text (blanks aside) and no child element. */
int xm_cx_must_be_empty(xmlNodePtr n, xenmig_error *err);

/* The attribute @name of @n as an int in [@min, @max] into *out;
 * *out unchanged when absent. */
int xm_cx_int_prop(int *out, xmlNodePtr n, const char *name, int min,
                   int max, xenmig_error *err);

/* The status= attribute of @n (XENMIG_RELOC_*; UNKNOWN when absent). */
int xm_cx_status_prop(int *out, xmlNodePtr n, xenmig_error *err);

/* <host> into @caps (caps_xml_host.c). */
int xm_cx_read_host(xenmig_caps *caps, xmlNodePtr host, xenmig_error *err);

/* One <guest> into @g (caps_xml_guest.c). */
int xm_cx_read_guest(xm_caps_guest *g, xmlNodePtr guest, xenmig_error *err);

#endif /* XENMIG_CAPS_XML_H */
