# SPDX-License-Identifier: LGPL-2.1-or-later
# xenmig: one non-recursive Makefile.
#
#   make                  library, tool
#   make check            unit tests, emulator tests, ABI checks
#   make check SANITIZE=1 the same under AddressSanitizer + UBSan
#   make check FLOOR=1    the same with every compat path forced on
#   make install DESTDIR=... PREFIX=/usr LIBDIR=/usr/lib64
#   make lint | dist | rpm | man | clean | bench | demo

VERSION   := 0.1.0
SOVERSION := 0
NAME      := xenmig

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions

CC      ?= cc
PKG_CONFIG ?= pkg-config
DEPS    := libcurl libxml-2.0
# Quiet when a package is missing: a target that compiles says so in
# one line (DEPS_GUARD) instead of pkg-config's errors on every make.
# xenstore, json-c and CUnit are found in the platform floor block
# below, with fallbacks for the floor's missing .pc files.
PC = $(shell $(PKG_CONFIG) $(1) 2>/dev/null)
DEPS_CFLAGS := $(call PC,--cflags $(DEPS))
DEPS_LIBS   := $(call PC,--libs $(DEPS)) -lpthread
CUNIT_CFLAGS := $(call PC,--cflags cunit)
CUNIT_LIBS   := $(call PC,--libs cunit)
DEPS_MISSING = $(strip $(foreach m,$(DEPS),$(if $(shell \
    $(PKG_CONFIG) --exists $(m) 2>/dev/null && echo y),,$(m))) \
    $(if $(JSON_PC),,json-c))
# the Debian package of each pkg-config module (scripts/deps.sh)
DEB_libcurl := libcurl4-openssl-dev
DEB_libxml-2.0 := libxml2-dev
DEB_json-c := libjson-c-dev
DEPS_GUARD = $(if $(DEPS_MISSING),$(error pkg-config finds no \
    $(DEPS_MISSING) (Debian: $(foreach m,$(DEPS_MISSING),$(DEB_$(m)))): \
    install them, as root with 'make deps'))

ifeq ($(SANITIZE),1)
B := build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
else
B := build
SAN_FLAGS :=
endif

WARN := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wno-unused-parameter

# ---- platform floor (docs/PLATFORMS.md) ----------------------------------
# The oldest platforms are EL6 (gcc 4.4, glibc 2.12, libcurl 7.19.7),
# Debian 7 and SLES 11. FLOOR=1 defines XM_FLOOR, which takes every
# compat path against today's libraries, in build-floor/ (make check
# FLOOR=1 runs the tests that way). Warning flags newer than gcc 4.4
# are kept only where the compiler takes them; WERROR= builds without
# -Werror (an old compiler's extra warnings need not stop a package).
# libxenstore has a xenstore.pc from Xen 4.9 and xenstore.h from 4.2:
# before, -lxenstore and xs.h (XM_XS_H). clock_gettime is in librt
# before glibc 2.17. json-c: the library (the step cookie) and the tool.
ifeq ($(FLOOR),1)
B := $(if $(filter 1,$(SANITIZE)),build-floor-san,build-floor)
FLOOR_CFLAGS := -DXM_FLOOR -DCURL_DISABLE_DEPRECATION
endif
WERROR ?= -Werror
WARN := $(filter-out -Werror,$(WARN)) $(WERROR) -Wvla -Wlogical-op \
        -Wundef -Wpointer-arith -Wold-style-definition
cc_takes = $(shell $(CC) -Werror $(1) -x c -c -o /dev/null /dev/null \
                 >/dev/null 2>&1 && echo $(1))
WARN += $(call cc_takes,-Wduplicated-cond) \
        $(call cc_takes,-Wimplicit-fallthrough)
XS_CFLAGS := $(shell $(PKG_CONFIG) --cflags xenstore 2>/dev/null)
XS_LIBS   := $(shell $(PKG_CONFIG) --libs xenstore 2>/dev/null || \
                 echo -lxenstore)
XS_CFLAGS += $(shell printf '\043include <xenstore.h>\n' | \
                 $(CC) $(XS_CFLAGS) -E -x c - >/dev/null 2>&1 || \
                 echo -DXM_XS_H)
RT_LIBS := $(shell printf '\043include <time.h>\nint main(void) { struct \
                 timespec t; return clock_gettime(CLOCK_MONOTONIC, &t); }' | \
                 $(CC) -x c -o /dev/null - >/dev/null 2>&1 || echo -lrt)
