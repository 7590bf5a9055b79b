#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# packaging.sh: the heavy packaging checks CI runs after 'make check'
# (not part of make check: they take a minute or more).
#  1. make install DESTDIR=... installs the documented tree, nothing else
#  2. make rpm: xenmig, xenmig-libs, xenmig-devel each hold the right files;
#     the spec read as rpm 4.8 (EL6) reads it (tests/spec-el6.sh)
#  3. rpmlint: no errors (tests/data/packaging/xenmig.rpmlintrc filters
#     the Debian-rpmlint-only ones, each with its reason)
#  4. the make dist tarball builds and passes make check on its own
# Environment: DIST_WORKTREE=1 packs the work tree instead of HEAD (for a
# tree with uncommitted work); RPM_NOCHECK=0 runs %check inside
# rpmbuild too (default 1: make check has already run); DIST_CHECK=0
# skips step 4.
set -eu
cd "$(dirname "$0")/.."
export DIST_WORKTREE="${DIST_WORKTREE:-0}"
RPM_NOCHECK=${RPM_NOCHECK:-1}
DIST_CHECK=${DIST_CHECK:-1}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "packaging: FAIL: $*" >&2; exit 1; }
step() { echo "== packaging: $*"; }

# 1. make install
step "make install DESTDIR"
make -s install DESTDIR="$T/root" PREFIX=/usr LIBDIR=/usr/lib64 > /dev/null
(cd "$T/root" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort) \
    > "$T/installed"
cat > "$T/want" <<'LIST'
/usr/bin/xenmig
/usr/include/xenmig.h
/usr/lib64/libxenmig.so
/usr/lib64/libxenmig.so.0
/usr/lib64/libxenmig.so.0.1.0
/usr/lib64/pkgconfig/xenmig.pc
/usr/share/bash-completion/completions/xenmig
/usr/share/man/man1/xenmig.1
/usr/share/man/man3/libxenmig.3
LIST
diff -u "$T/want" "$T/installed" || fail "make install tree differs"
[ "$(readlink "$T/root/usr/lib64/libxenmig.so")" = libxenmig.so.0 ] ||
    fail "libxenmig.so does not point at libxenmig.so.0"
[ "$(readlink "$T/root/usr/lib64/libxenmig.so.0")" = libxenmig.so.0.1.0 ] ||
    fail "libxenmig.so.0 does not point at libxenmig.so.0.1.0"
objdump -p "$T/root/usr/lib64/libxenmig.so.0.1.0" |
    grep -q 'SONAME *libxenmig.so.0$' || fail "SONAME is not libxenmig.so.0"
# the build tree's tool runs as built ($ORIGIN); the installed one has
# no run path at all
objdump -p build/xenmig | grep -q 'R*PATH *\$ORIGIN$' ||
    fail "build/xenmig has no \$ORIGIN run path"
! objdump -p "$T/root/usr/bin/xenmig" | grep -q 'R*PATH' ||
    fail "the installed xenmig has a run path"
grep -qx 'libdir=/usr/lib64' "$T/root/usr/lib64/pkgconfig/xenmig.pc" ||
    fail "xenmig.pc libdir"
PKG_CONFIG_PATH="$T/root/usr/lib64/pkgconfig" pkg-config --validate xenmig ||
    fail "xenmig.pc does not validate"
PKG_CONFIG_PATH="$T/root/usr/lib64/pkgconfig" \
    pkg-config --print-requires-private xenmig | grep -q libcurl ||
    fail "xenmig.pc lacks Requires.private"
# a program builds against the installed header and library, and runs
printf '#include <stdio.h>\n#include <xenmig.h>\nint main(void)\n{\n    puts(xenmig_version());\n    return 0;\n}\n' > "$T/p.c"
cc -std=c99 -Wall -Werror -I"$T/root/usr/include" -o "$T/p" "$T/p.c" \
    -L"$T/root/usr/lib64" -lxenmig || fail "cannot build against install"
[ "$(LD_LIBRARY_PATH="$T/root/usr/lib64" "$T/p")" = 0.1.0 ] ||
    fail "installed library reports another version"
MANWIDTH=80 man -l "$T/root/usr/share/man/man1/xenmig.1" > "$T/man" \
    2> "$T/manerr" || fail "man -l xenmig.1: $(cat "$T/manerr")"
[ ! -s "$T/manerr" ] || fail "man -l xenmig.1 warns: $(cat "$T/manerr")"
grep -q 'EXIT STATUS' "$T/man" || fail "man -l xenmig.1 lacks EXIT STATUS"

