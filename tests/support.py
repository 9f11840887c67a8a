"""Test helpers: real workbooks in temp folders, edited as a person would."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import openpyxl
import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed"
)
SSCONVERT = shutil.which("ssconvert")
needs_gnumeric = pytest.mark.skipif(SSCONVERT is None,
                                    reason="Gnumeric (ssconvert) is not installed")


def libreoffice_save(path: Path, out_dir: Path) -> Path:
    """Open `path` in LibreOffice and save it again as .xlsx (as a person using LibreOffice would).

    Formulas without a cached value are calculated on load, so the saved file carries
    LibreOffice's own results. Each call uses its own profile so runs can overlap.
    """
    assert SOFFICE, "LibreOffice is needed"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--calc",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(out_dir),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
            env={**os.environ, "HOME": profile},
        )
    saved = out_dir / (path.stem + ".xlsx")
    assert saved.exists(), f"LibreOffice did not write {saved}"
    return saved


def set_cells(path: Path, edits: Mapping[tuple[str, str], Any], out: Path | None = None) -> Path:
    """Type values into cells with openpyxl, as a person editing the file would.

    `edits` maps (sheet, 'A1') to a value; None clears the cell.
    """
    workbook = openpyxl.load_workbook(path)
    for (sheet, ref), value in edits.items():
        workbook[sheet][ref].value = value
    target = out or path
    workbook.save(target)
    return target


def read_cells(path: Path, sheet: str, refs: list[str], data_only: bool = True) -> list[Any]:
    workbook = openpyxl.load_workbook(path, data_only=data_only)
    return [workbook[sheet][ref].value for ref in refs]


def native(path: str) -> str:
    """A working-folder path as the CLI prints it on this platform (`\\` on Windows)."""
    return str(Path(path))


_T = TypeVar("_T")
_BUILT_ONCE: dict[Hashable, Any] = {}


def built_once(key: Hashable, build: Callable[[Path], _T]) -> _T:
    """What `build` makes in a fresh folder, made once per test process (the folder goes when
    the process ends). Tests copy from it, file times and all, so each still gets files of its
    own to change while the returns and masters behind them are generated only once."""
    if key not in _BUILT_ONCE:
        base = Path(tempfile.mkdtemp(prefix="built-once-"))
        atexit.register(shutil.rmtree, base, True)
        _BUILT_ONCE[key] = build(base / "ws")
    return _BUILT_ONCE[key]
