/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_list.c: xenmig list, the running domains of a host (like xm list)
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#ifdef XM_JSON_H
# include <json/json.h>      /* json-c 0.10 (Debian 7): the old layout */
#else
# include <json-c/json.h>
#endif

#include "cli.h"
#include "text.h"

/* Does another domain in @list have the UUID of entry @i? */
static int
dup_uuid(const xenmig_domain_list *list, size_t i)
{
    const char *u = xenmig_domain_uuid(xenmig_domain_list_at(list, i));
    size_t j;

    for (j = 0; *u && j < xenmig_domain_list_count(list); j++)
        if (j != i && strcmp(u, xenmig_domain_uuid(
                                    xenmig_domain_list_at(list, j))) == 0)
            return 1;
    return 0;
}

/* Two domains with one UUID are two copies of one domain: say so. */
static void
warn_dups(const xenmig_domain_list *list)
{
    size_t i;

    for (i = 0; i < xenmig_domain_list_count(list); i++)
        if (dup_uuid(list, i))
            cli_err("warning: domain '%s' (id %d) shares UUID %s with "
                    "another domain here: two copies of one domain "
                    "(see 'xenmig recover')",
                    xenmig_domain_name(xenmig_domain_list_at(list, i)),
                    xenmig_domain_id(xenmig_domain_list_at(list, i)),
                    xenmig_domain_uuid(xenmig_domain_list_at(list, i)));
}

static int
print_json(const xenmig_domain_list *list)
{
    json_object *arr = json_object_new_array();
    size_t i;

    if (!arr)
        return -1;
    for (i = 0; i < xenmig_domain_list_count(list); i++) {
        const xenmig_domain *d = xenmig_domain_list_at(list, i);
        json_object *o = json_object_new_object();

        if (!o) {
            json_object_put(arr);
            return -1;
        }
        json_object_object_add(o, "name",
            cli_json_string(xenmig_domain_name(d)));
        json_object_object_add(o, "id",
            json_object_new_int(xenmig_domain_id(d)));
        json_object_object_add(o, "uuid",
            cli_json_string(xenmig_domain_uuid(d)));
        json_object_object_add(o, "memory_mib",
            json_object_new_int64((int64_t)xenmig_domain_memory(d)));
        json_object_object_add(o, "vcpus",
            json_object_new_int(xenmig_domain_vcpus(d)));
        json_object_object_add(o, "state",
            cli_json_string(xenmig_domain_state(d)));
        json_object_object_add(o, "hvm",
            json_object_new_boolean(xenmig_domain_is_hvm(d)));
        if (dup_uuid(list, i))
            json_object_object_add(o, "duplicate_uuid",
                                   json_object_new_boolean(1));
        json_object_array_add(arr, o);
    }
    puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
    json_object_put(arr);
    return 0;
}

/* One row of the table: xend's text escaped, columns by display width */
static void
print_row(const xenmig_domain *d)
{
    cli_fput_col(xenmig_domain_name(d), 32, stdout);
    printf(" %5d %8" PRIu64 " %5d ", xenmig_domain_id(d),
           xenmig_domain_memory(d), xenmig_domain_vcpus(d));
    cli_fput_rcol(xenmig_domain_state(d), 6, stdout);
    printf(" %s\n", xenmig_domain_is_hvm(d) ? "hvm" : "pv");
}

static void
print_text(const xenmig_domain_list *list)
{
    size_t i;

    printf("%-32s %5s %8s %5s %6s %s\n", "Name", "ID", "Mem", "VCPUs",
           "State", "Type");
    for (i = 0; i < xenmig_domain_list_count(list); i++)
        print_row(xenmig_domain_list_at(list, i));
}

/* The cli_show adapters: the list behind a void pointer. */
static int
fetch_list(void **out, xenmig_conn *conn, xenmig_error *err)
{
    xenmig_domain_list *list = NULL;
    int rc = xenmig_domain_list_get(&list, conn, err);

    *out = list;
    return rc;
}

static int
list_as_json(const void *obj)
{
    return print_json(obj);
}

static void
list_as_text(const void *obj)
{
    print_text(obj);
}

static void
dups_list(const void *obj)
{
    warn_dups(obj);
}

static void
free_list(void *obj)
{
    xenmig_domain_list_free(obj);
}

int
cmd_list(int argc, char **argv)
{
    static const struct cli_show show = {
        "list", fetch_list, list_as_json, list_as_text, dups_list, free_list
    };

    return cli_show_run(&show, argc, argv);
}
