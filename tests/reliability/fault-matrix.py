#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""fault-matrix.py: run every emulator fault against every migration step
where it can bite, in relay mode and (where meaningful) --direct, and
record where the domain ended.

A row is SAFE when the domain runs, not paused, on exactly one host, or
when xenmig exited 3 ("lost by xend") exactly for restore-fail-late (xend
itself destroyed the domain). Rows that signal xenmig (SIGHUP, SIGKILL)
at a step boundary, or run one migration twice at once, then run
`xenmig recover` and judge what it leaves. Writes a Markdown table (--out, default
docs/RELIABILITY.md) and exits 1 when any row is unsafe.

  python3 tests/reliability/fault-matrix.py [--out FILE] [--append]
      [-k SUBSTRING] [-v] [-j JOBS] [--steps]

With --steps the migration runs through the public step API instead
(build/test-stepdrive: begin, prepare2, perform, finish2, confirm2, as
a libvirt-style driver would call them), every row but those that
signal xenmig or run it twice (the tool's signals, lock and journal,
which the step API leaves to its caller).

With -j 2 (the default on two or more CPUs) two workers run half the
rows each, side by side, every worker with hosts of its own.

Runs build/xenmig (B=build-san for the other build) as a subprocess
against emulated hosts xenhost-a and xenhost-b (a random 127.2xx.y.0/24
of its own, as tests/cli/hosts.sh) that it starts itself inside
tests/emulator/with-hosts.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
B = os.environ.get('B', 'build')
XENMIG = os.path.join(ROOT, B, 'xenmig')
# what runs the migration: the tool, or (--steps, passed on to the
# workers in XM_MATRIX_STEPS) the step API's driver
STEPS = os.environ.get('XM_MATRIX_STEPS') == '1'
MIGRATE = os.path.join(ROOT, B, 'test-stepdrive') if STEPS else XENMIG
XENHOST = os.path.join(ROOT, 'tests', 'emulator', 'xenhost')
WITH_HOSTS = os.path.join(ROOT, 'tests', 'emulator', 'with-hosts')
# a /24 of its own per run (as tests/cli/hosts.sh), chosen before the
# re-exec into with-hosts and passed on in XM_NET
NET = os.environ.get('XM_NET') or '127.%d.%d' % (
    200 + int.from_bytes(os.urandom(1), 'big') % 50,
    1 + int.from_bytes(os.urandom(1), 'big') % 250)
ADDR = {'xenhost-a': NET + '.2', 'xenhost-b': NET + '.3'}
SRC = 'http://xenhost-a:8000'
UUID = '6d1c0b9e-4f3a-4c2e-9b7d-0a1b2c3d4e5f'
DOMAIN = 'web01'
MEMORY = 32                   # MiB: about 1.7 s at the source's 160 Mbit/s
SRC_RATE = '160'
SETTLE = '5'                  # XENMIG_SETTLE_TIMEOUT
TIMEOUT = '10'                # xenmig --timeout in both modes
RUN_LIMIT = 60.0              # a xenmig run longer than this is a hang
# Rows known to be unsafe and reported to the lead (issue 8): still
# shown as UNSAFE; with --allow-known they do not fail the run.
KNOWN = {
    ('SIGKILL at stream end', 'relay'): 'xenmig carries the stream in '
    'relay mode: killed after the source xend sent its last byte into the '
    'relay (and so destroyed the domain) but before the relay forwarded '
    'it, the destination cannot restore it; xenmig recover reports it '
    'lost (exit 3); reported to the lead with issue 13',
}
# where the signal rows signal xenmig: before each step (the library's
# XENMIG_TEST_KILL_AT points), the first stream byte and the stream's end
SIGNAL_POINTS = ('begin', 'prepare', 'perform', 'stream start',
                 'stream end', 'finish', 'confirm', 'end')


