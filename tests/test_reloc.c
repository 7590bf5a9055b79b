/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_reloc.c: the relocation-server probe against loopback servers
 * that behave like xend's relocation listener in its several moods
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "xend-client/reloc.h"

enum mood { ANSWER, HANG_UP, SILENT, GARBAGE };

struct server {
    int fd;
    enum mood mood;
    struct sockaddr_in addr;
    pthread_t thread;
    char got[64];
};

static void *
serve_one(void *arg)
{
    static const char help[] = "(ok (help quit receive sslreceive))\n";
    struct server *s = arg;
    ssize_t n;
    int c;

    c = accept(s->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    switch (s->mood) {
    case ANSWER:
        n = recv(c, s->got, sizeof(s->got) - 1, 0);
        if (n > 0)
            s->got[n] = '\0';
        if (send(c, help, sizeof(help) - 1, MSG_NOSIGNAL) < 0)
            break;
        n = recv(c, s->got + strlen(s->got), 16, 0);
        (void)n;
        break;
    case HANG_UP:
        break;
    case SILENT:
        n = recv(c, s->got, sizeof(s->got) - 1, 0);
        (void)n;
        usleep(400 * 1000);
        break;
    case GARBAGE:
        n = recv(c, s->got, sizeof(s->got) - 1, 0);
        (void)n;
        if (send(c, "HTTP/1.1 400 Bad request\r\n", 26, MSG_NOSIGNAL) < 0)
            break;
        break;
    }
    close(c);
    return NULL;
}

static void
server_start(struct server *s, enum mood mood)
{
    socklen_t len = sizeof(s->addr);

    memset(s, 0, sizeof(*s));
    s->mood = mood;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(s->fd >= 0);
    s->addr.sin_family = AF_INET;
    s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CU_ASSERT_FATAL(bind(s->fd, (struct sockaddr *)&s->addr,
                         sizeof(s->addr)) == 0);
    CU_ASSERT_FATAL(listen(s->fd, 4) == 0);
    CU_ASSERT_FATAL(getsockname(s->fd, (struct sockaddr *)&s->addr,
                                &len) == 0);
    CU_ASSERT_FATAL(pthread_create(&s->thread, NULL, serve_one, s) == 0);
}

static void
server_stop(struct server *s)
{
    pthread_join(s->thread, NULL);
    close(s->fd);
}

static void
test_reloc__probe_sees_a_server_that_answers(void)
{
    struct server s;
    xm_reloc_probe p;
    xenmig_error err;

    xenmig_error_clear(&err);
    server_start(&s, ANSWER);
    CU_ASSERT_EQUAL(xm_reloc_probe_addr(&p, &s.addr, 2000, &err), 0);
    server_stop(&s);
    CU_ASSERT_EQUAL(p.status, XM_RELOC_ANSWERS);
    CU_ASSERT_STRING_EQUAL(p.ops, "quit receive sslreceive");
    /* we asked for help, and said goodbye; never "receive" */
    CU_ASSERT_STRING_EQUAL(s.got, "(help)\n(quit)\n");
}

static void
test_reloc__probe_sees_hosts_allow_rejection(void)
{
    struct server s;
    xm_reloc_probe p;

    server_start(&s, HANG_UP);
    CU_ASSERT_EQUAL(xm_reloc_probe_addr(&p, &s.addr, 2000, NULL), 0);
    server_stop(&s);
    CU_ASSERT_EQUAL(p.status, XM_RELOC_REJECTED);
}

static void
test_reloc__probe_sees_a_closed_port(void)
{
    struct server s;
    struct sockaddr_in addr;
    xm_reloc_probe p;

    /* a port that was just ours and is closed now */
    server_start(&s, HANG_UP);
    addr = s.addr;
    shutdown(s.fd, SHUT_RDWR);     /* wakes the blocked accept() */
    pthread_join(s.thread, NULL);
    close(s.fd);
    CU_ASSERT_EQUAL(xm_reloc_probe_addr(&p, &addr, 2000, NULL), 0);
    CU_ASSERT_EQUAL(p.status, XM_RELOC_CLOSED);
}

static void
test_reloc__probe_gives_up_on_a_silent_server(void)
{
    struct server s;
    xm_reloc_probe p;

    server_start(&s, SILENT);
    CU_ASSERT_EQUAL(xm_reloc_probe_addr(&p, &s.addr, 150, NULL), 0);
    server_stop(&s);
    CU_ASSERT_EQUAL(p.status, XM_RELOC_SILENT);
}

static void
test_reloc__probe_refuses_a_foreign_reply(void)
{
    struct server s;
    xm_reloc_probe p;

    server_start(&s, GARBAGE);
    CU_ASSERT_EQUAL(xm_reloc_probe_addr(&p, &s.addr, 2000, NULL), 0);
    server_stop(&s);
    CU_ASSERT_EQUAL(p.status, XM_RELOC_BAD_REPLY);
}

static void
test_reloc__parse_reply_reads_verdicts(void)
{
    static const char restore_failed[] =
        "(err (type \"<class 'xen.xend.XendError.XendError'>\") "
        "(value 'Restore failed'))\n";
    char msg[64];
    int ok = -1;
    xenmig_error err;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_reloc_parse_reply(&ok, msg, sizeof(msg), "(ok)\n",
                                         5, &err), 0);
    CU_ASSERT_EQUAL(ok, 1);
    CU_ASSERT_EQUAL(xm_reloc_parse_reply(&ok, msg, sizeof(msg),
                                         restore_failed,
                                         strlen(restore_failed), &err), 0);
    CU_ASSERT_EQUAL(ok, 0);
    CU_ASSERT_STRING_EQUAL(msg, "Restore failed");
    CU_ASSERT_EQUAL(xm_reloc_parse_reply(&ok, msg, sizeof(msg),
                                         "(ready receive)\n", 16, &err),
                    XENMIG_EPARSE);
}

static void
test_reloc__resolve_ipv4_literal_and_failure(void)
{
    struct sockaddr_in a;
    xenmig_error err;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_resolve_ipv4(&a, "127.0.0.7", 8002, &err), 0);
    CU_ASSERT_EQUAL(ntohl(a.sin_addr.s_addr), 0x7f000007);
    CU_ASSERT_EQUAL(ntohs(a.sin_port), 8002);
    CU_ASSERT_EQUAL(xm_resolve_ipv4(&a, "no-such-host.invalid", 8002,
                                    &err), XENMIG_ENOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no-such-host.invalid"));
    CU_ASSERT_EQUAL(xm_resolve_ipv4(&a, "", 8002, &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_resolve_ipv4(&a, "h", 70000, &err), XENMIG_EINVAL);
}

static CU_TestInfo test_reloc_tests[] = {
    { "probe_sees_a_server_that_answers",
      test_reloc__probe_sees_a_server_that_answers },
    { "probe_sees_hosts_allow_rejection",
      test_reloc__probe_sees_hosts_allow_rejection },
    { "probe_sees_a_closed_port", test_reloc__probe_sees_a_closed_port },
    { "probe_gives_up_on_a_silent_server",
      test_reloc__probe_gives_up_on_a_silent_server },
    { "probe_refuses_a_foreign_reply",
      test_reloc__probe_refuses_a_foreign_reply },
    { "parse_reply_reads_verdicts", test_reloc__parse_reply_reads_verdicts },
    { "resolve_ipv4_literal_and_failure",
      test_reloc__resolve_ipv4_literal_and_failure },
    CU_TEST_INFO_NULL
};

CU_SuiteInfo test_reloc_suite = {
    "reloc", NULL, NULL, NULL, NULL, test_reloc_tests
};
