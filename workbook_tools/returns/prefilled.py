"""What the tool pre-fills in a return, from the plan register: each item's pre-filled cells
and the Cover's values. Generation writes them; validation compares a return with them (a
forged target or another directorate's item is found even when `_meta` was rewritten to match).
Nothing here imports a workbook writer, so validation starts quickly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbook_tools.plan.register import DirectoratePlan, Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns import rules
from workbook_tools.returns.layout import Context

OBJECTIVE_CHARS = 64  # an objective is shown by its code and at most this much of its name


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-")
    return cut + "…"


def prefilled_values(sheet: str, item: Any, plan: Plan, ctx: Context) -> dict[str, Any]:
    objective = plan.objective(getattr(item, "objective_code", None))
    objective_name = (
        f"{objective.code} {shorten(objective.name, OBJECTIVE_CHARS)}" if objective else ""
    )
    if sheet == "Measures":
        return {
            "id": item.id,
            "objective": objective_name,
            "name": item.name,
            "unit": item.unit,
            "polarity": item.polarity,
            "frequency": item.frequency,
            "type": item.measure_type,
            "target": item.target_for(ctx.quarter) if item.is_due(ctx.quarter) else None,
            "tolerance": plan.tolerance_for(item),
            "previous": (ctx.year_ago_actuals if item.measure_type == rules.CUMULATIVE
                         else ctx.previous_actuals).get(item.id),
        }
    if sheet == "Actions":
        return {
            "id": item.id,
            "objective": objective_name,
            "name": item.name,
            "lead": item.lead_officer,
            "due": item.due_date,
        }
    if sheet == "Savings":
        return {
            "id": item.id,
            "objective": objective_name,
            "name": item.name,
            "type": item.type or "",
            "target": item.target,
            "previous": ctx.previous_delivered.get(item.id),
        }
    if sheet == "Risks":
        previous = ctx.previous_scores.get(item.id)
        if previous is None and item.likelihood and item.impact:
            previous = item.likelihood * item.impact
        return {"id": item.id, "name": item.name, "owner": item.owner, "previous": previous}
    raise KeyError(sheet)


def items_of(dplan: DirectoratePlan, sheet: str) -> Sequence[Any]:
    return {
        "Measures": dplan.measures,
        "Actions": dplan.actions,
        "Savings": dplan.savings,
        "Risks": dplan.risks,
    }[sheet]


# ---------------------------------------------------------------------------------------------


def quarter_label(quarter: Quarter) -> str:
    """The Cover's 'Quarter' line: '2025-26-Q1: April to June 2025'."""
    year = quarter.start_date.year
    return f"{quarter}: {quarter.months} {year}"
