"""Validation results as data: findings, a return's verdict, and a whole run.

The console output, the report, the feedback files and `consolidate` all come from these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from pathlib import Path
from typing import Any, overload

from workbook_tools.files.spool import Place, Spool
from workbook_tools.quarters import Quarter


class Severity(StrEnum):
    ERROR = "Error"
    WARNING = "Warning"


class Verdict(StrEnum):
    """A return's verdict (a member equals its text, as the master and the report show it)."""

    ACCEPTED = "Accepted"
    ACCEPTED_WITH_WARNINGS = "Accepted with warnings"
    REJECTED = "Rejected"
    SUPERSEDED = "Superseded"
    NOT_A_RETURN = "Not a return"  # lock files, non-workbooks, unreadable files
    NOT_RECEIVED = "Not received"  # used by status and the Submissions sheet


ACCEPTED = Verdict.ACCEPTED
ACCEPTED_WITH_WARNINGS = Verdict.ACCEPTED_WITH_WARNINGS
REJECTED = Verdict.REJECTED
SUPERSEDED = Verdict.SUPERSEDED
NOT_A_RETURN = Verdict.NOT_A_RETURN
NOT_RECEIVED = Verdict.NOT_RECEIVED
#: The verdicts that put a return's figures in the master.
ACCEPTED_VERDICTS = (ACCEPTED, ACCEPTED_WITH_WARNINGS)


@dataclass(frozen=True)
class Finding:
    severity: Severity
    file: str
    directorate: str
    sheet: str
    cell: str       # 'F12' (the sheet is separate); '' when the finding is about the whole file
    code: str       # stable rule code, e.g. 'value-missing'
    message: str    # plain English, says what to do

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def as_dict(self) -> dict[str, str]:
        return {"severity": self.severity.value, "file": self.file,
                "directorate": self.directorate, "sheet": self.sheet, "cell": self.cell,
                "code": self.code, "message": self.message}


