"""The annual summary (SPEC section 9): `annual-<YEAR>.xlsx`, the year-end position of each
measure, action, saving and risk, the trend across the year's quarters, savings delivered against
the programme target, and a short list of highlights and concerns for the annual report.

The figures are annual_tables.py's; this module picks the highlights and concerns and writes the
workbook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from workbook_tools.errors import UsageError, about_file
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import quarters_of_year, year_label
from workbook_tools.returns.findings import ACCEPTED_VERDICTS
from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.returns.rules import GREEN, IMPROVED, LOWER_IS_BETTER, RED, ActionStatus
from workbook_tools.summary import charts
from workbook_tools.summary import headline as hl
from workbook_tools.summary import savings as sv
from workbook_tools.summary import tables as t
from workbook_tools.summary.annual_tables import (
    AS_AT,
    actions_year,
    measures_year,
    risks_year,
    savings_year,
    year_end,
)
from workbook_tools.summary.common import (
    CHART_ROWS,
    GAP_NOTE,
    RAG_NOTE,
    SummaryResult,
    SummaryWriter,
    load,
    write_book,
    write_grid,
)
from workbook_tools.summary.headline import money
from workbook_tools.summary.write import Book, Sheet

ANNUAL_SHEETS = ("Overview", "Highlights", "By theme", "By directorate", "Measures", "Actions",
                 "Savings", "Savings lines", "Exceptions", "Trends", "Risks")
SHORT_LIST = 3  # items per kind in the highlights and the concerns


# ---------------------------------------------------------------------------------------------
# Highlights and concerns.


def _figure(value: Any, unit: str) -> str:
    if value is None or pd.isna(value):
        return "no figure"
    if unit == "£":
        return money(value)
    text = f"{value:,.1f}".removesuffix(".0")
    return f"{text}%" if unit == "%" else text


def highlights(frames: t.Frames, position: t.Position,
               measures: pd.DataFrame) -> pd.DataFrame:
    """Up to three each: savings delivered in full, measures Green that improved over the year,
    actions complete."""
    name = frames.register.directorate_name
    rows: list[dict[str, Any]] = []
    savings = position[ReturnSheet.SAVINGS]
    full = savings[(savings["Target (£)"] > 0)
                   & (savings["Delivered to date (£)"] >= savings["Target (£)"])]
    for row in full.sort_values("Target (£)", ascending=False).head(SHORT_LIST).to_dict("records"):
        rows.append({"Area": "Savings", "Item": row["Saving proposal"],
                     "Directorate": name(row["Directorate"]),
                     "Detail": f"{money(row['Delivered to date (£)'])} delivered against a target "
                               f"of {money(row['Target (£)'])}."})
    m = position[ReturnSheet.MEASURES].assign(_over=measures["Over the year"].tolist())
    improved = m[(m["RAG"] == GREEN) & (m["_over"] == IMPROVED)].copy()
    improved["_size"] = _relative_change(improved)
    for row in improved.sort_values("_size", ascending=False).head(SHORT_LIST).to_dict("records"):
        first = _first_figure(frames, row["Measure ID"], measures)
        rows.append({"Area": "Measures", "Item": row["Measure"],
                     "Directorate": name(row["Directorate"]),
                     "Detail": f"Improved from {_figure(first[1], row['Unit'])} ({first[0]}) to "
                               f"{_figure(row['Actual'], row['Unit'])} ({row[AS_AT]}); target "
                               f"{_figure(row['Target'], row['Unit'])}."})
    actions = position[ReturnSheet.ACTIONS]
    complete = actions[actions["Status"] == ActionStatus.COMPLETE.value]
    for row in complete.head(SHORT_LIST).to_dict("records"):
        rows.append({"Area": "Actions", "Item": row["Action"],
                     "Directorate": name(row["Directorate"]),
                     "Detail": f"Complete ({row[AS_AT]})."})
    if len(complete) > SHORT_LIST:
        rows.append({"Area": "Actions", "Item": f"{len(complete)} actions complete in all",
                     "Directorate": None, "Detail": "See the Actions sheet."})
    return pd.DataFrame(rows, columns=["Area", "Item", "Directorate", "Detail"])


def _relative_change(frame: pd.DataFrame) -> pd.Series:
    target = frame["Target"].abs().where(frame["Target"].abs() > 0)
    return ((frame["Actual"] - frame["Target"]) / target).abs().fillna(0)


def _first_figure(frames: t.Frames, measure_id: str, measures: pd.DataFrame) -> tuple[str, Any]:
    row = measures[measures["Measure ID"] == measure_id].iloc[0]
    for quarter in [c for c in measures.columns if str(c)[:4].isdigit()]:
        if pd.notna(row[quarter]):
            return quarter, row[quarter]
    return "", None


def concerns(frames: t.Frames, position: t.Position) -> pd.DataFrame:
    """Up to three each: Red measures (furthest from target first), Red actions, Red savings
    (largest gap first) and Red risks (highest score first), at the year end."""
    name = frames.register.directorate_name
    rows: list[dict[str, Any]] = []
    measures = position[ReturnSheet.MEASURES]
    red = measures[measures["RAG"] == RED].copy()
    red["_size"] = _relative_change(red)
    for row in red.sort_values("_size", ascending=False).head(SHORT_LIST).to_dict("records"):
        better = "at most" if row["Polarity"] == LOWER_IS_BETTER else "at least"
        rows.append({"Area": "Measures", "Item": row["Measure"],
                     "Directorate": name(row["Directorate"]),
                     "Detail": f"{_figure(row['Actual'], row['Unit'])} ({row[AS_AT]}) against a "
                               f"target of {better} {_figure(row['Target'], row['Unit'])}."})
    actions = position[ReturnSheet.ACTIONS]
    red_actions = actions[actions["RAG"] == RED]
    for row in red_actions.head(SHORT_LIST).to_dict("records"):
        due = row["Revised due date"] if pd.notna(row["Revised due date"]) else row["Due date"]
        when = f", due {due:%d/%m/%Y}" if pd.notna(due) else ""
        rows.append({"Area": "Actions", "Item": row["Action"],
                     "Directorate": name(row["Directorate"]),
                     "Detail": f"{row['Status']}{when} ({row[AS_AT]})."})
    savings = position[ReturnSheet.SAVINGS]
    red_savings = savings[savings["RAG"] == RED].assign(
        _gap=savings["Target (£)"] - savings["Forecast (£)"])
    for row in red_savings.sort_values("_gap", ascending=False).head(SHORT_LIST) \
            .to_dict("records"):
        rows.append({"Area": "Savings", "Item": row["Saving proposal"],
                     "Directorate": name(row["Directorate"]),
                     "Detail": f"Forecast {money(row['Forecast (£)'])} against a target of "
                               f"{money(row['Target (£)'])} (gap {money(row['_gap'])})."})
    risks = position[ReturnSheet.RISKS]
    red_risks = risks[risks["RAG"] == RED].sort_values(["Score", "Risk ID"],
                                                        ascending=[False, True])
    for row in red_risks.head(SHORT_LIST).to_dict("records"):
        rows.append({"Area": "Risks", "Item": row["Risk"], "Directorate": name(row["Directorate"]),
                     "Detail": f"Score {row['Score']:.0f} (likelihood {row['Likelihood']:.0f} x "
                               f"impact {row['Impact']:.0f})."})
    return pd.DataFrame(rows, columns=["Area", "Item", "Directorate", "Detail"])


# ---------------------------------------------------------------------------------------------
# The workbook.


@about_file("master_path")
def summarise_year(master_path: Path, start_year: int, out: Path, plan: Plan | None = None,
                   produced: dt.date | None = None) -> SummaryResult:
    """Write the annual summary of the financial year starting in April `start_year`.

    Raises:
        ConfigurationError: no master yet, or `out` cannot be written.
        UsageError: the master has no rows for any quarter of the year.
        MasterError: the master cannot be read.
    """
    label = year_label(start_year)
    every = quarters_of_year(start_year)
    frames = load(master_path, plan, every[0])
    quarters = [str(q) for q in every if str(q) in frames.quarters]
    if not quarters:
        held = ", ".join(frames.quarters) or "none"
        raise UsageError(f"{master_path}: has no rows for {label} (quarters in it: {held}); "
                         f"run 'workbook-tools consolidate --quarter {every[0]}' first.")
    summary = AnnualSummary(frames, start_year, quarters, Path(master_path).name)
    write_book(Path(out), frames.register.council, f"Annual summary {label}",
               produced or dt.date.today(), summary.write)
    return SummaryResult(Path(out), label, list(ANNUAL_SHEETS), summary.charts, summary.figures,
                         hl.headline_sentences(hl.headline(summary.position, frames.register)))


class AnnualSummary(SummaryWriter):
    """Writes each sheet of the annual summary."""

    def __init__(self, frames: t.Frames, start_year: int, quarters: list[str],
                 master_name: str) -> None:
        self.quarters = quarters
        super().__init__(frames, year_label(start_year), year_end(frames, quarters), master_name)

    def write(self, book: Book) -> None:
        missing = [str(q) for q in quarters_of_year(int(self.period[:4]))
                   if str(q) not in self.quarters]
        subtitle = (f"Year-end position from {self.master_name}: quarters "
                    f"{', '.join(self.quarters)}" + (f" (not yet in the master: "
                                                      f"{', '.join(missing)})" if missing else "")
                    + f"; produced {book.produced:%d %B %Y}.")
        overview = book.sheet("Overview", self.title("annual performance and savings summary"),
                              subtitle)
        measures = measures_year(self.frames, self.position, self.quarters)
        self.highlights(book.sheet("Highlights", self.title("highlights and concerns")), measures)
        self.by_theme(book.sheet("By theme", self.title("year-end position by theme")),
                      " (year end)")
        directorates = book.sheet("By directorate", self.title("year-end position by directorate"))
        accepted = {code: sum(1 for q in self.quarters
                              if t.return_statuses(self.frames, q).get(code)
                              in ACCEPTED_VERDICTS)
                    for code in self.register.directorates}
        table = t.by_directorate(self.position, self.register,
                                 {c: f"{n} of {len(self.quarters)}" for c, n in accepted.items()})
        table = table.rename(columns={"Return": "Quarters in the master"})
        directorates.table(table, total=["All directorates", None, None, *t.totals(table)[3:]])
        directorates.note(RAG_NOTE)
        sheet = book.sheet("Measures", self.title("measures: year-end position"))
        sheet.table(measures, units=list(self.position[ReturnSheet.MEASURES]["Unit"]),
                    kinds={**{q: "number" for q in self.quarters}, "Year-end actual": "number",
                           "Target": "number", "Measure": "longtext"})
        sheet.note("Over the year: the last figure of the year against the first, by polarity; "
                   "for a cumulative (year-to-date) measure, against last year's year end.")
        sheet = book.sheet("Actions", self.title("actions: year-end position"))
        sheet.table(actions_year(self.frames, self.position, self.quarters),
                    kinds={**{q: "rag" for q in self.quarters}, "Action": "longtext"})
        self.savings(book.sheet("Savings", self.title("savings programme: year-end position")))
        sheet = book.sheet("Savings lines", self.title("every savings line"))
        sheet.table(savings_year(self.frames, self.position, self.quarters),
                    kinds={"Saving proposal": "longtext"})
        self.exceptions(book.sheet("Exceptions", self.title("exceptions at the year end")))
        self.trends(book.sheet("Trends", self.title("the year quarter by quarter")))
        self.risks(book.sheet("Risks", self.title("strategic risks: year-end position")))
        self.overview(book, overview)

    def highlights(self, sheet: Sheet, measures: pd.DataFrame) -> None:
        sheet.heading("Highlights")
        sheet.table(highlights(self.frames, self.position, measures),
                    kinds={"Item": "longtext", "Detail": "longtext"},
                    empty="Nothing stands out this year.")
        sheet.heading("Concerns")
        sheet.table(concerns(self.frames, self.position),
                    kinds={"Item": "longtext", "Detail": "longtext"},
                    empty="No Red measure, action, saving or risk at the year end.")
        sheet.note(f"At most {SHORT_LIST} of each kind; the other sheets list every item.")

    def overview(self, book: Book, sheet: Sheet) -> None:
        lines = hl.headline(self.position, self.register)
        savings = self.position[ReturnSheet.SAVINGS]
        target = self.register.programme_target
        delivered = savings["Delivered to date (£)"].sum(min_count=1)
        if target is not None and pd.notna(delivered):
            lines.insert(0, hl.Headline("The year", "Savings delivered against the programme "
                                       "target", delivered / target, "share",
                                       f"{money(delivered)} of {money(target)}"))
        hl.write_headline(sheet, lines)
        self.previous_year(sheet)
        sheet.width(0, 40)
        sheet.width(1, 18)
        sheet.width(2, 24)
        sheet.width(3, 3)
        self.add_chart(sheet, charts.programme_by_quarter(
            book, self.blocks["programme"], ["Forecast (£)", "Delivered to date (£)"],
            "Savings delivered and forecast against the programme target",
            "Programme target (£)" if target is not None else None), 3, 4, width=560)
        self.add_chart(sheet, charts.rag_columns(
            book, self.blocks["rag"], [("Measures", r) for r in t.RAGS],
            "Measures by RAG, quarter by quarter"), 3 + CHART_ROWS, 4, width=560, height=260)
        self.figures.update({"Savings delivered": None if pd.isna(delivered) else delivered,
                             "Programme target": target})

    def previous_year(self, sheet: Sheet) -> None:
        """The previous year's year-end figures beside this year's, where the master has them
        (the programme target and its gap are each year's own register's, so not compared)."""
        start = int(self.period[:4])
        quarters = [str(q) for q in quarters_of_year(start - 1) if str(q) in self.frames.quarters]
        if not quarters:
            return
        before = year_label(start - 1)
        pairs = zip(hl.headline(self.position, self.register),
                    hl.headline(year_end(self.frames, quarters), self.register), strict=True)
        rows = [{"Year end": f"{now.section}: {now.label}", self.period: now.value,
                 before: then.value} for now, then in pairs
                if now.kind in ("integer", "money") and "programme target" not in
                now.label.casefold()]
        sheet.heading(f"Beside {before}'s year end ({quarters[-1]})")
        sheet.table(pd.DataFrame(rows), kinds={self.period: "number", before: "number"})
        sheet.note("Savings figures in £; the others are counts.")

    def savings(self, sheet: Sheet) -> None:
        savings = self.position[ReturnSheet.SAVINGS]
        target = self.register.programme_target
        delivered = savings["Delivered to date (£)"].sum(min_count=1)
        self.savings_sheet(
            sheet, "By directorate at the year end: the directorates' figures beside finance's",
            [("Programme target", target), ("Delivered in the year", delivered),
             ("Finance confirmed", savings[sv.CONFIRMED].sum(min_count=1)),
             ("Programme target less delivered", sv.less(target, delivered)),
             ("Forecast (full year)", savings["Forecast (£)"].sum(min_count=1))],
            GAP_NOTE, "Savings by directorate (year end)")

    def exceptions(self, sheet: Sheet) -> None:
        measures = t.red_measures(self.position, self.register)
        sheet.heading(f"Red measures at the year end ({len(measures)})")
        sheet.table(measures.drop(columns="Unit"), units=list(measures["Unit"]),
                    kinds={"Target": "number", "Actual": "number", "Previous actual": "number",
                           "Measure": "longtext"}, empty="No measure is Red at the year end.")
        actions = t.red_actions(self.position, self.register)
        sheet.heading(f"Red actions at the year end ({len(actions)})")
        sheet.table(actions, kinds={"Action": "longtext"},
                    empty="No action is Red at the year end.")

    def trends(self, sheet: Sheet) -> None:
        sheet.heading("The savings programme, quarter by quarter")
        self.blocks["programme"] = sheet.table(sv.savings_by_quarter(self.frames, self.quarters))
        sheet.heading("Measures and actions by RAG, quarter by quarter")
        rag = t.rag_by_quarter(self.frames, self.quarters)
        self.blocks["rag"] = sheet.table(rag, index=True)
        self.add_chart(sheet, charts.rag_columns(
            sheet.book, self.blocks["rag"], [("Actions", r) for r in t.RAGS],
            "Actions by RAG, quarter by quarter"), sheet.row, 0, width=520, height=280)
        sheet.skip(CHART_ROWS)

    def risks(self, sheet: Sheet) -> None:
        risks = self.position[ReturnSheet.RISKS]
        sheet.heading("Risks by rating at the year end")
        sheet.table(t.risk_counts(risks), kinds={"Rating": "rag"})
        sheet.heading("Risks by likelihood and impact at the year end")
        write_grid(sheet, t.risk_grid(risks))
        sheet.heading("Every risk: its score each quarter, highest first at the year end")
        sheet.table(risks_year(self.frames, self.position, self.quarters),
                    kinds={"Risk": "longtext"})
