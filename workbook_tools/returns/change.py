"""The change warning (implausible-change): a measure's actual against last quarter's, allowing
for the target's own change.

A measure that follows its targets never warns: last quarter's actual is moved by its target's
change (in proportion where both targets have the same sign and neither is zero, else by the
difference), and the warning fires only when the actual is more than double, or less than half,
that figure, and differs from it by more than 10 percentage points for a % measure (1 otherwise).
A Cumulative measure grows by design: its year-to-date targets carry that growth, and in Q1 (when
the running total starts again) it is not compared at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbook_tools.returns import rules

IMPLAUSIBLE_RATIO = 2.0  # more than double or less than half the expected figure ...
IMPLAUSIBLE_MINIMUM = {"%": 10.0}  # ... and by more than this (percentage points for %)
IMPLAUSIBLE_MINIMUM_OTHER = 1.0


@dataclass(frozen=True)
class Change:
    """What the warning compared: last quarter's actual and, where both are known, the targets
    and the figure they imply (`expected`)."""

    previous: float
    change: str  # '108% up', 'a large change'
    previous_target: float | None = None
    target: float | None = None
    expected: float | None = None

    def fields(self, show: Callable[[float | None], str]) -> tuple[str, dict[str, str]]:
        """The rule's variant and the template's fields, numbers shown by `show`."""
        names = {"previous": show(self.previous), "change": self.change}
        if self.expected is None:
            return "plain", names
        return "target", {**names, "previous_target": show(self.previous_target),
                          "target": show(self.target), "expected": show(self.expected)}


def expected_from_targets(previous: float, previous_target: float | None,
                          target: float | None) -> float | None:
    """Last quarter's actual moved by the target's own change; None without both targets."""
    if previous_target is None or target is None:
        return None
    if previous_target != 0 and target != 0 and (previous_target > 0) == (target > 0):
        return previous * target / previous_target
    return previous + (target - previous_target)


def implausible_change(actual: float | None, previous: float | None, unit: str | None,
                       previous_target: float | None = None,
                       target: float | None = None) -> Change | None:
    """The change that deserves a warning, or None."""
    if actual is None or previous is None:
        return None
    expected = expected_from_targets(previous, previous_target, target)
    base = previous if expected is None else expected
    minimum = IMPLAUSIBLE_MINIMUM.get(unit or "", IMPLAUSIBLE_MINIMUM_OTHER)
    low, high = sorted((abs(actual), abs(base)))
    if abs(actual - base) <= minimum or not (
            low == 0 or high / low > IMPLAUSIBLE_RATIO or (actual < 0) != (base < 0)):
        return None
    change = actual - previous
    if previous and (actual < 0) == (previous < 0):
        share = f"{abs(change) / abs(previous):.0%} {'up' if change > 0 else 'down'}"
    else:
        share = "a large change"
    if expected is None:
        return Change(previous, share)
    return Change(previous, share, previous_target, target, expected)


def compared_quarter_figures(measure_type: str | None, quarter_number: int,
                             shown_previous: float | None, context_previous: float | None
                             ) -> float | None:
    """Last quarter's actual for the warning: the return's Previous actual for a Snapshot or
    Data only measure (the master's where the return has none); for a Cumulative one the
    master's (its Previous actual is last year's), and none in Q1, when its total restarts."""
    if measure_type == rules.CUMULATIVE:
        return None if quarter_number == 1 else context_previous
    return shown_previous if shown_previous is not None else context_previous
