/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_evacuate.c: xenmig evacuate: options, what SOURCE and each
 * destination say, the plan (evac_plan.c); the migrations and their
 * report are evac_run.c's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evac.h"
#include "text.h"

enum {
    OPT_TO = 0x100, OPT_ONLY, OPT_EXCLUDE, OPT_PLACE, OPT_DRY_RUN,
    OPT_PARALLEL, OPT_PER_DEST, OPT_LIVE, OPT_NON_LIVE, OPT_DIRECT,
    OPT_TIMEOUT, OPT_STALL, OPT_RELAY_ADDRESS, OPT_RELAY_ALLOW, OPT_JSON
};

static const struct option evac_opts[] = {
    { "to", required_argument, NULL, OPT_TO },
    { "only", required_argument, NULL, OPT_ONLY },
    { "exclude", required_argument, NULL, OPT_EXCLUDE },
    { "place", required_argument, NULL, OPT_PLACE },
    { "dry-run", no_argument, NULL, OPT_DRY_RUN },
    { "parallel", required_argument, NULL, OPT_PARALLEL },
    { "per-dest", required_argument, NULL, OPT_PER_DEST },
    { "resource", required_argument, NULL, 'r' },
    { "live", no_argument, NULL, OPT_LIVE },
    { "non-live", no_argument, NULL, OPT_NON_LIVE },
    { "port", required_argument, NULL, 'p' },
    { "ssl", no_argument, NULL, 's' },
    { "direct", no_argument, NULL, OPT_DIRECT },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "stall", required_argument, NULL, OPT_STALL },
    { "relay-address", required_argument, NULL, OPT_RELAY_ADDRESS },
    { "relay-allow", required_argument, NULL, OPT_RELAY_ALLOW },
    { "json", no_argument, NULL, OPT_JSON },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
};

static int
usage_err(void)
{
    fprintf(stderr, "Try 'xenmig evacuate --help'.\n");
    return CLI_EXIT_USAGE;
}

