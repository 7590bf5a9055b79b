/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * migrate.h: the migration step engine (not installed)
 */
#ifndef XENMIG_MIGRATE_H
#define XENMIG_MIGRATE_H

#include "lib/internal.h"

/* Bounds on the waits of finish, confirm and recovery. */
#define XM_MIGRATE_SETTLE_MS 30000L     /* xend's own device wait is 30 s */
#define XM_MIGRATE_POLL_MS 100L
#define XM_MIGRATE_DEFAULT_TIMEOUT_MS (3600L * 1000)

/* Where recovery found the domain. */
typedef enum xm_where {
    XM_WHERE_SOURCE = 1,    /* on the source only */
    XM_WHERE_DEST,          /* on the destination only */
    XM_WHERE_BOTH,          /* on both (a restore still running) */
    XM_WHERE_NOWHERE        /* on neither: xend lost it */
} xm_where;

/*
 * Split a migration URI: "host", "host:port", "xenmigr://host[:port]"
 * or "tcp://host[:port]" (the two names capabilities advertise for
 * xend's relocation transport) into @host (@host_size bytes) and
 * *port (left alone when the URI has none). Uses libxml2's URI parser.
 */
int xm_migrate_parse_uri(char *host, size_t host_size, int *port,
                         const char *uri, xenmig_error *err);

#endif /* XENMIG_MIGRATE_H */
