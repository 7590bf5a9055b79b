# SPDX-License-Identifier: LGPL-2.1-or-later
# fuzz.mk: libFuzzer targets (included from the Makefile).
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="sexpr cookie"]
#
# Builds every fuzz/fuzz_<name>.c with clang and
# -fsanitize=fuzzer,address,undefined into build-fuzz/ (the library
# sources too, with -fsanitize=fuzzer-no-link,...), then runs each for
# FUZZ_SECONDS on a copy of fuzz/corpus/<name> and
# fuzz/regressions/<name> (fuzz/run.sh). A crash, leak or timeout fails
# the target and its input is copied into fuzz/regressions/<name>/.
# "make check" replays both directories without clang
# (tests/cli/fuzz_regressions.sh).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FZ           := build-fuzz
FZ_ALL       := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FZ_ALL)
FZ_SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
# the capabilities module's config reader, once it exists
FZ_CAPS_CFG  := $(shell grep -lsw '^xm_caps_config_parse' capabilities/*.c)
FZ_HAVE      := $(if $(FZ_CAPS_CFG),-DXM_FUZZ_HAVE_CAPS_CONFIG)
FZ_CFLAGS    := -std=c99 -D_GNU_SOURCE -g -O1 -Wall -Wextra \
                -Wno-unused-parameter -Iinclude -I. \
                $(DEPS_CFLAGS) $(FZ_HAVE)
FZ_LIB_OBJ   := $(LIB_SRC:%.c=$(FZ)/obj/%.o)
FZ_BINS      := $(FUZZ_TARGETS:%=$(FZ)/fuzz_%)

.PHONY: fuzz fuzz-build
fuzz-build: $(FZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh fuzz/run.sh $(FUZZ_TARGETS)

$(FZ)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FZ_CFLAGS) $(FZ_SAN) -fsanitize=fuzzer-no-link \
	    -MMD -MP -c -o $@ $<

$(FZ)/libxenmig-fuzz.a: $(FZ_LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FZ)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FZ)/libxenmig-fuzz.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FZ_CFLAGS) $(FZ_SAN) -fsanitize=fuzzer -o $@ $< \
	    $(FZ)/libxenmig-fuzz.a $(DEPS_LIBS)

-include $(FZ_LIB_OBJ:.o=.d)

.PHONY: fuzz-clean
fuzz-clean:
	rm -rf $(FZ)
clean: fuzz-clean
