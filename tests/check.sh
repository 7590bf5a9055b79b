#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# check.sh: what "make check" runs. Each stage counts its tests; the
# last line sums them as "N passed, N failed[, N skipped]".
#   B=build|build-san|build-floor   the build directory
#   FLOOR=1             the floor build: also check its compat paths
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
# a function the baseline promised and the library lost must fail
{ cat tests/data/abi/libxenmig.so.0.symbols
  echo "xenmig_removed_function XENMIG_0.1"; } > "$tmp/baseline"
if sh tests/check-exports.sh "$B/libxenmig.so" "$tmp/baseline" \
        > "$tmp/out" 2>&1; then
    echo "FAIL: check-exports passed with a baseline function missing"
    count exports-removed 0 0 1 0
elif grep -q 'xenmig_removed_function' "$tmp/out"; then
    echo "check-exports: a removed function fails, as it should"
    count exports-removed 0 1 0 0
else
    cat "$tmp/out"
    count exports-removed 0 0 1 0
fi
run sh tests/headertest.sh
if [ "$st" -eq 0 ]; then count header 0 1 0 0; else count header 0 0 1 0; fi

if [ "${FLOOR:-}" = 1 ]; then
    echo "== floor: compat paths (docs/PLATFORMS.md)"
    run sh tests/check-floor.sh "$B/libxenmig.a"
    if [ "$st" -eq 0 ]; then count floor 0 1 0 0; else count floor 0 0 1 0; fi
fi

# The emulator's own tests and the command-line and integration tests
# run CHECK_JOBS at a time (default: the number of CPUs): they mostly
# wait on emulated hosts, each on a network of its own, so they do not
# meet. The longest start first. Each one's output is shown whole, in
# the usual order, once all are done; a line per test marks progress.
# The emulator is Python: the sanitizer and floor runs have nothing to
# add there.
jobs=${CHECK_JOBS:-$(nproc 2>/dev/null || echo 1)}
n=0
# add_job NAME COMMAND...: queue a job
add_job() {
    n=$((n + 1))
    echo "$1" > "$tmp/job.$n.name"
    shift
    printf '%s\n' "$*" > "$tmp/job.$n.sh"
}
if [ -x tests/emulator/run-tests ] && [ "${SANITIZE:-}" != 1 ] &&
   [ "${FLOOR:-}" != 1 ]; then
    add_job emulator tests/emulator/run-tests
fi
if [ -d tests/cli ]; then
    first="steps_matrix.sh relay.sh migrate_faults.sh valgrind.sh"
    skip=
    # The step API's fault matrix (66 rows, the longest test) runs in
    # the plain build only: under the sanitizers and in the floor build
    # the same engine code runs through migrate_steps.sh,
    # steps_recover.sh, migrate_faults.sh and the unit tests (and CI's
    # reliability stage runs the whole fault matrix through the tool).
    if [ "${SANITIZE:-}" = 1 ] || [ "${FLOOR:-}" = 1 ]; then
        skip=steps_matrix.sh
        echo "(tests/cli/steps_matrix.sh runs in the plain build only)"
    fi
    for t in $first; do
        case " $skip " in *" $t "*) continue ;; esac
        [ -e "tests/cli/$t" ] && add_job "tests/cli/$t" sh "tests/cli/$t"
    done
    for t in tests/cli/*.sh; do
        case " lib.sh hosts.sh $first " in *" ${t##*/} "*) continue ;; esac
        [ -e "$t" ] || continue
        add_job "$t" sh "$t"
    done
fi
cat > "$tmp/job.sh" <<'JOB'
t0=$(date +%s)
sh "$1/job.$2.sh" > "$1/job.$2.out" 2>&1 < /dev/null
echo $? > "$1/job.$2.st"
echo "  done: $(cat "$1/job.$2.name") ($(( $(date +%s) - t0 )) s)"
JOB
if [ "$n" -gt 0 ]; then
    echo "== emulator, command-line and integration tests ($n, $jobs at a time)"
    seq 1 "$n" | xargs -P "$jobs" -n 1 sh "$tmp/job.sh" "$tmp"
fi
i=0
while [ "$i" -lt "$n" ]; do
    i=$((i + 1))
    name=$(cat "$tmp/job.$i.name")
    st=$(cat "$tmp/job.$i.st" 2>/dev/null || echo 1)
    echo "== $name"
    cat "$tmp/job.$i.out"
    if [ "$name" = emulator ]; then
        row=$(sed -nE 's/^emulator: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \3/p' "$tmp/job.$i.out" | tail -n 1)
        # shellcheck disable=SC2086
        set -- ${row:-0 0} 0
        count emulator "$st" "$1" "$2" "${3:-0}"
        continue
    fi
    case $st in
        0) echo "PASS: $name"; count cli 0 1 0 0 ;;
        77) echo "SKIP: $name"; count cli 0 0 0 1 ;;
        *) echo "FAIL: $name (exit $st)"; count cli 0 0 1 0 ;;
    esac
done

if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
