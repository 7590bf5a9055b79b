#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# recover.sh: one migration per domain (the lock), the journal, xenmig
# recover after SIGKILL at every step boundary, SIGHUP as SIGTERM, and
# two runs of one migration never leaving two copies.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

SRC=http://xenhost-a:8000
UUID=6d1c0b9e-4f3a-4c2e-9b7d-0a1b2c3d4e5f
hosts() { # hosts "SRC OPTS" "DST OPTS"
    stop_hosts
    start_host xenhost-a 127.0.0.2 --domain \
        name=web01,memory=32,uuid=$UUID $1
    start_host xenhost-b 127.0.0.3 $2
}
# copies HOST: how many running domains with the UUID xend lists there
copies() {
    xm list --connect "http://$1:8000" --json | python3 -c '
import json, sys
print(sum(1 for d in json.load(sys.stdin) if d["uuid"] == sys.argv[1]))' "$UUID"
}
# one_copy: exactly one running copy, on either host
one_copy() {
    _a=$(copies xenhost-a) _b=$(copies xenhost-b)
    [ $((_a + _b)) -eq 1 ] || fail "$1: $_a copies on xenhost-a, $_b on xenhost-b"
}
# settle: wait (bounded) until neither host holds the domain in flight
settle() {
    _i=0
    while control xenhost-a /state | grep -q '"migrating-' &&
          [ $_i -lt 100 ]; do
        sleep 0.1
        _i=$((_i + 1))
    done
}
journal() { ls "$XENMIG_RUN_DIR/journal" 2>/dev/null | grep -c '\.journal$'; }

# --- list marks two domains with one UUID ----------------------------
stop_hosts
start_host xenhost-a 127.0.0.2 --domain name=web01,memory=16,uuid=$UUID \
    --domain name=web02,memory=16,uuid=$UUID --domain name=db01,memory=16
expect_exit 0 xm list --connect $SRC --json
python3 -c '
import json, sys
d = {x["name"]: x.get("duplicate_uuid", False) for x in json.load(open(sys.argv[1]))}
assert d["web01"] and d["web02"] and not d["db01"], d' "$T/stdout" ||
    fail "list --json duplicate_uuid: $(cat "$T/stdout")"
grep -q "warning: domain 'web02' (id [0-9]*) shares UUID $UUID" "$T/stderr" ||
    fail "list warning: $(cat "$T/stderr")"
expect_exit 0 xm list --connect $SRC
grep -q "db01" "$T/stderr" && fail "db01 marked: $(cat "$T/stderr")"

# --- recovery converges: the destination's copy goes away on its own
# between recovery's look and its destroy ("no such domain" = gone)
for mode in --direct "-r 1000"; do
    hosts "--link-rate 0 --fault after-stream=fail" \
        "--link-rate 0 --fault destroy-gone"
    expect_exit 1 xm migrate $mode web01 xenhost-b --connect $SRC
    grep -q "domain 'web01' is running on 'xenhost-a'; its copy restored on 'xenhost-b' after xend resumed it here was destroyed" \
        "$T/stderr" || fail "destroy-gone ($mode): $(cat "$T/stderr")"
    one_copy "destroy-gone ($mode)"
done

# --- the lock: a second run of the same migration fails at once -------
hosts "--link-rate 40" "--link-rate 0"
"$PWD/$B/xenmig" migrate -r 100 web01 xenhost-b --connect $SRC \
    > "$T/first.out" 2> "$T/first.err" &
first=$!
i=0
until [ -e "$XENMIG_RUN_DIR/journal/$UUID.journal" ] || [ $i -ge 100 ]; do
    sleep 0.05; i=$((i + 1))
done
expect_exit 1 xm migrate -r 100 web01 xenhost-b --connect $SRC
grep -q "domain 'web01' is already being migrated by pid $first on '.*' since 20" \
    "$T/stderr" || fail "lock: $(cat "$T/stderr")"
wait $first || fail "first run exited $?: $(cat "$T/first.err")"
[ "$(copies xenhost-b)" -eq 1 ] && [ "$(copies xenhost-a)" -eq 0 ] ||
    fail "lock: not on xenhost-b alone"
[ "$(journal)" -eq 0 ] || fail "journal entry left after success"

# --- SIGKILL at every step boundary, then xenmig recover --------------
for at in begin prepare perform finish confirm end; do
    for mode in --direct "-r 1000"; do
        hosts "--link-rate 0" "--link-rate 0"
        XENMIG_TEST_KILL_AT=$at "$PWD/$B/xenmig" migrate $mode web01 \
            xenhost-b --connect $SRC > /dev/null 2>&1
        st=$?
        [ $st -eq 137 ] || fail "kill at $at ($mode): exited $st"
        if [ $at != begin ]; then
            [ "$(journal)" -eq 1 ] || fail "kill at $at: no journal entry"
            expect_exit 1 xm migrate $mode web01 xenhost-b --connect $SRC
            grep -q "run 'xenmig recover $UUID' first" "$T/stderr" ||
                fail "migrate after kill at $at: $(cat "$T/stderr")"
        fi
        xm recover --json > "$T/rec.json" 2> "$T/rec.err"
        st=$?
        case $at in
        begin|prepare|perform) want=1 where=source ;;
        *) want=0 where=destination ;;
        esac
        [ $at = begin ] && want=0
        [ $st -eq $want ] ||
            fail "recover after kill at $at ($mode) exited $st: $(cat "$T/rec.json" "$T/rec.err")"
        [ $at = begin ] ||
            grep -q "\"where\": *\"$where\"" "$T/rec.json" ||
            fail "recover after kill at $at: $(cat "$T/rec.json")"
        one_copy "kill at $at ($mode)"
        [ "$(journal)" -eq 0 ] || fail "kill at $at: entry left"
    done
