/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peakrss.c: run a command and print its peak resident set size.
 *
 *   peakrss [-o FILE] COMMAND [ARG...]
 *
 * Prints "KIB SECONDS" on stdout (or into FILE) once COMMAND has
 * exited, and exits with COMMAND's status. The figure is wait4()'s ru_maxrss for that
 * one child, taken from a process that is itself a few hundred KiB, so
 * unlike RUSAGE_CHILDREN read from a script interpreter it does not
 * include the pages the child inherited before exec (Python's own
 * 14 MiB, for one). Used by bench/rss.sh and tests/reliability/load.py.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    struct timespec t0, t1;
    struct rusage ru;
    FILE *out = stdout;
    pid_t pid;
    int st;

    if (argc > 2 && strcmp(argv[1], "-o") == 0) {
        out = fopen(argv[2], "w");
        if (!out) {
            perror("peakrss: -o");
            return 1;
        }
        argc -= 2;
        argv += 2;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: peakrss [-o FILE] COMMAND [ARG...]\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0) {
        perror("peakrss: fork");
        return 1;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("peakrss: exec");
        _exit(127);
    }
    if (wait4(pid, &st, 0, &ru) < 0) {
        perror("peakrss: wait4");
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(out, "%ld %.1f\n", ru.ru_maxrss,
            (double)(t1.tv_sec - t0.tv_sec) +
            (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (fclose(out) != 0) {
        perror("peakrss: write");
        return 1;
    }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}
