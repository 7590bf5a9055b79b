/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_cookie.c: the cookie passed between migration steps
 *
 * Besides the library's own encoder, these tests build binary cookies
 * with an independent writer (bin_*, text_of) so the format is checked
 * against a second implementation, and so cookies with a valid checksum
 * but bad contents can reach the checks behind the checksum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "lib/internal.h"
#include "migration/cookie.h"

#define GOLDEN "tests/data/cookie/v1-prepare.txt"
#define GOLDEN_CREATED 1400000000u
#define T0 UINT64_C(1700000000)

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* ---- an independent writer of binary cookies ------------------------ */

typedef struct bin {
    uint8_t b[8192];
    size_t n;
} bin;

static uint64_t
test_fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static void
bin_put(bin *b, uint64_t v, size_t bytes)
{
    while (bytes--)
        b->b[b->n++] = (uint8_t)(v >> (8 * bytes));
}

static void
bin_mem(bin *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

/* Header with id 00 11 22 .. ff. */
static void
bin_header(bin *b, unsigned step, uint64_t created, unsigned nfields)
{
    size_t i;

    b->n = 0;
    bin_mem(b, "XMCK", 4);
    bin_put(b, 1, 1);
    bin_put(b, step, 1);
    bin_put(b, created, 8);
    for (i = 0; i < 16; i++)
        bin_put(b, i * 0x11, 1);
    bin_put(b, nfields, 2);
}

static void
bin_field(bin *b, const char *key, const void *val, size_t vlen)
{
    bin_put(b, strlen(key), 1);
    bin_mem(b, key, strlen(key));
    bin_put(b, vlen, 2);
    bin_mem(b, val, vlen);
}

/* "xm1." + base64url of @b's bytes as they are, into @out. */
static void
text_raw(char *out, size_t size, const bin *b)
{
    size_t i, o = 4;
    uint32_t v;

    CU_ASSERT_FATAL(4 + (b->n + 2) / 3 * 4 + 1 <= size);
    memcpy(out, "xm1.", 4);
    for (i = 0; i + 3 <= b->n; i += 3) {
        v = (uint32_t)b->b[i] << 16 | (uint32_t)b->b[i + 1] << 8 |
            b->b[i + 2];
        out[o++] = b64url[v >> 18];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
        out[o++] = b64url[v & 63];
    }
    if (b->n - i >= 1) {
        v = (uint32_t)b->b[i] << 16;
        if (b->n - i == 2)
            v |= (uint32_t)b->b[i + 1] << 8;
        out[o++] = b64url[v >> 18];
        out[o++] = b64url[v >> 12 & 63];
        if (b->n - i == 2)
            out[o++] = b64url[v >> 6 & 63];
    }
    out[o] = '\0';
}

/* The same with the checksum of @b's bytes appended: a good cookie. */
static void
text_of(char *out, size_t size, const bin *b0)
{
    bin b = *b0;

    bin_put(&b, test_fnv1a64(b.b, b.n), 8);
    text_raw(out, size, &b);
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

static bool
shell_safe(const char *s)
{
    for (; *s; s++) {
        if (!strchr(b64url, *s) && *s != '.')
            return false;
    }
    return true;
}

/* ---- tests ---------------------------------------------------------- */

static void
test_cookie__checksum_is_fnv1a_64(void)
{
    /* Published FNV-1a 64 vectors keep the independent writer honest. */
    CU_ASSERT_EQUAL(test_fnv1a64((const uint8_t *)"", 0),
                    UINT64_C(0xcbf29ce484222325));
    CU_ASSERT_EQUAL(test_fnv1a64((const uint8_t *)"a", 1),
                    UINT64_C(0xaf63dc4c8601ec8c));
    CU_ASSERT_EQUAL(test_fnv1a64((const uint8_t *)"foobar", 6),
                    UINT64_C(0x85944171f73967e8));
}

static void
test_cookie__round_trip_keeps_every_field(void)
{
    static const struct { const char *k, *v; } f[] = {
        { "host", "xen-b.example.org" },
        { "spaces", "  two  spaces  and a tab\there " },
        { "quotes", "it's \"quoted\" `back` $(not run)" },
        { "query", "a=1&b=%20&c=%%" },
        { "utf8", "\xc3\xbc\xe2\x82\xac \xf0\x9f\x90\xa7 gr\xc3\xbc\xc3\x9f" },
        { "empty", "" },
        { "nl", "line one\nline two" },
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
test_cookie__text_is_shell_safe(void)
{
    xm_cookie c;
    xenmig_error err;
    char *t = NULL;
    char v[256];
    int i;

    make_fixed(&c, XM_COOKIE_BEGIN, T0);
    for (i = 1; i < 256; i++)
        v[i - 1] = (char)i;            /* every byte but NUL */
    v[255] = '\0';
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "all_bytes", v, &err), 0);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "shell", "'; rm -rf / #\"$`\\", &err),
                    0);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_encode(&t, &c, &err), 0);
    CU_ASSERT_EQUAL(strncmp(t, "xm1.", 4), 0);
    CU_ASSERT_TRUE(shell_safe(t));
    CU_ASSERT_PTR_NULL(strchr(t + 4, '.'));
    CU_ASSERT_PTR_NULL(strchr(t, '='));
    CU_ASSERT_TRUE(strlen(t) <= XM_COOKIE_MAX_TEXT);
    xm_free(t);
    xm_cookie_dispose(&c);
}

