/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_cookie.c: xm_cookie_decode at a fixed time; a cookie it accepts
 * must encode to a cookie that decodes to the same thing.
 *
 * First byte 0x00: the rest is fields, "key\x01value" pairs separated by
 * \x02, that the target writes as a cookie with a good checksum (the
 * format in migration/cookie_json.c, its own small writer), so the fuzzer
 * reaches the checks behind the checksum. Otherwise the input is the
 * cookie text.
 */
#include <stdio.h>

#include "fuzz/fuzz.h"
#include "migration/cookie.h"

#define T "cookie"
/* tests/data/cookie/v2-prepare.json was made at 1400000000 */
#define NOW 1400000060u
#define CREATED "1400000000"
#define EXPIRES "1400003600"
#define MAX_IN 4096

typedef struct out {
    char t[6 * MAX_IN + 512];
    size_t n;
    uint64_t h;
} out;

static void
put(out *o, const char *s, size_t n)
{
    memcpy(o->t + o->n, s, n);
    o->n += n;
    o->t[o->n] = '\0';
}

static void
canon(out *o, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i <= n; i++) {
        o->h ^= i < n ? (uint8_t)s[i] : 0;
        o->h *= 1099511628211ull;
    }
}

static void
str(out *o, const char *s, size_t n)
{
    char esc[8];
    size_t i;

    put(o, "\"", 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(o, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            put(o, esc, 6);
        } else {
            put(o, (const char *)&s[i], 1);
        }
    }
    put(o, "\"", 1);
}

/* A cookie with a good checksum around the fields in @data. */
static char *
make_text(const uint8_t *data, size_t size)
{
    static const char head[] =
        "{\"format\":\"xenmig-cookie\",\"version\":2,\"step\":\"perform\","
        "\"id\":\"00112233445566778899aabbccddeeff\",\"created\":" CREATED
        ",\"expires\":" EXPIRES ",\"fields\":{";
    const char *p = (const char *)data, *end = p + size, *pair, *sep;
    out *o = malloc(sizeof(*o));
    char sum[64];

    if (!o)
        return NULL;
    o->n = 0;
    o->h = 14695981039346656037ull;
    canon(o, "xenmig-cookie", 13);
    canon(o, "2", 1);
    canon(o, "perform", 7);
    canon(o, "00112233445566778899aabbccddeeff", 32);
    canon(o, CREATED, 10);
    canon(o, EXPIRES, 10);
    put(o, head, sizeof(head) - 1);
    while (p < end) {
        pair = memchr(p, 0x02, (size_t)(end - p));
        if (!pair)
            pair = end;
        sep = memchr(p, 0x01, (size_t)(pair - p));
        if (!sep)
            sep = pair;
        if (o->t[o->n - 1] != '{')
            put(o, ",", 1);
        str(o, p, (size_t)(sep - p));
        put(o, ":", 1);
        str(o, sep < pair ? sep + 1 : sep,
            (size_t)(pair - (sep < pair ? sep + 1 : sep)));
        canon(o, p, (size_t)(sep - p));
        canon(o, sep < pair ? sep + 1 : sep,
              (size_t)(pair - (sep < pair ? sep + 1 : sep)));
        p = pair < end ? pair + 1 : end;
    }
    snprintf(sum, sizeof(sum), "},\"checksum\":\"%016llx\"}",
             (unsigned long long)o->h);
    put(o, sum, strlen(sum));
    memmove(o, o->t, o->n + 1);     /* the text at the start of o */
    return (char *)o;
}

/* @a and @b are the same cookie. */
static int
same(const xm_cookie *a, const xm_cookie *b)
{
    size_t i;

    if (a->step != b->step || a->created != b->created ||
        !xm_cookie_same_migration(a, b) || a->nfields != b->nfields)
        return 0;
    for (i = 0; i < a->nfields; i++) {
        if (strcmp(a->fields[i].key, b->fields[i].key) != 0 ||
            strcmp(a->fields[i].value, b->fields[i].value) != 0)
            return 0;
    }
    return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xm_cookie c, d;
    xenmig_error err;
    char *text = NULL, *again = NULL;
    size_t i;
    int rc;

    memset(&d, 0, sizeof(d));
    if (size > 0 && data[0] == 0x00) {
        if (size - 1 > MAX_IN)
            return 0;
        text = make_text(data + 1, size - 1);
    } else {
        text = xm_fuzz_cstr(data, size);
    }
    if (text == NULL)
        return 0;
    xenmig_error_clear(&err);
    rc = xm_cookie_decode(&c, text, 0, NOW, &err);
    xm_fuzz_check_err(T, rc, &err);
    if (rc != 0 && c.nfields != 0)
        xm_fuzz_fail(T, "failed decode left fields behind");
    if (rc == 0) {
        for (i = 0; i < c.nfields; i++)
            if (xm_cookie_get(&c, c.fields[i].key) != c.fields[i].value)
                xm_fuzz_fail(T, "field not found by its key");
        xenmig_error_clear(&err);
        rc = xm_cookie_encode(&again, &c, &err);
        if (rc != 0)
            xm_fuzz_fail(T, "accepted cookie does not encode");
        xenmig_error_clear(&err);
        rc = xm_cookie_decode(&d, again, c.step, NOW, &err);
        if (rc != 0)
            xm_fuzz_fail(T, "re-encoded cookie does not decode");
        if (!same(&c, &d))
            xm_fuzz_fail(T, "re-encoded cookie differs from the input");
        xm_cookie_dispose(&d);
        /* the step check */
        xenmig_error_clear(&err);
        rc = xm_cookie_decode(&d, text, c.step % 4 + 1, NOW, &err);
        xm_fuzz_check_err(T, rc, &err);
        if (rc != XENMIG_ESTATE)
            xm_fuzz_fail(T, "decode with another step did not fail");
        xm_cookie_dispose(&d);
    }
    xm_cookie_dispose(&c);
    xm_free(again);
    free(text);
    return 0;
}
