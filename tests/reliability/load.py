#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""load.py: xenmig under load against two emulated hosts.

  1. 16 concurrent 'xenmig migrate' runs of 16 different domains from
     xenhost-a to xenhost-b (even ones through the relay, odd ones
     --direct): all succeed, every domain ends on the destination
     exactly once and is gone from the source.
  2. 1000 'xenmig capabilities --connect http://xenhost-b:8000' calls in
     a row, each its own process: all succeed; the emulator's open fd
     count does not grow, and xenmig's peak RSS (wait4, from the small C
     parent bench/util/peakrss.c) of the last 10 calls is not above that
     of the first 10 (+ 512 KiB of noise).

  python3 tests/reliability/load.py [--out FILE] [--append] [-n CALLS]

Appends (with --append) a "Load" section to the doc; exits 1 on failure.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    'fault_matrix', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 'fault-matrix.py'))
fm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fm)

NDOM = 16
RSS_SLACK_KIB = 512
FD_SLACK = 2


def fd_count(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


def build_peakrss(tmp):
    """bench/util/peakrss.c, built into TMP: it measures one child with
    wait4() from a small C parent. wait4() on a child of this script
    would count the Python pages the child held until exec."""
    exe = os.path.join(tmp, 'peakrss')
    subprocess.run([os.environ.get('CC', 'cc'), '-O2', '-o', exe,
                    os.path.join(fm.ROOT, 'bench', 'util', 'peakrss.c')],
                   check=True)
    return exe


def run_timed(peakrss, tmp, args):
    """Run xenmig; return (status, peak RSS KiB, stderr)."""
    out = os.path.join(tmp, 'peakrss.out')
    p = subprocess.run([peakrss, '-o', out, fm.XENMIG] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with open(out) as f:
            kib = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        kib = 0
    return p.returncode, kib, p.stderr.decode('utf-8', 'replace')


def concurrent(tmp):
    names = ['load%02d' % i for i in range(NDOM)]
    opts = ['--link-rate', '200']
    for n in names:
        opts += ['--domain', 'name=%s,memory=16,dirty=1' % n]
    a = fm.start_host('xenhost-a', tmp, opts)
    b = fm.start_host('xenhost-b', tmp, ['--link-rate', '0'])
    try:
        t0 = time.monotonic()
        procs = []
        for i, n in enumerate(names):
            mode = ['--timeout', '60'] if i % 2 == 0 else ['--direct']
            procs.append((n, subprocess.Popen(
                [fm.XENMIG, 'migrate', '--live'] + mode
                + ['--connect', fm.SRC, n, 'xenhost-b'],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
        failures = []
        for n, p in procs:
            try:
                _, err = p.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                p.kill()
                _, err = p.communicate()
            if p.returncode != 0:
                failures.append('%s: exit %s: %s' % (
                    n, p.returncode, err.decode().strip()[:200]))
        elapsed = time.monotonic() - t0
        fm.settle({'xenhost-a': a, 'xenhost-b': b})
        on = {}
        for h in ('xenhost-a', 'xenhost-b'):
            r = fm.xenmig(['list', '--json', '--connect',
                           'http://%s:8000' % h])
            on[h] = [d['name'] for d in json.loads(r.stdout)] \
                if r.returncode == 0 else None
        for n in names:
            if on['xenhost-b'] is None or on['xenhost-b'].count(n) != 1:
                failures.append('%s: not on xenhost-b exactly once' % n)
            if on['xenhost-a'] is None or n in on['xenhost-a']:
                failures.append('%s: still on xenhost-a' % n)
        paused = [d['name'] for d in b.get('/state')['domains']
                  if d['name'] in names and d['power'] != 'running']
        if paused:
            failures.append('not running on xenhost-b: %s' % ' '.join(paused))
    finally:
        a.stop()
        b.stop()
    return {'elapsed': elapsed, 'failures': failures}


def capabilities(tmp, calls):
    b = fm.start_host('xenhost-b', tmp, ['--link-rate', '0'])
    try:
        pid = b.info['pid']
        args = ['capabilities', '--connect', 'http://xenhost-b:8000']
        rss = []
        failures = []
        fds = []
        peakrss = build_peakrss(tmp)
        t0 = time.monotonic()
        for i in range(calls):
            st, kib, err = run_timed(peakrss, tmp, args)
            rss.append(kib)
            if st != 0:
                failures.append('call %d: exit %d: %s' % (i + 1, st,
                                                         err.strip()[:200]))
                if len(failures) > 5:
                    break
            if i == 9:
                fds.append(fd_count(pid))
        elapsed = time.monotonic() - t0
        time.sleep(0.2)         # let the emulator close the last socket
        fds.append(fd_count(pid))
    finally:
        b.stop()
    first = max(rss[:10]) if rss else 0
    last = max(rss[-10:]) if rss else 0
    if len(fds) == 2 and fds[1] > fds[0] + FD_SLACK:
        failures.append('emulator fds grew from %d to %d' % tuple(fds))
    if last > first + RSS_SLACK_KIB:
        failures.append('xenmig peak RSS grew from %d to %d KiB' % (
            first, last))
    return {'calls': len(rss), 'elapsed': elapsed, 'failures': failures,
            'rss_first': first, 'rss_last': last,
            'fds': fds, 'rss_max': max(rss) if rss else 0}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=os.path.join(fm.ROOT, 'docs',
                                                  'RELIABILITY.md'))
    ap.add_argument('--append', action='store_true')
    ap.add_argument('-n', type=int, default=1000, help='capabilities calls')
    opts = ap.parse_args()
    if not os.access(fm.XENMIG, os.X_OK):
        print('load: %s is not built' % fm.XENMIG, file=sys.stderr)
        return 1
    fm.reexec_in_hosts(__file__)
    lib = os.path.join(fm.ROOT, fm.B)
    os.environ['LD_LIBRARY_PATH'] = lib + (
        ':' + os.environ['LD_LIBRARY_PATH']
        if os.environ.get('LD_LIBRARY_PATH') else '')
    tmp = tempfile.mkdtemp(prefix='xm-load.')
    os.environ['XENMIG_RUN_DIR'] = os.path.join(tmp, 'run')
    try:
        c = concurrent(tmp)
        k = capabilities(tmp, opts.n)
    finally:
        subprocess.run(['rm', '-rf', tmp])
    ok_c = not c['failures']
    ok_k = not k['failures']
    lines = [
        '## Load',
        '',
        'Command: `python3 tests/reliability/load.py` (build `%s`), run %s.'
        % (fm.B, datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y-%m-%d %H:%M UTC')),
        '',
        '| test | result | details |',
        '|---|---|---|',
        '| %d concurrent `xenmig migrate --live` of %d domains (16 MiB, '
        'even ones relayed with `--timeout 60`, odd ones `--direct`), '
        'xenhost-a to xenhost-b | %s | %.1f s wall; %s |' % (
            NDOM, NDOM, 'PASS' if ok_c else '**FAIL**', c['elapsed'],
            fm.md('; '.join(c['failures'])) or
            'every domain runs on xenhost-b exactly once, none on xenhost-a'),
        '| %d `xenmig capabilities --connect http://xenhost-b:8000` in a row,'
        ' one process each | %s | %.1f s (%.1f ms per call); xenmig peak '
        'RSS first 10 calls %d KiB, last 10 %d KiB, max %d KiB; emulator '
        'open fds after call 10: %s, after the last: %s%s |' % (
            k['calls'], 'PASS' if ok_k else '**FAIL**', k['elapsed'],
            1000.0 * k['elapsed'] / max(k['calls'], 1), k['rss_first'],
            k['rss_last'], k['rss_max'],
            k['fds'][0] if k['fds'] else '?',
            k['fds'][-1] if k['fds'] else '?',
            ('; ' + fm.md('; '.join(k['failures'])))
            if k['failures'] else ''),
        '',
    ]
    with open(opts.out, 'a' if opts.append else 'w') as f:
        f.write('\n'.join(lines))
    print('load: concurrent %s (%.1f s), capabilities x%d %s (%.1f s, '
          'rss %d -> %d KiB, emulator fds %s)' % (
              'ok' if ok_c else 'FAILED', c['elapsed'], k['calls'],
              'ok' if ok_k else 'FAILED', k['elapsed'], k['rss_first'],
              k['rss_last'], k['fds']))
    for f in c['failures'] + k['failures']:
        print('load: ' + f, file=sys.stderr)
    return 0 if ok_c and ok_k else 1


if __name__ == '__main__':
    sys.exit(main())
