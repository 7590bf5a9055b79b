/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_evac_plan.c: the placement planner of xenmig evacuate
 * (xenmig/evac_plan.c, a pure function: hosts made up here)
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "xenmig/evac_plan.h"

#define CAPS "xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32 hvm-3.0-x86_64"

static const char *const no_names[] = { NULL };

static void
dest(struct evac_dest *d, const char *name, uint64_t free_mib)
{
    memset(d, 0, sizeof(*d));
    d->name = name;
    d->usable = 1;
    d->free_mib = free_mib;
    d->xen_caps = CAPS;
    d->names = no_names;
    d->uuids = no_names;
}

static void
dom(struct evac_dom *x, const char *name, uint64_t mib)
{
    memset(x, 0, sizeof(*x));
    x->name = name;
    x->uuid = "";
    x->memory_mib = mib;
}

/* Spread: most free first; the biggest goes first; memory adds up. */
static void
test_evac_plan__spread_biggest_first(void)
{
    struct evac_dest d[2];
    struct evac_dom x[4];

    dest(&d[0], "b", 1000);
    dest(&d[1], "c", 800);
    dom(&x[0], "small", 100);
    dom(&x[1], "big", 700);
    dom(&x[2], "mid", 400);
    dom(&x[3], "mid2", 400);
    CU_ASSERT_EQUAL(evac_plan(x, 4, d, 2, CAPS, EVAC_SPREAD), 4);
    CU_ASSERT_EQUAL(x[1].order, 0);          /* big first */
    CU_ASSERT_EQUAL(x[1].dest, 0);           /* b: 1000 free */
    CU_ASSERT_EQUAL(x[2].dest, 1);           /* mid: b has 300 left */
    CU_ASSERT_EQUAL(x[3].dest, 1);           /* mid2: c has 400 left */
    CU_ASSERT_EQUAL(x[0].dest, 0);           /* small: b 300, c 0 */
    CU_ASSERT_EQUAL(d[0].planned_mib + d[1].planned_mib, 1600);
    CU_ASSERT_TRUE(d[0].planned_mib <= 1000 && d[1].planned_mib <= 800);
}

/* Pack: the tightest fit, so one host fills before the next. */
static void
test_evac_plan__pack_fills_one_host(void)
{
    struct evac_dest d[2];
    struct evac_dom x[3];

    dest(&d[0], "b", 1000);
    dest(&d[1], "c", 500);
    dom(&x[0], "a1", 300);
    dom(&x[1], "a2", 200);
    dom(&x[2], "a3", 500);
    CU_ASSERT_EQUAL(evac_plan(x, 3, d, 2, CAPS, EVAC_PACK), 3);
    CU_ASSERT_EQUAL(x[2].dest, 1);           /* 500 into c exactly */
    CU_ASSERT_EQUAL(x[0].dest, 0);
    CU_ASSERT_EQUAL(x[1].dest, 0);
}

/* No room after the earlier placements: reported, left alone. */
static void
test_evac_plan__no_room_is_reported(void)
{
    struct evac_dest d[1];
    struct evac_dom x[2];

    dest(&d[0], "b", 600);
    dom(&x[0], "a1", 400);
    dom(&x[1], "a2", 300);
    CU_ASSERT_EQUAL(evac_plan(x, 2, d, 1, CAPS, EVAC_SPREAD), 1);
    CU_ASSERT_EQUAL(x[0].dest, 0);
    CU_ASSERT_EQUAL(x[1].dest, -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(x[1].why,
                                  "b: 200 MiB free after the plan"));
}

/* A clash of name or UUID, a missing xen_caps, an unusable host. */
static void
test_evac_plan__checks_each_destination(void)
{
    static const char *const names[] = { "web01", "other" };
    static const char *const uuids[] = { "u-1", "u-9" };
    struct evac_dest d[3];
    struct evac_dom x[3];

    dest(&d[0], "b", 4000);
    d[0].names = names;
    d[0].uuids = uuids;
    d[0].ndomains = 2;
    dest(&d[1], "c", 3000);
    d[1].xen_caps = "xen-3.0-x86_64 xen-3.0-x86_32p";
    dest(&d[2], "d", 2000);
    d[2].usable = 0;
    d[2].why_not = "relocation refused";
    dom(&x[0], "web01", 100);                /* name clash on b */
    dom(&x[1], "db", 100);
    x[1].uuid = "u-9";                       /* UUID clash on b */
    x[1].hvm = 1;                            /* and c has no hvm */
    dom(&x[2], "app", 100);
    CU_ASSERT_EQUAL(evac_plan(x, 3, d, 3, CAPS, EVAC_SPREAD), 2);
    CU_ASSERT_EQUAL(x[0].dest, 1);
    CU_ASSERT_EQUAL(x[1].dest, -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(x[1].why, "b: already has"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x[1].why,
                                  "c: lacks xen_caps 'hvm-3.0-x86_32'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x[1].why, "d: relocation refused"));
    CU_ASSERT_EQUAL(x[2].dest, 0);
}

/* Two domains of one name are never sent to one host. */
static void
test_evac_plan__no_two_of_a_name_to_one_host(void)
{
    struct evac_dest d[2];
    struct evac_dom x[2];

    dest(&d[0], "b", 4000);
    dest(&d[1], "c", 100);
    dom(&x[0], "twin", 100);
    x[0].uuid = "u-1";
    dom(&x[1], "twin", 100);
    x[1].uuid = "u-2";
    CU_ASSERT_EQUAL(evac_plan(x, 2, d, 2, CAPS, EVAC_PACK), 2);
    CU_ASSERT_NOT_EQUAL(x[0].dest, x[1].dest);
}

static CU_TestInfo test_evac_plan_tests[] = {
    { "spread_biggest_first", test_evac_plan__spread_biggest_first },
    { "pack_fills_one_host", test_evac_plan__pack_fills_one_host },
    { "no_room_is_reported", test_evac_plan__no_room_is_reported },
    { "checks_each_destination",
      test_evac_plan__checks_each_destination },
    { "no_two_of_a_name_to_one_host",
      test_evac_plan__no_two_of_a_name_to_one_host },
    CU_TEST_INFO_NULL
};

CU_SuiteInfo test_evac_plan_suite = {
    "evac_plan", NULL, NULL, NULL, NULL, test_evac_plan_tests
};
