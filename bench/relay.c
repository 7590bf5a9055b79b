/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/relay.c: the migration relay's throughput and cap accuracy
 *
 * Throughput: a sender thread streams N bytes from a static buffer to
 * a sink thread that discards them (then answers "(ok)\n", as a
 * destination does), over loopback, four ways: directly (baseline),
 * through xm_relay uncapped, through xm_relay on the kernel's default
 * 16-page pipe (as on Linux before 2.6.35: opts.default_pipe), and
 * through socat as a peer relay (when installed). Rates are measured
 * at the sink, from its first byte to EOF; CPU is getrusage() of the
 * whole process (sender + sink + relay) plus socat's own
 * (RUSAGE_CHILDREN). Cap accuracy: the relay capped at
 * 50, 200 and 1000 Mbit/s for about 5.5 s each; the sink counts bytes
 * per 1-second window.
 *
 *   build/bench-relay [GiB [runs]]      defaults: 2 GiB, 3 runs
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/util/median.h"
#include "lib/internal.h"
#include "migration/relay.h"

#define BUF (1024 * 1024)
#define MAX_WIN 64
#define GIB (1024.0 * 1024 * 1024)

static unsigned char out_buf[BUF];
static unsigned char in_buf[BUF];

struct sink {
    int lfd;
    int port;
    pthread_t th;
    uint64_t bytes;
    double first, last;          /* seconds, monotonic */
    uint64_t win[MAX_WIN];       /* bytes per second since the first */
};

struct sender {
    int port;
    uint64_t n;
    pthread_t th;
    int failed;
};

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_s(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void *
sink_main(void *arg)
{
    struct sink *s = arg;
    struct pollfd p;
    double t;
    ssize_t n;
    size_t w;
    int c;

    p.fd = s->lfd;
    p.events = POLLIN;
    if (poll(&p, 1, 10000) != 1)
        return NULL;
    c = accept(s->lfd, NULL, NULL);
    if (c < 0)
        return NULL;
    for (;;) {
        n = recv(c, in_buf, sizeof(in_buf), 0);
        if (n <= 0)
            break;
        t = now_s();
        if (!s->bytes)
            s->first = t;
        s->last = t;
        s->bytes += (uint64_t)n;
        w = (size_t)(t - s->first);
        if (w < MAX_WIN)
            s->win[w] += (uint64_t)n;
    }
    n = send(c, "(ok)\n", 5, MSG_NOSIGNAL);
    (void)n;
    close(c);
    return NULL;
}

static int
listen_any(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;
    int fd;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        listen(fd, 4) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        perror("bench-relay: listen");
        exit(1);
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static void
sink_start(struct sink *s)
{
    memset(s, 0, sizeof(*s));
    s->lfd = listen_any(&s->port);
    pthread_create(&s->th, NULL, sink_main, s);
}

static void
sink_join(struct sink *s)
{
    pthread_join(s->th, NULL);
    close(s->lfd);
}

static void *
sender_main(void *arg)
{
    struct sender *s = arg;
    struct sockaddr_in a;
    uint64_t sent = 0;
    size_t len;
    ssize_t k;
    double give_up = now_s() + 5;
    int fd = -1;
    char c;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)s->port);
    for (;;) {                   /* socat may still be starting */
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
            break;
        close(fd);
        fd = -1;
        if (errno != ECONNREFUSED || now_s() > give_up) {
            s->failed = 1;
            return NULL;
        }
        usleep(2000);
    }
    while (sent < s->n) {
        len = BUF;
        if (s->n - sent < len)
            len = (size_t)(s->n - sent);
        k = send(fd, out_buf, len, MSG_NOSIGNAL);
        if (k <= 0) {
            s->failed = 1;
            break;
        }
        sent += (uint64_t)k;
    }
    shutdown(fd, SHUT_WR);
    while (recv(fd, &c, 1, 0) > 0)
        ;
    close(fd);
    return NULL;
}

struct result {
    double mbyte_s;             /* 10^6 bytes per second at the sink */
    double cpu_per_gib;         /* process + children CPU seconds */
    int ok;
};

enum way { DIRECT, RELAY, RELAY64K, SOCAT };
static const char *way_name[] = { "direct", "xm_relay", "relay-64K",
                                  "socat" };

