/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * handle.c: a migration as an object: run it in one thread, abort it
 * or read its progress from any other
 *
 * The handle puts itself between the relay (or perform's watch) and
 * the caller's progress callback: each report is kept, under the
 * handle's lock, for xenmig_migration_get_progress(), and an abort
 * answers the next report with "cancel". The engine also looks at the
 * abort flag before each step up to perform.
 */
#include <pthread.h>
#include <string.h>

#include "migration/migrate_int.h"

struct xenmig_migration {
    pthread_mutex_t lock;       /* guards the fields below it */
    int aborted;                /* atomic: set once, never cleared */
    xenmig_conn *src, *dst;
    char *dom;
    xenmig_migrate_opts opts;   /* the caller's, progress wrapped */
    xenmig_progress_cb user_cb;
    void *user_payload;
    int state;                  /* 0 new, 1 running, 2 ended */
    bool have_progress;
    xenmig_progress last;
};

/* Between the relay (its thread) or perform's watch and the caller. */
static int
handle_progress(const xenmig_progress *p, void *payload)
{
    xenmig_migration *h = payload;
    int stop = 0;

    pthread_mutex_lock(&h->lock);
    h->last = *p;
    h->have_progress = true;
    pthread_mutex_unlock(&h->lock);
    if (h->user_cb)
        stop = h->user_cb(p, h->user_payload);
    return stop || __sync_fetch_and_add(&h->aborted, 0);
}

XENMIG_API int
xenmig_migration_new(xenmig_migration **out, xenmig_conn *src,
                     const char *dom, xenmig_conn *dst,
                     const xenmig_migrate_opts *opts, xenmig_error *err)
{
    xenmig_migration *h;
    struct mig m;
    int rc;

    if (err)
        xenmig_error_clear(err);
    if (!out)
        return xm_error_set(err, XENMIG_EINVAL, "migration: missing "
                            "argument");
    *out = NULL;
    rc = xm_mig_begin(&m, "migrate", src, dom, dst, opts, err);
    if (rc)
        return rc;
    h = xm_calloc(1, sizeof(*h));
    if (!h || !(h->dom = xm_strdup(dom))) {
        xm_free(h);
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&h->lock, NULL);
    h->src = src;
    h->dst = dst;
    h->opts = m.opts;
    h->user_cb = m.opts.progress;
    h->user_payload = m.opts.payload;
    h->opts.progress = handle_progress;
    h->opts.payload = h;
    *out = h;
    return 0;
}

XENMIG_API int
xenmig_migration_run(xenmig_migration *h, xenmig_error *err)
{
    xenmig_error local;
    struct mig m;
    int rc;

    if (!err)
        err = &local;
    xenmig_error_clear(err);
    if (!h)
        return xm_error_set(err, XENMIG_EINVAL, "migration: missing "
                            "argument");
    pthread_mutex_lock(&h->lock);
    rc = h->state;
    if (rc == 0)
        h->state = 1;
    pthread_mutex_unlock(&h->lock);
    if (rc)
        return xm_error_set(err, XENMIG_EINVAL, "migration of '%s' has "
                            "already run: a handle runs once", h->dom);
    xm_mig_opts_copy(&m, &h->opts);
    m.abort = &h->aborted;
    rc = xm_mig_engine_run(&m, h->src, h->dom, h->dst, err);
    pthread_mutex_lock(&h->lock);
    h->state = 2;
    pthread_mutex_unlock(&h->lock);
    return rc;
}

XENMIG_API void
xenmig_migration_abort(xenmig_migration *h)
{
    if (h)
        (void)__sync_fetch_and_or(&h->aborted, 1);
}

XENMIG_API int
xenmig_migration_get_progress(xenmig_migration *h, xenmig_progress *out)
{
    int rc;

    if (!h || !out)
        return XENMIG_EINVAL;
    pthread_mutex_lock(&h->lock);
    if (h->have_progress) {
        *out = h->last;
        rc = 0;
    } else {
        memset(out, 0, sizeof(*out));
        rc = XENMIG_ENOTFOUND;
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

XENMIG_API void
xenmig_migration_free(xenmig_migration *h)
{
    if (!h)
        return;
    pthread_mutex_destroy(&h->lock);
    xm_free(h->dom);
    xm_free(h);
}
