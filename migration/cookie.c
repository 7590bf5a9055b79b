/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cookie.c: the cookie handed from one migration step to the next
 *
 * Binary form, format 1 (all integers big-endian):
 *
 *   offset  size  what
 *        0     4  magic "XMCK"
 *        4     1  format version, 1
 *        5     1  step that made the cookie (xm_cookie_step, 1..4)
 *        6     8  created, unix seconds (u64)
 *       14    16  migration id
 *       30     2  field count n (u16), at most XM_COOKIE_MAX_FIELDS
 *       32        n fields, each:
 *                   1  key length k (u8), 1..XM_COOKIE_MAX_KEY
 *                   k  key, [a-z0-9_]
 *                   2  value length v (u16), 0..XM_COOKIE_MAX_VALUE
 *                   v  value, any bytes but NUL
 *   end-8     8  FNV-1a 64 of every byte before it (u64)
 *
 * Keys are unique; fields keep the order in which they were first set.
 * Nothing follows the checksum. The text form is "xm1." and the
 * base64url encoding (RFC 4648 section 5, no padding) of those bytes.
 * The decoder accepts only canonical base64url (unused bits of the last
 * character must be zero), so text and binary map one to one and
 * encode and decode are exact inverses.
 *
 * Decoding reads the magic and version first (a cookie from another
 * format may be laid out differently), then walks the length prefixes
 * without trusting them, each checked against the bytes that remain,
 * to tell a truncated cookie from a tampered one, then compares the
 * checksum, and only then builds the fields and checks their contents.
 *
 * Why FNV-1a 64 catches every single-character edit of the text: one
 * base64url character covers at most 6 bits of one byte or of two
 * adjacent bytes. FNV-1a's step h = (h ^ byte) * p is a bijection of h
 * for a fixed byte, so a change to one byte always reaches the final
 * value. For two adjacent bytes, the first change alters h by d * p
 * with 0 < |d| < 256, which moves bit 40 and up (p = 2^40 + 435), so
 * the second byte (8 bits) cannot cancel it. An edit that touches the
 * stored checksum changes it while the computed one stays the same or
 * moves by d * p, which is never a multiple of 2^56 as a change confined
 * to the checksum's top byte would need. The test suite checks this
 * exhaustively for its cookies. This is protection against accidents
 * only: with no key shared between the hosts, anyone can compute a
 * valid checksum for a forged cookie.
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

#include "migration/cookie.h"

#define CK_MAGIC "XMCK"
#define CK_FORMAT 1
#define CK_PREFIX "xm1."
#define CK_PREFIX_LEN 4
#define CK_HDR_LEN 32           /* magic .. field count */
#define CK_SUM_LEN 8
#define CK_ID_LEN 16

typedef char ck_assert_id_size[
    sizeof(((xm_cookie *)0)->id) == CK_ID_LEN ? 1 : -1];

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* ---- small pieces --------------------------------------------------- */

static bool
step_ok(int step)
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

/* The step that takes a cookie made by @s. */
static const char *
consumer_name(xm_cookie_step s)
{
    switch (s) {
    case XM_COOKIE_BEGIN:
        return "prepare";
    case XM_COOKIE_PREPARE:
        return "perform";
    case XM_COOKIE_PERFORM:
        return "finish";
    case XM_COOKIE_FINISH:
        return "confirm";
    }
    return "unknown";
}

static uint64_t
fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static void
put_be(uint8_t *p, uint64_t v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t
get_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    size_t i;

    for (i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
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
static int
check_key(const char *key, xenmig_error *err)
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

/* Characters of the base64url form of @n bytes, without padding. */
static size_t
b64_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

static int
b64_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '-')
        return 62;
    if (ch == '_')
        return 63;
    return -1;
}

