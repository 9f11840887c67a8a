"""A return's data sheet read against its `_meta`: the header found and checked, each item row
paired with the row it was generated as (rows inserted, deleted or moved are named), and every
pre-filled cell compared with the hash `_meta` holds for it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from workbook_tools.files.cells import column_letter, plain_text
from workbook_tools.returns import layout
from workbook_tools.returns.fingerprint import cell_hash, column_hashes
from workbook_tools.returns.layout import HEADER_ROW, SheetLayout
from workbook_tools.returns.returnfile import MetaItem, ReturnFile, norm, report_unknown

HEADER_SEARCH_ROWS = 10


def _find_header(spec: SheetLayout, rows: list[list[Any]]) -> int | None:
    """The 0-based index of the header row: the first of the first ten rows starting with the
    sheet's ID header."""
    wanted = norm(spec.id_header)
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if values and norm(values[0]) == wanted:
            return index
    return None


def _check_columns(result: ReturnFile, spec: SheetLayout, header: list[Any], row1: int) -> bool:
    ok = True
    for col, column in enumerate(spec.columns):
        found = plain_text(header[col]) if col < len(header) else ""
        if norm(found) != norm(column.header):
            result.add("columns-changed", spec.name, f"{column_letter(col)}{row1}", "changed",
                       expected=column.header, found=found)
            ok = False
            break
    for col in range(len(spec.columns), len(header)):
        if plain_text(header[col]):
            result.add("columns-changed", spec.name, f"{column_letter(col)}{row1}", "added",
                       found=plain_text(header[col]))
            return False
    return ok


def read_sheet(result: ReturnFile, spec: SheetLayout, rows: list[list[Any]],
               items: list[MetaItem], formulas: dict[str, str], errors: dict[str, str],
               vouch: Vouch | None = None) -> dict[str, list[Any]]:
    """The sheet's item rows as columns (layout key -> values as read, '' made None; 'id' from
    `_meta`; '_row' the Excel row), structural problems added to `result`. `vouch`: the
    register's check of whole pre-filled columns (locked.Register.vouched), when it has items.

    Columns, not a dict per row: a national collection is 100,000s of rows, and a list
    comprehension down a column costs far less than a Python call per cell."""
    header = _find_header(spec, rows)
    if header is None:
        result.add("header-missing", spec.name, header=spec.id_header)
        return {}
    if not _check_columns(result, spec, rows[header], header + 1):
        return {}
    shift = header + 1 - HEADER_ROW  # rows added or removed above the header move everything
    found = _filled_rows(rows, header, bool(items))
    matched = _match_rows(result, spec, items, found, shift, spec.id_header)
    return _columns(result, spec, matched, formulas, errors, vouch)


def _filled_rows(rows: list[list[Any]], header: int, has_items: bool
                 ) -> list[tuple[int, list[Any]]]:
    """(Excel row, values) of each row below the header with anything in it; a sheet with no
    items leaves out its 'Nothing on this sheet this quarter' line."""
    found: list[tuple[int, list[Any]]] = []
    for index in range(header + 1, len(rows)):
        values = rows[index]
        if values[0] != "" or any(
                v != "" and not (type(v) is str and not v.strip()) for v in values):
            found.append((index + 1, values))
    if not has_items:
        found = [(r, v) for r, v in found if not plain_text(v[0]).startswith(_NOTHING_PREFIX)]
    return found


def _columns(result: ReturnFile, spec: SheetLayout, matched: list[tuple[MetaItem, int, list[Any]]],
             formulas: dict[str, str], errors: dict[str, str], vouch: Vouch | None = None
             ) -> dict[str, list[Any]]:
    """The matched rows as columns, each pre-filled cell checked against its hash and each
    input cell whose value cannot be known reported."""
    keys = [c.key for c in spec.prefilled]
    width = len(spec.columns)
    pairs = [(key, spec.index(key)) for key in keys]
    inputs = [(column.key, spec.letter(column.key)) for column in spec.inputs]
    # the rows with an input cell whose value cannot be known (an unsaved formula or an error)
    input_letters = {letter for _, letter in inputs}
    unknown = {int(ref[len(letters):]) for ref in (*formulas, *errors)
               if (letters := ref.rstrip("0123456789")) in input_letters}
    rows = [values if len(values) == width else [*values[:width], *[""] * (width - len(values))]
            for _, _, values in matched]
    digests = _digests(pairs, rows, matched, vouch)
    ids: list[str] = []
    row1s: list[int] = []
    kept: list[list[Any]] = []
    for ((_, item_id, hashes), row1, _), values, digest in zip(matched, rows, digests,
                                                                strict=True):
        if digest != hashes and not _prefilled_changed(
                result, spec, pairs, item_id, hashes, row1, values):
            continue
        if row1 in unknown:
            for _, letter in inputs:
                report_unknown(result, spec.name, f"{letter}{row1}", formulas, errors)
        ids.append(item_id)
        row1s.append(row1)
        kept.append(values)
    if not kept:
        return {}
    columns: dict[str, list[Any]] = {  # ('' in a column of texts is found without a loop)
        column.key: [None if v == "" else v for v in values] if "" in values else list(values)
        for column, values in zip(spec.columns, zip(*kept, strict=True), strict=True)}
    columns["id"] = ids
    columns["_row"] = row1s
    return columns


#: (IDs, each pre-filled column's cells) -> the columns whose cells all hold the register's values
Vouch = Callable[[list[str], dict[str, list[Any]]], frozenset[str]]

#: a cell's hash in `_meta`: 8 hexadecimal characters (fingerprint.cell_hash), a row's joined by "."
_HASH = 8


