/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_info.c: xenmig info, the xend node information (like xm info)
 */
#include <inttypes.h>
#include <stdio.h>

#ifdef XM_JSON_H
# include <json/json.h>      /* json-c 0.10 (Debian 7): the old layout */
#else
# include <json-c/json.h>
#endif

#include "cli.h"
#include "text.h"

static int
print_json(const xenmig_node *node)
{
    json_object *o = json_object_new_object();

    if (!o)
        return -1;
    json_object_object_add(o, "host",
        cli_json_string(xenmig_node_host(node)));
    json_object_object_add(o, "release",
        cli_json_string(xenmig_node_release(node)));
    json_object_object_add(o, "machine",
        cli_json_string(xenmig_node_machine(node)));
    json_object_object_add(o, "xen_version",
        cli_json_string(xenmig_node_xen_version(node)));
    json_object_object_add(o, "xen_caps",
        cli_json_string(xenmig_node_xen_caps(node)));
    json_object_object_add(o, "nr_cpus",
        json_object_new_int(xenmig_node_nr_cpus(node)));
    json_object_object_add(o, "total_memory_mib",
        json_object_new_int64((int64_t)xenmig_node_total_memory(node)));
    json_object_object_add(o, "free_memory_mib",
        json_object_new_int64((int64_t)xenmig_node_free_memory(node)));
    json_object_object_add(o, "xend_config_format",
        json_object_new_int(xenmig_node_xend_config_format(node)));
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
    json_object_put(o);
    return 0;
}

/* "label: value", xend's value escaped for a terminal */
static void
row(const char *label, const char *value)
{
    printf("%-23s: ", label);
    cli_fputs_term(value, stdout);
    putchar('\n');
}

static void
print_text(const xenmig_node *node)
{
    row("host", xenmig_node_host(node));
    row("release", xenmig_node_release(node));
    row("machine", xenmig_node_machine(node));
    printf("%-23s: %d\n", "nr_cpus", xenmig_node_nr_cpus(node));
    printf("%-23s: %" PRIu64 "\n", "total_memory",
           xenmig_node_total_memory(node));
    printf("%-23s: %" PRIu64 "\n", "free_memory",
           xenmig_node_free_memory(node));
    row("xen_version", xenmig_node_xen_version(node));
    row("xen_caps", xenmig_node_xen_caps(node));
    printf("%-23s: %d\n", "xend_config_format",
           xenmig_node_xend_config_format(node));
}

/* The cli_show adapters: the node behind a void pointer. */
static int
fetch_node(void **out, xenmig_conn *conn, xenmig_error *err)
{
    xenmig_node *node = NULL;
    int rc = xenmig_node_get(&node, conn, err);

    *out = node;
    return rc;
}

static int
node_as_json(const void *obj)
{
    return print_json(obj);
}

static void
node_as_text(const void *obj)
{
    print_text(obj);
}

static void
free_node(void *obj)
{
    xenmig_node_free(obj);
}

int
cmd_info(int argc, char **argv)
{
    static const struct cli_show show = {
        "info", fetch_node, node_as_json, node_as_text, NULL, free_node
    };

    return cli_show_run(&show, argc, argv);
}
