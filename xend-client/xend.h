/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xend.h: xend's HTTP/SXP interface over libcurl (not installed)
 *
 * A xenmig_conn (include/xenmig.h) is one parsed URI plus one libcurl
 * easy handle. Every request opens a fresh connection: xend closes
 * after each reply anyway (reference 1.2), and a reused connection
 * could make libcurl resend a POST such as op=migrate. A connection
 * must not be used by two threads at once; different connections are
 * independent of each other.
 *
 * Error messages start with "xend at '<uri>': <METHOD> <path>: ".
 */
#ifndef XENMIG_XEND_H
#define XENMIG_XEND_H

#include "lib/internal.h"
#include "lib/sexpr.h"

/* Limits for what we accept from xend. */
#define XM_XEND_MAX_REPLY (16u << 20)     /* reply body bytes */
#define XM_XEND_CONNECT_TIMEOUT_MS 5000L
#define XM_XEND_TOTAL_TIMEOUT_MS 30000L
#define XM_XEND_MAX_TIMEOUT_MS 86400000L  /* a day, for any timeout */
#define XM_XEND_MAX_HEADERS 100           /* header lines per reply */
#define XM_XEND_MAX_HEADER_BYTES 16384u   /* all header lines together */

/* Limits for what we send. */
#define XM_XEND_MAX_URI 1024              /* bytes in a connection URI */
#define XM_XEND_MAX_PATH 4096             /* escaped request path */
#define XM_XEND_MAX_FORM 10000            /* xend's body limit (413) */
#define XM_XEND_MAX_DOMAIN_NAME 1024      /* name, id or UUID */

#define XM_XEND_DEFAULT_PORT 8000

/* One raw HTTP exchange with xend. */
typedef struct xm_xend_reply {
    long status;            /* HTTP status, 0 if none was read */
    char reason[256];       /* reason phrase, e.g. "Request failed: pause" */
    char content_type[64];  /* "" when xend sent none */
    xm_buf body;            /* bounded by the connection's reply limit */
} xm_xend_reply;

void xm_xend_reply_init(xm_xend_reply *reply);
void xm_xend_reply_dispose(xm_xend_reply *reply);

/* ---- connection internals (conn.c, transport.c, rules.c) ---------- */

/* "http://host:8000" or "unix:///path": the URI as used (borrowed). */
const char *xm_xend_conn_label(const xenmig_conn *conn);

/*
 * Stop @conn's request in flight, and every later one, within about a
 * second (libcurl's progress callback); it fails. Safe to call from
 * another thread than the one that waits on the request.
 */
void xm_xend_conn_abort(xenmig_conn *conn);

/* The total timeout of ordinary requests on @conn, in ms. */
long xm_xend_conn_total_timeout(const xenmig_conn *conn);

/*
 * Lower the reply body limit of @conn (tests); 0 restores
 * XM_XEND_MAX_REPLY. Values above XM_XEND_MAX_REPLY are clamped.
 */
void xm_xend_conn_set_max_reply(xenmig_conn *conn, size_t max);

/*
 * Copy @len bytes of @src into @dst (@size bytes) for an error
 * message: control and non-ASCII bytes become '?', and text that does
 * not fit ends in "...". @dst is always NUL-terminated.
 */
void xm_xend_msg_text(char *dst, size_t size, const char *src,
                      size_t len);

/*
 * One exchange: send @method ("GET" or "POST") for @path (already
 * escaped, starting with '/') with @body (POST only, @body_len bytes,
 * form-encoded) and read the whole reply into @reply, whatever its
 * status. @timeout_ms bounds the exchange (0 = the connection's total
 * timeout). @reply must have been initialised; it is reset first.
 * Returns 0 when a reply was read, or XENMIG_ECONNECT, ETIMEOUT, EHTTP,
 * ERANGE (reply over the limit), ENOMEM, EINVAL.
 */
int xm_xend_request(xm_xend_reply *reply, xenmig_conn *conn,
                    const char *method, const char *path,
                    const char *body, size_t body_len, long timeout_ms,
                    xenmig_error *err);

/*
 * Decide whether xend's reply means success (reference 1.5 and 1.7).
 * Pure: no I/O; @conn (may be NULL) only names the host in messages.
 * Returns 0 for success, else:
 *  - XENMIG_EXEND: 2xx carrying (xend.err '<msg>'), 202 with "failed",
 *    500 "Request failed: <op>", 406, 501 "Operation not implemented";
 *  - XENMIG_ENOTFOUND: 404 ("no such domain '<dom>' on '<host>'" for
 *    paths under /xend/domain/<dom>);
 *  - XENMIG_ERANGE: 413;
 *  - XENMIG_EHTTP: 400, 501 for the method, a missing status, an HTML
 *    reply, anything else unexpected.
 * err->http_status is set to @status on failure.
 */
int xm_xend_classify(const xenmig_conn *conn, const char *method,
                     const char *path, long status, const char *reason,
                     const char *content_type, const char *body,
                     size_t body_len, xenmig_error *err);