/* Split @arg at commas into @list (bounded); 0 or a usage error. */
static int
add_list(const char **list, size_t *n, size_t max, char *arg,
         const char *opt)
{
    char *tok, *save = NULL;

    for (tok = strtok_r(arg, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (*n == max) {
            cli_err("%s: at most %zu names", opt, max);
            return CLI_EXIT_USAGE;
        }
        list[(*n)++] = tok;
    }
    return 0;
}

static int
parse_args(struct evac *ev, int argc, char **argv)
{
    static const xenmig_migrate_opts defaults = XENMIG_MIGRATE_OPTS_INIT;
    long v;
    int c, live = 1;

    ev->opts = defaults;
    ev->parallel = 2;
    ev->per_dest = 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:p:sqv", evac_opts,
                            NULL)) != -1) {
        switch (c) {
        case OPT_TO:
            if (add_list(ev->to, &ev->ndest, EVAC_MAX_DEST, optarg,
                         "--to"))
                return CLI_EXIT_USAGE;
            break;
        case OPT_ONLY:
            if (add_list(ev->only, &ev->nonly, EVAC_MAX_PICK, optarg,
                         "--only"))
                return CLI_EXIT_USAGE;
            break;
        case OPT_EXCLUDE:
            if (add_list(ev->exclude, &ev->nexclude, EVAC_MAX_PICK,
                         optarg, "--exclude"))
                return CLI_EXIT_USAGE;
            break;
        case OPT_PLACE:
            if (strcmp(optarg, "spread") == 0) {
                ev->place = EVAC_SPREAD;
            } else if (strcmp(optarg, "pack") == 0) {
                ev->place = EVAC_PACK;
            } else {
                cli_err("--place wants 'spread' or 'pack', not '%s'",
                        optarg);
                return usage_err();
            }
            break;
        case OPT_DRY_RUN:
            ev->dry_run = 1;
            break;
        case OPT_PARALLEL:
        case OPT_PER_DEST:
            if (!cli_parse_long(optarg, 1, 64, &v)) {
                cli_err("--%s wants 1..64, not '%s'",
                        c == OPT_PARALLEL ? "parallel" : "per-dest",
                        optarg);
                return usage_err();
            }
            if (c == OPT_PARALLEL)
                ev->parallel = v;
            else
                ev->per_dest = v;
            break;
        case 'r':
            if (!cli_parse_long(optarg, 1, 1000000, &v)) {
                cli_err("--resource wants Mbit/s in 1..1000000, not '%s'",
                        optarg);
                return usage_err();
            }
            ev->budget_mbit = (unsigned long)v;
            break;
        case OPT_LIVE:
            live = 1;
            break;
        case OPT_NON_LIVE:
            live = 0;
            break;
        case 'p':
            if (!cli_parse_long(optarg, 1, 65535, &v)) {
                cli_err("--port wants 1..65535, not '%s'", optarg);
                return usage_err();
            }
            ev->opts.port = (int)v;
            break;
        case 's':
            ev->opts.flags |= XENMIG_MIGRATE_SSL;
            break;
        case OPT_DIRECT:
            ev->opts.flags |= XENMIG_MIGRATE_DIRECT;
            break;
        case OPT_TIMEOUT:
        case OPT_STALL:
            if (!cli_parse_long(optarg, 1, 86400, &v)) {
                cli_err("--%s wants seconds in 1..86400, not '%s'",
                        c == OPT_TIMEOUT ? "timeout" : "stall", optarg);
                return usage_err();
            }
            if (c == OPT_TIMEOUT)
                ev->opts.timeout_ms = v * 1000;
            else
                ev->opts.stall_ms = v * 1000;
            break;
        case OPT_RELAY_ADDRESS:
            ev->opts.relay_address = optarg;
            break;
        case OPT_RELAY_ALLOW:
            if (ev->nrelay_allow == EVAC_MAX_ALLOW) {
                cli_err("--relay-allow may be given at most %d times",
                        EVAC_MAX_ALLOW);
                return usage_err();
            }
            ev->relay_allow[ev->nrelay_allow++] = optarg;
            ev->opts.relay_allow = ev->relay_allow;
            break;
        case OPT_JSON:
            ev->json = 1;
            break;
        case 'q':
            ev->quiet = 1;
            break;
        case 'v':
            cli_verbose++;
            break;
        default:
            return usage_err();
        }
    }
    if (live)
        ev->opts.flags |= XENMIG_MIGRATE_LIVE;
    if (argc - optind != 1) {
        cli_err("evacuate wants SOURCE, got %d arguments", argc - optind);
        return usage_err();
    }
    ev->source = argv[optind];
    if (!*ev->source) {
        cli_err("SOURCE is empty");
        return usage_err();
    }
    if (ev->ndest == 0) {
        cli_err("evacuate wants --to DEST[,DEST...]");
        return usage_err();
    }
    if (ev->budget_mbit &&
        (ev->opts.flags & (XENMIG_MIGRATE_SSL | XENMIG_MIGRATE_DIRECT))) {
        cli_err("--resource is a budget the relays share: it cannot be "
                "kept with %s, whose streams are not relayed",
                (ev->opts.flags & XENMIG_MIGRATE_SSL) ? "--ssl" :
                "--direct");
        return usage_err();
    }
    return 0;
}

/* Is @d named (name, id or UUID) in @list? Marks the names found. */
static int
picked(const xenmig_domain *d, const char *const *list, size_t n,
       unsigned char *found)
{
    char id[16];
    size_t i;
    int hit = 0;

    snprintf(id, sizeof(id), "%d", xenmig_domain_id(d));
    for (i = 0; i < n; i++) {
        if (strcmp(list[i], xenmig_domain_name(d)) == 0 ||
            strcmp(list[i], id) == 0 ||
            strcmp(list[i], xenmig_domain_uuid(d)) == 0) {
            found[i] = 1;
            hit = 1;
        }
    }
    return hit;
}

/* A name of --only or --exclude that SOURCE does not run: a typo. */
static int
all_found(const struct evac *ev, const char *const *list, size_t n,
          const unsigned char *found, const char *opt)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!found[i]) {
            cli_err("%s '%s': '%s' runs no such domain", opt, list[i],
                    ev->src_host);
            return CLI_EXIT_USAGE;
        }
    }
    return 0;
}

