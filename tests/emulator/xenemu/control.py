# SPDX-License-Identifier: LGPL-2.1-or-later
"""The control endpoint: JSON over HTTP for tests and benchmarks; not part of xend's API."""

import json
import logging
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from .config import ConfigError, parse_domain
from .host import Domain

log = logging.getLogger('xenemu.control')

MAX_BODY = 65536
SETTINGS = ('link_rate', 'handshake_timeout', 'stream_timeout', 'pickup_timeout',
            'max_rounds', 'restore_delay', 'hang_close')


class _Server:
    """What BaseHTTPRequestHandler needs of a server."""
    server_name = 'xenhost-control'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'
    server_version = 'xenhost-control'
    timeout = 30
    host = None                 # set by make_handler

    def log_message(self, fmt, *args):
        log.debug('control: ' + fmt, *args)

    def _reply(self, status, value):
        body = (json.dumps(value, indent=1, sort_keys=True) + '\n').encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        try:
            n = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            n = -1
        if not 0 <= n <= MAX_BODY:
            raise ValueError('body length must be 0..%d' % MAX_BODY)
        data = self.rfile.read(n) if n else b'{}'
        value = json.loads(data.decode('utf-8'))
        if not isinstance(value, dict):
            raise ValueError('body must be a JSON object')
        return value

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        host = self.host
        if url.path == '/state':
            self._reply(200, host.snapshot())
        elif url.path == '/stats':
            with host.lock:
                records = [dict(r) for r in host.records]
            role = query.get('role', [None])[0]
            if role:
                records = [r for r in records if r['role'] == role]
            self._reply(200, {'host': host.cfg.name, 'migrations': records})
        elif url.path == '/faults':
            self._reply(200, host.faults.as_dict())
        elif url.path == '/xenstore':
            self._reply(200, host.store.dump(query.get('path', ['/'])[0]))
        else:
            self._reply(404, {'error': 'no such resource %s' % url.path})

    def do_POST(self):
        try:
            body = self._body()
            path = urlsplit(self.path).path
            if path == '/fault':
                self._fault(body)
                self._reply(200, self.host.faults.as_dict())
            elif path == '/domain':
                self._reply(200, self._domain(body))
            elif path == '/settings':
                self._reply(200, self._settings(body))
            else:
                self._reply(404, {'error': 'no such resource %s' % path})
        except (ValueError, ConfigError, KeyError, TypeError) as e:
            self._reply(400, {'error': str(e)})

    def _fault(self, body):
        faults = self.host.faults
        clear = body.get('clear')
        if clear is True:
            faults.clear()
        elif isinstance(clear, str):
            faults.clear(clear)
        if 'name' in body:
            faults.set(body['name'], body.get('value'))

    def _domain(self, body):
        spec = parse_domain(body)
        host = self.host
        dom = Domain.from_spec(spec)
        with host.lock:
            if host.by_name_or_uuid(dom.name, dom.uuid):
                raise ValueError('a domain with that name or uuid exists')
            if dom.memory > host.free_memory():
                raise ValueError('not enough free memory')
            host.create(dom, domid=spec['domid'])
        return dom.to_json()

    def _settings(self, body):
        cfg = self.host.cfg
        for key, value in body.items():
            if key not in SETTINGS:
                raise ValueError('unknown setting %r (one of %s)' % (key, ', '.join(SETTINGS)))
            old = getattr(cfg, key)
            setattr(cfg, key, type(old)(value))
        return {k: getattr(cfg, k) for k in SETTINGS}


def make_handler(host):
    cls = type('ControlHandler', (_Handler,), {'host': host})
    server = _Server()

    def handle(sock, peer):
        cls(sock, peer, server)
    return handle
