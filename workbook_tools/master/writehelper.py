"""The larger sheets' rows written by a helper process (helper.py) while this one writes the
others: the rows are most of a master's write (four quarters at 240 returns: 1.2 million rows,
of which the quarter's 240,000 are written anew).

The helper is sent each of its sheets' writer (files/rowxml.py's RowWriter, without the
worksheet) and the rows to write as their values, in batches, in a file this process writes
first and names to it (the helper may have been started ahead, while the quarter was merged:
helper.start_ahead); it takes the rows copied from the old master as stored (their bytes
checked: Splice), or finds them put in the rows' file here (inflated: verbatim_copy.copy),
appends the rows' XML to each sheet's rows' file, and answers with how far each file then
goes. Everything the workbook numbers (formats) or keeps (notes on cells) is done before,
here, so the file is the same whichever process writes a sheet's rows (tested). A helper that
cannot start, fails or answers otherwise: its sheets' files are cut back to where it began,
and their rows written here after all.

Why not a forked process, as before: it shared every page of the master's rows, and touching
the rows it wrote copied 140 MB of them at 240 returns (helper.py).
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from typing import IO

from workbook_tools import helper
from workbook_tools.files.rowxml import _style
from workbook_tools.master.writerows import Row, SheetRows, values_of

#: rows pickled together: the helper holds one batch at a time
BATCH = 4000


def write_in_two(sheets: list[SheetRows]) -> None:
    """Write every sheet's rows (not `finish`ed): the larger share by a helper while this
    process writes the rest.

    Raises:
        OSError: the rows could not be written.
    """
    theirs, mine = _shares(sheets)
    # each sheet's copied rows checked and put in place here, but those taken as stored
    # (verbatim_copy.Splice: inflated to be checked) by the helper, which has the time
    begun = [(sheet.write_block(take=False), sheet) for sheet in theirs]
    # where each file is before the helper's rows: cut back to it should they not be right
    starts = [(os.path.getsize(sheet.writer.rows_file), sheet.writer.last) for _, sheet in begun]
    writing, work = None, None
    try:
        try:
            handle, work = tempfile.mkstemp(prefix="workbook-tools-rows-")
            with os.fdopen(handle, "wb") as out:
                _send(out, begun)
            # (one started ahead, while the quarter was merged: helper.start_ahead)
            writing = helper.start(__name__)
            if writing is not None and not writing.give(work):
                writing = None  # (stopped)
        except Exception:  # noqa: BLE001 - (the temporary folder full, say): written here
            if writing is not None:
                writing.stop()
            writing = None
        for sheet in mine:
            sheet.write()
        got = writing.result() if writing is not None else None
    except BaseException:
        if writing is not None:
            writing.stop()
        raise
    finally:
        if work is not None:  # (the helper has ended: result and stop wait for it)
            with contextlib.suppress(OSError):
                os.remove(work)
    if got != [(sheet.name, os.path.getsize(sheet.writer.rows_file)) for sheet in theirs]:
        for (first, sheet), (size, last) in zip(begun, starts, strict=True):
            os.truncate(sheet.writer.rows_file, size)  # (here, after all)
            sheet.writer.last = last
            splice = sheet.untaken()
            if splice is not None:
                splice.take()
            sheet.write_rows(first, sheet.rows_from(first))


#: a helper's start (0.25 s: a Python started, this package's modules imported), as the cells
#: it would write meanwhile (none when it was started ahead: helper.start_ahead); and each cell
#: it writes counted as 1.1 of this process's (sent here, then taken off the file there)
HELPER_START_CELLS = 140_000


def _shares(sheets: list[SheetRows]) -> tuple[list[SheetRows], list[SheetRows]]:
    """The helper's sheets and this process's: the larger first (the helper's first), each to
    the side with less to do so far."""
    theirs: list[SheetRows] = []
    mine: list[SheetRows] = []
    load = [0 if helper.is_ahead(__name__) else HELPER_START_CELLS, 0]  # theirs, mine
    for sheet in sorted(sheets, key=lambda s: -s.cells):
        side = 0 if not theirs or load[0] < load[1] else 1
        (theirs, mine)[side].append(sheet)
        load[side] += sheet.cells * 11 // 10 if side == 0 else sheet.cells
    return theirs, mine


def _send(work: IO[bytes], begun: list[tuple[int, SheetRows]]) -> None:
    """The helper's work into the file `work`: each sheet without its rows (`_apart`), from
    which row on, and to which; then each sheet's rows from there, as lists of values."""
    pickle.dump([(_apart(sheet), first, len(sheet.rows), sheet.untaken())
                 for first, sheet in begun], work, protocol=pickle.HIGHEST_PROTOCOL)
    for first, sheet in begun:
        records, headers = sheet.rows_from(first), sheet.headers
        while batch := [list(values_of(record, headers))
                        for record in itertools.islice(records, BATCH)]:
            pickle.dump(batch, work, protocol=pickle.HIGHEST_PROTOCOL)


def _apart(sheet: SheetRows) -> SheetRows:
    """The sheet as the helper is sent it: its writer without the worksheet (RowWriter's
    pickled state), no rows, no block (its rows taken as stored are sent beside it), people's
    formats as the styles they were numbered as."""
    apart = copy.copy(sheet)
    apart.rows, apart.source, apart.block = (), None, None
    apart.theirs = {index: {col: _style(look) for col, look in looks.items()}
                    for index, looks in sheet.theirs.items()}
    return apart


def _records(stream: IO[bytes], count: int) -> Iterator[Row]:
    """In the helper: `count` rows, batch by batch as they were sent."""
    while count > 0:
        batch = pickle.load(stream)  # noqa: S301 - written by the process that started it
        if type(batch) is not list or len(batch) > count:
            raise ValueError("a batch of rows that does not fit")
        count -= len(batch)
        yield from batch


def _serve() -> int:
    """In the helper: write the rows it is sent; answer with each sheet's rows' file's size."""
    try:
        work = pickle.load(sys.stdin.buffer)  # noqa: S301 - sent by the process that started it
        if type(work) is not str:
            return 1
        done = []
        with open(work, "rb") as stream:
            with contextlib.suppress(OSError):  # (no longer named once open, where it can be:
                os.remove(work)  # a process killed does not leave it behind)
            sheets = pickle.load(stream)  # noqa: S301 - written by the process that started it
            for sheet, first, count, splice in sheets:
                if splice is not None:  # (its file left for the one that sent it, if not right)
                    splice.take(forget=False)
                sheet.write_rows(first, _records(stream, count - first))
                done.append((sheet.name, os.path.getsize(sheet.writer.rows_file)))
    except Exception:  # noqa: BLE001 - the process that started it writes them
        return 1
    return helper.answer(done)
