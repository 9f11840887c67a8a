"""A column of cells as an entry of the record keeps it (master/record.py, master/savingsentry.py):
its distinct values once each, in the order first met (`table`), and each cell's place in that
table as little-endian unsigned whole numbers of one, two or four bytes (as few as the table
needs), in base64.

Why not a list of values (or of places) in the JSON: the parser makes an object of every number
in the text, and a list to hold them, before decode makes the column (259 MB at four quarters of
240 returns, for a column of cells that then holds 8 bytes a cell). Here the parser makes a text
of the places, decoded into an array of 1 to 4 bytes a cell, and the column is made from it by
`map` in C; each distinct value is one object however many cells hold it.

A column holds texts, finite floats, blanks (None), True and False, and dates (Savings); a date
goes in the table as [year, month, day]. True is equal to 1.0, and -0.0 to 0.0: a column holding
both of a pair is kept apart by type and sign, so that decode gives back exactly the column.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import sys
from array import array
from collections.abc import Sequence
from typing import Any

_CODES = ((1 << 8, "B"), (1 << 16, "H"), (1 << 32, "L" if array("L").itemsize == 4 else "I"))
_SWAP = sys.byteorder != "little"
_BLANK_KINDS = frozenset({str, float, bool, type(None), dt.date})


def _code(size: int) -> str | None:
    """The array type code of places into a table of `size` values (None past 2**32)."""
    return next((code for bound, code in _CODES if size <= bound), None)


def kinds_of(pieces: Sequence[list[Any]]) -> set[type]:
    found: set[type] = set()
    for piece in pieces:
        found.update(map(type, piece))
    return found


def encode(pieces: Sequence[list[Any]]) -> list[Any] | None:
    """The column made of `pieces` (lists of cells, one after the other) as [table, places];
    None when it holds a value of a kind not listed above, or a float that is not finite."""
    kinds = kinds_of(pieces)
    if not kinds <= _BLANK_KINDS:
        return None
    if float in kinds and not all(math.isfinite(v) for piece in pieces for v in piece
                                  if v.__class__ is float):
        return None
    if float in kinds and (bool in kinds or _negative_zero(pieces)):
        keys: list[Any] = [list(map(_key, piece)) for piece in pieces]
        found = dict.fromkeys(k for piece in keys for k in piece)
        table = [k[1] for k in found]
    else:
        keys = list(pieces)
        found = dict.fromkeys(v for piece in pieces for v in piece)
        table = list(found)
    code = _code(len(table))
    if code is None:
        return None
    index = {k: i for i, k in enumerate(found)}
    places = array(code)
    for piece in keys:
        places.extend(map(index.__getitem__, piece))
    if _SWAP:
        places.byteswap()
    return [[[v.year, v.month, v.day] if v.__class__ is dt.date else v for v in table],
            base64.b64encode(places.tobytes()).decode("ascii")]


def _negative_zero(pieces: Sequence[list[Any]]) -> bool:
    return any(v == 0 and v.__class__ is float and math.copysign(1.0, v) < 0
               for piece in pieces if 0.0 in piece for v in piece)


def _key(value: Any) -> Any:
    if value.__class__ is float:
        return float, value, math.copysign(1.0, value)
    return value.__class__, value, 0.0


def decode(found: Any, count: int, kinds: frozenset[type]) -> list[Any] | None:
    """The column of `count` cells in its entry `found` (as the JSON parser gave it), or None
    when it is not of its shape: a table of values of `kinds` (JSON's: str, float, bool, None,
    and list for a date), places of the table's width, as many as `count`, each in the table."""
    if type(found) is not list or len(found) != 2:
        return None
    table, text = found
    if type(table) is not list or type(text) is not str or not set(map(type, table)) <= kinds:
        return None
    if float in kinds and (math.inf in table or -math.inf in table):
        return None  # (JSON gives no NaN: record.recall refuses it)
    if list in kinds and any(v.__class__ is list for v in table):
        table = [_date(v) if v.__class__ is list else v for v in table]
        if any(v is _BAD for v in table):
            return None
    code = _code(len(table))
    if code is None:
        return None
    places = array(code)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(data) != count * places.itemsize:
        return None
    places.frombytes(data)
    del data
    if _SWAP:
        places.byteswap()
    if places and max(places) >= len(table):
        return None
    return list(map(table.__getitem__, places))


_BAD = object()


def _date(value: list[Any]) -> Any:
    if len(value) != 3 or any(type(v) is not int for v in value):
        return _BAD
    try:
        return dt.date(*value)
    except (ValueError, OverflowError):  # (a year past what a C long holds: OverflowError)
        return _BAD
