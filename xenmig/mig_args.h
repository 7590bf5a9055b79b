/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mig_args.h: the options of xenmig migrate, check and the single steps
 * (parsed in cmd_migrate.c, used there and in cmd_steps.c)
 */
#ifndef XENMIG_MIG_ARGS_H
#define XENMIG_MIG_ARGS_H

#include <stdint.h>

#include "xenmig.h"

#define MAX_RELAY_ALLOW 8

struct mig_args {
    xenmig_migrate_opts opts;
    const char *src_uri;      /* --connect */
    const char *dst_uri;      /* --dest-connect */
    const char *cookie;       /* --cookie */
    const char *dom;
    const char *dest;
    int json;
    int quiet;
    int failed;               /* confirm --failed */
    int cancelled;            /* finish --cancelled */
    int bar;                  /* progress bar on stderr */
    uint64_t last_bytes;      /* at the last report that moved */
    double still_since;       /* elapsed_s when the stream stopped */
    int warned;               /* the stall warning was given */
    const char *relay_allow[MAX_RELAY_ALLOW + 1]; /* NULL-terminated */
    int nrelay_allow;
    int state_shown;          /* the no-relay state line is on stderr */
};

/*
 * Parse @argc/@argv of command @cmd into @a; @npos positional
 * arguments are wanted (2: DOMAIN DEST, 1: DEST, 0: none, -1: DEST
 * optional). Each command takes only its own options. Returns 0 or
 * CLI_EXIT_USAGE after saying why.
 */
int mig_parse_args(struct mig_args *a, const char *cmd, int npos,
                   int argc, char **argv);

/* Open the source (--connect) and/or destination (--dest-connect or
 * DEST) connection; either pointer may be NULL. 0 or a library code. */
int mig_open_conns(xenmig_conn **src, xenmig_conn **dst,
                   const struct mig_args *a, xenmig_error *err);

#endif /* XENMIG_MIG_ARGS_H */