/* The domains to move: all but Domain-0, --only, not --exclude. */
static int
choose(struct evac *ev, const xenmig_domain_list *l)
{
    size_t i, n = xenmig_domain_list_count(l);
    const xenmig_domain *d;
    struct evac_job *j;
    unsigned char only_found[EVAC_MAX_PICK] = { 0 };
    unsigned char excl_found[EVAC_MAX_PICK] = { 0 };
    int in_only, in_excl, rc;

    for (i = 0; i < n; i++) {
        d = xenmig_domain_list_at(l, i);
        if (xenmig_domain_id(d) == 0)
            continue;
        in_only = picked(d, ev->only, ev->nonly, only_found);
        in_excl = picked(d, ev->exclude, ev->nexclude, excl_found);
        if ((ev->nonly && !in_only) || in_excl) {
            if (ev->nexcluded < EVAC_MAX_DOMS)
                snprintf(ev->excluded[ev->nexcluded++],
                         sizeof(ev->excluded[0]), "%s",
                         xenmig_domain_name(d));
            continue;
        }
        if (ev->njobs == EVAC_MAX_DOMS) {
            cli_err("'%s' runs more than %d domains: evacuate at most %d "
                    "at a time (--only)", ev->src_host, EVAC_MAX_DOMS,
                    EVAC_MAX_DOMS);
            return CLI_EXIT_USAGE;
        }
        j = &ev->jobs[ev->njobs];
        j->ev = ev;
        j->dom = &ev->doms[ev->njobs];
        snprintf(j->name, sizeof(j->name), "%s", xenmig_domain_name(d));
        snprintf(j->uuid, sizeof(j->uuid), "%s", xenmig_domain_uuid(d));
        j->dom->name = j->name;
        j->dom->uuid = j->uuid;
        j->dom->memory_mib = xenmig_domain_memory(d);
        j->dom->hvm = xenmig_domain_is_hvm(d) == 1;
        j->outcome = "unplaced";
        ev->njobs++;
    }
    if ((rc = all_found(ev, ev->only, ev->nonly, only_found, "--only")))
        return rc;
    return all_found(ev, ev->exclude, ev->nexclude, excl_found,
                     "--exclude");
}

struct reach {
    char failed[256];               /* the first host check that failed */
    const char *dest;
    int say;                        /* print the warnings */
};

/*
 * Checks about the domain are the plan's; the others are the host's.
 * A warning (an open hosts-allow, clear text where SSL is offered, the
 * stream passing through this host) is said once, for the destination.
 */
static void
on_check(const char *check, int ok, const char *detail, void *payload)
{
    struct reach *r = payload;

    if (ok == XENMIG_CHECK_WARN && r->say) {
        fputs("xenmig: ", stderr);
        cli_fputs_term(r->dest, stderr);
        fputs(": warning: ", stderr);
        cli_fputs_term(detail, stderr);
        fputc('\n', stderr);
    }
    if (ok != XENMIG_CHECK_FAILED || r->failed[0])
        return;
    if (strcmp(check, "name") == 0 || strcmp(check, "memory") == 0 ||
        strcmp(check, "xen_caps") == 0 || strcmp(check, "domain") == 0)
        return;
    snprintf(r->failed, sizeof(r->failed), "%s", detail);
}

/* Copy a domain list's names and UUIDs (NULL-terminated arrays). */
static int
copy_names(char ***names, char ***uuids, size_t *n,
           const xenmig_domain_list *l)
{
    size_t i, k = xenmig_domain_list_count(l);

    *names = calloc(k + 1, sizeof(char *));
    *uuids = calloc(k + 1, sizeof(char *));
    if (!*names || !*uuids)
        return -1;
    for (i = 0; i < k; i++) {
        (*names)[i] = strdup(xenmig_domain_name(xenmig_domain_list_at(l,
                                                                      i)));
        (*uuids)[i] = strdup(xenmig_domain_uuid(xenmig_domain_list_at(l,
                                                                      i)));
        if (!(*names)[i] || !(*uuids)[i])
            return -1;
    }
    *n = k;
    return 0;
}

/*
 * What destination @i says: free memory, xen_caps, its domains, and
 * whether the source can reach its relocation server (migrate's own
 * pre-flight, for the first domain, read for the host's checks only).
 */
