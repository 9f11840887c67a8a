"""Shared xlsxwriter set-up: deterministic output and the house formats."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from workbook_tools.files import zipahead
from workbook_tools.files.beside import rewrite_members
from workbook_tools.files.deflate import Hashing, StoredDigest, faster_deflate
from workbook_tools.files.flushed import deflate_part
from workbook_tools.files.zipahead import Ahead

#: Written into every workbook's document properties so output is byte-stable run to run.
FIXED_DATE = dt.datetime(2025, 4, 1)

# House colours
NAVY = "#1F4E78"
INPUT_FILL = "#FFF2CC"  # input cells: pale yellow
LOCKED_FILL = "#F2F2F2"  # pre-filled: light grey
DERIVED_FILL = "#DDEBF7"  # worked out by formula: pale blue
RAG_COLOURS = {
    "Green": ("#C6EFCE", "#006100"),
    "Amber": ("#FFEB9C", "#9C5700"),
    "Red": ("#FFC7CE", "#9C0006"),
}


#: Worksheet functions xlsxwriter writes as they are (it adds a prefix only to the newer
#: dynamic-array and "future" functions). The formulas the tool writes use only these.
CLASSIC_FUNCTIONS = frozenset({
    "ABS", "AND", "AVERAGE", "CELL", "CHAR", "COUNT", "COUNTA", "COUNTBLANK", "COUNTIF",
    "COUNTIFS", "DATE", "EXACT", "IF", "IFERROR", "INDEX", "INT", "ISBLANK", "ISERROR", "ISNUMBER",
    "ISTEXT", "LEFT", "LEN", "LOWER", "MATCH", "MAX", "MIN", "NOT", "OR", "RIGHT", "ROUND",
    "SUBSTITUTE", "SUM", "SUMIF", "SUMIFS", "SUMPRODUCT", "TEXT", "TODAY", "TRIM", "UPPER",
    "VALUE",
})
_FUNCTION = re.compile(r"([A-Za-z_][\w.]*)\(")
_DIGITS = b"0123456789"


class FastFormulaWorksheet(Worksheet):  # type: ignore[misc]
    """A worksheet that writes a formula of classic functions without xlsxwriter's 60 or so
    regular-expression rewrites per formula (for dynamic-array and future functions, which
    leave such a formula unchanged). A return has about 3,000 formulas; the rewrites were half
    of generate's time. Any other formula goes through xlsxwriter's own preparation."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        # the rewrites only prefix newer functions, so a formula of classic ones is left as it
        # is even when future functions are expanded (conditional formats, data validations)
        if self._classic(formula):
            formula = formula.removeprefix("{").removeprefix("=").removesuffix("}")
            return formula
        return str(super()._prepare_formula(formula, expand_future_functions))

    _shapes: dict[bytes, bool] = {}  # a formula without its digits: whether all are classic

    def _classic(self, formula: str) -> bool:
        """Whether every function in `formula` is classic, known by its shape: a return's
        formulas differ row to row only in their row numbers. Safe because no classic name has
        a digit and no newer one loses its digits into a classic name (T.DIST.2T, T.INV.2T
        are the only newer ones with digits)."""
        # as bytes: str.translate looks each character up (90 us for a 3 KB Checks formula),
        # bytes.translate deletes by table (2 us)
        shape = formula.encode("utf-8", "surrogatepass").translate(None, _DIGITS)
        known = self._shapes.get(shape)
        if known is None:
            if len(self._shapes) > 10_000:
                self._shapes.clear()
            known = self._shapes[shape] = set(_FUNCTION.findall(formula)) <= CLASSIC_FUNCTIONS
        return known

    # Streaming a constant-memory sheet's rows into the zip (see close_workbook): xlsxwriter
    # copies the rows' temporary file into the sheet's part file (decoding and encoding every
    # character), then reads that part back into the zip; here the part holds a mark where the
    # rows go and the zip reads the rows' file itself, once, as bytes.
    stream_rows = False  # set by close_workbook, whose zip knows the mark
    part_file: str | None = None  # the temporary file of the sheet's part
    rows_file: str | None = None  # the rows' temporary file, once it stands for the rows
    # set where the rows are written (master/writerows.py): rows numbered in `breaks` begin a
    # quarter, and the part is deflated with full flushes there (files/flushed.py); `splice`
    # puts rows copied as stored after the header row
    breaks: list[int] | None = None
    splice: Any = None

    def _set_xml_writer(self, filename: Any) -> None:
        self.part_file = filename if isinstance(filename, str) else None
        super()._set_xml_writer(filename)

    def _write_optimized_sheet_data(self) -> None:
        if not self.stream_rows or self.part_file is None or self.dim_rowmin is None:
            super()._write_optimized_sheet_data()
            return
        self.row_data_fh.close()
        self.rows_file = self.row_data_filename
        self._xml_start_tag("sheetData")
        self.fh.write(ROWS_MARK)
        self._xml_end_tag("sheetData")


#: Where a streamed sheet's rows go in its part file (NUL is never in XML, so never in a part).
ROWS_MARK = "\x00rows\x00"
_COPY_CHUNK = 1 << 20


