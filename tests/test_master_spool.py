"""A new master's rows kept on disk while consolidate works (files/spool.py, master/chunked.py):
the master and what the command says are the same as with every row held, items taken out of
the register and a sheet's rows read back in any order included, and nothing is left behind
in the temporary folder, whether the run ends well or not."""

from __future__ import annotations

import os
import shutil
import tempfile
from array import array
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Q1
from test_master_record import read_off, same
from test_plan_by_directorate import _cached_by_directorate, master_cells
from untrusted_support import FINANCE, hostile_folder
from untrusted_support import run as run_cli

from workbook_tools.files.spool import Spool
from workbook_tools.master.chunked import ChunkedRows
from workbook_tools.master.sheetrow import Row


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: Any) -> Any:
    monkeypatch.chdir(tmp_path)
    return hostile_folder(tmp_path / "ws")


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder the run's spool is made in (tempfile's), empty to begin with."""
    place = tmp_path / "tmp"
    place.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(place))
    return place


def spools(place: Path) -> list[Path]:
    return sorted(place.glob("workbook-tools-spool-*"))


def test_rows_kept_a_return_at_a_time_read_back_as_a_list_of_them(temporary: Path) -> None:
    positions = {"Quarter": 0, "ID": 1, "Actual": 2}
    made = [[Row((str(Q1), f"M-{n}-{i}", float(i)), positions, None) for i in range(size)]
            for n, size in enumerate((3, 1, 4))]
    every = [row for rows in made for row in rows]
    with Spool() as spool:
        chunked = ChunkedRows(spool, positions, {"Quarter": str(Q1)})
        for rows in made:
            chunked.add(rows)
        chunked.add([])  # (a return with no rows on the sheet)
        assert len(chunked) == 8 and list(chunked) == every
        assert [chunked[i] for i in (7, 0, 3, 4, -1)] == [every[i] for i in (7, 0, 3, 4, -1)]
        assert chunked[1:7:2] == every[1:7:2] and chunked[::-1] == every[::-1]
        assert chunked.column("ID") == [row[1] for row in every]
        assert chunked.columns(["Actual", "Quarter"]) == [[r[2] for r in every], [str(Q1)] * 8]
        reads = spool.get
        spool.get = lambda *a: pytest.fail("read for a column every row has the same")
        assert chunked.column("Quarter") == [str(Q1)] * 8
        spool.get = reads
        assert all(row.__class__ is Row and row.get("Actual") == row[2] for row in chunked)
        with pytest.raises(IndexError):
            chunked[8]
        dicts = ChunkedRows(spool, None)
        dicts.add([{"Saving ID": "S-1", "_cells": None}])
        assert list(dicts) == [{"Saving ID": "S-1", "_cells": None}]
        assert len(spools(temporary)) == 1
    assert spools(temporary) == []


@pytest.mark.parametrize("copied", [0, 3])
def test_savings_columns_coded_from_disk_are_read_as_from_lists(temporary: Path,
                                                                copied: int) -> None:
    """Savings' record is made from the quarter's rows on disk a chunk at a time, each coded as
    read (savingsread.read_afresh), after the rows copied from the old master (their own
    columns shared): the very values, of the very types, that reading lists of every cell
    gives (read_columns): a whole number a float, 17 digits read as 16, a text of spaces
    blank, a quarter spelt otherwise canonical, -0.0 beside 0.0 and True beside 1.0 kept
    apart, dates as dates; a value that cannot be read so in a later chunk gives no record."""
    import datetime as dt
    import functools

    from workbook_tools.master.columncode import Coded, Joined
    from workbook_tools.master.savingsread import afresh, as_read, read_afresh, read_columns
    from workbook_tools.master.sheetrow import Copied

    header = ["Quarter", "Saving ID", "Target (£)", "Commentary", "Due", "Ledger variance (£)"]
    positions = {h: at for at, h in enumerate(header)}
    made = [[["2025-26-Q1", "S-1", 5, "   ", dt.date(2025, 4, 1), None],
             ["2025/26 Q1", "S-2", 0.30000000000000004, "Fine", None, None]],
            [["2025-26-Q1", "S-3", -0.0, "", dt.date(2025, 5, 2), None],
             ["2025-26-Q1", "S-4", 0.0, "Fine", None, None]],
            [["2025-26-Q1", "S-5", True, "Late", None, None],
             ["2025-26-Q1", "S-6", 1.0, None, dt.date(2026, 1, 31), None]]]
    reads: list[Any] = [functools.partial(as_read, quarter=h == "Quarter",
                                          date_column=h == "Due") for h in header[:-1]]
    reads.append(None)  # (a ledger variance: read as blank)
    head = [["2024-25-Q4", f"S-{n}", float(n), "Old", None, None] for n in range(copied)]
    with Spool() as spool:
        chunked = ChunkedRows(spool, positions)
        for rows in made:
            chunked.add([Row(values, positions, None) for values in rows])
        rows: Any = chunked
        if copied:  # (the copied rows' columns as the old master's record holds them)
            columns = {at: Coded(list(dict.fromkeys(c)), array("B", [list(dict.fromkeys(
                c)).index(v) for v in c])) for at, c in enumerate(zip(*head, strict=True))}
            rows = Copied(positions, columns).with_tail(chunked)
        assert afresh(rows, copied) and not afresh(rows, copied + 1)
        coded = read_afresh(rows, header, reads, copied)
        listed = read_columns(rows, header, reads, copied)
        assert coded is not None and listed is not None
        for mine, theirs in zip([*coded[0], coded[1]], [*listed[0], listed[1]], strict=True):
            assert list(map(type, mine)) == list(map(type, theirs)) and list(mine) == list(theirs)
            assert [str(v) for v in mine] == [str(v) for v in theirs]  # (-0.0 not 0.0)
            assert not copied or mine.__class__ is Joined or mine == [None] * len(theirs)
        assert coded[0][2][copied:] == [5.0, 0.3, -0.0, 0.0, True, 1.0]
        assert coded[0][3][copied:] == [None, "Fine", None, "Fine", "Late", None]
        assert coded[1][copied:] == ["2025-26-Q1", "2025/26 Q1", *["2025-26-Q1"] * 4]
        chunked.add([Row(["2025-26-Q1", "S-7", 2.0, "x", 4.0, None], positions, None)])
        assert read_afresh(rows, header, reads, copied) is None  # (a number in a date column)


def without(path: Path, sheet: str, item_id: str) -> None:
    """The register with one item taken out (its row deleted)."""
    workbook = openpyxl.load_workbook(path)
    cells = workbook[sheet]
    ids = [row[0].value for row in cells.iter_rows(min_row=2)]
    cells.delete_rows(ids.index(item_id) + 2)
    workbook.save(path)


def test_a_new_master_written_from_disk_is_the_one_written_from_memory(
        folder: Any, tmp_path: Path, temporary: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Items taken out of the register since the returns went out are left out, said so in
    the same words and order; every other row is where it was."""
    import workbook_tools.master.consolidate as consolidate

    plan = folder.root / "templates" / "plan.xlsx"
    first, *_, last = (d.code for d in folder.plan.directorates)
    # (a later directorate's measure, an earlier one's saving: said sheet by sheet)
    measure = next(m for m in folder.plan.measures if m.directorate_code == last)
    saving = [s for s in folder.plan.savings if s.directorate_code == first][-1]
    without(plan, "Measures", measure.id)
    without(plan, "Savings", saving.id)
    master = tmp_path / "new" / "master.xlsx"
    streamed: list[bool] = []
    merge = consolidate._merge
    monkeypatch.setattr(consolidate, "_merge",
                        lambda *a: streamed.append(a[5] is not None) or merge(*a))

    def consolidated() -> tuple[str, dict[str, list[tuple[Any, ...]]]]:
        master.unlink(missing_ok=True)
        result = run_cli("consolidate", "-q", str(Q1), "--master", str(master))
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
        return result.output, master_cells(master)

    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", "off")
    held = consolidated()
    _cached_by_directorate(folder, tmp_path / "cache", monkeypatch)
    streamed.clear()
    spooled = consolidated()
    assert streamed == [True] and spooled == held
    left_out = [line for line in spooled[0].splitlines() if line.startswith("Left out")]
    assert left_out == [f"Left out: Measures {measure.id} ({last}): in the return but no "
                        "longer in the register.", f"Left out: Savings {saving.id} ({first}): "
                        "in the return but no longer in the register."]
    assert spools(temporary) == []


