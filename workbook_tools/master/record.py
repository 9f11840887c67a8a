"""A record of the masters the tool wrote, kept by content (issue 16): what the copy's scan
(master/verbatim.py) would find on each lean sheet of a master, kept when the master is written,
so that the next consolidate into it takes the blocks and Rows from the record rather than scan
the earlier quarters' rows again (a master of four quarters at 60 returns: 5 s of scanning, when
first measured; the guard's scan of the same parts is left out either way once the scan takes
every row: master/read.py).

It follows the plan cache's rules (plan/cache.py). It cannot go stale: an entry is named by the
SHA-256 of the master's bytes as written and of this tool's own source, so a master changed by
one byte (finance saved it, LibreOffice did), or another version of the tool, misses. It cannot
be forged from the working folder or a file someone sent: entries live in the user's own cache
folder (files/cachefolder.py), used only while no one else can write to it; an entry is parsed as
JSON and every field's type and bound checked, and anything unexpected is ignored (the master is
scanned as before). WORKBOOK_TOOLS_CACHE=off turns it off.

What an entry holds is derived by the scan's own code (master/recorder.py): the rows a block
copied from the old master carry over what was found on them, and only the rows written anew
are matched (the new quarter's, flat per return). An entry holds, per sheet, the rows the scan
accepts when every canonical quarter may be copied; a consolidate's block is the run of
quarters before the one it consolidates, which is what the scan then finds (the scan stops at
the first row of a later quarter, and what it checks of the bytes is a check of each row).
"""

from __future__ import annotations

import itertools
import math
import os
import zlib
from collections.abc import Iterable, Iterator
from functools import cache
from io import BufferedReader
from pathlib import Path
from typing import IO, Any

import orjson

from workbook_tools.files.cachefolder import folder, keep_entry, own_file, private, source_digest
from workbook_tools.files.memory import give_back_memory
from workbook_tools.master import columncode, savingsentry
from workbook_tools.master.packedtexts import Texts
from workbook_tools.master.recordtypes import Record, SheetRecord
from workbook_tools.master.verbatim import READ_CELLS

FORMAT = 9  # raised when the layout of an entry changes
KEEP = 8  # entries kept at most, the most recently used,
KEEP_BYTES = 512 * 1024 * 1024  # and bytes between them
_INFINITY = float("inf")
#: a read cell's kinds, as JSON gives them
_LEAN_KINDS: frozenset[type] = frozenset({str, float, type(None)})


@cache
def code_digest() -> str:
    return source_digest(f"master record {FORMAT}")


def entry_path(digest: str) -> Path | None:
    place = folder("masters")
    return None if place is None else place / f"{digest}-{code_digest()[:24]}.json"


def recall(digest: str) -> Record | None:
    """The record kept for a master whose bytes' SHA-256 is `digest`, or None when there is none
    to trust (the cache is off, the folder not the user's own, the entry not of its shape)."""
    path = entry_path(digest)
    if path is None or not private(path.parent):
        return None
    try:
        with own_file(path) as (handle, held):
            record = _read(handle, held)
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            OverflowError, RecursionError):  # (a number past a C long; arrays nested deep)
        return None
    if record is not None:
        try:
            os.utime(path)  # recently used: kept when older entries are removed
        except OSError:
            pass
    return record


#: what comes before Savings' part of an entry, the last (entry_of): as JSON writes an object's
#: key, which no other key of an entry is (a text inside one has its quotes escaped)
_SAVINGS = b',"savings":'


def _read(handle: BufferedReader, held: int) -> Record | None:
    """The record in the entry open as `handle` (of `held` bytes), read and parsed in two parts,
    each let go of once decoded: Savings' (after the last _SAVINGS, to the entry's closing
    brace), then the rest, read only then and closed where Savings' began. Read and parsed
    whole, an entry of four quarters at 240 returns (18 MB) was every value and every column's
    base64 of it at once, beside the workers: the read's peak; read whole and parsed in parts,
    the rest's 12 MB were held while Savings' part was parsed and decoded. orjson: a third of
    the time of the standard library's parser (an entry of four quarters at 60 returns: 52
    against 140 ms); it refuses NaN and infinities, which keep() never writes."""
    cut = _last(handle, held, _SAVINGS)
    handle.seek(max(held - 1, 0))
    if cut < 0 or handle.read(1) != b"}":  # (not as keep writes it: parsed whole)
        handle.seek(0)
        data = orjson.loads(handle.read())
        if type(data) is not dict or "savings" not in data:
            return None
        savings = _savings(data.pop("savings"))
        record = decode(data) if savings is not False else None
    else:
        handle.seek(cut + len(_SAVINGS))
        savings = _savings(orjson.loads(handle.read(held - 1 - cut - len(_SAVINGS))))
        if savings is False:
            return None
        handle.seek(0)
        text = bytearray(cut + 1)
        if handle.readinto(text) != len(text):  # (cut short meanwhile)
            return None
        text[cut] = ord("}")
        record = _by_sheet(text)
        if record is _WHOLE:
            record = decode(orjson.loads(text))
    if record is not None:
        record.savings = savings
    return record


