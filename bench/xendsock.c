/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/xendsock.c: the cost of one xend request over a Unix socket as
 * this build makes it: with CURLOPT_UNIX_SOCKET_PATH (make), or through
 * the open-socket callback that replaces the address (make FLOOR=1,
 * libcurl before 7.40). bench/compat.sh runs both builds side by side.
 *
 * Each request is what xenmig does for GET /xend/node: a fresh libcurl
 * transfer and connection (xend closes after each reply) to a canned
 * server, tests/support/httpd.c, whose one thread answers with a 200
 * and a 1 KiB SXP body. Baseline, in the same program: the same
 * request to the same server over TCP on 127.0.0.1. Unix and TCP runs
 * alternate; each figure is the median over the runs.
 *
 *   build/bench-xendsock [requests [runs]]     defaults: 2000, 7
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "bench/util/median.h"
#include "lib/internal.h"
#include "tests/support/httpd.h"
#include "xend-client/xend.h"

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Microseconds a request over @n requests to @h, or -1. */
static double
run(httpd *h, int n)
{
    xenmig_conn *conn = NULL;
    xm_xend_reply reply;
    xenmig_error err;
    double t0, t1;
    int i, rc = 0;

    if (xenmig_conn_open(&conn, httpd_uri(h), &err)) {
        fprintf(stderr, "bench-xendsock: %s\n", err.msg);
        return -1;
    }
    xm_xend_reply_init(&reply);
    t0 = now_s();
    for (i = 0; i < n && rc == 0; i++) {
        rc = xm_xend_request(&reply, conn, "GET", "/xend/node", NULL, 0,
                             0, &err);
        if (rc == 0 && reply.status != 200)
            rc = -1;
    }
    t1 = now_s();
    if (rc)
        fprintf(stderr, "bench-xendsock: %s: request %d failed: %s\n",
                httpd_uri(h), i, err.msg);
    xm_xend_reply_dispose(&reply);
    xenmig_conn_free(conn);
    return rc ? -1 : (t1 - t0) / n * 1e6;
}

int
main(int argc, char **argv)
{
    char body[1024 + 1];
    double us[2][31], m[2];
    httpd *h[2];
    int n = 2000, runs = 7;
    int i, k;
    long long v;

    if (argc > 1 && xm_parse_ll(&v, argv[1], 1, 1000000) == 0)
        n = (int)v;
    if (argc > 2 && xm_parse_ll(&v, argv[2], 1, 31) == 0)
        runs = (int)v;
    memset(body, 'x', sizeof(body) - 1);
    memcpy(body, "((node (host bench) (xen_major 4) (xen_minor 4) (x ", 51);
    memcpy(body + sizeof(body) - 4, "))\n", 4);
    h[0] = httpd_start(true);
    h[1] = httpd_start(false);
    if (!h[0] || !h[1] || httpd_push_sxp(h[0], "200 OK", body) ||
        httpd_push_sxp(h[1], "200 OK", body)) {
        fprintf(stderr, "bench-xendsock: cannot start the servers\n");
        return 1;
    }
    /* warm up both: the first connection pays for library set-up */
    if (run(h[0], 10) < 0 || run(h[1], 10) < 0)
        return 1;
    for (i = 0; i < runs; i++) {
        for (k = 0; k < 2; k++) {
            int w = (i + k) % 2;

            us[w][i] = run(h[w], n);
            if (us[w][i] < 0)
                return 1;
        }
    }
    m[0] = bench_median(us[0], runs);
    m[1] = bench_median(us[1], runs);
    printf("xend request, GET /xend/node, %d requests x %d runs "
           "(median), libcurl %s, %s\n", n, runs, LIBCURL_VERSION,
#ifdef XM_FLOOR
           "floor build: open-socket callback"
#else
           "CURLOPT_UNIX_SOCKET_PATH where libcurl has it"
#endif
           );
    printf("  unix  %9.1f us/request\n", m[0]);
    printf("  tcp   %9.1f us/request\n", m[1]);
    printf("  unix / tcp: %.3f\n", m[0] / m[1]);
    httpd_stop(h[0]);
    httpd_stop(h[1]);
    return 0;
}
