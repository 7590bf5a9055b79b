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
    xm1.*) ;;
    *) fail "prepare printed '$C1'" ;;
esac
printf '%s' "$C1" | grep -q '^[A-Za-z0-9._-]*$' || fail "cookie not shell-safe"

# a cookie for the wrong step, a tampered one, a truncated one
expect_exit 1 xm finish --cookie "$C1" xenhost-b
grep -q "expects one from 'perform'" "$T/stderr" || fail "step: $(cat "$T/stderr")"
bad=$(printf '%s' "$C1" | sed 's/.$/A/; t; s/.$/B/')
[ "$bad" != "$C1" ] || bad=$(printf '%s' "$C1" | sed 's/.$/B/')
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
