/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_cookie.c: the cookie passed between migration steps
 *
 * Besides the library's own encoder, these tests write cookies with an
 * independent writer (jw_*: its own JSON escaping and checksum), so the
 * format is checked against a second implementation and cookies with a
 * valid checksum but bad contents reach the checks behind it. The
 * golden cookie (tests/data/cookie/v2-prepare.json) was written by a
 * third, in Python, from the format described in migration/cookie_json.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "lib/internal.h"
#include "migration/cookie.h"

#define GOLDEN "tests/data/cookie/v2-prepare.json"
#define GOLDEN_CREATED 1400000000u
#define T0 UINT64_C(1700000000)
#define ID_HEX "00112233445566778899aabbccddeeff"

/* ---- an independent writer of cookies ------------------------------- */

typedef struct jw {
    char t[16384];          /* the JSON text */
    size_t n;
    uint64_t h;             /* FNV-1a 64 of the canonical bytes so far */
} jw;

static uint64_t
test_fnv1a64(uint64_t h, const void *data, size_t n)
{
    const uint8_t *p = data;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

#define TEST_FNV_START UINT64_C(14695981039346656037)

static void
jw_raw(jw *w, const char *s)
{
    size_t n = strlen(s);

    CU_ASSERT_FATAL(w->n + n < sizeof(w->t));
    memcpy(w->t + w->n, s, n + 1);
    w->n += n;
}

/* A JSON string of @n bytes: quotes, backslash and controls escaped. */
static void
jw_str(jw *w, const char *s, size_t n)
{
    char esc[8];
    size_t i;

    jw_raw(w, "\"");
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            esc[2] = '\0';
        } else if (c < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
        } else {
            esc[0] = (char)c;
            esc[1] = '\0';
        }
        jw_raw(w, esc);
    }
    jw_raw(w, "\"");
}

/* Canonical bytes: @s and its NUL. */
static void
jw_canon(jw *w, const char *s, size_t n)
{
    w->h = test_fnv1a64(w->h, s, n);
    w->h = test_fnv1a64(w->h, "", 1);
}

/* Everything up to the fields; @step a name, @id 32 hex digits. */
static void
jw_begin(jw *w, const char *step, const char *id, uint64_t created,
         uint64_t expires)
{
    char num[64];

    w->n = 0;
    w->t[0] = '\0';
    w->h = TEST_FNV_START;
    jw_canon(w, "xenmig-cookie", 13);
    jw_canon(w, "2", 1);
    jw_canon(w, step, strlen(step));
    jw_canon(w, id, strlen(id));
    jw_raw(w, "{\"format\":\"xenmig-cookie\",\"version\":2,\"step\":");
    jw_str(w, step, strlen(step));
    jw_raw(w, ",\"id\":");
    jw_str(w, id, strlen(id));
    snprintf(num, sizeof(num), "%llu", (unsigned long long)created);
    jw_canon(w, num, strlen(num));
    jw_raw(w, ",\"created\":");
    jw_raw(w, num);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)expires);
    jw_canon(w, num, strlen(num));
    jw_raw(w, ",\"expires\":");
    jw_raw(w, num);
    jw_raw(w, ",\"fields\":{");
}

static void
jw_field(jw *w, const char *key, const char *val, size_t vlen)
{
    if (w->t[w->n - 1] != '{')
        jw_raw(w, ",");
    jw_str(w, key, strlen(key));
    jw_raw(w, ":");
    jw_str(w, val, vlen);
    jw_canon(w, key, strlen(key));
    jw_canon(w, val, vlen);
}

/* Close the cookie with the checksum of what was written. */
static const char *
jw_end(jw *w)
{
    char sum[64];

    snprintf(sum, sizeof(sum), "},\"checksum\":\"%016llx\"}",
             (unsigned long long)w->h);
    jw_raw(w, sum);
    return w->t;
}

/* A usual header: step @step, ID_HEX, created @t, expiring an hour on. */
static void
jw_usual(jw *w, const char *step, uint64_t t)
{
    jw_begin(w, step, ID_HEX, t, t + XM_COOKIE_MAX_AGE_S);
}

/* ---- helpers -------------------------------------------------------- */

static void
read_golden(char *out, size_t size)
{
    FILE *f = fopen(GOLDEN, "r");
    size_t len;

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(out, (int)size, f));
    fclose(f);
    len = strlen(out);
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = '\0';
}

