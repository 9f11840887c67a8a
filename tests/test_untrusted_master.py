"""Writing the master when something is wrong with the disk or the file (issue 10, case 11): a
backup is complete before it counts, a read-only master is refused with its real reason, and
an immutable one is not said to be open in another program."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import Q1
from master_support import RUN_AT, Folder, make_folder
from untrusted_support import run

from workbook_tools.errors import MasterError


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: Any) -> Folder:
    folder = make_folder(tmp_path / "ws", consolidated=True)
    monkeypatch.chdir(folder.root)
    return folder


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_disk_that_fills_while_backing_up_leaves_no_broken_backup(folder: Folder) -> None:
    before = digest(folder.master)
    folder.backups.mkdir(parents=True, exist_ok=True)
    kept = sorted(p.name for p in folder.backups.iterdir())
    copy = folder.backups / f".master-{RUN_AT:%Y%m%d-%H%M%S}.xlsx.partial"
    os.symlink("/dev/full", copy)  # every write to it fails: no space left on device

    with pytest.raises(MasterError, match="the previous master could not be kept there "
                                          r"\(No space left on device\)"):
        folder.consolidate(Q1)

    assert digest(folder.master) == before
    assert sorted(p.name for p in folder.backups.iterdir()) == kept
    assert not list(folder.master.parent.glob("master.xlsx.tmp-*"))


def test_a_read_only_master_is_refused_with_its_reason(folder: Folder) -> None:
    before = digest(folder.master)
    folder.master.chmod(0o444)

    result = run("consolidate", "-q", str(Q1))

    assert result.exit_code == 2, result.output
    assert ("outputs/master.xlsx: is read-only (its file permissions do not allow changes), so "
            "it is not replaced") in result.output
    assert digest(folder.master) == before
    assert not folder.master.stat().st_mode & stat.S_IWUSR


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr")
def test_an_immutable_master_is_not_said_to_be_open_elsewhere(folder: Folder) -> None:
    kept = sorted(folder.backups.glob("*")) if folder.backups.exists() else []
    if subprocess.run(["chattr", "+i", str(folder.master)], capture_output=True).returncode:
        pytest.skip("the file system or user cannot make a file immutable")
    try:
        result = run("consolidate", "-q", str(Q1))
    finally:
        subprocess.run(["chattr", "-i", str(folder.master)], check=True)

    assert result.exit_code == 2, result.output
    assert "open in another program" not in result.output
    assert ("outputs/master.xlsx: cannot be replaced (Operation not permitted): the file or its "
            "folder is protected against changes") in result.output
    assert (sorted(folder.backups.glob("*")) if folder.backups.exists() else []) == kept
