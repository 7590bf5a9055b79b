/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * run-tests.c: the CUnit runner; every tests/test_<module>.c suite is
 * registered from the generated suites.h.
 *
 * usage: run-tests [suite ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#define XM_SUITE(name) extern CU_SuiteInfo test_##name##_suite;
#include "suites.h"
#undef XM_SUITE

static CU_SuiteInfo *all_suites[] = {
#define XM_SUITE(name) &test_##name##_suite,
#include "suites.h"
#undef XM_SUITE
    NULL
};

static int
wanted(const char *name, int argc, char **argv)
{
    int i;

    if (argc < 2)
        return 1;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], name) == 0)
            return 1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    CU_SuiteInfo one[2] = { CU_SUITE_INFO_NULL, CU_SUITE_INFO_NULL };
    unsigned int failed, run;
    size_t i;
    int found = 0;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (i = 0; all_suites[i]; i++) {
        if (!wanted(all_suites[i]->pName, argc, argv))
            continue;
        one[0] = *all_suites[i];
        if (CU_register_suites(one) != CUE_SUCCESS) {
            fprintf(stderr, "run-tests: cannot register '%s': %s\n",
                    one[0].pName, CU_get_error_msg());
            CU_cleanup_registry();
            return 2;
        }
        found++;
    }
    if (!found) {
        fprintf(stderr, "run-tests: no such suite\n");
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() +
             CU_get_number_of_suites_failed();
    run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (run == 0) {
        fprintf(stderr, "run-tests: no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}
