"""Opening a file someone sent is a security boundary: every parser of a returned file (calamine
for values, openpyxl for feedback, defusedxml for the parts read here) goes through this module.

A file is copied once (files/snapshot.py), and every check and every parser reads the copy, never
the path again: a file put in the path's place after the checks, or written to in place (a
bomb, another return), is never parsed, and the digest recorded of a return is of the bytes
read (`SafeWorkbook.sha256`).

Before anything parses a file:
- its size is checked before it is read or hashed, and its kind recognised from its bytes;
- the zip's member count and declared uncompressed sizes are checked, so a decompression bomb is
  refused before it is unpacked (python-calamine enforces the declared sizes while it unpacks);
- every XML part's prolog is read: a DOCTYPE (entity declarations, a billion laughs) is refused,
  as a workbook never needs one, whichever parser would read the part;
- the shared strings are measured, and each sheet is scanned (files/sheetscan.py) before calamine
  reads it: a sheet whose cells reach too far, or whose cells would make a reader copy too much
  shared text (one long string used by many cells), is refused.

Only then are values read fast with python-calamine into plain rows (`SafeWorkbook`); openpyxl
opens a returned file only through `load_for_editing`, which also bounds the cells and rows it
would build. `defusedxml` parses the few small XML parts read directly, and is installed so that
openpyxl refuses entity attacks too.
The limits are `Limits` in files/package.py, with the checks made before any parser sees a file.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from workbook_tools.errors import UnreadableFileError
from workbook_tools.files import snapshot
from workbook_tools.files.package import (
    DEFAULT_LIMITS,
    MIB,
    Limits,
    check_name,
    check_workbook_file,
)
from workbook_tools.files.sheetscan import SharedStrings, SheetScan, scan_sheet
from workbook_tools.files.sheetxml import local_name, parse_xml

# ---------------------------------------------------------------------------------------------
# The workbook's index: sheet names, states and the zip part holding each.


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
        for element in parse_xml(rels, path).iter()
        if local_name(element.tag) == "Relationship"
    }
    lower = {n.lower(): n for n in archive.namelist()}
    names: list[str] = []
    states: dict[str, str] = {}
    parts: dict[str, str] = {}
    for element in parse_xml(workbook, path).iter():
        if local_name(element.tag) != "sheet":
            continue
        name = element.get("name", "")
        rid = next((v for k, v in element.attrib.items() if local_name(k) == "id"), "")
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


#: Styles already parsed in this process, by the whole bytes of the theme and styles parts
#: they were parsed from (so never another file's by mistake): parsing them was a third of
#: reading a % measure's formats, and every return the tool generated has the same ones.
_STYLES_SEEN: dict[tuple[bytes | None, bytes | None], Any] = {}
_STYLES_KEPT = 8


class SafeWorkbook:
    """A workbook that passed the safety checks; sheets are scanned, then read with calamine.

    Use as a context manager. Raises UnreadableFileError (never anything else) for a file that
    cannot be read safely.
    """

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS, copy: bool = True) -> None:
        """`copy` False: the file is read as opened, not copied, for a file the tool has just
        written and checks by its digest before and after (see snapshot.take)."""
        self.path = Path(path)
        self.limits = limits
        self._calamine: Any = None
        self._styles: Any = None
        self._strings: SharedStrings | None = None
        # copied once: the checks and every parser read the copy, not whatever the path names
        # by then, nor the file written to since (files/snapshot.py)
        check_name(self.path)
        self._copy = snapshot.take(self.path, limits, copy)
        self._file = self._copy.file
        try:
            check_workbook_file(self.path, limits, self._file)
            try:
                self._zip = zipfile.ZipFile(self._file)
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
        except BaseException as exc:
            self._refused(exc)
            self._copy.close()
            raise

    def __enter__(self) -> SafeWorkbook:
        return self

    def __exit__(self, _: object, exc: BaseException | None, __: object) -> None:
        self._refused(exc)
        self.close()

    def _refused(self, exc: BaseException | None) -> None:
        """A refusal of the file read here says which file it was: the SHA-256 of its copy."""
        if isinstance(exc, UnreadableFileError) and not exc.sha256:
            try:
                exc.sha256 = self.sha256()
            except (OSError, ValueError):
                pass

    def active_parts(self) -> tuple[list[str], list[str]]:
        """(macro parts, parts linking to other workbooks) the file carries, by name."""
        names = self._zip.namelist()
        macros = [n for n in names if n.lower().endswith(("vbaproject.bin", "vbadata.xml"))]
        links = [n for n in names if n.lower().startswith("xl/externallinks/")
                 and n.lower().endswith(".xml")]
        return macros, links

    def scan(self, name: str, watch: str = "", marks: str = "", styled: str = "") -> SheetScan:
        """The safety scan of a sheet alone, without reading its values (`marks`, `styled`:
        see sheetscan.fast_scan)."""
        part = self._parts.get(name, "")
        if not part:
            raise UnreadableFileError(
                self.path, f"is damaged: its sheet '{name}' is missing from the file",
                "file-corrupt",
            )
        if self._strings is None:
            self._strings = SharedStrings.of(self._zip, self.path)
        return scan_sheet(self._zip, part, watch, self.path, name, self.limits.max_sheet_cells,
                          self._strings, self.limits.max_sheet_text, marks, styled)

    def part(self, name: str) -> str:
        """The zip member holding a sheet ('' when there is none), in `archive`."""
        return self._parts.get(name, "")

    @property
    def archive(self) -> zipfile.ZipFile:
        """The file as opened and checked here (its members' declared sizes within limits)."""
        return self._zip

    def state(self, name: str) -> str:
        """'visible', 'hidden' or 'veryHidden'."""
        return self._states.get(name, "visible")

    def read(self, name: str, watch: str = "", marks: str = "", styled: str = "",
             scanned: SheetScan | None = None) -> tuple[list[list[Any]], SheetScan]:
        """A sheet's values as rows from A1 ('' for an empty cell), and what the scan found
        (`marks`, `styled`: see sheetscan.fast_scan; `scanned`: the sheet's scan, made already
        with the same arguments)."""
        scan = scanned if scanned is not None else self.scan(name, watch, marks, styled)
        with self._refusing(name):
            rows = self._workbook().get_sheet_by_name(name).to_python(skip_empty_area=False)
        return rows, scan

    def read_lazily(self, name: str, watch: str = "",
                    scanned: SheetScan | None = None) -> tuple[Iterator[list[Any]], SheetScan]:
        """As `read`, but the rows given as they are read on: calamine's copy of each row's
        cells is made only as it is asked for (so a caller that keeps less than every cell
        never holds the sheet's cells twice over)."""
        scan = scanned if scanned is not None else self.scan(name, watch)
        with self._refusing(name):
            sheet = self._workbook().get_sheet_by_name(name)
            start = sheet.start
        if start != (0, 0):  # (rows from A1, as `read` gives them: the sheet loaded once)
            with self._refusing(name):
                return iter(sheet.to_python(skip_empty_area=False)), scan
        return self._rows_of(name, sheet), scan

    def _rows_of(self, name: str, sheet: Any) -> Iterator[list[Any]]:
        with self._refusing(name):
            yield from sheet.iter_rows()

    @contextlib.contextmanager
    def _refusing(self, name: str) -> Iterator[None]:
        """calamine's own errors reading a damaged sheet as this file's refusal."""
        try:
            yield
        except UnreadableFileError:
            raise
        except Exception as exc:  # calamine raises several of its own types for damaged files
            raise UnreadableFileError(
                self.path,
                f"is damaged: its sheet '{name}' cannot be read ({type(exc).__name__})",
                "file-corrupt",
            ) from None

    def extras(self, name: str, wanted: Callable[[int], bool], look: Callable[[int, Any], Any],
               width: int, scan: SheetScan, looks_only: bool = False) -> Any:
        """A sheet's formulas, comments, formats and column looks (files/extras.py; only the
        looks with `looks_only`), for a sheet already read with `read` (`scan` is what its
        scan found)."""
        from workbook_tools.files.extras import read_extras

        return read_extras(self._zip, self._parts[name], self.path, self._cell_styles(), wanted,
                           look, width, not scan.precise, looks_only)

    def column_looks(self, name: str, col: int, look: Callable[[int, Any], Any], width: int,
                     scan: SheetScan) -> dict[int, Any]:
        """What `look` keeps (not None) of the style of each cell in one column (0-based), by
        1-based row: from the styles the scan found when it kept that column's
        (`read(styled=...)`), else from the sheet's cells read again (`extras`)."""
        if scan.styles is None:
            extras = self.extras(name, lambda column: column == col, look, width, scan,
                                 looks_only=True)
            return {row1: extra.look for (row1, column), extra in extras.cells.items()
                    if column == col and extra.look is not None}
        styles = self._cell_styles()
        kept: dict[str, Any] = {}
        found: dict[int, Any] = {}
        for row1, style in scan.styles.items():
            if style not in kept:
                kept[style] = look(col, styles.look(int(style)))
            if kept[style] is not None:
                found[row1] = kept[style]
        return found

    def _cell_styles(self) -> Any:
        """The workbook's cell styles (files/styles.py), parsed once per process for each
        content of its theme and styles parts: the returns the tool generated share them."""
        if self._styles is None:
            from workbook_tools.files.styles import Styles, read_member

            key = (read_member(self._zip, "xl/theme/theme1.xml"),  # Styles' own order
                   read_member(self._zip, "xl/styles.xml"))
            styles = _STYLES_SEEN.get(key)
            if styles is None:
                styles = Styles(self._zip, self.path)
                if len(_STYLES_SEEN) >= _STYLES_KEPT:
                    _STYLES_SEEN.clear()
                _STYLES_SEEN[key] = styles
            self._styles = styles
        return self._styles

    def comments(self, name: str) -> Any:
        """A sheet's cell comments only (files/extras.py)."""
        from workbook_tools.files.extras import read_comments

        return read_comments(self._zip, self._parts[name], self.path)

    def _workbook(self) -> Any:
        if self._calamine is None:
            import python_calamine

            try:
                if self._copy.name is None:  # (a copy in memory: read as a workbook by its bytes)
                    self._file.seek(0)
                    self._calamine = python_calamine.CalamineWorkbook.from_filelike(self._file)
                else:
                    self._calamine = python_calamine.CalamineWorkbook.from_path(self._copy.name)
            except Exception as exc:
                raise UnreadableFileError(
                    self.path, f"is damaged and cannot be read ({type(exc).__name__})",
                    "file-corrupt",
                ) from None
        return self._calamine

    def sha256(self) -> str:
        """The SHA-256 of the file as copied (the bytes checked and read here)."""
        return self._copy.sha256()

    def close(self) -> None:
        if self._calamine is not None:
            try:
                self._calamine.close()
            except Exception:  # already closed
                pass
            self._calamine = None
        self._zip.close()
        self._copy.close()


def read_values(path: Path, limits: Limits = DEFAULT_LIMITS) -> dict[str, list[list[Any]]]:
    """Every sheet's values, keyed by sheet name, after the safety checks."""
    with SafeWorkbook(Path(path), limits) as workbook:
        return {name: workbook.read(name)[0] for name in workbook.sheet_names}


# ---------------------------------------------------------------------------------------------
# openpyxl, for the few tasks that rewrite a returned file (feedback).

_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row)[\s/>]")


