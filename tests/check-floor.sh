#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-floor.sh LIB.a: the floor build (make FLOOR=1) takes the compat
# paths of docs/PLATFORMS.md and not the newer calls, seen in the
# symbols its objects use. (The relay's default pipe is checked by the
# relay suite's pipe_is_raised_unless_floor.)
set -u
lib=${1:?usage: check-floor.sh build-floor/libxenmig.a}
syms=$(nm "$lib" 2>/dev/null) || { echo "floor: cannot read '$lib'" >&2; exit 1; }
status=0
need() {
    if ! printf '%s\n' "$syms" | grep -Eq "^[0-9a-f]* *$1 $2\$"; then
        echo "floor: '$lib' lacks $2 ($3)" >&2
        status=1
    fi
}
refuse() {
    if printf '%s\n' "$syms" | grep -Eq " U $1\$"; then
        echo "floor: '$lib' calls $1 ($2)" >&2
        status=1
    fi
}
need t open_unix_socket "the xend socket without CURLOPT_UNIX_SOCKET_PATH"
refuse 'curl_url(_set|_get|_cleanup|_strerror)?' "libcurl's URL API"
need U xs_daemon_open "xenstore through the old API"
need U xs_read_watch "watch events without xs_check_watch"
refuse 'xs_(open|close|check_watch)' "xenstore's Xen 4.1/4.2 calls"
[ "$status" -eq 0 ] && echo "floor: the compat paths are in '$lib'"
exit "$status"