# 2. make rpm
step "make rpm (RPM_NOCHECK=$RPM_NOCHECK)"
rm -rf build/rpm
make -s rpm RPM_NOCHECK="$RPM_NOCHECK" > "$T/rpm.log" 2>&1 ||
    { tail -n 40 "$T/rpm.log"; fail "make rpm"; }
R=build/rpm/RPMS/$(rpm --eval '%{_arch}')
v=0.1.0-1
for p in xenmig xenmig-libs xenmig-devel; do
    [ -f "$R/$p-$v.$(rpm --eval '%{_arch}').rpm" ] || fail "no $p RPM"
done
[ -f build/rpm/SRPMS/xenmig-$v.src.rpm ] || fail "no source RPM"
# rpmbuild's own /usr/lib/.build-id links are left out of the comparison
lsrpm() {
    rpm -qlp "$R/$1-$v.$(rpm --eval '%{_arch}').rpm" |
        grep -v '^/usr/lib/\.build-id' | sort
}
# man pages may be compressed; the doc directory is versioned on some
# rpm versions (xenmig-0.1.0) and not on others (Fedora: xenmig)
unman() {
    sed -e 's|^\(/usr/share/man/.*\.[0-9]\)\.[a-z0-9]*$|\1|' \
        -e 's|^/usr/share/doc/xenmig-0\.1\.0|/usr/share/doc/xenmig|'
}
printf '%s\n' /usr/bin/xenmig /usr/share/bash-completion/completions/xenmig \
    /usr/share/doc/xenmig /usr/share/doc/xenmig/README.md \
    /usr/share/man/man1/xenmig.1 | sort > "$T/want"
lsrpm xenmig | unman | sort > "$T/got"
diff -u "$T/want" "$T/got" || fail "xenmig RPM files"
lib=$(rpm --eval '%{_libdir}')
# the licence directory is versioned on some rpm versions too
printf '%s\n' "$lib/libxenmig.so.0" "$lib/libxenmig.so.0.1.0" \
    /usr/share/licenses/xenmig-libs \
    /usr/share/licenses/xenmig-libs/COPYING | sort > "$T/want"
lsrpm xenmig-libs |
    sed 's|^/usr/share/licenses/xenmig-libs-0\.1\.0|/usr/share/licenses/xenmig-libs|' |
    sort > "$T/got"
diff -u "$T/want" "$T/got" || fail "xenmig-libs RPM files"
printf '%s\n' /usr/include/xenmig.h "$lib/libxenmig.so" \
    "$lib/pkgconfig/xenmig.pc" /usr/share/man/man3/libxenmig.3 |
    sort > "$T/want"
lsrpm xenmig-devel | unman | sort > "$T/got"
diff -u "$T/want" "$T/got" || fail "xenmig-devel RPM files"
rpm -qp --provides "$R/xenmig-libs-$v.$(rpm --eval '%{_arch}').rpm" |
    grep -q '^libxenmig.so.0(XENMIG_0.1)' || fail "-libs lacks XENMIG_0.1"
rpm -qp --requires "$R/xenmig-devel-$v.$(rpm --eval '%{_arch}').rpm" |
    grep -q '^xenmig-libs' || fail "-devel does not require -libs"

# 2b. the spec as rpm 4.8 (EL6) reads it: rpmspec --parse, rpmbuild -bp
step "xenmig.spec for EL6 (tests/spec-el6.sh)"
sh tests/spec-el6.sh build/xenmig-0.1.0.tar.gz || fail "EL6 spec"

# 3. rpmlint
step "rpmlint"
if command -v rpmlint > /dev/null 2>&1; then
    st=0
    rpmlint -r tests/data/packaging/xenmig.rpmlintrc xenmig.spec \
        build/rpm/SRPMS/*.rpm "$R"/*.rpm > "$T/lint" 2>&1 || st=$?
    grep -E '^[^ ]+: [EW]: ' "$T/lint" || true
    tail -n 1 "$T/lint"
    if [ "$st" -ne 0 ] || grep -qE '^[^ ]+: E: ' "$T/lint"; then
        fail "rpmlint reports errors (exit $st)"
    fi
else
    echo "packaging: rpmlint not installed, skipped" >&2
fi

# 4. the tarball on its own
if [ "$DIST_CHECK" = 1 ]; then
    step "dist tarball: make && make check"
    tar -C "$T" -xzf build/xenmig-0.1.0.tar.gz
    (cd "$T/xenmig-0.1.0" && [ ! -e .git ] && make -s -j2 &&
        make check) > "$T/dist.log" 2>&1 ||
        { tail -n 40 "$T/dist.log"; fail "dist tarball does not pass make check"; }
    tail -n 1 "$T/dist.log"
fi
echo "packaging: ok"
