# SPDX-License-Identifier: LGPL-2.1-or-later
"""xend's HTTP/SXP interface on raw sockets (reference §1, §2.2, §3, §7.1)."""

import logging
import socket
import threading
import time
from urllib.parse import unquote_to_bytes

from . import relocation
from .errors import ArgError, Unhandled, XendError
from .net import KEEP_OPEN, Reader
from .sxp import py2_int, py2_repr, show

log = logging.getLogger('xenemu.xend')

MAX_LINE = 65536            # emulator bound on the request line and each header line
MAX_HEADER_LINES = 500      # xend reads at most 500 header lines
MAX_HEADER_BYTES = 256 * 1024
MAX_BODY = 10000            # xend: 413 beyond this
UNIX_PORT = 8080            # the "port" xend puts in Location over a Unix socket

REASONS = {
    100: 'Continue', 101: 'Switching protocols', 200: 'OK', 201: 'Created',
    202: 'Accepted', 203: 'Non-authoritative information', 204: 'No content',
    205: 'Reset content', 206: 'Partial content', 300: 'Multiple choices',
    301: 'Moved permanently', 302: 'Moved temporarily', 303: 'See other',
    304: 'Not modified', 305: 'Use proxy', 400: 'Bad request', 401: 'Unauthorized',
    402: 'Payment required', 403: 'Forbidden', 404: 'Not found',
    405: 'Method not allowed', 406: 'Not acceptable', 407: 'Proxy authentication required',
    408: 'Request time-out', 409: 'Conflict', 410: 'Gone', 411: 'Length required',
    412: 'Precondition failed', 413: 'Request entity too large',
    414: 'Request-URI too large', 415: 'Unsupported media type',
    500: 'Internal server error', 501: 'Not implemented', 502: 'Bad gateway',
    503: 'Service unavailable', 504: 'Gateway time-out', 505: 'HTTP version not supported',
}

GARBAGE = b'\x16\x03\x01\x00\xffxend? no\r\n\x00\x01\x02\xfe\xfd\r\n\r\n'
_SPACE = ' \t\n\r\v\f'


# ---------------------------------------------------------------- requests

class Request:
    def __init__(self, method, path, version, headers, args, body):
        self.method = method
        self.path = path
        self.version = version
        self.headers = headers
        self.args = args
        self.body = body

    def header(self, name):
        return self.headers.get(name)

    @property
    def keep_alive(self):
        return (self.header('connection') or '').strip().lower() == 'keep-alive'

    @property
    def use_sxp(self):
        """Reference §1.3."""
        accept = self.header('accept')
        return (self.header('user-agent') is None or accept is None
                or 'application/sxp' in accept)


def parse_qs(text, keep_blank):
    """cgi.parse_qs of Python 2: '&' and ';' separate, '+' is a space."""
    args = {}
    for part in text.replace(';', '&').split('&'):
        if not part:
            continue
        name, sep, value = part.partition('=')
        if not sep and not keep_blank:
            continue
        if value or keep_blank:
            args.setdefault(_unquote(name), []).append(_unquote(value))
    return args


def _unquote(text):
    return unquote_to_bytes(text.replace('+', ' ')).decode('latin-1')


def parse_multipart(body, ctype):
    import email.parser
    import email.policy
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b'Content-Type: ' + ctype.encode('latin-1') + b'\r\n\r\n' + body)
    args = {}
    if msg.is_multipart():
        for part in msg.iter_parts():
            name = part.get_param('name', header='content-disposition')
            if name is not None:
                data = part.get_payload(decode=True) or b''
                args.setdefault(str(name), []).append(data.decode('latin-1'))
    return args


class BadRequest(ValueError):
    pass


class TooLarge(Exception):
    pass


