/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_relay.c: the migration relay between a fake source xend and a
 * fake destination relocation server, all on loopback
 *
 * The fake destination answers "(ready receive)\n", reads the stream
 * to EOF and then gives its verdict, as xend's relocation server does
 * (reference 4.3). The fake source sends "receive\n", waits for the
 * ready line, streams a checksummed pattern, half-closes and reads the
 * verdict. Every wait is bounded by socket timeouts or poll().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "lib/internal.h"
#include "migration/budget.h"
#include "migration/relay.h"

#define PAT_PERIOD 65521U
#define CHUNK 65536U
#define IO_TIMEOUT_S 5

static const char ready_line[] = "(ready receive)\n";
static const char ok_line[] = "(ok)\n";
static const char err_line[] =
    "(err (type \"<class 'xen.xend.XendError.XendError'>\") "
    "(value 'Restore failed'))\n";

static unsigned char pattern[PAT_PERIOD + CHUNK];

static void
fill_pattern(void)
{
    uint32_t x = 12345;
    size_t i;

    for (i = 0; i < sizeof(pattern); i++) {
        x = x * 1103515245U + 12345U;
        pattern[i] = (unsigned char)(x >> 16);
    }
}

static uint32_t
fnv(uint32_t h, const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619U;
    }
    return h;
}


static void
set_timeouts(int fd)
{
    struct timeval tv = { IO_TIMEOUT_S, 0 };

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Read up to and including '\n' (at most size - 1 bytes); 0 or -1. */
static int
read_line(int fd, char *buf, size_t size)
{
    size_t got = 0;
    ssize_t n;

    while (got + 1 < size) {
        n = recv(fd, buf + got, 1, 0);
        if (n <= 0)
            return -1;
        got++;
        if (buf[got - 1] == '\n')
            break;
    }
    buf[got] = '\0';
    return 0;
}

/* ---- fake destination ----------------------------------------------- */

struct dest {
    int lfd;
    struct sockaddr_in addr;
    pthread_t th;
    const char *verdict;     /* sent after EOF; NULL = close silently */
    char hello[32];
    uint64_t bytes;          /* read atomically by the test */
    uint32_t sum;
    int eof;
};

static void *
dest_main(void *arg)
{
    struct dest *d = arg;
    static __thread unsigned char buf[CHUNK];
    struct pollfd p;
    ssize_t n;
    int c;

    d->sum = 2166136261U;
    p.fd = d->lfd;
    p.events = POLLIN;
    if (poll(&p, 1, IO_TIMEOUT_S * 1000) != 1)
        return NULL;
    c = accept(d->lfd, NULL, NULL);
    if (c < 0)
        return NULL;
    set_timeouts(c);
    if (read_line(c, d->hello, sizeof(d->hello)) == 0 &&
        send(c, ready_line, strlen(ready_line), MSG_NOSIGNAL) > 0) {
        for (;;) {
            n = recv(c, buf, sizeof(buf), 0);
            if (n <= 0) {
                d->eof = n == 0;
                break;
            }
            d->sum = fnv(d->sum, buf, (size_t)n);
            __sync_add_and_fetch(&d->bytes, (uint64_t)n);
        }
        if (d->eof && d->verdict)
            n = send(c, d->verdict, strlen(d->verdict), MSG_NOSIGNAL);
    }
    close(c);
    return NULL;
}

static void
dest_start(struct dest *d, const char *verdict)
{
    socklen_t len = sizeof(d->addr);

    memset(d, 0, sizeof(*d));
    d->verdict = verdict;
    d->lfd = socket(AF_INET, SOCK_STREAM, 0);
    d->addr.sin_family = AF_INET;
    d->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CU_ASSERT_FATAL(bind(d->lfd, (struct sockaddr *)&d->addr,
                         sizeof(d->addr)) == 0);
    CU_ASSERT_FATAL(listen(d->lfd, 4) == 0);
    getsockname(d->lfd, (struct sockaddr *)&d->addr, &len);
    CU_ASSERT_FATAL(pthread_create(&d->th, NULL, dest_main, d) == 0);
}

static void
dest_join(struct dest *d)
{
    pthread_join(d->th, NULL);
    close(d->lfd);
}

/* ---- fake source ---------------------------------------------------- */

struct source {
    const char *bind_ip;
    int port;
    uint64_t n;              /* stream bytes to send */
    int hold;                /* after n bytes, neither send nor close */
    pthread_t th;
    char ready[64];
    char verdict[512];
    uint64_t sent;
    uint32_t sum;
    int cut;                 /* the relay cut us off */
};

static void *
source_main(void *arg)
{
    struct source *s = arg;
    struct sockaddr_in a;
    size_t got = 0, len;
    ssize_t k;
    char c;
    int fd;

    s->sum = 2166136261U;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    inet_pton(AF_INET, s->bind_ip, &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        goto out;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)s->port);
    set_timeouts(fd);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        send(fd, "receive\n", 8, MSG_NOSIGNAL) != 8 ||
        read_line(fd, s->ready, sizeof(s->ready)) < 0) {
        s->cut = 1;
        goto out;
    }
    while (s->sent < s->n) {
        len = CHUNK;
        if (s->n - s->sent < len)
            len = (size_t)(s->n - s->sent);
        k = send(fd, pattern + s->sent % PAT_PERIOD, len, MSG_NOSIGNAL);
        if (k <= 0) {
            s->cut = 1;
            goto out;
        }
        s->sum = fnv(s->sum, pattern + s->sent % PAT_PERIOD, (size_t)k);
        s->sent += (uint64_t)k;
    }
    if (s->hold) {
        k = recv(fd, &c, 1, 0);       /* until the relay gives up */
        s->cut = k <= 0 && !(k < 0 && errno == EAGAIN);
        goto out;
    }
    shutdown(fd, SHUT_WR);
    for (;;) {
        k = recv(fd, s->verdict + got, sizeof(s->verdict) - 1 - got, 0);
        if (k < 0)
            s->cut = 1;
        if (k <= 0)
            break;
        got += (size_t)k;
        if (got == sizeof(s->verdict) - 1)
            break;
    }
    s->verdict[got] = '\0';
 out:
    close(fd);
    return NULL;
}

