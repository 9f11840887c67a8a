"""Quarters that stay closed (SPEC sections 5 and 8): close and reopen record in Periods; a closed
quarter's master is never changed; after a reopen, Corrections lists exactly the changed figures;
a master too tall for Excel is refused before anything is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import Q1, Q2
from master_support import Folder, make_folder
from support import set_cells

from workbook_tools.cli import cli
from workbook_tools.errors import ConfigurationError
from workbook_tools.master import safe
from workbook_tools.master.corrections import FIGURE_SHEETS, figure_columns, same
from workbook_tools.master.periods import close_quarter, reopen_quarter
from workbook_tools.master.read import read_master
from workbook_tools.returns.read import read_return

REASON = "Reported to Cabinet on 10 September 2025"


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Folder:
    """Q1 consolidated into the master, Q2's returns filled in and not yet consolidated."""
    folder = make_folder(tmp_path / "ws", (Q1, Q2))
    monkeypatch.chdir(folder.root)
    return folder


def edit_return(path: Path, sheet: str, item_id: str, values: dict[str, Any]) -> None:
    """Type into a return's row for an item, by column header, as a directorate would."""
    data = read_return(path).data
    assert data is not None
    row = next(r for r in data.rows[sheet] if r["id"] == item_id)["_row"]
    book = openpyxl.load_workbook(path)
    header_row = next(r for r in book[sheet].iter_rows(max_row=row - 1)
                      if any(c.value in values for c in r))
    letters = {c.value: c.column_letter for c in header_row if c.value}
    set_cells(path, {(sheet, f"{letters[h]}{row}"): v for h, v in values.items()})


def test_close_records_the_quarter_and_status_shows_it_closed(folder: Folder) -> None:
    result = run("close", "--quarter", str(Q1), "--reason", REASON)

    assert result.exit_code == 0, result.output
    assert f"{Q1} is closed by " in result.output and f"({REASON})" in result.output
    periods = read_master(folder.master).rows("Periods")
    assert [(r["Quarter"], r["Status"], r["Reason"]) for r in periods] == \
        [(str(Q1), "Closed", REASON)]
    assert isinstance(periods[0]["When"], dt.datetime)
    status = run("status", "--quarter", str(Q1))
    assert f"{Q1} in outputs/master.xlsx: closed by " in status.output.replace("\\", "/")
    assert "Traceback" not in status.output


def test_a_closed_quarter_is_refused_and_the_master_is_byte_identical(
        folder: Folder, tmp_path: Path) -> None:
    assert run("close", "-q", str(Q1), "--reason", REASON).exit_code == 0
    closed = folder.master.read_bytes()
    backups = sorted(folder.backups.iterdir())

    again = run("consolidate", "--quarter", str(Q1))

    assert again.exit_code == 2, again.output
    assert (f"{Q1} was closed by " in again.output and REASON in again.output
            and f"run 'workbook-tools reopen --quarter {Q1} --reason" in again.output
            and "Nothing was changed." in again.output)
    assert "Traceback" not in again.output
    ledger = tmp_path / "ledger.csv"
    saving = folder.plan.savings[0].id
    ledger.write_text(f"Saving ID,Quarter,Amount\n{saving},{Q1},1000\n{saving},{Q2},2000\n",
                      encoding="utf-8")
    with_ledger = run("consolidate", "--quarter", str(Q2), "--ledger", str(ledger))
    assert with_ledger.exit_code == 2, with_ledger.output
    assert f"{Q1} was closed by " in with_ledger.output and "ledger.csv" in with_ledger.output
    assert folder.master.read_bytes() == closed
    assert sorted(folder.backups.iterdir()) == backups
    assert run("consolidate", "--quarter", str(Q2)).exit_code == 0  # open quarters still go in
    assert [r["Quarter"] for r in read_master(folder.master).rows("Periods")] == [str(Q1)]


@pytest.mark.parametrize(("args", "says"), [
    (("close", "-q", str(Q2)), f"has no rows for {Q2} (quarters in it: {Q1})"),
    (("reopen", "-q", str(Q1), "--reason", "x"), f"{Q1} is not closed"),
    (("reopen", "-q", str(Q1), "--reason", " "), "Give the reason"),
    (("reopen", "-q", str(Q1)), "Missing option '--reason'"),
])
def test_closing_and_reopening_what_cannot_be_is_exit_2(
        folder: Folder, args: tuple[str, ...], says: str) -> None:
    before = folder.master.read_bytes()
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output
    assert folder.master.read_bytes() == before


