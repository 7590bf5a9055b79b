/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * httpd.c: a canned-reply HTTP server for tests (see httpd.h)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/support/httpd.h"

/* Bounds on every wait of the server thread, in ms. */
#define READ_WAIT_MS 2000
#define SILENT_WAIT_MS 10000
#define ACCEPT_POLL_MS 1000

typedef struct action {
    httpd_action kind;
    char *data;
    size_t len;
} action;

struct httpd {
    bool unix_socket;
    int listen_fd;
    int wake[2];
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;
    bool stopping;
    action actions[HTTPD_MAX_ACTIONS];
    size_t n_actions;
    size_t next_action;
    char *requests[HTTPD_MAX_REQUESTS];
    size_t n_requests;
    char dir[64];
    char path[108];
    char uri[160];
};

static bool
stopping(httpd *h)
{
    bool s;

    pthread_mutex_lock(&h->lock);
    s = h->stopping;
    pthread_mutex_unlock(&h->lock);
    return s;
}

/* Wait until @fd is ready for @events: 1, 0 on timeout, -1 on stop. */
static int
wait_fd(httpd *h, int fd, short events, int ms)
{
    struct pollfd p[2];
    int r;

    for (;;) {
        p[0].fd = fd;
        p[0].events = events;
        p[0].revents = 0;
        p[1].fd = h->wake[0];
        p[1].events = POLLIN;
        p[1].revents = 0;
        r = poll(p, 2, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || p[1].revents)
            return -1;
        if (r == 0)
            return 0;
        return 1;
    }
}

/* Body length announced in the headers of @req, 0 when none. */
static size_t
content_length(const char *req)
{
    const char *p;
    char *end;
    unsigned long v;

    for (p = strchr(req, '\n'); p; p = strchr(p + 1, '\n')) {
        if (strncasecmp(p + 1, "content-length:", 15) == 0) {
            v = strtoul(p + 16, &end, 10);
            return v > HTTPD_MAX_REQUEST ? HTTPD_MAX_REQUEST : v;
        }
    }
    return 0;
}

