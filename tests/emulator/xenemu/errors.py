# SPDX-License-Identifier: LGPL-2.1-or-later
"""The exception kinds that decide what xend's HTTP layer answers (reference §1.5, §4.7)."""


class XendError(Exception):
    """xend's XendError (and VmError, VMBadState, ArgError ...): a (xend.err ...) reply."""

    def __str__(self):
        return self.args[0]


class ArgError(XendError):
    """A form argument was missing, repeated or not coercible."""


class Unhandled(Exception):
    """Any other exception escaping a threaded op: no HTTP reply at all (§4.7)."""
