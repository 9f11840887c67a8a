"""Opening a file someone sent is a security boundary.

Before anything parses a file: recognise its kind from its bytes, check its size, and check the
zip's member count and declared uncompressed sizes, so a decompression bomb is refused before it
is unpacked. python-calamine (the fast reader) enforces those declared sizes while it unpacks.

calamine allocates a sheet's whole extent (first to last cell with a value), so a sheet with one
value in A1 and one in XFD1048576 would make it ask for half a terabyte and abort the process.
Each sheet is therefore scanned before calamine sees it: one streaming pass over its XML, in
chunks of bounded size, that refuses a sheet whose cells reach too far. The same pass finds the
cells in the columns a caller watches (a return's input columns) that hold a formula whose value
no spreadsheet program saved, or an error value such as #DIV/0!, which calamine reads as blank.

Only then are values read fast with python-calamine into plain rows. openpyxl is never used here;
`defusedxml` parses the few small XML parts read directly, and is installed so that openpyxl,
wherever else it runs, refuses entity attacks too.
"""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from workbook_tools.errors import UnreadableFileError
from workbook_tools.files.cells import cell_ref, column_letter

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a workbook may be before we refuse to open it."""

    max_file_bytes: int = 32 * MIB
    max_members: int = 1_000
    max_member_bytes: int = 64 * MIB  # declared uncompressed size of any one part
    max_total_bytes: int = 256 * MIB  # declared uncompressed size of all parts together
    max_ratio: int = 200  # declared uncompressed / compressed size, for parts over 1 MiB
    max_index_bytes: int = 4 * MIB  # workbook.xml and its relationships, parsed here
    max_sheet_cells: int = 4_000_000  # rows x columns from A1 to a sheet's last cell


DEFAULT_LIMITS = Limits()

# Shapes a sheet's cells may fill without being counted: (columns, rows, the cell references
# within them as a pattern). The fast scan only looks for a cell outside every shape whose area
# is within max_sheet_cells; a register or master of 100,000s of rows has few columns, a return
# a thousand rows of up to 78.
FAST_SHAPES = (
    (78, 49_999, rb"[A-Ba-b]?[A-Za-z]0*[1-4]?\d{1,4}"),  # to BZ49999
    (26, 99_999, rb"[A-Za-z]0*\d{1,5}"),  # to Z99999
    (12, 299_999, rb"[A-La-l]0*[1-2]?\d{1,5}"),  # to L299999 (a register's widest sheet)
    (26, 999_999, rb"[A-Za-z]0*\d{1,6}"),  # to Z999999
)
_CHUNK = 4 * MIB

_FORMULA_REST = re.compile(
    rb'<f\b[^>]*?(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>([^<]*)</v>)?'
)
_ERROR_CELL = re.compile(  # white space between the tags too: Gnumeric indents its XML
    rb'<c r="([A-Za-z]{1,3}\d+)"([^>]*)>\s*(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?\s*<v>([^<]*)</v>'
)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_DIMENSION = re.compile(rb'<dimension ref="([^"]*)"')
_REF = re.compile(r"^([A-Za-z]+)0*(\d+)$")


@dataclass
class SheetScan:
    """What the safety scan of one sheet found.

    `formulas` and `errors` only hold cells in the watched columns: a formula whose value no
    spreadsheet program saved (ref -> formula text, '' for a shared formula), and error values
    (ref -> the error, such as '#DIV/0!').
    """

    dimension: str = ""
    last_row: int | None = None  # exact only when the precise scan ran
    last_column: int | None = None
    formulas: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    #: every cell in the watched columns that holds a formula, with a value or not (a formula
    #: the tool wrote that is no longer there was typed over)
    formula_cells: set[str] = field(default_factory=set)
    precise: bool = False


def sniff(path: Path) -> str:
    """The kind of file by its first bytes: 'empty', 'zip', 'ole', 'text' or 'other'."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if not head:
        return "empty"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text"
        except UnicodeDecodeError:
            if all(32 <= b or b in b"\t\r\n" for b in head[:64]):
                return "text"
    return "other"


