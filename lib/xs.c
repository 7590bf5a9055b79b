/*
 * xs.c: a small wrapper of libxenstore for the migration steps
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenstore.h>

#include "xs.h"

#define XS_TOKEN "xenmig-release"

struct xm_xs {
    struct xs_handle *h;
    bool watching;
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
    xs->h = xs_open(XS_OPEN_SOCKETONLY);
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
    xs_close(xs->h);
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

int
xm_xs_wait_released(xm_xs *xs, int domid, long timeout_ms,
                    xenmig_error *err)
{
    long deadline = xm_now_ms() + timeout_ms;
    struct pollfd p;
    char **ev;
    long left;
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
        left = deadline - xm_now_ms();
        if (left <= 0)
            return xm_error_set(err, XENMIG_ETIMEOUT,
                                "xenstore still has domain %d after "
                                "%ld ms", domid, timeout_ms);
        p.fd = xs_fileno(xs->h);
        p.events = POLLIN;
        p.revents = 0;
        r = poll(&p, 1, (int)left);
        if (r < 0 && errno != EINTR)
            return xm_error_set_errno(err, XENMIG_EIO, errno,
                                      "xenstore: poll");
        /* drain the events; any of them means "look again" */
        for (;;) {
            ev = xs_check_watch(xs->h);
            if (!ev)
                break;
            free(ev);    /* libxenstore's allocation */
        }
    }
}
