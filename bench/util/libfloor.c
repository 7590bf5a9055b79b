/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libfloor.c: the least a program using xenmig's libraries can weigh.
 *
 *   libfloor URL
 *
 * Loads the libraries libxenmig links (libcurl, libxml2, libxenstore,
 * json-c), initialises libcurl and libxml2, runs one thread and makes
 * one GET of URL, then exits. bench/rss.sh runs it under peakrss as the
 * baseline for xenmig's peak memory: what is over this is xenmig's.
 */
#include <curl/curl.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdio.h>
#include <xenstore.h>

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static void *
idle(void *arg)
{
    return arg;
}

int
main(int argc, char **argv)
{
    json_object *o;
    pthread_t th;
    CURL *c;
    CURLcode rc;

    if (argc != 2) {
        fprintf(stderr, "usage: libfloor URL\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    xmlInitParser();
    o = json_object_new_object();
    json_object_put(o);
    (void)xs_open;
    if (pthread_create(&th, NULL, idle, NULL) != 0)
        return 1;
    pthread_join(th, NULL);
    c = curl_easy_init();
    if (!c)
        return 1;
    curl_easy_setopt(c, CURLOPT_URL, argv[1]);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    xmlCleanupParser();
    curl_global_cleanup();
    return rc == CURLE_OK ? 0 : 1;
}