done

# --- SIGPIPE (stdout gone) changes nothing; SIGHUP and SIGTERM recover -
hosts "--link-rate 0" "--link-rate 0"
XENMIG_TEST_KILL_AT=finish:PIPE expect_exit 0 xm migrate -r 1000 --json \
    web01 xenhost-b --connect $SRC
one_copy "SIGPIPE at finish"
for sig in HUP TERM; do
    hosts "--link-rate 0" "--link-rate 0"
    XENMIG_TEST_KILL_AT=perform:$sig expect_exit 4 xm migrate --direct \
        web01 xenhost-b --connect $SRC
    mv "$T/stderr" "$T/$sig.err"
    settle
    expect_exit 1 xm recover
    grep -q "domain 'web01' is running on 'xenhost-a'" "$T/stderr" ||
        fail "recover after SIG$sig: $(cat "$T/stderr")"
    one_copy "SIG$sig before perform, then recover"
done
# SIGHUP is a lost terminal: handled as Ctrl-C (xend cannot be stopped
# in --direct mode, so it ends at once too); both name recover
grep -q "interrupted: xend goes on with the migration on its own; run 'xenmig recover' once it is done" "$T/HUP.err" ||
    fail "SIGHUP: $(cat "$T/HUP.err")"
grep -q "terminated: .*run 'xenmig recover web01'" "$T/TERM.err" ||
    fail "SIGTERM: $(cat "$T/TERM.err")"

# --- SIGKILL while xend streams (--direct): recover waits for xend ----
hosts "--link-rate 40" "--link-rate 0"
"$PWD/$B/xenmig" migrate --direct web01 xenhost-b --connect $SRC \
    > /dev/null 2>&1 &
pid=$!
i=0
until control xenhost-a /state | grep -q '"migrating-web01"' ||
      [ $i -ge 100 ]; do
    sleep 0.05; i=$((i + 1))
done
kill -KILL $pid
wait $pid
expect_exit 0 xm recover web01
grep -q "recovered 'web01': it runs on 'http://xenhost-b:8000'" "$T/stdout" ||
    fail "recover during the stream: $(cat "$T/stdout" "$T/stderr")"
one_copy "SIGKILL during the stream"

# --- the issue's reproduction: xend resumes the source after the stream
# while the destination restores it 3 s later; SIGHUP, then SIGKILL, at
# 3.5 s. 32 MiB at 200 Mbit/s is about 1.4 s of stream.
for sig in HUP KILL; do
    hosts "--link-rate 200 --fault after-stream=fail" \
        "--link-rate 0 --restore-delay 3"
    "$PWD/$B/xenmig" migrate -r 1000 web01 xenhost-b --connect $SRC \
        > "$T/stdout" 2> "$T/stderr" &
    pid=$!
    sleep 3.5
    kill -$sig $pid
    wait $pid
    st=$?
    if [ $sig = HUP ]; then
        [ $st -eq 1 ] || fail "SIGHUP at 3.5 s exited $st: $(cat "$T/stderr")"
        grep -q "domain 'web01' is running on 'xenhost-a'" "$T/stderr" ||
            fail "SIGHUP message: $(cat "$T/stderr")"
    else
        [ $st -eq 137 ] || fail "SIGKILL at 3.5 s: exited $st"
        expect_exit 1 xm recover
        grep -q "domain 'web01' is running on 'xenhost-a'" "$T/stderr" ||
            fail "recover after SIGKILL: $(cat "$T/stderr")"
    fi
    settle
    one_copy "SIG$sig at 3.5 s"
    [ "$(copies xenhost-a)" -eq 1 ] || fail "SIG$sig: not on the source"
done

# --- two runs at once, as if from two machines (two lock directories) --
for modes in "--direct:--direct" "-r 1000:--direct" "-r 1000:-r 1000"; do
    hosts "--link-rate 100" "--link-rate 0"
    XENMIG_RUN_DIR="$T/run1" "$PWD/$B/xenmig" migrate -l ${modes%%:*} \
        web01 xenhost-b --connect $SRC > "$T/one.out" 2> "$T/one.err" &
    p1=$!
    XENMIG_RUN_DIR="$T/run2" "$PWD/$B/xenmig" migrate -l ${modes##*:} \
        web01 xenhost-b --connect $SRC > "$T/two.out" 2> "$T/two.err" &
    p2=$!
    wait $p1; s1=$?
    wait $p2; s2=$?
    settle
    one_copy "two runs ($modes): exits $s1 and $s2: $(cat "$T/one.err" "$T/two.err")"
    [ $s1 -ne 0 ] || [ $s2 -ne 0 ] ||
        fail "two runs ($modes) both exited 0"
    for f in one two; do
        grep -q "already in flight\|second domain with its UUID\|already has domain\|no such domain\|already being" \
            "$T/$f.err" || [ ! -s "$T/$f.err" ] ||
            fail "two runs ($modes), run $f: $(cat "$T/$f.err")"
    done
done
pass
