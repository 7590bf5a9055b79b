/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * journal.h: the per-domain lock and the migration journal
 * (not installed)
 *
 * One migration per domain at a time: the engine takes an exclusive
 * flock(2) on <run dir>/<uuid>.lock for as long as the migration runs.
 * The run directory is $XENMIG_RUN_DIR, else /run/xenmig (root) or
 * $XDG_RUNTIME_DIR/xenmig, $HOME/.xenmig (another user).
 *
 * The journal: <journal dir>/<uuid>.journal holds one line, a cookie in
 * the text form of the step API (cookie.h), written before each step
 * begins (written to a temporary file, fsync'd, renamed, the directory
 * fsync'd) and removed once the migration has ended in a known state.
 * The journal directory is $XENMIG_JOURNAL_DIR, else
 * $XENMIG_RUN_DIR/journal when that is set (or for a user other than
 * root: <run directory>/journal), else /var/lib/xenmig/journal.
 * Directories are made 0700, files 0600. The cookie carries every field
 * of the last step's cookie and these:
 *   j_step      the step about to begin (begin ... confirm), or
 *               "recover" once recovery started
 *   j_src_uri   the source's xend URI, j_dst_uri the destination's
 *   j_started   unix time the migration started; j_updated this write
 *   j_pid       the xenmig process; j_host the machine it ran on
 *   j_verdict   the failure recovery started from ("" before)
 */
#ifndef XENMIG_JOURNAL_H
#define XENMIG_JOURNAL_H

#include "lib/internal.h"
#include "migration/cookie.h"

#define XM_RUN_DIR_DEFAULT "/run/xenmig"
#define XM_JOURNAL_DIR_DEFAULT "/var/lib/xenmig/journal"
/* a journal entry is one cookie line */
#define XM_JOURNAL_MAX_BYTES (XM_COOKIE_MAX_TEXT + 2)
/* xenmig recover looks at no more entries than this */
#define XM_JOURNAL_MAX_ENTRIES 1024

/* A held lock: the open, flock'ed file; -1 when none. */
typedef struct xm_lock {
    int fd;
} xm_lock;

#define XM_LOCK_INIT { -1 }

/*
 * Take the lock of domain @uuid without waiting. XENMIG_ESTATE when
 * another process holds it (the message names its pid, host and start
 * time, as it wrote them), XENMIG_EINVAL for a UUID that is no file
 * name, XENMIG_EIO when the run directory is unusable.
 */
int xm_lock_take(xm_lock *lk, const char *uuid, const char *name,
                 xenmig_error *err);
/* Release @lk (closing the file drops the flock). Idempotent. */
void xm_lock_release(xm_lock *lk);

/* Write @ck as the journal entry of domain @uuid, durably. */
int xm_journal_write(const char *uuid, const xm_cookie *ck,
                     xenmig_error *err);
/*
 * Read the entry of @uuid into @ck (any age). XENMIG_ENOTFOUND when
 * there is none; XENMIG_EPARSE/ERANGE for a damaged or oversize one.
 */
int xm_journal_read(xm_cookie *ck, const char *uuid, xenmig_error *err);
/* Remove the entry of @uuid; none is fine. */
int xm_journal_remove(const char *uuid, xenmig_error *err);
/*
 * The UUIDs of every entry, sorted, in a NULL-terminated array (free
 * with xm_strv_free); at most XM_JOURNAL_MAX_ENTRIES.
 */
int xm_journal_ids(char ***out, xenmig_error *err);
void xm_strv_free(char **v);

/*
 * A testing aid: when $XENMIG_TEST_KILL_AT names @point, the process
 * kills itself with SIGKILL there (after the journal for the point is
 * on disk); "@point:HUP" (:TERM, :INT, :PIPE) sends that signal
 * instead, which the tool's handlers then see. Points, before each
 * step: begin prepare perform finish confirm, and end (after confirm,
 * before the entry is removed).
 */
void xm_journal_kill_point(const char *point);

#endif /* XENMIG_JOURNAL_H */
