# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh: helpers for tests/cli/*.sh (sourced). Runs the built tool
# from $B (build or build-san) against the in-tree library.
B=${B:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export LD_LIBRARY_PATH="$PWD/$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# locks and the journal of this test only, never /run/xenmig
export XENMIG_RUN_DIR="$T/run"
unset XENMIG_JOURNAL_DIR

xm() { "$PWD/$B/xenmig" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { exit 0; }
# expect_exit CODE cmd...: run, keep stdout/stderr in $T, check status
expect_exit() {
    want=$1; shift
    "$@" > "$T/stdout" 2> "$T/stderr"
    got=$?
    [ "$got" -eq "$want" ] ||
        fail "'$*' exited $got, want $want: $(head -c 300 "$T/stderr")"
}
