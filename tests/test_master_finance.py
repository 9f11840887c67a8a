"""Finance's columns on the master's Savings sheet: typed by finance, never lost."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import Q1, Q2
from master_support import Folder, finance_cells, make_folder
from support import set_cells

from workbook_tools.errors import MasterError
from workbook_tools.master import columns as mc
from workbook_tools.master.consolidate import (
    NOT_ACCEPTED,
    NOT_IN_REGISTER,
    NOT_RECEIVED_REASON,
    read_master,
)
from workbook_tools.returns.read import read_return


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return make_folder(tmp_path / "ws", consolidated=True)


def savings(folder: Folder) -> dict[tuple[str, str], dict]:
    return {(r["Quarter"], r["Saving ID"]): r for r in read_master(folder.master).rows("Savings")}


def test_finance_entries_survive_reruns_rejection_and_removal(folder: Folder) -> None:
    plan = folder.plan
    first, second = plan.savings[0], plan.savings[1]
    other = next(s for s in plan.savings if s.directorate_code != first.directorate_code)
    q = str(Q1)
    typed = {
        (q, first.id): {"Finance confirmed (£)": 480000, "Finance adjustment (£)": -2500.5,
                        "Finance status": "Confirmed", "Finance note": "Agreed with the AD"},
        (q, second.id): {"Finance confirmed (£)": "1200",  # typed as text: kept as text
                         "Finance note": "Query raised 3/8"},
        (q, other.id): {"Finance status": "Query", "Finance adjustment (£)": 0},
    }
    finance_cells(folder.master, typed)

    def check(rows: dict, orphaned: str | None = None) -> None:
        for key, values in typed.items():
            row = rows[key]
            for header, value in values.items():
                assert row[header] == value and type(row[header]) is type(
                    value if not isinstance(value, int) else 1.0), (key, header)
            expected = orphaned if key[1] in (first.id, second.id) else None
            assert row[mc.ORPHANED] == expected, key

    folder.consolidate(Q1)  # a re-run keeps them
    check(savings(folder))

    # the directorate's return is rejected: its entries stay, in rows marked orphaned
    path = folder.returns(Q1) / f"{first.directorate_code}_{Q1}.xlsx"
    good = path.read_bytes()
    data = read_return(path).data
    assert data is not None
    set_cells(path, {("Savings", f"H{data.rows['Savings'][0]['_row']}"): "a lot"})
    result = folder.consolidate(Q1)
    assert result.exit_code == 1
    rows = savings(folder)
    check(rows, NOT_ACCEPTED)
    orphan = rows[(q, first.id)]
    assert orphan["Forecast (£)"] is None and orphan["Delivered to date (£)"] is None
    assert orphan["Saving proposal"] == first.name and orphan["Directorate"] == \
        first.directorate_code
    assert result.orphaned == 2
    assert sum(1 for r in rows.values() if r["Directorate"] == first.directorate_code) == 2

    # the return is fixed: the entries go back to their rows
    path.write_bytes(good)
    folder.consolidate(Q1)
    rows = savings(folder)
    check(rows)
    assert rows[(q, first.id)]["Forecast (£)"] is not None

    # a saving removed from the register: its row goes, its entry stays
    smaller = dataclasses.replace(plan, savings=tuple(s for s in plan.savings
                                                      if s.id != second.id))
    folder.consolidate(Q1, plan=smaller)
    rows = savings(folder)
    assert rows[(q, second.id)][mc.ORPHANED] == NOT_IN_REGISTER
    assert rows[(q, second.id)]["Finance confirmed (£)"] == "1200"
    assert rows[(q, first.id)][mc.ORPHANED] is None
    # and when it is back in the register, the entry re-attaches
    folder.consolidate(Q1)
    check(savings(folder))


def test_an_entry_for_a_return_that_has_not_come_back_is_orphaned(folder: Folder) -> None:
    saving = folder.plan.savings[-1]
    finance_cells(folder.master, {(str(Q1), saving.id): {"Finance note": "Chased"}})
    (folder.returns(Q1) / f"{saving.directorate_code}_{Q1}.xlsx").unlink()

    folder.consolidate(Q1)

    row = savings(folder)[(str(Q1), saving.id)]
    assert row[mc.ORPHANED] == NOT_RECEIVED_REASON and row["Finance note"] == "Chased"


def test_other_quarters_finance_is_untouched_and_dates_keep_their_type(folder: Folder) -> None:
    saving = folder.plan.savings[2]
    finance_cells(folder.master, {(str(Q1), saving.id): {
        "Finance status": "Confirmed", "Finance note": dt.datetime(2025, 8, 4)}})
    folder.fill(Q2)
    folder.consolidate(Q2)
    finance_cells(folder.master, {(str(Q2), saving.id): {"Finance confirmed (£)": 99.5}})

    folder.consolidate(Q2)

    rows = savings(folder)
    # a date stays a date (a date and time at midnight reads back as the date)
    assert rows[(str(Q1), saving.id)]["Finance note"] == dt.date(2025, 8, 4)
    assert rows[(str(Q1), saving.id)]["Finance status"] == "Confirmed"
    assert rows[(str(Q2), saving.id)]["Finance confirmed (£)"] == 99.5
    assert rows[(str(Q2), saving.id)]["Finance status"] is None


def test_a_column_finance_added_is_kept(folder: Folder) -> None:
    workbook = openpyxl.load_workbook(folder.master)
    sheet = workbook["Savings"]
    extra = sheet.max_column + 1
    sheet.cell(1, extra).value = "Budget code"
    sheet.cell(2, extra).value = "R1234"
    key = (sheet.cell(2, 1).value, sheet.cell(2, 3).value)
    workbook.save(folder.master)

    folder.consolidate(Q1)

    master = read_master(folder.master)
    assert master.headers["Savings"][-1] == "Budget code"
    assert savings(folder)[key]["Budget code"] == "R1234"
    header = openpyxl.load_workbook(folder.master)["Savings"].cell(1, extra)
    assert header.value == "Budget code" and "Finance's own column" in header.comment.text


@pytest.mark.parametrize("problem, expected", [
    ("formula", "holds a formula (=2*3) whose value was never saved"),
    ("duplicate", "both hold finance figures"),
    ("no id", "has finance figures but no Saving ID"),
])
def test_finance_that_could_not_be_kept_stops_the_run(folder: Folder, problem: str,
                                                      expected: str) -> None:
    workbook = openpyxl.load_workbook(folder.master)
    sheet = workbook["Savings"]
    confirmed = mc.SAVINGS.index("Finance confirmed (£)") + 1
    if problem == "formula":
        sheet.cell(3, confirmed).value = "=2*3"
    elif problem == "duplicate":
        sheet.cell(3, 3).value = sheet.cell(2, 3).value
        sheet.cell(2, confirmed).value = 1
        sheet.cell(3, confirmed).value = 2
    else:
        sheet.cell(3, 3).value = None
        sheet.cell(3, confirmed).value = 5
    workbook.save(folder.master)
    before = folder.master.read_bytes()

    with pytest.raises(MasterError) as raised:
        folder.consolidate(Q1)

    assert expected in str(raised.value) and "Nothing was changed" in str(raised.value)
    assert str(folder.master) in str(raised.value)
    assert folder.master.read_bytes() == before
    assert not folder.backups.exists()
