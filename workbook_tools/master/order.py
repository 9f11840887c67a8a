"""The order of the master's rows (master/consolidate.py): quarter, then the register's order of
directorates and items, stable for the rest; the rows copied as bytes first, as they are.

Copied rows taken from the master's record keep their columns as a table of distinct values
and each row's place in it (columncode.Coded): whether they are still in order is then worked
out on the tables, each distinct value's key ranked once, and checked for every row at once
with numpy rather than a key looked up and a tuple compared for each of 960,000 rows (a
four-quarter master at 240 returns)."""

from __future__ import annotations

import functools
import itertools
import math
import operator
from collections.abc import Callable
from typing import Any

from workbook_tools.master import columns as mc
from workbook_tools.master.columncode import Coded
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.packedtexts import listed
from workbook_tools.master.readsheet import quarter_order
from workbook_tools.master.rows import Ranks
from workbook_tools.master.sheetrow import Copied, column_of
from workbook_tools.plan.bydirectorate import register_digest
from workbook_tools.plan.register import Plan


def sort_rows(master: Any, plan: Plan) -> None:
    """Quarter, then the register's order of directorates and items (stable for the rest)."""
    ranks = Ranks.of(plan)
    quarters: dict[str, Any] = {}  # each text's key, worked out once for every sheet
    for name, id_header in mc.ID_COLUMNS.items():
        rows = master.sheets[name]
        if getattr(rows, "afresh", False) or getattr(getattr(rows, "tail", None), "afresh",
                                                     False):
            continue  # (made in this order: master/rows.py's _chunked, after rows `appends`)
        directorates: dict[str, Any] = {}
        items: dict[str, Any] = {}  # (the copied rows' and the others' are mostly the same)

        def keys(rows: Any, name: str = name, id_header: str = id_header,
                 directorates: dict[str, Any] = directorates,
                 items: dict[str, Any] = items) -> list[list[Any]]:
            orphaned = list(map(bool, column_of(rows, mc.ORPHANED))) \
                if mc.ORPHANED in mc.SHEETS[name] else [False] * len(rows)
            return [_keys(rows, mc.QUARTER, quarter_order, quarters),
                    _keys(rows, mc.DIRECTORATE, ranks.directorate, directorates), orphaned,
                    _keys(rows, id_header, functools.partial(ranks.item, name), items,
                          functools.partial(ranks.of_texts, name))]

        head = functools.partial(_head_in_order, ranks=ranks, known=(
            quarters, directorates, items), name=name, id_header=id_header)
        master.sheets[name] = _sorted(rows, keys, head)
    for name in (MasterSheet.SUBMISSIONS, MasterSheet.VALIDATION):
        master.sheets[name] = _sorted(master.sheets[name], lambda rows: [
            _keys(rows, mc.QUARTER, quarter_order, quarters)])


def note_order(master: Any, parts: Plan, orphaned: int) -> None:
    """Note, for the master's record (master/record.py), the register whose order the rows of
    every item sheet are now in (`sort_rows` put them so, or they were made so: the quarter's
    rows made a return at a time after rows `appends`): `parts`' (a plan read a directorate at
    a time: its register's SHA-256), when no Savings row is `orphaned` (so that `appends`
    finds them in order as `_in_order` would). The next consolidate into the master, with the
    same register, then need not read the whole register to check the order again (240,000
    items, 88 MB and a second at 240 returns)."""
    master.ordered_by = None if orphaned else register_digest(parts)


def noted_in_order(master: Any, plan: Plan) -> bool:
    """Whether the master's record says its item sheets' rows are in the order of `plan`'s
    register (`note_order`: a plan read a directorate at a time; no other plan's is noted)."""
    return master.ordered_by is not None and master.ordered_by == register_digest(plan)


def appends(master: Any, plan: Plan, quarter: Any) -> bool:
    """Whether `quarter`'s rows go after every row on each item sheet, the rows there staying
    as they are (`sort_rows` would leave them so): every row there copied as bytes
    (sheetrow.Copied, no other row), of a quarter before `quarter`, in order (checked as
    `_sorted` checks them, on the record's tables; or, when the master's record says they were
    written in the order of `plan`'s register, `note_order`, taken as so), none orphaned; or
    the sheet empty."""
    last = quarter_order(str(quarter))
    ordered = noted_in_order(master, plan)
    quarters: dict[str, Any] = {}
    for name, id_header in mc.ID_COLUMNS.items():
        rows = master.sheets[name]
        if rows.__class__ is not Copied:
            if len(rows):
                return False
            continue
        if rows.tail or any(quarter_order(q) >= last for q in set(rows.columns[0])):
            return False
        # (the register's order of a sheet's items at a time, and only once the rows could go
        # as they are: 240,000 items at 240 returns)
        if rows.count and not _head_in_order(rows, None if ordered else Ranks.of(
                plan, [name]), (quarters, {}, {}), name, id_header):
            return False
    return True


def _head_in_order(rows: Copied, ranks: Ranks | None,
                   known: tuple[dict[str, Any], dict[str, Any], dict[str, Any]], name: str,
                   id_header: str) -> bool | None:
    """Whether the copied rows are in the sheet's order, told from the record's tables
    (`_in_order`, `known` keeping each quarter's, directorate's and item's key; no `ranks`:
    the master's record says they are, `appends`); None when they cannot tell (`_sorted` then
    checks pair by pair)."""
    quarters, directorates, items = known
    if mc.ORPHANED in mc.SHEETS[name]:  # (Savings': no copied row is orphaned, its key False)
        orphaned = rows.columns.get(rows.positions.get(mc.ORPHANED, -1))
        if orphaned is None or any(orphaned):
            return None
    if ranks is None:
        return True
    return _in_order(rows, [
        (mc.QUARTER, quarter_order, quarters, None),
        (mc.DIRECTORATE, ranks.directorate, directorates, None),
        (id_header, functools.partial(ranks.item, name), items,
         functools.partial(ranks.of_texts, name))])


