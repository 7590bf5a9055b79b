/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * evac_run.c: xenmig evacuate's migrations (a few threads, each
 * migration with its own connections through xenmig_migrate_ex(), so
 * the per-domain lock and journal apply), their progress lines or
 * NDJSON events, the signals; the plan and the end are evac_report.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

void
evac_emit(json_object *o)
{
    if (!o)
        return;
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    fflush(stdout);
    json_object_put(o);
}

/* @o with the domain's name, UUID and destination (if any). */
json_object *
evac_add_dom(json_object *o, const struct evac_job *j)
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

json_object *
evac_event(const char *name, const struct evac_job *j)
{
    json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    json_object_object_add(o, "event", json_object_new_string(name));
    return j ? evac_add_dom(o, j) : o;
}

/* ---- the migrations ------------------------------------------------ */

/*
 * The slots (under ev->mu). --parallel N and --per-dest M count
 * streams, the migrations using the link: a migration whose stream is
 * at its destination (the relay's "sent") leaves its slots while xend
 * restores the domain there and the migration finishes, so the next
 * one streams meanwhile. The migrations past their stream are bounded
 * too: at most N more in all (2N in flight), and at most 2M in flight
 * into one destination (its streams and its restores together).
 */
static void
stream_ended(struct evac *ev, struct evac_job *j)
{
    j->streaming = 0;
    ev->streaming--;
    ev->streaming_at[j->dom->dest]--;
}

static int
may_start(const struct evac *ev, int dest)
{
    return ev->streaming < ev->parallel &&
           ev->running < 2 * ev->parallel &&
           ev->streaming_at[dest] < ev->per_dest &&
           ev->running_at[dest] < 2 * ev->per_dest;
}

static int
on_progress(const xenmig_progress *p, void *payload)
{
    struct evac_job *j = payload;
    struct evac *ev = j->ev;
    json_object *o;

    pthread_mutex_lock(&ev->mu);
    if (p->sent && j->streaming) {
        /* the link is free: the next migration may start while this
         * one's destination restores it */
        stream_ended(ev, j);
        pthread_cond_broadcast(&ev->cv);
    }
    if (!p->source_state) {
        j->bytes = p->bytes;
        j->memory_bytes = p->memory_bytes;
        j->percent = p->percent;
        j->pass = p->pass;
    }
    if (ev->json && !p->source_state) {
        o = evac_event("progress", j);
        if (o)
            cli_json_add_progress(o, p);
        evac_emit(o);
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
        if (!may_start(ev, j->dom->dest))
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
        o = evac_event("end", j);
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
        evac_emit(o);
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
        j->streaming = 1;
        ev->streaming++;
        ev->streaming_at[j->dom->dest]++;
        if (ev->json)
            evac_emit(evac_event("start", j));
        pthread_mutex_unlock(&ev->mu);
        migrate_one(ev, j);
        pthread_mutex_lock(&ev->mu);
        if (j->streaming)
            stream_ended(ev, j);
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
catch_signals(void)
{
    static const char term[] = "xenmig: terminated: the running "
        "migrations' streams are cut; run 'xenmig recover' to settle "
        "what the journal holds\n";

    cli_catch_interrupts(&evac_cancel, NULL, "xenmig: interrupted: "
                         "cancelling the running migrations (xend "
                         "resumes each domain on the source), starting "
                         "no more; again to stop waiting\n",
                         "xenmig: interrupted again: not waiting; run "
                         "'xenmig recover' to settle what the journal "
                         "holds\n");
    cli_catch_term(term, sizeof(term) - 1, NULL, 0);
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
    pthread_t th[128];              /* 2 * --parallel at most */
    struct timespec until;
    long i, nth = 0;
    int lines = 0;

    pthread_mutex_init(&ev->mu, NULL);
    pthread_cond_init(&ev->cv, NULL);
    catch_signals();
    ev->t0 = evac_now();
    pthread_mutex_lock(&ev->mu);
    /* one thread a migration in flight: 2N (see may_start()) */
    for (i = 0; i < 2 * ev->parallel && i < (long)ev->njobs &&
         i < (long)(sizeof(th) / sizeof(th[0])); i++) {
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
