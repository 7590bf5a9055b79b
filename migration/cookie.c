/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cookie.c: the cookie handed from one migration step to the next
 *
 * Format 2 is one JSON object (json-c), written without spaces:
 *
 *   {"format":"xenmig-cookie","version":2,"step":"prepare",
 *    "id":"<32 lower-case hex>","created":<unix s>,"expires":<unix s>,
 *    "fields":{"<key>":"<value>",...},"checksum":"<16 lower-case hex>"}
 *
 * - step: the step that made it (begin, prepare, perform, finish);
 * - id: the migration's 16-byte id, the same in every step's cookie;
 * - expires: always created + XM_COOKIE_MAX_AGE_S;
 * - fields: keys of [a-z0-9_], unique, in the order first set; values
 *   UTF-8 strings without NUL;
 * - checksum: FNV-1a 64 over the canonical bytes
 *     "xenmig-cookie" NUL "2" NUL step NUL id NUL created NUL expires
 *     NUL, then key NUL value NUL for each field in order,
 *   numbers in decimal. It is computed from the values, not the JSON
 *   text, so two json-c versions that escape differently agree.
 *
 * The reader takes the top-level members in any order and refuses an
 * unknown or missing one, a value of the wrong type, nesting deeper than
 * the fields object, and text after the object. It checks the checksum
 * before the contents (key characters, lengths, UTF-8), and those
 * before the step and the age. A cookie of format 1 (xenmig 0.1's
 * "xm1." text) is refused with a message that says so.
 *
 * The checksum is protection against accidents only: a value changed by
 * hand, a cookie cut short by a copy and paste, a cookie from another
 * migration. FNV-1a's step h = (h ^ byte) * p is a bijection of h for a
 * fixed byte, so any change of one byte of the canonical form changes
 * the sum. With no key shared between the hosts, anyone can compute a
 * valid checksum for a forged cookie.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef XM_JSON_H
# include <json/json.h>       /* json-c 0.10 (Debian 7) */
#else
# include <json-c/json.h>
#endif

#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
# if __GLIBC_PREREQ(2, 25)
#  define XM_HAVE_GETRANDOM 1
#  include <sys/random.h>
# endif
#endif

#include "migration/cookie.h"

/* json_tokener_new_ex() (a depth limit) came with json-c 0.11; on 0.10
 * the tokener's fixed depth (32) bounds the parse, and the member type
 * checks refuse anything nested below the fields object either way. */
#if defined(JSON_C_VERSION_NUM) && JSON_C_VERSION_NUM >= 0x000b00 && \
    !defined(XM_FLOOR)
# define XM_HAVE_JSON_TOKENER_NEW_EX 1
#endif

#define CK_NAME "xenmig-cookie"
#define CK_FORMAT 2
#define CK_ID_LEN 16
/* root object, then the fields object: json-c counts the root as 1 */
#define CK_JSON_DEPTH 3

typedef char ck_assert_id_size[
    sizeof(((xm_cookie *)0)->id) == CK_ID_LEN ? 1 : -1];

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

