"""The rows one quarter's validation run puts into the master: each accepted return's items with
the register's descriptive columns, the Submissions tracker and the Validation findings."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from workbook_tools.files.spool import Spool
from workbook_tools.master import columns as mc
from workbook_tools.master.chunked import ChunkedRows
from workbook_tools.master.columncode import Coded
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.packedtexts import Texts
from workbook_tools.master.sheetrow import Copied, Row
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout
from workbook_tools.returns.findings import (
    NOT_RECEIVED,
    SUPERSEDED,
    ReturnResult,
    RowTable,
    ValidationRun,
)

UNRANKED = 1_000_000


def return_columns(sheet: str) -> dict[str, str]:
    """Master header -> layout key, for the columns a return fills on an item sheet."""
    return {str(c.master_header): c.key for c in layout.SHEETS[sheet].in_master}


RETURN_COLUMNS = {sheet: return_columns(sheet) for sheet in mc.ID_COLUMNS}


def plan_items(plan: Plan, sheet: str) -> tuple[Any, ...]:
    items: dict[str, tuple[Any, ...]] = {
        MasterSheet.MEASURES: plan.measures, MasterSheet.ACTIONS: plan.actions,
        MasterSheet.SAVINGS: plan.savings, MasterSheet.RISKS: plan.risks}
    return items[sheet]


#: Each item sheet's headers' places (one dict, shared by every new row's sheetrow.Row)
POSITIONS = {sheet: {h: i for i, h in enumerate(mc.SHEETS[sheet])} for sheet in mc.ID_COLUMNS}

#: Each item sheet's column of the item's name (a return's 'name')
NAME_COLUMNS = {sheet: next(h for h, key in columns.items() if key == "name")
                for sheet, columns in RETURN_COLUMNS.items()}


def share_register_texts(sheets: dict[str, Any], plan: Plan) -> None:
    """Make the IDs and names of the rows copied from the old master (sheetrow.Copied's
    columns) the register's own objects where they are the same text: each was read as a copy
    of its own, and every quarter holds them again (16 MB at four quarters of 240 returns).
    Done once no worker forked during the read shares the plan's pages (a reference counted
    there copies the page). Nothing is looked up when no rows were copied (a new master).

    A column taken from the master's record (columncode.Coded, as its entry held it) has its
    distinct texts looked up, not every cell (a quarter's IDs are a year's again), and the
    record's own copies of them are let go (the next record takes them so)."""
    columns = [(sheet, attr, column) for sheet, rows in sheets.items()
               if rows.__class__ is Copied and sheet in mc.ID_COLUMNS
               for header, attr in ((mc.ID_COLUMNS[sheet], "id"), (NAME_COLUMNS[sheet], "name"))
               if (column := rows.columns.get(rows.positions.get(header, -1))) is not None]
    for sheet, attr, column in columns:
        texts = list(map(operator.attrgetter(attr), plan_items(plan, sheet)))
        get = dict(zip(texts, texts, strict=True)).get
        if isinstance(column, Coded) and isinstance(column.table, Texts):
            # (a list of the register's texts: the packed table, shared, stays the block's)
            table = column.table.values()
            column.table = list(map(get, table, table))
        elif isinstance(column, Coded):  # (in place: the block's Coded share the table)
            shared = cast("list[Any]", column.table)
            shared[:] = map(get, shared, shared)
        else:
            column[:] = map(get, column, column)


@dataclass
class Ranks:
    """The register's order, for a stable row order: directorate, then item."""

    directorates: dict[str, int]
    items: dict[str, dict[str, int]]

    @classmethod
    def of(cls, plan: Plan, sheets: Iterable[str] = tuple(mc.ID_COLUMNS)) -> Ranks:
        """The plan's order of its directorates, and of the items of `sheets` [every sheet's]."""
        return cls({d.code: i for i, d in enumerate(plan.directorates)},
                   {sheet: {item.id: i for i, item in enumerate(plan_items(plan, sheet))}
                    for sheet in sheets})

    def directorate(self, code: Any) -> tuple[int, str]:
        text = "" if code is None else str(code)
        return (self.directorates.get(text, UNRANKED), text)

    def item(self, sheet: str, item_id: Any) -> tuple[int, str]:
        text = "" if item_id is None else str(item_id)
        return (self.items[sheet].get(text, UNRANKED), text)

    def of_texts(self, sheet: str, texts: Iterable[str]) -> dict[str, tuple[int, str]]:
        """`item` of each of `texts` (a sheet's distinct IDs: hundreds of thousands at 240
        returns), looked up without a call each."""
        ranked = self.items[sheet]
        return {text: (ranked.get(text, UNRANKED), text) for text in texts}


