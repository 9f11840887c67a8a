"""validate reads the register's items a directorate at a time once the cache holds them so
(plan/bydirectorate.py): every finding is the same as with the whole register, another
directorate's item and one the register does not hold included, and an entry that is not as it
was kept gives the whole register, never fewer checks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import Q1
from untrusted_support import cs_return, forge, hostile_folder
from untrusted_support import run as run_cli

from workbook_tools.plan.bydirectorate import PlanByDirectorate
from workbook_tools.plan.register import BY_DIRECTORATE, load_plan
from workbook_tools.returns.layout import HEADER_ROW, MEASURES

FIRST = HEADER_ROW + 1


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: Any) -> Any:
    monkeypatch.chdir(tmp_path)
    return hostile_folder(tmp_path / "ws")


def entries(cache: Path, kind: str) -> list[Path]:
    return sorted((cache / "plans").glob(f"*-{kind}.json"))


def share(plan: Any, code: str) -> tuple[Any, ...]:
    found = plan.for_directorate(code)
    return found.directorate, found.measures, found.actions, found.savings, found.risks


def findings(*args: str) -> list[tuple[str, str, str, str, str, str]]:
    result = run_cli("validate", "-q", str(Q1), "--json", *args)
    assert result.exit_code in (0, 1), result.output
    found = json.loads(result.output)
    return sorted((r["directorate"], r["status"], f["severity"],
                   f"{f['sheet']}!{f['cell']}" if f["cell"] else f["sheet"], f["code"],
                   f["message"]) for r in found["returns"] for f in r["findings"])


def test_each_return_is_checked_against_its_directorates_items_as_against_the_whole_register(
        folder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(cache))
    theirs = next(s for s in folder.plan.savings if s.directorate_code == "PL")
    bad = forge(cs_return(folder), "Savings", FIRST, {"id": theirs.id, "name": theirs.name,
                                                       "target": theirs.target})
    forge(bad, "Risks", FIRST, {"id": "R-CS-99"})
    forge(bad, "Measures", FIRST + 1, {"target": 0.5})

    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", "off")
    whole = findings()
    status = run_cli("status", "-q", str(Q1)).output
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(cache))
    first = findings()  # the plan read whole, then kept a directorate at a time
    assert entries(cache, "directorates")
    plan = load_plan(folder.root / "templates" / "plan.xlsx", BY_DIRECTORATE)
    assert isinstance(plan, PlanByDirectorate) and not plan.measures
    again = findings()

    assert again == first == whole
    assert run_cli("status", "-q", str(Q1)).output == status
    rejected = re.search(r"^CS .*Rejected \((\d+) errors\)", status, re.MULTILINE)
    assert rejected and int(rejected.group(1)) == len(
        [1 for who, _, severity, *_ in whole if who == "CS" and severity == "Error"])
    codes = {(where, code) for who, _, _, where, code, _ in whole if who == "CS"}
    assert {(f"Savings!A{FIRST}", "item-not-ours"), ("Savings", "item-missing"),
            (f"Risks!A{FIRST}", "item-not-in-register"),
            (f"Measures!{MEASURES.cell('target', FIRST + 1)}", "prefilled-changed")} <= codes
    assert {who for who, state, *_ in whole if state != "Accepted"} == {"CS"}


def test_an_entry_not_as_it_was_kept_gives_the_whole_register(
        folder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(tmp_path / "cache"))
    path = folder.root / "templates" / "plan.xlsx"
    whole = load_plan(path)
    load_plan(path, BY_DIRECTORATE)  # keeps the entry
    [entry] = entries(tmp_path / "cache", "directorates")
    kept = entry.read_bytes()
    header, _, parts = kept.partition(b"\n")
    data = json.loads(header)
    code = next(iter(data["places"]))
    begin, end = data["places"][code]

    lazy = load_plan(path, BY_DIRECTORATE)
    assert isinstance(lazy, PlanByDirectorate)
    for directorate in whole.directorates:
        assert share(lazy, directorate.code) == share(whole, directorate.code)

    # a directorate's part holding another's item: that directorate's items from the whole
    other = next(d.code for d in whole.directorates if d.code != code)
    part = parts[begin:end].replace(f'"{code}"'.encode(), f'"{other}"'.encode())
    entry.write_bytes(header + b"\n" + parts[:begin] + part + parts[end:])
    lazy = load_plan(path, BY_DIRECTORATE)
    assert isinstance(lazy, PlanByDirectorate)
    assert share(lazy, code) == share(whole, code)

    # a header not of its shape: the whole plan, loaded as usual
    for broken in (b"{}", header.replace(b'"places":{', b'"places":{"X":[5,1],'),
                   header[: len(header) // 2], b"[]"):
        entry.write_bytes(broken + b"\n" + parts)
        again = load_plan(path, BY_DIRECTORATE)
        assert not isinstance(again, PlanByDirectorate)
        assert again == whole
        entry.write_bytes(kept)


def test_without_a_cache_the_register_is_loaded_whole(
        folder: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", "off")
    plan = load_plan(folder.root / "templates" / "plan.xlsx", BY_DIRECTORATE)
    assert not isinstance(plan, PlanByDirectorate) and plan.measures


def test_a_directorates_part_that_does_not_read_back_gives_the_whole_registers_share(
        folder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(tmp_path / "cache"))
    path = folder.root / "templates" / "plan.xlsx"
    whole = load_plan(path)
    load_plan(path, BY_DIRECTORATE)
    [entry] = entries(tmp_path / "cache", "directorates")
    header, _, parts = entry.read_bytes().partition(b"\n")
    data = json.loads(header)
    begin, end = data["places"]["CS"]
    due = next(d for d in json.loads(parts[begin:end])["actions"]["due_date"]["values"] if d)
    # not a date, in as many bytes (the other parts stay where the header says)
    text = parts[begin:end].replace(f'"{due}"'.encode(), b'"2025-13-45"')
    assert text != parts[begin:end] and len(text) == end - begin
    entry.write_bytes(header + b"\n" + parts[:begin] + text + parts[end:])

    lazy = load_plan(path, BY_DIRECTORATE)
    assert isinstance(lazy, PlanByDirectorate)
    assert share(lazy, "CS") == share(whole, "CS")

    # places past the file's end: the whole plan, loaded as usual (nothing read from there)
    data["places"]["CS"] = [0, 2**62]
    entry.write_bytes(json.dumps(data).encode() + b"\n" + parts)
    again = load_plan(path, BY_DIRECTORATE)
    assert not isinstance(again, PlanByDirectorate) and again == whole


def test_without_the_plans_own_entry_an_id_is_looked_up_in_every_directorates_part(
        folder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan's own entry pruned while validate runs, and the register saved since it was
    hashed: another directorate's item is still found as that directorate's, from the entry
    read a directorate at a time, not from the register as it is now."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(cache))
    theirs = next(s for s in folder.plan.savings if s.directorate_code == "PL")
    forge(cs_return(folder), "Savings", FIRST, {"id": theirs.id, "name": theirs.name,
                                                 "target": theirs.target})
    path = folder.root / "templates" / "plan.xlsx"
    lazy = load_plan(path, BY_DIRECTORATE)
    lazy = load_plan(path, BY_DIRECTORATE)
    assert isinstance(lazy, PlanByDirectorate)
    for kept in entries(cache, "items"):
        kept.unlink()
    path.write_bytes(b"not a workbook any more")

    from workbook_tools.returns.validate import validate_paths

    run = validate_paths([cs_return(folder)], Q1, lazy, workers=1)
    [result] = run.results
    assert (f"Savings!A{FIRST}", "item-not-ours") in {(f.where, f.code) for f in result.findings}
    assert lazy.whole().savings and {s.id for s in lazy.whole().savings} == {
        s.id for s in folder.plan.savings}


def test_a_register_without_items_is_not_kept_a_directorate_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools.plan.examples import example_rows, write_register
    from workbook_tools.plan.register import ITEM_SHEETS
    from workbook_tools.returns.locked import has_items

    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(tmp_path / "cache"))
    sheets = example_rows("derbyshire")
    for sheet in ITEM_SHEETS:
        sheets[sheet] = sheets[sheet][:1]
    path = tmp_path / "plan.xlsx"
    write_register(sheets, path)
    for _ in range(2):
        plan = load_plan(path, BY_DIRECTORATE)
        assert not isinstance(plan, PlanByDirectorate) and not has_items(plan)
    assert not entries(tmp_path / "cache", "directorates")


def _cached_by_directorate(folder: Any, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(cache))
    path = folder.root / "templates" / "plan.xlsx"
    load_plan(path, BY_DIRECTORATE)  # (keeps the entry)
    assert isinstance(load_plan(path, BY_DIRECTORATE), PlanByDirectorate)


def cleared(cache: Path) -> None:
    """The cache's entries of the register gone, as another command's pruning leaves it."""
    for entry in (*entries(cache, "items"), *entries(cache, "directorates")):
        entry.unlink()


def master_cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows as values, in order, but the Log's times (each run writes its own)."""
    from workbook_tools.master.read import read_master

    master = read_master(path)
    return {name: [tuple(str(v) for k, v in row.items() if k not in ("When", "Received"))
                   for row in master.rows(name)] for name in master.sheets}


