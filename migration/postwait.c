/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * postwait.c: xenstore's view of a domain in migration, for the wait
 * on a silent op=migrate (postwait.h)
 */
#include <string.h>

#include "xend-client/xend.h"
#include "xend-client/xs.h"
#include "migration/postwait.h"

struct xm_postwatch {
    xm_xs *xs;
    int domid;
    bool seen_flying;
    char name[XM_XS_NAME_MAX];
};

void
xm_postwatch_open(xm_postwatch **out, xenmig_conn *src, int domid,
                  const char *name)
{
    xm_postwatch *w;
    char now[XM_XS_NAME_MAX];
    xenmig_error lerr;

    *out = NULL;
    /* only a xend reached through its Unix socket is surely this
     * machine's, with this machine's xenstored beside it */
    if (!src || domid <= 0 ||
        strncmp(xm_xend_conn_label(src), "unix:", 5) != 0)
        return;
    w = xm_calloc(1, sizeof(*w));
    if (!w)
        return;
    xenmig_error_clear(&lerr);
    w->domid = domid;
    if (xm_strlcpy(w->name, name, sizeof(w->name)) < 0 ||
        xm_xs_open(&w->xs, &lerr) || !w->xs ||
        xm_xs_watch_domain(w->xs, domid, &lerr) ||
        /* read after the watch is set: no rename slips between; and
         * another xenstored than the source's shows another domain */
        xm_xs_domain_name(now, sizeof(now), w->xs, domid, &lerr) ||
        strcmp(now, name) != 0) {
        xm_postwatch_close(w);
        return;
    }
    *out = w;
}

int
xm_postwatch_wait(xm_postwatch *w, int wake_fd, long ms)
{
    char now[XM_XS_NAME_MAX];
    xenmig_error lerr;
    int changes = 0, r;

    xenmig_error_clear(&lerr);
    if (xm_xs_wait_domain(w->xs, wake_fd, ms, &changes, &lerr))
        return XM_PW_UNKNOWN;
    r = xm_xs_domain_name(now, sizeof(now), w->xs, w->domid, &lerr);
    if (r == XENMIG_ENOTFOUND)
        return XM_PW_GONE;
    if (r)
        return XM_PW_UNKNOWN;
    if (strncmp(now, "migrating-", 10) == 0 &&
        strcmp(now + 10, w->name) == 0) {
        w->seen_flying = true;
        return XM_PW_FLYING;
    }
    if (strcmp(now, w->name) != 0)
        return XM_PW_UNKNOWN;
    /* its own name after two writes: renamed and back, however fast */
    return w->seen_flying || changes >= 2 ? XM_PW_BACK : XM_PW_SAME;
}

void
xm_postwatch_close(xm_postwatch *w)
{
    if (!w)
        return;
    xm_xs_close(w->xs);
    xm_free(w);
}
