#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# interrupt.sh: Ctrl-C where no relay carries the stream (--ssl, and
# xend 3.0.0, which ignores the port): the first interrupt cannot stop
# xend; a second one ends the wait with exit 4, and xend goes on to
# finish the migration on its own.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

make_cert xenhost-b

# two_interrupts XENMIG-OPTIONS...: migrate web01 to xenhost-b with
# --timeout (which installs the cancel handlers), interrupt twice,
# then wait for xend to finish on its own
two_interrupts() {
    "$PWD/$B/xenmig" migrate --live --timeout 60 "$@" web01 xenhost-b \
        --connect http://xenhost-a:8000 > "$T/stdout" 2> "$T/stderr" &
    pid=$!
    # the stream has begun when xend renames the domain migrating-web01
    i=0
    until has_domain xenhost-a migrating-web01; do
        i=$((i + 1))
        [ $i -le 300 ] || fail "$*: the migration never started"
        kill -0 $pid 2>/dev/null || fail "$*: xenmig ended: $(cat "$T/stderr")"
        sleep 0.1
    done
    kill -INT $pid
    i=0
    until grep -q "interrupted:" "$T/stderr"; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "$*: no word on the first interrupt"
        sleep 0.1
    done
    kill -0 $pid 2>/dev/null ||
        fail "$*: one interrupt ended a migration xenmig cannot stop: $(cat "$T/stderr")"
    grep -q "interrupt again to stop waiting" "$T/stderr" ||
        fail "$*: no word on the first interrupt: $(cat "$T/stderr")"
    kill -INT $pid
    wait $pid
    st=$?
    [ $st -eq 4 ] || fail "$*: second interrupt exited $st: $(cat "$T/stderr")"
    grep -q "interrupted again: not waiting any longer" "$T/stderr" ||
        fail "$*: second interrupt message: $(cat "$T/stderr")"
    # xend was not stopped: the domain arrives on the destination
    i=0
    until has_domain xenhost-b web01 && ! has_domain xenhost-a web01; do
        i=$((i + 1))
        [ $i -le 150 ] || fail "$*: web01 never settled on one host"
        sleep 0.1
    done
    exactly_on xenhost-b xenhost-a web01
    # the journal kept the migration xenmig stopped watching: recover
    # finds it done and clears the entry
    expect_exit 0 xm recover
    grep -q "recovered 'web01': it runs on 'http://xenhost-b:8000'" \
        "$T/stdout" || fail "$*: recover: $(cat "$T/stdout" "$T/stderr")"
    expect_exit 0 xm recover
    grep -q "no unfinished migration" "$T/stdout" ||
        fail "$*: entry left: $(cat "$T/stdout")"
}

# 24 MiB at 40 Mbit/s: about 5 s of stream
start_host xenhost-a 127.0.0.2 --link-rate 40 --domain name=web01,memory=24
start_host xenhost-b 127.0.0.3 --link-rate 0 --ssl-relocation-server yes \
    --ssl-key "$T/key.pem" --ssl-cert "$T/cert.pem"
two_interrupts --ssl
stop_hosts

start_host xenhost-a 127.0.0.2 --version 3.0.0 --link-rate 40 \
    --domain name=web01,memory=24
start_host xenhost-b 127.0.0.3 --version 3.0.0 --link-rate 0
two_interrupts
pass