/* FNV-1a 64 of @n bytes, continuing from @h. */
static uint64_t
fnv1a64(uint64_t h, const void *data, size_t n)
{
    const uint8_t *p = data;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

#define FNV_START UINT64_C(0xcbf29ce484222325)

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


/* A value given through the API or read from a cookie. */
static int
check_value(const char *key, const char *value, size_t len,
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

static int encoded_length(size_t *out, const xm_cookie *c,
                          xenmig_error *err);

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
    rc = check_key(key, err);
    if (rc) goto out;
    vlen = strnlen(value, XM_COOKIE_MAX_VALUE + 1);
    rc = check_value(key, value, vlen, err);
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
    rc = encoded_length(&len, c, err);
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

/* ---- the document --------------------------------------------------- */

/* Decimal of @v into @buf (room for 21). */
static const char *
u64_text(char buf[24], uint64_t v)
{
    if (xm_snprintf(buf, 24, "%" PRIu64, v) < 0)
        buf[0] = '\0';
    return buf;
}

/* The checksum of a cookie's canonical bytes (see the top). */
static uint64_t
checksum(const char *step, const char *id, uint64_t created,
         uint64_t expires, const xm_cookie *c)
{
    char num[24];
    char fmt[8];
    uint64_t h = FNV_START;
    size_t i;

    h = fnv1a64(h, CK_NAME, sizeof(CK_NAME));
    (void)xm_snprintf(fmt, sizeof(fmt), "%d", CK_FORMAT);
    h = fnv1a64(h, fmt, strlen(fmt) + 1);
    h = fnv1a64(h, step, strlen(step) + 1);
    h = fnv1a64(h, id, strlen(id) + 1);
    u64_text(num, created);
    h = fnv1a64(h, num, strlen(num) + 1);
    u64_text(num, expires);
    h = fnv1a64(h, num, strlen(num) + 1);
    for (i = 0; i < c->nfields; i++) {
        h = fnv1a64(h, c->fields[i].key, strlen(c->fields[i].key) + 1);
        h = fnv1a64(h, c->fields[i].value,
                    strlen(c->fields[i].value) + 1);
    }
    return h;
}

/* Check a cookie that may have been filled behind the API's back. */
static int
validate(const xm_cookie *c, xenmig_error *err)
{
    size_t i, j;
    int rc;

    if (!step_ok((int)c->step))
        return xm_error_set(err, XENMIG_EINVAL, "unknown cookie step %d",
                            (int)c->step);
    if (c->nfields > XM_COOKIE_MAX_FIELDS)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie has %zu fields (limit %d)",
                            c->nfields, XM_COOKIE_MAX_FIELDS);
    if (c->created > UINT64_MAX - XM_COOKIE_MAX_AGE_S ||
        c->created > (uint64_t)INT64_MAX - XM_COOKIE_MAX_AGE_S)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie has a creation time out of range");
    for (i = 0; i < c->nfields; i++) {
        if (!c->fields[i].key || !c->fields[i].value)
            return xm_error_set(err, XENMIG_EINVAL,
                                "cookie field %zu is missing its key or "
                                "value", i);
        rc = check_key(c->fields[i].key, err);
        if (rc)
            return rc;
        rc = check_value(c->fields[i].key, c->fields[i].value,
                         strnlen(c->fields[i].value,
                                 XM_COOKIE_MAX_VALUE + 1), err);
        if (rc)
            return rc;
        for (j = 0; j < i; j++) {
            if (strcmp(c->fields[j].key, c->fields[i].key) == 0)
                return xm_error_set(err, XENMIG_EINVAL,
                                    "cookie has key '%s' twice",
                                    c->fields[i].key);
        }
    }
    return 0;
}

/* json-c object helpers that fail on allocation, not crash. */
static bool
add_member(json_object *obj, const char *key, json_object *val)
{
    if (!val)
        return false;
    json_object_object_add(obj, key, val);
    return true;
}

/* The JSON text of a valid @c, in a new xm_ allocation. */
static int
write_document(char **out, const xm_cookie *c, xenmig_error *err)
{
    json_object *root = json_object_new_object();
    json_object *fields = json_object_new_object();
    const char *step = xm_cookie_step_name(c->step);
    uint64_t expires = c->created + XM_COOKIE_MAX_AGE_S;
    char id[33], sum[17];
    const char *text;
    bool ok = root && fields;
    size_t i;
    int rc;

    xm_cookie_id_hex(id, c);
    (void)xm_snprintf(sum, sizeof(sum), "%016" PRIx64,
                      checksum(step, id, c->created, expires, c));
    ok = ok && add_member(root, "format", json_object_new_string(CK_NAME));
    ok = ok && add_member(root, "version", json_object_new_int(CK_FORMAT));
    ok = ok && add_member(root, "step", json_object_new_string(step));
    ok = ok && add_member(root, "id", json_object_new_string(id));
    ok = ok && add_member(root, "created",
                          json_object_new_int64((int64_t)c->created));
    ok = ok && add_member(root, "expires",
                          json_object_new_int64((int64_t)expires));
    for (i = 0; ok && i < c->nfields; i++)
        ok = add_member(fields, c->fields[i].key,
                        json_object_new_string(c->fields[i].value));
    if (ok) {
        ok = add_member(root, "fields", fields);
        fields = NULL;
    }
    ok = ok && add_member(root, "checksum", json_object_new_string(sum));
    text = ok ? json_object_to_json_string_ext(root,
                                               JSON_C_TO_STRING_PLAIN)
              : NULL;
    *out = text ? xm_strdup(text) : NULL;
    rc = *out ? 0 : xm_error_set(err, XENMIG_ENOMEM,
                                 "out of memory encoding a cookie");
    json_object_put(fields);
    json_object_put(root);
    return rc;
}

static int
encoded_length(size_t *out, const xm_cookie *c, xenmig_error *err)
{
    char *text = NULL;
    int rc = write_document(&text, c, err);

    if (rc == 0)
        *out = strlen(text);
    xm_free(text);
    return rc;
}

int
xm_cookie_encode(char **out, const xm_cookie *c, xenmig_error *err)
{
    char *text = NULL;
    int rc;

    if (!out || !c)
        return xm_error_set(err, XENMIG_EINVAL, "no cookie to encode");
    rc = validate(c, err);
    if (rc)
        return rc;
    rc = write_document(&text, c, err);
    if (rc)
        return rc;
    if (strlen(text) > XM_COOKIE_MAX_TEXT) {
        rc = xm_error_set(err, XENMIG_ERANGE,
                          "cookie would be %zu characters (limit %d)",
                          strlen(text), XM_COOKIE_MAX_TEXT);
        xm_free(text);
        return rc;
    }
    *out = text;
    return 0;
}

/* ---- decoding ------------------------------------------------------- */

/* The members of a cookie document, borrowed from the parsed object. */
typedef struct doc {
    const char *step;
    const char *id;
    const char *sum;
    int64_t created;
    int64_t expires;
    json_object *fields;
} doc;

/* Parse @text (checked for length) into a JSON object with the shape
 * of a cookie; *root is released by the caller. */
static int
parse_text(json_object **root, const char *text, size_t len,
           xenmig_error *err)
{
#ifdef XM_HAVE_JSON_TOKENER_NEW_EX
    json_tokener *tok = json_tokener_new_ex(CK_JSON_DEPTH);
#else
    json_tokener *tok = json_tokener_new();
#endif
    enum json_tokener_error jerr;
    int rc = 0;

    if (!tok)
        return xm_error_set(err, XENMIG_ENOMEM,
                            "out of memory decoding a cookie");
    *root = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue)
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "cookie is truncated (the JSON ends early)");
    else if (jerr == json_tokener_error_depth)
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "cookie nests deeper than its fields object");
    else if (jerr != json_tokener_success || !*root)
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "cookie is not well-formed JSON at character "
                          "%d: %s", tok->char_offset + 1,
                          json_tokener_error_desc(jerr));
    else if ((size_t)tok->char_offset != len)
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "cookie has stray characters after its object "
                          "(character %d)", tok->char_offset + 1);
    else if (!json_object_is_type(*root, json_type_object))
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "cookie is not a JSON object (not a xenmig "
                          "cookie)");
    json_tokener_free(tok);
    return rc;
}