/* A cookie with fixed id and time, fields included. */
static void
make_fixed(xm_cookie *c, xm_cookie_step step, uint64_t created)
{
    size_t i;

    CU_ASSERT_EQUAL_FATAL(xm_cookie_init(c, step, NULL), 0);
    for (i = 0; i < sizeof(c->id); i++)
        c->id[i] = (uint8_t)(0xf0 - i * 7);
    c->created = created;
    CU_ASSERT_EQUAL_FATAL(xm_cookie_set(c, "host", "xen-a", NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_set(c, "x", "y z", NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_set(c, "n", "ab", NULL), 0);
}

/* Decode must fail and leave @c empty; returns the code. */
static int
decode_fails(const char *text, xm_cookie_step expect, uint64_t now,
             xenmig_error *err)
{
    xm_cookie c;
    int rc;

    xenmig_error_clear(err);
    rc = xm_cookie_decode(&c, text, expect, now, err);
    if (rc == 0) {
        xm_cookie_dispose(&c);
        return 0;
    }
    CU_ASSERT_EQUAL(c.nfields, 0);
    CU_ASSERT_EQUAL(err->code, rc);
    CU_ASSERT_PTR_NULL(strchr(err->msg, '\n'));
    return rc;
}

/* ---- tests ---------------------------------------------------------- */

static void
test_cookie__checksum_is_fnv1a_64(void)
{
    /* Published FNV-1a 64 vectors keep the independent writer honest. */
    CU_ASSERT_EQUAL(test_fnv1a64(TEST_FNV_START, "", 0),
                    UINT64_C(0xcbf29ce484222325));
    CU_ASSERT_EQUAL(test_fnv1a64(TEST_FNV_START, "a", 1),
                    UINT64_C(0xaf63dc4c8601ec8c));
    CU_ASSERT_EQUAL(test_fnv1a64(TEST_FNV_START, "foobar", 6),
                    UINT64_C(0x85944171f73967e8));
}

static void
test_cookie__round_trip_keeps_every_field(void)
{
    static const struct { const char *k, *v; } f[] = {
        { "host", "xen-b.example.org" },
        { "spaces", "  two  spaces  and a tab\there " },
        { "quotes", "it's \"quoted\" `back` $(not run) \\ /" },
        { "query", "a=1&b=%20&c=%%" },
        { "utf8", "\xc3\xbc\xe2\x82\xac \xf0\x9f\x90\xa7 gr\xc3\xbc\xc3\x9f" },
        { "empty", "" },
        { "nl", "line one\nline two\r\x01\x1f\x7f" },
    };
    xm_cookie a, b;
    xenmig_error err;
    char *t1 = NULL;
    char *t2 = NULL;
    size_t i;

    make_fixed(&a, XM_COOKIE_PERFORM, T0);
    for (i = 0; i < XM_ARRAY_SIZE(f); i++)
        CU_ASSERT_EQUAL(xm_cookie_set(&a, f[i].k, f[i].v, &err), 0);
    /* Replacing ("host" is in make_fixed too) keeps place and count. */
    CU_ASSERT_EQUAL(xm_cookie_set(&a, "host", "xen-c", &err), 0);
    CU_ASSERT_EQUAL(a.nfields, 3 + XM_ARRAY_SIZE(f) - 1);
    CU_ASSERT_STRING_EQUAL(a.fields[0].key, "host");
    CU_ASSERT_EQUAL_FATAL(xm_cookie_encode(&t1, &a, &err), 0);
    /* one line, whatever the values hold */
    CU_ASSERT_PTR_NULL(strchr(t1, '\n'));
    CU_ASSERT_PTR_NULL(strchr(t1, '\r'));
    CU_ASSERT_EQUAL_FATAL(xm_cookie_decode(&b, t1, XM_COOKIE_PERFORM,
                                           T0 + 10, &err), 0);
    CU_ASSERT_EQUAL(b.step, XM_COOKIE_PERFORM);
    CU_ASSERT_EQUAL(b.created, T0);
    CU_ASSERT_EQUAL(memcmp(a.id, b.id, sizeof(a.id)), 0);
    CU_ASSERT_TRUE(xm_cookie_same_migration(&a, &b));
    CU_ASSERT_EQUAL_FATAL(b.nfields, a.nfields);
    for (i = 0; i < a.nfields; i++) {
        CU_ASSERT_STRING_EQUAL(b.fields[i].key, a.fields[i].key);
        CU_ASSERT_STRING_EQUAL(b.fields[i].value, a.fields[i].value);
    }
    CU_ASSERT_STRING_EQUAL(xm_cookie_get(&b, "host"), "xen-c");
    CU_ASSERT_STRING_EQUAL(xm_cookie_get(&b, "empty"), "");
    CU_ASSERT_STRING_EQUAL(xm_cookie_get(&b, "query"), "a=1&b=%20&c=%%");
    CU_ASSERT_PTR_NULL(xm_cookie_get(&b, "absent"));
    /* Decode then encode gives the same text back. */
    CU_ASSERT_EQUAL(xm_cookie_encode(&t2, &b, &err), 0);
    CU_ASSERT_STRING_EQUAL(t1, t2);
    xm_free(t1);
    xm_free(t2);
    xm_cookie_dispose(&a);
    xm_cookie_dispose(&b);
}

static void
test_cookie__golden_v2_prepare_decodes(void)
{
    char text[8192];
    char hex[33];
    xm_cookie c;
    xenmig_error err;
    char *again = NULL;

    read_golden(text, sizeof(text));
    CU_ASSERT_EQUAL_FATAL(xm_cookie_decode(&c, text, XM_COOKIE_PREPARE,
                                           GOLDEN_CREATED + 60, &err), 0);
    CU_ASSERT_EQUAL(c.step, XM_COOKIE_PREPARE);
    CU_ASSERT_EQUAL(c.created, GOLDEN_CREATED);
    xm_cookie_id_hex(hex, &c);
    CU_ASSERT_STRING_EQUAL(hex, ID_HEX);
    CU_ASSERT_EQUAL_FATAL(c.nfields, 4);
    CU_ASSERT_STRING_EQUAL(c.fields[0].key, "host");
    CU_ASSERT_STRING_EQUAL(c.fields[0].value, "xen-b.example.org");
    CU_ASSERT_STRING_EQUAL(c.fields[1].key, "port");
    CU_ASSERT_STRING_EQUAL(c.fields[1].value, "8002");
    CU_ASSERT_STRING_EQUAL(c.fields[2].key, "note");
    CU_ASSERT_STRING_EQUAL(c.fields[2].value,
                           "it's a \"test\" & 100% = ok \xc3\xbc");
    CU_ASSERT_STRING_EQUAL(c.fields[3].key, "empty");
    CU_ASSERT_STRING_EQUAL(c.fields[3].value, "");
    /* The encoder writes exactly these bytes (no '/' to escape here). */
    CU_ASSERT_EQUAL(xm_cookie_encode(&again, &c, &err), 0);
    CU_ASSERT_STRING_EQUAL(again, text);
    xm_free(again);
    xm_cookie_dispose(&c);
}

static void
test_cookie__independent_writer_matches_golden(void)
{
    static const char note[] = "it's a \"test\" & 100% = ok \xc3\xbc";
    char golden[8192];
    jw w;

    read_golden(golden, sizeof(golden));
    jw_usual(&w, "prepare", GOLDEN_CREATED);
    jw_field(&w, "host", "xen-b.example.org", 17);
    jw_field(&w, "port", "8002", 4);
    jw_field(&w, "note", note, strlen(note));
    jw_field(&w, "empty", "", 0);
    CU_ASSERT_STRING_EQUAL(jw_end(&w), golden);
}

/* Every edit of one character of @text must be refused. */
static void
check_every_edit_fails(const char *text, uint64_t now)
{
    char buf[8192];
    xenmig_error err;
    size_t i, len = strlen(text), tried = 0, accepted = 0;
    int k;

    CU_ASSERT_FATAL(len < sizeof(buf));
    for (i = 0; i < len; i++) {
        for (k = 0x20; k < 0x7f; k++) {
            if (k == (unsigned char)text[i])
                continue;
            memcpy(buf, text, len + 1);
            buf[i] = (char)k;
            tried++;
            if (decode_fails(buf, 0, now, &err) == 0) {
                accepted++;
                fprintf(stderr, "\naccepted edit at %zu: %s\n", i, buf);
            }
        }
    }
    CU_ASSERT(tried > len * 90);
    CU_ASSERT_EQUAL(accepted, 0);
}

static void
test_cookie__every_single_character_edit_is_rejected(void)
{
    char text[8192];
    xm_cookie c;
    char *t = NULL;
    xenmig_error err;

    read_golden(text, sizeof(text));
    check_every_edit_fails(text, GOLDEN_CREATED);
    make_fixed(&c, XM_COOKIE_FINISH, T0);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_encode(&t, &c, &err), 0);
    check_every_edit_fails(t, T0);
    xm_free(t);
    xm_cookie_dispose(&c);
}

static void
test_cookie__every_truncation_is_rejected(void)
{
    char text[8192];
    char cut[8192];
    xenmig_error err;
    size_t len, n;

    read_golden(text, sizeof(text));
    len = strlen(text);
    for (n = 1; n < len; n++) {
        memcpy(cut, text, n);
        cut[n] = '\0';
        CU_ASSERT_EQUAL(decode_fails(cut, 0, GOLDEN_CREATED, &err),
                        XENMIG_EPARSE);
        if (n >= 2 && !strstr(err.msg, "cookie is truncated"))
            CU_FAIL("a truncated cookie not called truncated");
    }
    CU_ASSERT_EQUAL(decode_fails("", 0, GOLDEN_CREATED, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie is empty");
    CU_ASSERT_EQUAL(decode_fails(NULL, 0, GOLDEN_CREATED, &err),
                    XENMIG_EPARSE);
}

static void
test_cookie__foreign_format_and_version_are_rejected(void)
{
    char text[8192];
    char *p;
    xenmig_error err;

    /* xenmig 0.1's cookies */
    CU_ASSERT_EQUAL(decode_fails("xm1.WE1DSwEC", 0, T0, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie is from xenmig cookie format 1 "
                           "(xenmig 0.1); this is format 2: start the "
                           "migration again");
    read_golden(text, sizeof(text));
    p = strstr(text, "\"version\":2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p[10] = '3';
    CU_ASSERT_EQUAL(decode_fails(text, 0, GOLDEN_CREATED, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie is from xenmig cookie format 3;"
                           " this is format 2");
    read_golden(text, sizeof(text));
    p = strstr(text, "xenmig-cookie");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    p[0] = 'X';
    CU_ASSERT_EQUAL(decode_fails(text, 0, GOLDEN_CREATED, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a xenmig cookie"));
    CU_ASSERT_EQUAL(decode_fails("hello world", 0, T0, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not well-formed JSON"));
    CU_ASSERT_EQUAL(decode_fails("[1,2]", 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a JSON object"));
    CU_ASSERT_EQUAL(decode_fails("{}", 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a xenmig cookie"));
    /* The golden one, as it is, decodes: the edits above matter. */
    read_golden(text, sizeof(text));
    CU_ASSERT_EQUAL(decode_fails(text, 0, GOLDEN_CREATED, &err), 0);
    /* Text after the object. */
    CU_ASSERT_EQUAL(xm_strlcpy(text + strlen(text), " {}",
                               sizeof(text) - strlen(text)), 0);
    CU_ASSERT_EQUAL(decode_fails(text, 0, GOLDEN_CREATED, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "stray characters"));
}

static void
test_cookie__wrong_step_is_a_state_error_naming_both(void)
{
    char text[8192];
    xenmig_error err;
    xm_cookie c;

    read_golden(text, sizeof(text));
    CU_ASSERT_EQUAL(decode_fails(text, XM_COOKIE_PERFORM, GOLDEN_CREATED,
                                 &err), XENMIG_ESTATE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie was made by the 'prepare' step;"
                           " 'finish' expects one from 'perform'");
    CU_ASSERT_EQUAL(decode_fails(text, XM_COOKIE_FINISH, GOLDEN_CREATED,
                                 &err), XENMIG_ESTATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'confirm' expects one from "
                                  "'finish'"));
    CU_ASSERT_EQUAL(decode_fails(text, (xm_cookie_step)7, GOLDEN_CREATED,
                                 &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_cookie_decode(&c, text, 0, GOLDEN_CREATED, &err), 0);
    CU_ASSERT_EQUAL(c.step, XM_COOKIE_PREPARE);
    xm_cookie_dispose(&c);
}

static void
test_cookie__stale_and_future_cookies_are_rejected(void)
{
    char text[8192];
    xenmig_error err;
    const uint64_t t = GOLDEN_CREATED;

    read_golden(text, sizeof(text));
    CU_ASSERT_EQUAL(decode_fails(text, 0, t + 7200, &err), XENMIG_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "cookie is stale: made 7200 s ago (limit 3600 s)");
    CU_ASSERT_EQUAL(decode_fails(text, 0, t + XM_COOKIE_MAX_AGE_S, &err),
                    0);
    CU_ASSERT_EQUAL(decode_fails(text, 0, t + XM_COOKIE_MAX_AGE_S + 1,
                                 &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "made 3601 s ago"));
    CU_ASSERT_EQUAL(decode_fails(text, 0, t, &err), 0);
    CU_ASSERT_EQUAL(decode_fails(text, 0, t - XM_COOKIE_MAX_SKEW_S, &err),
                    0);
    CU_ASSERT_EQUAL(decode_fails(text, 0, t - XM_COOKIE_MAX_SKEW_S - 1,
                                 &err), XENMIG_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie is from the future: made 301 s "
                           "ahead of this host's clock (limit 300 s)");
    CU_ASSERT_EQUAL(decode_fails(text, 0, 0, &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "made 1400000000 s ahead"));
    CU_ASSERT_EQUAL(decode_fails(text, 0, UINT64_MAX, &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "stale"));
}

static void
test_cookie__over_long_text_is_rejected(void)
{
    char text[XM_COOKIE_MAX_TEXT + 2];
    char big[XM_COOKIE_MAX_VALUE + 1];
    xenmig_error err;
    xm_cookie c, d;
    char *t = NULL;
    char key[8];
    int i, rc = 0;

    memset(text, ' ', sizeof(text) - 1);
    text[0] = '{';
    text[sizeof(text) - 1] = '\0';
    CU_ASSERT_EQUAL(strlen(text), XM_COOKIE_MAX_TEXT + 1);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie is longer than 4096 characters");
    text[XM_COOKIE_MAX_TEXT] = '\0';    /* at the limit: other errors */
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);

    /* Filling a cookie stops at the text limit; what fits round-trips. */
    memset(big, 'v', XM_COOKIE_MAX_VALUE);
    big[XM_COOKIE_MAX_VALUE] = '\0';
    make_fixed(&c, XM_COOKIE_PREPARE, T0);
    for (i = 0; i < 10 && rc == 0; i++) {
        CU_ASSERT_EQUAL(xm_snprintf(key, sizeof(key), "k%d", i), 0);
        rc = xm_cookie_set(&c, key, big, &err);
    }
    CU_ASSERT_EQUAL(rc, XENMIG_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "(limit 4096)"));
    CU_ASSERT_EQUAL(c.nfields, 3 + (size_t)i - 1);
    CU_ASSERT_PTR_NULL(xm_cookie_get(&c, key));
    CU_ASSERT_EQUAL_FATAL(xm_cookie_encode(&t, &c, &err), 0);
    CU_ASSERT(strlen(t) <= XM_COOKIE_MAX_TEXT);
    CU_ASSERT(strlen(t) > XM_COOKIE_MAX_TEXT - 1400);
    CU_ASSERT_EQUAL(xm_cookie_decode(&d, t, 0, T0, &err), 0);
    CU_ASSERT_EQUAL(d.nfields, c.nfields);
    xm_cookie_dispose(&d);
    xm_free(t);
    t = NULL;
    /* A field added behind the API's back is caught by encode. */
    c.fields[c.nfields].key = key;
    c.fields[c.nfields].value = big;
    c.nfields++;
    CU_ASSERT_EQUAL(xm_cookie_encode(&t, &c, &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NULL(t);
    c.nfields--;
    xm_cookie_dispose(&c);
}

static void
test_cookie__too_many_fields_are_rejected(void)
{
    xenmig_error err;
    xm_cookie c;
    char key[8];
    char *t = NULL;
    jw w;
    int i;

    CU_ASSERT_EQUAL_FATAL(xm_cookie_init(&c, XM_COOKIE_BEGIN, &err), 0);
    for (i = 0; i < XM_COOKIE_MAX_FIELDS; i++) {
        CU_ASSERT_EQUAL(xm_snprintf(key, sizeof(key), "f%d", i), 0);
        CU_ASSERT_EQUAL(xm_cookie_set_ll(&c, key, i, &err), 0);
    }
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "one_more", "x", &err),
                    XENMIG_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "one_more"));
    CU_ASSERT_EQUAL(c.nfields, XM_COOKIE_MAX_FIELDS);
    /* Replacing still works when full. */
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "f0", "zero", &err), 0);
    CU_ASSERT_EQUAL(xm_cookie_encode(&t, &c, &err), 0);
    xm_free(t);
    xm_cookie_dispose(&c);

    /* A well-formed cookie with 33 fields is over the limit. */
    jw_usual(&w, "begin", T0);
    for (i = 0; i <= XM_COOKIE_MAX_FIELDS; i++) {
        CU_ASSERT_EQUAL(xm_snprintf(key, sizeof(key), "f%d", i), 0);
        jw_field(&w, key, "v", 1);
    }
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie has more than 32 fields");
}

static void
test_cookie__over_long_value_and_key_are_rejected(void)
{
    char big[XM_COOKIE_MAX_VALUE + 2];
    xenmig_error err;
    xm_cookie c;
    jw w;

    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CU_ASSERT_EQUAL_FATAL(xm_cookie_init(&c, XM_COOKIE_BEGIN, &err), 0);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "v", big, &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'v'"));
    big[XM_COOKIE_MAX_VALUE] = '\0';
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "v", big, &err), 0);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "a23456789_123456789_123456789_12",
                                  "x", &err), 0);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "a23456789_123456789_123456789_123",
                                  "x", &err), XENMIG_ERANGE);
    CU_ASSERT_EQUAL(c.nfields, 2);
    xm_cookie_dispose(&c);

    /* From the wire: a 1025-byte value, a 33-byte key. */
    big[XM_COOKIE_MAX_VALUE] = 'q';
    jw_usual(&w, "begin", T0);
    jw_field(&w, "v", big, XM_COOKIE_MAX_VALUE + 1);
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "cookie value for 'v' is longer than 1024 bytes");
    jw_usual(&w, "begin", T0);
    jw_field(&w, "a23456789_123456789_123456789_123", "x", 1);
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "key"));
}

