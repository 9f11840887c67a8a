"""Savings' earlier quarters copied as bytes (issue 16), as the lean sheets' are
(master/verbatim.py), for a consolidate into a master whose Savings is on record
(master/savingsrecord.py).

The record of a master the tool wrote holds Savings as a read of the file gives it back, and
now also where its first rows' quarters end in the sheet's part, with the checksum of the bytes
up to each end (verbatim.Checksum) and the styles their cells use. A consolidate then copies the
rows of the quarters before the one it consolidates as their bytes, checked against that
checksum, and holds them as the columns of their values (a sheetrow.Copied holding every
column: a row made from it is the row a read gives), not as a dict each (240,000 dicts, 231 MB,
at four quarters of 240 returns).

Only rows whose bytes are what this run would write again are on record as copyable: the
sheet's first rows, each with a canonical quarter as written, in time order, a Saving ID not
blank, with no space around it and not already seen in its quarter, not orphaned (orphaned rows
are made again from finance's entries each run), and no formula of people's. Comments and
formats on them are kept as they are on rows written again (the formats numbered in the same
order: master/write.py), and the styles their cells use are checked to mean the same in the new
file. The consolidate checks the rest (master/consolidate.py): a copied row
keeps finance's entry only when the entry is its own, unchanged (the ledger did not cover its
quarter); anything else reads the rows back out of the columns and writes them again.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator
from typing import Any

from workbook_tools.master import columns as mc
from workbook_tools.master.columncode import head_of
from workbook_tools.master.ledger import VARIANCES, number, variance
from workbook_tools.master.readsheet import canonical_quarter, quarter_order
from workbook_tools.master.sheetrow import Copied, Row, column_of
from workbook_tools.master.verbatim import Block, Checksum, Run

SAVING_ID = "Saving ID"


def copyable(header: list[str], columns: list[Any], quarters_written: list[Any],
             marked: set[int]) -> int:
    """How many of Savings' first rows a consolidate into this master may copy (see the
    module's notes); `columns` as read back, `quarters_written` the Quarter cells as written,
    `marked` the rows (numbered in the sheet) with a formula of people's. Worked out a column
    at a time, in C where it can be (240,000 rows at 240 returns)."""
    quarters = columns[header.index(mc.QUARTER)]
    ids = columns[header.index(SAVING_ID)]
    orphaned = columns[header.index(mc.ORPHANED)]
    limit = min(len(quarters), min(marked, default=len(quarters) + 2) - 2)
    if quarters_written != quarters:
        limit = min(limit, _first(map(operator.ne, quarters, quarters_written)))
    if orphaned.count(None) != len(orphaned):
        limit = min(limit, _first(v is not None for v in orphaned))
    bad = {v for v in set(ids) if v.__class__ is not str or not v or v.strip() != v}
    if bad:
        limit = min(limit, _first(v in bad for v in ids))
    at, last = 0, (0, 0, "")
    for quarter, same in itertools.groupby(quarters[:limit]):
        order = quarter_order(quarter) if quarter.__class__ is str and canonical_quarter(
            quarter) == quarter else None
        if order is None or order <= last:  # (each run another quarter: a later one)
            return at
        end = at + len(list(same))
        # a saving twice in a quarter: a quarter's rows are one run, so its IDs looked at
        # alone (not a (quarter, ID) pair made a row: 192,000, 15 MB, at four quarters of 240)
        run = ids[at:end]
        if len(set(run)) != len(run):
            seen: set[Any] = set()
            return at + _first(v in seen or seen.add(v) for v in run)  # type: ignore[func-returns-value]
        at, last = end, order
    return limit


def variances_otherwise(header: list[str], rows: Any, columns: list[Any]) -> set[int]:
    """The rows (numbered in the sheet) whose ledger variances' saved values, as written from
    the figures in memory, are not those a write of the figures read back would save (a figure
    of 17 digits, read back with 16: 0.30000000000000004 less 0.3 saved as -5.55E-17, not 0)."""
    ledger = list(map(number, columns[header.index(mc.LEDGER)]))
    if ledger.count(None) == len(ledger):
        return set()
    found: set[int] = set()
    given = [(at, mine) for at, mine in enumerate(ledger) if mine is not None]  # (else None)
    for header_of, other in VARIANCES:
        # (as lists: a copied column, columncode.Coded or Joined, answers an index in Python)
        written, theirs = column_of(rows, header_of), list(columns[header.index(other)])
        found.update(at + 2 for at, mine in given
                     if _saved(written[at]) != _saved(variance(mine, theirs[at])))
    return found


def _saved(value: Any) -> str | None:
    """A variance's saved value as the writer writes it (files/rowxml.py)."""
    found = number(value)
    return None if found is None else f"{found:.16G}"


def _same(one: Any, other: Any) -> bool:
    """Whether two cells' values are written the same (not only equal: -0.0 and 0.0, or TRUE
    and 1, are equal)."""
    if one.__class__ is not other.__class__:
        return False
    return f"{one:.16G}" == f"{other:.16G}" if one.__class__ is float else one == other


def _first(flags: Any) -> int:
    """The index of the first true flag (past the end when none is)."""
    count = 0
    for flag in flags:
        if flag:
            return count
        count += 1
    return count


