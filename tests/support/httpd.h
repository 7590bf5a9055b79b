/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * httpd.h: a canned-reply HTTP server for tests, on 127.0.0.1 or a
 * Unix socket in a private temporary directory
 *
 * One thread accepts connections one at a time. For each it reads the
 * request (headers, then Content-Length bytes of body), records the raw
 * bytes, then plays the next queued action: send canned bytes exactly
 * as given and close, stay silent, close, or reset. The last queued
 * action repeats. Every wait is bounded; httpd_stop() returns promptly.
 *
 * The server allocates with plain malloc, so xm_alloc_fail_at() in a
 * test never hits it.
 */
#ifndef XENMIG_TEST_HTTPD_H
#define XENMIG_TEST_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct httpd httpd;

typedef enum httpd_action {
    HTTPD_REPLY = 0,        /* send the bytes, then close */
    HTTPD_REPLY_RESET,      /* send the bytes, then reset the connection */
    HTTPD_REPLY_KEEP,       /* send the bytes, keep the connection open
                               until the client closes it; a request
                               sent on it again is read and dropped */
    HTTPD_SILENT,           /* send nothing until the client gives up */
    HTTPD_CLOSE,            /* close without a reply */
    HTTPD_RESET             /* reset (TCP RST) without a reply */
} httpd_action;

#define HTTPD_MAX_ACTIONS 16
#define HTTPD_MAX_REQUESTS 16
#define HTTPD_MAX_REQUEST (64 * 1024)

/* Start a server: TCP on 127.0.0.1:<ephemeral> or a Unix socket. */
httpd *httpd_start(bool unix_socket);

/* Stop the thread, close everything, remove the socket. NULL is ok. */
void httpd_stop(httpd *h);

/* "http://127.0.0.1:<port>" or "unix:///tmp/.../xend-socket". */
const char *httpd_uri(const httpd *h);

/* Queue an action with @len reply bytes (copied). 0 or -1. */
int httpd_push(httpd *h, httpd_action action, const void *data,
               size_t len);

/* Queue HTTPD_REPLY with the contents of fixture file @path. */
int httpd_push_file(httpd *h, const char *path);

/* Queue HTTPD_REPLY with "HTTP/1.1 <status_line>" and @body. */
int httpd_push_sxp(httpd *h, const char *status_line, const char *body);

/* Number of requests received so far. */
size_t httpd_request_count(httpd *h);

/*
 * A copy of request @i (0-based, NUL-terminated, free with free()),
 * or NULL if there is none.
 */
char *httpd_request(httpd *h, size_t i);

/* The body of a raw request (after the blank line), or "" if none. */
const char *httpd_body_of(const char *request);

#endif /* XENMIG_TEST_HTTPD_H */
