/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_sexpr.c: xend S-expressions: parser, printer, lookups, limits
 *
 * The data suites walk tests/data/sexpr/valid/<case>/{input,output}
 * (every top-level value of input, printed one per line, must equal
 * output) and tests/data/sexpr/invalid/<case>/{input,error} (the error
 * file holds "<line> <column>\n<message substring>\n").
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "lib/internal.h"
#include "lib/sexpr.h"

#define DATA_DIR "tests/data/sexpr"
#define FILE_MAX (1u << 20)

/* ---- helpers -------------------------------------------------------- */

/* Read a whole fixture file; NULL when missing or too big. */
static char *
read_file(const char *path, size_t *len_out)
{
    FILE *f = NULL;
    char *data = NULL;
    char *ret = NULL;
    size_t n;

    f = fopen(path, "rb");
    if (!f)
        goto out;
    data = malloc(FILE_MAX + 1);
    if (!data)
        goto out;
    n = fread(data, 1, FILE_MAX + 1, f);
    if (ferror(f) || n > FILE_MAX)
        goto out;
    data[n] = '\0';
    *len_out = n;
    ret = data;
    data = NULL;
 out:
    free(data);
    if (f)
        fclose(f);
    return ret;
}

static char *
read_case(const char *kind, const char *name, const char *file,
          size_t *len_out)
{
    char path[512];

    if (xm_snprintf(path, sizeof(path), "%s/%s/%s/%s", DATA_DIR, kind,
                    name, file) < 0)
        return NULL;
    return read_file(path, len_out);
}

/* Parse all of @text and print each top-level value on its own line. */
static int
parse_and_print(xm_buf *out, const char *text, size_t len,
                xenmig_error *err)
{
    xm_sexpr *all = NULL;
    size_t i;
    int rc;

    rc = xm_sexpr_parse_all(&all, text, len, err);
    if (rc) goto out;
    for (i = 0; i < xm_sexpr_count(all); i++) {
        rc = xm_sexpr_print(out, xm_sexpr_at(all, i));
        if (rc) goto out;
        rc = xm_buf_putc(out, '\n');
        if (rc) goto out;
    }
    rc = 0;
 out:
    xm_sexpr_free(all);
    return rc;
}

/* Print one value into a fresh string; the caller frees it. */
static char *
print_str(const xm_sexpr *sx)
{
    xm_buf buf = XM_BUF_INIT(FILE_MAX);

    if (xm_sexpr_print(&buf, sx) != 0)
        return NULL;
    return xm_buf_detach(&buf);
}

/* Parse @text (first value), print it, compare with @want. */
static int
reprints_as(const char *text, const char *want)
{
    xm_sexpr *sx = NULL;
    char *got = NULL;
    int ok = 0;

    if (xm_sexpr_parse(&sx, text, strlen(text), NULL) != 0)
        goto out;
    got = print_str(sx);
    if (!got)
        goto out;
    ok = strcmp(got, want) == 0;
    if (!ok)
        fprintf(stderr, "\n  '%s' printed as '%s', want '%s'\n", text,
                got, want);
 out:
    xm_free(got);
    xm_sexpr_free(sx);
    return ok;
}

/* Parse @text (first value) and return its single VALUE's bytes. */
static int
value_is(const char *text, size_t len, const char *want, size_t wlen)
{
    xm_sexpr *sx = NULL;
    int ok;

    if (xm_sexpr_parse(&sx, text, len, NULL) != 0)
        return 0;
    ok = xm_sexpr_kind_of(sx) == XM_SEXPR_VALUE &&
         xm_sexpr_value_len(sx) == wlen &&
         memcmp(xm_sexpr_value(sx), want, wlen) == 0 &&
         xm_sexpr_value(sx)[wlen] == '\0';
    xm_sexpr_free(sx);
    return ok;
}

/* Parse all of @text expecting @code at @line:@col. */
static int
fails_at(const char *text, size_t len, int code, int line, int col,
         const char *msg_part)
{
    xenmig_error err;
    xm_sexpr *sx = NULL;
    int rc;

    xenmig_error_clear(&err);
    rc = xm_sexpr_parse_all(&sx, text, len, &err);
    if (rc != code || sx != NULL || err.code != code ||
        err.line != line || err.column != col ||
        !strstr(err.msg, msg_part) || strchr(err.msg, '\n')) {
        fprintf(stderr, "\n  rc %d line %d col %d msg '%s'\n", rc,
                err.line, err.column, err.msg);
        xm_sexpr_free(sx);
        return 0;
    }
    return 1;
}

static int
sexpr_equal(const xm_sexpr *a, const xm_sexpr *b)
{
    size_t i;

    if (xm_sexpr_kind_of(a) != xm_sexpr_kind_of(b))
        return 0;
    if (xm_sexpr_kind_of(a) == XM_SEXPR_VALUE)
        return xm_sexpr_value_len(a) == xm_sexpr_value_len(b) &&
               memcmp(xm_sexpr_value(a), xm_sexpr_value(b),
                      xm_sexpr_value_len(a)) == 0;
    if (xm_sexpr_count(a) != xm_sexpr_count(b))
        return 0;
    for (i = 0; i < xm_sexpr_count(a); i++) {
        if (!sexpr_equal(xm_sexpr_at(a, i), xm_sexpr_at(b, i)))
            return 0;
    }
    return 1;
}

/* ---- data-driven suites --------------------------------------------- */

static void
test_sexpr__valid_cases(void)
{
    DIR *dir;
    struct dirent *de;
    int cases = 0;

    dir = opendir(DATA_DIR "/valid");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    for (de = readdir(dir); de; de = readdir(dir)) {
        xm_buf got = XM_BUF_INIT(FILE_MAX);
        xenmig_error err;
        char *input = NULL;
        char *want = NULL;
        size_t ilen = 0;
        size_t wlen = 0;
        int rc;

        if (de->d_name[0] == '.')
            continue;
        cases++;
        xenmig_error_clear(&err);
        input = read_case("valid", de->d_name, "input", &ilen);
        want = read_case("valid", de->d_name, "output", &wlen);
        CU_ASSERT_PTR_NOT_NULL(input);
        CU_ASSERT_PTR_NOT_NULL(want);
        if (input && want) {
            rc = parse_and_print(&got, input, ilen, &err);
            if (rc != 0 || got.len != wlen ||
                memcmp(xm_buf_cstr(&got), want, wlen) != 0) {
                fprintf(stderr, "\n  valid/%s: rc %d (%s)\n  got:  %s"
                        "  want: %s", de->d_name, rc, err.msg,
                        xm_buf_cstr(&got), want);
                CU_FAIL("valid case did not print as expected");
            }
        }
        xm_buf_dispose(&got);
        free(input);
        free(want);
    }
    closedir(dir);
    CU_ASSERT(cases >= 20);
}

