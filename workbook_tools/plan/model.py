"""The plan register's model: the settings, the themes and objectives, the directorates, and the
items a return asks about (measures, actions, savings, risks), with a `Plan` holding them all
and a `PlanProblem` for anything wrong in the register, by sheet and cell.

The items have slots rather than a dict each: a national register is 240,000 of them, in every
process of a command."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any

from workbook_tools.plan.vocabulary import SNAPSHOT
from workbook_tools.quarters import Quarter


@dataclass(frozen=True)
class Settings:  # one per plan: no slots, its defaults are read from the class
    council_name: str
    financial_year: str
    savings_target: float
    amber_tolerance: float = 5.0
    deadline_days: int = 15
    cover_note: str = ""


@dataclass(frozen=True, slots=True)
class Theme:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Objective:
    code: str
    theme_code: str
    name: str
    lead_directorate: str


@dataclass(frozen=True, slots=True)
class Directorate:
    code: str
    name: str
    director: str
    email: str


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    objective_code: str
    directorate_code: str
    name: str
    unit: str
    polarity: str
    frequency: str
    targets: tuple[float | None, float | None, float | None, float | None]
    tolerance: float | None = None
    measure_type: str = SNAPSHOT  # one of MEASURE_TYPES: Snapshot, Cumulative or Data only

    def target_for(self, quarter: Quarter) -> float | None:
        return self.targets[quarter.number - 1]

    def is_due(self, quarter: Quarter) -> bool:
        """Quarterly measures are due every quarter; Annual ones in Q4 only."""
        return self.frequency != "Annual" or quarter.number == 4


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    objective_code: str
    directorate_code: str
    name: str
    lead_officer: str
    due_date: dt.date | None


@dataclass(frozen=True, slots=True)
class Saving:
    id: str
    directorate_code: str
    objective_code: str | None
    name: str
    type: str | None
    target: float
    carried_from: str = ""  # the year `plan roll` carried the line from, if it did


@dataclass(frozen=True, slots=True)
class Risk:
    id: str
    directorate_code: str
    name: str
    owner: str
    likelihood: int | None
    impact: int | None


@dataclass(frozen=True)
class Plan:
    settings: Settings
    themes: tuple[Theme, ...]
    objectives: tuple[Objective, ...]
    directorates: tuple[Directorate, ...]
    measures: tuple[Measure, ...]
    actions: tuple[Action, ...]
    savings: tuple[Saving, ...]
    risks: tuple[Risk, ...]
    path: Path | None = field(default=None, compare=False)

    def directorate(self, code: str) -> Directorate:
        for directorate in self.directorates:
            if directorate.code == code:
                return directorate
        raise KeyError(code)

    def objective(self, code: str | None) -> Objective | None:
        return self._objectives.get(code or "")

    def theme_of(self, objective_code: str | None) -> Theme | None:
        objective = self.objective(objective_code)
        if objective is None:
            return None
        return self._themes.get(objective.theme_code)

    @cached_property
    def _objectives(self) -> dict[str, Objective]:
        return {o.code: o for o in self.objectives}

    @cached_property
    def _themes(self) -> dict[str, Theme]:
        return {t.code: t for t in self.themes}

    @cached_property
    def _items_by_directorate(self) -> dict[str, tuple[list[Any], ...]]:
        """Each directorate's measures, actions, savings and risks, in register order (one pass
        over the register, not one per directorate: a national register has 100,000s)."""
        groups: dict[str, tuple[list[Any], ...]] = {}
        sheets: tuple[tuple[Any, ...], ...] = (self.measures, self.actions, self.savings,
                                               self.risks)
        for index, items in enumerate(sheets):  # by runs of one directorate's items
            for code, run in groupby(items, attrgetter("directorate_code")):
                groups.setdefault(code, ([], [], [], []))[index].extend(run)
        return groups

    def group_by_directorate(self) -> None:
        """Work out each directorate's items now: before worker processes fork, so each finds
        them done rather than walking (and so copying) every item of the register for its own
        directorate's."""
        self._items_by_directorate  # noqa: B018 (a cached property: computed once, kept)

    def tolerance_for(self, measure: Measure) -> float:
        return measure.tolerance if measure.tolerance is not None else self.settings.amber_tolerance

    def for_directorate(self, code: str) -> DirectoratePlan:
        measures, actions, savings, risks = self._items_by_directorate.get(
            code, ([], [], [], []))
        return DirectoratePlan(plan=self, directorate=self.directorate(code),
                               measures=tuple(measures), actions=tuple(actions),
                               savings=tuple(savings), risks=tuple(risks))


@dataclass(frozen=True)
class DirectoratePlan:
    """One directorate's share of the plan: what its return asks about."""

    plan: Plan
    directorate: Directorate
    measures: tuple[Measure, ...]
    actions: tuple[Action, ...]
    savings: tuple[Saving, ...]
    risks: tuple[Risk, ...]


@dataclass(frozen=True)
class PlanProblem:
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.message}"