def _digests(pairs: list[tuple[str, int]], rows: list[list[Any]],
             matched: list[tuple[MetaItem, int, list[Any]]], vouch: Vouch | None) -> list[str]:
    """Each row's pre-filled cells' hashes, joined as `_meta` has them. Each column is hashed
    down the sheet, except the columns the register vouches for (`vouch`): when `_meta` holds
    a hash of the usual size for each cell, and every other column's hashes are `_meta`'s,
    each row's are `_meta`'s (the register has checked the rest cell by cell, and an error
    there names the cell). Otherwise every column is hashed."""
    if not pairs:
        return [""] * len(rows)
    cells = {key: [values[col] for values in rows] for key, col in pairs}
    hashed: dict[str, list[str]] = {}  # (a column hashed to compare is not hashed again below)
    if vouch is not None and rows:
        expected = [hashes for (_, _, hashes), _, _ in matched]
        vouched = vouch([item_id for (_, item_id, _), _, _ in matched], cells)
        if vouched and _usual(expected, len(pairs)):
            at = {key: n * (_HASH + 1) for n, (key, _) in enumerate(pairs)}
            hashed = {key: column_hashes(key, cells[key]) for key, _ in pairs
                      if key not in vouched}
            if all(found == [hashes[at[key]:at[key] + _HASH] for hashes in expected]
                   for key, found in hashed.items()):
                return expected
    return list(map(".".join, zip(*(hashed[key] if key in hashed
                                    else column_hashes(key, cells[key]) for key, _ in pairs),
                                  strict=True)))


def _usual(expected: list[str], count: int) -> bool:
    """Whether each of `expected` is `count` hashes as fingerprint.cell_hash makes them (8
    lowercase hexadecimal characters), joined by '.': the same length, a '.' after every 8
    characters and nowhere else, nothing but those characters (each found in C, not a pattern
    matched row by row)."""
    joined = "".join(expected)
    return (set(map(len, expected)) == {(_HASH + 1) * count - 1}
            and {hashes[_HASH::_HASH + 1] for hashes in expected} == {"." * (count - 1)}
            and joined.count(".") == len(expected) * (count - 1) and joined.isascii()
            and not joined.encode("ascii").translate(None, _HEX_OR_DOT))


_HEX_OR_DOT = b"0123456789abcdef."


def _prefilled_changed(result: ReturnFile, spec: SheetLayout, pairs: list[tuple[str, int]],
                       item_id: str, hashes: str, row1: int, values: list[Any]) -> bool:
    """Name each pre-filled cell of a row whose hashes differ from `_meta`'s; False when
    `_meta`'s hashes for the row are not a hash per pre-filled cell (the row is left out)."""
    expected = hashes.split(".")
    if len(expected) != len(pairs):
        result.add("meta-changed", layout.META_SHEET, detail=f"the hashes for {item_id}")
        return False
    for (key, col), want in zip(pairs, expected, strict=True):
        if cell_hash(key, values[col]) != want:
            result.add("prefilled-changed", spec.name, f"{column_letter(col)}{row1}",
                       column=spec.columns[col].header, id=item_id,
                       found=plain_text(values[col]))
    return True


_NOTHING_PREFIX = layout.NOTHING_ON_SHEET.split(" this quarter")[0]


def _match_rows(
    result: ReturnFile, spec: SheetLayout, items: list[MetaItem],
    found: list[tuple[int, list[Any]]], shift: int, id_header: str,
) -> list[tuple[MetaItem, int, list[Any]]]:
    """Pair each item of `_meta` with its row; report rows deleted, added, repeated or moved."""
    ids = [item[1] for item in items]
    seen = [v.strip() if type(v := values[0]) is str else plain_text(v) for _, values in found]
    if ids == seen:  # the usual case
        return [(item, row1, values) for item, (row1, values) in zip(items, found, strict=True)]
    matched: list[tuple[MetaItem, int, list[Any]]] = []
    deleted: list[int] = []
    inserted: list[int] = []
    matcher = difflib.SequenceMatcher(None, ids, seen, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            matched.extend((items[i1 + k], *found[j1 + k]) for k in range(i2 - i1))
        elif (op == "replace" and i2 - i1 == j2 - j1
              and not set(seen[j1:j2]) & set(ids) and not set(ids[i1:i2]) & set(seen)):
            # IDs typed over in place: the pre-filled check names each changed ID cell
            matched.extend((items[i1 + k], *found[j1 + k]) for k in range(i2 - i1))
        else:
            deleted.extend(range(i1, i2))
            inserted.extend(range(j1, j2))
    known = set(ids)
    taken: set[int] = set()
    for j in inserted:
        row1, values = found[j]
        item_id = seen[j]
        place = next((i for i in deleted if ids[i] == item_id and i not in taken), None)
        if place is not None:
            taken.add(place)
            matched.append((items[place], row1, values))
            if items[place][0] + shift != row1:  # in its place, though others around it moved
                result.add("row-moved", spec.name, f"A{row1}", id=item_id,
                           expected=items[place][0] + shift, row=row1)
        elif not item_id:
            result.add("row-inserted", spec.name, f"A{row1}", "blank", row=row1, header=id_header)
        elif item_id in known:
            result.add("row-inserted", spec.name, f"A{row1}", "repeat", row=row1, id=item_id)
        else:
            result.add("row-inserted", spec.name, f"A{row1}", "unknown", row=row1, id=item_id)
    for i in deleted:
        if i not in taken:
            row1 = items[i][0] + shift
            result.add("row-deleted", spec.name, f"A{row1}", id=ids[i], row=items[i][0])
    matched.sort(key=lambda m: m[1])
    return matched