/* "<line> <column>\n<substring>\n" */
static int
parse_error_file(char *text, int *line, int *col, const char **part)
{
    char *sp = strchr(text, ' ');
    char *nl;
    char *end;

    if (!sp)
        return -1;
    *sp = '\0';
    nl = strchr(sp + 1, '\n');
    if (!nl)
        return -1;
    *nl = '\0';
    if (xm_parse_int(line, text, 1, 1 << 30) != 0 ||
        xm_parse_int(col, sp + 1, 1, 1 << 30) != 0)
        return -1;
    end = strchr(nl + 1, '\n');
    if (end)
        *end = '\0';
    *part = nl + 1;
    return **part ? 0 : -1;
}

static void
test_sexpr__invalid_cases(void)
{
    DIR *dir;
    struct dirent *de;
    int cases = 0;

    dir = opendir(DATA_DIR "/invalid");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    for (de = readdir(dir); de; de = readdir(dir)) {
        xenmig_error err;
        xm_sexpr *sx = NULL;
        char *input = NULL;
        char *want = NULL;
        const char *part = NULL;
        size_t ilen = 0;
        size_t wlen = 0;
        int line = 0;
        int col = 0;
        int rc;

        if (de->d_name[0] == '.')
            continue;
        cases++;
        xenmig_error_clear(&err);
        input = read_case("invalid", de->d_name, "input", &ilen);
        want = read_case("invalid", de->d_name, "error", &wlen);
        CU_ASSERT_PTR_NOT_NULL(input);
        CU_ASSERT_PTR_NOT_NULL(want);
        if (input && want) {
            CU_ASSERT_EQUAL(parse_error_file(want, &line, &col, &part),
                            0);
            rc = xm_sexpr_parse_all(&sx, input, ilen, &err);
            if ((rc != XENMIG_EPARSE && rc != XENMIG_ERANGE) ||
                sx != NULL || err.code != rc || err.line != line ||
                err.column != col || !part || !strstr(err.msg, part) ||
                strncmp(err.msg, "sexpr: ", 7) != 0) {
                fprintf(stderr, "\n  invalid/%s: rc %d at %d:%d '%s'\n"
                        "  want %d:%d '%s'\n", de->d_name, rc, err.line,
                        err.column, err.msg, line, col,
                        part ? part : "");
                CU_FAIL("invalid case did not fail as expected");
            }
            xm_sexpr_free(sx);
        }
        free(input);
        free(want);
    }
    closedir(dir);
    CU_ASSERT(cases >= 15);
}

/* ---- grammar -------------------------------------------------------- */

static void
test_sexpr__every_escape(void)
{
    static const struct {
        const char *text;
        const char *want;
        size_t wlen;
    } cases[] = {
        { "'\\a'", "\a", 1 }, { "'\\b'", "\b", 1 },
        { "'\\t'", "\t", 1 }, { "'\\n'", "\n", 1 },
        { "'\\v'", "\v", 1 }, { "'\\f'", "\f", 1 },
        { "'\\r'", "\r", 1 }, { "'\\\\'", "\\", 1 },
        { "'\\''", "'", 1 }, { "'\\\"'", "\"", 1 },
        { "\"\\'\"", "'", 1 }, { "\"\\\"\"", "\"", 1 },
        { "'\\x41'", "A", 1 }, { "'\\xfF'", "\xff", 1 },
        { "'\\x00'", "\0", 1 }, { "'\\x414'", "A4", 2 },
        { "'\\0'", "\0", 1 }, { "'\\7'", "\a", 1 },
        { "'\\101'", "A", 1 }, { "'\\377'", "\xff", 1 },
        { "'\\1011'", "A1", 2 }, { "'\\18'", "\001" "8", 2 },
        { "'a\\0b'", "a\0b", 3 }, { "'\\q'", "\\", 1 },
        { "'c\\qd'", "c\\d", 3 }, { "'\\8'", "\\", 1 },
        { "'\\\n'", "\\", 1 },
    };
    size_t i;

    for (i = 0; i < XM_ARRAY_SIZE(cases); i++) {
        if (!value_is(cases[i].text, strlen(cases[i].text), cases[i].want,
                      cases[i].wlen)) {
            fprintf(stderr, "\n  escape case %zu: %s\n", i,
                    cases[i].text);
            CU_FAIL("escape decoded wrongly");
        }
    }
}

static void
test_sexpr__bad_escapes_are_errors(void)
{
    CU_ASSERT(fails_at("'\\x4g'", 6, XENMIG_EPARSE, 1, 2,
                       "invalid escape '\\x'"));
    CU_ASSERT(fails_at("'\\xg4'", 6, XENMIG_EPARSE, 1, 2,
                       "needs two hex digits"));
    CU_ASSERT(fails_at("\"\\x\"", 4, XENMIG_EPARSE, 1, 2,
                       "invalid escape"));
    CU_ASSERT(fails_at("'\\x4", 4, XENMIG_EPARSE, 1, 5,
                       "unexpected EOF in string"));
    CU_ASSERT(fails_at("'\\400'", 6, XENMIG_EPARSE, 1, 2,
                       "invalid octal escape '\\400' (over 255)"));
    CU_ASSERT(fails_at("'ok' '\\777'", 11, XENMIG_EPARSE, 1, 7,
                       "over 255"));
}

static void
test_sexpr__both_quotes(void)
{
    CU_ASSERT(value_is("'it\"s'", 6, "it\"s", 4));
    CU_ASSERT(value_is("\"it's\"", 6, "it's", 4));
    CU_ASSERT(value_is("''", 2, "", 0));
    CU_ASSERT(value_is("\"\"", 2, "", 0));
    CU_ASSERT(value_is("'(a b) # c'", 11, "(a b) # c", 9));
    CU_ASSERT(value_is("'line\nbreak'", 12, "line\nbreak", 10));
    CU_ASSERT(fails_at("'abc\"", 5, XENMIG_EPARSE, 1, 6,
                       "(string opened at line 1, column 1)"));
    CU_ASSERT(fails_at("\"abc'", 5, XENMIG_EPARSE, 1, 6,
                       "unexpected EOF in string at line 1, column 6"));
}

