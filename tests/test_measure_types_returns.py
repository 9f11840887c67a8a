"""Measures as councils define them, on real returns (issue 12): each type and Data status
through generate, a person's typing, LibreOffice's recalculation and validate; the change
warning that allows for the target's own change."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import GENERATED_AT, Q1, Q2
from support import libreoffice_save, needs_libreoffice, set_cells
from validate_support import Returns, check, make_returns, problems

from workbook_tools.files.guard import read_values
from workbook_tools.returns.findings import ACCEPTED, REJECTED
from workbook_tools.returns.generate import generate_returns
from workbook_tools.returns.layout import MEASURES, Context
from workbook_tools.returns.read import read_return
from workbook_tools.returns.simulate import fill_return

M = MEASURES.cell
WHY = "The NHS figures for June arrive in August; they will be in next quarter's return."


@pytest.fixture(scope="module")
def r(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return make_returns(tmp_path_factory.mktemp("types") / "ws")


def _row(r: Returns, measure_id: str) -> dict[str, Any]:
    return r.row("Measures", lambda m: m["id"] == measure_id)


def test_the_return_shows_each_measures_type(r: Returns) -> None:
    types = {m["id"]: m["type"] for m in r.rows["Measures"]}
    assert types["M-CS-01"] == "Snapshot"
    assert types["M-CS-13"] == "Cumulative"  # Income from traded services (£, cumulative)
    assert types["M-CS-17"] == "Data only"
    data_only = _row(r, "M-CS-17")
    assert data_only["target"] is None and data_only["actual"] is not None
    assert data_only["rag"] is None and data_only["direction"] == "New"


@needs_libreoffice
def test_each_type_and_data_status_in_libreoffice(r: Returns, tmp_path: Path) -> None:
    """Typed as a person would, recalculated by LibreOffice: the workbook's RAG and direction
    are validate's, Ready to submit is YES, and the return is accepted."""
    late, provisional = _row(r, "M-CS-01"), _row(r, "M-CS-02")
    edited = r.copy(tmp_path / "typed", {
        ("Measures", M("status", late["_row"])): "Not available",
        ("Measures", M("actual", late["_row"])): None,
        ("Measures", M("commentary", late["_row"])): WHY,
        ("Measures", M("status", provisional["_row"])): "Provisional",
    })
    saved = libreoffice_save(edited, tmp_path / "lo")
    sheet = read_values(saved)["Measures"]
    shown = {row[0]: (row[MEASURES.index("rag")], row[MEASURES.index("direction")])
             for row in sheet if row and str(row[0]).startswith("M-")}
    result = check(saved)
    assert result.status == ACCEPTED, [f.message for f in result.findings]
    assert result.data is not None
    for typed in result.data.rows["Measures"]:
        assert shown[typed["id"]] == (typed["rag"] or "", typed["direction"] or ""), typed["id"]
    assert shown["M-CS-01"] == ("", "")  # Not available: no RAG, no direction
    assert shown["M-CS-13"][1] == "Not comparable"  # Cumulative with no figure a year ago
    assert shown["M-CS-17"] == ("", "New")  # Data only: no RAG
    assert shown["M-CS-02"][0] in ("Green", "Amber", "Red")  # Provisional is still rated
    checks = read_values(saved)["Checks"]
    assert next(row[2] for row in checks if len(row) > 2 and row[1] == "Ready to submit") == "YES"


def test_not_available_with_a_figure_or_without_commentary_is_an_error(r: Returns,
                                                                       tmp_path: Path) -> None:
    late = _row(r, "M-CS-01")
    path = r.copy(tmp_path, {("Measures", M("status", late["_row"])): "Not available",
                             ("Measures", M("commentary", late["_row"])): None})
    result = check(path)
    assert result.status == REJECTED
    assert problems(result) == {("Measures", M("actual", late["_row"]), "data-status"),
                                ("Measures", M("commentary", late["_row"]), "data-status")}
    messages = " ".join(f.message for f in result.errors)
    assert "M-CS-01 is marked Not available but has an actual" in messages
    assert "say why the figure is not available and when it will be" in messages.lower()


def test_a_data_only_measures_actual_is_still_required(r: Returns, tmp_path: Path) -> None:
    row = _row(r, "M-CS-17")
    result = check(r.copy(tmp_path, {("Measures", M("actual", row["_row"])): None}))
    assert problems(result) == {("Measures", M("actual", row["_row"]), "value-missing")}


def _q2(r: Returns, folder: Path, actuals: dict[str, float]) -> Path:
    """CS's Q2 return with last quarter's figures at Q1 target (as the master would give them),
    filled, then the actuals given typed in."""
    context = _context(r)
    blank = generate_returns(r.plan, Q2, folder / "blank", ["CS"], context=context,
                             now=GENERATED_AT)[0]
    path = fill_return(blank, folder / blank.name, seed=1)
    rows = {m["id"]: m["_row"] for m in read_return(path).data.rows["Measures"]}  # type: ignore
    set_cells(path, {("Measures", M("actual", rows[k])): v for k, v in actuals.items()})
    return path


def _context(r: Returns, behind: float = 1.0) -> Context:
    """Q2's context: Q1's targets, and Q1's actuals at `behind` times them."""
    cs = r.plan.for_directorate("CS")
    q1 = {m.id: float(m.target_for(Q1) or 0) for m in cs.measures
          if m.target_for(Q1) is not None}
    return Context(quarter=Q2, previous_actuals={k: v * behind for k, v in q1.items()},
                   previous_targets=q1)


def test_no_change_warning_for_measures_following_their_targets(r: Returns,
                                                                tmp_path: Path) -> None:
    """5% behind target in Q1, 5% ahead in Q2: the cumulative measure more than doubles (from
    1,425,000 to 3,150,000), as its year-to-date targets do (1.5m, 3m), and is not warned."""
    cs = r.plan.for_directorate("CS")
    on_track = {m.id: float(m.target_for(Q2) or 0) * 1.05 for m in cs.measures
                if m.target_for(Q2) is not None}
    path = _q2(r, tmp_path, on_track)
    result = check(path, quarter=Q2, context=lambda q: _context(r, behind=0.95))
    assert [f.message for f in result.findings if f.code == "implausible-change"] == []
    assert on_track["M-CS-13"] > 2 * _context(r, behind=0.95).previous_actuals["M-CS-13"]


def test_a_change_out_of_line_with_the_targets_says_what_it_compared(r: Returns,
                                                                     tmp_path: Path) -> None:
    path = _q2(r, tmp_path, {"M-CS-13": 9_000_000})  # targets 1.5m then 3m: 3m is in line
    result = check(path, quarter=Q2, context=lambda q: _context(r))
    found = [f for f in result.findings if f.code == "implausible-change"]
    assert [f.cell for f in found] == [M("actual", _row(r, "M-CS-13")["_row"])]
    assert ("the actual for M-CS-13 (9,000,000) is 500% up on last quarter's 1,500,000, far "
            "more than its target's own change explains (from 1,500,000 to 3,000,000: about "
            "3,000,000 would be in line)") in found[0].message


def test_a_cumulative_measure_is_not_compared_across_the_year_end(r: Returns,
                                                                  tmp_path: Path) -> None:
    """Q1's running total starts again: last year's Q4 total is no guide to it."""
    context = Context(quarter=Q1, previous_actuals={"M-CS-13": 6_000_000},
                      previous_targets={"M-CS-13": 6_000_000})
    path = tmp_path / r.clean.name
    shutil.copy(r.clean, path)
    result = check(path, quarter=Q1, context=lambda q: context)
    assert [f for f in result.findings if f.code == "implausible-change"] == []
