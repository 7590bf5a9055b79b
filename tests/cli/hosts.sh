# hosts.sh: start emulated Xen hosts for a test (sourced after lib.sh).
# A test that sources it runs again inside tests/emulator/with-hosts,
# so xenhost-a (127.0.0.2), xenhost-b (127.0.0.3), ... resolve.
if [ -z "${XM_IN_HOSTS:-}" ]; then
    if ! python3 tests/emulator/with-hosts --check >/dev/null 2>&1; then
        echo "SKIP: no private mount namespace for /etc/hosts here" >&2
        exit 77
    fi
    # as on the classic dom0: localhost.localdomain is the loopback
    XM_IN_HOSTS=1 exec python3 tests/emulator/with-hosts \
        --map localhost.localdomain=127.0.0.1 -- sh "$0" "$@"
fi

: > "$T/pids"
trap 'stop_hosts; rm -rf "$T"' EXIT

# start_host NAME ADDRESS [xenhost options...]: returns once listening
start_host() {
    _name=$1 _addr=$2
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

has_domain() { domains "$1" | grep -qxF -- "$2"; }

# exactly_on HOST OTHER NAME: the domain runs on HOST and not on OTHER
exactly_on() {
    has_domain "$1" "$3" || fail "'$3' is not running on $1"
    ! has_domain "$2" "$3" || fail "'$3' is also on $2"
}
