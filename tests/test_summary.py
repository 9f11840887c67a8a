"""The quarterly summary: every figure equals the master's for the quarter (worked out again here
with pandas over the master's sheets), charts are native parts, text stays text, print-ready."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from summary_support import (
    NAMES,
    Q1,
    Q2,
    find_row,
    master_frames,
    open_summary,
    read_table,
    small_plan,
    two_quarters,
    write_master,
)

from workbook_tools.quarters import parse_quarter
from workbook_tools.summary.quarter import QUARTER_SHEETS, summarise_quarter

PRODUCED = dt.date(2025, 10, 20)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("summary")
    master = write_master(folder / "master.xlsx", two_quarters())
    out = folder / "summary-2025-26-Q2.xlsx"
    summarise_quarter(master, parse_quarter(Q2), out, small_plan(), produced=PRODUCED)
    return master, out


@pytest.fixture(scope="module")
def quarter(built: tuple[Path, Path]) -> dict[str, pd.DataFrame]:
    """The master's Q2 rows, read independently."""
    return {name: frame[frame["Quarter"] == Q2] for name, frame in master_frames(built[0]).items()}


def rag_count(frame: pd.DataFrame, **where: str) -> int:
    for column, value in where.items():
        frame = frame[frame[column] == value]
    return len(frame)


def test_sheets_in_order(built: tuple[Path, Path]) -> None:
    assert open_summary(built[1]).sheetnames == list(QUARTER_SHEETS)


def test_by_theme_counts_equal_the_master(built: tuple[Path, Path],
                                          quarter: dict[str, pd.DataFrame]) -> None:
    ws = open_summary(built[1])["By theme"]
    rows = {r["Theme"]: r for r in read_table(ws, find_row(ws, "Theme"))}
    assert set(rows) == {"People", "Place", "No theme", "All themes"}
    for theme in ("People", "Place"):
        for sheet in ("Measures", "Actions"):
            for rag in ("Green", "Amber", "Red"):
                assert rows[theme][f"{sheet} {rag}"] == rag_count(quarter[sheet], Theme=theme,
                                                                  RAG=rag), (theme, sheet, rag)
            assert rows[theme][f"{sheet} Total"] == rag_count(quarter[sheet], Theme=theme)
        savings = quarter["Savings"][quarter["Savings"]["Theme"] == theme]
        assert rows[theme]["Savings Target (£)"] == savings["Target (£)"].sum()
        assert rows[theme]["Savings Forecast (£)"] == savings["Forecast (£)"].sum()
        assert rows[theme]["Savings Gap (£)"] == (savings["Target (£)"]
                                                  - savings["Forecast (£)"]).sum()
    # A saving with no theme is counted on a row of its own, so the totals reconcile.
    assert rows["No theme"]["Savings Target (£)"] == 30_000
    assert rows["All themes"]["Savings Target (£)"] == quarter["Savings"]["Target (£)"].sum()
    assert rows["All themes"]["Savings Forecast (£)"] == quarter["Savings"]["Forecast (£)"].sum()
    assert rows["All themes"]["Measures Total"] == len(quarter["Measures"])
    assert rows["All themes"]["Measures Not rated"] == quarter["Measures"]["RAG"].isna().sum()
    assert rows["All themes"]["Actions No rating"] == quarter["Actions"]["RAG"].isna().sum()


def test_by_objective_counts_equal_the_master(built: tuple[Path, Path],
                                              quarter: dict[str, pd.DataFrame]) -> None:
    ws = open_summary(built[1])["By objective"]
    rows = {r["Code"]: r for r in read_table(ws, find_row(ws, "Objective"))}
    assert rows["OB1"]["Objective"] == "Children thrive" and rows["OB2"]["Theme"] == "Place"
    for code in ("OB1", "OB2"):
        for sheet in ("Measures", "Actions"):
            for rag in ("Green", "Amber", "Red"):
                assert rows[code][f"{sheet} {rag}"] == rag_count(
                    quarter[sheet], **{"Objective code": code, "RAG": rag}), (code, sheet, rag)
    no_objective = next(r for r in rows.values() if r["Objective"] == "Savings with no objective")
    assert no_objective["Savings Target (£)"] == 30_000


def test_by_directorate_equals_the_master(built: tuple[Path, Path],
                                          quarter: dict[str, pd.DataFrame]) -> None:
    ws = open_summary(built[1])["By directorate"]
    rows = {r["Code"]: r for r in read_table(ws, find_row(ws, "Directorate"))
            if r["Code"]}
    assert list(rows) == ["AA", "BB"]
    assert rows["BB"]["Return"] == "Accepted with warnings"  # the accepted file, not the rejected
    for code in rows:
        assert rows[code]["Directorate"] == NAMES[code]
        for rag in ("Green", "Amber", "Red"):
            assert rows[code][f"Measures {rag}"] == rag_count(quarter["Measures"],
                                                              Directorate=code, RAG=rag)
            assert rows[code][f"Risks {rag}"] == rag_count(quarter["Risks"], Directorate=code,
                                                           RAG=rag)


