/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * postwait.h: the domain as a local source's xenstore shows it while
 * xend has not answered op=migrate
 *
 * xend renames a migrating domain 'migrating-<name>', writes its name
 * back when the migration fails, and xenstored fires a watch on each
 * write and on @releaseDomain (reference 4.5, 6.5). Where the source
 * xend is on this machine (a Unix socket), the POST wait sleeps on
 * those watches instead of only polling xend: it wakes at once, and it
 * sees a rename and back that lasted less than a poll interval. xend,
 * asked next, has the last word; without a xenstored here, or for a
 * remote source, the wait polls xend as before.
 */
#ifndef XENMIG_POSTWAIT_H
#define XENMIG_POSTWAIT_H

#include "lib/internal.h"

typedef struct xm_postwatch xm_postwatch;

/* What xenstore says of the domain, after xm_postwatch_wait() */
enum {
    XM_PW_UNKNOWN = 0,  /* cannot tell */
    XM_PW_SAME,         /* under its own name, never renamed since */
    XM_PW_FLYING,       /* named 'migrating-<name>' */
    XM_PW_BACK,         /* renamed since the watch was set, and now
                         * under its own name again */
    XM_PW_GONE          /* not in xenstore any more */
};

/*
 * Watch domain @domid, named @name, when @src is a xend on this
 * machine whose xenstored answers and shows that domain under that
 * name; else *out is NULL (the caller polls xend). Set it before the
 * POST goes, so that no rename is missed. Never fails.
 */
void xm_postwatch_open(xm_postwatch **out, xenmig_conn *src, int domid,
                       const char *name);

/*
 * Sleep until xenstore reports a write to the domain's name or a
 * released domain, @wake_fd (>= 0) is readable, or @ms passes; then
 * say what xenstore shows (XM_PW_*).
 */
int xm_postwatch_wait(xm_postwatch *w, int wake_fd, long ms);

void xm_postwatch_close(xm_postwatch *w);

#endif /* XENMIG_POSTWAIT_H */
