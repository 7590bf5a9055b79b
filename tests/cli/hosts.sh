# SPDX-License-Identifier: LGPL-2.1-or-later
# hosts.sh: start emulated Xen hosts for a test (sourced after lib.sh).
# A test that sources it runs again inside tests/emulator/with-hosts,
# with the same arguments (a bench script's, say), so xenhost-a,
# xenhost-b and xenhost-c resolve (to a /24 of its own), and
# xenhost-v6 to the IPv6 loopback only. What the script did before
# sourcing lib.sh and hosts.sh it does again in there.
if [ -z "${XM_IN_HOSTS:-}" ]; then
    if ! python3 tests/emulator/with-hosts --check >/dev/null 2>&1; then
        echo "SKIP: no private mount namespace for /etc/hosts here" >&2
        exit 77
    fi
    # a network of its own (127.2xx.y.0/24), so that test runs side by
    # side never meet; as on the classic dom0, localhost.localdomain is
    # the loopback ("$@" is the script's own: left as it is)
    net=$(od -An -N2 -tu1 /dev/urandom |
          awk '{ printf "127.%d.%d", 200 + $1 % 50, $2 % 250 + 1 }')
    # the run in there makes its own $T
    rm -rf "${T:-}"
    XM_IN_HOSTS=1 exec python3 tests/emulator/with-hosts --no-defaults \
        --map localhost.localdomain=127.0.0.1 \
        --map xenhost-a=$net.2 --map xenhost-b=$net.3 \
        --map xenhost-c=$net.4 --map xenhost-v6=::1 -- sh "$0" "$@"
fi

: > "$T/pids"
trap 'stop_hosts; rm -rf "$T"' EXIT

# start_host NAME ADDRESS [xenhost options...]: returns once listening.
# The host listens where NAME resolves in this run's /etc/hosts.
start_host() {
    _name=$1
    _addr=$(getent hosts "$_name" | awk '{ print $1; exit }')
    [ -n "$_addr" ] || fail "no address for $_name"
    shift 2
    python3 tests/emulator/xenhost --name "$_name" --address "$_addr" \
        --ready-file "$T/$_name.ready" --log-file "$T/$_name.log" \
        "$@" > /dev/null 2>&1 &
    echo $! >> "$T/pids"
    _i=0
    while [ ! -s "$T/$_name.ready" ]; do
        _i=$((_i + 1))
        [ $_i -le 100 ] || fail "host $_name did not start: $(tail -n 5 "$T/$_name.log" 2>/dev/null)"
        sleep 0.1
    done
}

stop_hosts() {
    [ -s "$T/pids" ] || return 0
    kill $(cat "$T/pids") 2>/dev/null
    # the next host binds the same ports: wait until these are gone
    for _p in $(cat "$T/pids"); do
        _i=0
        while kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]; do
            sleep 0.1
            _i=$((_i + 1))
        done
        kill -9 "$_p" 2>/dev/null
    done
    wait 2>/dev/null
    : > "$T/pids"
    rm -f "$T"/*.ready
}

# control HOST PATH: GET the emulator's control endpoint (JSON)
control() {
    _port=$(sed -nE 's/.*"control_port": ([0-9]+).*/\1/p' "$T/$1.ready")
    _addr=$(sed -nE 's/.*"address": "([0-9.]+)".*/\1/p' "$T/$1.ready")
    curl -sf --max-time 5 "http://$_addr:$_port$2"
}

# domains HOST: the names xend lists as running, one per line
domains() {
    xm list --connect "http://$1:8000" --json |
        python3 -c 'import json,sys; [print(d["name"]) for d in json.load(sys.stdin)]'
}

# (through a file: grep -q quits early, and python would then print a
# BrokenPipeError traceback into a passing run)
has_domain() {
    domains "$1" > "$T/has_domain.list" || return 1
    grep -qxF -- "$2" "$T/has_domain.list"
}

# exactly_on HOST OTHER NAME: the domain runs on HOST and not on OTHER
exactly_on() {
    has_domain "$1" "$3" || fail "'$3' is not running on $1"
    ! has_domain "$2" "$3" || fail "'$3' is also on $2"
}

# make_cert CN: a self-signed key and certificate for an emulated
# host's SSL relocation server, in $T/key.pem and $T/cert.pem; the
# test is skipped (77) without openssl.
make_cert() {
    command -v openssl >/dev/null 2>&1 ||
        { echo "SKIP: no openssl" >&2; exit 77; }
    openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=$1" -days 1 \
        -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 ||
        fail "openssl could not make a certificate"
}