@pytest.mark.parametrize("into", ["a new master, with a ledger", "the master it holds",
                                  "a new master"])
def test_consolidate_with_the_register_a_directorate_at_a_time_writes_the_same_master(
        folder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, into: str) -> None:
    """consolidate's command checks the returns against each directorate's items (as validate)
    and reads the whole register for the merge itself, or, into a new master with no ledger,
    makes each return's rows from its directorate's items and keeps them on disk until they
    are written (files/spool.py): the master is the same, cell for cell and row for row, as
    with the register read whole, finance's entries and the ledger's figures included."""
    import workbook_tools.master.consolidate as consolidate

    streamed: list[bool] = []
    merge = consolidate._merge
    monkeypatch.setattr(consolidate, "_merge", lambda *a: streamed.append(a[5] is not None)
                        or merge(*a))
    cache = tmp_path / "cache"
    saving = next(s for s in folder.plan.savings if s.directorate_code == "CS")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(f"Saving ID,Quarter,Amount\n{saving.id},{Q1},1234.5\n", encoding="utf-8")
    master = folder.master
    kept = master.read_bytes()
    args = ["consolidate", "-q", str(Q1)]
    if into.startswith("a new"):
        args += ["--master", str(tmp_path / "new" / "master.xlsx")]
        master = tmp_path / "new" / "master.xlsx"
    if into.endswith("ledger"):
        args += ["--ledger", str(ledger)]

    def consolidated(cached: str) -> dict[str, list[tuple[Any, ...]]]:
        monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", cached)
        folder.master.write_bytes(kept)
        if master != folder.master and master.exists():
            master.unlink()
        result = run_cli(*args)
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
        return master_cells(master)

    whole = consolidated("off")
    consolidated(str(cache))  # (the first run reads the register whole, and keeps it so)
    assert entries(cache, "directorates")
    assert isinstance(load_plan(folder.root / "templates" / "plan.xlsx", BY_DIRECTORATE),
                      PlanByDirectorate)
    streamed.clear()
    again = consolidated(str(cache))
    assert again == whole
    assert streamed == [into == "a new master"]
    measures = [row for row in again["Measures"] if row[0] == str(Q1)]
    assert len(measures) == len(folder.plan.measures)
    if into.endswith("ledger"):
        assert any(saving.id in row and "1234.5" in row for row in again["Savings"])


