#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migration_abort.sh: a migration handle (xenmig_migration_*) run in one
# thread and aborted from another (tests/stepdrive.c abort): mid-stream
# the relay cuts the stream and the domain stays on the source alone;
# before the run, nothing moves; abort twice, and after the end, is
# harmless; a handle runs once.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"
[ -x "$B/test-stepdrive" ] || fail "$B/test-stepdrive is not built"
drive() { "$PWD/$B/test-stepdrive" "$@"; }

SRC=http://xenhost-a:8000
# 32 MiB at 80 Mbit/s: a stream of about 3.4 s, long enough to abort
start_host xenhost-a 127.0.0.2 --link-rate 80 --domain name=web01,memory=32
start_host xenhost-b 127.0.0.3 --link-rate 0

# mid-stream: the stream had moved, the abort cancels, recovery keeps
# the domain on the source
expect_exit 1 drive abort --live --connect $SRC web01 xenhost-b
grep -q '^progress before abort: [1-9][0-9]* bytes' "$T/stdout" ||
    fail "aborted before the stream moved: $(cat "$T/stdout")"
grep -q 'cancelled' "$T/stderr" || fail "not cancelled: $(cat "$T/stderr")"
grep -q '^second run: refused' "$T/stdout" || fail "$(cat "$T/stdout")"
exactly_on xenhost-a xenhost-b web01

# aborted before it ran: stops before begin, nothing moved
expect_exit 1 drive abort --at-start --live --connect $SRC web01 xenhost-b
grep -q 'cancelled before begin; nothing moved' "$T/stderr" ||
    fail "at start: $(cat "$T/stderr")"
exactly_on xenhost-a xenhost-b web01

# and the same migration, not aborted, still goes (the handle's
# progress wrapper changes nothing else)
expect_exit 0 drive migrate --live --connect $SRC web01 xenhost-b
exactly_on xenhost-b xenhost-a web01
pass
