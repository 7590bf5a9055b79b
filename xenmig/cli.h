/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.h: shared pieces of the xenmig tool (uses the public API only)
 */
#ifndef XENMIG_CLI_H
#define XENMIG_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "xenmig.h"

/* Exit codes; the man page documents them. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_LOST = 3,      /* xend destroyed the domain, no host has it */
    CLI_EXIT_UNSURE = 4     /* a host did not answer, or keeps a copy:
                               the message says what to check */
};

struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    const char *help;    /* from docs/commands/<name>.md */
};

extern int cli_verbose;

void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "xenmig: <err.msg>" and return the exit code for @rc. */
int cli_fail(int rc, const xenmig_error *err);
int cli_usage(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Parse a whole decimal number into [min, max]; false if it is not. */
bool cli_parse_long(const char *s, long min, long max, long *out);

/*
 * Close stdout at the end of a command (coreutils' close_stdout): a
 * failed write says "write error: <cause>" and makes @ret 1, unless
 * @keep_code (migrate: its exit code is the migration's).
 */
int cli_close_stdout(int ret, bool keep_code);

/* Open --connect's @uri: 0, or the exit code after saying why. */
int cli_conn_open(xenmig_conn **out, const char *uri);

/* Exit code for a library return code. */
int cli_exit_code(int rc);

/*
 * A read-and-print command ("info", "list"): options --connect and
 * --json, no arguments; fetch one object from xend, print it as text
 * or JSON, then after() (may be NULL), then release it.
 */
struct cli_show {
    const char *name;
    int (*fetch)(void **out, xenmig_conn *conn, xenmig_error *err);
    int (*print_json)(const void *obj);     /* 0, or out of memory */
    void (*print_text)(const void *obj);
    void (*after)(const void *obj);
    void (*release)(void *obj);
};
int cli_show_run(const struct cli_show *show, int argc, char **argv);

/*
 * Interrupts (SIGINT, and SIGHUP: a lost terminal, nobody is there to
 * run recover). The first sets *@flag to the signal, which the command
 * polls to cancel, and writes @first to stderr, after a newline unless
 * @line_open is given and *@line_open is 0 (nothing half-drawn on the
 * terminal); the next writes @again and ends the run
 * (CLI_EXIT_UNSURE). With @first NULL every interrupt does the latter.
 * The texts must outlive the run. The handlers are async-signal-safe:
 * write(2) and _exit(2) only.
 */
void cli_catch_interrupts(volatile sig_atomic_t *flag,
                          volatile sig_atomic_t *line_open,
                          const char *first, const char *again);
/*
 * SIGTERM ends the run at once (a service manager will not wait):
 * @err_len bytes of @err_text to stderr, @out_len bytes of @out_text
 * (may be NULL) to stdout, then CLI_EXIT_UNSURE. The texts are made
 * before the run and must outlive it.
 */
void cli_catch_term(const char *err_text, size_t err_len,
                    const char *out_text, size_t out_len);

int cmd_info(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_prepare(int argc, char **argv);
int cmd_perform(int argc, char **argv);
int cmd_finish(int argc, char **argv);
int cmd_confirm(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_caps(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_evacuate(int argc, char **argv);

#endif /* XENMIG_CLI_H */
