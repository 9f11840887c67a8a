"""Fingerprints of a return's pre-filled cells, so a changed ID, name or target is found by cell."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any


def normal_value(value: Any) -> str:
    """The text a pre-filled value is compared by, the same whichever program saved the file."""
    if type(value) is str:  # most pre-filled cells
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format(float(value), ".10g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def cell_hash(key: str, value: Any) -> str:
    return hashlib.sha256(f"{key}={normal_value(value)}".encode()).hexdigest()[:8]


class CellHashes:
    """cell_hash, each distinct (key, value) worked out once (an objective, a unit, a lead or a
    target repeats down a sheet). Remembered by the value's exact type (1, 1.0 and True are one
    dict key, and their hashes differ); a float zero is always hashed (0.0 and -0.0 are one dict
    key, and their hashes differ)."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, type, Any], str] = {}

    def __call__(self, key: str, value: Any) -> str:
        kind = value.__class__
        if kind is str or kind is int or kind is float and value:
            found = self.known.get((key, kind, value))
            if found is None:
                found = self.known[key, kind, value] = cell_hash(key, value)
            return found
        return cell_hash(key, value)


#: Types whose equal values always have the same normal text, and never equal a value of
#: another of these types (1, 1.0 and True are equal and hash apart, so int and bool are not
#: here; a float zero is looked at on its own, as 0.0 == -0.0).
_ONE_KEY_TYPES = frozenset({str, float, dt.datetime, dt.date, type(None)})


def column_hashes(key: str, values: list[Any]) -> list[str]:
    """cell_hash of each value down one column, each distinct value hashed once: a column of
    texts, numbers and dates (nearly every pre-filled column) is hashed by a table of its
    distinct values, any other column cell by cell through CellHashes."""
    if not set(map(type, values)) <= _ONE_KEY_TYPES:
        memo = CellHashes()
        return [memo(key, value) for value in values]
    prefix, sha256 = key + "=", hashlib.sha256  # cell_hash written out for a text
    table = {value: sha256((prefix + " ".join(value.split())).encode()).hexdigest()[:8]
             if value.__class__ is str else cell_hash(key, value) for value in set(values)}
    if 0.0 in table:  # 0.0 and -0.0 are one key in the table, and their hashes differ
        return [table[value] if value != 0.0 else cell_hash(key, value) for value in values]
    return [table[value] for value in values]


def row_hashes(keys: Iterable[str], values: Iterable[Any]) -> str:
    """One row's pre-filled cells as a '.'-joined string of short hashes, in column order."""
    return ".".join(cell_hash(k, v) for k, v in zip(keys, values, strict=True))


def fingerprint(rows: Iterable[tuple[str, str, str]]) -> str:
    """The whole return's fingerprint from its (sheet, ID, row hashes) rows."""
    digest = hashlib.sha256()
    for sheet, item_id, hashes in rows:
        digest.update(f"{sheet}\t{item_id}\t{hashes}\n".encode())
    return digest.hexdigest()
