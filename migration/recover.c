/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recover.c: recovery after a failed step, and xenmig recover
 *
 * Look at both hosts, let xm_recover_decide() say what to do, act,
 * look again, until the domain runs on exactly one host or recovery
 * can say where it is not.
 */
#include <string.h>

#include "migration/journal.h"
#include "migration/migrate_int.h"
#include "xend-client/xend.h"
#include "xend-client/xs.h"

/* How long a domain seen back on the source alone waits for a late
 * restore on the destination to show (xend never checks, 4.5). */
#define XM_MIGRATE_LATE_MS 3000L

/* ---- recovery: look, decide, act, look again ------------------------ */

/* Is @a a better copy to keep than @b? Deterministic, so that two
 * recoveries looking at one host keep the same copy. */
static bool
copy_better(const xm_copy *a, const xm_copy *b)
{
    if (a->in_flight != b->in_flight)
        return !a->in_flight;
    if (a->named != b->named)
        return a->named;
    if (a->paused != b->paused)
        return !a->paused;
    return a->domid < b->domid;
}

/* The copy on @h to destroy when it holds more than one. */
static size_t
copy_extra(const xm_seen *h)
{
    size_t i, keep = 0, n = h->n < XM_SEEN_MAX ? h->n : XM_SEEN_MAX;

    for (i = 1; i < n; i++)
        if (copy_better(&h->copy[i], &h->copy[keep]))
            keep = i;
    return keep == 0 ? 1 : 0;
}

static bool
any_in_flight(const xm_seen *h)
{
    size_t i;

    for (i = 0; i < h->n && i < XM_SEEN_MAX; i++)
        if (h->copy[i].in_flight)
            return true;
    return false;
}

static xm_rec_next
rec_next(xm_rec_act act, bool on_dest, size_t copy)
{
    xm_rec_next n;

    n.act = act;
    n.on_dest = on_dest;
    n.copy = copy;
    return n;
}

xm_rec_next
xm_recover_decide(const xm_seen *s, const xm_seen *d, bool late, bool over)
{
    if (!s->answered || !d->answered)
        return rec_next(over ? XM_REC_UNKNOWN : XM_REC_WAIT, false, 0);
    /* xend still moving or resuming it: its word comes first */
    if (any_in_flight(s) && !over)
        return rec_next(XM_REC_WAIT, false, 0);
    /* two domains with one UUID on one host: a fault, resolved */
    if (s->n > 1)
        return rec_next(XM_REC_DESTROY, false, copy_extra(s));
    if (d->n > 1)
        return rec_next(XM_REC_DESTROY, true, copy_extra(d));
    if (s->n && d->n) {
        if (s->copy[0].in_flight)
            return rec_next(XM_REC_UNKNOWN, false, 0);
        /* xend resumed it on the source and stands by that copy */
        return rec_next(XM_REC_DESTROY, true, 0);
    }
    if (s->n) {
        if (!late && !over)
            return rec_next(XM_REC_WAIT, false, 0);  /* a late restore? */
        if (s->copy[0].paused)
            return rec_next(XM_REC_UNPAUSE, false, 0);
        return rec_next(XM_REC_ON_SOURCE, false, 0);
    }
    if (d->n) {
        if (d->copy[0].paused)
            return rec_next(late || over ? XM_REC_UNPAUSE : XM_REC_WAIT,
                            true, 0);
        return rec_next(XM_REC_ON_DEST, true, 0);
    }
    return rec_next(over ? XM_REC_LOST : XM_REC_WAIT, false, 0);
}

static void
seen_add(xm_seen *h, const xenmig_domain *d, const char *name)
{
    xm_copy *c;
    size_t i;

    for (i = 0; i < h->n && i < XM_SEEN_MAX; i++)
        if (h->copy[i].domid == xenmig_domain_id(d))
            return;
    if (h->n < XM_SEEN_MAX) {
        c = &h->copy[h->n];
        c->domid = xenmig_domain_id(d);
        c->paused = xenmig_domain_is_paused(d);
        c->in_flight = xm_mig_in_flight(d, name);
        c->named = strcmp(xenmig_domain_name(d), name) == 0;
        if (xm_strlcpy(c->name, xenmig_domain_name(d), sizeof(c->name)))
            xm_strlcpy(c->name + sizeof(c->name) - 4, "...", 4);
    }
    h->n++;
}

