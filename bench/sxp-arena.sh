#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# sxp-arena.sh: why lib/sexpr*.c carve their trees out of an arena.
# Runs bench-sxp (the library's parser) and bench-sxp-malloc (the same
# parser built with XM_SEXPR_PLAIN_MALLOC: one malloc per node, string
# and item array, each freed on its own) alternately, ROUNDS times each
# on the same generated reply, and prints both medians and their ratio.
#   sxp-arena.sh [domains [rounds]]      (defaults: 1000 domains, 5)
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
domains=${1:-1000}
rounds=${2:-5}
make -s "$B/bench-sxp" "$B/bench-sxp-malloc" >/dev/null
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
i=0
while [ $i -lt "$rounds" ]; do
    for b in sxp sxp-malloc; do
        "$B/bench-$b" "$domains" 3 |
            awk '/^xm_sexpr_parse:/ { print $2 }' >> "$t/$b"
    done
    i=$((i + 1))
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
arena=$(median "$t/sxp")
plain=$(median "$t/sxp-malloc")
echo "input:   GET /xend/domain?detail=1 reply, $domains domains (bench-sxp)"
echo "method:  median of $rounds alternating runs of each build"
echo "machine: $(uname -m), $(nproc) CPUs"
printf 'arena (the library):       %8.1f MB/s\n' "$arena"
printf 'baseline malloc per node:  %8.1f MB/s\n' "$plain"
awk -v a="$arena" -v p="$plain" 'BEGIN { printf "ratio arena/malloc:        %8.2f\n", a / p }'
