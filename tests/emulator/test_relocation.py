# SPDX-License-Identifier: LGPL-2.1-or-later
"""The relocation server, driven by hand (reference §4.2 - §4.4).

The stream is built here from README.md's description of the image, not
with the emulator's own sender.
"""

import os
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import unittest

from emutest import HostTestCase, fixture, free_address, recv_all, wait_for

UUID = '3c1b8e0a-0000-4000-8000-00000000f00d'
PAGE = 4096


def config(name='mover', memory=16, uuid=UUID, hvm=False):
    image = '(hvm (kernel ))' if hvm else '(linux (kernel /boot/vmlinuz))'
    return ('(domain (domid 9) (cpu_weight 256) (uuid %s) (name %s) (vcpus 2) (memory %d) '
            "(maxmem %d) (vcpu_avail '3') (image %s) (state -b----))"
            % (uuid, name, memory, memory, image)).encode()


def image(pages, tail=b'{"dirty": 2.5}', hvm=False):
    out = [struct.pack('<Q', pages)]
    for start in range(0, pages, 512):
        n = min(512, pages - start)
        out.append(struct.pack('<iQ', n, start) + bytes(n * PAGE))
    out.append(struct.pack('<iQ', 3, 7) + bytes(3 * PAGE))       # a re-sent dirty batch
    out.append(struct.pack('<i', 0) + struct.pack('<I', len(tail)) + tail)
    if hvm:
        out.append(b'QemuDeviceModelRecord' + struct.pack('<I', 100) + bytes(100))
    return b''.join(out)


def stream(cfg=None, img=None):
    cfg = cfg if cfg is not None else config()
    img = img if img is not None else image(16 * 256)
    return fixture('relocation', 'signature') + struct.pack('!i', len(cfg)) + cfg + img


