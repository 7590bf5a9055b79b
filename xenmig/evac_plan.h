/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * evac_plan.h: where each domain of an evacuation goes (a pure
 * function of what the hosts said; evac_plan.c)
 */
#ifndef XENMIG_EVAC_PLAN_H
#define XENMIG_EVAC_PLAN_H

#include <stddef.h>
#include <stdint.h>

#define EVAC_WHY 400

enum evac_place { EVAC_SPREAD = 0, EVAC_PACK = 1 };

/* A destination as the pre-flight found it. */
struct evac_dest {
    const char *name;               /* as given to --to */
    int usable;                     /* xend answered, relocation reachable */
    const char *why_not;            /* when not usable: why */
    uint64_t free_mib;              /* free memory before the plan */
    const char *xen_caps;           /* its xen_caps, "" when unknown */
    const char *const *names;       /* domains running there: names, */
    const char *const *uuids;       /* and UUIDs ("" unknown) */
    size_t ndomains;
    uint64_t planned_mib;           /* out: memory the plan sends */
    unsigned int planned;           /* out: domains the plan sends */
};

/* A domain to move. */
struct evac_dom {
    const char *name;
    const char *uuid;
    uint64_t memory_mib;
    int hvm;
    int dest;                       /* out: index into the dests, or -1 */
    char why[EVAC_WHY];             /* out: with -1, why no destination */
    unsigned int order;             /* out: 0 = first to move */
};

/*
 * Place @doms (their order does not matter) on @dests: biggest memory
 * first (then by name), each on a usable destination that offers the
 * source's xen_caps of its kind (@src_caps), has room for it after the
 * domains placed there before, and runs no domain of its name or UUID
 * nor is sent one. EVAC_SPREAD takes the destination with the most
 * free memory left, EVAC_PACK the one with the least that still fits;
 * a tie goes to the earlier destination. Fills each dom's dest, why
 * and order, each dest's planned counts. Returns how many were placed.
 */
size_t evac_plan(struct evac_dom *doms, size_t ndoms,
                 struct evac_dest *dests, size_t ndests,
                 const char *src_caps, enum evac_place place);

#endif /* XENMIG_EVAC_PLAN_H */
