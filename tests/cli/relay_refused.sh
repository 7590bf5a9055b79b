#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# relay_refused.sh: end to end, the relay refuses a source xend that
# connects from an address that is neither the source's name's nor
# loopback, names it with the --relay-allow hint, leaves the domain on
# the source; with --relay-allow that address the migration succeeds.
# Every other test's host is on loopback, which the relay admits
# whole: this one runs in a private network namespace (root and
# iproute2's `ip`), with the hosts on a dummy link.
set -u
if [ -z "${XM_IN_NETNS:-}" ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null 2>&1 ||
       ! unshare -n true 2>/dev/null; then
        echo "skipped: needs root/netns (unshare -n and iproute2's ip)" >&2
        exit 77
    fi
    # a multi-homed dom0: 10.77.0.2 is its first address, the source
    # xend listens on .9 (its name's), the destination on .3. The relay
    # listens on .2, our address on the route to .9, and the source
    # xend, which binds nothing, connects to it from .2 (the kernel's
    # choice): not an address of the source's name, not loopback
    XM_IN_NETNS=1 XM_IN_HOSTS=1 exec unshare -n python3 \
        tests/emulator/with-hosts --no-defaults \
        --map localhost.localdomain=127.0.0.1 \
        --map xenhost-a=10.77.0.9 --map xenhost-b=10.77.0.3 -- sh "$0"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

ip link set lo up || fail "ip link set lo up"
# a dummy link, or one end of a veth pair where there is no dummy module
ip link add xm0 type dummy 2>/dev/null ||
    ip link add xm0 type veth peer name xm1 ||
    fail "cannot add a dummy or veth link"
for a in 10.77.0.2 10.77.0.3 10.77.0.9; do
    ip addr add $a/24 dev xm0 || fail "ip addr add $a"
done
ip link set xm0 up || fail "ip link set xm0 up"
! ip link show xm1 >/dev/null 2>&1 || ip link set xm1 up ||
    fail "ip link set xm1 up"

SRC=http://xenhost-a:8000
hosts() {
    stop_hosts
    start_host xenhost-a - --any-address yes --link-rate 0 \
        --domain name=web01,memory=48
    start_host xenhost-b - --any-address yes --link-rate 0
}

hosts
expect_exit 1 xm migrate -r 200 web01 xenhost-b \
    --connect $SRC
grep -q "the relay refused a connection from 10\.77\.0\.2, which is not \
the source 'xenhost-a' (10\.77\.0\.9): add --relay-allow 10\.77\.0\.2 if \
that is the source" "$T/stderr" || fail "refused: $(cat "$T/stderr")"
grep -q "^xenmig: domain 'web01' is running on 'xenhost-a'" "$T/stderr" ||
    fail "refused, where: $(cat "$T/stderr")"
exactly_on xenhost-a xenhost-b web01

hosts
expect_exit 0 xm migrate -r 200 --progress --relay-allow 10.77.0.2 web01 \
    xenhost-b --connect $SRC
exactly_on xenhost-b xenhost-a web01
pass