static void
test_cookie__bad_keys_and_values_are_rejected(void)
{
    static const char *bad[] = {
        "", "Host", "a-b", "a b", "a.b", "\xc3\xbc", "k=v", "x\n"
    };
    static const char *not_utf8[] = {
        "\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"
    };
    xenmig_error err;
    xm_cookie c;
    jw w;
    size_t i;

    CU_ASSERT_EQUAL_FATAL(xm_cookie_init(&c, XM_COOKIE_BEGIN, &err), 0);
    for (i = 0; i < XM_ARRAY_SIZE(bad); i++) {
        xenmig_error_clear(&err);
        CU_ASSERT_EQUAL(xm_cookie_set(&c, bad[i], "v", &err),
                        XENMIG_EINVAL);
        CU_ASSERT_EQUAL(err.code, XENMIG_EINVAL);
    }
    for (i = 0; i < XM_ARRAY_SIZE(not_utf8); i++) {
        CU_ASSERT_EQUAL(xm_cookie_set(&c, "v", not_utf8[i], &err),
                        XENMIG_EINVAL);
        CU_ASSERT_STRING_EQUAL(err.msg, "cookie value for 'v' is not UTF-8");
    }
    CU_ASSERT_EQUAL(xm_cookie_set(&c, NULL, "v", &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "k", NULL, &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "ok_key_09", "v", &err), 0);
    CU_ASSERT_EQUAL(c.nfields, 1);
    xm_cookie_dispose(&c);

    /* From the wire, behind a good checksum: upper case, empty key,
     * a value that is not UTF-8, a NUL */
    jw_usual(&w, "begin", T0);
    jw_field(&w, "Host", "x", 1);
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "[a-z0-9_]"));
    jw_usual(&w, "begin", T0);
    jw_field(&w, "", "x", 1);
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_EPARSE);
    jw_usual(&w, "begin", T0);
    jw_field(&w, "k", "a\xff", 2);
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie value for 'k' is not UTF-8");
    jw_usual(&w, "begin", T0);
    jw_field(&w, "k", "a\0b", 3);
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie value for 'k' holds a NUL byte");
}

