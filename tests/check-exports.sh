#!/bin/sh
# check-exports.sh: the shared library exports exactly the functions
# that include/xenmig.h declares with XENMIG_API, nothing else.
set -eu
so=${1:-build/libxenmig.so}
want=$(mktemp) got=$(mktemp)
trap 'rm -f "$want" "$got"' EXIT
# every "XENMIG_API <type> <name>(" declaration, names only
cc -fpreprocessed -dD -E -P include/xenmig.h 2>/dev/null | grep -v "^#" | tr "\n" " " | sed 's/;/;\n/g' | grep 'XENMIG_API' |
    sed -E 's/\(.*//; s/.*[ *]([a-z_0-9]+)[[:space:]]*$/\1/' |
    sort -u > "$want"
nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
    sort -u > "$got"
if ! diff -u "$want" "$got"; then
    echo "check-exports: exported symbols differ from include/xenmig.h" >&2
    exit 1
fi
echo "check-exports: $(wc -l < "$got") symbols, all declared"
