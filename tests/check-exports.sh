#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-exports.sh: the ABI of the shared library.
#  - it exports exactly the functions include/xenmig.h declares with
#    XENMIG_API: no data, no internal xm_ symbol;
#  - each at the version node of lib/libxenmig.syms that names it (the
#    script names every function; no glob);
#  - every function of the committed baseline
#    (tests/data/abi/libxenmig.so.0.symbols) is still exported at its
#    version, so removing one from the header and the script alike fails;
#  - its SONAME is libxenmig.so.0.
#   check-exports.sh [LIBRARY [BASELINE]]
set -eu
so=${1:-build/libxenmig.so}
baseline=${2:-tests/data/abi/libxenmig.so.0.symbols}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
status=0
# every "XENMIG_API <type> <name>(" declaration, names only
cc -fpreprocessed -dD -E -P include/xenmig.h 2>/dev/null | grep -v "^#" |
    tr "\n" " " | sed 's/;/;\n/g' | grep 'XENMIG_API' |
    sed -E 's/\(.*//; s/.*[ *]([a-z_0-9]+)[[:space:]]*$/\1/' |
    sort -u > "$t/header"
[ -s "$t/header" ] || { echo "check-exports: no XENMIG_API in the header" >&2; exit 1; }
# "name version" for every function the version script names
sed -e 's|/\*.*\*/||' lib/libxenmig.syms | awk '
    /^[[:space:]]*[A-Za-z_0-9.]+[[:space:]]*\{/ { node = $1; sub(/\{.*/, "", node); next }
    /global:/ { global = 1; next }
    /local:/ { global = 0; next }
    /\}/ { global = 0; next }
    global && /;/ { s = $1; sub(/;.*/, "", s); if (s != "") print s, node }' |
    sort > "$t/script"
if grep -q '[*?]' "$t/script"; then
    echo "check-exports: lib/libxenmig.syms has a glob; name each function" >&2
    status=1
fi
# "name version" of every defined dynamic symbol but the version nodes
nm -D --defined-only --with-symbol-versions "$so" |
    awk '$2 != "A" { n = split($3, p, "@+"); print p[1], p[n], $2 }' |
    sort > "$t/lib3"
awk '$3 != "T" { print "check-exports: not a function: " $1 }' "$t/lib3" >&2
awk '$3 != "T" { bad = 1 } END { exit bad }' "$t/lib3" || status=1
cut -d' ' -f1,2 "$t/lib3" > "$t/lib"
cut -d' ' -f1 "$t/lib" > "$t/libnames"
if ! diff -u "$t/header" "$t/libnames"; then
    echo "check-exports: exported symbols differ from include/xenmig.h" >&2
    status=1
fi
if ! diff -u "$t/script" "$t/lib"; then
    echo "check-exports: exported symbols or versions differ from lib/libxenmig.syms" >&2
    status=1
fi
grep -v '^#' "$baseline" | grep . | sort > "$t/baseline"
missing=$(comm -23 "$t/baseline" "$t/lib")
if [ -n "$missing" ]; then
    echo "check-exports: the baseline's ABI is broken; no longer exported:" >&2
    echo "$missing" | sed 's/^/    /' >&2
    status=1
fi
if ! objdump -p "$so" | grep -q 'SONAME *libxenmig\.so\.0$'; then
    echo "check-exports: SONAME is not libxenmig.so.0" >&2
    status=1
fi
[ $status -eq 0 ] || exit 1
echo "check-exports: $(wc -l < "$t/lib") functions, each declared, each at its" \
    "version, $(wc -l < "$t/baseline") of the baseline kept"
