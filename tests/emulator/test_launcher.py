# SPDX-License-Identifier: LGPL-2.1-or-later
"""The xenhost launcher: start-up, ready file, config file, clean stop."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

from emutest import XENHOST, HostTestCase, free_address, wait_for


class LauncherTest(HostTestCase):
    def test_two_hosts_start(self):
        # (how fast they start is no test's business: a busy machine
        # made "under 1 s" fail; the wait in emutest is bounded)
        a = self.host('a')
        b = self.host('b')
        for h in (a, b):
            with open(h.path('ready')) as f:
                self.assertEqual(json.load(f), h.info)
        self.assertEqual((a.http_port, a.relocation_port), (8000, 8002))

    def test_ready_info_and_clean_stop(self):
        h = self.host('a')
        self.assertEqual(h.info['pid'], h.proc.pid)
        for key in ('unix_socket', 'xenstore_socket'):
            self.assertTrue(os.path.exists(h.info[key]))
        paths = [h.info['unix_socket'], h.info['xenstore_socket'], h.path('ready')]
        addr = (h.address, h.http_port)
        rc = h.proc.send_signal(signal.SIGINT) or h.proc.wait(10)
        self.assertEqual(rc, 0)
        for p in paths:
            self.assertFalse(os.path.exists(p), p)
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(addr, timeout=2).close()

    def test_sigterm_with_open_connections(self):
        h = self.host('a', domains=['name=g,memory=32'])
        idle = socket.create_connection((h.address, h.http_port), timeout=5)
        self.addCleanup(idle.close)
        hung = socket.create_connection((h.address, h.relocation_port), timeout=5)
        self.addCleanup(hung.close)
        hung.sendall(b'receive\n')
        hung.recv(100)
        self.assertEqual(h.stop(), 0)

    def test_xend_config(self):
        tmp = tempfile.TemporaryDirectory(prefix='xe-cfg-')
        self.addCleanup(tmp.cleanup)
        path = os.path.join(tmp.name, 'xend-config.sxp')
        h = self.host('a', args=['--xend-config', path, '--hosts-allow',
                                 r'^localhost$ ^localhost\.localdomain$', '--relocation-port',
                                 '0'])
        with open(path) as f:
            text = f.read()
        self.assertIn("(xend-relocation-hosts-allow '^localhost$ ^localhost\\\\.localdomain$')\n",
                      text)
        self.assertIn('(xend-relocation-server yes)\n', text)
        self.assertIn('(xend-relocation-port %d)\n' % h.relocation_port, text)
        self.assertIn('(xend-relocation-address %s)\n' % h.address, text)
        self.assertIn('(xend-unix-server yes)\n', text)
        self.assertIn('(xend-unix-path %s)\n' % h.unix_socket, text)
        self.assertIn('(xend-relocation-ssl-server no)\n', text)
        self.assertNotEqual(h.relocation_port, 8002)

    def test_config_file(self):
        tmp = tempfile.TemporaryDirectory(prefix='xe-cfg-')
        self.addCleanup(tmp.cleanup)
        cfg = os.path.join(tmp.name, 'host.json')
        with open(cfg, 'w') as f:
            json.dump({'name': 'ignored', 'reported_host': 'fromfile', 'version': '4.0', 'total_memory': 4096,
                       'free_memory': 1000, 'relocation_server': 'no', 'http_port': 0,
                       'link_rate': 100, 'machine': 'i686', 'xen_caps': 'xen-3.0-x86_32p',
                       'domains': [{'name': 'g1', 'memory': 512, 'type': 'hvm', 'dirty': 4},
                                   'name=g2,memory=256,paused=yes'],
                       'faults': {'http-delay': 0.01}}, f)
        h = self.host('x', args=['--config', cfg, '--nr-cpus', '8'])
        self.assertIsNone(h.relocation_port)
        self.assertNotEqual(h.http_port, 8000)
        node = h.get('/xend/node').body.decode()
        for part in ('(host fromfile)', '(machine i686)', '(nr_cpus 8)', '(total_memory 4096)',
                     '(free_memory 1000)', '(xen_caps xen-3.0-x86_32p)', '(xen_minor 0)'):
            self.assertIn(part, node)
        state = h.state()
        self.assertEqual([d['name'] for d in state['domains']], ['Domain-0', 'g1', 'g2'])
        self.assertEqual(state['domains'][0]['memory'], 4096 - 1000 - 768)
        self.assertEqual(state['faults'], {'http-delay': 0.01})

    def run_xenhost(self, *args):
        return subprocess.run([sys.executable, XENHOST] + list(args), capture_output=True,
                              text=True, timeout=20)

    def test_bad_configuration(self):
        for args in (['--address', '10.0.0.1'], ['--version', '5.0'],
                     ['--domain', 'memory=5'], ['--domain', 'name=a,memory=9999999'],
                     ['--fault', 'frob'], ['--fault', 'stream-stall=5'],
                     ['--ssl-relocation-server', 'yes'], ['--relocation-server', 'maybe'],
                     ['--hosts-allow', '(']):
            r = self.run_xenhost('--address', free_address(), '--control-port', 'off', *args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertTrue(r.stderr.startswith('xenhost: '), r.stderr)

    def test_port_in_use(self):
        h = self.host('a')
        r = self.run_xenhost('--address', h.address, '--control-port', 'off')
        self.assertEqual(r.returncode, 3)
        self.assertIn('cannot start', r.stderr)
        self.assertEqual(h.get('/xend/node').status, 200)

    def test_list_faults(self):
        r = self.run_xenhost('--list-faults')
        self.assertEqual(r.returncode, 0)
        self.assertIn('restore-fail-late', r.stdout)

    def test_control_domain_and_settings(self):
        h = self.host('a')
        dom = h.control('/domain', {'name': 'late', 'memory': 64, 'dirty': 3})
        self.assertEqual((dom['name'], dom['domid'], dom['power']), ('late', 1, 'running'))
        self.assertEqual(h.get('/xend/domain').body, b'(Domain-0 late)')
        self.assertEqual(h.control('/settings', {'link_rate': 10})['link_rate'], 10.0)
        tree = h.control('/xenstore?path=/local/domain/1')
        self.assertEqual(tree['/local/domain/1/name'], 'late')
        wait_for(lambda: h.state()['free_memory'] == 8192 - 1024 - 64)
