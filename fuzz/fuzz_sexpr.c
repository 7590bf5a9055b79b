/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_sexpr.c: xm_sexpr_parse, xm_sexpr_parse_all, and the round trip
 * parse -> print -> parse -> print (the two prints must be equal).
 */
#include "fuzz/fuzz.h"
#include "lib/sexpr.h"

#define T "sexpr"
#define MAX_PRINT (64u << 20)

/* Print every item of @all, one per line. */
static int
print_items(xm_buf *buf, const xm_sexpr *all)
{
    size_t i;
    int rc;

    for (i = 0; i < xm_sexpr_count(all); i++) {
        rc = xm_sexpr_print(buf, xm_sexpr_at(all, i));
        if (rc)
            return rc;
        rc = xm_buf_putc(buf, '\n');
        if (rc)
            return rc;
    }
    return 0;
}

/* Exercise the getters on every node. */
static void
walk(const xm_sexpr *sx, int depth)
{
    long long ll;
    uint64_t u;
    double d;
    size_t i;
    const char *head;
    xenmig_error err;
    int rc;

    if (xm_sexpr_kind_of(sx) == XM_SEXPR_VALUE) {
        if (xm_sexpr_value(sx)[xm_sexpr_value_len(sx)] != '\0')
            xm_fuzz_fail(T, "value not NUL-terminated");
        return;
    }
    if (depth > XM_SEXPR_MAX_DEPTH + 1)
        xm_fuzz_fail(T, "tree deeper than the limit");
    head = xm_sexpr_head(sx);
    if (xm_fuzz_path_ok(head)) {
        (void)xm_sexpr_lookup(sx, head);
        (void)xm_sexpr_lookup_list(sx, head);
        xenmig_error_clear(&err);
        rc = xm_sexpr_get_ll(&ll, sx, head, -1000, 1000, &err);
        xm_fuzz_check_err(T, rc, &err);
        xenmig_error_clear(&err);
        rc = xm_sexpr_get_u64(&u, sx, head, &err);
        xm_fuzz_check_err(T, rc, &err);
        xenmig_error_clear(&err);
        rc = xm_sexpr_get_double(&d, sx, head, &err);
        xm_fuzz_check_err(T, rc, &err);
    }
    for (i = 0; i < xm_sexpr_count(sx); i++)
        walk(xm_sexpr_at(sx, i), depth + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xm_sexpr *one = NULL, *all = NULL, *again = NULL;
    xm_buf p1 = XM_BUF_INIT(MAX_PRINT), p2 = XM_BUF_INIT(MAX_PRINT);
    xenmig_error err;
    int rc;

    xenmig_error_clear(&err);
    rc = xm_sexpr_parse(&one, (const char *)data, size, &err);
    xm_fuzz_check_err(T, rc, &err);
    if (rc == 0) {
        walk(one, 1);
        if (xm_sexpr_print(&p1, one) != 0)
            xm_fuzz_fail(T, "print of a parsed value failed");
        xenmig_error_clear(&err);
        rc = xm_sexpr_parse(&again, p1.ptr, p1.len, &err);
        if (rc)
            xm_fuzz_fail(T, "printed value does not parse");
        if (xm_sexpr_print(&p2, again) != 0)
            xm_fuzz_fail(T, "second print failed");
        if (p1.len != p2.len || memcmp(p1.ptr, p2.ptr, p1.len) != 0)
            xm_fuzz_fail(T, "print/parse/print is not stable");
        xm_sexpr_free(again);
        again = NULL;
        xm_buf_reset(&p1);
        xm_buf_reset(&p2);
    }

    xenmig_error_clear(&err);
    rc = xm_sexpr_parse_all(&all, (const char *)data, size, &err);
    xm_fuzz_check_err(T, rc, &err);
    if (rc == 0) {
        if (xm_sexpr_kind_of(all) != XM_SEXPR_LIST)
            xm_fuzz_fail(T, "parse_all gave no list");
        if (one == NULL && xm_sexpr_count(all) > 0)
            xm_fuzz_fail(T, "parse_all found a value parse refused");
        walk(all, 0);
        if (print_items(&p1, all) != 0)
            xm_fuzz_fail(T, "print of parse_all items failed");
        xenmig_error_clear(&err);
        rc = xm_sexpr_parse_all(&again, xm_buf_cstr(&p1), p1.len, &err);
        if (rc)
            xm_fuzz_fail(T, "printed items do not parse");
        if (xm_sexpr_count(again) != xm_sexpr_count(all))
            xm_fuzz_fail(T, "round trip changed the number of items");
        if (print_items(&p2, again) != 0)
            xm_fuzz_fail(T, "second print of items failed");
        if (p1.len != p2.len ||
            memcmp(xm_buf_cstr(&p1), xm_buf_cstr(&p2), p1.len) != 0)
            xm_fuzz_fail(T, "items print/parse/print is not stable");
    }
    xm_sexpr_free(one);
    xm_sexpr_free(all);
    xm_sexpr_free(again);
    xm_buf_dispose(&p1);
    xm_buf_dispose(&p2);
    return 0;
}
