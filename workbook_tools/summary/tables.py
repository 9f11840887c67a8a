"""The figures of the summaries, worked out with pandas from the master's sheets (SPEC section 9).

A *position* is one row per item (a quarter's rows, or each item's year-end row); every table
here is worked out from a position or from the master's quarters. The savings tables are in
savings.py, the Overview's headline figures in headline.py; nothing here writes a workbook:
write.py does that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbook_tools.master import columns as mc
from workbook_tools.master.read import Master, quarter_order
from workbook_tools.plan.register import Plan
from workbook_tools.returns import rules
from workbook_tools.returns.findings import ACCEPTED_VERDICTS, NOT_RECEIVED
from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.returns.rules import (
    AMBER,
    DECLINED,
    GREEN,
    IMPROVED,
    NEW,
    NO_CHANGE,
    NOT_COMPARABLE,
    RED,
)

RAGS = (GREEN, AMBER, RED)
NOT_RATED = "Not rated"
NO_RATING = "No rating"  # actions: Cancelled, or Not started before their due date
#: Every direction-of-travel word, so that a theme's counts add up to its measures with one
#: (a Cumulative measure is Not comparable until the master has the same quarter last year).
DIRECTIONS = (IMPROVED, NO_CHANGE, DECLINED, NEW, NOT_COMPARABLE)
ITEM_SHEETS = mc.ITEM_SHEETS
NO_THEME = "No theme"
NO_OBJECTIVE = "No objective"
_NUMERIC_KINDS = ("money", "number", "integer", "points")
_DATE_KINDS = ("date", "datetime")

Position = dict[str, pd.DataFrame]


@dataclass
class Register:
    """Names and the order to show them in: from the plan register when given, else the master.

    Attributes:
        council: the council's name ('' when there is no plan).
        programme_target: the savings programme target (£) from the plan's Settings.
        directorates: code -> name, in the register's order.
        themes: theme names, in order.
        objectives: code -> (theme, objective), in order.
    """

    council: str
    programme_target: float | None
    directorates: dict[str, str]
    themes: list[str]
    objectives: dict[str, tuple[str, str]]

    def directorate_name(self, code: Any) -> str:
        return self.directorates.get(str(code), str(code))


@dataclass
class Frames:
    """The master's sheets as typed DataFrames (numbers as floats, dates as Timestamps).

    Savings rows marked Orphaned hold finance's entries for a saving with no return figures
    that quarter; they are kept apart in `orphaned` and counted in no total.
    """

    sheets: dict[str, pd.DataFrame]
    orphaned: pd.DataFrame
    quarters: list[str]
    register: Register
    corrections: pd.DataFrame = field(default_factory=pd.DataFrame)  # the master's, as read

    def at(self, quarter: str) -> Position:
        """The quarter's rows on each item sheet."""
        return {name: self.sheets[name][self.sheets[name]["Quarter"] == quarter]
                .reset_index(drop=True) for name in ITEM_SHEETS}

    def earlier(self, quarter: str) -> str | None:
        """The latest quarter in the master before `quarter` (None when there is none)."""
        before = [q for q in self.quarters if quarter_order(q) < quarter_order(quarter)]
        return before[-1] if before else None


def load_frames(master: Master, plan: Plan | None = None) -> Frames:
    """Type the master's sheets and work out the names and orders to show."""
    sheets: dict[str, pd.DataFrame] = {}
    for name in (mc.MasterSheet.SUBMISSIONS, *ITEM_SHEETS):
        frame = master.frame(name)
        for header in frame.columns:
            kind = mc.kind_of(header)
            if kind in _NUMERIC_KINDS:
                frame[header] = pd.to_numeric(frame[header], errors="coerce").astype(float)
            elif kind in _DATE_KINDS:
                frame[header] = pd.to_datetime(frame[header], errors="coerce")
            else:
                frame[header] = pd.Series([_text(v) for v in frame[header]], index=frame.index,
                                          dtype=object)
        sheets[name] = frame
    measures = sheets[ReturnSheet.MEASURES]
    measures["Measure type"] = measures["Measure type"].fillna(rules.SNAPSHOT)
    savings = sheets[ReturnSheet.SAVINGS]
    orphaned = savings[mc.ORPHANED].notna()
    sheets[ReturnSheet.SAVINGS] = savings[~orphaned].reset_index(drop=True)
    return Frames(sheets, savings[orphaned].reset_index(drop=True), master.quarters(),
                  _register(sheets, plan), master.frame(mc.MasterSheet.CORRECTIONS))


