/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xs.h: what xenmig asks xenstored, through Xen's libxenstore
 * (not installed)
 *
 * When the source xend is local, xenstored knows first that a domain
 * is gone (xend destroys it and @releaseDomain fires) or is back (xend
 * writes its name back after a failed migration; reference 6.5).
 * xenmig watches those instead of polling xend. libxenstore finds the
 * daemon through $XENSTORED_PATH or its default socket; no libxenstore
 * allocation leaves this file.
 */
#ifndef XENMIG_XS_H
#define XENMIG_XS_H

#include "lib/internal.h"

typedef struct xm_xs xm_xs;

/*
 * Connect to xenstored's socket. *out is NULL, with 0 returned, when
 * no xenstored can be reached here (not a dom0): callers fall back
 * to xend. Close with xm_xs_close().
 */
int xm_xs_open(xm_xs **out, xenmig_error *err);
void xm_xs_close(xm_xs *xs);

/*
 * The name xenstore gives domain @domid (/local/domain/<domid>/name)
 * into @name. XENMIG_ENOTFOUND when the domain is not there.
 */
int xm_xs_domain_name(char *name, size_t size, xm_xs *xs, int domid,
                      xenmig_error *err);

/*
 * Wait until /local/domain/<domid> is gone, woken by @releaseDomain;
 * at most @timeout_ms. 0 when gone, XENMIG_ETIMEOUT when still there.
 */
int xm_xs_wait_released(xm_xs *xs, int domid, long timeout_ms,
                        xenmig_error *err);

/* the longest domain name xm_xs_wait_name() compares */
#define XM_XS_NAME_MAX 256

/*
 * Wait until /local/domain/<domid>/name reads @name, woken by a watch
 * on that node: xend renames a migrating domain 'migrating-<name>' and
 * writes the name back when the migration fails (reference 4.5, 6.5);
 * at most @timeout_ms. 0 when it does, XENMIG_ENOTFOUND when the
 * domain is gone, XENMIG_ETIMEOUT when it still reads otherwise.
 */
int xm_xs_wait_name(xm_xs *xs, int domid, const char *name,
                    long timeout_ms, xenmig_error *err);

/*
 * Watch domain @domid while a migration of it runs: its name node,
 * which xend rewrites when it renames the domain 'migrating-<name>'
 * and back (reference 4.5, 6.5), and @releaseDomain. Once a handle.
 */
int xm_xs_watch_domain(xm_xs *xs, int domid, xenmig_error *err);

/*
 * Sleep until one of the watches fires, @fd (when >= 0: a wake-up
 * pipe) is readable, or @timeout_ms passes. *changes (may be NULL):
 * how many writes to the watched name node xenstored has reported
 * since xm_xs_watch_domain() (not its initial event). 0, or an error.
 */
int xm_xs_wait_domain(xm_xs *xs, int fd, long timeout_ms, int *changes,
                      xenmig_error *err);

#endif /* XENMIG_XS_H */