/*
 * The copies of @uuid on @conn: the one xend finds by UUID (in any
 * state) and every other running one in xend's domain list (which
 * leaves out paused and suspended domains, reference 3.3).
 */
static int
look(xm_seen *out, xenmig_conn *conn, const char *uuid, const char *name,
     xenmig_error *err)
{
    xenmig_domain_list *l = NULL;
    xenmig_domain *one = NULL;
    const xenmig_domain *d;
    size_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = xm_mig_find_domain(&one, conn, uuid, err);
    if (rc)
        return rc;
    if (one && xenmig_domain_id(one) > 0)
        seen_add(out, one, name);
    xenmig_domain_free(one);
    rc = xenmig_domain_list_get(&l, conn, err);
    if (rc)
        return rc;
    out->answered = true;
    for (i = 0; i < xenmig_domain_list_count(l); i++) {
        d = xenmig_domain_list_at(l, i);
        if (strcmp(xenmig_domain_uuid(d), uuid) == 0 &&
            xenmig_domain_id(d) > 0)
            seen_add(out, d, name);
    }
    xenmig_domain_list_free(l);
    return 0;
}

/* Copies of @uuid on @conn: 0 with *n set, or an error. */
int
xm_mig_count_copies(size_t *n, xenmig_conn *conn, const char *uuid,
                    const char *name, xenmig_error *err)
{
    xm_seen h;
    int rc;

    rc = look(&h, conn, uuid, name, err);
    *n = h.n;
    return rc;
}

/* destroy or unpause one copy, by domid; "no such domain" is "gone" */
static int
rec_act(xenmig_conn *conn, const xm_copy *c, bool destroy,
        xenmig_error *err)
{
    char id[16];
    int rc;

    xm_snprintf(id, sizeof(id), "%d", c->domid);
    rc = xenmig_domain_op(conn, id, destroy ? "destroy" : "unpause", NULL,
                          err);
    if (rc == XENMIG_ENOTFOUND && destroy) {
        xenmig_error_clear(err);
        return 0;
    }
    return rc;
}

/* Recovery's bookkeeping between looks. */
struct rec_state {
    const char *name;
    const char *src_host;
    const char *dst_host;
    char notes[XENMIG_ERROR_MSG_SIZE];  /* what recovery destroyed */
    int dups;                   /* second copies on one host destroyed */
    int acts;                   /* actions taken */
    xenmig_error last;          /* the last action that failed */
};

static void
note_destroyed(struct rec_state *st, const xm_seen *h, bool on_dest,
               size_t i, bool dup)
{
    size_t len = strlen(st->notes);
    const char *host = on_dest ? st->dst_host : st->src_host;

    if (dup) {
        st->dups++;
        xm_snprintf(st->notes + len, sizeof(st->notes) - len, "; a second "
                    "domain with its UUID on '%s' ('%s', id %d) was "
                    "destroyed: another migration of it ran at the same "
                    "time", host, h->copy[i].name, h->copy[i].domid);
    } else {
        xm_snprintf(st->notes + len, sizeof(st->notes) - len, "; its copy "
                    "restored on '%s' after xend resumed it here was "
                    "destroyed", host);
    }
}

