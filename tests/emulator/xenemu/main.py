# SPDX-License-Identifier: LGPL-2.1-or-later
"""Start one emulated host; stop cleanly on SIGTERM/SIGINT."""

import json
import logging
import os
import signal
import time
import sys
import threading

from . import config as configmod
from . import control, relocation, xend, xenstore
from .faults import FAULTS, Faults
from .host import Domain, Host
from .net import Listener
from .personality import Personality

log = logging.getLogger('xenemu')

EXIT_CONFIG = 2
EXIT_BIND = 3


class Emulator:
    def __init__(self, cfg):
        self.cfg = cfg
        self.faults = Faults()
        self.pers = Personality(cfg.version, cfg.config_format, cfg.sync_error_status)
        self.host = Host(cfg, self.pers, self.faults)
        for spec in sorted(cfg.domains, key=lambda d: d['domid'] is None):
            self.host.create(Domain.from_spec(spec), introduce=False, domid=spec['domid'])
        self.xend_listeners = []
        self.relocation_listeners = []
        self.others = []
        self._lock = threading.Lock()

    def open(self):
        """Bind every listener; OSError if one cannot be bound."""
        cfg, host = self.cfg, self.host
        if cfg.xenstore_socket:
            self._open(self.others, 'xenstored', cfg.xenstore_socket,
                       xenstore.make_handler(host.store), backlog=64, mode=0o600)
        if cfg.http_port is not None:
            lst = self._open(self.xend_listeners, 'xend-http', (cfg.address, cfg.http_port),
                             xend.XendServer(host).handle)
            cfg.http_port = lst.port
        if cfg.unix_socket:
            self._open(self.xend_listeners, 'xend-unix', cfg.unix_socket,
                       xend.XendServer(host, unix=True).handle)
        if cfg.relocation_server:
            lst = self._open(self.relocation_listeners, 'relocation',
                             (cfg.address, cfg.relocation_port),
                             relocation.RelocationServer(host).handle)
            cfg.relocation_port = lst.port
        if cfg.ssl_relocation_server:
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cfg.ssl_cert, cfg.ssl_key)
            lst = self._open(self.relocation_listeners, 'relocation-ssl',
                             (cfg.address, cfg.ssl_port),
                             relocation.RelocationServer(host, ctx).handle)
            cfg.ssl_port = lst.port
        if cfg.control_port is not None:
            lst = self._open(self.others, 'control', (cfg.address, cfg.control_port),
                             control.make_handler(host), backlog=16)
            cfg.control_port = lst.port
        for spec in cfg.faults:
            self.faults.set_spec(spec)
        self.faults.on_change(self._apply_faults)
        self._apply_faults()

    def _open(self, group, name, address, handler, backlog=5, mode=None):
        lst = Listener(name, address, handler, backlog, mode)
        lst.open()
        group.append(lst)
        return lst

    def _apply_faults(self):
        """relocation-off and xend-down close listeners; clearing them reopens."""
        with self._lock:
            for group, fault in ((self.relocation_listeners, 'relocation-off'),
                                 (self.xend_listeners, 'xend-down')):
                down = bool(self.faults.get(fault))
                for lst in group:
                    if down and lst.is_open:
                        lst.close(connections=False)
                    elif not down and not lst.is_open:
                        try:
                            lst.open()
                        except OSError as e:
                            log.error('cannot reopen %s: %s', lst.name, e)

    def ready_info(self):
        cfg = self.cfg
        return {
            'name': cfg.name, 'address': cfg.address, 'pid': os.getpid(),
            'version': cfg.version, 'http_port': cfg.http_port, 'unix_socket': cfg.unix_socket,
            'relocation_port': cfg.relocation_port if cfg.relocation_server else None,
            'ssl_port': cfg.ssl_port if cfg.ssl_relocation_server else None,
            'control_port': cfg.control_port, 'xenstore_socket': cfg.xenstore_socket,
            'xend_config': cfg.xend_config,
        }

    def close(self):
        listeners = self.xend_listeners + self.relocation_listeners + self.others
        for lst in listeners:
            lst.stop()
        for lst in listeners:
            lst.close()
        with self.host.lock:
            hung, self.host.hung = self.host.hung, []
        for sock in hung:
            try:
                sock.close()
            except OSError:
                pass


def _write_atomic(path, text):
    tmp = '%s.tmp.%d' % (path, os.getpid())
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


def _setup_logging(cfg):
    handler = logging.FileHandler(cfg.log_file) if cfg.log_file else logging.StreamHandler()
    handler.setFormatter(logging.Formatter(
        '%(asctime)s ' + cfg.name + ' %(name)s %(levelname)s %(message)s'))
    root = logging.getLogger('xenemu')
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if cfg.verbose else logging.INFO)


def main(argv=None):
    try:
        cfg, args = configmod.load(sys.argv[1:] if argv is None else argv)
    except configmod.ConfigError as e:
        print('xenhost: %s' % e, file=sys.stderr)
        return EXIT_CONFIG
    if cfg is None:
        for name, (kind, text) in sorted(FAULTS.items()):
            value = '' if kind is None else '=' + (
                '|'.join(kind) if isinstance(kind, tuple) else
                {'offset': 'OFFSET', 'stall': 'OFFSET:SECONDS', 'bytes': 'BYTES',
                 'seconds': 'SECONDS'}[kind])
            print('%-32s %s' % (name + value, text))
        return 0
    _setup_logging(cfg)
    if cfg.ready_file and os.path.exists(cfg.ready_file):
        os.unlink(cfg.ready_file)

    # A signal handler only appends to a list: Event.set() there can
    # deadlock on the lock that the interrupted Event.wait() holds.
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))

    emu = Emulator(cfg)
    try:
        emu.open()
    except (OSError, ValueError) as e:
        log.error('cannot start: %s', e)
        print('xenhost: cannot start %s: %s' % (cfg.name, e), file=sys.stderr)
        emu.close()
        return EXIT_BIND
    if cfg.xend_config:
        _write_atomic(cfg.xend_config, cfg.xend_config_text())
    info = emu.ready_info()
    if cfg.ready_file:
        _write_atomic(cfg.ready_file, json.dumps(info) + '\n')
    print('ready ' + json.dumps(info), flush=True)
    log.info('host %s ready: %s', cfg.name, info)

    while not stopping:
        time.sleep(0.05)
    log.info('host %s stopping', cfg.name)
    emu.close()
    if cfg.ready_file:
        try:
            os.unlink(cfg.ready_file)
        except OSError:
            pass
    return 0
