"""The safety scan of one sheet, before calamine reads it (files/guard.py runs it).

calamine allocates a sheet's whole extent (first to last cell with a value), so a sheet with one
value in A1 and one in XFD1048576 would make it ask for half a terabyte and abort the process;
and it copies a shared string into every cell that uses it, so one long string used by many
cells multiplies. Each sheet is therefore scanned first: one streaming pass over its XML, in
chunks of bounded size, that refuses a sheet whose cells reach too far or whose shared-string
cells add up to too much text. The same pass finds the cells in the columns a caller watches (a
return's input columns) that hold a formula whose value no spreadsheet program saved, or an
error value such as #DIV/0!, which calamine reads as blank.
"""

from __future__ import annotations

import html
import re
import zipfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from workbook_tools.errors import UnreadableFileError
from workbook_tools.files.cells import cell_ref, column_letter
from workbook_tools.files.deflate import INFLATE_ERRORS, open_part
from workbook_tools.files.sheetxml import MIB, chunks, local_name, walk_cells

#: what reading a damaged sheet part raises
_DAMAGED: tuple[type[Exception], ...] = (zipfile.BadZipFile, *INFLATE_ERRORS, OSError, EOFError,
                                         ValueError, KeyError)

# Shapes a sheet's cells may fill without being counted: (columns, rows, the cell references
# within them as a pattern). The fast scan only looks for a cell outside every shape whose area
# is within max_sheet_cells; a register or master of 100,000s of rows has few columns, a return
# a thousand rows of up to 78. Each cell is tried against them in order: the commonest first.
FAST_SHAPES = (
    (26, 99_999, rb"[A-Za-z]0*\d{1,5}"),  # to Z99999
    (78, 49_999, rb"[A-Ba-b]?[A-Za-z]0*[1-4]?\d{1,4}"),  # to BZ49999
    (12, 299_999, rb"[A-La-l]0*[1-2]?\d{1,5}"),  # to L299999 (a register's widest sheet)
    (26, 999_999, rb"[A-Za-z]0*\d{1,6}"),  # to Z999999
)

_ERROR_CELL = re.compile(  # white space between the tags too: Gnumeric indents its XML
    rb'<c r="([A-Za-z]{1,3}\d+)"([^>]*)>\s*(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?\s*<v>([^<]*)</v>'
)
_ERROR_TYPE = re.compile(rb't="e"')  # (found a third faster than by `in`, slow for 5 bytes)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_DIMENSION = re.compile(rb'<dimension ref="([^"]*)"')


@dataclass
class SheetScan:
    """What the safety scan of one sheet found.

    `formulas`, `errors` and `formula_cells` only hold cells in the watched columns: a formula
    whose value no spreadsheet program saved (ref -> formula text, '' for a shared formula),
    error values (ref -> the error, such as '#DIV/0!'), and every formula.
    """

    dimension: str = ""
    last_row: int | None = None  # exact only when the precise scan ran
    last_column: int | None = None
    formulas: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    precise: bool = False
    #: every formula in the watched columns, saved value or not (ref -> formula text)
    formula_cells: dict[str, str] = field(default_factory=dict)
    #: at most how many characters of shared strings the sheet's cells use
    text: int = 0
    #: the style index of each cell in the `styled` column, by 1-based row, as the quick
    #: reading of the cells finds it (files/extras.py); None when the quick scan did not run
    styles: dict[int, str] | None = None


_STRING_TYPED = re.compile(rb"""\st\s*=\s*["']s["']""")
#: an item's tag without its '<' (the part is split at each, the '<' going with the split)
_SHARED_ITEM_START = re.compile(rb"<(?=(?:[A-Za-z_][\w.-]*:)?si[\s>/])")
#: how the type of a string cell ends: "s" or 's' (or a quote of each, which the pattern takes)
_STRING_TYPE_ENDS = (b'"s"', b"'s'", b'"s\'', b"'s\"")


def _string_typed(piece: bytes) -> int:
    """How many times `_STRING_TYPED` matches in `piece`: its pattern starts with white space,
    so its search cannot start at a literal (a Measures sheet saved by Excel or LibreOffice:
    5 ms), while ` t="s"`, as every program writes a string cell's type, is counted in C.
    Every match ends in one of _STRING_TYPE_ENDS (none of which a count can skip, as a match
    starts after '=' or white space), and each ` t="s"` is a match: when they are as many as
    the literal, there is no other match."""
    literal = piece.count(b' t="s"')
    ends = piece.count(b'"s"')
    if b"'" in piece:
        ends += sum(piece.count(end) for end in _STRING_TYPE_ENDS[1:])
    if literal == ends:
        return literal
    return len(_STRING_TYPED.findall(piece))


