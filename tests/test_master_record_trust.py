"""Red team of the record of the masters the tool wrote (master/record.py): an entry is trusted
only when it is the user's own file that no one else can write, read as it was checked, and
holding only values the tool itself writes; anything else is scanned as before."""

from __future__ import annotations

import compileall
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from master_support import Q1, Q2, Folder
from test_master_record import (  # noqa: F401
    HOSTILE,
    Q3,
    TOUCHED,
    forge_texts,
    hostile_master,
    same,
    scans,
    the_entry,
    two_quarters,
)

from workbook_tools import helper
from workbook_tools.errors import MasterError
from workbook_tools.files import cachefolder
from workbook_tools.master import columncode, recorder, savingsrecord, verbatim_copy
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.read import read_master
from workbook_tools.master.record import recall
from workbook_tools.master.verbatim import READ_CELLS
from workbook_tools.master.write import write_master
from workbook_tools.plan.examples import example_rows, write_register
from workbook_tools.plan.register import load_plan


def forged(entry: Path) -> str:
    """The entry with every text replaced: rows read from it would say 'Forged'."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    forge_texts(data)
    return json.dumps(data)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
@pytest.mark.parametrize("how", ["a link to a file in an open folder", "writable by others"])
def test_an_entry_others_can_write_to_is_not_trusted(
        tmp_path: Path, records: Path, scans: list[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    # The records' folder is private now, but the entry is a file others can write: planted
    # while the folder was open (a folder made private later keeps what was put in it), or
    # reached through a folder swapped between the check of the folder and the read
    folder = two_quarters(tmp_path / "ws")
    entry = the_entry(records)
    text = forged(entry)
    if how == "writable by others":
        entry.write_text(text, encoding="utf-8")
        entry.chmod(0o666)
    else:
        shared = tmp_path / "shared"
        shared.mkdir()
        shared.chmod(0o777)
        planted = shared / "entry.json"
        planted.write_text(text, encoding="utf-8")
        entry.unlink()
        entry.symlink_to(planted)
    scans.clear()
    found = read_master(folder.master, touched={"2025-26-Q3"})
    assert MasterSheet.MEASURES in scans  # scanned, not taken from the entry
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_CACHE", "off")
        same(found, read_master(folder.master, touched={"2025-26-Q3"}))


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
@pytest.mark.parametrize("where", ["a width", "a read cell"])
def test_an_entry_holding_a_number_the_tool_never_writes_is_ignored(
        tmp_path: Path, records: Path, scans: list[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, value: str, where: str) -> None:
    # keep() writes JSON without NaN or infinities (allow_nan=False); an entry holding one is
    # not one the tool wrote, and a column width or a figure of last quarter that is not a
    # number must never come from it
    folder = two_quarters(tmp_path / "ws")
    entry = the_entry(records)
    data = json.loads(entry.read_text(encoding="utf-8"))
    measures = data["sheets"]["Measures"]
    if where == "a width":
        measures["widths"][0][1] = "@"
    else:
        values = measures["cells"][4][0]  # Actual's values (master/columncode.py)
        values[next(i for i, v in enumerate(values) if type(v) is float)] = "@"
    entry.write_text(json.dumps(data).replace('"@"', value), encoding="utf-8")
    digest = entry.name.split("-")[0]
    assert recall(digest) is None
    scans.clear()
    found = read_master(folder.master, touched={"2025-26-Q3"})
    assert MasterSheet.MEASURES in scans
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_CACHE", "off")
        same(found, read_master(folder.master, touched={"2025-26-Q3"}))


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
@pytest.mark.parametrize("how", ["a link to a file in an open folder", "writable by others"])
def test_a_plan_entry_others_can_write_to_is_not_trusted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    # the register's plan, kept by the same rules in the same cache folder (plan/cache.py)
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "plan.xlsx"
    write_register(example_rows("derbyshire"), path)
    sound = load_plan(path)
    (entry,) = (tmp_path / "cache" / "plans").iterdir()
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["settings"][0] = "Forged Council"
    if how == "writable by others":
        entry.write_text(json.dumps(data), encoding="utf-8")
        entry.chmod(0o666)
    else:
        shared = tmp_path / "shared"
        shared.mkdir()
        shared.chmod(0o777)
        (shared / "entry.json").write_text(json.dumps(data), encoding="utf-8")
        entry.unlink()
        entry.symlink_to(shared / "entry.json")
    assert load_plan(path) == sound


def installed_without_source(root: Path, marker: str) -> tuple[str, str]:
    """source_digest() of a copy of the package installed as compiled files only (the .py files
    removed, as some builds ship it), one module changed by `marker`; and the plan cache's
    code_digest() there."""
    package = Path(cachefolder.__file__).resolve().parent.parent
    copy = root / "workbook_tools"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    readsheet = copy / "master" / "readsheet.py"
    readsheet.write_text(readsheet.read_text(encoding="utf-8") + f"\nMARKER = {marker!r}\n",
                         encoding="utf-8")
    compileall.compile_dir(copy, quiet=1, legacy=True)  # module.pyc beside module.py
    for source in copy.rglob("*.py"):
        source.unlink()
    found = subprocess.run(
        [sys.executable, "-c", "from workbook_tools.files import cachefolder as c; "
         "print(c.__file__); print(c.source_digest('master record')); "
         "from workbook_tools.plan import cache as p; print(p.code_digest())"],
        env=dict(os.environ, PYTHONPATH=str(root)), cwd=root, capture_output=True, text=True,
        check=True)
    where, digest, plans = found.stdout.split()
    assert Path(where).is_relative_to(root)  # (the copy, not the tool under test)
    return digest, plans


def test_a_tool_installed_without_its_source_never_takes_another_versions_entry(
        tmp_path: Path) -> None:
    # an entry is named by the tool's source: installed as compiled files only there is none to
    # hash, and two versions of the tool must still never share an entry
    one = installed_without_source(tmp_path / "one", "one")
    other = installed_without_source(tmp_path / "other", "other")
    assert one[0] != other[0]  # the record of masters
    assert one[1] != other[1]  # the register's plans


def test_an_entry_the_copy_finds_wrong_is_forgotten_so_running_again_works(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # An entry of the right shape that does not match the master's bytes (a byte of it changed
    # on disk, a record made wrong): the copy's check stops the write and says "run again";
    # running again must then work, not stop the same way every time
    folder = two_quarters(tmp_path / "ws")
    other = Folder(tmp_path / "other", folder.plan)
    shutil.copytree(folder.root, other.root)
    entry = the_entry(records)
    data = json.loads(entry.read_text(encoding="utf-8"))
    measures = data["sheets"]["Measures"]
    measures["stored"] = [[u + (u == measures["start"]), c] for u, c in measures["stored"]]
    measures["start"] += 1
    entry.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(MasterError, match="run again"):
        folder.consolidate(Q3)
    folder.consolidate(Q3)
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_CACHE", "off")
        other.consolidate(Q3)
    assert folder.master.read_bytes() == other.master.read_bytes()


@pytest.mark.parametrize("case", ["long texts", "an escape in a read text"])
def test_a_record_made_across_chunks_and_in_a_helper_process_is_exact(
        tmp_path: Path, records: Path, scans: list[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    # at national scale the scan reads a sheet in 4 MiB chunks, the record in pieces of 1 MiB,
    # and some sheets' records are made in a helper process (master/recordhelper.py, which
    # reads in its own): here all at a small master's size
    monkeypatch.setattr(verbatim_copy, "CHUNK", 4096)
    monkeypatch.setattr(savingsrecord, "SCAN_PIECE", 4096)  # (the record's pieces: recorder's)
    monkeypatch.setattr(recorder, "PARALLEL_BYTES", 0)
    folder = two_quarters(tmp_path / "ws")
    hostile_master(folder, HOSTILE[case])
    other = Folder(tmp_path / "other", folder.plan)
    shutil.copytree(folder.root, other.root)
    for quarter in TOUCHED:
        scans.clear()
        found = read_master(folder.master, touched={quarter})
        assert MasterSheet.MEASURES not in scans  # from the record
        with monkeypatch.context() as env:
            env.setenv("WORKBOOK_TOOLS_CACHE", "off")
            same(found, read_master(folder.master, touched={quarter}))
    folder.consolidate(Q3)
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_CACHE", "off")
        other.consolidate(Q3)
    assert folder.master.read_bytes() == other.master.read_bytes()


def test_a_record_made_in_a_helper_process_holds_the_copied_rows_cells(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the copied rows' cells are the old master's block's, held by this process (never sent)
    # while a helper process makes some sheets' records, and put back before the rows written
    # anew's cells: the same record as one process makes
    folder = two_quarters(tmp_path / "ws")
    master = read_master(folder.master, touched={str(Q2)})  # Q1 copied, Q2 written anew
    lean = {MasterSheet.MEASURES, MasterSheet.ACTIONS, MasterSheet.RISKS}
    assert lean <= set(master.copies)
    measures = master.sheets[MasterSheet.MEASURES]
    # the copied rows' columns are the record's as it held them (columncode.Coded), the very
    # ones the block carries into the next record: not lists of their values beside them
    coded = master.copies[MasterSheet.MEASURES].coded
    assert coded is not None and all(isinstance(c, columncode.Coded)
                                     for c in measures.columns.values())
    assert all(any(c is mine for mine in coded) for place, c in measures.columns.items() if place)
    actuals = [1000.0 + at for at in range(len(measures.tail))]  # Q2's, unlike any of Q1's
    for row, actual in zip(measures.tail, actuals, strict=True):
        row["Actual"] = actual
    made = {}
    here: dict[str, list[str]] = {}  # the sheets whose records this process made
    real = recorder._sheets
    def noted(how: str) -> Any:
        def sheets(path: Path, jobs: list[Any], *rest: Any) -> Any:
            here.setdefault(how, []).extend(job[0] for job in jobs)
            return real(path, jobs, *rest)
        return sheets

    for how in ("helper", "a helper that stops", "one process"):
        with monkeypatch.context() as env:
            env.setattr(recorder, "_sheets", noted(how))
            if how != "one process":  # every sheet's record made in the helper process
                env.setattr(recorder.parallel, "forks_in_two", lambda: True)
                env.setattr(recorder, "PARALLEL_BYTES", 0)
                env.setattr(recorder, "_shares", lambda jobs, savings_bytes: (jobs, []))
            else:
                env.setattr(recorder.parallel, "forks_in_two", lambda: False)
            if how == "a helper that stops":  # (then this process makes them: the same)
                env.setattr(helper, "_START", "import sys\nsys.exit(3)")
            found = write_master(master, tmp_path / f"{how}.xlsx", keep_record=False,
                                 make_record=True)
            assert found is not None
            made[how] = found[1]
    assert not here["helper"] and set(here["a helper that stops"]) >= lean
    assert made["a helper that stops"].sheets.keys() == made["one process"].sheets.keys()
    assert all(sheet.columns() == made["one process"].sheets[name].columns()
               for name, sheet in made["a helper that stops"].sheets.items())
    helped, single = made["helper"], made["one process"]
    assert set(helped.sheets) == set(single.sheets) >= lean
    # Savings' entry is made in this process either way
    assert helped.savings_entry is not None and helped.savings_entry == single.savings_entry
    for name, sheet in helped.sheets.items():
        other = single.sheets[name]
        columns, others = sheet.columns(), other.columns()
        assert (sheet.runs, columns) == (other.runs, others), name
        assert all(len(column) == sheet.count for column in columns), name
        block = master.copies.get(name)
        if name in lean:  # the copied rows' cells first, as they were read, then Q2's
            assert block is not None and 0 < block.count < sheet.count, name
            assert sheet.carried is block.read_columns(), name  # (by reference, not copied)
            assert [column[:block.count] for column in columns] == block.cells, name
            assert [run.quarter for run in sheet.runs] == [str(Q1), str(Q2)], name
    read = READ_CELLS[MasterSheet.MEASURES].index("Actual")
    copied = master.copies[MasterSheet.MEASURES].count
    assert helped.sheets[MasterSheet.MEASURES].columns()[read][copied:] == actuals


def test_on_windows_only_a_cache_folder_in_the_users_own_profile_is_trusted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows' os.stat says nothing of a folder's owner or who may write to it: a cache set
    # (WORKBOOK_TOOLS_CACHE) to a shared drive or C:\ProgramData could hold entries planted by
    # another user, so only folders inside the user's own profile count as private there
    profile = tmp_path / "Users" / "officer"
    own = profile / "AppData" / "Local" / "workbook-tools" / "masters"
    shared = tmp_path / "Shared" / "workbook-tools" / "masters"
    for place in (own, shared):
        place.mkdir(parents=True)
    monkeypatch.setenv("USERPROFILE", str(profile))
    assert cachefolder.inside_own_profile(own)
    assert not cachefolder.inside_own_profile(shared)
    # a link inside the profile to a folder outside it is the folder outside
    (profile / "link").symlink_to(shared, target_is_directory=True)
    assert not cachefolder.inside_own_profile(profile / "link")
    # and what the plan cache and the record ask, as on Windows (no os.getuid there)
    monkeypatch.delattr(os, "getuid")
    assert cachefolder.private(own)
    assert not cachefolder.private(shared)


def test_an_entry_kept_in_pieces_is_the_text_kept_whole(tmp_path: Path) -> None:
    # a record is written as its pieces (the sheets' text, then Savings' bytes), not joined
    # first: the file is the same, UTF-8, line ends as given on every system
    place = tmp_path / "cache"
    text = '{"a":"caf\u00e9 \u2013 r\u00e9sum\u00e9",\n"b":"two\\nlines"}\n'
    cachefolder.keep_entry(place / "whole.json", text, 8, 1 << 20)
    pieces = (memoryview(text[:10].encode()), text[10:20], text[20:].encode())
    cachefolder.keep_entry(place / "pieces.json", pieces, 8, 1 << 20)
    assert (place / "pieces.json").read_bytes() == (place / "whole.json").read_bytes() \
        == text.encode()
    found = json.loads((place / "pieces.json").read_bytes())
    assert found["a"] == "caf\u00e9 \u2013 r\u00e9sum\u00e9"
    # a piece that cannot be written leaves nothing behind: no entry, no temporary file
    with pytest.raises(TypeError):
        cachefolder.keep_entry(place / "broken.json", ("{", 5, "}"), 8, 1 << 20)  # type: ignore[arg-type]
    cachefolder.keep_entry(place / "surrogate.json", ("{", "\ud800", "}"), 8, 1 << 20)
    assert sorted(p.name for p in place.iterdir()) == ["pieces.json", "whole.json"]
