"""Memory the C heap holds free, given back to the system.

A large step (reading a national register, merging a collection into the master) frees tens
of MB of lists and buffers among what it keeps; glibc keeps those pages, the process's size
stays at its high-water mark, and worker processes forked after it inherit and count them.
"""

from __future__ import annotations

import functools
import sys
from typing import Any


def give_back_memory() -> None:
    """Return the C heap's free pages to the system (glibc's malloc_trim). Nothing where the
    C library has no malloc_trim (macOS, Windows, musl)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # a C library without it (musl)
        return None