class RowTable(Sequence[dict[str, Any]]):
    """A sheet's typed rows as a return's result holds them once it has come back from the
    worker process that read it: the keys once, and each row's values in their order.

    A dict per row held the same keys 240,000 times at 240 returns (150 MB in the process
    that collects the results). Reading it gives each row as a dict, made afresh on each read
    (changing one changes nothing here); `keys` and `values` are the rows themselves."""

    __slots__ = ("keys", "values")

    def __init__(self, keys: tuple[str, ...], values: list[tuple[Any, ...]]) -> None:
        self.keys = keys
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [dict(zip(self.keys, v, strict=True)) for v in self.values[index]]
        return dict(zip(self.keys, self.values[index], strict=True))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        keys = self.keys
        return (dict(zip(keys, v, strict=True)) for v in self.values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (equal to a list of the same dicts)

    def __repr__(self) -> str:
        return f"RowTable({list(self)!r})"

    @classmethod
    def of(cls, rows: Sequence[dict[str, Any]], texts: dict[str, str]) -> RowTable | None:
        """`rows` as a table, each text among their values held once through `texts` (None when
        the rows do not all have the same keys).

        Made in C a column at a time (itemgetter, zip), the texts looked up only in the columns
        that hold any: a worker makes one for each sheet of every return it sends back."""
        if isinstance(rows, RowTable):
            return rows
        if not rows:
            return cls((), [])
        keys = tuple(rows[0])
        width = len(keys)
        # the same keys in every row: as many (len), and each of them there (itemgetter)
        if not width or any(size != width for size in map(len, rows)):
            return None
        try:
            if width == 1:
                columns: list[Any] = [list(map(itemgetter(keys[0]), rows))]
            else:
                columns = list(zip(*map(itemgetter(*keys), rows), strict=True))
        except KeyError:
            return None
        shared = texts.setdefault
        for at, column in enumerate(columns):
            if str in set(map(type, column)):
                columns[at] = [shared(v, v) if v.__class__ is str else v for v in column]
        return cls(keys, list(zip(*columns, strict=True)))


@dataclass
class ReturnData:
    """What a readable return holds, typed and normalised.

    `rows[sheet]` is one dict per item keyed by layout column key (`id`, `actual`, `rag`, ...),
    plus `_row` (its Excel row). Numbers are floats (percentages in points), dates are
    `datetime.date`, text is `str`, missing is None. Derived values (`rag`, `direction`,
    `score`, `variance`) are computed by rules.py, never taken from cached formula results.

    Sent from a worker process (pickled), each sheet's rows travel, and are then kept, as a
    RowTable, each text the return repeats (a unit, a status, an objective) once.
    """

    directorate: str
    quarter: Quarter
    meta: dict[str, str]
    cover: dict[str, Any]  # 'Completed by', 'Approved by', 'Date'
    rows: dict[str, Sequence[dict[str, Any]]] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self.rows.__class__ is not SpooledTables:  # (those travel as their places)
            state["rows"] = _packed(self.rows)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state["rows"].__class__ is not SpooledTables:
            state["rows"] = {sheet: _unpacked(rows) for sheet, rows in state["rows"].items()}
        self.__dict__.update(state)


def _packed(rows: dict[str, Sequence[dict[str, Any]]]) -> dict[str, Any]:
    """Each sheet's rows as a RowTable's keys and values (as they travel and are kept)."""
    texts: dict[str, str] = {}
    return {sheet: (table.keys, table.values)
            if (table := RowTable.of(found, texts)) is not None else found
            for sheet, found in rows.items()}


def _unpacked(rows: Any) -> Any:
    return RowTable(*rows) if isinstance(rows, tuple) else rows


class SpooledTables(dict):  # type: ignore[type-arg]
    """A return's typed rows by sheet (ReturnData.rows) kept in a spool (files/spool.py) by the
    worker that read it, each sheet's read back when taken (`pop`, or read as a dict's values
    are). Sent to another process as where they are."""

    def __init__(self, spool: Spool, places: dict[str, Place]) -> None:
        super().__init__(places)
        self.spool = spool

    @classmethod
    def kept(cls, rows: dict[str, Sequence[dict[str, Any]]], spool: Spool) -> SpooledTables:
        return cls(spool, {sheet: spool.put(found) for sheet, found in _packed(rows).items()})

    def __getitem__(self, sheet: str) -> Any:
        return _unpacked(self.spool.get(super().__getitem__(sheet)))

    def get(self, sheet: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[sheet] if sheet in self else default

    def pop(self, sheet: str, default: Any = None) -> Any:  # type: ignore[override]
        if sheet not in self:
            return default
        return _unpacked(self.spool.get(super().pop(sheet)))

    def values(self) -> Any:
        return [self[sheet] for sheet in self]

    def items(self) -> Any:
        return [(sheet, self[sheet]) for sheet in self]

    def __reduce__(self) -> Any:
        return _spooled, (self.spool.folder, dict(super().items()))


def _spooled(folder: str, places: dict[str, Place]) -> SpooledTables:
    return SpooledTables(Spool.of(folder), places)


@dataclass
class ReturnResult:
    path: Path
    sha256: str
    received: dt.datetime            # the file's modification time
    status: Verdict
    findings: list[Finding] = field(default_factory=list)
    directorate: str | None = None
    quarter: str | None = None
    data: ReturnData | None = None   # None when the file could not be read as a return
    superseded_by: Path | None = None
    rows: int = 0  # item rows read (measures, actions, savings, risks), kept when data is not

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED_VERDICTS

    @property
    def completed_by(self) -> str:
        return str(self.data.cover.get("Completed by") or "") if self.data else ""

    @property
    def approved_by(self) -> str:
        return str(self.data.cover.get("Approved by") or "") if self.data else ""


@dataclass
class ValidationRun:
    quarter: Quarter | None
    results: list[ReturnResult] = field(default_factory=list)

    @property
    def accepted(self) -> list[ReturnResult]:
        return [r for r in self.results if r.accepted]

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    @property
    def exit_code(self) -> int:
        """0 when every return is accepted; 1 when any was rejected or unreadable.

        A file with only warnings (Excel's lock file beside an open return) is reported but
        does not fail the run: someone having a return open is not a problem with the data.
        """
        return 1 if any(r.status == REJECTED or (r.status == NOT_A_RETURN and r.errors)
                        for r in self.results) else 0

    @property
    def verdicts(self) -> str:
        """'3 accepted, 1 rejected': each verdict with its count (they add up to the files)."""
        order = (ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED, SUPERSEDED, NOT_A_RETURN)
        counts = {s: sum(1 for r in self.results if r.status == s) for s in order}
        return ", ".join(f"{n} {status.lower()}" for status, n in counts.items() if n)

    @property
    def council(self) -> str:
        """The council the returns are from, as their own `_meta` says ('' when none says)."""
        return next((str(r.data.meta.get("Council", "")) for r in self.results
                     if r.data is not None and r.data.meta.get("Council")), "")
