"""A sound register's plan kept by content, so that the next command to load the same register
(validate, consolidate, generate, summarise: each loads it before anything else) builds the plan
from a small JSON file instead of the guard's scan, calamine and the checks (a national register
of 60,000 items: about 0.1 s instead of 0.9 s).

It cannot go stale: an entry is named by the SHA-256 of the register's bytes, of this tool's own
source and of the Python and python-calamine it runs on, so any change to any of them misses; the
register is hashed again after it is read and the entry written only when the bytes did not
change meanwhile; and an entry is written only when reading it back gives exactly the same plan.
Only a plan with no problems is kept: a register with problems is read and checked every time.

It cannot be forged from the working folder or a file someone sent: entries live in the user's
own cache folder (WORKBOOK_TOOLS_CACHE, else ~/.cache/workbook-tools or %LOCALAPPDATA%), which
is used only while it belongs to the user and no one else can write to it. An entry is parsed as
JSON and every field's type checked; anything unexpected is ignored, the register read as usual.
WORKBOOK_TOOLS_CACHE=off turns it off.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import operator
import os
from collections import deque
from collections.abc import Callable
from dataclasses import fields
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any

import orjson

from workbook_tools.files import cachefolder
from workbook_tools.files.cachefolder import private
from workbook_tools.files.package import DEFAULT_LIMITS, sha256_of
from workbook_tools.plan.model import (
    Action,
    Directorate,
    Measure,
    Objective,
    Plan,
    Risk,
    Saving,
    Settings,
    Theme,
)

FORMAT = 2  # raised when the layout of an entry changes
KEEP = 32  # entries kept at most, the most recently used,
KEEP_BYTES = 256 * 1024 * 1024  # and bytes between them (a 240,000-item register's: 25 MB)

S, F, INT, N = (str,), (float,), (int,), (type(None),)
#: Each part of the plan: its class, and the types each field may have in an entry.
SHAPES: tuple[tuple[str, type, tuple[tuple[type, ...], ...]], ...] = (
    ("themes", Theme, (S, S)),
    ("objectives", Objective, (S, S, S, S)),
    ("directorates", Directorate, (S, S, S, S)),
    ("measures", Measure, (S, S, S, S, S, S, S, (list,), F + N, S)),
    ("actions", Action, (S, S, S, S, S, S + N)),  # the due date as ISO text
    ("savings", Saving, (S, S, S + N, S, S + N, F, S)),
    ("risks", Risk, (S, S, S, S, INT + N, INT + N)),
)
KINDS = tuple((name, kind, tuple(frozenset(types) for types in shape))
              for name, kind, shape in SHAPES)
SETTINGS_SHAPE = (str, str, float, float, int, str)


def folder() -> Path | None:
    """Where entries are kept, or None when the cache is off (files/cachefolder.py)."""
    return cachefolder.folder("plans")


@cache
def code_digest() -> str:
    """The tool's own source, the Python and the python-calamine that turn a register's bytes
    into a plan: an entry made by any other is never used (a copy installed as compiled files
    only is named by those, as the record of masters is)."""
    return cachefolder.source_digest(f"plans {FORMAT} {calamine_version()}")


def calamine_version() -> str:
    """The python-calamine installed, by the name of its dist-info folder beside it
    (`python_calamine-0.9.1.dist-info`: the name and version importlib.metadata reads), found
    without importing importlib.metadata, 15 ms of every command that loads the register.
    Installed any other way, by importlib.metadata."""
    import importlib.util

    spec = importlib.util.find_spec("python_calamine")
    if spec is None or spec.origin is None:
        return "no python-calamine"
    found = sorted(p.name for p in Path(spec.origin).parent.parent.glob(
        "python_calamine-*.dist-info"))
    if found:
        return " ".join(found)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("python-calamine")
    except PackageNotFoundError:
        return "no python-calamine"


def file_digest(path: Path) -> str | None:
    """The register's SHA-256; None when it is not a file of a size a register may be (reading
    it as usual then says why: the guard's limit comes before any read, a hash included)."""
    try:
        if not path.is_file() or path.stat().st_size > DEFAULT_LIMITS.max_file_bytes:
            return None
        return sha256_of(path)
    except OSError:
        return None


class Entry:
    """The cache entry for one register's bytes (as loaded with or without its items)."""

    def __init__(self, register: Path, digest: str, place: Path, items: bool) -> None:
        self.register = register
        self.digest = digest
        self.place = place
        self.path = self.named("items" if items else "head")

    def named(self, kind: str) -> Path:
        """The entry of one kind for these bytes ('items', 'head', 'directorates')."""
        return self.place / f"{self.digest}-{code_digest()[:24]}-{kind}.json"

    @classmethod
    def of(cls, register: Path, items: bool) -> Entry | None:
        """The entry for the register as it is now; None when the cache is off or the register
        cannot be read (reading it as usual then says why)."""
        place = folder()
        if place is None:
            return None
        digest = file_digest(register)
        return None if digest is None else cls(register, digest, place, items)

    def recall(self) -> Plan | None:
        """The plan kept for these bytes, or None when there is none to trust."""
        if not private(self.place):
            return None
        try:
            text = cachefolder.read_own(self.path)  # the user's own file, not a link
            plan = decode(orjson.loads(text), self.register)  # (json's: 19 against 7 ms)
        except (OSError, ValueError, TypeError, KeyError, IndexError):
            return None
        if plan is not None:
            try:
                os.utime(self.path)  # recently used: kept when older entries are removed
            except OSError:
                pass
        return plan

    def keep(self, plan: Plan) -> None:
        """Keep a sound plan read from these bytes (nothing when the register changed while it
        was read, or the entry would not give back exactly this plan)."""
        if file_digest(self.register) != self.digest:
            return
        data = encode(plan)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        if decode(json.loads(text), plan.path) != plan:
            return
        cachefolder.keep_entry(self.path, text, KEEP, KEEP_BYTES)