def _savings(found: Any) -> Any:
    """Savings' record in its part of an entry parsed (None where it has none), or False when
    the part is not one."""
    if found is None:
        return None
    savings = savingsentry.decode(found)
    return False if savings is None else savings


def _last(handle: IO[bytes], held: int, key: bytes, piece: int = 1 << 20) -> int:
    """Where the last `key` in the file open as `handle` (of `held` bytes) begins, or -1: read
    from its end `piece` bytes at a time."""
    end = held
    while end > 0:
        start = max(end - piece, 0)
        handle.seek(start)
        at = handle.read(end - start + len(key) - 1).rfind(key)  # (and one across `end`)
        if at >= 0:
            return start + at
        end = start
    return -1


_WHOLE = object()  # (`_by_sheet`: the text not as `encoded` lays it out)
_ORDERED = b'},"ordered":'


def _by_sheet(text: bytearray) -> Any:
    """The record in the rest of an entry (`_read`) with each sheet's part parsed and decoded
    on its own (parsed at once, at 240 returns: 192,000 IDs and their columns' base64 at once,
    the read's peak), or _WHOLE when the text is not laid out as `encoded` writes it: each
    sheet's part found by its key, which no text inside one can hold (quotes are escaped)."""
    head, tail = b'{"format":%d,"sheets":{' % FORMAT, text.rfind(_ORDERED)
    starts: list[tuple[int, str, int]] = []  # (where its key is, the sheet, where its part is)
    for name in map(str, READ_CELLS):
        key = b'"%s":{"part":' % name.encode()
        at = text.find(key)
        if at >= 0 and text.find(key, at + 1) >= 0:
            return _WHOLE
        if at >= 0:
            starts.append((at, name, at + len(key) - len(b'{"part":')))
    starts.sort()
    ends = [at - 1 for at, _, _ in starts[1:]] + [tail]
    if not starts or not text.startswith(head) or starts[0][0] != len(head) or tail < 0 or any(
            text[end] != ord(",") for end in ends[:-1]):
        return _WHOLE
    # read from its end, each part's bytes let go of once parsed (`del`: a bytearray is
    # shortened in place), so the text and the sheets decoded from it are not all held at once
    with memoryview(text) as view, view[tail + len(_ORDERED):-1] as part:
        ordered = orjson.loads(part)
    del text[tail:]
    made: list[tuple[str, SheetRecord]] = []
    for (at, name, begin), end in reversed(list(zip(starts, ends, strict=True))):
        with memoryview(text) as view, view[begin:end] as part:
            sheet = orjson.loads(part)
        del text[at:]
        one = _sheet(name, sheet) if type(sheet) is dict else None
        del sheet  # (before the next is parsed)
        if one is None:
            return None
        made.append((name, one))
    found = dict(reversed(made))
    return Record(found, ordered=ordered) if _is_order(ordered) else None


def forget(digest: str) -> None:
    """Remove the entry of a master's bytes (the copy found the bytes not as it says)."""
    path = entry_path(digest)
    if path is not None:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def keep(digest: str, record: Record) -> None:
    """Keep the record of a master just written whose bytes' SHA-256 is `digest` (nothing when
    the entry would not give back exactly this record)."""
    keep_made(entry_of(digest, record))


#: an entry made (`entry_of`) to be kept (`keep_made`): its path and its text, in pieces
Entry = tuple[Path, Iterable[Any]]


