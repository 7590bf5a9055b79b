/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cookie_impl.h: what cookie.c (the object), cookie_json.c (its text
 * and checksum) and cookie_read.c (reading the text) share (not
 * installed)
 */
#ifndef XENMIG_COOKIE_IMPL_H
#define XENMIG_COOKIE_IMPL_H

#include "migration/cookie.h"

#define CK_NAME "xenmig-cookie"
#define CK_FORMAT 2
#define CK_ID_LEN 16

typedef char ck_assert_id_size[
    sizeof(((xm_cookie *)0)->id) == CK_ID_LEN ? 1 : -1];

/* @step is one of XM_COOKIE_BEGIN..XM_COOKIE_FINISH. */
bool xm_cookie_step_ok(int step);

/* Check a key given through the API (trusted enough to print): 1 to
 * XM_COOKIE_MAX_KEY bytes of [a-z0-9_]. */
int xm_cookie_check_key(const char *key, xenmig_error *err);

/* A value given through the API or read from a cookie: at most
 * XM_COOKIE_MAX_VALUE bytes of UTF-8 without NUL. */
int xm_cookie_check_value(const char *key, const char *value, size_t len,
                          xenmig_error *err);

/* The length of @c's text (cookie_json.c), to keep it within
 * XM_COOKIE_MAX_TEXT. */
int xm_cookie_encoded_length(size_t *out, const xm_cookie *c,
                             xenmig_error *err);

/* FNV-1a 64 of a cookie's canonical bytes (cookie_json.c's head
 * comment): format, @step, @id, @created, @expires, then @c's fields. */
uint64_t xm_cookie_checksum(const char *step, const char *id,
                            uint64_t created, uint64_t expires,
                            const xm_cookie *c);

#endif /* XENMIG_COOKIE_IMPL_H */