def reexec_in_hosts(script=__file__):
    """Run SCRIPT again inside with-hosts so the xenhost-* names
    resolve."""
    if os.environ.get('XM_IN_HOSTS'):
        return
    chk = subprocess.run([sys.executable, WITH_HOSTS, '--check'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if chk.returncode != 0:
        print('SKIP: no private mount namespace for /etc/hosts here',
              file=sys.stderr)
        sys.exit(77)
    os.environ['XM_IN_HOSTS'] = '1'
    os.environ['XM_NET'] = NET
    os.execv(sys.executable, [
        sys.executable, WITH_HOSTS, '--no-defaults',
        '--map', 'localhost.localdomain=127.0.0.1',
        '--map', 'xenhost-a=' + ADDR['xenhost-a'],
        '--map', 'xenhost-b=' + ADDR['xenhost-b'], '--',
        sys.executable, os.path.abspath(script)] + sys.argv[1:])


class Host:
    def __init__(self, name, tmp, opts):
        self.name = name
        self.ready = os.path.join(tmp, name + '.ready')
        self.log = os.path.join(tmp, name + '.log')
        if os.path.exists(self.ready):
            os.unlink(self.ready)
        self.proc = subprocess.Popen(
            [sys.executable, XENHOST, '--name', name, '--address', ADDR[name],
             '--ready-file', self.ready, '--log-file', self.log] + opts,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            if os.path.exists(self.ready) and os.path.getsize(self.ready):
                with open(self.ready) as f:
                    self.info = json.load(f)
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('host %s did not start: %s' % (
                    name, self.tail()))
            time.sleep(0.05)
        self.control = 'http://%s:%d' % (ADDR[name], self.info['control_port'])

    def tail(self):
        try:
            with open(self.log) as f:
                return ' / '.join(f.read().splitlines()[-3:])
        except OSError:
            return ''

    def get(self, path):
        with urllib.request.urlopen(self.control + path, timeout=5) as r:
            return json.load(r)

    def post(self, path, body):
        req = urllib.request.Request(
            self.control + path, data=json.dumps(body).encode(),
            headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.load(r)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_host(name, tmp, opts):
    """Start a host; wait out ports another test run still holds."""
    for _ in range(30):
        try:
            return Host(name, tmp, opts)
        except RuntimeError as e:
            if 'Address already in use' not in str(e):
                raise
            time.sleep(1)
    return Host(name, tmp, opts)


def xenmig(args, timeout=30):
    return subprocess.run([XENMIG] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


class Row:
    """One cell of the matrix: a fault at a step in a mode."""

    def __init__(self, fault, step, mode, src=(), dst=(), src_opts=(),
                 dst_opts=(), extra=(), dest='xenhost-b', action=None,
                 lost_ok=False, recover=False):
        self.fault, self.step, self.mode = fault, step, mode
        self.src_faults, self.dst_faults = list(src), list(dst)
        self.src_opts, self.dst_opts = list(src_opts), list(dst_opts)
        self.extra, self.dest, self.action = list(extra), dest, action
        self.lost_ok = lost_ok
        self.recover = recover
        self.result = {}

    def label(self):
        return '%s / %s / %s' % (self.step, self.fault, self.mode)


def mode_args(mode, extra):
    if mode == 'relay':
        return ['--resource', '1000', '--timeout', TIMEOUT] + extra
    return ['--direct', '--timeout', TIMEOUT] + extra


def build_rows():
    rows = []
    both = ('relay', 'direct')

    def add(fault, step, modes=both, **kw):
        for m in modes:
            rows.append(Row(fault, step, m, **kw))

    # prepare: refused before anything moves
    add('relocation-deny', 'prepare', dst=['relocation-deny'])
    add('relocation-off', 'prepare', dst=['relocation-off'])
    # (the emulator's free memory stays: only the restore refuses)
    add('dest-oom', 'restore', dst=['dest-oom'])
    add('--free-memory 16 (dest)', 'prepare', dst_opts=['--free-memory', '16'])
    add('xend-down (dest)', 'prepare', dst=['xend-down'])
    add('name clash (dest has web01)', 'prepare',
        dst_opts=['--domain', 'name=%s,memory=16' % DOMAIN])
    add('reported-host localhost.localdomain', 'prepare',
        dst_opts=['--reported-host', 'localhost.localdomain'],
        dest='http://xenhost-b:8000')
    add('xend-down (source)', 'prepare', src=['xend-down'])
    # garbage and oversize HTTP on either side
    add('http-garbage (source)', 'prepare', src=['http-garbage'])
    add('http-garbage (dest)', 'prepare', dst=['http-garbage'])
    add('http-oversize (source)', 'prepare', src=['http-oversize'])
    add('http-oversize (dest)', 'prepare', dst=['http-oversize'])
    add('xend-close (source)', 'prepare', src=['xend-close'])
    add('xend-close (dest)', 'prepare', dst=['xend-close'])
    # handshake
    add('handshake-close', 'handshake', dst=['handshake-close'])
    add('handshake-no-reply', 'handshake', dst=['handshake-no-reply'],
        src_opts=['--handshake-timeout', '3'])
    # stream
    add('stream-drop=1M', 'early stream', dst=['stream-drop=1M'])
    add('source-drop=1M', 'early stream', src=['source-drop=1M'])
    add('stream-drop=90%', 'late stream', dst=['stream-drop=90%'])
    add('source-drop=90%', 'late stream', src=['source-drop=90%'])
    # stalls: the relay's --stall cancels; --direct just waits it out
    add('stream-stall=1M:4 --stall 2', 'stream stall',
        src=['stream-stall=1M:4'], extra=['--stall', '2'], modes=['relay'])
    add('stream-stall=1M:4', 'stream stall', src=['stream-stall=1M:4'],
        modes=['direct'])
    add('recv-stall=1M:4 --stall 2', 'stream stall',
        dst=['recv-stall=1M:4'], extra=['--stall', '2'], modes=['relay'])
    add('recv-stall=1M:4', 'stream stall', dst=['recv-stall=1M:4'],
        modes=['direct'])
    # after the stream, before the source destroys the domain
    add('after-stream=fail', 'after stream', src=['after-stream=fail'])
    add('after-stream=hang', 'after stream', src=['after-stream=hang'])
    # destination restore
    add('restore-fail', 'restore', dst=['restore-fail'])
    add('restore-fail-late', 'restore', dst=['restore-fail-late'],
        lost_ok=True)
    # xend never answers op=migrate
    add('migrate-hang=resumed', 'xend no answer', src=['migrate-hang=resumed'])
    add('migrate-hang=done', 'xend no answer', src=['migrate-hang=done'])
    # finish and confirm: a fault switched on once the stream is over
    for side, fault in (('dest', 'xend-close'), ('dest', 'xend-down'),
                        ('source', 'xend-close'), ('source', 'xend-down'),
                        ('dest', 'http-garbage')):
        add('%s (%s, after stream)' % (fault, side),
            'finish' if side == 'dest' else 'confirm',
            action=('fault-after-stream', side, fault))
    # cancel with SIGINT
    # (80 Mbit/s: the stream of 32 MiB takes about 3.4 s)
    add('SIGINT in handshake', 'cancel', dst=['handshake-no-reply'],
        src_opts=['--handshake-timeout', '3'], action=('sigint', 1.0))
    add('SIGINT early stream', 'cancel', src_opts=['--link-rate', '80'],
        action=('sigint', 0.8))
    add('SIGINT late stream', 'cancel', src_opts=['--link-rate', '80'],
        action=('sigint', 3.0))
    # SIGHUP (a lost terminal) and SIGKILL at every step boundary, then
    # xenmig recover; the stream points are timed from the source's
    # stats, the others are XENMIG_TEST_KILL_AT points
    for sig in ('SIGHUP', 'SIGKILL'):
        for point in SIGNAL_POINTS:
            add('%s at %s' % (sig, point), 'signal',
                src_opts=['--link-rate', '80'],
                action=('signal', sig, point), recover=True)
    # one migration run twice at once: the lock refuses the second; as
    # if from two machines (two lock directories), the hosts' states and
    # finish's duplicate check must
    for how, apart in (('same host', 0.3), ('two machines', 0.3),
                       ('two machines', 0.0)):
        add('two runs %s (%s)' % ('%.1f s apart' % apart if apart else
                                  'at once', how), 'concurrent',
            src_opts=['--link-rate', '80'],
            action=('twice', how, apart), recover=True)
    return rows


def stream_over(src, dst):
    """The destination restored the domain, or the source left running."""
    try:
        for r in dst.get('/stats?role=destination')['migrations']:
            if r.get('result') in ('ok', 'failed', 'dropped'):
                return True
        for r in src.get('/stats?role=source')['migrations']:
            if r.get('result') != 'running':
                return True
    except OSError:
        pass
    return False


def stream_started(src):
    try:
        for r in src.get('/stats?role=source')['migrations']:
            if r.get('bytes_sent', 0) > 0:
                return True
    except OSError:
        pass
    return False


def row_env(row, rundir):
    """The environment of the row's xenmig: locks and journal of its
    own (an entry another row kept would refuse this one), and a kill
    point, if any."""
    env = dict(os.environ)
    env['XENMIG_RUN_DIR'] = rundir
    if row.action and row.action[0] == 'signal' and \
            not row.action[2].startswith('stream'):
        point = row.action[2]
        env['XENMIG_TEST_KILL_AT'] = point + (
            ':HUP' if row.action[1] == 'SIGHUP' else '')
    return env


def run_action(row, proc, hosts, log):
    kind = row.action[0]
    if kind == 'signal' and row.action[2].startswith('stream'):
        sig = getattr(signal, row.action[1])
        want = stream_started if row.action[2] == 'stream start' else (
            lambda src: stream_over(src, hosts['xenhost-b']))
        deadline = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < deadline:
            if want(hosts['xenhost-a']):
                proc.send_signal(sig)
                log.append('%s at %s' % (row.action[1], row.action[2]))
                return
            time.sleep(0.01)
        return
    if kind == 'sigint':
        time.sleep(row.action[1])
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            log.append('SIGINT at %.1f s' % row.action[1])
    elif kind == 'fault-after-stream':
        side, fault = row.action[1], row.action[2]
        host = hosts['xenhost-b' if side == 'dest' else 'xenhost-a']
        deadline = time.monotonic() + 15
        while proc.poll() is None and time.monotonic() < deadline:
            if stream_over(hosts['xenhost-a'], hosts['xenhost-b']):
                host.post('/fault', {'name': fault})
                log.append('%s on at %s' % (fault, side))
                return
            time.sleep(0.02)


def settle(hosts, limit=10.0):
    """Wait until no migration is running and no domain is in transit."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        busy = False
        for h in hosts.values():
            st = h.get('/state')
            if any(d['name'].startswith('migrating-') for d in st['domains']):
                busy = True
            recs = h.get('/stats')['migrations']
            if any(r.get('result') == 'running' for r in recs):
                busy = True
        if not busy:
            return True
        time.sleep(0.1)
    return False


def where(hosts):
    """Hosts whose xend lists the domain (by UUID), and its paused state."""
    found = []
    for name in sorted(hosts):
        p = xenmig(['list', '--json', '--connect', 'http://%s:8000' % name])
        doms = json.loads(p.stdout) if p.returncode == 0 else []
        state = {d['uuid']: d for d in hosts[name].get('/state')['domains']}
        for d in doms:
            if d['uuid'] != UUID:
                continue
            power = state.get(UUID, {}).get('power', '?')
            found.append((name, d['name'], power))
    return found


def one_line(text):
    lines = [l.strip() for l in text.decode('utf-8', 'replace').splitlines()
             if l.strip()]
    if not lines:
        return '-'
    s = lines[-1] if len(lines) == 1 else lines[0] + ' (+%d lines)' % (
        len(lines) - 1)
    return s if len(s) <= 320 else s[:317] + '...'


def run_row(row, tmp, verbose):
    hosts = {}
    try:
        src_opts = ['--link-rate', SRC_RATE, '--domain',
                    'name=%s,memory=%d,uuid=%s' % (DOMAIN, MEMORY, UUID)]
        for f in row.src_faults:
            src_opts += ['--fault', f]
        dst_opts = ['--link-rate', '0']
        for f in row.dst_faults:
            dst_opts += ['--fault', f]
        hosts['xenhost-a'] = start_host('xenhost-a', tmp,
                                        src_opts + row.src_opts)
        hosts['xenhost-b'] = start_host('xenhost-b', tmp,
                                        dst_opts + row.dst_opts)
        args = (['migrate', '--live'] + mode_args(row.mode, row.extra)
                + ['--connect', SRC, DOMAIN, row.dest])
        notes = []
        rundir = tempfile.mkdtemp(dir=tmp, prefix='run.')
        t0 = time.monotonic()
        proc = subprocess.Popen([MIGRATE] + args, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE,
                                env=row_env(row, rundir))
        second = None
        if row.action and row.action[0] == 'twice':
            time.sleep(row.action[2])
            env = dict(os.environ)
            env['XENMIG_RUN_DIR'] = rundir
            if row.action[1] == 'two machines':
                env['XENMIG_RUN_DIR'] = rundir + '-other'
            second = subprocess.Popen([XENMIG] + args, env=env,
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE)
        th = None
        if row.action:
            th = threading.Thread(target=run_action,
                                  args=(row, proc, hosts, notes))
            th.start()
        try:
            out, err = proc.communicate(timeout=RUN_LIMIT)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            rc = 'hang'
        dur = time.monotonic() - t0
        if isinstance(rc, int) and rc < 0:
            rc = 'killed (%s)' % signal.Signals(-rc).name
        if th:
            th.join()
        both_ok = False
        if second:
            try:
                out2, err2 = second.communicate(timeout=RUN_LIMIT)
                rc2 = second.returncode
            except subprocess.TimeoutExpired:
                second.kill()
                out2, err2 = second.communicate()
                rc2 = 'hang'
            notes.append('second run: exit %s: %s' % (rc2, one_line(
                err2) if err2.strip() else one_line(out2)))
            both_ok = rc == 0 and rc2 == 0
            if rc2 not in (0, 1, 4):
                rc = '%s/%s' % (rc, rc2)
        rec_rc = None
        jdir = os.path.join(rundir, 'journal')
        if not row.recover and os.path.isdir(jdir) and any(
                f.endswith('.journal') for f in os.listdir(jdir)):
            notes.append('journal entry kept for xenmig recover')
        if row.recover:
            p = subprocess.run([XENMIG, 'recover', '--json'],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=RUN_LIMIT,
                               env=dict(os.environ, XENMIG_RUN_DIR=rundir))
            rec_rc = p.returncode
            got = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
            notes.append('recover: exit %d, %s' % (rec_rc, '; '.join(
                '%s on %s%s' % (g.get('domain'), g.get('where'), (
                    ': ' + g['error']['message']) if 'error' in g else '')
                for g in got) or 'nothing to recover'))
        # what xenmig left behind: faults off, then wait for xend
        for h in hosts.values():
            h.post('/fault', {'clear': True})
        settled = settle(hosts)
        found = where(hosts)
        running = [f for f in found if f[2] == 'running']
        # an exit other than 0/1/3/4 (or the SIGINT this row sent) is a
        # crash or a broken run, whatever the hosts say; 4 says "a host
        # did not answer or kept a copy, look", and is safe only when the
        # domain does run on exactly one host
        sane = rc in (0, 1, 4) or (row.action and row.action[0] == 'sigint'
                                and rc == 'killed (SIGINT)') or (
            row.action and row.action[0] == 'signal' and
            rc == 'killed (SIGKILL)' and row.action[1] == 'SIGKILL')
        # two runs that both say "migrated": one of them is wrong; a
        # recover that fails or finds a migration to repair after a
        # run that was not killed is wrong too
        if both_ok or (rec_rc is not None and rec_rc not in (0, 1, 4)):
            sane = False
        if len(found) == 1 and len(running) == 1 and sane:
            safe = True
        elif not found and rc == 3 and row.lost_ok:
            safe = True
        else:
            safe = False
        # exit 3 only for a domain xend itself lost
        if rc == 'hang':
            safe = False
        if rc == 3 and not row.lost_ok:
            safe = False
        if row.lost_ok and rc != 3 and not found:
            safe = False
        placed = ', '.join('%s%s' % (h, '' if p == 'running' else
                                     ' (%s)' % p) for h, _, p in found)
        row.result = {
            'rc': rc, 'where': placed or 'nowhere', 'safe': safe,
            'message': one_line(err) if err.strip() else one_line(out),
            'duration': dur, 'notes': '; '.join(notes)
            + ('' if settled else ' (xend did not settle)'),
            'args': ' '.join(args),
        }
    except Exception as e:          # a broken row is an unsafe row
        row.result = {'rc': 'error', 'where': '?', 'safe': False,
                      'message': 'matrix error: %s' % e, 'duration': 0.0,
                      'notes': '', 'args': ''}
    finally:
        for h in hosts.values():
            h.stop()
    if verbose:
        r = row.result
        print('%-60s rc=%-4s %-22s %5.1fs %s  %s' % (
            row.label(), r['rc'], r['where'], r['duration'],
            'SAFE' if r['safe'] else 'UNSAFE', r['message']), flush=True)


def run_rows(rows, verbose):
    tmp = tempfile.mkdtemp(prefix='xm-matrix.')
    # locks and journal of each row only (row_env)
    os.environ['XENMIG_RUN_DIR'] = os.path.join(tmp, 'run')
    os.environ.pop('XENMIG_JOURNAL_DIR', None)
    try:
        for row in rows:
            run_row(row, tmp, verbose)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_worker(rows, opts):
    """--worker I/N:FILE: run every Nth row from the Ith, write their
    results to FILE as JSON (index -> result)."""
    share, path = opts.worker.split(':', 1)
    i, n = (int(x) for x in share.split('/'))
    mine = [(k, r) for k, r in enumerate(rows) if k % n == i]
    run_rows([r for _, r in mine], opts.v)
    with open(path, 'w') as f:
        json.dump({str(k): r.result for k, r in mine}, f)
    return 0


def run_sharded(rows, opts):
    """Run the rows in opts.jobs workers side by side. Each worker is
    this script again in a with-hosts namespace of its own, on a /24 of
    its own, so that xenhost-a and xenhost-b never meet another
    worker's hosts."""
    tmp = tempfile.mkdtemp(prefix='xm-matrix.')
    base = NET.split('.')
    procs = []
    try:
        for i in range(opts.jobs):
            env = dict(os.environ)
            env.pop('XM_IN_HOSTS', None)
            env['XM_NET'] = '%s.%s.%d' % (base[0], base[1],
                                          (int(base[2]) + i) % 250 + 1)
            out = os.path.join(tmp, 'worker%d.json' % i)
            cmd = [sys.executable, os.path.abspath(__file__),
                   '--worker', '%d/%d:%s' % (i, opts.jobs, out),
                   '-k', opts.k] + (['-v'] if opts.v else [])
            procs.append((subprocess.Popen(cmd, env=env), out))
        for p, out in procs:
            p.wait()
            try:
                with open(out) as f:
                    got = json.load(f)
            except (OSError, ValueError) as e:
                got = {}
                print('fault-matrix: worker %s: %s' % (out, e),
                      file=sys.stderr)
            for k, res in got.items():
                rows[int(k)].result = res
        for row in rows:
            if not row.result:
                row.result = {'rc': 'error', 'where': '?', 'safe': False,
                              'message': 'matrix error: no result from '
                              'its worker', 'duration': 0.0, 'notes': '',
                              'args': ''}
    finally:
        for p, _ in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def known_note(row):
    return KNOWN.get((row.fault, row.mode))


def verdict(row):
    if row.result['safe']:
        return 'SAFE'
    note = known_note(row)
    return '**UNSAFE**' + (' (known: %s)' % note if note else '')


def md(s):
    return str(s).replace('|', '\\|')


def write_doc(path, rows, elapsed, append, jobs):
    safe = sum(1 for r in rows if r.result['safe'])
    uname = platform.uname()
    lines = []
    if not append:
        lines += [
            '# xenmig reliability results',
            '',
            'Generated by `sh tests/reliability/run.sh` (do not edit by '
            'hand).',
            '',
        ]
    lines += [
        '## Fault matrix',
        '',
        'Command: `python3 tests/reliability/fault-matrix.py%s` (build `%s`), '
        'run %s on %s (%s %s, %d CPUs, Python %s), %.0f s, %d row%s at '
        'a time.' % (
            ' --steps' if STEPS else '', B, datetime.datetime.now(datetime.timezone.utc).strftime(
                '%Y-%m-%d %H:%M UTC'), uname.node, uname.system,
            uname.release, os.cpu_count() or 0, platform.python_version(),
            elapsed, jobs, '' if jobs == 1 else 's'),
        '',
        'Each row starts two emulated hosts (tests/emulator/xenhost): '
        'xenhost-a (source, %s Mbit/s link) with `%s` (%d MiB, live) and '
        'xenhost-b (destination), switches one fault on, runs '
        '`xenmig migrate --live` in relay mode (`--resource 1000 --timeout '
        '%s`) or `--direct --timeout %s`, with XENMIG_SETTLE_TIMEOUT=%s. '
        'Afterwards it clears the faults, waits for xend to settle, and asks '
        'both hosts (`xenmig list --json`, the domain found by UUID; paused '
        'state from the control endpoint `/state`). A row is SAFE when the '
        'domain runs, not paused, on exactly one host and xenmig exited 0, '
        '1 or 4, or when xenmig exited 3 ("lost by xend") exactly when xend '
        'itself destroyed the domain (restore-fail-late). A row marked '
        '"known" is unsafe and reported as a bug; it stays in the table.' % (
            SRC_RATE, DOMAIN, MEMORY, TIMEOUT, TIMEOUT, SETTLE),
        '',
        '| # | step | fault | mode | domain ends on | exit | message | '
        'time | safe |',
        '|---|---|---|---|---|---|---|---|---|',
    ]
    for i, row in enumerate(rows, 1):
        r = row.result
        msg = r['message'] + (' [%s]' % r['notes'].strip('; ')
                              if r['notes'].strip('; ') else '')
        lines.append('| %d | %s | %s | %s | %s | %s | %s | %.1f s | %s |' % (
            i, md(row.step), md(row.fault), row.mode, md(r['where']),
            r['rc'], md(msg), r['duration'],
            verdict(row)))
    known = sum(1 for r in rows if not r.result['safe'] and known_note(r))
    lines += ['', '%d rows, %d safe, %d unsafe (%d of them known and '
              'reported).' % (len(rows), safe, len(rows) - safe, known), '']
    mode = 'a' if append else 'w'
    with open(path, mode) as f:
        f.write('\n'.join(lines))
    return safe


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=os.path.join(ROOT, 'docs',
                                                  'RELIABILITY.md'))
    ap.add_argument('--append', action='store_true',
                    help='append to --out instead of writing it anew')
    ap.add_argument('-k', default='', help='only rows whose label has this')
    ap.add_argument('-v', action='store_true', help='print each row')
    ap.add_argument('--allow-known', action='store_true',
                    help='exit 0 when the only unsafe rows are known ones')
    ap.add_argument('-j', '--jobs', type=int,
                    default=min(2, os.cpu_count() or 1),
                    help='rows run side by side, each share in a worker '
                    'with hosts of its own (default: 2, 1 on one CPU)')
    ap.add_argument('--steps', action='store_true',
                    help='migrate through the step API (test-stepdrive)')
    ap.add_argument('--worker', default='', help=argparse.SUPPRESS)
    opts = ap.parse_args()
    global STEPS, MIGRATE
    if opts.steps:
        os.environ['XM_MATRIX_STEPS'] = '1'
        STEPS, MIGRATE = True, os.path.join(ROOT, B, 'test-stepdrive')
    if not os.access(MIGRATE, os.X_OK):
        print('fault-matrix: %s is not built' % MIGRATE, file=sys.stderr)
        return 1
    if not os.access(XENMIG, os.X_OK):
        print('fault-matrix: %s is not built' % XENMIG, file=sys.stderr)
        return 1
    if opts.jobs < 1:
        ap.error('--jobs must be 1 or more')
    if opts.jobs == 1 or opts.worker:
        reexec_in_hosts()
    os.environ['XENMIG_SETTLE_TIMEOUT'] = SETTLE
    lib = os.path.join(ROOT, B)
    os.environ['LD_LIBRARY_PATH'] = lib + (
        ':' + os.environ['LD_LIBRARY_PATH']
        if os.environ.get('LD_LIBRARY_PATH') else '')
    rows = [r for r in build_rows() if opts.k in r.label() and not (
        STEPS and r.action and r.action[0] in ('sigint', 'signal', 'twice'))]
    t0 = time.monotonic()
    if opts.worker:
        return run_worker(rows, opts)
    if opts.jobs > 1:
        run_sharded(rows, opts)
    else:
        run_rows(rows, opts.v)
    safe = write_doc(opts.out, rows, time.monotonic() - t0, opts.append,
                     opts.jobs)
    print('fault-matrix: %d rows, %d safe (%.0f s)' % (
        len(rows), safe, time.monotonic() - t0))
    bad = 0
    for row in rows:
        if not row.result['safe']:
            note = known_note(row)
            if not (note and opts.allow_known):
                bad += 1
            print('UNSAFE%s: %s: exit %s, on %s: %s (xenmig %s)' % (
                ' (known)' if note else '', row.label(), row.result['rc'],
                row.result['where'], row.result['message'],
                row.result['args']), file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