/* The verdict, in @cause and the return code. */
static int
rec_verdict(struct rec_state *st, xm_rec_next nx, const xm_seen *s,
            const xm_seen *d, const xenmig_error *serr,
            const xenmig_error *derr, int code, const char *why,
            xenmig_error *cause)
{
    const char *name = st->name;

    switch (nx.act) {
    case XM_REC_ON_SOURCE:
        if (code == XENMIG_ECANCELLED)
            xm_error_set(cause, code, "cancelled; domain '%s' is running "
                         "on '%s'%s (%s)", name, st->src_host, st->notes,
                         why);
        else
            xm_error_set(cause, code, "domain '%s' is running on '%s'%s; "
                         "migration failed: %s", name, st->src_host,
                         st->notes, why);
        return code;
    case XM_REC_ON_DEST:
        if (!st->dups) {
            xenmig_error_clear(cause);
            return 0;
        }
        xm_error_set(cause, XENMIG_EUNKNOWN, "domain '%s' runs on '%s' "
                     "alone now%s", name, st->dst_host, st->notes);
        return XENMIG_EUNKNOWN;
    case XM_REC_LOST:
        xm_error_set(cause, XENMIG_ELOST, "DOMAIN LOST: '%s' is on "
                     "neither '%s' nor '%s': xend destroyed it on the "
                     "source and the destination did not restore it (%s)",
                     name, st->src_host, st->dst_host, why);
        return XENMIG_ELOST;
    default:
        break;
    }
    if (!s->answered && d->answered && d->n)
        xm_error_set(cause, XENMIG_EUNKNOWN, "domain '%s' runs on '%s', "
                     "but the source's xend does not answer (%s): make "
                     "sure '%s' kept no copy; %s", name, st->dst_host,
                     serr->msg, st->src_host, why);
    else if (!d->answered && s->answered && s->n)
        xm_error_set(cause, XENMIG_EUNKNOWN, "domain '%s' is on '%s', but "
                     "the destination's xend does not answer (%s): make "
                     "sure '%s' runs no copy; %s", name, st->src_host,
                     derr->msg, st->dst_host, why);
    else if (!s->answered || !d->answered)
        xm_error_set(cause, XENMIG_EUNKNOWN, "cannot tell where domain "
                     "'%s' is: %s; %s", name, !s->answered ? serr->msg :
                     derr->msg, why);
    else if (s->n && d->n && s->copy[0].in_flight)
        xm_error_set(cause, XENMIG_EUNKNOWN, "domain '%s' runs on '%s', "
                     "and xend on '%s' still holds it as '%s': destroy "
                     "that copy before xend resumes it; %s", name,
                     st->dst_host, st->src_host, s->copy[0].name, why);
    else
        xm_error_set(cause, XENMIG_EUNKNOWN, "domain '%s': recovery's "
                     "last %d actions did not settle it (%s): it is on "
                     "'%s' %zu time(s) and on '%s' %zu time(s); %s", name,
                     st->acts, st->last.msg, st->src_host, s->n,
                     st->dst_host, d->n, why);
    return XENMIG_EUNKNOWN;
}

/* At most this many destroys and unpauses before recovery gives up. */
#define XM_RECOVER_MAX_ACTS 12

/*
 * After a failed step (or from the journal): find domain @uuid and
 * leave it running on exactly one host. Every action (destroy,
 * unpause) is followed by a fresh look at both hosts; xm_recover_decide
 * says what to do next. @cause holds the failure; on return it holds
 * the outcome, where the domain is first. Returns 0 when the domain
 * turned out to run on the destination alone (the migration happened
 * after all), XENMIG_ELOST when it is on neither host, XENMIG_EUNKNOWN
 * when a host cannot be asked, the hosts disagree beyond repair, or
 * a second copy had to be destroyed, else the cause's code with the
 * domain running on the source. *verdict (may be NULL) is the last
 * look's verdict (XM_REC_ON_SOURCE, _ON_DEST, _LOST, _UNKNOWN).
 */
