"""Rows kept on disk while a command works, rather than held by it (issue 16).

A national collection is 240,000 rows a quarter. Consolidating it into a new master held them
as Python objects twice over: the returns' typed rows as the workers sent them back (92 MB at
240 returns), then the master's rows made from them (170 MB). With a spool, each worker keeps
the rows of the returns it checks in a file of its own (returns/findings.py's SpooledTables)
and sends back where they are; the master's rows are made from them a return at a time and
kept again (master/chunked.py's ChunkedRows), and the writer reads them back in order.

The folder is made for the run by tempfile (only its user can read it), its files are written
by this process and the workers it started, and it is removed when the run ends. A run that was
killed (its `finally` never ran) leaves it: the next run removes a spool over a day old, as
master/safe.py does the master's leftovers. Each value is kept with a digest keyed by a secret
the run made and gave only its workers (HMAC-SHA-256), and nothing is unpickled unless the
digest is the one written: bytes changed on disk (a temporary folder others can write to) are
refused, never run.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import shutil
import tempfile
import time
from typing import IO, Any

#: A value's place in the spool: its file's name in the folder, where it starts, its length.
Place = tuple[str, int, int]

_OPEN: dict[str, Spool] = {}  # this process's spools, by folder
PREFIX = "workbook-tools-spool-"
STALE_SECONDS = 24 * 3600  # a spool older than this is a killed run's (master/safe.py's rule)
_DIGEST = 32


class Spool:
    """A folder of files each written by one process (its own, appended to), read back by
    place. `Spool()` makes the folder; `Spool.joined(handle)` is a worker's hold on it."""

    def __init__(self, folder: str | None = None, key: bytes | None = None) -> None:
        self.owner = folder is None
        if folder is None:
            remove_stale(tempfile.gettempdir())
            try:
                folder = tempfile.mkdtemp(prefix=PREFIX)
            except OSError as exc:
                raise _kept_nowhere(exc, tempfile.gettempdir()) from None
        self.folder = folder
        self.key = secrets.token_bytes(32) if key is None else key
        self._readers: dict[str, IO[bytes]] = {}
        _OPEN[self.folder] = self

    @property
    def handle(self) -> tuple[str, bytes]:
        """What a worker needs to join the spool (`joined`): never written anywhere."""
        return self.folder, self.key

    @classmethod
    def of(cls, folder: str) -> Spool:
        """This process's spool in `folder` (made or joined here).

        Raises:
            OSError: there is none (its rows were sent to a process that never joined it)."""
        found = _OPEN.get(folder)
        if found is None:
            raise OSError(0, "rows kept while consolidating, sent where they cannot be read",
                          folder)
        return found

    @classmethod
    def joined(cls, handle: tuple[str, bytes]) -> Spool:
        """The spool `handle` names (made by the process that started this one)."""
        folder, key = handle
        return _OPEN.get(folder) or cls(folder, key)

    def put(self, value: Any) -> Place:
        """Keep `value` (pickled, behind its digest) in this process's file; where it is."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        name = f"rows-{os.getpid()}"
        path = os.path.join(self.folder, name)
        try:
            with open(path, "ab") as out:
                at = out.seek(0, os.SEEK_END)
                out.write(self._digest(data))
                out.write(data)
        except OSError as exc:
            raise _kept_nowhere(exc, path) from None
        return name, at, _DIGEST + len(data)

    def get(self, place: Place) -> Any:
        """What `put` kept at `place`.

        Raises:
            OSError: it is not there as it was written (cut short, or changed)."""
        name, at, length = place
        path = os.path.join(self.folder, name)
        try:
            handle = self._readers.get(name)
            if handle is None:
                handle = self._readers[name] = open(path, "rb")  # noqa: SIM115 - (close())
            handle.seek(at)
            data = handle.read(length)
        except OSError as exc:
            raise _kept_nowhere(exc, path) from None
        digest, data = data[:_DIGEST], data[_DIGEST:]
        if len(data) != length - _DIGEST or not hmac.compare_digest(digest, self._digest(data)):
            raise OSError(0, "the rows kept there while consolidating were changed or cut "
                          "short by something else; nothing was written. Run it again", path)
        return pickle.loads(data)  # noqa: S301 - this run's own: its digest is the one written

    def _digest(self, data: bytes) -> bytes:
        return hmac.new(self.key, data, hashlib.sha256).digest()  # (SHA-256 is in hardware)

    def close(self) -> None:
        """Close its files; the folder removed by the process that made it."""
        for handle in self._readers.values():
            with contextlib.suppress(OSError):
                handle.close()
        self._readers.clear()
        _OPEN.pop(self.folder, None)
        if self.owner:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def remove_stale(place: str) -> None:
    """Remove the spools a killed run left in `place` (over a day old: one younger may be
    another run's, working now). Best effort: what cannot be removed is left."""
    try:
        found = [entry for entry in os.scandir(place)
                 if entry.name.startswith(PREFIX) and entry.is_dir(follow_symlinks=False)]
    except OSError:
        return
    now = time.time()
    for entry in found:
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue


def _kept_nowhere(exc: OSError, path: str) -> OSError:
    """An error keeping or reading the rows, said with where and that nothing was written."""
    return OSError(exc.errno, f"{exc.strerror or exc} (the temporary folder, where "
                   "consolidate keeps the quarter's rows while it works: make room there, or set "
                   "TMPDIR (TMP on Windows) to another folder); nothing was written", path)
