/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_reloc.c: xm_reloc_parse_reply on what a relocation server
 * could send, with a roomy and a tiny message buffer.
 */
#include "fuzz/fuzz.h"
#include "xend-client/reloc.h"

#define T "reloc"

static void
one(const uint8_t *data, size_t size, size_t msg_size)
{
    char msg[300];
    xenmig_error err;
    int ok = -1;
    int rc;

    memset(msg, 'Z', sizeof(msg));
    xenmig_error_clear(&err);
    rc = xm_reloc_parse_reply(&ok, msg, msg_size, (const char *)data, size,
                              &err);
    xm_fuzz_check_err(T, rc, &err);
    if (rc == 0 && ok != 0 && ok != 1)
        xm_fuzz_fail(T, "ok is neither 0 nor 1");
    if (rc == 0 && ok == 0 && memchr(msg, '\0', msg_size) == NULL)
        xm_fuzz_fail(T, "message not NUL-terminated in its buffer");
    if (msg[msg_size] != 'Z')
        xm_fuzz_fail(T, "wrote past the message buffer");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size, 256);
    one(data, size, 8);
    one(data, size, 1);
    return 0;
}
