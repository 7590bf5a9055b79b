# SPDX-License-Identifier: LGPL-2.1-or-later
"""Xen host emulator: xend HTTP/SXP, relocation server and xenstored (Python 3 stdlib only)."""
