# SPDX-License-Identifier: LGPL-2.1-or-later
"""xenstored: the store and its Unix-socket wire protocol (reference §6.2 - §6.5)."""

import copy
import logging
import queue
import re
import socket
import struct
import threading

log = logging.getLogger('xenemu.xenstore')

HEADER = struct.Struct('=IIII')     # type, req_id, tx_id, len; host byte order
PAYLOAD_MAX = 4096
MAX_WATCHES = 128                   # per connection
MAX_TRANSACTIONS = 16               # per connection
MAX_NODES = 50000
MAX_QUEUED = 4096                   # messages waiting for a slow client

(DEBUG, DIRECTORY, READ, GET_PERMS, WATCH, UNWATCH, TRANSACTION_START,
 TRANSACTION_END, INTRODUCE, RELEASE, GET_DOMAIN_PATH, WRITE, MKDIR, RM,
 SET_PERMS, WATCH_EVENT, ERROR, IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET,
 RESTRICT, RESET_WATCHES) = range(22)

SPECIAL = ('@introduceDomain', '@releaseDomain')
_PATH_CHARS = re.compile(r'^[A-Za-z0-9\-/_@]*$')
_PERM = re.compile(r'^[wrbn]\d+$')


class XsError(Exception):
    """A failed request; the argument is the errno name sent on the wire."""


def check_path(path, special_ok=False):
    if special_ok and path in SPECIAL:
        return
    if (not path.startswith('/') or not _PATH_CHARS.match(path) or '//' in path
            or (path.endswith('/') and path != '/') or len(path) > 3072):
        raise XsError('EINVAL')


class Node:
    __slots__ = ('value', 'perms', 'children')

    def __init__(self, value=b'', perms=None):
        self.value = value
        self.perms = list(perms or ['n0'])
        self.children = {}


def _parts(path):
    return [p for p in path.split('/') if p]


def _count(node):
    return 1 + sum(_count(c) for c in node.children.values())


class _Tree:
    """The node tree with the change list one operation produces."""

    def __init__(self, root):
        self.root = root

    def find(self, path):
        node = self.root
        for part in _parts(path):
            node = node.children.get(part)
            if node is None:
                return None
        return node

    def get(self, path):
        node = self.find(path)
        if node is None:
            raise XsError('ENOENT')
        return node

    def create(self, path):
        """The node at path, created with its parents; returns (node, created)."""
        node = self.root
        created = False
        for part in _parts(path):
            nxt = node.children.get(part)
            if nxt is None:
                nxt = Node(perms=node.perms)
                node.children[part] = nxt
                created = True
            node = nxt
        return node, created

    def remove(self, path):
        parts = _parts(path)
        if not parts:
            raise XsError('EINVAL')
        parent = self.find('/' + '/'.join(parts[:-1]))
        if parent is None:
            raise XsError('ENOENT')
        return parent.children.pop(parts[-1], None) is not None


class Watch:
    __slots__ = ('conn', 'path', 'token')

    def __init__(self, conn, path, token):
        self.conn, self.path, self.token = conn, path, token


class Transaction:
    def __init__(self, tid, conn, root, generation):
        self.id = tid
        self.conn = conn
        self.tree = _Tree(root)
        self.generation = generation
        self.changes = []       # (path, recursive) to fire on commit


