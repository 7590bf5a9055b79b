#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# hosts_allow_eof.sh: a destination whose hosts-allow rejects the
# source xend with a plain close (a FIN, --reject-with eof), which real
# xend meets as EPIPE and then never answers op=migrate (reference 4.7,
# 7b.6): xenmig's watch ends the wait with the domain on the source.
# The destination admits xenmig's own probe (from 127.0.0.1), not the
# source xend, which binds its outgoing socket to its address here.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

start_host xenhost-a - --link-rate 0 --bind-outgoing yes \
    --unix-socket "$T/a.sock" --xenstore-socket "$T/a.xs" \
    --domain name=web01,memory=16
start_host xenhost-b - --link-rate 0 --reject-with eof \
    --hosts-allow '^127\.0\.0\.1$'
XENSTORED_PATH="$T/a.xs" expect_exit 1 xm migrate --direct web01 \
    xenhost-b --connect "unix://$T/a.sock"
grep -q "relocation: rejected " "$T/xenhost-b.log" ||
    fail "the destination did not reject: $(cat "$T/stderr")"
grep -q "xenmig: domain 'web01' is running on 'localhost'; migration \
failed: perform on source 'localhost': xend has not answered op=migrate \
after [0-9]* s, and domain 'web01' runs here under its own name again \
(xenstore saw xend write it back): xend failed without saying why" \
    "$T/stderr" || fail "eof: $(cat "$T/stderr")"
exactly_on xenhost-a xenhost-b web01
pass
