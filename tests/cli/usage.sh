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
expect_exit 2 xm info --connect ftp://x
grep -q "^xenmig: --connect: .*'ftp://x'" "$T/stderr" || fail "no error for bad URI"

# usage errors are found before any network step: exit 2, quoting what
# was typed (127.0.0.1:1 would refuse, which would be exit 1)
C="--connect http://127.0.0.1:1"
for d in host:99999 host:-1 host:abc host: '' 'a:b:c'; do
    expect_exit 2 xm migrate $C web01 "$d"
    grep -q "^xenmig: DEST: .*'$d'\|^xenmig: DEST: empty" "$T/stderr" ||
        fail "DEST '$d': $(cat "$T/stderr")"
done
expect_exit 2 xm migrate $C web01 '[::1]:8002'
grep -qF "IPv6 is not supported by xend's relocation (IPv4 only): '[::1]:8002'" \
    "$T/stderr" || fail "IPv6 DEST: $(cat "$T/stderr")"
for u in http:// ftp://x unix://rel/x "http://a
b" "http://$(head -c 10000 /dev/zero | tr '\0' a)"; do
    expect_exit 2 xm migrate --connect "$u" web01 xenhost-b
    grep -q '^xenmig: --connect: xend URI' "$T/stderr" ||
        fail "--connect '$u': $(head -c 200 "$T/stderr")"
done
expect_exit 2 xm migrate $C --dname x web01 xenhost-b
grep -q "^xenmig: --dname 'x': xend cannot rename" "$T/stderr" || fail "--dname"
expect_exit 2 xm migrate $C '' xenhost-b
grep -q "DOMAIN is empty" "$T/stderr" || fail "empty DOMAIN"
expect_exit 2 xm migrate $C --relay-address 999.1.1.1 web01 127.0.0.1
grep -q "^xenmig: --relay-address '999.1.1.1'" "$T/stderr" || fail "relay address"
expect_exit 2 xm migrate $C --migrate-uri host:0 web01 127.0.0.1
expect_exit 2 xm migrate $C --migrateuri host:0 web01 127.0.0.1
grep -q "^xenmig: --migrate-uri: .*'host:0'" "$T/stderr" || fail "--migrateuri"
# one meaning per short option: -C is --connect everywhere
expect_exit 2 xm migrate -C ftp://x web01 127.0.0.1
grep -q "^xenmig: --connect: .*'ftp://x'" "$T/stderr" || fail "migrate -C"
expect_exit 2 xm capabilities -c /dev/null
# step commands take only their own options
expect_exit 2 xm finish -l --cookie x 127.0.0.1
grep -q "'--live' is not an option of 'xenmig finish'" "$T/stderr" ||
    fail "finish -l: $(cat "$T/stderr")"
expect_exit 2 xm perform --json --cookie x
expect_exit 2 xm confirm --resource 100 --cookie x
# --help anywhere, and 'xenmig help CMD'
expect_exit 0 xm migrate web01 xenhost-b --help
grep -q '^usage: xenmig migrate' "$T/stdout" || fail "migrate ... --help"
expect_exit 0 xm help migrate
grep -q '^usage: xenmig migrate' "$T/stdout" || fail "help migrate"
expect_exit 2 xm help frobnicate
pass
