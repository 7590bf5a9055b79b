#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migrate_steps.sh: the single steps with cookies through shell
# variables; tampered, foreign and out-of-order cookies are refused;
# hostile domain names stay inside their form value.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

SRC=http://xenhost-a:8000
start_host xenhost-a 127.0.0.2 --link-rate 0 \
    --domain name=web01,memory=64 --domain name=keep,memory=16 \
    --domain "name=a&op=destroy,memory=16" \
    --domain "name=q'u\"o te%2F/x,memory=16"
start_host xenhost-b 127.0.0.3 --link-rate 0

C1=$(xm prepare --live web01 xenhost-b --connect $SRC) || fail "prepare"
case $C1 in
    '{"format":"xenmig-cookie","version":2,"step":"prepare",'*) ;;
    *) fail "prepare printed '$C1'" ;;
esac
[ "$(printf '%s\n' "$C1" | wc -l)" -eq 1 ] || fail "cookie is not one line"
printf '%s' "$C1" | python3 -c 'import json,sys; json.load(sys.stdin)' ||
    fail "cookie is not JSON: $C1"

# a cookie for the wrong step, a tampered one, a truncated one
expect_exit 1 xm finish --cookie "$C1" xenhost-b
grep -q "expects one from 'perform'" "$T/stderr" || fail "step: $(cat "$T/stderr")"
# the last digit of the creation time, one up or down: still JSON, the
# checksum tells
bad=$(printf '%s' "$C1" |
    sed -E 's/("created":[0-9]*)([0-8])/\1X\2/; s/X0/1/; s/X1/2/; s/X2/3/;
            s/X3/4/; s/X4/5/; s/X5/6/; s/X6/7/; s/X7/8/; s/X8/9/')
[ "$bad" != "$C1" ] || fail "could not tamper with '$C1'"
expect_exit 1 xm perform --cookie "$bad" --connect $SRC
grep -qiE "checksum|truncated|malformed|corrupted" "$T/stderr" || fail "tamper: $(cat "$T/stderr")"
short=$(printf '%s' "$C1" | cut -c1-40)
expect_exit 1 xm perform --cookie "$short" --connect $SRC
grep -q "truncated" "$T/stderr" || fail "truncation: $(cat "$T/stderr")"
has_domain xenhost-a web01 || fail "a refused cookie moved web01"

C2=$(xm perform --cookie "$C1" --connect $SRC) || fail "perform"
C3=$(xm finish --cookie "$C2" xenhost-b) || fail "finish"
expect_exit 0 xm confirm --cookie "$C3" --connect $SRC
exactly_on xenhost-b xenhost-a web01
# replaying an old step is refused
expect_exit 1 xm perform --cookie "$C1" --connect $SRC
has_domain xenhost-b web01 || fail "replay moved web01"

# confirm --failed after a failed perform: domain runs on the source
C1=$(xm prepare keep xenhost-b --connect $SRC) || fail "prepare keep"
expect_exit 0 xm confirm --failed --cookie "$C1" --connect $SRC
has_domain xenhost-a keep || fail "keep is not on xenhost-a"

# hostile names: only the intended migration happens
for name in "a&op=destroy" "q'u\"o te%2F/x"; do
    expect_exit 0 xm migrate "$name" xenhost-b --connect $SRC
    exactly_on xenhost-b xenhost-a "$name"
done
has_domain xenhost-a keep || fail "a hostile name touched 'keep'"
pass
