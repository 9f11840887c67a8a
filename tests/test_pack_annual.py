"""The annual Cabinet pack: each item's year-end position (its latest row in the year) gives the
page's figures, worked out again here with pandas over the master; written beside the annual
workbook by `summarise --year`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from pack_support import headings_in_order, money, page, section, table, text
from summary_support import Q1, Q2, master_frames, two_quarters, write_master

from workbook_tools.cli import cli

RAGS = ("Green", "Amber", "Red")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("annual-pack")
    master = write_master(folder / "outputs" / "master.xlsx", two_quarters())
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = CliRunner().invoke(cli, ["summarise", "--year", "2025-26"])
    assert result.exit_code == 0, result.output
    assert "annual-2025-26.html: the Cabinet pack." in result.output
    return master, page(folder / "outputs" / "annual-2025-26.html")


def year_end(master: Path, sheet: str, key: str) -> pd.DataFrame:
    """Each item's latest row in the year (for a measure, the latest with an actual)."""
    frame = master_frames(master)[sheet]
    frame = frame[frame["Quarter"].isin([Q1, Q2])].copy()
    frame["_when"] = frame["Quarter"].map([Q1, Q2].index)
    frame["_has"] = frame["Actual"].notna() if sheet == "Measures" else True
    return frame.sort_values(["_has", "_when"]).drop_duplicates(key, keep="last")


def test_year_end_counts_and_savings(built: tuple[Path, Any]) -> None:
    master, doc = built
    cards = {text(c.find_class("card-label")[0]): text(c.find_class("card-value")[0])
             for c in doc.find_class("card")}
    for sheet, key in (("Measures", "Measure ID"), ("Actions", "Action ID"),
                       ("Risks", "Risk ID")):
        position = year_end(master, sheet, key)
        for rag in RAGS:
            assert cards[f"{rag} {sheet.lower()}"] == str(int((position["RAG"] == rag).sum()))
    savings = year_end(master, "Savings", "Saving ID")
    assert cards["Forecast (full year)"] == money(savings["Forecast (£)"].sum())
    rows = {r["Quarter"]: r for r in table(doc, "Measures and actions by RAG, quarter by")}
    frames = master_frames(master)
    for q in (Q1, Q2):
        measures = frames["Measures"][frames["Measures"]["Quarter"] == q]
        assert rows[q]["Measures Green"] == str(int((measures["RAG"] == "Green").sum()))


def test_exceptions_and_highlights_at_the_year_end(built: tuple[Path, Any]) -> None:
    master, doc = built
    measures = year_end(master, "Measures", "Measure ID")
    assert sorted(r["Measure ID"] for r in table(doc, "Red measures")) == \
        sorted(measures[measures["RAG"] == "Red"]["Measure ID"])
    concerns = table(doc, "Concerns at the year end")
    assert {r["Area"] for r in concerns} >= {"Measures", "Savings"}
    assert "Highlights and concerns" in text(section(doc, "highlights-h"))
    assert text(doc.find(".//h1")) == "Annual performance and savings report, 2025-26"
    headings_in_order(doc)
    for each in doc.iter("table"):
        assert text(each.find("caption"))
        assert all(th.get("scope") in ("col", "row", "colgroup") for th in each.iter("th"))
