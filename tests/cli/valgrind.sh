#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# valgrind.sh: a representative set of xenmig commands under valgrind
# (memcheck, definite leaks count as errors) against emulated hosts:
# info, list, capabilities, check, a relayed live migrate, a failing
# migrate, and prepare/perform/finish/confirm. Skipped without valgrind
# and for the sanitizer build (B=build-san).
set -u
. "$(dirname "$0")/lib.sh"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "SKIP: valgrind is not installed" >&2
    exit 77
fi
if [ "$B" != build ]; then
    echo "SKIP: valgrind needs the plain build, not '$B'" >&2
    exit 77
fi
. "$(dirname "$0")/hosts.sh"

SRC=http://xenhost-a:8000
# error exit 99, not 1: a failing xenmig command exits 1 itself
VG="valgrind -q --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite --show-leak-kinds=definite"
n=0
# vg WANT cmd...: xenmig under valgrind exits WANT with no memcheck error
vg() {
    _want=$1
    shift
    n=$((n + 1))
    # shellcheck disable=SC2086
    $VG --log-file="$T/vg.$n" "$PWD/$B/xenmig" "$@" \
        > "$T/stdout" 2> "$T/stderr"
    _got=$?
    if [ -s "$T/vg.$n" ]; then
        fail "valgrind on 'xenmig $*': $(head -c 2000 "$T/vg.$n")"
    fi
    [ "$_got" -ne 99 ] || fail "valgrind error exit on 'xenmig $*'"
    [ "$_got" -eq "$_want" ] ||
        fail "'xenmig $*' exited $_got, want $_want:" \
            "$(head -c 300 "$T/stderr")"
}

start_host xenhost-a 127.0.0.2 --link-rate 0 \
    --domain name=web01,memory=16 --domain name=web02,memory=16 \
    --domain name=web03,memory=16
start_host xenhost-b 127.0.0.3 --link-rate 0

vg 0 info --connect $SRC
vg 0 info --connect $SRC --json
vg 0 list --connect $SRC --json
vg 0 capabilities --connect http://xenhost-b:8000
vg 0 check web01 xenhost-b --connect $SRC
vg 1 check nosuch xenhost-b --connect $SRC
vg 0 migrate --live --resource 500 web01 xenhost-b --connect $SRC
exactly_on xenhost-b xenhost-a web01

# the steps, cookies through the shell
vg 0 prepare --live web02 xenhost-b --connect $SRC
c1=$(cat "$T/stdout")
vg 0 perform --cookie "$c1" --connect $SRC
c2=$(cat "$T/stdout")
vg 0 finish --cookie "$c2" xenhost-b
c3=$(cat "$T/stdout")
vg 0 confirm --cookie "$c3" --connect $SRC
exactly_on xenhost-b xenhost-a web02
vg 1 perform --cookie "${c1%?}" --connect $SRC

# a failing migrate: the destination's restore fails, web03 stays
stop_hosts
start_host xenhost-a 127.0.0.2 --link-rate 0 --domain name=web03,memory=16
start_host xenhost-b 127.0.0.3 --link-rate 0 --fault restore-fail
vg 1 migrate --live --resource 500 web03 xenhost-b --connect $SRC
exactly_on xenhost-a xenhost-b web03
vg 1 migrate --live --direct web03 xenhost-b --connect $SRC
exactly_on xenhost-a xenhost-b web03
pass
