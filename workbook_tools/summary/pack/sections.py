"""The sections the quarterly and annual Cabinet packs share, each built from a position (one
row per item) with the same functions as the summary workbooks (summary/tables.py), so every
figure on the page is the one the workbook shows."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.returns.rules import RED, risk_rag
from workbook_tools.summary import headline as hl
from workbook_tools.summary import savings as sv
from workbook_tools.summary import tables as t
from workbook_tools.summary.common import GAP_NOTE, RAG_NOTE
from workbook_tools.summary.pack import charts
from workbook_tools.summary.pack.model import Card, Cards, Messages, Note, Section
from workbook_tools.summary.pack.table import Cell, Table, from_frame, shown

LONG = {"Measure": "longtext", "Action": "longtext", "Commentary": "longtext",
        "Remedial action": "longtext", "Saving proposal": "longtext", "Risk": "longtext",
        "Mitigation update": "longtext", "Objective": "longtext", "Name": "longtext"}
WRITTEN_BY_TOOL = ("Written by workbook-tools from the figures: the performance team has not "
                   "yet written key messages on the master's Narrative sheet.")


def key_messages(own: list[str], lines: list[str]) -> Section:
    """The Narrative sheet's Overview messages, else the tool's headline sentences."""
    block = Messages(own, False) if own else Messages(lines, True)
    return Section("key-messages", "Key messages", [block])


def glance_cards(headline: list[hl.Headline]) -> list[Cards]:
    """The headline figures as cards, the RAG word always beside its colour."""
    groups: dict[str, list[Card]] = {}
    for line in headline:
        if line.section == "Returns" and line.kind == "text":
            continue
        value = shown(line.value, line.kind if line.kind != "text" else "text") \
            if line.value is not None else "none"
        label = line.label
        if line.section in ("Measures", "Actions", "Risks") and line.label in t.RAGS:
            label = f"{line.label} {line.section.lower()}"
        groups.setdefault(line.section, []).append(
            Card(label, value, line.note, line.label if line.label in t.RAGS else ""))
    return [Cards(section, cards) for section, cards in groups.items()]


def themes(position: t.Position, register: t.Register, narrative: dict[str, list[str]],
           theme_codes: dict[str, str]) -> Section:
    """RAG by theme (charts and table), then each theme with its objectives."""
    table = t.by_theme(position, register)
    blocks: list[Any] = [
        charts.rag_by_theme(table, "Measures", "Measures by RAG, by theme"),
        charts.rag_by_theme(table, "Actions", "Actions by RAG, by theme"),
        from_frame(table, "Measures, actions and savings by theme", index=True,
                   total=["All themes", *t.totals(table)]),
        Note(RAG_NOTE), Note(GAP_NOTE)]
    objectives = t.by_objective(position, register)
    subsections = []
    for number, theme in enumerate(table.index, 1):
        own = objectives[objectives[("", "Theme")] == theme]
        sub_blocks: list[Any] = []
        messages = narrative.get(theme_codes.get(theme, ""), []) or \
            narrative.get(str(theme), [])
        if messages:
            sub_blocks.append(Messages(messages))
        sub_blocks.append(from_frame(own.drop(columns=[("", "Theme")]),
                                     f"{theme}: measures, actions and savings by objective",
                                     empty="No objective under this theme has figures."))
        subsections.append(Section(f"theme-{number}", str(theme), sub_blocks))
    return Section("themes", "Themes and objectives", blocks, subsections)


def exceptions(position: t.Position, register: t.Register, when: str) -> Section:
    """Red measures, Red (Off track) actions, Red savings and Red risks, with commentary."""
    measures = t.red_measures(position, register)
    actions = t.red_actions(position, register)
    savings = sv.savings_lines(position[ReturnSheet.SAVINGS], register)
    savings = savings[savings["RAG"] == RED]
    risks = t.risk_list(position[ReturnSheet.RISKS], register)
    risks = risks[risks["RAG"] == RED]
    return Section("exceptions", "Exceptions", [Note(
        f"Every item rated Red {when}, with what the directorate says about it.")], [
        Section("red-measures", f"Red measures ({len(measures)})", [from_frame(
            measures.drop(columns="Unit"), "Red measures, with commentary and remedial action",
            units=list(measures["Unit"]), kinds={**LONG, "Target": "number", "Actual": "number",
                                                 "Previous actual": "number"},
            empty="No measure is Red.")]),
        Section("red-actions", f"Red actions ({len(actions)})", [from_frame(
            actions, "Red actions: off track, or not started after their due date",
            kinds=LONG, empty="No action is Red.")]),
        Section("red-savings", f"Red savings ({len(savings)})", [from_frame(
            savings, "Red savings lines, with commentary", kinds=LONG,
            empty="No savings line is Red.")]),
        Section("red-risks", f"Red risks ({len(risks)})", [from_frame(
            risks, "Red risks, with mitigation", kinds=LONG, empty="No risk is Red.")]),
    ])


def savings(frames: t.Frames, position: t.Position, quarters: list[str],
            year_label: str) -> Section:
    """The programme against its target over the quarters, and by directorate."""
    register = frames.register
    by_quarter = sv.savings_by_quarter(frames, quarters)
    series = ["Forecast (£)", "Delivered to date (£)"]
    if by_quarter[sv.CONFIRMED].notna().any():
        series.append(sv.CONFIRMED)
    by_directorate = sv.savings_by_directorate(position[ReturnSheet.SAVINGS], register)
    money = ["Target (£)", "Forecast (£)", "Delivered to date (£)"]
    if position[ReturnSheet.SAVINGS][sv.CONFIRMED].notna().any():
        money.append(sv.CONFIRMED)
    blocks: list[Any] = [
        charts.money_by_quarter(by_quarter, series,
                                f"The savings programme, quarter by quarter ({year_label})",
                                register.programme_target),
        charts.money_by_group(by_directorate, "Directorate", money, "Savings by directorate"),
        from_frame(by_directorate.drop(columns="Code"),
                   "Savings by directorate: the directorates' figures beside finance's",
                   total=["All directorates", *t.totals(by_directorate)[1:-1]]),
        Note(GAP_NOTE + " Finance confirmed: entered by finance on the master's Savings "
             "sheet."),
    ]
    return Section("savings", "The savings programme", blocks)


def risk_grid_table(risks: pd.DataFrame) -> Table:
    """Risks by likelihood (rows) and impact (columns); each cell names its rating in words."""
    grid = t.risk_grid(risks)
    rows = []
    for likelihood, (name, counts) in zip((5, 4, 3, 2, 1), grid.iterrows(), strict=True):
        row = [Cell(str(name), "text")]
        for impact, count in zip((1, 2, 3, 4, 5), counts, strict=True):
            rating = risk_rag(likelihood * impact) or ""
            row.append(Cell(f"{int(count)}", "grid", rating))
        rows.append(row)
    return Table("Risks by likelihood and impact: the number of risks in each cell; each "
                 "cell's rating (score = likelihood x impact) is written under its count",
                 ["Likelihood \\ impact", *grid.columns], ["text", *["grid"] * 5], rows)


def risks(position: t.Position, register: t.Register) -> Section:
    frame = position[ReturnSheet.RISKS]
    listed = t.risk_list(frame, register)
    return Section("risks", "Risks", [
        from_frame(t.risk_counts(frame), "Risks by rating", kinds={"Rating": "rag"}),
        risk_grid_table(frame),
        from_frame(listed[listed["RAG"] == RED], "Red risks", kinds=LONG,
                   empty="No risk is Red."),
    ])


def appendix(position: t.Position, register: t.Register, returns: dict[str, str] | None,
             narrative: dict[str, list[str]]) -> Section:
    """One part per directorate: its return, its counts and every item it reported."""
    table = t.by_directorate(position, register, returns)
    parts = []
    for number, row in enumerate(table.to_dict("records"), 1):
        code = row[("", "Code")]
        name = row[("", "Directorate")]
        blocks: list[Any] = []
        if narrative.get(code):
            blocks.append(Messages(narrative[code]))
        blocks.append(from_frame(table[table[("", "Code")] == code].drop(
            columns=[("", "Directorate"), ("", "Code")]), f"{name}: summary"))
        own = {sheet: position[sheet][position[sheet]["Directorate"] == code]
               for sheet in t.ITEM_SHEETS}
        measures = own[ReturnSheet.MEASURES]
        blocks.append(from_frame(
            measures[["Measure", "Measure ID", "Target", "Actual", "RAG",
                      "Direction of travel"]], f"{name}: measures",
            units=list(measures["Unit"]), kinds={**LONG, "Target": "number",
                                                 "Actual": "number"},
            empty="No measures."))
        actions = own[ReturnSheet.ACTIONS]
        blocks.append(from_frame(actions[["Action", "Action ID", "Status", "% complete",
                                          "Due date", "Revised due date", "RAG"]],
                                 f"{name}: actions", kinds=LONG, empty="No actions."))
        lines = sv.savings_lines(own[ReturnSheet.SAVINGS], register)
        blocks.append(from_frame(lines[["Saving proposal", "Saving ID", *sv.SAVING_MONEY,
                                        sv.CONFIRMED, "RAG"]], f"{name}: savings",
                                 kinds=LONG, empty="No savings lines."))
        risk_rows = t.risk_list(own[ReturnSheet.RISKS], register)
        blocks.append(from_frame(risk_rows[["Risk", "Risk ID", "Score", "RAG", "Direction"]],
                                 f"{name}: risks", kinds=LONG, empty="No risks."))
        parts.append(Section(f"directorate-{number}", str(name), blocks))
    return Section("appendix", "Appendix: each directorate", [], parts)
