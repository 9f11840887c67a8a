"""The savings programme's tables, worked out from the master's Savings rows (SPEC section 9):
by directorate with finance's figures beside, every line, and the programme quarter by quarter."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.summary.tables import RAGS, Frames, Register

SAVING_MONEY = ("Target (£)", "Delivered to date (£)", "Forecast (£)")
CONFIRMED = "Finance confirmed (£)"


def less(target: float | None, figure: Any) -> float | None:
    """The programme target less a figure (a shortfall is positive); None when either is
    missing."""
    return target - figure if target is not None and pd.notna(figure) else None


def savings_by_directorate(savings: pd.DataFrame, register: Register) -> pd.DataFrame:
    """Target, delivered, forecast, gap (target - forecast) and finance-confirmed by directorate."""
    frame = savings.assign(Lines=1, Confirmed=savings[CONFIRMED].notna().astype(int))
    grouped = frame.groupby("Directorate", sort=False)
    table = grouped[["Lines", *SAVING_MONEY]].sum(min_count=1)
    table["Gap (£)"] = table["Target (£)"] - table["Forecast (£)"]
    table[CONFIRMED] = grouped[CONFIRMED].sum(min_count=1)
    table["Lines confirmed by finance"] = grouped["Confirmed"].sum()
    rags = pd.crosstab(frame["Directorate"], frame["RAG"]) if len(frame) else pd.DataFrame()
    for rag in RAGS:
        table[f"{rag} lines"] = rags[rag] if rag in rags else 0
    order = [c for c in register.directorates if c in table.index]
    table = table.reindex([*order, *(c for c in table.index if c not in order)])
    table["Lines"] = table["Lines"].fillna(0).astype(int)
    for rag in RAGS:
        table[f"{rag} lines"] = table[f"{rag} lines"].fillna(0).astype(int)
    table.insert(0, "Directorate", [register.directorate_name(c) for c in table.index])
    table["Code"] = list(table.index)
    return table.reset_index(drop=True)


def savings_lines(savings: pd.DataFrame, register: Register) -> pd.DataFrame:
    """Every savings line, the directorate's figures beside finance's."""
    frame = savings.copy()
    frame["Gap (£)"] = frame["Target (£)"] - frame["Forecast (£)"]
    frame["Directorate"] = frame["Directorate"].map(register.directorate_name)
    return frame[["Saving proposal", "Saving ID", *SAVING_MONEY, "Gap (£)", CONFIRMED,
                  "Finance status", "Status", "RAG", "Directorate", "Commentary"]]


def savings_by_quarter(frames: Frames, quarters: list[str]) -> pd.DataFrame:
    """The programme across quarters: what the lines reported each quarter add up to."""
    target = frames.register.programme_target
    rows = []
    for quarter in quarters:
        savings = frames.sheets[ReturnSheet.SAVINGS]
        savings = savings[savings["Quarter"] == quarter]
        forecast = savings["Forecast (£)"].sum(min_count=1)
        rows.append({
            "Quarter": quarter,
            "Programme target (£)": target,
            "Target of lines reported (£)": savings["Target (£)"].sum(min_count=1),
            "Delivered to date (£)": savings["Delivered to date (£)"].sum(min_count=1),
            "Forecast (£)": forecast,
            CONFIRMED: savings[CONFIRMED].sum(min_count=1),
            "Gap to programme (£)": less(target, forecast),
            "Directorates reporting": int(savings["Directorate"].nunique()),
        })
    return pd.DataFrame(rows)
