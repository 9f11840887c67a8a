"""The machinery behind the return's layout: what a sheet, a column and a return's context are,
and where a column's cells sit. The description itself (every sheet's columns, the Cover's
cells) is layout.py, which is the module to read and to import.

Each data sheet has a title block, one header row (`HEADER_ROW`) whose first cell is the sheet's
ID header, then one row per item. Formulas are templates: `{key}` becomes the same row's cell
for the column with that key (`K5`), `{row}` the row number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from workbook_tools.files.cells import column_letter

HEADER_ROW = 4  # 1-based Excel row of each data sheet's header
FIRST_DATA_ROW = HEADER_ROW + 1


class Sheet(StrEnum):
    """The return's sheets, in their order (then the hidden list of choices, when written)."""

    COVER = "Cover"
    MEASURES = "Measures"
    ACTIONS = "Actions"
    SAVINGS = "Savings"
    RISKS = "Risks"
    CHECKS = "Checks"
    META = "_meta"
    LISTS = "_lists"


class Role(Enum):
    PREFILLED = "pre-filled"
    INPUT = "input"
    DERIVED = "derived"


class Kind(Enum):
    TEXT = "text"          # short text
    LONGTEXT = "longtext"  # commentary: wrapped
    NUMBER = "number"      # any number (a measure's actual: range depends on its unit)
    MONEY = "money"        # £, zero or more
    PERCENT = "percent"    # percentage points, 0-100 (see rules.percent_points)
    DATE = "date"
    CHOICE = "choice"      # one of `choices`
    SCORE = "score"        # whole number 1-5


@dataclass
class Context:
    """What a return needs beyond the plan: its quarter and the previous quarter's figures (each
    by ID: a dict, or as a large master's are kept, master/figures.py's Figures)."""

    quarter: Any  # quarters.Quarter
    previous_actuals: Mapping[str, float] = field(default_factory=dict)    # Measure ID -> actual
    previous_targets: Mapping[str, float] = field(default_factory=dict)    # Measure ID -> target
    year_ago_actuals: Mapping[str, float] = field(default_factory=dict)    # a year before's
    previous_delivered: Mapping[str, float] = field(default_factory=dict)  # Saving ID -> £
    previous_scores: Mapping[str, int] = field(default_factory=dict)       # Risk ID -> score


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    role: Role
    kind: Kind
    width: float
    choices: tuple[str, ...] = ()
    formula: str = ""
    prompt: str = ""  # the input message a person sees when they click the cell
    #: The master's header for this column: "" for the same as `header`, None when the master
    #: does not keep it (master/columns.py builds each item sheet's headers from these).
    master: str | None = ""
    #: Where a pre-filled cell's value comes from: the plan item's attribute of that name, or a
    #: function of (item, plan, context) from sources.py.
    source: str | Callable[[Any, Any, Context], Any] = ""

    @property
    def is_input(self) -> bool:
        return self.role is Role.INPUT

    def value_of(self, item: Any, plan: Any, ctx: Context) -> Any:
        """A pre-filled cell's value for one item of the plan."""
        if callable(self.source):
            return self.source(item, plan, ctx)
        return getattr(item, self.source)

    @property
    def master_header(self) -> str | None:
        """The header of this column in the master, or None when the master does not keep it."""
        return None if self.master is None else self.master or self.header


@dataclass(frozen=True)
class SheetLayout:
    name: str
    title: str
    intro: str
    items: str  # the plan's (and a directorate's plan's) attribute holding this sheet's items
    columns: tuple[Column, ...]
    # Each column key's position and letter, worked out once: validation asks per cell.
    positions: dict[str, int] = field(init=False, repr=False, compare=False)
    letters: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        positions: dict[str, int] = {}
        for i, column in enumerate(self.columns):
            positions.setdefault(column.key, i)
        object.__setattr__(self, "positions", positions)
        object.__setattr__(self, "letters", {k: column_letter(i) for k, i in positions.items()})

    @property
    def id_header(self) -> str:
        return self.columns[0].header

    def index(self, key: str) -> int:
        """The 0-based position of the column with this key (KeyError when there is none)."""
        return self.positions[key]

    def column(self, key: str) -> Column:
        return self.columns[self.positions[key]]

    def letter(self, key: str) -> str:
        return self.letters[key]

    def cell(self, key: str, row: int) -> str:
        return f"{self.letters[key]}{row}"

    def formula_for(self, key: str, row: int) -> str:
        return self.row_formula(key).format(row=row)

    def row_formula(self, key: str) -> str:
        """A derived column's formula with its cells' columns filled in and `{row}` left for
        the row number (worked out once per sheet, not per cell)."""
        refs = {k: f"{letter}{{row}}" for k, letter in self.letters.items()}
        return "=" + self.column(key).formula.format(**refs, row="{row}")

    def range_of(self, key: str, rows: int) -> str:
        """The absolute range of a column's data cells, for the Checks sheet."""
        letter = self.letters[key]
        last = FIRST_DATA_ROW + max(rows, 1) - 1
        return f"'{self.name}'!${letter}${FIRST_DATA_ROW}:${letter}${last}"

    @property
    def in_master(self) -> tuple[Column, ...]:
        """The columns the master keeps, in the return's order."""
        return tuple(c for c in self.columns if c.master_header is not None)

    @property
    def prefilled(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.role is Role.PREFILLED)

    @property
    def inputs(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.role is Role.INPUT)

    @property
    def derived(self) -> tuple[Column, ...]:
        """The columns the return works out with a formula (RAG, score, direction ...)."""
        return tuple(c for c in self.columns if c.role is Role.DERIVED)
