#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# spec-el6.sh [TARBALL]: xenmig.spec as rpm 4.8 (CentOS/RHEL 6) reads it.
# rpm's own parser (rpmspec --parse) reads it with rhel=6 and with the
# macros rpm 4.8 lacks undefined, so that any use of them is left in the
# output unexpanded; then rpmbuild -bp runs its %prep on TARBALL.
#  - no %autosetup, %make_build, %make_install, %ldconfig_scriptlets,
#    no rich (boolean) dependencies
#  - Group: in each of the three packages
#  - the EL6 BuildRequires names; no python3, so no %check
#  - %post/%postun libs -p /sbin/ldconfig
set -eu
cd "$(dirname "$0")/.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "spec-el6: FAIL: $*" >&2; exit 1; }
command -v rpmspec > /dev/null 2>&1 || { echo "spec-el6: no rpmspec" >&2; exit 77; }
set -- "${1:-}" --define 'rhel 6' --define 'dist .el6' \
    --undefine autosetup --undefine make_build --undefine make_install \
    --undefine ldconfig_scriptlets --undefine _licensedir \
    --undefine bash_completions_dir --undefine build_ldflags \
    --undefine set_build_flags
tarball=$1
shift
rpmspec --parse "$@" xenmig.spec > "$T/spec" 2> "$T/err" ||
    fail "rpmspec --parse: $(cat "$T/err")"
if grep -nE '%\{?(autosetup|make_build|make_install|ldconfig_scriptlets|set_build_flags)' "$T/spec"; then
    fail "macros rpm 4.8 lacks"
fi
if grep -nE '^(Build)?Requires:.*\(.* (or|and|if|with|without|unless) ' "$T/spec"; then
    fail "rich dependencies (rpm 4.13)"
fi
[ "$(grep -c '^Group:' "$T/spec")" -eq 3 ] ||
    fail "Group: missing from a package (rpm 4.8 needs it)"
for br in libcurl-devel libxml2-devel json-c-devel CUnit-devel xen-devel; do
    grep -q "^BuildRequires: *$br\$" "$T/spec" || fail "no BuildRequires $br"
done
if grep -nE '^BuildRequires:.*(pkgconfig\(|python3)' "$T/spec"; then
    fail "BuildRequires EL6 does not know"
fi
if grep -n '^%check' "$T/spec"; then
    fail "%check without python3"
fi
grep -q '^%post libs -p /sbin/ldconfig$' "$T/spec" || fail "no %post libs"
grep -q '^%postun libs -p /sbin/ldconfig$' "$T/spec" || fail "no %postun libs"
echo "spec-el6: rpmspec --parse: ok"
if [ -n "$tarball" ]; then
    mkdir -p "$T/top/SOURCES"
    cp "$tarball" "$T/top/SOURCES/"
    tar -xzOf "$tarball" "$(basename "$tarball" .tar.gz)/xenmig.spec" \
        > "$T/xenmig.spec"
    rpmbuild -bp --nodeps "$@" --define "_topdir $T/top" "$T/xenmig.spec" \
        > "$T/bp" 2>&1 || { tail -n 20 "$T/bp"; fail "rpmbuild -bp"; }
    [ -f "$T/top/BUILD/xenmig-0.1.0/Makefile" ] ||
        fail "rpmbuild -bp did not unpack the sources"
    echo "spec-el6: rpmbuild -bp: ok"
fi
