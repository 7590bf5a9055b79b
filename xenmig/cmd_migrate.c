/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_migrate.c: xenmig migrate and check, and the option parsing
 * the single steps share (mig_args.h; the steps are cmd_steps.c).
 * Option names follow xm migrate.
 */
#include <getopt.h>
#include <netdb.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef XM_JSON_H
# include <json/json.h>      /* json-c 0.10 (Debian 7): the old layout */
#else
# include <json-c/json.h>
#endif

#include "cli.h"
#include "mig_args.h"
#include "text.h"

enum {
    OPT_DEST_CONNECT = 0x100, OPT_MIGRATE_URI, OPT_TIMEOUT,
    OPT_JSON, OPT_DIRECT, OPT_DNAME, OPT_COOKIE, OPT_FAILED,
    OPT_RELAY_ADDRESS, OPT_STALL, OPT_RELAY_ALLOW, OPT_PROGRESS,
    OPT_CANCELLED
};

static const struct option mig_opts[] = {
    { "live", no_argument, NULL, 'l' },
    { "resource", required_argument, NULL, 'r' },
    { "port", required_argument, NULL, 'p' },
    { "node", required_argument, NULL, 'n' },
    { "ssl", no_argument, NULL, 's' },
    { "change_home_server", no_argument, NULL, 'c' },
    { "connect", required_argument, NULL, 'C' },
    { "dest-connect", required_argument, NULL, OPT_DEST_CONNECT },
    { "migrate-uri", required_argument, NULL, OPT_MIGRATE_URI },
    { "migrateuri", required_argument, NULL, OPT_MIGRATE_URI },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "json", no_argument, NULL, OPT_JSON },
    { "direct", no_argument, NULL, OPT_DIRECT },
    { "dname", required_argument, NULL, OPT_DNAME },
    { "cookie", required_argument, NULL, OPT_COOKIE },
    { "failed", no_argument, NULL, OPT_FAILED },
    { "cancelled", no_argument, NULL, OPT_CANCELLED },
    { "relay-address", required_argument, NULL, OPT_RELAY_ADDRESS },
    { "relay-allow", required_argument, NULL, OPT_RELAY_ALLOW },
    { "progress", no_argument, NULL, OPT_PROGRESS },
    { "stall", required_argument, NULL, OPT_STALL },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
};

/* Which commands take which option: each takes only its own. */
enum {
    C_MIGRATE = 1 << 0, C_CHECK = 1 << 1, C_PREPARE = 1 << 2,
    C_PERFORM = 1 << 3, C_FINISH = 1 << 4, C_CONFIRM = 1 << 5
};

static const struct {
    int opt;
    unsigned int cmds;
} mig_opt_cmds[] = {
    { 'l', C_MIGRATE | C_CHECK | C_PREPARE },
    { 'r', C_MIGRATE | C_CHECK | C_PERFORM },
    { 'p', C_MIGRATE | C_CHECK | C_PREPARE },
    { 'n', C_MIGRATE | C_CHECK | C_PERFORM },
    { 's', C_MIGRATE | C_CHECK | C_PREPARE },
    { 'c', C_MIGRATE | C_CHECK | C_PREPARE },
    { 'C', C_MIGRATE | C_CHECK | C_PREPARE | C_PERFORM | C_FINISH |
           C_CONFIRM },
    { OPT_DEST_CONNECT, C_MIGRATE | C_CHECK | C_PREPARE | C_FINISH |
                        C_CONFIRM },
    { OPT_MIGRATE_URI, C_MIGRATE | C_CHECK | C_PREPARE },
    { OPT_TIMEOUT, C_MIGRATE | C_PERFORM },
    { OPT_JSON, C_MIGRATE | C_CHECK },
    { OPT_DIRECT, C_MIGRATE | C_CHECK | C_PREPARE },
    { OPT_DNAME, C_MIGRATE | C_CHECK | C_PREPARE },
    { OPT_COOKIE, C_PERFORM | C_FINISH | C_CONFIRM },
    { OPT_FAILED, C_CONFIRM },
    { OPT_CANCELLED, C_FINISH },
    { OPT_RELAY_ADDRESS, C_MIGRATE | C_PERFORM },
    { OPT_RELAY_ALLOW, C_MIGRATE | C_PERFORM },
    { OPT_PROGRESS, C_MIGRATE | C_PERFORM },
    { OPT_STALL, C_MIGRATE | C_PERFORM },
    { 'q', C_MIGRATE | C_FINISH | C_CONFIRM },
    { 'v', C_MIGRATE },
};