/* Write b64_len(@n) characters (no NUL) to @dst. */
static void
b64_encode(char *dst, const uint8_t *src, size_t n)
{
    size_t i;
    uint32_t v;

    for (i = 0; i + 3 <= n; i += 3) {
        v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
        *dst++ = b64_alphabet[v >> 18 & 63];
        *dst++ = b64_alphabet[v >> 12 & 63];
        *dst++ = b64_alphabet[v >> 6 & 63];
        *dst++ = b64_alphabet[v & 63];
    }
    if (n - i == 1) {
        v = (uint32_t)src[i] << 16;
        *dst++ = b64_alphabet[v >> 18 & 63];
        *dst++ = b64_alphabet[v >> 12 & 63];
    } else if (n - i == 2) {
        v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8;
        *dst++ = b64_alphabet[v >> 18 & 63];
        *dst++ = b64_alphabet[v >> 12 & 63];
        *dst++ = b64_alphabet[v >> 6 & 63];
    }
}

/*
 * Decode @len base64url characters (checked already) into a new buffer
 * (*out, *out_len). *odd_end is set when the text is not canonical: a
 * lone last character (6 bits, no whole byte) is dropped, and unused
 * bits of the last character are not zero. The caller reports that
 * only after the frame check, so a cut-short cookie is called truncated.
 */
static int
b64_decode(uint8_t **out, size_t *out_len, bool *odd_end, const char *src,
           size_t len, xenmig_error *err)
{
    uint8_t *bin = NULL;
    size_t n, i, o;
    uint32_t v;
    size_t rest = len % 4;
    int rc;

    *odd_end = rest == 1;
    n = len / 4 * 3 + (rest > 1 ? rest - 1 : 0);
    bin = xm_malloc(n);
    if (!bin) {
        rc = xm_error_set(err, XENMIG_ENOMEM,
                          "out of memory decoding a cookie");
        goto out;
    }
    o = 0;
    for (i = 0; i + 4 <= len; i += 4) {
        v = (uint32_t)b64_value((unsigned char)src[i]) << 18 |
            (uint32_t)b64_value((unsigned char)src[i + 1]) << 12 |
            (uint32_t)b64_value((unsigned char)src[i + 2]) << 6 |
            (uint32_t)b64_value((unsigned char)src[i + 3]);
        bin[o++] = (uint8_t)(v >> 16);
        bin[o++] = (uint8_t)(v >> 8);
        bin[o++] = (uint8_t)v;
    }
    if (rest > 1) {
        v = (uint32_t)b64_value((unsigned char)src[i]) << 18 |
            (uint32_t)b64_value((unsigned char)src[i + 1]) << 12;
        if (rest == 3)
            v |= (uint32_t)b64_value((unsigned char)src[i + 2]) << 6;
        /* Bits past the last whole byte must be zero (canonical). */
        if ((rest == 2 && (v & 0xffff)) || (rest == 3 && (v & 0xff)))
            *odd_end = true;
        bin[o++] = (uint8_t)(v >> 16);
        if (rest == 3)
            bin[o++] = (uint8_t)(v >> 8);
    }
    *out = bin;
    *out_len = n;
    bin = NULL;
    rc = 0;
 out:
    xm_free(bin);
    return rc;
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
    if (!step_ok((int)step))
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
    if (!step_ok((int)step) || !step_ok((int)prev->step)) {
        memset(c, 0, sizeof(*c));
        return xm_error_set(err, XENMIG_EINVAL, "unknown cookie step %d",
                            step_ok((int)step) ? (int)prev->step
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

/* Binary size of @c, whose fields are assumed valid. */
static size_t
binary_size(const xm_cookie *c)
{
    size_t n = CK_HDR_LEN + CK_SUM_LEN;
    size_t i;

    for (i = 0; i < c->nfields; i++)
        n += 3 + strlen(c->fields[i].key) + strlen(c->fields[i].value);
    return n;
}

int
xm_cookie_set(xm_cookie *c, const char *key, const char *value,
              xenmig_error *err)
{
    char *k = NULL;
    char *v = NULL;
    size_t klen, vlen, i, size;
    int rc;

    if (!c || !key || !value) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "cookie field needs a cookie, key and value");
        goto out;
    }
    rc = check_key(key, err);
    if (rc) goto out;
    klen = strlen(key);
    vlen = strnlen(value, XM_COOKIE_MAX_VALUE + 1);
    if (vlen > XM_COOKIE_MAX_VALUE) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "cookie value for '%s' is longer than %d bytes",
                          key, XM_COOKIE_MAX_VALUE);
        goto out;
    }
    if (c->nfields > XM_COOKIE_MAX_FIELDS) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "cookie has a bad field count %zu", c->nfields);
        goto out;
    }
    i = find_field(c, key);
    size = binary_size(c);
    if (i < c->nfields) {
        size = size - strlen(c->fields[i].value) + vlen;
    } else if (c->nfields == XM_COOKIE_MAX_FIELDS) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "cookie cannot take '%s': it has %d fields "
                          "(limit)", key, XM_COOKIE_MAX_FIELDS);
        goto out;
    } else {
        size += 3 + klen + vlen;
    }
    if (CK_PREFIX_LEN + b64_len(size) > XM_COOKIE_MAX_TEXT) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "cookie would be %zu characters with '%s' "
                          "(limit %d)", CK_PREFIX_LEN + b64_len(size),
                          key, XM_COOKIE_MAX_TEXT);
        goto out;
    }
    v = xm_strndup(value, vlen);
    if (!v) {
        rc = xm_error_set(err, XENMIG_ENOMEM,
                          "out of memory setting cookie field '%s'", key);
        goto out;
    }
    if (i < c->nfields) {
        xm_free(c->fields[i].value);
        c->fields[i].value = v;
        v = NULL;
        rc = 0;
        goto out;
    }
    k = xm_strndup(key, klen);
    if (!k) {
        rc = xm_error_set(err, XENMIG_ENOMEM,
                          "out of memory setting cookie field '%s'", key);
        goto out;
    }
    c->fields[c->nfields].key = k;
    c->fields[c->nfields].value = v;
    c->nfields++;
    k = NULL;
    v = NULL;
    rc = 0;
 out:
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

