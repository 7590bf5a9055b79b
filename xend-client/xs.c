/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xs.c: a small wrapper of libxenstore for the migration steps
 *
 * Xen 4.2 renamed xs.h to xenstore.h and added xs_check_watch; xs_open
 * came in 4.1. Where the Makefile finds no xenstore.h (XM_XS_H), and in
 * the floor build (XM_FLOOR), the calls are those every Xen since 3.0.2
 * has: xs_daemon_open, xs_daemon_close, xs_read_watch (docs/PLATFORMS.md).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef XM_XS_H
# include <xs.h>
#else
# include <xenstore.h>
#endif
#if !defined(XM_XS_H) && !defined(XM_FLOOR)
# define XM_HAVE_XS_OPEN 1      /* xs_open, xs_close, xs_check_watch */
#endif

#include "xend-client/xs.h"

#define XS_TOKEN "xenmig-release"
#define XS_NAME_TOKEN "xenmig-name"
#define XS_POST_TOKEN "xenmig-post"

struct xm_xs {
    struct xs_handle *h;
    bool watching;
    char name_watch[48];        /* the name node watched, or "" */
    char post_watch[48];        /* xm_xs_watch_domain()'s node, or "" */
    int post_events;            /* events on it, its initial one too */
};

int
xm_xs_open(xm_xs **out, xenmig_error *err)
{
    xm_xs *xs;

    *out = NULL;
    xs = xm_calloc(1, sizeof(*xs));
    if (!xs)
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    /* the socket only: a build host has no xenbus device to try */
#ifdef XM_HAVE_XS_OPEN
    xs->h = xs_open(XS_OPEN_SOCKETONLY);
#else
    xs->h = xs_daemon_open();
#endif
    if (!xs->h) {
        xm_free(xs);
        return 0;
    }
    *out = xs;
    return 0;
}

void
xm_xs_close(xm_xs *xs)
{
    if (!xs)
        return;
    if (xs->watching)
        xs_unwatch(xs->h, "@releaseDomain", XS_TOKEN);
    if (xs->name_watch[0])
        xs_unwatch(xs->h, xs->name_watch, XS_NAME_TOKEN);
    if (xs->post_watch[0])
        xs_unwatch(xs->h, xs->post_watch, XS_POST_TOKEN);
#ifdef XM_HAVE_XS_OPEN
    xs_close(xs->h);
#else
    xs_daemon_close(xs->h);
#endif
    xm_free(xs);
}

int
xm_xs_domain_name(char *name, size_t size, xm_xs *xs, int domid,
                  xenmig_error *err)
{
    char path[64];
    unsigned int len = 0;
    char *v;
    int rc;

    if (xm_snprintf(path, sizeof(path), "/local/domain/%d/name", domid))
        return xm_error_set(err, XENMIG_EINVAL, "bad domid %d", domid);
    v = xs_read(xs->h, XBT_NULL, path, &len);
    if (!v) {
        if (errno == ENOENT)
            return xm_error_set(err, XENMIG_ENOTFOUND,
                                "xenstore has no domain %d", domid);
        return xm_error_set_errno(err, XENMIG_EIO, errno,
                                  "xenstore: read '%s'", path);
    }
    rc = 0;
    if (memchr(v, '\0', len) || xm_strlcpy(name, v, size) < 0)
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "xenstore: '%s' is not a usable name", path);
    free(v);    /* libxenstore's allocation */
    return rc;
}


/* 1 when /local/domain/<domid> exists, 0 when not, <0 on error. */
static int
domain_exists(xm_xs *xs, int domid, xenmig_error *err)
{
    char path[48];
    unsigned int len = 0;
    char *v;

    if (xm_snprintf(path, sizeof(path), "/local/domain/%d", domid))
        return xm_error_set(err, XENMIG_EINVAL, "bad domid %d", domid);
    v = xs_read(xs->h, XBT_NULL, path, &len);
    if (v) {
        free(v);    /* libxenstore's allocation */
        return 1;
    }
    if (errno == ENOENT)
        return 0;
    return xm_error_set_errno(err, XENMIG_EIO, errno,
                              "xenstore: read '%s'", path);
}

/* An event's token: one of xm_xs_watch_domain()'s is counted. */
static void
count_event(xm_xs *xs, char **ev)
{
    if (strcmp(ev[XS_WATCH_TOKEN], XS_POST_TOKEN) == 0)
        xs->post_events++;
}

/*
 * Sleep until a watch fires, @fd (when >= 0) is readable or @deadline
 * passes, then drain the events: any of them means "look again". 0,
 * or an error.
 */
