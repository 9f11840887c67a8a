"""Savings read from its own XML (master/savingsxml.py) when a consolidate has no record of the
master: a master the tool wrote, with finance's figures, the ledger's and texts of every kind,
is read as calamine reads it, without calamine; anything our writer would not write, and the
sheet is read by calamine as before (or refused as before)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Q1, Q2
from master_support import Folder, make_folder
from test_master_copy import both_ways, edit_member, same_master
from test_master_record import same
from test_master_savings_record import ledger, reads  # noqa: F401 - a fixture

from workbook_tools.master import columns as mc
from workbook_tools.master import savingsxml
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.read import read_master

SAVINGS = f"xl/worksheets/sheet{list(mc.SHEETS).index('Savings') + 1}.xml"


def by_calamine_read(path: Path, quarter: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The master read as it was before Savings was read from its XML (by calamine)."""
    with monkeypatch.context() as env:
        env.setattr(savingsxml, "rows_of", lambda *_: None)
        return read_master(path, touched={quarter})


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    """A master of two quarters the tool wrote again after finance typed figures and notes
    (texts with '&', '<', a new line, spaces around) and the ledger was brought in."""
    folder = make_folder(tmp_path_factory.mktemp("xml") / "ws", (Q1, Q2))
    folder.consolidate(Q2, ledger_csv=ledger(folder))
    workbook = openpyxl.load_workbook(folder.master)
    savings = workbook["Savings"]
    header = [c.value for c in savings[1]]
    col = {h: header.index(h) + 1 for h in header}
    notes = ["R&D <check> \"quoted\"", "Chased\nagain", " spaced ", "£1,200 – agreed ✓", "  "]
    for i, r in enumerate(range(2, savings.max_row + 1, 2)):
        savings.cell(r, col["Finance confirmed (£)"]).value = [1200.5, 0, -3.25, 1e15, 7][i % 5]
        savings.cell(r, col["Finance status"]).value = ["Confirmed", "Query"][i % 2]
        savings.cell(r, col["Finance note"]).value = notes[i % 5]
    workbook.save(folder.master)
    folder.consolidate(Q2)  # written again by the tool: its bytes ours
    return folder


def test_savings_the_tool_wrote_is_read_from_its_xml_as_calamine_reads_it(
        base: Folder, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", "off")  # no record: as on another laptop
    for quarter in (str(Q2), "2025-26-Q3"):
        reads.clear()
        from_xml = read_master(base.master, touched={quarter})
        assert MasterSheet.SAVINGS not in reads  # neither calamine nor the guard's scan
        by_calamine = by_calamine_read(base.master, quarter, monkeypatch)
        same(from_xml, by_calamine)
        rows = by_calamine.sheets[MasterSheet.SAVINGS]
        assert any(r["Ledger (£)"] is not None and r["Ledger variance (£)"] is not None
                   for r in rows)  # the variances' saved values, read from their formulas
        assert {r["Finance note"] for r in rows} >= {"R&D <check> \"quoted\"", "Chased\nagain",
                                                    " spaced ", "£1,200 – agreed ✓", None}
        assert by_calamine.finance and from_xml.finance == by_calamine.finance


def test_consolidating_from_savings_xml_writes_the_master_calamine_reading_writes(
        base: Folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", "off")
    masters = both_ways(base, tmp_path, monkeypatch)
    assert masters is not None
    same_master(*masters)


def _savings(edit: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    return lambda path: edit_member(path, SAVINGS, edit)


def _cell(header: str, rest: bytes) -> Callable[[bytes], bytes]:
    """Row 3's cell in a column replaced by `<c r="..3"` and `rest`, as a hand edit would."""
    letter = openpyxl.utils.get_column_letter(mc.SHEETS["Savings"].index(header) + 1).encode()

    def edit(data: bytes) -> bytes:
        found = re.search(rb'<c r="' + letter + rb'3"[^>]*?(?:/>|>.*?</c>)', data)
        assert found, letter
        return data[:found.start()] + b'<c r="' + letter + b'3"' + rest + data[found.end():]
    return edit


CONFIRMED, VARIANCE, NOTE = "Finance confirmed (£)", "Ledger variance (£)", "Finance note"
NOT_OURS: dict[str, Callable[[bytes], bytes]] = {
    # a formula of someone's whose value no program saved, in finance's column: refused
    "unsaved formula": _cell(CONFIRMED, b' s="9"><f>1+1</f><v></v></c>'),
    # the variance's formula, but of another cell: its saved value is what calamine gives
    "another variance": _cell(VARIANCE, b' s="12"><f>A1</f><v>42</v></c>'),
    # a number styled as a date (style 2 is one of the master's dates)
    "a date": _cell(NOTE, b' s="2"><v>45000</v></c>'),
    "a numeric character reference": _cell(NOTE, b' t="inlineStr"><is><t>&#65;B</t></is></c>'),
    "an escape": _cell(NOTE, b' t="inlineStr"><is><t>a_x0041_</t></is></c>'),
    "a boolean": _cell(NOTE, b' t="b"><v>1</v></c>'),
    "an error": _cell(CONFIRMED, b' t="e"><v>#DIV/0!</v></c>'),
}


@pytest.mark.parametrize("attack", list(NOT_OURS))
def test_savings_our_writer_would_not_write_is_read_by_calamine_as_before(
        base: Folder, tmp_path: Path, attack: str, reads: list[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", "off")
    folder = Folder(tmp_path / "hostile", base.plan)
    shutil.copytree(base.root, folder.root)
    _savings(NOT_OURS[attack])(folder.master)
    try:
        from_xml: Any = read_master(folder.master, touched={str(Q2)})
    except Exception as exc:  # noqa: BLE001 - compared with the read below
        from_xml = exc
    assert MasterSheet.SAVINGS in reads  # not taken from the XML: scanned and read as before
    try:
        by_calamine: Any = by_calamine_read(folder.master, str(Q2), monkeypatch)
    except Exception as exc:  # noqa: BLE001
        assert isinstance(from_xml, Exception), f"read from XML despite {attack}"
        assert str(from_xml) == str(exc)
        return
    assert not isinstance(from_xml, Exception), from_xml
    same(from_xml, by_calamine)
    masters = both_ways(folder, tmp_path, monkeypatch)
    if masters is not None:
        same_master(*masters)