def _text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _register(sheets: dict[str, pd.DataFrame], plan: Plan | None) -> Register:
    directorates: dict[str, str] = {}
    themes: list[str] = []
    objectives: dict[str, tuple[str, str]] = {}
    if plan is not None:
        directorates = {d.code: d.name for d in plan.directorates}
        themes = [t.name for t in plan.themes]
        for objective in plan.objectives:
            theme = plan.theme_of(objective.code)
            objectives[objective.code] = (theme.name if theme else NO_THEME, objective.name)
    submissions = sheets[mc.MasterSheet.SUBMISSIONS][["Directorate", "Directorate name"]]
    for code, name in submissions.itertuples(index=False):
        if code and code not in directorates:
            directorates[code] = name or code
    for name in ITEM_SHEETS:
        for code in sheets[name]["Directorate"].dropna():
            directorates.setdefault(code, code)
    found: list[str] = []
    found_objectives: dict[str, tuple[str, str]] = {}
    for name in (ReturnSheet.MEASURES, ReturnSheet.ACTIONS, ReturnSheet.SAVINGS):
        frame = sheets[name]
        found += [t for t in dict.fromkeys(frame["Theme"].dropna())
                  if t not in themes and t not in found]
        for code, theme, objective in frame[["Objective code", "Theme", "Objective"]].itertuples(
                index=False):
            if code and code not in objectives:
                found_objectives.setdefault(code, (theme or NO_THEME, objective or code))
    themes += sorted(found)
    objectives.update(dict(sorted(found_objectives.items())))
    council = plan.settings.council_name if plan is not None else ""
    target = plan.settings.savings_target if plan is not None else None
    return Register(council, target, directorates, themes, objectives)


# ---------------------------------------------------------------------------------------------
# RAG counts by theme, objective and directorate.


def rag_of(frame: pd.DataFrame, none_label: str) -> pd.Series:
    """Each row's RAG, or `none_label` when it has none."""
    return frame["RAG"].where(frame["RAG"].isin(RAGS), none_label)


def rag_counts(frame: pd.DataFrame, key: pd.Series, order: list[str],
               none_label: str = NOT_RATED) -> pd.DataFrame:
    """Counts of Green, Amber, Red and unrated rows by `key`, in `order`, with a Total."""
    columns = [*RAGS, none_label]
    ratings = rag_of(frame, none_label)
    counts = pd.crosstab(key, ratings) if len(frame) else pd.DataFrame()
    extra = [k for k in counts.index if k not in order]
    counts = counts.reindex(index=[*order, *extra], columns=columns, fill_value=0).fillna(0)
    counts = counts.astype(int)
    counts["Total"] = counts.sum(axis=1)
    return counts


def _group_frame(position: Position, key: str, order: list[str]) -> pd.DataFrame:
    """Measures and Actions RAG counts, and savings target, forecast and gap, by `key` (rows with
    no theme or objective counted under NO_THEME or NO_OBJECTIVE)."""

    def by(sheet: str) -> pd.Series:
        missing = {"Theme": NO_THEME, "Objective code": NO_OBJECTIVE}.get(key, "")
        return position[sheet][key].fillna(missing)

    measures = rag_counts(position[ReturnSheet.MEASURES], by(ReturnSheet.MEASURES), order)
    actions = rag_counts(position[ReturnSheet.ACTIONS], by(ReturnSheet.ACTIONS), order, NO_RATING)
    savings = position[ReturnSheet.SAVINGS]
    money = (savings.groupby(by(ReturnSheet.SAVINGS))[["Target (£)", "Forecast (£)"]]
             .sum(min_count=1) if len(savings)
             else pd.DataFrame(columns=["Target (£)", "Forecast (£)"]))
    index = list(dict.fromkeys([*order, *measures.index, *actions.index, *money.index]))
    money = money.reindex(index)
    money["Gap (£)"] = money["Target (£)"] - money["Forecast (£)"]
    parts = {"Measures": measures.reindex(index, fill_value=0),
             "Actions": actions.reindex(index, fill_value=0), "Savings": money}
    table = pd.concat(parts, axis=1)
    table.index.name = key
    return table


def by_theme(position: Position, register: Register) -> pd.DataFrame:
    """RAG counts of measures and actions, and savings, by theme (one row per theme)."""
    table = _group_frame(position, "Theme", register.themes)
    return _drop_empty_extras(table, register.themes)


