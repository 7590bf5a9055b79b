/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cookie.c: the cookie object handed from one migration step to the
 * next: its life cycle, fields and identity
 *
 * A cookie is made by the first step with a fresh random 16-byte
 * migration id (getrandom, or /dev/urandom where glibc lacks it) and
 * the current time, and by each later step from the one before, keeping
 * the id. Fields are checked as they are set (key characters, value
 * length and UTF-8, the text's total size) so that every cookie made
 * here can be written. Its text, format 2, is cookie_json.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
# if __GLIBC_PREREQ(2, 25)
#  define XM_HAVE_GETRANDOM 1
#  include <sys/random.h>
# endif
#endif

#include "migration/cookie_impl.h"

/* ---- small pieces --------------------------------------------------- */

bool
xm_cookie_step_ok(int step)
{
    return step >= XM_COOKIE_BEGIN && step <= XM_COOKIE_FINISH;
}

const char *
xm_cookie_step_name(xm_cookie_step s)
{
    switch (s) {
    case XM_COOKIE_BEGIN:
        return "begin";
    case XM_COOKIE_PREPARE:
        return "prepare";
    case XM_COOKIE_PERFORM:
        return "perform";
    case XM_COOKIE_FINISH:
        return "finish";
    }
    return "unknown";
}


static bool
key_chars_ok(const char *key, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        char ch = key[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_'))
            return false;
    }
    return true;
}

/* Check a key given through the API (trusted enough to print). */
int
xm_cookie_check_key(const char *key, xenmig_error *err)
{
    size_t len = strnlen(key, XM_COOKIE_MAX_KEY + 1);

    if (len == 0)
        return xm_error_set(err, XENMIG_EINVAL, "cookie key is empty");
    if (len > XM_COOKIE_MAX_KEY)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie key '%.32s...' is longer than %d bytes",
                            key, XM_COOKIE_MAX_KEY);
    if (!key_chars_ok(key, len))
        return xm_error_set(err, XENMIG_EINVAL,
                            "cookie key '%s' is not made of [a-z0-9_]",
                            key);
    return 0;
}

/* ---- life cycle ----------------------------------------------------- */

static int
clock_now(uint64_t *out, xenmig_error *err)
{
    time_t t = time(NULL);

    if (t == (time_t)-1 || t < 0)
        return xm_error_set_errno(err, XENMIG_EIO, errno,
                                  "cannot read the clock for a cookie");
    *out = (uint64_t)t;
    return 0;
}

static int
urandom_bytes(uint8_t *p, size_t n, xenmig_error *err)
{
    int fd = -1;
    size_t got = 0;
    ssize_t r;
    int rc;

    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = xm_error_set_errno(err, XENMIG_EIO, errno,
                                "cannot open '/dev/urandom' for a "
                                "migration id");
        goto out;
    }
    while (got < n) {
        r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = xm_error_set_errno(err, XENMIG_EIO, r < 0 ? errno : 0,
                                    "cannot read '/dev/urandom' for a "
                                    "migration id");
            goto out;
        }
        got += (size_t)r;
    }
    rc = 0;
 out:
    if (fd >= 0)
        close(fd);
    return rc;
}

/*
 * getrandom(), or /dev/urandom where the kernel lacks it (Xen 3 dom0s
 * run 2.6.18 kernels).
 */
static int
random_bytes(uint8_t *p, size_t n, xenmig_error *err)
{
#ifdef XM_HAVE_GETRANDOM
    size_t got = 0;
    ssize_t r;

    while (got < n) {
        r = getrandom(p + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == ENOSYS)
            return urandom_bytes(p, n, err);
        if (r < 0)
            return xm_error_set_errno(err, XENMIG_EIO, errno,
                                      "cannot get random bytes for a "
                                      "migration id");
        got += (size_t)r;
    }
    return 0;
#else
    return urandom_bytes(p, n, err);
#endif
}

