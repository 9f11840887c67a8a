"""Some lean sheets' records (master/recorder.py) made in a process started afresh, while this
one makes Savings' entry and the other sheets' records.

Why not a forked process, as before: a forked process shares the pages of everything the
consolidate holds, and whichever of the two then touches an object (its count of references
written to) copies the page it is on. Making Savings' entry reads every Savings cell of the
master, at four quarters of 240 returns a million values spread over the heap: measured, the
forked process came to hold 140 MB of its own, most of it pages copied, beside the 310-390 MB
of the one it was forked from. A process started afresh holds only what it is sent (the file's
name, and where each sheet's rows copied from the old master are) and what it makes; the
process that holds the master touches its values where no other process shares their pages.

The helper is this module run by the same Python, sent its work pickled on its
standard input, and answering pickled on its standard output: the master's own sheets' records,
made by the scan's own code (master/recorder.py's `sheets_apart`). A record is only ever a saving:
a helper that cannot start, fails or stops gives no record of its sheets, and nothing else.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import workbook_tools

#: the folder holding the package: on the helper's path first, so that it runs this code
_ROOT = str(Path(workbook_tools.__file__).resolve().parent.parent)


class Helper:
    """A helper process, started: `give` it its work, then take its `result`."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    def give(self, work: Any) -> bool:
        """Send the work (False when it could not be sent: the helper stopped, and gives no
        result)."""
        assert self.process.stdin is not None
        try:
            pickle.dump(work, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.close()
        except Exception:  # noqa: BLE001 - (a pipe closed, a value that does not pickle)
            self.stop()
            return False
        return True

    def result(self) -> Any:
        """What the helper sent back (None when it stopped without an answer)."""
        assert self.process.stdout is not None
        try:
            # as it comes, not held whole beside what it makes (the helper is this package's
            # own code, run on a file this process wrote)
            found = pickle.load(self.process.stdout)  # noqa: S301
        except Exception:  # noqa: BLE001 - (it stopped, or sent less): no record of its sheets
            found = None
        try:
            code = self.process.wait()
        except BaseException:
            self.stop()
            raise
        finally:
            self.process.stdout.close()
        return found if code == 0 else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


def start() -> Helper | None:
    """A helper process, starting (None when none can be started). Started isolated (`-I`:
    neither the working folder nor PYTHON* variables on its path, nothing there imported in
    place of the library's own), with the folder this package was imported from first on its
    path unless it is where packages are installed anyway."""
    if not sys.executable or getattr(sys, "frozen", False):  # (a frozen build: the app itself)
        return None
    root = "" if _ROOT in _installed() else _ROOT
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _START, root],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except (OSError, ValueError):
        return None
    return Helper(process)


_START = ("import sys\nif sys.argv[1]:\n    sys.path.insert(0, sys.argv[1])\n"
          "from workbook_tools.master.recordhelper import _serve\nsys.exit(_serve())")


def _installed() -> set[str]:
    """The folders of installed packages an isolated Python has on its path (not the user's
    own: -I leaves that out)."""
    import site

    try:
        found = site.getsitepackages()
    except AttributeError:  # (a virtual environment's old site module)
        return set()
    return {str(Path(place).resolve()) for place in found}


def _serve() -> int:
    """In the helper: the records of the sheets it is sent, sent back."""
    from workbook_tools.master.recorder import sheets_apart

    try:
        work = pickle.load(sys.stdin.buffer)  # noqa: S301 - sent by the process that started it
        found = sheets_apart(*work)
    except Exception:  # noqa: BLE001 - no record of these sheets
        return 1
    pickle.dump(found, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()
    return 0
