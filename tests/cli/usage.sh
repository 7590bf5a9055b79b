#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# usage.sh: the tool's command table, --help, --version, exit codes.
set -u
. "$(dirname "$0")/lib.sh"

xm --help > "$T/help" || fail "--help exited $?"
grep -q '^  info ' "$T/help" || fail "--help does not list info"
grep -q '^  list ' "$T/help" || fail "--help does not list list"
xm --version | grep -q '^xenmig [0-9]' || fail "--version"
xm info --help | grep -q '^usage: xenmig info' || fail "info --help"
xm list --help | grep -q '^usage: xenmig list' || fail "list --help"
# --help text is the docs/commands block, byte for byte
for cmd in info list; do
    awk '/^```text$/ {i=1; next} /^```$/ && i {exit} i' \
        "docs/commands/$cmd.md" > "$T/want"
    xm "$cmd" --help > "$T/got"
    cmp -s "$T/want" "$T/got" || fail "$cmd --help differs from docs"
done
expect_exit 2 xm
expect_exit 2 xm frobnicate
expect_exit 2 xm info --bogus
expect_exit 2 xm info extra-arg
# a connection that cannot work is a failure (1), with a message
expect_exit 1 xm info --connect http://127.0.0.1:1
grep -q '^xenmig: .*127.0.0.1' "$T/stderr" || fail "no host in error: $(cat "$T/stderr")"
expect_exit 1 xm info --connect ftp://x
grep -q '^xenmig: ' "$T/stderr" || fail "no error for bad URI"
pass