static void
test_sexpr__comments(void)
{
    CU_ASSERT(reprints_as("# c\n(a # c (\n b) # x", "(a b)"));
    CU_ASSERT(reprints_as("(a#c\nb)", "(a b)"));
    CU_ASSERT(reprints_as("abc#def", "abc"));
    CU_ASSERT(reprints_as("('#' \"#\")", "('#' '#')"));
    CU_ASSERT(fails_at("(a # )", 6, XENMIG_EPARSE, 1, 7,
                       "unexpected EOF in list"));
}

static void
test_sexpr__separators_start_atoms(void)
{
    static const char *const want[] = {
        "a", ";b", "[a", "]", "{", "}", "<x", ">", ">", "c", ";", ";d"
    };
    const char *text = "a;b [a] {} <x>> c;;d";
    xm_sexpr *sx = NULL;
    size_t i;

    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse_all(&sx, text, strlen(text),
                                             NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_count(sx), XM_ARRAY_SIZE(want));
    for (i = 0; i < XM_ARRAY_SIZE(want) && i < xm_sexpr_count(sx); i++)
        CU_ASSERT_STRING_EQUAL(xm_sexpr_value(xm_sexpr_at(sx, i)),
                               want[i]);
    xm_sexpr_free(sx);
    /* Parentheses end an atom and act as list delimiters. */
    CU_ASSERT(reprints_as("(a(b)c)", "(a (b) c)"));
    CU_ASSERT(reprints_as("(p;q)", "(p ';q')"));
}

static void
test_sexpr__quote_inside_atom(void)
{
    CU_ASSERT(value_is("a'b'", 4, "a'b'", 4));
    CU_ASSERT(value_is("a\"b c", 5, "a\"b", 3));
    CU_ASSERT(reprints_as("it's", "\"it's\""));
}

static void
test_sexpr__whitespace_set(void)
{
    CU_ASSERT(reprints_as(" \t\n\v\f\r(a \t\n\v\f\rb) ", "(a b)"));
    /* Other control bytes are not whitespace. */
    CU_ASSERT(fails_at("(a \x1b b)", 7, XENMIG_EPARSE, 1, 4,
                       "invalid character: code 27"));
}

static void
test_sexpr__invalid_character(void)
{
    CU_ASSERT(fails_at("\x01", 1, XENMIG_EPARSE, 1, 1,
                       "sexpr: invalid character: code 1 at line 1, "
                       "column 1"));
    CU_ASSERT(fails_at("(a)\n(b \x80)", 9, XENMIG_EPARSE, 2, 4,
                       "code 128"));
    CU_ASSERT(fails_at("\0", 1, XENMIG_EPARSE, 1, 1, "code 0"));
    /* Inside atoms and strings any byte goes. */
    CU_ASSERT(value_is("a\x01\x80\xff", 4, "a\x01\x80\xff", 4));
    CU_ASSERT(value_is("'\x01\x04\xff'", 5, "\x01\x04\xff", 3));
}

static void
test_sexpr__eot_ends_input(void)
{
    xm_sexpr *sx = NULL;

    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse_all(&sx, "a \x04 b", 5, NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_count(sx), 1);
    xm_sexpr_free(sx);
    sx = NULL;
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, "\x04(a)", 4, NULL),
                    XENMIG_EPARSE);
    CU_ASSERT_PTR_NULL(sx);
    CU_ASSERT(fails_at("(a \x04)", 5, XENMIG_EPARSE, 1, 4,
                       "unexpected EOF in list"));
}

static void
test_sexpr__close_paren_at_top_level(void)
{
    CU_ASSERT(fails_at(")", 1, XENMIG_EPARSE, 1, 1,
                       "sexpr: syntax error: ')' at top level at line 1"));
    CU_ASSERT(fails_at("(a)\n  )", 7, XENMIG_EPARSE, 2, 3,
                       "syntax error"));
}

static void
test_sexpr__eof_errors_name_position(void)
{
    xenmig_error err;
    xm_sexpr *sx = NULL;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, "(a 'bcdefghijk", 14, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_PTR_NULL(sx);
    CU_ASSERT_EQUAL(err.line, 1);
    CU_ASSERT_EQUAL(err.column, 15);
    CU_ASSERT_STRING_EQUAL(err.msg, "sexpr: unexpected EOF in string at "
                           "line 1, column 15 (string opened at line 1, "
                           "column 4)");
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, "(a\n(b c)\n", 9, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_EQUAL(err.line, 3);
    CU_ASSERT_EQUAL(err.column, 1);
    CU_ASSERT_STRING_EQUAL(err.msg, "sexpr: unexpected EOF in list at "
                           "line 3, column 1 (list opened at line 1, "
                           "column 1)");
}

static void
test_sexpr__several_top_level_values(void)
{
    xm_sexpr *sx = NULL;

    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse_all(&sx, "receive\n(receive) x",
                                             19, NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_kind_of(sx), XM_SEXPR_LIST);
    CU_ASSERT_EQUAL(xm_sexpr_count(sx), 3);
    CU_ASSERT_STRING_EQUAL(xm_sexpr_value(xm_sexpr_at(sx, 0)), "receive");
    CU_ASSERT_STRING_EQUAL(xm_sexpr_head(xm_sexpr_at(sx, 1)), "receive");
    CU_ASSERT_STRING_EQUAL(xm_sexpr_value(xm_sexpr_at(sx, 2)), "x");
    xm_sexpr_free(sx);
    sx = NULL;
    /* The first value only; a broken rest is not looked at. */
    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse(&sx, "receive\n(", 9, NULL), 0);
    CU_ASSERT_STRING_EQUAL(xm_sexpr_value(sx), "receive");
    xm_sexpr_free(sx);
}

static void
test_sexpr__trailing_quote_after_domain(void)
{
    xm_sexpr *sx = NULL;
    char *text;
    size_t len = 0;

    text = read_case("valid", "domain-trailing-quote", "input", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT(len > 2 && memcmp(text + len - 2, "''", 2) == 0);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, len, NULL), 0);
    CU_ASSERT_STRING_EQUAL(xm_sexpr_head(sx), "domain");
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(sx, "domain/name"), "guest1");
    xm_sexpr_free(sx);
    sx = NULL;
    CU_ASSERT_EQUAL(xm_sexpr_parse_all(&sx, text, len, NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_count(sx), 2);
    CU_ASSERT_EQUAL(xm_sexpr_value_len(xm_sexpr_at(sx, 1)), 0);
    CU_ASSERT_STRING_EQUAL(xm_sexpr_value(xm_sexpr_at(sx, 1)), "");
    xm_sexpr_free(sx);
    free(text);
}

