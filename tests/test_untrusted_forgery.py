"""Forged returns (issue 10, case 3): every pre-filled value is compared with the plan register
itself, so a target lowered with the fingerprint computed again, another directorate's saving,
a changed tolerance or quarter end on the Cover, or a formula typed over, is an error on its
cell and the master keeps the truth."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import Q1
from support import set_cells
from untrusted_support import (
    assert_quarter_goes_on,
    cs_return,
    errors,
    findings_of,
    forge,
    hostile_folder,
)
from untrusted_support import run as run_cli

from workbook_tools.master.read import read_master
from workbook_tools.returns.layout import COVER, HEADER_ROW, MEASURES, RISKS, SAVINGS

FIRST = HEADER_ROW + 1


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: Any) -> Any:
    monkeypatch.chdir(tmp_path)
    return hostile_folder(tmp_path / "ws")


def test_a_target_lowered_with_the_fingerprint_recomputed_is_refused(folder: Any) -> None:
    bad = cs_return(folder)
    measure = next(m for m in folder.plan.measures if m.directorate_code == "CS")
    forge(bad, "Measures", FIRST, {"target": 0.0})

    result = run_cli("consolidate", "-q", str(Q1))

    lines = assert_quarter_goes_on(folder, result, bad, "prefilled-changed")
    assert "Rejected (1 error)" in lines
    target = measure.target_for(Q1)
    assert errors(bad) == [(f"Measures!{MEASURES.cell('target', FIRST)}", "prefilled-changed",
                            f"Measures!{MEASURES.cell('target', FIRST)}: the Target for "
                            f"{measure.id} reads '0' but the plan register has '{target:g}'. "
                            "Pre-filled cells come from the plan and must not be changed: undo "
                            "the change, or ask the performance team if the plan is wrong.")]
    rows = read_master(folder.master).rows("Measures")
    assert measure.id not in {r["Measure ID"] for r in rows if r["Quarter"] == str(Q1)}


def test_another_directorates_saving_is_refused_and_not_counted_twice(folder: Any) -> None:
    bad = cs_return(folder)
    theirs = next(s for s in folder.plan.savings if s.directorate_code == "PL")
    ours = next(s for s in folder.plan.savings if s.directorate_code == "CS")
    forge(bad, "Savings", FIRST, {"id": theirs.id, "name": theirs.name,
                                   "target": theirs.target})

    result = run_cli("consolidate", "-q", str(Q1))

    assert_quarter_goes_on(folder, result, bad, "item-not-ours")
    assert sorted((w, c) for w, c, _ in errors(bad)) == [
        ("Savings", "item-missing"), (f"Savings!A{FIRST}", "item-not-ours")]
    messages = " ".join(m for _, _, m in errors(bad))
    assert f"{theirs.id} belongs to directorate PL in the plan register, not to CS." in messages
    assert f"{ours.id} is in the plan register for CS but not in this return." in messages
    savings = [r for r in read_master(folder.master).rows("Savings")
               if r["Quarter"] == str(Q1) and not r.get("Orphaned")]
    assert [r["Directorate"] for r in savings if r["Saving ID"] == theirs.id] == ["PL"]


def test_an_item_the_register_does_not_hold_is_a_warning(folder: Any) -> None:
    """An item taken out of the register after the returns went out is left out by consolidate
    (test_master); put in place of one of the directorate's own, that one is missing."""
    risk = next(r for r in folder.plan.risks if r.directorate_code == "CS")
    bad = forge(cs_return(folder), "Risks", FIRST, {"id": "R-CS-99"})

    found = findings_of(bad)

    assert ("Warning", f"Risks!A{FIRST}", "item-not-in-register") in [
        (s, w, c) for s, w, c, _ in found]
    assert [(w, c, m) for s, w, c, m in found if s == "Error"] == [
        ("Risks", "item-missing", f"Risks: {risk.id} is in the plan register for CS but not in "
         "this return. Use the return you were sent, which lists every item.")]


@pytest.mark.parametrize(("row", "value", "label", "expected"), [
    (COVER.tolerance, 100, "amber tolerance", "5"),
    (COVER.quarter_end, dt.datetime(2025, 12, 31), "quarter ends", "30/06/2025"),
    (COVER.deadline, dt.datetime(2026, 1, 31), "return deadline", "15/07/2025"),
])
def test_a_value_the_tool_put_on_the_cover_is_compared_with_the_register(
        folder: Any, row: int, value: Any, label: str, expected: str) -> None:
    bad = set_cells(cs_return(folder), {("Cover", f"C{row}"): value})
    found = errors(bad)
    assert [(w, c) for w, c, _ in found] == [(f"Cover!C{row}", "prefilled-changed")]
    assert f"the {label} for the return reads" in found[0][2]
    assert f"but the plan register has '{expected}'" in found[0][2]