def test_closing_twice_says_it_is_already_closed(folder: Folder) -> None:
    assert run("close", "-q", str(Q1)).exit_code == 0
    result = run("close", "-q", str(Q1))
    assert result.exit_code == 2 and f"{Q1} is already closed by " in result.output


def test_closing_without_a_master_says_to_consolidate_first(tmp_path: Path) -> None:
    master = tmp_path / "outputs" / "master.xlsx"
    for record in (lambda: close_quarter(master, Q1),
                   lambda: reopen_quarter(master, Q1, REASON)):
        with pytest.raises(ConfigurationError, match="there is no master yet; consolidate"):
            record()
    assert not master.parent.exists()


def expected_corrections(before: Any, after: Any) -> dict[tuple[str, str, str], tuple]:
    """Every figure of Q1 that differs between two masters, worked out cell by cell."""
    found = {}
    for sheet in FIGURE_SHEETS:
        id_header = {"Measures": "Measure ID", "Actions": "Action ID", "Savings": "Saving ID",
                     "Risks": "Risk ID"}[sheet]
        old = {r[id_header]: r for r in before.rows(sheet, Q1) if not r.get("Orphaned")}
        new = {r[id_header]: r for r in after.rows(sheet, Q1) if not r.get("Orphaned")}
        for item in old.keys() | new.keys():
            for column in figure_columns(sheet):
                was, now = old.get(item, {}).get(column), new.get(item, {}).get(column)
                if not same(was, now):
                    found[(sheet, item, column)] = (was, now)
    return found


def corrections(folder: Folder) -> dict[tuple[str, str, str], tuple]:
    rows = read_master(folder.master).rows("Corrections")
    return {(r["Sheet"], r["ID"], r["Column"]): (r["Was"], r["Now"]) for r in rows}


def test_after_reopen_corrections_list_exactly_the_changed_figures(folder: Folder) -> None:
    closed_master = read_master(folder.master)
    measure = next(m for m in folder.plan.measures if m.directorate_code == "CS")
    risk = next(r for r in folder.plan.risks if r.directorate_code == "CS")
    old_row = next(r for r in closed_master.rows("Measures", Q1) if r["Measure ID"] == measure.id)
    assert run("close", "-q", str(Q1), "--reason", REASON).exit_code == 0
    assert run("reopen", "-q", str(Q1), "--reason", "CS corrected its figures").exit_code == 0
    cs = folder.returns(Q1) / f"CS_{Q1}.xlsx"
    new_actual = float(old_row["Actual"]) + 7
    edit_return(cs, "Measures", measure.id, {"Actual": new_actual,
                                             "Commentary": "Corrected after audit"})
    edit_return(cs, "Risks", risk.id, {"Mitigation update": "Reviewed again"})

    result = run("consolidate", "-q", str(Q1))

    assert result.exit_code == 0, result.output
    found = corrections(folder)
    expected = expected_corrections(closed_master, read_master(folder.master))
    assert found == {k: (v[0], v[1]) for k, v in expected.items()}
    assert found[("Measures", measure.id, "Actual")] == (old_row["Actual"], new_actual)
    assert found[("Measures", measure.id, "Commentary")][1] == "Corrected after audit"
    assert ("Risks", risk.id, "Mitigation update") in found
    assert {k[0] for k in found} == {"Measures", "Risks"}  # nothing else changed
    assert f"{len(found)} figures now differ from the closed ones" in result.output
    rows = read_master(folder.master).rows("Corrections")
    assert {(r["Quarter"], r["Reason"]) for r in rows} == {(str(Q1), "CS corrected its figures")}
    assert all(isinstance(r["When"], dt.datetime) for r in rows)

    # put the commentary back: under the same reopen, it is no longer a correction
    edit_return(cs, "Measures", measure.id, {"Commentary": old_row["Commentary"]})
    assert run("consolidate", "-q", str(Q1)).exit_code == 0
    again = corrections(folder)
    assert ("Measures", measure.id, "Commentary") not in again
    assert again[("Measures", measure.id, "Actual")] == (old_row["Actual"], new_actual)
    assert len(read_master(folder.master).rows("Corrections")) == len(again)

    # closed and reopened again with nothing changed: earlier corrections stay, none are added
    assert run("close", "-q", str(Q1), "--reason", "Corrected figures to Cabinet").exit_code == 0
    assert run("reopen", "-q", str(Q1), "--reason", "Checking").exit_code == 0
    third = run("consolidate", "-q", str(Q1))
    assert "0 figures now differ" in third.output
    assert corrections(folder) == again
    periods = read_master(folder.master).rows("Periods")
    assert [r["Status"] for r in periods] == ["Closed", "Reopened", "Closed", "Reopened"]


