# SPDX-License-Identifier: LGPL-2.1-or-later
"""Faults a host can be told to show, at start (--fault) or via /fault."""

import re
import threading

# name -> (kind of value, what it does); kinds: None (no value), 'offset',
# 'stall' (OFFSET:SECONDS), 'bytes', 'seconds', or a tuple of choices.
FAULTS = {
    'relocation-off': (None, 'relocation listeners closed: connections are refused'),
    'relocation-deny': (None, 'every relocation peer is rejected as hosts-allow would'),
    'handshake-no-reply': (None, 'destination reads "receive" and never answers'),
    'handshake-close': (None, 'destination closes right after reading "receive"'),
    'stream-drop': ('offset', 'destination closes after reading OFFSET stream bytes'),
    'source-drop': ('offset', 'source cuts the stream after sending OFFSET bytes'),
    'stream-stall': ('stall', 'source pauses SECONDS once it has sent OFFSET bytes'),
    'recv-stall': ('stall', 'destination stops reading for SECONDS at OFFSET'),
    'restore-fail': (None, 'destination restore fails after the config, before the image'),
    'restore-fail-late': (None, 'destination restore fails after the whole stream (lost)'),
    'dest-oom': (None, 'destination has no free memory for the incoming domain'),
    'after-stream': (('fail', 'hang'), 'source fails or hangs after the stream, before destroy'),
    'migrate-hang': (('resumed', 'done'),
                     'migrate POST never answered; domain resumed or migrated'),
    'xend-down': (None, 'xend HTTP listeners closed: connections are refused'),
    'xend-close': (None, 'xend HTTP accepts and closes at once'),
    'http-garbage': (None, 'xend HTTP answers with bytes that are not HTTP'),
    'http-oversize': ('bytes', 'GET node/domain replies padded to at least BYTES'),
    'http-delay': ('seconds', 'xend HTTP waits SECONDS before each reply'),
    'destroy-gone': (None, 'op=destroy finds the domain already gone (it went '
                     'away on its own just before): unknown-domain 404'),
}

ALIASES = {'lost': 'restore-fail-late'}

_DEFAULTS = {'http-oversize': 1536 * 1024, 'after-stream': 'fail', 'migrate-hang': 'resumed'}

_SIZE = re.compile(r'^(\d+)([KMG]?)$', re.I)
_MULT = {'': 1, 'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30}


class Offset:
    """A stream byte offset: absolute, or a percentage of the domain memory."""

    def __init__(self, text):
        text = str(text).strip()
        if text.endswith('%'):
            self.percent = float(text[:-1])
            self.absolute = None
            if not 0 <= self.percent <= 1000:
                raise ValueError('bad percentage %r' % text)
        else:
            self.percent = None
            self.absolute = _size(text)
        self.text = text

    def resolve(self, memory_bytes):
        if self.absolute is not None:
            return self.absolute
        return int(memory_bytes * self.percent / 100)

    def __repr__(self):
        return self.text


def _size(text):
    m = _SIZE.match(str(text).strip())
    if not m:
        raise ValueError('bad size %r (N, NK, NM or NG)' % text)
    return int(m.group(1)) * _MULT[m.group(2).upper()]


def _seconds(text):
    value = float(text)
    if not 0 <= value <= 3600:
        raise ValueError('bad seconds %r' % text)
    return value


def parse_value(name, value):
    """Check and convert a fault value; returns (name, converted)."""
    name = ALIASES.get(name, name)
    if name not in FAULTS:
        raise ValueError('unknown fault %r' % name)
    kind = FAULTS[name][0]
    if value in (None, '', True):
        if kind is None:
            return name, True
        if name in _DEFAULTS:
            return name, _DEFAULTS[name]
        raise ValueError('fault %s needs a value' % name)
    if kind is None:
        raise ValueError('fault %s takes no value' % name)
    if isinstance(kind, tuple):
        if value not in kind:
            raise ValueError('fault %s: value must be one of %s' % (name, ', '.join(kind)))
        return name, value
    if kind == 'offset':
        return name, Offset(value)
    if kind == 'stall':
        offset, _, secs = str(value).partition(':')
        if not secs:
            raise ValueError('fault %s needs OFFSET:SECONDS' % name)
        return name, (Offset(offset), _seconds(secs))
    if kind == 'bytes':
        return name, _size(value)
    return name, _seconds(value)


def parse_spec(spec):
    """'name' or 'name=value' as given to --fault."""
    name, sep, value = spec.partition('=')
    return parse_value(name.strip(), value.strip() if sep else None)


def _jsonable(value):
    if isinstance(value, Offset):
        return value.text
    if isinstance(value, tuple):
        return '%s:%s' % (value[0].text, value[1])
    return value


class Faults:
    """The active faults of one host; listeners learn of changes by callback."""

    def __init__(self):
        self._lock = threading.Lock()
        self._active = {}
        self._callbacks = []

    def on_change(self, fn):
        self._callbacks.append(fn)

    def get(self, name):
        with self._lock:
            return self._active.get(name)

    def set(self, name, value=None):
        name, value = parse_value(name, value)
        with self._lock:
            self._active[name] = value
        self._changed()

    def set_spec(self, spec):
        """'name' or 'name=value' as given to --fault."""
        name, sep, value = spec.partition('=')
        self.set(name.strip(), value.strip() if sep else None)

    def clear(self, name=None):
        with self._lock:
            if name is None:
                self._active.clear()
            else:
                self._active.pop(ALIASES.get(name, name), None)
        self._changed()

    def as_dict(self):
        with self._lock:
            return {k: _jsonable(v) for k, v in sorted(self._active.items())}

    def _changed(self):
        for fn in self._callbacks:
            fn()
