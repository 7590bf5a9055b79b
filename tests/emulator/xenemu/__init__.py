"""Xen host emulator: xend HTTP/SXP, relocation server and xenstored (Python 3 stdlib only)."""