int
xm_cookie_init(xm_cookie *c, xm_cookie_step step, xenmig_error *err)
{
    uint64_t now = 0;
    int rc;

    if (!c)
        return xm_error_set(err, XENMIG_EINVAL, "no cookie to initialise");
    memset(c, 0, sizeof(*c));
    if (!xm_cookie_step_ok((int)step))
        return xm_error_set(err, XENMIG_EINVAL, "unknown cookie step %d",
                            (int)step);
    rc = clock_now(&now, err);
    if (rc)
        return rc;
    rc = random_bytes(c->id, sizeof(c->id), err);
    if (rc) {
        memset(c->id, 0, sizeof(c->id));
        return rc;
    }
    c->step = step;
    c->created = now;
    return 0;
}

int
xm_cookie_init_next(xm_cookie *c, const xm_cookie *prev,
                    xm_cookie_step step, xenmig_error *err)
{
    uint8_t id[CK_ID_LEN];
    uint64_t now = 0;
    int rc;

    if (!c || !prev || c == prev)
        return xm_error_set(err, XENMIG_EINVAL,
                            "next cookie needs a previous, separate one");
    memcpy(id, prev->id, sizeof(id));
    if (!xm_cookie_step_ok((int)step) || !xm_cookie_step_ok((int)prev->step)) {
        memset(c, 0, sizeof(*c));
        return xm_error_set(err, XENMIG_EINVAL, "unknown cookie step %d",
                            xm_cookie_step_ok((int)step) ? (int)prev->step
                                               : (int)step);
    }
    if (step <= prev->step) {
        rc = xm_error_set(err, XENMIG_ESTATE,
                          "a '%s' cookie cannot follow one from '%s'",
                          xm_cookie_step_name(step),
                          xm_cookie_step_name(prev->step));
        memset(c, 0, sizeof(*c));
        return rc;
    }
    memset(c, 0, sizeof(*c));
    rc = clock_now(&now, err);
    if (rc)
        return rc;
    memcpy(c->id, id, sizeof(c->id));
    c->step = step;
    c->created = now;
    return 0;
}

void
xm_cookie_dispose(xm_cookie *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->nfields && i < XM_COOKIE_MAX_FIELDS; i++) {
        xm_free(c->fields[i].key);
        xm_free(c->fields[i].value);
        c->fields[i].key = NULL;
        c->fields[i].value = NULL;
    }
    c->nfields = 0;
}


/* ---- fields --------------------------------------------------------- */

/* Index of @key, or c->nfields when absent. */
static size_t
find_field(const xm_cookie *c, const char *key)
{
    size_t i;

    for (i = 0; i < c->nfields && i < XM_COOKIE_MAX_FIELDS; i++) {
        if (c->fields[i].key && strcmp(c->fields[i].key, key) == 0)
            return i;
    }
    return c->nfields;
}


/* A value given through the API or read from a cookie. */
int
xm_cookie_check_value(const char *key, const char *value, size_t len,
                      xenmig_error *err)
{
    if (len > XM_COOKIE_MAX_VALUE)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie value for '%s' is longer than %d bytes",
                            key, XM_COOKIE_MAX_VALUE);
    if (memchr(value, '\0', len))
        return xm_error_set(err, XENMIG_EINVAL,
                            "cookie value for '%s' holds a NUL byte", key);
    if (!xm_utf8_valid(value, len))
        return xm_error_set(err, XENMIG_EINVAL,
                            "cookie value for '%s' is not UTF-8", key);
    return 0;
}