def _keys(rows: Any, header: str, key: Callable[[Any], Any], known: dict[str, Any],
          of_texts: Callable[[list[str]], dict[str, Any]] | None = None) -> list[Any]:
    """`key` of each row's `header`, worked out once per distinct text and kept in `known` (a
    master of four quarters has 1.2 million rows at 240 returns, and a few quarters and
    directorates and 240,000 items); `of_texts` gives the keys of many texts at once."""
    return _keys_of(column_of(rows, header), key, known, of_texts)


def _keys_of(values: list[Any], key: Callable[[Any], Any], known: dict[str, Any],
             of_texts: Callable[[list[str]], dict[str, Any]] | None = None) -> list[Any]:
    """`_keys` of the values given."""
    distinct = set(values)
    texts = [v for v in distinct if v.__class__ is str]
    new = [v for v in texts if v not in known]
    known.update(of_texts(new) if of_texts is not None else {v: key(v) for v in new})
    if len(texts) == len(distinct):  # all text (nearly always): looked up in C
        return list(map(known.__getitem__, values))
    return [known[v] if v.__class__ is str else key(v) for v in values]


def _sorted(rows: Any, keys: Callable[[Any], list[list[Any]]],
            head: Callable[[Any], bool | None] | None = None) -> Any:
    """`rows` in the order of their keys (stable): `keys(rows)` gives the columns of the sort
    key, each a list with a value a row.

    Copied rows (sheetrow.Copied) already in order and before every other row stay first, as
    columns: only the rows after them are sorted (stable, so the same order a sort of every row
    gives). Their order is checked by `head(rows)` (`_in_order`) where it can tell, else pair
    by pair in C, no key held for each of 960,000 copied rows at 240 returns."""
    if rows.__class__ is Copied:
        in_order = head(rows) if head is not None and rows.count else None
        if in_order is None:
            found = keys(rows.with_tail([]))
            in_order = all(itertools.starmap(operator.le,
                                             itertools.pairwise(zip(*found, strict=True))))
            del found
        if in_order:
            last = tuple(column[0] for column in keys([rows.row(rows.count - 1)])) \
                if rows.count else None
            tail = rows.tail
            tail_keys = list(zip(*keys(tail), strict=True))
            if last is None or not tail_keys or last <= min(tail_keys):
                order = sorted(range(len(tail)), key=tail_keys.__getitem__)
                return rows.with_tail([tail[i] for i in order])
    every = list(zip(*keys(rows), strict=True))
    made = list(rows)  # (a Copied's rows made a column at a time, not a cell at a time)
    return [made[i] for i in sorted(range(len(made)), key=every.__getitem__)]


def _in_order(rows: Copied, columns: list[tuple[str, Callable[[Any], Any], dict[str, Any], Any]]
              ) -> bool | None:
    """Whether the copied rows are in the order of `columns`' keys (header, key, known,
    of_texts, as _keys takes them), each column's distinct values' keys ranked once and
    every row's checked at once; None when a column is not as the record holds it (then
    _sorted checks pair by pair). The Quarter column, when not the record's (record.found
    makes it a place a row among its runs), is taken as runs of one object."""
    tables: list[tuple[list[Any], Any]] = []  # each column's distinct values, and their rows
    for header, *_ in columns:
        column = rows.columns.get(rows.positions.get(header, -1))
        if isinstance(column, Coded):  # (as the record held it)
            tables.append((listed(column.table), column.places))
        elif header == mc.QUARTER and column is not None:  # (runs: at most 64 looked at)
            runs = [(value, len(list(group))) for value, group in
                    itertools.islice(itertools.groupby(column), 65)]
            if len(runs) > 64:
                return None
            tables.append(([value for value, _ in runs], [length for _, length in runs]))
        else:
            return None
    np = load_numpy()

    ranked: list[tuple[int, Any]] = []
    for (_, key, known, of_texts), (table, places) in zip(columns, tables, strict=True):
        size, numbers = _ranks(_keys_of(table, key, known, of_texts))
        ranks = np.asarray(numbers, np.int64)
        ranked.append((size, ranks.repeat(places) if isinstance(places, list) else
                       ranks[np.frombuffer(places, f"=u{places.itemsize}")]))
    if math.prod(size for size, _ in ranked) >= 1 << 62:
        return None
    combined = ranked[0][1]
    for size, ranks in ranked[1:]:
        combined = combined * size + ranks
    return bool((combined[1:] >= combined[:-1]).all())


def load_numpy() -> Any:
    """numpy, imported (0.1 s) only by a consolidate into a master there is already."""
    import numpy

    return numpy


def _ranks(keys: list[Any]) -> tuple[int, list[int]]:
    """Each key as a number in the keys' order, and a bound on the numbers. A key is a tuple;
    where the first items of the distinct keys are distinct numbers (a register's ranks: every
    ID in the register) they are the numbers, else the keys are sorted and numbered."""
    firsts = list(map(operator.itemgetter(0), keys))
    numbers, distinct = set(firsts), set(keys)
    if len(numbers) == len(distinct) and set(map(type, numbers)) == {int} and min(numbers) >= 0:
        return max(numbers) + 1, firsts
    order = {k: i for i, k in enumerate(sorted(distinct))}
    return len(order), list(map(order.__getitem__, keys))