def test_the_whole_register_read_for_a_caller_to_let_go_is_not_kept_with_the_plan(
        folder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _cached_by_directorate(folder, tmp_path / "cache", monkeypatch)
    plan = load_plan(folder.root / "templates" / "plan.xlsx", BY_DIRECTORATE)
    assert isinstance(plan, PlanByDirectorate)
    first = plan.whole(keep=False)
    assert first.measures == folder.plan.measures and first.savings == folder.plan.savings
    assert plan.whole(keep=False) is not first  # read again: not held by the plan
    assert plan.whole() is plan.whole()  # (kept when asked to)


def test_a_register_cache_cleared_during_consolidate_stops_it_and_the_master_is_kept(
        folder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache's entries of the register gone once consolidate has read the whole register
    but before the returns are checked (another command pruned the cache, someone cleared it):
    one line saying so, exit 2 and the master as it was, never the quarter's returns judged
    unreadable and the quarter's rows replaced by none."""
    import workbook_tools.master.consolidate as consolidate

    cache = tmp_path / "cache"
    _cached_by_directorate(folder, cache, monkeypatch)
    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "1")  # (the returns checked after the read)
    read_whole = consolidate._whole

    def then_cleared(plan: Any) -> Any:
        whole = read_whole(plan)
        cleared(cache)
        return whole

    monkeypatch.setattr(consolidate, "_whole", then_cleared)
    kept = folder.master.read_bytes()
    result = run_cli("consolidate", "-q", str(Q1))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "changed while it was in use; nothing was written" in result.output
    assert "Not a return" not in result.output
    assert folder.master.read_bytes() == kept


def test_a_register_cache_cleared_before_validates_workers_read_it_stops_the_run(
        folder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same in a worker process: the error comes back from it and stops the run, with no
    report written, rather than each return it checks called unreadable."""
    import workbook_tools.returns.validate as command  # (the command imports it when run)

    cache = tmp_path / "cache"
    _cached_by_directorate(folder, cache, monkeypatch)
    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "2")
    listed = command.expand_paths

    def then_cleared(paths: Any) -> Any:  # (after the command has loaded the plan)
        cleared(cache)
        return listed(paths)

    monkeypatch.setattr(command, "expand_paths", then_cleared)
    reports = sorted((folder.root / "outputs").glob("validation-*.xlsx"))
    result = run_cli("validate", "-q", str(Q1))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Not a return" not in result.output
    assert "changed while it was in use; nothing was written" in result.output
    assert sorted((folder.root / "outputs").glob("validation-*.xlsx")) == reports


def test_consolidate_lets_go_of_the_whole_register_before_writing(
        folder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every whole register read for a consolidate, the merge's and the one a check keeps for
    an ID that is not its return's directorate's, is let go before the master is written."""
    import gc
    import weakref

    import workbook_tools.master.consolidate as consolidate
    from workbook_tools.plan.bydirectorate import Directorates

    _cached_by_directorate(folder, tmp_path / "cache", monkeypatch)
    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "1")  # (the checks in this process)
    theirs = next(s for s in folder.plan.savings if s.directorate_code == "PL")
    forge(cs_return(folder), "Savings", FIRST, {"id": theirs.id, "name": theirs.name,
                                                 "target": theirs.target})
    read: list[Any] = []
    read_whole = Directorates.whole

    def noted(self: Any, head: Any, keep: bool = True) -> Any:
        found = read_whole(self, head, keep)
        read.append(weakref.ref(found))
        return found

    held: list[bool] = []
    write = consolidate.write_safely

    def writing(*args: Any, **kwargs: Any) -> Any:
        gc.collect()
        held.extend(ref() is not None for ref in read)
        return write(*args, **kwargs)

    monkeypatch.setattr(Directorates, "whole", noted)
    monkeypatch.setattr(consolidate, "write_safely", writing)
    result = run_cli("consolidate", "-q", str(Q1))
    assert result.exit_code == 1, result.output  # (CS's return is rejected: another's saving)
    assert "CS_" in result.output and "Rejected" in result.output
    assert len(read) == 2 and held == [False, False]