@dataclass
class QuarterRows:
    """What one run gives the master for its quarter."""

    sheets: dict[str, Any] = field(default_factory=dict)  # (a list, or chunked.ChunkedRows)
    status: dict[str, str] = field(default_factory=dict)  # directorate -> its verdict
    left_out: list[str] = field(default_factory=list)  # items in a return but not the register
    taken: dict[str, ReturnResult] = field(default_factory=dict)  # directorate -> accepted return


def quarter_rows(plan: Plan, quarter: Quarter, run: ValidationRun, spool: Spool | None = None,
                 finish: Callable[[str, list[Any]], None] | None = None) -> QuarterRows:
    """The quarter's rows on every sheet but Log (Savings without finance's columns yet).

    With a `spool` (plan/bydirectorate.py's plan, a directorate's items read at a time), each
    item sheet's rows are made a return at a time, in the sheet's order, `finish(sheet, rows)`
    then done to them (what the merge does to each row) and kept in the spool
    (chunked.ChunkedRows), not held."""
    ranks = Ranks.of(plan)
    out = QuarterRows(sheets={name: [] for name in mc.SHEETS if name != MasterSheet.LOG})
    results = sorted(run.results, key=lambda r: (ranks.directorate(r.directorate),
                                                 r.path.name.lower(), r.path.name))
    for result in results:
        if result.accepted and result.directorate and result.data is not None:
            out.taken.setdefault(result.directorate, result)
    for directorate in plan.directorates:
        mine = [r for r in results if r.directorate == directorate.code]
        out.status[directorate.code] = _verdict(mine, out.taken.get(directorate.code))
        for result in mine:
            out.sheets[MasterSheet.SUBMISSIONS].append(
                _submission(quarter, result, directorate.name))
        if not mine:
            out.sheets[MasterSheet.SUBMISSIONS].append({
                "Quarter": str(quarter), "Directorate": directorate.code,
                "Directorate name": directorate.name, "Status": NOT_RECEIVED})
    known = {d.code for d in plan.directorates}
    for result in results:
        if result.directorate not in known:
            out.sheets[MasterSheet.SUBMISSIONS].append(_submission(quarter, result, ""))
    for result in results:
        for finding in result.findings:
            out.sheets[MasterSheet.VALIDATION].append({
                "Quarter": str(quarter), "Severity": finding.severity.value,
                "File": Path(finding.file).name or result.path.name,
                "Directorate": finding.directorate or result.directorate, "Sheet": finding.sheet,
                "Cell": finding.cell, "Rule": finding.code, "Message": finding.message})
    if spool is not None:
        out.sheets.update(_chunked(plan, quarter, out, spool, finish))
        return out
    for sheet in mc.ID_COLUMNS:
        out.sheets[sheet] = _item_rows(plan, quarter, sheet, out)
    return out


def _verdict(results: list[ReturnResult], taken: ReturnResult | None) -> str:
    if taken is not None:
        return taken.status
    if not results:
        return NOT_RECEIVED
    return next((r.status for r in results if r.status != SUPERSEDED), results[0].status)


def _submission(quarter: Quarter, result: ReturnResult, name: str) -> dict[str, Any]:
    signed = result.data.cover.get(layout.SIGNOFF_DATE) if result.data else None
    if result.data is not None and not name:
        name = result.data.meta.get("Directorate name", "")
    return {
        "Quarter": str(quarter), "Directorate": result.directorate, "Directorate name": name,
        "Status": result.status, "File": result.path.name, "SHA-256": result.sha256,
        "Received": result.received.replace(microsecond=0), "Errors": len(result.errors),
        "Warnings": len(result.warnings), "Completed by": result.completed_by or None,
        "Approved by": result.approved_by or None,
        "Sign-off date": signed if isinstance(signed, dt.date) else None,
    }


#: Where a new row's cells that are not a return's come from: after a typed row's values, the
#: quarter, the directorate, the objective's theme, code and name, and a blank.
_EXTRA = ("Quarter", "Directorate", "Theme", "Objective code", "Objective", None)


def _item_rows(plan: Plan, quarter: Quarter, sheet: str, out: QuarterRows) -> list[Any]:
    """The sheet's rows from every accepted return (`_return_rows`)."""
    items = {item.id: item for item in plan_items(plan, sheet)}
    rows: list[Any] = []
    for code, result in out.taken.items():
        rows += _return_rows(plan, items, quarter, sheet, code, result, out.left_out)
    return rows


