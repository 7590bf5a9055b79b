#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# rss.sh: peak resident memory of 'xenmig migrate' through the relay,
# moving a 256 MiB and a 4 GiB domain: the relay's buffers are fixed,
# so both must be the same, and small.
#   bench/rss.sh
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
if [ -z "${XM_IN_HOSTS:-}" ]; then
    XM_IN_HOSTS=1 exec python3 tests/emulator/with-hosts -- sh "$0" "$@"
fi
T=$(mktemp -d)
export XENMIG_RUN_DIR="$T/run"
pids=""
trap 'kill $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export LD_LIBRARY_PATH="$PWD/$B"
python3 tests/emulator/xenhost --name xenhost-a --address 127.0.0.2 \
    --link-rate 0 --total-memory 16384 --dom0-memory 512 \
    --domain name=small,memory=256 --domain name=big,memory=4096 \
    --ready-file "$T/a.ready" --log-file "$T/a.log" &
pids="$pids $!"
python3 tests/emulator/xenhost --name xenhost-b --address 127.0.0.3 \
    --link-rate 0 --total-memory 16384 --dom0-memory 512 \
    --ready-file "$T/b.ready" --log-file "$T/b.log" &
pids="$pids $!"
while [ ! -s "$T/a.ready" ] || [ ! -s "$T/b.ready" ]; do sleep 0.1; done

# peak RSS (KiB) and wall time of one run, from bench/util/peakrss.c
# (wait4() of that child alone: a script interpreter's RUSAGE_CHILDREN
# would count the interpreter's pages the child had before exec)
${CC:-cc} -O2 -o "$T/peakrss" bench/util/peakrss.c
# the baseline: the same libraries loaded and initialised, one GET
# shellcheck disable=SC2046
${CC:-cc} -O2 -o "$T/libfloor" bench/util/libfloor.c -Wl,--no-as-needed \
    $(pkg-config --cflags --libs libcurl libxml-2.0 json-c) -lxenstore \
    -lpthread
peak() {
    "$T/peakrss" "$@"
}
# one relayed migration: --timeout asks for the relay; no cap, so the
# relay runs flat out
migrate() {
    peak "$B/xenmig" migrate -q --timeout 600 "$1" xenhost-b \
        --connect http://xenhost-a:8000
}
set -- $(peak "$B/xenmig" --version | tail -n 1); base_kib=$1
set -- $(peak "$T/libfloor" http://xenhost-a:8000/xend/node); floor_kib=$1
set -- $(migrate small); small_kib=$1 small_s=$2
set -- $(migrate big); big_kib=$1 big_s=$2
echo "peak RSS of xenmig migrate through the relay (uncapped):"
echo "  xenmig --version: $base_kib KiB (the libraries loaded)"
echo "  libfloor:         $floor_kib KiB (baseline: the libraries" \
    "initialised, one GET)"
echo "  256 MiB domain:   $small_kib KiB ($small_s s)"
echo "  4 GiB domain:     $big_kib KiB ($big_s s)"
awk "BEGIN { printf \"  ratio 4 GiB / 256 MiB: %.2f\\n\", $big_kib / $small_kib }"
awk "BEGIN { printf \"  ratio 4 GiB / libfloor: %.2f (%d KiB over)\\n\", \
    $big_kib / $floor_kib, $big_kib - $floor_kib }"