static void
test_sexpr__empty_input(void)
{
    xenmig_error err;
    xm_sexpr *sx = NULL;

    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, "  # x\n", 6, &err),
                    XENMIG_EPARSE);
    CU_ASSERT_PTR_NULL(sx);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no value in input"));
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, NULL, 0, NULL), XENMIG_EPARSE);
    CU_ASSERT_EQUAL(xm_sexpr_parse_all(&sx, NULL, 0, NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_kind_of(sx), XM_SEXPR_LIST);
    CU_ASSERT_EQUAL(xm_sexpr_count(sx), 0);
    xm_sexpr_free(sx);
    sx = NULL;
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, NULL, 3, NULL), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_parse(NULL, "a", 1, NULL), XENMIG_EINVAL);
}

/* ---- limits --------------------------------------------------------- */

static void
test_sexpr__depth_limit(void)
{
    size_t n = 100000;
    char *text = malloc(2 * n);
    xenmig_error err;
    xm_sexpr *sx = NULL;
    size_t i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* Exactly the limit parses. */
    for (i = 0; i < XM_SEXPR_MAX_DEPTH; i++) {
        text[i] = '(';
        text[XM_SEXPR_MAX_DEPTH + i] = ')';
    }
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, 2 * XM_SEXPR_MAX_DEPTH,
                                   NULL), 0);
    xm_sexpr_free(sx);
    sx = NULL;
    /* Far deeper is an error at the first list too many, not a crash. */
    memset(text, '(', n);
    memset(text + n, ')', n);
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, 2 * n, &err),
                    XENMIG_ERANGE);
    CU_ASSERT_PTR_NULL(sx);
    CU_ASSERT_EQUAL(err.code, XENMIG_ERANGE);
    CU_ASSERT_EQUAL(err.line, 1);
    CU_ASSERT_EQUAL(err.column, XM_SEXPR_MAX_DEPTH + 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "nested deeper than 64"));
    free(text);
}

static void
test_sexpr__input_size_limit(void)
{
    size_t n = XM_SEXPR_MAX_INPUT + 1;
    char *text = malloc(n);
    xenmig_error err;
    xm_sexpr *sx = NULL;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    memset(text, ' ', n);
    text[0] = 'a';
    text[5] = '\n';
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, n, &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NULL(sx);
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.column, (int)(XM_SEXPR_MAX_INPUT - 6 + 1));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "input longer than"));
    /* One byte less is accepted, and parsed whole. */
    CU_ASSERT_EQUAL(xm_sexpr_parse_all(&sx, text, n - 1, NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_count(sx), 1);
    xm_sexpr_free(sx);
    free(text);
}

/* Memory stays bounded: "(()()...())" of more than the node limit. */
static void
test_sexpr__node_limit(void)
{
    size_t pairs = XM_SEXPR_MAX_NODES - 1;      /* + the outer list */
    size_t n = 2 * pairs + 4, i;
    char *text = malloc(n);
    xenmig_error err;
    xm_sexpr *sx = NULL;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    text[0] = '(';
    for (i = 0; i < pairs + 1; i++)
        memcpy(text + 1 + 2 * i, "()", 2);
    text[2 * pairs + 1] = ')';
    /* exactly the limit */
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, 2 * pairs + 2, NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_count(sx), pairs);
    xm_sexpr_free(sx);
    sx = NULL;
    /* one more */
    text[2 * pairs + 1] = '(';
    text[2 * pairs + 3] = ')';
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, n, &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NULL(sx);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "more than 2097152 values"));
    /* at the ')' that closes the outer list, the node over the limit */
    CU_ASSERT_EQUAL(err.line, 1);
    CU_ASSERT_EQUAL(err.column, (int)(2 * pairs + 4));
    free(text);
}

/* @pre, then @k bytes of @fill, then @post; returns the length. */
static size_t
build(char *dst, const char *pre, char fill, size_t k, const char *post)
{
    size_t a = strlen(pre);
    size_t b = strlen(post);

    memcpy(dst, pre, a);
    memset(dst + a, fill, k);
    memcpy(dst + a + k, post, b);
    return a + k + b;
}

static void
test_sexpr__atom_size_limit(void)
{
    size_t max = XM_SEXPR_MAX_ATOM;
    char *text = malloc(max + 16);
    xenmig_error err;
    xm_sexpr *sx = NULL;
    size_t n;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* A bare atom of exactly the limit, then one byte more. */
    n = build(text, "(x ", 'a', max, ")");
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, n, NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_value_len(xm_sexpr_lookup(sx, "x")), max);
    xm_sexpr_free(sx);
    sx = NULL;
    n = build(text, "(x ", 'a', max + 1, ")");
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, n, &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NULL(sx);
    CU_ASSERT_EQUAL(err.line, 1);
    CU_ASSERT_EQUAL(err.column, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "atom longer than 1048576"));
    /* Quoted strings: exactly the limit, then one byte over. */
    n = build(text, "(x '", 'a', max, "')");
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, n, NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_value_len(xm_sexpr_lookup(sx, "x")), max);
    xm_sexpr_free(sx);
    sx = NULL;
    n = build(text, "(x '", 'a', max + 1, "')");
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, n, &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NULL(sx);
    CU_ASSERT_EQUAL(err.column, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "string longer than"));
    /* Escapes count as the bytes they make. */
    n = build(text, "(x '\\\\", 'a', max - 1, "')");
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, n, NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_value_len(xm_sexpr_lookup(sx, "x")), max);
    CU_ASSERT_EQUAL(xm_sexpr_value(xm_sexpr_lookup(sx, "x"))[0], '\\');
    xm_sexpr_free(sx);
    sx = NULL;
    n = build(text, "(x '\\\\", 'a', max, "')");
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_parse(&sx, text, n, &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NULL(sx);
    CU_ASSERT_EQUAL(err.column, 4);
    free(text);
}

/* ---- printer -------------------------------------------------------- */

static int
value_prints_as(const char *s, size_t len, const char *want)
{
    xm_sexpr *v = NULL;
    char *got = NULL;
    int ok = 0;

    if (xm_sexpr_new_value(&v, s, len) != 0)
        return 0;
    got = print_str(v);
    ok = got && strcmp(got, want) == 0;
    if (!ok)
        fprintf(stderr, "\n  printed '%s', want '%s'\n",
                got ? got : "(null)", want);
    xm_free(got);
    xm_sexpr_free(v);
    return ok;
}