class _StreamingZip(zipfile.ZipFile):
    """xlsxwriter's zip, which puts a streamed sheet's rows in place of its mark as it writes
    the sheet's part: the same bytes as xlsxwriter's own copy, read once."""

    def __init__(self, *args: Any, sheets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sheets = sheets
        self.ahead: Ahead | None = None  # the largest sheet, deflated by another thread
        self.begun = False
        #: each streamed sheet's part: the SHA-256 of its bytes as stored, as they were written
        #: (files/deflate.py's packed_digest of them, without reading them back)
        self.packed: dict[str, str] = {}
        #: each part deflated with full flushes: where they fell (files/flushed.py)
        self.points: dict[str, dict[int, int]] = {}
        self.spliced = 0  # parts with rows copied as stored put in

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None,
              compresslevel: Any = None) -> None:
        if not self.begun:  # (xlsxwriter writes every part's file before the first goes in)
            self.begun = True
            if getattr(self, "_seekable", False) and self.compression == zipfile.ZIP_DEFLATED:
                self.ahead = zipahead.start(self.sheets, self.compresslevel, ROWS_MARK.encode())
        sheet = next((s for s in self.sheets
                      if s.rows_file is not None and s.part_file == filename), None)
        if sheet is None or compress_type is not None or compresslevel is not None:
            super().write(filename, arcname, compress_type, compresslevel)
            return
        rows = sheet.rows_file
        info = zipfile.ZipInfo.from_file(filename, arcname,
                                         strict_timestamps=getattr(self, "_strict_timestamps",
                                                                   True))
        info.compress_type = self.compression
        info._compresslevel = self.compresslevel  # type: ignore[attr-defined]  # as ZipFile.write
        if self.ahead is not None and self.ahead.part_file == filename:
            self.ahead.info = info  # added last, by close
            return
        with open(filename, "rb") as part:
            head, tail = part.read().split(ROWS_MARK.encode(), 1)
        self._stream(info, head, rows, tail, sheet)

    def _stream(self, info: zipfile.ZipInfo, head: bytes, rows: str, tail: bytes,
                sheet: Any) -> None:
        """Deflate a sheet's part into the zip as it is read: its head, rows' file and tail."""
        if sheet.splice is not None or sheet.breaks is not None:
            if getattr(self, "_seekable", False) and self.compression == zipfile.ZIP_DEFLATED:
                self._flushed(info, head, rows, tail, sheet)
                return
            if sheet.splice is not None:  # (the master is always written to a file)
                raise OSError(f"{self.filename}: rows copied as stored need a zip in a file")
        info.file_size = len(head) + os.path.getsize(rows) + len(tail)
        packed = StoredDigest()
        try:
            with self.open(info, "w") as target, open(rows, "rb") as source:
                faster_deflate(target, self.compresslevel)
                hashed = getattr(target, "_compressor", None) is not None
                if hashed:
                    target._compressor = Hashing(  # type: ignore[attr-defined]
                        target._compressor, packed)  # type: ignore[attr-defined]
                target.write(head)
                shutil.copyfileobj(source, target, _COPY_CHUNK)
                target.write(tail)
        finally:
            os.remove(rows)
        if hashed:
            self.packed[info.filename] = packed.of(info)

    def _flushed(self, info: zipfile.ZipInfo, head: bytes, rows: str, tail: bytes,
                 sheet: Any) -> None:
        """Deflate a sheet's part with full flushes (files/flushed.py) into a temporary file,
        then add it as zipahead adds a part deflated ahead."""
        handle, deflated = tempfile.mkstemp(prefix="workbook-tools-", suffix=".deflated")
        try:
            with os.fdopen(handle, "wb") as out:
                found = deflate_part(out.write, head, rows, tail, self.compresslevel,
                                     sheet.breaks, sheet.splice)
            self._add(info, deflated, found, sheet)
        finally:
            os.remove(deflated)
            os.remove(rows)
            if sheet.splice is not None:
                sheet.splice.discard()

    def _add(self, info: zipfile.ZipInfo, deflated: str,
             found: tuple[int, int, dict[int, int]], sheet: Any) -> None:
        """Add a part deflated into the file `deflated` (files/flushed.py's deflate_part gave
        `found`: its CRC-32, size and full flushes), noting its digest as written and its
        full flushes."""
        crc, size, points = found
        self.packed[info.filename] = zipahead.add(self, info, deflated, crc, size)
        self.points[info.filename] = points
        self.spliced += sheet.splice is not None

    def close(self) -> None:
        ahead, self.ahead = self.ahead, None
        if ahead is not None:
            try:
                if ahead.info is not None and self.fp is not None:
                    found = ahead.result()
                    try:
                        if found is not None:
                            self._add(ahead.info, ahead.out, found, ahead.sheet)
                    except AttributeError:  # a zipfile without the parts `add` uses
                        found = None
                    if found is None:  # not deflated ahead: deflated here, as before
                        self._stream(ahead.info, ahead.head, ahead.rows_file, ahead.tail,
                                     ahead.sheet)
            finally:
                ahead.discard()
                with contextlib.suppress(OSError):
                    os.remove(ahead.rows_file)
                if ahead.sheet.splice is not None:
                    ahead.sheet.splice.discard()
        super().close()

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None,
                 compresslevel: Any = None) -> None:
        # a workbook built in memory gives each part a ZipInfo of its own, which keeps zlib's
        # default level unless the zip's is passed with it
        super().writestr(zinfo_or_arcname, data, compress_type,
                         self.compresslevel if compresslevel is None else compresslevel)