def test_a_saving_is_judged_at_the_registers_tolerance_whatever_the_cover_says(
        folder: Any) -> None:
    bad = cs_return(folder)
    saving = next(s for s in folder.plan.savings if s.directorate_code == "CS")
    set_cells(bad, {("Cover", f"C{COVER.tolerance}"): 100,
                    ("Savings", SAVINGS.cell("forecast", FIRST)): saving.target * 0.5,
                    ("Savings", SAVINGS.cell("commentary", FIRST)): "Half delivered so far."})
    from workbook_tools.returns.read import read_return

    data = read_return(bad, Q1, folder.plan).data
    assert data is not None and data.rows["Savings"][0]["rag"] == "Red"


@pytest.mark.parametrize(("sheet", "ref", "typed"), [
    ("Measures", MEASURES.cell("rag", FIRST), "Green"),
    ("Risks", RISKS.cell("score", FIRST), 1),
    ("Cover", f"C{COVER.ready}", "YES"),
    ("Checks", "C5", 0),
])
def test_a_formula_typed_over_is_reported_by_cell(folder: Any, sheet: str, ref: str,
                                                  typed: Any) -> None:
    bad = set_cells(cs_return(folder), {(sheet, ref): typed})
    found = errors(bad)
    assert [(w, c) for w, c, _ in found] == [(f"{sheet}!{ref}", "formula-overwritten")]
    assert "has been typed over" in found[0][2]


def test_clean_returns_match_the_register(folder: Any) -> None:
    for path in sorted(folder.returns(Q1).iterdir()):
        assert errors(path) == [], path.name


# The register vouches for whole pre-filled columns (locked.Register.vouched): their hashes in
# `_meta` are then not worked out, and the columns it does not hold are still hashed.

def test_a_previous_figure_changed_is_found_with_the_rest_matching_the_register(
        folder: Any) -> None:
    cell = MEASURES.cell("previous", FIRST)
    bad = set_cells(cs_return(folder), {("Measures", cell): 12345.0})
    found = errors(bad)
    assert [(w, c) for w, c, _ in found] == [(f"Measures!{cell}", "prefilled-changed")]
    assert "reads '12345'" in found[0][2]


@pytest.mark.parametrize(("made", "codes"), [
    # one '.' between two hashes made another character: as long as it should be, but not a
    # hash a cell (the row is left out, so its item is missing)
    (lambda hashes: hashes.replace(".", "0", 1), {"meta-changed", "item-missing"}),
    (lambda hashes: "1234.678" + hashes[8:], {"meta-changed", "item-missing"}),  # a '.' inside
    (lambda hashes: "ZZZZZZZZ" + hashes[8:], {"prefilled-changed"}),  # not hexadecimal
    (lambda hashes: "ABCDEF12" + hashes[8:], {"prefilled-changed"}),  # upper case
])
def test_hashes_in_meta_of_the_wrong_shape_are_found_though_the_cells_match(
        folder: Any, made: Any, codes: set[str]) -> None:
    # a row's hashes not as the tool makes them are compared cell by cell, as before the
    # register vouched for whole columns
    measure = next(m for m in folder.plan.measures if m.directorate_code == "CS")
    bad = forge(cs_return(folder), "Measures", FIRST, {}, made)
    found = {c: (w, m) for w, c, m in errors(bad)}
    assert set(found) == codes
    if "meta-changed" in codes:
        assert f"the hashes for {measure.id}" in found["meta-changed"][1]
    else:
        assert found["prefilled-changed"][0] == f"Measures!{MEASURES.cell('id', FIRST)}"


def test_a_hash_in_meta_changed_alone_is_not_an_error_when_the_cell_is_the_registers(
        folder: Any) -> None:
    # the register, not `_meta`, is the authority on a pre-filled value: a forger who changed
    # only a hash (and the fingerprint) changed nothing that is reported or kept
    bad = forge(cs_return(folder), "Measures", FIRST, {},
                lambda hashes: "00000000" + hashes[8:])
    assert errors(bad) == []
