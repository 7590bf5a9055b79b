/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.c: diagnostics and small helpers of the xenmig tool
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "cli.h"

int cli_verbose;

void
cli_err(const char *fmt, ...)
{
    va_list ap;

    fputs("xenmig: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
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

    fputs("xenmig: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'xenmig %s --help'.\n", cmd ? cmd->name : "");
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
