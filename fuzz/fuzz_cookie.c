/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_cookie.c: xm_cookie_decode at a fixed time; a cookie it accepts
 * must encode back to exactly the input text.
 *
 * First byte 0x00: the rest is the binary form without its checksum;
 * the target appends the FNV-1a 64 checksum and base64url-encodes it
 * (format in migration/cookie.c), so the fuzzer reaches the field checks
 * behind the checksum. Otherwise the input is the cookie text.
 */
#include "fuzz/fuzz.h"
#include "migration/cookie.h"

#define T "cookie"
/* tests/data/cookie/v1-prepare.txt was made at 1400000000 */
#define NOW 1400000060u
#define MAX_BIN 4096

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* "xm1." + base64url of @bin and its checksum, into @out. */
static char *
make_text(const uint8_t *bin, size_t n)
{
    uint8_t buf[MAX_BIN + 8];
    uint64_t h = 14695981039346656037ull;
    char *out, *o;
    size_t i;
    uint32_t acc = 0;
    int bits = 0;

    for (i = 0; i < n; i++) {
        buf[i] = bin[i];
        h = (h ^ bin[i]) * 1099511628211ull;
    }
    for (i = 0; i < 8; i++)
        buf[n + i] = (uint8_t)(h >> (56 - 8 * i));
    n += 8;
    out = malloc(4 + (n * 4 + 2) / 3 + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, "xm1.", 4);
    o = out + 4;
    for (i = 0; i < n; i++) {
        acc = (acc << 8) | buf[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            *o++ = b64[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        *o++ = b64[(acc << (6 - bits)) & 63];
    *o = '\0';
    return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xm_cookie c, d;
    xenmig_error err;
    char *text = NULL, *again = NULL;
    char hex[33];
    size_t i;
    int rc;

    if (size > 0 && data[0] == 0x00) {
        if (size - 1 > MAX_BIN)
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
        xm_cookie_id_hex(hex, &c);
        for (i = 0; i < c.nfields; i++)
            if (xm_cookie_get(&c, c.fields[i].key) != c.fields[i].value)
                xm_fuzz_fail(T, "field not found by its key");
        xenmig_error_clear(&err);
        rc = xm_cookie_encode(&again, &c, &err);
        if (rc != 0)
            xm_fuzz_fail(T, "accepted cookie does not encode");
        if (strcmp(again, text) != 0)
            xm_fuzz_fail(T, "re-encoded cookie differs from the input");
        /* the step check */
        xenmig_error_clear(&err);
        rc = xm_cookie_decode(&d, text, c.step, NOW, &err);
        if (rc != 0)
            xm_fuzz_fail(T, "decode with the cookie's own step failed");
        xm_cookie_dispose(&d);
        xenmig_error_clear(&err);
        rc = xm_cookie_decode(&d, text, c.step % 4 + 1, NOW, &err);
        xm_fuzz_check_err(T, rc, &err);
        if (rc != XENMIG_ESTATE)
            xm_fuzz_fail(T, "decode with another step did not fail");
        xm_cookie_dispose(&d);
    }
    xm_cookie_dispose(&c);
    xm_cookie_dispose(&c);
    xm_free(again);
    free(text);
    return 0;
}