/* ---- encoding ------------------------------------------------------- */

/* Check a cookie that may have been filled behind the API's back. */
static int
validate(const xm_cookie *c, size_t *size_out, xenmig_error *err)
{
    size_t size = CK_HDR_LEN + CK_SUM_LEN;
    size_t i, j, vlen;
    int rc;

    if (!step_ok((int)c->step))
        return xm_error_set(err, XENMIG_EINVAL, "unknown cookie step %d",
                            (int)c->step);
    if (c->nfields > XM_COOKIE_MAX_FIELDS)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie has %zu fields (limit %d)",
                            c->nfields, XM_COOKIE_MAX_FIELDS);
    for (i = 0; i < c->nfields; i++) {
        if (!c->fields[i].key || !c->fields[i].value)
            return xm_error_set(err, XENMIG_EINVAL,
                                "cookie field %zu is missing its key or "
                                "value", i);
        rc = check_key(c->fields[i].key, err);
        if (rc)
            return rc;
        vlen = strnlen(c->fields[i].value, XM_COOKIE_MAX_VALUE + 1);
        if (vlen > XM_COOKIE_MAX_VALUE)
            return xm_error_set(err, XENMIG_ERANGE,
                                "cookie value for '%s' is longer than %d "
                                "bytes", c->fields[i].key,
                                XM_COOKIE_MAX_VALUE);
        for (j = 0; j < i; j++) {
            if (strcmp(c->fields[j].key, c->fields[i].key) == 0)
                return xm_error_set(err, XENMIG_EINVAL,
                                    "cookie has key '%s' twice",
                                    c->fields[i].key);
        }
        size += 3 + strlen(c->fields[i].key) + vlen;
    }
    if (CK_PREFIX_LEN + b64_len(size) > XM_COOKIE_MAX_TEXT)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie would be %zu characters (limit %d)",
                            CK_PREFIX_LEN + b64_len(size),
                            XM_COOKIE_MAX_TEXT);
    *size_out = size;
    return 0;
}

