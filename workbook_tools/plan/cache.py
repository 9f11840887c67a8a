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
import hashlib
import json
import os
import stat
import sys
import tempfile
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

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

CACHE_VARIABLE = "WORKBOOK_TOOLS_CACHE"
FORMAT = 1  # raised when the layout of an entry changes
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
    """Where entries are kept, or None when the cache is off."""
    setting = os.environ.get(CACHE_VARIABLE, "").strip()
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        base = Path(setting)
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        base = base / "workbook-tools"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "workbook-tools"
    return base / "plans"


def private(place: Path) -> bool:
    """Whether a folder is the user's own and no one else can write to it."""
    try:
        info = place.stat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if hasattr(os, "getuid"):
        return info.st_uid == os.getuid() and not info.st_mode & 0o022
    return True  # Windows: the user's local application data is the user's own


@cache
def code_digest() -> str:
    """The tool's own source, the Python and the python-calamine that turn a register's bytes
    into a plan: an entry made by any other is never used."""
    from importlib.metadata import PackageNotFoundError, version

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{FORMAT} {sys.version}".encode())
    try:
        digest.update(version("python-calamine").encode())
    except PackageNotFoundError:
        digest.update(b"no python-calamine")
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


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
        self.path = place / (f"{digest}-{code_digest()[:24]}-{'items' if items else 'head'}"
                             ".json")

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
            text = self.path.read_bytes()
            plan = decode(json.loads(text), self.register)
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
        try:
            self.place.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not private(self.place):
                return
            handle, name = tempfile.mkstemp(dir=self.place, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(name, self.path)
            prune(self.place)
        except OSError:
            pass  # a cache that cannot be written is only slower


def prune(place: Path) -> None:
    """Remove the least recently used entries beyond KEEP of them or KEEP_BYTES between them
    (the newest is always kept); a temporary file left by a process that stopped goes with
    them once it is that old."""
    entries = []
    for path in place.iterdir():
        try:
            info = path.stat()
        except OSError:
            continue
        entries.append((info.st_mtime, info.st_size, path))
    entries.sort(reverse=True)
    total = 0
    for index, (_, size, path) in enumerate(entries):
        total += size
        if index >= KEEP or (index and total > KEEP_BYTES):
            path.unlink(missing_ok=True)


def encode(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = {"settings": list(plan.settings.__dict__.values())}
    for name, _, _ in KINDS:
        data[name] = [list(item.__dict__.values()) for item in getattr(plan, name)]
    for row in data["actions"]:
        row[5] = None if row[5] is None else row[5].isoformat()
    return data


def decode(data: dict[str, Any], path: Path | None) -> Plan | None:
    """The plan in an entry, or None when any field is not of its type."""
    settings = data["settings"]
    if (len(settings) != len(SETTINGS_SHAPE)
            or any(type(v) is not t for v, t in zip(settings, SETTINGS_SHAPE, strict=True))):
        return None
    parts: dict[str, tuple[Any, ...]] = {}
    for name, kind, shape in KINDS:
        rows = data[name]
        if type(rows) is not list or any(
                type(row) is not list or len(row) != len(shape) for row in rows):
            return None
        if rows and any(not {type(v) for v in column} <= types
                        for column, types in zip(zip(*rows, strict=True), shape, strict=True)):
            return None
        parts[name] = made(kind, rows)
    for measure in parts["measures"]:
        targets = measure.targets
        if len(targets) != 4 or any(t is not None and type(t) is not float for t in targets):
            return None
        object.__setattr__(measure, "targets", tuple(targets))
    for action in parts["actions"]:
        if action.due_date is not None:
            object.__setattr__(action, "due_date", dt.date.fromisoformat(action.due_date))
    return Plan(Settings(*settings), **parts, path=path)


def made(kind: type, rows: list[list[Any]]) -> tuple[Any, ...]:
    """Frozen dataclass items made from their fields' values, the way pickle makes them (a
    dataclass's __init__ sets each field through object.__setattr__: twice the time)."""
    names = [f.name for f in fields(kind)]
    new, setattr_ = object.__new__, object.__setattr__
    items = []
    for row in rows:
        item: Any = new(kind)
        setattr_(item, "__dict__", dict(zip(names, row, strict=True)))
        items.append(item)
    return tuple(items)
