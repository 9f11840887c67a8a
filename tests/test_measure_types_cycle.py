"""Measures as councils define them, through the cycle (issue 12): returns with a figure Not
available and one Provisional are accepted, consolidated (master and export carry Measure type,
Data status and Compared with a year ago) and summarised (measures counted by type, not
available and provisional reported, RAG shares over the measures that have a RAG)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Q1
from master_support import Folder, make_folder
from summary_support import find_row, open_summary, read_table
from support import set_cells

from workbook_tools.master import columns as mc
from workbook_tools.master.consolidate import read_master
from workbook_tools.master.export import master_tables
from workbook_tools.master.yearago import compare_with_a_year_ago
from workbook_tools.returns.layout import MEASURES
from workbook_tools.returns.read import read_return
from workbook_tools.summary.quarter import summarise_quarter

WHY = "The June figures arrive from the NHS in August; they will be in next quarter's return."


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Folder, Any]:
    root = tmp_path_factory.mktemp("cycle") / "ws"
    folder = make_folder(root, (Q1,))
    path = folder.returns(Q1) / f"CS_{Q1}.xlsx"
    data = read_return(path).data
    assert data is not None
    rows = {r["id"]: r["_row"] for r in data.rows["Measures"]}
    set_cells(path, {
        ("Measures", MEASURES.cell("status", rows["M-CS-01"])): "Not available",
        ("Measures", MEASURES.cell("actual", rows["M-CS-01"])): None,
        ("Measures", MEASURES.cell("commentary", rows["M-CS-01"])): WHY,
        ("Measures", MEASURES.cell("remedial", rows["M-CS-01"])): None,
        ("Measures", MEASURES.cell("status", rows["M-CS-02"])): "Provisional",
    })
    result = folder.consolidate(Q1)
    assert result.exit_code == 0
    summary = summarise_quarter(folder.master, Q1, root / "outputs" / f"summary-{Q1}.xlsx",
                                folder.plan)
    return folder, summary


def test_the_master_carries_type_status_and_the_year_on_year_comparison(
        cycle: tuple[Folder, Any]) -> None:
    folder, _ = cycle
    rows = {r["Measure ID"]: r for r in read_master(folder.master).rows("Measures")}
    late, provisional = rows["M-CS-01"], rows["M-CS-02"]
    assert (late["Data status"], late["Actual"], late["RAG"], late[mc.YEAR_ON_YEAR]) == (
        "Not available", None, None, None)
    assert provisional["Data status"] == "Provisional" and provisional["RAG"] is not None
    assert rows["M-CS-13"]["Measure type"] == "Cumulative"
    assert rows["M-CS-13"]["Direction of travel"] == "Not comparable"  # no Q1 last year
    assert rows["M-CS-17"]["Measure type"] == "Data only" and rows["M-CS-17"]["RAG"] is None
    assert {r[mc.YEAR_ON_YEAR] for r in rows.values() if r["Actual"] is not None} == {
        "Not comparable"}
    measures = master_tables(folder.master)["measures"]
    assert {"Measure type", "Data status", mc.YEAR_ON_YEAR} <= set(measures.columns)
    assert measures.set_index("Measure ID").loc["M-CS-01", "Data status"] == "Not available"


def test_the_summary_counts_measures_by_type_and_reports_not_available_and_provisional(
        cycle: tuple[Folder, Any]) -> None:
    folder, summary = cycle
    plan = folder.plan
    overview = open_summary(summary.path)["Overview"]

    def value(label: str) -> Any:
        return overview.cell(find_row(overview, label), 2).value

    kinds = [m.measure_type for m in plan.measures]
    assert value("Cumulative (year to date)") == kinds.count("Cumulative") == 20
    assert value("Data only (no target or RAG)") == kinds.count("Data only") == 2
    assert value("Snapshot measures") == kinds.count("Snapshot")
    statuses = [r["Data status"] for r in read_master(folder.master).rows("Measures")]
    unavailable, provisional = statuses.count("Not available"), statuses.count("Provisional")
    assert unavailable >= 1 and provisional >= 1  # ours, and the directorates' (simulate's)
    assert value("Not available this quarter (not reported)") == unavailable
    assert value("Provisional figures") == provisional
    rated = sum(value(rag) for rag in ("Green", "Amber", "Red"))
    assert rated + value("Not rated") == value("Measures reported") == len(plan.measures)
    # the Data only measures, those not available and the annual ones have no RAG
    annual = sum(m.frequency == "Annual" for m in plan.measures)
    assert value("Not rated") == 2 + unavailable + annual
    line = next(s for s in summary.lines if s.startswith("Measures by type:"))
    assert line == (f"Measures by type: {kinds.count('Snapshot')} snapshot, 20 cumulative, "
                    f"2 data only; {unavailable} not available, {provisional} provisional.")


def test_simulated_returns_use_data_status_as_directorates_do(cycle: tuple[Folder, Any]) -> None:
    """At error rate 0: some figures Provisional and a few Not available, each explained, and
    every return accepted; counts are whole numbers."""
    folder, _ = cycle
    master = read_master(folder.master)
    assert {r["Status"] for r in master.rows("Submissions")} == {"Accepted"}
    rows = master.rows("Measures")
    for row in rows:
        if row["Data status"] == "Not available":
            assert row["Actual"] is None and len(row["Commentary"] or "") > 40
        if row["Data status"] == "Provisional" and row["Measure ID"] != "M-CS-02":
            assert row["Commentary"]
        if row["Unit"] == "number" and row["Actual"] is not None:
            assert float(row["Actual"]).is_integer(), row["Measure ID"]


def test_exceptions_show_type_data_status_and_a_year_ago(cycle: tuple[Folder, Any]) -> None:
    _, summary = cycle
    sheet = open_summary(summary.path)["Exceptions"]
    header = find_row(sheet, "Measure")
    table = read_table(sheet, header)
    assert table, "the demo data has Red measures"
    assert {"Measure type", "Data status", mc.YEAR_ON_YEAR} <= set(table[0])


def test_compared_with_a_year_ago_uses_the_same_quarter_last_year() -> None:
    rows: list[dict[str, Any]] = [
        {"Quarter": "2024-25-Q2", "Measure ID": "M1", "Actual": 50.0,
         "Polarity": "Higher is better"},
        {"Quarter": "2025-26-Q1", "Measure ID": "M1", "Actual": 70.0,
         "Polarity": "Higher is better"},
        {"Quarter": "2025-26-Q2", "Measure ID": "M1", "Actual": 45.0,
         "Polarity": "Higher is better"},
        {"Quarter": "2025-26-Q2", "Measure ID": "M2", "Actual": 45.0,
         "Polarity": "Lower is better"},
        {"Quarter": "2024-25-Q2", "Measure ID": "M2", "Actual": 50.0,
         "Polarity": "Lower is better"},
        {"Quarter": "2025-26-Q2", "Measure ID": "M3", "Actual": None,
         "Polarity": "Higher is better"},
    ]
    compare_with_a_year_ago(rows)
    assert [r[mc.YEAR_ON_YEAR] for r in rows] == [
        "Not comparable", "Not comparable", "Declined", "Improved", "Not comparable", None]


def test_compared_with_a_year_ago_takes_each_rows_own_figures() -> None:
    def row(quarter: str, measure: str, actual: Any, polarity: str | None = "Higher is better"
            ) -> dict[str, Any]:
        return {"Quarter": quarter, "Measure ID": measure, "Actual": actual,
                "Polarity": polarity}

    rows = [
        row("2024-25-Q1", "M1", 10.0), row("2024-25-Q1", "M1", 30.0),  # twice: the last counts
        row("2024-25-Q1", "M2", "n/a"), row("2024-25-Q1", "M3", 5.0),
        row("2024-25-Q1", "M4", 8.0),
        row("2025-26-Q1", "M1", 20.0),  # against 30: down
        row("2025-26-Q1", "M2", 7.0),  # a year ago's figure is not a number
        row("2025-26-Q1", "M3", 5.0, None),  # the same; no polarity: Higher is better
        row("2025-26-Q1", "M4", "pending"),  # no figure of its own
        row("2025-26-Q1", "M4", 9.0, "Lower is better"),
        row("Q1 next year", "M1", 40.0),  # not a quarter: nothing to compare with
        row("2025-26-Q2", "M1", 40.0),  # a year ago not in the master
    ]
    compare_with_a_year_ago(rows)
    assert [r[mc.YEAR_ON_YEAR] for r in rows] == [
        *["Not comparable"] * 2, None, *["Not comparable"] * 2,
        "Declined", "Not comparable", "No change", None, "Declined",
        "Not comparable", "Not comparable"]
