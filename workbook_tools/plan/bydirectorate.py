"""A register's items read one directorate at a time, for the commands that check returns.

validate compares each return's pre-filled cells with its own directorate's items: a national
register holds 240,000 items (0.34 s and 81 MB to load whole from the cache, in the process
every worker is forked from, while the other core waits), of which one return needs 1,000.
Once a sound register's plan is kept (plan/cache.py), the first command that asks for the plan
this way keeps a second entry beside it: the settings, themes, objectives and directorates, then
each directorate's items apart, with where each directorate's begin. The plan then comes from
that entry as a `PlanByDirectorate`: each worker reads the items of the directorates whose
returns it checks, as it checks them. An ID that is not the return's own directorate's (another
directorate's item, an error; or one the register does not hold, a warning) is looked up in the
whole plan, read then from the plan's own entry, in that worker alone.

The entry is trusted as the plan's is: the user's own file in the user's own folder, named by
the register's bytes and this tool's source, made from the plan's entry for those very bytes
and kept only when reading it back gives the same items; parsed as JSON and every field's type
checked. Anything unexpected and the register is loaded whole, as before.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import orjson

from workbook_tools.errors import CacheChangedError
from workbook_tools.files.cachefolder import keep_entry, private, read_own
from workbook_tools.plan.cache import (
    KEEP,
    KEEP_BYTES,
    KINDS,
    Entry,
    decode,
    encode,
    encode_part,
    made,
)
from workbook_tools.plan.model import DirectoratePlan, Plan

FORMAT = 1
KIND = "directorates"  # the entry's name beside the plan's (Entry.named)
ITEM_PARTS = ("measures", "actions", "savings", "risks")
_HEADER_MOST = 16 * 1024 * 1024  # the first line's bytes at most (240 directorates: 30 KB)


@dataclass(frozen=True, eq=False)
class PlanByDirectorate(Plan):
    """A plan whose settings, themes, objectives and directorates are here, and whose items
    (empty here) are read a directorate at a time (`for_directorate`), or whole (`whole`)."""

    items_from: Directorates | None = field(default=None, compare=False, repr=False)

    def for_directorate(self, code: str) -> DirectoratePlan:
        assert self.items_from is not None
        return self.items_from.plan_of(self, code)

    def whole(self, keep: bool = True) -> Plan:
        """Every item of the register (read once a process, the first time one is asked for;
        read and not kept with this plan when not `keep`, so that the caller can let it go)."""
        assert self.items_from is not None
        return self.items_from.whole(self, keep)


def register_digest(plan: Plan) -> str | None:
    """The SHA-256 of the register's bytes a plan read a directorate at a time is of (None for
    any other plan): what a master's record says its rows are in the order of (master/order.py)."""
    if isinstance(plan, PlanByDirectorate) and plan.items_from is not None:
        return plan.items_from.entry.digest
    return None


def let_go(plan: Plan) -> None:
    """Forget the whole plan a PlanByDirectorate read and kept (`whole()`), so that the caller
    done with it frees it (consolidate, before it writes the master)."""
    if isinstance(plan, PlanByDirectorate) and plan.items_from is not None:
        plan.items_from.let_go()


class Directorates:
    """Where each directorate's items are in the entry, and those read so far."""

    def __init__(self, entry: Entry, places: dict[str, tuple[int, int]], start: int) -> None:
        self.entry = entry
        self.places = places
        self.start = start
        self._last: tuple[str, DirectoratePlan] | None = None
        self._whole: Plan | None = None

    def __getstate__(self) -> dict[str, Any]:  # (sent to a worker started afresh: no items)
        return {**self.__dict__, "_last": None, "_whole": None}

    def let_go(self) -> None:
        self._whole = None
        self._last = None

    def plan_of(self, plan: Plan, code: str) -> DirectoratePlan:
        """One directorate's share of the plan, its items read from the entry (the whole plan's
        when its part cannot be read as it was kept)."""
        if self._last is not None and self._last[0] == code:
            return self._last[1]
        parts = self._read(code)
        if parts is None:
            found = self.whole(plan).for_directorate(code)
        else:
            found = DirectoratePlan(plan=plan, directorate=plan.directorate(code), **parts)
        self._last = (code, found)
        return found

    def _read(self, code: str) -> dict[str, tuple[Any, ...]] | None:
        if code not in self.places:
            return dict.fromkeys(ITEM_PARTS, ())  # a directorate with no items
        begin, end = self.places[code]
        try:
            data = orjson.loads(read_own(self.entry.named(KIND), self.start + begin,
                                         end - begin))
            return _parts(data, code)
        except (OSError, ValueError, TypeError, KeyError, IndexError):
            return None

    def whole(self, head: Plan, keep: bool = True) -> Plan:
        """The plan's own entry for the same bytes; else every directorate's items from this
        entry (grouped by directorate, not in the register's order: IDs are unique on each
        sheet of a sound register, so an ID finds the same item). Never the register itself,
        which may have been saved since it was hashed."""
        if self._whole is None:
            plan = self.entry.recall()
            if plan is None:
                shares = [self._read(code) for code in self.places]
                if any(share is None for share in shares):
                    raise CacheChangedError(
                        f"{self.entry.named(KIND)}: this cache entry of the plan register "
                        "changed while it was in use; nothing was written. Run the command "
                        "again.")
                every = {name: tuple(item for share in shares if share
                                     for item in share[name]) for name in ITEM_PARTS}
                plan = Plan(head.settings, head.themes, head.objectives, head.directorates,
                            every["measures"], every["actions"], every["savings"],
                            every["risks"], path=head.path)
            if not keep:
                return plan
            self._whole = plan
        return self._whole


