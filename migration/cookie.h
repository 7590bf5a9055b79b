/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cookie.h: the cookie handed from one migration step to the next
 * (not installed)
 *
 * Migration runs in steps: begin and prepare at the destination,
 * perform at the source, finish at the destination, confirm at the
 * source. The steps may be separate xenmig invocations, so each step
 * prints a cookie that the user passes to the next one through a shell
 * variable. A cookie records the step that made it, when it was made,
 * a 16-byte migration id that stays the same across all steps, and up
 * to XM_COOKIE_MAX_FIELDS key/value pairs.
 *
 * The text form is one line of JSON (format 2, described at the top of
 * cookie_json.c and in libxenmig(3)); pass it in double quotes in a
 * shell.
 *
 * Integrity: the document carries an FNV-1a 64 checksum of its values.
 * It detects corruption and accidental mix-ups (a cookie cut short by
 * a copy and paste, an edited value, a cookie from another migration
 * or step) but not a deliberate forgery: the hosts share no key, so
 * anyone who can read this file can make a cookie that passes.
 *
 * Ownership: an xm_cookie is caller-allocated. The functions that fill
 * one (xm_cookie_init, xm_cookie_init_next, xm_cookie_decode) overwrite
 * it without disposing it first; on failure they leave it empty, so
 * xm_cookie_dispose() is always safe afterwards. Field keys and values
 * belong to the cookie.
 */
#ifndef XENMIG_COOKIE_H
#define XENMIG_COOKIE_H

#include "lib/internal.h"

/* Limits; going over one is an error, never a truncation. */
#define XM_COOKIE_MAX_TEXT 4096        /* printable characters */
#define XM_COOKIE_MAX_FIELDS 32
#define XM_COOKIE_MAX_KEY 32           /* bytes per key */
#define XM_COOKIE_MAX_VALUE 1024       /* bytes per value */
#define XM_COOKIE_MAX_AGE_S 3600       /* older is stale */
#define XM_COOKIE_MAX_SKEW_S 300       /* future tolerance */

/* The step that MADE the cookie. */
typedef enum xm_cookie_step {
    XM_COOKIE_BEGIN = 1,
    XM_COOKIE_PREPARE,
    XM_COOKIE_PERFORM,
    XM_COOKIE_FINISH
} xm_cookie_step;

typedef struct xm_cookie {
    xm_cookie_step step;
    uint64_t created;            /* unix seconds */
    uint8_t id[16];              /* migration id, same across all steps */
    size_t nfields;
    struct {
        char *key;
        char *value;
    } fields[XM_COOKIE_MAX_FIELDS];
} xm_cookie;

/*
 * New cookie for @step with a fresh random id (getrandom, or
 * /dev/urandom on kernels without it) and created = now.
 * Returns 0, XENMIG_EINVAL (bad step) or XENMIG_EIO (no randomness,
 * no clock).
 */
int xm_cookie_init(xm_cookie *c, xm_cookie_step step, xenmig_error *err);

/*
 * The next step's cookie: the id of @prev, step @step, created = now,
 * no fields. @step must come after @prev's step (XENMIG_ESTATE if
 * not). @c must not be @prev.
 */
int xm_cookie_init_next(xm_cookie *c, const xm_cookie *prev,
                        xm_cookie_step step, xenmig_error *err);

/* Free the fields and leave @c empty. Idempotent; NULL is a no-op. */
void xm_cookie_dispose(xm_cookie *c);

/*
 * Replace the value of @key or add the field. Keys are 1 to
 * XM_COOKIE_MAX_KEY of [a-z0-9_]; values are UTF-8 without NUL, at most
 * XM_COOKIE_MAX_VALUE bytes. Returns 0, XENMIG_EINVAL (bad key, a value
 * not UTF-8), XENMIG_ERANGE (value or key too long, too many fields, or
 * the encoded cookie would pass XM_COOKIE_MAX_TEXT) or XENMIG_ENOMEM.
 * On failure @c is unchanged.
 */
int xm_cookie_set(xm_cookie *c, const char *key, const char *value,
                  xenmig_error *err);
/* xm_cookie_set() with the decimal form of @v. */
int xm_cookie_set_ll(xm_cookie *c, const char *key, long long v,
                     xenmig_error *err);

/* The value of @key, borrowed from @c, or NULL when absent. */
const char *xm_cookie_get(const xm_cookie *c, const char *key);

/*
 * The value of @key as a whole decimal number in [min, max].
 * Returns 0, XENMIG_EPARSE ("cookie lacks 'key'", or not a number) or
 * XENMIG_ERANGE; *out is untouched on failure.
 */
int xm_cookie_get_ll(long long *out, const xm_cookie *c, const char *key,
                     long long min, long long max, xenmig_error *err);

/*
 * Text form: the JSON document, one line, with its checksum. *out is
 * freed with xm_free().
 * Returns 0, XENMIG_EINVAL (a field set behind the API's back is
 * invalid), XENMIG_ERANGE (over a limit) or XENMIG_ENOMEM.
 */
int xm_cookie_encode(char **out, const xm_cookie *c, xenmig_error *err);

/*
 * Parse and check @text into @c. @expect_step is the step that must
 * have made the cookie (0 = any). @now is the current unix time
 * (tests pass fixed values). A cookie made more than
 * XM_COOKIE_MAX_AGE_S before @now, or more than XM_COOKIE_MAX_SKEW_S
 * after it, is stale.
 * Errors, each with a one-line message saying which it is:
 *  - XENMIG_EPARSE: malformed, truncated, tampered (checksum), foreign
 *    (not a cookie, another format version);
 *  - XENMIG_ESTATE: made by another step than @expect_step;
 *  - XENMIG_ERANGE: over a limit (text length, field count) or stale;
 *  - XENMIG_EINVAL: bad @expect_step; XENMIG_ENOMEM.
 */
int xm_cookie_decode(xm_cookie *c, const char *text,
                     xm_cookie_step expect_step, uint64_t now,
                     xenmig_error *err);

/* xm_cookie_decode() of any step and any age: the journal's entries
 * outlive a cookie's XM_COOKIE_MAX_AGE_S. */
int xm_cookie_decode_any_age(xm_cookie *c, const char *text,
                             xenmig_error *err);

/* Same migration? (ids equal; false if either is NULL) */
bool xm_cookie_same_migration(const xm_cookie *a, const xm_cookie *b);

/*
 * 0 if @got belongs to the same migration as @want, else XENMIG_EPARSE
 * "cookie belongs to migration '<hex>', not '<hex>'".
 */
int xm_cookie_check_same(const xm_cookie *got, const xm_cookie *want,
                         xenmig_error *err);

/* "begin", "prepare", "perform", "finish"; "unknown" otherwise. */
const char *xm_cookie_step_name(xm_cookie_step s);

/* Hex of the id, 32 lower-case characters + NUL, for logs. */
void xm_cookie_id_hex(char out[33], const xm_cookie *c);

#endif /* XENMIG_COOKIE_H */
