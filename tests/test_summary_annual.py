"""The annual summary over four quarters: year-end positions, the year quarter by quarter, savings
delivered against the programme target, highlights and concerns."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from summary_support import (
    Q1,
    Q2,
    Q3,
    Q4,
    D,
    action,
    find_row,
    master_frames,
    measure,
    open_summary,
    read_table,
    risk,
    saving,
    small_plan,
    submission,
    write_master,
)

from workbook_tools.summary.annual import ANNUAL_SHEETS, summarise_year

QUARTERS = (Q1, Q2, Q3, Q4)


def four_quarters() -> dict[str, list[dict]]:
    """AA reports every quarter; BB's Q4 return was rejected, so its year end is Q3."""
    sheets: dict[str, list[dict]] = {"Submissions": [], "Measures": [], "Actions": [],
                                     "Savings": [], "Risks": []}
    for n, q in enumerate(QUARTERS):
        last = q == Q4
        sheets["Submissions"] += [submission(q, "AA"),
                                  submission(q, "BB", "Rejected" if last else "Accepted")]
        actual = 50 + 10 * n
        sheets["Measures"].append(measure(q, "AA", "M1", "People", actual, 75,
                                          "Green" if actual >= 75 else "Red"))
        sheets["Measures"].append(measure(q, "AA", "M2", "People", 30 if last else None, 40,
                                          "Red" if last else None))
        sheets["Actions"].append(action(q, "AA", "A1", "People",
                                        "Complete" if last else "On track", "Green",
                                        D(2026, 3, 31)))
        sheets["Savings"].append(saving(q, "AA", "S1", "People", 100_000, 10_000 + 30_000 * n,
                                        100_000, "Green"))
        sheets["Risks"].append(risk(q, "AA", "R1", 3 + (n > 0) + (n > 2), 3 + (n > 1), "Red"))
        if not last:  # M3 is year to date, with no figure for the year before
            sheets["Measures"].append({**measure(q, "BB", "M3", "Place", 80 - n, 75, "Green",
                                                 objective="OB2"),
                                       "Measure type": "Cumulative",
                                       "Compared with a year ago": "Not comparable"})
            sheets["Actions"].append(action(q, "BB", "A2", "Place",
                                            "Off track" if n == 2 else "On track",
                                            "Red" if n == 2 else "Green", D(2025, 12, 31),
                                            objective="OB2"))
            sheets["Savings"].append(saving(q, "BB", "S2", "Place", 200_000,
                                            [20_000, 50_000, 90_000][n], 150_000, "Red"))
    return sheets


