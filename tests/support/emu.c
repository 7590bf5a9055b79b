/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu.c: an emulated Xen host as a child process of a C test
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/emu.h"

extern char **environ;

#define MAX_ARGS 32

const char *
test_emu_path(const struct test_emu *e, const char *name, char *buf,
              size_t size)
{
    if (snprintf(buf, size, "%s/%s", e->dir, name) >= (int)size)
        buf[0] = '\0';
    return buf;
}

int
test_emu_start(struct test_emu *e, const char *const *args)
{
    static char arena[MAX_ARGS][256];
    char *argv[MAX_ARGS + 4];
    char ready[128];
    posix_spawn_file_actions_t fa;
    struct stat st;
    struct timespec ts = { 0, 50 * 1000000L };
    size_t n = 0, i;
    int tries;

    memset(e, 0, sizeof(*e));
    e->pid = -1;
    if (snprintf(e->dir, sizeof(e->dir), "/tmp/xenmig-emu.XXXXXX") < 0 ||
        !mkdtemp(e->dir))
        return -1;
    argv[n++] = (char *)"python3";
    argv[n++] = (char *)"tests/emulator/xenhost";
    for (i = 0; args[i] && i < MAX_ARGS - 4; i++) {
        const char *d = strstr(args[i], "%d");

        if (d)
            snprintf(arena[i], sizeof(arena[i]), "%.*s%s%s",
                     (int)(d - args[i]), args[i], e->dir, d + 2);
        else
            snprintf(arena[i], sizeof(arena[i]), "%s", args[i]);
        argv[n++] = arena[i];
    }
    test_emu_path(e, "ready", ready, sizeof(ready));
    argv[n++] = (char *)"--ready-file";
    argv[n++] = ready;
    argv[n] = NULL;
    /* the ready line goes to the ready file; keep the test log clean */
    if (posix_spawn_file_actions_init(&fa) ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
                                         0)) {
        return -1;
    }
    if (posix_spawnp(&e->pid, "python3", &fa, NULL, argv, environ)) {
        posix_spawn_file_actions_destroy(&fa);
        e->pid = -1;
        return -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    for (tries = 0; tries < 200; tries++) {
        if (stat(ready, &st) == 0 && st.st_size > 0)
            return 0;
        nanosleep(&ts, NULL);
    }
    test_emu_stop(e);
    return -1;
}

int
test_emu_ready_int(const struct test_emu *e, const char *key)
{
    char path[128], text[2048], pat[64];
    FILE *f;
    size_t n;
    const char *p;
    long v;

    f = fopen(test_emu_path(e, "ready", path, sizeof(path)), "r");
    if (!f)
        return -1;
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    snprintf(pat, sizeof(pat), "\"%s\": ", key);
    p = strstr(text, pat);
    if (!p)
        return -1;
    v = strtol(p + strlen(pat), NULL, 10);
    return v > 0 && v < 65536 ? (int)v : -1;
}

void
test_emu_stop(struct test_emu *e)
{
    char cmd[96];
    int status;

    if (e->pid > 0) {
        kill(e->pid, SIGTERM);
        waitpid(e->pid, &status, 0);
        e->pid = -1;
    }
    if (e->dir[0] && snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir) <
                     (int)sizeof(cmd) && system(cmd) != 0)
        fprintf(stderr, "emu: cannot remove %s\n", e->dir);
    e->dir[0] = '\0';
}
