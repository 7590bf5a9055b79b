# SPDX-License-Identifier: LGPL-2.1-or-later
"""xend's HTTP/SXP interface (reference §1, §3, §7.1) against the captured wire examples."""

import shutil
import socket
import subprocess
import unittest

from emutest import Host, fixture, parse_reply, recv_all

GUESTS = ('name=guest1,memory=256,domid=5', 'name=guest2,memory=128,paused=yes',
          'name=busy,memory=64,dirty=5')
LIBVIRT_HEADERS = ['Accept-Encoding: identity', 'Content-Type: application/x-www-form-urlencoded']
FORM = ['Content-Type: application/x-www-form-urlencoded']


def captured(name):
    return parse_reply(fixture('http', name))


class HttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # relocation off: port=0 migrations are refused by this very host
        cls.h = Host('h1', domains=GUESTS, args=['--relocation-server', 'no'])

    @classmethod
    def tearDownClass(cls):
        cls.h.stop()

    def assertSameReply(self, got, want, length=True):
        self.assertEqual(got.status_line, want.status_line)
        self.assertEqual(got.names, want.names)
        for name, value in want.headers:
            if length or name != 'Content-length':
                self.assertEqual(got.header(name), value, name)
        if length:
            self.assertEqual(got.body, want.body)

    # ---- captured replies

    def test_unknown_domain(self):
        self.assertSameReply(self.h.get('/xend/domain/nosuch'), captured('nosuch.reply'))
        r = self.h.post('/xend/domain/nosuch', 'op=pause')
        self.assertEqual((r.status, r.body), (404, b"<Fault 3: 'nosuch'>"))
        r = self.h.get("/xend/domain/it's")
        self.assertEqual(r.body, b'<Fault 3: "it\'s">')

    def test_pause_dom0(self):
        r = self.h.post('/xend/domain/Domain-0', 'op=pause', FORM)
        self.assertSameReply(r, captured('pause-dom0.reply'))

    def test_migrate_refused(self):
        request = fixture('http', 'migrate.request', text=True)
        head, body = request.split('\r\n\r\n')
        body = body.replace('destination=h2', 'destination=' + self.h.address)
        head = head.replace('Content-Length: 85', 'Content-Length: %d' % len(body))
        r = parse_reply(self.h.http(head + '\r\n\r\n' + body))
        self.assertSameReply(r, captured('migrate-refused.reply'))

    def test_captured_migrate_errors(self):
        full = 'destination=%s&live=1&port=0&node=-1&ssl=0&change_home_server=0' % self.h.address
        requests = [('guest1', 'destination=x&live=1&port=0'), ('Domain-0', full),
                    ('guest2', full), ('guest1', 'destination=x&destination=y&live=1'),
                    ('guest1', 'destination=x&live=yes'), ('guest1', full)]
        bodies = fixture('http', 'migrate-errors.txt').splitlines()
        self.assertEqual(len(bodies), len(requests))
        for (dom, form), body in zip(requests, bodies):
            r = self.h.post('/xend/domain/' + dom, 'op=migrate&' + form)
            self.assertEqual((r.status, r.body), (200, body), form)

    def test_libvirt_get(self):
        request = fixture('http', 'get-domain.request')
        r = parse_reply(self.h.http(request))
        self.assertSameReply(r, parse_reply(fixture('http', 'get-domain.reply-head'), check_length=False),
                             length=False)
        self.assertTrue(r.body.startswith(b'(domain (domid 5) (cpu_weight 256) (cpu_cap 0) '))
        self.assertTrue(r.body.endswith(b")''"), r.body[-40:])
        for part in (b'(name guest1)', b'(memory 256)', b'(maxmem 256)', b'(vcpus 1)',
                     b'(status 2)', b'(state -b----)', b'(image (linux ', b'(store_mfn ',
                     b'(console_mfn ', b"(vcpu_avail 1)", b"(HV_START_LOW '18446603336221196288')"):
            self.assertIn(part, r.body)

    def test_directories(self):
        self.assertEqual(self.h.get('/').body, fixture('http', 'ls-root.body'))
        self.assertEqual(self.h.get('/xend/').body, fixture('http', 'ls-xend.body'))
        self.assertEqual(self.h.get('/xend').body, fixture('http', 'ls-xend.body'))

    # ---- framing

    def test_header_spelling_and_fixed_headers(self):
        r = self.h.get('/xend/node')
        self.assertEqual(r.status_line, 'HTTP/1.1 200 OK')
        for name, _ in r.headers:
            self.assertEqual(name, name.capitalize())
        self.assertEqual(r.header('Pragma'), 'no-cache')
        self.assertEqual(r.header('Cache-control'), 'no-cache')
        self.assertEqual(r.header('Expires'), '-1')
        self.assertEqual(r.header('Content-type'), 'application/sxp')
        self.assertFalse(r.body.endswith(b'\n'))

    def test_status_line_is_http11(self):
        for version in ('HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0'):
            r = parse_reply(self.h.http('GET /xend/node %s\r\n\r\n' % version))
            self.assertEqual(r.status_line, 'HTTP/1.1 200 OK')
        r = parse_reply(self.h.http('GET /xend/node\r\n\r\n'))   # HTTP/0.9 form
        self.assertEqual(r.status, 200)

    def test_bad_request(self):
        for line in ('GARBAGE', 'GET / FTP/1.0', 'GET / HTTP/x.1', 'GET / HTTP/1', 'A B C D',
                     ''):
            r = parse_reply(self.h.http(line + '\r\n\r\n'))
            self.assertEqual(r.status_line, 'HTTP/1.1 400 Bad request', line)
            self.assertEqual((r.body, r.header('Content-type')), (b'', None))
        r = parse_reply(self.h.http('GET /' + 'x' * 70000 + ' HTTP/1.1\r\n\r\n'))
        self.assertEqual(r.status, 400)

    def test_keep_alive(self):
        sock = socket.create_connection((self.h.address, self.h.http_port), timeout=10)
        with sock:
            req = b'GET /xend/node HTTP/1.1\r\nConnection: Keep-Alive\r\n\r\n'
            sock.sendall(req + req + b'GET /xend/domain HTTP/1.1\r\n\r\n')
            data = recv_all(sock)
        replies = data.split(b'HTTP/1.1 ')[1:]
        self.assertEqual(len(replies), 3)
        self.assertIn(b'Connection: keep-alive\r\n', replies[0])
        self.assertNotIn(b'Connection', replies[2])

    def test_close_by_default(self):
        sock = socket.create_connection((self.h.address, self.h.http_port), timeout=10)
        with sock:
            sock.sendall(b'GET /xend/node HTTP/1.1\r\n\r\nGET /xend/node HTTP/1.1\r\n\r\n')
            data = recv_all(sock)
        self.assertEqual(data.count(b'HTTP/1.1 200 OK'), 1)

    def test_head(self):
        r = parse_reply(self.h.http('HEAD /xend/node HTTP/1.1\r\n\r\n'))
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header('Content-length'))
        self.assertEqual(r.header('Content-type'), 'application/sxp')
        self.assertEqual(r.body, b'')

    def test_sxp_or_html(self):
        cases = [([], 'application/sxp'),
                 (['User-Agent: curl/8'], 'application/sxp'),
                 (['Accept: */*'], 'application/sxp'),
                 (['User-Agent: curl/8', 'Accept: */*'], None),     # §7b.5
                 (['User-Agent: x', 'Accept: text/html, application/sxp'], 'application/sxp')]
        for headers, ctype in cases:
            self.assertEqual(self.h.get('/xend/node', headers).header('Content-type'), ctype)
        r = self.h.get('/xend/domain/nosuch', ['User-Agent: x', 'Accept: */*'])
        self.assertEqual((r.status, r.header('Content-type')), (404, 'text/plain'))

    def test_methods(self):
        r = parse_reply(self.h.http('PUT /xend/node HTTP/1.1\r\n\r\n'))
        self.assertEqual(r.status_line, 'HTTP/1.1 501 Not implemented')
        self.assertEqual(r.header('Accept'), 'GET,HEAD,POST')
        self.assertEqual((r.header('Content-type'), r.body),
                         ('text/plain', b'Request method not supported (PUT)'))

    def test_body_limit(self):
        r = self.h.post('/xend/domain/guest1', 'op=pause&x=' + 'a' * 10000)
        self.assertEqual(r.status_line, 'HTTP/1.1 413 Request entity too large')
        r = self.h.post('/xend/domain/guest1', 'op=frob&x=' + 'a' * 9980)
        self.assertEqual(r.status, 501)

    def test_body_limit_resets(self):
        """After a 413 the peer sees a reset, not a clean close (§7b.3)."""
        sock = socket.create_connection((self.h.address, self.h.http_port), timeout=10)
        with sock:
            sock.sendall(b'POST /xend/domain/guest1 HTTP/1.1\r\nContent-Length: 20000\r\n'
                         b'Content-Type: application/x-www-form-urlencoded\r\n\r\n')
            data = b''
            with self.assertRaises(ConnectionResetError):
                while True:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            self.assertTrue(data.startswith(b'HTTP/1.1 413 '), data)

    def test_post_op_list(self):
        """SrvDomainDir.op_list: 200 and the detailed list (§7b.4)."""
        r = self.h.post('/xend/domain', 'op=list')
        self.assertEqual((r.status, r.header('Content-type')), (200, 'application/sxp'))
        detail = self.h.get('/xend/domain?detail=1').body
        self.assertTrue(r.body.startswith(b'((domain '), r.body[:40])
        self.assertEqual(r.body.count(b'(domain '), detail.count(b'(domain '))

    def test_many_headers_and_garbage(self):
        headers = ''.join('X-H%d: v\r\n' % i for i in range(600))
        r = parse_reply(self.h.http('GET /xend/node HTTP/1.1\r\n' + headers + '\r\n'))
        self.assertEqual(r.status, 200)
        for junk in (b'\x00\xff\r\n\r\n', b'\x16\x03\x01\x02\x00', bytes(range(256)) * 4):
            sock = socket.create_connection((self.h.address, self.h.http_port), timeout=10)
            with sock:
                try:
                    sock.sendall(junk)
                    sock.shutdown(socket.SHUT_WR)
                    recv_all(sock)
                except OSError:
                    pass            # a 400 and a reset are both fine here
        self.assertEqual(self.h.get('/xend/node').status, 200)

    # ---- resources

    def test_paths(self):
        self.assertEqual(self.h.get('/xend/node/').body, self.h.get('/xend/node').body)
        r = self.h.get('/xend/frob')
        self.assertEqual((r.status, r.header('Content-type'), r.body),
                         (404, 'text/plain', b'Not found: frob'))
        self.assertEqual(self.h.get('/xend/node/frob').body, b'Not found: frob')
        self.assertEqual(self.h.get('/xend/domain/guest%31').status, 200)
        self.assertEqual(self.h.get('/xend/node/dmesg').header('Content-type'), 'text/plain')

    def test_domain_lookup(self):
        by_name = self.h.get('/xend/domain/guest1').body
        self.assertIn(b'(uuid ', by_name)
        uuid = by_name.split(b'(uuid ')[1].split(b')')[0].decode()
        for key in ('5', ' 5', '+5', uuid):
            r = self.h.get('/xend/domain/' + key.replace(' ', '%20'))
            self.assertEqual(r.status, 200, key)
            self.assertIn(b'(name guest1)', r.body)

    def test_domain_lists(self):
        self.assertEqual(self.h.get('/xend/domain').body, b'(Domain-0 busy guest1)')
        self.assertEqual(self.h.get('/xend/domain?state=paused').body, b'(guest2)')
        self.assertEqual(self.h.get('/xend/domain?state=PAUSED').body, b'(guest2)')
        self.assertEqual(self.h.get('/xend/domain?state=all').body,
                         b'(Domain-0 busy guest1 guest2)')
        self.assertEqual(self.h.get('/xend/domain?state=bogus').body, b'()')
        self.assertEqual(self.h.get('/xend/domain?state=').body, b'(Domain-0 busy guest1)')
        detail = self.h.get('/xend/domain?detail=1&state=paused').body
        self.assertTrue(detail.startswith(b'((domain (domid 0)'))
        self.assertEqual(detail.count(b'(domain '), 3)
        self.assertNotIn(b'guest2', detail)
        self.assertEqual(self.h.get('/xend/domain?detail=yes').body, b'(Domain-0 busy guest1)')

    def test_domain_states(self):
        self.assertIn(b'(state r-----)', self.h.get('/xend/domain/busy').body)
        self.assertIn(b'(state --p---) ', self.h.get('/xend/domain/guest2').body)
        self.assertIn(b'(status 1)', self.h.get('/xend/domain/guest2').body)
        self.assertIn(b'(state r-----)', self.h.get('/xend/domain/0').body)

    def test_node(self):
        body = self.h.get('/xend/node').body.decode()
        names = [part.split(' ')[0] for part in body[6:-1].split(') (')]
        names[0] = names[0].lstrip('(')
        self.assertEqual(names[:5], ['system', 'host', 'release', 'version', 'machine'])
        self.assertIn('(host h1)', body)
        self.assertIn('(total_memory 8192)', body)
        self.assertIn("(version '#1 SMP", body)
        self.assertIn("(xen_caps 'xen-3.0-x86_64 ", body)
        self.assertIn('(xen_major 4) (xen_minor 4) (xen_extra .0)', body)
        self.assertTrue(body.endswith('(xend_config_format 4))'))
        free = 8192 - 1024 - 256 - 128 - 64
        self.assertIn('(free_memory %d)' % free, body)

    def test_vcpuinfo(self):
        r = self.h.get('/xend/domain/guest1?op=vcpuinfo')
        self.assertTrue(r.body.startswith(b'(domain (domid 5) (name guest1) (vcpu_count 1) '
                                          b'(vcpu (number 0) (online 1)'))

    # ---- forms and ops

    def test_op_required_once(self):
        for body in ('', 'x=1', 'op=pause&op=pause'):
            r = self.h.post('/xend/domain/guest1', body)
            self.assertEqual(r.status_line, 'HTTP/1.1 406 Invalid request')
            self.assertEqual((r.header('Content-type'), r.body), ('application/sxp', b"''"))

    def test_unknown_op(self):
        r = self.h.post('/xend/domain/guest1', 'op=frob')
        self.assertEqual(r.status_line, 'HTTP/1.1 501 Operation not implemented: frob')
        self.assertEqual(r.body, b"Operation not implemented: frob''")

    def test_query_args_on_post(self):
        r = self.h.post('/xend/domain/guest1?op=pause', '', headers=[])
        self.assertEqual((r.status, r.body, r.header('Content-type')), (200, b'', None))
        self.assertEqual(r.header('Content-length'), '0')
        self.assertIn(b'(state --p---)', self.h.get('/xend/domain/guest1').body)
        # no Content-Type: the body is not parsed
        r = self.h.post('/xend/domain/guest1', 'op=unpause', headers=[])
        self.assertEqual(r.status, 406)
        # the body wins over the query
        r = self.h.post('/xend/domain/guest1?op=frob', 'op=unpause')
        self.assertEqual(r.status, 200)
        self.assertIn(b'(state -b----)', self.h.get('/xend/domain/guest1').body)
        r = self.h.post('/xend/domain/guest1', 'op=pause', ['Content-Type: text/plain'])
        self.assertEqual(r.status, 406)

    def test_charset_and_multipart(self):
        r = self.h.post('/xend/domain/busy', 'op=pause',
                        ['Content-Type: application/x-www-form-urlencoded; charset=UTF-8'])
        self.assertEqual(r.status, 200)
        body = ('--XyZ\r\nContent-Disposition: form-data; name="op"\r\n\r\nunpause\r\n'
                '--XyZ--\r\n')
        r = self.h.post('/xend/domain/busy', body,
                        ['Content-Type: multipart/form-data; boundary=XyZ'])
        self.assertEqual(r.status, 200)
        self.assertIn(b'(state r-----)', self.h.get('/xend/domain/busy').body)

    def test_semicolon_and_plus(self):
        r = self.h.post('/xend/domain/guest1', 'op=shutdown;reason=frob+x')
        self.assertEqual(r.body, b"(xend.err 'Invalid reason: frob x')")

    def test_accepted_op_location(self):
        r = self.h.post('/xend/domain/guest1', 'op=shutdown&reason=reboot')
        self.assertEqual(r.status_line, 'HTTP/1.1 202 Accepted')
        self.assertEqual(r.header('Location'),
                         'http://localhost:%d/xend/domain/guest1/..' % self.h.http_port)
        self.assertEqual((r.body, r.header('Content-type')), (b'', None))
        r = parse_reply(self.h.http('POST /xend/domain/guest1 HTTP/1.1\r\nHost: localhost:8000\r\n'
                                    'Content-Type: application/x-www-form-urlencoded\r\n'
                                    'Content-Length: 25\r\n\r\nop=shutdown&reason=reboot',
                                    unix=True))
        name, _, value = fixture('http', 'location-unix.header', text=True).partition(': ')
        self.assertEqual(r.header(name), value)

    def test_sync_error_keeps_location(self):
        r = self.h.post('/xend/domain/0', 'op=destroy')
        self.assertEqual(r.status_line, 'HTTP/1.1 500 Request failed: destroy')
        self.assertIsNotNone(r.header('Location'))
        self.assertEqual(r.body, b"(xend.err 'Cannot destroy privileged domain 0')")

    def test_migrate_form_errors(self):
        cases = [
            ('', "(xend.err 'Missing parameter: destination')"),
            ('destination=x', "(xend.err 'Missing parameter: live')"),
            ('destination=x&live=1&port=0&node=-1&ssl=0',
             "(xend.err 'Missing parameter: change_home_server')"),
            ('destination=x&destination=y&live=1',
             "(xend.err 'Too many values for destination')"),
            ('destination=x&live=yes', '(xend.err "invalid literal for int() with base 10: \'yes\'")'),
            ('destination=x&live=', '(xend.err "invalid literal for int() with base 10: \'\'")'),
            ('destination=x&live=1&port=%2B8002.0', '(xend.err "invalid literal for int() with base 10: '
                                                  '\'+8002.0\'")'),
            ('destination=x&live=1&port=0&node=-1&ssl=0&change_home_server=yes',
             "(xend.err 'Domain is not a managed domain')"),
            ('dom=0&destination=x&live=1&port=0&node=-1&ssl=0&change_home_server=0',
             "(xend.err 'Cannot migrate privileged domain 0')"),
            ('dom=guest1&destination=x', '(xend.err "invalid literal for int() with base 10: '
                                         '\'guest1\'")'),
        ]
        for form, body in cases:
            r = self.h.post('/xend/domain/guest1', 'op=migrate&' + form)
            self.assertEqual(r.status_line, 'HTTP/1.1 200 OK', form)
            self.assertEqual(r.header('Content-type'), 'application/sxp')
            self.assertEqual(r.body.decode(), body, form)

    def test_migrate_checks(self):
        full = 'op=migrate&destination=%s&live=%%20%%2B1%%20&port=0&node=-1&ssl=0&' \
               'change_home_server=off&resource=0&extra=1' % self.h.address
        r = self.h.post('/xend/domain/Domain-0', full)
        self.assertEqual(r.body, b"(xend.err 'Cannot migrate privileged domain 0')")
        r = self.h.post('/xend/domain/guest2', full)
        self.assertEqual(r.body, b"(xend.err 'Domain is not running')")
        r = self.h.post('/xend/domain/guest1', full)
        self.assertEqual(r.body, b'(xend.err "can\'t connect: [Errno 111] Connection refused")')
        r = self.h.post('/xend/domain/guest1', full.replace('destination=' + self.h.address,
                                                             'destination=no.such.host.invalid'))
        self.assertTrue(r.body.startswith(b"(xend.err \"can't connect: [Errno -"), r.body)
        r = self.h.post('/xend/domain/guest1', full.replace('destination=' + self.h.address,
                                                             'destination='))
        self.assertEqual(r.body, b'(xend.err "can\'t connect: [Errno 111] Connection refused")')

    def test_migrate_error_in_html_mode(self):
        r = self.h.post('/xend/domain/Domain-0', 'op=migrate', FORM + ['User-Agent: x',
                                                                        'Accept: */*'])
        self.assertEqual((r.status, r.header('Content-type')), (200, 'text/plain'))
        self.assertEqual(r.body, b'Error : Missing parameter: destination')

    # ---- curl, over TCP and the Unix socket

    @unittest.skipIf(shutil.which('curl') is None, 'curl is not installed')
    def test_curl(self):
        raw = self.h.get('/xend/node')
        url = 'http://%s:%d/xend/node' % (self.h.address, self.h.http_port)
        for extra in ([], ['--unix-socket', self.h.unix_socket]):
            out = subprocess.run(['curl', '-si', '-A', ''] + extra + [url], capture_output=True,
                                 timeout=20, check=True).stdout
            r = parse_reply(out)
            self.assertEqual((r.status_line, r.headers, r.body),
                             (raw.status_line, raw.headers, raw.body))
        out = subprocess.run(['curl', '-s', '-A', '', '--unix-socket', self.h.unix_socket,
                              'http://localhost/xend/domain/nosuch'], capture_output=True,
                             timeout=20, check=True).stdout
        self.assertEqual(out, b"<Fault 3: 'nosuch'>")


