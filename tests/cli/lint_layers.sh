#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# lint_layers.sh: tests/lint.sh refuses an include that points up the
# layers, one that does not name its folder, and a library header in
# the tool; the tree as it is passes.
set -u
. "$(dirname "$0")/lib.sh"

# lint_with FILE LINE: lint a copy of the tree with LINE added to FILE
lint_with() {
    rm -rf "$T/tree"
    mkdir -p "$T/tree/tests"
    cp -R include lib xend-client capabilities migration xenmig bench \
        fuzz "$T/tree/"
    cp tests/lint.sh tests/api-floor.sh tests/api-floor.tsv "$T/tree/tests/"
    mkdir -p "$T/tree/tests/support"
    cp tests/*.c "$T/tree/tests/"
    cp tests/support/*.[ch] "$T/tree/tests/support/"
    [ -z "$1" ] || printf '%s\n' "$2" >> "$T/tree/$1"
    sh "$T/tree/tests/lint.sh" > "$T/out" 2>&1
}

lint_with "" "" || fail "the tree as it is fails lint: $(cat "$T/out")"
lint_with lib/util.c '#include "migration/relay.h"' &&
    fail "an upward include from lib/ passed lint"
grep -q 'upward include' "$T/out" || fail "no upward-include message: $(cat "$T/out")"
lint_with xend-client/xend.c '#include "capabilities/caps.h"' &&
    fail "an upward include from xend-client/ passed lint"
lint_with capabilities/caps.c '#include "migration/cookie.h"' &&
    fail "an upward include from capabilities/ passed lint"
lint_with migration/relay.c '#include "relay.h"' &&
    fail "an include without its folder passed lint"
grep -q 'name its folder' "$T/out" || fail "no folder message: $(cat "$T/out")"
lint_with xenmig/cli.c '#include "lib/internal.h"' &&
    fail "a library header in the tool passed lint"
lint_with migration/relay.c '#include "capabilities/caps.h"' ||
    fail "a downward include failed lint: $(cat "$T/out")"
pass
