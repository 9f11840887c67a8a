"""The plan register: its dataclasses, and one loader that returns a `Plan` or every problem
with its sheet and cell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from workbook_tools.errors import ConfigurationError, PlanError, UnreadableFileError, about_file
from workbook_tools.files.cells import cell_ref, is_blank, to_date, to_number
from workbook_tools.quarters import Quarter
from workbook_tools.returns import rules

SETTING_COUNCIL = "Council name"
SETTING_YEAR = "Financial year"
SETTING_TARGET = "Savings programme target (£)"
SETTING_TOLERANCE = "Amber tolerance (%)"
SETTING_DEADLINE = "Return deadline (days after quarter end)"
SETTING_COVER_NOTE = "Cover note"  # optional: a line shown on every return's Cover


@dataclass(frozen=True)
class Settings:
    council_name: str
    financial_year: str
    savings_target: float
    amber_tolerance: float = 5.0
    deadline_days: int = 15
    cover_note: str = ""


@dataclass(frozen=True)
class Theme:
    code: str
    name: str


@dataclass(frozen=True)
class Objective:
    code: str
    theme_code: str
    name: str
    lead_directorate: str


@dataclass(frozen=True)
class Directorate:
    code: str
    name: str
    director: str
    email: str


@dataclass(frozen=True)
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
    measure_type: str = rules.SNAPSHOT  # Snapshot, Cumulative or Data only (rules.MEASURE_TYPES)

    def target_for(self, quarter: Quarter) -> float | None:
        return self.targets[quarter.number - 1]

    def is_due(self, quarter: Quarter) -> bool:
        """Quarterly measures are due every quarter; Annual ones in Q4 only."""
        return self.frequency != "Annual" or quarter.number == 4


@dataclass(frozen=True)
class Action:
    id: str
    objective_code: str
    directorate_code: str
    name: str
    lead_officer: str
    due_date: dt.date | None


@dataclass(frozen=True)
class Saving:
    id: str
    directorate_code: str
    objective_code: str | None
    name: str
    type: str | None
    target: float
    carried_from: str = ""  # the year `plan roll` carried the line from, if it did


@dataclass(frozen=True)
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
        for index, items in enumerate(sheets):
            for item in items:
                groups.setdefault(item.directorate_code, ([], [], [], []))[index].append(item)
        return groups

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


# ---------------------------------------------------------------------------------------------
# The register's sheets and columns (SPEC section 4). `None` in `required` means optional.


@dataclass(frozen=True)
class RegisterColumn:
    header: str
    required: bool = True


REGISTER_SHEETS: dict[str, tuple[RegisterColumn, ...]] = {
    "Settings": (RegisterColumn("Setting"), RegisterColumn("Value")),
    "Themes": (RegisterColumn("Theme code"), RegisterColumn("Theme")),
    "Objectives": (
        RegisterColumn("Objective code"),
        RegisterColumn("Theme code"),
        RegisterColumn("Objective"),
        RegisterColumn("Lead directorate"),
    ),
    "Directorates": (
        RegisterColumn("Directorate code"),
        RegisterColumn("Directorate"),
        RegisterColumn("Director"),
        RegisterColumn("Contact email"),
    ),
    "Measures": (
        RegisterColumn("Measure ID"),
        RegisterColumn("Objective code"),
        RegisterColumn("Directorate code"),
        RegisterColumn("Measure"),
        RegisterColumn("Unit"),
        RegisterColumn("Polarity"),
        RegisterColumn("Frequency"),
        RegisterColumn("Q1 target", False),
        RegisterColumn("Q2 target", False),
        RegisterColumn("Q3 target", False),
        RegisterColumn("Q4 target", False),
        RegisterColumn("Amber tolerance (%)", False),
        RegisterColumn("Measure type", False),
    ),
    "Actions": (
        RegisterColumn("Action ID"),
        RegisterColumn("Objective code"),
        RegisterColumn("Directorate code"),
        RegisterColumn("Action"),
        RegisterColumn("Lead officer"),
        RegisterColumn("Due date"),
    ),
    "Savings": (
        RegisterColumn("Saving ID"),
        RegisterColumn("Directorate code"),
        RegisterColumn("Objective code", False),
        RegisterColumn("Saving proposal"),
        RegisterColumn("Type", False),
        RegisterColumn("Target (£)"),
        RegisterColumn("Carried forward from", False),
    ),
    "Risks": (
        RegisterColumn("Risk ID"),
        RegisterColumn("Directorate code"),
        RegisterColumn("Risk"),
        RegisterColumn("Owner"),
        RegisterColumn("Likelihood"),
        RegisterColumn("Impact"),
    ),
}

SETTINGS_ROWS = (SETTING_COUNCIL, SETTING_YEAR, SETTING_TARGET, SETTING_TOLERANCE, SETTING_DEADLINE)
SETTINGS_DEFAULTS = {SETTING_TOLERANCE: 5, SETTING_DEADLINE: 15}


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold() if text is not None else ""


_OPTIONS: dict[tuple[str, ...], dict[str, str]] = {}


class _SheetRows:
    """Rows of one register sheet, with a problem list and typed cell readers."""

    def __init__(self, name: str, rows: list[list[Any]], problems: list[PlanProblem]) -> None:
        self.name = name
        self.problems = problems
        self.columns: dict[str, int] = {}
        header = rows[0] if rows else []
        self.body = rows[1:]
        found = {_norm(v): i for i, v in enumerate(header) if not is_blank(v)}
        for spec in REGISTER_SHEETS[name]:
            index = found.get(_norm(spec.header))
            if index is None:
                if spec.required:
                    self.problem(
                        1, len(header), f"the column '{spec.header}' is missing from row 1"
                    )
            else:
                self.columns[spec.header] = index

    def problem(self, row: int, col: int, message: str) -> None:
        self.problems.append(PlanProblem(self.name, cell_ref(row, col), message))

    def records(self) -> Iterable[tuple[int, list[Any]]]:
        """(Excel row number, values) for every row that is not blank."""
        for offset, values in enumerate(self.body):
            if any(v is not None and v != "" and not (type(v) is str and not v.strip())
                   for v in values):
                yield offset + 2, values

    def raw(self, values: list[Any], header: str) -> Any:
        index = self.columns.get(header)
        if index is None or index >= len(values):
            return None
        return values[index]

    def text(self, row: int, values: list[Any], header: str, required: bool = True) -> str:
        index = self.columns.get(header)
        value = values[index] if index is not None and index < len(values) else None
        if type(value) is str:  # most cells: no further calls (a register may have 100,000s)
            value = value.strip()
            if value:
                return value
        elif value is not None:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value).strip()
        if required and index is not None:
            self.problem(row, index, f"'{header}' is empty")
        return ""

    def number(
        self, row: int, values: list[Any], header: str, required: bool = True
    ) -> float | None:
        index = self.columns.get(header)
        value = values[index] if index is not None and index < len(values) else None
        if type(value) is float:  # most cells, as calamine reads them
            return value
        if is_blank(value):
            if required and index is not None:
                self.problem(row, index, f"'{header}' is empty")
            return None
        number = to_number(value)
        if number is None:
            self.problem(row, self.columns[header], f"'{header}' must be a number, not '{value}'")
        return number

    def choice(
        self,
        row: int,
        values: list[Any],
        header: str,
        allowed: tuple[str, ...],
        required: bool = True,
    ) -> str | None:
        value = self.text(row, values, header, required)
        if not value:
            return None
        options = _OPTIONS.get(allowed)
        if options is None:
            options = _OPTIONS[allowed] = {_norm(o): o for o in reversed(allowed)}
        option = options.get(value.casefold()) or options.get(_norm(value))
        if option is not None:
            return option
        self.problem(
            row,
            self.columns[header],
            f"'{value}' is not a valid {header.lower()}: use one of {', '.join(allowed)}",
        )
        return None

    def date(self, row: int, values: list[Any], header: str) -> dt.date | None:
        value = self.raw(values, header)
        if is_blank(value):
            if header in self.columns:
                self.problem(row, self.columns[header], f"'{header}' is empty")
            return None
        parsed = to_date(value)
        if parsed is None:
            self.problem(row, self.columns[header], f"'{header}' must be a date, not '{value}'")
        return parsed

    def unique(self, seen: dict[str, tuple[int, str]], row: int, header: str,
               value: str) -> None:
        """IDs are unique ignoring case and surrounding spaces (Power BI and Excel's lookups
        take S-CS-01 and s-cs-01 for one)."""
        if not value:
            return
        key = value.strip().casefold()
        if key not in seen:
            seen[key] = (row, value)
            return
        first, spelt = seen[key]
        if spelt == value:
            message = f"'{value}' is a duplicate {header} (first used in row {first})"
        else:
            message = (f"'{value}' is a duplicate {header}: it differs from '{spelt}' (row "
                       f"{first}) only by capitals or spaces, and Power BI takes them for one")
        self.problem(row, self.columns[header], message)

    def known(
        self, row: int, header: str, value: str | None, known: Iterable[str], what: str
    ) -> None:
        if value and value not in (known if isinstance(known, set | frozenset) else set(known)):
            article = "an" if what[:1] in "aeiou" else "a"
            self.problem(
                row, self.columns[header], f"'{value}' is not {article} {what} in the register"
            )


#: The register's sheets of items, one row per thing a return asks about.
ITEM_SHEETS = ("Measures", "Actions", "Savings", "Risks")


def read_register_rows(path: Path, items: bool = True) -> dict[str, list[list[Any]]]:
    """Every sheet of the register as rows of values, starting at A1 (without the item sheets
    when `items` is False)."""
    from workbook_tools.files.guard import SafeWorkbook  # reading is the security boundary

    skip = set() if items else {_norm(name) for name in ITEM_SHEETS}
    with SafeWorkbook(Path(path)) as workbook:
        return {name: workbook.read(name)[0] for name in workbook.sheet_names
                if _norm(name) not in skip}


@about_file("path")
def load_plan(path: str | Path, items: bool = True) -> Plan:
    """Load and check a register.

    Args:
        items: False reads and checks only the settings, themes, objectives and directorates,
            and leaves the plan's measures, actions, savings and risks empty. That is all
            `validate` needs (a return's council and directorate), and a national register of
            100,000s of items then costs nothing to validate against.

    Raises:
        ConfigurationError: the file is missing or not a readable workbook.
        PlanError: the register has problems (each with sheet and cell).
    """
    plan, problems = check_plan(path, items)
    if problems or plan is None:
        raise PlanError(path, problems)
    return plan


def check_plan(path: str | Path, items: bool = True) -> tuple[Plan | None, list[PlanProblem]]:
    """Every problem in a register (in its item sheets too unless `items` is False), and the
    plan when there are none."""
    path = Path(path)
    if not path.exists():
        raise ConfigurationError(
            f"{path}: no plan register here. Run 'workbook-tools init DIR' or give --plan FILE."
        )
    if path.is_dir():
        raise ConfigurationError(
            f"{path}: is a folder, not a plan register; give the register's .xlsx file."
        )
    try:
        sheets = read_register_rows(path, items)
    except UnreadableFileError as exc:
        reason = exc.reason.split(";")[0]
        advice = (
            "restore a saved copy, or start again with 'workbook-tools init DIR'"
            if exc.code in ("file-corrupt", "file-empty")
            else "save it from Excel as an Excel Workbook (.xlsx) without a password"
        )
        raise ConfigurationError(f"{path}: the plan register {reason}; {advice}.") from None
    return plan_from_rows(sheets, path, items)


def plan_from_rows(
    sheets: dict[str, list[list[Any]]], path: Path | None = None, items: bool = True
) -> tuple[Plan | None, list[PlanProblem]]:
    problems: list[PlanProblem] = []
    by_name = {_norm(name): name for name in sheets}
    tables: dict[str, _SheetRows] = {}
    for name in REGISTER_SHEETS:
        actual = by_name.get(_norm(name))
        if not items and name in ITEM_SHEETS:
            tables[name] = _SheetRows(name, [], [])  # not read: no items, no problems
        elif actual is None:
            problems.append(PlanProblem(name, "", f"the sheet '{name}' is missing"))
            tables[name] = _SheetRows(name, [[c.header for c in REGISTER_SHEETS[name]]], [])
        else:
            tables[name] = _SheetRows(name, sheets[actual], problems)

    settings = _settings(tables["Settings"])
    themes = _items(
        tables["Themes"],
        "Theme code",
        lambda t, r, v: Theme(t.text(r, v, "Theme code"), t.text(r, v, "Theme")),
    )
    directorates = _items(
        tables["Directorates"],
        "Directorate code",
        lambda t, r, v: Directorate(
            t.text(r, v, "Directorate code"),
            t.text(r, v, "Directorate"),
            t.text(r, v, "Director"),
            t.text(r, v, "Contact email"),
        ),
    )
    theme_codes = {t.code for t in themes}
    dir_codes = {d.code for d in directorates}

    def objective(t: _SheetRows, r: int, v: list[Any]) -> Objective:
        item = Objective(
            t.text(r, v, "Objective code"),
            t.text(r, v, "Theme code"),
            t.text(r, v, "Objective"),
            t.text(r, v, "Lead directorate"),
        )
        t.known(r, "Theme code", item.theme_code, theme_codes, "theme code")
        t.known(r, "Lead directorate", item.lead_directorate, dir_codes, "directorate code")
        return item

    objectives = _items(tables["Objectives"], "Objective code", objective)
    objective_codes = {o.code for o in objectives}

    def owned(
        t: _SheetRows, r: int, v: list[Any], objective_required: bool = True
    ) -> tuple[str, str]:
        directorate = t.text(r, v, "Directorate code")
        t.known(r, "Directorate code", directorate, dir_codes, "directorate code")
        code = (
            t.text(r, v, "Objective code", objective_required)
            if "Objective code" in t.columns
            else ""
        )
        t.known(r, "Objective code", code, objective_codes, "objective code")
        return directorate, code

    def measure(t: _SheetRows, r: int, v: list[Any]) -> Measure:
        directorate, code = owned(t, r, v)
        frequency = t.choice(r, v, "Frequency", rules.FREQUENCIES) or "Quarterly"
        targets = (t.number(r, v, "Q1 target", required=False),
                   t.number(r, v, "Q2 target", required=False),
                   t.number(r, v, "Q3 target", required=False),
                   t.number(r, v, "Q4 target", required=False))
        measure_type = t.choice(r, v, "Measure type", rules.MEASURE_TYPES,
                                required=False) or rules.SNAPSHOT
        due: tuple[int, ...] = (1, 2, 3, 4) if frequency == "Quarterly" else (4,)
        if measure_type == rules.DATA_ONLY:
            due = ()
            _no_targets(t, r, targets)
        elif measure_type == rules.CUMULATIVE:
            _rising_targets(t, r, targets)
        for n in due:
            if (
                targets[n - 1] is None
                and f"Q{n} target" in t.columns
                and is_blank(t.raw(v, f"Q{n} target"))
            ):
                t.problem(
                    r,
                    t.columns[f"Q{n} target"],
                    f"a {frequency.lower()} measure needs a Q{n} target",
                )
        tolerance = t.number(r, v, "Amber tolerance (%)", required=False)
        if tolerance is not None and not 0 <= tolerance <= 100:
            t.problem(
                r, t.columns["Amber tolerance (%)"], "the amber tolerance must be from 0 to 100"
            )
        return Measure(
            t.text(r, v, "Measure ID"),
            code,
            directorate,
            t.text(r, v, "Measure"),
            t.choice(r, v, "Unit", rules.UNITS) or "number",
            t.choice(r, v, "Polarity", rules.POLARITIES) or rules.HIGHER_IS_BETTER,
            frequency,
            targets,
            tolerance,
            measure_type,
        )

    def action(t: _SheetRows, r: int, v: list[Any]) -> Action:
        directorate, code = owned(t, r, v)
        return Action(
            t.text(r, v, "Action ID"),
            code,
            directorate,
            t.text(r, v, "Action"),
            t.text(r, v, "Lead officer"),
            t.date(r, v, "Due date"),
        )

    def saving(t: _SheetRows, r: int, v: list[Any]) -> Saving:
        directorate, code = owned(t, r, v, objective_required=False)
        target = t.number(r, v, "Target (£)")
        if target is not None and target < 0:
            t.problem(r, t.columns["Target (£)"], "a saving's target cannot be negative")
        carried = t.text(r, v, "Carried forward from", required=False)
        if carried and not _is_year(carried):
            t.problem(r, t.columns["Carried forward from"], f"'Carried forward from' must be "
                      f"the financial year the line came from, such as 2025-26, not '{carried}'")
        return Saving(
            t.text(r, v, "Saving ID"),
            directorate,
            code or None,
            t.text(r, v, "Saving proposal"),
            t.choice(r, v, "Type", rules.SAVING_TYPES, required=False),
            target or 0.0,
            carried,
        )

    def risk(t: _SheetRows, r: int, v: list[Any]) -> Risk:
        directorate, _ = owned(t, r, v, objective_required=False)
        scores = []
        for header in ("Likelihood", "Impact"):
            number = t.number(r, v, header)
            if number is not None and (number != int(number) or not 1 <= number <= 5):
                t.problem(r, t.columns[header], f"'{header}' must be a whole number from 1 to 5")
                number = None
            scores.append(int(number) if number is not None else None)
        return Risk(
            t.text(r, v, "Risk ID"),
            directorate,
            t.text(r, v, "Risk"),
            t.text(r, v, "Owner"),
            scores[0],
            scores[1],
        )

    measures = _items(tables["Measures"], "Measure ID", measure)
    actions = _items(tables["Actions"], "Action ID", action)
    savings = _items(tables["Savings"], "Saving ID", saving)
    risks = _items(tables["Risks"], "Risk ID", risk)
    if not directorates and "Directorates" in by_name.values():
        problems.append(PlanProblem("Directorates", "A2", "the register has no directorates"))
    if problems or settings is None:
        return None, problems
    return Plan(
        settings,
        tuple(themes),
        tuple(objectives),
        tuple(directorates),
        tuple(measures),
        tuple(actions),
        tuple(savings),
        tuple(risks),
        path,
    ), problems


def _no_targets(t: _SheetRows, r: int, targets: tuple[float | None, ...]) -> None:
    """A Data only measure is tracked for context: it has no targets to be rated against."""
    for n, target in enumerate(targets, start=1):
        if target is not None:
            t.problem(r, t.columns[f"Q{n} target"],
                      f"a Data only measure has no targets: clear the Q{n} target, or make the "
                      "measure Snapshot or Cumulative")


def _rising_targets(t: _SheetRows, r: int, targets: tuple[float | None, ...]) -> None:
    """A Cumulative measure's targets are year to date: they cannot go down through the year."""
    last: tuple[int, float] | None = None
    for n, target in enumerate(targets, start=1):
        if target is None:
            continue
        if last is not None and target < last[1]:
            t.problem(r, t.columns[f"Q{n} target"],
                      "a Cumulative measure's targets are year to date and cannot go down: the "
                      f"Q{n} target ({target:,.10g}) is below the Q{last[0]} target "
                      f"({last[1]:,.10g})")
        last = (n, target)


def _is_year(text: str) -> bool:
    from workbook_tools.errors import UsageError
    from workbook_tools.quarters import parse_year

    try:
        parse_year(text)
    except UsageError:
        return False
    return True


def _items(
    table: _SheetRows, id_header: str, build: Callable[[_SheetRows, int, list[Any]], Any]
) -> list[Any]:
    if id_header not in table.columns:
        return []
    seen: dict[str, tuple[int, str]] = {}
    items = []
    for row, values in table.records():
        item = build(table, row, values)
        table.unique(seen, row, id_header, table.text(row, values, id_header, required=False))
        items.append(item)
    return items


def _settings(table: _SheetRows) -> Settings | None:
    if "Setting" not in table.columns or "Value" not in table.columns:
        return None
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for row, record in table.records():
        name = table.text(row, record, "Setting", required=False)
        for known in (*SETTINGS_ROWS, SETTING_COVER_NOTE):
            if _norm(known) == _norm(name):
                values[known] = table.raw(record, "Value")
                rows[known] = row
    value_col = table.columns["Value"]
    missing = False
    for name in SETTINGS_ROWS:
        if is_blank(values.get(name)):
            if name in SETTINGS_DEFAULTS:
                values[name] = SETTINGS_DEFAULTS[name]
                continue
            where = rows.get(name)
            if where:
                table.problem(where, value_col, f"the setting '{name}' has no value")
            else:
                table.problems.append(
                    PlanProblem("Settings", "", f"the setting '{name}' is missing")
                )
            missing = True
    numbers: dict[str, float] = {}
    for name in (SETTING_TARGET, SETTING_TOLERANCE, SETTING_DEADLINE):
        if is_blank(values.get(name)):
            continue
        number = to_number(values[name])
        if number is None or number < 0:
            table.problem(
                rows.get(name, 0),
                value_col,
                f"the setting '{name}' must be a number of zero or more, not '{values[name]}'",
            )
            missing = True
        else:
            numbers[name] = number
    year = "" if is_blank(values.get(SETTING_YEAR)) else str(values[SETTING_YEAR]).strip()
    if year:
        from workbook_tools.errors import UsageError
        from workbook_tools.quarters import parse_year, year_label

        try:
            year = year_label(parse_year(year))
        except UsageError:
            table.problem(
                rows.get(SETTING_YEAR, 0),
                value_col,
                f"the financial year '{year}' should look like 2025-26",
            )
            missing = True
    if missing:
        return None
    return Settings(
        council_name=str(values[SETTING_COUNCIL]).strip(),
        financial_year=year,
        savings_target=numbers[SETTING_TARGET],
        amber_tolerance=numbers[SETTING_TOLERANCE],
        deadline_days=int(numbers[SETTING_DEADLINE]),
        cover_note=""
        if is_blank(values.get(SETTING_COVER_NOTE))
        else str(values[SETTING_COVER_NOTE]),
    )
