"""Opening a file someone sent is a security boundary: every parser of a returned file (calamine
for values, openpyxl for feedback, defusedxml for the parts read here) goes through this module.

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

The limits, all in `Limits` (one instance, `DEFAULT_LIMITS`):

| limit | default | what it bounds |
| --- | --- | --- |
| max_file_bytes | 32 MB | the file on disk |
| max_members | 1,000 | parts in the zip |
| max_member_bytes | 64 MB | any one part, unpacked (as declared) |
| max_total_bytes | 256 MB | all parts together, unpacked |
| max_ratio | 200 | unpacked / packed, for parts over 1 MB |
| max_index_bytes | 4 MB | workbook.xml and its relationships |
| max_prolog_bytes | 64 KB | an XML part's prolog, before its root element |
| max_sheet_cells | 4,000,000 | rows x columns from A1 to a sheet's last value |
| max_sheet_text | 64 million characters | shared text a sheet's cells use between them |
| max_edit_elements | 1,000,000 | rows and cells openpyxl would build, over all sheets |
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from workbook_tools.errors import UnreadableFileError
from workbook_tools.files.sheetscan import SharedStrings, SheetScan, scan_sheet
from workbook_tools.files.sheetxml import local_name

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a workbook may be before we refuse to open it (the table in the module's
    docstring)."""

    max_file_bytes: int = 32 * MIB
    max_members: int = 1_000
    max_member_bytes: int = 64 * MIB  # declared uncompressed size of any one part
    max_total_bytes: int = 256 * MIB  # declared uncompressed size of all parts together
    max_ratio: int = 200  # declared uncompressed / compressed size, for parts over 1 MiB
    max_index_bytes: int = 4 * MIB  # workbook.xml and its relationships, parsed here
    max_prolog_bytes: int = 64 * 1024  # an XML part's start, up to its root element
    max_sheet_cells: int = 4_000_000  # rows x columns from A1 to a sheet's last cell
    max_sheet_text: int = 64_000_000  # characters of shared strings a sheet's cells use
    max_edit_elements: int = 1_000_000  # rows and cells openpyxl would build


DEFAULT_LIMITS = Limits()


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
    _check_prologs(path, limits)


_XML_PART = (".xml", ".rels", ".vml")
_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)


def _check_prologs(path: Path, limits: Limits) -> None:
    """Refuse a workbook with a DOCTYPE in any XML part: whichever parser reads the part
    (calamine, openpyxl, defusedxml), entity declarations are never needed and may be an
    attack (a billion laughs), so the file is refused before any of them sees it."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.lower().endswith(_XML_PART):
                    continue
                with archive.open(info) as stream:
                    head = stream.read(1024)  # a prolog is a line or two
                    if not _ROOT_ELEMENT.search(head) and len(head) == 1024:
                        head += stream.read(limits.max_prolog_bytes - len(head))
                if _declares_doctype(head, info.file_size > len(head)):
                    raise UnreadableFileError(
                        path,
                        f"contains a DOCTYPE (entity declarations) in {info.filename}, which a "
                        "workbook never needs; refused",
                        "file-unsafe",
                    )
    except UnreadableFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
            NotImplementedError):
        raise UnreadableFileError(
            path, "is damaged and cannot be opened as a workbook", "file-corrupt"
        ) from None


_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _declares_doctype(head: bytes, more: bool) -> bool:
    """True when the XML starting `head` has a DOCTYPE before its root element (or its prolog
    runs on past `head`, which no honest part does)."""
    position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while (item := _PROLOG_ITEM.match(head, position)) is not None and item.end() > position:
        position = item.end()
    rest = head[position:].lstrip()
    if rest.startswith(b"<!"):
        return True
    return not rest and more


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


def parse_xml(data: bytes, path: Path) -> Any:
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
        self._strings: SharedStrings | None = None
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

    def active_parts(self) -> tuple[list[str], list[str]]:
        """(macro parts, parts linking to other workbooks) the file carries, by name."""
        names = self._zip.namelist()
        macros = [n for n in names if n.lower().endswith(("vbaproject.bin", "vbadata.xml"))]
        links = [n for n in names if n.lower().startswith("xl/externallinks/")
                 and n.lower().endswith(".xml")]
        return macros, links

    def scan(self, name: str, watch: str = "") -> SheetScan:
        """The safety scan of a sheet alone, without reading its values."""
        part = self._parts.get(name, "")
        if not part:
            raise UnreadableFileError(
                self.path, f"is damaged: its sheet '{name}' is missing from the file",
                "file-corrupt",
            )
        if self._strings is None:
            self._strings = SharedStrings.of(self._zip, self.path)
        return scan_sheet(self._zip, part, watch, self.path, name, self.limits.max_sheet_cells,
                          self._strings, self.limits.max_sheet_text)

    def state(self, name: str) -> str:
        """'visible', 'hidden' or 'veryHidden'."""
        return self._states.get(name, "visible")

    def read(self, name: str, watch: str = "") -> tuple[list[list[Any]], SheetScan]:
        """A sheet's values as rows from A1 ('' for an empty cell), and what the scan found."""
        scan = self.scan(name, watch)
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
    check_workbook_file(path, limits)
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
