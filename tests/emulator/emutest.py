# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers for the emulator's own tests: start hosts, talk raw HTTP, read fixtures."""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
XENHOST = os.path.join(HERE, 'xenhost')
WITH_HOSTS = os.path.join(HERE, 'with-hosts')
DATA = os.path.normpath(os.path.join(HERE, '..', 'data', 'emulator'))

sys.path.insert(0, HERE)
sys.dont_write_bytecode = True


def fixture(*parts, text=False):
    with open(os.path.join(DATA, *parts), 'rb') as f:
        data = f.read()
    return data.decode('latin-1') if text else data


def fixture_json(*parts):
    with open(os.path.join(DATA, *parts)) as f:
        return json.load(f)


_used = set()


def free_address():
    """A 127.x.y.z no other test run is likely to use (default ports free on it)."""
    rng = random.Random()
    while True:
        addr = '127.%d.%d.%d' % (rng.randrange(100, 200), rng.randrange(256), rng.randrange(2, 250))
        if addr in _used:
            continue
        _used.add(addr)
        return addr


class Host:
    """One xenhost process."""

    def __init__(self, name='h1', args=(), domains=(), faults=(), address=None, prefix=(),
                 xenstore=True, unix=True, link_rate=0, wait=True):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix='xe-')
        self.address = address or free_address()
        self.proc = None
        cmd = list(prefix) + [sys.executable, XENHOST, '--name', name, '--address', self.address,
                              '--ready-file', self.path('ready'), '--link-rate', str(link_rate),
                              '--log-file', self.path('log'), '--handshake-timeout', '5',
                              '--pickup-timeout', '1']
        if unix:
            cmd += ['--unix-socket', self.path('xend-socket')]
        if xenstore:
            cmd += ['--xenstore-socket', self.path('xenstored')]
        for d in domains:
            cmd += ['--domain', d]
        for f in faults:
            cmd += ['--fault', f]
        self.cmd = cmd + list(args)
        self.info = None
        if wait:
            self.start()

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self):
        t0 = time.monotonic()
        try:
            with open(self.path('stderr'), 'w') as err:
                self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=err,
                                             stdin=subprocess.DEVNULL, text=True)
            line = self.proc.stdout.readline()
            self.startup_s = time.monotonic() - t0
            if not line.startswith('ready '):
                self.proc.wait(5)
                with open(self.path('stderr')) as f:
                    raise RuntimeError('xenhost %s did not start: %r %s'
                                       % (self.name, line, f.read()))
            self.info = json.loads(line[6:])
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def http_port(self):
        return self.info['http_port']

    @property
    def relocation_port(self):
        return self.info['relocation_port']

    @property
    def unix_socket(self):
        return self.info['unix_socket']

    @property
    def xenstore_socket(self):
        return self.info['xenstore_socket']

    def stop(self):
        """SIGTERM; returns the exit status."""
        if self.proc is None:
            shutil.rmtree(self.dir, ignore_errors=True)
            return None
        rc = self.proc.poll()
        if rc is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
        self.proc.stdout.close()
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
        return rc

    # ---- talking to it

    def control(self, path, body=None):
        url = 'http://%s:%d%s' % (self.address, self.info['control_port'], path)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method='POST' if data else 'GET')
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def fault(self, name, value=None):
        return self.control('/fault', {'name': name, 'value': value})

    def clear_faults(self):
        return self.control('/fault', {'clear': True})

    def state(self):
        return self.control('/state')

    def domain(self, name):
        for d in self.state()['domains']:
            if d['name'] == name:
                return d
        return None

    def stats(self, role=None):
        return self.control('/stats' + ('?role=' + role if role else ''))['migrations']

    def http(self, request, timeout=30, unix=False):
        """Send raw bytes to xend; returns everything until the server closes."""
        if unix:
            sock = socket.socket(socket.AF_UNIX)
            target = self.unix_socket
        else:
            sock = socket.socket()
            target = (self.address, self.http_port)
        sock.settimeout(timeout)
        with sock:
            sock.connect(target)
            try:
                sock.sendall(request if isinstance(request, bytes) else request.encode('latin-1'))
            except (BrokenPipeError, ConnectionResetError):
                pass            # xend answered (400, 413) and dropped the rest: read it
            return recv_all(sock)

    def get(self, path, headers=(), **kw):
        lines = ['GET %s HTTP/1.1' % path, 'Host: localhost:8000'] + list(headers)
        return parse_reply(self.http('\r\n'.join(lines) + '\r\n\r\n', **kw))

    def post(self, path, body, headers=None, **kw):
        if headers is None:
            headers = ['Content-Type: application/x-www-form-urlencoded']
        body = body.encode('latin-1') if isinstance(body, str) else body
        lines = ['POST %s HTTP/1.1' % path, 'Host: localhost:8000'] + list(headers) + \
                ['Content-Length: %d' % len(body)]
        return parse_reply(self.http(('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + body,
                                     **kw))

    def migrate(self, dom, dst, live=1, port=0, ssl=0, timeout=60, **extra):
        form = {'op': 'migrate', 'destination': dst, 'live': live, 'port': port, 'node': -1,
                'ssl': ssl, 'change_home_server': 0, 'resource': 0}
        form.update(extra)
        body = '&'.join('%s=%s' % kv for kv in form.items())
        return self.post('/xend/domain/' + dom, body, timeout=timeout)


def recv_all(sock):
    """Everything until EOF; a reset after some data (xend's 413) ends it too."""
    chunks = []
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            if chunks:
                return b''.join(chunks)
            raise
        if not data:
            return b''.join(chunks)
        chunks.append(data)


class Reply:
    def __init__(self, status_line, headers, body):
        self.status_line = status_line
        self.headers = headers          # [(name as sent, value)]
        self.body = body

    @property
    def status(self):
        return int(self.status_line.split()[1])

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    @property
    def names(self):
        return sorted(k for k, _ in self.headers)

    def __repr__(self):
        return 'Reply(%r, %r, %r)' % (self.status_line, self.headers, self.body[:200])


def parse_reply(data, check_length=True):
    head, sep, body = data.partition(b'\r\n\r\n')
    if not sep:
        raise AssertionError('no header end in %r' % data[:200])
    lines = head.decode('latin-1').split('\r\n')
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(': ')
        headers.append((name, value))
    reply = Reply(lines[0], headers, body)
    length = reply.header('Content-length')
    if check_length and length is not None and int(length) != len(body):
        raise AssertionError('Content-length %s but %d body bytes' % (length, len(body)))
    return reply


def wait_for(predicate, timeout=10, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError('condition not met in %.1f s' % timeout)


class HostTestCase(unittest.TestCase):
    """Stops every host a test started."""

    def setUp(self):
        self.hosts = []

    def tearDown(self):
        for h in self.hosts:
            h.stop()

    def host(self, *args, **kw):
        h = Host(*args, **kw)
        self.hosts.append(h)
        return h
