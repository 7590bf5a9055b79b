/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * evac_report.c: xenmig evacuate's plan (a table or a JSON event) and
 * its end: the final table, the check that SOURCE runs only Domain-0,
 * the summary and the exit code.
 */
#include <stdio.h>
#include <string.h>

#include "evac.h"
#include "text.h"

/* ---- the plan ------------------------------------------------------ */

void
evac_print_plan(const struct evac *ev)
{
    const struct evac_job *j;
    json_object *o, *arr, *x;
    size_t i, k;

    if (ev->json) {
        o = evac_event("plan", NULL);
        arr = json_object_new_array();
        if (!o || !arr) {
            json_object_put(o);
            json_object_put(arr);
            return;
        }
        json_object_object_add(o, "source", cli_json_string(ev->source));
        json_object_object_add(o, "place", json_object_new_string(
            ev->place == EVAC_PACK ? "pack" : "spread"));
        json_object_object_add(o, "dry_run",
                               json_object_new_boolean(ev->dry_run));
        for (k = 0; k < ev->njobs; k++) {
            for (i = 0; i < ev->njobs; i++)
                if (ev->jobs[i].dom->order == k)
                    break;
            j = &ev->jobs[i];
            x = evac_add_dom(json_object_new_object(), j);
            if (!x)
                continue;
            json_object_object_add(x, "memory_mib", json_object_new_int64(
                (int64_t)j->dom->memory_mib));
            if (j->dom->dest < 0)
                json_object_object_add(x, "why", cli_json_string(
                    j->dom->why));
            json_object_array_add(arr, x);
        }
        json_object_object_add(o, "domains", arr);
        evac_emit(o);
        return;
    }
    if (ev->quiet && !ev->dry_run)
        return;
    printf("Plan: %zu domain%s off %s (%s, biggest first)\n", ev->njobs,
           ev->njobs == 1 ? "" : "s", ev->src_host,
           ev->place == EVAC_PACK ? "pack" : "spread");
    for (i = 0; i < ev->ndest; i++) {
        const struct evac_dest *d = &ev->dests[i];

        fputs("  to ", stdout);
        cli_fput_col(d->name, 20, stdout);
        if (d->usable)
            printf(" %6llu MiB free, %u domain%s, %llu MiB\n",
                   (unsigned long long)d->free_mib, d->planned,
                   d->planned == 1 ? "" : "s",
                   (unsigned long long)d->planned_mib);
        else {
            fputs(" not usable: ", stdout);
            cli_fputs_term(d->why_not, stdout);
            fputc('\n', stdout);
        }
    }
    printf("  %-3s %-24s %8s  %s\n", "#", "DOMAIN", "MEMORY",
           "DESTINATION");
    for (k = 0; k < ev->njobs; k++) {
        for (i = 0; i < ev->njobs; i++)
            if (ev->jobs[i].dom->order == k)
                break;
        j = &ev->jobs[i];
        printf("  %-3zu ", k + 1);
        cli_fput_col(j->name, 24, stdout);
        printf(" %4llu MiB  ", (unsigned long long)j->dom->memory_mib);
        if (j->dom->dest >= 0) {
            cli_fputs_term(ev->to[j->dom->dest], stdout);
        } else {
            fputs("none: ", stdout);
            cli_fputs_term(j->dom->why, stdout);
        }
        fputc('\n', stdout);
    }
    for (i = 0; i < ev->nexcluded; i++) {
        fputs("  excluded: ", stdout);
        cli_fputs_term(ev->excluded[i], stdout);
        fputc('\n', stdout);
    }
    fflush(stdout);
}

/* ---- the end ------------------------------------------------------- */

/* Why @name is still on SOURCE: its job's outcome, or excluded. */
static const char *
why_left(const struct evac *ev, const char *name, const char **detail)
{
    size_t i;

    *detail = "";
    for (i = 0; i < ev->njobs; i++) {
        const struct evac_job *j = &ev->jobs[i];

        if (strcmp(j->name, name) != 0)
            continue;
        if (j->dom->dest < 0)
            *detail = j->dom->why;
        else
            *detail = j->msg;
        return j->outcome;
    }
    for (i = 0; i < ev->nexcluded; i++)
        if (strcmp(ev->excluded[i], name) == 0)
            return "excluded";
    return "new";           /* started on SOURCE during the run */
}

