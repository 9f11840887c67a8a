"""A sheet of plain text and numbers read without calamine, when its XML is exactly the form
openpyxl writes for unstyled cells: a filled return's hidden `_meta` (1,000 rows of 4 cells for
a return of 1,000 items), which was a fifth of calamine's time on a return, and was scanned by
the guard before that.

The form: the worksheet root in the main namespace; before and after `<sheetData>`, elements
with plain attributes, well nested, nothing between them; in `<sheetData>`, rows numbered in
order, each cell of a row after the one before it, referenced in its row, and either an inline
string (`t="inlineStr"`, one `<t>` holding no markup, no control character and no white space
at either end) or a number (`t="n"`, one `<v>` of digits). Every character of `<sheetData>`
is one of those rows. A text holding an entity other than the five XML ones and the character
references openpyxl writes past ASCII (&#233; for é), or an `_xHHHH_` escape (calamine reads
_x0041_ as A), a `<dimension>` that is not the cells' extent, or anything else, and
`plain_rows` returns None: the caller reads the sheet
as before (files/guard.py: the scan, then calamine), so such a sheet is read, or refused,
exactly as it was. The values are calamine's `to_python(skip_empty_area=False)`: rows from A1,
each as wide as the widest, '' for a cell with no value, a str for a text, a float for a
number.

The safety scan's limits hold by the form itself: the cells reach no further than the
`max_cells` the scan allows (rows x columns from A1), nor past row 99,999 or column Z (where the
scan's quick pass stops); there are no formulas, error values or shared strings; and the
whole part is well formed, so the scan's precise pass would find nothing either. With shared
strings in the workbook, a text holding "s" in quotes (which the scan counts as a shared-string
cell) is not the form. The part is read whole only up to MAX_PART_BYTES, its declared size
(which zipfile holds it to as it inflates).
"""

from __future__ import annotations

import re
import zipfile
from typing import Any

from workbook_tools.files.deflate import INFLATE_ERRORS, open_part

MAX_PART_BYTES = 8 * 1024 * 1024  # a return of 1,000 items: 270 KB
#: what reading a damaged part raises
_DAMAGED: tuple[type[Exception], ...] = (KeyError, zipfile.BadZipFile, *INFLATE_ERRORS, OSError,
                                         EOFError, ValueError)

_DECLARATION = re.compile(r'<\?xml version="1\.0"(?: encoding="(?:UTF|utf)-8")?'
                          r'(?: standalone="yes")?\?>\s*')
_ROOT = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
#: a tag outside `<sheetData>`: (closing '/', name, attributes, self-closing '/')
_TAG = re.compile(r'<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s[A-Za-z][A-Za-z0-9:]*="[^"<&>]*")*)\s*(/?)>')
_TAGS = 4  # groups in _TAG
_CELL_TAGS = frozenset({"sheetData", "row", "c"})
_DIMENSION = re.compile(r'\sref="([^"]*)"')
#: a text: no markup, carriage return or control character, no white space at either end
#: (calamine drops it); its entities and escapes are checked over the whole part (`_odd`)
_TEXT = (r'[^<\s\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]'
         r'(?:[^<\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*'
         r'[^<\s\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff])?')
#: a number as both Python's float() and calamine read it: the same correctly rounded double
_NUMBER = r'-?(?:0|[1-9][0-9]{0,16})(?:\.[0-9]{1,17})?(?:[Ee][-+]?[0-9]{1,3})?'
_ANY_CELL = (r'<c r="[A-Z]\1" t="(?:inlineStr"><is><t>' + _TEXT + r'</t></is>|n"><v>'
             + _NUMBER + r'</v>)</c>')
#: a row: its number, then either the four cells of a `_meta` table row (text, number, text,
#: text in A to D) or any cells of the form (read by `_CELLS`); each cell's reference is in the
#: row's own number
_ROW = re.compile(
    r'<row r="([1-9][0-9]{0,4})">(?:'
    + "".join(f'<c r="{col}\\1" t="inlineStr"><is><t>({_TEXT})</t></is></c>' if col != "B"
              else f'<c r="B\\1" t="n"><v>({_NUMBER})</v></c>' for col in "ABCD")
    + r'|((?:' + _ANY_CELL + r')+))</row>')
_GROUPS = 6  # groups in _ROW
#: a row's cells: (column letter, text, number), one of text and number empty
_CELLS = re.compile(r'<c r="([A-Z])[0-9]+" t="(?:inlineStr"><is><t>(' + _TEXT
                    + r')</t></is>|n"><v>(' + _NUMBER + r')</v>)</c>')
_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]{1,7});")
_OTHER_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7});)")
_NUMBERED = re.compile(r"&#([0-9]{1,7});")
_ESCAPED = re.compile(r"_x[0-9A-Fa-f]{4}_")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def plain_rows(archive: zipfile.ZipFile, part: str, max_cells: int,
               shared_strings: bool = True) -> list[list[Any]] | None:
    """The values of the sheet in zip member `part` as calamine's
    `to_python(skip_empty_area=False)` gives them, or None when its XML is not the plain form
    (the caller then scans and reads it as any sheet).

    Args:
        max_cells: how many cells (rows x columns from A1) the sheet may span.
        shared_strings: whether the workbook has shared strings (a text holding "s" in quotes
            is then not the form: see the module's docstring).
    """
    try:
        info = archive.getinfo(part)
        if info.file_size > MAX_PART_BYTES:
            return None
        with open_part(archive, part) as stream:
            data = stream.read(MAX_PART_BYTES + 1)
        xml = data.decode("utf-8")
    except _DAMAGED:
        return None  # the guard and calamine say what is wrong with it, as before
    if shared_strings and ('"s"' in xml or "'s'" in xml):
        return None
    return parse_plain(xml, max_cells)


