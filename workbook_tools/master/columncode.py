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
import itertools
import math
import operator
import sys
from array import array
from collections.abc import Iterator, Sequence
from typing import Any, cast

from workbook_tools.master.packedtexts import Texts, listed, one_table, packed

_FOUR = "L" if array("L").itemsize == 4 else "I"  # (the type code of 4 bytes a place)
_CODES = ((1 << 8, "B"), (1 << 16, "H"), (1 << 32, _FOUR))
_SWAP = sys.byteorder != "little"
_BLANK_KINDS = frozenset({str, float, bool, type(None), dt.date})


def _code(size: int) -> str | None:
    """The array type code of places into a table of `size` values (None past 2**32)."""
    return next((code for bound, code in _CODES if size <= bound), None)


def code_of(size: int) -> str:
    """`_code` of a table that fits (one of at most 2**32 values)."""
    code = _code(size)
    if code is None:
        raise ValueError(f"a table of {size} values")
    return code


class Coded(Sequence[Any]):
    """A column as its entry holds it, decoded: its distinct values (`table`, dates made dates)
    and each cell's place among them (`places`), so that a record made again from it (the rows
    of a block copied from the old master: master/recorder.py) takes the places as they are,
    rather than the values' every cell (each looked up again, and its count of references
    written to).

    It reads as the list of its cells would (read only: indexing, a slice as a list,
    iteration in C), so that the rows copied from the old master (sheetrow.Copied) hold their
    columns as it, not as a list of a reference a cell beside it (8 bytes a cell against its 1
    to 4: at four quarters of 240 returns, 60 MB of lists held from the read to the record of
    the master written)."""

    __slots__ = ("places", "table")

    def __init__(self, table: list[Any] | Texts, places: array[int]) -> None:
        self.table = table  # (a record's table of many texts packed: master/packedtexts.py)
        self.places = places

    def __len__(self) -> int:
        return len(self.places)

    def __iter__(self) -> Iterator[Any]:
        return map(listed(self.table).__getitem__, self.places)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):  # (a list, as a list's slice is)
            return list(map(listed(self.table).__getitem__, self.places[index]))
        return self.table[self.places[index]]

    def __contains__(self, value: Any) -> bool:
        return value in self.values()

    def count(self, value: Any) -> int:
        return self.values().count(value)

    def __eq__(self, other: object) -> bool:
        """Equal as the lists of their cells are (to a list, a Coded or a Joined)."""
        if isinstance(other, Coded) and other.table is self.table and other.places == \
                self.places:
            return True
        if isinstance(other, list | Coded | Joined):
            return self.values() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def head(self, count: int) -> Coded:
        """The first `count` cells (this very column when they are all of them: neither is
        ever changed)."""
        return self if count == len(self.places) else Coded(self.table, self.places[:count])

    def values(self) -> list[Any]:
        return list(map(listed(self.table).__getitem__, self.places))

    def holds(self, values: Sequence[Any]) -> bool:
        """Whether `values` are exactly this column's cells: equal, each of the same type, and
        a float of the same sign (1.0 is equal to True, 0.0 to -0.0); in C."""
        if values is self:
            return True
        if len(values) != len(self.places):
            return False
        mine = self.values()
        if all(map(operator.is_, mine, values)):  # (the very objects: most often)
            return True
        if mine != values or not all(map(operator.is_, map(type, mine), map(type, values))):
            return False
        return list(map(math.copysign, itertools.repeat(1.0), floats_of(mine))) == list(
            map(math.copysign, itertools.repeat(1.0), floats_of(values)))

    def blank(self) -> bool:
        """Whether every cell is blank (None)."""
        if isinstance(self.table, Texts):  # (texts, every one)
            return not self.places
        return all(self.table[at] is None for at in set(self.places))


Piece = list[Any] | Coded


def blank_column(count: int) -> Coded:
    """A column of `count` blank cells: a byte a cell, not a list's reference (Savings' ledger
    columns in its record being made, 192,000 cells each at four quarters of 240 returns)."""
    return Coded([None], array("B", bytes(count)))


def head_of(column: Sequence[Any], count: int) -> Any:
    """A column's first `count` cells: a Coded's head (its table shared), a list's slice."""
    return column.head(count) if isinstance(column, Coded) else column[:count]


