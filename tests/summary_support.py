"""Test helpers for the summaries and export: a master workbook built from constructed rows (with
pandas, under the master's own headers), the master read back independently (pandas with
openpyxl, not the tool's reader), and tables read back out of a summary sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from workbook_tools.master import columns as mc
from workbook_tools.plan.register import Directorate, Objective, Plan, Settings, Theme

Q1, Q2, Q3, Q4 = "2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4"
D = dt.datetime
NAMES = {"AA": "Alpha Services", "BB": "Beta Services"}
THEMES = {"P1": "People", "P2": "Place"}
OBJECTIVES = {"OB1": ("P1", "Children thrive"), "OB2": ("P2", "Roads are safe")}


def measure(q: str, d: str, mid: str, theme: str, actual: float | None, target: float,
            rag: str | None, direction: str | None = None, commentary: str | None = None,
            remedial: str | None = None, unit: str = "%", objective: str = "OB1",
            polarity: str = "Higher is better") -> dict[str, Any]:
    return {"Quarter": q, "Directorate": d, "Measure ID": mid, "Theme": theme,
            "Objective code": objective, "Objective": OBJECTIVES[objective][1],
            "Measure": f"Measure {mid}", "Unit": unit, "Polarity": polarity,
            "Frequency": "Quarterly", "Target": target, "Amber tolerance (%)": 5,
            "Actual": actual, "RAG": rag, "Direction of travel": direction,
            "Commentary": commentary, "Remedial action": remedial}


def action(q: str, d: str, aid: str, theme: str, status: str, rag: str | None,
           due: D, revised: D | None = None, commentary: str | None = None,
           objective: str = "OB1") -> dict[str, Any]:
    return {"Quarter": q, "Directorate": d, "Action ID": aid, "Theme": theme,
            "Objective code": objective, "Objective": OBJECTIVES[objective][1],
            "Action": f"Action {aid}", "Lead officer": "Head of Service", "Due date": due,
            "Status": status, "% complete": 50, "Revised due date": revised, "RAG": rag,
            "Commentary": commentary}


def saving(q: str, d: str, sid: str, theme: str | None, target: float, delivered: float,
           forecast: float, rag: str, confirmed: float | None = None,
           orphaned: str | None = None, commentary: str | None = None,
           objective: str | None = "OB1") -> dict[str, Any]:
    return {"Quarter": q, "Directorate": d, "Saving ID": sid, "Theme": theme,
            "Objective code": objective,
            "Objective": OBJECTIVES[objective][1] if objective else None,
            "Saving proposal": f"Saving {sid}", "Type": "Recurring", "Target (£)": target,
            "Delivered to date (£)": None if orphaned else delivered,
            "Forecast (£)": None if orphaned else forecast,
            "Forecast variance (£)": None if orphaned else forecast - target,
            "Status": None if orphaned else "On track", "RAG": None if orphaned else rag,
            "Commentary": commentary, "Finance confirmed (£)": confirmed, "Orphaned": orphaned}


def risk(q: str, d: str, rid: str, likelihood: int, impact: int, rag: str) -> dict[str, Any]:
    return {"Quarter": q, "Directorate": d, "Risk ID": rid, "Risk": f"Risk {rid}",
            "Owner": "Director", "Likelihood": likelihood, "Impact": impact,
            "Score": likelihood * impact, "RAG": rag, "Mitigation update": "Reviewed."}


def submission(q: str, d: str, status: str = "Accepted") -> dict[str, Any]:
    return {"Quarter": q, "Directorate": d, "Directorate name": NAMES[d], "Status": status,
            "File": f"{d}_{q}.xlsx"}


def write_master(path: Path, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    """A master workbook: every sheet of SPEC section 8 with its headers in row 1."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False}}) as writer:
        for name, headers in mc.SHEETS.items():
            frame = pd.DataFrame(sheets.get(name, []), columns=list(headers))
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def two_quarters() -> dict[str, list[dict[str, Any]]]:
    """Two quarters with a known set of changes between them (see test_summary_changes)."""
    people, place = THEMES["P1"], THEMES["P2"]
    return {
        "Submissions": [submission(Q1, "AA"), submission(Q1, "BB"),
                        submission(Q2, "AA"), submission(Q2, "BB", "Rejected"),
                        submission(Q2, "BB", "Accepted with warnings")],
        "Measures": [
            measure(Q1, "AA", "M1", people, 80, 75, "Green", "New"),
            measure(Q1, "AA", "M2", people, 50, 75, "Red", "New", "Behind", "Recovery plan"),
            measure(Q1, "BB", "M3", place, 72, 75, "Amber", "New", "Slightly behind",
                    objective="OB2"),
            measure(Q1, "BB", "M4", place, None, 10, None, unit="number", objective="OB2"),
            measure(Q2, "AA", "M1", people, 60, 75, "Red", "Declined",
                    "=HYPERLINK(\"http://x\") fell back", "@SUM(1) plan agreed"),
            measure(Q2, "AA", "M2", people, 90, 75, "Green", "Improved"),
            measure(Q2, "BB", "M3", place, 73, 75, "Amber", "Improved", "Nearly there",
                    objective="OB2"),
            measure(Q2, "BB", "M4", place, 12, 10, "Green", "New", unit="number",
                    objective="OB2"),
            measure(Q2, "BB", "M5", place, 1_250_000, 1_000_000, "Green", "New", unit="£",
                    objective="OB2"),
        ],
        "Actions": [
            action(Q1, "AA", "A1", people, "On track", "Green", D(2025, 9, 30)),
            action(Q1, "AA", "A2", people, "At risk", "Amber", D(2025, 10, 31), D(2026, 1, 31),
                   "Supplier delay"),
            action(Q1, "BB", "A3", place, "On track", "Green", D(2026, 3, 31), objective="OB2"),
            action(Q2, "AA", "A1", people, "At risk", "Amber", D(2025, 9, 30), D(2025, 12, 31),
                   "Slipped a quarter"),
            action(Q2, "AA", "A2", people, "On track", "Green", D(2025, 10, 31), D(2025, 12, 31)),
            action(Q2, "BB", "A3", place, "Off track", "Red", D(2026, 3, 31),
                   commentary="-1 contractor left", objective="OB2"),
            action(Q2, "BB", "A4", place, "Cancelled", None, D(2026, 3, 31), objective="OB2"),
        ],
        "Savings": [
            saving(Q1, "AA", "S1", people, 100_000, 10_000, 100_000, "Green"),
            saving(Q1, "BB", "S2", place, 200_000, 20_000, 180_000, "Red"),
            saving(Q2, "AA", "S1", people, 100_000, 30_000, 80_000, "Red", confirmed=25_000,
                   commentary="+ a late start"),
            saving(Q2, "BB", "S2", place, 200_000, 60_000, 195_000, "Amber"),
            saving(Q2, "BB", "S3", place, 50_000, 5_000, 50_000, "Green", confirmed=4_000),
            saving(Q2, "BB", "S4", None, 30_000, 0, 10_000, "Red", objective=None,
                   commentary="Not tied to an objective"),
            saving(Q2, "AA", "S9", people, 70_000, 0, 0, "", confirmed=999_999,
                   orphaned="Saving no longer in the register"),
        ],
        "Risks": [
            risk(Q1, "AA", "R1", 3, 3, "Amber"), risk(Q1, "BB", "R2", 4, 3, "Amber"),
            risk(Q2, "AA", "R1", 4, 4, "Red"), risk(Q2, "BB", "R2", 2, 4, "Amber"),
            risk(Q2, "BB", "R3", 1, 2, "Green"),
        ],
    }