int
xm_cookie_set(xm_cookie *c, const char *key, const char *value,
              xenmig_error *err)
{
    char *k = NULL;
    char *v = NULL;
    char *old = NULL;
    size_t vlen, i, len = 0;
    bool added = false;
    int rc;

    if (!c || !key || !value) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "cookie field needs a cookie, key and value");
        goto out;
    }
    rc = xm_cookie_check_key(key, err);
    if (rc) goto out;
    vlen = strnlen(value, XM_COOKIE_MAX_VALUE + 1);
    rc = xm_cookie_check_value(key, value, vlen, err);
    if (rc) goto out;
    if (c->nfields > XM_COOKIE_MAX_FIELDS) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "cookie has a bad field count %zu", c->nfields);
        goto out;
    }
    i = find_field(c, key);
    if (i == c->nfields && c->nfields == XM_COOKIE_MAX_FIELDS) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "cookie cannot take '%s': it has %d fields "
                          "(limit)", key, XM_COOKIE_MAX_FIELDS);
        goto out;
    }
    v = xm_strndup(value, vlen);
    k = i == c->nfields ? xm_strdup(key) : NULL;
    if (!v || (i == c->nfields && !k)) {
        rc = xm_error_set(err, XENMIG_ENOMEM,
                          "out of memory setting cookie field '%s'", key);
        goto out;
    }
    /* set it, then undo unless the encoded cookie stays in bounds */
    if (i < c->nfields) {
        old = c->fields[i].value;
        c->fields[i].value = v;
    } else {
        c->fields[i].key = k;
        c->fields[i].value = v;
        c->nfields++;
        added = true;
    }
    rc = xm_cookie_encoded_length(&len, c, err);
    if (rc == 0 && len > XM_COOKIE_MAX_TEXT)
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "cookie would be %zu characters with '%s' "
                          "(limit %d)", len, key, XM_COOKIE_MAX_TEXT);
    if (rc) {
        if (added) {
            c->nfields--;
            c->fields[i].key = NULL;
            c->fields[i].value = NULL;
        } else {
            c->fields[i].value = old;
            old = NULL;
        }
        goto out;
    }
    k = v = NULL;
 out:
    xm_free(old);
    xm_free(k);
    xm_free(v);
    return rc;
}

int
xm_cookie_set_ll(xm_cookie *c, const char *key, long long v,
                 xenmig_error *err)
{
    char num[32];

    if (xm_snprintf(num, sizeof(num), "%lld", v) < 0)
        return xm_error_set(err, XENMIG_ERROR,
                            "cannot format cookie field '%s'",
                            key ? key : "");
    return xm_cookie_set(c, key, num, err);
}

const char *
xm_cookie_get(const xm_cookie *c, const char *key)
{
    size_t i;

    if (!c || !key)
        return NULL;
    i = find_field(c, key);
    if (i >= c->nfields)
        return NULL;
    return c->fields[i].value;
}

int
xm_cookie_get_ll(long long *out, const xm_cookie *c, const char *key,
                 long long min, long long max, xenmig_error *err)
{
    const char *s = xm_cookie_get(c, key);
    long long v;
    int rc;

    if (!s)
        return xm_error_set(err, XENMIG_EPARSE, "cookie lacks '%s'",
                            key ? key : "");
    rc = xm_parse_ll(&v, s, min, max);
    if (rc == XENMIG_ERANGE)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie field '%s' is outside [%lld, %lld]",
                            key, min, max);
    if (rc)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie field '%s' is not a whole number",
                            key);
    *out = v;
    return 0;
}


/* ---- identity ------------------------------------------------------- */

bool
xm_cookie_same_migration(const xm_cookie *a, const xm_cookie *b)
{
    if (!a || !b)
        return false;
    return memcmp(a->id, b->id, CK_ID_LEN) == 0;
}

void
xm_cookie_id_hex(char out[33], const xm_cookie *c)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < CK_ID_LEN; i++) {
        out[2 * i] = hex[c->id[i] >> 4];
        out[2 * i + 1] = hex[c->id[i] & 15];
    }
    out[2 * CK_ID_LEN] = '\0';
}

int
xm_cookie_check_same(const xm_cookie *got, const xm_cookie *want,
                     xenmig_error *err)
{
    char a[33], b[33];

    if (!got || !want)
        return xm_error_set(err, XENMIG_EINVAL, "no cookie to compare");
    if (xm_cookie_same_migration(got, want))
        return 0;
    xm_cookie_id_hex(a, got);
    xm_cookie_id_hex(b, want);
    return xm_error_set(err, XENMIG_EPARSE,
                        "cookie belongs to migration '%s', not '%s'", a, b);
}
