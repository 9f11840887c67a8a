"""The record of a master is kept only when its entry gives it back exactly (master/record.py):
checked on the record itself, field by field, rather than by decoding the entry again."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from master_support import Q1, Q2, Folder, make_folder

from workbook_tools.master import record
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.safe import master_state
from workbook_tools.master.verbatim import Run


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Folder, record.Record]:
    """A master the tool wrote while copying Q1's rows, and its record as kept."""
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(tmp_path / "cache"))
    folder = make_folder(tmp_path / "ws", (Q1, Q2))
    folder.consolidate(Q2)
    state = master_state(folder.master)
    assert state is not None
    found = record.recall(state[2])
    assert found is not None and MasterSheet.MEASURES in found.sheets
    return folder, found


def _other(digest: str) -> str:
    return ("0" if digest[0] != "0" else "1") + digest[1:]


def _changed(found: record.Record, **fields: Any) -> record.Record:
    sheets = dict(found.sheets)
    sheets[MasterSheet.MEASURES] = dataclasses.replace(sheets[MasterSheet.MEASURES], **fields)
    return record.Record(sheets)


def test_a_record_is_kept_and_given_back_exactly(kept: tuple[Folder, record.Record]) -> None:
    _, found = kept
    digest = "a" * 64
    record.keep(digest, found)
    back = record.recall(digest)
    assert back is not None and back.sheets == found.sheets


def _measures(found: record.Record) -> Any:
    return found.sheets[MasterSheet.MEASURES]


@pytest.mark.parametrize("change", [
    "a whole number in a cell", "a date in a cell", "an infinite number in a cell",
    "a width as a whole number", "a run without its styles", "runs out of order",
    "a quarter not canonical", "a column missing",
])
def test_a_record_its_entry_would_not_give_back_is_not_kept(
        kept: tuple[Folder, record.Record], change: str) -> None:
    _, found = kept
    sheet = _measures(found)
    cells = [list(column) for column in sheet.cells]
    runs = list(sheet.runs)
    if change == "a whole number in a cell":
        cells[3][0] = 7
    elif change == "a date in a cell":
        cells[3][0] = dt.date(2025, 6, 30)
    elif change == "an infinite number in a cell":
        cells[3][0] = float("inf")
    elif change == "a width as a whole number":
        changed = _changed(found, widths={0: 12})
    elif change == "a run without its styles":
        runs[0] = dataclasses.replace(runs[0], styles=None)
    elif change == "runs out of order":
        runs = [Run(runs[0].quarter, 1, sheet.start, runs[0].digest, runs[0].styles), *runs]
    elif change == "a quarter not canonical":
        runs[0] = dataclasses.replace(runs[0], quarter="Q1 2025-26")
    elif change == "a column missing":
        cells = cells[1:]
    if change != "a width as a whole number":
        changed = _changed(found, cells=cells, runs=runs)
    digest = "b" * 64
    record.keep(digest, changed)
    path = record.entry_path(digest)
    assert path is not None and not path.exists()
    assert record.recall(digest) is None
