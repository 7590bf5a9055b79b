/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_migrate.c: the step engine's inputs, and every allocation of
 * begin + prepare failing in turn against two emulated hosts
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "migration/journal.h"
#include "migration/migrate.h"
#include "tests/support/emu.h"

static void
test_migrate__parse_uri_forms(void)
{
    char host[64];
    int port;
    xenmig_error err;

    xenmig_error_clear(&err);
    port = 8002;
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port, "h2",
                                         &err), 0);
    CU_ASSERT_STRING_EQUAL(host, "h2");
    CU_ASSERT_EQUAL(port, 8002);
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "h2:9002", &err), 0);
    CU_ASSERT_EQUAL(port, 9002);
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "xenmigr://10.0.0.5:8102", &err),
                    0);
    CU_ASSERT_STRING_EQUAL(host, "10.0.0.5");
    CU_ASSERT_EQUAL(port, 8102);
    /* tcp: the other name capabilities give the same transport */
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "tcp://10.0.0.6:8202", &err), 0);
    CU_ASSERT_STRING_EQUAL(host, "10.0.0.6");
    CU_ASSERT_EQUAL(port, 8202);
    port = 8002;
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "tcp://h3/", &err), 0);
    CU_ASSERT_STRING_EQUAL(host, "h3");
    CU_ASSERT_EQUAL(port, 8002);
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "xenmigr://h4", &err), 0);
    CU_ASSERT_STRING_EQUAL(host, "h4");
    CU_ASSERT_EQUAL(port, 8002);
    /* IPv6, in brackets or not, is refused before any other check */
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "tcp://[::1]:8002", &err),
                    XENMIG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "IPv6 is not supported"));
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "fe80::1", &err), XENMIG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "IPv6 is not supported"));
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "udp://h3", &err), XENMIG_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "tcp://host[:port]"));
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "http://h2:8000", &err),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "xenmigr://u@h2", &err),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port,
                                         "h2:99999", &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, sizeof(host), &port, "",
                                         &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_migrate_parse_uri(host, 4, &port, "longname",
                                         &err), XENMIG_ERANGE);
}

static const char *const src_args[] = {
    "--name", "alloc-a", "--address", "127.0.0.1", "--http-port", "0",
    "--relocation-port", "0", "--control-port", "off",
    "--log-file", "%d/log", "--domain", "name=web01,memory=16", NULL
};
static const char *const dst_args[] = {
    "--name", "alloc-b", "--address", "127.0.0.1", "--http-port", "0",
    "--relocation-port", "0", "--control-port", "off",
    "--log-file", "%d/log", NULL
};

