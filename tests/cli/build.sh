#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# build.sh: the newcomer's first steps. The built tool runs from the
# build tree without LD_LIBRARY_PATH; make is quiet about pkg-config
# and stops with one line when a dependency is missing; scripts/deps.sh
# says what it installs and why before it does, honours
# XENMIG_NO_DEPS=1, and fails clearly where it cannot install.
set -u
. "$(dirname "$0")/lib.sh"

# ./build/xenmig as built (its RUNPATH is $ORIGIN)
env -u LD_LIBRARY_PATH "$PWD/$B/xenmig" --version > "$T/out" 2>&1 ||
    fail "the built tool does not run as built: $(cat "$T/out")"

# no pkg-config noise; a missing package is one line naming it (a
# pkg-config that knows no package, and says so on stderr)
printf '#!/bin/sh\necho "Package $2 was not found" >&2\nexit 1\n' > "$T/pc"
chmod +x "$T/pc"
PKG_CONFIG="$T/pc" make -n clean > /dev/null 2> "$T/err" ||
    fail "make -n clean failed: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "make clean printed: $(cat "$T/err")"
PKG_CONFIG="$T/pc" make -n -B "$B/obj/lib/util.o" > /dev/null 2> "$T/err" &&
    fail "make went on without its dependencies"
[ "$(wc -l < "$T/err")" -eq 1 ] || fail "not one line: $(cat "$T/err")"
# (xenstore and CUnit without a .pc fall back to -lxenstore, -lcunit:
# the platform floor's)
grep -q "pkg-config finds no libcurl libxml-2.0 json-c (Debian: libcurl4-openssl-dev libxml2-dev libjson-c-dev).*make deps" \
    "$T/err" || fail "missing dependency line: $(cat "$T/err")"

# deps.sh with stand-ins for dpkg-query, apt-get and id in a PATH of
# their own (the real ones are never run)
mkdir -p "$T/bin" "$T/nodpkg"
for c in sh grep echo cat; do
    p=$(command -v $c) && ln -s "$p" "$T/bin/$c" && ln -s "$p" "$T/nodpkg/$c"
done
cat > "$T/bin/dpkg-query" <<'SH'
#!/bin/sh
case $3 in libcunit1-dev|rpm) echo "unknown ok not-installed" ;; *) echo "install ok installed" ;; esac
SH
cat > "$T/bin/apt-get" <<SH
#!/bin/sh
echo "apt-get \$*" >> "$T/apt.log"
echo "apt-get ran" >&2
SH
printf '#!/bin/sh\necho 0\n' > "$T/bin/id"
chmod +x "$T/bin/dpkg-query" "$T/bin/apt-get" "$T/bin/id"
PATH="$T/bin" sh scripts/deps.sh > "$T/out" 2>&1 || fail "deps.sh: $(cat "$T/out")"
head -n 1 "$T/out" | grep -q '^deps: installing libcunit1-dev with apt-get, to build xenmig and run its tests (XENMIG_NO_DEPS=1 skips this)$' ||
    fail "deps.sh did not say what and why first: $(cat "$T/out")"
grep -q 'install -y -qq --no-install-recommends libcunit1-dev$' "$T/apt.log" ||
    fail "apt-get not asked for the missing package: $(cat "$T/apt.log")"
PATH="$T/bin" sh scripts/deps.sh --why "to build RPM packages (make rpm)" rpm \
    > "$T/out" 2>&1 || fail "deps.sh rpm: $(cat "$T/out")"
grep -q '^deps: installing libcunit1-dev rpm with apt-get, to build RPM packages' \
    "$T/out" || fail "deps.sh rpm: $(cat "$T/out")"
: > "$T/apt.log"
XENMIG_NO_DEPS=1 PATH="$T/bin" sh scripts/deps.sh > "$T/out" 2>&1 ||
    fail "XENMIG_NO_DEPS=1 failed"
[ ! -s "$T/apt.log" ] && [ ! -s "$T/out" ] || fail "XENMIG_NO_DEPS=1 did something"
# where it cannot install, it says so and fails
PATH="$T/nodpkg" sh scripts/deps.sh > "$T/out" 2>&1 &&
    fail "deps.sh without dpkg/apt-get succeeded"
grep -q '^deps: cannot check or install packages here' "$T/out" ||
    fail "deps.sh without dpkg: $(cat "$T/out")"
pass
