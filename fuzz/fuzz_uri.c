/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_uri.c: connection URIs (xenmig_conn_open) and migration URIs /
 * host:port forms (xm_migrate_parse_uri).
 */
/*
 * fuzz/regressions/uri/: a URI quoted in a message once carried its
 * newline into err->msg; xm_error_set now makes every control byte '?'
 * (lib/error.c).
 */
#include "fuzz/fuzz.h"
#include "migration/migrate.h"
#include "xend-client/xend.h"

#define T "uri"
#define MAX_INPUT 4096

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xenmig_conn *conn = NULL;
    xenmig_error err;
    char host[256];
    char *s;
    int port = -12345;
    int rc;

    if (size > MAX_INPUT)
        return 0;
    s = xm_fuzz_cstr(data, size);
    if (s == NULL)
        return 0;
    xenmig_error_clear(&err);
    rc = xenmig_conn_open(&conn, s, &err);
    xm_fuzz_check_err(T, rc, &err);
    if (rc == 0) {
        if (xenmig_conn_uri(conn) == NULL || xenmig_conn_host(conn) == NULL)
            xm_fuzz_fail(T, "open connection without uri or host");
        (void)xm_xend_conn_label(conn);
    } else if (conn != NULL) {
        xm_fuzz_fail(T, "failed open left a connection");
    }
    xenmig_conn_free(conn);

    memset(host, 'Z', sizeof(host));
    xenmig_error_clear(&err);
    rc = xm_migrate_parse_uri(host, sizeof(host), &port, s, &err);
    xm_fuzz_check_err(T, rc, &err);
    if (rc == 0) {
        if (memchr(host, '\0', sizeof(host)) == NULL)
            xm_fuzz_fail(T, "host not NUL-terminated");
        if (port != -12345 && (port < 0 || port > 65535))
            xm_fuzz_fail(T, "port out of range");
    }
    /* a tiny host buffer must fail cleanly, never overflow */
    xenmig_error_clear(&err);
    rc = xm_migrate_parse_uri(host, 4, &port, s, &err);
    xm_fuzz_check_err(T, rc, &err);
    free(s);
    return 0;
}
