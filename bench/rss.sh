#!/bin/sh
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

# peak RSS (KiB) and wall time of one relayed migration (--timeout
# asks for the relay; no cap, so the relay runs flat out)
peak() {
    python3 - "$PWD/$B/xenmig" "$1" <<'PY'
import resource, subprocess, sys, time
t0 = time.monotonic()
subprocess.run([sys.argv[1], "migrate", "-q", "--timeout", "600",
                sys.argv[2], "xenhost-b", "--connect",
                "http://xenhost-a:8000"], check=True)
dt = time.monotonic() - t0
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "%.1f" % dt)
PY
}
set -- $(peak small); small_kib=$1 small_s=$2
set -- $(peak big); big_kib=$1 big_s=$2
echo "peak RSS of xenmig migrate through the relay (uncapped):"
echo "  256 MiB domain: $small_kib KiB ($small_s s)"
echo "  4 GiB domain:   $big_kib KiB ($big_s s)"
awk "BEGIN { printf \"  ratio 4 GiB / 256 MiB: %.2f\\n\", $big_kib / $small_kib }"
