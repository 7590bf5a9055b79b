#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migrate-cap.sh: how close 'xenmig migrate -r CAP' runs to its cap end
# to end, against emulated hosts (the measurement tests/cli/relay.sh
# asserted as an 85-105 Mbit/s window before tests stopped asserting
# timing; relay.sh keeps the upper bound and the byte count). Prints
# the rate from the last progress event (bytes x 8 / elapsed) against
# the cap; never fails on speed.
#   sh bench/migrate-cap.sh [CAP-Mbit/s [MiB]]    (defaults: 100, 48)
set -u
CAP=${1:-100}
MEM=${2:-48}
. "$(dirname "$0")/../tests/cli/lib.sh"
. "$(dirname "$0")/../tests/cli/hosts.sh"
start_host xenhost-a 127.0.0.2 --link-rate 0 --domain name=web01,memory="$MEM"
start_host xenhost-b 127.0.0.3 --link-rate 0
xm migrate -r "$CAP" web01 xenhost-b --connect http://xenhost-a:8000 \
    --json > "$T/out" || fail "migration failed"
python3 - "$T/out" "$CAP" <<'PY'
import json, os, sys
last = [json.loads(l) for l in open(sys.argv[1]) if '"progress"' in l][-1]
cap = float(sys.argv[2])
rate = last["bytes"] * 8 / last["elapsed_s"] / 1e6
print("migrate-cap: %d bytes in %.2f s: %.1f Mbit/s against a cap of %g "
      "(%+.1f %%), %d CPUs, load %.2f" % (
          last["bytes"], last["elapsed_s"], rate, cap,
          (rate / cap - 1) * 100, os.cpu_count(), os.getloadavg()[0]))
PY
