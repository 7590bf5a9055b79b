/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps_xml_host.c: reading <host> of a <capabilities> document
 *
 * <cpu> (arch and features), <migration_features> (live, the URI
 * transports), <power_management> and the NUMA <topology> (cells and
 * their CPUs), into the capabilities object, with the limits caps.h
 * states.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/chvalid.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "capabilities/caps_xml.h"

static int
read_cpu(xenmig_caps *caps, xmlNodePtr cpu, xenmig_error *err)
{
    char arch[32];
    xmlNodePtr c, f;
    int have_arch = 0;

    for (c = cpu->children; c; c = c->next) {
        if (xm_cx_is_elem(c, "arch", 0)) {
            if (xm_cx_text_of(arch, sizeof(arch), c, err))
                return XENMIG_EPARSE;
            if (!arch[0] || strspn(arch, "abcdefghijklmnopqrstuvwxyz"
                                   "0123456789_") != strlen(arch))
                return xm_cx_bad(err, c, "xm_cx_bad cpu arch '%s'", arch);
            xm_free(caps->arch);
            caps->arch = xm_strdup(arch);
            if (!caps->arch)
                return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
            have_arch = 1;
        } else if (xm_cx_is_elem(c, "features", 0)) {
            for (f = c->children; f; f = f->next) {
                if (xm_cx_is_elem(f, "pae", 0))
                    caps->host_pae = 1;
                else if (xm_cx_is_elem(f, "vmx", 0))
                    caps->host_vmx = 1;
                else if (xm_cx_is_elem(f, "svm", 0))
                    caps->host_svm = 1;
            }
        }
    }
    if (!have_arch)
        return xm_cx_bad(err, cpu, "'cpu' without 'arch'");
    return 0;
}

static int
read_migration(xenmig_caps *caps, xmlNodePtr mf, xenmig_error *err)
{
    char name[16];
    xmlNodePtr c, t;
    size_t i;

    for (c = mf->children; c; c = c->next) {
        if (xm_cx_is_elem(c, "live", 0)) {
            if (xm_cx_must_be_empty(c, err))
                return XENMIG_EPARSE;
            caps->live = 1;
        } else if (xm_cx_is_elem(c, "uri_transports", 0)) {
            for (t = c->children; t; t = t->next) {
                if (t->type != XML_ELEMENT_NODE)
                    continue;
                if (!xm_cx_is_elem(t, "uri_transport", 0))
                    return xm_cx_bad(err, t, "unexpected '%s' in "
                                     "'uri_transports'", (const char *)t->name);
                if (xm_cx_text_of(name, sizeof(name), t, err))
                    return XENMIG_EPARSE;
                for (i = 0; i < XM_ARRAY_SIZE(xm_cx_transport_names); i++) {
                    if (strcmp(name, xm_cx_transport_names[i]) == 0)
                        break;
                }
                if (i == XM_ARRAY_SIZE(xm_cx_transport_names))
                    return xm_cx_bad(err, t, "unknown uri_transport '%s'",
                                     name);
                caps->transports |= 1u << i;
            }
        } else if (c->type == XML_ELEMENT_NODE) {
            return xm_cx_bad(err, c, "unexpected '%s' in 'migration_features'",
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
        if (!xm_cx_is_elem(c, "cpu", 0))
            continue;
        if (caps->ncpus >= XM_CAPS_MAX_CPUS)
            return xm_cx_bad(err, c, "more than %d topology cpus",
                             XM_CAPS_MAX_CPUS);
        id = -1;
        if (xm_cx_int_prop(&id, c, "id", 0, 1000000, err))
            return XENMIG_EPARSE;
        if (id < 0)
            return xm_cx_bad(err, c, "'cpu' without 'id'");
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
        return xm_cx_bad(err, topo, "more than one 'topology'");
    caps->cells = xm_calloc(XM_CAPS_MAX_CELLS, sizeof(*caps->cells));
    caps->cpus = xm_calloc(XM_CAPS_MAX_CPUS, sizeof(*caps->cpus));
    if (!caps->cells || !caps->cpus)
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    for (cells = topo->children; cells; cells = cells->next) {
        if (!xm_cx_is_elem(cells, "cells", 0))
            continue;
        for (cell = cells->children; cell; cell = cell->next) {
            xm_caps_cell *x;

            if (!xm_cx_is_elem(cell, "cell", 0))
                continue;
            if (caps->ncells >= XM_CAPS_MAX_CELLS)
                return xm_cx_bad(err, cell, "more than %d cells",
                                 XM_CAPS_MAX_CELLS);
            x = &caps->cells[caps->ncells++];
            x->id = -1;
            x->first = caps->ncpus;
            if (xm_cx_int_prop(&x->id, cell, "id", 0, 1000000, err))
                return XENMIG_EPARSE;
            if (x->id < 0)
                return xm_cx_bad(err, cell, "'cell' without 'id'");
            for (c = cell->children; c; c = c->next) {
                if (xm_cx_is_elem(c, "cpus", 0) &&
                    read_cell_cpus(caps, x, c, err))
                    return XENMIG_EPARSE;
            }
        }
    }
    return 0;
}

int
xm_cx_read_host(xenmig_caps *caps, xmlNodePtr host, xenmig_error *err)
{
    xmlNodePtr c;
    int have_cpu = 0;
    int rc;

    for (c = host->children; c; c = c->next) {
        if (xm_cx_is_elem(c, "cpu", 0)) {
            rc = read_cpu(caps, c, err);
            if (rc)
                return rc;
            have_cpu = 1;
        } else if (xm_cx_is_elem(c, "migration_features", 0)) {
            rc = read_migration(caps, c, err);
            if (rc)
                return rc;
        } else if (xm_cx_is_elem(c, "power_management", 0)) {
            caps->power_management = 1;
        } else if (xm_cx_is_elem(c, "topology", 0)) {
            rc = read_topology(caps, c, err);
            if (rc)
                return rc;
        }
    }
    if (!have_cpu)
        return xm_cx_bad(err, host, "'host' without 'cpu'");
    return 0;
}

/* A <feature default= toggle=/> into XM_CAPS_F_* bits. */
