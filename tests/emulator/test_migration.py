# SPDX-License-Identifier: LGPL-2.1-or-later
"""op=migrate between emulated hosts (reference §3.6, §4.3 - §4.6)."""

import os
import shutil
import subprocess
import tempfile
import threading
import unittest

from emutest import HostTestCase, fixture, parse_reply, wait_for

MIB = 1 << 20


class Background(threading.Thread):
    """Runs a migrate POST while the test looks around."""

    def __init__(self, fn, *args, **kw):
        super().__init__(daemon=True)
        self.fn, self.args, self.kw = fn, args, kw
        self.result = self.error = None
        self.start()

    def run(self):
        try:
            self.result = self.fn(*self.args, **self.kw)
        except Exception as e:          # reported by get()
            self.error = e

    def get(self, timeout=60):
        self.join(timeout)
        if self.is_alive():
            raise AssertionError('migrate POST did not finish in %s s' % timeout)
        if self.error:
            raise self.error
        return self.result


def arrived(host, name):
    """The source answers before the destination has finished (reference §4.5)."""
    return wait_for(lambda: (host.domain(name) or {}).get('power') == 'running'
                    and host.domain(name))


class MigrationTest(HostTestCase):
    def pair(self, src_domains=('name=guest1,memory=256,dirty=20',), src_args=(), dst_args=(),
             rate=0):
        a = self.host('a', domains=src_domains, args=list(src_args), link_rate=rate)
        b = self.host('b', args=list(dst_args))
        return a, b

    def test_live_256mib(self):
        a, b = self.pair(rate=2000)
        free_a, free_b = a.state()['free_memory'], b.state()['free_memory']
        uuid = a.domain('guest1')['uuid']
        r = a.migrate('guest1', b.address, live=1)
        ok = parse_reply(fixture('http', 'migrate-ok.reply'))
        self.assertEqual((r.status_line, sorted(r.headers), r.body),
                         (ok.status_line, sorted(ok.headers), ok.body))
        self.assertIsNone(a.domain('guest1'))
        self.assertEqual(a.get('/xend/domain/guest1').status, 404)
        dom = arrived(b, 'guest1')
        self.assertEqual((dom['uuid'], dom['power'], dom['memory'], dom['dirty']),
                         (uuid, 'running', 256, 20.0))
        self.assertEqual(a.state()['free_memory'], free_a + 256)
        self.assertEqual(b.state()['free_memory'], free_b - 256)
        src = a.stats('source')[-1]
        dst = b.stats('destination')[-1]
        self.assertEqual(src['result'], 'ok')
        self.assertGreaterEqual(src['rounds'], 3)
        self.assertEqual(src['pages_per_round'][0], 256 * 256)
        self.assertLess(src['pages_per_round'][-1], src['pages_per_round'][0])
        self.assertGreater(src['bytes_sent'], 256 * MIB)
        self.assertLess(src['bytes_sent'], 3.5 * 256 * MIB)
        # the link rate holds: 256 MiB at 2000 Mbit/s takes about 1.07 s
        # (a lower bound, which no load can break)
        self.assertGreater(src['duration_s'], 1.0)
        self.assertEqual((dst['result'], dst['bytes_received']), ('ok', src['bytes_sent']))

    def test_outgoing_socket_not_bound(self):
        """xend connects from the kernel's choice of address (§7b.1)."""
        a, b = self.pair(src_domains=('name=guest1,memory=16',))
        a.migrate('guest1', b.address, live=0)
        peer = wait_for(lambda: b.stats('destination'))[-1]['peer']
        self.assertEqual(peer, '127.0.0.1')
        self.assertNotEqual(peer, a.address)

    def test_bind_outgoing(self):
        a, b = self.pair(src_domains=('name=guest1,memory=16',), src_args=['--bind-outgoing', 'yes'])
        a.migrate('guest1', b.address, live=0)
        self.assertEqual(wait_for(lambda: b.stats('destination'))[-1]['peer'], a.address)

    def test_non_live(self):
        a, b = self.pair(src_domains=('name=guest1,memory=64,dirty=50',))
        r = a.migrate('guest1', b.address, live=0)
        self.assertEqual((r.status, r.body), (200, b''))
        src = a.stats('source')[-1]
        self.assertEqual((src['rounds'], src['pages_per_round']), (1, [64 * 256]))
        self.assertGreaterEqual(src['downtime_s'], 0)
        self.assertEqual(arrived(b, 'guest1')['power'], 'running')

    def test_during_migration(self):
        a, b = self.pair(src_domains=('name=guest1,memory=128,dirty=1', 'name=other,memory=64'),
                         rate=300)
        domid = a.domain('guest1')['domid']
        job = Background(a.migrate, 'guest1', b.address)
        wait_for(lambda: a.domain('migrating-guest1'))
        self.assertEqual(a.get('/xend/domain/guest1').status, 404)
        r = a.get('/xend/domain/%d' % domid)
        self.assertIn(b'(name migrating-guest1)', r.body)
        self.assertIn(b'migrating-guest1', a.get('/xend/domain').body)
        # the incoming domain is there, paused, under its own name
        self.assertEqual(wait_for(lambda: b.domain('guest1'))['state'], '--p---')
        # a second migrate by name during the first one: 404
        self.assertEqual(a.migrate('guest1', b.address).status, 404)
        self.assertEqual(job.get().status, 200)
        self.assertEqual(a.get('/xend/domain').body, b'(Domain-0 other)')
        self.assertEqual(arrived(b, 'guest1')['power'], 'running')

    def test_localhost(self):
        a = self.host('a', domains=['name=guest1,memory=32,dirty=5'])
        uuid = a.domain('guest1')['uuid']
        r = a.migrate('guest1', a.address)
        self.assertEqual((r.status, r.body), (200, b''))
        dom = arrived(a, 'guest1')
        self.assertEqual((dom['uuid'], dom['power'], dom['domid']), (uuid, 'running', 2))
        self.assertEqual(dom['vm_path'], '/vm/%s-1' % uuid)

    def test_there_and_back(self):
        a, b = self.pair(src_domains=('name=guest1,memory=32,dirty=3',))
        self.assertEqual(a.migrate('guest1', b.address).body, b'')
        arrived(b, 'guest1')
        self.assertEqual(b.migrate('guest1', a.address).body, b'')
        self.assertEqual(arrived(a, 'guest1')['dirty'], 3.0)
        self.assertIsNone(b.domain('guest1'))

    def test_hvm(self):
        a, b = self.pair(src_domains=('name=win,memory=32,type=hvm',))
        self.assertEqual(a.migrate('win', b.address).body, b'')
        self.assertEqual(arrived(b, 'win')['type'], 'hvm')

    def test_port_and_node(self):
        a = self.host('a', domains=['name=guest1,memory=32'])
        b = self.host('b', args=['--relocation-port', '0'])
        r = a.migrate('guest1', b.address, port=b.relocation_port, node=0)
        self.assertEqual(r.body, b'')

    def test_old_personality_moves_paused_domain(self):
        a = self.host('a', args=['--version', '3.0.2'], domains=['name=p,memory=32,paused=yes'])
        b = self.host('b', args=['--version', '3.0.2'])
        r = a.post('/xend/domain/p', 'op=migrate&destination=%s&live=1&resource=0&port=0'
                   % b.address)
        self.assertEqual((r.status, r.body), (200, b''))
        self.assertEqual(arrived(b, 'p')['power'], 'running')

    def test_destination_error_is_picked_up(self):
        a, b = self.pair(src_domains=('name=guest1,memory=64',),
                         dst_args=['--total-memory', '1080'])
        r = a.migrate('guest1', b.address)
        self.assertEqual(r.body, ("(xend.err 'Restore failed (from %s)')" % b.address).encode())
        dom = a.domain('guest1')
        self.assertEqual((dom['name'], dom['power']), ('guest1', 'running'))
        self.assertIsNone(b.domain('guest1'))
        self.assertIn('free memory', b.stats('destination')[-1]['error'])

    def test_no_pickup_before_40(self):
        a = self.host('a', args=['--version', '3.3'], domains=['name=guest1,memory=64'])
        b = self.host('b', args=['--version', '3.3'], faults=['restore-fail'])
        r = a.post('/xend/domain/guest1', 'op=migrate&destination=%s&live=1&port=0&node=-1'
                   '&ssl=0' % b.address)
        self.assertRegex(r.body.decode(),
                         r"^\(xend.err '/usr/lib/xen/bin/xc_save \d+ 1 0 0 1 failed'\)$")
        self.assertEqual(a.domain('guest1')['power'], 'running')

    def test_name_clash(self):
        a, b = self.pair(src_domains=('name=guest1,memory=32',))
        b.control('/domain', {'name': 'guest1', 'memory': 16})
        r = a.migrate('guest1', b.address)
        self.assertEqual(r.body, ("(xend.err 'Restore failed (from %s)')" % b.address).encode())

    @unittest.skipIf(shutil.which('openssl') is None, 'openssl is not installed')
    def test_ssl(self):
        tmp = tempfile.mkdtemp(prefix='xe-ssl-')
        self.addCleanup(shutil.rmtree, tmp, True)
        key, cert = os.path.join(tmp, 'k.pem'), os.path.join(tmp, 'c.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
                        '-subj', '/CN=x', '-keyout', key, '-out', cert], check=True,
                       capture_output=True, timeout=60)
        ssl_args = ['--ssl-relocation-server', 'yes', '--ssl-key', key, '--ssl-cert', cert]
        a, b = self.pair(src_domains=('name=guest1,memory=32,dirty=1',), dst_args=ssl_args)
        r = a.migrate('guest1', b.address, ssl=1)
        self.assertEqual((r.status, r.body), (200, b''))
        self.assertEqual(arrived(b, 'guest1')['power'], 'running')
        self.assertTrue(a.stats('source')[-1]['ssl'])
        self.assertEqual(b.stats('destination')[-1]['result'], 'ok')
        # ssl=1 to a host without the SSL listener
        r = b.migrate('guest1', a.address, ssl=1)
        self.assertEqual(r.body, b'(xend.err "can\'t connect: [Errno 111] Connection refused")')


if __name__ == '__main__':
    unittest.main()