def _chunked(plan: Any, quarter: Quarter, out: QuarterRows, spool: Spool,
             finish: Callable[[str, list[Any]], None] | None) -> dict[str, ChunkedRows]:
    """Each item sheet's rows from every accepted return, kept in `spool` a return's at a
    time: each return's items looked up among its own directorate's (an accepted return holds
    no other directorate's: returns/locked.py), its rows in the register's order of them (a
    sort of every row gives that order: the returns are taken in the register's order of
    directorates, one a directorate)."""
    sheets = {sheet: ChunkedRows(spool, None if sheet in mc.OPEN_COLUMNS else POSITIONS[sheet],
                                 {mc.QUARTER: str(quarter)})  # (the quarter's every row)
              for sheet in mc.ID_COLUMNS}
    left_out: dict[str, list[str]] = {sheet: [] for sheet in sheets}  # (by sheet, as _item_rows)
    for code, result in out.taken.items():
        part = plan.for_directorate(code)  # (read once a return: the last one read is kept)
        for sheet, chunked in sheets.items():
            mine = plan_items(part, sheet)
            rank = {item.id: i for i, item in enumerate(mine)}
            rows = _return_rows(plan, {item.id: item for item in mine}, quarter, sheet, code,
                                result, left_out[sheet])
            at = mc.ID_COLUMNS[sheet]
            rows.sort(key=lambda row: rank[row.get(at)])  # noqa: B023 - (sorted here)
            if finish is not None:
                finish(sheet, rows)
            chunked.add(rows)
    for lines in left_out.values():
        out.left_out += lines
    return sheets


def _return_rows(plan: Plan, items: dict[Any, Any], quarter: Quarter, sheet: str, code: str,
                 result: ReturnResult, left_out: list[str]) -> list[Any]:
    """The sheet's rows from one accepted return: a sheetrow.Row each (the sheet's values in
    its header order, as an earlier quarter's rows are read), or on Savings, whose rows
    finance's columns are merged into next, a dict keyed by header.

    Each row is picked in one step from its typed values and the few cells the register gives
    (operator.itemgetter), not cell by cell: a national collection is 240,000 rows."""
    headers = mc.SHEETS[sheet]
    positions = POSITIONS[sheet]
    as_dicts = sheet in mc.OPEN_COLUMNS
    columns = RETURN_COLUMNS[sheet]
    described = "Objective code" in headers
    q = str(quarter)
    rows: list[Any] = []
    assert result.data is not None
    # moved, not copied: holding the returns' rows and the master's rows at once doubled
    # consolidate's memory, and the run needs only its verdicts and findings after this
    keys, typed_rows = _table(result.data.rows.pop(sheet, []))
    if not typed_rows:
        return rows
    at = {key: i for i, key in enumerate(keys)}
    extra = len(keys)
    blank = extra + len(_EXTRA) - 1

    def source(header: str, objective: bool) -> int:
        """Where a header's cell comes from (as the dict rows were filled: a return's own
        column over the register's, the register's objective name over the return's)."""
        if header == "Objective" and objective and "Objective" in columns:
            return extra + _EXTRA.index("Objective")
        if header in columns:
            return at.get(columns[header], blank)
        if header in ("Theme", "Objective code") and described:
            return extra + _EXTRA.index(header)
        if header == mc.ID_COLUMNS[sheet]:
            return at.get("id", blank)
        if header in ("Quarter", "Directorate"):
            return extra + _EXTRA.index(header)
        return blank

    pick = {objective: operator.itemgetter(*(source(h, objective) for h in headers))
            for objective in (False, True)}
    id_at = at.get("id")
    name_at = at.get("name")
    known: dict[Any, tuple[Any, tuple[Any, ...]]] = {}
    for typed in typed_rows:
        item_id = typed[id_at] if id_at is not None else None
        item = items.get(item_id)
        if item is None:
            left_out.append(f"{sheet} {item_id} ({code}): in the return but no longer in "
                            "the register")
            continue
        objective_code = getattr(item, "objective_code", None)
        found = known.get(objective_code)
        if found is None:
            theme = plan.theme_of(objective_code)
            objective = plan.objective(objective_code)
            found = known[objective_code] = (pick[objective is not None], (
                q, code, theme.name if theme else None, objective_code or None,
                objective.name if objective else None, None))
        # the register's own ID and name where the return's are the same text (its
        # protected cells): a return's are copies of their own, 30 MB at 240 returns
        given = list(typed)
        given[id_at] = item.id  # type: ignore[index]  # (found by it: the same text)
        if name_at is not None and given[name_at] == item.name:
            given[name_at] = item.name
        values = found[0]((*given, *found[1]))
        rows.append(dict(zip(headers, values, strict=True)) if as_dicts
                    else Row(values, positions, None))
    return rows


def _table(rows: Any) -> tuple[tuple[str, ...], Any]:
    """A sheet's typed rows as their keys and each row's values in that order."""
    if isinstance(rows, RowTable):
        return rows.keys, rows.values
    keys = tuple(dict.fromkeys(k for row in rows for k in row))
    return keys, [tuple(map(row.get, keys)) for row in rows]
