"""What changed: a constructed pair of quarters with known moves between them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from summary_support import Q1, Q2, find_row, open_summary, read_table, two_quarters, write_master

from workbook_tools.quarters import parse_quarter
from workbook_tools.summary.quarter import summarise_quarter


def _changes(tmp_path: Path) -> object:
    master = write_master(tmp_path / "master.xlsx", two_quarters())
    out = tmp_path / "summary.xlsx"
    summarise_quarter(master, parse_quarter(Q2), out, produced=dt.date(2025, 10, 20))
    return open_summary(out)["What changed"]


def test_what_changed_since_the_previous_quarter(tmp_path: Path) -> None:
    ws = _changes(tmp_path)
    assert ws["A4"].value == f"{Q2} compared with {Q1}, for items in both quarters."

    rag = {r["ID"]: r for r in read_table(ws, find_row(ws, "Name"))}
    # M1 Green -> Red, M2 Red -> Green, M4 unrated -> Green, A1 Green -> Amber,
    # A2 Amber -> Green, A3 Green -> Red; M3 stayed Amber; A4 and M5 are new this quarter.
    assert {k: (r[f"RAG {Q1}"], r[f"RAG {Q2}"], r["Change"]) for k, r in rag.items()} == {
        "M1": ("Green", "Red", "Worse"), "M2": ("Red", "Green", "Better"),
        "M4": ("Not rated", "Green", "Newly rated"), "A1": ("Green", "Amber", "Worse"),
        "A2": ("Amber", "Green", "Better"), "A3": ("Green", "Red", "Worse"),
    }
    assert [r["Change"] for r in rag.values()][:3] == ["Worse"] * 3  # the worse ones first

    slipped = read_table(ws, find_row(ws, "Action"))
    # A1 had no revised date (due 30/09/2025) and is now revised to 31/12/2025: slipped.
    # A2's revised date came forward (31/01/2026 -> 31/12/2025): not a slip.
    assert [(r["Action ID"], r["Slipped by (days)"]) for r in slipped] == [("A1", 92)]
    assert slipped[0][f"Due {Q1}"] == dt.datetime(2025, 9, 30)
    assert slipped[0][f"Due {Q2}"] == dt.datetime(2025, 12, 31)

    fell = read_table(ws, find_row(ws, "Saving proposal"))
    assert [(r["Saving ID"], r[f"Forecast {Q1} (£)"], r[f"Forecast {Q2} (£)"], r["Change (£)"])
            for r in fell] == [("S1", 100_000, 80_000, -20_000)]
    assert fell[0]["Commentary"] == "+ a late start"

    rose = read_table(ws, find_row(ws, "Risk"))
    assert [(r["Risk ID"], r[f"Score {Q1}"], r[f"Score {Q2}"]) for r in rose] == [("R1", 9, 16)]


def test_nothing_moved(tmp_path: Path) -> None:
    sheets = two_quarters()
    for name in ("Measures", "Actions", "Savings", "Risks"):
        q1 = [dict(r) for r in sheets[name] if r["Quarter"] == Q1]
        sheets[name] = q1 + [{**r, "Quarter": Q2} for r in q1]
    master = write_master(tmp_path / "master.xlsx", sheets)
    out = tmp_path / "summary.xlsx"
    summarise_quarter(master, parse_quarter(Q2), out)
    ws = open_summary(out)["What changed"]
    assert ws.cell(find_row(ws, "RAG changes (0)") + 2, 1).value == \
        "No measure or action changed its RAG."
    assert find_row(ws, "Risks whose score rose (0)")
