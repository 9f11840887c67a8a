"""What a consolidate works out over the earlier quarters' rows when it takes them from the
master's record (master/record.py), as a run without the record works it out: Measures'
`Compared with a year ago` (the rows on record keep theirs: none of their figures, nor their
year-ago quarter's, can have changed since they were written; the others are compared again)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from master_support import Q1, Q2, Folder, make_folder

from workbook_tools.master import columns as mc
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.read import read_master
from workbook_tools.quarters import parse_quarter

YEAR_AGO = parse_quarter("2024-25-Q1")


def compared(path: Path, quarter: object) -> list[str | None]:
    return [r[mc.YEAR_ON_YEAR] for r in read_master(path).rows("Measures", str(quarter))]


def test_rows_on_record_keep_their_comparisons_and_the_master_is_as_without_the_record(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_folder(tmp_path / "ws", (YEAR_AGO, Q1, Q2))  # a year ago and Q1 consolidated
    other = Folder(tmp_path / "other", folder.plan)
    shutil.copytree(folder.root, other.root)
    year_on = compared(folder.master, Q1)
    assert set(year_on) - {"Not comparable", None}  # Q1 compared with the year before
    # Q1 again (its write copies the year ago's rows: the master it writes is on this test's
    # record, whether the one built was or not); Q1 once more (the year ago's rows from the
    # record, Q1's compared with them); Q2; the year ago again (nothing copied, no record: Q1's
    # and Q2's rows compared again); Q1; Q2
    runs = ((Q1, None), (Q1, True), (Q2, True), (YEAR_AGO, False), (Q1, False), (Q2, True))
    for quarter, on_record in runs:
        block = read_master(folder.master, touched={str(quarter)}).copies.get(
            MasterSheet.MEASURES)
        assert on_record in (None, bool(block and block.recorded)), quarter
        folder.consolidate(quarter)
        with monkeypatch.context() as env:
            env.setenv("WORKBOOK_TOOLS_CACHE", "off")  # every row compared, as before
            other.consolidate(quarter)
        assert folder.master.read_bytes() == other.master.read_bytes(), quarter
        assert compared(folder.master, Q1) == year_on, quarter

