/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.c: diagnostics, small helpers and the signal handlers of the
 * xenmig tool
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "text.h"

int cli_verbose;

/* "xenmig: " and the message, its control bytes escaped (text.c). */
static void
vmessage(const char *fmt, va_list ap)
{
    char buf[1024];
    int n;

    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n < 0)
        buf[0] = '\0';
    else if ((size_t)n >= sizeof(buf))
        memcpy(buf + sizeof(buf) - 4, "...", 4);
    fputs("xenmig: ", stderr);
    cli_fputs_term(buf, stderr);
    fputc('\n', stderr);
}

void
cli_err(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

int
cli_exit_code(int rc)
{
    switch (rc) {
    case 0:
        return CLI_EXIT_OK;
    case XENMIG_ELOST:
        return CLI_EXIT_LOST;
    case XENMIG_EUNKNOWN:
        return CLI_EXIT_UNSURE;
    case XENMIG_ESTATE:
        return CLI_EXIT_FAILED;
    default:
        return CLI_EXIT_FAILED;
    }
}

int
cli_fail(int rc, const xenmig_error *err)
{
    if (err && err->msg[0])
        cli_err("%s", err->msg);
    else
        cli_err("%s", xenmig_strerror(rc));
    return cli_exit_code(rc);
}

int
cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'xenmig %s --help'.\n", cmd ? cmd->name : "");
    return CLI_EXIT_USAGE;
}

bool
cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long v;

    if (!s || !*s || !((*s >= '0' && *s <= '9') || *s == '-'))
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

int
cli_close_stdout(int ret, bool keep_code)
{
    int failed = ferror(stdout);
    int e = 0;

    /* a failed write keeps its bytes: fclose tries again, and says why */
    errno = 0;
    if (fclose(stdout) != 0) {
        failed = 1;
        e = errno;
    }
    if (!failed)
        return ret;
    if (e)
        cli_err("write error: %s", strerror(e));
    else
        cli_err("write error");
    if (keep_code || ret != CLI_EXIT_OK)
        return ret;
    return CLI_EXIT_FAILED;
}

int
cli_conn_open(xenmig_conn **out, const char *uri)
{
    xenmig_error err;
    int rc;

    xenmig_error_clear(&err);
    rc = xenmig_conn_open(out, uri, &err);
    if (!rc)
        return CLI_EXIT_OK;
    cli_err("--connect: %s", err.msg);
    /* no network yet: anything but memory is the URI's fault */
    return rc == XENMIG_ENOMEM ? CLI_EXIT_FAILED : CLI_EXIT_USAGE;
}

int
cli_show_run(const struct cli_show *show, int argc, char **argv)
{
    static const struct option opts[] = {
        { "connect", required_argument, NULL, 'C' },
        { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    const char *uri = NULL;
    xenmig_conn *conn = NULL;
    void *obj = NULL;
    xenmig_error err;
    int json = 0;
    int c, rc, ret;

    xenmig_error_clear(&err);
    optind = 1;
    while ((c = getopt_long(argc, argv, "C:", opts, NULL)) != -1) {
        switch (c) {
        case 'C':
            uri = optarg;
            break;
        case 'j':
            json = 1;
            break;
        default:
            fprintf(stderr, "Try 'xenmig %s --help'.\n", show->name);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_err("%s takes no arguments ('%s')", show->name, argv[optind]);
        return CLI_EXIT_USAGE;
    }
    ret = cli_conn_open(&conn, uri);
    if (ret)
        goto out;
    rc = show->fetch(&obj, conn, &err);
    if (rc) {
        ret = cli_fail(rc, &err);
        goto out;
    }
    if (json) {
        if (show->print_json(obj)) {
            cli_err("out of memory");
            ret = CLI_EXIT_FAILED;
            goto out;
        }
    } else {
        show->print_text(obj);
    }
    if (show->after)
        show->after(obj);
    ret = CLI_EXIT_OK;
 out:
    if (obj)
        show->release(obj);
    xenmig_conn_free(conn);
    return ret;
}

/* ---- signals -------------------------------------------------------- */

static volatile sig_atomic_t *int_flag, *int_line_open;
static const char *int_first, *int_again;
static size_t int_first_len, int_again_len;
static const char *term_err, *term_out;
static size_t term_err_len, term_out_len;

static void
put(int fd, const char *s, size_t n)
{
    if (s && n) {
        ssize_t w = write(fd, s, n);

        (void)w;
    }
}

static void
on_interrupt(int sig)
{
    if (!int_first || *int_flag) {
        put(STDERR_FILENO, int_again, int_again_len);
        _exit(CLI_EXIT_UNSURE);
    }
    *int_flag = sig;
    if (!int_line_open || *int_line_open)
        put(STDERR_FILENO, "\n", 1);
    put(STDERR_FILENO, int_first, int_first_len);
}

void
cli_catch_interrupts(volatile sig_atomic_t *flag,
                     volatile sig_atomic_t *line_open, const char *first,
                     const char *again)
{
    struct sigaction sa;

    int_flag = flag;
    int_line_open = line_open;
    int_first = first;
    int_first_len = first ? strlen(first) : 0;
    int_again = again;
    int_again_len = strlen(again);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static void
on_term(int sig)
{
    (void)sig;
    put(STDERR_FILENO, term_err, term_err_len);
    put(STDOUT_FILENO, term_out, term_out_len);
    _exit(CLI_EXIT_UNSURE);
}

void
cli_catch_term(const char *err_text, size_t err_len, const char *out_text,
               size_t out_len)
{
    struct sigaction sa;

    term_err = err_text;
    term_err_len = err_len;
    term_out = out_text;
    term_out_len = out_len;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
}