int
xm_mig_recover(xenmig_conn *src, xenmig_conn *dst, const char *uuid,
               const char *name, xenmig_error *cause, xm_rec_act *verdict)
{
    char why[XENMIG_ERROR_MSG_SIZE];
    struct rec_state st;
    xm_seen s, d;
    xm_rec_next nx;
    xenmig_error serr, derr;
    const xm_seen *h;
    int code = cause && cause->code ? cause->code : XENMIG_ERROR;
    long deadline = xm_now_ms() + xm_mig_settle_ms();
    long late = 0, now, settle = xm_mig_settle_ms();
    bool one_xend = xm_mig_same_xend(src, dst);
    xm_xs *xs = NULL;
    int xs_state = 0;
    int rc;

    if (verdict)
        *verdict = XM_REC_UNKNOWN;
    xm_strlcpy(why, cause && cause->msg[0] ? cause->msg :
               xenmig_strerror(code), sizeof(why));
    if (!uuid || !name)
        return code;
    memset(&st, 0, sizeof(st));
    st.name = name;
    st.src_host = xenmig_conn_host(src);
    st.dst_host = xenmig_conn_host(dst);
    for (;;) {
        xenmig_error_clear(&serr);
        xenmig_error_clear(&derr);
        (void)look(&s, src, uuid, name, &serr);
        if (one_xend) {
            /* one xend seen twice: there is one domain, and it stays */
            memset(&d, 0, sizeof(d));
            d.answered = s.answered;
        } else {
            (void)look(&d, dst, uuid, name, &derr);
        }
        now = xm_now_ms();
        if (!late && s.answered && !any_in_flight(&s))
            late = now + (settle < XM_MIGRATE_LATE_MS ? settle :
                          XM_MIGRATE_LATE_MS);
        nx = xm_recover_decide(&s, &d, late && now >= late,
                               now >= deadline ||
                               st.acts >= XM_RECOVER_MAX_ACTS);
        if (nx.act == XM_REC_WAIT) {
            if (s.answered && any_in_flight(&s))
                xm_mig_wait_name_back(&xs, &xs_state, src,
                                      s.copy[0].domid, name, deadline);
            else
                xm_mig_sleep_ms(XM_MIGRATE_POLL_MS);
            continue;
        }
        if (nx.act != XM_REC_DESTROY && nx.act != XM_REC_UNPAUSE)
            break;
        if (st.acts >= XM_RECOVER_MAX_ACTS) {
            nx.act = XM_REC_UNKNOWN;
            break;
        }
        h = nx.on_dest ? &d : &s;
        st.acts++;
        xenmig_error_clear(&serr);
        rc = rec_act(nx.on_dest ? dst : src, &h->copy[nx.copy],
                     nx.act == XM_REC_DESTROY, &serr);
        if (rc) {
            st.last = serr;
            xm_mig_sleep_ms(XM_MIGRATE_POLL_MS);
        } else if (nx.act == XM_REC_DESTROY) {
            note_destroyed(&st, h, nx.on_dest, nx.copy, h->n > 1);
        }
    }
    xm_xs_close(xs);
    if (verdict)
        *verdict = nx.act;
    return rec_verdict(&st, nx, &s, &d, &serr, &derr, code, why, cause);
}

/* ---- xenmig recover: the journal's unfinished migrations ------------ */

XENMIG_API int
xenmig_journal_list(char ***ids_out, xenmig_error *err)
{
    if (!ids_out)
        return xm_error_set(err, XENMIG_EINVAL, "journal list: missing "
                            "argument");
    return xm_journal_ids(ids_out, err);
}

XENMIG_API void
xenmig_journal_list_free(char **ids)
{
    xm_strv_free(ids);
}

/* The entry @id names: a journal id (UUID), or a domain's name. */
int
xm_mig_journal_find(char *uuid, size_t size, const char *id, xenmig_error *err)
{
    char **ids = NULL;
    xm_cookie ck;
    const char *name;
    size_t i;
    int rc;

    rc = xm_journal_ids(&ids, err);
    if (rc)
        return rc;
    rc = XENMIG_ENOTFOUND;
    for (i = 0; ids[i] && rc == XENMIG_ENOTFOUND; i++) {
        if (strcmp(ids[i], id) == 0) {
            rc = 0;
        } else if (xm_journal_read(&ck, ids[i], NULL) == 0) {
            name = xm_cookie_get(&ck, "name");
            if (name && strcmp(name, id) == 0)
                rc = 0;
            xm_cookie_dispose(&ck);
        }
        if (rc == 0 && xm_strlcpy(uuid, ids[i], size))
            rc = xm_error_set(err, XENMIG_ERANGE, "journal id too long");
    }
    xm_strv_free(ids);
    if (rc == XENMIG_ENOTFOUND)
        xm_error_set(err, rc, "no unfinished migration of '%s' in the "
                     "journal", id);
    return rc;
}