@pytest.fixture(scope="module")
def annual(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("annual")
    master = write_master(folder / "master.xlsx", four_quarters())
    out = folder / "annual-2025-26.xlsx"
    result = summarise_year(master, 2025, out, small_plan(), produced=dt.date(2026, 4, 30))
    assert result.period == "2025-26"
    return master, out


def latest(frame: pd.DataFrame, key: str, value: str | None = None) -> pd.DataFrame:
    """Each item's last row of the year (for `value`, the last row where it is known)."""
    if value is not None:
        frame = frame[frame[value].notna()]
    return frame.sort_values("Quarter").groupby(key).tail(1).set_index(key)


def test_sheets(annual: tuple[Path, Path]) -> None:
    assert open_summary(annual[1]).sheetnames == list(ANNUAL_SHEETS)


def test_year_end_position_of_each_measure(annual: tuple[Path, Path]) -> None:
    measures = master_frames(annual[0])["Measures"]
    expected = latest(measures, "Measure ID", "Actual")
    ws = open_summary(annual[1])["Measures"]
    rows = {r["Measure ID"]: r for r in read_table(ws, find_row(ws, "Measure"))}
    assert set(rows) == {"M1", "M2", "M3"}
    for measure_id, row in rows.items():
        assert row["Year-end actual"] == expected.loc[measure_id, "Actual"]
        assert row["As at"] == expected.loc[measure_id, "Quarter"]
        assert row["RAG"] == expected.loc[measure_id, "RAG"]
        for q in QUARTERS:
            mine = measures[(measures["Measure ID"] == measure_id) & (measures["Quarter"] == q)]
            want = mine["Actual"].iloc[0] if len(mine) else None
            assert row[q] == (None if want is None or pd.isna(want) else want), (measure_id, q)
    assert rows["M3"]["As at"] == Q3  # BB's Q4 return was not accepted
    assert rows["M1"]["Over the year"] == "Improved"
    assert rows["M2"]["Over the year"] is None  # one figure in the year
    assert {m: r["Measure type"] for m, r in rows.items()} == {
        "M1": "Snapshot", "M2": "Snapshot", "M3": "Cumulative"}
    assert rows["M3"]["Over the year"] == "Not comparable"  # against last year's year end


def test_savings_delivered_against_the_programme_target(annual: tuple[Path, Path]) -> None:
    savings = master_frames(annual[0])["Savings"]
    year_end = latest(savings, "Saving ID")
    delivered = year_end["Delivered to date (£)"].sum()
    assert delivered == 190_000
    book = open_summary(annual[1])
    overview = book["Overview"]
    row = find_row(overview, "Savings delivered against the programme target")
    assert overview.cell(row, 2).value == pytest.approx(delivered / 400_000)
    assert overview.cell(row, 2).number_format == "0%"
    ws = book["Savings"]
    programme = {r["Programme"]: r["£"] for r in read_table(ws, find_row(ws, "Programme"))}
    assert programme["Delivered in the year"] == delivered
    assert programme["Programme target less delivered"] == 400_000 - delivered
    ws = book["Savings lines"]
    lines = {r["Saving ID"]: r for r in read_table(ws, find_row(ws, "Saving proposal"))}
    assert lines["S2"]["As at"] == Q3
    assert [lines["S1"][f"Delivered {q} (£)"] for q in QUARTERS] == \
        [10_000, 40_000, 70_000, 100_000]


def test_the_year_quarter_by_quarter(annual: tuple[Path, Path]) -> None:
    frames = master_frames(annual[0])
    ws = open_summary(annual[1])["Trends"]
    rows = {r["Quarter"]: r for r in read_table(ws, find_row(ws, "Quarter"))}
    assert list(rows) == list(QUARTERS)
    for q, row in rows.items():
        mine = frames["Savings"][frames["Savings"]["Quarter"] == q]
        assert row["Delivered to date (£)"] == mine["Delivered to date (£)"].sum()
        assert row["Programme target (£)"] == 400_000
    rag = {r["Quarter"]: r for r in read_table(ws, find_row(ws, "Quarter",
                                                            start=find_row(ws, Q4) + 1))}
    for q in QUARTERS:
        measures = frames["Measures"][frames["Measures"]["Quarter"] == q]
        assert rag[q]["Measures Green"] == (measures["RAG"] == "Green").sum()
        assert rag[q]["Measures Red"] == (measures["RAG"] == "Red").sum()


def test_highlights_and_concerns(annual: tuple[Path, Path]) -> None:
    ws = open_summary(annual[1])["Highlights"]
    highlights = read_table(ws, find_row(ws, "Area"))
    concerns = read_table(ws, find_row(ws, "Area", start=find_row(ws, "Concerns")))
    assert ("Savings", "Saving S1") in {(r["Area"], r["Item"]) for r in highlights}
    assert ("Measures", "Measure M1") in {(r["Area"], r["Item"]) for r in highlights}
    assert ("Actions", "Action A1") in {(r["Area"], r["Item"]) for r in highlights}
    found = {(r["Area"], r["Item"]) for r in concerns}
    assert found == {("Measures", "Measure M2"), ("Actions", "Action A2"),
                     ("Savings", "Saving S2"), ("Risks", "Risk R1")}
    s2 = next(r for r in concerns if r["Item"] == "Saving S2")
    assert s2["Detail"] == "Forecast £150,000 against a target of £200,000 (gap £50,000)."


def test_charts_and_year_end_by_theme(annual: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(annual[1]) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 4
    ws = open_summary(annual[1])["By theme"]
    rows = {r["Theme"]: r for r in read_table(ws, find_row(ws, "Theme"))}
    assert rows["People"]["Measures Green"] == 1 and rows["People"]["Measures Red"] == 1
    assert rows["Place"]["Actions Red"] == 1


def test_a_year_not_in_the_master(annual: tuple[Path, Path], tmp_path: Path) -> None:
    from workbook_tools.errors import UsageError

    with pytest.raises(UsageError, match="has no rows for 2026-27"):
        summarise_year(annual[0], 2026, tmp_path / "a.xlsx")
