"""Writing the master safely (SPEC section 8): the new master is written beside the old one and
swapped in only when complete; the previous one is kept in the backups folder. A master open in
another program, or changed by someone else meanwhile, is refused and nothing is lost."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
import shutil
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from workbook_tools.errors import MasterError
from workbook_tools.files.beside import leftovers, temporary_for
from workbook_tools.files.memory import give_back_memory
from workbook_tools.files.package import sha256_of
from workbook_tools.master import record
from workbook_tools.master.read import NOTHING_CHANGED, Master
from workbook_tools.master.write import write_master

T = TypeVar("T")


def check_not_open(master_path: Path) -> None:
    """Refuse a master that Excel or LibreOffice has open (their lock file is beside it).

    Raises:
        MasterError: naming the lock file.
    """
    name = master_path.name
    for lock in (f"~${name}", f".~lock.{name}#"):
        if (master_path.parent / lock).exists():
            raise MasterError(
                f"{master_path}: is open in another program (its lock file {lock} is beside "
                f"it); close it and run again. {NOTHING_CHANGED}")


def login_name() -> str:
    """Who is running the tool, for the Log and Periods (blank when the system cannot say)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in this environment
        return ""



# ---------------------------------------------------------------------------------------------
# The safe write: beside the old master, swapped in only when complete.


