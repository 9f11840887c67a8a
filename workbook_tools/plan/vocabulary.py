"""The plan's words: the values the register and the returns use for a measure's unit, polarity,
frequency and type, a saving's type, and the statuses a return reports. They belong to the plan
(the register is checked against them); the return's rules and layout take them from here."""

from __future__ import annotations

from enum import StrEnum


class Polarity(StrEnum):
    HIGHER_IS_BETTER = "Higher is better"
    LOWER_IS_BETTER = "Lower is better"


class Unit(StrEnum):
    PERCENT = "%"
    NUMBER = "number"
    MONEY = "£"
    DAYS = "days"
    RATE = "rate"


class Frequency(StrEnum):
    QUARTERLY = "Quarterly"
    ANNUAL = "Annual"


class SavingType(StrEnum):
    RECURRING = "Recurring"
    ONE_OFF = "One-off"


class MeasureType(StrEnum):
    """How a measure is defined (the register's optional `Measure type`; blank is Snapshot)."""

    SNAPSHOT = "Snapshot"
    CUMULATIVE = "Cumulative"
    DATA_ONLY = "Data only"


class ActionStatus(StrEnum):
    """The statuses a return gives an action."""

    NOT_STARTED = "Not started"
    ON_TRACK = "On track"
    AT_RISK = "At risk"
    OFF_TRACK = "Off track"
    COMPLETE = "Complete"
    CANCELLED = "Cancelled"


class SavingStatus(StrEnum):
    """The statuses a return gives a saving."""

    DELIVERED = "Delivered"
    ON_TRACK = "On track"
    AT_RISK = "At risk"
    UNACHIEVABLE = "Unachievable"
    MITIGATED = "Mitigated"


class DataStatus(StrEnum):
    """A return's `Data status` for a measure's figure (blank: a final figure)."""

    PROVISIONAL = "Provisional"
    NOT_AVAILABLE = "Not available"


def words(kind: type[StrEnum]) -> tuple[str, ...]:
    """An enum's words in their order, as plain text."""
    return tuple(member.value for member in kind)


# The names and lists callers use are the enums' plain values: a word written to a cell, or
# compared millions of times on the way, is a str, as the files give it back.
HIGHER_IS_BETTER = Polarity.HIGHER_IS_BETTER.value
LOWER_IS_BETTER = Polarity.LOWER_IS_BETTER.value
POLARITIES = words(Polarity)
UNITS = words(Unit)
FREQUENCIES = words(Frequency)
SAVING_TYPES = words(SavingType)
SNAPSHOT = MeasureType.SNAPSHOT.value
CUMULATIVE = MeasureType.CUMULATIVE.value
DATA_ONLY = MeasureType.DATA_ONLY.value
MEASURE_TYPES = words(MeasureType)
ACTION_STATUSES = words(ActionStatus)
SAVING_STATUSES = words(SavingStatus)
UNACHIEVABLE = SavingStatus.UNACHIEVABLE.value
PROVISIONAL = DataStatus.PROVISIONAL.value
NOT_AVAILABLE = DataStatus.NOT_AVAILABLE.value
DATA_STATUSES = words(DataStatus)

__all__ = [
    "ActionStatus", "DataStatus", "Frequency", "MeasureType", "Polarity", "SavingStatus",
    "SavingType", "Unit", "words",
    "ACTION_STATUSES", "CUMULATIVE", "DATA_ONLY", "DATA_STATUSES", "FREQUENCIES",
    "HIGHER_IS_BETTER", "LOWER_IS_BETTER", "MEASURE_TYPES", "NOT_AVAILABLE", "POLARITIES",
    "PROVISIONAL", "SAVING_STATUSES", "SAVING_TYPES", "SNAPSHOT", "UNACHIEVABLE", "UNITS",
]
