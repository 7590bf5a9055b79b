#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh: the reliability runs of issue 8, and docs/RELIABILITY.md from
# their results (generated; do not edit the doc by hand).
#   1. tests/reliability/fault-matrix.py: every emulator fault at every
#      migration step, relay and --direct; fails on an unsafe row that
#      is not a known, reported one (--allow-known)
#   2. tests/reliability/load.py: 16 concurrent migrations, 1000
#      capabilities calls (fd and RSS growth)
#   B=build|build-san   the build directory (build by default)
#   OUT=FILE            where the doc goes (docs/RELIABILITY.md)
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
export B
OUT=${OUT:-docs/RELIABILITY.md}
if [ ! -x "$B/xenmig" ]; then
    echo "run.sh: '$B/xenmig' is not built (run make)" >&2
    exit 1
fi
if ! python3 tests/emulator/with-hosts --check >/dev/null 2>&1; then
    echo "SKIP: no private mount namespace for /etc/hosts here" >&2
    exit 77
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
st=0
echo "== fault matrix (tests/reliability/fault-matrix.py)"
python3 tests/reliability/fault-matrix.py --allow-known --out "$tmp" || st=1
echo "== load (tests/reliability/load.py)"
python3 tests/reliability/load.py --append --out "$tmp" || st=1
mkdir -p "$(dirname "$OUT")"
cp "$tmp" "$OUT"
echo "run.sh: wrote $OUT"
exit $st
