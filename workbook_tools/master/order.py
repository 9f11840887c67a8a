"""The order of the master's rows (master/consolidate.py): quarter, then the register's order of
directorates and items, stable for the rest; the rows copied as bytes first, as they are."""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable
from typing import Any

from workbook_tools.master import columns as mc
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.readsheet import quarter_order
from workbook_tools.master.rows import Ranks
from workbook_tools.master.sheetrow import Copied, column_of
from workbook_tools.plan.register import Plan


def sort_rows(master: Any, plan: Plan) -> None:
    """Quarter, then the register's order of directorates and items (stable for the rest)."""
    ranks = Ranks.of(plan)
    quarters: dict[str, Any] = {}  # each text's key, worked out once for every sheet
    for name, id_header in mc.ID_COLUMNS.items():
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
        master.sheets[name] = _sorted(master.sheets[name], keys)
    for name in (MasterSheet.SUBMISSIONS, MasterSheet.VALIDATION):
        master.sheets[name] = _sorted(master.sheets[name], lambda rows: [
            _keys(rows, mc.QUARTER, quarter_order, quarters)])


def _keys(rows: Any, header: str, key: Callable[[Any], Any], known: dict[str, Any],
          of_texts: Callable[[list[str]], dict[str, Any]] | None = None) -> list[Any]:
    """`key` of each row's `header`, worked out once per distinct text and kept in `known` (a
    master of four quarters has 1.2 million rows at 240 returns, and a few quarters and
    directorates and 240,000 items); `of_texts` gives the keys of many texts at once."""
    values = column_of(rows, header)
    distinct = set(values)
    texts = [v for v in distinct if v.__class__ is str]
    new = [v for v in texts if v not in known]
    known.update(of_texts(new) if of_texts is not None else {v: key(v) for v in new})
    if len(texts) == len(distinct):  # all text (nearly always): looked up in C
        return list(map(known.__getitem__, values))
    return [known[v] if v.__class__ is str else key(v) for v in values]


def _sorted(rows: Any, keys: Callable[[Any], list[list[Any]]]) -> Any:
    """`rows` in the order of their keys (stable): `keys(rows)` gives the columns of the sort
    key, each a list with a value a row.

    Copied rows (sheetrow.Copied) already in order and before every other row stay first, as
    columns: only the rows after them are sorted (stable, so the same order a sort of every row
    gives). Their order is checked pair by pair in C, no key held for each of 768,000 copied
    rows at 240 returns."""
    if rows.__class__ is Copied:
        head = keys(rows.with_tail([]))
        if all(itertools.starmap(operator.le, itertools.pairwise(zip(*head, strict=True)))):
            last = tuple(column[-1] for column in head) if rows.count else None
            del head
            tail = rows.tail
            tail_keys = list(zip(*keys(tail), strict=True))
            if last is None or not tail_keys or last <= min(tail_keys):
                order = sorted(range(len(tail)), key=tail_keys.__getitem__)
                return rows.with_tail([tail[i] for i in order])
    every = list(zip(*keys(rows), strict=True))
    return [rows[i] for i in sorted(range(len(rows)), key=every.__getitem__)]