def read_request(reader):
    """One request, None at EOF.  BadRequest -> 400, TooLarge -> 413 (§1.2)."""
    line = reader.readline(MAX_LINE)
    if not line:
        return None
    fields = [f.decode('latin-1') for f in line.split()]    # ASCII whitespace, as Python 2
    if len(fields) == 3:
        method, uri, version = fields
    elif len(fields) == 2:
        (method, uri), version = fields, 'HTTP/0.9'
    else:
        raise BadRequest('request line')
    if not version.startswith('HTTP/'):
        raise BadRequest('version')
    major, sep, minor = version[5:].partition('.')
    try:
        py2_int(major)
        py2_int(minor)
    except ValueError:
        raise BadRequest('version')
    if not sep:
        raise BadRequest('version')
    headers = {}
    size = 0
    for _ in range(MAX_HEADER_LINES):
        hline = reader.readline(MAX_LINE)
        size += len(hline)
        if size > MAX_HEADER_BYTES:
            raise BadRequest('headers too long')
        text = hline.decode('latin-1').rstrip('\r\n')
        if not text:
            break
        name, sep, value = text.partition(':')
        if sep:
            headers[name.strip(_SPACE).lower()] = value.strip(_SPACE)
    path, _, query = uri.partition('?')
    args = parse_qs(query, keep_blank=False)
    body = b''
    length = headers.get('content-length')
    if length is not None:
        try:
            n = py2_int(length)
        except ValueError:
            n = None
        if n is not None and n > MAX_BODY:
            raise TooLarge()
        if n is not None and n > 0:
            body = reader.read_exact(n)
    if method == 'POST':
        ctype = headers.get('content-type', '')
        base = ctype.split(';')[0].strip().lower()
        if base == 'application/x-www-form-urlencoded':
            args.update(parse_qs(body.decode('latin-1'), keep_blank=True))
        elif base == 'multipart/form-data':
            try:
                args.update(parse_multipart(body, ctype))
            except Exception:
                log.info('unparsable multipart body')
    return Request(method, path, version, headers, args, body)


# ---------------------------------------------------------------- replies

class Reply:
    def __init__(self, status=200, body=b'', ctype=None, reason=None):
        self.status = status
        self.reason = reason
        self.body = body
        self.ctype = ctype
        self.headers = []

    def sxp(self, value, pers, trailing=False):
        text = show(value, pers.empty_quote)
        if trailing:
            text += show('', pers.empty_quote)
        self.body = text.encode('latin-1')
        self.ctype = 'application/sxp'
        return self

    def encode(self, head, keep_alive):
        reason = self.reason or REASONS.get(self.status, '')
        reason = ''.join(c if ' ' <= c < '\x7f' or c >= '\xa0' else '?' for c in reason)
        lines = ['HTTP/1.1 %d %s' % (self.status, reason)]
        headers = []
        if not head and self.status not in (204, 304):
            headers.append(('content-length', str(len(self.body))))
        headers.append(('expires', '-1'))
        if self.ctype:
            headers.append(('content-type', self.ctype))
        headers += [('pragma', 'no-cache'), ('cache-control', 'no-cache')]
        headers += self.headers
        if keep_alive:
            headers.append(('connection', 'keep-alive'))
        lines += ['%s: %s' % (k.capitalize(), v) for k, v in headers]
        out = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')
        return out if head else out + self.body


def _html(title, inner):
    return ('<html><head><title>%s</title></head><body>%s</body></html>'
            % (title, inner)).encode('latin-1')


# ---------------------------------------------------------------- forms

def form_args(args, spec, defaults):
    """Args.FormFn: values in spec order (reference §3.6)."""
    out = {}
    for name, kind in spec:
        if name in args:
            values = args[name]
            if len(values) != 1:
                raise ArgError('Too many values for %s' % name)
            value = values[0]
            if kind == 'int':
                try:
                    value = py2_int(value)
                except ValueError as e:
                    raise ArgError(str(e))
            elif kind == 'bool':
                value = value.lower() in ('on', 'yes', '1', 'true')
            out[name] = value
        elif name in defaults:
            out[name] = defaults[name]
        else:
            raise ArgError('Missing parameter: %s' % name)
    return out


_MIGRATE_KINDS = {'destination': 'str', 'live': 'int', 'resource': 'int', 'port': 'int',
                  'node': 'int', 'ssl': 'int', 'change_home_server': 'bool'}

