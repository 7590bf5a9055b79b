/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * alloc.c: checked allocation (with an injectable failure in tests)
 */
#include <stdlib.h>
#include <string.h>

#include "lib/internal.h"

#ifdef XM_TEST_HOOKS
/*
 * Injected allocation failure, compiled only into the test build
 * (-DXM_TEST_HOOKS: build/obj-test/lib/alloc.o, linked into run-tests
 * ahead of the library). The counters are process-wide and not locked:
 * they serve single-threaded allocation-failure tests only, and the
 * library that ships has neither them nor their data race.
 */
static unsigned long fail_at;
static unsigned long alloc_count;

static bool
should_fail(void)
{
    alloc_count++;
    if (fail_at == 0)
        return false;
    if (--fail_at == 0)
        return true;
    return false;
}

void
xm_alloc_fail_at(unsigned long n)
{
    fail_at = n;
}

unsigned long
xm_alloc_count(void)
{
    return alloc_count;
}
#else
# define should_fail() false
#endif

void *
xm_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *
xm_calloc(size_t nmemb, size_t size)
{
    if (should_fail())
        return NULL;
    if (nmemb == 0 || size == 0)
        return calloc(1, 1);
    return calloc(nmemb, size);
}

void *
xm_reallocarray(void *ptr, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    if (should_fail())
        return NULL;
    if (nmemb == 0 || size == 0)
        return realloc(ptr, 1);
    return realloc(ptr, nmemb * size);
}

char *
xm_strndup(const char *s, size_t n)
{
    char *p;

    if (n == SIZE_MAX)
        return NULL;
    p = xm_malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
xm_strdup(const char *s)
{
    return xm_strndup(s, strlen(s));
}

void
xm_free(void *ptr)
{
    free(ptr);
}
