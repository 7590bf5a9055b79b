/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * caps_topology.c: NUMA cells for <topology> from xend's node fields
 *
 * xend 3.2-4.0 print node_to_cpu as "node<N>:<cpus>" entries separated
 * by blanks and newlines, <cpus> being "0-3,6" or "no cpus" (and the
 * whole field "none" when Xen gave nothing). 4.1-4.4 print instead a
 * cpu_topology table, one "<cpu>: <core> <socket> <node>" line per
 * CPU under a header line; their numa_info is never usable (xend
 * prints "none"), so cells come from the table.
 */
#include <string.h>

#include "capabilities/caps.h"

/* A number of at most 5 digits at *@p in [0, @max]; advances *@p. */
static int
scan_num(int *out, const char **p, int max)
{
    char digits[8];
    size_t n = strspn(*p, "0123456789");

    if (n == 0 || n > 5)
        return -1;
    memcpy(digits, *p, n);
    digits[n] = '\0';
    if (xm_parse_int(out, digits, 0, max))
        return -1;
    *p += n;
    return 0;
}

static void
skip_blanks(const char **p)
{
    *p += strspn(*p, " \t\r\n");
}

typedef struct topo {
    xm_caps_cell cells[XM_CAPS_MAX_CELLS];
    size_t ncells;
    int *cpus;             /* XM_CAPS_MAX_CPUS */
    size_t ncpus;
} topo;

static int
add_cell(topo *t, int id)
{
    if (t->ncells >= XM_CAPS_MAX_CELLS)
        return -1;
    t->cells[t->ncells].id = id;
    t->cells[t->ncells].first = t->ncpus;
    t->cells[t->ncells].ncpus = 0;
    t->ncells++;
    return 0;
}

/* Append @cpu to the last cell. */
static int
add_cpu(topo *t, int cpu)
{
    if (t->ncpus >= XM_CAPS_MAX_CPUS || t->ncells == 0)
        return -1;
    t->cpus[t->ncpus++] = cpu;
    t->cells[t->ncells - 1].ncpus++;
    return 0;
}

/* "0-3,6" at *@p: the CPUs of the last cell, each below @limit. */
static int
scan_cpu_list(topo *t, const char **p, int limit)
{
    for (;;) {
        int a, b, c;

        if (scan_num(&a, p, limit - 1))
            return -1;
        b = a;
        if (**p == '-') {
            (*p)++;
            if (scan_num(&b, p, limit - 1) || b < a)
                return -1;
        }
        for (c = a; c <= b; c++) {
            if (add_cpu(t, c))
                return -1;
        }
        if (**p != ',')
            return 0;
        (*p)++;
    }
}

static int
parse_node_to_cpu(topo *t, const char *s, int limit)
{
    const char *p = s;

    skip_blanks(&p);
    if (strncmp(p, "none", 4) == 0) {
        p += 4;
        skip_blanks(&p);
        return *p ? -1 : 0;
    }
    while (*p) {
        int id;

        if (strncmp(p, "node", 4) != 0)
            return -1;
        p += 4;
        if (scan_num(&id, &p, 65535) || *p != ':' || add_cell(t, id))
            return -1;
        p++;
        skip_blanks(&p);
        if (strncmp(p, "no cpus", 7) == 0)
            p += 7;
        else if (scan_cpu_list(t, &p, limit))
            return -1;
        if (*p && !strchr(" \t\r\n", *p))
            return -1;
        skip_blanks(&p);
    }
    return 0;
}

/* One "<cpu>: <core> <socket> <node>" line into @cpu, @node. */
static int
scan_topology_line(const char **p, int *cpu, int *node, int limit)
{
    int core, socket;

    skip_blanks(p);
    if (scan_num(cpu, p, limit - 1) || **p != ':')
        return -1;
    (*p)++;
    skip_blanks(p);
    if (scan_num(&core, p, 65535))
        return -1;
    skip_blanks(p);
    if (scan_num(&socket, p, 65535))
        return -1;
    skip_blanks(p);
    if (scan_num(node, p, 65535))
        return -1;
    if (**p && !strchr(" \t\r\n", **p))
        return -1;
    return 0;
}

