#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh: run libFuzzer targets built by "make fuzz-build".
#   FUZZ_SECONDS=N sh fuzz/run.sh NAME...
# Each build-fuzz/fuzz_<name> runs for N seconds on a scratch copy of
# fuzz/corpus/<name> and fuzz/regressions/<name> (the committed corpus
# never grows). A crash, leak, timeout or out-of-memory fails the
# target; its input goes to fuzz/regressions/<name>/ to be committed.
# FUZZ_JOBS targets run at once (default: the number of CPUs), so CI
# spends N seconds per pair of targets on two cores, not per target.
# Exit status: 0 when every target ran clean.
set -u
cd "$(dirname "$0")/.." || exit 1
secs=${FUZZ_SECONDS:-60}
fz=build-fuzz
status=0
if [ $# -eq 0 ]; then
    for f in fuzz/fuzz_*.c; do
        f=${f#fuzz/fuzz_}
        set -- "$@" "${f%.c}"
    done
fi
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

# fuzz_one NAME: run one target; its verdict is $fz/run/NAME/status
fuzz_one() {
    name=$1
    bin=$fz/fuzz_$name
    work=$fz/run/$name
    status=0
    if [ ! -x "$bin" ]; then
        echo "fuzz: '$bin' is not built (make fuzz-build)" >&2
        mkdir -p "$work" && echo 1 > "$work/status"
        return
    fi
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    for d in fuzz/corpus/$name fuzz/regressions/$name; do
        [ -d "$d" ] || continue
        find "$d" -maxdepth 1 -type f ! -name '.*' \
            -exec cp {} "$work/corpus/" \;
    done
    echo "== fuzz $name: $secs s"
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        "$work/corpus" > "$work/log" 2>&1
    st=$?
    grep -E '^(Done [0-9]+ runs|stat::average_exec_per_sec)' "$work/log"
    found=$(ls "$work/artifacts" 2>/dev/null)
    if [ "$st" -ne 0 ] || [ -n "$found" ]; then
        status=1
        tail -n 60 "$work/log"
        mkdir -p "fuzz/regressions/$name"
        for a in $found; do
            cp "$work/artifacts/$a" "fuzz/regressions/$name/$a"
            echo "fuzz: $name failed; input kept as" \
                "'fuzz/regressions/$name/$a' - commit it with the fix" >&2
        done
        [ -n "$found" ] ||
            echo "fuzz: $name exited $st (log: '$work/log')" >&2
    else
        echo "fuzz: $name ok"
    fi
    echo $status > "$work/status"
}

running=0
for name in "$@"; do
    fuzz_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait
# A summary at the end, where a CI log's tail shows it: each failed
# target's report and its input (base64, inputs are small) so that a
# failure seen only in CI can be replayed from the log.
status=0
for name in "$@"; do
    [ "$(cat "$fz/run/$name/status" 2>/dev/null)" = 0 ] && continue
    status=1
    echo "== fuzz $name FAILED"
    grep -m1 -A16 -E 'ERROR: |property broken|runtime error' \
        "$fz/run/$name/log" 2>/dev/null |
        grep -v -e 'fuzzer::' -e '__libc_start'
    for a in "$fz/run/$name/artifacts"/*; do
        [ -f "$a" ] || continue
        echo "-- input fuzz/regressions/$name/${a##*/}" \
            "($(wc -c < "$a") bytes, base64):"
        base64 < "$a" | head -c 8192
        echo
    done
done
exit $status
