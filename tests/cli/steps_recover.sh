#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# steps_recover.sh: the step commands' recovery looks at both hosts, as
# 'xenmig migrate' does. The source xend fails after the stream (the
# emulator's after-stream=fail: the destination has restored the
# domain, the source resumes its own copy and answers an error), which
# leaves the domain on both hosts; 'finish --cancelled' and 'confirm
# --failed DEST' each end it on one host. Without DEST, 'confirm
# --failed' says it looked at the source only.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

SRC=http://xenhost-a:8000
start_host xenhost-a 127.0.0.2 --link-rate 0 --fault after-stream=fail \
    --domain name=web01,memory=16 --domain name=web02,memory=16 \
    --domain name=web03,memory=16
start_host xenhost-b 127.0.0.3 --link-rate 0

# both_hosts DOM: prepare and perform; perform fails after the stream,
# and the domain runs on both hosts (what the steps must then undo)
both_hosts() {
    C=$(xm prepare "$1" xenhost-b --connect $SRC) || fail "prepare $1"
    expect_exit 1 xm perform --cookie "$C" --connect $SRC
    grep -q "after-stream fault" "$T/stderr" ||
        fail "perform $1: $(head -c 300 "$T/stderr")"
    has_domain xenhost-a "$1" && has_domain xenhost-b "$1" ||
        fail "$1 is not on both hosts after the fault"
}

# finish --cancelled: the destination's copy goes, the source's stays
both_hosts web01
expect_exit 0 xm finish --cancelled --cookie "$C" --connect $SRC xenhost-b
grep -qx "domain runs on the source alone" "$T/stdout" ||
    fail "finish --cancelled said: $(cat "$T/stdout" "$T/stderr")"
exactly_on xenhost-a xenhost-b web01

# confirm --failed DEST: the same recovery, from the source's step
both_hosts web02
expect_exit 0 xm confirm --failed --cookie "$C" --connect $SRC xenhost-b
grep -qx "domain runs on the source alone" "$T/stdout" ||
    fail "confirm --failed DEST said: $(cat "$T/stdout" "$T/stderr")"
exactly_on xenhost-a xenhost-b web02

# confirm --failed without DEST: the source only, and it says so
both_hosts web03
expect_exit 0 xm confirm --failed --cookie "$C" --connect $SRC
grep -q "without DEST only the source is looked at" "$T/stderr" ||
    fail "no warning: $(cat "$T/stderr")"
# ... and DEST then ends what it could not see
expect_exit 0 xm confirm --failed --cookie "$C" --connect $SRC xenhost-b
exactly_on xenhost-a xenhost-b web03

# a usage error: confirm takes one DEST at most
expect_exit 2 xm confirm --failed --cookie "$C" xenhost-b xenhost-c
pass
