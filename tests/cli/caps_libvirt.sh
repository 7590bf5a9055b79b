#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# caps_libvirt.sh: for every emulator personality, and ia64, ppc64 and
# i86pc hosts, "xenmig capabilities" is element for element the
# libvirt-shaped document written by hand in tests/data/caps/emulator/,
# validates against the xend-era schema (caps.rng), and "xenmig
# migrate" takes every URI its <uri_transports> implies.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

D=tests/data/caps/emulator
U=http://xenhost-a:8000

# same FILE1 FILE2: element for element, blank text ignored
same() {
    python3 - "$1" "$2" <<'PY'
import sys
import xml.etree.ElementTree as ET

def norm(e):
    return (e.tag, sorted(e.attrib.items()), (e.text or '').strip(),
            [norm(c) for c in e])

a, b = (norm(ET.parse(p).getroot()) for p in sys.argv[1:3])
sys.exit(0 if a == b else 1)
PY
}

# check NAME [xenhost options]: one host, its document
check() {
    _case=$1
    shift
    start_host xenhost-a 127.0.0.2 "$@"
    expect_exit 0 xm capabilities --connect $U
    cp "$T/stdout" "$T/$_case.xml"
    xmllint --noout --relaxng capabilities/caps.rng "$T/$_case.xml" \
        2>/dev/null || fail "$_case: not valid against caps.rng"
    same "$D/$_case.xml" "$T/$_case.xml" ||
        fail "$_case: differs from $D/$_case.xml: $(cat "$T/$_case.xml")"
    # the extended document is xenmig's, not libvirt's
    expect_exit 0 xm capabilities --connect $U --extended
    xmllint --noout --relaxng capabilities/caps-extended.rng \
        "$T/stdout" 2>/dev/null || fail "$_case: extended not valid"
    xmllint --noout --relaxng capabilities/caps.rng "$T/stdout" \
        2>/dev/null && fail "$_case: extended passes libvirt's schema"
    stop_hosts
}

for v in 3.0.0 3.0.2 3.3 4.0 4.1; do
    check "$v" --version "$v"
done
check 4.0-amd-2nodes --version 4.0 --cpu-vendor amd --nr-nodes 2
check ia64 --version 3.0.2 --machine ia64 \
    --xen-caps 'xen-3.0-ia64 xen-3.0-ia64be hvm-3.0-ia64'
check ppc64 --version 3.0.0 --machine ppc64 --xen-caps xen-3.0-powerpc64
check i86pc --version 3.0.2 --machine i86pc --cpu-vendor amd

# VMX in hw_caps, but this Xen runs no HVM guest: no <vmx/>
start_host xenhost-a 127.0.0.2 --xen-caps 'xen-3.0-x86_64 xen-3.0-x86_32p'
expect_exit 0 xm capabilities --connect $U
grep -q '<pae/>' "$T/stdout" || fail "no-hvm: no pae: $(cat "$T/stdout")"
grep -q '<vmx/>' "$T/stdout" && fail "no-hvm: vmx: $(cat "$T/stdout")"
grep -q '<os_type>hvm' "$T/stdout" && fail "no-hvm: hvm guest"
stop_hosts

# a machine libvirt has no name for: refused, never copied into <arch>
start_host xenhost-a 127.0.0.2 --machine sun4v
expect_exit 1 xm capabilities --connect $U
grep -q "sun4v" "$T/stderr" || fail "sun4v: $(cat "$T/stderr")"
grep -q "xenhost-a" "$T/stderr" || fail "sun4v host: $(cat "$T/stderr")"
[ -s "$T/stdout" ] && fail "sun4v: printed $(cat "$T/stdout")"
stop_hosts

# --emulator / --loader, and a path libvirt's schema would refuse
start_host xenhost-a 127.0.0.2
expect_exit 0 xm capabilities --connect $U \
    --emulator /usr/lib/xen-4.4/bin/qemu-dm \
    --loader /usr/lib/xen-4.4/boot/hvmloader
[ "$(grep -c '<emulator>/usr/lib/xen-4.4/bin/qemu-dm<' "$T/stdout")" = 4 ] ||
    fail "--emulator: $(cat "$T/stdout")"
[ "$(grep -c '<loader>/usr/lib/xen-4.4/boot/hvmloader<' "$T/stdout")" = 2 ] ||
    fail "--loader: $(cat "$T/stdout")"
expect_exit 1 xm capabilities --connect $U --emulator 'qemu dm'
grep -q "emulator" "$T/stderr" || fail "bad emulator: $(cat "$T/stderr")"
stop_hosts

# every URI the transports imply is one xenmig migrate takes
start_host xenhost-a 127.0.0.2 --link-rate 0 \
    --domain name=web01,memory=32 --domain name=db01,memory=32 \
    --domain name=app01,memory=32
start_host xenhost-b 127.0.0.3 --link-rate 0
expect_exit 0 xm capabilities --connect http://xenhost-b:8000
ts=$(sed -n 's|.*<uri_transport>\(.*\)</uri_transport>.*|\1|p' \
    "$T/stdout")
[ "$(echo $ts)" = "xenmigr tcp" ] || fail "transports: $ts"
set -- web01 db01
for t in $ts; do
    expect_exit 0 xm migrate "$1" "$t://xenhost-b:8002" \
        --connect http://xenhost-a:8000
    exactly_on xenhost-b xenhost-a "$1"
    shift
done
# --migrate-uri with a tcp:// URI and the destination's xend URI
expect_exit 0 xm migrate app01 http://xenhost-b:8000 \
    --migrate-uri tcp://xenhost-b --connect http://xenhost-a:8000
exactly_on xenhost-b xenhost-a app01
expect_exit 2 xm migrate app01 udp://xenhost-a --connect \
    http://xenhost-b:8000
grep -q "tcp://host" "$T/stderr" || fail "udp: $(cat "$T/stderr")"
has_domain xenhost-b app01 || fail "app01 left xenhost-b"
pass
