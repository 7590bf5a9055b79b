#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# fuzz_regressions.sh: replay fuzz/corpus/<name> and
# fuzz/regressions/<name> through every fuzz/fuzz_<name>.c, built with
# the ordinary compiler and fuzz/replay_main.c against $B/libxenmig.a
# (no clang, no libFuzzer). Under build-san the drivers get ASan+UBSan.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
lib=$B/libxenmig.a
out=$B/fuzz-replay
CC=${CC:-cc}
[ -f "$lib" ] || { echo "fuzz: '$lib' is not built" >&2; exit 1; }
case $B in
    *san*) san="-fsanitize=address,undefined -fno-sanitize-recover=all" ;;
    *) san="" ;;
esac
have=""
grep -lsw '^xm_caps_config_parse' capabilities/*.c >/dev/null &&
    have=-DXM_FUZZ_HAVE_CAPS_CONFIG
deps=$(pkg-config --libs libcurl libxml-2.0 json-c xenstore) || exit 1
cflags="-std=c99 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror
-Wno-unused-parameter -Iinclude -I.
$(pkg-config --cflags libcurl libxml-2.0 json-c) $have $san"
mkdir -p "$out"
# shellcheck disable=SC2086
$CC $cflags -c -o "$out/replay_main.o" fuzz/replay_main.c || exit 1
status=0
for src in fuzz/fuzz_*.c; do
    name=${src#fuzz/fuzz_}
    name=${name%.c}
    bin=$out/replay-$name
    # shellcheck disable=SC2086
    if ! $CC $cflags -o "$bin" "$src" "$out/replay_main.o" "$lib" \
            $san $deps -lpthread; then
        echo "fuzz: cannot build '$bin'" >&2
        status=1
        continue
    fi
    set --
    for d in fuzz/corpus/$name fuzz/regressions/$name; do
        [ -d "$d" ] && set -- "$@" "$d"
    done
    if [ $# -eq 0 ]; then
        echo "fuzz: '$name' has no corpus" >&2
        status=1
        continue
    fi
    if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$bin" "$@" \
            > "$out/$name.log" 2>&1; then
        echo "fuzz $name: $(tail -n 1 "$out/$name.log")"
    else
        tail -n 40 "$out/$name.log"
        echo "fuzz: '$name' failed on its corpus or regressions" >&2
        status=1
    fi
done
exit $status
