# SPDX-License-Identifier: LGPL-2.1-or-later
"""Migration: the source side of op=migrate and the relocation server (reference §3.6, §4).

The image after the config SXP is the emulator's own stand-in for xc_save's
format (reference §4.3 lets it be opaque); see README.md, "Image format".
"""

import errno
import json
import logging
import re
import select
import socket
import struct
import time

from .errors import Unhandled, XendError
from .host import MIB, PAGE, Domain
from .sxp import NeedMore, ParseError, child, child_value, parse_one, py2_int, show

log = logging.getLogger('xenemu.relocation')

SIGNATURE = b'LinuxGuestRecord'
QEMU_SIGNATURE = b'QemuDeviceModelRecord'
QEMU_RECORD = 64 * 1024
MAX_QEMU = 64 << 20         # bytes of qemu record the destination accepts
ERR_TYPE = "<class 'xen.xend.XendError.XendError'>"
BATCH = 64                  # pages per batch the source writes
MAX_BATCH = 1024            # pages per batch the destination accepts
MAX_CONFIG = 1 << 20        # bytes of config SXP the destination accepts
MAX_TAIL = 1 << 16
MAX_REQUEST = 1 << 20       # emulator bound: bytes of one relocation request (xend: none)
PARSE_ERR_TYPE = "<class 'xen.xend.sxp.ParseError'>"
_ATOM_CHARS = re.compile(r'[!$-&*-~]*\Z')      # printable, no blank ( ) " ' #
LAST_ROUND_PAGES = 50       # xc_domain_save: stop pre-copy below this dirty count
MAX_FACTOR = 3              # ... or once it sent this many times the memory
DRAIN_SECONDS = 10
_PICKUP = re.compile(r"^\(err\s\(type\s(.+)\)\s\(value\s'(.+)'\)\)")
_PAGES = bytes(BATCH * PAGE)


def sxp_line(value):
    return (show(value) + '\n').encode('latin-1')


def err_line(message):
    return sxp_line(['err', ['type', ERR_TYPE], ['value', message]])


# ================================================================ source

class _Cut(Exception):
    """source-drop: the source cut its own stream."""