def encode(plan: Plan) -> dict[str, Any]:
    """The plan as an entry: each part by field, a column of values each, and for the fields
    whose values repeat (SHARED) the distinct values once and each item's place among them."""
    data: dict[str, Any] = {"settings": list(_values(Settings)(plan.settings))}
    for name, kind, _ in KINDS:
        data[name] = encode_part(kind, getattr(plan, name))
    return data


def encode_part(kind: type, items: Any) -> dict[str, Any]:
    """One part's items (all of a kind) as an entry's columns."""
    columns: dict[str, Any] = {}
    for field_name in (f.name for f in fields(kind)):
        column = [getattr(item, field_name) for item in items]
        if field_name == "due_date":
            column = [None if d is None else d.isoformat() for d in column]
        if field_name == "targets":
            column = [list(t) for t in column]
        if field_name in SHARED:
            places: dict[Any, int] = {}
            distinct: list[Any] = []
            at = []
            for value in column:
                key = _key(value)
                if key not in places:
                    places[key] = len(distinct)
                    distinct.append(value)
                at.append(places[key])
            columns[field_name] = {"values": distinct, "at": at}
        else:
            columns[field_name] = column
    return columns


def _key(value: Any) -> Any:
    """What a value is shared by: itself, a list of targets as a tuple with the sign of each
    zero (so -0.0 stays as it was typed)."""
    if value.__class__ is list:
        return tuple((t, math.copysign(1.0, t)) if t == 0 else t for t in value)
    return value


def decode(data: dict[str, Any], path: Path | None) -> Plan | None:
    """The plan in an entry, or None when any field is not of its type."""
    settings = data["settings"]
    if (len(settings) != len(SETTINGS_SHAPE)
            or any(type(v) is not t for v, t in zip(settings, SETTINGS_SHAPE, strict=True))):
        return None
    parts: dict[str, tuple[Any, ...]] = {}
    for name, kind, shape in KINDS:
        items = made(kind, shape, data[name])
        if items is None:
            return None
        parts[name] = items
    return Plan(Settings(*settings), **parts, path=path)


def _values(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    """An item's fields' values, in their order."""
    names = [f.name for f in fields(kind)]
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else lambda item: (get(item),)


#: The fields whose values repeat from item to item (a directorate's code, a unit, a polarity,
#: an owner): an entry holds each distinct value once, and the plan one text, date or tuple of
#: targets for all the items that share it. Held once per item, as JSON rows of values gave
#: them, a 240,000-item register took 175 MB; parsing those rows, 250 MB at its peak.
SHARED = frozenset({"objective_code", "directorate_code", "unit", "polarity", "frequency",
                    "targets", "measure_type", "lead_officer", "due_date", "type",
                    "carried_from", "owner"})


def made(kind: type, shape: tuple[frozenset[type], ...], part: Any) -> tuple[Any, ...] | None:
    """Items of a frozen dataclass with slots made from an entry's columns, the way pickle
    makes them (its __init__ sets each field through object.__setattr__: slower); None when
    a column is not of its field's type or length."""
    names = [f.name for f in fields(kind)]
    if type(part) is not dict or set(part) != set(names):
        return None
    columns = []
    for name, types in zip(names, shape, strict=True):
        column = _column(part[name], types, name in SHARED, _CONVERT.get(name))
        if column is None:
            return None
        columns.append(column)
    if len({len(c) for c in columns}) != 1:
        return None
    # every item made bare, then each field set down its column: the loops run in C (map
    # over the slot's setter), not a Python loop per item and field (twice as slow)
    items: tuple[Any, ...] = tuple(map(object.__new__, repeat(kind, len(columns[0]))))
    for name, column in zip(names, columns, strict=True):
        deque(map(getattr(kind, name).__set__, items, column), maxlen=0)
    return items


def _column(found: Any, types: frozenset[type], shared: bool,
            convert: Callable[[Any], Any] | None) -> list[Any] | None:
    """A field's values from an entry (None when not of their types): a list of them, or for
    a shared field the distinct values, converted once each, and each item's place."""
    if shared:
        if type(found) is not dict or set(found) != {"values", "at"}:
            return None
        values, at = found["values"], found["at"]
        if type(values) is not list or type(at) is not list:
            return None
        # (the types gathered by map in C: a Python loop over 60,000 places was most of this)
        if not set(map(type, values)) <= types or not set(map(type, at)) <= {int}:
            return None
        if at and min(at) < 0:  # (a place past the end is found as the column is made)
            return None
        if convert is not None:
            values = [convert(v) for v in values]
            if _BAD in values:
                return None
        try:
            return list(map(values.__getitem__, at))
        except IndexError:  # a place past the end of the values
            return None
    if type(found) is not list or not set(map(type, found)) <= types:
        return None
    return found


_BAD = object()


def _targets(value: list[Any]) -> Any:
    if len(value) != 4 or any(t is not None and type(t) is not float for t in value):
        return _BAD
    return tuple(value)


def _due_date(value: str | None) -> Any:
    return None if value is None else dt.date.fromisoformat(value)


_CONVERT: dict[str, Callable[[Any], Any]] = {"targets": _targets, "due_date": _due_date}