static void
test_cookie__golden_v1_prepare_still_decodes(void)
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
    CU_ASSERT_STRING_EQUAL(hex, "00112233445566778899aabbccddeeff");
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
    /* The encoder still writes exactly these bytes. */
    CU_ASSERT_EQUAL(xm_cookie_encode(&again, &c, &err), 0);
    CU_ASSERT_STRING_EQUAL(again, text);
    xm_free(again);
    xm_cookie_dispose(&c);
}

static void
test_cookie__independent_writer_matches_golden(void)
{
    static const char note[] = "it's a \"test\" & 100% = ok \xc3\xbc";
    char golden[8192], mine[8192];
    bin b;

    read_golden(golden, sizeof(golden));
    bin_header(&b, XM_COOKIE_PREPARE, GOLDEN_CREATED, 4);
    bin_field(&b, "host", "xen-b.example.org", 17);
    bin_field(&b, "port", "8002", 4);
    bin_field(&b, "note", note, strlen(note));
    bin_field(&b, "empty", "", 0);
    text_of(mine, sizeof(mine), &b);
    CU_ASSERT_STRING_EQUAL(mine, golden);
}

/* Every edit of one character of @text must be refused. */
static void
check_every_edit_fails(const char *text, uint64_t now)
{
    static const char other[] = " .=+/\n\t";
    char buf[8192];
    const char *alt;
    xenmig_error err;
    size_t i, len = strlen(text), tried = 0, accepted = 0;
    int k;

    CU_ASSERT_FATAL(len < sizeof(buf));
    for (i = 0; i < len; i++) {
        for (k = 0; k < 64 + (int)sizeof(other) - 1; k++) {
            alt = k < 64 ? &b64url[k] : &other[k - 64];
            if (*alt == text[i])
                continue;
            memcpy(buf, text, len + 1);
            buf[i] = *alt;
            tried++;
            if (decode_fails(buf, 0, now, &err) == 0) {
                accepted++;
                fprintf(stderr, "\naccepted edit at %zu: %s\n", i, buf);
            }
        }
    }
    CU_ASSERT(tried > len * 60);
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
    /* And one of each length modulo 3 of the binary form. */
    make_fixed(&c, XM_COOKIE_FINISH, T0);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_encode(&t, &c, &err), 0);
    check_every_edit_fails(t, T0);
    xm_free(t);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "pad", "1", &err), 0);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_encode(&t, &c, &err), 0);
    check_every_edit_fails(t, T0);
    xm_free(t);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "pad", "12", &err), 0);
    CU_ASSERT_EQUAL_FATAL(xm_cookie_encode(&t, &c, &err), 0);
    check_every_edit_fails(t, T0);
    xm_free(t);
    xm_cookie_dispose(&c);
}

