/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cookie_json.c: the cookie's text: its format, checksum and writer
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
 * The checksum is protection against accidents only: a value changed by
 * hand, a cookie cut short by a copy and paste, a cookie from another
 * migration. FNV-1a's step h = (h ^ byte) * p is a bijection of h for a
 * fixed byte, so any change of one byte of the canonical form changes
 * the sum. With no key shared between the hosts, anyone can compute a
 * valid checksum for a forged cookie.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#ifdef XM_JSON_H
# include <json/json.h>       /* json-c 0.10 (Debian 7) */
#else
# include <json-c/json.h>
#endif

#include "migration/cookie_impl.h"

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
uint64_t
xm_cookie_checksum(const char *step, const char *id, uint64_t created,
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

    if (!xm_cookie_step_ok((int)c->step))
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
        rc = xm_cookie_check_key(c->fields[i].key, err);
        if (rc)
            return rc;
        rc = xm_cookie_check_value(c->fields[i].key, c->fields[i].value,
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
                      xm_cookie_checksum(step, id, c->created, expires, c));
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

int
xm_cookie_encoded_length(size_t *out, const xm_cookie *c, xenmig_error *err)
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
