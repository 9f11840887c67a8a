"""Python's cycle collector paused while this tool makes or reads 100,000s of objects that hold
no reference cycles: a register's rows and items, a return's cells, a master's rows. With that
many new objects the collector walks the ones already made again and again and finds next to
nothing to free (a four-quarter consolidate at 240 returns: 1.1 s of its main process's time,
collecting a few dozen objects; every process forked from it walked them too)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, and on again after it if it was on. Objects freed
    meanwhile are still freed as their last reference goes; only cycles wait for the collector's
    next pass. A process forked meanwhile starts with it off (parallel.py's workers turn it on:
    they open one return after another)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
