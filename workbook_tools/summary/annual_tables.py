"""The annual summary's figures (SPEC section 9): each item's year-end position, and each
measure's, action's, saving's and risk's figures quarter by quarter across the year.

An item's year-end position is its row in the latest quarter of the year that the master holds
for it (for a measure, the latest quarter with an actual); the `As at` column says which.
"""

from __future__ import annotations

import pandas as pd

from workbook_tools.master import columns as mc
from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.returns.rules import CUMULATIVE, direction_of_travel
from workbook_tools.summary import savings as sv
from workbook_tools.summary import tables as t

AS_AT = "As at"


def year_end(frames: t.Frames, quarters: list[str]) -> t.Position:
    """Each item's latest row in `quarters` (for a measure, the latest with an actual), with the
    quarter it comes from in `As at`, in the register's order of directorates."""
    ranks = {code: i for i, code in enumerate(frames.register.directorates)}
    position: t.Position = {}
    for sheet in t.ITEM_SHEETS:
        key = mc.ID_COLUMNS[sheet]
        frame = frames.sheets[sheet]
        frame = frame[frame["Quarter"].isin(quarters)].copy()
        frame["_when"] = frame["Quarter"].map(quarters.index)
        frame["_has"] = frame["Actual"].notna() if sheet == ReturnSheet.MEASURES else True
        latest = frame.sort_values(["_has", "_when"], kind="stable").drop_duplicates(
            key, keep="last")
        order = {item: i for i, item in enumerate(dict.fromkeys(
            frame.sort_values("_when", ascending=False, kind="stable")[key]))}
        latest = latest.assign(_rank=latest["Directorate"].map(lambda d: ranks.get(d, 10**6)),
                               _item=latest[key].map(order))
        latest = latest.sort_values(["_rank", "_item"], kind="stable")
        latest[AS_AT] = latest["Quarter"]
        position[sheet] = latest.drop(columns=["_when", "_has", "_rank", "_item"]) \
            .reset_index(drop=True)
    return position


def _by_quarter(frames: t.Frames, sheet: str, quarters: list[str], value: str) -> pd.DataFrame:
    frame = frames.sheets[sheet]
    frame = frame[frame["Quarter"].isin(quarters)]
    key = mc.ID_COLUMNS[sheet]
    table = frame.pivot_table(index=key, columns="Quarter", values=value, aggfunc="first") \
        if frame[value].notna().any() and pd.api.types.is_numeric_dtype(frame[value]) else None
    if table is None:
        table = frame.drop_duplicates([key, "Quarter"]).set_index([key, "Quarter"])[value] \
            .unstack() if len(frame) else pd.DataFrame()
    return table.reindex(columns=quarters)


def measures_year(frames: t.Frames, position: t.Position, quarters: list[str]) -> pd.DataFrame:
    """Each measure's actual every quarter, its year-end position and its direction over the
    year (first figure against last, by polarity)."""
    measures = position[ReturnSheet.MEASURES]
    actuals = _by_quarter(frames, ReturnSheet.MEASURES, quarters, "Actual") \
        .reindex(measures["Measure ID"])
    table = pd.DataFrame({"Measure": measures["Measure"], "Measure ID": measures["Measure ID"],
                          "Measure type": measures["Measure type"]})
    for quarter in quarters:
        table[quarter] = actuals[quarter].tolist()
    table["Year-end actual"] = measures["Actual"]
    table["Target"] = measures["Target"]
    table["RAG"] = measures["RAG"]
    table[AS_AT] = measures[AS_AT]
    over = []
    for (_, figures), polarity, kind, year_on_year in zip(
            actuals.iterrows(), measures["Polarity"], measures["Measure type"],
            measures[mc.YEAR_ON_YEAR], strict=True):
        known = figures.dropna()
        if kind == CUMULATIVE:  # a running total always grows: against last year's year end
            over.append(year_on_year if len(known) else None)
            continue
        over.append(direction_of_travel(known.iloc[-1], known.iloc[0], polarity or "")
                    if len(known) > 1 else None)
    table["Over the year"] = over
    table["Directorate"] = measures["Directorate"].map(frames.register.directorate_name)
    return table


def actions_year(frames: t.Frames, position: t.Position, quarters: list[str]) -> pd.DataFrame:
    """Each action's status every quarter and its year-end position."""
    actions = position[ReturnSheet.ACTIONS]
    statuses = _by_quarter(frames, ReturnSheet.ACTIONS, quarters, "Status") \
        .reindex(actions["Action ID"])
    table = pd.DataFrame({"Action": actions["Action"], "Action ID": actions["Action ID"]})
    for quarter in quarters:
        table[quarter] = statuses[quarter].tolist()
    for header in ("% complete", "Due date", "Revised due date", "RAG", AS_AT):
        table[header] = actions[header]
    table["Directorate"] = actions["Directorate"].map(frames.register.directorate_name)
    return table


def savings_year(frames: t.Frames, position: t.Position, quarters: list[str]) -> pd.DataFrame:
    """Each saving's delivered to date every quarter and its year-end position."""
    savings = position[ReturnSheet.SAVINGS]
    delivered = _by_quarter(frames, ReturnSheet.SAVINGS, quarters, "Delivered to date (£)") \
        .reindex(savings["Saving ID"])
    table = pd.DataFrame({"Saving proposal": savings["Saving proposal"],
                          "Saving ID": savings["Saving ID"]})
    for quarter in quarters:
        table[f"Delivered {quarter} (£)"] = delivered[quarter].tolist()
    for header in sv.SAVING_MONEY:
        table[header] = savings[header]
    table["Gap (£)"] = savings["Target (£)"] - savings["Forecast (£)"]
    for header in (sv.CONFIRMED, "Status", "RAG", AS_AT):
        table[header] = savings[header]
    table["Directorate"] = savings["Directorate"].map(frames.register.directorate_name)
    return table


def risks_year(frames: t.Frames, position: t.Position, quarters: list[str]) -> pd.DataFrame:
    """Each risk's score every quarter and its year-end position, highest score first."""
    risks = t.risk_list(position[ReturnSheet.RISKS], frames.register)
    scores = _by_quarter(frames, ReturnSheet.RISKS, quarters, "Score").reindex(risks["Risk ID"])
    table = risks[["Risk", "Risk ID"]].copy()
    for quarter in quarters:
        table[f"Score {quarter}"] = scores[quarter].tolist()
    for header in ("Likelihood", "Impact", "Score", "RAG", "Directorate", "Owner"):
        table[header] = risks[header]
    at = position[ReturnSheet.RISKS].set_index("Risk ID")
    table[AS_AT] = at.loc[risks["Risk ID"], AS_AT].tolist()
    return table
