#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# demo.sh: 'make demo' (scripts/demo.sh) runs its hosts on a loopback
# /24 of its own: it succeeds while something else holds xend's ports
# on 127.0.0.2 and 127.0.0.3 (as a real xend, or another demo, would).
set -u
. "$(dirname "$0")/lib.sh"
python3 tests/emulator/with-hosts --check >/dev/null 2>&1 ||
    { echo "SKIP: no private mount namespace for /etc/hosts" >&2; exit 77; }

# hold the ports the demo used to take (already held: just as good)
python3 - "$T/held" <<'PY' > /dev/null 2>&1 &
import socket, sys, time
held = []
for a in ("127.0.0.2", "127.0.0.3"):
    for p in (8000, 8002):
        s = socket.socket()
        try:
            s.bind((a, p))
            s.listen(1)
            held.append(s)
        except OSError:
            pass
open(sys.argv[1], "w").write("%d\n" % len(held))
time.sleep(120)
PY
hold=$!
trap 'kill $hold 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/held" ]; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "the port holder did not start"
    sleep 0.1
done
sh scripts/demo.sh > "$T/out" 2>&1 || fail "demo: $(tail -n 5 "$T/out")"
grep -q '^web01 now runs on xenhost-b only\.$' "$T/out" ||
    fail "demo did not end: $(tail -n 5 "$T/out")"
grep -q '^migrated .web01. from .xenhost-a. to .xenhost-b.' "$T/out" ||
    fail "demo did not migrate: $(cat "$T/out")"
grep -q '^xenhost-a runs only Domain-0$' "$T/out" ||
    fail "demo did not evacuate: $(cat "$T/out")"
pass
