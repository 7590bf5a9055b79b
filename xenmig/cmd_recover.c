/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_recover.c: xenmig recover, the journal's unfinished migrations
 * finished or undone (after xenmig was killed, or a host did not answer)
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#ifdef XM_JSON_H
# include <json/json.h>      /* json-c 0.10 (Debian 7): the old layout */
#else
# include <json-c/json.h>
#endif

#include "cli.h"
#include "text.h"

/* The worse of two exit codes: unsure and lost outrank failed. */
static int
worse(int a, int b)
{
    static const int rank[] = { 0, 2, 9, 4, 3 };  /* by exit code */

    if (a < 0 || a > 4)
        return a;
    if (b < 0 || b > 4)
        return b;
    return rank[b] > rank[a] ? b : a;
}

static void
print_json(const xenmig_recover_info *info, const char *id, int rc,
           const xenmig_error *err)
{
    json_object *o = json_object_new_object();

    if (!o)
        return;
    json_object_object_add(o, "id", json_object_new_string(
        info->id[0] ? info->id : id));
    json_object_object_add(o, "domain", json_object_new_string(
        info->name));
    json_object_object_add(o, "source", json_object_new_string(
        info->source));
    json_object_object_add(o, "destination", json_object_new_string(
        info->destination));
    json_object_object_add(o, "step", json_object_new_string(info->step));
    json_object_object_add(o, "where", json_object_new_string(
        info->where[0] ? info->where : "unknown"));
    json_object_object_add(o, "exit", json_object_new_int(
        cli_exit_code(rc)));
    if (rc)
        cli_json_add_error(o, rc, err->msg);
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    fflush(stdout);
    json_object_put(o);
}

/* Recover one entry; report it; its exit code. */
static int
recover_one(const char *id, int json)
{
    xenmig_recover_info info;
    xenmig_error err;
    int rc;

    xenmig_error_clear(&err);
    rc = xenmig_recover(&info, id, &err);
    if (json) {
        print_json(&info, id, rc, &err);
        return cli_exit_code(rc);
    }
    if (rc)
        return cli_fail(rc, &err);
    printf("recovered '%s': it runs on '%s' (the migration had "
           "completed)\n", info.name, info.destination);
    return CLI_EXIT_OK;
}

int
cmd_recover(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    xenmig_error err;
    char **ids = NULL;
    int json = 0, ret = CLI_EXIT_OK;
    int c, rc;
    size_t i;

    /* a closed stdout must not stop a recovery half-way */
    signal(SIGPIPE, SIG_IGN);
    xenmig_error_clear(&err);
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        default:
            fputs("Try 'xenmig recover --help'.\n", stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        cli_err("recover takes at most one argument, got %d",
                argc - optind);
        fputs("Try 'xenmig recover --help'.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    if (optind < argc)
        return recover_one(argv[optind], json);
    rc = xenmig_journal_list(&ids, &err);
    if (rc)
        return cli_fail(rc, &err);
    if (!ids[0] && !json)
        printf("no unfinished migration in the journal\n");
    for (i = 0; ids[i]; i++)
        ret = worse(ret, recover_one(ids[i], json));
    xenmig_journal_list_free(ids);
    return ret;
}
