#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# hostile.sh: what xenmig prints of a xend that sends what it should not
# (tests/cli/hostile-xend.py) is well-formed, safe and true: the domain
# a reply describes must be the one asked for; control bytes and
# escapes never reach the terminal; --json stays valid JSON and the
# XML well-formed, with the replacement said once; free_memory above
# total_memory is refused; a huge header line is not "out of memory";
# a failed write to stdout is exit 1 with "write error".
set -u
. "$(dirname "$0")/lib.sh"

serve() {
    rm -f "$T/port"
    python3 tests/cli/hostile-xend.py "$T/port" "$T/requests" "$1" \
        > /dev/null 2>&1 &
    spid=$!
    i=0
    while [ ! -s "$T/port" ]; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "hostile xend did not start"
        sleep 0.1
    done
    U=http://127.0.0.1:$(cat "$T/port")
}
trap 'kill $spid 2>/dev/null; rm -rf "$T"' EXIT
ESC=$(printf '\033')
BEL=$(printf '\007')
CR=$(printf '\r')
no_raw_controls() {
    ! grep -q "[$ESC$BEL$CR]" "$1" || fail "$2: raw control bytes reach the terminal"
}

serve bytes
# 1. the wrong domain is an error naming both, never a migration
expect_exit 1 xm check web01 127.0.0.1 --connect "$U" --dest-connect "$U"
grep -q "domain 'evil02'.*not the domain 'web01'" "$T/stderr" ||
    fail "check: wrong domain not named: $(cat "$T/stderr")"
grep -q "^ok.*evil02" "$T/stdout" && fail "check passed evil02 as web01"
expect_exit 1 xm migrate web01 127.0.0.1 --connect "$U" --dest-connect "$U"
grep -q "not the domain 'web01'" "$T/stderr" || fail "migrate: $(cat "$T/stderr")"
grep -q '^POST' "$T/requests" && fail "a POST went to xend: $(grep POST "$T/requests")"

# 3. terminal output: escapes shown as \xNN, one row per domain
expect_exit 0 xm info --connect "$U"
no_raw_controls "$T/stdout" info
grep -q '^host *: hx\\x1b\]0;owned\\x07$' "$T/stdout" || fail "info host: $(cat "$T/stdout")"
# (machine stays x86_64: capabilities refuses a machine it cannot name)
grep -q '^xen_version *: 4\.4\.0\\xed\\xa0\\x80\\x01$' "$T/stdout" ||
    fail "info xen_version: $(cat "$T/stdout")"
expect_exit 0 xm list --connect "$U"
no_raw_controls "$T/stdout" list
[ "$(wc -l < "$T/stdout")" -eq 6 ] || fail "list: a name forged a row: $(cat "$T/stdout")"
grep -q '^web01\\x0aforged' "$T/stdout" || fail "list: newline not escaped"
# columns by display width: 'ñame' and 'name' rows are as wide
python3 - "$T/stdout" <<'PY' || fail "list: columns not aligned by display width"
import sys
rows = open(sys.argv[1], encoding="utf-8").read().splitlines()
a = [r for r in rows if r.startswith("\u00f1ame")][0]
b = [r for r in rows if r.startswith("name ")][0]
assert a.index(" 4 ") == b.index(" 5 "), (a, b)
assert len(a) == len(b), (a, b)
PY
# JSON: valid, names unchanged but for invalid UTF-8 (U+FFFD); said once
for cmd in list info; do
    expect_exit 0 xm "$cmd" --json --connect "$U"
    python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' \
        "$T/stdout" || fail "$cmd --json is not valid JSON"
    [ "$(grep -c 'U+FFFD' "$T/stderr")" -eq 1 ] ||
        fail "$cmd --json: the replacement not said once: $(cat "$T/stderr")"
done
expect_exit 0 xm list --json --connect "$U"
python3 - "$T/stdout" <<'PY' || fail "list --json changed a name"
import json, sys
names = [d["name"] for d in json.load(open(sys.argv[1], encoding="utf-8"))]
assert "web01\nforged   99  1 1 r----- pv" in names, names
assert "\u00f1ame" in names and "evil\x1b[2J\ufffd" in names, names
PY
# XML: well-formed, the rule said once
if command -v xmllint > /dev/null 2>&1; then
    # xend's own strings (host, version) reach the extended document;
    # the plain one carries only libvirt's vocabulary
    for x in "" --extended; do
        expect_exit 0 xm capabilities $x --port 1 --connect "$U"
        xmllint --noout "$T/stdout" 2> "$T/xmllint" ||
            fail "capabilities $x: not well-formed: $(head -3 "$T/xmllint")"
    done
    [ "$(grep -c 'U+FFFD' "$T/stderr")" -eq 1 ] ||
        fail "capabilities --extended: replacement not said once"
fi

# 2. write errors: exit 1 and "write error: <cause>"
for args in "info" "list" "list --json" "capabilities --port 1" \
        "info --json"; do
    # shellcheck disable=SC2086
    xm $args --connect "$U" > /dev/full 2> "$T/stderr"
    st=$?
    [ $st -eq 1 ] || fail "'$args' > /dev/full exited $st"
    grep -q '^xenmig: write error: No space left on device$' "$T/stderr" ||
        fail "'$args' > /dev/full: $(cat "$T/stderr")"
done
xm --help > /dev/full 2> "$T/stderr"; [ $? -eq 1 ] || fail "--help > /dev/full"
xm list --help > /dev/full 2> /dev/null; [ $? -eq 1 ] || fail "list --help > /dev/full"
xm --version >&- 2> "$T/stderr"; [ $? -eq 1 ] || fail "--version >&-"
grep -q '^xenmig: write error' "$T/stderr" || fail "--version >&-: no message"
kill $spid; wait $spid 2>/dev/null

# 4. contradicting memory figures are refused
serve memory
expect_exit 1 xm info --connect "$U"
grep -q 'free_memory 5000 MiB is more than total_memory 4096 MiB' \
    "$T/stderr" || fail "free > total: $(cat "$T/stderr")"
kill $spid; wait $spid 2>/dev/null

# a 1 MiB header line is too long, not "out of memory"
serve header
expect_exit 1 xm info --connect "$U"
grep -q ': out of memory' "$T/stderr" && fail "header: $(cat "$T/stderr")"
grep -q 'header line over its limit' "$T/stderr" || fail "header: $(cat "$T/stderr")"
pass
