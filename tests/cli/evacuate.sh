#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# evacuate.sh: xenmig evacuate against three emulated hosts: a plan that
# memory forces, 12 domains over two destinations, --dry-run moving
# nothing, a destination whose restores fail (the rest goes on), a lost
# domain stopping new launches, one budget over 3 parallel streams, and
# Ctrl-C in the middle, then recover: every domain on exactly one host.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

SRC=xenhost-a
# 12 small domains, 188 MiB: big (40) fits only xenhost-b
DOMS="big:40 d01:20 d02:20 d03:16 d04:16 d05:12 d06:12 d07:12 d08:12 d09:8 d10:8 d11:12"
hosts() { # hosts "A OPTS" "B OPTS" "C OPTS"
    stop_hosts
    _specs=
    for _d in $DOMS; do
        _specs="$_specs --domain name=${_d%%:*},memory=${_d#*:}"
    done
    # shellcheck disable=SC2086
    start_host xenhost-a 0 $_specs $1
    # shellcheck disable=SC2086
    start_host xenhost-b 0 --free-memory 120 $2
    # shellcheck disable=SC2086
    start_host xenhost-c 0 --free-memory 90 $3
}
# count HOST: domains (not Domain-0) running there
count() { domains "$1" | grep -vcx Domain-0; }
# each_once: every domain runs on exactly one of the three hosts
each_once() {
    for _h in xenhost-a xenhost-b xenhost-c; do
        domains $_h > "$T/on.$_h" || fail "$1: cannot list $_h"
    done
    for _d in $DOMS; do
        _n=$(cat "$T/on.xenhost-a" "$T/on.xenhost-b" "$T/on.xenhost-c" |
             grep -cx "${_d%%:*}")
        [ "$_n" -eq 1 ] || fail "$1: ${_d%%:*} runs on $_n hosts"
    done
}
# signal_mid_run SIG WHAT: evacuate --json to xenhost-b and -c in the
# background, send SIG once a migration reports progress; its exit
# status in $st
signal_mid_run() {
    "$PWD/$B/xenmig" evacuate --json $SRC --to xenhost-b,xenhost-c \
        > "$T/stdout" 2> "$T/stderr" &
    pid=$!
    i=0
    until grep -q '"event":"progress"' "$T/stdout"; do
        i=$((i + 1))
        [ $i -le 300 ] || fail "$2: no migration started"
        sleep 0.1
    done
    kill -"$1" $pid
    wait $pid
    st=$?
}
summary() { tail -n 1 "$T/stdout"; }
field() { # field NAME: from the --json summary
    summary | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# --- --dry-run: a plan, nothing moved ---------------------------------
hosts "" "" ""
expect_exit 0 xm evacuate --dry-run $SRC --to xenhost-b,xenhost-c
grep -q "^Plan: 12 domains off xenhost-a (spread, biggest first)" \
    "$T/stdout" || fail "dry-run plan: $(cat "$T/stdout")"
grep -q "^  1   big .* 40 MiB  xenhost-b$" "$T/stdout" ||
    fail "dry-run: big not first or not on xenhost-b: $(cat "$T/stdout")"
expect_exit 0 xm evacuate --dry-run --json $SRC --to xenhost-b \
    --to xenhost-c --exclude d11
python3 -c '
import json, sys
p = json.loads(open(sys.argv[1]).readline())
assert p["event"] == "plan" and p["dry_run"], p
d = {x["domain"]: x for x in p["domains"]}
assert len(d) == 11 and "d11" not in d, d
assert d["big"]["destination"] == "xenhost-b", d["big"]
' "$T/stdout" || fail "dry-run --json: $(cat "$T/stdout")"
[ "$(count xenhost-a)" -eq 12 ] || fail "dry-run moved a domain"
# no room anywhere: reported, exit 1, nothing moved
expect_exit 1 xm evacuate --dry-run $SRC --to xenhost-c
grep -q "none: xenhost-c: .* MiB free after the plan" "$T/stdout" ||
    fail "dry-run without room: $(cat "$T/stdout")"
# a destination whose hosts-allow rejects us: not usable, named, and
# nothing placed there (xenhost-b alone takes what fits: exit 1)
hosts "" "" "--fault relocation-deny"
expect_exit 1 xm evacuate --dry-run $SRC --to xenhost-c,xenhost-b
grep -q "^  to xenhost-c  *not usable: .*hosts-allow rejects us" \
    "$T/stdout" || fail "dry-run, xenhost-c refusing: $(cat "$T/stdout")"
! grep -q "MiB  xenhost-c$" "$T/stdout" ||
    fail "a domain placed on the refusing xenhost-c: $(cat "$T/stdout")"
grep -q "^  1   big .* 40 MiB  xenhost-b$" "$T/stdout" ||
    fail "dry-run, xenhost-c refusing: big not on xenhost-b: $(cat "$T/stdout")"
[ "$(count xenhost-a)" -eq 12 ] || fail "dry-run moved a domain"
hosts "" "" ""

# --- usage -------------------------------------------------------------
expect_exit 2 xm evacuate $SRC
grep -q "wants --to" "$T/stderr" || fail "no --to: $(cat "$T/stderr")"
expect_exit 2 xm evacuate --direct -r 100 $SRC --to xenhost-b
expect_exit 2 xm evacuate --place far $SRC --to xenhost-b
expect_exit 2 xm evacuate --only big,nosuch $SRC --to xenhost-b
grep -q "only 'nosuch': 'xenhost-a' runs no such domain" "$T/stderr" ||
    fail "--only typo: $(cat "$T/stderr")"

# --- 12 domains over two destinations, under one budget, 3 at once ----
expect_exit 0 xm evacuate --json --parallel 3 --per-dest 2 -r 400 $SRC \
    --to xenhost-b,xenhost-c
[ "$(field moved)" -eq 12 ] && [ "$(field only_domain0)" = True ] ||
    fail "evacuate: $(summary)"
# every stream went through the one budget, never more than 3 at once
python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert s["budget_bytes"] >= 188 << 20, s
assert 1 <= s["budget_peak_streams"] <= 3, s
' "$T/stdout" || fail "budget: $(summary)"
grep -q '"event":"progress","domain":"big"' "$T/stdout" ||
    fail "no progress event naming the domain"
[ "$(count xenhost-a)" -eq 0 ] || fail "xenhost-a not empty"
has_domain xenhost-b big || fail "big is not on xenhost-b"
each_once "evacuate"

# --- the text report ---------------------------------------------------
hosts "" "" ""
expect_exit 0 xm evacuate --only big,d09 $SRC --to xenhost-b,xenhost-c
grep -q "^big  *xenhost-b  *moved " "$T/stdout" ||
    fail "table: $(cat "$T/stdout")"
grep -q "^xenhost-a runs only Domain-0$" "$T/stdout" && fail "only two moved"
grep -q "^still on xenhost-a: d10 (excluded)$" "$T/stdout" ||
    fail "excluded not named: $(cat "$T/stdout")"

# --- a stream at its destination frees its slot during the restore ---
# --parallel 1 counts streams: the next migration starts once the
# previous one's bytes are all sent ("sent"), while that destination
# still restores it; never two streams at once, never more than 2
# migrations in flight (1 into each destination with --per-dest 1)
hosts "" "--restore-delay 1" "--restore-delay 1"
expect_exit 0 xm evacuate --json --parallel 1 --per-dest 1 -r 400 \
    --only d03,d05,d07,d09 $SRC --to xenhost-b,xenhost-c
python3 -c '
import json, sys
streaming, flight, overlap = set(), set(), 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    ev, d = e.get("event"), e.get("domain")
    if ev == "start":
        overlap += bool(flight - streaming)
        streaming.add(d)
        flight.add(d)
        assert len(streaming) <= 1, ("two streams", line)
        assert len(flight) <= 2, ("three in flight", line)
    elif ev == "progress" and e["sent"]:
        streaming.discard(d)
    elif ev == "end":
        assert e["outcome"] == "moved", line
        streaming.discard(d)
        flight.discard(d)
assert overlap >= 1, "no migration started during a restore"
' "$T/stdout" || fail "overlap: $(cat "$T/stdout")"
[ "$(field moved)" -eq 4 ] || fail "overlap: $(summary)"
each_once "overlap"

# --- a destination whose restores fail: the others go on (exit 1) -----
hosts "" "" "--fault restore-fail"
expect_exit 1 xm evacuate --json $SRC --to xenhost-b,xenhost-c
failed=$(field failed)
[ "$failed" -ge 1 ] && [ $(( $(field moved) + failed )) -eq 12 ] ||
    fail "restore-fail: $(summary)"
[ "$(count xenhost-c)" -eq 0 ] || fail "restore-fail: domains on xenhost-c"
[ "$(count xenhost-a)" -eq "$failed" ] || fail "restore-fail: not on a"
each_once "restore-fail"

# --- a lost domain stops new launches at once (exit 3) -----------------
hosts "" "--fault restore-fail-late" ""
expect_exit 3 xm evacuate --parallel 1 $SRC --to xenhost-b,xenhost-c
grep -q "^big .*lost" "$T/stdout" || fail "lost: $(cat "$T/stdout")"
grep -q "^stopped: domain 'big' was lost by xend" "$T/stdout" ||
    fail "lost: no stop: $(cat "$T/stdout")"
grep -q " skipped " "$T/stdout" || fail "lost: nothing skipped"

# --- Ctrl-C in the middle, then recover ---------------------------------
hosts "--link-rate 40" "" ""
signal_mid_run INT interrupt
[ $st -eq 1 ] || fail "interrupt: exited $st: $(cat "$T/stderr")"
grep -q "interrupted: cancelling the running migrations" "$T/stderr" ||
    fail "interrupt: $(cat "$T/stderr")"
[ "$(field cancelled)" -ge 1 ] || fail "interrupt: $(summary)"
expect_exit 0 xm recover
each_once "interrupt"

# --- SIGTERM ends at once; the journal lets recover settle it ------------
hosts "--link-rate 40" "" ""
signal_mid_run TERM SIGTERM
[ $st -eq 4 ] || fail "SIGTERM: exited $st: $(cat "$T/stderr")"
grep -q "terminated: .* run 'xenmig recover'" "$T/stderr" ||
    fail "SIGTERM: $(cat "$T/stderr")"
ls "$XENMIG_RUN_DIR/journal" | grep -q '\.journal$' ||
    fail "SIGTERM: no journal entry left"
# xend resumes each cut domain on the source: wait for it, then recover
i=0
while control xenhost-a /state | grep -q '"migrating-' && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
xm recover > "$T/rec.out" 2>&1
[ $? -le 1 ] || fail "SIGTERM: recover: $(cat "$T/rec.out")"
ls "$XENMIG_RUN_DIR/journal" | grep -q '\.journal$' &&
    fail "SIGTERM: recover left an entry: $(cat "$T/rec.out")"
each_once "SIGTERM"
pass