#define PRINTS(s, want) value_prints_as((s), sizeof(s) - 1, (want))

static void
test_sexpr__printer_captured_examples(void)
{
    CU_ASSERT(PRINTS("Missing parameter: node",
                     "'Missing parameter: node'"));
    CU_ASSERT(PRINTS("Domain 'foo' does not exist.",
                     "\"Domain 'foo' does not exist.\""));
    CU_ASSERT(PRINTS("both ' and \" quotes",
                     "'both \\' and \" quotes'"));
    CU_ASSERT(PRINTS("a=b", "'a=b'"));
    CU_ASSERT(PRINTS("a,b", "'a,b'"));
    CU_ASSERT(PRINTS("a@b", "'a@b'"));
    CU_ASSERT(PRINTS("tab\there", "'tab\\there'"));
    CU_ASSERT(PRINTS("\xe9t\xe9", "'\\xe9t\\xe9'"));
    CU_ASSERT(PRINTS("new\nline", "'new\\nline'"));
    CU_ASSERT(PRINTS("can't connect: [Errno 111] Connection refused",
                     "\"can't connect: [Errno 111] Connection "
                     "refused\""));
    CU_ASSERT(PRINTS("invalid literal for int() with base 10: 'yes'",
                     "\"invalid literal for int() with base 10: "
                     "'yes'\""));
}

static void
test_sexpr__printer_raw_atoms(void)
{
    CU_ASSERT(PRINTS("-b----", "-b----"));
    CU_ASSERT(PRINTS("/dev/xvda", "/dev/xvda"));
    CU_ASSERT(PRINTS("00:16:3e:01:02:03", "00:16:3e:01:02:03"));
    CU_ASSERT(PRINTS(".0", ".0"));
    CU_ASSERT(PRINTS("0x1f", "0x1f"));
    CU_ASSERT(PRINTS("x86_64", "x86_64"));
    CU_ASSERT(PRINTS("~", "~"));
    CU_ASSERT(PRINTS("@", "@"));
    CU_ASSERT(PRINTS("1400000000.12", "1400000000.12"));
}

static void
test_sexpr__printer_quoting_rules(void)
{
    CU_ASSERT(PRINTS("", "''"));
    CU_ASSERT(PRINTS("@@", "'@@'"));
    CU_ASSERT(PRINTS("a b", "'a b'"));
    CU_ASSERT(PRINTS("say \"hi\"", "'say \"hi\"'"));
    CU_ASSERT(PRINTS("back\\slash", "'back\\\\slash'"));
    CU_ASSERT(PRINTS("it's \\", "\"it's \\\\\""));
    CU_ASSERT(PRINTS("cr\rlf\n", "'cr\\rlf\\n'"));
    CU_ASSERT(PRINTS("\x01\x1f\x7f\x80\xff", "'\\x01\\x1f\\x7f\\x80\\xff'"));
    CU_ASSERT(PRINTS("nul\0byte", "'nul\\x00byte'"));
    CU_ASSERT(PRINTS("(x)", "'(x)'"));
    CU_ASSERT(PRINTS("#", "'#'"));
}

static void
test_sexpr__printer_lists(void)
{
    xm_sexpr *l = NULL;
    xm_sexpr *inner = NULL;
    xm_sexpr *v = NULL;
    xm_buf buf = XM_BUF_INIT(8);
    char *s;

    CU_ASSERT_EQUAL_FATAL(xm_sexpr_new_list(&l), 0);
    s = print_str(l);
    CU_ASSERT_STRING_EQUAL(s, "()");
    xm_free(s);
    CU_ASSERT_EQUAL(xm_sexpr_new_value(&v, "memory", 6), 0);
    CU_ASSERT_EQUAL(xm_sexpr_append(l, v), 0);
    CU_ASSERT_EQUAL(xm_sexpr_new_list(&inner), 0);
    CU_ASSERT_EQUAL(xm_sexpr_append(l, inner), 0);
    CU_ASSERT_EQUAL(xm_sexpr_new_value(&v, "a b", 3), 0);
    CU_ASSERT_EQUAL(xm_sexpr_append(inner, v), 0);
    CU_ASSERT_EQUAL(xm_sexpr_new_value(&v, "", 0), 0);
    CU_ASSERT_EQUAL(xm_sexpr_append(l, v), 0);
    s = print_str(l);
    CU_ASSERT_STRING_EQUAL(s, "(memory ('a b') '')");
    xm_free(s);
    /* The buffer's maximum is an error, never a cut. */
    CU_ASSERT_EQUAL(xm_sexpr_print(&buf, l), XENMIG_ERANGE);
    CU_ASSERT_EQUAL(buf.len, 0);
    xm_buf_dispose(&buf);
    CU_ASSERT_EQUAL(xm_sexpr_print(NULL, l), XENMIG_EINVAL);
    xm_sexpr_free(l);
}