def new_workbook(path: Path | str, constant_memory: bool = False) -> Any:
    """An xlsxwriter workbook with fixed properties (so the bytes only change with the content)."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"created": FIXED_DATE, "author": "workbook-tools"})
    workbook.worksheet_class = FastFormulaWorksheet
    return workbook


def add_rag_formatting(
    workbook: Any, sheet: Any, first_row: int, col: int, last_row: int, last_col: int | None = None
) -> None:
    """Colour Green/Amber/Red text cells in a range (0-based rows and columns)."""
    for word, (fill, font) in RAG_COLOURS.items():
        fmt = workbook.add_format({"bg_color": fill, "font_color": font})
        sheet.conditional_format(
            first_row,
            col,
            last_row,
            col if last_col is None else last_col,
            {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": fmt},
        )


def stabilise(path: Path | str) -> None:
    """Make a workbook saved by openpyxl byte-stable: fixed zip entry times and document dates.

    openpyxl stamps the save time into docProps/core.xml and into each zip entry; the same
    content should give the same bytes, so both are replaced by FIXED_DATE.
    """
    import zipfile

    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")

    def fix(info: zipfile.ZipInfo, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
        if info.filename == "docProps/core.xml":
            data = re.sub(
                rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                rb"\g<1>" + stamp.encode() + rb"\2",
                data,
            )
        fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
        fixed.compress_type = zipfile.ZIP_DEFLATED
        fixed.external_attr = info.external_attr
        return fixed, data

    rewrite_members(Path(path), fix)


#: zlib's level for the parts of the workbooks the tool writes in bulk, the returns and the
#: master (xlsxwriter takes zlib's default, 6; it has no setting, close_workbook sets it on the
#: zip). A master of four quarters is 285 MB of XML: level 6 spent 2.9 s of CPU on it against
#: 1.1 s at level 2, for a file a quarter smaller (25 MB against 32 MB); a return of 1,000
#: items, 16 ms (178 KB) against 7 ms (202 KB). Every program reads any level.
ZIP_LEVEL = 2


@dataclass
class Saved:
    """What close_workbook tells of the parts it streamed: each one's digest as stored, as
    written (files/deflate.py's packed_digest of it), and, of those deflated with full flushes
    (files/flushed.py), where they fell."""

    packed: dict[str, str] = field(default_factory=dict)
    points: dict[str, dict[int, int]] = field(default_factory=dict)

    def flushes(self, part: str, offsets: Iterable[int]) -> dict[int, int]:
        """The full flushes made in `part` at those of `offsets` (its bytes before them) where
        one was made: each one's stored bytes before it."""
        found = self.points.get(part, {})
        return {u: found[u] for u in offsets if u in found}


def close_workbook(workbook: Any, level: int | None = None) -> Saved:
    """Close (save) an xlsxwriter workbook, its parts compressed at zlib's `level` (None for
    zlib's default, as xlsxwriter). A file that cannot be created raises the OSError behind it,
    which xlsxwriter wraps in its FileCreateError, so callers report it as any other file that
    cannot be written.

    Constant-memory sheets' rows go from their temporary file straight into the zip (the pinned
    xlsxwriter opens its ZipFile by the module's name, and writes each part with ZipFile.write).
    Returns each such sheet's part's digest as stored, as written (files/deflate.py's
    packed_digest of it, which the master's record is checked against: master/recorder.py),
    and where the full flushes fell in those deflated with them (`Saved`).
    """
    import xlsxwriter.workbook
    from xlsxwriter.exceptions import FileCreateError

    sheets = [s for s in workbook.worksheets() if isinstance(s, FastFormulaWorksheet)]
    for sheet in sheets:
        sheet.stream_rows = True
    opened = xlsxwriter.workbook.ZipFile
    made: list[_StreamingZip] = []

    def zip_file(*args: Any, **kwargs: Any) -> _StreamingZip:
        made.append(_StreamingZip(*args, sheets=sheets, compresslevel=level, **kwargs))
        return made[-1]

    xlsxwriter.workbook.ZipFile = zip_file
    try:
        workbook.close()
    except FileCreateError as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc.__context__
        raise (cause if isinstance(cause, OSError) else OSError(str(exc))) from None
    finally:
        xlsxwriter.workbook.ZipFile = opened
    if (made[-1].spliced if made else 0) != sum(s.splice is not None for s in sheets):
        # (a sheet whose rows were not streamed, its copied rows left out: never so today)
        raise OSError(f"{workbook.filename}: rows copied as stored were not all put in")
    return Saved(made[-1].packed, made[-1].points) if made else Saved()