def test_a_run_that_fails_while_writing_leaves_no_rows_behind(
        folder: Any, tmp_path: Path, temporary: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import workbook_tools.master.consolidate as consolidate

    _cached_by_directorate(folder, tmp_path / "cache", monkeypatch)
    seen: list[list[Path]] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        seen.append(spools(temporary))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(consolidate, "write_safely", failing)
    result = run_cli("consolidate", "-q", str(Q1), "--master", str(tmp_path / "new.xlsx"))
    assert result.exit_code != 0 and "No space left on device" in result.output, result.output
    assert "Traceback" not in result.output
    assert len(seen) == 1 and len(seen[0]) == 1  # (the rows were on disk while it wrote)
    assert spools(temporary) == [] and not (tmp_path / "new.xlsx").exists()


RAN: list[str] = []


def _ran() -> str:
    RAN.append("ran")
    return "ran"


class _Evil:
    def __reduce__(self) -> Any:
        return _ran, ()


def test_rows_changed_on_disk_are_refused_not_unpickled(temporary: Path) -> None:
    """The spool's files are checked against a digest keyed by a secret only the run and its
    workers hold: bytes someone else wrote there (a temporary folder others can write to) are
    refused with the file named, never unpickled."""
    import pickle

    with Spool() as spool:
        place = spool.put([("kept", 1.5)])
        assert spool.get(place) == [("kept", 1.5)]
        path = Path(spool.folder) / place[0]
        data = bytearray(path.read_bytes())
        data[-3] ^= 1  # one bit of the pickle
        path.write_bytes(bytes(data))
        with pytest.raises(OSError, match="changed or cut short") as found:
            spool.get(place)
        assert found.value.filename == str(path)
        # a pickle of the same length that would run something, behind the old digest
        evil = pickle.dumps(_Evil())
        path.write_bytes(bytes(data[:32]) + evil.ljust(place[2] - 32, b"."))
        with pytest.raises(OSError, match="changed or cut short"):
            spool.get(place)
        assert RAN == []
        os.truncate(path, place[2] - 1)  # cut short
        with pytest.raises(OSError, match="changed or cut short"):
            spool.get(place)


def test_a_killed_runs_spool_is_removed_by_a_later_run_once_a_day_old(temporary: Path) -> None:
    import time

    old, recent = temporary / "workbook-tools-spool-old", temporary / "workbook-tools-spool-now"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "rows-1").write_bytes(b"a return's rows")
    day_and_more = time.time() - 25 * 3600
    os.utime(old, (day_and_more, day_and_more))
    with Spool():
        assert not old.exists() and recent.exists()  # (one younger may be a run's, working)


