"""Reading a sheet part's XML: tag names without their namespace, cell references, the part in
chunks that never split a cell, and the one streaming walk over a sheet's cells that both the
safety scan (files/sheetscan.py) and the cell extras (files/extras.py) use.

The walk parses with defusedxml and drops each row once it is done, so memory stays bounded
however long the sheet is; it places every cell where calamine places it (by its `r`
reference, or after the cell before it when it has none).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from workbook_tools.errors import UnreadableFileError

MIB = 1024 * 1024
_CHUNK = 4 * MIB
_REF = re.compile(r"^([A-Za-z]+)0*(\d+)$")


def local_name(tag: str) -> str:
    """An XML tag or attribute name without its namespace: '{ns}c' -> 'c'."""
    return tag.rsplit("}", 1)[-1]


def column_number(letters: str) -> int:
    """Column letters to a 1-based number: A -> 1, AB -> 28."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def split_ref(ref: str) -> tuple[int, int] | None:
    """'Q15' -> (14, 16): a cell reference's 0-based row and column, or None if it is not one."""
    match = _REF.match(ref)
    if not match:
        return None
    return int(match.group(2)) - 1, column_number(match.group(1)) - 1


def chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The part's bytes in pieces that end just before a `<c` tag, so no cell is split.

    The next read is made before a piece is cut: the part's last bytes (a whole return's
    sheet) are one piece as read, not copied up to their last cell and that cell after."""
    carry = b""
    data = stream.read(_CHUNK)
    while data:
        ahead = stream.read(_CHUNK)
        data = carry + data
        if not ahead:  # the end of the part
            yield data
            return
        cut = data.rfind(b"<c")
        if cut <= 0:
            cut = data.rfind(b"<")
        if cut <= 0 or len(data) - cut > _CHUNK:
            carry = b""
            yield data
        else:
            carry = data[cut:]
            yield data[:cut]
        data = ahead


def walk_cells(stream: IO[bytes], path: Path, also: frozenset[str] = frozenset()
               ) -> Iterator[tuple[str, int, int, Any]]:
    """Each cell of a sheet part, as ('c', row, column, element) with its 0-based position as
    calamine works it out, and each element whose tag is in `also` (such as 'dimension' or
    'col'), as (tag, -1, -1, element). An element is complete (its children parsed) when it is
    yielded, and is cleared once the caller asks for the next.

    Raises:
        UnreadableFileError: the part declares XML entities ('file-unsafe'). Any other error
            of a damaged part is the parser's own; callers say what it means to them.
    """
    import defusedxml.ElementTree as safe_tree
    from defusedxml import DefusedXmlException

    row, col = 0, 0
    sheet_data: Any = None
    try:
        for event, element in safe_tree.iterparse(stream, events=("start", "end")):
            tag = local_name(element.tag)
            if event == "start":
                if tag == "row":
                    ref = element.get("r")
                    if ref is not None and ref.isdigit():
                        row = int(ref) - 1
                elif tag == "sheetData":
                    sheet_data = element
                continue
            if tag == "c":
                ref = element.get("r")
                place = split_ref(ref) if ref else None
                if place is not None:
                    col = place[1]
                yield "c", place[0] if place else row, col, element
                col += 1
                element.clear()
            elif tag == "row":
                row += 1
                col = 0
                if sheet_data is not None:
                    sheet_data.clear()  # keeps memory bounded: finished rows are dropped
            elif tag in also:
                yield tag, -1, -1, element
    except DefusedXmlException:
        raise UnreadableFileError(
            path, "contains XML entity declarations, which a workbook never needs; refused",
            "file-unsafe",
        ) from None


def parse_xml(data: bytes, path: Path) -> Any:
    """A small XML part of a workbook, parsed with defusedxml: an entity declaration is refused
    ('file-unsafe'), anything that does not parse is 'file-corrupt'."""
    import defusedxml.ElementTree as safe_tree
    from defusedxml import DefusedXmlException

    try:
        return safe_tree.fromstring(data)
    except DefusedXmlException:
        raise UnreadableFileError(
            path, "contains XML entity declarations, which a workbook never needs; refused",
            "file-unsafe",
        ) from None
    except Exception:
        raise UnreadableFileError(
            path, "is damaged and cannot be opened as a workbook", "file-corrupt"
        ) from None
