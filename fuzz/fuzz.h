/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz.h: shared helpers for the fuzz targets (fuzz/fuzz_*.c)
 *
 * Each target defines LLVMFuzzerTestOneInput(). With clang and
 * -fsanitize=fuzzer it runs under libFuzzer ("make fuzz"); with
 * fuzz/replay_main.c it replays files ("make check",
 * tests/cli/fuzz_regressions.sh). A broken property calls
 * xm_fuzz_fail(), which aborts so that both drivers report it.
 */
#ifndef XENMIG_FUZZ_H
#define XENMIG_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Report a broken property and abort (libFuzzer keeps the input). */
static inline void
xm_fuzz_fail(const char *target, const char *what)
{
    fprintf(stderr, "fuzz_%s: property broken: %s\n", target, what);
    abort();
}

/* A NUL-terminated copy of @size bytes of @data (NULL on ENOMEM). */
static inline char *
xm_fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        return NULL;
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/*
 * Can @s serve as a lookup path? Paths are the caller's constants
 * (messages quote them as they are), so only short printable ones
 * without '/' are used.
 */
static inline int
xm_fuzz_path_ok(const char *s)
{
    size_t i;

    if (s == NULL || s[0] == '\0')
        return 0;
    for (i = 0; s[i] != '\0'; i++)
        if (i >= 64 || s[i] == '/' || s[i] <= ' ' || s[i] > '~')
            return 0;
    return 1;
}

/*
 * House rule: a failing call fills err with its own code and a
 * non-empty one-line message.
 */
static inline void
xm_fuzz_check_err(const char *target, int rc, const xenmig_error *err)
{
    if (rc == 0)
        return;
    if (err->code != rc)
        xm_fuzz_fail(target, "err->code differs from the return code");
    if (err->msg[0] == '\0')
        xm_fuzz_fail(target, "error without a message");
    if (strchr(err->msg, '\n') != NULL) {
        fprintf(stderr, "fuzz_%s: message: %s\n", target, err->msg);
        xm_fuzz_fail(target, "error message with a newline");
    }
    if (memchr(err->msg, '\0', sizeof(err->msg)) == NULL)
        xm_fuzz_fail(target, "error message not NUL-terminated");
}

#endif /* XENMIG_FUZZ_H */
