"""The record of a master just written (master/record.py), found with the copy's own scan
(master/verbatim.py: its grammar, its reader, its rules for a quarter), run only over the rows
written anew.

A lean sheet of the new master is its header row, the block of rows copied from the old master
(its bytes checked as they were copied: the old part's SHA-256 as stored, and each run's
verbatim.Checksum), then the rows written anew. The scan, run on the new file, would take the
copied rows as it took them from the old one: the same bytes (each run's Checksum is checked
again here, and the part read here is the one written: the SHA-256 of its bytes as stored, as
read here, must be the writer's own, `recorded`), numbered the same, their quarters canonical
and in order, their cells read the same (checked: each style they use is a date in the new file
exactly when it was in the old one), each row checked as it was (what verbatim_text.plain_text
checks is a check of each row), and no row of theirs long enough to end a block (a cell holds at
most 32,767 characters). So what was found on them is carried over, and only the rows after
them are matched, from where the scan would be after the block. Anything that is not so gives
no record for the sheet (it is scanned as before).
"""

from __future__ import annotations

import dataclasses
import itertools
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbook_tools import parallel
from workbook_tools.files.deflate import open_part, packed_digest
from workbook_tools.files.flushed import inflated_around
from workbook_tools.files.guard import SafeWorkbook
from workbook_tools.files.memory import give_back_memory
from workbook_tools.files.package import sha256_of
from workbook_tools.files.xlsx import Saved
from workbook_tools.master import columns as mc
from workbook_tools.master import recordhelper, savingsrecord
from workbook_tools.master.carried import Sheet, carried, gap_of
from workbook_tools.master.columncoder import ColumnCoder, add_columns, expected_of
from workbook_tools.master.read import LEAN_SHEETS, MASTER_LIMITS, Master
from workbook_tools.master.readsheet import canonical_quarter, quarter_order
from workbook_tools.master.record import Record, SheetRecord, entry_path
from workbook_tools.master.savingsentry import entry_pieces
from workbook_tools.master.savingsrecord import NAME as SAVINGS
from workbook_tools.master.savingsrecord import Written, savings_of
from workbook_tools.master.verbatim import (
    MAX_ROW_BYTES,
    Block,
    Grammar,
    Run,
    note_styles,
    read_chunks,
    reader,
    switched_on,
)
from workbook_tools.master.verbatim_styles import date_styles
from workbook_tools.master.verbatim_text import (
    MAX_TEXT,
    only_one,
    plain_text,
    rows_begin,
)

#: a sheet part's bytes (uncompressed) from which records are made in a helper too (recordhelper)
PARALLEL_BYTES = 16 * 1024 * 1024
#: a helper's start (0.2-0.3 s, Python and modules), as the bytes of a sheet it would match
HELPER_START = 12 * 1024 * 1024
_MAX_CELL_BYTES = 6 * MAX_TEXT + 64  # '&quot;' for each character, and the cell's markup


def recorded(master: Master, written: Path, saved: Saved,
             styles: Written | None = None) -> tuple[str, Record] | None:
    """The record of the master just written to `written` and its bytes' SHA-256; None when
    records are off, or it would cost more to make than it saves, or cannot be made (a record
    is only ever a saving: nothing about it stops a write). Savings is recorded when the
    writer's `styles` for it are given (master/savingsrecord.py). `saved.packed`: each sheet's
    part's digest as stored, as the writer wrote it (files/xlsx.py's close_workbook): a sheet is
    on record only when the bytes its record was made from are those (the file is read again by
    its name, and a file put in its place meanwhile, then put back, would go unseen). Where the
    writer made full flushes at the rows' start and the runs' ends (`saved.points`) goes on
    record too (SheetRecord.stored)."""
    if entry_path("") is None or not switched_on():
        return None
    try:
        digest = sha256_of(written)
        found = record_of(written, master, saved, styles)
        # kept under these bytes only if they did not change while they were read
        return None if found is None or sha256_of(written) != digest else (digest, found)
    except Exception:  # noqa: BLE001 - the master is written either way
        return None


CHUNK_ROWS = 4096  # the rows written anew whose cells are read, then coded (columncoder.py)
#: the bytes of a lean sheet's cell written anew, about (Measures' at 60 returns: 65)
CELL_BYTES = 64


