#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# trust.sh: warnings a careful administrator wants, without failing:
# clear text where the destination offers SSL relocation, and a local
# destination whose xend-relocation-hosts-allow is empty.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

make_cert xenhost-b

start_host xenhost-a 127.0.0.2 --link-rate 0 --domain name=web01,memory=16 \
    --domain name=web02,memory=16
start_host xenhost-b 127.0.0.3 --link-rate 0 --unix-socket "$T/b.sock" \
    --xend-config "$T/b.sxp" --ssl-relocation-server yes \
    --ssl-key "$T/key.pem" --ssl-cert "$T/cert.pem"

# check: a "warn" line for each, and still a pass
XEND_CONFIG="$T/b.sxp" expect_exit 0 xm check web01 xenhost-b \
    --connect http://xenhost-a:8000 --dest-connect "unix://$T/b.sock"
grep -q '^warn  ssl .*clear text' "$T/stdout" || fail "no ssl warning: $(cat "$T/stdout")"
grep -q '^warn  hosts-allow .*any host' "$T/stdout" ||
    fail "no hosts-allow warning: $(cat "$T/stdout")"

# over HTTP the destination's config is not ours to read: no such claim
expect_exit 0 xm check web01 xenhost-b --connect http://xenhost-a:8000
! grep -q 'hosts-allow' "$T/stdout" || fail "hosts-allow claimed remotely"

# migrate: the warning on stderr, the migration done
expect_exit 0 xm migrate web01 xenhost-b --connect http://xenhost-a:8000
grep -q '^xenmig: warning: .*SSL relocation server' "$T/stderr" ||
    fail "no warning from migrate: $(cat "$T/stderr")"
exactly_on xenhost-b xenhost-a web01

# --ssl goes to the SSL relocation port (8003 unless told), no warning
expect_exit 0 xm check --ssl web02 xenhost-b --connect http://xenhost-a:8000
grep -q '^ok    address .*port 8003' "$T/stdout" || fail "ssl port: $(cat "$T/stdout")"
! grep -q '^warn  ssl' "$T/stdout" || fail "ssl warning with --ssl"
expect_exit 0 xm migrate --ssl --live web02 xenhost-b \
    --connect http://xenhost-a:8000
exactly_on xenhost-b xenhost-a web02
pass