class RelocationTest(HostTestCase):
    def setUp(self):
        super().setUp()
        self.h = self.host('dst', domains=['name=resident,memory=64'],
                           args=['--total-memory', '2048'])

    def connect(self, host=None, source=None):
        host = host or self.h
        sock = socket.create_connection((host.address, host.relocation_port), timeout=10,
                                        source_address=(source, 0) if source else None)
        self.addCleanup(sock.close)
        return sock

    def recv_line(self, sock):
        data = b''
        while not data.endswith(b'\n'):
            chunk = sock.recv(1)
            if not chunk:
                break
            data += chunk
        return data

    def receive(self, data, half_close=True):
        """Handshake, send data, return the final reply."""
        sock = self.connect()
        sock.sendall(fixture('relocation', 'receive.request'))
        self.assertEqual(self.recv_line(sock), fixture('relocation', 'receive.reply'))
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return recv_all(sock)

    def test_help_quit_and_unknown_op(self):
        sock = self.connect()
        sock.sendall(fixture('relocation', 'help.request'))
        self.assertEqual(self.recv_line(sock), fixture('relocation', 'help.reply'))
        sock.sendall(fixture('relocation', 'frob.request'))
        self.assertEqual(self.recv_line(sock), fixture('relocation', 'frob.reply'))
        sock.sendall(b'(help)\n')       # still open after an unknown op
        self.assertEqual(self.recv_line(sock), fixture('relocation', 'help.reply'))
        sock.sendall(b'quit\n')
        self.assertEqual(recv_all(sock), b'')

    def test_ready_before_any_stream_byte(self):
        for request in (b'receive\n', b'(receive)', b'  receive\t'):
            sock = self.connect()
            sock.sendall(request)
            self.assertEqual(self.recv_line(sock), fixture('relocation', 'receive.reply'))
            sock.close()

    def test_restore(self):
        free = self.h.state()['free_memory']
        reply = self.receive(stream())
        self.assertEqual(reply, fixture('relocation', 'ok.reply'))
        dom = self.h.domain('mover')
        self.assertEqual((dom['uuid'], dom['memory'], dom['vcpus'], dom['power'], dom['dirty']),
                         (UUID, 16, 2, 'running', 2.5))
        self.assertGreater(dom['domid'], 1)
        self.assertEqual(self.h.state()['free_memory'], free - 16)
        body = self.h.get('/xend/domain/mover').body
        self.assertIn(b"(vcpu_avail '3')", body)            # restored values print as longs
        rec = self.h.stats('destination')[-1]
        self.assertEqual((rec['result'], rec['domain'], rec['bytes_received']),
                         ('ok', 'mover', len(stream())))

    def test_restore_hvm(self):
        data = stream(config('hvmguest', hvm=True), image(16 * 256, hvm=True))
        self.assertEqual(self.receive(data), fixture('relocation', 'ok.reply'))
        self.assertIn(b'(image (hvm ', self.h.get('/xend/domain/hvmguest').body)

    def test_domain_is_paused_while_streaming(self):
        sock = self.connect()
        sock.sendall(b'receive\n')
        self.recv_line(sock)
        data = stream()
        sock.sendall(data[:len(data) // 2])
        dom = wait_for(lambda: self.h.domain('mover'))
        self.assertEqual(dom['state'], '--p---')
        sock.sendall(data[len(data) // 2:])
        sock.shutdown(socket.SHUT_WR)
        self.assertEqual(recv_all(sock), b'(ok)\n')
        self.assertEqual(self.h.domain('mover')['power'], 'running')

    def test_bad_signature(self):
        reply = self.receive(b'NotAGuestRecord!' + bytes(100))
        self.assertEqual(reply, b'(err (type "<class \'xen.xend.XendError.XendError\'>") '
                                b'(value "not a valid guest state file: found \'NotAGuestRecord!\'"))\n')

    def test_bad_signature_resets(self):
        """The (err ...) first, then a reset, not a close (reference §7b.3)."""
        sock = self.connect()
        sock.sendall(b'receive\n')
        self.recv_line(sock)
        sock.sendall(b'NotAGuestRecord!' + bytes(100))
        self.assertTrue(self.recv_line(sock).startswith(b'(err '))
        with self.assertRaises(ConnectionResetError):
            while sock.recv(4096):
                pass

    def test_parse_errors_answered_connection_open(self):
        """Reference §7b.2: xend answers a bad request and reads on."""
        err = ('(err (type "<class \'xen.xend.sxp.ParseError\'>") '
               '(value \'%s\'))\n')
        sock = self.connect()
        for request, message in ((b'\x01', 'invalid character: code 1'),
                                 (b')', 'syntax error: )')):
            sock.sendall(request)
            self.assertEqual(self.recv_line(sock).decode(), err % message)
            sock.sendall(b'(help)\n')
            self.assertEqual(self.recv_line(sock), fixture('relocation', 'help.reply'))

    def test_long_atom_is_an_unknown_op(self):
        """A 200 KB line is echoed as an invalid operation; still open (§7b.2)."""
        sock = self.connect()
        sock.sendall(b'a' * 200000 + b'\n')
        line = self.recv_line(sock)
        self.assertEqual(line, b'(err (type "<class \'xen.xend.XendError.XendError\'>") '
                               b"(value 'Invalid operation: " + b'a' * 200000 + b"'))\n")
        sock.sendall(b'(help)\n')
        self.assertEqual(self.recv_line(sock), fixture('relocation', 'help.reply'))

    def test_eof_errors(self):
        err = '(err (type "<class \'xen.xend.XendError.XendError\'>") (value \'%s\'))\n'
        full = stream()
        for data, what in ((b'', 'signature read'), (full[:18], 'config size read'),
                           (full[:30], 'config read')):
            reply = self.receive(data)
            self.assertEqual(reply.decode(), err % ('not a valid guest state file: ' + what))

    def test_truncated_image(self):
        data = stream()
        for cut in (len(data) - 1, len(data) // 2, len(config()) + 24):
            self.assertEqual(self.receive(data[:cut]),
                             fixture('relocation', 'restore-failed.reply'))
            self.assertIsNone(self.h.domain('mover'))
        self.assertEqual([r['result'] for r in self.h.stats('destination')], ['failed'] * 3)

    def test_wrong_image_size(self):
        bad = stream(img=image(16 * 256 - 1))
        self.assertEqual(self.receive(bad), fixture('relocation', 'restore-failed.reply'))
        extra = stream() + b'x'
        self.assertEqual(self.receive(extra), fixture('relocation', 'restore-failed.reply'))
        self.assertIsNone(self.h.domain('mover'))

    def test_garbage_config(self):
        for cfg in (b'(domain (name x)', b'((((', b'(vm (name x))', b'\x01\x02'):
            self.assertEqual(self.receive(stream(cfg=cfg)),
                             fixture('relocation', 'restore-failed.reply'))

    def test_name_clash_and_memory(self):
        self.assertEqual(self.receive(stream(cfg=config(name='resident'))),
                         fixture('relocation', 'restore-failed.reply'))
        big = stream(cfg=config(memory=4096), img=image(256))[:4096]
        self.assertEqual(self.receive(big), fixture('relocation', 'restore-failed.reply'))
        errors = [r['error'] for r in self.h.stats('destination')]
        self.assertIn('exists', errors[0])
        self.assertIn('free memory', errors[1])

    def test_error_reply_reaches_a_writing_source(self):
        """An early failure is answered while the source still writes (c/s 20200)."""
        sock = self.connect()
        sock.sendall(b'receive\n')
        self.recv_line(sock)
        sock.sendall(stream(cfg=config(name='resident'))[:200000])
        self.assertEqual(self.recv_line(sock), fixture('relocation', 'restore-failed.reply'))

    def test_hosts_allow(self):
        allow = self.host('allow', args=['--hosts-allow', '^10\\. ^127\\.'])
        deny = self.host('deny', args=['--hosts-allow', '^10\\. ^localhost$'])
        source = free_address()
        sock = self.connect(allow, source)
        sock.sendall(b'(help)')
        self.assertEqual(self.recv_line(sock), fixture('relocation', 'help.reply'))
        sock = self.connect(deny, source)
        try:
            sock.sendall(b'receive\n')
            self.assertEqual(recv_all(sock), b'')
        except (ConnectionResetError, BrokenPipeError):
            pass

    def test_hosts_allow_reject_with_eof(self):
        """--reject-with eof: a FIN every time, even with the peer's bytes queued."""
        deny = self.host('deny-eof', args=['--hosts-allow', '^10\\.', '--reject-with', 'eof'])
        source = free_address()
        for _ in range(10):
            sock = self.connect(deny, source)
            sock.sendall(b'receive\n' + b'x' * 100000)
            self.assertEqual(recv_all(sock), b'')    # no ConnectionResetError
            sock.close()


@unittest.skipIf(shutil.which('openssl') is None, 'openssl is not installed')
class SslRelocationTest(HostTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='xe-ssl-')
        cls.key = os.path.join(cls.tmp, 'key.pem')
        cls.cert = os.path.join(cls.tmp, 'cert.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
                        '-subj', '/CN=xenhost', '-keyout', cls.key, '-out', cls.cert],
                       check=True, capture_output=True, timeout=60)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_sslreceive(self):
        h = self.host('ssl', args=['--ssl-relocation-server', 'yes', '--ssl-port', '0',
                                   '--ssl-key', self.key, '--ssl-cert', self.cert])
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection((h.address, h.info['ssl_port']), timeout=10)
        with ctx.wrap_socket(raw) as sock:
            sock.sendall(b'sslreceive\n')
            self.assertEqual(sock.recv(100), b'(ready sslreceive)\n')
            sock.sendall(stream())
        # TLS cannot be half-closed here; like xend's source, do not wait for (ok)
        wait_for(lambda: (h.domain('mover') or {}).get('power') == 'running')
        self.assertEqual(h.stats('destination')[-1]['result'], 'ok')


if __name__ == '__main__':
    unittest.main()
