# SPDX-License-Identifier: LGPL-2.1-or-later
"""xenstored: the wire protocol (reference §6.2, §6.3), the layout (§6.4, §6.5) and
Debian's libxenstore tools against it."""

import os
import shutil
import socket
import struct
import subprocess
import unittest

from emutest import HostTestCase, fixture_json, wait_for

TYPES = ['DEBUG', 'DIRECTORY', 'READ', 'GET_PERMS', 'WATCH', 'UNWATCH', 'TRANSACTION_START',
         'TRANSACTION_END', 'INTRODUCE', 'RELEASE', 'GET_DOMAIN_PATH', 'WRITE', 'MKDIR', 'RM',
         'SET_PERMS', 'WATCH_EVENT', 'ERROR', 'IS_DOMAIN_INTRODUCED', 'RESUME', 'SET_TARGET',
         'RESTRICT', 'RESET_WATCHES']
T = {name: i for i, name in enumerate(TYPES)}
HEADER = struct.Struct('=IIII')
TOOLS = ('xenstore-ls', 'xenstore-read', 'xenstore-write', 'xenstore-list', 'xenstore-watch',
         'xenstore-rm')


class Client:
    """A raw xenstore connection that keeps watch events apart from replies."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(5)
        self.sock.connect(path)
        self.events = []

    def close(self):
        self.sock.close()

    def _recv(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError('connection closed')
            data += chunk
        return data

    def message(self):
        mtype, req_id, tx_id, length = HEADER.unpack(self._recv(16))
        return TYPES[mtype], req_id, tx_id, self._recv(length) if length else b''

    def send(self, mtype, payload, tx=0, req_id=0):
        if isinstance(payload, str):
            payload = payload.encode('latin-1')
        self.sock.sendall(HEADER.pack(T[mtype], req_id, tx, len(payload)) + payload)

    def request(self, mtype, payload, tx=0, req_id=0):
        self.send(mtype, payload, tx, req_id)
        while True:
            msg = self.message()
            if msg[0] != 'WATCH_EVENT':
                return msg
            self.events.append(msg)

    def event(self):
        if self.events:
            return self.events.pop(0)
        msg = self.message()
        assert msg[0] == 'WATCH_EVENT', msg
        return msg


class XenstoreTest(HostTestCase):
    def setUp(self):
        super().setUp()
        self.h = self.host('xs', domains=['name=guest1,memory=256,domid=5'])
        self.c = self.client()

    def client(self):
        c = Client(self.h.xenstore_socket)
        self.addCleanup(c.close)
        return c

    def test_captured_exchanges(self):
        data = fixture_json('xenstore', 'exchanges.json')
        for ex in data['exchanges']:
            with self.subTest(ex=ex):
                mtype, req_id, tx, payload = self.c.request(ex['type'], ex['payload'], ex['tx'],
                                                            req_id=ex.get('req_id', 0))
                self.assertEqual((mtype, tx, payload.decode('latin-1')),
                                 (ex['reply_type'], ex['tx'], ex['reply']))

    def test_ids_are_echoed(self):
        self.assertEqual(self.c.request('READ', '/local/domain/5/domid\0', req_id=77),
                         ('READ', 77, 0, b'5'))
        self.assertEqual(self.c.request('READ', '/nosuch\0', req_id=78), ('ERROR', 78, 0,
                                                                           b'ENOENT\0'))

    def test_watch(self):
        w = fixture_json('xenstore', 'exchanges.json')['watch']
        self.c.send('WATCH', w['payload'])
        self.assertEqual(self.c.message(), ('WATCH', 0, 0, w['reply'].encode()))
        self.assertEqual(self.c.message(), ('WATCH_EVENT', 0, 0, w['event'].encode()))
        self.assertEqual(self.c.request('WATCH', w['payload']), ('ERROR', 0, 0, b'EEXIST\0'))
        self.assertEqual(self.c.request('WATCH', '/local/domain/5\0tok2\0')[3], b'OK\0')
        self.assertEqual(self.c.event()[3], b'/local/domain/5\0tok2\0')
        other = self.client()
        other.request('WRITE', '/local/domain/5/data/x\0v')
        self.assertEqual(self.c.event()[3], b'/local/domain/5/data/x\0tok2\0')
        self.assertEqual(self.c.request('UNWATCH', '/local/domain/5\0tok2\0')[3], b'OK\0')
        self.assertEqual(self.c.request('UNWATCH', '/local/domain/5\0tok2\0')[3], b'ENOENT\0')

    def test_recursive_delete_reports_watched_path(self):
        self.c.request('WRITE', '/tool/a/b/c\0x')
        self.c.request('WATCH', '/tool/a/b/c\0t\0')
        self.c.event()
        self.c.request('RM', '/tool/a\0')
        self.assertEqual(self.c.event()[3], b'/tool/a/b/c\0t\0')
        self.assertEqual(self.c.request('READ', '/tool/a/b\0')[3], b'ENOENT\0')

    def test_transaction(self):
        tx = fixture_json('xenstore', 'exchanges.json')['transaction']
        mtype, _, _, payload = self.c.request('TRANSACTION_START', tx['start'])
        self.assertEqual(mtype, 'TRANSACTION_START')
        self.assertTrue(payload.endswith(b'\0'))
        tid = int(payload[:-1])
        self.assertEqual(self.c.request('READ', tx['read'], tx=tid), ('READ', 0, tid, b'guest1'))
        self.c.request('WRITE', '/tool/t\0inside', tx=tid)
        other = self.client()
        self.assertEqual(other.request('READ', '/tool/t\0')[3], b'ENOENT\0')
        self.assertEqual(self.c.request('TRANSACTION_END', tx['end'], tx=tid),
                         ('TRANSACTION_END', 0, tid, tx['end_reply'].encode()))
        self.assertEqual(other.request('READ', '/tool/t\0')[3], b'inside')
        # a conflicting commit
        tid = int(self.c.request('TRANSACTION_START', '\0')[3][:-1])
        self.c.request('WRITE', '/tool/t\0mine', tx=tid)
        other.request('WRITE', '/tool/t\0theirs')
        self.assertEqual(self.c.request('TRANSACTION_END', 'T\0', tx=tid)[3], b'EAGAIN\0')
        self.assertEqual(other.request('READ', '/tool/t\0')[3], b'theirs')
        # abort
        tid = int(self.c.request('TRANSACTION_START', '\0')[3][:-1])
        self.c.request('WRITE', '/tool/t\0aborted', tx=tid)
        self.assertEqual(self.c.request('TRANSACTION_END', 'F\0', tx=tid)[3], b'OK\0')
        self.assertEqual(other.request('READ', '/tool/t\0')[3], b'theirs')
        self.assertEqual(self.c.request('TRANSACTION_START', '\0', tx=3)[3], b'EBUSY\0')

    def test_misc_requests(self):
        c = self.c
        self.assertEqual(c.request('MKDIR', '/tool/d\0')[3], b'OK\0')
        self.assertEqual(c.request('READ', '/tool/d\0'), ('READ', 0, 0, b''))
        self.assertEqual(c.request('DIRECTORY', '/tool/d\0'), ('DIRECTORY', 0, 0, b''))
        self.assertEqual(c.request('SET_PERMS', '/tool/d\0n5\0r0\0')[3], b'OK\0')
        self.assertEqual(c.request('GET_PERMS', '/tool/d\0')[3], b'n5\0r0\0')
        self.assertEqual(c.request('SET_PERMS', '/tool/d\0x5\0')[3], b'EINVAL\0')
        self.assertEqual(c.request('WRITE', '/tool/bin\0\0\xff\x01')[3], b'OK\0')
        self.assertEqual(c.request('READ', '/tool/bin\0')[3], b'\0\xff\x01')
        self.assertEqual(c.request('GET_DOMAIN_PATH', 'x\0')[0], 'ERROR')
        self.assertEqual(c.request('DEBUG', '\0')[3], b'ENOSYS\0')
        self.assertEqual(c.request('RESTRICT', '5\0')[3], b'ENOSYS\0')
        c.send('WATCH', '@introduceDomain\0i\0')
        c.message()
        c.message()
        self.assertEqual(c.request('INTRODUCE', '9\0123\0' + '4\0')[3], b'OK\0')
        self.assertEqual(c.event()[3], b'@introduceDomain\0i\0')
        self.assertEqual(c.request('READ', '@introduceDomain\0')[3], b'EINVAL\0')
        self.assertEqual(c.request('READ', '/bad path\0')[3], b'EINVAL\0')
        self.assertEqual(c.request('READ', '/' + 'x' * 3100 + '\0')[3], b'EINVAL\0')

    def test_unknown_type_and_oversize(self):
        self.c.sock.sendall(HEADER.pack(99, 1, 0, 0))
        self.assertEqual(self.c.message(), ('ERROR', 1, 0, b'EINVAL\0'))
        self.c.sock.sendall(HEADER.pack(T['READ'], 0, 0, 5000))
        with self.assertRaises((EOFError, ConnectionResetError)):
            self.c.message()

    def test_layout(self):
        c = self.c
        read = lambda p: c.request('READ', p + '\0')[3].decode()
        uuid = self.h.domain('guest1')['uuid']
        self.assertEqual(read('/local/domain/5/name'), 'guest1')
        self.assertEqual(read('/local/domain/5/domid'), '5')
        self.assertEqual(read('/local/domain/5/vm'), '/vm/' + uuid)
        self.assertEqual(read('/local/domain/5/memory/target'), str(256 * 1024))
        self.assertEqual(read('/local/domain/5/console/type'), 'xenconsoled')
        self.assertEqual(read('/local/domain/5/cpu/0/availability'), 'online')
        self.assertEqual(read('/local/domain/5/control/platform-feature-xs_reset_watches'), '1')
        self.assertEqual(read('/local/domain/0/name'), 'Domain-0')
        self.assertEqual(read('/vm/%s/name' % uuid), 'guest1')
        self.assertEqual(read('/vm/%s/uuid' % uuid), uuid)
        self.assertTrue(read('/vm/%s/image' % uuid).startswith('(linux (kernel '))
        self.assertEqual(read('/local/domain/0/backend/vbd/5/51712/frontend-id'), '5')
        self.assertEqual(c.request('DIRECTORY', '/local/domain/5/device\0')[3], b'vbd\0vif\0')


class MigrationEventsTest(HostTestCase):
    def test_events_follow_a_migration(self):
        a = self.host('a', domains=['name=guest1,memory=64,domid=5,dirty=1'], link_rate=400)
        b = self.host('b')
        uuid = a.domain('guest1')['uuid']
        ca, cb = Client(a.xenstore_socket), Client(b.xenstore_socket)
        self.addCleanup(ca.close)
        self.addCleanup(cb.close)
        for c, watches in ((ca, ('@releaseDomain', '/local/domain/5/name', '/vm/%s/name' % uuid)),
                           (cb, ('@introduceDomain',))):
            for path in watches:
                c.request('WATCH', '%s\0w\0' % path)
                c.event()
        self.assertEqual(a.migrate('guest1', b.address).body, b'')
        seen = []
        while True:
            try:
                seen.append(ca.event()[3].split(b'\0')[0].decode())
            except socket.timeout:
                break
            if seen.count('@releaseDomain') == 2:
                break
        self.assertEqual(seen[:2], ['/local/domain/5/name', '/vm/%s/name' % uuid])
        self.assertEqual(seen.count('@releaseDomain'), 2)      # on suspend and on destroy
        self.assertEqual(ca.request('READ', '/local/domain/5/name\0')[3], b'ENOENT\0')
        self.assertEqual(ca.request('READ', '/vm/%s/name\0' % uuid)[3], b'ENOENT\0')
        self.assertEqual(cb.event()[3], b'@introduceDomain\0w\0')
        domid = wait_for(lambda: b.domain('guest1'))['domid']
        self.assertEqual(cb.request('READ', '/local/domain/%d/name\0' % domid)[3], b'guest1')

    def test_name_during_and_after_failure(self):
        a = self.host('a', domains=['name=guest1,memory=32,domid=5'])
        b = self.host('b', faults=['restore-fail'])
        c = Client(a.xenstore_socket)
        self.addCleanup(c.close)
        c.request('WATCH', '/local/domain/5/name\0n\0')
        c.event()
        self.assertIn(b'Restore failed', a.migrate('guest1', b.address).body)
        self.assertEqual(c.event()[3], b'/local/domain/5/name\0n\0')     # migrating-guest1
        self.assertEqual(c.event()[3], b'/local/domain/5/name\0n\0')     # written back
        self.assertEqual(c.request('READ', '/local/domain/5/name\0')[3], b'guest1')


@unittest.skipIf(any(shutil.which(t) is None for t in TOOLS),
                 'xenstore-utils is not installed (need %s)' % ', '.join(TOOLS))
class LibxenstoreToolsTest(HostTestCase):
    """Debian's libxenstore finds the emulator through XENSTORED_PATH (reference §6.1)."""

    def setUp(self):
        super().setUp()
        self.h = self.host('tools', domains=['name=guest1,memory=256,domid=5',
                                             'name=guest2,memory=128,domid=7'])
        self.env = dict(os.environ, XENSTORED_PATH=self.h.xenstore_socket)

    def run_tool(self, *argv, check=True):
        r = subprocess.run(list(argv), env=self.env, capture_output=True, text=True, timeout=20)
        if check and r.returncode != 0:
            self.fail('%s: exit %d: %s' % (' '.join(argv), r.returncode, r.stderr))
        return r

    def test_list_and_read_domains(self):
        self.assertEqual(self.run_tool('xenstore-list', '/local/domain').stdout.split(),
                         ['0', '5', '7'])
        names = [self.run_tool('xenstore-read', '/local/domain/%s/name' % d).stdout.strip()
                 for d in ('0', '5', '7')]
        self.assertEqual(names, ['Domain-0', 'guest1', 'guest2'])
        out = self.run_tool('xenstore-ls', '/local/domain').stdout
        self.assertIn(' name = "guest1"', out)
        self.assertIn('\n  target = "262144"', out)
        r = self.run_tool('xenstore-read', '/local/domain/9/name', check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_write_rm_and_watch(self):
        self.run_tool('xenstore-write', '/tool/xenmig/test', 'hello')
        self.assertEqual(self.run_tool('xenstore-read', '/tool/xenmig/test').stdout, 'hello\n')
        watch = subprocess.Popen(['xenstore-watch', '-n', '2', '/tool/xenmig'], env=self.env,
                                 stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(watch.stdout.readline().strip(), '/tool/xenmig')
            self.run_tool('xenstore-rm', '/tool/xenmig/test')
            self.assertEqual(watch.stdout.readline().strip(), '/tool/xenmig/test')
            self.assertEqual(watch.wait(10), 0)
        finally:
            if watch.poll() is None:
                watch.kill()
                watch.wait()
            watch.stdout.close()
        r = self.run_tool('xenstore-read', '/tool/xenmig/test', check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_watch_sees_a_destroy(self):
        watch = subprocess.Popen(['xenstore-watch', '-n', '2', '@releaseDomain'], env=self.env,
                                 stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(watch.stdout.readline().strip(), '@releaseDomain')
            self.assertEqual(self.h.post('/xend/domain/guest2', 'op=destroy').status, 202)
            self.assertEqual(watch.stdout.readline().strip(), '@releaseDomain')
            self.assertEqual(watch.wait(10), 0)
        finally:
            if watch.poll() is None:
                watch.kill()
                watch.wait()
            watch.stdout.close()
        self.assertEqual(self.run_tool('xenstore-list', '/local/domain').stdout.split(),
                         ['0', '5'])


if __name__ == '__main__':
    unittest.main()