/* @bin has the size validate() computed. */
static void
write_binary(uint8_t *bin, const xm_cookie *c)
{
    size_t i, o, klen, vlen;

    memcpy(bin, CK_MAGIC, 4);
    bin[4] = CK_FORMAT;
    bin[5] = (uint8_t)c->step;
    put_be(bin + 6, c->created, 8);
    memcpy(bin + 14, c->id, CK_ID_LEN);
    put_be(bin + 30, c->nfields, 2);
    o = CK_HDR_LEN;
    for (i = 0; i < c->nfields; i++) {
        klen = strlen(c->fields[i].key);
        vlen = strlen(c->fields[i].value);
        bin[o++] = (uint8_t)klen;
        memcpy(bin + o, c->fields[i].key, klen);
        o += klen;
        put_be(bin + o, vlen, 2);
        o += 2;
        memcpy(bin + o, c->fields[i].value, vlen);
        o += vlen;
    }
    put_be(bin + o, fnv1a64(bin, o), CK_SUM_LEN);
}

int
xm_cookie_encode(char **out, const xm_cookie *c, xenmig_error *err)
{
    uint8_t *bin = NULL;
    char *text = NULL;
    size_t size = 0;
    size_t tlen;
    int rc;

    if (!out || !c) {
        rc = xm_error_set(err, XENMIG_EINVAL, "no cookie to encode");
        goto out;
    }
    rc = validate(c, &size, err);
    if (rc) goto out;
    tlen = CK_PREFIX_LEN + b64_len(size);
    bin = xm_malloc(size);
    text = xm_malloc(tlen + 1);
    if (!bin || !text) {
        rc = xm_error_set(err, XENMIG_ENOMEM,
                          "out of memory encoding a cookie");
        goto out;
    }
    write_binary(bin, c);
    memcpy(text, CK_PREFIX, CK_PREFIX_LEN);
    b64_encode(text + CK_PREFIX_LEN, bin, size);
    text[tlen] = '\0';
    *out = text;
    text = NULL;
    rc = 0;
 out:
    xm_free(bin);
    xm_free(text);
    return rc;
}

/* ---- decoding ------------------------------------------------------- */

/* A cursor over untrusted bytes; every read is checked. */
typedef struct reader {
    const uint8_t *p;
    size_t len;
    size_t pos;               /* always <= len */
} reader;

static bool
rd_take(reader *r, size_t n, const uint8_t **out)
{
    if (n > r->len - r->pos)
        return false;
    *out = r->p + r->pos;
    r->pos += n;
    return true;
}

static bool
rd_uint(reader *r, size_t n, uint64_t *out)
{
    const uint8_t *p;

    if (!rd_take(r, n, &p))
        return false;
    *out = get_be(p, n);
    return true;
}

/* Check the "xm<N>." prefix; the format number is told when foreign. */
static int
check_prefix(const char *text, xenmig_error *err)
{
    unsigned long fmt = 0;
    size_t i = 2;

    if (strncmp(text, CK_PREFIX, CK_PREFIX_LEN) == 0)
        return 0;
    if (strncmp(text, "xm", 2) == 0 && text[2] >= '1' && text[2] <= '9') {
        while (i < 7 && text[i] >= '0' && text[i] <= '9')
            fmt = fmt * 10 + (unsigned long)(text[i++] - '0');
        if (text[i] == '.')
            return xm_error_set(err, XENMIG_EPARSE,
                                "cookie is from xenmig cookie format %lu; "
                                "this is format %d", fmt, CK_FORMAT);
    }
    return xm_error_set(err, XENMIG_EPARSE,
                        "cookie does not start with '%s' (not a xenmig "
                        "cookie)", CK_PREFIX);
}

/* Text to the bytes under it, checking length, prefix and characters. */
static int
text_to_binary(uint8_t **out, size_t *out_len, bool *odd_end,
               const char *text, xenmig_error *err)
{
    size_t len, i;
    int rc;

    if (!text || !*text)
        return xm_error_set(err, XENMIG_EPARSE, "cookie is empty");
    len = strnlen(text, XM_COOKIE_MAX_TEXT + 1);
    if (len > XM_COOKIE_MAX_TEXT)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie is longer than %d characters",
                            XM_COOKIE_MAX_TEXT);
    rc = check_prefix(text, err);
    if (rc)
        return rc;
    for (i = CK_PREFIX_LEN; i < len; i++) {
        if (b64_value((unsigned char)text[i]) < 0)
            return xm_error_set(err, XENMIG_EPARSE,
                                "cookie has a character outside base64url "
                                "at offset %zu (byte 0x%02x)", i,
                                (unsigned)(unsigned char)text[i]);
    }
    if (len == CK_PREFIX_LEN)
        return xm_error_set(err, XENMIG_EPARSE, "cookie is truncated");
    return b64_decode(out, out_len, odd_end, text + CK_PREFIX_LEN,
                      len - CK_PREFIX_LEN, err);
}