# op -> (status before it runs, form spec); 202 ops also set Location (§3.5)
_SYNC_OPS = {
    'pause': (200, []),
    'unpause': (200, []),
    'shutdown': (202, [('reason', 'str')]),
    'destroy': (202, []),
    'rename': (202, [('name', 'str')]),
    'vcpuinfo': (200, []),
    'mem_target_set': (200, [('target', 'int')]),
    'maxmem_set': (200, [('memory', 'int')]),
}
_SHUTDOWN_REASONS = ('poweroff', 'reboot', 'suspend', 'crash', 'halt')
_STATE_CODES = {'halted': 0, 'paused': 1, 'running': 2, 'suspended': 3, 'crashed': 5,
                'unknown': 6}


# ---------------------------------------------------------------- server

class XendServer:
    """Serves one listener (TCP or Unix) of one host."""

    def __init__(self, host, unix=False):
        self.host = host
        self.unix = unix

    @property
    def pers(self):
        return self.host.pers

    def handle(self, sock, peer):
        faults = self.host.faults
        if faults.get('xend-close'):
            return None
        reader = Reader(sock)
        while True:
            try:
                req = read_request(reader)
            except TooLarge:
                self._send(sock, Reply(413), False, False)
                relocation.reset(sock)      # xend: a reset, not a close (§7b.3)
                return None
            except ValueError:      # BadRequest, or a line over MAX_LINE
                self._send(sock, Reply(400), False, False)
                return None
            except OSError:
                return None
            if req is None:
                return None
            if faults.get('http-garbage'):
                sock.sendall(GARBAGE)
                return None
            try:
                reply = self.dispatch(req)
            except Unhandled as e:
                log.info('%s %s: no reply (%s)', req.method, req.path, e)
                self._hang(sock)
                return KEEP_OPEN
            except Exception:
                log.exception('%s %s failed', req.method, req.path)
                reply = Reply(500)
                self._send(sock, reply, req.method == 'HEAD', False)
                return None
            if not self._send(sock, reply, req.method == 'HEAD', req.keep_alive):
                return None
            if not req.keep_alive:
                return None

    def _hang(self, sock):
        """Leave the socket open and unanswered, as a dead xend thread does (§4.7)."""
        with self.host.lock:
            self.host.hung.append(sock)
        seconds = self.host.cfg.hang_close
        if seconds:
            timer = threading.Timer(seconds, _shut, (sock,))
            timer.daemon = True
            timer.start()

    def _send(self, sock, reply, head, keep_alive):
        delay = self.host.faults.get('http-delay')
        if delay:
            time.sleep(delay)
        try:
            sock.sendall(reply.encode(head, keep_alive))
            return True
        except OSError:
            return False

    # ---- routing (reference §3.1)

    def dispatch(self, req):
        if req.method not in ('GET', 'HEAD', 'POST'):
            reply = Reply(501, ('Request method not supported (%s)' % req.method).encode('latin-1'),
                          'text/plain')
            reply.headers.append(('accept', 'GET,HEAD,POST'))
            return reply
        path = req.path[1:] if req.path.startswith('/') else req.path
        segments = [_unquote_path(s) for s in path.split('/')]
        node = ('root',)
        for seg in segments:
            if seg == '':
                continue
            node = self._child(node, seg)
            if node is None:
                return Reply(404, ('Not found: %s' % seg).encode('latin-1'), 'text/plain')
            if node[0] == 'nodom':
                return Reply(404, ('<Fault 3: %s>' % py2_repr(seg)).encode('latin-1'),
                             'text/plain')
        if req.method == 'POST':
            return self._post(node, req)
        return self._get(node, req)

    def _child(self, node, seg):
        kind = node[0]
        if kind == 'root':
            return ('xend',) if seg == 'xend' else None
        if kind == 'xend':
            return (seg,) if seg in ('node', 'domain', 'vnet') else None
        if kind == 'node':
            return ('node/' + seg,) if seg in ('dmesg', 'log') else None
        if kind == 'domain':
            dom = self.host.lookup(seg)
            return ('dom', dom, seg) if dom is not None else ('nodom',)
        return None

    # ---- GET

    def _get(self, node, req):
        kind, pers = node[0], self.pers
        if kind in ('root', 'xend'):
            children = ['node', 'domain', 'vnet'] if kind == 'xend' else []
            text = '(ls ' + ''.join(' ' + c for c in children) + ')' + show('', pers.empty_quote)
            if not req.use_sxp:
                return Reply(200, _html('xend', '<ul>%s</ul>' % ''.join(
                    '<li><a href="%s">%s</a></li>' % (c, c) for c in children)))
            return Reply(200, text.encode('latin-1'), 'application/sxp')
        if kind == 'node':
            return self._maybe_html(req, self._pad(self.node_sxpr(), 'http-oversize'), 'node')
        if kind == 'node/dmesg':
            text = '(XEN) Xen version %d.%d%s (emulated host %s)\n' % (
                pers.xen_major, pers.xen_minor, pers.xen_extra, self.host.cfg.name)
            return Reply(200, text.encode('latin-1'), 'text/plain')
        if kind == 'node/log':
            return Reply(200, b'[xend] INFO (SrvDaemon) Xend started (emulated)\n', 'text/plain')
        if kind == 'vnet':
            return Reply().sxp([], pers)
        if kind == 'domain':
            return self._domain_list(req)
        dom = node[1]
        op = req.args.get('op', [None])[0]
        if op == 'vcpuinfo':
            return Reply().sxp(self._vcpuinfo(dom), pers)
        with self.host.lock:
            value = dom.sxpr(pers)
        value = self._pad(value, 'http-oversize')
        if not req.use_sxp:
            return self._maybe_html(req, value, 'domain')
        return Reply().sxp(value, pers, trailing=True)

    def _maybe_html(self, req, value, title):
        if req.use_sxp:
            return Reply().sxp(value, self.pers)
        text = show(value, self.pers.empty_quote).replace('&', '&amp;').replace('<', '&lt;')
        return Reply(200, _html(title, '<pre>%s</pre>' % text))  # no Content-type (§7b.5)

    def _pad(self, value, fault):
        size = self.host.faults.get(fault)
        if size:
            value = value + [['padding', 'x' * size]]
        return value

    def _domain_list(self, req, detail=False):
        """Reference §3.3."""
        pers = self.pers
        with self.host.lock:
            doms = [d for _, d in sorted(self.host.domains.items())]
            detail = detail or req.args.get('detail', [None])[0] == '1'
            if not pers.state_filter:
                chosen = doms
            elif detail:
                chosen = [d for d in doms if d.status == 2]
            else:
                state = req.args.get('state', ['running'])[0].lower()
                if state == 'all':
                    chosen = doms
                else:
                    code = _STATE_CODES.get(state)
                    chosen = [d for d in doms if d.status == code]
            if detail:
                value = [d.sxpr(pers) for d in chosen]
            else:
                value = sorted(d.name for d in chosen)
        return self._maybe_html(req, value, 'domains')

    def _numa(self):
        """node_to_cpu, node_to_memory, cpu_topology as xend formats them."""
        cfg, host = self.host.cfg, self.host
        nodes = max(1, cfg.nr_nodes)
        per = max(1, cfg.nr_cpus // nodes)
        node_of = [min(i // per, nodes - 1) for i in range(cfg.nr_cpus)]

        def ranges(cpus):
            # XendNode.format_pairs: '0-3,6', or 'no cpus'
            out, i = [], 0
            while i < len(cpus):
                j = i
                while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
                    j += 1
                out.append('%d' % cpus[i] if i == j else '%d-%d' % (cpus[i], cpus[j]))
                i = j + 1
            return ','.join(out) or 'no cpus'

        pad = '\n' + ' ' * 25
        to_cpu = pad.join('node%d:%s' % (n, ranges([c for c in range(cfg.nr_cpus)
                                                    if node_of[c] == n]))
                          for n in range(nodes))
        to_mem = pad.join('node%d:%d' % (n, host.free_memory() // nodes)
                          for n in range(nodes))
        # format_cpu_to_core_socket_node: the last newline is cut off
        topo = '\ncpu:    core    socket     node\n' + ''.join(
            '%3d:%8d %8d %8d\n' % (i, i, 0, node_of[i]) for i in range(cfg.nr_cpus))
        return nodes, to_cpu, to_mem, topo[:-1]

    def node_sxpr(self):
        cfg, pers, host = self.host.cfg, self.pers, self.host
        nr_nodes, to_cpu, to_mem, topology = self._numa()
        threads = 1
        cores = max(1, cfg.nr_cpus // threads)
        values = {
            'system': 'Linux', 'host': cfg.reported_host, 'release': '3.2.0-4-amd64',
            'version': '#1 SMP Debian 3.2.96-3', 'machine': cfg.machine,
            'nr_cpus': cfg.nr_cpus, 'nr_nodes': nr_nodes, 'sockets_per_node': 1,
            'cores_per_socket': cores, 'threads_per_core': threads,
            'cpu_mhz': cfg.cpu_mhz,
            'hw_caps': pers.hw_caps(cfg.machine, cfg.cpu_vendor),
            # xc.c: 'hvm' (and here 'hvm_directio') when Xen runs HVM
            # guests, the same condition that puts hvm-* in xen_caps
            'virt_caps': 'hvm hvm_directio' if 'hvm-' in cfg.xen_caps else '',
            'total_memory': host.total_memory,
            'free_memory': host.free_memory(), 'free_cpus': 0,
            'cpu_topology': topology,
            # 4.1-4.4 XendNode.format_numa_info names an undefined
            # nr_nodes, so its try block always ends in 'none'
            'numa_info': 'none',
            'node_to_cpu': to_cpu,
            'node_to_memory': to_mem,
            'node_to_dma32_mem': ('\n' + ' ' * 25).join(
                'node%d:0' % n for n in range(nr_nodes)),
            'max_node_id': nr_nodes - 1,
            'xen_major': pers.xen_major, 'xen_minor': pers.xen_minor,
            'xen_extra': pers.xen_extra, 'xen_caps': cfg.xen_caps,
            'xen_scheduler': 'credit', 'xen_pagesize': 4096,
            'platform_params': 'virt_start=0xffff800000000000',
            'xen_changeset': 'unavailable', 'xen_commandline': 'dom0_mem=%dM' % cfg.dom0_memory,
            'cc_compiler': 'gcc version 4.7.2 (Debian 4.7.2-5)', 'cc_compile_by': 'root',
            'cc_compile_domain': '', 'cc_compile_date': 'Mon Jan  1 00:00:00 UTC 2014',
            'xend_config_format': pers.config_format,
        }
        return ['node'] + [[k, values[k]] for k in pers.node_fields()]

    def _vcpuinfo(self, dom):
        value = ['domain', ['domid', dom.domid], ['name', dom.name], ['vcpu_count', dom.vcpus]]
        ncpu = self.host.cfg.nr_cpus
        for n in range(dom.vcpus):
            running = 1 if dom.power == 'running' and dom.busy else 0
            value.append(['vcpu', ['number', n], ['online', 1], ['blocked', 1 - running],
                          ['running', running], ['cpu_time', dom.cpu_time() / dom.vcpus],
                          ['cpu', n % ncpu], ['cpumap', list(range(ncpu))]])
        return value

    # ---- POST (SrvBase.perform, reference §1.5, §3.5)

    def _post(self, node, req):
        pers = self.pers
        ops = req.args.get('op')
        if not ops or len(ops) != 1:
            return Reply(406, reason='Invalid request').sxp('', pers)
        op = ops[0]
        if node[0] == 'domain' and op == 'list':
            # SrvDomainDir.op_list: the detailed list (reference §7b.4)
            return self._domain_list(req, detail=True)
        if node[0] != 'dom' or (op not in _SYNC_OPS and op != 'migrate'):
            text = 'Operation not implemented: %s' % op
            reply = Reply(501, reason=text)
            reply.body = (text + show('', pers.empty_quote)).encode('latin-1')
            reply.ctype = 'application/sxp'
            return reply
        dom = node[1]
        if op == 'migrate':
            return self._migrate(dom, req)
        if op == 'destroy' and self.host.faults.get('destroy-gone'):
            # the domain went away on its own (a failed restore) between
            # the client's look and this request: xend's path lookup
            # then fails as for any unknown domain
            self.host.destroy(dom)
            return Reply(404, ('<Fault 3: %s>' % py2_repr(node[2])).encode('latin-1'),
                         'text/plain')
        status, spec = _SYNC_OPS[op]
        reply = Reply(status)
        if status == 202:
            reply.headers.append(('location', self._location(req, node[2])))
        try:
            value = getattr(self, '_op_' + op)(dom, form_args(req.args, spec, {}))
        except XendError as e:
            if pers.sync_error_status == 500:
                reply.status, reply.reason = 500, 'Request failed: %s' % op
            if not req.use_sxp:
                reply.body = _html('Error', '<p>%s</p>' % e)
                reply.ctype = None      # HTML mode: no Content-type (§7b.5)
                return reply
            return reply.sxp(['xend.err', str(e)], pers)
        if value is not None:
            reply.sxp(value, pers)
        return reply

    def _location(self, req, seg):
        host = (req.header('host') or '').split(':')[0] or (
            'localhost' if self.unix else self.host.cfg.address)
        port = UNIX_PORT if self.unix else self.host.cfg.http_port
        return 'http://%s:%d/xend/domain/%s/..' % (host, port, seg)

    def _privileged(self, dom, what):
        if dom.domid == 0:
            raise XendError('Cannot %s privileged domain 0' % what)

    def _op_pause(self, dom, args):
        self._privileged(dom, 'pause')
        if dom.power == 'running':
            self.host.set_power(dom, 'paused')

    def _op_unpause(self, dom, args):
        self._privileged(dom, 'unpause')
        if dom.power == 'paused':
            self.host.set_power(dom, 'running')

    def _op_destroy(self, dom, args):
        self._privileged(dom, 'destroy')
        self.host.destroy(dom)

    def _op_shutdown(self, dom, args):
        reason = args['reason']
        if reason not in _SHUTDOWN_REASONS:
            raise XendError('Invalid reason: %s' % reason)
        self._privileged(dom, 'shutdown')
        if reason == 'reboot':
            with self.host.lock:
                dom.start_time = time.time()
        elif reason == 'suspend':
            self.host.suspend(dom)
        else:
            self.host.destroy(dom)

    def _op_rename(self, dom, args):
        self._privileged(dom, 'rename')
        self.host.rename(dom, args['name'])

    def _op_vcpuinfo(self, dom, args):
        return self._vcpuinfo(dom)

    def _op_mem_target_set(self, dom, args):
        target = args['target']
        with self.host.lock:
            if target <= 0 or target > dom.maxmem:
                raise XendError('Invalid memory target %d' % target)
            if target - dom.memory > self.host.free_memory():
                raise XendError('Not enough free memory for %d MiB' % target)
            dom.memory = target
        self.host.store.h_write('/local/domain/%d/memory/target' % dom.domid, target * 1024)

    def _op_maxmem_set(self, dom, args):
        with self.host.lock:
            dom.maxmem = args['memory']

    # ---- op=migrate (threaded: errors are 200 + xend.err, reference §3.6)

    def _migrate(self, dom, req):
        pers, host = self.pers, self.host
        reply = Reply(200)
        spec = [('dom', 'int')] + [(p, _MIGRATE_KINDS[p]) for p in pers.migrate_params]
        try:
            args = form_args(req.args, spec, {'dom': dom.domid})
            with host.lock:
                target = host.domains.get(args['dom'])
            if target is None:
                # XendInvalidDomain is not a XendError: the thread dies (§4.7)
                raise Unhandled("<Fault 3: '%d'>" % args['dom'])
            self._migrate_checks(target, args)
            relocation.migrate(host, target, args['destination'], args.get('port', 0),
                               args['live'], args.get('ssl', 0), args.get('node', -1))
        except XendError as e:
            if not req.use_sxp:
                return Reply(200, ('Error : %s' % e).encode('latin-1'), 'text/plain')
            return reply.sxp(['xend.err', str(e)], pers)
        return reply

    def _migrate_checks(self, dom, args):
        if dom.domid == 0:
            raise XendError('Cannot migrate privileged domain %d' % args['dom'])
        if self.pers.migrate_needs_running and dom.status != 2:
            raise XendError('Domain is not running')
        if args.get('change_home_server'):
            raise XendError('Domain is not a managed domain')


def _unquote_path(seg):
    return unquote_to_bytes(seg).decode('latin-1')


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
