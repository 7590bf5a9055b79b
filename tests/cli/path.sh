#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# path.sh: the relay runs where it is on the stream's path (a source
# xend on this machine: every emulated host here is) or where it is
# asked for, never because of a terminal; check says which path
# migrate would take, and whose view its relocation probe gives.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

SRC=http://xenhost-a:8000
hosts() {
    stop_hosts
    start_host xenhost-a 127.0.0.2 --link-rate 0 --domain name=web01,memory=16
    start_host xenhost-b 127.0.0.3 --link-rate 0
}
# last_port: the port the source xend sent its last stream to
last_port() {
    control xenhost-a /stats | python3 -c '
import json, sys; print(json.load(sys.stdin)["migrations"][-1]["port"])'
}

hosts
expect_exit 0 xm check web01 xenhost-b --connect $SRC
grep -qx "ok    path        relay: the source xend sends to xenmig on its \
own loopback, which forwards it to the destination" "$T/stdout" ||
    fail "check path: $(cat "$T/stdout")"
grep -q "^ok    relocation  .* answers (help) (as the relay on this host \
sees it)\$" "$T/stdout" || fail "check relocation: $(cat "$T/stdout")"
expect_exit 0 xm check --direct web01 xenhost-b --connect $SRC
grep -qx "ok    path        direct: the source xend connects to the \
destination itself" "$T/stdout" || fail "check --direct path: $(cat "$T/stdout")"
grep -q "^ok    relocation  .* (as the source sees it: xenmig runs on the \
source)\$" "$T/stdout" || fail "check --direct relocation: $(cat "$T/stdout")"

# no option asks for the relay, and no terminal: a local source is
# relayed all the same (xend sends to the relay's port, not 8002)
expect_exit 0 xm migrate web01 xenhost-b --connect $SRC
port=$(last_port)
[ "$port" != 8002 ] || fail "a local source was not relayed"
exactly_on xenhost-b xenhost-a web01
# --direct: xend sends to the relocation port itself
hosts
expect_exit 0 xm migrate --direct web01 xenhost-b --connect $SRC
[ "$(last_port)" = 8002 ] || fail "--direct went elsewhere: $(last_port)"
exactly_on xenhost-b xenhost-a web01
pass