# json-c: 0.11 moved to json-c/ and json-c.pc; 0.10
# has json/ and json.pc (XM_JSON_H). CUnit without cunit.pc: -lcunit.
JSON_PC := $(shell $(PKG_CONFIG) --exists json-c 2>/dev/null && \
               echo json-c || ($(PKG_CONFIG) --exists json 2>/dev/null && \
               echo json))
JSON_CFLAGS := $(if $(JSON_PC),$(shell $(PKG_CONFIG) --cflags $(JSON_PC))) \
               $(if $(filter json,$(JSON_PC)),-DXM_JSON_H)
JSON_LIBS := $(if $(JSON_PC),$(shell $(PKG_CONFIG) --libs $(JSON_PC)),-ljson-c)
CUNIT_LIBS := $(shell $(PKG_CONFIG) --libs cunit 2>/dev/null || echo -lcunit)
DEPS_CFLAGS += $(XS_CFLAGS) $(JSON_CFLAGS)
DEPS_LIBS := $(filter-out -lpthread,$(DEPS_LIBS)) $(XS_LIBS) $(JSON_LIBS) \
             $(RT_LIBS) -lpthread
# ---- end of the platform floor block --------------------------------------
# Includes name their folder ("migration/relay.h") from the top of the
# tree; the command-line tool sees the public header only (CLI_CFLAGS).
CC_FLAGS  := -std=gnu99 -D_GNU_SOURCE -O2 -g $(WARN) -fPIC \
             -fvisibility=hidden -Iinclude $(FLOOR_CFLAGS)
XM_CFLAGS := $(CC_FLAGS) -I. $(DEPS_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
CLI_CFLAGS := $(CC_FLAGS) $(SAN_FLAGS) $(CFLAGS)
XM_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)

