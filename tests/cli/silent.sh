#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# silent.sh: xend that never answers op=migrate (reference 4.7, 7b.6)
# does not hold xenmig for the default hour: the domain's state ends
# the wait. SIGTERM ends a run at once with a final line.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

SRC=http://xenhost-a:8000
hosts() {
    stop_hosts
    start_host xenhost-a 127.0.0.2 --link-rate 0 \
        --domain name=web01,memory=48 ${1:+--fault "$1"}
    start_host xenhost-b 127.0.0.3 --link-rate 0
}

# xend resumes the domain, renames it back and never answers: no
# --timeout, yet the run ends once xend's 30 s handshake is over
hosts migrate-hang=resumed
expect_exit 1 xm migrate --direct web01 xenhost-b --connect $SRC
grep -q "xenmig: domain 'web01' is running on 'xenhost-a'; migration \
failed: perform on source 'xenhost-a': xend has not answered op=migrate \
after 3[5-9] s, and domain 'web01' runs here under its own name again: \
xend failed without saying why" "$T/stderr" || fail "silent: $(cat "$T/stderr")"
exactly_on xenhost-a xenhost-b web01

# the same with the source xend on this machine (its Unix socket) and
# its xenstored beside it: the wait sleeps on a xenstore watch of the
# domain's name, which sees xend's rename and write-back that polling
# xend missed (they last microseconds here), so the verdict says so
stop_hosts
start_host xenhost-a 127.0.0.2 --link-rate 0 --unix-socket "$T/a.sock" \
    --xenstore-socket "$T/a.xs" --domain name=web01,memory=48 \
    --fault migrate-hang=resumed
start_host xenhost-b 127.0.0.3 --link-rate 0
XENSTORED_PATH="$T/a.xs" expect_exit 1 xm migrate --direct web01 \
    xenhost-b --connect "unix://$T/a.sock"
grep -q "xenmig: domain 'web01' is running on 'localhost'; migration \
failed: perform on source 'localhost': xend has not answered op=migrate \
after [0-9]* s, and domain 'web01' runs here under its own name again \
(xenstore saw xend write it back): xend failed without saying why" \
    "$T/stderr" || fail "silent, watched: $(cat "$T/stderr")"
grep -q "xenstore: watch /local/domain/[0-9]*/name (token b\?'xenmig-post')" \
    "$T/xenhost-a.log" || fail "no watch of the name: $(grep xenstore \
    "$T/xenhost-a.log")"
exactly_on xenhost-a xenhost-b web01

# SIGTERM: at once, with a last line in text and in --json
hosts ""
"$PWD/$B/xenmig" migrate -r 20 web01 xenhost-b --connect $SRC --json \
    > "$T/stdout" 2> "$T/stderr" &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
st=$?
[ $st -eq 4 ] || fail "SIGTERM exited $st: $(cat "$T/stderr")"
grep -q "xenmig: terminated: domain 'web01' was last known running on \
'xenhost-a'; the relay's stream is cut, so xend should resume it there" \
    "$T/stderr" || fail "SIGTERM text: $(cat "$T/stderr")"
tail -n 1 "$T/stdout" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
assert o["result"] == "unknown", o
assert o["error"]["message"].startswith("terminated: domain "), o' ||
    fail "SIGTERM json: $(tail -n 1 "$T/stdout")"
# the cut stream makes xend resume the domain on the source
i=0
until has_domain xenhost-a web01; do
    i=$((i + 1)); [ $i -le 50 ] || fail "web01 not back on xenhost-a"
    sleep 0.2
done
exactly_on xenhost-a xenhost-b web01
pass
