"""The plan's words: the values the register and the returns use for a measure's unit, polarity,
frequency and type, a saving's type, and the statuses a return reports. They belong to the plan
(the register is checked against them); the return's rules and layout take them from here."""

from __future__ import annotations

HIGHER_IS_BETTER, LOWER_IS_BETTER = "Higher is better", "Lower is better"
POLARITIES = (HIGHER_IS_BETTER, LOWER_IS_BETTER)
UNITS = ("%", "number", "£", "days", "rate")
FREQUENCIES = ("Quarterly", "Annual")
SAVING_TYPES = ("Recurring", "One-off")

#: How a measure is defined (the register's optional `Measure type`; blank is Snapshot).
SNAPSHOT, CUMULATIVE, DATA_ONLY = "Snapshot", "Cumulative", "Data only"
MEASURE_TYPES = (SNAPSHOT, CUMULATIVE, DATA_ONLY)

#: The statuses a return gives an action and a saving.
ACTION_STATUSES = ("Not started", "On track", "At risk", "Off track", "Complete", "Cancelled")
SAVING_STATUSES = ("Delivered", "On track", "At risk", "Unachievable", "Mitigated")
UNACHIEVABLE = "Unachievable"

#: A return's `Data status` for a measure's figure (blank: a final figure).
PROVISIONAL, NOT_AVAILABLE = "Provisional", "Not available"
DATA_STATUSES = (PROVISIONAL, NOT_AVAILABLE)

__all__ = [
    "ACTION_STATUSES", "CUMULATIVE", "DATA_ONLY", "DATA_STATUSES", "FREQUENCIES",
    "HIGHER_IS_BETTER", "LOWER_IS_BETTER", "MEASURE_TYPES", "NOT_AVAILABLE", "POLARITIES",
    "PROVISIONAL", "SAVING_STATUSES", "SAVING_TYPES", "SNAPSHOT", "UNACHIEVABLE", "UNITS",
]
