"""The checks on a file, and on its zip package, before any parser sees it (files/guard.py runs
them first): its size before it is read or hashed, its kind from its bytes, the zip's member count
and declared uncompressed sizes (a decompression bomb is refused before it is unpacked), and every
XML part's prolog (a DOCTYPE, which a workbook never needs, is refused).

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

import hashlib
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from workbook_tools.errors import UnreadableFileError

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
        return kind_of(handle.read(512))


def kind_of(head: bytes) -> str:
    """The kind of file whose first 512 bytes are `head` (see `sniff`)."""
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


def sha256_of(path: Path) -> str:
    """A file's SHA-256, read a block at a time (the one file hash: returns, master, register,
    the pack's footer).

    Raises:
        OSError: the file cannot be read.
    """
    with open(path, "rb") as handle:
        return sha256_read(handle)


def sha256_read(handle: BinaryIO) -> str:
    """The SHA-256 of an opened file's bytes from where it is to its end."""
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


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


def check_name(path: Path) -> None:
    """Refuse Excel's lock file by its name, before the file is opened."""
    if Path(path).name.startswith("~$"):
        raise UnreadableFileError(
            path, "is Excel's lock file for a workbook that is open, not a return", "file-lock"
        )


def check_workbook_file(path: Path, limits: Limits, opened: BinaryIO) -> None:
    """Refuse anything that is not a safe-to-open .xlsx, before any parser sees it.

    Every check reads `opened` (seekable: the file as copied, files/snapshot.py), so the
    caller's parsers then read the very bytes checked, whatever `path` names by then. `path`
    names the file in messages.

    Raises:
        UnreadableFileError: with a plain reason and a stable code.
    """
    check_name(path)
    _check_kind(path, opened, limits)
    try:
        with zipfile.ZipFile(opened) as archive:
            members = archive.infolist()
            _check_members(path, members, limits)
            _check_prologs(path, archive, limits)
    except UnreadableFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
            NotImplementedError):
        raise UnreadableFileError(
            path, "is damaged and cannot be opened as a workbook", "file-corrupt"
        ) from None


def _size_of(opened: BinaryIO) -> int:
    """The size of an opened file, as the system gives it (bytes in memory: their count)."""
    try:
        number = opened.fileno()
    except (OSError, ValueError):  # (io.UnsupportedOperation: not a file of the system's)
        return opened.seek(0, os.SEEK_END)
    return os.fstat(number).st_size


def _check_kind(path: Path, opened: BinaryIO, limits: Limits) -> None:
    """Refuse a file too large, or not a zip by its first bytes, naming what it is instead."""
    try:
        check_file_size(path, _size_of(opened), limits)
        opened.seek(0)
        kind = kind_of(opened.read(512))
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


def _check_members(path: Path, members: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse a zip with too many parts, parts that would unpack too large (a decompression
    bomb), or no workbook part, naming the format it is when it is another."""
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


_XML_PART = (".xml", ".rels", ".vml")
_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)


def _check_prologs(path: Path, archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a workbook with a DOCTYPE in any XML part: whichever parser reads the part
    (calamine, openpyxl, defusedxml), entity declarations are never needed and may be an
    attack (a billion laughs), so the file is refused before any of them sees it."""
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