static void
source_start(struct source *s, const char *bind_ip, int port, uint64_t n)
{
    memset(s, 0, sizeof(*s));
    s->bind_ip = bind_ip;
    s->port = port;
    s->n = n;
}

static void
source_run(struct source *s)
{
    CU_ASSERT_FATAL(pthread_create(&s->th, NULL, source_main, s) == 0);
}

/* ---- the relay ------------------------------------------------------ */

static void
base_opts(xm_relay_opts *o, const struct dest *d)
{
    memset(o, 0, sizeof(*o));
    o->listen_addr.sin_family = AF_INET;
    o->listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    o->dest_addr = d->addr;
    inet_pton(AF_INET, "127.0.0.5", &o->allowed[0]);
    o->nallowed = 1;
    o->accept_timeout_ms = 5000;
    o->stall_ms = 5000;
    o->verdict_timeout_ms = 5000;
}

/* One whole migration stream through a relay. */
static int
run_stream(xm_relay_opts *o, struct dest *d, struct source *s,
           uint64_t n, xm_relay_result *res, xenmig_error *err)
{
    xm_relay *r = NULL;
    int rc;

    rc = xm_relay_start(&r, o, err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    source_start(s, "127.0.0.5", xm_relay_port(r), n);
    source_run(s);
    rc = xm_relay_wait(r, res, err);
    pthread_join(s->th, NULL);
    dest_join(d);
    xm_relay_free(r);
    return rc;
}

static void
test_relay__stream_arrives_intact_with_ok(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    xenmig_error err;
    struct dest d;
    struct source s;
    uint64_t n = 32 * 1024 * 1024 + 12345;

    fill_pattern();
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(run_stream(&o, &d, &s, n, &res, &err), 0);
    CU_ASSERT_STRING_EQUAL(d.hello, "receive\n");
    CU_ASSERT_STRING_EQUAL(s.ready, ready_line);
    CU_ASSERT_EQUAL(d.bytes, n);
    CU_ASSERT_TRUE(d.eof);
    CU_ASSERT_EQUAL(d.sum, s.sum);
    CU_ASSERT_STRING_EQUAL(s.verdict, ok_line);
    CU_ASSERT_FALSE(s.cut);
    CU_ASSERT_EQUAL(res.verdict, 1);
    CU_ASSERT_EQUAL(res.bytes_to_dest, n + 8);
    CU_ASSERT_EQUAL(res.bytes_to_source,
                    strlen(ready_line) + strlen(ok_line));
    CU_ASSERT_EQUAL(res.cancelled, 0);
    CU_ASSERT_EQUAL(res.refused_peers, 0);
}

/* The kernel's default pipe, as before Linux 2.6.35: a 16-page splice. */
static void
test_relay__stream_arrives_intact_through_a_default_pipe(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    xenmig_error err;
    struct dest d;
    struct source s;
    uint64_t n = 8 * 1024 * 1024 + 4321;

    fill_pattern();
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    o.default_pipe = 1;
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(run_stream(&o, &d, &s, n, &res, &err), 0);
    CU_ASSERT_EQUAL(d.bytes, n);
    CU_ASSERT_TRUE(d.eof);
    CU_ASSERT_EQUAL(d.sum, s.sum);
    CU_ASSERT_STRING_EQUAL(s.verdict, ok_line);
    CU_ASSERT_EQUAL(res.verdict, 1);
    CU_ASSERT_EQUAL(res.bytes_to_dest, n + 8);
    CU_ASSERT_EQUAL(res.pipe_bytes, 16 * (size_t)sysconf(_SC_PAGESIZE));
}

/* The raised pipe where the kernel allows it; the floor build never asks. */
static void
test_relay__pipe_is_raised_unless_floor(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    xenmig_error err;
    struct dest d;
    struct source s;
    size_t dflt = 16 * (size_t)sysconf(_SC_PAGESIZE);
    long long max = 0;
    char line[32] = "";
    FILE *f;

    f = fopen("/proc/sys/fs/pipe-max-size", "r");
    if (f) {
        if (!fgets(line, sizeof(line), f))
            line[0] = '\0';
        fclose(f);
    }
    line[strcspn(line, "\n")] = '\0';
    if (xm_parse_ll(&max, line, 0, 1LL << 40) != 0)
        max = 0;
    fill_pattern();
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(run_stream(&o, &d, &s, 1024 * 1024, &res, &err), 0);
    CU_ASSERT_EQUAL(d.bytes, 1024 * 1024);
#ifdef XM_FLOOR
    (void)max;
    CU_ASSERT_EQUAL(res.pipe_bytes, dflt);
#else
    if (geteuid() == 0 || max >= XM_RELAY_PIPE_SIZE) {
        CU_ASSERT_EQUAL(res.pipe_bytes, XM_RELAY_PIPE_SIZE);
    } else {
        CU_ASSERT_TRUE(res.pipe_bytes >= dflt);
    }
#endif
}

static void
test_relay__err_verdict_is_read_and_passed_on(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    struct dest d;
    struct source s;

    fill_pattern();
    dest_start(&d, err_line);
    base_opts(&o, &d);
    CU_ASSERT_EQUAL(run_stream(&o, &d, &s, 100000, &res, NULL), 0);
    CU_ASSERT_EQUAL(res.verdict, 0);
    CU_ASSERT_STRING_EQUAL(res.verdict_msg, "Restore failed");
    CU_ASSERT_STRING_EQUAL(s.verdict, err_line);
    CU_ASSERT_EQUAL(d.sum, s.sum);
}

static void
test_relay__no_verdict_when_destination_just_closes(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    struct dest d;
    struct source s;

    fill_pattern();
    dest_start(&d, NULL);
    base_opts(&o, &d);
    CU_ASSERT_EQUAL(run_stream(&o, &d, &s, 1000, &res, NULL), 0);
    CU_ASSERT_EQUAL(res.verdict, -1);
    CU_ASSERT_STRING_EQUAL(s.verdict, "");
}

struct reports {
    int count;
    int bad_percent;
    int decreasing;
    int cancel_at;           /* cancel on this report (1-based); 0 never */
    xenmig_progress last;
    xenmig_progress first;
};

static int
on_progress(const xenmig_progress *p, void *payload)
{
    struct reports *rp = payload;

    if (p->percent > 100 || p->percent < 0)
        rp->bad_percent = 1;
    if (rp->count > 0 && p->bytes < rp->last.bytes)
        rp->decreasing = 1;
    if (rp->count == 0)
        rp->first = *p;
    rp->last = *p;
    rp->count++;
    return rp->cancel_at && rp->count == rp->cancel_at;
}

static void
test_relay__cap_holds(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    struct dest d;
    struct source s;
    uint64_t n = 7500000;        /* 1.5 s at 40 Mbit/s */
    double mbit;

    fill_pattern();
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    o.rate_bps = 40000000;
    CU_ASSERT_EQUAL(run_stream(&o, &d, &s, n, &res, NULL), 0);
    CU_ASSERT_EQUAL(d.sum, s.sum);
    CU_ASSERT_TRUE_FATAL(res.elapsed_s > 0);
    mbit = res.bytes_to_dest * 8.0 / res.elapsed_s / 1e6;
    /* the cap holds: never faster (a busy machine can only make it
     * slower; how close to the cap it runs is bench/relay.c's) */
    CU_ASSERT_TRUE(mbit < 42.0);
    if (!(mbit < 42.0))
        fprintf(stderr, "cap 40 Mbit/s: measured %.2f (%llu bytes, "
                "%.3f s)\n", mbit, (unsigned long long)res.bytes_to_dest,
                res.elapsed_s);
}

/*
 * Two relays share one budget: both streams arrive whole, every byte
 * is counted against it, both used it at once, and their sum never
 * runs faster than it (how close is bench/'s).
 */
static void
test_relay__shared_budget_carries_both_streams(void)
{
    xm_relay_opts o[2];
    xm_relay_result res[2];
    xm_relay *r[2] = { NULL, NULL };
    xenmig_budget *b = NULL;
    struct dest d[2];
    struct source s[2];
    uint64_t n = 3000000, bytes = 0;
    unsigned int now = 9, peak = 0;
    double elapsed = 0, mbit;
    int i;

    fill_pattern();
    CU_ASSERT_EQUAL_FATAL(xenmig_budget_new(&b, 48, NULL), 0);
    for (i = 0; i < 2; i++) {
        dest_start(&d[i], ok_line);
        base_opts(&o[i], &d[i]);
        o[i].budget = b;
        CU_ASSERT_EQUAL_FATAL(xm_relay_start(&r[i], &o[i], NULL), 0);
        source_start(&s[i], "127.0.0.5", xm_relay_port(r[i]), n);
    }
    for (i = 0; i < 2; i++)
        source_run(&s[i]);
    for (i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(xm_relay_wait(r[i], &res[i], NULL), 0);
        pthread_join(s[i].th, NULL);
        dest_join(&d[i]);
        xm_relay_free(r[i]);
        CU_ASSERT_EQUAL(d[i].sum, s[i].sum);
        CU_ASSERT_EQUAL(res[i].bytes_to_dest, n + 8);
        if (res[i].elapsed_s > elapsed)
            elapsed = res[i].elapsed_s;
    }
    xenmig_budget_usage(b, &bytes, &now, &peak);
    CU_ASSERT_EQUAL(bytes, 2 * (n + 8));
    CU_ASSERT_EQUAL(now, 0);
    CU_ASSERT_EQUAL(peak, 2);
    CU_ASSERT_TRUE_FATAL(elapsed > 0);
    mbit = (double)bytes * 8.0 / elapsed / 1e6;
    CU_ASSERT_TRUE(mbit < 51.0);
    if (!(mbit < 51.0))
        fprintf(stderr, "budget 48 Mbit/s: sum %.2f\n", mbit);
    xenmig_budget_free(b);
}

static void
test_relay__progress_reports_rise_and_end_done(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    struct reports rp;
    struct dest d;
    struct source s;
    uint64_t n = 14000000;       /* 1.75 s at 64 Mbit/s */

    fill_pattern();
    memset(&rp, 0, sizeof(rp));
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    o.rate_bps = 64000000;
    o.memory_bytes = 8000000;    /* a second pass re-sends dirty pages */
    o.progress = on_progress;
    o.payload = &rp;
    CU_ASSERT_EQUAL(run_stream(&o, &d, &s, n, &res, NULL), 0);
    CU_ASSERT_TRUE(rp.count >= 2);
    CU_ASSERT_FALSE(rp.bad_percent);
    CU_ASSERT_FALSE(rp.decreasing);
    CU_ASSERT_FALSE(rp.first.done);
    CU_ASSERT_TRUE(rp.first.bytes > 0);
    CU_ASSERT_EQUAL(rp.first.pass, 1);
    /* a rate is reported and stays under the cap's reach; no lower
     * bound: a busy machine is slower */
    CU_ASSERT_TRUE(rp.first.rate_mbit > 0 && rp.first.rate_mbit < 90);
    CU_ASSERT_EQUAL(rp.last.done, 1);
    CU_ASSERT_EQUAL(rp.last.bytes, res.bytes_to_dest);
    CU_ASSERT_EQUAL(rp.last.bytes, n + 8);
    CU_ASSERT_EQUAL(rp.last.pass, 2);
    CU_ASSERT_EQUAL(rp.last.percent, 100);
    CU_ASSERT_EQUAL(rp.last.memory_bytes, 8000000);
}

/* What the budget's members were when the "sent" report came. */
struct sent_watch {
    xenmig_budget *b;
    int reports, sent_reports, sent_at;  /* sent_at: its report's 1-based */
    unsigned int members_at_sent;
    uint64_t bytes_at_sent;
    int done_at_sent;
    xenmig_progress last;
};

static int
on_progress_sent(const xenmig_progress *p, void *payload)
{
    struct sent_watch *w = payload;

    w->reports++;
    if (p->sent && !w->sent_reports++) {
        w->sent_at = w->reports;
        w->bytes_at_sent = p->bytes;
        w->done_at_sent = p->done;
        xenmig_budget_usage(w->b, NULL, &w->members_at_sent, NULL);
    }
    w->last = *p;
    return 0;
}

/*
 * Once every byte is at the destination the stream leaves the budget
 * (the others get its share during the destination's restore) and says
 * so in a report of its own before the last one.
 */
static void
test_relay__sent_leaves_budget_before_verdict(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    struct sent_watch w;
    struct dest d;
    struct source s;
    uint64_t n = 2000000;

    fill_pattern();
    memset(&w, 0, sizeof(w));
    w.members_at_sent = 99;
    CU_ASSERT_EQUAL_FATAL(xenmig_budget_new(&w.b, 64, NULL), 0);
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    o.budget = w.b;
    o.progress = on_progress_sent;
    o.payload = &w;
    CU_ASSERT_EQUAL(run_stream(&o, &d, &s, n, &res, NULL), 0);
    CU_ASSERT_EQUAL(res.verdict, 1);
    CU_ASSERT_TRUE(w.sent_at >= 1 && w.sent_at < w.reports);
    CU_ASSERT_EQUAL(w.done_at_sent, 0);
    CU_ASSERT_EQUAL(w.bytes_at_sent, n + 8);
    CU_ASSERT_EQUAL(w.members_at_sent, 0);
    CU_ASSERT_EQUAL(w.last.done, 1);
    CU_ASSERT_EQUAL(w.last.sent, 1);
    xenmig_budget_free(w.b);
}

/* A cancelled stream is cut (a reset), and never "sent". */
static void
test_relay__cancel_from_callback_cuts_source(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    xenmig_error err;
    struct reports rp;
    struct dest d;
    struct source s;

    fill_pattern();
    memset(&rp, 0, sizeof(rp));
    rp.cancel_at = 1;
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    o.rate_bps = 16000000;       /* 64 MB would take 32 s */
    o.progress = on_progress;
    o.payload = &rp;
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(run_stream(&o, &d, &s, 64000000, &res, &err),
                    XENMIG_ECANCELLED);
    CU_ASSERT_EQUAL(res.cancelled, 1);
    CU_ASSERT_EQUAL(res.user_cancelled, 1);
    CU_ASSERT_TRUE(s.cut);
    CU_ASSERT_FALSE(d.eof);              /* reset, not a clean end */
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "relay: cancelled at byte "));
    CU_ASSERT_EQUAL(rp.count, 2);        /* the cancelling one + done */
    CU_ASSERT_EQUAL(rp.last.done, 1);
    CU_ASSERT_EQUAL(rp.last.sent, 0);
}

