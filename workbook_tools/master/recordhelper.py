"""Some lean sheets' records (master/recorder.py) made in a helper process (helper.py), while
this one makes Savings' entry and the other sheets' records.

Making Savings' entry reads every Savings cell of the master, at four quarters of 240 returns a
million values spread over the heap: a forked process doing the rest came to hold 140 MB of
its own, most of it pages copied (helper.py). The helper is sent the file's name and where each
sheet's rows copied from the old master are, and answers with those sheets' records, made by
the scan's own code (master/recorder.py's `sheets_apart`). A record is only ever a saving: a
helper that cannot start, fails or stops gives no record of its sheets, and nothing else.
"""

from __future__ import annotations

import pickle
import sys

from workbook_tools import helper


def start() -> helper.Helper | None:
    """A helper making records, starting (None when none can be started)."""
    return helper.start(__name__)


def is_ahead() -> bool:
    """Whether one was started ahead and is running (helper.is_ahead)."""
    return helper.is_ahead(__name__)


def start_ahead() -> None:
    """A helper making records started now, for `start` to take (helper.start_ahead)."""
    helper.start_ahead(__name__)


def _serve() -> int:
    """In the helper: the records of the sheets it is sent, sent back."""
    from workbook_tools.master.recorder import sheets_apart

    try:
        work = pickle.load(sys.stdin.buffer)  # noqa: S301 - sent by the process that started it
        found = sheets_apart(*work)
    except Exception:  # noqa: BLE001 - no record of these sheets
        return 1
    return helper.answer(found)