/* Deterministic generator for round trips (xorshift). */
static uint32_t
rnd(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

static xm_sexpr *
gen_tree(uint32_t *state, int depth)
{
    static const char pool[] = "abz09.-_:/~@ '\"\\()#;[]{}<>\t\n\r=,";
    xm_sexpr *node = NULL;
    xm_sexpr *child;
    char text[24];
    size_t n;
    size_t i;

    if (depth < 6 && rnd(state) % 3 == 0) {
        if (xm_sexpr_new_list(&node) != 0)
            return NULL;
        n = rnd(state) % 6;
        for (i = 0; i < n; i++) {
            child = gen_tree(state, depth + 1);
            if (!child || xm_sexpr_append(node, child) != 0) {
                xm_sexpr_free(node);
                return NULL;
            }
        }
        return node;
    }
    n = rnd(state) % sizeof(text);
    for (i = 0; i < n; i++) {
        uint32_t r = rnd(state);

        /* Mostly printable, sometimes any byte at all. */
        text[i] = r % 5 ? pool[(r >> 8) % (sizeof(pool) - 1)]
                        : (char)(r >> 16);
    }
    if (xm_sexpr_new_value(&node, text, n) != 0)
        return NULL;
    return node;
}

static void
test_sexpr__round_trip_generated(void)
{
    uint32_t state = 0x5eed1234u;
    int i;
    int bad = 0;

    for (i = 0; i < 2000; i++) {
        xm_sexpr *x = gen_tree(&state, 0);
        xm_sexpr *y = NULL;
        char *s1 = NULL;
        char *s2 = NULL;

        CU_ASSERT_PTR_NOT_NULL_FATAL(x);
        s1 = print_str(x);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
        if (xm_sexpr_parse(&y, s1, strlen(s1), NULL) != 0 ||
            !sexpr_equal(x, y)) {
            bad++;
        } else {
            s2 = print_str(y);
            if (!s2 || strcmp(s1, s2) != 0)
                bad++;
        }
        if (bad == 1 && s1)
            fprintf(stderr, "\n  round trip failed for: %s\n", s1);
        xm_free(s1);
        xm_free(s2);
        xm_sexpr_free(x);
        xm_sexpr_free(y);
        if (bad)
            break;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* ---- lookups and numbers -------------------------------------------- */

static xm_sexpr *
load_fixture(const char *name)
{
    xm_sexpr *sx = NULL;
    char *text;
    size_t len = 0;

    text = read_case("valid", name, "input", &len);
    if (!text)
        return NULL;
    if (xm_sexpr_parse(&sx, text, len, NULL) != 0)
        sx = NULL;
    free(text);
    return sx;
}

static void
test_sexpr__lookup_paths(void)
{
    xm_sexpr *dom = load_fixture("domain-trailing-quote");
    const xm_sexpr *l;

    CU_ASSERT_PTR_NOT_NULL_FATAL(dom);
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(dom, "domain/memory"), "512");
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(dom, "domain/state"),
                           "-b----");
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(dom, "domain/description"),
                           "test guest, do not touch");
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(dom, "domain/features"), "");
    CU_ASSERT_STRING_EQUAL(
        xm_sexpr_get_str(dom, "domain/image/linux/args"),
        "root=/dev/xvda1 ro console=hvc0");
    /* The first (device ...) wins. */
    CU_ASSERT_STRING_EQUAL(xm_sexpr_head(xm_sexpr_lookup(dom,
                                                         "domain/device")),
                           "vif");
    l = xm_sexpr_lookup_list(dom, "domain/image");
    CU_ASSERT_STRING_EQUAL(xm_sexpr_head(l), "image");
    CU_ASSERT_EQUAL(xm_sexpr_count(l), 2);
    CU_ASSERT_PTR_EQUAL(xm_sexpr_lookup_list(dom, "domain"), dom);
    CU_ASSERT_PTR_NULL(xm_sexpr_get_str(dom, "domain"));
    CU_ASSERT_STRING_EQUAL(xm_sexpr_head(xm_sexpr_lookup(dom, "domain")),
                           "domid");
    /* A list found by lookup is no string. */
    CU_ASSERT_PTR_NULL(xm_sexpr_get_str(dom, "domain/image"));
    CU_ASSERT_PTR_NOT_NULL(xm_sexpr_lookup(dom, "domain/image"));
    /* Absent, wrong head, malformed paths. */
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(dom, "domain/nosuch"));
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(dom, "node/memory"));
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(dom, "memory"));
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(dom, "domain/"));
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(dom, "domain//memory"));
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(dom, ""));
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(dom, "domain/mem"));
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(dom, "domain/memoryx"));
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(dom, NULL));
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(NULL, "domain"));
    /* Paths do not match the head itself. */
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(dom, "domain/domain"));
    xm_sexpr_free(dom);
}

static void
test_sexpr__lookup_head_only_list(void)
{
    xm_sexpr *sx = NULL;

    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse(&sx, "(d (features) (x y z))",
                                         22, NULL), 0);
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(sx, "d/features"));
    CU_ASSERT_PTR_NOT_NULL(xm_sexpr_lookup_list(sx, "d/features"));
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(sx, "d/x"), "y");
    xm_sexpr_free(sx);
}

static void
test_sexpr__node_fixture(void)
{
    xm_sexpr *node = load_fixture("node-captured");
    long long v = 0;
    uint64_t u = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(node);
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(node, "node/machine"),
                           "x86_64");
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(node, "node/xen_extra"), ".0");
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(node, "node/cpu_topology"),
                           "\ncpu: ...");
    CU_ASSERT_STRING_EQUAL(xm_sexpr_get_str(node, "node/virt_caps"),
                           "hvm hvm_directio");
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, node, "node/xen_major", 0, 100,
                                    NULL), 0);
    CU_ASSERT_EQUAL(v, 4);
    CU_ASSERT_EQUAL(xm_sexpr_get_u64(&u, node, "node/free_memory", NULL),
                    0);
    CU_ASSERT_EQUAL(u, 1024);
    CU_ASSERT_EQUAL(xm_sexpr_get_u64(&u, node, "node/total_memory", NULL),
                    0);
    CU_ASSERT_EQUAL(u, 8191);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, node, "node/xend_config_format",
                                    1, 100, NULL), 0);
    CU_ASSERT_EQUAL(v, 4);
    xm_sexpr_free(node);
}

static void
test_sexpr__get_ll(void)
{
    const char *text =
        "(t (bare 3) (quoted '3') (neg -17) (big 99999999999999999999) "
        "(junk 12ab) (empty '') (list (a b)) (nul 'a\\0') (sp ' 3') "
        "(hex 0x10))";
    xm_sexpr *sx = NULL;
    xenmig_error err;
    long long v = 0;

    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse(&sx, text, strlen(text), NULL),
                          0);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/bare", 0, 10, NULL), 0);
    CU_ASSERT_EQUAL(v, 3);
    v = 0;
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/quoted", 0, 10, NULL), 0);
    CU_ASSERT_EQUAL(v, 3);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/neg", -100, 0, NULL), 0);
    CU_ASSERT_EQUAL(v, -17);
    /* Out of the caller's range, or of long long. */
    v = 42;
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/neg", 0, 100, &err),
                    XENMIG_ERANGE);
    CU_ASSERT_EQUAL(err.code, XENMIG_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'t/neg'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'-17'"));
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/big", LLONG_MIN, LLONG_MAX,
                                    &err), XENMIG_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "99999999999999999999"));
    /* Absent: ENOTFOUND, out untouched. */
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/nosuch", 0, 10, &err),
                    XENMIG_ENOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'t/nosuch'"));
    /* Garbage. */
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/junk", 0, 10, &err),
                    XENMIG_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "sexpr: 't/junk' is not an integer: '12ab'");
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/empty", 0, 10, NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/list", 0, 10, NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/nul", 0, 10, NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/sp", 0, 10, NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(&v, sx, "t/hex", 0, 100, NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(v, 42);
    CU_ASSERT_EQUAL(xm_sexpr_get_ll(NULL, sx, "t/bare", 0, 10, NULL),
                    XENMIG_EINVAL);
    xm_sexpr_free(sx);
}