def test_a_master_too_tall_for_excel_is_refused_before_anything_is_written(
        folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    before = folder.master.read_bytes()
    backups = sorted(folder.backups.glob("*"))
    rows = len(read_master(folder.master).rows("Measures")) + 1
    monkeypatch.setattr(safe, "EXCEL_MAX_ROWS", rows + 10)  # Q2 would take Measures past it

    result = run("consolidate", "-q", str(Q2))

    assert result.exit_code == 2, result.output
    assert "its Measures sheet would have " in result.output
    assert "keep a master per year from here on, for example with --master" in result.output
    assert "Nothing was changed." in result.output and "Traceback" not in result.output
    assert folder.master.read_bytes() == before
    assert sorted(folder.backups.glob("*")) == backups
    assert not list(folder.master.parent.glob("master.xlsx.tmp-*"))


def test_the_next_summary_lists_the_corrections_to_earlier_quarters(folder: Folder) -> None:
    measure = next(m for m in folder.plan.measures if m.directorate_code == "CS")
    was = next(r for r in read_master(folder.master).rows("Measures", Q1)
               if r["Measure ID"] == measure.id)["Actual"]
    assert run("close", "-q", str(Q1), "--reason", REASON).exit_code == 0
    assert run("reopen", "-q", str(Q1), "--reason", "Audit found a typing error").exit_code == 0
    edit_return(folder.returns(Q1) / f"CS_{Q1}.xlsx", "Measures", measure.id,
                {"Actual": was + 3})
    assert run("consolidate", "-q", str(Q1)).exit_code == 0
    assert run("consolidate", "-q", str(Q2)).exit_code == 0

    result = run("summarise", "-q", str(Q2))

    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(folder.root / "outputs" / f"summary-{Q2}.xlsx")["What changed"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    start = next(i for i, r in enumerate(rows)
                 if str(r[0]).startswith("Corrections to earlier quarters"))
    header = rows[start + 1]
    listed = [dict(zip(header, r, strict=False)) for r in rows[start + 2:] if r[0] == str(Q1)]
    expected = corrections(folder)
    assert rows[start][0] == f"Corrections to earlier quarters ({len(expected)})"
    assert {(r["Sheet"], r["ID"], r["Column"]): (r["Was"], r["Now"]) for r in listed} == expected
    assert ("Measures", measure.id, "Actual") in expected
    assert {r["Reason"] for r in listed} == {"Audit found a typing error"}
    pack = (folder.root / "outputs" / f"summary-{Q2}.html").read_text(encoding="utf-8")
    quality = pack[pack.index("Corrections: figures of"):]
    assert measure.id in quality and "Audit found a typing error" in quality


def test_corrections_stay_with_their_reopen_when_everything_happens_in_one_second(
        folder: Folder) -> None:
    from workbook_tools.master.periods import close_quarter, reopen_quarter

    at = dt.datetime(2025, 9, 10, 14, 0)
    measure = next(m for m in folder.plan.measures if m.directorate_code == "CS")
    was = next(r for r in read_master(folder.master).rows("Measures", Q1)
               if r["Measure ID"] == measure.id)["Actual"]
    close_quarter(folder.master, Q1, REASON, now=at, user="tester")
    reopen_quarter(folder.master, Q1, "First correction", now=at, user="tester")
    edit_return(folder.returns(Q1) / f"CS_{Q1}.xlsx", "Measures", measure.id, {"Actual": was + 1})
    assert folder.consolidate(Q1, at=at).corrections == 1
    close_quarter(folder.master, Q1, "Corrected", now=at, user="tester")
    reopen_quarter(folder.master, Q1, "Second look", now=at, user="tester")

    assert folder.consolidate(Q1, at=at).corrections == 0

    master = read_master(folder.master)
    rows = master.rows("Corrections")
    assert [(r["ID"], r["Column"], r["Was"], r["Now"], r["Reason"]) for r in rows] == \
        [(measure.id, "Actual", was, was + 1, "First correction")]
    times = [r["When"] for r in master.rows("Periods")]
    assert times == sorted(set(times))  # each change in its own second, in order