static unsigned int
cmd_bit(const char *cmd)
{
    static const char *const names[] = {
        "migrate", "check", "prepare", "perform", "finish", "confirm",
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(cmd, names[i]) == 0)
            return 1u << i;
    return 0;
}

/* Is option @c one of @cmd's? If not, say so. */
static bool
opt_allowed(int c, const char *cmd)
{
    size_t i;

    for (i = 0; i < sizeof(mig_opt_cmds) / sizeof(mig_opt_cmds[0]); i++) {
        if (mig_opt_cmds[i].opt != c)
            continue;
        if (mig_opt_cmds[i].cmds & cmd_bit(cmd))
            return true;
        break;
    }
    for (i = 0; mig_opts[i].name; i++) {
        if (mig_opts[i].val == c) {
            cli_err("'--%s' is not an option of 'xenmig %s'",
                    mig_opts[i].name, cmd);
            break;
        }
    }
    return false;
}

/* The relay's address, checked before anything goes on the network. */
static int
check_relay_address(const char *addr)
{
    struct addrinfo hints, *res = NULL;
    int r;

    if (!*addr || strlen(addr) > 253) {
        cli_err("--relay-address '%s': not a host name or IPv4 address",
                addr);
        return CLI_EXIT_USAGE;
    }
    if (strchr(addr, ':')) {
        cli_err("--relay-address '%s': IPv6 is not supported by xend's "
                "relocation (IPv4 only)", addr);
        return CLI_EXIT_USAGE;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    r = getaddrinfo(addr, NULL, &hints, &res);
    if (r != 0 || !res) {
        cli_err("--relay-address '%s': no IPv4 address: %s", addr,
                gai_strerror(r));
        return CLI_EXIT_USAGE;
    }
    freeaddrinfo(res);
    return 0;
}

/* Open and drop a connection to @uri: a bad one is a usage error. */
static int
try_uri(const char *what, const char *uri, bool dest)
{
    xenmig_conn *c = NULL;
    xenmig_error err;
    int rc;

    if (!uri)
        return 0;
    xenmig_error_clear(&err);
    rc = dest ? xenmig_conn_open_dest(&c, uri, &err) :
                xenmig_conn_open(&c, uri, &err);
    xenmig_conn_free(c);
    if (!rc)
        return 0;
    cli_err("%s: %s", what, err.msg);
    return rc == XENMIG_ENOMEM ? CLI_EXIT_FAILED : CLI_EXIT_USAGE;
}

/*
 * What the user typed, checked before any network step: a bad DOMAIN,
 * DEST, URI or address is a usage error (2) quoting it.
 */
static int
check_args(const struct mig_args *a, const char *cmd)
{
    int rc;

    if (a->dom && !*a->dom) {
        cli_err("%s: DOMAIN is empty", cmd);
        return CLI_EXIT_USAGE;
    }
    if (a->opts.dname) {
        cli_err("--dname '%s': xend cannot rename a domain in flight",
                a->opts.dname);
        return CLI_EXIT_USAGE;
    }
    if (a->opts.relay_address && check_relay_address(a->opts.relay_address))
        return CLI_EXIT_USAGE;
    /* no network: opening a connection only reads its URI */
    if ((rc = try_uri("--connect", a->src_uri, false)) ||
        (rc = try_uri("--dest-connect", a->dst_uri, false)) ||
        (rc = try_uri("DEST", a->dest, true)))
        return rc;
    if (a->opts.uri && a->opts.uri != a->dest &&
        (rc = try_uri("--migrate-uri", a->opts.uri, true)))
        return rc;
    return 0;
}

/*
 * Parse @argc/@argv into @a; @npos positional arguments are wanted
 * (DOMAIN DEST, DEST, or none). Returns 0 or CLI_EXIT_USAGE.
 */
int
mig_parse_args(struct mig_args *a, const char *cmd, int npos, int argc,
               char **argv)
{
    static const xenmig_migrate_opts defaults = XENMIG_MIGRATE_OPTS_INIT;
    long v;
    int c;

    memset(a, 0, sizeof(*a));
    a->opts = defaults;
    optind = 1;
    while ((c = getopt_long(argc, argv, "lr:p:n:scC:qv", mig_opts,
                            NULL)) != -1) {
        if (c != '?' && !opt_allowed(c, cmd))
            c = '?';
        switch (c) {
        case 'l':
            a->opts.flags |= XENMIG_MIGRATE_LIVE;
            break;
        case 's':
            a->opts.flags |= XENMIG_MIGRATE_SSL;
            break;
        case 'c':
            a->opts.flags |= XENMIG_MIGRATE_CHANGE_HOME;
            break;
        case OPT_DIRECT:
            a->opts.flags |= XENMIG_MIGRATE_DIRECT;
            break;
        case OPT_PROGRESS:
            a->opts.flags |= XENMIG_MIGRATE_PROGRESS;
            break;
        case 'r':
            if (!cli_parse_long(optarg, 0, 1000000, &v)) {
                cli_err("--resource wants Mbit/s in 0..1000000, not '%s'",
                        optarg);
                return CLI_EXIT_USAGE;
            }
            a->opts.resource = (unsigned long)v;
            break;
        case 'p':
            if (!cli_parse_long(optarg, 1, 65535, &v)) {
                cli_err("--port wants 1..65535, not '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            a->opts.port = (int)v;
            break;
        case 'n':
            if (!cli_parse_long(optarg, -1, 4095, &v)) {
                cli_err("--node wants -1..4095, not '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            a->opts.node = (int)v;
            break;
        case OPT_TIMEOUT:
            if (!cli_parse_long(optarg, 1, 86400, &v)) {
                cli_err("--timeout wants seconds in 1..86400, not '%s'",
                        optarg);
                return CLI_EXIT_USAGE;
            }
            a->opts.timeout_ms = v * 1000;
            break;
        case OPT_STALL:
            if (!cli_parse_long(optarg, 1, 86400, &v)) {
                cli_err("--stall wants seconds in 1..86400, not '%s'",
                        optarg);
                return CLI_EXIT_USAGE;
            }
            a->opts.stall_ms = v * 1000;
            break;
        case OPT_RELAY_ADDRESS:
            a->opts.relay_address = optarg;
            break;
        case OPT_RELAY_ALLOW:
            if (a->nrelay_allow == MAX_RELAY_ALLOW) {
                cli_err("--relay-allow may be given at most %d times",
                        MAX_RELAY_ALLOW);
                return CLI_EXIT_USAGE;
            }
            a->relay_allow[a->nrelay_allow++] = optarg;
            a->opts.relay_allow = a->relay_allow;
            break;
        case 'C':
            a->src_uri = optarg;
            break;
        case OPT_DEST_CONNECT:
            a->dst_uri = optarg;
            break;
        case OPT_MIGRATE_URI:
            a->opts.uri = optarg;
            break;
        case OPT_DNAME:
            a->opts.dname = optarg;
            break;
        case OPT_COOKIE:
            a->cookie = optarg;
            break;
        case OPT_FAILED:
            a->failed = 1;
            break;
        case OPT_CANCELLED:
            a->cancelled = 1;
            break;
        case OPT_JSON:
            a->json = 1;
            break;
        case 'q':
            a->quiet = 1;
            break;
        case 'v':
            cli_verbose++;
            break;
        default:
            fprintf(stderr, "Try 'xenmig %s --help'.\n", cmd);
            return CLI_EXIT_USAGE;
        }
    }
    /* npos -1: DEST is optional (confirm) */
    if (npos < 0 && argc - optind <= 1) {
        npos = argc - optind;
    } else if (npos < 0) {
        cli_err("%s wants at most 1 argument, got %d", cmd, argc - optind);
        fprintf(stderr, "Try 'xenmig %s --help'.\n", cmd);
        return CLI_EXIT_USAGE;
    } else if (argc - optind != npos) {
        cli_err("%s wants %d argument%s, got %d", cmd, npos,
                npos == 1 ? "" : "s", argc - optind);
        fprintf(stderr, "Try 'xenmig %s --help'.\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (npos == 2) {
        a->dom = argv[optind];
        a->dest = argv[optind + 1];
    } else if (npos == 1) {
        a->dest = argv[optind];
    }
    /* DEST names the migration target unless --migrate-uri does */
    if (a->dest && !a->opts.uri && strncmp(a->dest, "http://", 7) != 0 &&
        strncmp(a->dest, "unix://", 7) != 0)
        a->opts.uri = a->dest;
    return check_args(a, cmd);
}

int
mig_open_conns(xenmig_conn **src, xenmig_conn **dst,
               const struct mig_args *a, xenmig_error *err)
{
    int rc;

    if (src) {
        rc = xenmig_conn_open(src, a->src_uri, err);
        if (rc)
            return rc;
    }
    if (dst) {
        if (a->dst_uri)
            rc = xenmig_conn_open(dst, a->dst_uri, err);
        else
            rc = xenmig_conn_open_dest(dst, a->dest, err);
        if (rc)
            return rc;
    }
    return 0;
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
result_word(int rc)
{
    if (rc == 0)
        return "migrated";
    if (rc == XENMIG_ELOST)
        return "lost";
    if (rc == XENMIG_EUNKNOWN)
        return "unknown";
    return "failed";
}

static void
print_result_json(const struct mig_args *a, xenmig_conn *src,
                  xenmig_conn *dst, int rc, const xenmig_error *err,
                  double elapsed)
{
    json_object *o = json_object_new_object();

    if (!o)
        return;
    json_object_object_add(o, "result",
                           json_object_new_string(result_word(rc)));
    json_object_object_add(o, "domain", cli_json_string(a->dom));
    json_object_object_add(o, "source",
        cli_json_string(xenmig_conn_host(src)));
    json_object_object_add(o, "destination",
        cli_json_string(xenmig_conn_host(dst)));
    json_object_object_add(o, "live", json_object_new_boolean(
        (a->opts.flags & XENMIG_MIGRATE_LIVE) != 0));
    json_object_object_add(o, "elapsed_s",
                           json_object_new_double(elapsed));
    if (rc)
        cli_json_add_error(o, rc, err->msg);
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
}

static volatile sig_atomic_t cancel_signal;
static volatile sig_atomic_t bar_drawn;   /* a progress bar is on stderr */

/* What SIGTERM writes before it ends the run: made before it starts. */
static char term_text[1536];
static size_t term_text_len;
static char term_json[2048];
static size_t term_json_len;

/*
 * SIGTERM ends the run at once (cli_catch_term): the last line says
 * where the domain is known to run and what xend may still do. If the
 * relay carried the stream, exiting cuts it, and xend resumes the
 * domain on the source (reference 4.5).
 */
static void
catch_term(const struct mig_args *a, xenmig_conn *src, xenmig_conn *dst,
           int relayed)
{
    xenmig_error e;
    json_object *o;
    const char *js;
    int n;

    n = snprintf(e.msg, sizeof(e.msg), "terminated: domain '%s' was "
                 "last known running on '%s'; %s", a->dom,
                 xenmig_conn_host(src), relayed ?
                 "the relay's stream is cut, so xend should resume it "
                 "there (unless xend could not be relayed: then it may "
                 "still be moving it)" : "xend may still be moving it "
                 "to the destination or resuming it");
    if (n < 0)
        e.msg[0] = '\0';
    n = snprintf(term_text, sizeof(term_text), "\nxenmig: %s; run "
                 "'xenmig recover %s' to finish or undo it from the "
                 "journal (or see where it runs with 'xenmig list' on "
                 "'%s' and '%s')\n", e.msg, a->dom, xenmig_conn_host(src),
                 xenmig_conn_host(dst));
    term_text_len = n > 0 && (size_t)n < sizeof(term_text) ? (size_t)n : 0;
    term_json_len = 0;
    o = a->json ? json_object_new_object() : NULL;
    if (o) {
        json_object_object_add(o, "result",
                               json_object_new_string("unknown"));
        json_object_object_add(o, "domain", cli_json_string(a->dom));
        json_object_object_add(o, "source",
            cli_json_string(xenmig_conn_host(src)));
        json_object_object_add(o, "destination",
            cli_json_string(xenmig_conn_host(dst)));
        cli_json_add_error(o, XENMIG_EUNKNOWN, e.msg);
        js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        n = snprintf(term_json, sizeof(term_json), "%s\n", js);
        if (n > 0 && (size_t)n < sizeof(term_json))
            term_json_len = (size_t)n;
        json_object_put(o);
    }
    fflush(stdout);
    cli_catch_term(term_text, term_text_len, term_json, term_json_len);
}

/*
 * Ctrl-C and SIGHUP cancel the stream and recover instead of killing
 * us. The first interrupt asks the library to cancel, which it can
 * while the relay carries the stream (it cuts it and waits for the
 * source to resume the domain). Where nothing carries the stream (SSL,
 * xend 3.0.0/3.0.1), xend goes on and the library waits for its
 * answer: a second interrupt then stops the wait, unsure where the
 * domain ends. Without the relay (--direct) nothing can stop xend's
 * stream: an interrupt only ends our watch, and says so.
 */
static void
catch_signals(int direct)
{
    if (direct)
        cli_catch_interrupts(&cancel_signal, NULL, NULL, "xenmig: "
                             "interrupted: xend goes on with the "
                             "migration on its own; run 'xenmig "
                             "recover' once it is done\n");
    else
        cli_catch_interrupts(&cancel_signal, &bar_drawn, "xenmig: "
                             "interrupted: cancelling if the migration "
                             "can still be stopped (interrupt again to "
                             "stop waiting)\n", "xenmig: interrupted "
                             "again: not waiting any longer; xend may "
                             "still be moving or resuming the domain: "
                             "run 'xenmig recover' once it is done\n");
}

/*
 * A stream that stops moving is a stall: say so when it has stood still
 * for a quarter of --stall (the relay cancels at the whole of it).
 */
static void
warn_stall(struct mig_args *a, const xenmig_progress *p)
{
    double stall_s = (a->opts.stall_ms ? a->opts.stall_ms : 60000) / 1e3;

    if (p->bytes != a->last_bytes || p->done) {
        a->last_bytes = p->bytes;
        a->still_since = p->elapsed_s;
        a->warned = 0;
        return;
    }
    if (!a->warned && p->elapsed_s - a->still_since >= stall_s / 4) {
        if (a->bar)
            fputc('\n', stderr);
        cli_err("warning: the stream has not moved for %.0f s at %.0f "
                "MiB; cancelling after %.0f s", p->elapsed_s -
                a->still_since, (double)p->bytes / 1048576.0, stall_s);
        a->warned = 1;
    }
}

static int
on_progress(const xenmig_progress *p, void *payload)
{
    struct mig_args *a = payload;
    json_object *o;
    int filled, i;

    if (p->source_state) {
        /* no relay, no bytes: how long, and the source's view */
        if (a->bar) {
            fprintf(stderr, "\r%7.1f s  domain on the source: %-10s",
                    p->elapsed_s, p->source_state);
            fflush(stderr);
            a->state_shown = 1;
        }
        return cancel_signal != 0;
    }
    if (!a->quiet)
        warn_stall(a, p);
    if (a->json) {
        o = json_object_new_object();
        if (o) {
            json_object_object_add(o, "event",
                                   json_object_new_string("progress"));
            cli_json_add_progress(o, p);
            puts(json_object_to_json_string_ext(o,
                                                JSON_C_TO_STRING_PLAIN));
            fflush(stdout);
            json_object_put(o);
        }
    } else if (a->bar) {
        bar_drawn = !p->done;
        filled = p->percent / 5;
        fputs("\r[", stderr);
        for (i = 0; i < 20; i++)
            fputc(i < filled ? '#' : ' ', stderr);
        if (p->pass > 1)
            fprintf(stderr, "] 100%% pass %u", p->pass);
        else
            fprintf(stderr, "] %3d%%", p->percent);
        fprintf(stderr, " %6.0f MiB %7.1f Mbit/s %5.1f s ",
                (double)p->bytes / 1048576.0, p->rate_mbit, p->elapsed_s);
        if (p->done)
            fputc('\n', stderr);
        fflush(stderr);
    }
    return cancel_signal != 0;
}

/* During a migration only the warnings of the checks are news; -v
 * shows every check as it completes. */
static void
on_warning(const char *check, int ok, const char *detail, void *payload)
{
    (void)payload;
    if (ok == XENMIG_CHECK_WARN)
        cli_err("warning: %s", detail);
    else if (cli_verbose)
        cli_err("check %s %s: %s", check, ok ? "ok" : "FAILED", detail);
}

int
cmd_migrate(int argc, char **argv)
{
    struct mig_args a;
    xenmig_conn *src = NULL, *dst = NULL;
    xenmig_error err;
    double t0;
    int rc, ret;

    xenmig_error_clear(&err);
    /* a closed stdout or stderr (EPIPE) must not stop a recovery */
    signal(SIGPIPE, SIG_IGN);
    ret = mig_parse_args(&a, "migrate", 2, argc, argv);
    if (ret)
        return ret;
    rc = mig_open_conns(&src, &dst, &a, &err);
    if (rc) {
        ret = cli_fail(rc, &err);
        goto out;
    }
    if (!a.quiet || cli_verbose)
        a.opts.check = on_warning;
    /* progress is shown when someone will see it; a terminal never
     * changes the stream's path (the library picks it) */
    a.bar = !a.quiet && !a.json && isatty(STDERR_FILENO);
    a.opts.progress = on_progress;      /* display, and cancel */
    a.opts.payload = &a;
    catch_signals((a.opts.flags & XENMIG_MIGRATE_DIRECT) != 0);
    catch_term(&a, src, dst, !(a.opts.flags & (XENMIG_MIGRATE_DIRECT |
                                               XENMIG_MIGRATE_SSL)));
    fflush(stdout);
    t0 = now_s();
    rc = xenmig_migrate_ex(src, a.dom, dst, &a.opts, &err);
    if (a.state_shown)
        fputc('\n', stderr);
    if (a.json)
        print_result_json(&a, src, dst, rc, &err, now_s() - t0);
    if (rc) {
        ret = cli_fail(rc, &err);
        goto out;
    }
    if (!a.quiet && !a.json)
        printf("migrated '%s' from '%s' to '%s' in %.1f s\n", a.dom,
               xenmig_conn_host(src), xenmig_conn_host(dst),
               now_s() - t0);
    ret = CLI_EXIT_OK;
 out:
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    return ret;
}

struct check_out {
    int json;
    json_object *arr;
};

static void
on_check(const char *check, int ok, const char *detail, void *payload)
{
    struct check_out *co = payload;
    json_object *o;

    if (!co->json) {
        printf("%-4s  %-11s ", ok == XENMIG_CHECK_WARN ? "warn" :
               ok == XENMIG_CHECK_OK ? "ok" : "FAIL", check);
        cli_fputs_term(detail, stdout);
        putchar('\n');
        return;
    }
    o = json_object_new_object();
    if (!o)
        return;
    json_object_object_add(o, "check", json_object_new_string(check));
    json_object_object_add(o, "ok", json_object_new_boolean(ok != 0));
    if (ok == XENMIG_CHECK_WARN)
        json_object_object_add(o, "warning", json_object_new_boolean(1));
    json_object_object_add(o, "detail", cli_json_string(detail));
    json_object_array_add(co->arr, o);
}

int
cmd_check(int argc, char **argv)
{
    struct mig_args a;
    struct check_out co;
    xenmig_conn *src = NULL, *dst = NULL;
    xenmig_error err;
    json_object *o;
    int rc, ret;

    xenmig_error_clear(&err);
    ret = mig_parse_args(&a, "check", 2, argc, argv);
    if (ret)
        return ret;
    co.json = a.json;
    co.arr = a.json ? json_object_new_array() : NULL;
    rc = mig_open_conns(&src, &dst, &a, &err);
    if (!rc)
        rc = xenmig_migrate_check(src, a.dom, dst, &a.opts, on_check, &co,
                                  &err);
    if (a.json && co.arr) {
        o = json_object_new_object();
        if (o) {
            json_object_object_add(o, "ok", json_object_new_boolean(!rc));
            json_object_object_add(o, "checks", json_object_get(co.arr));
            if (rc)
                json_object_object_add(o, "error",
                                       cli_json_string(err.msg));
            puts(json_object_to_json_string_ext(o,
                                                JSON_C_TO_STRING_PLAIN));
            json_object_put(o);
        }
        json_object_put(co.arr);
    }
    ret = rc ? cli_fail(rc, &err) : CLI_EXIT_OK;
    xenmig_conn_free(src);
    xenmig_conn_free(dst);
    return ret;
}