def parse_plain(xml: str, max_cells: int) -> list[list[Any]] | None:
    """`plain_rows` of a sheet part's text."""
    start = xml.find("<sheetData>")
    end = xml.find("</sheetData>", start)
    if start < 0 or end < 0:
        return None
    body = xml[start + 11:end]
    dimension = _frame(xml[:start], xml[end + 12:])
    if not body or dimension is None or _odd(body):
        return None
    step = _GROUPS + 1
    parts = _ROW.split(body)
    if any(parts[::step]):
        return None  # something between the rows, or a row not of the form
    numbers = [int(number) for number in parts[1::step]]
    if any(a >= b for a, b in zip(numbers, numbers[1:], strict=False)):
        return None  # rows out of order
    entities = "&" in body
    found: list[list[Any] | None] = [
        None if cells is not None else [_plain(a), float(b), _plain(c), _plain(d)] if entities
        else [a, float(b), c, d]
        for a, b, c, d, cells in zip(*(parts[i::step] for i in range(2, step)), strict=True)]
    width = 4 if any(values is not None for values in found) else 0
    for at, cells in enumerate(parts[_GROUPS::step]):
        if cells is not None:
            values = found[at] = _cells(cells, entities)
            if values is None:
                return None
            width = max(width, len(values))
    last = numbers[-1]
    if last * width > max_cells or dimension and dimension != f"A1:{chr(64 + width)}{last}":
        return None  # beyond what the scan allows, or a dimension openpyxl would not write
    rows: list[Any] = found
    if last != len(numbers):  # rows with no cells between them
        rows = [[] for _ in range(last)]
        for number, values in zip(numbers, found, strict=True):
            rows[number - 1] = values
    for values in rows:
        if len(values) < width:
            values.extend([""] * (width - len(values)))
    return rows


def _frame(head: str, tail: str) -> str | None:
    """The `<dimension>`'s reference ('' when there is none) if the part around its
    `<sheetData>` is of the form: an XML declaration at most, the root element, then elements
    well nested with plain attributes and nothing between them, none of them a row or cell,
    and the root closed at the end; else None."""
    declared = _DECLARATION.match(head)
    head = head[declared.end():] if declared else head
    if not head.startswith(_ROOT):
        return None
    dimension = ""
    opened: list[str] = []
    for text, at_data in ((head, False), (tail.rstrip(), True)):
        parts = _TAG.split(text)
        if any(parts[::_TAGS + 1]):
            return None  # text, a comment or an instruction between the tags, or an odd tag
        for closing, name, attributes, empty in zip(*(parts[i::_TAGS + 1]
                                                      for i in range(1, _TAGS + 1)),
                                                    strict=True):
            if name in _CELL_TAGS or (at_data and not opened):
                return None  # rows outside <sheetData>, or anything after the root closes
            if closing:
                if attributes or empty or not opened or opened.pop() != name:
                    return None
            elif name == "dimension":
                found = _DIMENSION.search(attributes)
                if dimension or not empty or found is None:
                    return None
                dimension = found.group(1)
            elif not empty:
                opened.append(name)
        if opened != ([] if at_data else ["worksheet"]):
            return None  # <sheetData> not in the root, or the root not closed at the end
    return dimension


def _odd(body: str) -> bool:
    """Whether the texts hold an `_xHHHH_` escape (calamine reads _x0041_ as A), or an entity
    other than the five XML ones and the character references openpyxl writes for characters
    past ASCII (&#233; for é; one for an ASCII or white-space character, such as &#65; or
    &#160;, is not the form)."""
    if "_x" in body and _ESCAPED.search(body) is not None:
        return True
    if "&" not in body:
        return False
    if _OTHER_ENTITY.search(body) is not None:
        return True
    return "&#" in body and not all(_past_ascii(int(number))
                                    for number in set(_NUMBERED.findall(body)))


def _past_ascii(number: int) -> bool:
    """Whether a character reference names a character openpyxl writes as one: past ASCII, a
    character XML allows, not white space."""
    return (0x80 <= number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF
            and number not in (0xFFFE, 0xFFFF) and not chr(number).isspace())


def _cells(cells: str, entities: bool) -> list[Any] | None:
    """A row's values from A, or None when its cells are not in order."""
    values: list[Any] = []
    for letter, words, figure in _CELLS.findall(cells):
        at = ord(letter) - 65
        if at < len(values):
            return None  # a cell before (or on) the one before it
        if at > len(values):
            values.extend([""] * (at - len(values)))
        values.append(float(figure) if figure else _plain(words) if entities else words)
    return values


def _plain(text: str) -> str:
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    return chr(int(name[1:])) if name[0] == "#" else _ENTITIES[name]
