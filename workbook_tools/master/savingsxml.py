"""Savings read from its own XML when every row of it is what our writer writes (issue 16), for a
consolidate into a master this machine has no record of (master/record.py: finance did not save
it, but it was written on another laptop, or by another version of the tool).

calamine holds a sheet whole before a row of it is given: Savings at four quarters of 240
returns is 237 MB of its cells, 349 MB at its peak, more than the rows made from them. When the
sheet is ours to the byte, the copy's scan (master/verbatim.py), told to read every cell, reads
it instead: the same grammar, the same checks of each row's bytes (plain UTF-8 text, a number as
our writer writes it, no shared string, date or error, and no formula but the ledger variances'
own, as our writer writes them for the row), and the whole sheet or nothing:
any row it does not take (or rows out of quarter order, a column people added, a header not as
written) and the sheet is read by calamine as before, so what a read gives is what calamine
gives. WORKBOOK_TOOLS_COPY=off reads it with calamine always.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

from workbook_tools.files.cells import column_letter
from workbook_tools.files.sheetscan import SheetScan
from workbook_tools.master import columns as mc
from workbook_tools.master import verbatim
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.ledger import VARIANCES
from workbook_tools.master.verbatim_text import NUMBER

NAME = MasterSheet.SAVINGS


def taken(workbook: Any, copier: verbatim.Copier, master: Any, path: Any, texts: dict[str, str],
          read_sheet: Callable[..., list[str]], read_kept: Callable[..., None]) -> bool:
    """Whether Savings was put on `master` from its XML (see the module's notes) by `copier`
    (the lean sheets', its date styles read once), with read.py's `read_sheet` and `read_kept`
    as a sheet calamine read is."""
    rows = rows_of(workbook, copier, texts)
    if rows is None:
        return False
    header = read_sheet(master, path, NAME, rows, {}, {}, texts)
    read_kept(workbook, master, NAME, header, SheetScan())
    return True


def rows_of(workbook: Any, copier: verbatim.Copier, texts: dict[str, str]
            ) -> Iterator[list[Any]] | None:
    """Savings' rows, the header first, as calamine gives them (a blank cell None rather than
    ''; read_sheet takes either), or None when the sheet is not ours to the byte."""
    headers = mc.SHEETS[NAME]
    found = copier.scan(workbook, NAME, texts, every=variance_cells(headers))
    if found is None or not found[0].complete:
        return None
    columns = found[1].columns
    return itertools.chain([list(headers)], map(list, zip(
        *(columns[i] for i in range(len(headers))), strict=True)))


def variance_cells(headers: tuple[str, ...]) -> dict[int, bytes]:
    """The ledger variances' cells as our writer writes them (writerows._ledger_formulas): its
    formula for the row, then the value it saved (a number, or none: calamine reads '')."""
    letter = {h: column_letter(headers.index(h)) for h in (mc.LEDGER, *dict(VARIANCES).values())}
    cells = {}
    for header, other in VARIANCES:
        ledger, ref = letter[mc.LEDGER], letter[other]
        text = f'IF(AND(ISNUMBER({ledger}#),ISNUMBER({ref}#)),{ledger}#-{ref}#,"")'
        formula = rb"\1".join(re.escape(piece.encode()) for piece in text.split("#"))
        # (style, number, text: the third never taken, so a match has the groups a cell's has)
        cells[headers.index(header)] = (rb'(?: s="([1-9][0-9]{0,4})")?><f>' + formula +
                                        rb"</f><v>(" + NUMBER + rb")?</v></c>(?:(?!)(.))?")
    return cells
