/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_caps.c: xenmig capabilities, libvirt's <capabilities> XML for a
 * host
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#ifdef XM_JSON_H
# include <json/json.h>      /* json-c 0.10 (Debian 7): the old layout */
#else
# include <json-c/json.h>
#endif

#include "cli.h"
#include "text.h"

static int
print_json(const xenmig_caps *caps)
{
    json_object *o = json_object_new_object();
    json_object *t = json_object_new_array();
    int ha = xenmig_caps_hosts_allow_open(caps);

    if (!o || !t) {
        json_object_put(o);
        json_object_put(t);
        return -1;
    }
    if (xenmig_caps_has_transport(caps, "xenmigr"))
        json_object_array_add(t, json_object_new_string("xenmigr"));
    if (xenmig_caps_has_transport(caps, "tcp"))
        json_object_array_add(t, json_object_new_string("tcp"));
    json_object_object_add(o, "host",
        cli_json_string(xenmig_caps_host(caps)));
    json_object_object_add(o, "arch",
        cli_json_string(xenmig_caps_arch(caps)));
    json_object_object_add(o, "live",
        json_object_new_boolean(xenmig_caps_live(caps)));
    json_object_object_add(o, "uri_transports", t);
    json_object_object_add(o, "xen_caps",
        cli_json_string(xenmig_caps_xen_caps(caps)));
    json_object_object_add(o, "xen_version",
        cli_json_string(xenmig_caps_xen_version(caps)));
    json_object_object_add(o, "xend_config_format",
        json_object_new_int(xenmig_caps_xend_config_format(caps)));
    json_object_object_add(o, "relocation", json_object_new_string(
        xenmig_caps_status_str(xenmig_caps_relocation_status(caps))));
    json_object_object_add(o, "relocation_port",
        json_object_new_int(xenmig_caps_relocation_port(caps)));
    json_object_object_add(o, "ssl_relocation", json_object_new_string(
        xenmig_caps_status_str(xenmig_caps_ssl_status(caps))));
    json_object_object_add(o, "ssl_port",
        json_object_new_int(xenmig_caps_ssl_port(caps)));
    json_object_object_add(o, "hosts_allow_open", ha < 0 ? NULL :
        json_object_new_boolean(ha));
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
    json_object_put(o);
    return 0;
}

int
cmd_caps(int argc, char **argv)
{
    static const struct option opts[] = {
        { "connect", required_argument, NULL, 'C' },
        { "port", required_argument, NULL, 'p' },
        { "extended", no_argument, NULL, 'x' },
        { "json", no_argument, NULL, 'j' },
        { "config", required_argument, NULL, 'f' },
        { "emulator", required_argument, NULL, 'E' },
        { "loader", required_argument, NULL, 'L' },
        { NULL, 0, NULL, 0 },
    };
    xenmig_caps_opts copts = XENMIG_CAPS_OPTS_INIT;
    const char *uri = NULL;
    xenmig_conn *conn = NULL;
    xenmig_caps *caps = NULL;
    char *xml = NULL;
    xenmig_error err;
    int json = 0, extended = 0;
    long port;
    int c, rc, ret;

    xenmig_error_clear(&err);
    optind = 1;
    while ((c = getopt_long(argc, argv, "C:p:x", opts, NULL)) != -1) {
        switch (c) {
        case 'C':
            uri = optarg;
            break;
        case 'p':
            if (!cli_parse_long(optarg, 1, 65535, &port)) {
                cli_err("--port: not a port number: '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            copts.port = (int)port;
            break;
        case 'x':
            extended = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'f':   /* --config only: -c is change_home_server */
            copts.config_path = optarg;
            break;
        case 'E':
            copts.emulator = optarg;
            break;
        case 'L':
            copts.loader = optarg;
            break;
        default:
            fputs("Try 'xenmig capabilities --help'.\n", stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_err("capabilities takes no arguments ('%s')", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    ret = cli_conn_open(&conn, uri);
    if (ret)
        goto out;
    rc = xenmig_caps_probe(&caps, conn, &copts, &err);
    if (rc) {
        ret = cli_fail(rc, &err);
        goto out;
    }
    if (json) {
        if (print_json(caps)) {
            cli_err("out of memory");
            ret = CLI_EXIT_FAILED;
            goto out;
        }
    } else {
        rc = xenmig_caps_to_xml(&xml, caps, extended, &err);
        if (rc) {
            ret = cli_fail(rc, &err);
            goto out;
        }
        if (strstr(xml, "\xef\xbf\xbd"))
            cli_err("note: U+FFFD in the XML stands for bytes of xend's "
                    "text that are not UTF-8 or are characters XML 1.0 "
                    "forbids");
        fputs(xml, stdout);
    }
    ret = CLI_EXIT_OK;
 out:
    xenmig_free(xml);
    xenmig_caps_free(caps);
    xenmig_conn_free(conn);
    return ret;
}