def entry_of(digest: str, record: Record) -> Entry | None:
    """The entry `keep` keeps for `record`, made but not yet kept (None when none would be):
    made while the master it is of goes to disk, kept once it is in place (master/safe.py)."""
    path = entry_path(digest)
    if path is None or not all(_given_back(name, sheet) for name, sheet in record.sheets.items()
                               ) or not _is_order(record.ordered):
        return None
    savings: Iterable[bytes] | None = None
    if record.savings_entry is not None:  # (inflated a piece at a time as it is written)
        savings = map(zlib.decompress, record.savings_entry)
    elif record.savings is not None:
        savings = savingsentry.entry_pieces(record.savings)
        if savings is None:
            return None
    try:
        pieces = encoded(record)
    except (ValueError, TypeError, OverflowError):
        return None
    # Savings' entry (made as UTF-8 bytes: master/savingsentry) put in as the file is written, not
    # joined to the rest first (a copy of both, 45 MB at 240 returns)
    return path, itertools.chain(pieces, (b',"savings":',), savings or (b"null",), (b"}",))


def keep_made(entry: Entry | None) -> None:
    """Keep an entry `entry_of` made (nothing for None)."""
    if entry is not None:
        keep_entry(entry[0], entry[1], KEEP, KEEP_BYTES)


def _given_back(name: str, sheet: SheetRecord) -> bool:
    """Whether decode gives back `sheet` exactly from its entry: every field of the type and
    within the bounds decode checks, so that it comes back equal (rather than writing the entry
    and decoding it again to see, 0.35 s at 60 returns). Stricter than decode where that is
    simpler: a record refused here is only made again by the next run's scan."""
    if name not in READ_CELLS or type(sheet.part) is not str or type(sheet.start) is not int \
            or sheet.start < 0 or type(sheet.complete) is not bool:
        return False
    if type(sheet.widths) is not dict or any(
            type(c) is not int or c < 0 or type(w) is not float or not math.isfinite(w)
            for c, w in sheet.widths.items()):
        return False
    if not isinstance(sheet.dates, set | frozenset) or not _ints(list(sheet.dates)):
        return False
    if not sheet.runs or savingsentry.runs_of(sheet.start, savingsentry.listed(sheet.runs)) \
            is None or not savingsentry.is_digest(sheet.packed):
        return False
    if not savingsentry.stored_given_back(sheet.stored, sheet.start, sheet.runs):
        return False
    count = sum(run.rows for run in sheet.runs)
    if type(sheet.cells) is not list or len(sheet.cells) != len(READ_CELLS[name]) or (
            sheet.carried is not None and (type(sheet.carried) is not list
                                           or len(sheet.carried) != len(sheet.cells))):
        return False
    for pieces in sheet.pieces():
        if any(type(piece) is not list and not isinstance(piece, columncode.Coded)
               for piece in pieces) or sum(map(len, pieces)) != count:
            return False
        for piece in pieces:  # (a Coded piece's values are its table's)
            values = piece.table if isinstance(piece, columncode.Coded) else piece
            if isinstance(values, Texts):  # (texts, every one: packedtexts.Texts.of)
                continue
            kinds = set(map(type, values))
            if not kinds <= _LEAN_KINDS:
                return False
            if float in kinds and not columncode.all_finite(values):
                return False
    return True


def encode(record: Record) -> dict[str, Any]:
    """A record as an entry, but for each sheet's read cells (`encoded` puts them last in the
    sheet's, each column as master/columncode.py keeps it: its distinct values, and each cell's
    place among them) and Savings (`entry_of`)."""
    sheets: dict[str, Any] = {}
    for name, sheet in record.sheets.items():
        sheets[str(name)] = {  # (a plain text: orjson takes no other key)
            "part": sheet.part, "start": sheet.start, "complete": sheet.complete,
            "widths": [[c, w] for c, w in sorted(sheet.widths.items())],
            "dates": sorted(sheet.dates),
            "runs": [[run.quarter, run.rows, run.end, run.digest, sorted(run.styles or ())]
                     for run in sheet.runs],
            "packed": sheet.packed,
            "stored": sorted(sheet.stored.items()),
        }
    return {"format": FORMAT, "sheets": sheets, "ordered": record.ordered}  # (Savings: keep)