static void
test_migrate__every_allocation_of_check_may_fail(void)
{
    struct test_emu a, b;
    xenmig_conn *src = NULL, *dst = NULL;
    xenmig_migrate_opts opts = XENMIG_MIGRATE_OPTS_INIT;
    char uri[64], target[64];
    xenmig_error err;
    unsigned long n;
    int rc = -1;

    CU_ASSERT_FATAL(test_emu_start(&a, src_args) == 0);
    if (test_emu_start(&b, dst_args) != 0) {
        test_emu_stop(&a);
        CU_FAIL_FATAL("second emulated host did not start");
    }
    snprintf(uri, sizeof(uri), "http://127.0.0.1:%d",
             test_emu_ready_int(&a, "http_port"));
    CU_ASSERT_EQUAL_FATAL(xenmig_conn_open(&src, uri, NULL), 0);
    snprintf(uri, sizeof(uri), "http://127.0.0.1:%d",
             test_emu_ready_int(&b, "http_port"));
    CU_ASSERT_EQUAL_FATAL(xenmig_conn_open(&dst, uri, NULL), 0);
    snprintf(target, sizeof(target), "127.0.0.1:%d",
             test_emu_ready_int(&b, "relocation_port"));
    opts.uri = target;

    /* the n-th allocation fails: a clean error, until none is left */
    for (n = 1; n < 5000; n++) {
        xenmig_error_clear(&err);
        xm_alloc_fail_at(n);
        rc = xenmig_migrate_check(src, "web01", dst, &opts, NULL, NULL,
                                  &err);
        xm_alloc_fail_at(0);
        if (rc == 0)
            break;
        CU_ASSERT_EQUAL(rc, err.code);
        CU_ASSERT(err.msg[0] != '\0');
        if (rc != err.code || !err.msg[0])
            break;
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(n > 10);      /* the walk did go through the steps */
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    test_emu_stop(&a);
    test_emu_stop(&b);
}

/* Threads of this process, from /proc/self/task; -1 if unreadable. */
static int
count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/*
 * xend moves the domain and never answers op=migrate: the state ends
 * the wait, and the unanswered request's thread and connection end
 * with the call, not an hour later (XM_MIGRATE_DEFAULT_TIMEOUT_MS).
 */
static void
test_migrate__silent_post_leaves_no_thread(void)
{
    static const char *const hang_args[] = {
        "--name", "hang-a", "--address", "127.0.0.1", "--http-port", "0",
        "--relocation-port", "0", "--control-port", "off", "--link-rate",
        "0", "--fault", "migrate-hang=done", "--log-file", "%d/log",
        "--domain", "name=web01,memory=16", NULL
    };
    struct test_emu a, b;
    xenmig_conn *src = NULL, *dst = NULL;
    char uri[64], target[64];
    xenmig_error err;
    int before, rc;

    CU_ASSERT_FATAL(test_emu_start(&a, hang_args) == 0);
    if (test_emu_start(&b, dst_args) != 0) {
        test_emu_stop(&a);
        CU_FAIL_FATAL("second emulated host did not start");
    }
    setenv("XENMIG_RUN_DIR", a.dir, 1);
    setenv("XENMIG_SETTLE_TIMEOUT", "1", 1);
    snprintf(uri, sizeof(uri), "http://127.0.0.1:%d",
             test_emu_ready_int(&a, "http_port"));
    CU_ASSERT_EQUAL_FATAL(xenmig_conn_open(&src, uri, NULL), 0);
    snprintf(uri, sizeof(uri), "http://127.0.0.1:%d",
             test_emu_ready_int(&b, "http_port"));
    CU_ASSERT_EQUAL_FATAL(xenmig_conn_open(&dst, uri, NULL), 0);
    snprintf(target, sizeof(target), "127.0.0.1:%d",
             test_emu_ready_int(&b, "relocation_port"));

    before = count_threads();
    CU_ASSERT(before > 0);
    xenmig_error_clear(&err);
    rc = xenmig_migrate(src, "web01", dst, XENMIG_MIGRATE_DIRECT, NULL,
                        target, 0, &err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc)
        fprintf(stderr, "\nsilent POST: %s\n", err.msg);
    /* the POST's thread was joined before the call returned */
    CU_ASSERT_EQUAL(count_threads(), before);

    unsetenv("XENMIG_SETTLE_TIMEOUT");
    unsetenv("XENMIG_RUN_DIR");
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    test_emu_stop(&a);
    test_emu_stop(&b);
}

/* The relay runs where it is on the path, or where it is asked for. */
static void
test_migrate__relay_only_on_the_path_or_asked(void)
{
    /* a local source: relayed by default (its own loopback) */
    CU_ASSERT_TRUE(xm_migrate_want_relay(0, 0, 0, 0, true));
    /* a remote source: only a cap, a timeout, a stall or --progress */
    CU_ASSERT_FALSE(xm_migrate_want_relay(0, 0, 0, 0, false));
    CU_ASSERT_FALSE(xm_migrate_want_relay(XENMIG_MIGRATE_LIVE, 0, 0, 0,
                                          false));
    CU_ASSERT_TRUE(xm_migrate_want_relay(0, 200, 0, 0, false));
    CU_ASSERT_TRUE(xm_migrate_want_relay(0, 0, 5000, 0, false));
    CU_ASSERT_TRUE(xm_migrate_want_relay(0, 0, 0, 5000, false));
    CU_ASSERT_TRUE(xm_migrate_want_relay(XENMIG_MIGRATE_PROGRESS, 0, 0, 0,
                                         false));
    /* never with --direct or SSL */
    CU_ASSERT_FALSE(xm_migrate_want_relay(XENMIG_MIGRATE_DIRECT, 200, 0, 0,
                                          true));
    CU_ASSERT_FALSE(xm_migrate_want_relay(XENMIG_MIGRATE_SSL, 0, 5000, 0,
                                          true));
}

/* Every refused peer is named, with the option that would admit it. */
static void
test_migrate__refused_peer_is_named(void)
{
    xm_relay_result res;
    xm_relay_opts ro;
    char buf[XENMIG_ERROR_MSG_SIZE];

    memset(&res, 0, sizeof(res));
    memset(&ro, 0, sizeof(ro));
    inet_pton(AF_INET, "127.0.0.2", &ro.allowed[0]);
    ro.nallowed = 1;
    xm_migrate_refused_note(buf, sizeof(buf), &res, &ro, "peer-a");
    CU_ASSERT_STRING_EQUAL(buf, "");
    inet_pton(AF_INET, "127.0.0.1", &res.refused[0]);
    res.nrefused = res.refused_peers = 1;
    xm_migrate_refused_note(buf, sizeof(buf), &res, &ro, "peer-a");
    CU_ASSERT_STRING_EQUAL(buf, "the relay refused a connection from "
                           "127.0.0.1, which is not the source 'peer-a' "
                           "(127.0.0.2): add --relay-allow 127.0.0.1 if "
                           "that is the source");
}

/* ---- recovery's decision ---- */

static void
seen_add(xm_seen *h, int domid, const char *name, bool paused)
{
    xm_copy *c = &h->copy[h->n++];

    h->answered = true;
    c->domid = domid;
    c->paused = paused;
    c->in_flight = strncmp(name, "migrating-", 10) == 0;
    c->named = strcmp(name, "web01") == 0;
    snprintf(c->name, sizeof(c->name), "%s", name);
}

static void
test_migrate__recover_decide(void)
{
    xm_seen s, d;
    xm_rec_next n;

    /* a host that cannot be asked: wait, then give up */
    memset(&s, 0, sizeof(s));
    memset(&d, 0, sizeof(d));
    d.answered = true;
    CU_ASSERT_EQUAL(xm_recover_decide(&s, &d, true, false).act,
                    XM_REC_WAIT);
    CU_ASSERT_EQUAL(xm_recover_decide(&s, &d, true, true).act,
                    XM_REC_UNKNOWN);
    /* nowhere: wait out the settle time, then lost */
    s.answered = true;
    CU_ASSERT_EQUAL(xm_recover_decide(&s, &d, true, false).act,
                    XM_REC_WAIT);
    CU_ASSERT_EQUAL(xm_recover_decide(&s, &d, true, true).act,
                    XM_REC_LOST);
    /* on the source alone: wait for a late restore, then done */
    seen_add(&s, 3, "web01", false);
    CU_ASSERT_EQUAL(xm_recover_decide(&s, &d, false, false).act,
                    XM_REC_WAIT);
    CU_ASSERT_EQUAL(xm_recover_decide(&s, &d, true, false).act,
                    XM_REC_ON_SOURCE);
    s.copy[0].paused = true;
    n = xm_recover_decide(&s, &d, true, false);
    CU_ASSERT_EQUAL(n.act, XM_REC_UNPAUSE);
    CU_ASSERT_FALSE(n.on_dest);
    /* on both, the source's resumed: the destination's copy goes */
    s.copy[0].paused = false;
    seen_add(&d, 7, "web01", false);
    n = xm_recover_decide(&s, &d, false, false);
    CU_ASSERT_EQUAL(n.act, XM_REC_DESTROY);
    CU_ASSERT_TRUE(n.on_dest);
    CU_ASSERT_EQUAL(n.copy, 0);
    /* the source still in flight: wait; at the end, unknown */
    memset(&s, 0, sizeof(s));
    seen_add(&s, 3, "migrating-web01", false);
    CU_ASSERT_EQUAL(xm_recover_decide(&s, &d, true, false).act,
                    XM_REC_WAIT);
    CU_ASSERT_EQUAL(xm_recover_decide(&s, &d, true, true).act,
                    XM_REC_UNKNOWN);
    /* on the destination alone: done, or unpause it */
    memset(&s, 0, sizeof(s));
    s.answered = true;
    CU_ASSERT_EQUAL(xm_recover_decide(&s, &d, false, false).act,
                    XM_REC_ON_DEST);
    d.copy[0].paused = true;
    CU_ASSERT_EQUAL(xm_recover_decide(&s, &d, false, false).act,
                    XM_REC_WAIT);
    n = xm_recover_decide(&s, &d, true, false);
    CU_ASSERT_EQUAL(n.act, XM_REC_UNPAUSE);
    CU_ASSERT_TRUE(n.on_dest);
    /* two with one UUID on the destination: the one in flight goes,
     * whichever order xend lists them in */
    d.copy[0].paused = false;
    seen_add(&d, 9, "migrating-web01", false);
    n = xm_recover_decide(&s, &d, false, false);
    CU_ASSERT_EQUAL(n.act, XM_REC_DESTROY);
    CU_ASSERT_TRUE(n.on_dest);
    CU_ASSERT_EQUAL(n.copy, 1);
    memset(&d, 0, sizeof(d));
    seen_add(&d, 9, "migrating-web01", false);
    seen_add(&d, 7, "web01", false);
    n = xm_recover_decide(&s, &d, false, true);
    CU_ASSERT_EQUAL(n.act, XM_REC_DESTROY);
    CU_ASSERT_EQUAL(n.copy, 0);
    /* two on the source: a fault too, even after the settle time */
    memset(&s, 0, sizeof(s));
    seen_add(&s, 4, "web01", false);
    seen_add(&s, 2, "web01", true);
    n = xm_recover_decide(&s, &d, true, true);
    CU_ASSERT_EQUAL(n.act, XM_REC_DESTROY);
    CU_ASSERT_FALSE(n.on_dest);
    CU_ASSERT_EQUAL(n.copy, 1);
}

/*
 * Recovery's decision for every state the fault matrix
 * (docs/RELIABILITY.md) leaves the two hosts in, row by row: what one
 * look at each host found, whether a late restore had time to show
 * (late) and whether the settle time is up (over).
 */
enum host_state {
    H_NONE,         /* xend answers: no domain with the UUID */
    H_DOWN,         /* xend does not answer */
    H_RUN,          /* web01, running */
    H_PAUSED,       /* web01, paused */
    H_FLIGHT,       /* migrating-web01 (source only) */
    H_TWO           /* web01 and migrating-web01 */
};

static void
host_state(xm_seen *h, enum host_state st, int domid)
{
    memset(h, 0, sizeof(*h));
    h->answered = st != H_DOWN;
    if (st == H_RUN || st == H_TWO)
        seen_add(h, domid, "web01", false);
    if (st == H_PAUSED)
        seen_add(h, domid, "web01", true);
    if (st == H_FLIGHT || st == H_TWO)
        seen_add(h, domid + 1, "migrating-web01", false);
}

static const struct decide_row {
    const char *rows;           /* the matrix rows that leave it */
    enum host_state src, dst;
    bool late, over;
    xm_rec_act act;
    bool on_dest;
} decide_rows[] = {
    /* perform failed, the domain back on the source: restore-fail,
     * dest-oom, handshake-*, stream drops, migrate-hang=resumed */
    { "5-6 29-40 49-50 53-54", H_RUN, H_NONE, false, false,
      XM_REC_WAIT, false },
    { "5-6 29-40 49-50 53-54", H_RUN, H_NONE, true, false,
      XM_REC_ON_SOURCE, false },
    { "5-6 29-40 49-50 53-54", H_RUN, H_NONE, false, true,
      XM_REC_ON_SOURCE, false },
    /* xend still renaming it back (in flight), then the settle time */
    { "29-40 53-54 (early look)", H_FLIGHT, H_NONE, false, false,
      XM_REC_WAIT, false },
    { "29-40 53-54 (early look)", H_FLIGHT, H_NONE, true, true,
      XM_REC_ON_SOURCE, false },
    /* after-stream=fail, =hang: resumed on the source, restored on the
     * destination too */
    { "45-48", H_RUN, H_RUN, false, false, XM_REC_DESTROY, true },
    { "45-48", H_RUN, H_RUN, true, true, XM_REC_DESTROY, true },
    { "45-48 (source in flight)", H_FLIGHT, H_RUN, false, false,
      XM_REC_WAIT, false },
    { "45-48 (source in flight)", H_FLIGHT, H_RUN, true, true,
      XM_REC_UNKNOWN, false },
    /* a paused copy left behind */
    { "5-6 (left paused)", H_PAUSED, H_NONE, true, false,
      XM_REC_UNPAUSE, false },
    { "55-56 (arrived paused)", H_NONE, H_PAUSED, false, false,
      XM_REC_WAIT, true },
    { "55-56 (arrived paused)", H_NONE, H_PAUSED, true, false,
      XM_REC_UNPAUSE, true },
    /* it went after all: migrate-hang=done, signals after the stream,
     * finish or confirm faults */
    { "55-58 61 63-65 80-88 96-104", H_NONE, H_RUN, false, false,
      XM_REC_ON_DEST, true },
    /* restore-fail-late, SIGKILL at stream end (relay): nowhere */
    { "51-52 97", H_NONE, H_NONE, true, false, XM_REC_WAIT, false },
    { "51-52 97", H_NONE, H_NONE, true, true, XM_REC_LOST, false },
    /* a host that does not answer: xend-down/-close/http-garbage after
     * the stream */
    { "59 66", H_NONE, H_DOWN, true, false, XM_REC_WAIT, false },
    { "59 66", H_NONE, H_DOWN, true, true, XM_REC_UNKNOWN, false },
    { "62", H_DOWN, H_RUN, true, false, XM_REC_WAIT, false },
    { "62", H_DOWN, H_RUN, true, true, XM_REC_UNKNOWN, false },
    { "59 66 (source kept it)", H_RUN, H_DOWN, true, true,
      XM_REC_UNKNOWN, false },
    /* two migrations at once: a second copy on one host */
    { "107-110", H_NONE, H_TWO, false, false, XM_REC_DESTROY, true },
    { "107-110", H_TWO, H_NONE, false, true, XM_REC_DESTROY, false },
    { "107-110", H_RUN, H_TWO, true, true, XM_REC_DESTROY, true },
};

static void
test_migrate__recover_decide_matrix(void)
{
    const struct decide_row *r;
    xm_seen s, d;
    xm_rec_next n;
    size_t i;

    for (i = 0; i < sizeof(decide_rows) / sizeof(decide_rows[0]); i++) {
        r = &decide_rows[i];
        host_state(&s, r->src, 3);
        host_state(&d, r->dst, 7);
        n = xm_recover_decide(&s, &d, r->late, r->over);
        if (n.act != r->act ||
            ((n.act == XM_REC_DESTROY || n.act == XM_REC_UNPAUSE) &&
             n.on_dest != r->on_dest))
            fprintf(stderr, "\ndecide row %zu (matrix %s): act %d "
                    "on_dest %d, want %d %d\n", i, r->rows, (int)n.act,
                    (int)n.on_dest, (int)r->act, (int)r->on_dest);
        CU_ASSERT_EQUAL(n.act, r->act);
        if (r->act == XM_REC_DESTROY || r->act == XM_REC_UNPAUSE)
            CU_ASSERT_EQUAL(n.on_dest, r->on_dest);
        /* the copy destroyed of two is always the one in flight */
        if (r->act == XM_REC_DESTROY && (r->src == H_TWO ||
                                         r->dst == H_TWO))
            CU_ASSERT_TRUE((n.on_dest ? &d : &s)->copy[n.copy].in_flight);
    }
}

/* ---- the lock and the journal ---- */

static void
test_migrate__lock_and_journal(void)
{
    char dir[] = "/tmp/xenmig-journal-XXXXXX";
    char path[128];
    const char *uuid = "6d1c0b9e-4f3a-4c2e-9b7d-0a1b2c3d4e5f";
    xm_lock a = XM_LOCK_INIT, b = XM_LOCK_INIT;
    xm_cookie ck, back;
    xenmig_error err;
    struct stat st;
    char **ids = NULL;
    FILE *f;

    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    setenv("XENMIG_RUN_DIR", dir, 1);
    xenmig_error_clear(&err);
    /* flock is per open file: a second take fails, naming the holder */
    CU_ASSERT_EQUAL(xm_lock_take(&a, uuid, "web01", &err), 0);
    CU_ASSERT_EQUAL(xm_lock_take(&b, uuid, "web01", &err), XENMIG_ESTATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "already being migrated by "
                                  "pid"));
    xm_lock_release(&a);
    CU_ASSERT_EQUAL(xm_lock_take(&b, uuid, "web01", &err), 0);
    xm_lock_release(&b);
    CU_ASSERT_EQUAL(xm_lock_take(&b, "../etc/x", "web01", &err),
                    XENMIG_EINVAL);

    /* an entry round-trips, 0600, listed by its UUID, then goes */
    CU_ASSERT_EQUAL(xm_journal_read(&back, uuid, &err), XENMIG_ENOTFOUND);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_init(&ck, XM_COOKIE_PERFORM, &err), 0);
    CU_ASSERT_EQUAL(xm_cookie_set(&ck, "j_step", "finish", &err), 0);
    CU_ASSERT_EQUAL(xm_journal_write(uuid, &ck, &err), 0);
    snprintf(path, sizeof(path), "%s/journal/%s.journal", dir, uuid);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    CU_ASSERT_EQUAL(xm_journal_read(&back, uuid, &err), 0);
    CU_ASSERT_STRING_EQUAL(xm_cookie_get(&back, "j_step"), "finish");
    CU_ASSERT_EQUAL(xm_journal_ids(&ids, &err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
    CU_ASSERT_STRING_EQUAL(ids[0], uuid);
    CU_ASSERT_PTR_NULL(ids[1]);
    xm_strv_free(ids);
    xm_cookie_dispose(&back);
    /* a damaged entry is refused, not half read */
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("xm1.garbage\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(xm_journal_read(&back, uuid, &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "journal '"));
    CU_ASSERT_EQUAL(xm_journal_remove(uuid, &err), 0);
    CU_ASSERT_EQUAL(xm_journal_read(&back, uuid, &err), XENMIG_ENOTFOUND);
    xm_cookie_dispose(&ck);
    xm_cookie_dispose(&back);
    unsetenv("XENMIG_RUN_DIR");
    snprintf(path, sizeof(path), "%s/%s.lock", dir, uuid);
    unlink(path);
    snprintf(path, sizeof(path), "%s/journal", dir);
    rmdir(path);
    rmdir(dir);
}

static CU_TestInfo test_migrate_tests[] = {
    { "refused_peer_is_named", test_migrate__refused_peer_is_named },
    { "silent_post_leaves_no_thread",
      test_migrate__silent_post_leaves_no_thread },
    { "recover_decide", test_migrate__recover_decide },
    { "recover_decide_matrix", test_migrate__recover_decide_matrix },
    { "lock_and_journal", test_migrate__lock_and_journal },
    { "parse_uri_forms", test_migrate__parse_uri_forms },
    { "relay_only_on_the_path_or_asked",
      test_migrate__relay_only_on_the_path_or_asked },
    { "every_allocation_of_check_may_fail",
      test_migrate__every_allocation_of_check_may_fail },
    CU_TEST_INFO_NULL
};

CU_SuiteInfo test_migrate_suite = {
    "migrate", NULL, NULL, NULL, NULL, test_migrate_tests
};
