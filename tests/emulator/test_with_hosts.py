# SPDX-License-Identifier: LGPL-2.1-or-later
"""with-hosts: emulated hosts with real names, resolved by the real getaddrinfo."""

import os
import socket
import subprocess
import sys
import unittest

from emutest import WITH_HOSTS, HostTestCase, free_address, wait_for


def namespaces_work():
    r = subprocess.run([sys.executable, WITH_HOSTS, '--check'], capture_output=True, timeout=20)
    return r.returncode == 0


@unittest.skipUnless(namespaces_work(), 'with-hosts: no private mount namespace here '
                                        '(unshare -m / -rm not permitted)')
class WithHostsTest(HostTestCase):
    def with_hosts(self, *argv):
        return subprocess.run([sys.executable, WITH_HOSTS] + list(argv), capture_output=True,
                              text=True, timeout=20)

    def test_default_names(self):
        r = self.with_hosts('--', 'getent', 'hosts', 'xenhost-a', 'xenhost-c')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split(), ['127.0.0.2', 'xenhost-a', '127.0.0.4', 'xenhost-c'])
        r = self.with_hosts('--', 'getent', 'hosts', 'localhost')
        self.assertEqual(r.stdout.split()[0], '127.0.0.1')      # the real file is kept

    def test_map_and_reverse_lookup(self):
        code = 'import socket; print(socket.getfqdn("127.9.9.9"), socket.gethostbyname("mig-x"))'
        r = self.with_hosts('--no-defaults', '--map', 'mig-x=127.9.9.9', '--', sys.executable,
                            '-c', code)
        self.assertEqual(r.stdout.split(), ['mig-x', '127.9.9.9'])
        self.assertNotEqual(self.with_hosts('--map', 'bad name=1.2.3.4', 'true').returncode, 0)

    def test_outside_is_untouched(self):
        name = 'wh-%d' % os.getpid()
        r = self.with_hosts('--map', name + '=127.9.9.8', '--', 'getent', 'hosts', name)
        self.assertEqual(r.stdout.split(), ['127.9.9.8', name])
        with self.assertRaises(socket.gaierror):
            socket.gethostbyname(name)

    def test_migrate_by_name_with_hosts_allow(self):
        addr_a, addr_b, addr_c = free_address(), free_address(), free_address()
        names = ['--no-defaults', '--map', 'src-host=' + addr_a, '--map', 'dst-host=' + addr_b,
                 '--map', 'other-host=' + addr_c, '--']
        prefix = [sys.executable, WITH_HOSTS] + names
        # bound, so that the destination sees the source's own address
        a = self.host('src-host', address=addr_a, prefix=prefix,
                      domains=['name=guest1,memory=32'], args=['--bind-outgoing', 'yes'])
        b = self.host('dst-host', address=addr_b, prefix=prefix,
                      args=['--hosts-allow', '^src-host$', '--bind-outgoing', 'yes'])
        c = self.host('other-host', address=addr_c, prefix=prefix, args=['--hosts-allow', '^nobody$'])
        self.assertEqual(a.info['pid'], a.proc.pid)
        r = a.migrate('guest1', 'dst-host')
        self.assertEqual((r.status, r.body), (200, b''))
        # restored and running (status 2), not only listed
        wait_for(lambda: (b.domain('guest1') or {}).get('status') == 2)
        # the destination's hosts-allow names a host the source is not
        r = b.migrate('guest1', 'other-host', port=c.relocation_port)
        self.assertTrue(r.body.startswith(b"(xend.err \"can't connect: [Errno "), r.body)
        self.assertEqual(a.stop(), 0)


if __name__ == '__main__':
    unittest.main()
