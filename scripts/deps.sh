#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# deps.sh: make sure the Debian packages the build and tests need are
# installed. As root it installs what is missing with apt-get, after
# one line that says which packages and why; as anyone else it names
# the missing packages and fails. Where it cannot install (no dpkg or
# apt-get: not Debian or Ubuntu) it says so and fails.
#   deps.sh [--why TEXT] [extra-package ...]
# XENMIG_NO_DEPS=1 skips it all (packagers, machines that must not
# change: the build system's own dependencies are in charge).
set -eu
why="to build xenmig and run its tests"
if [ "${1:-}" = --why ]; then
    why=$2
    shift 2
fi
[ -z "${XENMIG_NO_DEPS:-}" ] || exit 0
pkgs="build-essential pkg-config libcurl4-openssl-dev libxml2-dev
libxml2-utils libxen-dev libcunit1-dev libjson-c-dev python3
xenstore-utils curl openssl util-linux iproute2 $*"
if ! command -v dpkg-query >/dev/null 2>&1 ||
   ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: cannot check or install packages here (no dpkg/apt-get):" \
        "install the equivalents of: $(echo $pkgs) - then run again" \
        "with XENMIG_NO_DEPS=1" >&2
    exit 1
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q 'install ok installed' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: install them with: sudo apt-get install$missing" \
        "(or set XENMIG_NO_DEPS=1 to skip this check)" >&2
    exit 1
fi
echo "deps: installing$missing with apt-get, $why" \
    "(XENMIG_NO_DEPS=1 skips this)" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq || ! apt-get install -y -qq \
        --no-install-recommends $missing; then
    echo "deps: apt-get could not install$missing" >&2
    exit 1
fi
