/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * evac_run.c: xenmig evacuate's migrations (a few threads, each
 * migration with its own connections through xenmig_migrate_ex(), so
 * the per-domain lock and journal apply), their progress lines or
 * NDJSON events, the final table, the check of SOURCE, the summary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef XM_JSON_H
# include <json/json.h>      /* json-c 0.10 (Debian 7): the old layout */
#else
# include <json-c/json.h>
#endif

#include "evac.h"
#include "text.h"

volatile sig_atomic_t evac_cancel;

double
evac_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One NDJSON line; @o is consumed. Under ev->mu, so lines stay whole. */
static void
emit(json_object *o)
{
    if (!o)
        return;
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    fflush(stdout);
    json_object_put(o);
}

/* @o with the domain's name, UUID and destination (if any). */
static json_object *
add_dom(json_object *o, const struct evac_job *j)
{
    if (!o)
        return NULL;
    json_object_object_add(o, "domain", cli_json_string(j->name));
    json_object_object_add(o, "uuid", cli_json_string(j->uuid));
    if (j->dom->dest >= 0)
        json_object_object_add(o, "destination",
                               cli_json_string(j->ev->to[j->dom->dest]));
    return o;
}

static json_object *
event(const char *name, const struct evac_job *j)
{
    json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    json_object_object_add(o, "event", json_object_new_string(name));
    return j ? add_dom(o, j) : o;
}

/* ---- the plan ------------------------------------------------------ */