static void
test_relay__cancel_from_another_thread(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    xenmig_error err;
    xm_relay *r = NULL;
    struct dest d;
    struct source s;
    long deadline;

    fill_pattern();
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    o.rate_bps = 16000000;
    CU_ASSERT_EQUAL_FATAL(xm_relay_start(&r, &o, NULL), 0);
    source_start(&s, "127.0.0.5", xm_relay_port(r), 64000000);
    source_run(&s);
    deadline = xm_now_ms() + 5000;
    while (__sync_fetch_and_add(&d.bytes, 0) < 200000 &&
           xm_now_ms() < deadline)
        usleep(5000);
    xm_relay_cancel(r);
    xm_relay_cancel(r);                 /* idempotent */
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_relay_wait(r, &res, &err), XENMIG_ECANCELLED);
    CU_ASSERT_EQUAL(xm_relay_wait(r, NULL, NULL), XENMIG_ECANCELLED);
    pthread_join(s.th, NULL);
    dest_join(&d);
    xm_relay_free(r);
    CU_ASSERT_EQUAL(res.cancelled, 1);
    CU_ASSERT_EQUAL(res.user_cancelled, 0);     /* not the callback */
    CU_ASSERT_TRUE(res.bytes_to_dest >= 200000);
    CU_ASSERT_TRUE(s.cut);
    CU_ASSERT_FALSE(d.eof);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "relay: cancelled at byte "));
}