def test_savings_by_directorate_with_finance_beside(built: tuple[Path, Path],
                                                    quarter: dict[str, pd.DataFrame]) -> None:
    ws = open_summary(built[1])["Savings"]
    rows = {r["Directorate"]: r for r in read_table(ws, find_row(ws, "Directorate"))}
    savings = quarter["Savings"]  # orphaned rows left out, as the summary does
    for code, name in NAMES.items():
        mine = savings[savings["Directorate"] == code]
        row = rows[name]
        assert row["Target (£)"] == mine["Target (£)"].sum()
        assert row["Delivered to date (£)"] == mine["Delivered to date (£)"].sum()
        assert row["Forecast (£)"] == mine["Forecast (£)"].sum()
        assert row["Gap (£)"] == mine["Target (£)"].sum() - mine["Forecast (£)"].sum()
        assert row["Finance confirmed (£)"] == mine["Finance confirmed (£)"].sum()
        assert row["Lines confirmed by finance"] == mine["Finance confirmed (£)"].notna().sum()
    total = rows["All directorates"]
    assert total["Finance confirmed (£)"] == 29_000  # the orphaned 999,999 is not counted
    assert total["Forecast (£)"] == savings["Forecast (£)"].sum()
    lines_ws = open_summary(built[1])["Savings lines"]
    lines = {r["Saving ID"]: r for r in read_table(lines_ws, find_row(lines_ws, "Saving proposal"))}
    assert set(lines) == set(savings["Saving ID"])  # every line but the orphaned one
    for _, line in savings.iterrows():
        shown = lines[line["Saving ID"]]
        assert shown["Forecast (£)"] == line["Forecast (£)"]
        assert shown["Gap (£)"] == line["Target (£)"] - line["Forecast (£)"]
        confirmed = line["Finance confirmed (£)"]
        assert shown["Finance confirmed (£)"] == (None if pd.isna(confirmed) else confirmed)
    programme = {r["Programme"]: r["£"] for r in read_table(ws, find_row(ws, "Programme"))}
    assert programme["Programme target"] == 400_000
    assert programme["Gap: programme target less forecast"] == \
        400_000 - savings["Forecast (£)"].sum()


def test_overview_headline(built: tuple[Path, Path], quarter: dict[str, pd.DataFrame]) -> None:
    ws = open_summary(built[1])["Overview"]
    assert ws["A1"].value == "Testshire Council: performance and savings summary, 2025-26-Q2"

    def value(section: str, label: str) -> object:
        return ws.cell(find_row(ws, label, start=find_row(ws, section)), 2).value

    measures = quarter["Measures"]
    for rag in ("Green", "Amber", "Red"):
        assert value("Measures", rag) == rag_count(measures, RAG=rag)
        assert value("Actions", rag) == rag_count(quarter["Actions"], RAG=rag)
        assert value("Risks", rag) == rag_count(quarter["Risks"], RAG=rag)
    savings = quarter["Savings"]
    assert value("Savings", "Forecast (full year)") == savings["Forecast (£)"].sum()
    assert value("Savings", "Delivered to date") == savings["Delivered to date (£)"].sum()
    assert value("Savings", "Programme target") == 400_000
    assert value("Returns", "Directorates whose return is in the master") == 2


