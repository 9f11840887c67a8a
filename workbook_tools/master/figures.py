"""Last quarter's figures by ID, kept small (issue 16): what history.context_of gives a
consolidate to check the returns' changes against.

Why: a dict of IDs holds an object of each ID (49 bytes and its characters) and 24 to 48 bytes
of table for it, for each of a Context's five dicts. At four quarters of 240 returns they were
94,000 measures thrice and 24,000 risks, 18 MB (12 MB of dicts and 6 MB of IDs) held beside the
validating workers through the whole run of the returns. Here the IDs are packed once for the
figures that share them (packedtexts.Texts), in the order of their hashes, and found by their
hash: the hashes in an array (8 bytes an ID), the figures in a list each (8): 7 MB in all. A
lookup finds the hash by bisection (in C) and checks the text there is the one asked for: two
IDs of one hash are both kept and told apart. The next lookup of the same ID (last quarter's
target after its actual) is not looked for again."""

from __future__ import annotations

import itertools
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from workbook_tools.master.packedtexts import Texts

#: the fewest rows whose figures are kept as Figures (fewer: dicts, which cost little then);
#: looked up as called (a test sets it to 0)
COMPACT_FROM = 1024
_MISSING = object()


class KeyIndex:
    """Distinct texts found by their hash: `texts` in the order of their hashes, packed (a list
    only when too long between them to pack), and `hashes`, those hashes."""

    __slots__ = ("_last", "hashes", "texts")

    def __init__(self, texts: Sequence[str], hashes: array[int]) -> None:
        self.texts, self.hashes = texts, hashes
        self._last: tuple[Any, int] = (None, -1)  # (the key last found, where): asked in turn

    def find(self, key: Any) -> int:
        """Where `key` is among the texts; -1 when it is not (or is not a text)."""
        last, at = self._last
        if key is last:
            return at
        at = -1
        if isinstance(key, str):
            hashes, value = self.hashes, hash(key)
            i = bisect_left(hashes, value)
            while i < len(hashes) and hashes[i] == value:
                if self.texts[i] == key:
                    at = i
                    break
                i += 1
        self._last = (key, at)
        return at


class Figures(Mapping[str, Any]):
    """A figure by ID, read as the dict of them would be: the IDs' `index` (shared by the
    figures of one sheet) and `values`, each ID's figure or None where it has none (and is then
    not among the keys)."""

    __slots__ = ("index", "values_")

    def __init__(self, index: KeyIndex, values: list[Any]) -> None:
        self.index, self.values_ = index, values

    def get(self, key: Any, default: Any = None) -> Any:
        at = self.index.find(key)
        if at < 0:
            return default
        value = self.values_[at]
        return default if value is None else value

    def __getitem__(self, key: Any) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def __iter__(self) -> Iterator[str]:
        return itertools.compress(self.index.texts, (v is not None for v in self.values_))

    def __len__(self) -> int:
        return len(self.values_) - self.values_.count(None)

    def __repr__(self) -> str:
        return f"Figures({dict(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent to another process as the dict it reads as: a text's hash is this process's
        own (Python seeds it afresh in each process it starts, as spawn does)."""
        return dict, (dict(self),)


def figures_by_id(keys: list[str], columns: Sequence[list[Any]]
                  ) -> list[dict[str, Any]] | list[Figures]:
    """Each of `columns` as a figure by ID: `keys` the rows' IDs (stripped, none blank) and a
    column each row's figure in it or None; where an ID is on more than one row, its figure is
    the last row's that has one (as a dict filled row by row, skipping None, would hold). Dicts
    when the rows are fewer than COMPACT_FROM, else Figures sharing one KeyIndex."""
    if len(keys) < COMPACT_FROM:
        found: list[dict[str, Any]] = [{} for _ in columns]
        for into, column in zip(found, columns, strict=True):
            for key, value in zip(keys, column, strict=True):
                if value is not None:
                    into[key] = value
        return found
    import numpy as np

    hashes = np.fromiter(map(hash, keys), np.int64, len(keys))
    order = np.argsort(hashes, kind="stable")  # (rows of one hash in their order)
    hashes = hashes[order]
    alike = np.flatnonzero(hashes[1:] == hashes[:-1])  # (an ID on more rows, or one hash)
    if not len(alike):
        rows = order.tolist()
        texts = list(map(keys.__getitem__, rows))
        values = [list(map(column.__getitem__, rows)) for column in columns]
    else:
        texts, values, kept = _merged(keys, columns, order.tolist(), hashes)
        hashes = hashes[kept]
    del order
    index = KeyIndex(Texts.of(texts) or texts, array("q", hashes.tobytes()))
    return [Figures(index, column) for column in values]


def _merged(keys: list[str], columns: Sequence[list[Any]], rows: list[int], hashes: Any
            ) -> tuple[list[str], list[list[Any]], list[int]]:
    """The IDs in the order of their hashes (the rows in that order, `rows`, and the hashes so
    ordered) with each ID's rows made one (each figure the last that is not None), and which
    of the ordered hashes is each ID's."""
    texts: list[str] = []
    values: list[list[Any]] = [[] for _ in columns]
    kept: list[int] = []
    hashed = hashes.tolist()
    start = 0
    while start < len(rows):
        stop = start + 1
        while stop < len(rows) and hashed[stop] == hashed[start]:
            stop += 1
        seen: dict[str, int] = {}  # (an ID's place among those kept, within one hash)
        for row in rows[start:stop]:
            key = keys[row]
            at = seen.get(key)
            if at is None:
                at = seen[key] = len(texts)
                texts.append(key)
                kept.append(start)
                for into in values:
                    into.append(None)
            for into, column in zip(values, columns, strict=True):
                if column[row] is not None:
                    into[at] = column[row]
        start = stop
    return texts, values, kept
