"""A table of distinct texts kept as one text and where each ends (issue 16): the table of a
record's column (master/columncode.py's Coded) of IDs, decoded from the master's record as the
master is read and held to the end of a consolidate, for the next record.

Why: a list of texts holds an object of each (49 bytes and its characters, and the list's 8
for it): at four quarters of 240 returns, the IDs of Measures, Actions, Risks and Savings and
Savings' proposals are 288,000 distinct texts, 19 MB as objects against 4 MB kept so, in every
phase of the run after the read. A text is made again only when it is read (`values`: every
one at once, in C, for as long as they are gone through)."""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Any

#: the type code of 4 bytes an end
_ENDS = "L" if array("L").itemsize == 4 else "I"
#: the fewest texts a table is packed from (a few hundred: as well a list)
PACK_FROM = 1024


class Texts(Sequence[str]):
    """Texts read as the list of them would be (read only): `text`, all of them one after the
    other, and `ends`, where each ends in it."""

    __slots__ = ("ends", "text")

    def __init__(self, text: str, ends: array[int]) -> None:
        self.text = text
        self.ends = ends

    @classmethod
    def of(cls, values: list[Any]) -> Texts | None:
        """`values` packed, when they are texts (None when any is not, or they are too long
        between them for an end of 4 bytes)."""
        if not all(v.__class__ is str for v in values):
            return None
        text = "".join(values)
        if len(text) >= 1 << 32:
            return None
        return cls(text, array(_ENDS, itertools.accumulate(map(len, values))))

    def __len__(self) -> int:
        return len(self.ends)

    def values(self) -> list[str]:
        """Every text, as a list (made in C)."""
        ends = self.ends
        return list(map(self.text.__getitem__, map(slice, itertools.chain((0,), ends), ends)))

    def __iter__(self) -> Iterator[str]:
        return iter(self.values())

    def head(self, count: int) -> Texts:
        """The first `count` texts (this very table when they are all)."""
        if count >= len(self.ends):
            return self
        return Texts(self.text[:self.ends[count - 1]] if count > 0 else "",
                     self.ends[:max(count, 0)])

    def between(self, start: int, stop: int) -> list[str]:
        """The texts from `start` up to `stop`, made (only those)."""
        ends = self.ends
        stop = min(stop, len(ends))
        if start >= stop:
            return []
        starts = itertools.chain((ends[start - 1] if start else 0,), ends[start:stop - 1])
        return list(map(self.text.__getitem__, map(slice, starts, ends[start:stop])))

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):  # (a list, as a list's slice is)
            return self.values()[index]
        ends = self.ends
        if index < 0:
            index += len(ends)
        if not 0 <= index < len(ends):
            raise IndexError(index)
        return self.text[ends[index - 1] if index else 0:ends[index]]

    def __contains__(self, value: object) -> bool:
        return value in self.values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Texts):
            return self.text == other.text and self.ends == other.ends
        if isinstance(other, list):
            return self.values() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def listed(table: Sequence[Any]) -> list[Any]:
    """A table as a list: itself when one, else its values made."""
    return table if table.__class__ is list else list(
        table.values() if isinstance(table, Texts) else table)


def packed(table: list[Any]) -> list[Any] | Texts:
    """A decoded table packed (Texts) when it is of PACK_FROM texts or more, else as it is."""
    if len(table) < PACK_FROM:
        return table
    return Texts.of(table) or table


def one_table(pieces: Sequence[Any], largest: Callable[[Any], int]) -> list[str] | None:
    """The table of a column made of `pieces` (master/columncode.py's encode) when each is a
    coded column whose texts are packed and each after the first holds the first's first texts
    in the same order (the same IDs again in a later quarter, met in the register's order): the
    first's table up to the last text its places use, every piece's places then meaning the
    same as they are. None otherwise. Told in C, by the texts' ends and characters, rather than
    by making each text and looking it up (a quarter's Savings IDs at 240 returns: 48,000 texts
    and a dict of them, twice, for a column whose places are then taken as they are)."""
    first = pieces[0] if pieces else None
    head = getattr(first, "table", None)
    if not isinstance(head, Texts) or not all(
            isinstance(getattr(piece, "table", None), Texts) for piece in pieces):
        return None
    size = largest(first.places) + 1 if first.places else 0  # type: ignore[union-attr]
    for piece in pieces[1:]:
        texts = piece.table
        count = len(texts.ends)
        if count > size or count and (head.ends[:count] != texts.ends
                                      or not head.text.startswith(texts.text)):
            return None
    return head.values()[:size]