/*
 * Magic, version, the length prefixes against the bytes there are,
 * and the checksum. Builds nothing.
 */
static int
check_frame(const uint8_t *bin, size_t n, xenmig_error *err)
{
    reader r = { bin, n, 0 };
    const uint8_t *p;
    uint64_t count, klen, vlen, i;
    size_t rest;

    if (memcmp(bin, CK_MAGIC, n < 4 ? n : 4) != 0)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie has bad magic (not a xenmig cookie)");
    if (n >= 5 && bin[4] != CK_FORMAT)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie is corrupted: its text says format %d "
                            "but its bytes say format %u", CK_FORMAT,
                            (unsigned)bin[4]);
    if (!rd_take(&r, CK_HDR_LEN - 2, &p) || !rd_uint(&r, 2, &count))
        return xm_error_set(err, XENMIG_EPARSE, "cookie is truncated");
    for (i = 0; i < count; i++) {
        if (!rd_uint(&r, 1, &klen) || !rd_take(&r, (size_t)klen, &p) ||
            !rd_uint(&r, 2, &vlen) || !rd_take(&r, (size_t)vlen, &p))
            return xm_error_set(err, XENMIG_EPARSE, "cookie is truncated");
    }
    rest = n - r.pos;
    if (rest < CK_SUM_LEN)
        return xm_error_set(err, XENMIG_EPARSE, "cookie is truncated");
    if (rest > CK_SUM_LEN)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie has %zu stray bytes after its fields",
                            rest - CK_SUM_LEN);
    if (fnv1a64(bin, r.pos) != get_be(bin + r.pos, CK_SUM_LEN))
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie checksum does not match (tampered or "
                            "corrupted)");
    return 0;
}

/* Build @c from a frame check_frame() accepted; check the contents. */
static int
read_binary(xm_cookie *c, const uint8_t *bin, size_t n, xenmig_error *err)
{
    reader r = { bin, n - CK_SUM_LEN, 0 };
    const uint8_t *p, *key, *val;
    uint64_t step, count, klen, vlen, i;
    char name[XM_COOKIE_MAX_KEY + 1];

    if (!rd_take(&r, 5, &p) || !rd_uint(&r, 1, &step) ||
        !rd_uint(&r, 8, &c->created) || !rd_take(&r, CK_ID_LEN, &p))
        return xm_error_set(err, XENMIG_EPARSE, "cookie is truncated");
    memcpy(c->id, p, CK_ID_LEN);
    if (!step_ok((int)step))
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie names an unknown step %u",
                            (unsigned)step);
    c->step = (xm_cookie_step)step;
    if (!rd_uint(&r, 2, &count))
        return xm_error_set(err, XENMIG_EPARSE, "cookie is truncated");
    if (count > XM_COOKIE_MAX_FIELDS)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie has %u fields (limit %d)",
                            (unsigned)count, XM_COOKIE_MAX_FIELDS);
    for (i = 0; i < count; i++) {
        if (!rd_uint(&r, 1, &klen) || !rd_take(&r, (size_t)klen, &key) ||
            !rd_uint(&r, 2, &vlen) || !rd_take(&r, (size_t)vlen, &val))
            return xm_error_set(err, XENMIG_EPARSE, "cookie is truncated");
        if (klen == 0 || klen > XM_COOKIE_MAX_KEY ||
            !key_chars_ok((const char *)key, (size_t)klen))
            return xm_error_set(err, XENMIG_EPARSE,
                                "cookie field %u has a key that is not 1 "
                                "to %d of [a-z0-9_]", (unsigned)i + 1,
                                XM_COOKIE_MAX_KEY);
        memcpy(name, key, (size_t)klen);
        name[klen] = '\0';
        if (vlen > XM_COOKIE_MAX_VALUE)
            return xm_error_set(err, XENMIG_ERANGE,
                                "cookie value for '%s' is %u bytes "
                                "(limit %d)", name, (unsigned)vlen,
                                XM_COOKIE_MAX_VALUE);
        if (memchr(val, '\0', (size_t)vlen))
            return xm_error_set(err, XENMIG_EPARSE,
                                "cookie value for '%s' has a NUL byte",
                                name);
        if (find_field(c, name) < c->nfields)
            return xm_error_set(err, XENMIG_EPARSE,
                                "cookie has key '%s' twice", name);
        c->fields[c->nfields].key = xm_strndup(name, (size_t)klen);
        c->fields[c->nfields].value =
            xm_strndup((const char *)val, (size_t)vlen);
        c->nfields++;
        if (!c->fields[c->nfields - 1].key ||
            !c->fields[c->nfields - 1].value)
            return xm_error_set(err, XENMIG_ENOMEM,
                                "out of memory decoding a cookie");
    }
    if (r.pos != r.len)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie has stray bytes after its fields");
    return 0;
}