static void
probe_dest(struct evac *ev, size_t i, xenmig_conn *src)
{
    struct evac_dest *d = &ev->dests[i];
    xenmig_conn *dst = NULL;
    xenmig_node *node = NULL;
    xenmig_domain_list *l = NULL;
    xenmig_migrate_opts o = ev->opts;
    struct reach r;
    xenmig_error err;
    int rc;

    memset(&r, 0, sizeof(r));
    r.dest = ev->to[i];
    r.say = !ev->quiet && !ev->json;
    xenmig_error_clear(&err);
    d->name = ev->to[i];
    d->names = d->uuids = NULL;
    d->why_not = ev->dest_why[i];
    d->xen_caps = "";
    if ((rc = xenmig_conn_open_dest(&dst, ev->to[i], &err)) ||
        (rc = xenmig_node_get(&node, dst, &err)) ||
        (rc = xenmig_domain_list_get(&l, dst, &err))) {
        snprintf(ev->dest_why[i], sizeof(ev->dest_why[i]), "%s", err.msg);
        goto out;
    }
    d->free_mib = xenmig_node_free_memory(node);
    ev->dest_caps[i] = strdup(xenmig_node_xen_caps(node));
    if (!ev->dest_caps[i] ||
        copy_names(&ev->dest_names[i], &ev->dest_uuids[i], &d->ndomains,
                   l)) {
        snprintf(ev->dest_why[i], sizeof(ev->dest_why[i]),
                 "out of memory");
        goto out;
    }
    d->xen_caps = ev->dest_caps[i];
    d->names = (const char *const *)ev->dest_names[i];
    d->uuids = (const char *const *)ev->dest_uuids[i];
    if (ev->njobs) {
        if (strncmp(ev->to[i], "http://", 7) != 0 &&
            strncmp(ev->to[i], "unix://", 7) != 0)
            o.uri = ev->to[i];
        rc = xenmig_migrate_check(src, ev->jobs[0].uuid[0] ?
                                  ev->jobs[0].uuid : ev->jobs[0].name,
                                  dst, &o, on_check, &r, &err);
        if (r.failed[0]) {
            snprintf(ev->dest_why[i], sizeof(ev->dest_why[i]), "%s",
                     r.failed);
            goto out;
        }
    }
    d->usable = 1;
 out:
    xenmig_domain_list_free(l);
    xenmig_node_free(node);
    xenmig_conn_free(dst);
}

static void
release(struct evac *ev)
{
    size_t i, k;

    for (i = 0; i < EVAC_MAX_DEST; i++) {
        free(ev->dest_caps[i]);
        for (k = 0; ev->dest_names[i] && ev->dest_names[i][k]; k++)
            free(ev->dest_names[i][k]);
        for (k = 0; ev->dest_uuids[i] && ev->dest_uuids[i][k]; k++)
            free(ev->dest_uuids[i][k]);
        free(ev->dest_names[i]);
        free(ev->dest_uuids[i]);
    }
    free(ev->src_caps);
    xenmig_budget_free(ev->budget);
    free(ev);
}

int
cmd_evacuate(int argc, char **argv)
{
    struct evac *ev;
    xenmig_conn *src = NULL;
    xenmig_node *node = NULL;
    xenmig_domain_list *l = NULL;
    xenmig_error err;
    size_t i, placed;
    int rc, ret, inited = 0;

    xenmig_error_clear(&err);
    ev = calloc(1, sizeof(*ev));
    if (!ev) {
        cli_err("out of memory");
        return CLI_EXIT_FAILED;
    }
    ret = parse_args(ev, argc, argv);
    if (ret)
        goto out;
    ev->tty = !ev->quiet && !ev->json && isatty(STDERR_FILENO);
    if ((rc = xenmig_init(&err)))
        goto fail;
    inited = 1;
    if ((rc = xenmig_conn_open_dest(&src, ev->source, &err)) ||
        (rc = xenmig_node_get(&node, src, &err)) ||
        (rc = xenmig_domain_list_get(&l, src, &err)))
        goto fail;
    snprintf(ev->src_host, sizeof(ev->src_host), "%s",
             xenmig_conn_host(src));
    ev->src_caps = strdup(xenmig_node_xen_caps(node));
    if (!ev->src_caps) {
        rc = XENMIG_ENOMEM;
        snprintf(err.msg, sizeof(err.msg), "out of memory");
        goto fail;
    }
    ret = choose(ev, l);
    if (ret)
        goto out;
    /* the checks see the options the migrations will have */
    if (ev->budget_mbit &&
        (rc = xenmig_budget_new(&ev->budget, ev->budget_mbit, &err)))
        goto fail;
    ev->opts.budget = ev->budget;
    for (i = 0; i < ev->ndest; i++)
        probe_dest(ev, i, src);
    placed = evac_plan(ev->doms, ev->njobs, ev->dests, ev->ndest,
                       ev->src_caps, ev->place);
    evac_print_plan(ev);
    if (ev->dry_run) {
        ret = placed == ev->njobs ? CLI_EXIT_OK : CLI_EXIT_FAILED;
        goto out;
    }
    evac_run(ev);
    ret = evac_finish(ev, src);
    goto out;
 fail:
    ret = cli_fail(rc, &err);
 out:
    xenmig_domain_list_free(l);
    xenmig_node_free(node);
    xenmig_conn_free(src);
    release(ev);
    if (inited)
        xenmig_shutdown();
    return ret;
}