/* @text with the first @from replaced by @to (same checksum). */
static const char *
replaced(char *out, size_t size, const char *text, const char *from,
         const char *to)
{
    const char *p = strstr(text, from);

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_FATAL(strlen(text) - strlen(from) + strlen(to) < size);
    snprintf(out, size, "%.*s%s%s", (int)(p - text), text, to,
             p + strlen(from));
    return out;
}

static void
test_cookie__malformed_contents_behind_a_good_checksum(void)
{
    char text[16384], buf[16384];
    xenmig_error err;
    jw w;

    jw_usual(&w, "resume", T0);
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie names an unknown step 'resume'");
    jw_begin(&w, "begin", "00112233445566778899AABBCCDDEEFF", T0,
             T0 + XM_COOKIE_MAX_AGE_S);
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "cookie's migration id is not 32 hex digits");
    jw_begin(&w, "begin", "0011", T0, T0 + XM_COOKIE_MAX_AGE_S);
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_EPARSE);
    /* a cookie that lives longer than the rule */
    jw_begin(&w, "begin", ID_HEX, T0, T0 + 10 * XM_COOKIE_MAX_AGE_S);
    CU_ASSERT_EQUAL(decode_fails(jw_end(&w), 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie's expiry is not 3600 s after "
                           "its creation");

    jw_usual(&w, "begin", T0);
    jw_field(&w, "k", "v", 1);
    snprintf(text, sizeof(text), "%s", jw_end(&w));
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), 0);
    /* members the writer never writes, or of another type */
    CU_ASSERT_EQUAL(decode_fails(replaced(buf, sizeof(buf), text,
        "\"fields\"", "\"extra\":1,\"fields\""), 0, T0, &err),
        XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie has an unknown member 'extra'");
    CU_ASSERT_EQUAL(decode_fails(replaced(buf, sizeof(buf), text,
        "\"k\":\"v\"", "\"k\":7"), 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie field 'k' is not a string");
    CU_ASSERT_EQUAL(decode_fails(replaced(buf, sizeof(buf), text,
        "\"k\":\"v\"", "\"k\":{\"a\":\"b\"}"), 0, T0, &err),
        XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie nests deeper than its fields "
                           "object");
    CU_ASSERT_EQUAL(decode_fails(replaced(buf, sizeof(buf), text,
        "\"created\":", "\"created\":-"), 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_EQUAL(decode_fails(replaced(buf, sizeof(buf), text,
        "\"version\":2", "\"version\":\"2\""), 0, T0, &err),
        XENMIG_EPARSE);
    CU_ASSERT_EQUAL(decode_fails(replaced(buf, sizeof(buf), text,
        "\"checksum\"", "\"chksum\""), 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_EQUAL(decode_fails(replaced(buf, sizeof(buf), text,
        "\"step\":\"begin\",", ""), 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie lacks its step");
    /* the same content spelt otherwise is the same cookie */
    CU_ASSERT_EQUAL(decode_fails(replaced(buf, sizeof(buf), text,
        "\"k\":\"v\"", " \"\\u006b\" : \"v\" "), 0, T0, &err), 0);
}

static void
test_cookie__tampering_is_reported_as_checksum_mismatch(void)
{
    char text[16384], buf[16384];
    xenmig_error err;
    jw w;

    jw_usual(&w, "prepare", T0);
    jw_field(&w, "port", "8002", 4);
    snprintf(text, sizeof(text), "%s", jw_end(&w));
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), 0);
    /* Port 8002 -> 8003 under the old checksum. */
    CU_ASSERT_EQUAL(decode_fails(replaced(buf, sizeof(buf), text, "8002",
                                          "8003"), 0, T0, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie checksum does not match "
                           "(edited or corrupted)");
    /* A later creation time (to outlive the age limit), too. */
    CU_ASSERT_EQUAL(decode_fails(replaced(buf, sizeof(buf), text,
        "\"created\":1700000000,\"expires\":1700003600",
        "\"created\":1700009000,\"expires\":1700012600"), 0, T0 + 9000,
        &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "checksum"));
}

/* Deterministic xorshift so the loop is the same on every run. */
static uint32_t
next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void
test_cookie__random_values_with_good_checksums_never_crash(void)
{
    char val[64];
    char *again = NULL;
    xenmig_error err;
    xm_cookie c;
    uint32_t seed = 0x2545f491u;
    const char *text;
    jw w;
    size_t len, i;
    int iter, accepted = 0, rejected = 0;

    for (iter = 0; iter < 20000; iter++) {
        len = next_rand(&seed) % sizeof(val);
        for (i = 0; i < len; i++) {
            /* mostly ASCII, some high bytes, a few NULs */
            uint32_t r = next_rand(&seed);

            val[i] = (char)(r % 8 == 0 ? (r >> 8) | 0x80 :
                            r % 97 == 0 ? 0 : 0x20 + (r >> 8) % 95);
        }
        jw_usual(&w, "perform", T0);
        jw_field(&w, "host", "xen-b", 5);
        jw_field(&w, "v", val, len);
        text = jw_end(&w);
        if (xm_cookie_decode(&c, text, 0, T0, &err) != 0) {
            rejected++;
            CU_ASSERT_EQUAL(c.nfields, 0);
            CU_ASSERT_EQUAL(err.code, XENMIG_EPARSE);
            continue;
        }
        /* Accepted: the value is whole and encodes back to a cookie
         * that decodes to the same. */
        accepted++;
        CU_ASSERT_EQUAL(strlen(xm_cookie_get(&c, "v")), len);
        CU_ASSERT_EQUAL(memcmp(xm_cookie_get(&c, "v"), val, len), 0);
        CU_ASSERT_EQUAL(xm_cookie_encode(&again, &c, &err), 0);
        xm_free(again);
        again = NULL;
        xm_cookie_dispose(&c);
    }
    CU_ASSERT(accepted > 0);
    CU_ASSERT(rejected > 0);
}

static void
test_cookie__init_next_keeps_the_id(void)
{
    xenmig_error err;
    xm_cookie a, b, c, other;

    CU_ASSERT_EQUAL_FATAL(xm_cookie_init(&a, XM_COOKIE_BEGIN, &err), 0);
    CU_ASSERT_EQUAL(a.step, XM_COOKIE_BEGIN);
    CU_ASSERT(a.created > T0);
    CU_ASSERT_EQUAL(xm_cookie_set(&a, "k", "v", &err), 0);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_init_next(&b, &a, XM_COOKIE_PREPARE,
                                              &err), 0);
    CU_ASSERT_EQUAL(b.step, XM_COOKIE_PREPARE);
    CU_ASSERT_EQUAL(b.nfields, 0);
    CU_ASSERT(b.created >= a.created);
    CU_ASSERT_EQUAL(memcmp(a.id, b.id, sizeof(a.id)), 0);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_init_next(&c, &b, XM_COOKIE_FINISH,
                                              &err), 0);
    CU_ASSERT_TRUE(xm_cookie_same_migration(&a, &c));
    /* Going backwards or sideways is refused. */
    CU_ASSERT_EQUAL(xm_cookie_init_next(&other, &c, XM_COOKIE_PERFORM,
                                        &err), XENMIG_ESTATE);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "a 'perform' cookie cannot follow one from "
                           "'finish'");
    CU_ASSERT_EQUAL(xm_cookie_init_next(&other, &c, XM_COOKIE_FINISH,
                                        &err), XENMIG_ESTATE);
    CU_ASSERT_EQUAL(xm_cookie_init_next(&other, &c, (xm_cookie_step)9,
                                        &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_cookie_init(&other, (xm_cookie_step)0, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_cookie_init_next(&b, &b, XM_COOKIE_PERFORM, &err),
                    XENMIG_EINVAL);
    xm_cookie_dispose(&a);
    xm_cookie_dispose(&b);
    xm_cookie_dispose(&c);
}

static void
test_cookie__same_migration_compares_ids(void)
{
    xenmig_error err;
    xm_cookie a, b, c;
    char ha[33], hb[33];
    char want[128];

    CU_ASSERT_EQUAL_FATAL(xm_cookie_init(&a, XM_COOKIE_PREPARE, &err), 0);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_init(&b, XM_COOKIE_PREPARE, &err), 0);
    /* Two fresh ids differ (random, 128 bits). */
    CU_ASSERT_FALSE(xm_cookie_same_migration(&a, &b));
    CU_ASSERT_TRUE(xm_cookie_same_migration(&a, &a));
    CU_ASSERT_FALSE(xm_cookie_same_migration(&a, NULL));
    CU_ASSERT_EQUAL(xm_cookie_check_same(&a, &b, &err), XENMIG_EPARSE);
    xm_cookie_id_hex(ha, &a);
    xm_cookie_id_hex(hb, &b);
    CU_ASSERT_EQUAL(strlen(ha), 32);
    CU_ASSERT_EQUAL(strspn(ha, "0123456789abcdef"), 32);
    CU_ASSERT_EQUAL(xm_snprintf(want, sizeof(want),
                                "cookie belongs to migration '%s', not "
                                "'%s'", ha, hb), 0);
    CU_ASSERT_STRING_EQUAL(err.msg, want);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_init_next(&c, &a, XM_COOKIE_PERFORM,
                                              &err), 0);
    CU_ASSERT_EQUAL(xm_cookie_check_same(&c, &a, &err), 0);
    /* One flipped bit is another migration. */
    c.id[15] ^= 1;
    CU_ASSERT_FALSE(xm_cookie_same_migration(&a, &c));
}

static void
test_cookie__numbers_and_names(void)
{
    xenmig_error err;
    xm_cookie c;
    long long v = 5;

    CU_ASSERT_EQUAL_FATAL(xm_cookie_init(&c, XM_COOKIE_BEGIN, &err), 0);
    CU_ASSERT_EQUAL(xm_cookie_set_ll(&c, "port", 8002, &err), 0);
    CU_ASSERT_EQUAL(xm_cookie_set_ll(&c, "neg", -9223372036854775807LL - 1,
                                     &err), 0);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "word", "12a", &err), 0);
    CU_ASSERT_STRING_EQUAL(xm_cookie_get(&c, "port"), "8002");
    CU_ASSERT_EQUAL(xm_cookie_get_ll(&v, &c, "port", 1, 65535, &err), 0);
    CU_ASSERT_EQUAL(v, 8002);
    CU_ASSERT_EQUAL(xm_cookie_get_ll(&v, &c, "neg", -9223372036854775807LL
                                     - 1, 0, &err), 0);
    CU_ASSERT_EQUAL(v, -9223372036854775807LL - 1);
    v = 5;
    CU_ASSERT_EQUAL(xm_cookie_get_ll(&v, &c, "gone", 0, 1, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie lacks 'gone'");
    CU_ASSERT_EQUAL(xm_cookie_get_ll(&v, &c, "port", 1, 1024, &err),
                    XENMIG_ERANGE);
    CU_ASSERT_EQUAL(xm_cookie_get_ll(&v, &c, "word", 0, 100, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_EQUAL(v, 5);
    CU_ASSERT_STRING_EQUAL(xm_cookie_step_name(XM_COOKIE_BEGIN), "begin");
    CU_ASSERT_STRING_EQUAL(xm_cookie_step_name(XM_COOKIE_PREPARE),
                           "prepare");
    CU_ASSERT_STRING_EQUAL(xm_cookie_step_name(XM_COOKIE_PERFORM),
                           "perform");
    CU_ASSERT_STRING_EQUAL(xm_cookie_step_name(XM_COOKIE_FINISH), "finish");
    CU_ASSERT_STRING_EQUAL(xm_cookie_step_name((xm_cookie_step)0),
                           "unknown");
    /* Dispose is idempotent and NULL-safe. */
    xm_cookie_dispose(&c);
    CU_ASSERT_EQUAL(c.nfields, 0);
    CU_ASSERT_PTR_NULL(xm_cookie_get(&c, "port"));
    xm_cookie_dispose(&c);
    xm_cookie_dispose(NULL);
}

static int
build_and_round_trip(xm_cookie *a, xm_cookie *b, char **text,
                     xenmig_error *err)
{
    int rc;

    rc = xm_cookie_init(a, XM_COOKIE_PERFORM, err);
    if (rc) return rc;
    a->created = T0;
    rc = xm_cookie_set(a, "host", "xen-b", err);
    if (rc) return rc;
    rc = xm_cookie_set(a, "note", "a & b", err);
    if (rc) return rc;
    rc = xm_cookie_set(a, "host", "xen-c", err);
    if (rc) return rc;
    rc = xm_cookie_set_ll(a, "port", 8002, err);
    if (rc) return rc;
    rc = xm_cookie_encode(text, a, err);
    if (rc) return rc;
    return xm_cookie_decode(b, *text, XM_COOKIE_PERFORM, T0, err);
}

static void
test_cookie__allocation_failures_are_reported_and_clean(void)
{
    xenmig_error err;
    xm_cookie a, b;
    char *text;
    unsigned long n;
    int rc = -1, failures = 0;

    for (n = 1; n < 200; n++) {
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        text = NULL;
        xenmig_error_clear(&err);
        xm_alloc_fail_at(n);
        rc = build_and_round_trip(&a, &b, &text, &err);
        xm_alloc_fail_at(0);
        if (rc) {
            failures++;
            CU_ASSERT_EQUAL(rc, XENMIG_ENOMEM);
            CU_ASSERT_EQUAL(err.code, XENMIG_ENOMEM);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "out of memory"));
            CU_ASSERT_EQUAL(b.nfields, 0);
        }
        xm_free(text);
        xm_cookie_dispose(&a);
        xm_cookie_dispose(&b);
        if (rc == 0)
            break;
    }
    CU_ASSERT_EQUAL(rc, 0);
    /* Building: key and value of a new field, the value of a
     * replaced one, and the length check's text each time (3 + 3 + 2
     * + 3); encoding 1; decoding 2 per field (6). json-c's own
     * allocations are not counted: it allocates with malloc. */
    CU_ASSERT_EQUAL(failures, 18);
}

static CU_TestInfo test_cookie_tests[] = {
    { "checksum_is_fnv1a_64", test_cookie__checksum_is_fnv1a_64 },
    { "round_trip_keeps_every_field",
      test_cookie__round_trip_keeps_every_field },
    { "golden_v2_prepare_decodes", test_cookie__golden_v2_prepare_decodes },
    { "independent_writer_matches_golden",
      test_cookie__independent_writer_matches_golden },
    { "every_single_character_edit_is_rejected",
      test_cookie__every_single_character_edit_is_rejected },
    { "every_truncation_is_rejected",
      test_cookie__every_truncation_is_rejected },
    { "foreign_format_and_version_are_rejected",
      test_cookie__foreign_format_and_version_are_rejected },
    { "wrong_step_is_a_state_error_naming_both",
      test_cookie__wrong_step_is_a_state_error_naming_both },
    { "stale_and_future_cookies_are_rejected",
      test_cookie__stale_and_future_cookies_are_rejected },
    { "over_long_text_is_rejected", test_cookie__over_long_text_is_rejected },
    { "too_many_fields_are_rejected",
      test_cookie__too_many_fields_are_rejected },
    { "over_long_value_and_key_are_rejected",
      test_cookie__over_long_value_and_key_are_rejected },
    { "bad_keys_and_values_are_rejected",
      test_cookie__bad_keys_and_values_are_rejected },
    { "malformed_contents_behind_a_good_checksum",
      test_cookie__malformed_contents_behind_a_good_checksum },
    { "tampering_is_reported_as_checksum_mismatch",
      test_cookie__tampering_is_reported_as_checksum_mismatch },
    { "random_values_with_good_checksums_never_crash",
      test_cookie__random_values_with_good_checksums_never_crash },
    { "init_next_keeps_the_id", test_cookie__init_next_keeps_the_id },
    { "same_migration_compares_ids",
      test_cookie__same_migration_compares_ids },
    { "numbers_and_names", test_cookie__numbers_and_names },
    { "allocation_failures_are_reported_and_clean",
      test_cookie__allocation_failures_are_reported_and_clean },
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_cookie_suite = {
    "cookie", NULL, NULL, NULL, NULL, test_cookie_tests
};