class PersonalityTest(unittest.TestCase):
    """Version switches (reference §7.1 item 9)."""

    def check(self, version, missing, trailing, fmt, sync_status, paused_ok, extra=()):
        h = Host('p' + version, args=['--version', version, '--relocation-server', 'no'] +
                 list(extra), domains=['name=g,memory=64', 'name=p,memory=64,paused=yes'],
                 xenstore=False, unix=False)
        try:
            r = h.post('/xend/domain/g', 'op=migrate&destination=x&live=1')
            self.assertEqual(r.body.decode(), "(xend.err 'Missing parameter: %s')" % missing)
            body = h.get('/xend/domain/g').body
            self.assertEqual(body.endswith(b")''"), trailing)
            node = h.get('/xend/node').body.decode()
            if fmt is None:
                self.assertNotIn('xend_config_format', node)
            else:
                self.assertTrue(node.endswith('(xend_config_format %d))' % fmt), node[-40:])
            r = h.post('/xend/domain/0', 'op=pause')
            self.assertEqual(r.status, sync_status)
            self.assertEqual(r.body, b"(xend.err 'Cannot pause privileged domain 0')")
            r = h.post('/xend/domain/406', '')
            self.assertEqual(r.status, 404)
            r = h.post('/xend/domain/g', 'x=1')
            self.assertEqual(r.body, b"''" if trailing else b'')
            full = 'op=migrate&destination=%s&live=0&port=0&node=-1&ssl=0&' \
                   'change_home_server=0&resource=0' % h.address
            r = h.post('/xend/domain/p', full)
            if paused_ok:
                self.assertIn(b"can't connect", r.body)
            else:
                self.assertEqual(r.body, b"(xend.err 'Domain is not running')")
            return h.get('/xend/domain').body, node
        finally:
            h.stop()

    def test_300(self):
        names, node = self.check('3.0.0', 'resource', False, None, 200, True)
        self.assertEqual(names, b'(Domain-0 g p)')         # no state filter before 3.1
        self.assertIn('(sockets_per_node 1)', node)
        self.assertNotIn('xen_scheduler', node)

    def test_302(self):
        names, node = self.check('3.0.2', 'resource', False, 4, 500, True)
        self.assertEqual(names, b'(Domain-0 g)')
        self.assertIn('(node_to_cpu node0:0-3)', node)

    def test_302_exact(self):
        self.check('3.0.2', 'resource', False, None, 200, True,
                   extra=['--config-format', 'absent', '--sync-error-status', '200'])

    def test_33(self):
        _, node = self.check('3.3', 'port', False, 4, 500, False)
        self.assertIn("(virt_caps 'hvm hvm_directio')", node)

    def test_40(self):
        _, node = self.check('4.0', 'port', False, 4, 500, False)
        self.assertIn('(max_node_id 0)', node)

    def test_41(self):
        _, node = self.check('4.1', 'port', True, 4, 500, False)
        self.assertIn('(free_cpus 0)', node)


if __name__ == '__main__':
    unittest.main()