def master_state(path: Path) -> tuple[int, int, str] | None:
    """(size, modification time, SHA-256) of the master, None when there is none."""
    try:
        stat = path.stat()
        digest = sha256_of(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise MasterError(f"{path}: cannot be read ({exc.strerror or exc}). "
                          f"{NOTHING_CHANGED}") from None
    return (stat.st_size, stat.st_mtime_ns, digest)


EXCEL_MAX_ROWS = 1_048_576  # rows in an Excel sheet, the header's included


def check_fits(master: Master, path: Path) -> None:
    """Refuse a master that Excel could not open: a sheet with more rows than a sheet holds.

    Raises:
        MasterError: naming the sheet and how to go on; nothing is written.
    """
    for name, rows in master.sheets.items():
        if len(rows) + 1 > EXCEL_MAX_ROWS:
            raise MasterError(
                f"{path}: its {name} sheet would have {len(rows) + 1:,} rows, more than the "
                f"{EXCEL_MAX_ROWS:,} an Excel sheet holds; keep a master per year from here on, "
                f"for example with --master {path.with_name(f'{path.stem}-YEAR{path.suffix}')}"
                f" (YEAR such as 2026-27), and give the same --master to summarise and export. "
                f"{NOTHING_CHANGED}")


def write_safely(master: Master, path: Path, backups: Path, stamp: dt.datetime,
                 before: tuple[int, int, str] | None, release: bool = False) -> Path | None:
    """Write the new master beside the old, keep the old in `backups`, swap the new one in.
    `release`: the caller is done with `master` (write.write_master).

    Raises:
        MasterError: a sheet would pass Excel's row limit (nothing is written), or the new master
            cannot be written or swapped in; the old one is untouched and no partial file is
            left behind.
    """
    check_fits(master, path)
    check_writable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    temporary = temporary_for(path)
    backup = None
    try:
        try:
            # the merge and the sort leave tens of MB free among the rows (65 MB at 240
            # returns): given back before the write holds its most
            give_back_memory()
            recorded = write_master(master, temporary, keep_record=False, release=release)
            entry = _synced(temporary, lambda: _entry_of(recorded))
        except MasterError:
            # the old master's bytes not as read: when they were read from its record, the
            # record goes too, so running again scans them (as the message says to)
            for block in master.copies.values():
                if block.recorded:
                    record.forget(block.recorded)
            raise
        except OSError as exc:
            raise MasterError(f"{path}: the new master could not be written "
                              f"({exc.strerror or exc}). {NOTHING_CHANGED}") from None
        check_not_open(path)
        if master_state(path) != before:
            raise MasterError(f"{path}: was changed by someone else while consolidating; run "
                              f"again. {NOTHING_CHANGED}")
        if before is not None:
            backup = _backup(path, backups, stamp, before)
        try:
            os.replace(temporary, path)
        except PermissionError as exc:
            if os.name == "nt":  # Windows refuses to replace a file another program has open
                raise MasterError(f"{path}: is open in another program (it cannot be "
                                  f"replaced); close it and run again. {NOTHING_CHANGED}"
                                  ) from None
            raise MasterError(f"{path}: cannot be replaced ({exc.strerror or exc}): the file "
                              "or its folder is protected against changes (immutable, or "
                              "locked by its owner); lift the protection if it should change, "
                              f"then run again. {NOTHING_CHANGED}") from None
        except OSError as exc:
            raise MasterError(f"{path}: cannot be replaced ({exc.strerror or exc}). "
                              f"{NOTHING_CHANGED}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        if backup is not None:
            backup.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)
    record.keep_made(entry)  # only once the master is in place
    return backup


def _synced(path: Path, make: Callable[[], T]) -> T:
    """What `make()` gives, made while the file `path` goes to disk (fsync, in a thread of its
    own: it waits on the disk without holding the interpreter, 0.2 s for a master of four
    quarters at 240 returns).

    Raises:
        OSError: the file could not be synced.
    """
    failed: list[BaseException] = []
    with open(path, "rb+") as handle:
        number = handle.fileno()

        def sync() -> None:
            try:
                os.fsync(number)
            except BaseException as exc:  # noqa: BLE001 - raised where the write is
                failed.append(exc)

        syncing: threading.Thread | None = None
        try:
            syncing = threading.Thread(target=sync, name="fsync", daemon=True)
            syncing.start()
        except RuntimeError:  # (no thread to be had: synced here, first)
            syncing = None
            sync()
        try:
            made = make()
        finally:
            if syncing is not None:
                syncing.join()
    if failed:
        raise failed[0]
    return made


def _entry_of(recorded: tuple[str, record.Record] | None) -> record.Entry | None:
    """The record's entry, made (record.entry_of) to be kept once the master is in place; None
    when there is none (a record is only ever a saving: nothing about it stops a write)."""
    if recorded is None:
        return None
    try:
        return record.entry_of(*recorded)
    except Exception:  # noqa: BLE001
        return None


STALE_TEMPORARY_SECONDS = 24 * 3600


def remove_stale_temporaries(path: Path) -> None:
    """Remove what a run that was killed while writing left beside the master
    (master.tmp-PID.xlsx); one less than a day old may be another run's, writing now."""
    import time

    for leftover in leftovers(path):
        try:
            if time.time() - leftover.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                leftover.unlink()
        except OSError:
            continue  # best effort: it is only clutter


def check_writable(path: Path) -> None:
    """Refuse a master whose file is read-only: replacing it would quietly undo the protection
    someone put on it (and it would come back writable).

    Raises:
        MasterError: saying so, and how to go on.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # no master yet, or one that cannot be read: reported where it is read
    if not mode & stat.S_IWUSR:
        raise MasterError(f"{path}: is read-only (its file permissions do not allow changes), "
                          "so it is not replaced; make it writable if it should change, then "
                          f"run again. {NOTHING_CHANGED}")


def _backup(path: Path, backups: Path, stamp: dt.datetime,
            before: tuple[int, int, str]) -> Path:
    """Keep the master in `backups`: a hard link to its file where the file system allows one
    (nothing copied: the master is then replaced by a new file, never changed in place, so the
    link keeps the old bytes), else a copy, checked complete (its size and SHA-256 are the
    master's) before it counts: a disk that fills while copying must not leave a truncated file
    as the newest backup, the one anybody would restore."""
    partial = None
    try:
        backups.mkdir(parents=True, exist_ok=True)
        base = f"{path.stem}-{stamp:%Y%m%d-%H%M%S}"
        target = backups / f"{base}{path.suffix}"
        number = 1
        while target.exists():
            number += 1
            target = backups / f"{base}-{number}{path.suffix}"
        partial = target.with_name(f".{target.name}.partial")
        # (where a killed run left one, the copy is made onto it: shutil refuses a copy onto
        # the master itself, a link a killed run made, and the failure removes it)
        if not _linked(path, partial, before):
            _copied(path, partial, before)
        os.rename(partial, target)  # `target` does not exist: nothing is replaced
    except OSError as exc:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise MasterError(f"{backups}: the previous master could not be kept there "
                          f"({exc.strerror or exc}). {NOTHING_CHANGED}") from None
    return target


def _linked(path: Path, partial: Path, before: tuple[int, int, str]) -> bool:
    """Whether `partial` could be made a hard link to the master (not on every file system: FAT,
    some network shares, another disk), the master as it was checked (`before`). Not when the
    master's file has another name (a second hard link, or the file a symlinked master points
    at): that name keeps the old file after the swap, and saving it in place would change the
    backup; it is copied."""
    try:
        if os.lstat(path).st_nlink != 1 or path.is_symlink():
            return False
        os.link(path, partial)
    except OSError:  # (FileExistsError too: what a killed run left)
        return False
    found = os.stat(partial)
    if found.st_nlink != 2:  # (linked meanwhile under another name)
        partial.unlink()
        return False
    size, modified, _ = before
    if found.st_size != size or found.st_mtime_ns != modified:
        raise OSError(0, "the master changed while it was kept")
    return True


def _copied(path: Path, partial: Path, before: tuple[int, int, str]) -> None:
    shutil.copy2(path, partial)
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    size, _, digest = before
    copied = partial.read_bytes()
    if len(copied) != size or hashlib.sha256(copied).hexdigest() != digest:
        raise OSError(0, "the copy is not complete")


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the file itself was synced
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
