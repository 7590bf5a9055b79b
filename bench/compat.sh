#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# compat.sh: what the floor's fallbacks cost (docs/PERFORMANCE.md).
#  - the xend Unix socket: bench-xendsock of the ordinary build
#    (CURLOPT_UNIX_SOCKET_PATH) and of the floor build (the open-socket
#    callback), ROUNDS times each, alternating; each run's figure is
#    unix / tcp in the same process, so load on the machine cancels
#  - the relay's pipe: bench-relay's relay-64K way (the kernel's default
#    pipe) against its xm_relay way (the raised 1 MiB pipe), one program
#
#   sh bench/compat.sh [ROUNDS [GiB]]      defaults: 5 rounds, 1 GiB
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-5}
gib=${2:-1}
make -s build/bench-xendsock build/bench-relay > /dev/null
make -s FLOOR=1 build-floor/bench-xendsock > /dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
i=0
while [ "$i" -lt "$rounds" ]; do
    i=$((i + 1))
    for b in build build-floor; do
        "$b/bench-xendsock" 2000 5 > "$T/out"
        sed -n 's/^  unix \/ tcp: //p' "$T/out" >> "$T/$b.ratio"
        sed -n 's/^  unix *\([0-9.]*\) us.*/\1/p' "$T/out" >> "$T/$b.unix"
    done
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
n=$(med "$T/build.ratio")
f=$(med "$T/build-floor.ratio")
echo "xend Unix socket, GET /xend/node, median of $rounds rounds of 5 x 2000 requests"
printf '  %-34s %10s %12s\n' way "unix/tcp" "us/request"
printf '  %-34s %10s %12s\n' "CURLOPT_UNIX_SOCKET_PATH (build)" "$n" "$(med "$T/build.unix")"
printf '  %-34s %10s %12s\n' "open-socket callback (build-floor)" "$f" "$(med "$T/build-floor.unix")"
echo "  fallback / native: $(awk -v f="$f" -v n="$n" 'BEGIN { printf "%.3f", f / n }') x the time"
echo "relay pipe, $gib GiB over loopback (bench-relay, 3 runs):"
build/bench-relay "$gib" 3 | sed -n '/^throughput/,/^cap accuracy/p' | grep -v '^cap accuracy'
