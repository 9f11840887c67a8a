"""What a sheet holds beyond its values: formulas as typed, cell comments, the formats people
applied (fill, bold, italic, underline, strike-through, font colour, number format), column
widths and hidden columns.

Read from a workbook that files/guard.py has already checked (its sizes and its zip), with
defusedxml, streaming the sheet's XML so memory stays bounded: only the cells a caller asks for
are kept. Shared formulas (Excel's fill-down) are given each cell's own text.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from workbook_tools.errors import UnreadableFileError
from workbook_tools.files.cells import column_letter
from workbook_tools.files.sheetxml import (
    chunks,
    column_number,
    local_name,
    parse_xml,
    split_ref,
    walk_cells,
)
from workbook_tools.files.styles import Look, Styles, read_member


@dataclass
class CellExtra:
    """What one cell holds beyond its value."""

    formula: str | None = None  # as typed, without the '='
    formula_type: str = ""  # '' for an ordinary formula, or 'array' / 'dataTable'
    comment: str | None = None
    author: str | None = None
    look: Any = None  # what the caller's `look` function made of the cell's style


@dataclass(frozen=True)
class ColumnLook:
    width: float | None  # in characters, when set by hand
    hidden: bool


@dataclass
class SheetExtras:
    """cells: (1-based row, 0-based column) -> CellExtra; columns: 0-based column -> look."""

    cells: dict[tuple[int, int], CellExtra] = field(default_factory=dict)
    columns: dict[int, ColumnLook] = field(default_factory=dict)


# (0-based column, Look) -> what to keep of the look (None: nothing).
LookFilter = Callable[[int, Look], Any]


# ---------------------------------------------------------------------------------------------
# A sheet.


def read_extras(archive: zipfile.ZipFile, part: str, path: Path, styles: Styles,
                wanted: Callable[[int], bool], look: LookFilter, width: int,
                ordinary: bool, looks_only: bool = False) -> SheetExtras:
    """Formulas, comments and kept looks of the cells in the `wanted` columns (0-based), and
    every column's width and hidden state. Formats are looked for in the first `width` columns
    (those with a header). `ordinary`: the guard's scan found every cell written the ordinary
    way (`<c r="Q15"`, no namespace prefix), so the quick reading can be used. `looks_only`:
    for a caller that wants only the cells' looks and the columns (no formulas or comments).

    Raises:
        UnreadableFileError: the sheet's XML is damaged or unsafe.
    """
    extras = SheetExtras()
    with _damaged_is_unreadable(path):
        if ordinary:
            with archive.open(part) as stream:
                _fast_cells(stream, _Collector(styles, wanted, look, extras, width,
                                                  not looks_only))
        else:
            with archive.open(part) as stream:
                _read_cells(stream, path, _Collector(styles, wanted, look, extras, width,
                                                     not looks_only))
        if not looks_only:
            _read_comments(archive, part, path, wanted, extras)
    return extras


@contextmanager
def _damaged_is_unreadable(path: Path) -> Iterator[None]:
    """Anything but the guard's own error, met while reading, is a damaged file."""
    try:
        yield
    except UnreadableFileError:
        raise
    except Exception:
        raise UnreadableFileError(path, "is damaged and cannot be read as a workbook",
                                  "file-corrupt") from None


class _Collector:
    """Keeps what the caller wants of each cell, from whichever parse reads the sheet."""

    def __init__(self, styles: Styles, wanted: Callable[[int], bool], look: LookFilter,
                 extras: SheetExtras, width: int, formulas: bool = True) -> None:
        self.styles, self.wanted, self.look, self.extras = styles, wanted, look, extras
        self.formulas = formulas  # whether formulas are wanted at all
        self.shared: dict[str, tuple[str, str]] = {}  # shared formula -> (first cell, text)
        self.kept_looks: dict[tuple[int, str], Any] = {}
        self.patterns: dict[tuple[frozenset[bytes], frozenset[bytes]], re.Pattern[bytes]] = {}
        self.width = width  # columns that may hold something

    def looks(self, col: int, style: str) -> Any:
        """What the caller keeps of a style in a column (None: nothing)."""
        if (col, style) not in self.kept_looks:
            index = int(style) if style.isdigit() else 0
            self.kept_looks[(col, style)] = self.look(col, self.styles.look(index))
        return self.kept_looks[(col, style)]

    def pattern(self, styles: set[bytes]) -> re.Pattern[bytes] | None:
        """The cells that may keep something: in a column that keeps something of one of these
        styles (most styles are the tool's own and keep nothing anywhere)."""
        letters, kept = set(), set()
        for style in styles:
            for col in range(self.width):
                if self.wanted(col) and self.looks(col, style.decode()) is not None:
                    letters.add(column_letter(col).encode())
                    kept.add(style)
        if not kept:
            return None
        key = (frozenset(letters), frozenset(kept))
        if key not in self.patterns:
            self.patterns[key] = re.compile(b'<c r="(' + b"|".join(sorted(letters)) +
                                            rb')(\d+)"[^>]*?\ss="(' + b"|".join(sorted(kept)) +
                                            b')"')
        return self.patterns[key]

    def styled(self, row: int, col: int, style: str) -> None:
        kept = self.looks(col, style)
        if kept is not None:
            self.extras.cells.setdefault((row, col), CellExtra()).look = kept

    def formula(self, row: int, col: int, formula: dict[str, str], text: str) -> None:
        """A cell's <f> attributes and text."""
        found = self._formula(row, col, formula, text)
        if found is not None:
            cell = self.extras.cells.setdefault((row, col), CellExtra())
            cell.formula, cell.formula_type = found.formula, found.formula_type

    def _formula(self, row: int, col: int, formula: dict[str, str], text: str
                 ) -> CellExtra | None:
        kind = formula.get("t", "")
        if kind == "shared":  # Excel's fill-down: the first cell holds the text for them all
            from openpyxl.formula.translate import Translator

            here = f"{column_letter(col)}{row}"
            index = formula.get("si", "")
            if text:
                self.shared[index] = (here, text)
            elif index in self.shared:
                origin, first = self.shared[index]
                text = Translator(f"={first}", origin=origin).translate_formula(here)[1:]
            kind = ""
        return CellExtra(formula=text, formula_type=kind) if text else None

    def column(self, attrs: dict[str, str]) -> None:
        low, high = attrs.get("min", ""), attrs.get("max", "")
        if not (low.isdigit() and high.isdigit()):
            return
        width = attrs.get("width")
        custom = attrs.get("customWidth", "0") in ("1", "true")
        hidden = attrs.get("hidden", "0") in ("1", "true")
        if not (custom or hidden):
            return
        try:
            chars = float(width) - 0.71 if custom and width else None  # less the padding
        except ValueError:
            chars = None
        for col in range(int(low) - 1, min(int(high), 16_384)):
            self.extras.columns[col] = ColumnLook(round(chars, 2) if chars else None, hidden)


