#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# manpage.sh: xenmig(1), generated from docs/commands by
# scripts/md2man.sh, and libxenmig(3) render with groff without a
# warning; xenmig(1) covers every sub-command and option of the tool's
# --help, and libxenmig(3) every function of include/xenmig.h.
set -u
. "$(dirname "$0")/lib.sh"
command -v groff > /dev/null 2>&1 || { echo "no groff" >&2; exit 77; }

sh scripts/md2man.sh 0 docs/commands/*.md > "$T/xenmig.1" ||
    fail "md2man.sh failed"
for page in "$T/xenmig.1" docs/libxenmig.3; do
    LC_ALL=C.UTF-8 groff -man -Tutf8 -ww "$page" > "$T/out" 2> "$T/warn" ||
        fail "groff failed on $page"
    [ ! -s "$T/warn" ] || fail "groff warns on $page: $(head -5 "$T/warn")"
    [ -s "$T/out" ] || fail "$page renders empty"
done
groff -man -Tascii -P-cbou -rHY=0 "$T/xenmig.1" > "$T/man"

# every command of 'xenmig --help' has its section, every option of its
# --help appears, and every section is a command of --help
xm --help | awk '/^Commands:/ {c=1; next} c && /^  [a-z]/ {print $1}' \
    > "$T/cmds"
[ -s "$T/cmds" ] || fail "no commands in --help"
while read -r cmd; do
    grep -q "^   xenmig $cmd\$" "$T/man" || fail "no section for $cmd"
    xm "$cmd" --help | grep -oE -- '(^| |\[)--?[a-z][a-z_-]*' |
        tr -d ' [' | sort -u > "$T/opts"
    while read -r opt; do
        grep -q -- "$opt" "$T/man" || fail "$cmd option $opt not in man"
    done < "$T/opts"
done < "$T/cmds"
sed -n 's/^   xenmig \([a-z-]*\)$/\1/p' "$T/man" | while read -r cmd; do
    grep -qx "$cmd" "$T/cmds" || { echo "$cmd"; break; }
done > "$T/extra"
[ ! -s "$T/extra" ] || fail "man page documents '$(cat "$T/extra")', --help lacks it"
for s in 'EXIT STATUS' ENVIRONMENT EXAMPLES; do
    grep -q "^$s" "$T/man" || fail "no $s section"
done
for v in XENMIG_SETTLE_TIMEOUT XENSTORED_PATH XEND_CONFIG; do
    grep -q "$v" "$T/man" || fail "$v not documented"
done

# libxenmig(3) names every XENMIG_API function
groff -man -Tascii -P-cbou -rHY=0 \
    docs/libxenmig.3 2> /dev/null \
    > "$T/man3"
cc -fpreprocessed -dD -E -P include/xenmig.h 2> /dev/null | grep -v '^#' |
    tr '\n' ' ' | sed 's/;/;\n/g' | grep XENMIG_API |
    sed -E 's/\(.*//; s/.*[ *]([a-z_0-9]+)[[:space:]]*$/\1/' |
    sort -u > "$T/api"
[ -s "$T/api" ] || fail "no functions found in include/xenmig.h"
while read -r f; do
    grep -q "\<$f\>" "$T/man3" || fail "libxenmig(3) lacks $f"
done < "$T/api"
pass
