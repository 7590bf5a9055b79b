#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# steps_matrix.sh: the public step API, as a libvirt-style driver calls
# it (tests/stepdrive.c: begin, prepare2, perform, finish2 with
# cancelled, confirm2 with failed), through every row of the fault
# matrix that does not signal the tool (tests/reliability/
# fault-matrix.py --steps): each must end with the domain running on
# exactly one host, or with exit 3 exactly where xend itself lost it.
set -u
. "$(dirname "$0")/lib.sh"
[ -x "$B/test-stepdrive" ] || fail "$B/test-stepdrive is not built"
if ! python3 tests/emulator/with-hosts --check > /dev/null 2>&1; then
    echo "SKIP: no private mount namespace for /etc/hosts here" >&2
    exit 77
fi
B=$B python3 tests/reliability/fault-matrix.py --steps \
    --out "$T/steps.md" > "$T/out" 2>&1 ||
    fail "step API: unsafe rows: $(grep UNSAFE "$T/out" | head -5)"
grep -q '^fault-matrix: [0-9]* rows' "$T/out" || fail "$(tail -3 "$T/out")"
# every row ran, none with both hosts or nowhere but the lost one
rows=$(sed -n 's/^fault-matrix: \([0-9]*\) rows, \([0-9]*\) safe.*/\1 \2/p' \
    "$T/out")
set -- $rows
[ "${1:-0}" -ge 60 ] && [ "$1" = "$2" ] ||
    fail "step API: $rows (rows, safe): $(tail -3 "$T/out")"
grep -c '| xenhost-a, xenhost-b |' "$T/steps.md" | grep -qx 0 ||
    fail "a row ended on both hosts"
cat "$T/out"
pass