class Store:
    """The whole store.  Paths are str, values bytes.  Thread-safe."""

    def __init__(self):
        self._lock = threading.RLock()
        self._tree = _Tree(Node())
        self._generation = 0
        self._watches = []
        self._txns = {}
        self._next_tid = 1
        self.domain_exists = lambda domid: self._tree.find('/local/domain/%d' % domid) is not None

    # ---- operations (tid 0 = no transaction); each returns events to send

    def _tree_for(self, tid):
        if not tid:
            return self._tree, None
        txn = self._txns.get(tid)
        if txn is None:
            raise XsError('ENOENT')
        return txn.tree, txn

    def _changed(self, txn, path, recursive=False):
        if txn is not None:
            txn.changes.append((path, recursive))
            return []
        self._generation += 1
        return self._matching(path, recursive)

    def _matching(self, path, recursive):
        events = []
        for w in self._watches:
            if path in SPECIAL or w.path in SPECIAL:
                if w.path == path:
                    events.append((w, path))
            elif w.path == path or w.path == '/' or path.startswith(w.path + '/'):
                events.append((w, path))            # a change at or below the watch
            elif recursive and w.path.startswith(path.rstrip('/') + '/'):
                events.append((w, w.path))          # a parent was removed
        return events

    def read(self, path, tid=0):
        with self._lock:
            tree, _ = self._tree_for(tid)
            return tree.get(path).value

    def directory(self, path, tid=0):
        with self._lock:
            tree, _ = self._tree_for(tid)
            return sorted(tree.get(path).children)

    def get_perms(self, path, tid=0):
        with self._lock:
            tree, _ = self._tree_for(tid)
            return list(tree.get(path).perms)

    def write(self, path, value, tid=0):
        with self._lock:
            tree, txn = self._tree_for(tid)
            self._check_room(tree, path)
            node, _ = tree.create(path)
            node.value = value
            return self._changed(txn, path)

    def mkdir(self, path, tid=0):
        with self._lock:
            tree, txn = self._tree_for(tid)
            self._check_room(tree, path)
            _, created = tree.create(path)
            return self._changed(txn, path) if created else []

    def rm(self, path, tid=0):
        with self._lock:
            tree, txn = self._tree_for(tid)
            if not tree.remove(path):
                return []
            return self._changed(txn, path, recursive=True)

    def set_perms(self, path, perms, tid=0):
        with self._lock:
            tree, txn = self._tree_for(tid)
            tree.get(path).perms = list(perms)
            return self._changed(txn, path)

    def _check_room(self, tree, path):
        if tree.find(path) is None and _count(tree.root) >= MAX_NODES:
            raise XsError('ENOSPC')

    def fire(self, special):
        """@introduceDomain or @releaseDomain."""
        with self._lock:
            return self._matching(special, False)

    # ---- watches and transactions

    def watch(self, conn, path, token):
        with self._lock:
            if any(w.conn is conn and w.path == path and w.token == token for w in self._watches):
                raise XsError('EEXIST')
            if sum(1 for w in self._watches if w.conn is conn) >= MAX_WATCHES:
                raise XsError('E2BIG')
            w = Watch(conn, path, token)
            self._watches.append(w)
            log.info('xenstore: watch %s (token %r)', path, token)
            return [(w, path)]

    def unwatch(self, conn, path, token):
        with self._lock:
            for w in self._watches:
                if w.conn is conn and w.path == path and w.token == token:
                    self._watches.remove(w)
                    return
            raise XsError('ENOENT')

    def transaction_start(self, conn):
        with self._lock:
            if sum(1 for t in self._txns.values() if t.conn is conn) >= MAX_TRANSACTIONS:
                raise XsError('ENOSPC')
            tid = self._next_tid
            self._next_tid += 1
            self._txns[tid] = Transaction(tid, conn, copy.deepcopy(self._tree.root),
                                          self._generation)
            return tid

    def transaction_end(self, conn, tid, commit):
        with self._lock:
            txn = self._txns.get(tid)
            if txn is None or txn.conn is not conn:
                raise XsError('ENOENT')
            del self._txns[tid]
            if not commit:
                return []
            if txn.generation != self._generation:
                raise XsError('EAGAIN')
            if not txn.changes:
                return []
            self._tree = txn.tree
            self._generation += 1
            events = []
            for path, recursive in txn.changes:
                events += self._matching(path, recursive)
            return events

    def forget(self, conn):
        """A connection went away: drop its watches and transactions."""
        with self._lock:
            self._watches = [w for w in self._watches if w.conn is not conn]
            for tid in [t for t, txn in self._txns.items() if txn.conn is conn]:
                del self._txns[tid]

    # ---- helpers for the host (no transaction, events sent at once)

    def h_write(self, path, value):
        deliver(self.write(path, value if isinstance(value, bytes) else str(value).encode()))

    def h_rm(self, path):
        deliver(self.rm(path))

    def h_fire(self, special):
        deliver(self.fire(special))

    def h_read(self, path, default=None):
        try:
            return self.read(path).decode('latin-1')
        except XsError:
            return default

    def h_exists(self, path):
        with self._lock:
            return self._tree.find(path) is not None

    def h_set_perms(self, path, perms):
        deliver(self.set_perms(path, perms))

    def dump(self, path='/'):
        """{path: value} of a subtree, for the control endpoint."""
        out = {}
        with self._lock:
            node = self._tree.find(path)

            def walk(p, n):
                out[p] = n.value.decode('latin-1')
                for name in sorted(n.children):
                    walk((p.rstrip('/') + '/' + name), n.children[name])
            if node is not None:
                walk(path, node)
        return out


def deliver(events):
    for watch, path in events:
        watch.conn.send_event(path, watch.token)


# ---------------------------------------------------------------- the wire

