#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migrate.sh: wall time of 'xenmig migrate' of a small domain against
# the bare minimum, one curl POST of the same op=migrate to the same
# emulated xend, run side by side. Reports medians and their ratio.
#   bench/migrate.sh [rounds]     (default 9)
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
N=${1:-9}
if [ -z "${XM_IN_HOSTS:-}" ]; then
    XM_IN_HOSTS=1 exec python3 tests/emulator/with-hosts -- sh "$0" "$@"
fi
T=$(mktemp -d)
export XENMIG_RUN_DIR="$T/run"
pids=""
trap 'kill $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export LD_LIBRARY_PATH="$PWD/$B"
for h in a:2 b:3; do
    python3 tests/emulator/xenhost --name "xenhost-${h%:*}" \
        --address "127.0.0.${h#*:}" --link-rate 0 \
        --ready-file "$T/${h%:*}.ready" --log-file "$T/${h%:*}.log" \
        $( [ "${h%:*}" = a ] && echo --domain name=small,memory=16 ) &
    pids="$pids $!"
done
while [ ! -s "$T/a.ready" ] || [ ! -s "$T/b.ready" ]; do sleep 0.1; done

now() { python3 -c 'import time; print("%.6f" % time.monotonic())'; }
form='op=migrate&destination=127.0.0.3&live=1&port=8002&node=-1&ssl=0&change_home_server=0&resource=0'
back='op=migrate&destination=127.0.0.2&live=1&port=8002&node=-1&ssl=0&change_home_server=0&resource=0'
: > "$T/xenmig" ; : > "$T/curl"
i=0
while [ $i -lt "$N" ]; do
    t0=$(now)
    "$B/xenmig" migrate -q --live small xenhost-b \
        --connect http://xenhost-a:8000
    t1=$(now)
    awk "BEGIN { print $t1 - $t0 }" >> "$T/xenmig"
    curl -sf -o /dev/null --data "$back" http://127.0.0.3:8000/xend/domain/small
    t0=$(now)
    curl -sf -o /dev/null --data "$form" http://127.0.0.2:8000/xend/domain/small
    t1=$(now)
    awk "BEGIN { print $t1 - $t0 }" >> "$T/curl"
    curl -sf -o /dev/null --data "$back" http://127.0.0.3:8000/xend/domain/small
    i=$((i + 1))
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mx=$(median "$T/xenmig"); mc=$(median "$T/curl")
printf 'migrate of a 16 MiB domain, %d rounds each, median wall time\n' "$N"
printf '  xenmig migrate (all checks, 5 steps): %.3f s\n' "$mx"
printf '  curl POST op=migrate (baseline):      %.3f s\n' "$mc"
awk "BEGIN { printf \"  ratio xenmig/curl: %.2f\\n\", $mx / $mc }"
