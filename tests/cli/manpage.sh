#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# manpage.sh: xenmig(1), generated from docs/commands by
# scripts/md2man.sh, and libxenmig(3), generated from include/xenmig.h
# by scripts/h2man.sh, render with groff without a warning; xenmig(1)
# covers every sub-command and option of the tool's --help; libxenmig(3)
# names every function of include/xenmig.h, the generator refuses a
# public function without a doc comment, and the defaults the header
# states are the code's.
set -u
. "$(dirname "$0")/lib.sh"
command -v groff > /dev/null 2>&1 || { echo "no groff" >&2; exit 77; }

sh scripts/md2man.sh 0 docs/commands/*.md > "$T/xenmig.1" ||
    fail "md2man.sh failed"
sh scripts/h2man.sh 0 include/xenmig.h docs/libxenmig.3.in \
    > "$T/libxenmig.3" 2> "$T/h2man.err" ||
    fail "h2man.sh failed: $(cat "$T/h2man.err")"
for page in "$T/xenmig.1" "$T/libxenmig.3"; do
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
    "$T/libxenmig.3" 2> /dev/null \
    > "$T/man3"
cc -fpreprocessed -dD -E -P include/xenmig.h 2> /dev/null | grep -v '^#' |
    tr '\n' ' ' | sed 's/;/;\n/g' | grep XENMIG_API |
    sed -E 's/\(.*//; s/.*[ *]([a-z_0-9]+)[[:space:]]*$/\1/' |
    sort -u > "$T/api"
[ -s "$T/api" ] || fail "no functions found in include/xenmig.h"
while read -r f; do
    grep -q "\<$f\>" "$T/man3" || fail "libxenmig(3) lacks $f"
done < "$T/api"

# a public function without a comment above it stops the generator,
# which names it; with one, the page has it
sed '/^#ifdef __cplusplus$/,$d' include/xenmig.h > "$T/head.h"
{ cat "$T/head.h"; printf '\nXENMIG_API int xenmig_undocumented(void);\n'
  sed -n '/^#ifdef __cplusplus$/,$p' include/xenmig.h; } > "$T/bad.h"
if sh scripts/h2man.sh 0 "$T/bad.h" docs/libxenmig.3.in > "$T/bad.3" \
    2> "$T/bad.err"; then
    fail "h2man.sh took a function without a doc comment"
fi
grep -q "xenmig_undocumented has no doc comment" "$T/bad.err" ||
    fail "h2man.sh did not name the undocumented function: $(cat "$T/bad.err")"
{ cat "$T/head.h"; printf '\n/* Documented. */\n'
  printf 'XENMIG_API int xenmig_documented(void);\n'
  sed -n '/^#ifdef __cplusplus$/,$p' include/xenmig.h; } > "$T/good.h"
sh scripts/h2man.sh 0 "$T/good.h" docs/libxenmig.3.in > "$T/good.3" ||
    fail "h2man.sh refused a documented function"
grep -q 'xenmig_documented(void)' "$T/good.3" ||
    fail "the documented function is not in the page"

# Every default the header states is the one the code uses: each
# constant, read from the library's internal headers, in the words of
# the page (white space squeezed, so that code comments read as one).
tr -s ' \n' '  ' < "$T/man3" > "$T/man3.line"
const() {
    v=$(sed -n "s/^#define $1[[:space:]][[:space:]]*//p" \
            lib/*.h xend-client/*.h capabilities/*.h migration/*.h |
        sed 's|/\*.*||; s/[()L[:space:]]//g')
    [ -n "$v" ] || fail "no #define $1 in the library's headers"
    echo $(($v))
}
dur_ms() {          # 5000 -> "5 s", 3600000 -> "1 hour"
    s=$(($1 / 1000))
    if [ $((s % 3600)) -eq 0 ]; then
        h=$((s / 3600)); [ "$h" -eq 1 ] && echo "1 hour" || echo "$h hours"
    else
        echo "$s s"
    fi
}
says() {
    grep -qF -- "$1" "$T/man3.line" ||
        fail "libxenmig(3) does not say '$1' (the code's default)"
}
says "0 = the defaults: $(dur_ms "$(const XM_XEND_CONNECT_TIMEOUT_MS)") to connect"
says "$(dur_ms "$(const XM_XEND_TOTAL_TIMEOUT_MS)") for the exchange"
says "(port $(const XM_XEND_DEFAULT_PORT) by default)"
says "no progress this long = stall; 0 = $(dur_ms "$(const XM_RELAY_STALL_MS)")"
says "bound on perform; 0 = $(dur_ms "$(const XM_MIGRATE_DEFAULT_TIMEOUT_MS)")"
says "relocation port; 0 = $(const XM_RELOC_DEFAULT_PORT) */"
says "0 = the config's, else $(const XM_RELOC_DEFAULT_PORT) */"
says "each network wait; 0 = $(dur_ms "$(const XM_RELOC_TIMEOUT_MS)") */"
age=$(dur_ms "$(($(const XM_COOKIE_MAX_AGE_S) * 1000))")
[ "$age" = "1 hour" ] && age="an hour"
says "Cookies are checksummed and expire $age after they are made"
says "expires is created + $(const XM_COOKIE_MAX_AGE_S),"
pass
