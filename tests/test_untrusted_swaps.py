"""A file swapped for another while it is being read (issue 7's guard: every file someone sent is
untrusted, whichever parser opens it). The guard opens a file once and every check and every
parser reads that open file, so a file put in its place after the checks (a decompression
bomb, an entity attack, another directorate's figures) is never parsed, and the digest recorded
is of the bytes read."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from test_validate_files import rewrite, sheet_part
from validate_support import Returns, make_returns

from workbook_tools.errors import MasterError, UnreadableFileError
from workbook_tools.files import guard, snapshot
from workbook_tools.master.read import MASTER_LIMITS, read_master
from workbook_tools.returns.layout import MEASURES as LAYOUT
from workbook_tools.returns.validate import validate_paths

SHEET = LAYOUT.name
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')


@pytest.fixture(scope="module")
def r(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return make_returns(tmp_path_factory.mktemp("swaps") / "ws")


def _other(r: Returns, target: Path) -> Path:
    """The clean return with its first measure's actual changed (another file's figures)."""
    part = sheet_part(r.clean, SHEET)

    actual = chr(ord("A") + next(i for i, c in enumerate(LAYOUT.columns) if c.key == "actual"))

    def change(data: bytes) -> bytes:  # the first actual 987654, a title SWAPPED
        data = re.sub(rb'(<c r="%b\d+"[^>]*><v>)[^<]*(</v>)' % actual.encode(),
                      rb"\g<1>987654\g<2>", data, count=1)
        return data.replace(b"<t>", b"<t>SWAPPED ", 1)

    return rewrite(r.clean, target, {part: change})


def _bomb(r: Returns, target: Path) -> Path:
    """The clean return with an entity attack in its Measures sheet."""
    part = sheet_part(r.clean, SHEET)

    def attack(data: bytes) -> bytes:
        start = data.index(b"<worksheet")
        return (data[:start] + LAUGHS + data[start:]).replace(b"<t>", b"<t>&lol2;", 1)

    return rewrite(r.clean, target, {part: attack})


def _measures(path: Path) -> list[list[Any]]:
    with guard.SafeWorkbook(path) as workbook:
        return workbook.read(SHEET)[0]


def test_a_file_swapped_after_it_was_opened_is_not_what_is_read(r: Returns, tmp_path: Path
                                                                 ) -> None:
    path = shutil.copy(r.clean, tmp_path / "CS.xlsx")
    expected = _measures(r.clean)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    other = _other(r, tmp_path / "other.xlsx")
    assert _measures(other) != expected  # (the swap would be seen if the path were read again)

    with guard.SafeWorkbook(Path(path)) as workbook:
        os.replace(other, path)  # put in its place after the checks, before calamine reads
        assert workbook.read(SHEET)[0] == expected
        assert workbook.sha256() == digest


def test_a_bomb_swapped_in_after_the_checks_is_never_parsed(r: Returns, tmp_path: Path,
                                                            monkeypatch: Any) -> None:
    path = Path(shutil.copy(r.clean, tmp_path / "CS.xlsx"))
    bomb = _bomb(r, tmp_path / "bomb.xlsx")
    with pytest.raises(UnreadableFileError, match="DOCTYPE"):
        _measures(bomb)  # (refused when it is the file checked)
    expected = _measures(r.clean)
    checked = guard.check_workbook_file

    def swapped_after(*args: Any, **kwargs: Any) -> None:
        checked(*args, **kwargs)
        if Path(args[0]) == path and bomb.exists():
            os.replace(bomb, path)  # the checks passed on the clean file: now the bomb

    monkeypatch.setattr(guard, "check_workbook_file", swapped_after)

    assert _measures(path) == expected  # the file checked, the file read
    assert not bomb.exists()  # (it was swapped in)


def test_the_digest_recorded_is_of_the_file_validated(r: Returns, tmp_path: Path,
                                                      monkeypatch: Any) -> None:
    path = Path(shutil.copy(r.clean, tmp_path / "CS.xlsx"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    other = _other(r, tmp_path / "other.xlsx")
    assert "987654" in str(_measures(other))
    checked = guard.check_workbook_file

    def swapped_after(*args: Any, **kwargs: Any) -> None:
        checked(*args, **kwargs)
        if Path(args[0]) == path and other.exists():
            os.replace(other, path)

    monkeypatch.setattr(guard, "check_workbook_file", swapped_after)
    [result] = validate_paths([path], None, r.plan, workers=1).results

    assert result.sha256 == digest  # the bytes read, not the file that took their place
    assert not other.exists()  # (it was swapped in)
    assert "987654" not in str(result.data)


def test_feedback_checks_the_bytes_it_marks_up(r: Returns, tmp_path: Path) -> None:
    """load_for_editing checks the content given, not whatever the path names."""
    bomb = _bomb(r, tmp_path / "bomb.xlsx")
    with pytest.raises(UnreadableFileError, match="DOCTYPE"):
        guard.load_for_editing(r.clean, bomb.read_bytes())


def _written_after_checks(monkeypatch: Any, path: Path, payload: bytes) -> None:
    """Append `payload` to `path` (the same file, written to in place) once its checks pass."""
    checked = guard.check_workbook_file

    def after(*args: Any, **kwargs: Any) -> None:
        checked(*args, **kwargs)
        if Path(args[0]) == path and payload:
            with open(path, "ab") as handle:  # a second zip after the first: its directory last
                handle.write(payload)

    monkeypatch.setattr(guard, "check_workbook_file", after)


@pytest.mark.parametrize("in_memory", [True, False], ids=["a return's size", "a master's size"])
def test_a_file_written_to_in_place_after_the_checks_is_not_what_is_read(
        r: Returns, tmp_path: Path, monkeypatch: Any, in_memory: bool) -> None:
    if not in_memory:  # (a file larger than a return is copied to disk, not into memory)
        monkeypatch.setattr(snapshot, "IN_MEMORY", 0)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    path = Path(shutil.copy(r.clean, tmp_path / "CS.xlsx"))
    bomb = _bomb(r, tmp_path / "bomb.xlsx")
    expected = _measures(r.clean)
    with guard.SafeWorkbook(path) as workbook:
        assert (workbook._copy.name is None) is in_memory
    _written_after_checks(monkeypatch, path, bomb.read_bytes())

    assert _measures(path) == expected
    assert path.stat().st_size > r.clean.stat().st_size  # (the bomb was written)
    assert not list((tmp_path / "tmp").iterdir())  # (the copy on disk removed)


def test_a_return_written_to_in_place_after_the_checks_is_validated_as_checked(
        r: Returns, tmp_path: Path, monkeypatch: Any) -> None:
    path = Path(shutil.copy(r.clean, tmp_path / "CS.xlsx"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    other = _other(r, tmp_path / "other.xlsx")
    _written_after_checks(monkeypatch, path, other.read_bytes())

    [result] = validate_paths([path], None, r.plan, workers=1).results

    assert result.sha256 == digest and "987654" not in str(result.data)


def _saved_while_copied(monkeypatch: Any, path: Path) -> None:
    """Someone saves `path` between the copy's start and its end (the guard's second look at
    the file, os.fstat)."""
    real = os.fstat
    calls: list[int] = []

    def fstat(number: int) -> os.stat_result:
        if len(calls) == 1:
            with open(path, "ab") as handle:
                handle.write(b"more")
        calls.append(number)
        return real(number)

    monkeypatch.setattr(snapshot.os, "fstat", fstat)


def test_a_file_written_to_while_it_is_copied_is_refused(r: Returns, tmp_path: Path,
                                                        monkeypatch: Any) -> None:
    path = Path(shutil.copy(r.clean, tmp_path / "CS.xlsx"))
    _saved_while_copied(monkeypatch, path)
    with pytest.raises(UnreadableFileError, match="changed while it was being read"):
        guard.SafeWorkbook(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_pipe_put_in_a_returns_place_is_refused_not_waited_on(tmp_path: Path) -> None:
    """A named pipe never ends: opening it to read would wait for a writer for ever."""
    pipe = tmp_path / "CS.xlsx"
    os.mkfifo(pipe)
    with pytest.raises(UnreadableFileError, match="is not a file"):
        guard.SafeWorkbook(pipe)


def test_a_master_is_copied_to_disk_and_a_return_into_memory(r: Returns, tmp_path: Path,
                                                             monkeypatch: Any) -> None:
    """A master (138 MB at 240 returns) is not held in memory twice (its copy and calamine's);
    where no copy can be made on disk it is read from one in memory, not refused."""
    with guard.SafeWorkbook(r.clean) as workbook:
        assert workbook._copy.name is None
    with guard.SafeWorkbook(r.clean, MASTER_LIMITS) as workbook:
        assert workbook._copy.name is not None and Path(workbook._copy.name).is_file()
        copied = workbook._copy.name
        assert workbook.read(SHEET)[0] == _measures(r.clean)
    assert not Path(copied).exists()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    with guard.SafeWorkbook(r.clean, MASTER_LIMITS) as workbook:
        assert workbook._copy.name is None
        assert workbook.read(SHEET)[0] == _measures(r.clean)


def test_a_master_saved_while_it_is_read_is_named_as_such(r: Returns, tmp_path: Path,
                                                         monkeypatch: Any) -> None:
    """Not "restore the backup": the master is fine, someone saved it meanwhile."""
    path = Path(shutil.copy(r.clean, tmp_path / "master.xlsx"))
    _saved_while_copied(monkeypatch, path)
    with pytest.raises(MasterError) as refused:
        read_master(path)
    assert "changed while it was being read" in str(refused.value)
    assert "backups" not in str(refused.value)


def test_a_refused_returns_digest_is_of_the_bytes_refused(r: Returns, tmp_path: Path) -> None:
    bomb = _bomb(r, tmp_path / "CS.xlsx")
    [result] = validate_paths([bomb], None, r.plan, workers=1).results
    assert result.findings[0].code == "file-unsafe"
    assert result.sha256 == hashlib.sha256(bomb.read_bytes()).hexdigest()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts Linux's open files")
def test_refusing_a_folder_leaves_no_file_open(tmp_path: Path) -> None:
    folder = tmp_path / "CS.xlsx"
    folder.mkdir()
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        with pytest.raises(UnreadableFileError, match="cannot be read|not a file"):
            guard.SafeWorkbook(folder)
    assert len(os.listdir("/proc/self/fd")) <= before + 2