static int
wait_event(xm_xs *xs, long deadline, int fd, xenmig_error *err)
{
    struct pollfd p, pp[2];
    char **ev;
#ifndef XM_HAVE_XS_OPEN
    unsigned int num;
#endif
    long left = deadline - xm_now_ms();
    int r;

    p.fd = xs_fileno(xs->h);
    p.events = POLLIN;
    p.revents = 0;
    pp[0] = p;
    pp[1].fd = fd;
    pp[1].events = POLLIN;
    pp[1].revents = 0;
    r = poll(pp, fd >= 0 ? 2 : 1, left > 0 ? (int)left : 0);
    if (r < 0 && errno != EINTR)
        return xm_error_set_errno(err, XENMIG_EIO, errno, "xenstore: poll");
#ifdef XM_HAVE_XS_OPEN
    for (;;) {
        ev = xs_check_watch(xs->h);
        if (!ev)
            break;
        count_event(xs, ev);
        free(ev);    /* libxenstore's allocation */
    }
#else
    /*
     * No xs_check_watch: xs_fileno()'s pipe holds a byte while events
     * wait, so xs_read_watch() does not block while the fd polls ready.
     */
    while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
        ev = xs_read_watch(xs->h, &num);
        if (!ev)
            break;
        count_event(xs, ev);
        free(ev);    /* libxenstore's allocation */
    }
#endif
    return 0;
}

int
xm_xs_wait_released(xm_xs *xs, int domid, long timeout_ms,
                    xenmig_error *err)
{
    long deadline = xm_now_ms() + timeout_ms;
    int r;

    if (!xs->watching) {
        if (!xs_watch(xs->h, "@releaseDomain", XS_TOKEN))
            return xm_error_set_errno(err, XENMIG_EIO, errno,
                                      "xenstore: watch @releaseDomain");
        xs->watching = true;
    }
    for (;;) {
        /* check after arming the watch: no release can slip between */
        r = domain_exists(xs, domid, err);
        if (r <= 0)
            return r;
        if (xm_now_ms() >= deadline)
            return xm_error_set(err, XENMIG_ETIMEOUT,
                                "xenstore still has domain %d after "
                                "%ld ms", domid, timeout_ms);
        r = wait_event(xs, deadline, -1, err);
        if (r)
            return r;
    }
}

int
xm_xs_wait_name(xm_xs *xs, int domid, const char *name, long timeout_ms,
                xenmig_error *err)
{
    long deadline = xm_now_ms() + timeout_ms;
    char path[48], now[XM_XS_NAME_MAX];
    xenmig_error lerr;
    int r;

    if (xm_snprintf(path, sizeof(path), "/local/domain/%d/name", domid))
        return xm_error_set(err, XENMIG_EINVAL, "bad domid %d", domid);
    if (strcmp(xs->name_watch, path) != 0) {
        if (xs->name_watch[0])
            xs_unwatch(xs->h, xs->name_watch, XS_NAME_TOKEN);
        xs->name_watch[0] = '\0';
        if (!xs_watch(xs->h, path, XS_NAME_TOKEN))
            return xm_error_set_errno(err, XENMIG_EIO, errno,
                                      "xenstore: watch '%s'", path);
        xm_strlcpy(xs->name_watch, path, sizeof(xs->name_watch));
    }
    for (;;) {
        /* read after arming the watch: no change can slip between */
        xenmig_error_clear(&lerr);
        r = xm_xs_domain_name(now, sizeof(now), xs, domid, &lerr);
        if (r == XENMIG_ERANGE) {
            now[0] = '\0';     /* not the name: wait on */
        } else if (r) {
            if (err)
                *err = lerr;
            return r;
        } else if (strcmp(now, name) == 0) {
            return 0;
        }
        if (xm_now_ms() >= deadline)
            return xm_error_set(err, XENMIG_ETIMEOUT,
                                "xenstore names domain %d '%s', not "
                                "'%s', after %ld ms", domid, now, name,
                                timeout_ms);
        r = wait_event(xs, deadline, -1, err);
        if (r)
            return r;
    }
}

int
xm_xs_watch_domain(xm_xs *xs, int domid, xenmig_error *err)
{
    char path[48];

    if (xs->post_watch[0])
        return xm_error_set(err, XENMIG_EINVAL, "xenstore: a domain is "
                            "watched already");
    if (xm_snprintf(path, sizeof(path), "/local/domain/%d/name", domid))
        return xm_error_set(err, XENMIG_EINVAL, "bad domid %d", domid);
    if (!xs->watching) {
        if (!xs_watch(xs->h, "@releaseDomain", XS_TOKEN))
            return xm_error_set_errno(err, XENMIG_EIO, errno,
                                      "xenstore: watch @releaseDomain");
        xs->watching = true;
    }
    if (!xs_watch(xs->h, path, XS_POST_TOKEN))
        return xm_error_set_errno(err, XENMIG_EIO, errno,
                                  "xenstore: watch '%s'", path);
    xm_strlcpy(xs->post_watch, path, sizeof(xs->post_watch));
    xs->post_events = 0;
    return 0;
}

int
xm_xs_wait_domain(xm_xs *xs, int fd, long timeout_ms, int *changes,
                  xenmig_error *err)
{
    int r;

    r = wait_event(xs, xm_now_ms() + timeout_ms, fd, err);
    /* xenstored fires every watch once when it is set: not a change */
    if (changes)
        *changes = xs->post_events > 1 ? xs->post_events - 1 : 0;
    return r;
}
