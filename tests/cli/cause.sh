#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# cause.sh: with the relay on, the failure names what happened first
# and truest (reference 7b): xend's own answer, then the destination's
# (err ...) the relay read, then the user's timeout; "cancelled" only
# when the user cancelled. Text and --json, one case per row.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

SRC=http://xenhost-a:8000
UUID=0c0ffee0-0000-4000-8000-00000000ca5e
hosts() {
    stop_hosts
    start_host xenhost-a 127.0.0.2 --link-rate 0 \
        --domain name=web01,memory=48,uuid=$UUID ${1:+--fault "$1"}
    start_host xenhost-b 127.0.0.3 --link-rate 0 ${2:+--fault "$2"}
}
# jerr FILE: error.name and error.message of the JSON result line
jerr() {
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if "result" in o:
        e = o.get("error") or {}
        print(o["result"], e.get("name"), e.get("message"), sep="|")' "$1"
}
# same CASE WANT: stderr is exactly "xenmig: WANT"
same() {
    printf 'xenmig: %s\n' "$2" > "$T/want"
    cmp -s "$T/want" "$T/stderr" ||
        fail "$1: got '$(cat "$T/stderr")', want '$2'"
}

# row 1: xend's own answer, though the relay saw nothing
msg="domain 'web01' is running on 'xenhost-a'; migration failed: perform \
on source 'xenhost-a': xend at 'http://xenhost-a:8000': POST \
/xend/domain/$UUID: Domain is not a managed domain"
hosts "" ""
expect_exit 1 xm migrate -r 100 -c web01 xenhost-b --connect $SRC
same "xend's answer" "$msg"
expect_exit 1 xm migrate -r 100 -c web01 xenhost-b --connect $SRC --json
[ "$(jerr "$T/stdout")" = "failed|xend reported a failure|$msg" ] ||
    fail "xend's answer, --json: $(jerr "$T/stdout")"
exactly_on xenhost-a xenhost-b web01

# row 2: xend never answers; the destination's (err ...) is the cause
# (the restore failed after the whole stream: the domain is lost)
msg="DOMAIN LOST: 'web01' is on neither 'xenhost-a' nor 'xenhost-b': xend \
destroyed it on the source and the destination did not restore it \
(perform on source 'xenhost-a': destination reported 'Restore failed')"
export XENMIG_SETTLE_TIMEOUT=3       # how long recovery looks for it
hosts migrate-hang=done lost
expect_exit 3 xm migrate -r 1000 web01 xenhost-b --connect $SRC --timeout 3
same "destination's verdict" "$msg"
hosts migrate-hang=done lost
expect_exit 3 xm migrate -r 1000 web01 xenhost-b --connect $SRC \
    --timeout 3 --json
[ "$(jerr "$T/stdout")" = "lost|domain lost|$msg" ] ||
    fail "destination's verdict, --json: $(jerr "$T/stdout")"
unset XENMIG_SETTLE_TIMEOUT

# row 3: the user's timeout, not "cancelled"
hosts "" ""
expect_exit 1 xm migrate -r 20 web01 xenhost-b --connect $SRC --timeout 2
grep -qx "xenmig: domain 'web01' is running on 'xenhost-a'; migration \
failed: perform on source 'xenhost-a': timed out after 2 s: xend had not \
answered op=migrate ([0-9]* bytes had passed the relay)" "$T/stderr" ||
    fail "timeout: $(cat "$T/stderr")"
exactly_on xenhost-a xenhost-b web01
hosts "" ""
expect_exit 1 xm migrate -r 20 web01 xenhost-b --connect $SRC --timeout 2 \
    --json
jerr "$T/stdout" | grep -q "^failed|timed out|.*: timed out after 2 s: " ||
    fail "timeout, --json: $(jerr "$T/stdout")"

# row 4: "cancelled" when the user cancelled (SIGINT)
hosts "" ""
"$PWD/$B/xenmig" migrate -r 20 web01 xenhost-b --connect $SRC --json \
    > "$T/stdout" 2> "$T/stderr" &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
[ $? -eq 1 ] || fail "cancel: $(cat "$T/stderr")"
jerr "$T/stdout" | grep -q "^failed|cancelled|cancelled; domain 'web01' is \
running on 'xenhost-a' (perform on source 'xenhost-a': relay: cancelled \
at byte [0-9]*)\$" || fail "cancel, --json: $(jerr "$T/stdout")"
exactly_on xenhost-a xenhost-b web01
pass
