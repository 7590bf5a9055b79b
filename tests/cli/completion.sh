#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# completion.sh: completion/xenmig.bash completes sub-commands (from
# 'xenmig --help'), options (from 'xenmig <cmd> --help') and, with a
# reachable xend, domain names; a dead xend gives no names, no noise.
set -u
. "$(dirname "$0")/lib.sh"
command -v bash > /dev/null 2>&1 || exit 77

# comp WORD... : print the candidates for the last word, one a line
cat > "$T/complete.bash" <<'EOS'
. completion/xenmig.bash
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_xenmig
printf '%s\n' "${COMPREPLY[@]}"
EOS
comp() { bash "$T/complete.bash" "$PWD/$B/xenmig" "$@" 2> "$T/err"; }

[ "$(comp mi)" = migrate ] || fail "'xenmig mi' gave '$(comp mi)'"
[ "$(comp migrate --li)" = --live ] ||
    fail "'xenmig migrate --li' gave '$(comp migrate --li)'"
[ "$(comp i)" = info ] || fail "'xenmig i' gave '$(comp i)'"
[ "$(comp help mi)" = migrate ] || fail "'xenmig help mi' gave '$(comp help mi)'"
# a command offers only its own options (check takes no --timeout)
[ -z "$(comp check --tim)" ] || fail "'xenmig check --tim' gave '$(comp check --tim)'"
[ "$(comp check --dest-c)" = --dest-connect ] || fail "check --dest-c"
[ "$(comp --ver)" = --version ] || fail "'xenmig --ver'"
# every command of --help, and nothing else, for an empty word
xm --help | awk '/^Commands:/ {c=1; next} c && /^  [a-z]/ {print $1}' |
    sort > "$T/want"
comp "" | sort > "$T/got"
[ -s "$T/want" ] || fail "no commands in --help"
cmp -s "$T/want" "$T/got" || fail "commands: $(diff "$T/want" "$T/got")"
# short and long options of one command; check borrows migrate's
comp info - | grep -qx -- -C || fail "'info -' lacks -C"
comp info --c | grep -qx -- --connect || fail "'info --c'"
[ "$(comp check --li)" = --live ] || fail "'check --li'"
[ "$(comp check --js)" = --json ] || fail "'check --js'"
[ "$(comp confirm --fa)" = --failed ] || fail "'confirm --fa'"
[ "$(comp evacuate --dry)" = --dry-run ] || fail "'evacuate --dry'"
[ "$(comp evacuate --per)" = --per-dest ] || fail "'evacuate --per'"
[ "$(comp evacuate --place '' | sort | tr '\n' ' ')" = "pack spread " ] ||
    fail "'evacuate --place': '$(comp evacuate --place '')'"
# an option's argument gets nothing, a FILE argument file names
[ -z "$(comp info --connect '')" ] || fail "completed --connect's URI"
[ -z "$(comp info -C '')" ] || fail "completed -C's URI"
[ -z "$(comp migrate --timeout '')" ] || fail "completed --timeout's S"
: > "$T/xend-config.sxp"
if grep -q -- '--config FILE' docs/commands/capabilities.md 2> /dev/null; then
    [ "$(comp capabilities --config "$T/xend-con")" = \
        "$T/xend-config.sxp" ] || fail "--config FILE: no file name"
fi
# domain names from a xend that is not there: none, quietly
out=$(comp migrate --connect http://127.0.0.1:1 '')
[ -z "$out" ] || fail "domains from a dead xend: '$out'"
[ ! -s "$T/err" ] || fail "completion wrote to stderr: $(cat "$T/err")"
pass