def themes_to_chart(table: pd.DataFrame) -> int:
    """How many of a by-theme table's rows to chart: all but a last 'No theme' row that holds
    only savings."""
    if len(table) and table.index[-1] == NO_THEME and \
            table[("Measures", "Total")].iloc[-1] + table[("Actions", "Total")].iloc[-1] == 0:
        return len(table) - 1
    return len(table)


def by_objective(position: Position, register: Register) -> pd.DataFrame:
    """RAG counts of measures and actions, and savings, by strategic objective."""
    order = list(register.objectives)
    table = _group_frame(position, "Objective code", order)
    table = _drop_empty_extras(table, order)
    names = [register.objectives.get(code, ("", "Savings with no objective")
                                     if code == NO_OBJECTIVE else (NO_THEME, code))
             for code in table.index]
    table.insert(0, ("", "Theme"), [n[0] for n in names])
    table.insert(0, ("", "Code"), ["" if c == NO_OBJECTIVE else c for c in table.index])
    table.insert(0, ("", "Objective"), [n[1] for n in names])
    return table.reset_index(drop=True)


def by_directorate(position: Position, register: Register,
                   returns: dict[str, str] | None = None) -> pd.DataFrame:
    """Measures, actions, savings and risks by directorate (with each return's status)."""
    order = list(register.directorates)
    table = _group_frame(position, "Directorate", order)
    risks = position[ReturnSheet.RISKS]
    rated = risks["RAG"].where(risks["RAG"].isin(RAGS))
    risk_counts = pd.crosstab(risks["Directorate"], rated) if rated.notna().any() \
        else pd.DataFrame()
    risk_counts = risk_counts.reindex(index=table.index, columns=list(RAGS), fill_value=0)
    for rag in RAGS:
        table[("Risks", rag)] = risk_counts[rag].fillna(0).astype(int)
    table = _drop_empty_extras(table, order)
    if returns is not None:
        table.insert(0, ("", "Return"), [returns.get(c, NOT_RECEIVED) for c in table.index])
    table.insert(0, ("", "Code"), list(table.index))
    table.insert(0, ("", "Directorate"), [register.directorate_name(c) for c in table.index])
    return table.reset_index(drop=True)


