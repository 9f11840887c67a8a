"""The master's largest sheet deflated by another thread while the other parts are zipped
(files/zipahead.py): the file holds the same parts, byte for byte once unpacked, and reads the
same in calamine, openpyxl and LibreOffice, whether the thread deflated it or failed or hung
and the sheet was deflated as before."""

from __future__ import annotations

import gc
import os
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from support import libreoffice_save, needs_libreoffice

from workbook_tools import parallel
from workbook_tools.files import zipahead
from workbook_tools.master.read import Master, read_master
from workbook_tools.master.write import write_master

ROWS = 3_000


def _master() -> Master:
    master = Master()
    master.sheets["Measures"] = [{
        "Quarter": "2025-26-Q1", "Directorate": "CS", "Measure ID": f"M{i:05d}",
        "Measure": f"Measure {i} – “quoted” & <marked>", "Unit": "%", "Target": 80.0,
        "Actual": 81.25 + i, "RAG": "Green", "Commentary": "On track " * (i % 7)}
        for i in range(ROWS)]
    master.sheets["Actions"] = [{"Quarter": "2025-26-Q1", "Directorate": "CS",
                                 "Action ID": f"A{i:05d}", "Status": "On track"}
                                for i in range(ROWS // 10)]
    return master


@pytest.fixture
def two_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    (tmp_path / "temp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))  # (its own, looked in)


def _write(path: Path, ahead: bool, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(zipahead, "AHEAD_BYTES", 1 if ahead else 1 << 62)
    write_master(_master(), path, keep_record=False, make_record=False)
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_the_largest_sheet_deflated_ahead_gives_the_same_workbook(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores: None) -> None:
    before = _write(tmp_path / "before.xlsx", False, monkeypatch)
    ahead = _write(tmp_path / "ahead.xlsx", True, monkeypatch)
    with zipfile.ZipFile(ahead) as archive:
        names = archive.namelist()
    with zipfile.ZipFile(before) as archive:
        order = archive.namelist()
    measures = "xl/worksheets/sheet2.xml"  # (Measures, the largest sheet)
    assert names[-1] == measures and order[-1] != measures  # added last: it was deflated ahead
    assert _parts(ahead) == _parts(before)
    assert read_master(ahead).sheets == read_master(before).sheets
    book = openpyxl.load_workbook(ahead, read_only=True)
    assert [row[2] for row in book["Measures"].iter_rows(min_row=2, values_only=True)] == [
        f"M{i:05d}" for i in range(ROWS)]
    assert not _deflated_files()


def test_a_thread_that_fails_leaves_the_sheet_to_be_deflated_as_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores: None) -> None:
    def fails(write: Any, *_: Any) -> None:
        called.append(True)
        write(b"x" * 100)  # (half a part, then a failure: not taken)
        raise OSError(5, "Input/output error")

    called: list[bool] = []
    before = _write(tmp_path / "before.xlsx", False, monkeypatch)
    monkeypatch.setattr(zipahead, "deflate_part", fails)  # (the thread's, not the zip's)
    ahead = _write(tmp_path / "failed.xlsx", True, monkeypatch)
    assert _parts(ahead) == _parts(before)
    assert read_master(ahead).sheets == read_master(before).sheets
    assert called  # (it was given the sheet)


@needs_libreoffice
def test_libreoffice_reads_a_workbook_with_a_sheet_deflated_ahead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores: None) -> None:
    ahead = _write(tmp_path / "ahead.xlsx", True, monkeypatch)
    saved = libreoffice_save(ahead, tmp_path / "saved")
    rows = read_master(saved).sheets["Measures"]
    assert [r["Measure ID"] for r in rows] == [f"M{i:05d}" for i in range(ROWS)]
    assert rows[-1]["Actual"] == 81.25 + ROWS - 1


def _deflated_files() -> list[str]:
    return [name for name in os.listdir(tempfile.gettempdir())
            if name.startswith("workbook-tools-") and name.endswith(".deflated")]


def test_a_thread_that_hangs_is_given_up_on_and_the_sheet_deflated_as_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores: None) -> None:
    released = threading.Event()

    def hangs(*args: Any) -> None:
        released.wait(60)  # (then done, too late: what it found is not taken)
        real(*args)

    real = zipahead._deflate
    before = _write(tmp_path / "before.xlsx", False, monkeypatch)
    monkeypatch.setattr(zipahead, "_deflate", hangs)
    monkeypatch.setattr(zipahead, "WAIT", 0.5)
    monkeypatch.setattr(zipahead, "SLOWEST", 1 << 60)
    started = time.perf_counter()
    try:
        ahead = _write(tmp_path / "hung.xlsx", True, monkeypatch)
        assert time.perf_counter() - started < 30
        assert _parts(ahead) == _parts(before)
        assert not _deflated_files()
    finally:
        released.set()


def test_a_write_that_fails_leaves_no_deflated_file_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores: None) -> None:
    # xlsxwriter does not close its zip when writing a part fails (a full disk): the thread's
    # file still goes once the zip is dropped
    def full(*_: Any, **__: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    with pytest.raises(OSError):
        _write(tmp_path / "full.xlsx", True, monkeypatch)
    gc.collect()
    assert not _deflated_files()


@pytest.mark.parametrize("ahead", [False, True], ids=["here", "ahead"])
def test_each_sheets_digest_as_written_is_the_one_read_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores: None, ahead: bool) -> None:
    """The digest of each sheet's part as stored, as the writer gives it (which the master's
    record is checked against, master/recorder.py), is what reading the part gives
    (files/deflate.py's packed_digest), whichever process deflated it."""
    from master_support import as_stored

    from workbook_tools.master.write import _write

    monkeypatch.setattr(zipahead, "AHEAD_BYTES", 1 if ahead else 1 << 62)
    path = tmp_path / "master.xlsx"
    _, saved = _write(_master(), path)
    packed = saved.packed
    assert "xl/worksheets/sheet2.xml" in packed and len(packed) == 10  # (every sheet)
    assert as_stored(path) == packed