static void
test_cookie__non_canonical_ending_is_rejected(void)
{
    char text[8192];
    xenmig_error err;
    bin b;
    size_t len;

    /* 44 bytes: the last character carries 2 unused bits. */
    bin_header(&b, XM_COOKIE_BEGIN, T0, 1);
    bin_field(&b, "k", "", 0);
    CU_ASSERT_EQUAL_FATAL((b.n + 8) % 3, 2);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), 0);
    /* Same bytes, an unused bit set. */
    len = strlen(text);
    text[len - 1] = b64url[(strchr(b64url, text[len - 1]) - b64url) | 1];
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "cookie has a stray or corrupted last character");

    /* 45 bytes fill whole groups; one more character is a lone 6 bits. */
    bin_header(&b, XM_COOKIE_BEGIN, T0, 1);
    bin_field(&b, "k", "a", 1);
    CU_ASSERT_EQUAL_FATAL((b.n + 8) % 3, 0);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), 0);
    len = strlen(text);
    text[len] = 'A';
    text[len + 1] = '\0';
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "cookie has a stray or corrupted last character");
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
    for (n = 0; n < len; n++) {
        memcpy(cut, text, n);
        cut[n] = '\0';
        CU_ASSERT_EQUAL(decode_fails(cut, 0, GOLDEN_CREATED, &err),
                        XENMIG_EPARSE);
        if (n >= 4)
            CU_ASSERT_STRING_EQUAL(err.msg, "cookie is truncated");
    }
    CU_ASSERT_EQUAL(decode_fails("", 0, GOLDEN_CREATED, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie is empty");
    CU_ASSERT_EQUAL(decode_fails(NULL, 0, GOLDEN_CREATED, &err),
                    XENMIG_EPARSE);
}

static void
test_cookie__foreign_prefix_magic_and_version_are_rejected(void)
{
    char text[8192];
    xenmig_error err;
    bin b;

    read_golden(text, sizeof(text));
    text[2] = '2';
    CU_ASSERT_EQUAL(decode_fails(text, 0, GOLDEN_CREATED, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie is from xenmig cookie format 2;"
                           " this is format 1");
    CU_ASSERT_EQUAL(decode_fails("xm12.AAAA", 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "format 12;"));
    CU_ASSERT_EQUAL(decode_fails("xm01.AAAA", 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a xenmig cookie"));
    CU_ASSERT_EQUAL(decode_fails("XM1.AAAA", 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a xenmig cookie"));
    CU_ASSERT_EQUAL(decode_fails("hello world", 0, T0, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a xenmig cookie"));

    /* Right prefix, valid checksum, wrong magic. */
    bin_header(&b, XM_COOKIE_PREPARE, T0, 0);
    b.b[3] = 'L';
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "cookie has bad magic (not a xenmig cookie)");
    /* Right prefix, valid checksum, another version byte. */
    bin_header(&b, XM_COOKIE_PREPARE, T0, 0);
    b.b[4] = 2;
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "format 2"));
    /* The writer's plain version decodes, so the edits above matter. */
    bin_header(&b, XM_COOKIE_PREPARE, T0, 0);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), 0);
    /* Characters outside base64url. */
    CU_ASSERT_EQUAL(decode_fails("xm1.AAAA AAAA", 0, T0, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offset 8 (byte 0x20)"));
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

    memset(text, 'A', sizeof(text) - 1);
    memcpy(text, "xm1.", 4);
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
    char text[8192];
    xenmig_error err;
    xm_cookie c;
    char key[8];
    char *t = NULL;
    bin b;
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
    bin_header(&b, XM_COOKIE_BEGIN, T0, XM_COOKIE_MAX_FIELDS + 1);
    for (i = 0; i <= XM_COOKIE_MAX_FIELDS; i++) {
        CU_ASSERT_EQUAL(xm_snprintf(key, sizeof(key), "f%d", i), 0);
        bin_field(&b, key, "v", 1);
    }
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie has 33 fields (limit 32)");
}

static void
test_cookie__over_long_value_and_key_are_rejected(void)
{
    char big[XM_COOKIE_MAX_VALUE + 2];
    char text[8192];
    xenmig_error err;
    xm_cookie c;
    bin b;

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
    bin_header(&b, XM_COOKIE_BEGIN, T0, 1);
    bin_field(&b, "v", big, XM_COOKIE_MAX_VALUE + 1);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_ERANGE);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "cookie value for 'v' is 1025 bytes "
                           "(limit 1024)");
    bin_header(&b, XM_COOKIE_BEGIN, T0, 1);
    bin_field(&b, "a23456789_123456789_123456789_123", "x", 1);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "key"));
}

static void
test_cookie__bad_keys_are_rejected(void)
{
    static const char *bad[] = {
        "", "Host", "a-b", "a b", "a.b", "\xc3\xbc", "k=v", "x\n"
    };
    char text[8192];
    xenmig_error err;
    xm_cookie c;
    bin b;
    size_t i;

    CU_ASSERT_EQUAL_FATAL(xm_cookie_init(&c, XM_COOKIE_BEGIN, &err), 0);
    for (i = 0; i < XM_ARRAY_SIZE(bad); i++) {
        xenmig_error_clear(&err);
        CU_ASSERT_EQUAL(xm_cookie_set(&c, bad[i], "v", &err),
                        XENMIG_EINVAL);
        CU_ASSERT_EQUAL(err.code, XENMIG_EINVAL);
    }
    CU_ASSERT_EQUAL(xm_cookie_set(&c, NULL, "v", &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "k", NULL, &err), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_cookie_set(&c, "ok_key_09", "v", &err), 0);
    CU_ASSERT_EQUAL(c.nfields, 1);
    xm_cookie_dispose(&c);

    /* From the wire: upper case, empty key. */
    bin_header(&b, XM_COOKIE_BEGIN, T0, 1);
    bin_field(&b, "Host", "x", 1);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "[a-z0-9_]"));
    bin_header(&b, XM_COOKIE_BEGIN, T0, 1);
    bin_field(&b, "", "x", 1);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
}

