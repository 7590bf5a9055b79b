#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# hosts_args.sh: a script that sources hosts.sh runs again inside
# with-hosts with its own arguments (bench/migrate-cap.sh takes CAP and
# MiB that way), spaces and option-like words intact, and the names
# resolve in there.
set -u
# outside: arguments as a caller would give them; inside they must
# arrive through the re-run, not from this line
[ -n "${XM_IN_HOSTS:-}" ] || set -- "two words" --json ''
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hosts.sh"

[ $# -eq 3 ] || fail "hosts.sh re-ran the script with $# arguments, want 3"
[ "$1" = "two words" ] && [ "$2" = "--json" ] && [ -z "$3" ] ||
    fail "arguments changed on the way: '$1' '$2' '${3:-}'"
getent hosts xenhost-b > /dev/null || fail "xenhost-b does not resolve"
pass
