"""The Overview's headline figures (SPEC section 9): counts and totals worked out from a position,
written on a summary's Overview, and said in a few sentences for the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbook_tools.files.cells import pounds
from workbook_tools.returns import rules
from workbook_tools.returns.findings import ACCEPTED_VERDICTS
from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.summary.savings import CONFIRMED, less
from workbook_tools.summary.tables import (
    NO_RATING,
    NOT_RATED,
    RAGS,
    Position,
    Register,
    rag_of,
)
from workbook_tools.summary.write import Sheet


@dataclass
class Headline:
    section: str
    label: str
    value: Any
    kind: str = "integer"  # integer, money, share (a fraction shown as %), text
    note: str = ""


def headline(position: Position, register: Register,
             returns: dict[str, str] | None = None) -> list[Headline]:
    """Counts and totals for the Overview, against the programme target."""
    lines: list[Headline] = []
    if returns is not None:
        accepted = [c for c in register.directorates if returns.get(c) in ACCEPTED_VERDICTS]
        missing = [register.directorate_name(c) for c in register.directorates
                   if c not in accepted]
        lines.append(Headline("Returns", "Directorates whose return is in the master",
                              len(accepted), note=f"of {len(register.directorates)}"))
        if missing:
            lines.append(Headline("Returns", "Not in the master", "; ".join(missing), "text"))
    for sheet, none_label in (("Measures", NOT_RATED), ("Actions", NO_RATING)):
        ratings = rag_of(position[sheet], none_label)
        rated = int(ratings.isin(RAGS).sum())
        for rag in RAGS:
            count = int((ratings == rag).sum())
            lines.append(Headline(sheet, rag, count, note=_share(count, rated)))
        lines.append(Headline(sheet, none_label, int((ratings == none_label).sum())))
        lines.append(Headline(sheet, f"{sheet} reported", len(ratings)))
        if sheet == "Measures":
            lines += _measure_kinds(position[sheet])
    savings = position[ReturnSheet.SAVINGS]
    target = register.programme_target
    forecast = savings["Forecast (£)"].sum(min_count=1)
    delivered = savings["Delivered to date (£)"].sum(min_count=1)
    money = [
        ("Programme target", target, ""),
        ("Target of the lines reported", savings["Target (£)"].sum(min_count=1),
         f"{len(savings)} lines"),
        ("Forecast (full year)", forecast, _share(forecast, target, "of the programme")),
        ("Delivered to date", delivered, _share(delivered, target, "of the programme")),
        ("Finance confirmed", savings[CONFIRMED].sum(min_count=1),
         f"{int(savings[CONFIRMED].notna().sum())} lines confirmed"),
        ("Gap: programme target less forecast", less(target, forecast), ""),
    ]
    for label, value, note in money:
        lines.append(Headline("Savings", label, None if value is None or pd.isna(value)
                              else float(value), "money", note))
    for rag in RAGS:
        lines.append(Headline("Risks", rag, int((position[ReturnSheet.RISKS]["RAG"] == rag).sum())))
    return lines


#: The Overview's labels for measures by type and by Data status (after the RAG counts).
BY_TYPE = {rules.SNAPSHOT: "Snapshot measures", rules.CUMULATIVE: "Cumulative (year to date)",
           rules.DATA_ONLY: "Data only (no target or RAG)"}
NOT_AVAILABLE_LABEL = "Not available this quarter (not reported)"
PROVISIONAL_LABEL = "Provisional figures"


def _measure_kinds(measures: pd.DataFrame) -> list[Headline]:
    """Measures by type, and those not available or provisional this quarter."""
    types = measures["Measure type"]
    status = measures["Data status"]
    lines = [Headline("Measures", label, int((types == kind).sum()))
             for kind, label in BY_TYPE.items()]
    lines.append(Headline("Measures", NOT_AVAILABLE_LABEL,
                          int((status == rules.NOT_AVAILABLE).sum()),
                          note="its figure is to come; no RAG"))
    lines.append(Headline("Measures", PROVISIONAL_LABEL, int((status == rules.PROVISIONAL).sum()),
                          note="may change"))
    return lines


def _share(part: Any, whole: Any, what: str = "") -> str:
    if whole is None or part is None or pd.isna(part) or pd.isna(whole) or not whole:
        return ""
    return f"{part / whole:.0%}{' ' + what if what else ''}"


def headline_sentences(lines: list[Headline]) -> list[str]:
    """The headline in a few sentences, for the command line."""
    found = {(h.section, h.label): h.value for h in lines}
    sentences = []
    for sheet, none_label in (("Measures", NOT_RATED), ("Actions", NO_RATING)):
        counts = ", ".join(f"{found.get((sheet, rag), 0)} {rag}" for rag in RAGS)
        counts += f", {found.get((sheet, none_label), 0)} {none_label.lower()}"
        total = found.get((sheet, f"{sheet} reported"), 0)
        sentences.append(f"{sheet}: {counts} (of {total}).")
    forecast = found.get(("Savings", "Forecast (full year)"))
    delivered = found.get(("Savings", "Delivered to date"))
    target = found.get(("Savings", "Programme target"))
    text = f"Savings: forecast {money(forecast)}, delivered to date {money(delivered)}"
    if target is not None:
        text += f", against the programme target of {money(target)}"
        gap = found.get(("Savings", "Gap: programme target less forecast"))
        if gap is not None:
            text += f" (gap {money(gap)})"
    sentences.append(text + ".")
    risks = ", ".join(f"{found.get(('Risks', rag), 0)} {rag}" for rag in RAGS[::-1])
    sentences.append(f"Risks: {risks}.")
    sentences.append(_measure_kinds_sentence(found))
    return sentences


def _measure_kinds_sentence(found: dict[tuple[str, str], Any]) -> str:
    """Measures by type (adding up to the measures reported), and by data status."""
    types = ", ".join(f"{found.get(('Measures', label), 0)} {kind.lower()}"
                      for kind, label in BY_TYPE.items())
    statuses = (f"{found.get(('Measures', NOT_AVAILABLE_LABEL), 0)} not available, "
                f"{found.get(('Measures', PROVISIONAL_LABEL), 0)} provisional")
    return f"Measures by type: {types}; {statuses}."


def money(value: Any) -> str:
    """£1,234,567 (or 'none')."""
    if value is None or pd.isna(value):
        return "none"
    return pounds(value)


def write_headline(sheet: Sheet, lines: list[Headline]) -> None:
    """The Overview's figures: a heading per section, then label, value and note."""
    section = None
    for line in lines:
        if line.section != section:
            if section is not None:
                sheet.skip()
            section = line.section
            sheet.heading(section)
        kind = "rag" if line.label in RAGS else "text"
        sheet.cell(sheet.row, 0, line.label, kind)
        if line.kind == "text":
            sheet.cell(sheet.row, 1, line.value, "text")
        else:
            sheet.cell(sheet.row, 1, line.value, line.kind)
        sheet.cell(sheet.row, 2, line.note or None, indent=1)
        sheet.row += 1
    sheet.skip()
