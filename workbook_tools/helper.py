"""A helper process: this package's own code, run by the same Python in a process started afresh,
sent its work pickled on its standard input and answering pickled on its standard output.

Why not a forked process: a forked process shares the pages of everything its parent holds, and
whichever of the two then touches an object (its count of references written to) copies the
page it is on. A consolidate at four quarters of 240 returns holds 300-400 MB of rows spread over
the heap; measured, a forked process that made some sheets' records came to hold 140 MB of its
own, and one that wrote some sheets' rows as much, most of it pages copied. A process started
afresh holds only what it is sent and what it makes, and the process that holds the master
touches its objects where no other process shares their pages. Nor does it need fork: it
starts the same way on every platform.

A helper's work is only ever a saving of time: one that cannot start, fails or stops is
answered by the caller doing the work itself.
"""

from __future__ import annotations

import atexit
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import workbook_tools

#: the folder holding the package: on the helper's path first, so that it runs this code
_ROOT = str(Path(workbook_tools.__file__).resolve().parent.parent)
#: what the helper runs: the module named (sys.argv[2]) serves (its `_serve`, returning the exit
#: code), the package's folder (sys.argv[1]) first on the path when it is given
_START = ("import sys\nif sys.argv[1]:\n    sys.path.insert(0, sys.argv[1])\n"
         "import importlib\nsys.exit(importlib.import_module(sys.argv[2])._serve())")


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
        """What the helper sent back (None when it stopped without an answer, or failed)."""
        assert self.process.stdout is not None
        try:
            # as it comes, not held whole beside what it makes (the helper is this package's
            # own code, run on work this process gave it)
            found = pickle.load(self.process.stdout)  # noqa: S301
        except Exception:  # noqa: BLE001 - (it stopped, or sent less): no answer
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


#: helpers started ahead (`start_ahead`), by module, for `start` to take
_AHEAD: dict[str, Helper] = {}


def start_ahead(module: str) -> None:
    """Start a helper for `module` now, for `start` to take when its work is ready: while this
    process works alone (merging a quarter, closing the file written), its start (a Python
    started, this package's modules imported: 0.2-0.3 s) is made on a core that would
    otherwise wait. Unless taken, it is stopped by `stop_ahead` (at the latest as this
    process ends)."""
    if module not in _AHEAD:
        found = _started(module)
        if found is not None:
            _AHEAD[module] = found


def is_ahead(module: str) -> bool:
    """Whether a helper for `module` was started ahead and is running (its start made)."""
    ahead = _AHEAD.get(module)
    return ahead is not None and ahead.process.poll() is None


@atexit.register
def stop_ahead() -> None:
    """Stop the helpers started ahead and not taken."""
    while _AHEAD:
        _AHEAD.popitem()[1].stop()


def start(module: str) -> Helper | None:
    """A helper process running `module`'s `_serve`, starting (None when none can be started),
    to be `give`n its work: one started ahead for `module` when it is still running. Started
    isolated (`-I`: neither the working folder nor PYTHON* variables on its path, nothing
    there imported in place of the library's own), with the folder this package was imported
    from first on its path unless it is where packages are installed anyway."""
    ahead = _AHEAD.pop(module, None)
    if ahead is not None:
        if ahead.process.poll() is None:
            return ahead
        ahead.stop()
    return _started(module)


def _started(module: str) -> Helper | None:
    if not sys.executable or getattr(sys, "frozen", False):  # (a frozen build: the app itself)
        return None
    root = "" if _ROOT in _installed() else _ROOT
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _START, root, module],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except (OSError, ValueError):
        return None
    return Helper(process)


def _installed() -> set[str]:
    """The folders of installed packages an isolated Python has on its path (not the user's
    own: -I leaves that out)."""
    import site

    try:
        found = site.getsitepackages()
    except AttributeError:  # (a virtual environment's old site module)
        return set()
    return {str(Path(place).resolve()) for place in found}


def answer(found: Any) -> int:
    """In the helper: send `found` back; the exit code."""
    pickle.dump(found, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()
    return 0