/* The step that made @c, and its age against @now. */
static int
check_fresh(const xm_cookie *c, xm_cookie_step expect_step, uint64_t now,
            xenmig_error *err)
{
    if (expect_step && c->step != expect_step)
        return xm_error_set(err, XENMIG_ESTATE,
                            "cookie was made by the '%s' step; '%s' "
                            "expects one from '%s'",
                            xm_cookie_step_name(c->step),
                            consumer_name(expect_step),
                            xm_cookie_step_name(expect_step));
    if (c->created > now && c->created - now > XM_COOKIE_MAX_SKEW_S)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie is from the future: made %" PRIu64
                            " s ahead of this host's clock (limit %d s)",
                            c->created - now, XM_COOKIE_MAX_SKEW_S);
    if (c->created <= now && now - c->created > XM_COOKIE_MAX_AGE_S)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie is stale: made %" PRIu64
                            " s ago (limit %d s)", now - c->created,
                            XM_COOKIE_MAX_AGE_S);
    return 0;
}

static int decode(xm_cookie *c, const char *text,
                  xm_cookie_step expect_step, uint64_t now,
                  bool check_age, xenmig_error *err);

int
xm_cookie_decode(xm_cookie *c, const char *text,
                 xm_cookie_step expect_step, uint64_t now,
                 xenmig_error *err)
{
    return decode(c, text, expect_step, now, true, err);
}

int
xm_cookie_decode_any_age(xm_cookie *c, const char *text, xenmig_error *err)
{
    return decode(c, text, 0, 0, false, err);
}

static int
decode(xm_cookie *c, const char *text, xm_cookie_step expect_step,
       uint64_t now, bool check_age, xenmig_error *err)
{
    xm_cookie tmp;
    uint8_t *bin = NULL;
    size_t n = 0;
    bool odd_end = false;
    int rc;

    memset(&tmp, 0, sizeof(tmp));
    if (!c) {
        rc = xm_error_set(err, XENMIG_EINVAL, "no cookie to decode into");
        goto out;
    }
    memset(c, 0, sizeof(*c));
    if (expect_step != 0 && !step_ok((int)expect_step)) {
        rc = xm_error_set(err, XENMIG_EINVAL,
                          "unknown cookie step %d expected",
                          (int)expect_step);
        goto out;
    }
    rc = text_to_binary(&bin, &n, &odd_end, text, err);
    if (rc) goto out;
    rc = check_frame(bin, n, err);
    if (rc) goto out;
    if (odd_end) {
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "cookie has a stray or corrupted last "
                          "character");
        goto out;
    }
    rc = read_binary(&tmp, bin, n, err);
    if (rc) goto out;
    rc = check_age ? check_fresh(&tmp, expect_step, now, err) : 0;
    if (rc) goto out;
    *c = tmp;
    memset(&tmp, 0, sizeof(tmp));
 out:
    xm_cookie_dispose(&tmp);
    xm_free(bin);
    return rc;
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