static void
test_relay__stall_is_detected(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    xenmig_error err;
    xm_relay *r = NULL;
    struct dest d;
    struct source s;

    fill_pattern();
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    o.stall_ms = 300;
    CU_ASSERT_EQUAL_FATAL(xm_relay_start(&r, &o, NULL), 0);
    source_start(&s, "127.0.0.5", xm_relay_port(r), 100000);
    s.hold = 1;
    source_run(&s);
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_relay_wait(r, &res, &err), XENMIG_ETIMEOUT);
    pthread_join(s.th, NULL);
    dest_join(&d);
    xm_relay_free(r);
    CU_ASSERT_EQUAL(res.stalled, 1);
    CU_ASSERT_TRUE(s.cut);
    CU_ASSERT_EQUAL(res.bytes_to_dest, 100008);
    CU_ASSERT_STRING_EQUAL(err.msg, "relay: stream stalled: no progress "
                           "for 300 ms at byte 100008");
}

static void
test_relay__other_hosts_are_refused(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    xm_relay *r = NULL;
    struct dest d;
    struct source bad, good;

    fill_pattern();
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    CU_ASSERT_EQUAL_FATAL(xm_relay_start(&r, &o, NULL), 0);
    source_start(&bad, "127.0.0.1", xm_relay_port(r), 1000);
    source_run(&bad);
    pthread_join(bad.th, NULL);
    CU_ASSERT_TRUE(bad.cut);
    CU_ASSERT_STRING_EQUAL(bad.ready, "");
    source_start(&good, "127.0.0.5", xm_relay_port(r), 1000);
    source_run(&good);
    CU_ASSERT_EQUAL(xm_relay_wait(r, &res, NULL), 0);
    pthread_join(good.th, NULL);
    dest_join(&d);
    xm_relay_free(r);
    CU_ASSERT_EQUAL(res.refused_peers, 1);
    CU_ASSERT_EQUAL(res.nrefused, 1);
    CU_ASSERT_EQUAL(ntohl(res.refused[0].s_addr), INADDR_LOOPBACK);
    CU_ASSERT_EQUAL(res.verdict, 1);
    CU_ASSERT_EQUAL(d.sum, good.sum);
    CU_ASSERT_STRING_EQUAL(good.verdict, ok_line);
}