def small_plan(target: float = 400_000) -> Plan:
    """A register matching the constructed masters: council name, programme target, order."""
    return Plan(
        Settings("Testshire Council", "2025-26", target),
        tuple(Theme(code, name) for code, name in THEMES.items()),
        tuple(Objective(code, theme, name, "AA") for code, (theme, name) in OBJECTIVES.items()),
        tuple(Directorate(code, name, "Director", "d@example.org")
              for code, name in NAMES.items()),
        (), (), (), ())


# ---------------------------------------------------------------------------------------------
# Reading back, independently of the tool's own reader.


def master_frames(path: Path) -> dict[str, pd.DataFrame]:
    """The master's sheets with pandas over openpyxl; Savings without its orphaned rows."""
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    savings = sheets["Savings"]
    sheets["Savings"] = savings[savings["Orphaned"].isna()]
    return sheets


def find_row(ws: Any, text: str, column: int = 1, start: int = 1) -> int:
    """The first row (1-based) at or after `start` whose cell in `column` is `text`."""
    for row in range(start, ws.max_row + 1):
        if ws.cell(row, column).value == text:
            return row
    raise AssertionError(f"{text!r} not found in column {column} of {ws.title}")


def read_table(ws: Any, header_row: int) -> list[dict[str, Any]]:
    """The table whose header is `header_row`: one dict per row until a blank first cell. A
    column under a group (a merged cell above) is keyed 'Group Header'."""
    groups: dict[int, str] = {}
    for merged in ws.merged_cells.ranges:
        group = ws.cell(merged.min_row, merged.min_col).value
        if merged.min_row == header_row - 1 and group:
            for col in range(merged.min_col, merged.max_col + 1):
                groups[col] = str(group)
    keys = {}
    for col in range(1, ws.max_column + 1):
        value = ws.cell(header_row, col).value
        if value is None:
            continue
        keys[col] = f"{groups[col]} {value}" if col in groups else str(value)
    rows = []
    row = header_row + 1
    while row <= ws.max_row and any(ws.cell(row, c).value is not None for c in keys):
        rows.append({key: ws.cell(row, col).value for col, key in keys.items()})
        row += 1
    return rows


def open_summary(path: Path) -> Any:
    return openpyxl.load_workbook(path)
