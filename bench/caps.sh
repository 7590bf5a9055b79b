#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# caps.sh: N "xenmig capabilities" against an emulated host vs. the
# bare minimum that gathers the same facts (one curl GET of /xend/node
# plus one TCP connect to the relocation port). Prints the ratio.
#   sh bench/caps.sh [N]      (from the repo root, after make)
set -u
N=${1:-200}
B=${B:-build}
ADDR=${ADDR:-127.0.0.9}
T=$(mktemp -d)
export LD_LIBRARY_PATH="$PWD/$B"
python3 tests/emulator/xenhost --name benchhost --address "$ADDR" \
    --ready-file "$T/ready" --log-file "$T/log" > /dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/ready" ]; do
    i=$((i + 1)); [ $i -le 100 ] || { echo "host did not start"; exit 1; }
    sleep 0.1
done
now() { date +%s.%N; }
t0=$(now)
i=0
while [ $i -lt "$N" ]; do
    "$B/xenmig" capabilities --connect "http://$ADDR:8000" > /dev/null ||
        exit 1
    i=$((i + 1))
done
t1=$(now)
i=0
while [ $i -lt "$N" ]; do
    curl -sf "http://$ADDR:8000/xend/node" > /dev/null || exit 1
    bash -c "exec 3<>/dev/tcp/$ADDR/8002" || exit 1
    i=$((i + 1))
done
t2=$(now)
echo "$N $t0 $t1 $t2" | awk '{ x = $3 - $2; m = $4 - $3;
    printf "xenmig capabilities: %.1f ms each\n", 1000 * x / $1;
    printf "curl + tcp connect:  %.1f ms each\n", 1000 * m / $1;
    printf "ratio: %.2f\n", x / m }'
