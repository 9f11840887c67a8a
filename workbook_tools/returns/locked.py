"""The pre-filled cells a directorate cannot change, checked against the plan register.

The fingerprint in `_meta` finds a pre-filled cell changed by someone who left `_meta` alone.
It is not a secret: a directorate could lower its own target and compute the hashes again. So
every pre-filled value (IDs, names, targets, and every value the tool put on the Cover) is also
compared with the register itself: an item of another directorate, or one of the directorate's
items left out, is an error; one the register does not hold (taken out since the return was
sent) is a warning, and consolidate leaves it out of the master. The previous quarter's figures
shown beside the inputs come from the master, not the register, and are not compared here.

The register is indexed once per plan, by sheet and ID (`register_index`), in the process that
reads it, before the workers fork, so no worker walks it again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from workbook_tools.files.cells import column_letter, plain_text
from workbook_tools.files.sheetxml import column_number
from workbook_tools.plan.bydirectorate import PlanByDirectorate
from workbook_tools.plan.register import DirectoratePlan, Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout, sources
from workbook_tools.returns.fingerprint import normal_value
from workbook_tools.returns.layout import COVER, Context, Sheet, SheetLayout
from workbook_tools.returns.prefilled import items_of, quarter_label

if TYPE_CHECKING:
    from workbook_tools.returns.read import ReturnFile

#: The pre-filled columns that come from the register (not the previous quarter's figures).
FROM_REGISTER = {name: tuple(c.key for c in spec.prefilled if c.key != "previous")
                 for name, spec in layout.SHEETS.items()}

_INDEX: list[tuple[Plan, dict[str, dict[str, Any]]]] = []


def has_items(plan: Plan | None) -> bool:
    """False for a register read without its items (settings and directorates only)."""
    return plan is not None and (isinstance(plan, PlanByDirectorate) or bool(
        plan.measures or plan.actions or plan.savings or plan.risks))


def register_index(plan: Plan) -> dict[str, dict[str, Any]]:
    """sheet -> ID -> the register's item (the first with that ID), built once per plan."""
    if _INDEX and _INDEX[0][0] is plan:
        return _INDEX[0][1]
    index = _index_by_id(plan)
    _INDEX[:] = [(plan, index)]
    return index


def forget_register_index() -> None:
    """Let go of the index register_index built (and the plan it holds)."""
    _INDEX.clear()


def _index_by_id(items_of: Plan | DirectoratePlan) -> dict[str, dict[str, Any]]:
    """sheet -> ID -> item (the first with that ID), of a plan or one directorate's share."""
    index: dict[str, dict[str, Any]] = {}
    for sheet, items in ((Sheet.MEASURES, items_of.measures), (Sheet.ACTIONS, items_of.actions),
                         (Sheet.SAVINGS, items_of.savings), (Sheet.RISKS, items_of.risks)):
        # one dict of IDs a sheet, built in C (a Python loop per item, keyed by (sheet, ID),
        # took twice as long, before the workers start, while one core waits); the items go
        # in backwards, as a dict keeps the last value given for a key
        index[sheet] = dict(zip(map(attrgetter("id"), reversed(items)), reversed(items),
                                strict=True))
    return index