static void
print_table(const struct evac *ev)
{
    size_t i;

    printf("%-24s %-20s %-9s %8s %10s %8s\n", "DOMAIN", "DESTINATION",
           "OUTCOME", "TIME", "MIB", "DOWNTIME");
    for (i = 0; i < ev->njobs; i++) {
        const struct evac_job *j = &ev->jobs[i];

        cli_fput_col(j->name, 24, stdout);
        fputc(' ', stdout);
        cli_fput_col(j->dom->dest >= 0 ? ev->to[j->dom->dest] : "-", 20,
                     stdout);
        printf(" %-9s", j->outcome);
        if (j->state == JOB_DONE)
            printf(" %6.1f s %10.1f %8s\n", j->secs,
                   (double)j->bytes / 1048576.0, "-");
        else
            printf(" %8s %10s %8s\n", "-", "-", "-");
    }
}

int
evac_finish(struct evac *ev, xenmig_conn *src)
{
    xenmig_domain_list *l = NULL;
    xenmig_error err;
    json_object *o = NULL, *left = NULL, *x;
    const char *why, *detail;
    size_t i, n, count[8];
    int rc, ret, only_dom0 = 1;
    static const char *const names[] = {
        "moved", "failed", "cancelled", "skipped", "unplaced", "lost",
        "unsure", NULL
    };

    memset(count, 0, sizeof(count));
    for (i = 0; i < ev->njobs; i++) {
        for (n = 0; names[n]; n++)
            if (strcmp(ev->jobs[i].outcome, names[n]) == 0)
                count[n]++;
    }
    if (count[5])
        ret = CLI_EXIT_LOST;
    else if (count[6])
        ret = CLI_EXIT_UNSURE;
    else if (count[0] < ev->njobs)
        ret = CLI_EXIT_FAILED;
    else
        ret = CLI_EXIT_OK;

    if (ev->json) {
        o = evac_event("summary", NULL);
        left = json_object_new_array();
    } else {
        print_table(ev);
    }
    xenmig_error_clear(&err);
    rc = xenmig_domain_list_get(&l, src, &err);
    if (rc) {
        only_dom0 = 0;
        cli_err("cannot check what still runs on '%s': %s", ev->src_host,
                err.msg);
        if (ret == CLI_EXIT_OK)
            ret = CLI_EXIT_UNSURE;
    }
    for (i = 0; !rc && i < xenmig_domain_list_count(l); i++) {
        const xenmig_domain *d = xenmig_domain_list_at(l, i);

        if (xenmig_domain_id(d) == 0)
            continue;
        only_dom0 = 0;
        why = why_left(ev, xenmig_domain_name(d), &detail);
        if (left && (x = json_object_new_object())) {
            json_object_object_add(x, "domain",
                                   cli_json_string(xenmig_domain_name(d)));
            json_object_object_add(x, "why", json_object_new_string(why));
            if (*detail)
                json_object_object_add(x, "detail",
                                       cli_json_string(detail));
            json_object_array_add(left, x);
        } else if (!ev->json) {
            printf("still on %s: ", ev->src_host);
            cli_fputs_term(xenmig_domain_name(d), stdout);
            printf(" (%s%s", why, *detail ? ": " : "");
            cli_fputs_term(detail, stdout);
            fputs(")\n", stdout);
        }
    }
    if (!rc && !ev->json && only_dom0)
        printf("%s runs only Domain-0\n", ev->src_host);
    if (ev->stop_why[0] && !ev->json)
        printf("stopped: %s\n", ev->stop_why);
    if (o) {
        json_object_object_add(o, "source", cli_json_string(ev->src_host));
        for (n = 0; names[n]; n++)
            json_object_object_add(o, names[n],
                                   json_object_new_int((int)count[n]));
        json_object_object_add(o, "domains",
                               json_object_new_int((int)ev->njobs));
        json_object_object_add(o, "excluded",
                               json_object_new_int((int)ev->nexcluded));
        json_object_object_add(o, "only_domain0",
                               json_object_new_boolean(only_dom0));
        json_object_object_add(o, "remaining", left);
        left = NULL;
        if (ev->stop_why[0])
            json_object_object_add(o, "stopped",
                                   cli_json_string(ev->stop_why));
        json_object_object_add(o, "seconds",
                               json_object_new_double(evac_now() - ev->t0));
        if (ev->budget) {
            uint64_t bytes;
            unsigned int now, peak;

            xenmig_budget_usage(ev->budget, &bytes, &now, &peak);
            json_object_object_add(o, "budget_mbit",
                json_object_new_int64((int64_t)ev->budget_mbit));
            json_object_object_add(o, "budget_bytes",
                json_object_new_int64((int64_t)bytes));
            json_object_object_add(o, "budget_peak_streams",
                                   json_object_new_int((int)peak));
        }
        json_object_object_add(o, "exit", json_object_new_int(ret));
        evac_emit(o);
    }
    json_object_put(left);
    xenmig_domain_list_free(l);
    return ret;
}
