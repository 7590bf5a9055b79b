/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * journal.c: the per-domain lock and the migration journal (the format
 * is described in journal.h)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migration/journal.h"

/* ---- directories ---------------------------------------------------- */

/*
 * The run directory: $XENMIG_RUN_DIR; else /run/xenmig for root; else
 * $XDG_RUNTIME_DIR/xenmig or $HOME/.xenmig for another user.
 */
static int
run_dir(char *out, size_t size)
{
    const char *run = getenv("XENMIG_RUN_DIR");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    const char *home = getenv("HOME");

    if (run && *run)
        return xm_strlcpy(out, run, size);
    if (geteuid() == 0)
        return xm_strlcpy(out, XM_RUN_DIR_DEFAULT, size);
    if (xdg && *xdg == '/')
        return xm_snprintf(out, size, "%s/xenmig", xdg);
    if (home && *home == '/')
        return xm_snprintf(out, size, "%s/.xenmig", home);
    return xm_snprintf(out, size, "/tmp/xenmig-%ld", (long)geteuid());
}

static int
dir_path(char *out, size_t size, bool journal, xenmig_error *err)
{
    const char *run = getenv("XENMIG_RUN_DIR");
    const char *jdir = getenv("XENMIG_JOURNAL_DIR");
    char base[512];
    int rc;

    if (!journal)
        rc = run_dir(out, size);
    else if (jdir && *jdir)
        rc = xm_strlcpy(out, jdir, size);
    else if ((run && *run) || geteuid() != 0)
        rc = run_dir(base, sizeof(base)) ||
             xm_snprintf(out, size, "%s/journal", base);
    else
        rc = xm_strlcpy(out, XM_JOURNAL_DIR_DEFAULT, size);
    if (rc)
        return xm_error_set(err, XENMIG_ERANGE, "%s directory path is "
                            "too long", journal ? "journal" : "run");
    return 0;
}

/* mkdir -p @path, 0700 for what it makes. */
static int
make_dir(char *path, xenmig_error *err)
{
    char *p;

    for (p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
            *p = '/';
            return xm_error_set_errno(err, XENMIG_EIO, errno,
                                      "cannot make directory '%s'", path);
        }
        *p = '/';
    }
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return xm_error_set_errno(err, XENMIG_EIO, errno,
                                  "cannot make directory '%s'", path);
    return 0;
}

/* A UUID as xend prints it; nothing else becomes a file name. */
static int
check_uuid(const char *uuid, xenmig_error *err)
{
    size_t n = uuid ? strlen(uuid) : 0;

    if (n == 0 || n > 64 ||
        strspn(uuid, "0123456789abcdefABCDEF-") != n)
        return xm_error_set(err, XENMIG_EINVAL, "'%s' is not a domain "
                            "UUID", uuid ? uuid : "");
    return 0;
}

/* <dir>/<uuid><suffix>, the directory made when @make. */
static int
file_path(char *out, size_t size, bool journal, const char *uuid,
          const char *suffix, bool make, xenmig_error *err)
{
    char dir[512];
    int rc;

    rc = check_uuid(uuid, err);
    if (!rc)
        rc = dir_path(dir, sizeof(dir), journal, err);
    if (!rc && make)
        rc = make_dir(dir, err);
    if (rc)
        return rc;
    if (xm_snprintf(out, size, "%s/%s%s", dir, uuid, suffix))
        return xm_error_set(err, XENMIG_ERANGE, "path in '%s' is too "
                            "long", dir);
    return 0;
}

/* ---- the lock ------------------------------------------------------- */