class Connection:
    """One client of the Unix socket.  Replies and events leave through one
    queue and a writer thread, so a client that stops reading never blocks
    the host; one that falls MAX_QUEUED messages behind is dropped."""

    def __init__(self, sock, store):
        self.sock = sock
        self.store = store
        self._out = queue.Queue(MAX_QUEUED)
        self.alive = True
        threading.Thread(target=self._writer, daemon=True, name='xenstore-writer').start()

    def _writer(self):
        while True:
            msg = self._out.get()
            if msg is None:
                return
            try:
                self.sock.sendall(msg)
            except OSError:
                self._drop()
                return

    def _drop(self):
        self.alive = False
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send(self, mtype, req_id, tx_id, payload):
        if not self.alive:
            return
        try:
            self._out.put_nowait(HEADER.pack(mtype, req_id, tx_id, len(payload)) + payload)
        except queue.Full:
            log.info('xenstore: client too slow, dropping it')
            self._drop()

    def send_event(self, path, token):
        self.send(WATCH_EVENT, 0, 0, path.encode('latin-1') + b'\0' + token + b'\0')

    def serve(self):
        try:
            while True:
                header = self._recv(HEADER.size)
                if header is None:
                    return
                mtype, req_id, tx_id, length = HEADER.unpack(header)
                if length > PAYLOAD_MAX:
                    log.info('xenstore: payload of %d bytes, dropping the connection', length)
                    return
                payload = self._recv(length) if length else b''
                if payload is None:
                    return
                try:
                    reply, events = self._dispatch(mtype, tx_id, payload)
                    self.send(mtype, req_id, tx_id, reply)
                except XsError as e:
                    events = []
                    self.send(ERROR, req_id, tx_id, e.args[0].encode() + b'\0')
                deliver(events)
        finally:
            self.alive = False
            self.store.forget(self)
            try:
                self._out.put_nowait(None)
            except queue.Full:
                pass

    def _recv(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def _dispatch(self, mtype, tid, payload):
        st = self.store
        handler = _SINGLE.get(mtype)
        if handler is not None:
            if not payload.endswith(b'\0') or payload.count(b'\0') != 1:
                raise XsError('EINVAL')
            return handler(self, tid, payload[:-1].decode('latin-1'))
        if mtype == WRITE:
            path, sep, value = payload.partition(b'\0')
            if not sep:
                raise XsError('EINVAL')
            path = path.decode('latin-1')
            check_path(path)
            return b'OK\0', st.write(path, value, tid)
        if mtype in (WATCH, UNWATCH):
            args = payload.split(b'\0')
            if len(args) != 3 or args[2] != b'':
                raise XsError('EINVAL')
            path = args[0].decode('latin-1')
            check_path(path, special_ok=True)
            if mtype == WATCH:
                return b'OK\0', st.watch(self, path, args[1])
            st.unwatch(self, path, args[1])
            return b'OK\0', []
        if mtype == SET_PERMS:
            args = payload.split(b'\0')
            if len(args) < 3 or args[-1] != b'':
                raise XsError('EINVAL')
            path = args[0].decode('latin-1')
            check_path(path)
            perms = [a.decode('latin-1') for a in args[1:-1]]
            if not all(_PERM.match(p) for p in perms):
                raise XsError('EINVAL')
            return b'OK\0', st.set_perms(path, perms, tid)
        if mtype == INTRODUCE:
            args = payload.split(b'\0')
            if len(args) < 3:
                raise XsError('EINVAL')
            return b'OK\0', st.fire('@introduceDomain')
        if mtype == SET_TARGET:
            return b'OK\0', []
        if mtype == RESET_WATCHES:
            st.forget(self)
            return b'OK\0', []
        raise XsError('EINVAL' if mtype > RESET_WATCHES else 'ENOSYS')


def _path_arg(path):
    check_path(path)
    return path


def _domid_arg(text):
    if not text.isdigit() or len(text) > 5:
        raise XsError('EINVAL')
    return int(text)


def _op_read(conn, tid, arg):
    return conn.store.read(_path_arg(arg), tid), []


def _op_directory(conn, tid, arg):
    names = conn.store.directory(_path_arg(arg), tid)
    return b''.join(n.encode('latin-1') + b'\0' for n in names), []


def _op_get_perms(conn, tid, arg):
    perms = conn.store.get_perms(_path_arg(arg), tid)
    return b''.join(p.encode() + b'\0' for p in perms), []


def _op_mkdir(conn, tid, arg):
    return b'OK\0', conn.store.mkdir(_path_arg(arg), tid)


def _op_rm(conn, tid, arg):
    return b'OK\0', conn.store.rm(_path_arg(arg), tid)


def _op_transaction_start(conn, tid, arg):
    if tid:
        raise XsError('EBUSY')
    if arg:
        raise XsError('EINVAL')
    return b'%d\0' % conn.store.transaction_start(conn), []


def _op_transaction_end(conn, tid, arg):
    if arg not in ('T', 'F'):
        raise XsError('EINVAL')
    return b'OK\0', conn.store.transaction_end(conn, tid, arg == 'T')


def _op_get_domain_path(conn, tid, arg):
    return b'/local/domain/%d\0' % _domid_arg(arg), []


def _op_is_domain_introduced(conn, tid, arg):
    return (b'T\0' if conn.store.domain_exists(_domid_arg(arg)) else b'F\0'), []


def _op_release(conn, tid, arg):
    _domid_arg(arg)
    return b'OK\0', conn.store.fire('@releaseDomain')


def _op_resume(conn, tid, arg):
    _domid_arg(arg)
    return b'OK\0', []


_SINGLE = {
    READ: _op_read,
    DIRECTORY: _op_directory,
    GET_PERMS: _op_get_perms,
    MKDIR: _op_mkdir,
    RM: _op_rm,
    TRANSACTION_START: _op_transaction_start,
    TRANSACTION_END: _op_transaction_end,
    GET_DOMAIN_PATH: _op_get_domain_path,
    IS_DOMAIN_INTRODUCED: _op_is_domain_introduced,
    RELEASE: _op_release,
    RESUME: _op_resume,
}


def make_handler(store):
    def handle(sock, peer):
        Connection(sock, store).serve()
    return handle
