/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu.h: start and stop one emulated Xen host (tests/emulator/xenhost)
 * from a C test, bounded in time
 */
#ifndef XENMIG_TEST_EMU_H
#define XENMIG_TEST_EMU_H

#include <sys/types.h>

struct test_emu {
    pid_t pid;
    char dir[64];          /* private temp dir: sockets, ready file */
};

/*
 * Start xenhost with @args (NULL-terminated; "%d" in an argument is
 * replaced by the temp dir path) and wait (at most 10 s) for its ready
 * file. Returns 0, or -1 (the test should fail).
 */
int test_emu_start(struct test_emu *e, const char *const *args);
/* "<dir>/<name>" into @buf. */
const char *test_emu_path(const struct test_emu *e, const char *name,
                          char *buf, size_t size);
/* A number from the ready file, e.g. "http_port"; -1 if absent. */
int test_emu_ready_int(const struct test_emu *e, const char *key);
void test_emu_stop(struct test_emu *e);

#endif /* XENMIG_TEST_EMU_H */
