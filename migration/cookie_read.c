/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cookie_read.c: reading a cookie's text (format 2, cookie_json.c)
 * with json-c
 *
 * The reader takes the top-level members in any order and refuses an
 * unknown or missing one, a value of the wrong type, nesting deeper than
 * the fields object, and text after the object. It checks the checksum
 * before the contents (key characters, lengths, UTF-8), and those
 * before the step and the age. A cookie of format 1 (xenmig 0.1's
 * "xm1." text) is refused with a message that says so.
 *
 * A cookie made by another step than the one expected (the message
 * names both), older than XM_COOKIE_MAX_AGE_S, or from more than
 * XM_COOKIE_MAX_SKEW_S in the future is refused.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#ifdef XM_JSON_H
# include <json/json.h>       /* json-c 0.10 (Debian 7) */
#else
# include <json-c/json.h>
#endif

#include "migration/cookie_impl.h"


/* json_tokener_new_ex() (a depth limit) came with json-c 0.11; on 0.10
 * the tokener's fixed depth (32) bounds the parse, and the member type
 * checks refuse anything nested below the fields object either way. */
#if defined(JSON_C_VERSION_NUM) && JSON_C_VERSION_NUM >= 0x000b00 && \
    !defined(XM_FLOOR)
# define XM_HAVE_JSON_TOKENER_NEW_EX 1
#endif

/* root object, then the fields object: json-c counts the root as 1 */
#define CK_JSON_DEPTH 3

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
        rc = xm_cookie_check_key(c->fields[i].key, err);
        if (rc == 0)
            rc = xm_cookie_check_value(c->fields[i].key, c->fields[i].value,
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
    if (expect_step != 0 && !xm_cookie_step_ok((int)expect_step))
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
                      xm_cookie_checksum(d.step, d.id, (uint64_t)d.created,
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
