/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_caps_xml.c: capabilities documents (xenmig_caps_from_xml); one
 * it accepts must write back (xenmig_caps_to_xml) to a document that
 * reads back and writes the same again.
 */
/*
 * fuzz/regressions/caps_xml/: libxml2's messages ("Input is not proper
 * UTF-8, indicate encoding !\nBytes: ...") once reached err->msg with
 * their newline (now '?', lib/error.c); a repeated hosts_allow leaked.
 */
#include "fuzz/fuzz.h"
#include "capabilities/caps.h"

#define T "caps_xml"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xenmig_caps *caps = NULL, *again = NULL;
    char *x1 = NULL, *x2 = NULL, *plain = NULL;
    xenmig_error err;
    int rc;

    xenmig_error_clear(&err);
    rc = xenmig_caps_from_xml(&caps, (const char *)data, size, &err);
    xm_fuzz_check_err(T, rc, &err);
    if (rc != 0)
        goto out;
    xenmig_error_clear(&err);
    if (xenmig_caps_to_xml(&x1, caps, 1, &err) != 0)
        xm_fuzz_fail(T, "accepted document does not write back");
    if (xenmig_caps_to_xml(&plain, caps, 0, &err) != 0)
        xm_fuzz_fail(T, "accepted document does not write back plain");
    xenmig_error_clear(&err);
    rc = xenmig_caps_from_xml(&again, x1, strlen(x1), &err);
    if (rc != 0) {
        fprintf(stderr, "%s\n%s\n", err.msg, x1);
        xm_fuzz_fail(T, "written document does not read back");
    }
    if (xenmig_caps_to_xml(&x2, again, 1, &err) != 0)
        xm_fuzz_fail(T, "second write failed");
    if (strcmp(x1, x2) != 0)
        xm_fuzz_fail(T, "write/read/write is not stable");
out:
    xenmig_free(x1);
    xenmig_free(x2);
    xenmig_free(plain);
    xenmig_caps_free(caps);
    xenmig_caps_free(again);
    return 0;
}
