"""Rows kept on disk while a command works, rather than held by it (issue 16).

A national collection is 240,000 rows a quarter. Consolidating it into a new master held them
as Python objects twice over: the returns' typed rows as the workers sent them back (92 MB at
240 returns), then the master's rows made from them (170 MB). With a spool, each worker keeps
the rows of the returns it checks in a file of its own (returns/findings.py's SpooledTables)
and sends back where they are; the master's rows are made from them a return at a time and
kept again (master/chunked.py's ChunkedRows), and the writer reads them back in order.

The folder is made for the run by tempfile (only its user can read it), its files are written
by this process and the workers it started, and it is removed when the run ends, however it
ends. What is read back is what this program wrote (pickled, as the workers' results are sent).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
from typing import IO, Any

#: A value's place in the spool: its file's name in the folder, where it starts, its length.
Place = tuple[str, int, int]

_OPEN: dict[str, Spool] = {}  # this process's spools, by folder


class Spool:
    """A folder of files each written by one process (its own, appended to), read back by
    place. `Spool()` makes the folder; `Spool.joined(folder)` is another process's hold on it."""

    def __init__(self, folder: str | None = None) -> None:
        self.owner = folder is None
        self.folder = tempfile.mkdtemp(prefix="workbook-tools-spool-") if folder is None \
            else folder
        self._readers: dict[str, IO[bytes]] = {}
        _OPEN[self.folder] = self

    @classmethod
    def joined(cls, folder: str) -> Spool:
        """The spool in `folder` (made by the process that started this one)."""
        return _OPEN.get(folder) or cls(folder)

    def put(self, value: Any) -> Place:
        """Keep `value` (pickled) in this process's file; where it is."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        name = f"rows-{os.getpid()}"
        with open(os.path.join(self.folder, name), "ab") as out:
            at = out.seek(0, os.SEEK_END)
            out.write(data)
        return name, at, len(data)

    def get(self, place: Place) -> Any:
        """What `put` kept at `place`."""
        name, at, length = place
        handle = self._readers.get(name)
        if handle is None:
            handle = self._readers[name] = open(os.path.join(self.folder, name), "rb")  # noqa: SIM115
        handle.seek(at)
        data = handle.read(length)
        if len(data) != length:
            raise OSError(f"{self.folder}: rows kept while working were cut short")
        return pickle.loads(data)  # noqa: S301 - this program's own, in its own folder

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
