/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * median.h: the median of a benchmark's runs, shared by the C
 * benchmarks (each a program of its own: static, header only).
 */
#ifndef XM_BENCH_MEDIAN_H
#define XM_BENCH_MEDIAN_H

#include <stdlib.h>

/* qsort(3) order of doubles, smallest first. */
static inline int
bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The median of @v[0..n-1] (sorted in place; n > 0). */
static inline double
bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
