#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lint_floor.sh: tests/lint.sh refuses a library call missing from
# tests/api-floor.tsv, one newer than the floor outside a version #if
# with an #else, and a construct gcc 4.4 lacks; a guarded one and the
# tree as it is pass.
set -u
. "$(dirname "$0")/lib.sh"

# lint_with FILE TEXT: lint a copy of the tree with TEXT added to FILE
lint_with() {
    rm -rf "$T/tree"
    mkdir -p "$T/tree/tests/support"
    cp -R include lib xend-client capabilities migration xenmig bench \
        fuzz "$T/tree/"
    cp tests/lint.sh tests/api-floor.sh tests/api-floor.tsv \
        tests/*.c "$T/tree/tests/"
    cp tests/support/*.[ch] "$T/tree/tests/support/"
    [ -z "$1" ] || printf '%s\n' "$2" >> "$T/tree/$1"
    sh "$T/tree/tests/lint.sh" > "$T/out" 2>&1
}

lint_with "" "" || fail "the tree as it is fails lint: $(cat "$T/out")"
lint_with xend-client/transport.c 'static void f(CURL *c) { curl_easy_pause(c, 0); }' &&
    fail "a libcurl call missing from the table passed lint"
grep -q 'curl_easy_pause is not in tests/api-floor.tsv' "$T/out" ||
    fail "no not-in-table message: $(cat "$T/out")"
lint_with xend-client/xs.c 'static char **f(struct xs_handle *h) { return xs_check_watch(h); }' &&
    fail "xs_check_watch (Xen 4.2) outside a guard passed lint"
grep -q 'xs_check_watch needs xen 4.2.0 (floor 4.1.0)' "$T/out" ||
    fail "no newer-than-floor message: $(cat "$T/out")"
lint_with migration/relay.c "$(printf '#ifdef XM_HAVE_ANY\nstatic int f(int fd) { return fcntl(fd, F_SETPIPE_SZ, 1); }\n#endif')" &&
    fail "a guard without an #else (no fallback) passed lint"
lint_with migration/relay.c "$(printf '#ifdef F_SETPIPE_SZ\nstatic int f(int fd) { return fcntl(fd, F_SETPIPE_SZ, 1); }\n#else\nstatic int f(int fd) { return fd; }\n#endif')" ||
    fail "a guarded call with a fallback failed lint: $(cat "$T/out")"
lint_with lib/util.c '/* xs_check_watch(h) in a comment */ static const char *s = "curl_url_set";' ||
    fail "names in a comment or string failed lint: $(cat "$T/out")"
lint_with lib/util.c 'static int n; static void f(void) { __atomic_store_n(&n, 1, 5); }' &&
    fail "__atomic (gcc 4.7) passed lint"
grep -q 'gcc 4.4 lacks' "$T/out" || fail "no gcc 4.4 message: $(cat "$T/out")"
pass
