/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conn.h: the xenmig_conn object's insides, shared by the files of the
 * host layer that talk to xend (not installed)
 *
 * conn.c parses the URI and owns the object; transport.c runs one HTTP
 * exchange on it with libcurl; rules.c classifies the reply; setup.c
 * does libcurl's and libxml2's global set-up. The XM_HAVE_* macros
 * say which libcurl calls this build may use (docs/PLATFORMS.md): each
 * has an #else that is the fallback, and make FLOOR=1 (XM_FLOOR) takes
 * every fallback against today's libcurl.
 */
#ifndef XENMIG_XEND_CONN_H
#define XENMIG_XEND_CONN_H

#include <curl/curl.h>

#include "xend-client/xend.h"

#if LIBCURL_VERSION_NUM >= 0x072800 && !defined(XM_FLOOR)
# define XM_HAVE_CURL_UNIX_SOCKET 1     /* CURLOPT_UNIX_SOCKET_PATH */
#endif
#if LIBCURL_VERSION_NUM >= 0x074100 && !defined(XM_FLOOR)
# define XM_HAVE_CURL_URL 1             /* URL API with CURLUPART_ZONEID */
#endif
#if LIBCURL_VERSION_NUM >= 0x075500 && !defined(XM_FLOOR)
# define XM_HAVE_CURL_PROTOCOLS_STR 1
#endif

struct xenmig_conn {
    char *uri;          /* as the caller gave it */
    char *label;        /* "http://host:8000" or "unix:///path" */
    char *host;         /* "localhost" for Unix sockets, no [] */
    char *base;         /* request URL prefix, "http://host:8000" */
    char *sock_path;    /* Unix socket path, NULL for TCP */
    long connect_ms;
    long total_ms;
    size_t max_reply;
    CURL *curl;
    char errbuf[CURL_ERROR_SIZE];
    int aborted;        /* xm_xend_conn_abort(): transfers stop */
};

/* Longest piece of a path or value quoted in a message. */
#define XM_XEND_MSG_PIECE 96

/* The Host libcurl sends over a Unix socket (libvirt's choice too). */
#ifdef XM_HAVE_CURL_UNIX_SOCKET
# define XM_XEND_UNIX_BASE "http://localhost:8000"
#else
/* numeric: nothing to resolve; open_unix_socket() replaces it */
# define XM_XEND_UNIX_BASE "http://127.0.0.1:8000"
# define XM_XEND_UNIX_HOST "Host: localhost:8000"
#endif

/*
 * libcurl's and libxml2's global set-up (setup.c), done once: by
 * xenmig_init(), or here by the first connection opened without it.
 */
int xm_xend_setup(xenmig_error *err);

/* @s as message text (NULL shows as ""), as xm_xend_msg_text(). */
void xm_xend_msg_str(char *dst, size_t size, const char *s);

/* "xend at '<label>': <METHOD> <path>" for the start of a message. */
void xm_xend_where(char *dst, size_t size, const xenmig_conn *conn,
                   const char *method, const char *path);

static inline bool
xm_xend_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

#endif /* XENMIG_XEND_CONN_H */
