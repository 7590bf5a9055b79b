/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * evac_plan.c: the placement of an evacuation (see evac_plan.h). No
 * I/O: every fact comes in through the arguments, so the unit tests
 * (tests/test_evac_plan.c) try it on any set of hosts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenmig.h"

#include "evac_plan.h"

/* Biggest first, then by name: the order is the same on every run. */
static int
by_size(const void *a, const void *b)
{
    const struct evac_dom *x = *(const struct evac_dom *const *)a;
    const struct evac_dom *y = *(const struct evac_dom *const *)b;

    if (x->memory_mib != y->memory_mib)
        return x->memory_mib > y->memory_mib ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Does @d run, or get sent, a domain named @name or with UUID @uuid? */
static int
clashes(const struct evac_dest *d, size_t di, const char *name,
        const char *uuid, struct evac_dom *const *placed, size_t nplaced)
{
    size_t i;

    for (i = 0; i < d->ndomains; i++) {
        if (strcmp(d->names[i], name) == 0 ||
            (*uuid && d->uuids[i] && strcmp(d->uuids[i], uuid) == 0))
            return 1;
    }
    for (i = 0; i < nplaced; i++) {
        if (placed[i]->dest == (int)di &&
            (strcmp(placed[i]->name, name) == 0 ||
             (*uuid && strcmp(placed[i]->uuid, uuid) == 0)))
            return 1;
    }
    return 0;
}

/* Place one domain; why it could not go anywhere into dom->why. */
static void
place_one(struct evac_dom *dom, struct evac_dest *dests, size_t ndests,
          const char *src_caps, enum evac_place place,
          struct evac_dom *const *placed, size_t nplaced)
{
    char missing[64];
    uint64_t left, best_left = 0;
    size_t i;
    int best = -1;
    char *w = dom->why;
    size_t wlen = sizeof(dom->why), k;

    dom->dest = -1;
    w[0] = '\0';
    for (i = 0; i < ndests; i++) {
        struct evac_dest *d = &dests[i];
        const char *no = NULL;
        char buf[160];

        left = d->free_mib > d->planned_mib ?
               d->free_mib - d->planned_mib : 0;
        if (!d->usable) {
            no = d->why_not ? d->why_not : "not usable";
        } else if (!xenmig_xen_caps_compatible(src_caps, d->xen_caps,
                                               dom->hvm, missing,
                                               sizeof(missing))) {
            snprintf(buf, sizeof(buf), "lacks xen_caps '%s'", missing);
            no = buf;
        } else if (left < dom->memory_mib) {
            snprintf(buf, sizeof(buf), "%llu MiB free after the plan, "
                     "needs %llu", (unsigned long long)left,
                     (unsigned long long)dom->memory_mib);
            no = buf;
        } else if (clashes(d, i, dom->name, dom->uuid, placed, nplaced)) {
            no = "already has or gets a domain of that name or UUID";
        }
        if (no) {
            k = strlen(w);
            if (k + 4 < wlen)
                snprintf(w + k, wlen - k, "%s%s: %s", k ? "; " : "",
                         d->name, no);
            continue;
        }
        if (best < 0 ||
            (place == EVAC_SPREAD ? left > best_left : left < best_left)) {
            best = (int)i;
            best_left = left;
        }
    }
    if (best < 0)
        return;
    dom->dest = best;
    dom->why[0] = '\0';
    dests[best].planned_mib += dom->memory_mib;
    dests[best].planned++;
}

size_t
evac_plan(struct evac_dom *doms, size_t ndoms, struct evac_dest *dests,
          size_t ndests, const char *src_caps, enum evac_place place)
{
    struct evac_dom **order;
    size_t i, nplaced = 0;

    for (i = 0; i < ndests; i++) {
        dests[i].planned_mib = 0;
        dests[i].planned = 0;
    }
    for (i = 0; i < ndoms; i++) {
        doms[i].dest = -1;
        snprintf(doms[i].why, sizeof(doms[i].why), "out of memory");
    }
    order = calloc(ndoms ? ndoms : 1, sizeof(*order));
    if (!order)
        return 0;
    for (i = 0; i < ndoms; i++)
        order[i] = &doms[i];
    qsort(order, ndoms, sizeof(*order), by_size);
    for (i = 0; i < ndoms; i++) {
        order[i]->order = (unsigned int)i;
        place_one(order[i], dests, ndests, src_caps, place, order, i);
        if (order[i]->dest >= 0)
            nplaced++;
    }
    free(order);
    return nplaced;
}