def test_no_room_for_the_rows_is_one_line_naming_the_folder_and_nothing_is_written(
        folder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _cached_by_directorate(folder, tmp_path / "cache", monkeypatch)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    master = tmp_path / "new" / "master.xlsx"
    result = run_cli("consolidate", "-q", str(Q1), "--master", str(master))
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    [line] = result.output.splitlines()
    assert line.startswith(f"Error: {tmp_path / 'no such folder'}: ") and "TMPDIR" in line
    assert "nothing was written" in line and not master.exists()
    (tmp_path / "no such folder").mkdir()
    with Spool() as spool, pytest.raises(OSError, match="nothing was written") as found:
        shutil.rmtree(spool.folder)  # (gone while the run works)
        spool.put(1)
    assert found.value.filename == str(Path(spool.folder) / f"rows-{os.getpid()}")


def test_ctrl_c_between_two_returns_ends_the_workers_before_the_spool_goes(
        folder: Any, tmp_path: Path, temporary: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped while the results come in, consolidate ends its workers before it removes the
    spool: left running, they would write the rest of the returns' rows after it had gone."""
    import multiprocessing

    from workbook_tools.master.consolidate import consolidate

    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "2")

    def stop(_path: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as stopped:
        consolidate(folder.plan, Q1, folder.returns(Q1), tmp_path / "new.xlsx", progress=stop)
    assert stopped.traceback  # (held, as a caller holds it: the workers' generator with it)
    assert multiprocessing.active_children() == []
    assert spools(temporary) == [] and not (tmp_path / "new.xlsx").exists()


def test_a_master_with_quarters_in_it_is_consolidated_with_the_returns_rows_on_disk(
        folder: Any, tmp_path: Path, temporary: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers that check the returns while the master is read keep the returns' rows in
    the spool too; stopped while the results come in, consolidate ends them before it removes
    it, and the master is as it was."""
    import multiprocessing

    import workbook_tools.master.consolidate as consolidate

    _cached_by_directorate(folder, tmp_path / "cache", monkeypatch)
    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "2")
    made: list[Any] = []
    monkeypatch.setattr(consolidate, "Spool", lambda: made.append(Spool()) or made[-1])
    result = run_cli("consolidate", "-q", str(Q1))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert len(made) == 1 and spools(temporary) == []
    kept = folder.master.read_bytes()

    def stop(_path: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        consolidate.consolidate(folder.plan, Q1, folder.returns(Q1), folder.master,
                                progress=stop)
    assert multiprocessing.active_children() == []
    assert spools(temporary) == [] and folder.master.read_bytes() == kept


@pytest.mark.parametrize("held", ["2024-25-Q1", "2025-26-Q2", "2024-25-Q1, an item moved"])
def test_a_quarter_after_the_masters_is_written_from_disk_as_it_is_from_memory(
        folder: Any, tmp_path: Path, temporary: Path, monkeypatch: pytest.MonkeyPatch,
        held: str) -> None:
    """A master holding the quarter a year before, finance's entries on it: the quarter's rows,
    made a return at a time and kept on disk, go after its rows, compared with that quarter's
    actuals; the master and what the command says are the ones the rows held in memory give,
    cell for cell, an item the register now gives another directorate among its rows too. A
    master holding a later quarter is merged as before (the quarter's rows go before its), to
    the same master as well."""
    import workbook_tools.master.consolidate as consolidate
    from workbook_tools.files.package import sha256_of
    from workbook_tools.master import record
    from workbook_tools.master.read import read_master
    from workbook_tools.master.write import write_master

    held, moved = held.split(", ")[0], held.endswith("moved")
    if moved:  # (the last measure of the first directorate, now the second's)
        first, second = (d.code for d in folder.plan.directorates[:2])
        measure = [m for m in folder.plan.measures if m.directorate_code == first][-1]
        plan = folder.root / "templates" / "plan.xlsx"
        workbook = openpyxl.load_workbook(plan)
        cells = workbook["Measures"]
        at = [row[0].value for row in cells.iter_rows(min_row=2)].index(measure.id) + 2
        column = [c.value for c in cells[1]].index("Directorate code") + 1
        cells.cell(at, column, second)
        workbook.save(plan)
    cache = tmp_path / "cache"
    _cached_by_directorate(folder, cache, monkeypatch)
    seed = read_master(folder.master)
    for name, rows in seed.sheets.items():
        if name != "Log":
            seed.sheets[name] = [{**row, "Quarter": held} for row in rows]
    start = tmp_path / "held.xlsx"
    write_master(seed, start, make_record=True)  # (as a consolidate copying rows keeps it)
    master = tmp_path / "four" / "master.xlsx"
    master.parent.mkdir()
    streamed: list[bool] = []
    merge = consolidate._merge
    monkeypatch.setattr(consolidate, "_merge",
                        lambda *a: streamed.append(a[5] is not None) or merge(*a))

    def consolidated(cached: str) -> tuple[list[str], dict[str, list[tuple[Any, ...]]]]:
        monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", cached)
        shutil.copy(start, master)
        result = run_cli("consolidate", "-q", str(Q1), "--master", str(master))
        # (the first directorate's return, giving the moved measure, is not accepted)
        assert result.exit_code == moved and "Traceback" not in result.output, result.output
        said = [line for line in result.output.splitlines() if "backups" not in line]
        return said, master_cells(master)

    held_in_memory = consolidated("off")
    assert consolidated(str(cache)) == held_in_memory
    assert streamed == [False, held == "2024-25-Q1"]
    if streamed[-1]:  # its record, Savings' made from the rows on disk (savingsread), exact
        kept = record.recall(sha256_of(master))
        assert kept is not None and kept.savings is not None
        same(read_master(master, touched={str(Q1)}), read_off(master, {str(Q1)}, monkeypatch))
    assert spools(temporary) == []
    written = read_master(master)
    compared = {row["Compared with a year ago"] for row in written.rows("Measures", Q1)}
    assert moved or len(written.rows("Measures", Q1)) == len(folder.plan.measures)
    assert bool(compared - {None, "Not comparable"}) == (held == "2024-25-Q1"), compared
    entries = [row for row in written.rows("Savings", held)
               if row.get("Finance note") == FINANCE["Finance note"]]
    assert len(entries) == len(folder.plan.directorates)  # (finance's, kept on their rows)


def test_a_master_noted_in_the_registers_order_is_consolidated_without_the_whole_register(
        folder: Any, tmp_path: Path, temporary: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A consolidate whose quarter's rows go after the master's notes, in the master's record,
    the register the rows are now in the order of; the next consolidate into it with that
    register takes the rows as in order without reading the whole register, to the same
    master cell for cell as a check of them gives. Another register (a byte changed): read
    and checked again."""
    import workbook_tools.master.consolidate as consolidate
    from workbook_tools.files.package import sha256_of
    from workbook_tools.master import record
    from workbook_tools.master.order import note_order
    from workbook_tools.master.read import read_master
    from workbook_tools.master.write import write_master
    from workbook_tools.plan.register import BY_DIRECTORATE, load_plan

    cache = tmp_path / "cache"
    _cached_by_directorate(folder, cache, monkeypatch)
    register = folder.root / "templates" / "plan.xlsx"
    seed = read_master(folder.master)
    for name, rows in seed.sheets.items():
        if name != "Log":
            seed.sheets[name] = [{**row, "Quarter": q} for q in ("2024-25-Q3", "2024-25-Q4")
                                 for row in rows]
    start = tmp_path / "start.xlsx"

    def written(ordered: bool) -> Path:
        """The start master, its record noting the register's order or not (the same bytes:
        the record kept last for them is the one recalled)."""
        seed.ordered_by = None
        if ordered:
            note_order(seed, load_plan(register, BY_DIRECTORATE), 0)
            assert seed.ordered_by == sha256_of(register)
        write_master(seed, start, make_record=True)
        return start

    wholes: list[Any] = []
    whole = consolidate._whole
    monkeypatch.setattr(consolidate, "_whole", lambda plan: wholes.append(plan) or whole(plan))
    master = tmp_path / "four" / "master.xlsx"
    master.parent.mkdir()

    def consolidated(start: Path) -> tuple[int, list[str], dict[str, list[tuple[Any, ...]]]]:
        wholes.clear()
        shutil.copy(start, master)
        result = run_cli("consolidate", "-q", str(Q1), "--master", str(master))
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
        said = [line for line in result.output.splitlines() if "backups" not in line]
        return len(wholes), said, master_cells(master)

    checked = consolidated(written(False))
    assert checked[0] == 1  # (read to check the order, as before)
    kept = record.recall(sha256_of(master))
    assert kept is not None and kept.ordered == sha256_of(register)  # noted for the next run
    taken = consolidated(written(True))
    assert taken[0] == 0 and taken[1:] == checked[1:]
    assert len(read_master(master).rows("Measures", Q1)) == len(folder.plan.measures)
    written(True)
    workbook = openpyxl.load_workbook(register)  # (another register: its bytes' digest)
    workbook["Themes"].cell(2, 2).value = "Another theme's name"
    workbook.save(register)
    _cached_by_directorate(folder, cache, monkeypatch)
    assert consolidated(start)[0] == 1