static void
iso_time(char *out, size_t size, time_t t)
{
    struct tm tm;

    if (!gmtime_r(&t, &tm) ||
        strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        xm_strlcpy(out, "?", size);
}

/* What the holder wrote into the lock file, on one line. */
static void
read_holder(int fd, char *out, size_t size)
{
    ssize_t n = pread(fd, out, size - 1, 0);
    size_t len;

    if (n <= 0) {
        xm_strlcpy(out, "a process that wrote nothing yet", size);
        return;
    }
    out[n] = '\0';
    len = strcspn(out, "\n");
    out[len] = '\0';
}

int
xm_lock_take(xm_lock *lk, const char *uuid, const char *name,
             xenmig_error *err)
{
    char path[640], holder[256], line[512], host[128], when[32];
    int fd, rc;

    lk->fd = -1;
    rc = file_path(path, sizeof(path), false, uuid, ".lock", true, err);
    if (rc)
        return rc;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return xm_error_set_errno(err, XENMIG_EIO, errno, "cannot open "
                                  "lock file '%s'", path);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        rc = errno;
        if (rc == EWOULDBLOCK) {
            read_holder(fd, holder, sizeof(holder));
            close(fd);
            return xm_error_set(err, XENMIG_ESTATE, "domain '%s' is "
                                "already being migrated by %s (lock "
                                "'%s')", name, holder, path);
        }
        close(fd);
        return xm_error_set_errno(err, XENMIG_EIO, rc, "cannot lock '%s'",
                                  path);
    }
    if (gethostname(host, sizeof(host)) < 0)
        xm_strlcpy(host, "?", sizeof(host));
    host[sizeof(host) - 1] = '\0';
    iso_time(when, sizeof(when), time(NULL));
    if (xm_snprintf(line, sizeof(line), "pid %ld on '%s' since %s\n",
                    (long)getpid(), host, when))
        xm_strlcpy(line, "?\n", sizeof(line));
    if (ftruncate(fd, 0) < 0 ||
        pwrite(fd, line, strlen(line), 0) != (ssize_t)strlen(line)) {
        rc = errno;
        close(fd);
        return xm_error_set_errno(err, XENMIG_EIO, rc, "cannot write lock "
                                  "file '%s'", path);
    }
    lk->fd = fd;
    return 0;
}

void
xm_lock_release(xm_lock *lk)
{
    if (lk && lk->fd >= 0) {
        if (ftruncate(lk->fd, 0) < 0) {
            /* only the holder's note stays behind */
        }
        close(lk->fd);
        lk->fd = -1;
    }
}

/* ---- the journal ---------------------------------------------------- */

static int
fsync_dir(const char *file, xenmig_error *err)
{
    char dir[640];
    char *slash;
    int fd, rc = 0;

    if (xm_strlcpy(dir, file, sizeof(dir)))
        return 0;
    slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return xm_error_set_errno(err, XENMIG_EIO, errno, "cannot open "
                                  "journal directory '%s'", dir);
    if (fsync(fd) < 0)
        rc = xm_error_set_errno(err, XENMIG_EIO, errno, "cannot sync "
                                "journal directory '%s'", dir);
    close(fd);
    return rc;
}

static int
write_all(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n) {
        w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int
xm_journal_write(const char *uuid, const xm_cookie *ck, xenmig_error *err)
{
    char path[640], tmp[660];
    char *text = NULL;
    int fd = -1, rc;

    rc = file_path(path, sizeof(path), true, uuid, ".journal", true, err);
    if (rc)
        return rc;
    if (xm_snprintf(tmp, sizeof(tmp), "%s.tmp", path))
        return xm_error_set(err, XENMIG_ERANGE, "journal path too long");
    rc = xm_cookie_encode(&text, ck, err);
    if (rc)
        goto out;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
              0600);
    if (fd < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno, "cannot write "
                                "journal '%s'", tmp);
        goto out;
    }
    if (write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) ||
        fsync(fd) < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno, "cannot write "
                                "journal '%s'", tmp);
        goto out;
    }
    if (close(fd) < 0) {
        fd = -1;
        rc = xm_error_set_errno(err, XENMIG_EIO, errno, "cannot write "
                                "journal '%s'", tmp);
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno, "cannot rename "
                                "journal '%s'", tmp);
        goto out;
    }
    rc = fsync_dir(path, err);
 out:
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    xm_free(text);
    return rc;
}

