/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_main.c: run a fuzz target over files without libFuzzer.
 *
 *   replay-<name> FILE-OR-DIR...
 *
 * Feeds each file (each file of a directory) to
 * LLVMFuzzerTestOneInput once. A broken property aborts; a clean run
 * prints "replay: N inputs" and exits 0.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FILE (64u << 20)

static int
run_file(const char *path)
{
    FILE *f = NULL;
    uint8_t *buf = NULL;
    struct stat st;
    size_t n;
    int rc = -1;

    if (stat(path, &st) != 0 || st.st_size < 0 ||
        (size_t)st.st_size > MAX_FILE) {
        fprintf(stderr, "replay: cannot use '%s'\n", path);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    f = fopen(path, "rb");
    if (buf == NULL || f == NULL) {
        fprintf(stderr, "replay: cannot read '%s'\n", path);
        goto out;
    }
    n = fread(buf, 1, (size_t)st.st_size, f);
    if (n != (size_t)st.st_size) {
        fprintf(stderr, "replay: short read of '%s'\n", path);
        goto out;
    }
    /* an exactly sized copy, so ASan sees reads past the input */
    {
        uint8_t *exact = malloc(n > 0 ? n : 1);

        if (exact == NULL)
            goto out;
        if (n > 0)
            memcpy(exact, buf, n);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    }
    rc = 0;
out:
    if (f != NULL)
        fclose(f);
    free(buf);
    return rc;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    struct stat st;
    struct dirent *de;
    DIR *d;
    char **names;
    char path[4096];
    size_t nnames, cap, i;
    long count = 0;
    int a;

    for (a = 1; a < argc; a++) {
        if (stat(argv[a], &st) != 0) {
            fprintf(stderr, "replay: no such file '%s'\n", argv[a]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[a]) != 0)
                return 2;
            count++;
            continue;
        }
        d = opendir(argv[a]);
        if (d == NULL) {
            fprintf(stderr, "replay: cannot open '%s'\n", argv[a]);
            return 2;
        }
        names = NULL;
        nnames = cap = 0;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            if (nnames == cap) {
                cap = cap ? cap * 2 : 64;
                names = realloc(names, cap * sizeof(*names));
                if (names == NULL)
                    return 2;
            }
            names[nnames] = strdup(de->d_name);
            if (names[nnames] == NULL)
                return 2;
            nnames++;
        }
        closedir(d);
        if (nnames > 0)
            qsort(names, nnames, sizeof(*names), cmp_names);
        for (i = 0; i < nnames; i++) {
            if ((size_t)snprintf(path, sizeof(path), "%s/%s", argv[a],
                                 names[i]) >= sizeof(path))
                return 2;
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                if (run_file(path) != 0)
                    return 2;
                count++;
            }
            free(names[i]);
        }
        free(names);
    }
    printf("replay: %ld inputs\n", count);
    return 0;
}
