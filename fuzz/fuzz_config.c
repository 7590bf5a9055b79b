/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_config.c: xend-config.sxp. Every top-level value is parsed
 * (xm_sexpr_parse_all) and read as a (key value) pair; when the
 * capabilities module has its config reader (fuzz.mk defines
 * XM_FUZZ_HAVE_CAPS_CONFIG), xm_caps_config_parse runs too.
 */
/*
 * fuzz/regressions/config/newline-in-value.sxp: a value quoted in a
 * message once carried its newline into err->msg; xm_error_set now
 * makes every control byte '?' (lib/error.c).
 */
#include "fuzz/fuzz.h"
#include "lib/sexpr.h"
#ifdef XM_FUZZ_HAVE_CAPS_CONFIG
#include "capabilities/caps.h"
#endif

#define T "config"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xm_sexpr *all = NULL;
    const xm_sexpr *item;
    const char *key;
    long long ll;
    xenmig_error err;
    size_t i;
    int rc;
#ifdef XM_FUZZ_HAVE_CAPS_CONFIG
    xm_caps_config cfg;
#endif

    xenmig_error_clear(&err);
    rc = xm_sexpr_parse_all(&all, (const char *)data, size, &err);
    xm_fuzz_check_err(T, rc, &err);
    for (i = 0; rc == 0 && i < xm_sexpr_count(all); i++) {
        item = xm_sexpr_at(all, i);
        key = xm_sexpr_head(item);
        if (!xm_fuzz_path_ok(key))
            continue;
        (void)xm_sexpr_get_str(item, key);
        xenmig_error_clear(&err);
        rc = xm_sexpr_get_ll(&ll, item, key, 0, 65535, &err);
        xm_fuzz_check_err(T, rc, &err);
        rc = 0;
    }
    xm_sexpr_free(all);

#ifdef XM_FUZZ_HAVE_CAPS_CONFIG
    xm_caps_config_init(&cfg);
    xenmig_error_clear(&err);
    rc = xm_caps_config_parse(&cfg, (const char *)data, size,
                              "xend-config.sxp", &err);
    xm_fuzz_check_err(T, rc, &err);
    xm_caps_config_dispose(&cfg);
#endif
    return 0;
}
