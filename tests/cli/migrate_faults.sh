#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# migrate_faults.sh: every failure leaves the domain running on exactly
# one host (or says loudly that xend lost it), with a one-line reason.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

SRC=http://xenhost-a:8000

# hosts FAULT-ON-A FAULT-ON-B [extra args for b]: a fresh pair
hosts() {
    stop_hosts
    rm -f "$T"/*.ready
    _fa=$1 _fb=$2
    shift 2
    start_host xenhost-a 127.0.0.2 --link-rate 0 \
        --domain name=web01,memory=64 --domain name=idle,memory=32,paused=yes \
        ${_fa:+--fault "$_fa"}
    start_host xenhost-b 127.0.0.3 --link-rate 0 ${_fb:+--fault "$_fb"} "$@"
}

# stderr_has TEXT: the error message says TEXT
stderr_has() {
    grep -qF -- "$1" "$T/stderr" || fail "stderr lacks '$1': $(cat "$T/stderr")"
    [ "$(wc -l < "$T/stderr")" -eq 1 ] || fail "not one line: $(cat "$T/stderr")"
}

# the destination's restore fails before the image: source resumes it
hosts "" restore-fail
expect_exit 1 xm migrate --live web01 xenhost-b --connect $SRC
stderr_has "Restore failed"
stderr_has "running on 'xenhost-a'"
exactly_on xenhost-a xenhost-b web01

# the restore fails after the whole stream: xend destroyed the source
hosts "" restore-fail-late
XENMIG_SETTLE_TIMEOUT=3 expect_exit 3 xm migrate --live web01 xenhost-b --connect $SRC
stderr_has "DOMAIN LOST"
! has_domain xenhost-a web01 || fail "web01 still on xenhost-a"
! has_domain xenhost-b web01 || fail "web01 on xenhost-b"

# xend resumes the domain after the whole stream, while the destination
# restores it: two copies run; xenmig destroys the destination's
for v in fail hang; do
    hosts after-stream=$v ""
    XENMIG_SETTLE_TIMEOUT=5 expect_exit 1 xm migrate --live web01 \
        xenhost-b --connect $SRC --timeout 5
    stderr_has "running on 'xenhost-a'"
    stderr_has "was destroyed"
    exactly_on xenhost-a xenhost-b web01
done

# the destination cuts the stream: the source resumes the domain
hosts "" stream-drop=100000
expect_exit 1 xm migrate --live web01 xenhost-b --connect $SRC
stderr_has "running on 'xenhost-a'"
exactly_on xenhost-a xenhost-b web01

# hosts-allow rejects us: refused before anything moves
hosts "" relocation-deny
expect_exit 1 xm migrate web01 xenhost-b --connect $SRC
stderr_has "hosts-allow"
exactly_on xenhost-a xenhost-b web01

# no relocation server
hosts "" relocation-off
expect_exit 1 xm migrate web01 xenhost-b --connect $SRC
stderr_has "refuses connections"

# too little memory on the destination
hosts "" "" --free-memory 32
expect_exit 1 xm migrate web01 xenhost-b --connect $SRC
stderr_has "needs 64 MiB"

# name clash
hosts "" "" --domain name=web01,memory=16
expect_exit 1 xm migrate web01 xenhost-b --connect $SRC
stderr_has "already has domain 'web01'"
has_domain xenhost-a web01 || fail "web01 left xenhost-a"

# a paused domain on xend 4.x is refused before xend is asked
hosts "" ""
expect_exit 1 xm migrate idle xenhost-b --connect $SRC
stderr_has "is paused"
# a destination with only IPv6 addresses: said at once, nothing asked
expect_exit 2 xm migrate web01 xenhost-v6 --connect $SRC
stderr_has "IPv6 is not supported by xend's relocation (IPv4 only): 'xenhost-v6' has only IPv6 addresses"
# dname: xend cannot rename in flight
expect_exit 2 xm migrate --dname other web01 xenhost-b --connect $SRC
stderr_has "cannot rename"
# domain 0
expect_exit 1 xm migrate Domain-0 xenhost-b --connect $SRC
stderr_has "domain 0"
# no such domain
expect_exit 1 xm migrate nosuch xenhost-b --connect $SRC
stderr_has "nosuch"

# the localhost trap: the destination calls itself a name that
# resolves to another address
hosts "" "" --reported-host localhost.localdomain
expect_exit 1 xm migrate web01 http://xenhost-b:8000 --connect $SRC
stderr_has "localhost.localdomain"
stderr_has "127.0.0.1"
exactly_on xenhost-a xenhost-b web01

# the destination's xend is down
hosts "" xend-down
expect_exit 1 xm migrate web01 xenhost-b --connect $SRC
stderr_has "xenhost-b"

# xend never answers the migrate POST (reference 4.7), domain resumed:
# directly, the timeout ends the wait; through the relay (a timeout
# asks for it), the destination's complaint is the reason
hosts migrate-hang=resumed ""
expect_exit 1 xm migrate web01 xenhost-b --connect $SRC --timeout 2 \
    --direct
stderr_has "timed out after 2 s: xend had not answered op=migrate"
stderr_has "running on 'xenhost-a'"
exactly_on xenhost-a xenhost-b web01
hosts migrate-hang=resumed ""
expect_exit 1 xm migrate web01 xenhost-b --connect $SRC --timeout 2
stderr_has "running on 'xenhost-a'"
exactly_on xenhost-a xenhost-b web01

# ... or the domain did arrive: read back, it is a success
hosts migrate-hang=done ""
expect_exit 0 xm migrate web01 xenhost-b --connect $SRC --timeout 2
exactly_on xenhost-b xenhost-a web01
pass