/* Read one request into a malloc'ed string (NULL on failure). */
static char *
read_request(httpd *h, int fd)
{
    char *buf = malloc(HTTPD_MAX_REQUEST + 1);
    size_t len = 0, want = 0;
    const char *eoh;
    ssize_t n;

    if (!buf)
        return NULL;
    buf[0] = '\0';
    while (len < HTTPD_MAX_REQUEST) {
        if (want && len >= want)
            break;
        if (wait_fd(h, fd, POLLIN, READ_WAIT_MS) != 1)
            break;
        n = recv(fd, buf + len, HTTPD_MAX_REQUEST - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        if (!want) {
            eoh = strstr(buf, "\r\n\r\n");
            if (eoh)
                want = (size_t)(eoh - buf) + 4 + content_length(buf);
        }
    }
    return buf;
}

static void
send_all(httpd *h, int fd, const char *data, size_t len)
{
    ssize_t n;

    while (len > 0) {
        if (wait_fd(h, fd, POLLOUT, READ_WAIT_MS) != 1)
            return;
        n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            return;
        data += n;
        len -= (size_t)n;
    }
}

/* Wait (bounded) for the client to hang up, discarding what it sends. */
static void
wait_for_hangup(httpd *h, int fd, int ms)
{
    char junk[4096];

    while (wait_fd(h, fd, POLLIN, ms) == 1) {
        if (recv(fd, junk, sizeof(junk), 0) <= 0)
            return;
    }
}

static void
reset_close(int fd)
{
    struct linger lg;

    lg.l_onoff = 1;
    lg.l_linger = 0;
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
}

static void
handle(httpd *h, int fd)
{
    char *req = read_request(h, fd);
    action a = { HTTPD_CLOSE, NULL, 0 };
    size_t i;

    pthread_mutex_lock(&h->lock);
    if (req && h->n_requests < HTTPD_MAX_REQUESTS) {
        h->requests[h->n_requests++] = req;
        req = NULL;
    }
    if (h->n_actions) {
        i = h->next_action < h->n_actions ? h->next_action :
            h->n_actions - 1;
        a = h->actions[i];
        h->next_action++;
    }
    pthread_mutex_unlock(&h->lock);
    free(req);

    switch (a.kind) {
    case HTTPD_REPLY:
        send_all(h, fd, a.data, a.len);
        shutdown(fd, SHUT_WR);
        wait_for_hangup(h, fd, READ_WAIT_MS);
        close(fd);
        break;
    case HTTPD_REPLY_KEEP:
        send_all(h, fd, a.data, a.len);
        wait_for_hangup(h, fd, SILENT_WAIT_MS);
        close(fd);
        break;
    case HTTPD_REPLY_RESET:
        send_all(h, fd, a.data, a.len);
        reset_close(fd);
        break;
    case HTTPD_SILENT:
        wait_for_hangup(h, fd, SILENT_WAIT_MS);
        close(fd);
        break;
    case HTTPD_RESET:
        reset_close(fd);
        break;
    case HTTPD_CLOSE:
    default:
        shutdown(fd, SHUT_RDWR);
        close(fd);
        break;
    }
}

static void *
serve(void *arg)
{
    httpd *h = arg;
    int r, fd;

    for (;;) {
        r = wait_fd(h, h->listen_fd, POLLIN, ACCEPT_POLL_MS);
        if (r < 0 || stopping(h))
            break;
        if (r == 0)
            continue;
        fd = accept(h->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        handle(h, fd);
    }
    return NULL;
}

static int
listen_tcp(httpd *h)
{
    struct sockaddr_in sa;
    socklen_t slen = sizeof(sa);

    h->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (h->listen_fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    if (bind(h->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(h->listen_fd, 8) < 0 ||
        getsockname(h->listen_fd, (struct sockaddr *)&sa, &slen) < 0)
        return -1;
    snprintf(h->uri, sizeof(h->uri), "http://127.0.0.1:%u",
             (unsigned)ntohs(sa.sin_port));
    return 0;
}

static int
listen_unix(httpd *h)
{
    struct sockaddr_un sa;
    int n;

    snprintf(h->dir, sizeof(h->dir), "/tmp/xenmig-httpd-XXXXXX");
    if (!mkdtemp(h->dir)) {
        h->dir[0] = '\0';
        return -1;
    }
    n = snprintf(h->path, sizeof(h->path), "%s/xend-socket", h->dir);
    if (n < 0 || (size_t)n >= sizeof(h->path))
        return -1;
    h->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (h->listen_fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, h->path, strlen(h->path) + 1);
    if (bind(h->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(h->listen_fd, 8) < 0)
        return -1;
    snprintf(h->uri, sizeof(h->uri), "unix://%s", h->path);
    return 0;
}

httpd *
httpd_start(bool unix_socket)
{
    httpd *h = calloc(1, sizeof(*h));

    if (!h)
        return NULL;
    h->listen_fd = -1;
    h->wake[0] = h->wake[1] = -1;
    h->unix_socket = unix_socket;
    pthread_mutex_init(&h->lock, NULL);
    if (pipe(h->wake) < 0)
        goto fail;
    if (unix_socket ? listen_unix(h) : listen_tcp(h))
        goto fail;
    if (pthread_create(&h->thread, NULL, serve, h) != 0)
        goto fail;
    h->running = true;
    return h;
 fail:
    httpd_stop(h);
    return NULL;
}

void
httpd_stop(httpd *h)
{
    size_t i;

    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->stopping = true;
    pthread_mutex_unlock(&h->lock);
    if (h->running) {
        if (write(h->wake[1], "x", 1) < 0)
            perror("httpd: wake");
        pthread_join(h->thread, NULL);
    }
    if (h->listen_fd >= 0)
        close(h->listen_fd);
    if (h->wake[0] >= 0)
        close(h->wake[0]);
    if (h->wake[1] >= 0)
        close(h->wake[1]);
    if (h->path[0])
        unlink(h->path);
    if (h->dir[0])
        rmdir(h->dir);
    for (i = 0; i < h->n_actions; i++)
        free(h->actions[i].data);
    for (i = 0; i < h->n_requests; i++)
        free(h->requests[i]);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

const char *
httpd_uri(const httpd *h)
{
    return h->uri;
}

int
httpd_push(httpd *h, httpd_action kind, const void *data, size_t len)
{
    char *copy = malloc(len + 1);
    int rc = -1;

    if (!copy)
        return -1;
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    pthread_mutex_lock(&h->lock);
    if (h->n_actions < HTTPD_MAX_ACTIONS) {
        h->actions[h->n_actions].kind = kind;
        h->actions[h->n_actions].data = copy;
        h->actions[h->n_actions].len = len;
        h->n_actions++;
        copy = NULL;
        rc = 0;
    }
    pthread_mutex_unlock(&h->lock);
    free(copy);
    return rc;
}

int
httpd_push_file(httpd *h, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;
    int rc = -1;

    if (!f) {
        perror(path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0)
        goto out;
    size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto out;
    data = malloc((size_t)size + 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size)
        goto out;
    rc = httpd_push(h, HTTPD_REPLY, data, (size_t)size);
 out:
    free(data);
    fclose(f);
    return rc;
}

int
httpd_push_sxp(httpd *h, const char *status_line, const char *body)
{
    size_t blen = strlen(body), size = blen + 256 + strlen(status_line);
    char *data = malloc(size);
    int n, rc;

    if (!data)
        return -1;
    n = snprintf(data, size, "HTTP/1.1 %s\r\nContent-length: %zu\r\n"
                 "Content-type: application/sxp\r\n\r\n%s", status_line,
                 blen, body);
    if (n < 0 || (size_t)n >= size) {
        free(data);
        return -1;
    }
    rc = httpd_push(h, HTTPD_REPLY, data, (size_t)n);
    free(data);
    return rc;
}

size_t
httpd_request_count(httpd *h)
{
    size_t n;

    pthread_mutex_lock(&h->lock);
    n = h->n_requests;
    pthread_mutex_unlock(&h->lock);
    return n;
}

char *
httpd_request(httpd *h, size_t i)
{
    char *copy = NULL;

    pthread_mutex_lock(&h->lock);
    if (i < h->n_requests)
        copy = strdup(h->requests[i]);
    pthread_mutex_unlock(&h->lock);
    return copy;
}

const char *
httpd_body_of(const char *request)
{
    const char *p = request ? strstr(request, "\r\n\r\n") : NULL;

    return p ? p + 4 : "";
}
