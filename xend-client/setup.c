/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * setup.c: the library's global set-up (xenmig_init, xenmig_shutdown)
 *
 * libcurl and libxml2 each want one global initialisation before any
 * use; it is done here, under a mutex, by xenmig_init() or lazily by
 * the first connection opened without it (conn.c), and undone by the
 * last xenmig_shutdown().
 */
#include <pthread.h>

#include <libxml/parser.h>

#include "xend-client/conn.h"

/*
 * libcurl's and libxml2's global set-up, done once: by xenmig_init(),
 * or by the first connection opened without it. Under a mutex, since
 * curl_global_init() is not thread-safe on the libcurl of the floor.
 */
static pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int setup_refs;     /* xenmig_init() calls not undone */
static bool setup_done;

static int
setup_locked(xenmig_error *err)
{
    CURLcode rc;

    if (setup_done)
        return 0;
    xmlInitParser();
    rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        return xm_error_set(err, XENMIG_ERROR,
                            "cannot initialise libcurl: %s",
                            curl_easy_strerror(rc));
    setup_done = true;
    return 0;
}

int
xm_xend_setup(xenmig_error *err)
{
    int rc;

    pthread_mutex_lock(&setup_lock);
    rc = setup_locked(err);
    pthread_mutex_unlock(&setup_lock);
    return rc;
}

XENMIG_API int
xenmig_init(xenmig_error *err)
{
    int rc;

    pthread_mutex_lock(&setup_lock);
    rc = setup_locked(err);
    if (rc == 0)
        setup_refs++;
    pthread_mutex_unlock(&setup_lock);
    return rc;
}

XENMIG_API void
xenmig_shutdown(void)
{
    pthread_mutex_lock(&setup_lock);
    if (setup_refs > 0 && --setup_refs == 0 && setup_done) {
        /* libcurl counts its own inits; libxml2's cleanup is left to
         * the program, since it may use libxml2 itself */
        curl_global_cleanup();
        setup_done = false;
    }
    pthread_mutex_unlock(&setup_lock);
}
