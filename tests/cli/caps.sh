#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# caps.sh: xenmig capabilities against emulated hosts: relocation on,
# off, refusing us (hosts-allow), SSL on, xend down.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

valid() { xmllint --noout --relaxng capabilities/caps-extended.rng \
    "$T/stdout" 2>/dev/null ||
    fail "$1: output not valid against caps-extended.rng"; }
U=http://xenhost-a:8000

start_host xenhost-a 127.0.0.2
expect_exit 0 xm capabilities --connect $U --extended
valid on
grep -q '<live/>' "$T/stdout" || fail "on: no <live/>"
grep -q '<uri_transport>tcp</uri_transport>' "$T/stdout" || fail "on: tcp"
grep -q '<uri_transport>xenmigr</uri_transport>' "$T/stdout" ||
    fail "on: xenmigr"
grep -q 'relocation status="answers" port="8002"' "$T/stdout" ||
    fail "on: $(cat "$T/stdout")"
expect_exit 0 xm capabilities --connect $U --json
grep -q '"live":true' "$T/stdout" || fail "json: $(cat "$T/stdout")"
[ "$(tr -d ' \n' < "$T/stdout" | grep -o '"uri_transports":[^]]*]')" = \
    '"uri_transports":["xenmigr","tcp"]' ] ||
    fail "json transports: $(cat "$T/stdout")"
expect_exit 0 xm capabilities --connect $U --port 8009
grep -q '<live/>' "$T/stdout" && fail "port 8009: <live/> reported"
stop_hosts

start_host xenhost-a 127.0.0.2 --relocation-server no
expect_exit 0 xm capabilities --connect $U --extended
valid off
grep -q '<live/>' "$T/stdout" && fail "off: <live/> reported"
grep -q 'relocation status="closed"' "$T/stdout" || fail "off: status"
stop_hosts

# a server that resets us per hosts-allow is there, and may take the
# source: <live/> still, and the probe's finding in the extension
start_host xenhost-a 127.0.0.2 --hosts-allow '^nobody$'
expect_exit 0 xm capabilities --connect $U --extended
valid deny
grep -q '<live/>' "$T/stdout" || fail "deny: no <live/>"
grep -q 'relocation status="rejected"' "$T/stdout" ||
    fail "deny: $(cat "$T/stdout")"
stop_hosts

make_cert xenhost-a
start_host xenhost-a 127.0.0.2 --ssl-relocation-server yes \
    --ssl-key "$T/key.pem" --ssl-cert "$T/cert.pem"
expect_exit 0 xm capabilities --connect $U --extended
valid ssl
grep -q 'ssl_relocation status="answers" port="8003"' "$T/stdout" ||
    fail "ssl: $(cat "$T/stdout")"
stop_hosts

# a local xend: its config file says the relocation port and hosts-allow
cat > "$T/xend-config.sxp" <<'SXP'
(xend-relocation-server yes)
(xend-relocation-port 8002)
(xend-relocation-hosts-allow '')
SXP
start_host xenhost-a 127.0.0.2
expect_exit 0 xm capabilities --connect $U --extended \
    --config "$T/xend-config.sxp"
grep -q 'hosts_allow open="yes"' "$T/stdout" || fail "config: open"
printf '(xend-relocation-server perhaps)\n' > "$T/bad.sxp"
expect_exit 1 xm capabilities --connect $U --config "$T/bad.sxp"
grep -q "xend-relocation-server" "$T/stderr" || fail "bad bool: $(cat "$T/stderr")"
stop_hosts

# xend down: one line naming the host, non-zero exit
expect_exit 1 xm capabilities --connect $U
[ "$(wc -l < "$T/stderr")" -eq 1 ] || fail "down: $(cat "$T/stderr")"
grep -q "xenhost-a" "$T/stderr" || fail "down: no host: $(cat "$T/stderr")"
pass
