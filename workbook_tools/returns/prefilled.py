"""What the tool pre-fills in a return, from the plan register: each item's pre-filled cells
and the Cover's values. Generation writes them; validation compares a return with them (a
forged target or another directorate's item is found even when `_meta` was rewritten to match).
Nothing here imports a workbook writer, so validation starts quickly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbook_tools.plan.register import DirectoratePlan, Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns.layout import SHEETS, Context


def prefilled_values(sheet: str, item: Any, plan: Plan, ctx: Context) -> dict[str, Any]:
    """An item's pre-filled cells by column key, each from its column's source in the layout."""
    return {c.key: c.value_of(item, plan, ctx) for c in _PREFILLED[sheet]}


#: Each sheet's pre-filled columns, listed once (the layout's property builds a new tuple on
#: every call, and this runs for every item of every return).
_PREFILLED = {name: spec.prefilled for name, spec in SHEETS.items()}


def items_of(dplan: DirectoratePlan, sheet: str) -> Sequence[Any]:
    items: Sequence[Any] = getattr(dplan, SHEETS[sheet].items)
    return items


# ---------------------------------------------------------------------------------------------


def quarter_label(quarter: Quarter) -> str:
    """The Cover's 'Quarter' line: '2025-26-Q1: April to June 2025'."""
    year = quarter.start_date.year
    return f"{quarter}: {quarter.months} {year}"
