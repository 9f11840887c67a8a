"""The quarterly summary for Cabinet (SPEC section 9): `summary-<QUARTER>.xlsx`.

Figures come from tables.py, savings.py and headline.py (pandas over the master's sheets), the
workbook from write.py and the charts from charts.py; common.py holds what the annual summary
(annual.py) shares with this one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook_tools.errors import UsageError, about_file
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter, parse_quarter
from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.summary import charts
from workbook_tools.summary import headline as hl
from workbook_tools.summary import savings as sv
from workbook_tools.summary import tables as t
from workbook_tools.summary.changes import Changes, corrections_before, what_changed
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
from workbook_tools.summary.write import Book, Sheet

QUARTER_SHEETS = ("Overview", "By theme", "By objective", "By directorate", "Exceptions",
                  "Savings", "Savings lines", "Trends", "Risks", "What changed")
MAX_TREND_QUARTERS = 8
DIRECTION_NOTE = ("A Cumulative (year-to-date) measure is compared with the same quarter last "
                  "year: Not comparable until the master holds that quarter.")


@about_file("master_path")
def summarise_quarter(master_path: Path, quarter: Quarter, out: Path, plan: Plan | None = None,
                      produced: dt.date | None = None) -> SummaryResult:
    """Write the quarterly summary of `quarter` from the master.

    Args:
        plan: the register, for the council's name, the programme target and the order of
            themes and directorates (without it, names and order come from the master).
        produced: the date in the footer [default: today].

    Raises:
        ConfigurationError: no master yet, or `out` cannot be written.
        UsageError: the master has no rows for `quarter`.
        MasterError: the master cannot be read.
    """
    frames = load(master_path, plan, quarter)
    q = str(quarter)
    if q not in frames.quarters:
        held = ", ".join(frames.quarters) or "none"
        raise UsageError(f"{master_path}: has no rows for {q} (quarters in it: {held}); run "
                         f"'workbook-tools consolidate --quarter {q}' first.")
    produced = produced or dt.date.today()
    council = frames.register.council
    period = f"{q} ({quarter.months} {quarter.start_date.year})"
    summary = QuarterSummary(frames, quarter, Path(master_path).name)
    write_book(Path(out), council, period, produced, summary.write)
    return SummaryResult(Path(out), q, list(QUARTER_SHEETS), summary.charts, summary.figures,
                         hl.headline_sentences(hl.headline(summary.position, frames.register)))


def trend_quarters(frames: t.Frames, quarter: Quarter) -> list[str]:
    """The quarters in the master up to `quarter` (the last eight at most)."""
    upto = [q for q in frames.quarters if parse_quarter(q) <= quarter]
    return upto[-MAX_TREND_QUARTERS:]


class QuarterSummary(SummaryWriter):
    """Writes each sheet of the quarterly summary."""

    def __init__(self, frames: t.Frames, quarter: Quarter, master_name: str) -> None:
        self.quarter = quarter
        self.q = str(quarter)
        super().__init__(frames, self.q, frames.at(self.q), master_name)
        self.returns = t.return_statuses(frames, self.q)

    def write(self, book: Book) -> None:
        produced = f"{book.produced:%d %B %Y}"
        subtitle = (f"{self.quarter.months} {self.quarter.start_date.year}. Figures from "
                    f"{self.master_name}; produced {produced}.")
        overview = book.sheet("Overview", self.title("performance and savings summary"),
                              subtitle)
        self.by_theme(book.sheet("By theme", self.title("measures and actions by theme")))
        self.by_objective(book.sheet("By objective", self.title("by strategic objective")))
        self.by_directorate(book.sheet("By directorate", self.title("by directorate")))
        self.exceptions(book.sheet("Exceptions", self.title("exceptions")))
        self.savings(book.sheet("Savings", self.title("savings programme")))
        lines = book.sheet("Savings lines", self.title("every savings line"))
        lines.table(sv.savings_lines(self.position[ReturnSheet.SAVINGS], self.register),
                    kinds={"Saving proposal": "longtext", "Commentary": "longtext"})
        self.trends(book.sheet("Trends", self.title("trends")))
        self.risks(book.sheet("Risks", self.title("strategic risks")))
        changes = what_changed(self.frames, self.q)
        changed = book.sheet("What changed", self.title("what changed"))
        self.what_changed(changed, changes)
        self.corrections(changed)
        self.overview(book, overview, changes)

    # -- sheets ---------------------------------------------------------------------------------

    def overview(self, book: Book, sheet: Sheet, changes: Changes) -> None:
        lines = hl.headline(self.position, self.register, self.returns)
        hl.write_headline(sheet, lines)
        sheet.heading(f"What changed since {changes.previous}" if changes.previous
                      else "What changed")
        if changes.previous is None:
            sheet.note("This is the first quarter in the master: nothing to compare with.")
        for label, count in changes.counts.items():
            sheet.cell(sheet.row, 0, label)
            sheet.cell(sheet.row, 1, count, "integer")
            sheet.row += 1
        sheet.width(0, 40)
        sheet.width(1, 16)
        sheet.width(2, 22)
        sheet.width(3, 3)
        programme = self.blocks["programme"]
        self.add_chart(sheet, charts.programme_by_quarter(
            book, programme, ["Forecast (£)", "Delivered to date (£)"],
            "Savings forecast against the programme target",
            "Programme target (£)" if self.register.programme_target is not None else None),
            3, 4, width=560, height=300)
        theme = self.blocks["theme"]
        self.add_chart(sheet, charts.stacked_bar(
            book, theme, "Theme", [("Measures", r) for r in t.RAGS], "Measures by RAG, by theme",
            self.theme_rows), 3 + CHART_ROWS, 4, width=560, height=260)
        figures = {h.label if h.section != "Measures" else f"Measures {h.label}": h.value
                   for h in lines if h.section in ("Measures", "Savings")}
        self.figures.update(figures)

    def by_objective(self, sheet: Sheet) -> None:
        table = t.by_objective(self.position, self.register)
        sheet.table(table, total=["All objectives", None, None, *t.totals(table)[3:]],
                    kinds={"Objective": "longtext"})
        sheet.note(RAG_NOTE)

    def by_directorate(self, sheet: Sheet) -> None:
        table = t.by_directorate(self.position, self.register, self.returns)
        sheet.table(table, total=["All directorates", None, None, *t.totals(table)[3:]])
        sheet.note(RAG_NOTE)
        sheet.note(GAP_NOTE)

    def exceptions(self, sheet: Sheet) -> None:
        measures = t.red_measures(self.position, self.register)
        sheet.heading(f"Red measures ({len(measures)})")
        sheet.table(measures.drop(columns="Unit"), units=list(measures["Unit"]),
                    kinds={"Target": "number", "Actual": "number", "Previous actual": "number",
                           "Measure": "longtext"},
                    empty="No measure is Red this quarter.")
        actions = t.red_actions(self.position, self.register)
        sheet.heading(f"Red actions: off track, or not started after their due date "
                      f"({len(actions)})")
        sheet.table(actions, kinds={"Action": "longtext"},
                    empty="No action is Red this quarter.")
        self.figures["Red measures"] = len(measures)
        self.figures["Red actions"] = len(actions)

    def savings(self, sheet: Sheet) -> None:
        savings = self.position[ReturnSheet.SAVINGS]
        target = self.register.programme_target
        forecast = savings["Forecast (£)"].sum(min_count=1)
        self.savings_sheet(
            sheet, "By directorate: the directorates' figures beside finance's",
            [("Programme target", target), ("Forecast (full year)", forecast),
             ("Gap: programme target less forecast", sv.less(target, forecast))],
            GAP_NOTE + " Finance confirmed: entered by finance on the master's Savings sheet.",
            "Savings by directorate")

    def trends(self, sheet: Sheet) -> None:
        quarters = trend_quarters(self.frames, self.quarter)
        year = [q for q in quarters if parse_quarter(q).start_year == self.quarter.start_year]
        sheet.heading(f"The savings programme, quarter by quarter ({self.quarter.year_label})")
        self.blocks["programme"] = sheet.table(sv.savings_by_quarter(self.frames, year))
        sheet.heading("Measures and actions by RAG, quarter by quarter")
        rag = t.rag_by_quarter(self.frames, quarters)
        rag_block = sheet.table(rag, index=True)
        sheet.heading(f"Direction of travel of measures, by theme ({self.q})")
        directions = t.directions_by_theme(self.position, self.register)
        direction_block = sheet.table(directions, index=True,
                                      total=["All themes", *t.totals(directions)])
        sheet.note(DIRECTION_NOTE)
        row = sheet.row
        book = sheet.book
        self.add_chart(sheet, charts.stacked_bar(
            book, direction_block, "Theme", list(t.DIRECTIONS),
            f"Direction of travel, by theme ({self.q})"), row, 0, width=520, height=280)
        self.add_chart(sheet, charts.rag_columns(
            book, rag_block, [("Measures", r) for r in t.RAGS], "Measures by RAG, by quarter"),
            row, 0, x_offset=540, width=440, height=280)
        sheet.skip(CHART_ROWS)
        sheet.heading("Each measure across the quarters")
        table, units = t.measure_trends(self.frames, quarters)
        sheet.table(table, units=units, kinds={
            **{q: "number" for q in quarters}, f"Target ({self.q})": "number",
            "Measure": "longtext"})

    def risks(self, sheet: Sheet) -> None:
        risks = self.position[ReturnSheet.RISKS]
        sheet.heading("Risks by rating")
        sheet.table(t.risk_counts(risks), kinds={"Rating": "rag"})
        sheet.heading("Risks by likelihood and impact (score = likelihood x impact)")
        write_grid(sheet, t.risk_grid(risks))
        sheet.heading("Every risk, highest score first")
        sheet.table(t.risk_list(risks, self.register),
                    kinds={"Risk": "longtext", "Mitigation update": "longtext"})

    def corrections(self, sheet: Sheet) -> None:
        """Data quality: figures of earlier quarters corrected after they were closed."""
        table = corrections_before(self.frames, self.q)
        sheet.heading(f"Corrections to earlier quarters ({len(table)})")
        sheet.table(table, kinds={"Reason": "longtext", "Was": "text", "Now": "text"},
                    empty="No figure of an earlier quarter was corrected after it was closed.")
        self.figures["Corrections to earlier quarters"] = len(table)

    def what_changed(self, sheet: Sheet, changes: Changes) -> None:
        if changes.previous is None:
            sheet.note(f"{self.q} is the first quarter in the master: nothing to compare with.")
            return
        sheet.note(f"{self.q} compared with {changes.previous}, for items in both quarters.")
        sheet.skip()
        sheet.heading(f"RAG changes ({len(changes.rag)})")
        sheet.table(changes.rag, kinds={"Name": "longtext", "Commentary": "longtext"},
                    empty="No measure or action changed its RAG.")
        sheet.heading(f"Actions whose due date slipped ({len(changes.slipped)})")
        sheet.table(changes.slipped, kinds={"Action": "longtext", "Commentary": "longtext"},
                    empty="No action's due date slipped.")
        sheet.heading(f"Savings whose forecast fell ({len(changes.forecast_fell)})")
        sheet.table(changes.forecast_fell, kinds={"Commentary": "longtext"},
                    empty="No saving's forecast fell.")
        sheet.heading(f"Risks whose score rose ({len(changes.risk_rose)})")
        sheet.table(changes.risk_rose, kinds={"Risk": "longtext",
                                              "Mitigation update": "longtext"},
                    empty="No risk's score rose.")