/* The lowest node above @last of the CPUs seen, -1 if none. */
static int
next_node(const unsigned char *seen, const int *node_of, int maxcpu,
          int last)
{
    int best = -1;
    int c;

    for (c = 0; c <= maxcpu; c++) {
        if (seen[c] && node_of[c] > last &&
            (best < 0 || node_of[c] < best))
            best = node_of[c];
    }
    return best;
}

static int
parse_cpu_topology(topo *t, const char *s, int limit)
{
    unsigned char seen[XM_CAPS_MAX_CPUS];
    int *node_of = xm_calloc(XM_CAPS_MAX_CPUS, sizeof(*node_of));
    const char *p = s;
    int maxcpu = -1, node = -1;
    int cpu, c, rc = -1;

    if (!node_of)
        return -1;
    memset(seen, 0, sizeof(seen));
    skip_blanks(&p);
    if (strncmp(p, "cpu:", 4) != 0)
        goto out;
    p += strcspn(p, "\n");
    skip_blanks(&p);
    while (*p) {
        if (scan_topology_line(&p, &cpu, &node, limit) || seen[cpu])
            goto out;
        seen[cpu] = 1;
        node_of[cpu] = node;
        if (cpu > maxcpu)
            maxcpu = cpu;
        skip_blanks(&p);
    }
    /* cells in node order, their CPUs in CPU order */
    node = -1;
    while ((node = next_node(seen, node_of, maxcpu, node)) >= 0) {
        if (add_cell(t, node))
            goto out;
        for (c = 0; c <= maxcpu; c++) {
            if (seen[c] && node_of[c] == node && add_cpu(t, c))
                goto out;
        }
    }
    rc = 0;
 out:
    xm_free(node_of);
    return rc;
}

int
xm_caps_set_topology(xenmig_caps *caps, const char *node_to_cpu,
                     const char *cpu_topology, int nr_cpus,
                     const char *host, xenmig_error *err)
{
    topo t;
    int limit = nr_cpus > 0 && nr_cpus < XM_CAPS_MAX_CPUS
              ? nr_cpus : XM_CAPS_MAX_CPUS;
    const char *field = NULL;
    xm_caps_cell *cells = NULL;
    int rc = 0;

    memset(&t, 0, sizeof(t));
    t.cpus = xm_calloc(XM_CAPS_MAX_CPUS, sizeof(*t.cpus));
    if (!t.cpus)
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    if (node_to_cpu && *node_to_cpu) {
        field = "node_to_cpu";
        if (strlen(node_to_cpu) > XM_CAPS_MAX_TOPOLOGY ||
            parse_node_to_cpu(&t, node_to_cpu, limit))
            rc = XENMIG_EPARSE;
    } else if (cpu_topology && *cpu_topology) {
        field = "cpu_topology";
        if (strlen(cpu_topology) > XM_CAPS_MAX_TOPOLOGY ||
            parse_cpu_topology(&t, cpu_topology, limit))
            rc = XENMIG_EPARSE;
    }
    if (rc) {
        xm_free(t.cpus);
        return xm_error_set(err, rc, "host '%.64s': %s is not a NUMA "
                            "layout of at most %d cells and %d CPUs",
                            host ? host : "", field, XM_CAPS_MAX_CELLS,
                            limit);
    }
    if (t.ncells) {
        cells = xm_calloc(t.ncells, sizeof(*cells));
        if (!cells) {
            xm_free(t.cpus);
            return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        }
        memcpy(cells, t.cells, t.ncells * sizeof(*cells));
    }
    xm_free(caps->cells);
    xm_free(caps->cpus);
    caps->cells = cells;
    caps->ncells = t.ncells;
    caps->cpus = t.cpus;
    caps->ncpus = t.ncpus;
    return 0;
}