def load_for_editing(path: Path, content: bytes, limits: Limits = DEFAULT_LIMITS) -> Any:
    """A returned file opened with openpyxl, after the same checks as for reading, and a count
    of the rows and cells openpyxl would build (it builds one object for each, styled and empty
    ones too, so 1,000,000 empty styled rows would take gigabytes).

    Args:
        content: the file's bytes (checked as `path`, read once by the caller).

    Raises:
        UnreadableFileError: the file cannot be opened safely.
    """
    import openpyxl

    path = Path(path)
    check_workbook_file(path, limits, io.BytesIO(content))  # (the bytes given, not the path's)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _, _, parts = _sheet_index(archive, path, limits)
            elements = 0
            for part in parts.values():
                if not part:
                    continue
                with archive.open(part) as stream:
                    carry = b""
                    while data := stream.read(4 * MIB):
                        data = carry + data
                        cut = data.rfind(b"<")
                        carry, data = (data[cut:], data[:cut]) if cut > 0 else (b"", data)
                        elements += len(_ELEMENT.findall(data))
                        if elements > limits.max_edit_elements:
                            raise UnreadableFileError(
                                path,
                                f"has more than {limits.max_edit_elements:,} rows and cells "
                                "(most of them empty), too many to mark up; refused",
                                "sheet-too-large",
                            )
                    elements += len(_ELEMENT.findall(carry))
    except UnreadableFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError):
        raise UnreadableFileError(
            path, "is damaged and cannot be opened as a workbook", "file-corrupt"
        ) from None
    try:
        return openpyxl.load_workbook(io.BytesIO(content))
    except Exception as exc:  # openpyxl raises many types for a damaged file
        what = ("it holds a value no spreadsheet program writes, such as NaN" if
                isinstance(exc, ValueError) else type(exc).__name__)
        raise UnreadableFileError(
            path, f"cannot be opened to mark it up ({what})", "file-corrupt") from None
