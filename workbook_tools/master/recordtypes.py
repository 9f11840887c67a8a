"""What the record (master/record.py) holds of a master: a SheetRecord for each lean sheet it
covers, and Savings' (master/savingsrecord.py), as a Record; and the rows and block a sheet's
record gives a consolidate (SheetRecord.found)."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

from workbook_tools.master import columncode, savingsrecord
from workbook_tools.master import columns as mc
from workbook_tools.master.sheetrow import Copied
from workbook_tools.master.verbatim import READ_CELLS, Block, Run


@dataclass
class SheetRecord:
    """What the copy's scan finds on a sheet when every quarter may be copied."""

    part: str
    start: int
    widths: dict[int, float]
    complete: bool  # the runs hold every row of the sheet
    dates: frozenset[int]  # the file's date styles (verbatim_styles.date_styles)
    runs: list[Run]  # each with its digest and styles
    #: the read cells' values by column (READ_CELLS), a row each: lists, or the columns as
    #: its entry held them (columncode.Coded: a record decoded)
    cells: list[Any]
    #: as master/recorder.py makes the record: the columns of the rows copied from the old
    #: master (its Block's, by reference: Coded as its record held them, or the lists the scan
    #: read), before `cells`' (those of the rows written anew), each kept as it is
    carried: list[columncode.Piece] | None = field(default=None, compare=False, repr=False)
    #: as decode makes it: each column as its entry held it (a block found in it carries them)
    coded: list[columncode.Coded] | None = field(default=None, compare=False, repr=False)
    #: the SHA-256 of the part's bytes as stored, those the runs were found in (verbatim.Block)
    packed: str = ""
    #: where the writer made a full flush, of the rows' start and the runs' ends (uncompressed
    #: -> stored bytes before it: files/flushed.py), so that a block is copied as stored
    stored: dict[int, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(run.rows for run in self.runs)

    def pieces(self) -> list[tuple[columncode.Piece, ...]]:
        """Each column as its pieces: the `carried` one (when any), then `cells`'."""
        if self.carried is None:
            return [(column,) for column in self.cells]
        return list(zip(self.carried, self.cells, strict=True))

    def columns(self) -> list[list[Any]]:
        """Each column's every cell."""
        return [[v for piece in pieces for v in (
            piece.values() if isinstance(piece, columncode.Coded) else piece)]
            for pieces in self.pieces()]

    def found(self, name: str, before: Any, texts: dict[str, str]
              ) -> tuple[Block, Copied] | None:
        """The block and rows (sheetrow.Copied) the scan finds for a consolidate whose
        `before(quarter)` says which quarters' rows may be copied (None when none may)."""
        taken = 0
        for run in self.runs:
            if not before(run.quarter):
                break
            taken += 1
        runs = self.runs[:taken]
        count = sum(run.rows for run in runs)
        if not count:
            return None
        headers = mc.SHEETS[name]
        positions = {h: i for i, h in enumerate(headers)}
        # the rows as their columns (the Quarter, and the cells read), not a Row each: as
        # the record holds them (columncode.Coded, read as lists are: 1 to 4 bytes a cell, not
        # a list's 8 beside them), the Quarter a place a row among the runs' quarters
        quarters = columncode.Coded([texts.setdefault(run.quarter, run.quarter)
                                     for run in runs], _run_places(runs))
        cells = [columncode.head_of(column, count) for column in self.cells]
        rows = Copied(positions, {0: quarters, **{headers.index(h): column for h, column in
                                                  zip(READ_CELLS[name], cells, strict=True)}})
        last = runs[-1]
        styles: set[int] = set()
        for run in runs:
            styles |= run.styles or set()
        block = Block(self.part, self.start, last.end, str(last.digest), count + 1, styles,
                      dict(self.widths), self.complete and taken == len(self.runs),
                      [Run(r.quarter, r.rows, r.end, r.digest, r.styles) for r in runs],
                      cells, self.dates, packed=self.packed,
                      stored={u: c for u, c in self.stored.items() if u <= last.end},
                      coded=None if self.coded is None else cells if self.cells is self.coded
                      else [c.head(count) for c in self.coded])
        return block, rows


class Record:
    """The record of one master's bytes: a SheetRecord for each lean sheet it covers, and
    Savings as read_master reads it (master/savingsrecord.py; None when not recorded).
    `ordered`: the SHA-256 of the register whose order the rows of every item sheet were
    written in (master/order.py's note_order), or None."""

    def __init__(self, sheets: dict[str, SheetRecord],
                 savings: savingsrecord.SavingsRecord | None = None,
                 savings_entry: tuple[bytes, ...] | None = None, ordered: str | None = None
                 ) -> None:
        self.sheets = sheets
        self.savings = savings
        #: its entry's text (UTF-8, in pieces: savingsentry.entry_pieces), made where it was
        #: recorded, each piece deflated (zlib: `packed`)
        self.savings_entry = savings_entry
        self.ordered = ordered


def _run_places(runs: list[Run]) -> array[int]:
    """Each row's run, as the places of a Coded whose table is the runs' quarters."""
    places = array(columncode.code_of(len(runs)))
    for at, run in enumerate(runs):
        places += array(places.typecode, [at]) * run.rows
    return places
