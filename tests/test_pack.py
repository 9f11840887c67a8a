"""The Cabinet pack for a quarter: every figure on the page equals the master's (worked out again
here with pandas over the master's sheets, and read back from the HTML with lxml), the page is
one self-contained file, and its structure is the accessible one (captions, header scopes,
headings in order, charts named with a text summary and their figures)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from pack_support import headings_in_order, money, page, section, table, tables, text, total
from summary_support import NAMES, Q1, Q2, master_frames, small_plan, two_quarters, write_master

from workbook_tools import __version__
from workbook_tools.cli import cli
from workbook_tools.master.read import read_master
from workbook_tools.plan.register import Directorate
from workbook_tools.quarters import parse_quarter
from workbook_tools.summary import tables as t
from workbook_tools.summary.pack.quarter import quarter_pack
from workbook_tools.summary.pack.render import html
from workbook_tools.summary.pack.write import write_quarter_pack

PRODUCED = dt.date(2025, 10, 20)
RAGS = ("Green", "Amber", "Red")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("pack")
    master = write_master(folder / "master.xlsx", two_quarters())
    written = write_quarter_pack(master, parse_quarter(Q2), folder / "summary-2025-26-Q2.xlsx",
                                 small_plan(), produced=PRODUCED)
    assert written == [folder / "summary-2025-26-Q2.html"]
    return master, written[0]


@pytest.fixture(scope="module")
def doc(built: tuple[Path, Path]) -> Any:
    return page(built[1])


@pytest.fixture(scope="module")
def quarter(built: tuple[Path, Path]) -> dict[str, pd.DataFrame]:
    return {name: frame[frame["Quarter"] == Q2] for name, frame in master_frames(built[0]).items()}


def cards(doc: Any) -> dict[str, str]:
    found = {}
    for card in doc.find_class("card"):
        label = text(card.find_class("card-label")[0])
        found[label] = text(card.find_class("card-value")[0])
    return found


def test_at_a_glance_counts_equal_the_master(doc: Any,
                                             quarter: dict[str, pd.DataFrame]) -> None:
    shown = cards(doc)
    for sheet in ("Measures", "Actions", "Risks"):
        for rag in RAGS:
            expected = int((quarter[sheet]["RAG"] == rag).sum())
            assert shown[f"{rag} {sheet.lower()}"] == str(expected), (sheet, rag)
    savings = quarter["Savings"]
    assert shown["Forecast (full year)"] == money(savings["Forecast (£)"].sum())
    assert shown["Delivered to date"] == money(savings["Delivered to date (£)"].sum())
    assert shown["Finance confirmed"] == money(savings["Finance confirmed (£)"].sum()) \
        == "£29,000"  # the orphaned row's 999,999 is in no total
    assert shown["Programme target"] == "£400,000"
    # RAG by quarter: this quarter and the previous one, as the master has them
    rows = {r["Quarter"]: r for r in table(doc, "Measures and actions by RAG: this quarter")}
    assert set(rows) == {Q1, Q2}
    assert rows[Q2]["Measures Red"] == str(int((quarter["Measures"]["RAG"] == "Red").sum()))


def test_themes_equal_the_master(doc: Any, quarter: dict[str, pd.DataFrame]) -> None:
    rows = {r["Theme"]: r for r in table(doc, "Measures, actions and savings by theme")}
    for theme in ("People", "Place"):
        measures = quarter["Measures"][quarter["Measures"]["Theme"] == theme]
        actions = quarter["Actions"][quarter["Actions"]["Theme"] == theme]
        savings = quarter["Savings"][quarter["Savings"]["Theme"] == theme]
        for rag in RAGS:
            assert rows[theme][f"Measures {rag}"] == str(int((measures["RAG"] == rag).sum()))
            assert rows[theme][f"Actions {rag}"] == str(int((actions["RAG"] == rag).sum()))
        assert rows[theme]["Savings Target (£)"] == money(savings["Target (£)"].sum())
        assert rows[theme]["Savings Forecast (£)"] == money(savings["Forecast (£)"].sum())
    # the chart's figures are the table's, and its summary says them in words
    # the figures' caption lower-cases an ordinary first word, never an acronym or a quarter
    chart_rows = {r["Theme"]: r for r in table(doc, "Figures: measures by RAG, by theme")}
    assert table(doc, f"Figures: direction of travel of measures, by theme ({Q2})")
    summary = text(doc.get_element_by_id(
        next(f.get("id") for f in doc.find_class("chart")
             if text(f.find("figcaption")) == "Measures by RAG, by theme") + "-s"))
    for theme in ("People", "Place"):
        assert chart_rows[theme]["Green"] == rows[theme]["Measures Green"]
        assert f"{theme}: {rows[theme]['Measures Green']} Green" in summary
    # each theme, with its objectives
    people = section(doc, "theme-1")
    assert text(people.find("h3")) == "People"
    objectives = table(people, "People: measures, actions and savings by objective")
    assert [r["Objective"] for r in objectives] == ["Children thrive"]


def test_exceptions_list_every_red_item(doc: Any, quarter: dict[str, pd.DataFrame]) -> None:
    for caption, sheet, key in (("Red measures", "Measures", "Measure ID"),
                                ("Red actions", "Actions", "Action ID"),
                                ("Red savings", "Savings", "Saving ID"),
                                ("Red risks, with", "Risks", "Risk ID")):
        frame = quarter[sheet]
        expected = sorted(frame[frame["RAG"] == "Red"][key])
        assert expected, sheet
        assert sorted(r[key] for r in table(doc, caption)) == expected, caption
    measures = table(doc, "Red measures")
    assert measures[0]["Commentary"] == '=HYPERLINK("http://x") fell back'
    assert measures[0]["Remedial action"] == "@SUM(1) plan agreed"
    assert measures[0]["Measure ID"] == "M1"
    assert [r["Commentary"] for r in table(doc, "Red savings")] == ["+ a late start",
                                                                    "Not tied to an objective"]


def test_savings_programme_over_the_quarters(doc: Any, built: tuple[Path, Path]) -> None:
    frames = master_frames(built[0])
    savings = frames["Savings"]
    rows = {r["Quarter"]: r for r in table(
        doc, "Figures: the savings programme, quarter by quarter (2025-26)")}
    assert list(rows) == [Q1, Q2]
    for q in (Q1, Q2):
        own = savings[savings["Quarter"] == q]
        assert rows[q]["Forecast (£)"] == money(own["Forecast (£)"].sum())
        assert rows[q]["Delivered to date (£)"] == money(own["Delivered to date (£)"].sum())
        assert rows[q]["Programme target (£)"] == "£400,000"
        assert rows[q]["Finance confirmed (£)"] == money(
            own["Finance confirmed (£)"].sum(min_count=1))
    by_directorate = {r["Directorate"]: r for r in table(doc, "Savings by directorate:")}
    q2 = savings[savings["Quarter"] == Q2]
    for code, name in NAMES.items():
        own = q2[q2["Directorate"] == code]
        assert by_directorate[name]["Forecast (£)"] == money(own["Forecast (£)"].sum())
        assert by_directorate[name]["Gap (£)"] == money(
            own["Target (£)"].sum() - own["Forecast (£)"].sum())
    assert total(doc, "Savings by directorate:")["Target (£)"] == money(q2["Target (£)"].sum())


def test_risk_grid_counts_and_names_each_rating(doc: Any,
                                                quarter: dict[str, pd.DataFrame]) -> None:
    risks = quarter["Risks"]
    grid = {r["Likelihood \\ impact"]: r for r in table(doc, "Risks by likelihood and impact")}
    ratings = {(5, 5): "Red", (1, 1): "Green", (3, 3): "Amber", (4, 4): "Red", (2, 4): "Amber"}
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            count = int(((risks["Likelihood"] == likelihood) & (risks["Impact"] == impact)).sum())
            cell = grid[f"Likelihood {likelihood}"][f"Impact {impact}"]
            assert cell.split()[0] == str(count)
            if (likelihood, impact) in ratings:
                assert cell.split()[1] == ratings[(likelihood, impact)]


def test_what_changed_equals_the_master(doc: Any, built: tuple[Path, Path]) -> None:
    frames = master_frames(built[0])
    changed = 0
    for sheet, key in (("Measures", "Measure ID"), ("Actions", "Action ID")):
        frame = frames[sheet]
        pairs = frame[frame["Quarter"] == Q2].merge(frame[frame["Quarter"] == Q1], on=key,
                                                    suffixes=("", " before"))
        changed += int((pairs["RAG"].isin(RAGS) & (pairs["RAG"] != pairs["RAG before"])).sum())
    counts = {r["Change"]: r["Items"] for r in table(doc, "What changed: counts")}
    assert counts["RAG changes"] == str(changed) == "6"
    assert len(table(doc, "Measures and actions whose RAG changed")) == changed


def test_data_quality(doc: Any, quarter: dict[str, pd.DataFrame]) -> None:
    shown = cards(doc)
    subs = quarter["Submissions"]
    assert shown["Returns accepted with warnings"] == str(
        int((subs["Status"] == "Accepted with warnings").sum())) == "1"
    assert shown["Returns not received"] == "0"
    rows = {r["Directorate"]: r for r in table(doc, f"Each directorate's return for {Q2}")}
    assert rows["Beta Services"]["Return"] == "Accepted with warnings"
    assert rows["Alpha Services"]["Return"] == "Accepted"
    measures = quarter["Measures"]
    for code, name in NAMES.items():
        missing = int(((measures["Directorate"] == code) & measures["Actual"].isna()).sum())
        assert rows[name]["Measures with no actual"] == str(missing)
    assert "No figure was corrected" in text(section(doc, "data-quality"))


def test_appendix_lists_each_directorates_items(doc: Any,
                                                quarter: dict[str, pd.DataFrame]) -> None:
    for number, (code, name) in enumerate(NAMES.items(), 1):
        part = section(doc, f"directorate-{number}")
        assert text(part.find("h3")) == name
        for sheet, key in (("Measures", "Measure ID"), ("Actions", "Action ID"),
                           ("Savings", "Saving ID"), ("Risks", "Risk ID")):
            frame = quarter[sheet]
            expected = sorted(frame[frame["Directorate"] == code][key])
            shown = table(part, f"{name}: {sheet.lower()}") if expected else []
            assert sorted(r[key] for r in shown) == expected, (name, sheet)


def test_footer_names_the_master_version_and_date(doc: Any, built: tuple[Path, Path]) -> None:
    footer = text(doc.find(".//footer"))
    assert hashlib.sha256(built[0].read_bytes()).hexdigest() in footer
    assert f"workbook-tools {__version__}" in footer
    assert "20 October 2025" in footer


def test_one_self_contained_file(built: tuple[Path, Path], doc: Any) -> None:
    source = built[1].read_text(encoding="utf-8")
    assert "<script" not in source and "<link" not in source and "@import" not in source
    assert "url(" not in source.replace("url(#", "")
    for element in doc.iter():
        for name in ("src", "href", "xlink:href", "{http://www.w3.org/1999/xlink}href"):
            value = element.get(name)
            assert value is None or value.startswith("#"), (element.tag, value)
    assert source.count("<svg") == len(doc.find_class("chart")) >= 5
    assert "<style>" in source
    style = source.split("<style>")[1].split("</style>")[0]
    assert "&#34;" not in style and '"Page " counter(page)' in style  # CSS as written


def test_accessible_structure(doc: Any) -> None:
    assert doc.get("lang") == "en-GB"
    assert text(doc.find(".//title")) == "Testshire Council: Performance and savings report, " \
        "2025-26-Q2"
    assert max(headings_in_order(doc)) == 3  # page, sections, their parts
    for each in doc.iter("table"):
        assert text(each.find("caption"))
        for th in each.iter("th"):
            assert th.get("scope") in ("col", "row", "colgroup"), text(th)
        assert each.find("thead") is not None
    for figure in doc.find_class("chart"):
        svg = figure.find(".//svg")
        assert svg.get("role") == "img"
        for ref in svg.get("aria-labelledby").split():
            assert text(doc.get_element_by_id(ref))
        assert next(figure.itersiblings()).get("class") == "table-wrap"
    # RAG never by colour alone: every coloured badge holds its word
    for badge in doc.find_class("badge"):
        assert text(badge) in RAGS + ("Improved", "Declined", "Accepted",
                                      "Accepted with warnings", "On track", "Off track",
                                      "At risk", "Rejected", "Not received", "Complete",
                                      "Delivered", "Unachievable", "Better", "Worse")
        assert f"rag-{text(badge).lower()}" in badge.get("class") or \
            badge.get("class").split()[1].startswith("rag-")
    assert tables(doc)
    assert "Written by workbook-tools from the figures" in text(section(doc, "key-messages"))


def test_narrative_sheet_gives_the_key_messages(built: tuple[Path, Path]) -> None:
    master = read_master(built[0])
    master.sheets["Narrative"] = [
        {"Quarter": Q2, "Section": "Overview", "Key message": "Cabinet is asked to note Q2."},
        {"Quarter": Q1, "Section": "Overview", "Key message": "An old message."},
        {"Quarter": Q2, "Section": "P1", "Key message": "People: schools improved."},
        {"Quarter": Q2, "Section": "BB", "Key message": "Beta is behind on roads."}]
    frames = t.load_frames(master, small_plan())
    pack = quarter_pack(master, frames, parse_quarter(Q2), PRODUCED,
                        theme_codes={"People": "P1"})
    doc = page_of(html(pack))
    messages = text(section(doc, "key-messages"))
    assert "Cabinet is asked to note Q2." in messages
    assert "An old message" not in messages and "Written by workbook-tools" not in messages
    assert "People: schools improved." in text(section(doc, "theme-1"))
    assert "Beta is behind on roads." in text(section(doc, "directorate-2"))


def page_of(source: str) -> Any:
    import lxml.html

    return lxml.html.fromstring(source.encode())


def test_summarise_writes_the_pack_beside_the_workbook(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    master = write_master(tmp_path / "outputs" / "master.xlsx", two_quarters())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["summarise", "--quarter", Q2])
    assert result.exit_code == 0, result.output
    assert f"Wrote outputs{'/' if sys.platform != 'win32' else chr(92)}summary-{Q2}.html" \
        in result.output
    doc = page(tmp_path / "outputs" / f"summary-{Q2}.html")
    assert table(doc, "Red measures")[0]["Measure ID"] == "M1"
    assert master.exists()


def test_pdf_without_weasyprint_is_one_sentence(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write_master(tmp_path / "outputs" / "master.xlsx", two_quarters())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if not installed
    result = CliRunner().invoke(cli, ["summarise", "--quarter", Q2, "--pdf"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: --pdf needs WeasyPrint, which is not installed: run pip install "
        "'workbook-tools[pdf]' and try again."]
    assert not (tmp_path / "outputs" / f"summary-{Q2}.xlsx").exists()


def test_data_quality_names_late_and_missing_returns(tmp_path: Path) -> None:
    sheets = two_quarters()
    received = {"AA": dt.datetime(2025, 10, 20, 9, 0), "BB": dt.datetime(2025, 10, 10, 9, 0)}
    for row in sheets["Submissions"]:
        row["Received"] = received[row["Directorate"]]  # Q2's deadline: 15 October 2025
        row["Warnings"] = 2 if row["Status"] == "Accepted with warnings" else 0
    master = write_master(tmp_path / "master.xlsx", sheets)
    plan = small_plan()
    plan = dataclasses.replace(plan, directorates=(*plan.directorates, Directorate(
        "CC", "Gamma Services", "Director", "c@example.org")))
    html_path = write_quarter_pack(master, parse_quarter(Q2), tmp_path / "summary.xlsx", plan,
                                   produced=PRODUCED)[0]
    doc = page(html_path)
    shown = cards(doc)
    assert shown["Returns not received"] == "1"
    assert shown["Returns received after the deadline"] == "1"
    rows = {r["Directorate"]: r for r in table(doc, f"Each directorate's return for {Q2}")}
    assert (rows["Alpha Services"]["Late"], rows["Alpha Services"]["Received"]) == \
        ("Late", "20 Oct 2025")
    assert rows["Beta Services"]["Late"] == "On time"
    assert rows["Beta Services"]["Warnings"] == "2"
    assert rows["Gamma Services"]["Return"] == "Not received"
    assert "Late: received after the deadline, 15 days after the quarter ended" in text(
        section(doc, "data-quality"))


def test_objectives_directions_and_directorates_equal_the_master(
        doc: Any, quarter: dict[str, pd.DataFrame]) -> None:
    measures, actions = quarter["Measures"], quarter["Actions"]
    rows = {r["Objective"]: r for r in table(section(doc, "theme-2"), "Place: measures")}
    own = measures[measures["Objective code"] == "OB2"]
    for rag in RAGS:
        assert rows["Roads are safe"][f"Measures {rag}"] == str(int((own["RAG"] == rag).sum()))
    assert rows["Roads are safe"]["Actions Total"] == str(
        int((actions["Objective code"] == "OB2").sum()))
    directions = {r["Theme"]: r for r in table(doc, "Direction of travel of measures against")}
    for theme in ("People", "Place"):
        own = measures[measures["Theme"] == theme]
        for word in ("Improved", "No change", "Declined", "New"):
            assert directions[theme][word] == str(int((own["Direction of travel"] == word).sum()))
    for number, (code, name) in enumerate(NAMES.items(), 1):
        summary = table(section(doc, f"directorate-{number}"), f"{name}: summary")[0]
        risks = quarter["Risks"][quarter["Risks"]["Directorate"] == code]
        savings = quarter["Savings"][quarter["Savings"]["Directorate"] == code]
        assert summary["Risks Red"] == str(int((risks["RAG"] == "Red").sum()))
        assert summary["Savings Forecast (£)"] == money(savings["Forecast (£)"].sum())
        assert summary["Measures Total"] == str(int((measures["Directorate"] == code).sum()))


def test_compared_with_a_year_ago_by_theme(tmp_path: Path) -> None:
    sheets = two_quarters()
    words = {"M1": "Declined", "M2": "Improved", "M3": "Improved", "M4": "Not comparable"}
    for row in sheets["Measures"]:
        if row["Quarter"] == Q2:
            row["Compared with a year ago"] = words.get(row["Measure ID"], "New")
    master = write_master(tmp_path / "master.xlsx", sheets)
    doc = page(write_quarter_pack(master, parse_quarter(Q2), tmp_path / "summary.xlsx",
                                  small_plan(), produced=PRODUCED)[0])
    measures = master_frames(master)["Measures"]
    measures = measures[measures["Quarter"] == Q2]
    rows = {r["Theme"]: r for r in table(doc, "Measures compared with the same quarter a year")}
    for theme in ("People", "Place"):
        own = measures[measures["Theme"] == theme]
        for word in ("Improved", "No change", "Declined", "New"):
            assert rows[theme][word] == str(int((own["Compared with a year ago"] == word).sum()))
    assert (rows["Place"]["Improved"], rows["Place"]["New"]) == ("1", "1")
