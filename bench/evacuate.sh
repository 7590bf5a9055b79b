#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# evacuate.sh: emptying a host whose migration link is LINK Mbit/s, the
# way admins do it (a shell loop of 'xenmig migrate -r LINK', one
# domain at a time) against 'xenmig evacuate -r LINK --parallel 1/2/4'
# (LINK as one budget for the sum of the streams). The emulated source
# sends each stream at up to LINK too, so one stream alone can fill the
# link. For each run: the total time against the floor (total stream
# bytes / LINK), and the sum of the streams while any ran against LINK:
# each stream's interval is its relay's, from the last --json progress
# event (its elapsed_s, ending when the line arrived), and the rate is
# the bytes over the union of the intervals; evacuate's intervals end
# at the stream's "sent" event (every byte at the destination), the
# loop's at the relay's end (the destination's verdict, after its
# restore). "link idle" is the total time outside those intervals.
# --per-dest 1 is evacuate's default, --per-dest 2 the earlier runs'.
# Never fails on speed.
# RESTORE is the destinations' restore time (the emulator's
# --restore-delay): what a real xend spends per domain besides the
# stream, which one-at-a-time pays in full and parallel runs overlap.
#   [LINK=Mbit/s] [DOMAINS=N] [MEM=MiB] [RESTORE=s] sh bench/evacuate.sh
#   (defaults 400, 12, 48, 0)
set -u
LINK=${LINK:-400}
N=${DOMAINS:-12}
MEM=${MEM:-48}
RESTORE=${RESTORE:-0}
export LINK DOMAINS="$N" MEM RESTORE
. "$(dirname "$0")/../tests/cli/lib.sh"
. "$(dirname "$0")/../tests/cli/hosts.sh"

hosts() {
    stop_hosts
    _specs=
    _i=1
    while [ $_i -le "$N" ]; do
        _specs="$_specs --domain name=vm$(printf %02d $_i),memory=$MEM"
        _i=$((_i + 1))
    done
    # shellcheck disable=SC2086
    start_host xenhost-a 0 --link-rate "$LINK" $_specs
    start_host xenhost-b 0 --link-rate "$LINK" --restore-delay "$RESTORE"
    start_host xenhost-c 0 --link-rate "$LINK" --restore-delay "$RESTORE"
}
# stamp: each stdout line of the command after it, with the monotonic
# time it arrived ("T LINE")
cat > "$T/stamp.py" <<'PY'
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True)
for line in p.stdout:
    print("%.6f %s" % (time.monotonic(), line), end="")
sys.exit(p.wait())
PY
now() { python3 -c 'import time; print(time.monotonic())'; }
# report NAME T0 T1: time against the floor, streams against LINK
report() {
    python3 - "$T/events" "$1" "$2" "$3" "$LINK" "$N" <<'PY'
import json, sys
name, t0, t1, link, n = sys.argv[2], float(sys.argv[3]), \
    float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
spans, total, sent = [], 0, {}
for line in open(sys.argv[1]):
    t, _, js = line.partition(" ")
    e = json.loads(js)
    if e.get("event") != "progress":
        continue
    d = e.get("domain")
    if e.get("sent") and not e.get("done") and d not in sent:
        sent[d] = float(t)          # the bytes are all at the destination
    if e.get("done"):
        # the stream from its start to its "sent" (evacuate's events), or
        # to the relay's end, the verdict after the restore included
        # (migrate's events carry no "sent")
        spans.append((float(t) - e["elapsed_s"], sent.pop(d, float(t))))
        total += e["bytes"]
floor = total * 8 / link / 1e6
busy, start, end = 0.0, None, None
for a, b in sorted(spans):
    if end is None or a > end:
        if end is not None:
            busy += end - start
        start, end = a, b
    else:
        end = max(end, b)
if end is not None:
    busy += end - start
rate = total * 8 / busy / 1e6 if busy else 0
print("%-30s %2d/%d  %6.2f s  floor %6.2f s  x%.3f  streams %6.1f "
      "Mbit/s while busy (%+.1f %% of %g)  link idle %5.2f s" % (
          name, len(spans), n, t1 - t0, floor, (t1 - t0) / floor, rate,
          (rate / link - 1) * 100, link, (t1 - t0) - busy))
PY
}

echo "evacuate: $N domains of $MEM MiB, link $LINK Mbit/s, restore $RESTORE s, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
hosts
# the admins' loop, under one time stamper (no per-domain overhead of
# the bench's own)
t0=$(now)
python3 "$T/stamp.py" sh -c '
    i=1
    while [ $i -le "$2" ]; do
        dest=xenhost-b
        [ $((i % 2)) -eq 0 ] && dest=xenhost-c
        "$1" migrate --live --json -r "$3" "vm$(printf %02d $i)" $dest \
            --connect http://xenhost-a:8000 || exit 1
        i=$((i + 1))
    done' loop "$PWD/$B/xenmig" "$N" "$LINK" > "$T/events" ||
    fail "loop failed"
report "shell loop of migrate" "$t0" "$(now)"
for run in "1 2" "2 2" "4 2" "2 1"; do
    # shellcheck disable=SC2086
    set -- $run
    hosts
    t0=$(now)
    python3 "$T/stamp.py" "$PWD/$B/xenmig" evacuate --json --parallel $1 \
        --per-dest $2 -r "$LINK" xenhost-a --to xenhost-b,xenhost-c \
        > "$T/events" || fail "evacuate --parallel $1: $(tail -n 1 "$T/events")"
    report "evacuate --parallel $1 --per-dest $2" "$t0" "$(now)"
done
pass