class Joined(Sequence[Any]):
    """A column as the values of the rows copied from the old master (`head`: the very list
    their sheetrow.Copied holds, shared, not copied) then the others' (`tail`): Savings' record
    made of a master of four quarters at 240 returns held 23 columns of 240,000 values beside
    the 192,000 copied rows' own (40 MB). Answers as the list of both would; a cell of the
    head set (a formula's saved value) sets it in a copy of the head, never the Copied's."""

    __slots__ = ("head", "shared", "tail")

    def __init__(self, head: Sequence[Any], tail: list[Any]) -> None:
        self.head = head
        self.tail = tail
        self.shared = True  # (the head is still the Copied's)

    def __len__(self) -> int:
        return len(self.head) + len(self.tail)

    def __iter__(self) -> Iterator[Any]:
        return itertools.chain(self.head, self.tail)

    def __getitem__(self, index: Any) -> Any:
        first = len(self.head)
        if isinstance(index, slice):  # (the head's or the tail's alone not made whole first)
            start, stop, step = index.indices(len(self))
            if step == 1 and start <= stop <= first:
                return self.head[start:stop]
            if step == 1 and first <= start <= stop:
                return self.tail[start - first:stop - first]
            return self.values()[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.head[index] if index < first else self.tail[index - first]

    def __setitem__(self, index: int, value: Any) -> None:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        first = len(self.head)
        if index >= first:
            self.tail[index - first] = value
            return
        head = self.head
        if self.shared:
            head = self.head = list(head)
            self.shared = False
        cast("list[Any]", head)[index] = value  # (made a list above)

    def __contains__(self, value: Any) -> bool:
        return value in self.head or value in self.tail

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Joined):
            other = other.values()
        return self.values() == other

    __hash__ = None  # type: ignore[assignment]

    def count(self, value: Any) -> int:
        return self.head.count(value) + self.tail.count(value)

    def values(self) -> list[Any]:
        """Every cell, as a list (made: the head's and the tail's references)."""
        return [*self.head, *self.tail]


def kinds_of(pieces: Sequence[Piece]) -> set[type]:
    found: set[type] = set()
    for piece in pieces:
        if isinstance(piece, Coded) and isinstance(piece.table, Texts):
            found.add(str)  # (texts, every one)
        else:
            found.update(map(type, piece.table if isinstance(piece, Coded) else piece))
    return found


def encode(pieces: Sequence[Piece], text: bool = True) -> list[Any] | None:
    """The column made of `pieces` (lists of cells, or Coded columns, one after the other) as
    [table, places]; None when it holds a value of a kind not listed above, or a float that is
    not finite. `text`: the places in base64 as a text, else as its ASCII bytes (put in JSON
    as they are: no character of base64 is escaped there)."""
    kinds = kinds_of(pieces)
    if not kinds <= _BLANK_KINDS:
        return None
    lists = [piece for piece in pieces if not isinstance(piece, Coded)]
    tables = [piece.table for piece in pieces
              if isinstance(piece, Coded) and not isinstance(piece.table, Texts)]
    if float in kinds and not all(map(all_finite, (*lists, *tables))):
        return None
    typed = float in kinds and (bool in kinds or any(map(has_negative_zero, (*lists, *tables))))
    index: dict[Any, int] = {}  # each value's (or its key's: typed) place in the table
    one = None if typed else one_table(pieces, largest)  # (packed, each piece's places as is)
    table: list[Any] = [] if one is None else one
    # a Coded piece's places made the table's (None: as is)
    moves: list[list[int] | None] = [] if one is None else [None] * len(pieces)
    for piece in pieces if one is None else ():
        if isinstance(piece, Coded) and not table and not typed:
            # the first piece's table as it is, up to the last value it uses (a column's table
            # is in the order its values are first met: a head of it uses the first values)
            size = largest(piece.places) + 1 if piece.places else 0
            table = listed(piece.table)[:size]
            index = dict(zip(table, range(size), strict=True))
            if len(index) == size:
                moves.append(None)
                continue
            index, table = {}, []
        if isinstance(piece, Coded):  # the values its places use (a head of a column may not
            used = sorted(set(piece.places))  # use all), in the order first met
            values = list(map(listed(piece.table).__getitem__, used))
        else:  # (typed: every value, as dict.fromkeys would take -0.0 for 0.0, True for 1.0)
            values = piece if typed else list(dict.fromkeys(piece))
        for value in values:
            key = typed_key(value) if typed else value
            if key not in index:
                index[key] = len(table)
                table.append(value)
        if isinstance(piece, Coded):
            moved = [0] * len(piece.table)
            for at, value in zip(used, values, strict=True):
                moved[at] = index[typed_key(value) if typed else value]
            moves.append(moved)
    code = _code(len(table))
    if code is None:
        return None
    places = array(code)  # (the table's size known: each place of its width at once)
    coded_moves = iter(moves)
    for piece in pieces:
        if isinstance(piece, Coded):
            move = next(coded_moves)
            if move is not None:  # each place made the table's: a map in C
                places.extend(map(move.__getitem__, piece.places))
            elif piece.places.typecode == code:
                places += piece.places
            else:  # (as they are, of another width)
                places.fromlist(piece.places.tolist())
        elif typed:
            places.extend(index[typed_key(v)] for v in piece)
        else:
            places.extend(map(index.__getitem__, piece))
    if _SWAP:
        places.byteswap()
    coded = base64.b64encode(places)  # (of its own bytes: not copied first)
    del places
    return [[[v.year, v.month, v.day] if v.__class__ is dt.date else v for v in table],
            coded.decode("ascii") if text else coded]


