"""The backup is the old master as it was, and stays so, when the master's file has another name:
a second hard link to it, or the file a symlinked master points at. Such a name still holds the
old master after the swap, and a program saving it in place must not change the backup."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Q1
from master_support import Folder, make_folder


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return make_folder(tmp_path / "ws", consolidated=True)


@pytest.mark.parametrize("how", ["hard link", "symlink"])
def test_the_backup_stays_the_old_master_when_another_name_of_its_file_is_saved_in_place(
        folder: Folder, how: str) -> None:
    shared = folder.root / "shared" / "master.xlsx"
    shared.parent.mkdir()
    if how == "hard link":
        os.link(folder.master, shared)
    else:
        folder.master.replace(shared)
        folder.master.symlink_to(shared)
    old = folder.master.read_bytes()

    result = folder.consolidate(Q1)

    assert result.backup is not None and result.backup.read_bytes() == old
    with open(shared, "r+b") as handle:  # finance saves the file under its other name in place
        handle.write(b"saved in place")
    assert shared.read_bytes() != old
    assert result.backup.read_bytes() == old