def runs_in(chunks: Iterator[bytes], quarters: list[str], count: int, total: int,
            styles: frozenset[int], carried: tuple[Block, int] | None = None
            ) -> tuple[int, list[Run]] | None:
    """Where Savings' rows begin in its part (`chunks`, uncompressed) and the runs of quarters
    of its first `count` rows (of `total`): each run's end and the Checksum of the bytes from
    the rows' start to it. `styles`: those the rows' cells may use (the writer gave them: its
    columns', a date's, and people's formats it numbered). None when the part is not as
    written. `carried`: the block of rows copied from the old master, first, and where the rows
    begin: `chunks` then give the part without the block's bytes, whose runs are the block's
    (master/carried.py's gap_of)."""
    groups = [(quarter, len(list(same)))
              for quarter, same in itertools.groupby(quarters[:count])]
    buffer, base = b"", 0  # base: where buffer[0] is in the part
    digest = Checksum()
    start = -1  # where the rows begin (each row's tag is ours: a text's '<' is escaped)
    runs: list[Run] = []
    row = 2
    if carried is not None:
        block, start = carried
        while len(buffer) < start:  # the part's head and header row, then what follows
            chunk = next(chunks, b"")
            if not chunk:
                return None
            buffer += chunk
        if not buffer[:start].endswith(b"</row>") or block.runs is None:
            return None
        runs = [Run(run.quarter, run.rows, start + run.end - block.start, run.digest, styles)
                for run in block.runs]
        digest = Checksum.parsed(block.digest)
        buffer, base = buffer[start:], start + block.end - block.start
        row, groups = row + block.count, groups[len(runs):]
    for quarter, rows in ([] if carried is not None else [("", 0)]) + groups:
        row += rows
        marker = b'<row r="%d"' % row if row < total + 2 else b"</sheetData>"
        while True:
            at = buffer.find(marker)
            if at >= 0:
                break
            chunk = next(chunks, b"")
            if not chunk:
                return None
            keep = max(len(buffer) - len(marker), 0)  # what may hold the marker's start
            if start >= 0:
                digest.update(memoryview(buffer)[:keep])
            base += keep
            buffer = buffer[keep:] + chunk
        if start >= 0:
            digest.update(memoryview(buffer)[:at])
            runs.append(Run(quarter, rows, base + at, digest.hexdigest(), styles))
        else:
            start = base + at
        base += at
        buffer = buffer[at:]
    return start, runs


def copied_rows(header: list[str], columns: list[list[Any]], start: int, runs: list[Run],
                part: str, before: Any, wrapped: dict[int, float], packed: str | None,
                stored: dict[int, int] | None = None, coded: list[Any] | None = None
                ) -> tuple[Block, Copied, int] | None:
    """The block a consolidate copies of the rows on record (those of the runs `before(quarter)`
    says may be copied), those rows as a Copied of every column, and how many there are; None
    when there are none (or the columns do not agree with the runs). The block's `widths` are
    the long-text columns' widths its rows' heights were worked out at (`wrapped`): the rows are
    copied only when the write works out the same (master/write.py). `coded`: the columns as
    the record held them (columncode.Coded), the block's `coded` then their copied rows'."""
    taken = list(itertools.takewhile(lambda run: before(run.quarter), runs))
    count = sum(run.rows for run in taken)
    if not count:
        return None
    quarters = columns[header.index(mc.QUARTER)]
    at = 0
    for run in taken:
        if quarters[at] != run.quarter or quarters[at + run.rows - 1] != run.quarter:
            return None
        at += run.rows
    styles: set[int] = set()
    for run in taken:
        styles |= run.styles or set()
    last = taken[-1]
    # the copied rows' columns: a record's as it held them (columncode.Coded, read as lists
    # are), shared with the block's (one Coded of each, not a list of values beside it)
    heads = [head_of(column, count) for column in columns]
    block = Block(part, start, last.end, str(last.digest), count + 1, styles, dict(wrapped),
                  count == len(quarters), taken, packed=packed,
                  stored={u: c for u, c in (stored or {}).items() if u <= last.end},
                  coded=None if coded is None else heads if all(
                      map(operator.is_, coded, columns)) and len(coded) == len(columns)
                  else [column.head(count) for column in coded])
    rows = Copied({h: i for i, h in enumerate(header)}, dict(enumerate(heads)))
    return block, rows, count


def as_dicts(rows: Any, header: tuple[str, ...] | list[str]) -> list[Any]:
    """Savings' rows as dicts keyed by header, as a read of the file gives them: a Copied's
    copied rows made from its columns, and copied Rows among a list's (the rows sorted again
    after all), each with its kept cells."""
    made: list[Any] = []
    for row in rows:  # (a Copied's copied rows as Rows)
        if row.__class__ is not Row:
            made.append(row)
            continue
        record = dict(zip(header, row, strict=True))
        record["_row"] = row.read_at
        if row.cells:
            record["_cells"] = row.cells
        made.append(record)
    return made


def keeps_entries(rows: Copied, entries: dict[tuple[str, str], Any],
                  columns: tuple[str, ...]) -> bool:
    """Whether the rows copied as bytes keep their finance's entries (`columns`' values) as
    they are: every entry of one of them its own, unchanged. Those are then taken off
    `entries` (the rows hold them already). False: an entry is the ledger's figure for a copied
    row's quarter, or another row's (an orphaned row's) for a copied row."""
    theirs, others = [], []
    for key, entry in entries.items():
        row = entry.row
        if row.__class__ is Row and row.copied:
            if not all(_same(entry.values.get(h), row.get(h)) for h in columns):
                return False
            theirs.append(key)
        else:
            others.append(key)
    if others:  # (every copied row's key looked at only when there are such entries)
        head = rows.with_tail([])
        keys = set(zip(column_of(head, mc.QUARTER), column_of(head, SAVING_ID), strict=True))
        if any(key in keys for key in others):
            return False
    for key in theirs:
        del entries[key]
    return True