def test_exceptions_list_every_red_item_with_its_text_as_text(
        built: tuple[Path, Path], quarter: dict[str, pd.DataFrame]) -> None:
    ws = open_summary(built[1])["Exceptions"]
    measures = read_table(ws, find_row(ws, "Measure"))
    red = quarter["Measures"][quarter["Measures"]["RAG"] == "Red"]
    assert [r["Measure ID"] for r in measures] == list(red["Measure ID"])
    assert measures[0]["Commentary"] == '=HYPERLINK("http://x") fell back'
    assert measures[0]["Remedial action"] == "@SUM(1) plan agreed"
    actions = read_table(ws, find_row(ws, "Action"))
    red_actions = quarter["Actions"][quarter["Actions"]["RAG"] == "Red"]
    assert [r["Action ID"] for r in actions] == list(red_actions["Action ID"])
    assert actions[0]["Commentary"] == "-1 contractor left"
    with zipfile.ZipFile(built[1]) as archive:
        sheets = "".join(archive.read(n).decode() for n in archive.namelist()
                         if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in sheets  # no formula anywhere: return text never becomes one


def test_trends_show_each_measure_across_the_quarters(built: tuple[Path, Path]) -> None:
    frames = master_frames(built[0])
    ws = open_summary(built[1])["Trends"]
    rows = {r["Measure ID"]: r for r in read_table(ws, find_row(ws, "Measure"))}
    measures = frames["Measures"]
    for _, row in measures.iterrows():
        shown = rows[row["Measure ID"]][row["Quarter"]]
        assert (shown is None and pd.isna(row["Actual"])) or shown == row["Actual"]
    current = measures[measures["Quarter"] == Q2].set_index("Measure ID")
    for measure_id, row in rows.items():
        assert row[f"Direction of travel ({Q2})"] == current.loc[measure_id,
                                                                 "Direction of travel"]
    programme = {r["Quarter"]: r for r in read_table(ws, find_row(ws, "Quarter"))}
    savings = frames["Savings"]
    for q in (Q1, Q2):
        assert programme[q]["Forecast (£)"] == savings[savings["Quarter"] == q][
            "Forecast (£)"].sum()


def test_risks_by_rating(built: tuple[Path, Path], quarter: dict[str, pd.DataFrame]) -> None:
    ws = open_summary(built[1])["Risks"]
    counts = {r["Rating"]: r["Risks"] for r in read_table(ws, find_row(ws, "Rating"))}
    assert counts == {rag: rag_count(quarter["Risks"], RAG=rag)
                      for rag in ("Red", "Amber", "Green")}
    listed = read_table(ws, find_row(ws, "Risk"))
    assert [r["Risk ID"] for r in listed] == ["R1", "R2", "R3"]  # highest score first


def test_native_charts(built: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(built[1]) as archive:
        names = archive.namelist()
        charts = {n: archive.read(n).decode() for n in names if n.startswith("xl/charts/chart")}
    assert len(charts) >= 4
    text = "\n".join(charts.values())
    assert '<c:grouping val="stacked"/>' in text  # RAG by theme, stacked
    assert "Measures by RAG, by theme" in text
    assert "People" in text and "No theme" not in text  # a theme with only savings: no bar
    assert "Savings by directorate" in text and "<c:f>Savings!$" in text
    assert "Savings forecast against the programme target" in text and "<c:lineChart>" in text
    assert "Direction of travel" in text
    assert "&quot;£&quot;0.0,,&quot;m&quot;" in text  # £ in millions on the money axes


def test_print_ready(built: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(built[1]) as archive:
        first = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 'orientation="landscape"' in first and 'fitToHeight="0"' in first
    footer = re.search(r"<oddFooter>(.*?)</oddFooter>", first).group(1)
    assert "Testshire Council" in footer and "2025-26-Q2" in footer
    assert "Produced 20 October 2025" in footer


def test_columns_wide_enough_for_their_numbers(built: tuple[Path, Path]) -> None:
    """No ##### : every £ figure fits its column."""
    book = open_summary(built[1])
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, int | float) and "£" in cell.number_format:
                    width = ws.column_dimensions[cell.column_letter].width
                    assert width >= len(f"£{cell.value:,.0f}") + 1, (ws.title, cell.coordinate)


def test_a_quarter_not_in_the_master(built: tuple[Path, Path], tmp_path: Path) -> None:
    from workbook_tools.errors import UsageError

    with pytest.raises(UsageError, match="has no rows for 2025-26-Q3"):
        summarise_quarter(built[0], parse_quarter("2025-26-Q3"), tmp_path / "s.xlsx")


def test_first_quarter_without_a_plan(built: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "summary-Q1.xlsx"
    result = summarise_quarter(built[0], parse_quarter(Q1), out)
    book = open_summary(out)
    assert book["Overview"]["A1"].value.startswith("Performance and savings summary, 2025-26-Q1")
    assert "first quarter in the master" in book["What changed"]["A4"].value
    assert result.figures["Programme target"] is None
    ws = book["By directorate"]
    names = [r["Directorate"] for r in read_table(ws, find_row(ws, "Directorate"))]
    assert names[:2] == ["Alpha Services", "Beta Services"]  # names from Submissions


def test_trends_show_measure_type_and_count_not_comparable(tmp_path: Path) -> None:
    """A Cumulative measure is Not comparable until the master holds the same quarter last
    year: the Trends sheet counts it, so each theme's directions add up to its measures."""
    sheets = two_quarters()
    for row in sheets["Measures"]:
        if row["Measure ID"] in ("M4", "M5"):
            row["Measure type"] = "Cumulative"
            if row["Quarter"] == Q2:
                row["Direction of travel"] = "Not comparable"
    master = write_master(tmp_path / "master.xlsx", sheets)
    out = tmp_path / "summary.xlsx"
    summarise_quarter(master, parse_quarter(Q2), out, small_plan(), produced=PRODUCED)
    measures = master_frames(master)["Measures"]
    now = measures[measures["Quarter"] == Q2]
    ws = open_summary(out)["Trends"]

    directions = {r["Theme"]: r for r in read_table(ws, find_row(ws, "Theme"))}
    words = ("Improved", "No change", "Declined", "New", "Not comparable")
    for theme in ("People", "Place"):
        own = now[now["Theme"] == theme]
        for word in words:
            assert directions[theme][word] == (own["Direction of travel"] == word).sum()
        assert directions[theme]["Total"] == sum(directions[theme][w] for w in words) \
            == own["Direction of travel"].notna().sum()
    assert directions["Place"]["Not comparable"] == 2
    assert directions["All themes"]["Not comparable"] == 2
    assert directions["All themes"]["Total"] == len(now)

    each = {r["Measure ID"]: r for r in read_table(ws, find_row(ws, "Measure"))}
    assert {m: r["Measure type"] for m, r in each.items()} == {
        "M1": "Snapshot", "M2": "Snapshot", "M3": "Snapshot", "M4": "Cumulative",
        "M5": "Cumulative"}
    assert each["M5"][f"Direction of travel ({Q2})"] == "Not comparable"
