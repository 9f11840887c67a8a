"""Opening a file someone sent is a security boundary.

Before anything parses a file: recognise its kind from its bytes, check its size, and check the
zip's member count and declared uncompressed sizes (so a decompression bomb is refused before it
is unpacked). Only then read values fast with python-calamine into plain rows.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook_tools.errors import UnreadableFileError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    """What a workbook may be before we refuse to open it."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_members: int = 2_000
    max_member_bytes: int = 256 * 1024 * 1024
    max_total_bytes: int = 512 * 1024 * 1024
    max_ratio: int = 200  # declared uncompressed size / compressed size, for members over 1 MiB


DEFAULT_LIMITS = Limits()


def sniff(path: Path) -> str:
    """The kind of file by its first bytes: 'empty', 'zip', 'ole' or 'other'."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if not head:
        return "empty"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    return "other"


def check_workbook_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse anything that is not a safe-to-open .xlsx, before any parser sees it.

    Raises:
        UnreadableFileError: with a plain reason and a stable code.
    """
    path = Path(path)
    if path.name.startswith("~$"):
        raise UnreadableFileError(path, "this is Excel's lock file for an open workbook, not a return",
                                  "file-lock")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    if size > limits.max_file_bytes:
        raise UnreadableFileError(
            path, f"is {size // (1024 * 1024)} MB, larger than the {limits.max_file_bytes // (1024 * 1024)} MB "
            "a return may be", "file-too-large")
    kind = sniff(path)
    if kind == "empty":
        raise UnreadableFileError(path, "is empty (0 bytes)", "file-empty")
    if kind == "ole":
        raise UnreadableFileError(
            path, "is an old-style .xls workbook or is password-protected; save it as an "
            "unprotected Excel Workbook (.xlsx) and send it again", "file-old-or-encrypted")
    if kind != "zip":
        raise UnreadableFileError(
            path, "is not an Excel workbook (it may be a CSV or another file renamed to .xlsx)",
            "file-not-workbook")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFileError(path, "is damaged and cannot be opened as a workbook",
                                  "file-corrupt") from None
    if len(members) > limits.max_members:
        raise UnreadableFileError(path, f"has {len(members)} parts, more than a workbook should",
                                  "file-too-large")
    total = 0
    for member in members:
        total += member.file_size
        ratio_suspicious = (member.file_size > 1024 * 1024
                            and member.file_size > limits.max_ratio * max(member.compress_size, 1))
        if member.file_size > limits.max_member_bytes or ratio_suspicious:
            raise UnreadableFileError(
                path, f"would unpack to an unsafe size ({member.filename}: "
                f"{member.file_size // (1024 * 1024)} MB); refused before opening", "file-bomb")
    if total > limits.max_total_bytes:
        raise UnreadableFileError(path, "would unpack to an unsafe size; refused before opening",
                                  "file-bomb")
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise UnreadableFileError(path, "is a zip file but not an Excel workbook",
                                  "file-not-workbook")


def open_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> Any:
    """A python-calamine workbook, after the safety checks."""
    import python_calamine

    check_workbook_file(path, limits)
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several of its own types for damaged files
        raise UnreadableFileError(path, f"is damaged and cannot be read ({type(exc).__name__})",
                                  "file-corrupt") from None


def sheet_rows(workbook: Any, name: str, path: Path) -> list[list[Any]]:
    """A sheet's values as rows from A1 ('' for an empty cell, as calamine gives them)."""
    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise UnreadableFileError(path, f"the sheet '{name}' cannot be read ({type(exc).__name__})",
                                  "file-corrupt") from None


def read_values(path: Path, limits: Limits = DEFAULT_LIMITS) -> dict[str, list[list[Any]]]:
    """Every sheet's values, keyed by sheet name, after the safety checks."""
    workbook = open_workbook(Path(path), limits)
    try:
        return {name: sheet_rows(workbook, name, path) for name in workbook.sheet_names}
    finally:
        workbook.close()