def encoded(record: Record) -> tuple[bytes, ...]:
    """`encode`'s entry as JSON text, UTF-8, in pieces (a column's text a piece) and without its
    closing brace: orjson's text of the entry, the same as the standard library's
    json.dumps(ensure_ascii=False, compact) in an eighth of the time (it writes NaN as null:
    _given_back has refused every value that is not finite). Not the whole entry encoded,
    then its text made: at four quarters of 240 returns both were held at once (22 MB),
    beside the master just written, at the end of a consolidate."""
    entry = encode(record)
    pieces = [b'{"format":', orjson.dumps(entry["format"]), b',"sheets":{']
    for at, (name, sheet) in enumerate(entry["sheets"].items()):
        pieces += [b"," if at else b"", orjson.dumps(name), b":",
                   orjson.dumps(sheet)[:-1], b',"cells":[']
        for number, (table, places) in enumerate(_columns(record.sheets[name])):
            # (orjson's text of [table, places], the places' base64 put in as it is)
            pieces += [b",[" if number else b"[", orjson.dumps(table), b',"', places, b'"]']
            del table, places
            give_back_memory()  # (what coding it took: not left as holes among the pieces)
        pieces.append(b"]}")
    return (*pieces, b'},"ordered":', orjson.dumps(entry["ordered"]))


def _columns(sheet: SheetRecord) -> Iterator[list[Any]]:
    """Each column of a sheet's read cells as its entry holds it (columncode.encode)."""
    for pieces in sheet.pieces():
        coded = columncode.encode(pieces, text=False)
        if coded is None:
            raise ValueError("a column not of its kinds")  # (_given_back refuses it first)
        yield coded


def _is_order(found: Any) -> bool:
    """Whether `found` is a Record's `ordered`: None, or a register's SHA-256."""
    return found is None or savingsentry.is_digest(found)


def _finite(found: list[Any]) -> bool:
    """No float in `found` is an infinity ('1e999' reads as one; NaN is refused as read)."""
    return _INFINITY not in found and -_INFINITY not in found


def _ints(found: Any) -> bool:
    return type(found) is list and all(type(v) is int and 0 <= v < 1 << 20 for v in found)


def decode(data: Any) -> Record | None:
    """The record in an entry but for Savings' part (`_parsed`: Record.savings None), or None
    when any field is not of its type or out of bounds."""
    if type(data) is not dict or set(data) != {"format", "sheets", "ordered"}:
        return None
    sheets, ordered = data["sheets"], data["ordered"]
    if data["format"] != FORMAT or type(sheets) is not dict or not _is_order(ordered):
        return None
    found: dict[str, SheetRecord] = {}
    for name, sheet in sheets.items():
        if name not in READ_CELLS or type(sheet) is not dict:
            return None
        made = _sheet(name, sheet)
        if made is None:
            return None
        found[name] = made
    return Record(found, ordered=ordered)


def _sheet(name: str, sheet: dict[str, Any]) -> SheetRecord | None:
    keys = {"part", "start", "complete", "widths", "dates", "runs", "packed", "stored", "cells"}
    if set(sheet) != keys:
        return None
    part, start, complete = sheet["part"], sheet["start"], sheet["complete"]
    if type(part) is not str or type(start) is not int or start < 0 or type(complete) is not bool:
        return None
    widths = sheet["widths"]
    if type(widths) is not list or any(
            type(w) is not list or len(w) != 2 or type(w[0]) is not int or w[0] < 0
            or type(w[1]) is not float or not _finite(w) for w in widths):
        return None
    if not _ints(sheet["dates"]) or type(sheet["runs"]) is not list or not sheet["runs"]:
        return None
    runs = savingsentry.runs_of(start, sheet["runs"])
    if runs is None or not savingsentry.is_digest(sheet["packed"]):
        return None
    stored = savingsentry.stored_of(sheet["stored"], start, runs)
    if stored is None:
        return None
    count = sum(run.rows for run in runs)
    columns = sheet["cells"]
    if type(columns) is not list or len(columns) != len(READ_CELLS[name]):
        return None
    coded: list[columncode.Coded] = []
    for column in columns:
        made = columncode.decode_coded(column, count, _LEAN_KINDS)
        if made is None:
            return None
        coded.append(made)
    # (the cells as the columns decoded: read as lists are, not made lists: SheetRecord.found)
    return SheetRecord(part, start, {c: w for c, w in widths}, complete,
                       frozenset(sheet["dates"]), runs, coded, packed=sheet["packed"],
                       stored=stored, coded=coded)