static void
test_sexpr__get_u64(void)
{
    const char *text =
        "(t (low '18446603336221196288') (max 18446744073709551615) "
        "(over 18446744073709551616) (neg -1) (zero 0))";
    xm_sexpr *sx = NULL;
    xenmig_error err;
    uint64_t u = 7;

    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse(&sx, text, strlen(text), NULL),
                          0);
    CU_ASSERT_EQUAL(xm_sexpr_get_u64(&u, sx, "t/low", NULL), 0);
    CU_ASSERT_EQUAL(u, 18446603336221196288ull);
    CU_ASSERT_EQUAL(xm_sexpr_get_u64(&u, sx, "t/max", NULL), 0);
    CU_ASSERT_EQUAL(u, UINT64_MAX);
    CU_ASSERT_EQUAL(xm_sexpr_get_u64(&u, sx, "t/zero", NULL), 0);
    CU_ASSERT_EQUAL(u, 0);
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_get_u64(&u, sx, "t/over", &err),
                    XENMIG_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'t/over'"));
    CU_ASSERT_EQUAL(xm_sexpr_get_u64(&u, sx, "t/neg", NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_u64(&u, sx, "t/none", NULL),
                    XENMIG_ENOTFOUND);
    CU_ASSERT_EQUAL(u, 0);
    xm_sexpr_free(sx);
}

static void
test_sexpr__get_double(void)
{
    const char *text =
        "(t (a 1.5) (b 1400000000.12) (c 3) (d '12.3456789') (e -2.5e3) "
        "(f abc) (g inf) (h nan) (i 1e999) (j '') (k ' 1') (l 0x1p3) "
        "(m .5) (n 1.) (o -) (p 1e-400))";
    xm_sexpr *sx = NULL;
    xenmig_error err;
    double d = 9.0;

    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse(&sx, text, strlen(text), NULL),
                          0);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/a", NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 1.5, 0.0);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/b", NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 1400000000.12, 1e-6);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/c", NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 3.0, 0.0);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/d", NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 12.3456789, 1e-12);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/e", NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, -2500.0, 0.0);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/m", NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 0.5, 0.0);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/n", NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 1.0, 0.0);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/p", NULL), 0);
    CU_ASSERT_DOUBLE_EQUAL(d, 0.0, 1e-300);
    d = 9.0;
    xenmig_error_clear(&err);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/f", &err),
                    XENMIG_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "sexpr: 't/f' is not a number: 'abc'");
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/g", NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/h", NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/i", NULL),
                    XENMIG_ERANGE);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/j", NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/k", NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/l", NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/o", NULL),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_get_double(&d, sx, "t/z", NULL),
                    XENMIG_ENOTFOUND);
    CU_ASSERT_DOUBLE_EQUAL(d, 9.0, 0.0);
    xm_sexpr_free(sx);
}

/* ---- construction and ownership ------------------------------------- */

static void
test_sexpr__accessors_are_null_safe(void)
{
    xm_sexpr *v = NULL;

    CU_ASSERT_EQUAL(xm_sexpr_kind_of(NULL), 0);
    CU_ASSERT_PTR_NULL(xm_sexpr_value(NULL));
    CU_ASSERT_EQUAL(xm_sexpr_value_len(NULL), 0);
    CU_ASSERT_EQUAL(xm_sexpr_count(NULL), 0);
    CU_ASSERT_PTR_NULL(xm_sexpr_at(NULL, 0));
    CU_ASSERT_PTR_NULL(xm_sexpr_head(NULL));
    xm_sexpr_free(NULL);
    CU_ASSERT_EQUAL_FATAL(xm_sexpr_new_value(&v, "x", 1), 0);
    CU_ASSERT_EQUAL(xm_sexpr_count(v), 0);
    CU_ASSERT_PTR_NULL(xm_sexpr_at(v, 0));
    CU_ASSERT_PTR_NULL(xm_sexpr_head(v));
    CU_ASSERT_PTR_NULL(xm_sexpr_lookup(v, "x"));
    xm_sexpr_free(v);
    CU_ASSERT_EQUAL(xm_sexpr_new_value(&v, NULL, 1), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_new_value(&v, NULL, 0), 0);
    CU_ASSERT_STRING_EQUAL(xm_sexpr_value(v), "");
    xm_sexpr_free(v);
}

static void
test_sexpr__append_grows_and_owns(void)
{
    xm_sexpr *l = NULL;
    xm_sexpr *doc = NULL;
    xm_sexpr *v = NULL;
    char name[16];
    char *s;
    int i;

    CU_ASSERT_EQUAL_FATAL(xm_sexpr_new_list(&l), 0);
    for (i = 0; i < 100; i++) {
        CU_ASSERT_EQUAL_FATAL(xm_snprintf(name, sizeof(name), "v%d", i),
                              0);
        CU_ASSERT_EQUAL_FATAL(xm_sexpr_new_value(&v, name, strlen(name)),
                              0);
        CU_ASSERT_EQUAL_FATAL(xm_sexpr_append(l, v), 0);
    }
    CU_ASSERT_EQUAL(xm_sexpr_count(l), 100);
    CU_ASSERT_STRING_EQUAL(xm_sexpr_value(xm_sexpr_at(l, 99)), "v99");
    /* A parsed tree can become an item, and its root can grow. */
    CU_ASSERT_EQUAL_FATAL(xm_sexpr_parse(&doc, "(vif (mac x))''", 15,
                                         NULL), 0);
    CU_ASSERT_EQUAL_FATAL(xm_sexpr_new_value(&v, "bridge", 6), 0);
    CU_ASSERT_EQUAL(xm_sexpr_append(doc, v), 0);
    s = print_str(doc);
    CU_ASSERT_STRING_EQUAL(s, "(vif (mac x) bridge)");
    xm_free(s);
    CU_ASSERT_EQUAL(xm_sexpr_append(l, doc), 0);
    CU_ASSERT_EQUAL(xm_sexpr_count(l), 101);
    /* Nodes borrowed from a tree are not the caller's to change. */
    CU_ASSERT_EQUAL(xm_sexpr_new_value(&v, "y", 1), 0);
    CU_ASSERT_EQUAL(xm_sexpr_append((xm_sexpr *)xm_sexpr_at(doc, 1), v),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_append(l, (xm_sexpr *)xm_sexpr_at(doc, 0)),
                    XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_append(l, l), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_append(l, NULL), XENMIG_EINVAL);
    /* On failure the item is still taken (and freed). */
    CU_ASSERT_EQUAL(xm_sexpr_new_value(&v, "z", 1), 0);
    CU_ASSERT_EQUAL(xm_sexpr_append(NULL, v), XENMIG_EINVAL);
    CU_ASSERT_EQUAL(xm_sexpr_new_value(&v, "z", 1), 0);
    CU_ASSERT_EQUAL(xm_sexpr_append(v, l), XENMIG_EINVAL);
    xm_sexpr_free(v);
    /* l was freed by the failed append above. */
}

