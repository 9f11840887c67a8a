"""Where a return's pre-filled cells come from, when it is more than one of the item's attributes:
each is a function of (item, plan, context) that a column in layout.py names as its `source`.

Nothing here imports a workbook writer or the layout, so the layout can name these functions
and validation, which compares a return with them, starts quickly."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from workbook_tools.returns import rules

if TYPE_CHECKING:
    from workbook_tools.returns.layout import Context

OBJECTIVE_CHARS = 64  # an objective is shown by its code and at most this much of its name


@functools.lru_cache(maxsize=4096)  # an objective's name, once for each of its items
def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-")
    return cut + "…"


def objective(item: Any, plan: Any, ctx: Context) -> str:
    """The item's objective: its code and its name, shortened to fit the column."""
    found = plan.objective(getattr(item, "objective_code", None))
    return f"{found.code} {shorten(found.name, OBJECTIVE_CHARS)}" if found else ""


def measure_target(item: Any, plan: Any, ctx: Context) -> Any:
    """This quarter's target, when the measure is due."""
    return item.target_for(ctx.quarter) if item.is_due(ctx.quarter) else None


def measure_tolerance(item: Any, plan: Any, ctx: Context) -> Any:
    return plan.tolerance_for(item)


def measure_previous(item: Any, plan: Any, ctx: Context) -> Any:
    """Last quarter's actual; for a Cumulative measure, the same quarter last year's."""
    actuals = (ctx.year_ago_actuals if item.measure_type == rules.CUMULATIVE
               else ctx.previous_actuals)
    return actuals.get(item.id)


def saving_type(item: Any, plan: Any, ctx: Context) -> str:
    return item.type or ""


def saving_previous(item: Any, plan: Any, ctx: Context) -> Any:
    """Delivered to date as last quarter's accepted return gave it."""
    return ctx.previous_delivered.get(item.id)


def risk_previous(item: Any, plan: Any, ctx: Context) -> Any:
    """Last quarter's score, or the register's own likelihood x impact before the first."""
    previous = ctx.previous_scores.get(item.id)
    if previous is None and item.likelihood and item.impact:
        previous = item.likelihood * item.impact
    return previous