/* A string member; NULL when absent or of another type. */
static const char *
member_string(json_object *root, const char *key)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(root, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* An integer member that must be there. */
static int
member_int(int64_t *out, json_object *root, const char *key,
           xenmig_error *err)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(root, key, &v) ||
        !json_object_is_type(v, json_type_int))
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie lacks a whole number '%s'", key);
    errno = 0;
    *out = json_object_get_int64(v);
    if (errno || *out < 0)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie's '%s' is out of range", key);
    return 0;
}

/* Format, version and the members' types. */
static int
read_members(doc *d, json_object *root, xenmig_error *err)
{
    static const char *const known[] = {
        "format", "version", "step", "id", "created", "expires", "fields",
        "checksum"
    };
    const char *fmt = member_string(root, "format");
    int64_t version = 0;
    size_t i;
    int rc;

    if (!fmt || strcmp(fmt, CK_NAME) != 0)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie's format is not '%s' (not a xenmig "
                            "cookie)", CK_NAME);
    rc = member_int(&version, root, "version", err);
    if (rc)
        return rc;
    if (version != CK_FORMAT)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie is from xenmig cookie format %" PRId64
                            "; this is format %d", version, CK_FORMAT);
    json_object_object_foreach(root, key, val) {
        (void)val;
        for (i = 0; i < XM_ARRAY_SIZE(known); i++) {
            if (strcmp(key, known[i]) == 0)
                break;
        }
        if (i == XM_ARRAY_SIZE(known))
            return xm_error_set(err, XENMIG_EPARSE,
                                "cookie has an unknown member '%.32s'",
                                key);
    }
    d->step = member_string(root, "step");
    d->id = member_string(root, "id");
    d->sum = member_string(root, "checksum");
    if (!d->step || !d->id || !d->sum)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie lacks its %s", !d->step ? "step" :
                            !d->id ? "migration id" : "checksum");
    rc = member_int(&d->created, root, "created", err);
    if (rc == 0)
        rc = member_int(&d->expires, root, "expires", err);
    if (rc)
        return rc;
    if (!json_object_object_get_ex(root, "fields", &d->fields) ||
        !json_object_is_type(d->fields, json_type_object))
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie lacks its fields object");
    return 0;
}

/* The fields, as they are (checked after the checksum). */
static int
read_fields(xm_cookie *c, json_object *fields, xenmig_error *err)
{
    size_t n = 0, len;

    json_object_object_foreach(fields, key, val) {
        if (n == XM_COOKIE_MAX_FIELDS)
            return xm_error_set(err, XENMIG_ERANGE,
                                "cookie has more than %d fields",
                                XM_COOKIE_MAX_FIELDS);
        if (json_object_is_type(val, json_type_object) ||
            json_object_is_type(val, json_type_array))
            return xm_error_set(err, XENMIG_EPARSE,
                                "cookie nests deeper than its fields "
                                "object");
        if (!json_object_is_type(val, json_type_string))
            return xm_error_set(err, XENMIG_EPARSE,
                                "cookie field '%.32s' is not a string",
                                key);
        len = (size_t)json_object_get_string_len(val);
        if (memchr(json_object_get_string(val), '\0', len))
            return xm_error_set(err, XENMIG_EPARSE,
                                "cookie value for '%.32s' holds a NUL "
                                "byte", key);
        c->fields[n].key = xm_strdup(key);
        c->fields[n].value = xm_strndup(json_object_get_string(val), len);
        c->nfields = ++n;
        if (!c->fields[n - 1].key || !c->fields[n - 1].value)
            return xm_error_set(err, XENMIG_ENOMEM,
                                "out of memory decoding a cookie");
    }
    return 0;
}

