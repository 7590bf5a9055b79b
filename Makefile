# xenmig: one non-recursive Makefile.
#
#   make                  library, tool
#   make check            unit tests, emulator tests, ABI checks
#   make check SANITIZE=1 the same under AddressSanitizer + UBSan
#   make install DESTDIR=... PREFIX=/usr LIBDIR=/usr/lib64
#   make lint | dist | clean | bench | demo

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
DEPS    := libcurl libxml-2.0 json-c
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEPS) xenstore)
DEPS_LIBS   := $(shell $(PKG_CONFIG) --libs $(DEPS) xenstore) -lpthread
CUNIT_CFLAGS := $(shell $(PKG_CONFIG) --cflags cunit)
CUNIT_LIBS   := $(shell $(PKG_CONFIG) --libs cunit)

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
XM_CFLAGS := -std=c99 -D_GNU_SOURCE -O2 -g $(WARN) -fPIC \
             -fvisibility=hidden -Iinclude -Ilib -Ixend-client \
             -Icapabilities $(DEPS_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
XM_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)

LIB_SRC  := $(sort $(wildcard lib/*.c xend-client/*.c capabilities/*.c))
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

.PHONY: all check lint install clean dist bench demo deps
all: $(B)/lib$(NAME).a $(B)/$(SONAME) $(B)/lib$(NAME).so $(B)/$(NAME) \
     $(B)/$(NAME).pc

ifneq ($(V),1)
Q := @
endif

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
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
$(CLI_OBJ): XM_CFLAGS += -I$(B)/obj/xenmig

$(B)/$(NAME): $(CLI_OBJ) $(B)/lib$(NAME).so
	$(CC) -o $@ $(CLI_OBJ) $(XM_LDFLAGS) -L$(B) -l$(NAME) \
	    $(shell $(PKG_CONFIG) --libs json-c)

$(B)/$(NAME).pc: $(NAME).pc.in Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    $< > $@

# The test runner registers every tests/test_<module>.c's suite.
$(B)/obj/tests/suites.h: $(wildcard tests/test_*.c) Makefile
	@mkdir -p $(dir $@)
	@{ for s in $(SUITES); do echo "XM_SUITE($$s)"; done; } > $@.tmp
	@mv $@.tmp $@
$(B)/obj/tests/run-tests.o: $(B)/obj/tests/suites.h
$(B)/obj/tests/run-tests.o: XM_CFLAGS += -I$(B)/obj/tests

$(B)/run-tests: $(TEST_OBJ) $(B)/lib$(NAME).a
	$(CC) -o $@ $(TEST_OBJ) $(B)/lib$(NAME).a $(XM_LDFLAGS) \
	    $(CUNIT_LIBS) $(DEPS_LIBS)

$(B)/bench-%: bench/%.c $(B)/lib$(NAME).a
	$(CC) $(XM_CFLAGS) -o $@ $< $(B)/lib$(NAME).a $(XM_LDFLAGS) \
	    $(DEPS_LIBS)

# Install (as root) or name (otherwise) the Debian packages needed.
deps:
	@sh scripts/deps.sh

check: deps
	$(MAKE) all $(B)/run-tests
	B=$(B) SANITIZE=$(SANITIZE) sh tests/check.sh

demo: deps
	$(MAKE) all
	sh scripts/demo.sh

bench: $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

lint:
	sh tests/lint.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
	    $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(B)/$(NAME) $(DESTDIR)$(BINDIR)/$(NAME)
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf lib$(NAME).so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/lib$(NAME).so
	install -m 644 include/$(NAME).h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(B)/$(NAME).pc $(DESTDIR)$(PKGCONFIGDIR)/

DIST := $(NAME)-$(VERSION)
dist:
	@test -z "$$(git status --porcelain)" || \
	    echo "warning: uncommitted changes are not in the tarball" >&2
	@mkdir -p $(B)
	git archive --format=tar.gz --prefix=$(DIST)/ -o $(B)/$(DIST).tar.gz HEAD
	@echo $(B)/$(DIST).tar.gz

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
