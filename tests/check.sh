#!/bin/sh
# check.sh: what "make check" runs. Each stage counts its tests; the
# last line sums them as "N passed, N failed[, N skipped]".
#   B=build|build-san   the build directory
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
export B
passed=0 failed=0 skipped=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# stage-name exit-status passed failed skipped
count() {
    passed=$((passed + $3)); failed=$((failed + $4))
    skipped=$((skipped + $5))
    if [ "$2" -ne 0 ] && [ "$4" -eq 0 ]; then
        echo "check: $1 exited $2 with no failure counted" >&2
        failed=$((failed + 1))
    fi
}

# run a command, echo its output, keep its status and output
run() {
    { "$@"; echo $? > "$tmp/status"; } 2>&1 | tee "$tmp/out"
    st=$(cat "$tmp/status")
}

echo "== unit tests (CUnit)"
run "$B/run-tests"
row=$(awk '$1 == "tests" && NF >= 6 { print $4, $5 }' "$tmp/out" | tail -n 1)
# shellcheck disable=SC2086
set -- ${row:-0 0}
count unit "$st" "$1" "$2" 0

echo "== ABI: exported symbols and header"
run sh tests/check-exports.sh "$B/libxenmig.so"
if [ "$st" -eq 0 ]; then count exports 0 1 0 0; else count exports 0 0 1 0; fi
run sh tests/headertest.sh
if [ "$st" -eq 0 ]; then count header 0 1 0 0; else count header 0 0 1 0; fi

# the emulator is Python: the sanitizer run has nothing to add there
if [ -x tests/emulator/run-tests ] && [ "${SANITIZE:-}" != 1 ]; then
    echo "== emulator tests"
    run tests/emulator/run-tests
    row=$(sed -nE 's/^emulator: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \3/p' "$tmp/out" | tail -n 1)
    # shellcheck disable=SC2086
    set -- ${row:-0 0} 0
    count emulator "$st" "$1" "$2" "${3:-0}"
fi

if [ -d tests/cli ]; then
    echo "== command-line and integration tests"
    for t in tests/cli/*.sh; do
        case ${t##*/} in lib.sh|hosts.sh) continue ;; esac
        [ -e "$t" ] || continue
        run sh "$t"
        case $st in
            0) echo "PASS: $t"; count cli 0 1 0 0 ;;
            77) echo "SKIP: $t"; count cli 0 0 0 1 ;;
            *) echo "FAIL: $t (exit $st)"; count cli 0 0 1 0 ;;
        esac
    done
fi

if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
