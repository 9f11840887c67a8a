"""The previous master kept in the backups folder (master/safe.py): a hard link to its file where
the file system allows one, else a copy checked complete; either way the old master as it was,
and it stays so whatever later happens to the new master."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import Q1
from master_support import RUN_AT, Folder, make_folder

from workbook_tools.errors import MasterError


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return make_folder(tmp_path / "ws", consolidated=True)


def _no_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system without hard links (FAT, some network shares, another disk)."""
    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)


@pytest.mark.parametrize("links", [True, False])
def test_the_backup_is_the_old_master_and_stays_so_when_the_new_one_changes(
        folder: Folder, links: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not links:
        _no_links(monkeypatch)
    old = folder.master.read_bytes()
    result = folder.consolidate(Q1)
    assert result.backup is not None and result.backup.read_bytes() == old
    assert not os.path.samefile(result.backup, folder.master)
    new = folder.master.read_bytes()
    with open(folder.master, "r+b") as handle:  # a program that writes the file in place
        handle.write(b"changed in place")
    assert result.backup.read_bytes() == old
    folder.master.write_bytes(new)
    again = folder.consolidate(Q1, at=RUN_AT.replace(hour=10))
    assert again.backup is not None and again.backup.read_bytes() == new
    assert result.backup.read_bytes() == old
    assert sorted(p.name for p in folder.backups.iterdir()) == [
        "master-20250720-093000.xlsx", "master-20250720-103000.xlsx"]


@pytest.mark.parametrize("links", [True, False])
def test_a_link_to_the_master_a_killed_run_left_is_never_written_through(
        folder: Folder, links: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run killed while keeping the backup leaves .NAME.partial, a hard link to the master
    itself: a run in the same second refuses rather than copy onto it, and clears it."""
    old = folder.master.read_bytes()
    folder.backups.mkdir()
    partial = folder.backups / ".master-20250720-093000.xlsx.partial"
    os.link(folder.master, partial)
    if not links:
        _no_links(monkeypatch)
    with pytest.raises(MasterError, match="the previous master could not be kept there"):
        folder.consolidate(Q1)
    assert folder.master.read_bytes() == old
    assert list(folder.backups.iterdir()) == []
    result = folder.consolidate(Q1)
    assert result.backup is not None and result.backup.read_bytes() == old