static struct result
run(enum way way, uint64_t n, uint64_t rate_bps, struct sink *s)
{
    struct result res = { 0, 0, 0 };
    struct sender snd;
    xm_relay_opts o;
    xm_relay_result rr;
    xm_relay *r = NULL;
    xenmig_error err;
    double c0, c1;
    char listen_arg[64], conn_arg[64];
    pid_t pid = -1;
    int st, port, tmp;

    c0 = cpu_s(RUSAGE_SELF) + cpu_s(RUSAGE_CHILDREN);
    sink_start(s);
    memset(&snd, 0, sizeof(snd));
    snd.n = n;
    snd.port = s->port;
    if (way == RELAY || way == RELAY64K) {
        memset(&o, 0, sizeof(o));
        o.listen_addr.sin_family = AF_INET;
        o.listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        o.dest_addr.sin_family = AF_INET;
        o.dest_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        o.dest_addr.sin_port = htons((uint16_t)s->port);
        o.allow_loopback = 1;
        o.rate_bps = rate_bps;
        o.accept_timeout_ms = 10000;
        o.stall_ms = 10000;
        o.verdict_timeout_ms = 10000;
        o.default_pipe = way == RELAY64K;   /* as before Linux 2.6.35 */
        if (xm_relay_start(&r, &o, &err)) {
            fprintf(stderr, "bench-relay: %s\n", err.msg);
            exit(1);
        }
        snd.port = xm_relay_port(r);
    } else if (way == SOCAT) {
        tmp = listen_any(&port);     /* a free port for socat */
        close(tmp);
        xm_snprintf(listen_arg, sizeof(listen_arg),
                    "TCP-LISTEN:%d,reuseaddr,bind=127.0.0.1", port);
        xm_snprintf(conn_arg, sizeof(conn_arg), "TCP:127.0.0.1:%d",
                    s->port);
        pid = fork();
        if (pid == 0) {
            execlp("socat", "socat", listen_arg, conn_arg, (char *)NULL);
            _exit(127);
        }
        snd.port = port;
    }
    pthread_create(&snd.th, NULL, sender_main, &snd);
    pthread_join(snd.th, NULL);
    if (r) {
        if (xm_relay_wait(r, &rr, &err))
            fprintf(stderr, "bench-relay: %s\n", err.msg);
        xm_relay_free(r);
    }
    if (pid > 0) {
        if (snd.failed)
            kill(pid, SIGTERM);
        waitpid(pid, &st, 0);
    }
    sink_join(s);
    c1 = cpu_s(RUSAGE_SELF) + cpu_s(RUSAGE_CHILDREN);
    res.ok = !snd.failed && s->bytes == n && s->last > s->first;
    if (res.ok) {
        res.mbyte_s = n / (s->last - s->first) / 1e6;
        res.cpu_per_gib = (c1 - c0) / (n / GIB);
    }
    return res;
}

static void
machine(void)
{
    struct utsname u;
    char line[256];
    FILE *f;

    uname(&u);
    printf("machine: %s %s, nproc %ld", u.sysname, u.release,
           sysconf(_SC_NPROCESSORS_ONLN));
    f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0) {
            line[strcspn(line, "\n")] = '\0';
            printf(", %s", strchr(line, ':') ? strchr(line, ':') + 2
                                             : line);
            break;
        }
    }
    if (f)
        fclose(f);
    printf("\n");
}

int
main(int argc, char **argv)
{
    static const uint64_t caps[] = { 50000000, 200000000, 1000000000 };
    static struct sink s;
    double mb[4][16], cpu[4][16];
    double m[4], c[4];
    int have_socat, ways, runs = 3, gib = 2;
    int i, w, k;
    uint64_t n, maxwin;
    struct result res;
    double mean, span;
    long long v;

    if (argc > 1 && xm_parse_ll(&v, argv[1], 1, 64) == 0)
        gib = (int)v;
    if (argc > 2 && xm_parse_ll(&v, argv[2], 1, 15) == 0)
        runs = (int)v;
    signal(SIGPIPE, SIG_IGN);
    memset(out_buf, 0x5a, sizeof(out_buf));
    machine();
    have_socat = system("command -v socat >/dev/null 2>&1") == 0;
    ways = have_socat ? 4 : 3;
    n = (uint64_t)gib << 30;

    printf("throughput: %d GiB over loopback, median of %d runs "
           "(order rotated)\n", gib, runs);
    for (i = 0; i < runs; i++) {
        for (k = 0; k < ways; k++) {
            w = (i + k) % ways;
            res = run((enum way)w, n, 0, &s);
            if (!res.ok) {
                fprintf(stderr, "bench-relay: %s run failed\n",
                        way_name[w]);
                return 1;
            }
            mb[w][i] = res.mbyte_s;
            cpu[w][i] = res.cpu_per_gib;
        }
    }
    for (w = 0; w < ways; w++) {
        m[w] = bench_median(mb[w], runs);
        c[w] = bench_median(cpu[w], runs);
    }
    printf("  %-9s %9s %9s %14s %16s\n", "way", "MB/s", "x direct",
           "CPU s/GiB", "over direct");
    for (w = 0; w < ways; w++)
        printf("  %-9s %9.0f %9.3f %14.3f %16.3f\n", way_name[w], m[w],
               m[w] / m[DIRECT], c[w], c[w] - c[DIRECT]);
    printf("  relay-64K / xm_relay: %.3f x the rate, %+.3f CPU s/GiB "
           "(the kernel's default pipe vs the raised one)\n",
           m[RELAY64K] / m[RELAY], c[RELAY64K] - c[RELAY]);
    if (!have_socat)
        printf("  socat: not installed, skipped\n");
    else
        printf("  xm_relay / socat: %.3f x the rate\n", m[RELAY] / m[SOCAT]);

    printf("cap accuracy: ~5.5 s per cap, 1-second windows at the "
           "sink\n");
    printf("  %-10s %12s %9s %16s %9s\n", "cap Mbit/s", "mean Mbit/s",
           "error", "max 1 s window", "over");
    for (i = 0; i < (int)XM_ARRAY_SIZE(caps); i++) {
        n = caps[i] / 8 * 11 / 2;
        res = run(RELAY, n, caps[i], &s);
        if (!res.ok) {
            fprintf(stderr, "bench-relay: capped run failed\n");
            return 1;
        }
        span = s.last - s.first;
        mean = s.bytes * 8.0 / span;
        maxwin = 0;
        for (k = 0; k + 1 < MAX_WIN && k + 1 <= (int)span; k++)
            if (s.win[k] > maxwin)
                maxwin = s.win[k];
        printf("  %-10.0f %12.2f %+8.2f%% %16.2f %+8.2f%%\n",
               caps[i] / 1e6, mean / 1e6,
               (mean / caps[i] - 1) * 100, maxwin * 8 / 1e6,
               (maxwin * 8.0 / caps[i] - 1) * 100);
    }
    return 0;
}
