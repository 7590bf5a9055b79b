#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# deps.sh: make sure the Debian packages the build and tests need are
# installed. As root it installs what is missing with apt-get; as
# anyone else it names the missing packages and fails.
#   deps.sh [extra-package ...]
set -eu
# not Debian (an RPM build root, say): the build system's own
# dependencies (BuildRequires) are in charge
command -v dpkg-query >/dev/null 2>&1 || exit 0
[ -z "${XENMIG_NO_DEPS:-}" ] || exit 0
pkgs="build-essential pkg-config libcurl4-openssl-dev libxml2-dev
libxml2-utils libxen-dev libcunit1-dev libjson-c-dev python3
xenstore-utils curl openssl util-linux $*"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q 'install ok installed' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: install them with: sudo apt-get install$missing" >&2
    exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
