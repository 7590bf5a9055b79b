# SPDX-License-Identifier: LGPL-2.1-or-later
"""Listening sockets: one thread per connection, clean close (reference §1.2, §4.1)."""

import logging
import os
import select
import socket
import threading

log = logging.getLogger('xenemu.net')

KEEP_OPEN = object()     # a handler returns this to leave its socket open
MAX_CONNECTIONS = 256    # per listener; more are closed at once


class Listener:
    """A TCP (ip, port) or Unix (path) listener calling handler(sock, peer) per connection."""

    def __init__(self, name, address, handler, backlog=5, mode=None):
        self.name = name
        self.mode = mode
        self.address = address
        self.handler = handler
        self.backlog = backlog
        self.sock = None
        self.port = None
        self._stop = threading.Event()
        self._thread = None
        self._conns = set()
        self._lock = threading.Lock()

    @property
    def is_unix(self):
        return isinstance(self.address, str)

    def open(self):
        """Bind and listen now (so a failure is reported at once), then serve."""
        if self.is_unix:
            parent = os.path.dirname(self.address)
            if parent and not os.path.isdir(parent):
                os.makedirs(parent, 0o700)
            if os.path.exists(self.address):
                os.unlink(self.address)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(self.address)
            if self.is_unix and self.mode is not None:
                os.chmod(self.address, self.mode)
            sock.listen(self.backlog)
        except OSError:
            sock.close()
            raise
        self.sock = sock
        self.port = None if self.is_unix else sock.getsockname()[1]
        self._stop.clear()
        self._thread = threading.Thread(target=self._accept_loop, name=self.name, daemon=True)
        self._thread.start()

    @property
    def is_open(self):
        return self.sock is not None

    def _accept_loop(self):
        sock = self.sock
        try:
            while not self._stop.is_set():
                try:
                    ready, _, _ = select.select([sock], [], [], 0.05)
                    if not ready:
                        continue
                    conn, peer = sock.accept()
                except OSError as e:
                    if self._stop.is_set():
                        break
                    log.warning('%s: accept failed: %s', self.name, e)
                    continue
                with self._lock:
                    if len(self._conns) >= MAX_CONNECTIONS:
                        log.warning('%s: too many connections, closing one', self.name)
                        _close(conn)
                        continue
                    self._conns.add(conn)
                threading.Thread(target=self._serve, args=(conn, peer),
                                 name='%s-conn' % self.name, daemon=True).start()
        finally:
            sock.close()

    def _serve(self, conn, peer):
        keep = None
        try:
            keep = self.handler(conn, peer)
        except Exception:
            log.exception('%s: handler failed', self.name)
        finally:
            if keep is not KEEP_OPEN:
                with self._lock:
                    self._conns.discard(conn)
                _close(conn)

    def stop(self):
        """Ask the accept loop to end (close() waits for it)."""
        self._stop.set()

    def close(self, connections=True):
        """Stop listening; with connections, also close every open connection."""
        if self.sock is not None:
            self._stop.set()
            if self._thread is not threading.current_thread():
                self._thread.join(2)
            self.sock = None
            if self.is_unix:
                try:
                    os.unlink(self.address)
                except OSError:
                    pass
        if connections:
            with self._lock:
                conns, self._conns = list(self._conns), set()
            for conn in conns:
                _close(conn)


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class Reader:
    """Buffered, bounded reads from a socket."""

    def __init__(self, sock, chunk=65536):
        self.sock = sock
        self.buf = bytearray()
        self.chunk = chunk

    def _fill(self):
        data = self.sock.recv(self.chunk)
        if not data:
            return False
        self.buf += data
        return True

    def readline(self, limit):
        """A line with its newline; b'' at EOF; raises ValueError over limit."""
        while True:
            i = self.buf.find(b'\n')
            if i >= 0:
                if i + 1 > limit:
                    raise ValueError('line too long')
                line = bytes(self.buf[:i + 1])
                del self.buf[:i + 1]
                return line
            if len(self.buf) > limit:
                raise ValueError('line too long')
            if not self._fill():
                line = bytes(self.buf)
                self.buf.clear()
                return line

    def read_exact(self, n):
        """n bytes, or fewer at EOF."""
        while len(self.buf) < n:
            if not self._fill():
                break
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def take(self):
        data = bytes(self.buf)
        self.buf.clear()
        return data
