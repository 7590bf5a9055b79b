#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migrate_ok.sh: live and non-live migrations succeed against every
# xend personality, end to end through the emulator.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

for v in 3.0.0 3.0.2 3.3 4.0 4.1; do
    start_host xenhost-a 127.0.0.2 --version "$v" --link-rate 0 \
        --domain name=web01,memory=64,dirty=5 \
        --domain name=db01,memory=32
    start_host xenhost-b 127.0.0.3 --version "$v" --link-rate 0
    expect_exit 0 xm migrate --live web01 xenhost-b \
        --connect http://xenhost-a:8000
    exactly_on xenhost-b xenhost-a web01
    expect_exit 0 xm migrate db01 xenhost-b \
        --connect http://xenhost-a:8000 --json
    grep -q '"result": *"migrated"' "$T/stdout" || fail "json: $(cat "$T/stdout")"
    exactly_on xenhost-b xenhost-a db01
    # and back, by the destination's xend URI
    expect_exit 0 xm migrate --live web01 http://xenhost-a:8000 \
        --connect http://xenhost-b:8000
    exactly_on xenhost-a xenhost-b web01
    stop_hosts
    rm -f "$T"/*.ready
done

# a local source xend (its Unix socket) with xenstored beside it:
# confirm watches @releaseDomain through libxenstore
start_host xenhost-a 127.0.0.2 --link-rate 0 --unix-socket "$T/a.sock" \
    --xenstore-socket "$T/a.xs" --domain name=web01,memory=32
start_host xenhost-b 127.0.0.3 --link-rate 0
XENSTORED_PATH="$T/a.xs" expect_exit 0 xm migrate --live web01 xenhost-b \
    --connect "unix://$T/a.sock"
exactly_on xenhost-b xenhost-a web01
if command -v xenstore-list >/dev/null 2>&1; then
    XENSTORED_PATH="$T/a.xs" xenstore-list /local/domain > "$T/xs" ||
        fail "xenstore-list against the emulator"
    [ "$(cat "$T/xs")" = 0 ] || fail "xenstore still lists: $(cat "$T/xs")"
fi
stop_hosts

# an HVM domain: live to a host with hvm caps, refused by one without
start_host xenhost-a 127.0.0.2 --link-rate 0 \
    --domain name=win01,memory=32,type=hvm
start_host xenhost-b 127.0.0.3 --link-rate 0 --xen-caps 'xen-3.0-x86_64'
start_host xenhost-c 127.0.0.4 --link-rate 0
expect_exit 1 xm migrate --live win01 xenhost-b --connect http://xenhost-a:8000
grep -q "lacks xen_caps 'hvm-" "$T/stderr" || fail "hvm caps: $(cat "$T/stderr")"
has_domain xenhost-a win01 || fail "win01 left xenhost-a"
expect_exit 0 xm migrate --live win01 xenhost-c --connect http://xenhost-a:8000
exactly_on xenhost-c xenhost-a win01
xm list --connect http://xenhost-c:8000 --json | grep -q '"hvm": *true' ||
    fail "win01 is not HVM on xenhost-c"
# a reader that goes away (head -c1) neither kills the migration nor
# changes its exit code; -v shows every check on stderr
{ xm migrate -v --json win01 xenhost-a --connect http://xenhost-c:8000 \
    2> "$T/stderr"; echo $? > "$T/status"; } | head -c 1 > /dev/null
[ "$(cat "$T/status")" -eq 0 ] ||
    fail "migrate --json | head -c1 exited $(cat "$T/status"): $(cat "$T/stderr")"
exactly_on xenhost-a xenhost-c win01
# (whether a write fails depends on when head quits: not asserted)
grep -q '^xenmig: check memory ok: ' "$T/stderr" ||
    fail "-v: no check lines: $(cat "$T/stderr")"
pass