class Sender:
    """Writes the stream: paced by the link rate, with the source-side faults."""

    def __init__(self, sock, host, rec, memory_bytes):
        self.sock = sock
        self.rec = rec
        self.timeout = host.cfg.stream_timeout
        mbit = host.cfg.link_rate
        self.rate = mbit * 1e6 / 8 if mbit > 0 else None
        self.sent = 0
        self.t0 = time.monotonic()
        self.replies = b''
        drop = host.faults.get('source-drop')
        self.drop_at = drop.resolve(memory_bytes) if drop else None
        stall = host.faults.get('stream-stall')
        self.stall = (stall[0].resolve(memory_bytes), stall[1]) if stall else None

    def send(self, data):
        self._check_peer()
        view = memoryview(data)
        while view:
            n = len(view)
            if self.stall is not None:
                if self.sent >= self.stall[0]:
                    log.info('stream-stall: pausing %.1f s at byte %d', self.stall[1], self.sent)
                    time.sleep(self.stall[1])
                    self.stall = None
                    if self.rate:
                        self.t0 = time.monotonic() - self.sent / self.rate
                    continue
                n = min(n, self.stall[0] - self.sent)
            if self.drop_at is not None:
                if self.sent >= self.drop_at:
                    raise _Cut('source-drop at byte %d' % self.sent)
                n = min(n, self.drop_at - self.sent)
            if self.rate:
                delay = self.t0 + (self.sent + n) / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            self.sock.sendall(view[:n])
            self.sent += n
            self.rec['bytes_sent'] = self.sent
            view = view[n:]

    def _check_peer(self):
        """A destination that answered or closed makes the next write fail, as EPIPE."""
        if not select.select([self.sock], [], [], 0)[0]:
            return
        try:
            self.sock.settimeout(0)
            data = self.sock.recv(1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            if type(e).__name__ in ('SSLWantReadError', 'SSLWantWriteError'):
                return
            raise BrokenPipeError(errno.EPIPE, 'Broken pipe') from e
        finally:
            self.sock.settimeout(self.timeout)
        if not data:
            raise BrokenPipeError(errno.EPIPE, 'Broken pipe')
        i = data.find(b'(err')
        if i >= 0 or self.replies:
            self.replies += data[max(i, 0):]
            raise BrokenPipeError(errno.EPIPE, 'Broken pipe')


def _connect(host, dst, port, use_ssl):
    """Connect and do the handshake under the handshake timeout (c/s 17618)."""
    cfg = host.cfg
    if not 0 <= port <= 65535 or '\0' in dst:
        # Python 2 raises OverflowError / TypeError here, not socket.error (§4.7)
        raise Unhandled('bad address %r:%d' % (dst, port))
    try:
        # Python 2 connects ('', port) to INADDR_ANY, i.e. this host
        infos = socket.getaddrinfo(dst or cfg.address, port, socket.AF_INET, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise XendError("can't connect: %s" % e)
    ip = infos[0][4][0]
    if not (ip.startswith('127.') or ip == '0.0.0.0' or cfg.any_address):
        # the emulator talks to loopback only (unless in a private
        # network namespace: --any-address)
        raise XendError("can't connect: [Errno 101] Network is unreachable")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(cfg.handshake_timeout)
    try:
        if cfg.bind_outgoing:
            sock.bind((cfg.address, 0))
        sock.connect((ip, port))    # else the kernel picks the source (§7b.1)
        if use_ssl:
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(sock)
        sock.sendall(b'sslreceive\n' if use_ssl else b'receive\n')
        sock.recv(80)       # the reply is not checked (reference §4.3)
    except OSError as e:
        sock.close()
        if type(e).__name__.startswith('SSL'):
            raise XendError('SSL error: %s' % e)
        raise XendError("can't connect: %s" % e)
    sock.settimeout(cfg.stream_timeout)
    return sock


def _send_pages(sender, total, start, count):
    """count pages from pfn start, wrapping at total, in batches."""
    pfn = start
    while count > 0:
        n = min(count, BATCH, total - pfn)
        sender.send(struct.pack('<iQ', n, pfn))
        sender.send(_PAGES[:n * PAGE])
        count -= n
        pfn = (pfn + n) % total


def _send_image(sender, host, dom, live, rec):
    """Pre-copy rounds, then the stop-and-copy round; returns the suspend time."""
    cfg = host.cfg
    total = dom.pages
    dirty_pps = dom.dirty * MIB / PAGE
    sender.send(struct.pack('<Q', total))
    rounds = rec['pages_per_round']
    sent_pages = 0
    to_send, start, final = total, 0, not live
    t_down = None
    if final:
        host.suspend(dom)
        t_down = time.monotonic()
    while True:
        t = time.monotonic()
        _send_pages(sender, total, start, to_send)
        rounds.append(to_send)
        rec['rounds'] = len(rounds)
        sent_pages += to_send
        if final:
            break
        dirtied = min(total, int(dirty_pps * (time.monotonic() - t)))
        if (len(rounds) >= cfg.max_rounds or dirtied < LAST_ROUND_PAGES
                or sent_pages > MAX_FACTOR * total):
            host.suspend(dom)
            t_down = time.monotonic()
            final = True
        to_send = dirtied
        start = (start + 7919 * len(rounds)) % total
    sender.send(struct.pack('<i', 0))
    meta = json.dumps({'dirty': dom.dirty, 'vcpus': dom.vcpus}).encode()
    sender.send(struct.pack('<I', len(meta)) + meta)
    if dom.hvm:
        sender.send(QEMU_SIGNATURE + struct.pack('<I', QEMU_RECORD))
        sender.send(bytes(QEMU_RECORD))
    return t_down


def _pickup(host, sender, sock, dst):
    """c/s 20200: read the destination's (err ...) after a failed save."""
    data = sender.replies
    if b'\n' not in data:
        try:
            sock.settimeout(host.cfg.pickup_timeout)
            data += sock.recv(1024 - len(data))
        except OSError:
            pass
    m = _PICKUP.match(data.decode('latin-1'))
    return '%s (from %s)' % (m.group(2), dst) if m else None


def _close(sock):
    try:
        sock.close()
    except OSError:
        pass


def reset(sock):
    """Close at once with a RST, as a dropped connection looks to the peer."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    except OSError:
        pass
    _close(sock)


def close_eof(sock, bound):
    """Close with a FIN and never a RST: shut our side, read and drop what
    the peer sends until it closes (at most BOUND s), then close. A close
    with the peer's bytes unread would be a RST (Linux), whatever came
    first; with none left unread it is not."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(bound)
        while sock.recv(65536):
            pass
    except OSError:
        pass
    _close(sock)


def migrate(host, dom, dst, port, live, use_ssl, node):
    """XendDomain.domain_migrate after the argument checks; blocks until done.

    Raises XendError (a (xend.err ...) reply) or Unhandled (no reply).
    """
    cfg = host.cfg
    if port == 0:
        port = cfg.ssl_port if use_ssl else cfg.relocation_port
    rec = host.new_record('source', domain=dom.name, domid=dom.domid, uuid=dom.uuid,
                          destination=dst, port=port, live=bool(live), ssl=bool(use_ssl),
                          memory=dom.memory, link_rate=cfg.link_rate, bytes_sent=0,
                          rounds=0, pages_per_round=[], downtime_s=None, duration_s=None,
                          error=None)
    t0 = time.monotonic()
    try:
        _migrate(host, dom, dst, port, live, use_ssl, node, rec)
        rec['result'] = 'ok'
    except XendError as e:
        rec['result'], rec['error'] = 'failed', str(e)
        raise
    except Unhandled as e:
        rec['result'], rec['error'] = 'no-reply', str(e)
        raise
    finally:
        rec['duration_s'] = round(time.monotonic() - t0, 6)
        log.info('migration of %s to %s:%d: %s %s', rec['domain'], dst, port,
                 rec['result'], rec['error'] or '')


def _migrate(host, dom, dst, port, live, use_ssl, node, rec):
    pers, faults = host.pers, host.faults
    sock = _connect(host, dst, port, use_ssl)
    name, power = dom.name, dom.power
    config = dom.sxpr(pers)
    if node >= 0:
        at = [i for i, item in enumerate(config) if isinstance(item, list) and item[0] == 'vcpus']
        config.insert(at[0] + 1 if at else len(config), ['node', node])
    config = show(config, pers.empty_quote).encode('latin-1')
    sender = Sender(sock, host, rec, dom.memory * MIB)
    fd = sock.fileno()
    phase = 'header'
    try:
        host.rename(dom, 'migrating-' + name)
        if faults.get('migrate-hang') == 'resumed':
            raise Unhandled('migrate-hang fault')
        sender.send(SIGNATURE)
        sender.send(struct.pack('!i', len(config)))
        sender.send(config)
        phase = 'image'
        t_down = _send_image(sender, host, dom, live, rec)
        rec['downtime_s'] = round(time.monotonic() - t_down, 6)
    except (OSError, _Cut, Unhandled) as e:
        log.info('save of %s failed in the %s: %s', name, phase, e)
        rec['phase'] = phase
        picked = None
        if isinstance(e, _Cut):
            reset(sock)
        elif pers.error_pickup and not isinstance(e, Unhandled):
            picked = _pickup(host, sender, sock, dst)
        _close(sock)
        _resume(host, dom, name, power)
        if picked:
            raise XendError(picked)
        if phase == 'header' or isinstance(e, Unhandled):
            raise Unhandled('%s: %s' % (type(e).__name__, e))
        flags = (1 if live else 0) | (4 if dom.hvm else 0)
        raise XendError('/usr/lib/xen/bin/xc_save %d %d 0 0 %d failed' % (fd, dom.domid, flags))

    if live:
        _close(sock)
    after = faults.get('after-stream')
    if after:
        rec['phase'] = 'after-stream'
        _close(sock)
        _resume(host, dom, name, power)
        if after == 'hang':
            raise Unhandled('after-stream fault')
        raise XendError('after-stream fault: save finished, domain resumed on the source')
    host.destroy(dom)
    dom.name = name
    if not live:
        _close(sock)
    if faults.get('migrate-hang') == 'done':
        raise Unhandled('migrate-hang fault')


def _resume(host, dom, name, power):
    """resumeDomain() and the original name written back (reference §4.5)."""
    host.resume(dom, power)
    host.rename(dom, name)


# ================================================================ destination

class _Dropped(Exception):
    """stream-drop: the destination cut the connection."""


class RestoreError(Exception):
    """A failed restore; args: (message sent to the source, detail for the record)."""


class Reader:
    """Reads the stream after the handshake, with the destination-side faults."""

    def __init__(self, sock, leftover, host, rec):
        self.sock = sock
        self.buf = bytearray(leftover)
        self.rec = rec
        self.count = 0
        self.memory_bytes = None
        self.drop = host.faults.get('stream-drop')
        self.stall = host.faults.get('recv-stall')
        self.scratch = memoryview(bytearray(256 * 1024))

    def _offset(self, offset):
        if offset.percent is not None and self.memory_bytes is None:
            return None
        return offset.resolve(self.memory_bytes or 0)

    def _allowed(self, n):
        if self.stall is not None:
            at = self._offset(self.stall[0])
            if at is not None and self.count >= at:
                log.info('recv-stall: not reading for %.1f s at byte %d', self.stall[1], self.count)
                time.sleep(self.stall[1])
                self.stall = None
            elif at is not None:
                n = min(n, at - self.count)
        if self.drop is not None:
            at = self._offset(self.drop)
            if at is not None:
                if self.count >= at:
                    raise _Dropped('stream-drop at byte %d' % self.count)
                n = min(n, at - self.count)
        return n

    def read(self, n):
        """n bytes, fewer at EOF."""
        out = bytearray()
        while len(out) < n:
            k = self._allowed(n - len(out))
            if self.buf:
                k = min(k, len(self.buf))
                out += self.buf[:k]
                del self.buf[:k]
            else:
                data = self.sock.recv(min(k, 65536))
                if not data:
                    break
                k = len(data)
                out += data
            self.count += k
        self.rec['bytes_received'] = self.count
        return bytes(out)

    def skip(self, n):
        """Discard n bytes; returns how many were there."""
        left = n
        while left:
            k = self._allowed(left)
            if self.buf:
                k = min(k, len(self.buf))
                del self.buf[:k]
            else:
                k = self.sock.recv_into(self.scratch, min(k, len(self.scratch)))
                if not k:
                    break
            self.count += k
            left -= k
        self.rec['bytes_received'] = self.count
        return n - left


def _unpack(reader, fmt, what):
    size = struct.calcsize(fmt)
    data = reader.read(size)
    if len(data) < size:
        raise RestoreError('Restore failed', 'stream ends in the %s' % what)
    return struct.unpack(fmt, data)[0]


def _read_image(reader, pages, hvm):
    """Check the image (see README.md); returns the tail's metadata."""
    if _unpack(reader, '<Q', 'page count') != pages:
        raise RestoreError('Restore failed', 'page count does not match the memory size')
    covered = 0                 # the first pass must send every page in order
    while True:
        count = _unpack(reader, '<i', 'batch header')
        if count == 0:
            break
        pfn = _unpack(reader, '<Q', 'batch header')
        if count < 0 or count > MAX_BATCH or pfn + count > pages:
            raise RestoreError('Restore failed', 'bad batch %d pages at pfn %d' % (count, pfn))
        if reader.skip(count * PAGE) < count * PAGE:
            raise RestoreError('Restore failed', 'stream ends inside a batch')
        if pfn == covered:
            covered += count
    if covered != pages:
        raise RestoreError('Restore failed', 'only %d of %d pages sent' % (covered, pages))
    size = _unpack(reader, '<I', 'tail')
    tail = reader.read(size) if size <= MAX_TAIL else b''
    if len(tail) < size:
        raise RestoreError('Restore failed', 'bad tail')
    if hvm:
        if reader.read(len(QEMU_SIGNATURE)) != QEMU_SIGNATURE:
            raise RestoreError('Restore failed', 'no qemu record')
        size = _unpack(reader, '<I', 'qemu record')
        if size > MAX_QEMU or reader.skip(size) < size:
            raise RestoreError('Restore failed', 'stream ends in the qemu record')
    if reader.read(1):
        raise RestoreError('Restore failed', 'data after the image')
    try:
        meta = json.loads(tail.decode('latin-1'))
    except ValueError:
        meta = None
    return meta if isinstance(meta, dict) else {}


def _domain_from_config(text):
    try:
        value, _, more = parse_one(text)
        if not more or not isinstance(value, list) or not value or value[0] != 'domain':
            raise ValueError('not a (domain ...) list')
        name = child_value(value, 'name')
        uuid = child_value(value, 'uuid')
        if not isinstance(name, str) or not name or not isinstance(uuid, str):
            raise ValueError('no name or uuid')
        memory = py2_int(child_value(value, 'memory'))
        maxmem = py2_int(child_value(value, 'maxmem', str(memory)))
        vcpus = py2_int(child_value(value, 'vcpus', '1'))
        image = child(value, 'image')
        hvm = bool(image and len(image) > 1 and isinstance(image[1], list)
                   and image[1][:1] == ['hvm'])
        if memory <= 0 or memory > 1 << 20 or not 0 < vcpus <= 128:
            raise ValueError('memory or vcpus out of range')
    except (ParseError, ValueError, TypeError) as e:
        raise RestoreError('Restore failed', 'config: %s' % e)
    return Domain(name, memory, uuid=uuid, vcpus=vcpus, hvm=hvm, paused=True, maxmem=maxmem)


class RelocationServer:
    """The relocation listener's protocol (reference §4.2, §4.3)."""

    def __init__(self, host, ssl_context=None):
        self.host = host
        self.ssl_context = ssl_context
        self.ops = ('quit', 'receive', 'sslreceive') if host.pers.has_ssl else ('quit', 'receive')

    def handle(self, sock, peer):
        host = self.host
        if host.faults.get('relocation-deny') or not host.cfg.peer_allowed(peer[0]):
            log.info('relocation: rejected %s', peer[0])
            if host.cfg.reject_with == 'eof':
                close_eof(sock, host.cfg.handshake_timeout)
            else:
                reset(sock)
            return None
        if self.ssl_context is not None:
            try:
                sock = self.ssl_context.wrap_socket(sock, server_side=True)
            except OSError as e:
                log.info('relocation: TLS from %s failed: %s', peer[0], e)
                return None
        try:
            self._requests(sock, peer)
        except OSError as e:
            log.info('relocation: connection from %s: %s', peer[0], e)
        finally:
            if self.ssl_context is not None:
                _close(sock)
        return None

    def _requests(self, sock, peer):
        buf, pos = '', 0
        while True:
            try:
                value, pos, more = parse_one(buf, pos, eof=False)
            except NeedMore:
                data = b''
                while True:     # a long atom: parse again only once it may end
                    chunk = sock.recv(65536)
                    data += chunk
                    if len(buf) - pos + len(data) > MAX_REQUEST:
                        return
                    if not chunk or not _ATOM_CHARS.match(chunk.decode('latin-1')):
                        break
                if data:
                    buf = buf[pos:] + data.decode('latin-1')
                    pos = 0
                    continue
                try:
                    value, pos, more = parse_one(buf, pos, eof=True)
                except ParseError:
                    return
                if not more:
                    return
            except ParseError as e:
                # xend answers and reads on (reference §7b.2); what was
                # buffered is dropped with the parser's state
                log.info('relocation: bad request from %s: %s', peer[0], e)
                sock.sendall(sxp_line(['err', ['type', PARSE_ERR_TYPE], ['value', str(e)]]))
                buf, pos = '', 0
                continue
            op = value[0] if isinstance(value, list) and value else value
            op = op.replace('.', '_') if isinstance(op, str) else ''
            if op == 'help':
                sock.sendall(sxp_line(['ok', ['help'] + list(self.ops)]))
            elif op == 'quit':
                return
            elif op in ('receive', 'sslreceive') and op in self.ops:
                leftover = buf[pos:].lstrip(' \t\r\n').encode('latin-1')
                self._receive(sock, peer, op, leftover)
                return
            else:
                sock.sendall(err_line('Invalid operation: %s' % op))

    def _receive(self, sock, peer, op, leftover):
        host, faults = self.host, self.host.faults
        if faults.get('handshake-close'):
            return
        if faults.get('handshake-no-reply'):
            _drain(sock, host.cfg.stream_timeout * 2, half_close=False)
            return
        sock.sendall(sxp_line(['ready', op]))
        rec = host.new_record('destination', peer=peer[0], bytes_received=0, domain=None,
                              domid=None, error=None, restore_s=None, duration_s=None)
        t0 = time.monotonic()
        reader = Reader(sock, leftover, host, rec)
        made = []
        try:
            dom = self._restore(reader, rec, made)
        except _Dropped as e:
            rec['result'], rec['error'] = 'dropped', str(e)
            for dom in made:
                host.destroy(dom)
            reset(sock)
        except (RestoreError, OSError) as e:
            message, detail = e.args if isinstance(e, RestoreError) else ('Restore failed', str(e))
            rec['result'], rec['error'] = 'failed', detail
            log.info('restore from %s failed: %s', peer[0], detail)
            for dom in made:
                host.destroy(dom)
            try:
                sock.sendall(err_line(message))
                if detail == 'bad signature':
                    reset(sock)        # xend: a reset, not a close (§7b.3)
                else:
                    _drain(sock, DRAIN_SECONDS)
            except OSError:
                pass
        else:
            rec['result'] = 'ok'
            log.info('restored %s as domain %d', dom.name, dom.domid)
            try:
                sock.sendall(b'(ok)\n')    # nobody reads it (reference §4.3)
            except OSError:
                pass
        finally:
            rec['duration_s'] = round(time.monotonic() - t0, 6)

    def _restore(self, reader, rec, made):
        host, faults = self.host, self.host.faults
        sig = reader.read(len(SIGNATURE))
        if len(sig) < len(SIGNATURE):
            raise RestoreError('not a valid guest state file: signature read', 'short signature')
        if sig != SIGNATURE:
            raise RestoreError("not a valid guest state file: found '%s'" % sig.decode('latin-1'),
                               'bad signature')
        data = reader.read(4)
        if len(data) < 4:
            raise RestoreError('not a valid guest state file: config size read', 'short size')
        size = struct.unpack('!i', data)[0]
        if not 0 < size <= MAX_CONFIG:
            raise RestoreError('Restore failed', 'config size %d' % size)
        text = reader.read(size)
        if len(text) < size:
            raise RestoreError('not a valid guest state file: config read', 'short config')
        dom = _domain_from_config(text.decode('latin-1'))
        rec['domain'], rec['uuid'] = dom.name, dom.uuid
        reader.memory_bytes = dom.memory * MIB
        with host.lock:
            other = host.by_name_or_uuid(dom.name, None)
            if other is not None:
                raise RestoreError('Restore failed', "domain '%s' exists with ID %d"
                                   % (dom.name, other.domid))
            if faults.get('dest-oom') or dom.memory > host.free_memory():
                raise RestoreError('Restore failed', 'not enough free memory for %d MiB'
                                   % dom.memory)
            if faults.get('restore-fail'):
                raise RestoreError('Restore failed', 'restore-fail fault')
            dom.restored = True
            host.create(dom)
            made.append(dom)
        rec['domid'] = dom.domid
        t = time.monotonic()
        _read_image_into(reader, dom)
        if faults.get('restore-fail-late'):
            raise RestoreError('Restore failed', 'restore-fail-late fault')
        if host.cfg.restore_delay:
            time.sleep(host.cfg.restore_delay)
        host.set_power(dom, 'running')
        rec['restore_s'] = round(time.monotonic() - t, 6)
        return dom


def _read_image_into(reader, dom):
    meta = _read_image(reader, dom.pages, dom.hvm)
    dirty = meta.get('dirty', 0)
    if isinstance(dirty, (int, float)) and 0 <= dirty < 1e6:
        dom.dirty = float(dirty)


def _drain(sock, seconds, half_close=True):
    """Read and drop what the peer still sends until EOF, for a bounded time."""
    if half_close:
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            sock.settimeout(left)
            if not sock.recv(65536):
                return
    except OSError:
        return
