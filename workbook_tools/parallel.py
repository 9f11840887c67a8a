"""Work on many files at once: one process per core, results in the order of the inputs.

A national collection is hundreds of returns; reading, generating or filling one is
independent of the others, so each is a task for a pool of worker processes. Results come back
in the order the items were given, whatever finished first, so output never depends on timing.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS_VARIABLE = "WORKBOOK_TOOLS_WORKERS"
START_METHOD_VARIABLE = "WORKBOOK_TOOLS_START_METHOD"
WINDOWS_MAX_WORKERS = 61  # ProcessPoolExecutor refuses more on Windows (WaitForMultipleObjects)
MIN_ITEMS_PER_WORKER = 2  # below this, starting a process costs more than it saves
WORKER_GC_THRESHOLD = 10_000  # new containers between a worker's garbage-collection passes


def cores() -> int:
    """The cores this process may use, or WORKBOOK_TOOLS_WORKERS when set (1 keeps all the
    work in this process)."""
    setting = os.environ.get(WORKERS_VARIABLE, "").strip()
    if setting.isdigit() and int(setting) > 0:
        count = int(setting)
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:
        count = os.cpu_count() or 1
    return min(count, WINDOWS_MAX_WORKERS) if sys.platform == "win32" else count


def start_method() -> str | None:
    """The process start method: the platform's default (fork on Linux, spawn on Windows and
    macOS, where fork is unsafe), or WORKBOOK_TOOLS_START_METHOD when it names one this
    platform has (tests use it to run the pool under spawn on Linux)."""
    import multiprocessing

    setting = os.environ.get(START_METHOD_VARIABLE, "").strip().lower()
    return setting if setting in multiprocessing.get_all_start_methods() else None


def forks_in_two() -> bool:
    """Whether one piece of work can be split with a forked process: two cores or more, and
    processes start by fork (Linux's default; not spawn, as on Windows and macOS, where a
    process would start from nothing and be sent the work)."""
    import multiprocessing

    return cores() >= 2 and (start_method() or multiprocessing.get_start_method()) == "fork"


def worker_count(items: int) -> int:
    """Processes for `items` tasks: one per core, at most one per two tasks."""
    return max(1, min(cores(), items // MIN_ITEMS_PER_WORKER))


_JOB: list[Callable[[Any], Any]] = []


def _start(job: Callable[[Any], Any]) -> None:
    import signal

    # Ctrl+C is for the main process, which stops the pool; a worker would only print a
    # traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker's objects (a return's rows, a sheet's cells) are freed as each item is done;
    # the collector's passes every 700 new containers found next to nothing to free (30
    # returns of 1,000 rows: 100-140 passes, 10-30 ms, 41 objects). It still runs, past
    # WORKER_GC_THRESHOLD new containers, even in a worker forked while it was paused
    # (collector.py): a worker opens one file after another, whatever they hold.
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])
    gc.enable()
    _JOB[:] = [job]


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Ctrl+C held back while the workers are started: they start with it held, until `_start`
    has them ignore it (a spawned worker importing when it came printed a traceback); this
    process gets it as the block ends, and stops the pool."""
    if not hasattr(signal, "pthread_sigmask"):  # (Windows: Ctrl+C is not sent to the workers)
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _call(item: Any) -> Any:
    return _JOB[0](item)


def ordered_map(job: Callable[[T], R], items: Iterable[T], workers: int | None = None,
                on_crash: Callable[[T, BaseException], R] | None = None) -> Iterator[R]:
    """`map(job, items)`, in `workers` processes (None: `worker_count`), in the items' order.

    `job` is sent to each worker once (a picklable callable: a module-level function or an
    object of a module-level class), so what it carries, such as the plan, is not sent with
    every item. An exception in a job is raised here, as `map` would.

    Args:
        on_crash: for a worker process that dies on an item (killed, out of memory, a native
            library aborting): called with the item and the error, its result stands for the
            item's, and the other items are still done. Without it the error is raised. Which
            item killed the worker is found by running each unfinished item again, the first
            alone in a fresh process.
    """
    # the pool starts as the first result is asked for
    with StartedMap(job, items, workers, on_crash) as work:
        yield from work


def _pool_map(job: Callable[[T], R], items: list[T], count: int, context: Any) -> Iterator[R]:
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(min(count, len(items)), mp_context=context, initializer=_start,
                               initargs=(job,))
    try:
        with _ctrl_c_held():  # (every worker is started as the items are submitted)
            results = pool.map(_call, items)
        yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class StartedMap:
    """`ordered_map` with its work started now, not when the first result is asked for: the
    caller does other work meanwhile (consolidate reads the master), then iterates it once for
    the results, in the items' order. Use it in a `with` (or call `close`): leaving early stops
    it, the items not yet started cancelled and every worker ended (those running finish their
    item first)."""

    def __init__(self, job: Callable[[Any], Any], items: Iterable[Any], workers: int | None = None,
                 on_crash: Callable[[Any, BaseException], Any] | None = None) -> None:
        self.job, self.items, self.on_crash = job, list(items), on_crash
        self.count = worker_count(len(self.items)) if workers is None else max(1, workers)
        self.pool: Any = None
        self.started: Iterator[Any] | None = None
        if self.count <= 1 or len(self.items) < 2:
            return  # done in this process, as the results are asked for
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Under fork (Linux's default) a worker starts in milliseconds with the job already in
        # memory; under spawn (Windows, macOS) the job is pickled to each worker once.
        self.context = multiprocessing.get_context(start_method())
        # What exists now (a national plan is 100,000s of objects) is left out of garbage
        # collection while the pool runs: the workers then neither walk it nor copy its pages
        # (copy-on-write), and this process does not walk it again as results arrive.
        gc.freeze()
        self.pool = ProcessPoolExecutor(min(self.count, len(self.items)),
                                        mp_context=self.context, initializer=_start,
                                        initargs=(job,))
        try:
            with _ctrl_c_held():
                self.started = self.pool.map(_call, self.items)  # every item submitted here
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> StartedMap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the work (nothing when it is done): waits for the workers to end."""
        if self.pool is not None:
            pool, self.pool = self.pool, None
            try:
                pool.shutdown(wait=True, cancel_futures=True)
            finally:
                gc.unfreeze()

    def __iter__(self) -> Iterator[Any]:
        if self.started is None:
            yield from map(self.job, self.items)
            return
        from concurrent.futures.process import BrokenProcessPool

        done = 0
        try:
            for result in self.started:
                yield result
                done += 1
            return
        except BrokenProcessPool:
            if self.on_crash is None:
                raise
        finally:
            self.started = iter(())
            self.close()
        # the item in hand may only have been running when another one killed the pool: it
        # is run again alone, then the rest in a new pool
        item = self.items[done]
        try:
            result = next(_pool_map(self.job, [item], 1, self.context))
        except BrokenProcessPool as again:
            result = self.on_crash(item, again)
        yield result
        yield from ordered_map(self.job, self.items[done + 1:], self.count, self.on_crash)
