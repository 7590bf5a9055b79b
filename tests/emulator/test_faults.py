# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every fault can be switched on, at start or at run time (README.md, "Faults")."""

import socket
import time
import unittest
import urllib.error

from emutest import HostTestCase, parse_reply, recv_all, wait_for

GUEST = 'name=guest1,memory=32,dirty=2'


def err(text):
    return ("(xend.err '%s')" % text).encode()


class FaultTest(HostTestCase):
    def pair(self, src_faults=(), dst_faults=(), src_args=(), rate=0):
        a = self.host('a', domains=[GUEST], faults=src_faults, link_rate=rate,
                      args=['--handshake-timeout', '1'] + list(src_args))
        b = self.host('b', faults=dst_faults)
        return a, b

    def assertResumed(self, a):
        dom = wait_for(lambda: a.domain('guest1'))
        self.assertEqual(dom['power'], 'running')
        self.assertIsNone(a.domain('migrating-guest1'))

    def assertNoReply(self, a, b):
        with self.assertRaises(socket.timeout):
            a.migrate('guest1', b.address, timeout=1)
        wait_for(lambda: a.stats('source')[-1]['result'] == 'no-reply')
        self.assertEqual(a.state()['hung_requests'], 1)

    # ---- the fault API

    def test_api(self):
        a = self.host('a', faults=['http-delay=0.1', 'stream-drop=50%'])
        self.assertEqual(a.control('/faults'), {'http-delay': 0.1, 'stream-drop': '50%'})
        self.assertEqual(a.fault('recv-stall', '1M:0.5')['recv-stall'], '1M:0.5')
        self.assertEqual(a.fault('lost'), {'http-delay': 0.1, 'recv-stall': '1M:0.5',
                                           'restore-fail-late': True, 'stream-drop': '50%'})
        self.assertNotIn('http-delay', a.control('/fault', {'clear': 'http-delay'}))
        self.assertEqual(a.clear_faults(), {})
        for body in ({'name': 'frob'}, {'name': 'stream-drop'}, {'name': 'after-stream',
                                                                 'value': 'x'}):
            with self.assertRaises(urllib.error.HTTPError) as cm:
                a.control('/fault', body)
            self.assertEqual(cm.exception.code, 400)

    # ---- relocation refused

    def test_relocation_off(self):
        a, b = self.pair()
        b.fault('relocation-off')
        r = a.migrate('guest1', b.address)
        self.assertEqual(r.body, b'(xend.err "can\'t connect: [Errno 111] Connection refused")')
        self.assertResumed(a)
        b.clear_faults()
        self.assertEqual(a.migrate('guest1', b.address).body, b'')

    def test_relocation_off_at_start(self):
        a, b = self.pair(dst_faults=['relocation-off'])
        self.assertIn(b'Connection refused', a.migrate('guest1', b.address).body)

    def test_relocation_deny(self):
        a, b = self.pair()
        b.fault('relocation-deny')
        r = a.migrate('guest1', b.address)
        self.assertRegex(r.body.decode(), r"^\(xend.err \"can't connect: \[Errno (104|32)\] ")
        self.assertResumed(a)

    def test_hosts_allow_denial(self):
        a = self.host('a', domains=[GUEST], args=['--bind-outgoing', 'yes'])
        b = self.host('b', args=['--hosts-allow', '^localhost$ ^' + a.address.replace('.', r'\.')
                                 + 'x'])
        self.assertIn(b"can't connect", a.migrate('guest1', b.address).body)

    # ---- handshake

    def test_handshake_no_reply(self):
        a, b = self.pair(dst_faults=['handshake-no-reply'])
        t = time.monotonic()
        r = a.migrate('guest1', b.address)
        self.assertEqual(r.body, b'(xend.err "can\'t connect: timed out")')
        self.assertGreater(time.monotonic() - t, 0.9)
        self.assertResumed(a)

    def test_handshake_close(self):
        a, b = self.pair()
        b.fault('handshake-close')
        self.assertNoReply(a, b)            # EPIPE on the header is not a XendError (§4.7)
        self.assertResumed(a)

    # ---- the stream

    def test_stream_drop_at_destination(self):
        a, b = self.pair()
        b.fault('stream-drop', '8M')
        r = a.migrate('guest1', b.address)
        self.assertRegex(r.body.decode(), r"^\(xend.err '/usr/lib/xen/bin/xc_save \d+ 1 0 0 1 "
                                          r"failed'\)$")
        self.assertResumed(a)
        self.assertEqual(b.stats('destination')[-1]['result'], 'dropped')
        self.assertIsNone(b.domain('guest1'))

    def test_source_drop(self):
        a, b = self.pair()
        a.fault('source-drop', '25%')
        r = a.migrate('guest1', b.address)
        self.assertIn(b'xc_save', r.body)
        self.assertResumed(a)
        rec = a.stats('source')[-1]
        self.assertEqual(rec['bytes_sent'], 8 * (1 << 20))
        wait_for(lambda: b.stats('destination')[-1]['result'] == 'failed')
        self.assertIsNone(b.domain('guest1'))

    def test_stream_stall(self):
        a, b = self.pair(src_faults=['stream-stall=1M:0.8'])
        r = a.migrate('guest1', b.address)
        self.assertEqual(r.body, b'')
        self.assertGreater(a.stats('source')[-1]['duration_s'], 0.8)

    def test_recv_stall(self):
        a, b = self.pair(dst_faults=['recv-stall=2M:0.8'])
        self.assertEqual(a.migrate('guest1', b.address).body, b'')
        self.assertGreater(a.stats('source')[-1]['duration_s'], 0.6)

    # ---- the restore

    def test_restore_fail(self):
        a, b = self.pair(dst_faults=['restore-fail'])
        r = a.migrate('guest1', b.address)
        self.assertEqual(r.body, err('Restore failed (from %s)' % b.address))
        self.assertResumed(a)
        self.assertIsNone(b.domain('guest1'))

    def test_dest_oom(self):
        a, b = self.pair()
        b.fault('dest-oom')
        self.assertEqual(a.migrate('guest1', b.address).body,
                         err('Restore failed (from %s)' % b.address))
        self.assertResumed(a)

    def test_lost(self):
        a, b = self.pair(dst_faults=['lost'])
        r = a.migrate('guest1', b.address)
        self.assertEqual((r.status, r.body), (200, b''))
        wait_for(lambda: b.stats('destination')[-1]['result'] == 'failed')
        self.assertIsNone(a.domain('guest1'))
        self.assertIsNone(b.domain('guest1'))

    def test_after_stream_fail(self):
        a, b = self.pair(src_faults=['after-stream=fail'])
        r = a.migrate('guest1', b.address)
        self.assertTrue(r.body.startswith(b"(xend.err 'after-stream fault"), r.body)
        self.assertResumed(a)
        wait_for(lambda: (b.domain('guest1') or {}).get('power') == 'running')   # on both

    def test_after_stream_hang(self):
        a, b = self.pair(src_faults=['after-stream=hang'])
        self.assertNoReply(a, b)
        self.assertResumed(a)

    def test_migrate_hang_resumed(self):
        a, b = self.pair(src_faults=['migrate-hang'])
        self.assertNoReply(a, b)
        self.assertResumed(a)
        self.assertIsNone(b.domain('guest1'))

    def test_migrate_hang_done(self):
        a, b = self.pair()
        a.fault('migrate-hang', 'done')
        self.assertNoReply(a, b)
        self.assertIsNone(a.domain('guest1'))
        wait_for(lambda: (b.domain('guest1') or {}).get('power') == 'running')

    def test_hung_socket_closed_later(self):
        a, b = self.pair(src_faults=['migrate-hang'], src_args=['--hang-close', '0.5'])
        sock = socket.create_connection((a.address, a.http_port), timeout=5)
        with sock:
            body = 'op=migrate&destination=%s&live=1&port=0&node=-1&ssl=0&' \
                   'change_home_server=0' % b.address
            sock.sendall(('POST /xend/domain/guest1 HTTP/1.1\r\nContent-Type: application/'
                          'x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s'
                          % (len(body), body)).encode())
            self.assertEqual(recv_all(sock), b'')

    # ---- xend's HTTP side

    def test_xend_down(self):
        a = self.host('a', unix=True)
        a.fault('xend-down')
        with self.assertRaises(ConnectionRefusedError):
            a.get('/xend/node')
        with self.assertRaises((ConnectionRefusedError, FileNotFoundError)):
            a.http('GET /xend/node HTTP/1.1\r\n\r\n', unix=True)
        a.clear_faults()
        self.assertEqual(a.get('/xend/node').status, 200)
        self.assertEqual(parse_reply(a.http('GET /xend/node HTTP/1.1\r\n\r\n', unix=True)).status,
                         200)

    def test_xend_close(self):
        a = self.host('a', faults=['xend-close'])
        self.assertEqual(a.http('GET /xend/node HTTP/1.1\r\n\r\n'), b'')

    def test_http_garbage(self):
        a = self.host('a')
        a.fault('http-garbage')
        data = a.http('GET /xend/node HTTP/1.1\r\n\r\n')
        self.assertFalse(data.startswith(b'HTTP/'))
        self.assertGreater(len(data), 0)

    def test_http_oversize(self):
        a = self.host('a', domains=[GUEST])
        a.fault('http-oversize')
        r = a.get('/xend/node')
        self.assertGreater(len(r.body), 1 << 20)
        self.assertTrue(r.body.startswith(b'(node (system Linux)'))
        a.fault('http-oversize', '300K')
        r = a.get('/xend/domain/guest1')
        self.assertGreater(len(r.body), 300 * 1024)
        self.assertTrue(r.body.endswith(b")''"))

    def test_http_delay(self):
        a = self.host('a', faults=['http-delay=0.5'])
        t = time.monotonic()
        self.assertEqual(a.get('/xend/node').status, 200)
        self.assertGreater(time.monotonic() - t, 0.45)

    def test_reported_host(self):
        a = self.host('a', args=['--reported-host', 'localhost.localdomain'])
        self.assertIn(b'(host localhost.localdomain)', a.get('/xend/node').body)


if __name__ == '__main__':
    unittest.main()