#: places from which `largest` takes numpy (when loaded) rather than Python's max
NUMPY_FROM = 4096


def largest(places: array[int]) -> int:
    """The largest of `places` (not empty). numpy's, when this process has loaded it (a
    consolidate that copies rows loads it: master/order.py): 0.2 ms against Python's max 55 ms
    for the 1.9 million places of a record's columns at four quarters of 60 returns, decoded
    as the master is read and encoded again for the master written."""
    numpy = sys.modules.get("numpy")
    if numpy is None or len(places) < NUMPY_FROM:
        return max(places)
    # (the places' own bytes, unsigned, in this machine's order: array's)
    return int(numpy.frombuffer(places, dtype=f"=u{places.itemsize}").max())


def floats_of(values: Sequence[Any]) -> Iterator[float]:
    """The floats among `values` (not bools, nor ints), picked out in C: Savings' 240,000-row
    columns at 240 returns are checked several times over as a record is made."""
    return itertools.compress(values, map(operator.is_, map(type, values),
                                          itertools.repeat(float)))


def all_finite(values: Sequence[Any]) -> bool:
    """Whether no float among `values` is infinite or NaN."""
    return all(map(math.isfinite, floats_of(values)))


def has_negative_zero(values: list[Any]) -> bool:
    """Whether -0.0 is among `values`: of the values equal to 0 (floats, ints, False), the
    one whose sign is minus; in C."""
    zeros = itertools.compress(values, map(operator.eq, values, itertools.repeat(0.0)))
    return any(map(operator.lt, map(math.copysign, itertools.repeat(1.0), zeros),
                   itertools.repeat(0.0)))


def typed_key(value: Any) -> Any:
    """A value's key in a table kept apart by type and sign (True from 1.0, -0.0 from 0.0)."""
    if value.__class__ is float:
        return float, value, math.copysign(1.0, value)
    return value.__class__, value, 0.0


def decode(found: Any, count: int, kinds: frozenset[type]) -> list[Any] | None:
    """The column of `count` cells in its entry `found` (decode_coded), or None."""
    coded = decode_coded(found, count, kinds)
    return None if coded is None else coded.values()


def decode_coded(found: Any, count: int, kinds: frozenset[type]) -> Coded | None:
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
    if places and largest(places) >= len(table):
        return None
    return Coded(packed(table), places)


_BAD = object()


def _date(value: list[Any]) -> Any:
    if len(value) != 3 or any(type(v) is not int for v in value):
        return _BAD
    try:
        return dt.date(*value)
    except (ValueError, OverflowError):  # (a year past what a C long holds: OverflowError)
        return _BAD
