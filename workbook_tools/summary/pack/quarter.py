"""The quarterly Cabinet pack's content (SPEC section 9): `summary-<QUARTER>.html`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from workbook_tools import __version__
from workbook_tools.master import columns as mc
from workbook_tools.master.read import Master
from workbook_tools.plan.register import Settings
from workbook_tools.quarters import Quarter, parse_quarter
from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.summary import headline as hl
from workbook_tools.summary import quality as dq
from workbook_tools.summary import tables as t
from workbook_tools.summary.changes import what_changed
from workbook_tools.summary.pack import charts, sections, sources
from workbook_tools.summary.pack.model import Cards, Note, Pack, Section
from workbook_tools.summary.pack.table import from_frame
from workbook_tools.summary.quarter import trend_quarters


def quarter_pack(master: Master, frames: t.Frames, quarter: Quarter, produced: dt.date,
                 deadline_days: int = Settings.deadline_days,
                 theme_codes: dict[str, str] | None = None) -> Pack:
    """The page for one quarter, every figure from summary/tables.py over `frames`."""
    q = str(quarter)
    register = frames.register
    position = frames.at(q)
    returns = t.return_statuses(frames, q)
    headline = hl.headline(position, register, returns)
    narrative = sources.narrative(master, [q])
    theme_codes = theme_codes or {}
    period = f"{q} ({quarter.months} {quarter.start_date.year})"
    year = [x for x in trend_quarters(frames, quarter)
            if parse_quarter(x).start_year == quarter.start_year]
    parts = [
        sections.key_messages(narrative.get(sources.OVERVIEW, []),
                              hl.headline_sentences(headline)),
        at_a_glance(frames, quarter, position, headline),
        sections.themes(position, register, narrative, theme_codes),
        sections.exceptions(position, register, f"in {q}"),
        sections.savings(frames, position, year, quarter.year_label),
        sections.risks(position, register),
        changed(frames, q),
        data_quality(master, frames, q, deadline_days),
        sections.appendix(position, register, returns, narrative),
    ]
    council = register.council
    title = f"Performance and savings report, {q}"
    path = master.path or Path("master.xlsx")
    return Pack(title, council, period,
                f"{quarter.months} {quarter.start_date.year}", parts, path.name,
                sources.sha256(path) if master.path else "", __version__,
                f"{produced:%d %B %Y}".lstrip("0"))


def at_a_glance(frames: t.Frames, quarter: Quarter, position: t.Position,
                headline: list[hl.Headline]) -> Section:
    """Headline cards; RAG counts now, last quarter and a year ago; direction of travel."""
    q = str(quarter)
    blocks: list[Any] = list(sections.glance_cards(headline))
    compared = [x for x in (str(quarter.year_ago()), frames.earlier(q)) if x in frames.quarters]
    compared = list(dict.fromkeys([*compared, q]))
    rag = t.rag_by_quarter(frames, compared)
    blocks.append(from_frame(rag, "Measures and actions by RAG: this quarter, the previous "
                             "quarter and the same quarter a year ago (where the master has "
                             "them)", index=True, kinds={"Quarter": "text"}))
    if str(quarter.year_ago()) not in frames.quarters:
        blocks.append(Note(f"The master has no figures for {quarter.year_ago()}, the same "
                           "quarter a year ago."))
    if position[ReturnSheet.MEASURES][mc.YEAR_ON_YEAR].notna().any():
        # the same count as direction of travel, of each measure's word against a year ago
        year_on_year = {**position, ReturnSheet.MEASURES: position[ReturnSheet.MEASURES].assign(
            **{"Direction of travel": position[ReturnSheet.MEASURES][mc.YEAR_ON_YEAR]})}
        compared = t.directions_by_theme(year_on_year, frames.register)
        blocks.append(from_frame(compared, "Measures compared with the same quarter a year "
                                 "ago, by theme", index=True,
                                 total=["All themes", *t.totals(compared)]))
    directions = t.directions_by_theme(position, frames.register)
    blocks.append(charts.stacked_counts(directions, "", list(t.DIRECTIONS),
                                        f"Direction of travel of measures, by theme ({q})",
                                        charts.DIRECTION_FILLS))
    blocks.append(from_frame(directions, "Direction of travel of measures against the "
                             "previous quarter, by theme", index=True,
                             total=["All themes", *t.totals(directions)]))
    return Section("at-a-glance", "At a glance", blocks)


def changed(frames: t.Frames, q: str) -> Section:
    changes = what_changed(frames, q)
    if changes.previous is None:
        return Section("what-changed", "What changed", [Note(
            f"{q} is the first quarter in the master: nothing to compare with.")])
    long = sections.LONG
    return Section("what-changed", f"What changed since {changes.previous}", [
        Note(f"{q} compared with {changes.previous}, for items in both quarters."),
        from_frame(pd.DataFrame({"Change": list(changes.counts),
                                 "Items": list(changes.counts.values())}),
                   "What changed: counts")], [
        Section("rag-changes", f"RAG changes ({len(changes.rag)})", [from_frame(
            changes.rag, "Measures and actions whose RAG changed", kinds=long,
            empty="No measure or action changed its RAG.")]),
        Section("slipped", f"Actions whose due date slipped ({len(changes.slipped)})", [
            from_frame(changes.slipped, "Actions whose due date slipped", kinds=long,
                       empty="No action's due date slipped.")]),
        Section("forecast-fell", f"Savings whose forecast fell ({len(changes.forecast_fell)})",
                [from_frame(changes.forecast_fell, "Savings whose forecast fell", kinds=long,
                            empty="No saving's forecast fell.")]),
        Section("risk-rose", f"Risks whose score rose ({len(changes.risk_rose)})", [
            from_frame(changes.risk_rose, "Risks whose score rose", kinds=long,
                       empty="No risk's score rose.")]),
    ])


def data_quality(master: Master, frames: t.Frames, q: str, deadline_days: int) -> Section:
    table = dq.returns_quality(frames, q, deadline_days)
    counts = dq.quality_counts(table)
    corrections = sources.corrections(  # to this quarter and earlier ones (SPEC section 8)
        master, [x for x in frames.quarters if parse_quarter(x) <= parse_quarter(q)])
    blocks: list[Any] = [
        Cards("Data quality", [sections.Card(label, str(n)) for label, n in counts.items()]),
        from_frame(table, f"Each directorate's return for {q}",
                   kinds={"Received": "date"}),
        Note(f"Late: received after the deadline, {deadline_days} days after the quarter "
             "ended. Provisional and not available: as the directorate marked the actual."),
        from_frame(corrections, f"Corrections: figures of {q} and earlier quarters changed "
                   "after the quarter was closed and reopened",
                   empty="No figure was corrected after its quarter was closed."),
    ]
    return Section("data-quality", "Data quality", blocks)