def check_file_size(path: Path, size: int, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a file larger than a workbook may be, before anything reads (or hashes) it.

    Raises:
        UnreadableFileError: 'file-too-large'.
    """
    if size > limits.max_file_bytes:
        raise UnreadableFileError(
            path,
            f"is {size // MIB:,} MB, larger than the {limits.max_file_bytes // MIB} MB a return "
            "may be",
            "file-too-large",
        )


def check_workbook_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse anything that is not a safe-to-open .xlsx, before any parser sees it.

    Raises:
        UnreadableFileError: with a plain reason and a stable code.
    """
    path = Path(path)
    if path.name.startswith("~$"):
        raise UnreadableFileError(
            path, "is Excel's lock file for a workbook that is open, not a return", "file-lock"
        )
    try:
        check_file_size(path, path.stat().st_size, limits)
        kind = sniff(path)
    except OSError as exc:
        raise UnreadableFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    if kind == "empty":
        raise UnreadableFileError(path, "is empty (0 bytes)", "file-empty")
    if kind == "ole":
        raise UnreadableFileError(
            path,
            "is an old-style .xls workbook or is protected with a password to open; save it as "
            "an Excel Workbook (.xlsx) without a password and send it again",
            "file-old-or-encrypted",
        )
    if kind == "text":
        raise UnreadableFileError(
            path,
            "is a text file (such as a CSV) and not an Excel workbook; send the .xlsx return",
            "file-not-workbook",
        )
    if kind != "zip":
        raise UnreadableFileError(
            path, "is not an Excel workbook; send the .xlsx return", "file-not-workbook"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFileError(
            path, "is damaged and cannot be opened as a workbook", "file-corrupt"
        ) from None
    if len(members) > limits.max_members:
        raise UnreadableFileError(
            path, f"has {len(members)} parts, more than a workbook should", "file-too-large"
        )
    total = 0
    for member in members:
        total += member.file_size
        suspicious = member.file_size > MIB and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        )
        if member.file_size > limits.max_member_bytes or suspicious:
            raise UnreadableFileError(
                path,
                f"would unpack to an unsafe size ({member.filename}: "
                f"{member.file_size // MIB} MB from {member.compress_size // 1024} KB); "
                "refused before opening",
                "file-bomb",
            )
    if total > limits.max_total_bytes:
        raise UnreadableFileError(
            path,
            f"would unpack to {total // MIB} MB, an unsafe size; refused before opening",
            "file-bomb",
        )
    names = {m.filename.lower() for m in members}
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise UnreadableFileError(
                path,
                "is a binary workbook (.xlsb); save it as an Excel Workbook (.xlsx) and send it "
                "again",
                "file-not-workbook",
            )
        if "content.xml" in names and "mimetype" in names:
            raise UnreadableFileError(
                path,
                "is an OpenDocument spreadsheet (.ods); save it as an Excel Workbook (.xlsx) and "
                "send it again",
                "file-not-workbook",
            )
        raise UnreadableFileError(
            path, "is a zip file but not an Excel workbook", "file-not-workbook"
        )


# ---------------------------------------------------------------------------------------------
# The workbook's index: sheet names, states and the zip part holding each.


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_part(archive: zipfile.ZipFile, name: str, path: Path, limits: Limits) -> bytes | None:
    actual = next((n for n in archive.namelist() if n.lower() == name.lower()), None)
    if actual is None:
        return None
    info = archive.getinfo(actual)
    if info.file_size > limits.max_index_bytes:
        raise UnreadableFileError(
            path, f"has an unusually large {actual}; refused before opening", "file-too-large"
        )
    return archive.read(actual)


def _parse_xml(data: bytes, path: Path) -> Any:
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


def _sheet_index(
    archive: zipfile.ZipFile, path: Path, limits: Limits
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """(names in order, name -> state, name -> zip part), resolved as calamine resolves them."""
    workbook = _read_part(archive, "xl/workbook.xml", path, limits)
    rels = _read_part(archive, "xl/_rels/workbook.xml.rels", path, limits)
    if workbook is None or rels is None:
        raise UnreadableFileError(path, "is damaged: its list of sheets is missing", "file-corrupt")
    targets = {
        element.get("Id", ""): element.get("Target", "")
        for element in _parse_xml(rels, path).iter()
        if _local(element.tag) == "Relationship"
    }
    lower = {n.lower(): n for n in archive.namelist()}
    names: list[str] = []
    states: dict[str, str] = {}
    parts: dict[str, str] = {}
    for element in _parse_xml(workbook, path).iter():
        if _local(element.tag) != "sheet":
            continue
        name = element.get("name", "")
        rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
        target = targets.get(rid, "")
        if target.startswith("/xl/"):
            target = target[1:]
        elif not target.startswith("xl/"):
            target = "xl/" + target
        names.append(name)
        states[name] = element.get("state", "visible")
        parts[name] = lower.get(target.lower(), "")
    return names, states, parts


# ---------------------------------------------------------------------------------------------
# The safety scan of one sheet.


def column_number(letters: str) -> int:
    """Column letters to a 1-based number: A -> 1, AB -> 28."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def _split_ref(ref: str) -> tuple[str, int] | None:
    match = _REF.match(ref)
    if not match:
        return None
    return match.group(1).upper(), int(match.group(2))


def _near(max_sheet_cells: int) -> bytes:
    """The cell references the fast scan accepts under a limit, or b'' when none."""
    return b"|".join(ref for columns, rows, ref in FAST_SHAPES
                     if columns * rows <= max_sheet_cells)


@lru_cache(maxsize=64)
def _cell_pattern(watch: str, near: bytes) -> re.Pattern[bytes]:
    """One pass over a sheet's cells finds both things the fast scan looks for: a cell tag that
    is not `<c r="REF"` with REF `near` (no groups: a cell beyond the fast bounds, or one written
    unusually, with no `r` or not first; the precise scan decides), and a formula in a watched
    column (group 1 the cell's ref, group 2 its other attributes)."""
    watched = "(?!)" if not watch else f"[{watch.upper()}{watch.lower()}]"
    return re.compile(
        rb'<c(?:(?=[>\s])(?!\sr="(?:' + near + rb')")'
        rb'|\sr="(' + watched.encode() + rb'\d+)"([^>]*)>\s*<f(?=[\s>/]))')


def chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The part's bytes in pieces that end just before a `<c` tag, so no cell is split."""
    carry = b""
    while True:
        data = stream.read(_CHUNK)
        if not data:
            if carry:
                yield carry
            return
        data = carry + data
        cut = data.rfind(b"<c")
        if cut <= 0:
            cut = data.rfind(b"<")
        if cut <= 0 or len(data) - cut > _CHUNK:
            carry = b""
            yield data
        else:
            carry = data[cut:]
            yield data[:cut]


def _fast_scan(stream: IO[bytes], watch: str, near: bytes) -> SheetScan | None:
    """The scan for ordinary files, or None when the sheet needs the precise scan."""
    scan = SheetScan()
    pattern = _cell_pattern(watch, near)
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
        for match in pattern.finditer(piece):
            if match.group(1) is None:
                return None  # a cell beyond the fast bounds, or written unusually
            rest = _FORMULA_REST.match(piece, match.end() - 2)
            attrs = match.group(2)
            if rest is None:
                continue
            scan.formula_cells.add(match.group(1).decode("ascii").upper())
            value = rest.group(2)
            if value is None or (value == b"" and b't="str"' not in attrs):
                text = html.unescape((rest.group(1) or b"").decode("utf-8", "replace"))
                scan.formulas[match.group(1).decode("ascii").upper()] = text
        if watch and b't="e"' in piece:
            for match in _ERROR_CELL.finditer(piece):
                ref = match.group(1).decode("ascii").upper()
                letters = ref.rstrip("0123456789")
                if b't="e"' in match.group(2) and len(letters) == 1 and letters in watch:
                    scan.errors[ref] = match.group(3).decode("utf-8", "replace")
    return scan


def _precise_scan(stream: IO[bytes], watch: str, path: Path) -> SheetScan:
    """Every cell's position as calamine works it out, with a streaming parse."""
    import defusedxml.ElementTree as safe_tree
    from defusedxml import DefusedXmlException

    scan = SheetScan(last_row=0, last_column=0, precise=True)
    row_index, col_index = 0, 0
    watched = set(watch)
    position = (0, 0)
    sheet_data: Any = None
    try:
        for event, element in safe_tree.iterparse(stream, events=("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    ref = element.get("r")
                    if ref is not None and ref.isdigit():
                        row_index = int(ref) - 1
                elif tag == "c":
                    ref = element.get("r")
                    split = _split_ref(ref) if ref else None
                    if split:
                        col_index = column_number(split[0]) - 1
                        position = (split[1] - 1, col_index)
                    else:
                        position = (row_index, col_index)
                elif tag == "sheetData":
                    sheet_data = element
                elif tag == "dimension":
                    scan.dimension = element.get("ref", "")
                continue
            if tag == "c":
                children = {_local(child.tag): child for child in element}
                value = children.get("v")
                has_value = (value is not None and bool(value.text)) or "is" in children
                if has_value:
                    scan.last_row = max(scan.last_row or 0, position[0] + 1)
                    scan.last_column = max(scan.last_column or 0, position[1] + 1)
                letters = column_letter(position[1])
                ref = f"{letters}{position[0] + 1}"
                if letters in watched:
                    formula = children.get("f")
                    cell_type = element.get("t", "")
                    known = value is not None and (bool(value.text) or cell_type == "str")
                    if formula is not None:
                        scan.formula_cells.add(ref)
                    if formula is not None and not known:
                        scan.formulas[ref] = formula.text or ""
                    if cell_type == "e" and value is not None:
                        scan.errors[ref] = value.text or ""
                col_index += 1
                element.clear()
            elif tag == "row":
                row_index += 1
                col_index = 0
                if sheet_data is not None:
                    sheet_data.clear()  # keeps memory bounded: finished rows are dropped
    except DefusedXmlException:
        raise UnreadableFileError(
            path, "contains XML entity declarations, which a workbook never needs; refused",
            "file-unsafe",
        ) from None
    except UnreadableFileError:
        raise
    except Exception:
        raise UnreadableFileError(
            path, "is damaged and cannot be read as a workbook", "file-corrupt"
        ) from None
    return scan


def scan_sheet(
    archive: zipfile.ZipFile, part: str, watch: str, path: Path, name: str,
    limits: Limits = DEFAULT_LIMITS,
) -> SheetScan:
    """Scan one sheet's XML before calamine reads it.

    Args:
        watch: the column letters (such as 'JMN') whose formulas and error values to report.

    Raises:
        UnreadableFileError: the sheet reaches too far ('sheet-too-large'), or is damaged.
    """
    near = _near(limits.max_sheet_cells)
    try:
        scan = None
        if near:
            with archive.open(part) as stream:
                scan = _fast_scan(stream, watch, near)
        if scan is None:
            with archive.open(part) as stream:
                scan = _precise_scan(stream, watch, path)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError):
        raise UnreadableFileError(
            path, f"is damaged: its sheet '{name}' cannot be unpacked", "file-corrupt"
        ) from None
    if scan.precise:
        rows, columns = scan.last_row or 0, scan.last_column or 0
        if rows > 1_048_576 or columns > 16_384 or rows * columns > limits.max_sheet_cells:
            raise UnreadableFileError(
                path,
                f"has a value in cell {name}!{cell_ref(rows, columns - 1)}, so reading the sheet "
                f"would need room for {rows:,} rows by {columns:,} columns; refused",
                "sheet-too-large",
            )
    return scan


# ---------------------------------------------------------------------------------------------


class SafeWorkbook:
    """A workbook that passed the safety checks; sheets are scanned, then read with calamine.

    Use as a context manager. Raises UnreadableFileError (never anything else) for a file that
    cannot be read safely.
    """

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.limits = limits
        check_workbook_file(self.path, limits)
        self._calamine: Any = None
        self._styles: Any = None
        self._handle: IO[bytes] | None = None
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError):
            raise UnreadableFileError(
                self.path, "is damaged and cannot be opened as a workbook", "file-corrupt"
            ) from None
        try:
            self.sheet_names, self._states, self._parts = _sheet_index(
                self._zip, self.path, limits
            )
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> SafeWorkbook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def state(self, name: str) -> str:
        """'visible', 'hidden' or 'veryHidden'."""
        return self._states.get(name, "visible")

    def read(self, name: str, watch: str = "") -> tuple[list[list[Any]], SheetScan]:
        """A sheet's values as rows from A1 ('' for an empty cell), and what the scan found."""
        part = self._parts.get(name, "")
        if not part:
            raise UnreadableFileError(
                self.path, f"is damaged: its sheet '{name}' is missing from the file",
                "file-corrupt",
            )
        scan = scan_sheet(self._zip, part, watch, self.path, name, self.limits)
        try:
            rows = self._workbook().get_sheet_by_name(name).to_python(skip_empty_area=False)
        except UnreadableFileError:
            raise
        except Exception as exc:  # calamine raises several of its own types for damaged files
            raise UnreadableFileError(
                self.path,
                f"is damaged: its sheet '{name}' cannot be read ({type(exc).__name__})",
                "file-corrupt",
            ) from None
        return rows, scan

    def extras(self, name: str, wanted: Callable[[int], bool], look: Callable[[int, Any], Any],
               width: int, scan: SheetScan) -> Any:
        """A sheet's formulas, comments, formats and column looks (files/extras.py), for a
        sheet already read with `read` (`scan` is what its scan found)."""
        from workbook_tools.files.extras import read_extras
        from workbook_tools.files.styles import Styles

        if self._styles is None:
            self._styles = Styles(self._zip, self.path)
        return read_extras(self._zip, self._parts[name], self.path, self._styles, wanted, look,
                           width, not scan.precise)

    def comments(self, name: str) -> Any:
        """A sheet's cell comments only (files/extras.py)."""
        from workbook_tools.files.extras import read_comments

        return read_comments(self._zip, self._parts[name], self.path)

    def _workbook(self) -> Any:
        if self._calamine is None:
            import python_calamine

            try:
                if self.path.suffix.lower() in (".xlsx", ".xlsm"):
                    self._calamine = python_calamine.CalamineWorkbook.from_path(str(self.path))
                else:  # calamine picks its reader by the file's extension otherwise
                    self._handle = open(self.path, "rb")  # noqa: SIM115 - closed in close()
                    self._calamine = python_calamine.CalamineWorkbook.from_filelike(self._handle)
            except Exception as exc:
                raise UnreadableFileError(
                    self.path, f"is damaged and cannot be read ({type(exc).__name__})",
                    "file-corrupt",
                ) from None
        return self._calamine

    def close(self) -> None:
        if self._calamine is not None:
            try:
                self._calamine.close()
            except Exception:  # already closed
                pass
            self._calamine = None
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._zip.close()


def read_values(path: Path, limits: Limits = DEFAULT_LIMITS) -> dict[str, list[list[Any]]]:
    """Every sheet's values, keyed by sheet name, after the safety checks."""
    with SafeWorkbook(Path(path), limits) as workbook:
        return {name: workbook.read(name)[0] for name in workbook.sheet_names}
