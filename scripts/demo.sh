#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# demo.sh: the main job on built-in emulated hosts. Starts xenhost-a
# (N.2) with the domain web01 and xenhost-b (N.3), on a loopback /24
# N of its own, both named through a private /etc/hosts, then shows the destination,
# checks, live-migrates web01 and lists both hosts' domains. Then
# xenhost-a is emptied for maintenance: 'xenmig evacuate' moves its
# other domains to xenhost-b and xenhost-c (N.4) under one budget.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
if [ -z "${XM_IN_HOSTS:-}" ]; then
    if ! python3 tests/emulator/with-hosts --check >/dev/null 2>&1; then
        echo "demo: cannot make a private mount namespace for /etc/hosts" >&2
        echo "demo: run it as root, or where 'unshare -rm' works" >&2
        exit 1
    fi
    # a loopback /24 of its own (127.2xx.y.0/24), as the tests use, so
    # that nothing else on the machine (a real xend on 127.0.0.x, a test
    # run) holds its ports
    set -- $(od -An -N2 -tu1 /dev/urandom)
    net=127.$((200 + $1 % 50)).$(($2 % 250 + 1))
    XM_IN_HOSTS=1 XM_DEMO_NET=$net exec python3 tests/emulator/with-hosts \
        --no-defaults --map localhost.localdomain=127.0.0.1 \
        --map xenhost-a=$net.2 --map xenhost-b=$net.3 \
        --map xenhost-c=$net.4 -- sh "$0"
fi
net=${XM_DEMO_NET:-127.0.0}

T=$(mktemp -d)
pids=""
cleanup() {
    [ -z "$pids" ] || kill $pids 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
xm() { "$PWD/$B/xenmig" "$@"; }
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

start() {
    name=$1
    shift
    python3 tests/emulator/xenhost --name "$name" \
        --ready-file "$T/$name.ready" --log-file "$T/$name.log" "$@" &
    pids="$pids $!"
}
# 256 MiB guest dirtying 4 MiB/s, over a 1 Gbit/s emulated link
start xenhost-a --address "$net.2" \
    --domain name=web01,memory=256,vcpus=2,dirty=4 \
    --domain name=db01,memory=512,vcpus=2 \
    --domain name=app01,memory=128,dirty=2 \
    --domain name=app02,memory=128 --domain name=mail01,memory=64
start xenhost-b --address "$net.3" --free-memory 1024
start xenhost-c --address "$net.4" --free-memory 640
for i in $(seq 100); do
    [ -s "$T/xenhost-a.ready" ] && [ -s "$T/xenhost-b.ready" ] &&
        [ -s "$T/xenhost-c.ready" ] && break
    sleep 0.1
done
[ -s "$T/xenhost-c.ready" ] || { echo "demo: hosts did not start" >&2; exit 1; }

echo "Three emulated Xen hosts run xend 4.4: xenhost-a, xenhost-b and xenhost-c."
say xenmig list --connect http://xenhost-a:8000
xm list --connect http://xenhost-a:8000
say xenmig info --connect http://xenhost-b:8000
xm info --connect http://xenhost-b:8000
if xm --help | grep -q '^  capabilities '; then
    say xenmig capabilities --connect http://xenhost-b:8000
    xm capabilities --connect http://xenhost-b:8000
fi
say xenmig check web01 xenhost-b --connect http://xenhost-a:8000
xm check web01 xenhost-b --connect http://xenhost-a:8000
say xenmig migrate --live --resource 400 web01 xenhost-b --connect http://xenhost-a:8000
xm migrate --live --resource 400 web01 xenhost-b --connect http://xenhost-a:8000
port=$(sed -nE 's/.*"control_port": ([0-9]+).*/\1/p' "$T/xenhost-a.ready")
echo "(the emulated source measured: $(curl -sf --max-time 5 \
    "http://$net.2:$port/stats" | python3 -c '
import json, sys
m = json.load(sys.stdin)["migrations"][-1]
print("%d MiB sent in %d rounds, downtime %.0f ms" % (
    m["bytes_sent"] >> 20, m["rounds"], m["downtime_s"] * 1000))
' 2>/dev/null || echo "stats unavailable"))"
say xenmig list --connect http://xenhost-a:8000
xm list --connect http://xenhost-a:8000
say xenmig list --connect http://xenhost-b:8000
xm list --connect http://xenhost-b:8000
echo
echo "web01 now runs on xenhost-b only."

echo
echo "xenhost-a needs a reboot: empty it, at most 800 Mbit/s in all."
say xenmig evacuate xenhost-a --to xenhost-b,xenhost-c -r 800 --dry-run
xm evacuate xenhost-a --to xenhost-b,xenhost-c -r 800 --dry-run
say xenmig evacuate xenhost-a --to xenhost-b,xenhost-c -r 800
xm evacuate xenhost-a --to xenhost-b,xenhost-c -r 800
say xenmig list --connect http://xenhost-c:8000
xm list --connect http://xenhost-c:8000