def _parts(data: Any, code: str) -> dict[str, tuple[Any, ...]] | None:
    """One directorate's items from its part of the entry; None when any field is not of its
    type or an item is another directorate's."""
    if type(data) is not dict or set(data) != set(ITEM_PARTS):
        return None
    parts: dict[str, tuple[Any, ...]] = {}
    for name, kind, shape in KINDS:
        if name not in data:
            continue
        items = made(kind, shape, data[name])
        if items is None or any(item.directorate_code != code for item in items):
            return None
        parts[name] = items
    return parts


def recall(entry: Entry) -> PlanByDirectorate | None:
    """The plan from the entry kept for these bytes, or None when there is none to trust."""
    if not private(entry.place):
        return None
    path = entry.named(KIND)
    try:
        header, start = _first_line(path)
        data = orjson.loads(header)
    except (OSError, ValueError):
        return None
    if type(data) is not dict or data.get("format") != FORMAT or type(data.get("head")) \
            is not dict or type(data.get("places")) is not dict:
        return None
    try:
        room = path.stat().st_size - start  # the parts' bytes, after the header
    except OSError:
        return None
    places: dict[str, tuple[int, int]] = {}
    for code, place in data["places"].items():
        if (type(place) is not list or len(place) != 2 or any(type(p) is not int for p in place)
                or not 0 <= place[0] <= place[1] <= room):
            return None
        places[code] = (place[0], place[1])
    try:
        head = decode(data["head"], entry.register)
    except (KeyError, TypeError, IndexError, ValueError):
        return None
    if head is None or any(getattr(head, name) for name in ITEM_PARTS):
        return None
    for used in (path, entry.path):  # recently used: kept when older entries are removed
        try:
            os.utime(used)
        except OSError:
            pass
    values = {f.name: getattr(head, f.name) for f in fields(Plan)}
    return PlanByDirectorate(**values, items_from=Directorates(entry, places, start))


def _first_line(path: Path) -> tuple[bytes, int]:
    """The entry's first line (its header) and where the directorates' items begin."""
    size = 64 * 1024
    while True:
        data = read_own(path, 0, size)
        end = data.find(b"\n")
        if end >= 0:
            return data[:end], end + 1
        if len(data) < size or size >= _HEADER_MOST:
            raise ValueError("no header")
        size *= 4


def keep(entry: Entry) -> None:
    """Keep the entry for the plan kept for these bytes (none when there is none, or the entry
    would not give back exactly its items)."""
    plan = entry.recall()
    if plan is None:
        return
    kinds = {name: kind for name, kind, _ in KINDS}
    parts: list[bytes] = []
    places: dict[str, list[int]] = {}
    at = held = 0
    try:
        for directorate in plan.directorates:
            found = plan.for_directorate(directorate.code)
            share = {name: tuple(getattr(found, name)) for name in ITEM_PARTS}
            count = sum(map(len, share.values()))
            if not count:
                continue
            part = _text({name: encode_part(kinds[name], share[name]) for name in ITEM_PARTS})
            if _parts(orjson.loads(part), directorate.code) != share:
                return
            places[directorate.code] = [at, at + len(part)]
            parts.append(part)
            at += len(part)
            held += count
    except ValueError:  # (a value JSON cannot hold as it is)
        return
    if not held or held != sum(len(getattr(plan, name)) for name in ITEM_PARTS):
        return  # no items (nothing to compare returns with), or an item of no directorate
    try:
        header = _text({"format": FORMAT, "places": places,
                        "head": encode(replace(plan, measures=(), actions=(), savings=(),
                                               risks=()))})
    except ValueError:
        return
    keep_entry(entry.named(KIND), [header, b"\n", *parts], KEEP, KEEP_BYTES)


def _text(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode()