/* On loopback, xend's unbound socket may come from any 127.x (7b.1). */
static void
test_relay__loopback_admits_all_of_127(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    xm_relay *r = NULL;
    struct dest d;
    struct source s;

    fill_pattern();
    dest_start(&d, ok_line);
    base_opts(&o, &d);
    o.allow_loopback = 1;
    CU_ASSERT_EQUAL_FATAL(xm_relay_start(&r, &o, NULL), 0);
    source_start(&s, "127.0.0.1", xm_relay_port(r), 1000);
    source_run(&s);
    CU_ASSERT_EQUAL(xm_relay_wait(r, &res, NULL), 0);
    pthread_join(s.th, NULL);
    dest_join(&d);
    xm_relay_free(r);
    CU_ASSERT_EQUAL(res.refused_peers, 0);
    CU_ASSERT_EQUAL(res.verdict, 1);
    CU_ASSERT_EQUAL(d.sum, s.sum);
}

static void
test_relay__destination_refused(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    xenmig_error err;
    xm_relay *r = NULL;
    struct dest d;
    struct source s;
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    char want[128];
    int closed;

    /* a bound socket that does not listen: connecting is refused */
    closed = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CU_ASSERT_FATAL(bind(closed, (struct sockaddr *)&a, sizeof(a)) == 0);
    getsockname(closed, (struct sockaddr *)&a, &len);
    memset(&d, 0, sizeof(d));
    d.addr = a;
    base_opts(&o, &d);
    CU_ASSERT_EQUAL_FATAL(xm_relay_start(&r, &o, NULL), 0);
    source_start(&s, "127.0.0.5", xm_relay_port(r), 1000);
    source_run(&s);
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_relay_wait(r, &res, &err), XENMIG_ECONNECT);
    pthread_join(s.th, NULL);
    xm_relay_free(r);
    close(closed);
    CU_ASSERT_TRUE(s.cut);
    xm_snprintf(want, sizeof(want), "relay: destination 127.0.0.1:%d: "
                "connect: Connection refused", ntohs(a.sin_port));
    CU_ASSERT_STRING_EQUAL(err.msg, want);
}

