# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host configuration: command-line flags over a JSON file over defaults."""

import argparse
import ipaddress
import json
import re
import socket

from . import faults as faultmod
from .personality import VERSIONS
from .sxp import from_unicode, show

# key -> (default, converter, help).  Flags are --key-with-dashes.
_BOOL = 'bool'
OPTIONS = {
    'name': ('xenhost', str, 'host name (also /xend/node host unless --reported-host)'),
    'reported_host': (None, str, 'name /xend/node reports as host'),
    'address': ('127.0.0.1', str, 'IPv4 address in 127.0.0.0/8 every TCP listener binds to'),
    'http_port': (8000, 'port', "xend HTTP/SXP TCP port; 0 = any free port, 'off' = none"),
    'unix_socket': (None, str, 'also serve xend HTTP/SXP on this Unix socket path'),
    'relocation_server': (True, _BOOL, 'xend-relocation-server (yes/no)'),
    'relocation_port': (8002, 'port', 'xend-relocation-port; 0 = any free port'),
    'hosts_allow': ('', str, 'xend-relocation-hosts-allow: space-separated regexes'),
    'ssl_relocation_server': (False, _BOOL, 'xend-relocation-ssl-server (yes/no)'),
    'ssl_port': (8003, 'port', 'xend-relocation-ssl-port; 0 = any free port'),
    'ssl_key': (None, str, 'xend-relocation-server-ssl-key-file'),
    'ssl_cert': (None, str, 'xend-relocation-server-ssl-cert-file'),
    'version': ('4.1', str, 'xend personality: ' + ', '.join(VERSIONS)),
    'config_format': ('default', str, "override xend_config_format: a number or 'absent'"),
    'sync_error_status': (None, int, 'override the status of a failed synchronous op (200/500)'),
    'total_memory': (8192, int, 'total host memory, MiB'),
    'free_memory': (None, int, 'free memory at start, MiB (sizes Domain-0 to match)'),
    'dom0_memory': (1024, int, 'Domain-0 memory, MiB (when --free-memory is not given)'),
    'nr_cpus': (4, int, 'physical CPUs'),
    'cpu_mhz': (2400, int, 'CPU speed reported in /xend/node'),
    'machine': ('x86_64', str, 'machine reported in /xend/node'),
    'cpu_vendor': ('intel', str, "x86 CPU behind hw_caps: 'intel' (VMX) or 'amd' (SVM)"),
    'nr_nodes': (1, int, 'NUMA nodes; the CPUs are split evenly between them'),
    'xen_caps': ('xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64',
                 str, 'xen_caps reported in /xend/node'),
    'link_rate': (1000.0, float, 'outgoing migration stream rate, Mbit/s; 0 = unlimited'),
    'xend_config': (None, str, 'write a xend-config.sxp for this host to this path'),
    'xenstore_socket': (None, str, 'serve xenstored on this Unix socket path'),
    'control_port': (0, 'port', "control endpoint TCP port; 0 = any free port, 'off' = none"),
    'ready_file': (None, str, 'write JSON of the bound ports here once listening'),
    'handshake_timeout': (30.0, float, 'source connect + handshake timeout, s (c/s 17618)'),
    'stream_timeout': (60.0, float, 'source per-write timeout while streaming, s'),
    'pickup_timeout': (3.0, float, "source wait for the destination's (err ...), s"),
    'max_rounds': (30, int, 'live pre-copy: at most this many rounds'),
    'restore_delay': (0.0, float, 'destination: extra seconds before a restored domain runs'),
    'hang_close': (0.0, float, 'close never-answered HTTP requests after s; 0 = at exit'),
    'bind_outgoing': (False, _BOOL, 'bind outgoing migration sockets to --address (xend does not)'),
    'reject_with': ('rst', str, "how a hosts-allow reject closes: 'rst' (at once, a RST) or "
                    "'eof' (a FIN: shut, read until the peer closes, close)"),
    'any_address': (False, _BOOL, 'allow an --address outside 127.0.0.0/8 (tests in a private '
                    'network namespace only)'),
    'log_file': (None, str, 'log here instead of stderr'),
    'verbose': (False, _BOOL, 'debug logging'),
}


class ConfigError(Exception):
    pass


def _bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ('yes', 'y', '1', 'on', 'true', 't'):
        return True
    if text in ('no', 'n', '0', 'off', 'false', 'f'):
        return False
    raise ValueError('not a boolean: %r' % value)


def _port(value):
    if value is None or str(value).lower() in ('off', 'none', 'no'):
        return None
    port = int(value)
    if not 0 <= port <= 65535:
        raise ValueError('bad port %r' % value)
    return port


