# SPDX-License-Identifier: LGPL-2.1-or-later
"""S-expressions the way xend's sxp module reads and prints them (reference §2).

Strings are Python 2 byte strings on the real side.  Here every text is a
``str`` whose code points are the bytes (latin-1 view), so printing and
parsing are byte-exact.  Use ``wire()`` / ``unwire()`` at the edges.
"""

import string

MAX_DEPTH = 64          # emulator bound: deeper input is a ParseError

_WHITESPACE = ' \t\n\v\f\r'
_ATOM_CHARS = frozenset(string.ascii_letters + string.digits + '.-_:/~')
_SEPARATORS = '{}()<>[];'
_PRINTABLE = frozenset(string.printable)
_ESCAPES = {'a': '\a', 'b': '\b', 't': '\t', 'n': '\n', 'v': '\v',
            'f': '\f', 'r': '\r', '\\': '\\', "'": "'", '"': '"'}
_HEX = frozenset(string.hexdigits)
_OCT = frozenset('01234567')


class ParseError(ValueError):
    pass


class NeedMore(Exception):
    """The buffer ends inside a value and more input may follow."""


class Long(int):
    """A Python 2 long: printed quoted, e.g. (vcpu_avail '3')."""


def wire(text):
    return text.encode('latin-1')


def unwire(data):
    return data.decode('latin-1')


def from_unicode(text):
    """A real Unicode text (e.g. from JSON) as its UTF-8 bytes, latin-1 view."""
    return text.encode('utf-8').decode('latin-1')


# ---------------------------------------------------------------- printing

def py2_repr(text):
    """repr() of a Python 2 byte string."""
    quote = '"' if ("'" in text and '"' not in text) else "'"
    out = [quote]
    for ch in text:
        code = ord(ch)
        if ch == quote or ch == '\\':
            out.append('\\' + ch)
        elif ch == '\t':
            out.append('\\t')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif code < 0x20 or code >= 0x7f:
            out.append('\\x%02x' % code)
        else:
            out.append(ch)
    out.append(quote)
    return ''.join(out)


def py2_float(value):
    """str() of a Python 2 float: 12 significant digits."""
    text = '%.12g' % value
    if text.lstrip('-').isdigit():
        text += '.0'
    return text


def is_atom(text):
    return text == '@' or (text != '' and all(c in _ATOM_CHARS for c in text))


def show(value, empty_quote=True):
    """Print a value like sxp.show.  empty_quote: 4.1+ prints '' for ''."""
    if isinstance(value, (list, tuple)):
        return '(' + ' '.join(show(v, empty_quote) for v in value) + ')'
    if isinstance(value, bool):
        return 'True' if value else 'False'
    if isinstance(value, Long):
        return py2_repr(str(int(value)))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return py2_float(value)
    if value is None:
        return py2_repr('None')
    if value == '':
        return "''" if empty_quote else ''
    if is_atom(value):
        return value
    return py2_repr(value)


# ---------------------------------------------------------------- parsing

class _Input:
    def __init__(self, text, pos, eof):
        self.text = text
        self.pos = pos
        self.eof = eof

    def peek(self):
        if self.pos < len(self.text):
            return self.text[self.pos]
        if self.eof:
            return None
        raise NeedMore()


def _skip_blank(inp):
    """Skip whitespace and comments; False at the end of input."""
    while True:
        ch = inp.peek()
        if ch is None:
            return False
        if ch in _WHITESPACE:
            inp.pos += 1
        elif ch == '#':
            while True:
                ch = inp.peek()
                if ch is None:
                    return False
                inp.pos += 1
                if ch == '\n':
                    break
        else:
            return True