static void
test_relay__source_must_connect_in_time(void)
{
    xm_relay_opts o;
    xm_relay_result res;
    xenmig_error err;
    xm_relay *r = NULL;
    struct dest d;

    memset(&d, 0, sizeof(d));
    d.addr.sin_family = AF_INET;
    d.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d.addr.sin_port = htons(9);
    base_opts(&o, &d);
    o.accept_timeout_ms = 200;
    CU_ASSERT_EQUAL_FATAL(xm_relay_start(&r, &o, NULL), 0);
    CU_ASSERT_TRUE(xm_relay_port(r) > 0);
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_relay_wait(r, &res, &err), XENMIG_ETIMEOUT);
    xm_relay_free(r);
    CU_ASSERT_STRING_EQUAL(err.msg, "relay: source did not connect "
                           "within 200 ms");
    CU_ASSERT_EQUAL(res.verdict, -1);
}

static void
test_relay__bad_options_refused(void)
{
    xm_relay_opts o;
    xm_relay *r = NULL;
    struct dest d;

    memset(&d, 0, sizeof(d));
    base_opts(&o, &d);          /* no destination port */
    CU_ASSERT_EQUAL(xm_relay_start(&r, &o, NULL), XENMIG_EINVAL);
    CU_ASSERT_PTR_NULL(r);
    xm_relay_free(NULL);
    xm_relay_cancel(NULL);
}

