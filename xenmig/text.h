/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * text.h: text from xend made safe for a terminal, and valid for JSON
 * (the rules are in text.c)
 */
#ifndef XENMIG_TEXT_H
#define XENMIG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef XM_JSON_H
# include <json/json.h>      /* json-c 0.10 (Debian 7): the old layout */
#else
# include <json-c/json.h>
#endif

/* Where escaped text goes: a stdio stream or a growing string. */
typedef struct xm_cli_out {
    int (*put)(struct xm_cli_out *o, const char *s, size_t n);
    FILE *file;
    char *mem;
    size_t len, cap;
} xm_cli_out;

xm_cli_out cli_out_file(FILE *f);
xm_cli_out cli_out_mem(void);

/* Length of the valid UTF-8 sequence at @s, 0 if invalid. */
size_t cli_utf8_next(const unsigned char *s, size_t len,
                     unsigned long *cp);
/* Write @s escaped for a terminal; its display width in *cols_out. */
int cli_term_write(xm_cli_out *o, const char *s, size_t *cols_out);
/* @s escaped for a terminal, on @f. */
void cli_fputs_term(const char *s, FILE *f);
/* @s escaped, padded with spaces to @width display columns. */
void cli_fput_col(const char *s, size_t width, FILE *f);
/* @s escaped, right-aligned in @width display columns. */
void cli_fput_rcol(const char *s, size_t width, FILE *f);
/* @s escaped for a terminal, in a new string (free()); NULL: no memory */
char *cli_term_dup(const char *s);
/* @s with each byte that is not UTF-8 replaced by U+FFFD (free()). */
char *cli_json_clean(const char *s, int *replaced);
/* A JSON string of @s by cli_json_clean's rule; says so once. */
json_object *cli_json_string(const char *s);
/* @o's "error": {"code", "name", "message"} for XENMIG_E* @code. */
void cli_json_add_error(json_object *o, int code, const char *msg);
/* @o's fields of a "progress" event: bytes, memory_bytes, pass,
 * percent, rate_mbit, elapsed_s, sent, done (migrate's and evacuate's). */
void cli_json_add_progress(json_object *o, const xenmig_progress *p);

#endif /* XENMIG_TEXT_H */