#: the fewest bytes a string cell's XML takes, `<c t="s"><v>0</v>` (the tag's `t="s"`, a
#: one-digit value; `</c>` not even counted): a piece of n bytes holds at most n // 16 + 1 of
#: them (one may begin in the piece before), whatever the cells' attributes or white space
_STRING_CELL_BYTES = 16

_STRING_REF = re.compile(rb"""\st\s*=\s*["']s["'][^>]*>\s*<v>\s*(\d{1,10})\s*</v>""")


class SharedStrings:
    """An upper bound on each shared string's length: the bytes its `<si>` element takes (its
    text takes no more characters than that), so the text a sheet makes a reader copy into
    its cells can be bounded before any reader sees the file."""

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = sizes
        self.longest = max(sizes, default=0)

    @classmethod
    def of(cls, archive: zipfile.ZipFile, path: Path) -> SharedStrings:
        """From every shared-strings part in the zip (a reader may take any of them)."""
        sizes = array("I")
        for name in archive.namelist():
            if not name.lower().endswith("sharedstrings.xml"):
                continue
            try:
                with open_part(archive, name) as stream:  # inflated by ISA-L (0.3 ms a return)
                    data = stream.read()
            except _DAMAGED:
                raise UnreadableFileError(
                    path, "is damaged: its shared text cannot be unpacked", "file-corrupt"
                ) from None
            lengths = _item_sizes(data)
            del data
            if not lengths:  # a part without items (some programs write one): no text
                continue
            if not sizes:
                sizes.extend(lengths)
                continue
            for index, length in enumerate(lengths):
                if index < len(sizes):
                    sizes[index] = max(sizes[index], length)
                else:
                    sizes.append(length)
        return cls(sizes)

    def used(self, piece: bytes, budget: int, loose: bool = False) -> int:
        """At most how many characters the string cells in `piece` use: each at the longest
        string while that stays within `budget`, else counted cell by cell. `loose`: first try
        as many cells as the piece has room for (`_STRING_CELL_BYTES` each), uncounted."""
        # a string cell's type is "s" or 's' in quotes: without either, the pattern (which
        # cannot start its search at a literal) need not run over the piece
        if not self.longest or (b'"s"' not in piece and b"'s'" not in piece):
            return 0
        if loose:
            room = (len(piece) // _STRING_CELL_BYTES + 1) * self.longest  # +1: a cell cut off
            if room <= budget:
                return room
        typed = _string_typed(piece)
        if typed * self.longest <= budget:
            return typed * self.longest
        refs = _STRING_REF.findall(piece)
        sizes, count = self.sizes, len(self.sizes)
        exact = sum(sizes[i] if (i := int(ref)) < count else 0 for ref in refs)
        return exact + (typed - len(refs)) * self.longest

    def counted(self, stream: IO[bytes], budget: int) -> int:
        """At most how many characters the sheet's string cells use, each cell counted at its
        own string's size (stopping once past `budget`)."""
        total = 0
        for piece in chunks(stream):
            total += self.used(piece, 0)  # budget 0: each cell at its own string's size
            if total > budget:
                break
        return total

    def size(self, index: str | None) -> int:
        if index is None or not index.strip().isdigit():
            return 0
        number = int(index)
        return self.sizes[number] if number < len(self.sizes) else 0


def _item_sizes(data: bytes) -> list[int]:
    """Each shared-string item's bytes, from its tag to the next item's (or the part's end):
    the part split before each item's '<', in C (a match object an item took 6 ms a return).
    When every item's tag is a plain `<si>` (as Excel and LibreOffice write them: no other tag
    starts `<si`, and no `:si` for a prefixed one), the split is at that text, a third faster
    than at the pattern, with the same places."""
    if b":si" not in data and data.count(b"<si") == data.count(b"<si>"):
        return [size + 4 for size in map(len, data.split(b"<si>")[1:])]
    return [len(item) + 1 for item in _SHARED_ITEM_START.split(data)[1:]]


def unescape(text: str) -> str:
    """XML text with its entities replaced, as html.unescape does, quickly for the few a
    formula holds (&quot; around every text in it, &amp;, &lt;, &gt;, &apos;)."""
    if "&" not in text:
        return text
    plain = text.replace("&quot;", '"')
    if "&" not in plain:  # the usual formula: only quotes around its texts
        return plain
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'")
    if "&" in plain.replace("&amp;", ""):  # another entity (&#38;, &nbsp;): the full rules
        return html.unescape(text)
    return plain.replace("&amp;", "&")


def fast_refs(max_sheet_cells: int) -> bytes:
    """The cell references the fast scan accepts under a limit, or b'' when none."""
    return b"|".join(ref for columns, rows, ref in FAST_SHAPES
                     if columns * rows <= max_sheet_cells)


@lru_cache(maxsize=64)
def _cell_pattern(watch: str, near: bytes) -> re.Pattern[bytes]:
    """One pass over a sheet's cells finds both things the fast scan looks for: a cell tag that
    is not `<c r="REF"` with REF `near` (group 1 empty: a cell beyond the fast bounds, or one
    written unusually, with no `r` or not first; the precise scan decides), and a formula in a
    watched column (groups: the cell's ref, its other attributes, the formula's text, `<v>` if
    a value follows, and that value). Its runs are possessive (`*+`): a watched cell with no
    formula fails at `<f` at once, without trying each shorter run of its attributes."""
    watched = "(?!)" if not watch else f"[{watch.upper()}{watch.lower()}]"
    return re.compile(
        rb'<c(?:(?=[>\s])(?!\sr="(?:' + near + rb')")'
        rb'|\sr="(' + watched.encode() + rb'\d+)"([^>]*+)>\s*+'
        rb'<f(?=[\s>/])[^>]*?(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|(<v>)([^<]*)</v>)?)')


def fast_scan(stream: IO[bytes], watch: str, near: bytes,
              strings: SharedStrings | None = None, max_text: int = 0,
              marks: str = "", styled: str = "", loose: bool = False) -> SheetScan | None:
    """The scan for ordinary files, or None when the sheet needs the precise scan.

    Args:
        marks: watched columns whose formulas matter only for being there: their cells are
            in `formula_cells` (and `formulas`) with '' as the text, which is not unescaped.
        styled: a column letter whose cells' style indexes to keep (`SheetScan.styles`), so
            a caller needing their formats does not read the sheet again.
        loose: bound the shared text by each piece's room for string cells before counting
            them (`SharedStrings.used`): for a sheet whose size bounds it within `max_text`.
    """
    scan = SheetScan(styles={} if styled else None)
    pattern = _cell_pattern(watch, near)
    style_pattern = _style_pattern(styled) if styled else None
    first = True
    for piece in chunks(stream):
        if first:
            head = piece[:8192]
            root = _ROOT.search(head, head.find(b"<", head.find(b"?>") + 1))
            if root is None or b":" in root.group(1):
                return None  # a namespace prefix on every tag: the precise scan handles it
            dimension = _DIMENSION.search(head)
            scan.dimension = dimension.group(1).decode("ascii", "replace") if dimension else ""
            first = False
        if _PREFIXED_CELL.search(piece):
            return None
        if strings is not None:
            scan.text += strings.used(piece, max_text - scan.text, loose)
            if scan.text > max_text:
                return scan  # refused: the rest need not be read
        for ref_, attrs, formula, valued, value in pattern.findall(piece):
            if not ref_:
                return None  # a cell beyond the fast bounds, or written unusually
            ref = ref_.decode("ascii").upper()
            text = "" if ref[0] in marks else unescape(formula.decode("utf-8", "replace"))
            scan.formula_cells[ref] = text
            if not valued or (value == b"" and b't="str"' not in attrs):
                scan.formulas[ref] = text  # no value saved (no <v>, <v/> or <v></v>)
        if watch and _ERROR_TYPE.search(piece):
            for match in _ERROR_CELL.finditer(piece):
                ref = match.group(1).decode("ascii").upper()
                letters = ref.rstrip("0123456789")
                if b't="e"' in match.group(2) and len(letters) == 1 and letters in watch:
                    scan.errors[ref] = match.group(3).decode("utf-8", "replace")
        if style_pattern is not None and scan.styles is not None:
            for row, style in style_pattern.findall(piece):
                scan.styles[int(row)] = style.decode("ascii")
    return scan


@lru_cache(maxsize=8)
def _style_pattern(letter: str) -> re.Pattern[bytes]:
    """A styled cell of one column, found as the quick reading of a sheet's cells finds it
    (files/extras.py): `<c r="K12"` then its first `s` attribute."""
    return re.compile(b'<c r="' + letter.encode() + rb'0*(\d+)"[^>]*?\ss="(\d+)"')


def precise_scan(stream: IO[bytes], watch: str, path: Path,
                 strings: SharedStrings | None = None) -> SheetScan:
    """Every cell's position as calamine works it out, with the streaming walk."""
    scan = SheetScan(last_row=0, last_column=0, precise=True)
    try:
        for tag, row, col, element in walk_cells(stream, path, frozenset({"dimension"})):
            if tag == "dimension":
                scan.dimension = element.get("ref", "")
            else:
                _count_cell(scan, row, col, element, watch, strings)
    except UnreadableFileError:
        raise
    except Exception:
        raise UnreadableFileError(
            path, "is damaged and cannot be read as a workbook", "file-corrupt"
        ) from None
    return scan


def _count_cell(scan: SheetScan, row: int, col: int, element: Any, watch: str,
                strings: SharedStrings | None) -> None:
    """What the precise scan keeps of one cell: how far the values reach, the shared text
    used, and a watched column's formulas and error values."""
    children = {local_name(child.tag): child for child in element}
    value = children.get("v")
    if strings is not None and element.get("t") == "s" and value is not None:
        scan.text += strings.size(value.text)
    if (value is not None and bool(value.text)) or "is" in children:
        scan.last_row = max(scan.last_row or 0, row + 1)
        scan.last_column = max(scan.last_column or 0, col + 1)
    letters = column_letter(col)
    if len(letters) > 1 or letters not in watch:  # watched columns are single letters
        return
    ref = f"{letters}{row + 1}"
    formula = children.get("f")
    cell_type = element.get("t", "")
    if formula is not None:
        scan.formula_cells[ref] = formula.text or ""
        if value is None or not (value.text or cell_type == "str"):
            scan.formulas[ref] = formula.text or ""
    if cell_type == "e" and value is not None:
        scan.errors[ref] = value.text or ""


def scan_sheet(
    archive: zipfile.ZipFile, part: str, watch: str, path: Path, name: str,
    max_sheet_cells: int, strings: SharedStrings | None = None, max_text: int = 0,
    marks: str = "", styled: str = "",
) -> SheetScan:
    """Scan one sheet's XML before calamine reads it.

    Args:
        watch: the column letters (such as 'JMN') whose formulas and error values to report.
        max_sheet_cells: how many cells (rows x columns from A1) a sheet may span.
        marks, styled: see `fast_scan` (the precise scan keeps every formula's text and no
            styles).
        strings, max_text: the workbook's shared strings, and how many of their characters
            the sheet's cells may use between them.

    Raises:
        UnreadableFileError: the sheet reaches too far ('sheet-too-large'), would make a reader
            copy too much text ('file-bomb'), or is damaged.
    """
    near = fast_refs(max_sheet_cells)
    try:
        scan = None
        if near:
            # A sheet with room for too few string cells to pass the limit however long its
            # strings (a return's: 900 KB, 454 characters at most) need not have them counted:
            # 2-3 ms a return saved by Excel or LibreOffice. Its declared size only chooses the
            # way: each piece's room is counted from the bytes it really has, so a sheet larger
            # than it declares has the rest of its string cells counted as before.
            size = archive.getinfo(part).file_size
            loose = strings is not None and strings.longest * (  # a piece each MiB at most
                size // _STRING_CELL_BYTES + size // MIB + 2) <= max_text
            with open_part(archive, part) as stream:
                scan = fast_scan(stream, watch, near, strings, max_text, marks, styled, loose)
            if scan is not None and strings is not None and scan.text > max_text:
                # The fast scan counts a piece's string cells at the longest string while that
                # stays within the limit: an upper bound that can pass the limit on a large
                # sheet of short texts. Count each cell at its own string before refusing.
                with open_part(archive, part) as stream:
                    text = strings.counted(stream, max_text)
                if text <= max_text:
                    with open_part(archive, part) as stream:
                        scan = fast_scan(stream, watch, near, marks=marks, styled=styled)
                    if scan is not None:
                        scan.text = text
        if scan is None:
            with open_part(archive, part) as stream:
                scan = precise_scan(stream, watch, path, strings)
    except _DAMAGED:
        raise UnreadableFileError(
            path, f"is damaged: its sheet '{name}' cannot be unpacked", "file-corrupt"
        ) from None
    if strings is not None and scan.text > max_text:
        raise UnreadableFileError(
            path,
            f"would make a reader copy more than {max_text // 1_000_000:,} million characters "
            f"of text into its sheet '{name}' (a long text used by many cells); refused before "
            "opening",
            "file-bomb",
        )
    if scan.precise:
        rows, columns = scan.last_row or 0, scan.last_column or 0
        if rows > 1_048_576 or columns > 16_384 or rows * columns > max_sheet_cells:
            raise UnreadableFileError(
                path,
                f"has a value in cell {name}!{cell_ref(rows, columns - 1)}, so reading the sheet "
                f"would need room for {rows:,} rows by {columns:,} columns; refused",
                "sheet-too-large",
            )
    return scan