/*
 * Parse a status line such as "HTTP/1.1 200 OK\r\n" (@len bytes):
 * HTTP/1.x only. Fills *status and @reason (without CR LF). Returns 0,
 * XENMIG_EHTTP (malformed or not HTTP/1.x) or XENMIG_ERANGE (reason
 * longer than @reason_size - 1).
 */
int xm_xend_parse_status_line(long *status, char *reason,
                              size_t reason_size, const char *line,
                              size_t len);

/* ---- requests and resources (xend.c, node.c, domain.c) ------------- */

/*
 * Append "/xend/domain/<dom>" to @buf, escaping @dom with
 * curl_easy_escape so that '/', '?', '&' and the like stay inside the
 * segment. @dom must be non-empty and at most XM_XEND_MAX_DOMAIN_NAME
 * bytes (XENMIG_EINVAL / XENMIG_ERANGE).
 */
int xm_xend_domain_path(xm_buf *buf, const char *dom, xenmig_error *err);

/*
 * Append the form body for @kv (key, value, key, value, ..., NULL) to
 * @buf: every key and value escaped with curl_easy_escape, joined with
 * '=' and '&'. Keys must be non-empty and values non-NULL. A body over
 * XM_XEND_MAX_FORM bytes is XENMIG_ERANGE (xend would answer 413).
 */
int xm_xend_form_encode(xm_buf *buf, const char *const *kv,
                        xenmig_error *err);

/*
 * GET @path (escaped, e.g. "/xend/node" or "/xend/domain?detail=1"),
 * classify the reply and parse its first S-expression into *out
 * (anything after it, such as xend's trailing '', is ignored). An
 * empty body is XENMIG_EPARSE. Free *out with xm_sexpr_free().
 */
int xm_xend_get_sexpr(xm_sexpr **out, xenmig_conn *conn,
                      const char *path, xenmig_error *err);

/*
 * POST the form @kv to @path and classify the reply. When @out is not
 * NULL it receives the reply's first S-expression, or NULL when the
 * body is empty (most ops answer with no body). @timeout_ms bounds the
 * whole exchange (0 = the connection's total timeout).
 */
int xm_xend_post(xm_sexpr **out, xenmig_conn *conn, const char *path,
                 const char *const *kv, long timeout_ms,
                 xenmig_error *err);

/*
 * POST op=migrate for @dom with every parameter any xend from 3.0.0 to
 * 4.4 requires, in this order (reference 3.6): destination, live,
 * port, node, ssl, change_home_server, resource. @port 0 means the
 * source's relocation port, @node -1 means none. xend answers only
 * when the migration is over, so @timeout_ms (0 = the connection's
 * total timeout) should be generous. Returns 0, XENMIG_EXEND with
 * xend's message (200 + xend.err), XENMIG_ENOTFOUND, XENMIG_ETIMEOUT
 * (xend may never answer, reference 4.7), or another error.
 */
int xm_xend_migrate(xenmig_conn *conn, const char *dom,
                    const char *destination, bool live, int port,
                    int node, bool ssl, bool change_home_server,
                    int resource, long timeout_ms, xenmig_error *err);

/*
 * Reading the fields of a reply (xend.c), for node.c and domain.c.
 * xm_xend_field_str copies the string at @path into *out: "" when
 * absent (or XENMIG_EPARSE naming the field when @required), and
 * XENMIG_EPARSE when it is a list or holds a NUL byte.
 * xm_xend_field_int reads an int in [@min, @max], @dflt when absent.
 * xm_xend_field_u64 reads a u64, XENMIG_EPARSE naming the field when
 * absent. xm_xend_head_is: @sx is a list whose head is @head.
 */
int xm_xend_field_str(char **out, const xm_sexpr *sx, const char *path,
                      bool required, xenmig_error *err);
int xm_xend_field_int(int *out, const xm_sexpr *sx, const char *path,
                      int min, int max, int dflt, xenmig_error *err);
int xm_xend_field_u64(uint64_t *out, const xm_sexpr *sx, const char *path,
                      xenmig_error *err);
bool xm_xend_head_is(const xm_sexpr *sx, const char *head);

/*
 * Typed views of S-expressions xend sent (also used by the HTTP
 * calls); free with the public *_free(). A missing required field is
 * XENMIG_EPARSE naming it: node needs host, total_memory, free_memory;
 * a domain needs name and memory. Absent optional fields read as: ""
 * for strings, -1 for xen_major/xen_minor/nr_cpus/domid/status, 1 for
 * xend_config_format, maxmem = memory, vcpus = online_vcpus or 0.
 * Numbers may be bare or quoted ('3'). A domain is HVM when it has
 * image/hvm, paused when its state has 'p' (no state: status 1).
 */
int xm_xend_node_from_sexpr(xenmig_node **out, const xm_sexpr *sx,
                            xenmig_error *err);
int xm_xend_domain_from_sexpr(xenmig_domain **out, const xm_sexpr *sx,
                              xenmig_error *err);

/* Node fields libvirt's capabilities need beyond the public
 * accessors; "" when xend did not send them (borrowed). */
const char *xm_xend_node_virt_caps(const xenmig_node *node);
const char *xm_xend_node_node_to_cpu(const xenmig_node *node);
const char *xm_xend_node_cpu_topology(const xenmig_node *node);

#endif /* XENMIG_XEND_H */
