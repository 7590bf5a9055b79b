/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main.c: the xenmig command table and dispatcher
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "help.h"

static const struct cli_cmd cli_cmds[] = {
    { "info", cmd_info, "show a host's xend node information", help_info },
    { "list", cmd_list, "list the domains running on a host", help_list },
    { "check", cmd_check, "run every pre-flight check, move nothing",
      help_check },
    { "migrate", cmd_migrate, "migrate a domain to another host",
      help_migrate },
    { "prepare", cmd_prepare, "step 1 at the destination: checks, cookie",
      help_prepare },
    { "perform", cmd_perform, "step 2 at the source: xend's migrate",
      help_perform },
    { "finish", cmd_finish, "step 3 at the destination: domain runs",
      help_finish },
    { "confirm", cmd_confirm, "step 4 at the source: domain gone, or "
      "recovered", help_confirm },
    { "evacuate", cmd_evacuate, "empty a host: plan, migrate every "
      "domain, one budget", help_evacuate },
    { "recover", cmd_recover, "finish or undo what a killed xenmig left",
      help_recover },
    { "capabilities", cmd_caps, "describe a host as libvirt capabilities "
      "XML", help_capabilities },
    { NULL, NULL, NULL, NULL },
};

static void
print_main_help(FILE *out)
{
    size_t i;

    fputs("usage: xenmig [--help] [--version] <command> [options]\n\n"
          "Probe Xen hosts that run xend and live-migrate domains "
          "between them.\n\nCommands:\n", out);
    for (i = 0; cli_cmds[i].name; i++)
        fprintf(out, "  %-14s %s\n", cli_cmds[i].name,
                cli_cmds[i].summary);
    fputs("\nRun 'xenmig help <command>' or 'xenmig <command> --help' "
          "for a command's options.\n"
          "Exit codes: 0 ok, 1 failed, 2 usage, "
          "3 domain lost by xend, 4 outcome needs a look.\n", out);
}

/* "--help" or "-h" among a command's arguments (before any "--"). */
static bool
wants_help(int argc, char **argv)
{
    int i;

    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

static const struct cli_cmd *
find_cmd(const char *name)
{
    size_t i;

    for (i = 0; cli_cmds[i].name; i++)
        if (strcmp(name, cli_cmds[i].name) == 0)
            return &cli_cmds[i];
    return NULL;
}

static int
unknown_cmd(const char *name)
{
    cli_err("unknown command '%s'", name);
    fputs("Try 'xenmig --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

static int
run(int argc, char **argv)
{
    const struct cli_cmd *cmd;

    if (argc < 2) {
        print_main_help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "help") == 0 && argc > 2) {
        cmd = find_cmd(argv[2]);
        if (!cmd)
            return unknown_cmd(argv[2]);
        fputs(cmd->help, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_main_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 ||
        strcmp(argv[1], "-V") == 0) {
        printf("xenmig %s (libxenmig %s)\n", XENMIG_VERSION,
               xenmig_version());
        return CLI_EXIT_OK;
    }
    cmd = find_cmd(argv[1]);
    if (!cmd)
        return unknown_cmd(argv[1]);
    if (wants_help(argc, argv)) {
        fputs(cmd->help, stdout);
        return CLI_EXIT_OK;
    }
    return cmd->fn(argc - 1, argv + 1);
}

int
main(int argc, char **argv)
{
    /* a command that moves a domain finishes and reports its outcome
     * even when its reader has gone: a write to a closed pipe fails
     * (EPIPE) instead of killing it, and its exit code stays the
     * migration's */
    bool moves = argc > 1 && (strcmp(argv[1], "migrate") == 0 ||
                              strcmp(argv[1], "perform") == 0 ||
                              strcmp(argv[1], "evacuate") == 0) &&
                 !wants_help(argc, argv);

    if (moves)
        signal(SIGPIPE, SIG_IGN);
    return cli_close_stdout(run(argc, argv), moves);
}