void
evac_print_plan(const struct evac *ev)
{
    const struct evac_job *j;
    json_object *o, *arr, *x;
    size_t i, k;

    if (ev->json) {
        o = event("plan", NULL);
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
            x = add_dom(json_object_new_object(), j);
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
        emit(o);
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

/* ---- the migrations ------------------------------------------------ */

static int
on_progress(const xenmig_progress *p, void *payload)
{
    struct evac_job *j = payload;
    struct evac *ev = j->ev;
    json_object *o;

    pthread_mutex_lock(&ev->mu);
    if (!p->source_state) {
        j->bytes = p->bytes;
        j->memory_bytes = p->memory_bytes;
        j->percent = p->percent;
        j->pass = p->pass;
    }
    if (ev->json && !p->source_state) {
        o = event("progress", j);
        if (o) {
            json_object_object_add(o, "bytes",
                json_object_new_int64((int64_t)p->bytes));
            json_object_object_add(o, "percent",
                                   json_object_new_int(p->percent));
            json_object_object_add(o, "pass",
                                   json_object_new_int((int)p->pass));
            json_object_object_add(o, "rate_mbit",
                                   json_object_new_double(p->rate_mbit));
            json_object_object_add(o, "elapsed_s",
                                   json_object_new_double(p->elapsed_s));
            json_object_object_add(o, "done",
                                   json_object_new_boolean(p->done));
        }
        emit(o);
    }
    pthread_mutex_unlock(&ev->mu);
    return evac_cancel != 0;
}

static void
on_check(const char *check, int ok, const char *detail, void *payload)
{
    struct evac_job *j = payload;

    if (ok == XENMIG_CHECK_WARN && cli_verbose)
        cli_err("%s: warning: %s", j->name, detail);
    else if (cli_verbose > 1)
        cli_err("%s: check %s %s: %s", j->name, check,
                ok ? "ok" : "FAILED", detail);
}

/* One migration, with connections of its own. */
static void
migrate_one(struct evac *ev, struct evac_job *j)
{
    const char *dest = ev->to[j->dom->dest];
    xenmig_migrate_opts o = ev->opts;
    xenmig_conn *src = NULL, *dst = NULL;
    xenmig_error err;
    int rc;

    xenmig_error_clear(&err);
    o.progress = on_progress;
    o.payload = j;
    o.check = on_check;
    o.check_payload = j;
    if (strncmp(dest, "http://", 7) != 0 && strncmp(dest, "unix://", 7))
        o.uri = dest;
    rc = xenmig_conn_open_dest(&src, ev->source, &err);
    if (!rc)
        rc = xenmig_conn_open_dest(&dst, dest, &err);
    if (!rc)
        rc = xenmig_migrate_ex(src, j->uuid[0] ? j->uuid : j->name, dst,
                               &o, &err);
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    j->rc = rc;
    snprintf(j->msg, sizeof(j->msg), "%s", rc ? err.msg : "");
}

/* The next job a worker may start, under ev->mu; NULL: none now. */
static struct evac_job *
next_job(struct evac *ev, int *pending)
{
    struct evac_job *best = NULL;
    size_t i;

    *pending = 0;
    for (i = 0; i < ev->njobs; i++) {
        struct evac_job *j = &ev->jobs[i];

        if (j->state != JOB_PENDING || j->dom->dest < 0)
            continue;
        (*pending)++;
        if (ev->running_at[j->dom->dest] >= ev->per_dest)
            continue;
        if (!best || j->dom->order < best->dom->order)
            best = j;
    }
    return best;
}

static void
job_ended(struct evac *ev, struct evac_job *j)
{
    json_object *o;

    j->secs = evac_now() - j->t0;
    j->state = JOB_DONE;
    if (j->rc == 0) {
        j->outcome = "moved";
    } else if (j->rc == XENMIG_ELOST) {
        j->outcome = "lost";
    } else if (j->rc == XENMIG_EUNKNOWN) {
        j->outcome = "unsure";
    } else if (j->rc == XENMIG_ECANCELLED || evac_cancel) {
        j->outcome = "cancelled";
    } else {
        j->outcome = "failed";
    }
    if ((j->rc == XENMIG_ELOST || j->rc == XENMIG_EUNKNOWN) && !ev->stop) {
        ev->stop = 1;
        snprintf(ev->stop_why, sizeof(ev->stop_why), "domain '%s' %s: "
                 "no new migration was started after it", j->name,
                 j->rc == XENMIG_ELOST ? "was lost by xend" :
                 "needs a look");
    }
    if (ev->json) {
        o = event("end", j);
        if (o) {
            json_object_object_add(o, "outcome",
                                   json_object_new_string(j->outcome));
            json_object_object_add(o, "seconds",
                                   json_object_new_double(j->secs));
            json_object_object_add(o, "bytes",
                json_object_new_int64((int64_t)j->bytes));
            if (j->rc)
                cli_json_add_error(o, j->rc, j->msg);
        }
        emit(o);
    }
}

static void *
worker(void *arg)
{
    struct evac *ev = arg;
    struct evac_job *j;
    int pending;

    pthread_mutex_lock(&ev->mu);
    for (;;) {
        if (ev->stop || evac_cancel)
            break;
        j = next_job(ev, &pending);
        if (!j) {
            if (!pending)
                break;
            pthread_cond_wait(&ev->cv, &ev->mu);
            continue;
        }
        j->state = JOB_RUNNING;
        j->t0 = evac_now();
        ev->running++;
        ev->running_at[j->dom->dest]++;
        if (ev->json)
            emit(event("start", j));
        pthread_mutex_unlock(&ev->mu);
        migrate_one(ev, j);
        pthread_mutex_lock(&ev->mu);
        ev->running--;
        ev->running_at[j->dom->dest]--;
        job_ended(ev, j);
        pthread_cond_broadcast(&ev->cv);
    }
    ev->workers--;
    pthread_cond_broadcast(&ev->cv);
    pthread_mutex_unlock(&ev->mu);
    return NULL;
}

/* ---- signals ------------------------------------------------------- */

static void
on_signal(int sig)
{
    static const char first[] = "\nxenmig: interrupted: cancelling the "
        "running migrations (xend resumes each domain on the source), "
        "starting no more; again to stop waiting\n";
    static const char again[] = "xenmig: interrupted again: not waiting; "
        "run 'xenmig recover' to settle what the journal holds\n";
    static const char term[] = "xenmig: terminated: the running "
        "migrations' streams are cut; run 'xenmig recover' to settle "
        "what the journal holds\n";
    ssize_t n;

    if (sig == SIGTERM) {
        n = write(STDERR_FILENO, term, sizeof(term) - 1);
        (void)n;
        _exit(CLI_EXIT_UNSURE);
    }
    if (evac_cancel) {
        n = write(STDERR_FILENO, again, sizeof(again) - 1);
        (void)n;
        _exit(CLI_EXIT_UNSURE);
    }
    evac_cancel = sig;
    n = write(STDERR_FILENO, first, sizeof(first) - 1);
    (void)n;
}

static void
catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- the terminal -------------------------------------------------- */

static void
job_line(const struct evac_job *j, FILE *f)
{
    fputs("  ", f);
    cli_fput_col(j->name, 20, f);
    fputs(" -> ", f);
    cli_fput_col(j->ev->to[j->dom->dest], 16, f);
}

/* Redraw: the migrations that ended, then one line per running one. */
static int
draw(struct evac *ev, int lines)
{
    size_t i;
    int n = 0;

    if (lines)
        fprintf(stderr, "\033[%dA\033[J", lines);
    for (i = 0; i < ev->njobs; i++) {
        struct evac_job *j = &ev->jobs[i];

        if (j->state != JOB_DONE || j->shown)
            continue;
        j->shown = 1;
        job_line(j, stderr);
        fprintf(stderr, " %-9s %6.1f s", j->outcome, j->secs);
        if (j->rc) {
            fputs("  ", stderr);
            cli_fputs_term(j->msg, stderr);
        }
        fputc('\n', stderr);
    }
    for (i = 0; i < ev->njobs; i++) {
        struct evac_job *j = &ev->jobs[i];

        if (j->state != JOB_RUNNING || !ev->tty)
            continue;
        job_line(j, stderr);
        if (j->pass > 1)
            fprintf(stderr, " pass %u", j->pass);
        else
            fprintf(stderr, " %3d%%", j->percent);
        fprintf(stderr, " %6.0f MiB %6.1f s\n",
                (double)j->bytes / 1048576.0, evac_now() - j->t0);
        n++;
    }
    fflush(stderr);
    return n;
}

int
evac_run(struct evac *ev)
{
    pthread_t th[64];
    struct timespec until;
    long i, nth = 0;
    int lines = 0;

    pthread_mutex_init(&ev->mu, NULL);
    pthread_cond_init(&ev->cv, NULL);
    catch_signals();
    ev->t0 = evac_now();
    pthread_mutex_lock(&ev->mu);
    for (i = 0; i < ev->parallel && i < (long)ev->njobs; i++) {
        if (pthread_create(&th[nth], NULL, worker, ev) == 0) {
            nth++;
            ev->workers++;
        }
    }
    if (nth == 0 && ev->njobs) {
        ev->stop = 1;
        snprintf(ev->stop_why, sizeof(ev->stop_why),
                 "no thread could be started");
    }
    while (ev->workers > 0) {
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&ev->cv, &ev->mu, &until);
        if (evac_cancel && !ev->stop) {
            ev->stop = 1;
            snprintf(ev->stop_why, sizeof(ev->stop_why), "interrupted: "
                     "the running migrations were cancelled, no more "
                     "started");
            pthread_cond_broadcast(&ev->cv);
        }
        if (!ev->quiet && !ev->json)
            lines = draw(ev, lines);
    }
    if (!ev->quiet && !ev->json)
        draw(ev, lines);
    pthread_mutex_unlock(&ev->mu);
    for (i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    for (i = 0; i < (long)ev->njobs; i++) {
        struct evac_job *j = &ev->jobs[i];

        if (j->dom->dest >= 0 && j->state == JOB_PENDING)
            j->outcome = "skipped";
    }
    return 0;
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
        o = event("summary", NULL);
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
        emit(o);
    }
    json_object_put(left);
    xenmig_domain_list_free(l);
    return ret;
}