# The layers, bottom up: base, host, capabilities, migration. An
# include may only point down this list (tests/lint.sh checks it).
LAYERS   := lib xend-client capabilities migration
LIB_SRC  := $(sort $(wildcard $(LAYERS:%=%/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/obj/%.o)
CLI_SRC  := $(sort $(wildcard xenmig/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/obj/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c tests/support/*.c)) \
            tests/run-tests.c
TEST_OBJ := $(TEST_SRC:%.c=$(B)/obj/%.o)
SUITES   := $(patsubst tests/test_%.c,%,$(wildcard tests/test_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench-%)

SONAME   := lib$(NAME).so.$(SOVERSION)
SHLIB    := $(B)/lib$(NAME).so.$(VERSION)

.PHONY: all check lint install clean dist bench demo deps man rpm
all: $(B)/lib$(NAME).a $(B)/$(SONAME) $(B)/lib$(NAME).so $(B)/$(NAME) \
     $(B)/$(NAME).pc

ifneq ($(V),1)
Q := @
endif

$(B)/obj/%.o: %.c
	$(DEPS_GUARD)@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(XM_CFLAGS) $(CUNIT_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/lib$(NAME).a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(SHLIB): $(LIB_OBJ) lib/lib$(NAME).syms
	$(CC) -shared -Wl,-soname,$(SONAME) \
	    -Wl,--version-script=lib/lib$(NAME).syms -Wl,-z,defs \
	    -o $@ $(LIB_OBJ) $(XM_LDFLAGS) $(DEPS_LIBS)

$(B)/$(SONAME): $(SHLIB)
	ln -sf lib$(NAME).so.$(VERSION) $@
$(B)/lib$(NAME).so: $(B)/$(SONAME)
	ln -sf $(SONAME) $@

$(B)/obj/xenmig/help.h: scripts/md2help.sh $(wildcard docs/commands/*.md)
	@mkdir -p $(dir $@)
	sh scripts/md2help.sh $(sort $(wildcard docs/commands/*.md)) > $@.tmp
	mv $@.tmp $@
$(B)/obj/xenmig/main.o: $(B)/obj/xenmig/help.h
$(CLI_OBJ): XM_CFLAGS := $(CLI_CFLAGS) -I$(B)/obj/xenmig \
    $(JSON_CFLAGS)

# The tool in the build tree finds its library beside it ($ORIGIN), so
# ./build/xenmig runs as built; "make install" installs a copy linked
# without that run path.
CLI_LINK = $(CC) -o $@ $(CLI_OBJ) $(XM_LDFLAGS) -L$(B) -l$(NAME) \
	    $(JSON_LIBS)
$(B)/$(NAME): $(CLI_OBJ) $(B)/lib$(NAME).so
	$(CLI_LINK) -Wl,-rpath,'$$ORIGIN'
$(B)/$(NAME).install: $(CLI_OBJ) $(B)/lib$(NAME).so
	$(CLI_LINK)

# The paths are those of this make run: install writes its own copy,
# so "make; make install PREFIX=/usr" never installs a stale one.
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|  *@RT_LIBS@| $(RT_LIBS)|' \
	    -e 's|@JSON_PC@|$(or $(JSON_PC),json-c)|' -e 's| *$$||'
$(B)/$(NAME).pc: $(NAME).pc.in Makefile
	$(PC_SED) $< > $@

# The test runner registers every tests/test_<module>.c's suite.
$(B)/obj/tests/suites.h: $(wildcard tests/test_*.c) Makefile
	@mkdir -p $(dir $@)
	@{ for s in $(SUITES); do echo "XM_SUITE($$s)"; done; } > $@.tmp
	@mv $@.tmp $@
$(B)/obj/tests/run-tests.o: $(B)/obj/tests/suites.h
$(B)/obj/tests/run-tests.o: XM_CFLAGS += -I$(B)/obj/tests

# The tests see the test hooks (XM_TEST_HOOKS: injected allocation
# failure), compiled into their own copy of lib/alloc.c that is linked
# ahead of the library, so the library that ships has none of them.
$(TEST_OBJ): XM_CFLAGS += -DXM_TEST_HOOKS
$(B)/obj-test/lib/alloc.o: lib/alloc.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(XM_CFLAGS) -DXM_TEST_HOOKS -MMD -MP -c -o $@ $<

# the tool's placement planner is a pure function: unit-tested too
TEST_CLI_OBJ := $(B)/obj/xenmig/evac_plan.o
$(B)/run-tests: $(TEST_OBJ) $(B)/obj-test/lib/alloc.o $(B)/lib$(NAME).a \
    $(TEST_CLI_OBJ)
	$(CC) -o $@ $(TEST_OBJ) $(TEST_CLI_OBJ) $(B)/obj-test/lib/alloc.o \
	    $(B)/lib$(NAME).a \
	    $(XM_LDFLAGS) $(CUNIT_LIBS) $(DEPS_LIBS)

# A migration through the public step API only (tests/stepdrive.c), for
# the fault matrix's --steps rows: built as a library user would, with
# the public header alone.
$(B)/test-stepdrive: tests/stepdrive.c include/$(NAME).h $(B)/lib$(NAME).so
	$(CC) $(CLI_CFLAGS) -o $@ tests/stepdrive.c $(XM_LDFLAGS) -L$(B) \
	    -l$(NAME) -Wl,-rpath,'$$ORIGIN' -lpthread
$(B)/bench-%: bench/%.c $(B)/lib$(NAME).a
	$(CC) $(XM_CFLAGS) -o $@ $< $(B)/lib$(NAME).a $(XM_LDFLAGS) \
	    $(DEPS_LIBS)
# the Unix-socket request path against the tests' canned server
$(B)/bench-xendsock: bench/xendsock.c tests/support/httpd.c \
    $(B)/lib$(NAME).a
	$(CC) $(XM_CFLAGS) -o $@ bench/xendsock.c tests/support/httpd.c \
	    $(B)/lib$(NAME).a $(XM_LDFLAGS) $(DEPS_LIBS)

# bench/sxp-arena.sh's baseline: the same parser with a malloc for every
# node instead of the arena (lib/sexpr*.c, XM_SEXPR_PLAIN_MALLOC)
SEXPR_SRC := $(sort $(wildcard lib/sexpr*.c))
$(B)/bench-sxp-malloc: bench/sxp.c $(SEXPR_SRC) lib/sexpr_impl.h \
    $(B)/lib$(NAME).a
	$(CC) $(XM_CFLAGS) -DXM_SEXPR_PLAIN_MALLOC -o $@ bench/sxp.c \
	    $(SEXPR_SRC) $(B)/lib$(NAME).a $(XM_LDFLAGS) $(DEPS_LIBS)

# Install (as root) or name (otherwise) the Debian packages needed.
deps:
	@sh scripts/deps.sh

check: deps
	$(MAKE) all $(B)/run-tests $(B)/test-stepdrive
	B=$(B) SANITIZE=$(SANITIZE) FLOOR=$(FLOOR) sh tests/check.sh

demo:
	@sh scripts/deps.sh --why "to build xenmig and run its demo"
	$(MAKE) all
	sh scripts/demo.sh

bench: $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

lint:
	sh tests/lint.sh

# Installs exactly: the tool, its man page and bash completion; the
# shared library (libxenmig.so.0*); header, .so link, xenmig.pc and
# libxenmig(3). tests/packaging.sh compares the tree with that list.
INSTALL ?= install
install: all $(B)/$(NAME).1 $(B)/lib$(NAME).3 $(B)/$(NAME).install
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
	    $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
	    $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 755 $(B)/$(NAME).install $(DESTDIR)$(BINDIR)/$(NAME)
	$(INSTALL) -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf lib$(NAME).so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/lib$(NAME).so
	$(INSTALL) -m 644 include/$(NAME).h $(DESTDIR)$(INCLUDEDIR)/
	$(PC_SED) $(NAME).pc.in > $(DESTDIR)$(PKGCONFIGDIR)/$(NAME).pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/$(NAME).pc
	$(INSTALL) -m 644 $(B)/$(NAME).1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 $(B)/lib$(NAME).3 $(DESTDIR)$(MANDIR)/man3/
	$(INSTALL) -m 644 completion/$(NAME).bash \
	    $(DESTDIR)$(BASHCOMPDIR)/$(NAME)

# xenmig(1), generated from every docs/commands/<cmd>.md; libxenmig(3)
# from the doc comments of include/xenmig.h, into docs/libxenmig.3.in
# (scripts/h2man.sh refuses a public function without a comment)
man: $(B)/$(NAME).1 $(B)/lib$(NAME).3
$(B)/lib$(NAME).3: scripts/h2man.sh include/$(NAME).h docs/lib$(NAME).3.in \
    Makefile
	@mkdir -p $(dir $@)
	sh scripts/h2man.sh $(VERSION) include/$(NAME).h \
	    docs/lib$(NAME).3.in > $@.tmp
	mv $@.tmp $@
$(B)/$(NAME).1: scripts/md2man.sh $(wildcard docs/commands/*.md) Makefile
	@mkdir -p $(dir $@)
	sh scripts/md2man.sh $(VERSION) \
	    $(sort $(wildcard docs/commands/*.md)) > $@.tmp
	mv $@.tmp $@

# make dist: git archive of HEAD. DIST_WORKTREE=1 archives the work
# tree as it is instead (tracked and untracked files, not ignored ones
# nor build*/), through a temporary index, and says so.
DIST := $(NAME)-$(VERSION)
dist:
	@mkdir -p $(B)
ifeq ($(DIST_WORKTREE),1)
	@echo "warning: $(B)/$(DIST).tar.gz is the work tree, not a commit" >&2
	@idx=$$(mktemp) && cp "$$(git rev-parse --git-path index)" "$$idx" && \
	    git ls-files -z -co --exclude-standard -- ':!:build*' | \
	    GIT_INDEX_FILE=$$idx git update-index --add --remove -z --stdin && \
	    tree=$$(GIT_INDEX_FILE=$$idx git write-tree) && rm -f "$$idx" && \
	    git archive --format=tar.gz --prefix=$(DIST)/ \
	        -o $(B)/$(DIST).tar.gz $$tree
else
	@test -z "$$(git status --porcelain)" || \
	    echo "warning: uncommitted changes are not in the tarball" >&2
	git archive --format=tar.gz --prefix=$(DIST)/ -o $(B)/$(DIST).tar.gz HEAD
endif
	@echo $(B)/$(DIST).tar.gz

# make rpm: source and binary RPMs from the dist tarball (its own
# xenmig.spec) into build/rpm/. --nodeps when the BuildRequires are not
# known to the rpm database (a Debian host); RPM_NOCHECK=1 skips %check.
RPMTOP := $(abspath build/rpm)
rpm: dist
	@sh scripts/deps.sh --why "to build RPM packages (make rpm)" rpm
	@mkdir -p $(addprefix $(RPMTOP)/,BUILD BUILDROOT RPMS SOURCES SPECS SRPMS)
	cp $(B)/$(DIST).tar.gz $(RPMTOP)/SOURCES/
	@nodeps=; \
	if ! rpm -q --whatprovides 'pkgconfig(libcurl)' >/dev/null 2>&1; then \
	    echo "rpm: BuildRequires not in the rpm database: --nodeps" >&2; \
	    nodeps=--nodeps; \
	fi; \
	echo rpmbuild -ta $$nodeps $(if $(filter 1,$(RPM_NOCHECK)),--nocheck) \
	    --define "_topdir $(RPMTOP)" $(RPMTOP)/SOURCES/$(DIST).tar.gz; \
	rpmbuild -ta $$nodeps $(if $(filter 1,$(RPM_NOCHECK)),--nocheck) \
	    --define "_topdir $(RPMTOP)" $(RPMTOP)/SOURCES/$(DIST).tar.gz

clean:
	rm -rf build build-san build-floor build-floor-san

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) \
    $(B)/obj-test/lib/alloc.d
-include fuzz/fuzz.mk
-include tests/reliability/reliability.mk