def _drop_empty_extras(table: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    """Keep every row in `keep`, and others only when something is counted against them."""
    counted = table[("Measures", "Total")] + table[("Actions", "Total")]
    has_money = table[("Savings", "Target (£)")].notna()
    return table[table.index.isin(keep) | (counted > 0) | has_money]


def totals(table: pd.DataFrame) -> list[Any]:
    """A total row: sums of every numeric column (text columns left blank)."""
    row: list[Any] = []
    for column in table.columns:
        series = table[column]
        row.append(series.sum(min_count=1) if pd.api.types.is_numeric_dtype(series) else None)
    return row


def return_statuses(frames: Frames, quarter: str) -> dict[str, str]:
    """Directorate -> its return's status in the quarter (the accepted file's, if any)."""
    subs = frames.sheets[mc.MasterSheet.SUBMISSIONS]
    subs = subs[subs["Quarter"] == quarter]
    found: dict[str, str] = {}
    for code, status in subs[["Directorate", "Status"]].itertuples(index=False):
        if code is None:
            continue
        if code not in found or status in ACCEPTED_VERDICTS:
            if found.get(code) not in ACCEPTED_VERDICTS:
                found[code] = status
    return found


# ---------------------------------------------------------------------------------------------
# Exceptions, trends, risks.


def red_measures(position: Position, register: Register) -> pd.DataFrame:
    """Every Red measure, with its commentary and remedial action."""
    frame = position[ReturnSheet.MEASURES]
    frame = frame[frame["RAG"] == RED].copy()
    frame["Directorate"] = frame["Directorate"].map(register.directorate_name)
    # Commentary in the 8th column, as on the Red actions table below it (the sheet's widths
    # are shared)
    return frame[["Measure", "Measure ID", "Measure type", "Target", "Actual", "Data status",
                  "Directorate", "Commentary", "Remedial action", "Previous actual",
                  "Direction of travel", mc.YEAR_ON_YEAR, "Unit"]]


def red_actions(position: Position, register: Register) -> pd.DataFrame:
    """Every Red action: Off track, or Not started after its (revised) due date."""
    frame = position[ReturnSheet.ACTIONS]
    frame = frame[frame["RAG"] == RED].copy()
    frame["Directorate"] = frame["Directorate"].map(register.directorate_name)
    return frame[["Action", "Action ID", "Status", "% complete", "Due date", "Revised due date",
                  "Directorate", "Commentary", "Lead officer"]]


def measure_trends(frames: Frames, quarters: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Each measure's actual across `quarters` (the last one the summary's), with the last
    quarter's target, RAG and direction of travel. Returns the table and each row's unit."""
    measures = frames.sheets[ReturnSheet.MEASURES]
    measures = measures[measures["Quarter"].isin(quarters)]
    last = quarters[-1]
    current = measures[measures["Quarter"] == last].set_index("Measure ID")
    order = list(dict.fromkeys([*current.index, *measures["Measure ID"].dropna()]))
    latest = measures.sort_values("Quarter", key=lambda s: s.map(quarter_order)) \
        .drop_duplicates("Measure ID", keep="last").set_index("Measure ID")
    actuals = measures.pivot_table(index="Measure ID", columns="Quarter", values="Actual",
                                   aggfunc="first")
    table = pd.DataFrame({"Measure": latest.loc[order, "Measure"].tolist(), "Measure ID": order,
                          "Measure type": latest.loc[order, "Measure type"].tolist()})
    for quarter in quarters:
        table[quarter] = actuals[quarter].reindex(order).tolist() if quarter in actuals else None
    for header in ("Target", "RAG", "Direction of travel"):
        table[f"{header} ({last})"] = current[header].reindex(order).tolist()
    table["Polarity"] = latest.loc[order, "Polarity"].tolist()
    table["Directorate"] = [frames.register.directorate_name(d)
                            for d in latest.loc[order, "Directorate"]]
    units = [str(u or "") for u in latest.loc[order, "Unit"]]
    return table, units


def rag_by_quarter(frames: Frames, quarters: list[str]) -> pd.DataFrame:
    """Green, Amber and Red measures and actions each quarter."""
    parts = {}
    for sheet in (ReturnSheet.MEASURES, ReturnSheet.ACTIONS):
        frame = frames.sheets[sheet]
        frame = frame[frame["Quarter"].isin(quarters)]
        counts = rag_counts(frame, frame["Quarter"], quarters,
                            NOT_RATED if sheet == ReturnSheet.MEASURES else NO_RATING)
        parts[sheet] = counts.loc[quarters]
    table = pd.concat(parts, axis=1)
    table.index.name = "Quarter"
    return table


def directions_by_theme(position: Position, register: Register) -> pd.DataFrame:
    """Measures improved, unchanged, declined, new or not comparable against the previous
    quarter (a Cumulative measure: the same quarter last year), by theme."""
    measures = position[ReturnSheet.MEASURES]
    measures = measures[measures["Direction of travel"].isin(DIRECTIONS)]
    theme = measures["Theme"].fillna(NO_THEME)
    counts = pd.crosstab(theme, measures["Direction of travel"]) if len(measures) \
        else pd.DataFrame()
    counts = counts.reindex(index=register.themes, columns=list(DIRECTIONS), fill_value=0)
    counts = counts.fillna(0).astype(int)
    counts["Total"] = counts.sum(axis=1)
    counts.index.name = "Theme"
    return counts


def risk_counts(risks: pd.DataFrame) -> pd.DataFrame:
    """Risks by rating: Red, Amber, Green."""
    counts = risks["RAG"].value_counts().reindex(list(RAGS), fill_value=0).astype(int)
    return pd.DataFrame({"Rating": list(RAGS), "Risks": counts.tolist()})


def risk_grid(risks: pd.DataFrame) -> pd.DataFrame:
    """Risks by likelihood (rows, 5 to 1) and impact (columns, 1 to 5)."""
    grid = pd.crosstab(risks["Likelihood"], risks["Impact"]) if len(risks) else pd.DataFrame()
    grid = grid.reindex(index=[5.0, 4.0, 3.0, 2.0, 1.0], columns=[1.0, 2.0, 3.0, 4.0, 5.0],
                        fill_value=0).fillna(0).astype(int)
    grid.index = pd.Index([f"Likelihood {int(v)}" for v in grid.index], name="Score grid")
    grid.columns = [f"Impact {int(v)}" for v in grid.columns]
    return grid


def risk_list(risks: pd.DataFrame, register: Register) -> pd.DataFrame:
    """Every risk, highest score first."""
    frame = risks.sort_values(["Score", "Risk ID"], ascending=[False, True],
                              na_position="last").copy()
    frame["Directorate"] = frame["Directorate"].map(register.directorate_name)
    return frame[["Risk", "Risk ID", "Likelihood", "Impact", "Score", "RAG", "Previous score",
                  "Direction", "Directorate", "Owner", "Mitigation update"]]