static void
test_relay__start_survives_allocation_failures(void)
{
    xm_relay_opts o;
    xm_relay *r = NULL;
    struct dest d;
    unsigned long n;
    int rc, failures = 0;

    memset(&d, 0, sizeof(d));
    d.addr.sin_family = AF_INET;
    d.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d.addr.sin_port = htons(9);
    base_opts(&o, &d);
    o.accept_timeout_ms = 100;
    for (n = 1; n < 50; n++) {
        xm_alloc_fail_at(n);
        rc = xm_relay_start(&r, &o, NULL);
        xm_alloc_fail_at(0);
        if (rc == 0)
            break;
        failures++;
        CU_ASSERT_EQUAL(rc, XENMIG_ENOMEM);
        CU_ASSERT_PTR_NULL(r);
    }
    CU_ASSERT_TRUE(failures >= 1);
    CU_ASSERT_PTR_NOT_NULL(r);
    xm_relay_free(r);            /* cancels the waiting relay */
}

static CU_TestInfo test_relay_tests[] = {
    { "stream_arrives_intact_with_ok",
      test_relay__stream_arrives_intact_with_ok },
    { "stream_arrives_intact_through_a_default_pipe",
      test_relay__stream_arrives_intact_through_a_default_pipe },
    { "pipe_is_raised_unless_floor",
      test_relay__pipe_is_raised_unless_floor },
    { "err_verdict_is_read_and_passed_on",
      test_relay__err_verdict_is_read_and_passed_on },
    { "no_verdict_when_destination_just_closes",
      test_relay__no_verdict_when_destination_just_closes },
    { "cap_holds", test_relay__cap_holds },
    { "shared_budget_carries_both_streams",
      test_relay__shared_budget_carries_both_streams },
    { "sent_leaves_budget_before_verdict",
      test_relay__sent_leaves_budget_before_verdict },
    { "progress_reports_rise_and_end_done",
      test_relay__progress_reports_rise_and_end_done },
    { "cancel_from_callback_cuts_source",
      test_relay__cancel_from_callback_cuts_source },
    { "cancel_from_another_thread",
      test_relay__cancel_from_another_thread },
    { "stall_is_detected", test_relay__stall_is_detected },
    { "other_hosts_are_refused", test_relay__other_hosts_are_refused },
    { "loopback_admits_all_of_127",
      test_relay__loopback_admits_all_of_127 },
    { "destination_refused", test_relay__destination_refused },
    { "source_must_connect_in_time",
      test_relay__source_must_connect_in_time },
    { "bad_options_refused", test_relay__bad_options_refused },
    { "start_survives_allocation_failures",
      test_relay__start_survives_allocation_failures },
    CU_TEST_INFO_NULL
};

CU_SuiteInfo test_relay_suite = {
    "relay", NULL, NULL, NULL, NULL, test_relay_tests
};
