"""The annual Cabinet pack's content (SPEC section 9): `annual-<YEAR>.html`, each item's
year-end position (summary/annual_tables.py's year_end), the year quarter by quarter, highlights and
concerns, and the same sections as the quarterly pack."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from workbook_tools import __version__
from workbook_tools.master.read import Master
from workbook_tools.plan.register import Settings
from workbook_tools.quarters import quarters_of_year, year_label
from workbook_tools.summary import annual as yearly
from workbook_tools.summary import headline as hl
from workbook_tools.summary import quality as dq
from workbook_tools.summary import tables as t
from workbook_tools.summary.annual_tables import measures_year, year_end
from workbook_tools.summary.pack import charts, sections, sources
from workbook_tools.summary.pack.model import Note, Pack, Section
from workbook_tools.summary.pack.table import from_frame


def annual_pack(master: Master, frames: t.Frames, start_year: int, quarters: list[str],
                produced: dt.date, deadline_days: int = Settings.deadline_days,
                theme_codes: dict[str, str] | None = None) -> Pack:
    """The page for the financial year starting in April `start_year` (`quarters`: the year's
    quarters the master holds)."""
    label = year_label(start_year)
    register = frames.register
    position = year_end(frames, quarters)
    headline = hl.headline(position, register)
    narrative = sources.narrative(master, quarters[-1:])
    parts = [
        sections.key_messages(narrative.get(sources.OVERVIEW, []),
                              hl.headline_sentences(headline)),
        at_a_glance(frames, start_year, quarters, position, headline),
        highlights(frames, position, quarters),
        sections.themes(position, register, narrative, theme_codes or {}),
        sections.exceptions(position, register, "at the year end"),
        sections.savings(frames, position, quarters, label),
        sections.risks(position, register),
        data_quality(master, frames, quarters, deadline_days),
        sections.appendix(position, register, None, narrative),
    ]
    path = master.path or Path("master.xlsx")
    months = f"April {start_year} to March {start_year + 1}"
    held = f"; the master holds {', '.join(quarters)}" if len(quarters) < 4 else ""
    return Pack(f"Annual performance and savings report, {label}", register.council,
                label, months + held, parts, path.name,
                sources.sha256(path) if master.path else "", __version__,
                f"{produced:%d %B %Y}".lstrip("0"))


def at_a_glance(frames: t.Frames, start_year: int, quarters: list[str], position: t.Position,
                headline: list[hl.Headline]) -> Section:
    blocks: list[Any] = list(sections.glance_cards(headline))
    before = [str(q) for q in quarters_of_year(start_year - 1) if str(q) in frames.quarters]
    shown = [*before[-1:], *quarters]
    blocks.append(from_frame(t.rag_by_quarter(frames, shown),
                             "Measures and actions by RAG, quarter by quarter (with the last "
                             "quarter of the year before, where the master has it)",
                             index=True, kinds={"Quarter": "text"}))
    if not before:
        blocks.append(Note(f"The master has no figures for {year_label(start_year - 1)}, "
                           "the year before."))
    rag = t.rag_by_quarter(frames, quarters)
    blocks.append(charts.stacked_counts(rag, "Measures", list(t.RAGS),
                                        "Measures by RAG, quarter by quarter",
                                        charts.RAG_FILLS))
    return Section("at-a-glance", "At a glance", blocks)


def highlights(frames: t.Frames, position: t.Position, quarters: list[str]) -> Section:
    measures = measures_year(frames, position, quarters)
    return Section("highlights", "Highlights and concerns", [
        from_frame(yearly.highlights(frames, position, measures).replace(
            "See the Actions sheet.", "See the appendix."), "Highlights of the year",
                   kinds={"Item": "longtext", "Detail": "longtext"},
                   empty="Nothing to highlight."),
        from_frame(yearly.concerns(frames, position), "Concerns at the year end",
                   kinds={"Item": "longtext", "Detail": "longtext"},
                   empty="No concerns: nothing is Red at the year end."),
        Note(f"At most {yearly.SHORT_LIST} of each kind; the exceptions and the appendix list "
             "every item.")])


def data_quality(master: Master, frames: t.Frames, quarters: list[str],
                 deadline_days: int) -> Section:
    rows = {q: dq.quality_counts(dq.returns_quality(frames, q, deadline_days))
            for q in quarters}
    table = pd.DataFrame(rows).T
    table.index.name = "Quarter"
    corrections = sources.corrections(master, quarters)
    return Section("data-quality", "Data quality", [
        from_frame(table, "Data quality, quarter by quarter", index=True,
                   kinds={"Quarter": "text"}),
        Note(f"Late: received after the deadline, {deadline_days} days after the quarter "
             "ended."),
        from_frame(corrections, "Corrections: figures changed after a quarter was closed "
                   "and reopened", empty="No figure was corrected after a quarter was closed.")])