static void
test_cookie__malformed_contents_behind_a_good_checksum(void)
{
    char text[8192];
    xenmig_error err;
    bin b;

    bin_header(&b, 0, T0, 0);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie names an unknown step 0");
    bin_header(&b, 5, T0, 0);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);

    bin_header(&b, XM_COOKIE_BEGIN, T0, 2);
    bin_field(&b, "k", "a", 1);
    bin_field(&b, "k", "b", 1);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie has key 'k' twice");

    bin_header(&b, XM_COOKIE_BEGIN, T0, 1);
    bin_field(&b, "k", "a\0b", 3);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie value for 'k' has a NUL byte");

    bin_header(&b, XM_COOKIE_BEGIN, T0, 1);
    bin_field(&b, "k", "a", 1);
    bin_put(&b, 0, 3);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "cookie has 3 stray bytes after its fields");

    /* A value length past the end is truncation, checked before reads. */
    bin_header(&b, XM_COOKIE_BEGIN, T0, 1);
    bin_put(&b, 1, 1);
    bin_mem(&b, "k", 1);
    bin_put(&b, 60000, 2);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie is truncated");
    /* A huge field count with no fields. */
    bin_header(&b, XM_COOKIE_BEGIN, T0, 65535);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
}

static void
test_cookie__tampering_is_reported_as_checksum_mismatch(void)
{
    char text[8192];
    xenmig_error err;
    uint64_t sum;
    bin b;

    bin_header(&b, XM_COOKIE_PREPARE, T0, 1);
    bin_field(&b, "port", "8002", 4);
    text_of(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), 0);
    /* Port 8002 -> 8003 under the old checksum. */
    sum = test_fnv1a64(b.b, b.n);
    b.b[b.n - 1] = '3';
    bin_put(&b, sum, 8);
    text_raw(text, sizeof(text), &b);
    CU_ASSERT_EQUAL(decode_fails(text, 0, T0, &err), XENMIG_EPARSE);
    CU_ASSERT_STRING_EQUAL(err.msg, "cookie checksum does not match "
                           "(tampered or corrupted)");
}

