#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# headertest.sh: include/xenmig.h compiles on its own, as strict C99
# and as C++.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include "xenmig.h"\nint main(void) { return xenmig_version() == 0; }\n' > "$tmp/h.c"
cc -std=c99 -pedantic -Wall -Wextra -Werror -Iinclude -c -o "$tmp/h.o" "$tmp/h.c"
if command -v c++ >/dev/null 2>&1; then
    cp "$tmp/h.c" "$tmp/h.cc"
    c++ -std=c++11 -pedantic -Wall -Wextra -Werror -Iinclude -c -o "$tmp/hh.o" "$tmp/h.cc"
fi
echo "headertest: ok"
