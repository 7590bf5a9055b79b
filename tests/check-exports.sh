#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-exports.sh: the shared library exports exactly the functions
# that include/xenmig.h declares with XENMIG_API, nothing else (no data,
# no internal xm_ symbol), each at version XENMIG_0.1 of
# lib/libxenmig.syms, and its SONAME is libxenmig.so.0.
set -eu
so=${1:-build/libxenmig.so}
want=$(mktemp) got=$(mktemp)
trap 'rm -f "$want" "$got"' EXIT
# every "XENMIG_API <type> <name>(" declaration, names only
cc -fpreprocessed -dD -E -P include/xenmig.h 2>/dev/null | grep -v "^#" |
    tr "\n" " " | sed 's/;/;\n/g' | grep 'XENMIG_API' |
    sed -E 's/\(.*//; s/.*[ *]([a-z_0-9]+)[[:space:]]*$/\1/' |
    sort -u > "$want"
[ -s "$want" ] || { echo "check-exports: no XENMIG_API in the header" >&2; exit 1; }
# every defined dynamic symbol but the version node itself (type A)
nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
    sort -u > "$got"
if ! diff -u "$want" "$got"; then
    echo "check-exports: exported symbols differ from include/xenmig.h" >&2
    exit 1
fi
# all of them are functions, at the version the version script names
bad=$(nm -D --defined-only --with-symbol-versions "$so" |
    awk '$2 != "A" && ($2 != "T" || $3 !~ /@@XENMIG_0\.1$/) { print $3 }')
if [ -n "$bad" ]; then
    echo "check-exports: not a function at XENMIG_0.1: $bad" >&2
    exit 1
fi
if ! objdump -p "$so" | grep -q 'SONAME *libxenmig\.so\.0$'; then
    echo "check-exports: SONAME is not libxenmig.so.0" >&2
    exit 1
fi
echo "check-exports: $(wc -l < "$got") symbols, all declared, all XENMIG_0.1"
