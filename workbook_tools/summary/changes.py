"""What changed since the previous quarter in the master (SPEC section 9): RAG changes of
measures and actions, actions whose (revised) due date slipped, savings whose forecast fell and
risks whose score rose. Items in both quarters only. And corrections to earlier quarters."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbook_tools.master import columns as mc
from workbook_tools.master.read import quarter_order
from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.returns.rules import AMBER, GREEN, RED
from workbook_tools.summary.tables import NOT_RATED, RAGS, Frames

_RAG_RANK = {RED: 0, AMBER: 1, GREEN: 2}


@dataclass
class Changes:
    """What moved between `previous` and `quarter` (items in both quarters only)."""

    quarter: str
    previous: str | None
    rag: pd.DataFrame
    slipped: pd.DataFrame
    forecast_fell: pd.DataFrame
    risk_rose: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        return {"RAG changes": len(self.rag), "Actions whose due date slipped": len(self.slipped),
                "Savings whose forecast fell": len(self.forecast_fell),
                "Risks whose score rose": len(self.risk_rose)}


def _paired(frames: Frames, sheet: str, quarter: str, previous: str) -> pd.DataFrame:
    frame = frames.sheets[sheet]
    key = mc.ID_COLUMNS[sheet]
    now = frame[frame["Quarter"] == quarter].drop_duplicates(key)
    before = frame[frame["Quarter"] == previous].drop_duplicates(key)
    return now.merge(before, on=key, how="inner", suffixes=("", " before"))


def what_changed(frames: Frames, quarter: str) -> Changes:
    """RAG changes of measures and actions, actions whose (revised) due date slipped, savings
    whose forecast fell and risks whose score rose, against the latest earlier quarter."""
    previous = frames.earlier(quarter)
    name = frames.register.directorate_name
    if previous is None:
        empty = pd.DataFrame()
        return Changes(quarter, None, empty, empty, empty, empty)
    before, now = f" {previous}", f" {quarter}"
    rag_rows = []
    for sheet, kind, title in ((ReturnSheet.MEASURES, "Measure", "Measure"),
                               (ReturnSheet.ACTIONS, "Action", "Action")):
        pairs = _paired(frames, sheet, quarter, previous)
        moved = pairs[pairs["RAG"].isin(RAGS) & (pairs["RAG"] != pairs["RAG before"])]
        for row in moved.to_dict("records"):
            was = row["RAG before"] if row["RAG before"] in RAGS else None
            change = "Newly rated" if was is None else (
                "Better" if _RAG_RANK[row["RAG"]] > _RAG_RANK[was] else "Worse")
            rag_rows.append({"Name": row[title], "ID": row[mc.ID_COLUMNS[sheet]], "Item": kind,
                             f"RAG{before}": was or NOT_RATED, f"RAG{now}": row["RAG"],
                             "Change": change, "Directorate": name(row["Directorate"]),
                             "Commentary": row["Commentary"]})
    order = {"Worse": 0, "Better": 1, "Newly rated": 2}
    rag = pd.DataFrame(rag_rows, columns=["Name", "ID", "Item", f"RAG{before}", f"RAG{now}",
                                          "Change", "Directorate", "Commentary"])
    rag = rag.sort_values("Change", key=lambda s: s.map(order), kind="stable")

    actions = _paired(frames, ReturnSheet.ACTIONS, quarter, previous)
    due_now = actions["Revised due date"].fillna(actions["Due date"])
    due_before = actions["Revised due date before"].fillna(actions["Due date before"])
    later = due_now > due_before
    slipped = actions[later].copy()
    slipped[f"Due{before}"] = due_before[later]
    slipped[f"Due{now}"] = due_now[later]
    slipped["Slipped by (days)"] = (due_now[later] - due_before[later]).dt.days.astype(int)
    slipped["Directorate"] = slipped["Directorate"].map(name)
    slipped = slipped[["Action", "Action ID", "Status", f"Due{before}", f"Due{now}",
                       "Slipped by (days)", "Directorate", "Commentary"]]

    savings = _paired(frames, ReturnSheet.SAVINGS, quarter, previous)
    fell = savings[savings["Forecast (£)"] < savings["Forecast (£) before"]].copy()
    fell[f"Forecast{before} (£)"] = fell["Forecast (£) before"]
    fell[f"Forecast{now} (£)"] = fell["Forecast (£)"]
    fell["Change (£)"] = fell["Forecast (£)"] - fell["Forecast (£) before"]
    fell["Directorate"] = fell["Directorate"].map(name)
    fell = fell[["Saving proposal", "Saving ID", "Status", f"Forecast{before} (£)",
                 f"Forecast{now} (£)", "Change (£)", "Directorate", "Commentary"]]

    risks = _paired(frames, ReturnSheet.RISKS, quarter, previous)
    rose = risks[risks["Score"] > risks["Score before"]].copy()
    rose[f"Score{before}"] = rose["Score before"]
    rose[f"Score{now}"] = rose["Score"]
    rose["Change"] = rose["Score"] - rose["Score before"]
    rose["Directorate"] = rose["Directorate"].map(name)
    rose = rose[["Risk", "Risk ID", "RAG", f"Score{before}", f"Score{now}", "Change",
                 "Directorate", "Mitigation update"]]
    return Changes(quarter, previous, rag.reset_index(drop=True), slipped.reset_index(drop=True),
                   fell.reset_index(drop=True), rose.reset_index(drop=True))


def corrections_before(frames: Frames, quarter: str) -> pd.DataFrame:
    """Corrections to quarters before `quarter` (figures changed after they were closed and
    reopened), earliest quarter first, for the summary's data quality."""
    table = frames.corrections
    if table.empty:
        return pd.DataFrame(columns=list(mc.CORRECTIONS))
    earlier = table[[quarter_order(q) < quarter_order(quarter) for q in table["Quarter"]]]
    order = sorted(range(len(earlier)), key=lambda i: quarter_order(earlier["Quarter"].iloc[i]))
    return earlier.iloc[order][list(mc.CORRECTIONS)].reset_index(drop=True)