/* ---- out of memory -------------------------------------------------- */

/* A nested document big enough for several arena chunks, a big atom
 * with a chunk of its own, and a growing pending array. */
static char *
make_nested_doc(size_t *len_out)
{
    xm_buf buf = XM_BUF_INIT(FILE_MAX);
    int i;
    int rc = 0;

    rc |= xm_buf_puts(&buf, "((big ");
    for (i = 0; i < 3000 && !rc; i++)
        rc |= xm_buf_puts(&buf, "xxxxxxxxxx");
    rc |= xm_buf_puts(&buf, ")");
    for (i = 0; i < 300 && !rc; i++)
        rc |= xm_buf_printf(&buf, " (domain (domid %d) (name 'g %d') "
                            "(image (linux (args 'a\\tb'))) "
                            "(device (vbd (dev xvda))))", i, i);
    rc |= xm_buf_puts(&buf, ")''");
    if (rc) {
        xm_buf_dispose(&buf);
        return NULL;
    }
    *len_out = buf.len;
    return xm_buf_detach(&buf);
}

static void
test_sexpr__alloc_failure_is_clean(void)
{
    xenmig_error err;
    xm_sexpr *sx = NULL;
    char *text;
    size_t len = 0;
    unsigned long n;
    int rc = XENMIG_ENOMEM;
    int failures = 0;

    text = make_nested_doc(&len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (n = 1; n < 1000 && rc == XENMIG_ENOMEM; n++) {
        xenmig_error_clear(&err);
        sx = NULL;
        xm_alloc_fail_at(n);
        rc = xm_sexpr_parse(&sx, text, len, &err);
        xm_alloc_fail_at(0);
        if (rc == XENMIG_ENOMEM) {
            failures++;
            CU_ASSERT_PTR_NULL(sx);
            CU_ASSERT_EQUAL(err.code, XENMIG_ENOMEM);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "out of memory"));
        }
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(failures >= 5);
    CU_ASSERT_EQUAL(xm_sexpr_count(sx), 301);
    xm_sexpr_free(sx);
    xm_free(text);
}

static void
test_sexpr__alloc_failure_in_construction(void)
{
    unsigned long n;
    int rc = XENMIG_ENOMEM;
    int failures = 0;

    for (n = 1; n < 1000 && rc == XENMIG_ENOMEM; n++) {
        xm_sexpr *doc = NULL;
        xm_sexpr *l = NULL;
        xm_sexpr *v = NULL;
        xm_buf buf = XM_BUF_INIT(1024);
        int i;

        xm_alloc_fail_at(n);
        rc = xm_sexpr_parse(&doc, "(a b)", 5, NULL);
        if (!rc)
            rc = xm_sexpr_new_list(&l);
        for (i = 0; i < 10 && !rc; i++) {
            rc = xm_sexpr_new_value(&v, "val", 3);
            if (!rc)
                rc = xm_sexpr_append(l, v);
        }
        if (!rc)
            rc = xm_sexpr_append(doc, l);
        else
            xm_sexpr_free(l);
        if (!rc)
            rc = xm_sexpr_print(&buf, doc);
        xm_alloc_fail_at(0);
        if (rc == XENMIG_ENOMEM)
            failures++;
        else
            CU_ASSERT_STRING_EQUAL(xm_buf_cstr(&buf), "(a b (val val val "
                                   "val val val val val val val))");
        xm_buf_dispose(&buf);
        xm_sexpr_free(doc);
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(failures >= 5);
}

static CU_TestInfo test_sexpr_tests[] = {
    { "valid_cases", test_sexpr__valid_cases },
    { "invalid_cases", test_sexpr__invalid_cases },
    { "every_escape", test_sexpr__every_escape },
    { "bad_escapes_are_errors", test_sexpr__bad_escapes_are_errors },
    { "both_quotes", test_sexpr__both_quotes },
    { "comments", test_sexpr__comments },
    { "separators_start_atoms", test_sexpr__separators_start_atoms },
    { "quote_inside_atom", test_sexpr__quote_inside_atom },
    { "whitespace_set", test_sexpr__whitespace_set },
    { "invalid_character", test_sexpr__invalid_character },
    { "eot_ends_input", test_sexpr__eot_ends_input },
    { "close_paren_at_top_level", test_sexpr__close_paren_at_top_level },
    { "eof_errors_name_position", test_sexpr__eof_errors_name_position },
    { "several_top_level_values", test_sexpr__several_top_level_values },
    { "trailing_quote_after_domain",
      test_sexpr__trailing_quote_after_domain },
    { "empty_input", test_sexpr__empty_input },
    { "depth_limit", test_sexpr__depth_limit },
    { "input_size_limit", test_sexpr__input_size_limit },
    { "atom_size_limit", test_sexpr__atom_size_limit },
    { "node_limit", test_sexpr__node_limit },
    { "printer_captured_examples", test_sexpr__printer_captured_examples },
    { "printer_raw_atoms", test_sexpr__printer_raw_atoms },
    { "printer_quoting_rules", test_sexpr__printer_quoting_rules },
    { "printer_lists", test_sexpr__printer_lists },
    { "round_trip_generated", test_sexpr__round_trip_generated },
    { "lookup_paths", test_sexpr__lookup_paths },
    { "lookup_head_only_list", test_sexpr__lookup_head_only_list },
    { "node_fixture", test_sexpr__node_fixture },
    { "get_ll", test_sexpr__get_ll },
    { "get_u64", test_sexpr__get_u64 },
    { "get_double", test_sexpr__get_double },
    { "accessors_are_null_safe", test_sexpr__accessors_are_null_safe },
    { "append_grows_and_owns", test_sexpr__append_grows_and_owns },
    { "alloc_failure_is_clean", test_sexpr__alloc_failure_is_clean },
    { "alloc_failure_in_construction",
      test_sexpr__alloc_failure_in_construction },
    CU_TEST_INFO_NULL
};

CU_SuiteInfo test_sexpr_suite = {
    "sexpr", NULL, NULL, NULL, NULL, test_sexpr_tests
};