int
xm_journal_read(xm_cookie *ck, const char *uuid, xenmig_error *err)
{
    char path[640];
    char buf[XM_JOURNAL_MAX_BYTES + 1];
    size_t len = 0;
    ssize_t n;
    int fd, rc;

    memset(ck, 0, sizeof(*ck));
    rc = file_path(path, sizeof(path), true, uuid, ".journal", false,
                   err);
    if (rc)
        return rc;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT)
        return xm_error_set(err, XENMIG_ENOTFOUND, "no journal entry for "
                            "domain '%s'", uuid);
    if (fd < 0)
        return xm_error_set_errno(err, XENMIG_EIO, errno, "cannot read "
                                  "journal '%s'", path);
    while (len < sizeof(buf)) {
        n = read(fd, buf + len, sizeof(buf) - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (len >= sizeof(buf))
        return xm_error_set(err, XENMIG_ERANGE, "journal '%s' is over %d "
                            "bytes", path, XM_JOURNAL_MAX_BYTES);
    buf[len] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    rc = xm_cookie_decode_any_age(ck, buf, err);
    if (rc)
        xm_error_prefix(err, "journal '%s'", path);
    return rc;
}

int
xm_journal_remove(const char *uuid, xenmig_error *err)
{
    char path[640];
    int rc;

    rc = file_path(path, sizeof(path), true, uuid, ".journal", false,
                   err);
    if (rc)
        return rc;
    if (unlink(path) < 0 && errno != ENOENT)
        return xm_error_set_errno(err, XENMIG_EIO, errno, "cannot remove "
                                  "journal '%s'", path);
    return fsync_dir(path, err);
}

void
xm_strv_free(char **v)
{
    size_t i;

    for (i = 0; v && v[i]; i++)
        xm_free(v[i]);
    xm_free(v);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
xm_journal_ids(char ***out, xenmig_error *err)
{
    char dir[512];
    DIR *d;
    struct dirent *e;
    char **v;
    size_t n = 0, len;
    int rc;

    *out = NULL;
    rc = dir_path(dir, sizeof(dir), true, err);
    if (rc)
        return rc;
    v = xm_calloc(XM_JOURNAL_MAX_ENTRIES + 1, sizeof(*v));
    if (!v)
        return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
    d = opendir(dir);
    if (!d && errno != ENOENT) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno, "cannot read "
                                "journal directory '%s'", dir);
        xm_free(v);
        return rc;
    }
    while (d && (e = readdir(d)) != NULL && n < XM_JOURNAL_MAX_ENTRIES) {
        len = strlen(e->d_name);
        if (len <= 8 || strcmp(e->d_name + len - 8, ".journal") != 0)
            continue;
        v[n] = xm_strndup(e->d_name, len - 8);
        if (!v[n]) {
            closedir(d);
            xm_strv_free(v);
            return xm_error_set(err, XENMIG_ENOMEM, "out of memory");
        }
        if (check_uuid(v[n], NULL) != 0) {
            xm_free(v[n]);
            v[n] = NULL;
            continue;
        }
        n++;
    }
    if (d)
        closedir(d);
    qsort(v, n, sizeof(*v), cmp_str);
    *out = v;
    return 0;
}

void
xm_journal_kill_point(const char *point)
{
    static const struct { const char *name; int sig; } sigs[] = {
        { "", SIGKILL }, { ":HUP", SIGHUP }, { ":TERM", SIGTERM },
        { ":INT", SIGINT }, { ":PIPE", SIGPIPE },
    };
    const char *at = getenv("XENMIG_TEST_KILL_AT");
    size_t n = strlen(point), i;

    if (!at || strncmp(at, point, n) != 0)
        return;
    for (i = 0; i < XM_ARRAY_SIZE(sigs); i++)
        if (strcmp(at + n, sigs[i].name) == 0)
            kill(getpid(), sigs[i].sig);
}