# The quick reading: cells written the ordinary way (`<c r="Q15" ...>` with no namespace
# prefix), found with regular expressions; anything else goes to the streaming XML parse.
_STYLE = re.compile(rb' s="(\d+)"')  # (a row's style too, which finds no cells)
_FORMULA_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})(\d+)"[^>]*>\s*<f(\s[^>]*?)?(?:/>|>([^<]*)</f>)')
_COLUMN = re.compile(rb"<col\s([^>]*?)/?>")
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')


def _attributes(text: bytes | None) -> dict[str, str]:
    return {k.decode(): html.unescape(v.decode("utf-8", "replace"))
            for k, v in _ATTRIBUTE.findall(text or b"")}


def column_looks_in(head: bytes) -> dict[int, ColumnLook]:
    """The column looks a sheet's XML before its rows (its <cols>) gives, as read_extras reads
    them: for the record of a master just written (master/savingsrecord.py)."""
    extras = SheetExtras()
    collect = _Collector(Styles.__new__(Styles), lambda col: False, lambda col, look: None,
                         extras, 0)
    for match in _COLUMN.finditer(head):
        collect.column(_attributes(match.group(1)))
    return extras.columns


def _fast_cells(stream: IO[bytes], collect: _Collector) -> None:
    """The quick reading, for cells written the ordinary way. Most cells carry one of a few
    styles that keep nothing, so only the cells of a style and column that keep something are
    visited."""
    columns: dict[bytes, int] = {}

    def column(letters: bytes) -> int:
        if letters not in columns:
            columns[letters] = column_number(letters.decode()) - 1
        return columns[letters]

    for piece in chunks(stream):
        if b"<col " in piece:
            for match in _COLUMN.finditer(piece):
                collect.column(_attributes(match.group(1)))
        pattern = collect.pattern(set(_STYLE.findall(piece)))
        for letters, row, style in pattern.findall(piece) if pattern else ():
            collect.styled(int(row), column(letters), style.decode())
        wanted = collect.formulas and b"<f" in piece
        for letters, row, attrs, text in _FORMULA_CELL.findall(piece) if wanted else ():
            col = column(letters)
            if collect.wanted(col):
                collect.formula(int(row), col, _attributes(attrs),
                                html.unescape(text.decode("utf-8", "replace")))


def _read_cells(stream: IO[bytes], path: Path, collect: _Collector) -> None:
    """The streaming walk, for any sheet."""
    for tag, row, col, element in walk_cells(stream, path, frozenset({"col"})):
        if tag == "col":
            collect.column(dict(element.attrib))
        elif collect.wanted(col):
            collect.styled(row + 1, col, element.get("s", "0"))
            formula = next((c for c in element if local_name(c.tag) == "f"), None) \
                if collect.formulas else None
            if formula is not None:
                collect.formula(row + 1, col, dict(formula.attrib), formula.text or "")


def read_comments(archive: zipfile.ZipFile, part: str, path: Path) -> SheetExtras:
    """Only a sheet's cell comments (its cells are not read).

    Raises:
        UnreadableFileError: the comments are damaged or unsafe.
    """
    extras = SheetExtras()
    with _damaged_is_unreadable(path):
        _read_comments(archive, part, path, lambda col: True, extras)
    return extras


def _read_comments(archive: zipfile.ZipFile, part: str, path: Path,
                   wanted: Callable[[int], bool], extras: SheetExtras) -> None:
    """Cell comments (notes), from the comments part the sheet's relationships name."""
    folder, name = posixpath.split(part)
    rels = read_member(archive, f"{folder}/_rels/{name}.rels")
    if rels is None:
        return
    for relation in parse_xml(rels, path).iter():
        if not relation.get("Type", "").endswith("/comments"):
            continue
        target = relation.get("Target", "")
        target = target[1:] if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        data = read_member(archive, target)
        if data is None:
            continue
        root = parse_xml(data, path)
        authors = [a.text or "" for a in root.iter() if local_name(a.tag) == "author"]
        for comment in root.iter():
            if local_name(comment.tag) != "comment":
                continue
            split = split_ref(comment.get("ref", "").split(":")[0].replace("$", ""))
            if split is None:
                continue
            row, col = split[0] + 1, split[1]
            if not wanted(col):
                continue
            text = "".join(t.text or "" for t in comment.iter() if local_name(t.tag) == "t")
            author = comment.get("authorId", "")
            cell = extras.cells.setdefault((row, col), CellExtra())
            cell.comment = text
            cell.author = authors[int(author)] if author.isdigit() and int(author) < len(
                authors) else None