/* What a bad key or value read from a cookie is: malformed input
 * (an over-long one stays a range error). */
static int
as_parse_error(int rc, xenmig_error *err)
{
    if (rc == XENMIG_ERANGE || rc == XENMIG_ENOMEM)
        return rc;
    if (err)
        err->code = XENMIG_EPARSE;
    return XENMIG_EPARSE;
}

/* Step, id and contents, once the checksum matched. */
static int
check_contents(xm_cookie *c, const doc *d, xenmig_error *err)
{
    size_t i;
    int rc, s, hi, lo;

    for (s = XM_COOKIE_BEGIN; s <= XM_COOKIE_FINISH; s++) {
        if (strcmp(d->step, xm_cookie_step_name((xm_cookie_step)s)) == 0)
            break;
    }
    if (s > XM_COOKIE_FINISH)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie names an unknown step '%.16s'",
                            d->step);
    c->step = (xm_cookie_step)s;
    if (strlen(d->id) != 2 * CK_ID_LEN)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie's migration id is not %d hex digits",
                            2 * CK_ID_LEN);
    for (i = 0; i < CK_ID_LEN; i++) {
        hi = xm_hex_digit(d->id[2 * i]);
        lo = xm_hex_digit(d->id[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return xm_error_set(err, XENMIG_EPARSE,
                                "cookie's migration id is not %d hex "
                                "digits", 2 * CK_ID_LEN);
        c->id[i] = (uint8_t)(hi << 4 | lo);
    }
    c->created = (uint64_t)d->created;
    if (d->expires != d->created + XM_COOKIE_MAX_AGE_S)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie's expiry is not %d s after its "
                            "creation", XM_COOKIE_MAX_AGE_S);
    for (i = 0; i < c->nfields; i++) {
        rc = check_key(c->fields[i].key, err);
        if (rc == 0)
            rc = check_value(c->fields[i].key, c->fields[i].value,
                             strlen(c->fields[i].value), err);
        if (rc)
            return as_parse_error(rc, err);
    }
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
    json_object *root = NULL;
    doc d;
    char sum[17];
    size_t len;
    int rc;

    memset(&tmp, 0, sizeof(tmp));
    memset(&d, 0, sizeof(d));
    if (!c)
        return xm_error_set(err, XENMIG_EINVAL, "no cookie to decode into");
    memset(c, 0, sizeof(*c));
    if (expect_step != 0 && !step_ok((int)expect_step))
        return xm_error_set(err, XENMIG_EINVAL,
                            "unknown cookie step %d expected",
                            (int)expect_step);
    if (!text || !*text)
        return xm_error_set(err, XENMIG_EPARSE, "cookie is empty");
    len = strnlen(text, XM_COOKIE_MAX_TEXT + 1);
    if (len > XM_COOKIE_MAX_TEXT)
        return xm_error_set(err, XENMIG_ERANGE,
                            "cookie is longer than %d characters",
                            XM_COOKIE_MAX_TEXT);
    if (strncmp(text, "xm1.", 4) == 0)
        return xm_error_set(err, XENMIG_EPARSE,
                            "cookie is from xenmig cookie format 1 "
                            "(xenmig 0.1); this is format %d: start the "
                            "migration again", CK_FORMAT);
    rc = parse_text(&root, text, len, err);
    if (rc == 0)
        rc = read_members(&d, root, err);
    if (rc == 0)
        rc = read_fields(&tmp, d.fields, err);
    if (rc)
        goto out;
    (void)xm_snprintf(sum, sizeof(sum), "%016" PRIx64,
                      checksum(d.step, d.id, (uint64_t)d.created,
                               (uint64_t)d.expires, &tmp));
    if (strcmp(sum, d.sum) != 0) {
        rc = xm_error_set(err, XENMIG_EPARSE,
                          "cookie checksum does not match (edited or "
                          "corrupted)");
        goto out;
    }
    rc = check_contents(&tmp, &d, err);
    if (rc == 0 && check_age)
        rc = check_fresh(&tmp, expect_step, now, err);
    if (rc)
        goto out;
    *c = tmp;
    memset(&tmp, 0, sizeof(tmp));
 out:
    xm_cookie_dispose(&tmp);
    json_object_put(root);
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