def helper_ahead(cells: int) -> None:
    """The helper started ahead (helper.start_ahead) while the file written is closed, when
    `record_of` will likely have one: records are on and a lean sheet's `cells` written anew
    reach PARALLEL_BYTES. Nothing about it stops a write."""
    try:
        if cells * CELL_BYTES >= PARALLEL_BYTES and entry_path("") is not None \
                and switched_on() and parallel.forks_in_two():
            recordhelper.start_ahead()
    except Exception:  # noqa: BLE001 - (the record's helper then starts when it is needed)
        pass


def record_of(path: Path, master: Master, saved: Saved,
              styles: Written | None = None) -> Record | None:
    """The record of the master `master` was just written to at `path` (None when none): on
    two cores (where processes fork) some sheets' in a helper process meanwhile (_shares,
    _with_helper)."""
    # (the file just written, checked by its digest before and after: `recorded`; not copied)
    with SafeWorkbook(path, MASTER_LIMITS, copy=False) as workbook:
        dates = date_styles(workbook.archive)
        if dates is None:
            return None
        # each sheet's bytes to go through: not those of the rows copied (carried.gap_of)
        jobs = [(name, part, block, _size(workbook, name) - (
            block.end - block.start if block is not None and gap_of(saved, part, block) else 0))
            for name in LEAN_SHEETS if (part := workbook.part(name))
            for block in [master.copies.get(name)]]
        load = _savings_load(_size(workbook, SAVINGS), master.copies.get(SAVINGS)) \
            if styles is not None else 0
    jobs.sort(key=lambda job: -job[3])
    if jobs and max(jobs[0][3], load) >= PARALLEL_BYTES and len(jobs) + bool(
            load) > 1 and parallel.forks_in_two():
        theirs, mine = _shares(jobs, load)
        found, savings = _with_helper(path, theirs, mine, frozenset(dates), master, styles,
                                      saved)
    else:
        found = _sheets(path, jobs, frozenset(dates), saved)
        savings = _savings(path, master, styles, saved)
    sheets = {name: sheet for name, sheet in found.items()
              if sheet is not None and sheet.packed == saved.packed.get(sheet.part)}
    for sheet in sheets.values():
        sheet.stored = saved.flushes(sheet.part, (sheet.start, *(r.end for r in sheet.runs)))
    return Record(sheets, savings_entry=savings, ordered=master.ordered_by) \
        if sheets or savings else None


def _size(workbook: SafeWorkbook, name: str) -> int:
    """The bytes of the sheet `name`'s part (0 when it has none)."""
    part = workbook.part(name)
    try:
        return workbook.archive.getinfo(part).file_size if part else 0
    except KeyError:
        return 0


def _savings_load(size: int, block: Block | None) -> int:
    """What making Savings' entry costs, as the bytes of a sheet's rows written anew to match
    (15-21 ns a byte): a byte of its part 0.35 of one (its read and entry, 6-7 ns a byte at 60
    returns and four quarters); but when its first rows were copied from the old master's
    record (their columns as it held them: savingsrecord.SavingsRecord.coded), a byte of
    theirs a sixteenth of one (their values neither worked out again nor looked up one by
    one: at 60 returns and four quarters, 0.5-0.75 s against 0.95-1.2 s), a byte of the rows
    after them 0.9 (measured on a slow machine)."""
    if block is None or block.coded is None:
        return size * 7 // 20
    copied = min(block.end - block.start, size)
    return (size - copied) * 9 // 10 + copied // 16


def _shares(jobs: list[_Job], savings: int) -> tuple[list[_Job], list[_Job]]:
    """The sheets whose records the helper makes (master/recordhelper.py) and those this
    process makes with Savings' entry (`savings`: its cost, `_savings_load`): the largest first
    to the side with fewer bytes to go through so far, the helper's start as HELPER_START
    bytes (none when it was started ahead: helper_ahead)."""
    theirs: list[_Job] = []
    mine: list[_Job] = []
    load = [0 if recordhelper.is_ahead() else HELPER_START, savings]  # theirs, mine
    for job in jobs:  # (largest first)
        side = 0 if load[0] < load[1] else 1
        (theirs, mine)[side].append(job)
        load[side] += job[3]
    return theirs, mine


def _savings(path: Path, master: Master, styles: Written | None, saved: Saved
             ) -> tuple[bytes, ...] | None:
    """Savings' entry in the record (master/savingsentry.py), or None: none when the bytes it
    found its rows' runs in are not its part as written (see `recorded`); with the writer's
    full flushes at its rows' start and runs' ends."""
    if styles is None:
        return None
    try:
        with SafeWorkbook(path, MASTER_LIMITS, copy=False) as workbook:  # (as record_of's)
            found = savings_of(master, workbook, styles, saved)
        if found is None or found.packed is not None and found.packed != saved.packed.get(
                found.part):
            return None
        found.stored = saved.flushes(found.part, (found.start, *(r.end for r in found.runs)))
        return entry_pieces(found, consume=True, packed=True)
    except Exception:  # noqa: BLE001 - no record of Savings, nothing else
        return None


