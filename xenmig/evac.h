/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * evac.h: xenmig evacuate's state, shared by cmd_evacuate.c (options,
 * the hosts' facts, the plan) and evac_run.c (the migrations, their
 * report)
 */
#ifndef XENMIG_EVAC_H
#define XENMIG_EVAC_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#ifdef XM_JSON_H
# include <json/json.h>      /* json-c 0.10 (Debian 7): the old layout */
#else
# include <json-c/json.h>
#endif

#include "cli.h"
#include "evac_plan.h"

#define EVAC_MAX_DEST 16
#define EVAC_MAX_DOMS 1024
#define EVAC_MAX_PICK 256           /* --only / --exclude names */
#define EVAC_MAX_ALLOW 8

enum evac_state { JOB_PENDING, JOB_RUNNING, JOB_DONE };

struct evac_job {
    struct evac_dom *dom;           /* its plan entry */
    char name[256];
    char uuid[64];
    enum evac_state state;
    int rc;                         /* the migration's, when done */
    const char *outcome;            /* moved failed lost unsure cancelled
                                       skipped unplaced */
    char msg[1024];
    double t0, secs;
    uint64_t bytes, memory_bytes;
    int percent;
    unsigned int pass;
    int shown;                      /* its end line is out */
    int streaming;                  /* started, its stream not yet sent */
    struct evac *ev;
};

struct evac {
    /* options */
    const char *source;
    const char *to[EVAC_MAX_DEST];
    size_t ndest;
    const char *only[EVAC_MAX_PICK], *exclude[EVAC_MAX_PICK];
    size_t nonly, nexclude;
    enum evac_place place;
    long parallel, per_dest;
    unsigned long budget_mbit;
    int dry_run, json, quiet, tty;
    xenmig_migrate_opts opts;       /* each migration's, progress aside */
    const char *relay_allow[EVAC_MAX_ALLOW + 1];
    int nrelay_allow;

    /* what the hosts said, the plan */
    struct evac_dest dests[EVAC_MAX_DEST];
    char *dest_caps[EVAC_MAX_DEST];
    char **dest_names[EVAC_MAX_DEST], **dest_uuids[EVAC_MAX_DEST];
    char dest_why[EVAC_MAX_DEST][1024];
    char *src_caps;
    char src_host[256];
    struct evac_dom doms[EVAC_MAX_DOMS];
    struct evac_job jobs[EVAC_MAX_DOMS];
    size_t njobs;
    char excluded[EVAC_MAX_DOMS][256]; /* on SOURCE by choice */
    size_t nexcluded;

    /* the run */
    xenmig_budget *budget;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running, running_at[EVAC_MAX_DEST];     /* in flight */
    int streaming, streaming_at[EVAC_MAX_DEST]; /* of those, on the link */
    int workers;                    /* threads still in the loop */
    int stop;                       /* launch no more */
    char stop_why[400];
    double t0;
};

/* Ctrl-C (first): cancel the running migrations, launch no more. */
extern volatile sig_atomic_t evac_cancel;

double evac_now(void);
/* One NDJSON line on stdout; @o is consumed. While migrations run,
 * under ev->mu, so lines stay whole. */
void evac_emit(json_object *o);
/* {"event": @name} and, with @j, its domain (evac_add_dom()). */
json_object *evac_event(const char *name, const struct evac_job *j);
/* @o with the job's domain, UUID and destination (if placed). */
json_object *evac_add_dom(json_object *o, const struct evac_job *j);
/* Run the plan's migrations; fills each job's outcome. */
int evac_run(struct evac *ev);
/* The plan as a table or a JSON "plan" event. */
void evac_print_plan(const struct evac *ev);
/* The final table, the check of SOURCE, the summary; the exit code. */
int evac_finish(struct evac *ev, xenmig_conn *src);

#endif /* XENMIG_EVAC_H */