class Register:
    """What the register says one directorate's return for a quarter holds."""

    def __init__(self, plan: Plan, directorate: str, quarter: Quarter) -> None:
        self.plan = plan
        self.directorate = directorate
        self.quarter = quarter
        #: sheet -> ID -> item: the whole register's, or with a plan read a directorate at a
        #: time, the directorate's own (an ID not found there is looked up in the whole by
        #: check_rows)
        self.index = register_index(plan) if not isinstance(plan, PlanByDirectorate) else \
            _index_by_id(plan.for_directorate(directorate))
        self.context = Context(quarter=quarter)
        #: objective code -> the Objective cell's text (a few objectives serve many items)
        self._objectives: dict[Any, Any] = {}
        #: sheet -> (the IDs, the columns `vouched` found holding the register's values)
        self._vouched: dict[str, tuple[list[str], frozenset[str]]] = {}

    def _getters(self, sheet: str) -> list[tuple[str, Callable[[Any], Any]]]:
        """(key, item -> the value generation pre-filled) for each column compared with the
        register: the item's attribute read directly, the objective's text worked out once per
        objective, the other sources called as generation calls them."""
        spec = layout.SHEETS[sheet]
        getters: list[tuple[str, Callable[[Any], Any]]] = []
        for key in FROM_REGISTER[sheet]:
            source = spec.column(key).source
            if isinstance(source, str):
                getters.append((key, attrgetter(source)))
            elif source is sources.objective:
                getters.append((key, self._objective))
            else:
                getters.append((key, partial(self._sourced, source)))
        return getters

    def _sourced(self, source: Callable[[Any, Plan, Context], Any], item: Any) -> Any:
        return source(item, self.plan, self.context)

    def _objective(self, item: Any) -> Any:
        code = getattr(item, "objective_code", None)
        try:
            return self._objectives[code]
        except KeyError:
            text = self._objectives[code] = sources.objective(item, self.plan, self.context)
            return text

    def cover(self) -> dict[int, Any]:
        """The Cover's pre-filled values by row."""
        settings = self.plan.settings
        name = self.plan.directorate(self.directorate).name
        return {COVER.council: settings.council_name,
                COVER.directorate: f"{name} ({self.directorate})",
                COVER.quarter: quarter_label(self.quarter),
                COVER.quarter_end: self.quarter.end_date,
                COVER.deadline: self.quarter.deadline(settings.deadline_days),
                COVER.tolerance: settings.amber_tolerance}

    def check_cover(self, result: ReturnFile, rows: list[list[Any]]) -> None:
        """Each Cover value the tool wrote (column C) against the register."""
        letter = column_letter(layout.COVER_VALUE_COL)
        reported = _reported(result, Sheet.COVER)
        for row1, expected in self.cover().items():
            ref = f"{letter}{row1}"
            found = value_at(rows, ref)
            if normal_value(found) != normal_value(expected) and ref not in reported:
                label = plain_text(value_at(rows, f"{column_letter(layout.COVER_LABEL_COL)}"
                                                  f"{row1}")).lower() or "value"
                result.add("prefilled-changed", Sheet.COVER, ref, "register", column=label,
                           id="the return", found=_shown(found), expected=_shown(expected))

    def vouched(self, sheet: str, ids: list[str], cells: dict[str, list[Any]]
                ) -> frozenset[str]:
        """The pre-filled columns (keys of `cells`, each column's cells as read, row by row
        for the items `ids`) whose every cell holds the register's value, of the same type,
        the items all being the directorate's: the register vouches for those cells, so their
        hashes in `_meta` need not be worked out (sheetrows). Remembered for `check_rows`."""
        items = list(map(self.index.get(sheet, {}).get, ids))
        if not items or any(item is None or item.directorate_code != self.directorate
                            for item in items):
            return frozenset()
        keys = frozenset(key for key, expected in self._getters(sheet)
                         if key in cells and _same(cells[key], list(map(expected, items))))
        self._vouched[sheet] = (ids, keys)
        return keys

    def check_rows(self, result: ReturnFile, spec: SheetLayout,
                   columns: dict[str, list[Any]]) -> None:
        """Each item row's pre-filled cells against the register; items that are not the
        directorate's, and the directorate's items that are missing."""
        sheet = spec.name
        ids: list[str] = columns.get("id", [])
        wanted = {item.id for item in items_of(self.plan.for_directorate(self.directorate),
                                                sheet)}
        for item_id in sorted(wanted - set(ids)):
            result.add("item-missing", sheet, "", id=item_id, directorate=self.directorate)
        if not ids:
            return
        getters = self._getters(sheet)
        reported = _reported(result, sheet)
        index = self.index.get(sheet, {})
        items = list(map(index.get, ids))
        if None in items and isinstance(self.plan, PlanByDirectorate):
            # an ID not the directorate's: another's item (an error) or not in the register
            # (a warning), as the whole register says
            index = register_index(self.plan.whole()).get(sheet, {})
            items = list(map(index.get, ids))
        ids_vouched, keys = self._vouched.get(sheet, ([], frozenset()))
        if (ids_vouched == ids and keys >= {key for key, _ in getters}) \
                or _same_columns(columns, getters, items, self.directorate):
            getters = []  # every pre-filled cell is the register's: only the items are checked
        for n, (item_id, row1) in enumerate(zip(ids, columns["_row"], strict=True)):
            item = items[n]
            if item is None:  # consolidate leaves it out, as for an item taken out of the plan
                result.add("item-not-in-register", sheet, f"A{row1}", id=item_id)
                continue
            if item.directorate_code != self.directorate:
                if f"A{row1}" not in reported:
                    result.add("item-not-ours", sheet, f"A{row1}", id=item_id,
                               owner=item.directorate_code, directorate=self.directorate)
                continue
            for key, expected in getters:
                found, wanted_value = columns[key][n], expected(item)
                if (type(found) is type(wanted_value) and found == wanted_value) or \
                        normal_value(found) == normal_value(wanted_value):
                    continue  # the same value and type compare the same: no text made
                ref = spec.cell(key, row1)
                if ref not in reported:
                    result.add("prefilled-changed", sheet, ref, "register",
                               column=spec.column(key).header, id=item_id,
                               found=_shown(found), expected=_shown(wanted_value))


def _same_columns(columns: dict[str, list[Any]], getters: list[tuple[str, Callable[[Any], Any]]],
                  items: list[Any], directorate: str) -> bool:
    """True when every pre-filled cell of the directorate's items holds the register's value,
    of the same type (the usual return), found a column at a time rather than cell by cell."""
    kept = [n for n, item in enumerate(items)
            if item is not None and item.directorate_code == directorate]
    if len(kept) < len(items):
        items = [items[n] for n in kept]
    for key, expected in getters:
        found = columns[key] if len(kept) == len(columns[key]) else [columns[key][n] for n in kept]
        if not _same(found, list(map(expected, items))):
            return False
    return True


def _same(found: list[Any], wanted: list[Any]) -> bool:
    """The same values, each of the same type (1.0 and True are equal; a text is not a date)."""
    return found == wanted and list(map(type, found)) == list(map(type, wanted))


def value_at(rows: list[list[Any]], ref: str) -> Any:
    """A cell's value from a sheet's rows (as read from A1), None when blank or outside."""
    letters = ref.rstrip("0123456789")
    row, col = int(ref[len(letters):]) - 1, column_number(letters) - 1
    if 0 <= row < len(rows) and col < len(rows[row]):
        value = rows[row][col]
        return None if value == "" else value
    return None


def _reported(result: ReturnFile, sheet: str) -> set[str]:
    """Cells already reported on `sheet` as changed, so no cell is reported twice."""
    return {f.cell for f in result.findings if f.sheet == sheet and f.cell}


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if hasattr(value, "strftime"):
        return f"{value:%d/%m/%Y}"
    return plain_text(value)