def _string(inp):
    quote = inp.text[inp.pos]
    inp.pos += 1
    out = []
    while True:
        ch = inp.peek()
        if ch is None:
            raise ParseError('unexpected EOF')
        inp.pos += 1
        if ch == quote:
            return ''.join(out)
        if ch != '\\':
            out.append(ch)
            continue
        ch = inp.peek()
        if ch is None:
            raise ParseError('unexpected EOF')
        if ch in _ESCAPES:
            inp.pos += 1
            out.append(_ESCAPES[ch])
        elif ch == 'x':
            inp.pos += 1
            digits = ''
            while len(digits) < 2:
                ch = inp.peek()
                if ch is None or ch not in _HEX:
                    raise ParseError('invalid \\x escape')
                digits += ch
                inp.pos += 1
            out.append(chr(int(digits, 16)))
        elif ch in _OCT:
            digits = ''
            while len(digits) < 3:
                ch = inp.peek()
                if ch is None or ch not in _OCT:
                    break
                digits += ch
                inp.pos += 1
            if int(digits, 8) > 255:
                raise ParseError('invalid octal escape')
            out.append(chr(int(digits, 8)))
        else:
            # xend keeps a lone backslash and drops the unknown letter
            inp.pos += 1
            out.append('\\')


def _atom(inp):
    start = inp.pos
    inp.pos += 1        # the first character, even a separator
    while True:
        ch = inp.peek()
        if ch is None or ch in _WHITESPACE or ch == '#' or ch in _SEPARATORS:
            return inp.text[start:inp.pos]
        inp.pos += 1


_END = object()


def _value(inp, depth):
    """One value, _END at end of input, None for an unclosed list at EOF."""
    if not _skip_blank(inp):
        return _END
    ch = inp.text[inp.pos]
    if ch == '\x04':
        inp.pos = len(inp.text)
        return _END
    if ch not in _PRINTABLE:
        raise ParseError('invalid character: code %d' % ord(ch))
    if ch == ')':
        raise ParseError('syntax error: )')
    if ch in '"\'':
        return _string(inp)
    if ch != '(':
        return _atom(inp)
    if depth >= MAX_DEPTH:
        raise ParseError('too deeply nested')
    inp.pos += 1
    items = []
    while True:
        if not _skip_blank(inp):
            return None
        if inp.text[inp.pos] == ')':
            inp.pos += 1
            return items
        item = _value(inp, depth + 1)
        if item is _END or item is None:
            return None
        items.append(item)


def parse_one(text, pos=0, eof=True):
    """Parse the next value of text[pos:].

    Returns (value, new_pos, more): more is False once the input is used up
    (value is then None: no value, as for an unclosed list at EOF).
    Raises NeedMore when eof is False and the value is incomplete.
    """
    inp = _Input(text, pos, eof)
    value = _value(inp, 0)
    if value is _END:
        return None, inp.pos, False
    if value is None:
        return None, inp.pos, False
    return value, inp.pos, True


def parse(text):
    """All top-level values of a complete text."""
    values = []
    pos = 0
    while True:
        value, pos, more = parse_one(text, pos, True)
        if not more:
            return values
        values.append(value)


# ---------------------------------------------------------------- Python 2 int()

_PY2_SPACE = ' \t\n\r\v\f'


def py2_int(text):
    """int(text) of Python 2 on a byte string; ValueError with its message."""
    body = text.strip(_PY2_SPACE)
    digits = body[1:] if body[:1] in ('+', '-') else body
    if digits and all(c in string.digits for c in digits):
        return int(body)
    raise ValueError('invalid literal for int() with base 10: %s' % py2_repr(text[:200]))


# ---------------------------------------------------------------- access

def child_value(sxpr, name, default=None):
    """The first value of the first (name value ...) child of a list."""
    if isinstance(sxpr, list):
        for item in sxpr[1:]:
            if isinstance(item, list) and item and item[0] == name:
                return item[1] if len(item) > 1 else default
    return default


def child(sxpr, name):
    if isinstance(sxpr, list):
        for item in sxpr[1:]:
            if isinstance(item, list) and item and item[0] == name:
                return item
    return None