_Job = tuple[str, str, Block | None, int]


def _sheets(path: Path, jobs: list[_Job], dates: frozenset[int], saved: Saved
            ) -> dict[str, SheetRecord | None]:
    return sheets_apart(path, [(name, part, block, gap_of(saved, part, block))
                               for name, part, block, _ in jobs], dates)


_Apart = tuple[str, str, Block | None, tuple[int, int, int, int] | None]


def sheets_apart(path: Path, jobs: list[_Apart], dates: frozenset[int]
                 ) -> dict[str, SheetRecord | None]:
    """The records of `jobs`' sheets, each with where its block's bytes are not inflated
    (carried.gap_of): here, and in the helper (recordhelper.py), each block without its columns
    (Block.held_apart) and a record made after one with `carried` [] for its sender to fill."""
    found: dict[str, SheetRecord | None] = {}
    with zipfile.ZipFile(path) as archive:
        for name, part, block, gap in jobs:
            with open_part(archive, part, hashed=True) as stream:
                # the block's rows, checked as they were copied: not inflated again (gap_of)
                piece = savingsrecord.SCAN_PIECE  # (beside the helper's work, at the peak)
                chunks = read_chunks(stream, piece) if gap is None else inflated_around(
                    stream, gap[1], gap[3], archive.getinfo(part).file_size, piece)
                sheet = _sheet(chunks, part, name, dates, block, gap)
                packed = packed_digest(stream)  # (of the very bytes scanned)
            if sheet is not None and packed is not None:
                sheet.packed = packed
                found[name] = sheet
            else:
                found[name] = None
    return found


def _with_helper(path: Path, theirs: list[_Job], mine: list[_Job], dates: frozenset[int],
                 master: Master, styles: Written | None, saved: Saved
                 ) -> tuple[dict[str, SheetRecord | None], tuple[bytes, ...] | None]:
    """Savings' entry and `mine`'s records made here while a helper makes `theirs'`; those
    of a helper that could not start, or stopped, made here after."""
    helper = recordhelper.start() if theirs else None
    try:
        sent = helper is not None and helper.give(
            (path, [(name, part, _apart(block), gap_of(saved, part, block))
                    for name, part, block, _ in theirs], dates))
        found = _sheets(path, mine, dates, saved)
        give_back_memory()  # (what reading its sheets held: not kept beside the helper's peak)
        savings = _savings(path, master, styles, saved)
        give_back_memory()  # (and what making its entry held, while the helper answers)
        got = helper.result() if helper is not None and sent else None
    except BaseException:
        if helper is not None:
            helper.stop()
        raise
    if type(got) is not dict:
        found.update(_sheets(path, theirs, dates, saved))  # (here, after all)
        return found, savings
    for name, _, block, _ in theirs:
        sheet = got.get(name)
        if type(sheet) is not SheetRecord:
            found[name] = None
        elif sheet.carried is not None:  # made after the block: its columns put back, or none
            columns = None if block is None else block.fitting_columns(len(sheet.cells))
            sheet.carried = columns
            found[name] = None if columns is None else sheet
        else:
            found[name] = sheet
    return found, savings


def _apart(block: Block | None) -> Block | None:
    """The block as the helper is sent it: its columns held here (but their packed texts,
    expected again: ColumnCoder), marked as held apart when they are all there to put back."""
    if block is None:
        return None
    columns = block.read_columns()
    return dataclasses.replace(block, cells=None, coded=None, held_apart=columns is not None,
                               expected=columns and list(map(expected_of, columns)))


