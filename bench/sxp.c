/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sxp.c: parse throughput of lib/sexpr.c on a realistic xend reply
 *
 * usage: bench-sxp [domains [runs]]      (defaults: 1000 domains, 15 runs)
 *
 * Builds the body of "GET /xend/domain?detail=1" for @domains running
 * domains, with the elements of reference 3.4 printed the way xend
 * prints them (bare atoms, single- and double-quoted strings, escapes,
 * and the trailing ''). Each run parses the text repeatedly and frees
 * the tree; the median over the runs is reported in MB/s (1 MB = 1e6
 * bytes), side by side with a named baseline run in the same program
 * on the same buffer:
 *
 *   baseline "memchr-parens": count the '(' and the ')' of the buffer
 *   with two memchr() loops, the least work any parser must do.
 *
 * Nothing here asserts a speed; the numbers go to docs/PERFORMANCE.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/util/median.h"
#include "lib/internal.h"
#include "lib/sexpr.h"

#define BENCH_MAX_TEXT ((size_t)XM_SEXPR_MAX_INPUT)
#define BENCH_MIN_RUN_NS 50000000.0   /* each run lasts at least 50 ms */

static uint32_t rng_state = 0x9e3779b9u;

static uint32_t
rng(void)
{
    uint32_t x = rng_state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static int
put_domain(xm_buf *b, int domid)
{
    static const char *const roles[] = { "web", "db", "cache", "build" };
    const char *role = roles[domid % 4];
    uint32_t r = rng();
    int mem = 256 << (r % 5);
    int rc = 0;

    rc |= xm_buf_printf(b, "(domain (domid %d) (cpu_weight 256) "
                        "(cpu_cap 0) (pool_name Pool-0) "
                        "(bootloader /usr/bin/pygrub) (vcpus %d) "
                        "(cpus (() ())) (on_poweroff destroy) ",
                        domid, 1 + (int)(r % 4));
    /* Both quote kinds: xend escapes the single quotes. */
    rc |= xm_buf_printf(b, "(description '%s server #%d, \"rack\" "
                        "\\'B\\'') ", role, domid);
    rc |= xm_buf_printf(b, "(on_crash restart) (uuid %08x-%04x-4%03x-"
                        "8%03x-%012x) (bootloader_args '') "
                        "(name %s-%05d) (on_reboot restart) "
                        "(maxmem %d) (memory %d) (shadow_memory 0) "
                        "(vcpu_avail '3') (features '') "
                        "(on_xend_start ignore) (on_xend_stop ignore) ",
                        (unsigned int)rng(), domid & 0xffff,
                        (unsigned int)(r & 0xfff),
                        (unsigned int)((r >> 12) & 0xfff),
                        (unsigned int)domid, role, domid, mem, mem);
    rc |= xm_buf_printf(b, "(start_time 14000%05d.%02u) "
                        "(cpu_time %u.%06u) (online_vcpus 2) ",
                        domid, (unsigned int)(r % 100),
                        (unsigned int)(rng() % 100000),
                        (unsigned int)(rng() % 1000000));
    rc |= xm_buf_printf(b, "(image (linux (kernel '') (args 'root=/dev/"
                        "xvda1 ro console=hvc0\\tquiet name=\\xe9t\\xe9') "
                        "(notes (HV_START_LOW '18446603336221196288') "
                        "(FEATURES '!writable_page_tables|"
                        "pae_pgdir_above_4gb') (VIRT_BASE "
                        "'18446744071562067968') (GUEST_VERSION 2.6) "
                        "(PADDR_OFFSET 0) (GUEST_OS linux) "
                        "(LOADER generic) (SUSPEND_CANCEL 1) "
                        "(XEN_VERSION xen-3.0)))) ");
    rc |= xm_buf_printf(b, "(status 2) (state %s) (store_mfn %u) "
                        "(console_mfn %u) ",
                        r % 3 ? "-b----" : "r-----",
                        (unsigned int)(123456 + 2 * domid),
                        (unsigned int)(123455 + 2 * domid));
    rc |= xm_buf_printf(b, "(device (vif (bridge xenbr0) "
                        "(mac 00:16:3e:%02x:%02x:%02x) "
                        "(script /etc/xen/scripts/vif-bridge) "
                        "(uuid %08x-0000-4000-8000-000000000001) "
                        "(backend 0))) ",
                        (domid >> 16) & 0xff, (domid >> 8) & 0xff,
                        domid & 0xff, (unsigned int)rng());
    rc |= xm_buf_printf(b, "(device (vbd (uname phy:/dev/vg0/%s-%05d) "
                        "(uuid %08x-0000-4000-8000-000000000002) "
                        "(mode w) (dev xvda:disk) (backend 0) "
                        "(bootable 1))) ",
                        role, domid, (unsigned int)rng());
    rc |= xm_buf_printf(b, "(device (vbd (uname 'file:/srv/images/"
                        "%s data %d.img') (mode r) (dev xvdb:disk) "
                        "(backend 0) (bootable 0))) ", role, domid);
    rc |= xm_buf_puts(b, "(device (console (protocol vt100) "
                      "(location 2) (uuid "
                      "7a1b2c3d-0000-4000-8000-000000000003))))");
    return rc ? XENMIG_ERANGE : 0;
}

/* "((domain ...) (domain ...) ...)''" like xend's detail listing. */
static int
make_reply(xm_buf *b, int domains)
{
    int i;
    int rc;

    rc = xm_buf_putc(b, '(');
    for (i = 0; i < domains && !rc; i++) {
        if (i)
            rc = xm_buf_putc(b, ' ');
        if (!rc)
            rc = put_domain(b, i + 1);
    }
    if (!rc)
        rc = xm_buf_puts(b, ")''");
    return rc;
}

static double
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile size_t sink;

static size_t
baseline_memchr_parens(const char *text, size_t len)
{
    const char *end = text + len;
    const char *p;
    size_t opens = 0;
    size_t closes = 0;

    for (p = memchr(text, '(', len); p;
         p = memchr(p + 1, '(', (size_t)(end - p - 1)))
        opens++;
    for (p = memchr(text, ')', len); p;
         p = memchr(p + 1, ')', (size_t)(end - p - 1)))
        closes++;
    return opens + closes;
}

static int
parse_once(const char *text, size_t len)
{
    xenmig_error err;
    xm_sexpr *sx = NULL;
    int rc;

    rc = xm_sexpr_parse(&sx, text, len, &err);
    if (rc) {
        fprintf(stderr, "bench-sxp: %s\n", err.msg);
        return rc;
    }
    sink += xm_sexpr_count(sx);
    xm_sexpr_free(sx);
    return 0;
}

/* MB/s of @iters calls (0: parser, 1: baseline), or < 0 on error. */
static double
timed_run(int which, const char *text, size_t len, int iters)
{
    double t0;
    double t1;
    int i;

    t0 = now_ns();
    for (i = 0; i < iters; i++) {
        if (which == 0) {
            if (parse_once(text, len))
                return -1.0;
        } else {
            sink += baseline_memchr_parens(text, len);
        }
    }
    t1 = now_ns();
    return (double)len * iters / ((t1 - t0) / 1e9) / 1e6;
}

/*
 * Median MB/s of the parser and of the baseline over @runs runs each.
 * The runs alternate, so that a noisy moment hurts both alike.
 */
static int
measure(double *parse_out, double *base_out, const char *text,
        size_t len, int runs, int iters_p, int iters_b)
{
    double *p;
    double *b;
    int r;
    int rc = 0;

    p = calloc((size_t)runs, sizeof(*p));
    b = calloc((size_t)runs, sizeof(*b));
    if (!p || !b) {
        rc = XENMIG_ENOMEM;
        goto out;
    }
    for (r = 0; r < runs; r++) {
        p[r] = timed_run(0, text, len, iters_p);
        b[r] = timed_run(1, text, len, iters_b);
        if (p[r] < 0) {
            rc = XENMIG_ERROR;
            goto out;
        }
    }
    qsort(p, (size_t)runs, sizeof(*p), bench_cmp_double);
    qsort(b, (size_t)runs, sizeof(*b), bench_cmp_double);
    *parse_out = p[runs / 2];
    *base_out = b[runs / 2];
 out:
    free(p);
    free(b);
    return rc;
}

/* How many calls make one run last BENCH_MIN_RUN_NS. */
static int
calibrate(int which, const char *text, size_t len)
{
    double t0 = now_ns();
    double dt;
    int n = 0;

    do {
        if (which == 0) {
            if (parse_once(text, len))
                return -1;
        } else {
            sink += baseline_memchr_parens(text, len);
        }
        n++;
        dt = now_ns() - t0;
    } while (dt < BENCH_MIN_RUN_NS / 4);
    return n * 4;
}

static void
describe_machine(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    const char *model = "unknown";
    char *colon;
    char *nl;

    if (f) {
        while (fgets(line, sizeof(line), f)) {
            if (strncmp(line, "model name", 10) != 0)
                continue;
            colon = strchr(line, ':');
            if (!colon)
                continue;
            nl = strchr(colon, '\n');
            if (nl)
                *nl = '\0';
            model = colon + 1 + (colon[1] == ' ');
            break;
        }
    }
    printf("machine:   %ld online cpus, cpu '%s'\n",
           sysconf(_SC_NPROCESSORS_ONLN), model);
    printf("compiler:  %s\n", __VERSION__);
    if (f)
        fclose(f);
}

int
main(int argc, char **argv)
{
    xm_buf text = XM_BUF_INIT(BENCH_MAX_TEXT);
    xm_sexpr *sx = NULL;
    xenmig_error err;
    int domains = 1000;
    int runs = 15;
    int iters_p;
    int iters_b;
    double parse_mbs = 0;
    double base_mbs = 0;
    int status = 1;

    if (argc > 1 && xm_parse_int(&domains, argv[1], 1, 100000) != 0) {
        fprintf(stderr, "usage: bench-sxp [domains [runs]]\n");
        return 2;
    }
    if (argc > 2 && xm_parse_int(&runs, argv[2], 1, 1000) != 0) {
        fprintf(stderr, "usage: bench-sxp [domains [runs]]\n");
        return 2;
    }
    if (make_reply(&text, domains) != 0) {
        fprintf(stderr, "bench-sxp: reply for %d domains over %zu bytes\n",
                domains, BENCH_MAX_TEXT);
        goto out;
    }
    /* Check what is measured: every domain is there and readable. */
    if (xm_sexpr_parse(&sx, text.ptr, text.len, &err) != 0) {
        fprintf(stderr, "bench-sxp: %s\n", err.msg);
        goto out;
    }
    if (xm_sexpr_count(sx) != (size_t)domains ||
        !xm_sexpr_get_str(xm_sexpr_at(sx, domains - 1), "domain/name")) {
        fprintf(stderr, "bench-sxp: parsed reply has the wrong shape\n");
        goto out;
    }
    xm_sexpr_free(sx);
    sx = NULL;

    iters_p = calibrate(0, text.ptr, text.len);
    iters_b = calibrate(1, text.ptr, text.len);
    if (iters_p < 0)
        goto out;
    if (measure(&parse_mbs, &base_mbs, text.ptr, text.len, runs, iters_p,
                iters_b) != 0)
        goto out;

    describe_machine();
    printf("input:     GET /xend/domain?detail=1 reply, %d domains, "
           "%zu bytes\n", domains, text.len);
    printf("method:    median of %d alternating runs; per run "
           "xm_sexpr_parse + xm_sexpr_free x %d, baseline x %d\n",
           runs, iters_p, iters_b);
    printf("xm_sexpr_parse:          %8.1f MB/s\n", parse_mbs);
    printf("baseline memchr-parens:  %8.1f MB/s\n", base_mbs);
    printf("ratio parse/baseline:    %8.3f\n", parse_mbs / base_mbs);
    status = 0;
 out:
    xm_sexpr_free(sx);
    xm_buf_dispose(&text);
    return status;
}