static void
info_fill(xenmig_recover_info *info, const char *uuid, const xm_cookie *ck)
{
    const char *v;

    xm_strlcpy(info->id, uuid, sizeof(info->id));
    v = xm_cookie_get(ck, "name");
    xm_strlcpy(info->name, v ? v : "", sizeof(info->name));
    v = xm_cookie_get(ck, "j_src_uri");
    xm_strlcpy(info->source, v ? v : "", sizeof(info->source));
    v = xm_cookie_get(ck, "j_dst_uri");
    xm_strlcpy(info->destination, v ? v : "", sizeof(info->destination));
    v = xm_cookie_get(ck, "j_step");
    xm_strlcpy(info->step, v ? v : "", sizeof(info->step));
}

/* Ask both hosts of entry @ck and apply recovery's verdict. */
static int
recover_entry(xenmig_recover_info *info, const xm_cookie *ck,
              const char *uuid, xm_rec_act *verdict, xenmig_error *err)
{
    xenmig_conn *src = NULL, *dst = NULL;
    const char *pid = xm_cookie_get(ck, "j_pid");
    const char *host = xm_cookie_get(ck, "j_host");
    const char *why = xm_cookie_get(ck, "j_verdict");
    int rc;

    if (!info->name[0] || !info->source[0] || !info->destination[0])
        return xm_error_set(err, XENMIG_EPARSE, "journal entry '%s' lacks "
                            "the domain or its hosts", uuid);
    rc = xenmig_conn_open(&src, info->source, err);
    if (!rc)
        rc = xenmig_conn_open(&dst, info->destination, err);
    if (rc)
        goto out;
    if (why && *why)
        xm_error_set(err, XENMIG_ERROR, "xenmig (pid %s on '%s') stopped "
                     "while it recovered from: %s", pid ? pid : "?",
                     host ? host : "?", why);
    else
        xm_error_set(err, XENMIG_ERROR, "xenmig (pid %s on '%s') stopped "
                     "in step '%s'", pid ? pid : "?", host ? host : "?",
                     info->step);
    rc = xm_mig_recover(src, dst, uuid, info->name, err, verdict);
 out:
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    return rc;
}

XENMIG_API int
xenmig_recover(xenmig_recover_info *info, const char *id,
               xenmig_error *err)
{
    xenmig_recover_info local_info;
    xenmig_error local;
    char uuid[72];
    xm_lock lk = XM_LOCK_INIT;
    xm_cookie ck;
    xm_rec_act verdict = XM_REC_UNKNOWN;
    int rc;

    if (!err)
        err = &local;
    if (!info)
        info = &local_info;
    xenmig_error_clear(err);
    memset(info, 0, sizeof(*info));
    memset(&ck, 0, sizeof(ck));
    if (!id || !*id)
        return xm_error_set(err, XENMIG_EINVAL, "recover needs a journal "
                            "id or a domain name");
    rc = xm_mig_journal_find(uuid, sizeof(uuid), id, err);
    if (!rc)
        rc = xm_lock_take(&lk, uuid, id, err);
    if (!rc)
        rc = xm_journal_read(&ck, uuid, err);
    if (rc == XENMIG_ENOTFOUND && lk.fd >= 0)
        xm_error_set(err, rc, "the journal entry of '%s' is gone: another "
                     "'xenmig recover' finished it", id);
    if (rc)
        goto out;
    info_fill(info, uuid, &ck);
    rc = recover_entry(info, &ck, uuid, &verdict, err);
    xm_strlcpy(info->where, verdict == XM_REC_ON_SOURCE ? "source" :
               verdict == XM_REC_ON_DEST ? "destination" :
               verdict == XM_REC_LOST ? "nowhere" : "unknown",
               sizeof(info->where));
    if (verdict != XM_REC_UNKNOWN)
        (void)xm_journal_remove(uuid, NULL);
 out:
    xm_cookie_dispose(&ck);
    xm_lock_release(&lk);
    return rc;
}