def _sheet(chunks: Iterator[bytes], part: str, name: str, dates: frozenset[int],
           block: Block | None, gap: tuple[int, int, int, int] | None = None
           ) -> SheetRecord | None:
    headers = mc.SHEETS[name]
    if headers[0] != mc.QUARTER or len(headers) * _MAX_CELL_BYTES + 64 > MAX_ROW_BYTES:
        return None
    state = Sheet(chunks)
    begun = rows_begin(state.chunks, headers, MAX_ROW_BYTES)
    if begun is None:
        return None
    state.buffer, widths, start = begun
    state.pos = start
    if start > MAX_ROW_BYTES or gap is not None and start != gap[0]:
        return None
    grammar, before = Grammar(name, headers), list[Any]()
    cells: list[list[Any]] = [[] for _ in grammar.read]
    expected, last_order, quarter = 2, (0, 0, ""), ""
    record = SheetRecord(part, start, widths, False, dates, state.runs, cells)
    if block is not None:
        if carried(state, block, start, dates, cells, gap is not None) is None:
            return None
        # the block's columns by reference, as they are (SheetRecord.pieces): copied into new
        # lists, every value's count of references was written to (100 MB of pages copied at
        # 240 returns, when a forked process shared them)
        record.carried = block.read_columns() or []  # ([] held apart: its sender's to fill)
        before = block.expected or record.carried  # (held apart: their texts, `_apart`)
        expected = block.count + 2
        quarter = state.runs[-1].quarter
        last_order = quarter_order(quarter)
    return _rest(state, name, headers, grammar, dates, cells, expected, last_order, quarter,
                 record, before)


def _rest(state: Sheet, name: str, headers: tuple[str, ...], grammar: Grammar,
          dates: frozenset[int], cells: list[list[Any]], expected: int,
          last_order: tuple[int, int, str], quarter: str,
          record: SheetRecord, before: list[Any]) -> SheetRecord | None:
    """Match the rows written anew, as the scan does from where it is after the block."""
    match, width, places = grammar.pattern.match, len(headers), grammar.read
    texts: dict[str, str] = {}  # (each text read, and its bytes: emptied as the rows are coded)
    known: dict[bytes, Any] = {}
    read = reader(grammar.groups, set(dates), texts, known)
    buffer, pos = state.buffer, state.pos
    flushed = pos  # bytes of `buffer` hashed
    rows, styles, complete = 0, set(), False  # (rows of the run being matched)
    if state.runs:  # the last run copied may go on
        last = state.runs.pop()
        rows, styles = last.rows, set(last.styles or ())
    quarters: dict[bytes, tuple[tuple[int, int, str] | None, str]] = {}
    coders = [ColumnCoder(expected_of(column))  # (the IDs before, expected again)
              for column in before or itertools.repeat(None, len(cells))]

    def flush(upto: int) -> bool:
        piece = buffer[flushed:upto]
        if not plain_text(piece):
            return False
        state.digest.update(piece)
        note_styles(piece, styles)
        return True

    while True:
        found = match(buffer, pos)
        if found is None:
            if buffer.startswith(b"</sheetData>", pos):
                complete = only_one(buffer[pos + len(b"</sheetData>"):], state.chunks)
                break
            if b"</row>" in buffer[pos:] or len(buffer) - pos > MAX_ROW_BYTES:
                break
            chunk = next(state.chunks, b"")
            if not chunk:
                break
            if not flush(pos):
                return None
            state.base += pos
            buffer, pos, flushed = buffer[pos:] + chunk, 0, 0
            continue
        if int(found.group(1)) != expected:
            break
        text_bytes = found.group(2)
        seen = quarters.get(text_bytes)
        if seen is None:
            text = text_bytes.decode()
            seen = quarters[text_bytes] = (quarter_order(text) if canonical_quarter(text) == text
                                           else None, text)
        order, text = seen
        if order is None or order < last_order:
            break
        values: list[Any] = [None] * width
        values[0] = text
        if not read(found, values):
            break
        if text != quarter:
            if rows:
                if not flush(found.start()):
                    return None
                flushed = found.start()
                state.runs.append(Run(quarter, rows, state.base + flushed,
                                      state.digest.hexdigest(), frozenset(styles)))
            quarter, rows, styles = text, 0, set()
        for column, place in zip(cells, places, strict=True):
            column.append(values[place])
        if not expected % CHUNK_ROWS:  # (coded a chunk of rows at a time: columncoder.py)
            add_columns(coders, cells)
            if len(known) > CHUNK_ROWS:  # (texts met once are not kept: the coder has them)
                known.clear()
                texts.clear()
        rows += 1
        last_order = order
        expected += 1
        pos = found.end()
    if not flush(pos):
        return None
    if rows:
        state.runs.append(Run(quarter, rows, state.base + pos, state.digest.hexdigest(),
                              frozenset(styles)))
    if not state.runs:
        return None
    add_columns(coders, cells)
    record.cells = [coder.coded() for coder in coders]
    record.complete = complete
    return record