def _convert(key, value):
    kind = OPTIONS[key][1]
    if value is None:
        return None
    if kind == _BOOL:
        return _bool(value)
    if kind == 'port':
        return _port(value)
    return kind(value)


def parse_domain(spec):
    """'name=g1,memory=256,vcpus=1,type=pv,dirty=10,paused=no,uuid=...' or a dict."""
    if isinstance(spec, str):
        items = {}
        for part in spec.split(','):
            key, sep, value = part.partition('=')
            if not sep:
                raise ConfigError('domain %r: %r is not key=value' % (spec, part))
            items[key.strip()] = value.strip()
        spec = items
    known = {'name', 'uuid', 'memory', 'maxmem', 'vcpus', 'type', 'dirty', 'paused', 'domid'}
    unknown = set(spec) - known
    if unknown:
        raise ConfigError('domain: unknown keys %s' % ', '.join(sorted(unknown)))
    if not spec.get('name'):
        raise ConfigError('domain: name is required')
    try:
        dtype = str(spec.get('type', 'pv')).lower()
        if dtype not in ('pv', 'hvm'):
            raise ValueError('type must be pv or hvm')
        dom = {
            'name': from_unicode(str(spec['name'])),
            'uuid': str(spec['uuid']) if spec.get('uuid') else None,
            'memory': int(spec.get('memory', 256)),
            'maxmem': int(spec['maxmem']) if spec.get('maxmem') else None,
            'vcpus': int(spec.get('vcpus', 1)),
            'hvm': dtype == 'hvm',
            'dirty': float(spec.get('dirty', 0)),
            'paused': _bool(spec.get('paused', False)),
            'domid': int(spec['domid']) if spec.get('domid') not in (None, '') else None,
        }
    except (TypeError, ValueError) as e:
        raise ConfigError('domain %r: %s' % (spec.get('name'), e))
    if dom['memory'] <= 0 or dom['vcpus'] <= 0 or dom['dirty'] < 0:
        raise ConfigError('domain %r: memory, vcpus and dirty must be positive' % dom['name'])
    if dom['domid'] is not None and not 0 < dom['domid'] < 32752:
        raise ConfigError('domain %r: domid must be 1..32751' % dom['name'])
    return dom


class HostConfig:
    def __init__(self, values, domains, fault_specs):
        for key in OPTIONS:
            setattr(self, key, values[key])
        self.domains = domains
        self.faults = fault_specs
        if self.reported_host is None:
            self.reported_host = self.name
        self.reported_host = from_unicode(self.reported_host)
        try:
            ip = ipaddress.IPv4Address(self.address)
        except ValueError:
            raise ConfigError('--address must be an IPv4 address')
        if not ip.is_loopback and not self.any_address:
            raise ConfigError('--address must be in 127.0.0.0/8 (--any-address yes for a '
                              'private network namespace)')
        if self.reject_with not in ('rst', 'eof'):
            raise ConfigError("--reject-with must be 'rst' or 'eof'")
        if self.version not in VERSIONS:
            raise ConfigError('--version must be one of %s' % ', '.join(VERSIONS))
        if self.cpu_vendor not in ('intel', 'amd'):
            raise ConfigError("--cpu-vendor must be 'intel' or 'amd'")
        if not 1 <= self.nr_nodes <= max(1, self.nr_cpus):
            raise ConfigError('--nr-nodes must be 1..--nr-cpus')
        fmt = self.config_format
        if fmt not in ('default', 'absent'):
            try:
                fmt = int(fmt)
            except ValueError:
                raise ConfigError("--config-format must be a number, 'absent' or 'default'")
        self.config_format = None if fmt == 'absent' else fmt
        if self.sync_error_status not in (None, 200, 500):
            raise ConfigError('--sync-error-status must be 200 or 500')
        if self.ssl_relocation_server and not (self.ssl_key and self.ssl_cert):
            raise ConfigError('the SSL relocation server needs --ssl-key and --ssl-cert')
        try:
            self.allow = [re.compile(p) for p in self.hosts_allow.split(' ')] \
                if self.hosts_allow else []
        except re.error as e:
            raise ConfigError('--hosts-allow: %s' % e)
        used = sum(d['memory'] for d in domains)
        if self.free_memory is not None:
            self.dom0_memory = self.total_memory - self.free_memory - used
        if self.dom0_memory <= 0 or self.total_memory - self.dom0_memory - used < 0:
            raise ConfigError('the domains do not fit in --total-memory')

    def peer_allowed(self, ip):
        """xend-relocation-hosts-allow (reference §4.2)."""
        if not self.allow:
            return True
        fqdn = socket.getfqdn(ip)
        return any(p.match(fqdn) or p.match(ip) for p in self.allow)

    def xend_config_text(self):
        """A xend-config.sxp with this host's listener settings (reference §1.1)."""
        yn = lambda b: 'yes' if b else 'no'
        entries = [
            ('xend-http-server', yn(self.http_port is not None)),
            ('xend-port', self.http_port if self.http_port is not None else 8000),
            ('xend-address', self.address),
            ('xend-unix-server', yn(self.unix_socket is not None)),
        ]
        if self.unix_socket:
            entries.append(('xend-unix-path', self.unix_socket))
        entries += [
            ('xend-relocation-server', yn(self.relocation_server)),
            ('xend-relocation-port', self.relocation_port),
            ('xend-relocation-address', self.address),
            ('xend-relocation-hosts-allow', self.hosts_allow),
            ('xend-relocation-ssl-server', yn(self.ssl_relocation_server)),
            ('xend-relocation-ssl-port', self.ssl_port),
        ]
        if self.ssl_key:
            entries.append(('xend-relocation-server-ssl-key-file', self.ssl_key))
        if self.ssl_cert:
            entries.append(('xend-relocation-server-ssl-cert-file', self.ssl_cert))
        entries += [('xend-relocation-ssl', 'no'), ('dom0-min-mem', 196),
                    ('enable-dom0-ballooning', 'yes')]
        lines = ['# -*- sh -*-', '#',
                 '# xend-config.sxp of emulated host %s (written by tests/emulator/xenhost)'
                 % self.name, '#', '']
        lines += [show([k, v]) for k, v in entries]
        return '\n'.join(lines) + '\n'


