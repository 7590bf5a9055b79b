/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * text.c: what the tool prints of text that came from xend.
 *
 * Terminal (text output, messages): a control byte (C0, DEL, a C1 code
 * point), a backslash and every byte that is not part of valid UTF-8
 * are shown as "\xNN" ("\\" for a backslash), so that nothing xend
 * sends can move the cursor, retitle the window or forge a line.
 * Columns are padded by display width (wcwidth of each character).
 *
 * JSON (--json): strings are kept as they are, except that each byte
 * that is not part of valid UTF-8 becomes U+FFFD; json-c escapes the
 * control characters. The first such replacement is said once on
 * stderr.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "xenmig.h"
#include "text.h"

/*
 * Length of the valid UTF-8 sequence at @s (at most @len bytes), its
 * code point in *cp; 0 when the bytes there are not valid UTF-8
 * (overlong forms, surrogates and code points above U+10FFFF are not).
 */
size_t
cli_utf8_next(const unsigned char *s, size_t len, unsigned long *cp)
{
    unsigned long c, min;
    size_t n, i;

    if (len == 0)
        return 0;
    c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2; c &= 0x1f; min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3; c &= 0x0f; min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4; c &= 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

static bool
is_control(unsigned long cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Display width of code point @cp on a terminal (0, 1 or 2). */
static int
cp_width(unsigned long cp)
{
    static int utf8_locale = -1;
    int w;

    if (utf8_locale < 0) {
        /* the character table only: nothing else depends on it */
        utf8_locale = setlocale(LC_CTYPE, "C.UTF-8") != NULL ||
                      setlocale(LC_CTYPE, "en_US.UTF-8") != NULL;
    }
    if (cp < 0x80 || !utf8_locale)
        return 1;
    w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

static int
put_byte_escape(xm_cli_out *o, unsigned char b)
{
    static const char hex[] = "0123456789abcdef";
    char e[4];

    e[0] = '\\';
    e[1] = 'x';
    e[2] = hex[b >> 4];
    e[3] = hex[b & 15];
    return o->put(o, e, 4);
}

int
cli_term_write(xm_cli_out *o, const char *s, size_t *cols_out)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p), cols = 0, n, i;
    unsigned long cp = 0;
    int rc = 0;

    while (len > 0 && rc == 0) {
        n = cli_utf8_next(p, len, &cp);
        if (n == 1 && cp == '\\') {
            rc = o->put(o, "\\\\", 2);
            cols += 2;
        } else if (n == 0 || is_control(cp)) {
            n = n ? n : 1;
            for (i = 0; i < n && rc == 0; i++)
                rc = put_byte_escape(o, p[i]);
            cols += 4 * n;
        } else {
            rc = o->put(o, (const char *)p, n);
            cols += (size_t)cp_width(cp);
        }
        p += n;
        len -= n;
    }
    if (cols_out)
        *cols_out = cols;
    return rc ? -1 : 0;
}

/* ---- stdio and memory outputs ---------------------------------------- */

static int
put_file(xm_cli_out *o, const char *s, size_t n)
{
    return fwrite(s, 1, n, o->file) == n ? 0 : -1;
}

static int
put_mem(xm_cli_out *o, const char *s, size_t n)
{
    char *p;

    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->len + n + 1) * 2;

        p = realloc(o->mem, cap);
        if (!p)
            return -1;
        o->mem = p;
        o->cap = cap;
    }
    memcpy(o->mem + o->len, s, n);
    o->len += n;
    o->mem[o->len] = '\0';
    return 0;
}

xm_cli_out
cli_out_file(FILE *f)
{
    xm_cli_out o;

    memset(&o, 0, sizeof(o));
    o.put = put_file;
    o.file = f;
    return o;
}

xm_cli_out
cli_out_mem(void)
{
    xm_cli_out o;

    memset(&o, 0, sizeof(o));
    o.put = put_mem;
    return o;
}

void
cli_fputs_term(const char *s, FILE *f)
{
    xm_cli_out o = cli_out_file(f);

    (void)cli_term_write(&o, s, NULL);
}

void
cli_fput_col(const char *s, size_t width, FILE *f)
{
    xm_cli_out o = cli_out_file(f);
    size_t cols = 0;

    if (cli_term_write(&o, s, &cols))
        return;
    for (; cols < width; cols++)
        fputc(' ', f);
}

void
cli_fput_rcol(const char *s, size_t width, FILE *f)
{
    xm_cli_out o = cli_out_mem();
    size_t cols = 0;

    if (put_mem(&o, "", 0) || cli_term_write(&o, s, &cols)) {
        free(o.mem);
        return;
    }
    for (; cols < width; cols++)
        fputc(' ', f);
    fputs(o.mem, f);
    free(o.mem);
}

char *
cli_term_dup(const char *s)
{
    xm_cli_out o = cli_out_mem();

    if (put_mem(&o, "", 0) || cli_term_write(&o, s, NULL)) {
        free(o.mem);
        return NULL;
    }
    return o.mem;
}

/* ---- JSON ------------------------------------------------------------ */

static int json_replaced;

char *
cli_json_clean(const char *s, int *replaced)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p), n;
    xm_cli_out o = cli_out_mem();
    unsigned long cp;

    *replaced = 0;
    if (put_mem(&o, "", 0))
        return NULL;
    while (len > 0) {
        n = cli_utf8_next(p, len, &cp);
        if (n == 0) {
            *replaced = 1;
            if (put_mem(&o, "\xef\xbf\xbd", 3))
                goto fail;
            n = 1;
        } else if (put_mem(&o, (const char *)p, n)) {
            goto fail;
        }
        p += n;
        len -= n;
    }
    return o.mem;
 fail:
    free(o.mem);
    return NULL;
}

json_object *
cli_json_string(const char *s)
{
    json_object *j;
    char *clean;
    int replaced;

    clean = cli_json_clean(s, &replaced);
    if (!clean)
        return NULL;
    if (replaced && !json_replaced) {
        json_replaced = 1;
        fputs("xenmig: note: text from xend held bytes that are not "
              "UTF-8; each is shown as U+FFFD in the JSON output\n",
              stderr);
    }
    j = json_object_new_string(clean);
    free(clean);
    return j;
}

void
cli_json_add_error(json_object *o, int code, const char *msg)
{
    json_object *e = json_object_new_object();

    if (!e)
        return;
    json_object_object_add(e, "code", json_object_new_int(code));
    json_object_object_add(e, "name",
                           json_object_new_string(xenmig_strerror(code)));
    json_object_object_add(e, "message", cli_json_string(msg));
    json_object_object_add(o, "error", e);
}

void
cli_json_add_progress(json_object *o, const xenmig_progress *p)
{
    json_object_object_add(o, "bytes",
                           json_object_new_int64((int64_t)p->bytes));
    json_object_object_add(o, "memory_bytes",
                           json_object_new_int64((int64_t)p->memory_bytes));
    json_object_object_add(o, "pass", json_object_new_int((int)p->pass));
    json_object_object_add(o, "percent", json_object_new_int(p->percent));
    json_object_object_add(o, "rate_mbit",
                           json_object_new_double(p->rate_mbit));
    json_object_object_add(o, "elapsed_s",
                           json_object_new_double(p->elapsed_s));
    json_object_object_add(o, "sent", json_object_new_boolean(p->sent));
    json_object_object_add(o, "done", json_object_new_boolean(p->done));
}