/* Deterministic xorshift so the fuzz loop is the same on every run. */
static uint32_t
next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void
test_cookie__random_bytes_with_good_checksums_never_crash(void)
{
    static const char note[] = "it's a \"test\" & 100% = ok \xc3\xbc";
    char text[8192];
    char *again = NULL;
    xenmig_error err;
    xm_cookie c;
    uint32_t seed = 0x2545f491u;
    bin base, b;
    size_t pos;
    int iter, k, accepted = 0, rejected = 0;

    bin_header(&base, XM_COOKIE_PREPARE, T0, 3);
    bin_field(&base, "host", "xen-b", 5);
    bin_field(&base, "note", note, strlen(note));
    bin_field(&base, "e", "", 0);
    for (iter = 0; iter < 20000; iter++) {
        b = base;
        for (k = (int)(next_rand(&seed) % 4) + 1; k > 0; k--) {
            pos = next_rand(&seed) % b.n;
            b.b[pos] = (uint8_t)next_rand(&seed);
        }
        if (next_rand(&seed) % 4 == 0)
            b.n = next_rand(&seed) % b.n;
        else if (next_rand(&seed) % 8 == 0)
            b.n += next_rand(&seed) % 16;
        text_of(text, sizeof(text), &b);
        if (xm_cookie_decode(&c, text, 0, T0, &err) != 0) {
            rejected++;
            CU_ASSERT_EQUAL(c.nfields, 0);
            continue;
        }
        /* Accepted: encoding gives back exactly the same text. */
        accepted++;
        CU_ASSERT_EQUAL(xm_cookie_encode(&again, &c, &err), 0);
        if (again)
            CU_ASSERT_STRING_EQUAL(again, text);
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
    /* 9 in building and encoding, 1 + 2 per field in decoding. */
    CU_ASSERT_EQUAL(failures, 16);
}

static CU_TestInfo test_cookie_tests[] = {
    { "checksum_is_fnv1a_64", test_cookie__checksum_is_fnv1a_64 },
    { "round_trip_keeps_every_field",
      test_cookie__round_trip_keeps_every_field },
    { "text_is_shell_safe", test_cookie__text_is_shell_safe },
    { "golden_v1_prepare_still_decodes",
      test_cookie__golden_v1_prepare_still_decodes },
    { "independent_writer_matches_golden",
      test_cookie__independent_writer_matches_golden },
    { "every_single_character_edit_is_rejected",
      test_cookie__every_single_character_edit_is_rejected },
    { "non_canonical_ending_is_rejected",
      test_cookie__non_canonical_ending_is_rejected },
    { "every_truncation_is_rejected",
      test_cookie__every_truncation_is_rejected },
    { "foreign_prefix_magic_and_version_are_rejected",
      test_cookie__foreign_prefix_magic_and_version_are_rejected },
    { "wrong_step_is_a_state_error_naming_both",
      test_cookie__wrong_step_is_a_state_error_naming_both },
    { "stale_and_future_cookies_are_rejected",
      test_cookie__stale_and_future_cookies_are_rejected },
    { "over_long_text_is_rejected",
      test_cookie__over_long_text_is_rejected },
    { "too_many_fields_are_rejected",
      test_cookie__too_many_fields_are_rejected },
    { "over_long_value_and_key_are_rejected",
      test_cookie__over_long_value_and_key_are_rejected },
    { "bad_keys_are_rejected", test_cookie__bad_keys_are_rejected },
    { "malformed_contents_behind_a_good_checksum",
      test_cookie__malformed_contents_behind_a_good_checksum },
    { "tampering_is_reported_as_checksum_mismatch",
      test_cookie__tampering_is_reported_as_checksum_mismatch },
    { "random_bytes_with_good_checksums_never_crash",
      test_cookie__random_bytes_with_good_checksums_never_crash },
    { "init_next_keeps_the_id", test_cookie__init_next_keeps_the_id },
    { "same_migration_compares_ids",
      test_cookie__same_migration_compares_ids },
    { "numbers_and_names", test_cookie__numbers_and_names },
    { "allocation_failures_are_reported_and_clean",
      test_cookie__allocation_failures_are_reported_and_clean },
    CU_TEST_INFO_NULL
};

CU_SuiteInfo test_cookie_suite = {
    "cookie", NULL, NULL, NULL, NULL, test_cookie_tests
};