def build_parser():
    p = argparse.ArgumentParser(
        prog='xenhost', description='Start one emulated Xen host (xend, relocation, xenstored).')
    p.add_argument('--config', metavar='FILE', help='JSON file with any of the keys below '
                   '(dashes as underscores), plus "domains" and "faults" lists')
    for key, (default, kind, text) in OPTIONS.items():
        flag = '--' + key.replace('_', '-')
        if isinstance(default, bool):
            default = 'yes' if default else 'no'
        shown = '' if default is None else ' (default: %s)' % default
        if kind == _BOOL:
            p.add_argument(flag, dest=key, metavar='yes|no', nargs='?', const='yes',
                           help=text + shown)
        else:
            p.add_argument(flag, dest=key, metavar='V', help=text + shown)
    p.add_argument('--domain', action='append', default=[], metavar='SPEC',
                   help='a domain: name=N[,memory=MiB][,vcpus=N][,type=pv|hvm][,dirty=MiB/s]'
                        '[,paused=yes|no][,uuid=U][,maxmem=MiB][,domid=N]; repeatable')
    p.add_argument('--fault', action='append', default=[], metavar='NAME[=VALUE]',
                   help='switch a fault on at start; repeatable (see README.md)')
    p.add_argument('--list-faults', action='store_true', help='list the fault names and exit')
    return p


def load(argv):
    """(HostConfig, args) from the command line."""
    args = build_parser().parse_args(argv)
    if args.list_faults:
        return None, args
    values = {k: v[0] for k, v in OPTIONS.items()}
    domains, faults = [], []
    if args.config:
        try:
            with open(args.config) as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise ConfigError('%s: %s' % (args.config, e))
        if not isinstance(data, dict):
            raise ConfigError('%s: not a JSON object' % args.config)
        for key, value in data.items():
            if key == 'domains':
                domains += list(value)
            elif key == 'faults':
                faults += ['%s=%s' % (k, v) if v not in (None, True) else k
                           for k, v in value.items()] if isinstance(value, dict) else list(value)
            elif key in OPTIONS:
                values[key] = value
            else:
                raise ConfigError('%s: unknown key %r' % (args.config, key))
    for key in OPTIONS:
        flag_value = getattr(args, key)
        if flag_value is not None:
            values[key] = flag_value
    try:
        values = {k: _convert(k, v) if k != 'config_format' else str(v)
                  for k, v in values.items()}
    except ValueError as e:
        raise ConfigError(str(e))
    domains = [parse_domain(d) for d in domains + args.domain]
    names = [d['name'] for d in domains]
    if len(set(names)) != len(names) or 'Domain-0' in names:
        raise ConfigError('domain names must be unique and not Domain-0')
    domids = [d['domid'] for d in domains if d['domid'] is not None]
    if len(set(domids)) != len(domids):
        raise ConfigError('domain ids must be unique')
    for spec in faults + args.fault:
        try:
            faultmod.parse_spec(spec)
        except ValueError as e:
            raise ConfigError('--fault %s: %s' % (spec, e))
    return HostConfig(values, domains, faults + args.fault), args
