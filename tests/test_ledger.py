"""The ledger CSV: read line by line, refused with the line named, and put into the master."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import Q1, Q2
from master_support import Folder, finance_cells, make_folder

from workbook_tools.master import columns as mc
from workbook_tools.master.consolidate import read_master
from workbook_tools.master.ledger import LedgerError, read_ledger

KNOWN = {"S-CS-01", "S-CS-02", "S-PL-01"}


def csv_file(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "ledger.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_amounts_in_the_forms_people_write_them_add_up(tmp_path: Path) -> None:
    path = csv_file(tmp_path, (
        "\ufeffSaving ID,Quarter,Amount,Cost centre\n"
        'S-CS-01,2025-26-Q1,"£1,200.50",X1\n'
        "S-CS-01,Q1 2025/26,300,X2\n"
        "\n"
        'S-CS-02,2025/26 q1,"(1,000)",X3\n'
        "S-PL-01, 2025-26 Q2 , -25.25 ,X4\n"))

    ledger = read_ledger(path, KNOWN)

    assert ledger.amounts == {(str(Q1), "S-CS-01"): 1500.5, (str(Q1), "S-CS-02"): -1000.0,
                              (str(Q2), "S-PL-01"): -25.25}
    assert ledger.lines == 4 and ledger.quarters == {str(Q1), str(Q2)}
    assert len(ledger.sha256) == 64


def test_a_saving_id_in_another_case_is_the_registers(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Saving ID,Quarter,Amount\n s-pl-01 ,2025-26-Q1,10\n"
                              "S-Pl-01,2025-26-Q1,5\ns-cs-02,2025-26-Q2,1\n")
    assert read_ledger(path, KNOWN).amounts == {(str(Q1), "S-PL-01"): 15.0,
                                                (str(Q2), "S-CS-02"): 1.0}


def test_an_amount_that_rounds_to_nothing_is_zero_not_minus_zero(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Saving ID,Quarter,Amount\nS-CS-01,2025-26-Q1,-0.001\n")
    (amount,) = read_ledger(path, KNOWN).amounts.values()
    assert amount == 0 and math.copysign(1, amount) == 1  # (not shown as -£0)


def test_columns_in_any_order_and_case_and_windows_encoding(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "amount,saving id,QUARTER\r\n£75,S-CS-02,2025-26-Q1\r\n",
                    encoding="cp1252")
    assert read_ledger(path, KNOWN).amounts == {(str(Q1), "S-CS-02"): 75.0}


@pytest.mark.parametrize("text, expected", [
    ("", "ledger.csv: is empty; the ledger needs a header line"),
    ("Saving ID,Quarter,Value\nS-CS-01,2025-26-Q1,5\n",
     "ledger.csv, line 1: there is no 'Amount' column"),
    ("Saving ID,Quarter,Amount\nS-CS-01,2025-26-Q1,5\nS-XX-99,2025-26-Q1,5\n",
     "ledger.csv, line 3: 'S-XX-99' is not a Saving ID in the register or the master"),
    ("Saving ID,Quarter,Amount\nS-CS-01,2025-26-Q1,five pounds\n",
     "ledger.csv, line 2: 'five pounds' is not an amount of money"),
    ("Saving ID,Quarter,Amount\nS-CS-01,2025-26-Q1,\n",
     "ledger.csv, line 2: has no Amount"),
    ("Saving ID,Quarter,Amount\nS-CS-01,2025-26-Q1,1e999\n",  # infinity: Ledger (£) was blank
     "ledger.csv, line 2: '1e999' is not a finite amount within 1e15"),
    ("Saving ID,Quarter,Amount\nS-CS-01,2025-26-Q1,-2e15\n",
     "ledger.csv, line 2: '-2e15' is not a finite amount within 1e15"),
    ("Saving ID,Quarter,Amount\nS-CS-01,Q5 2025,5\n",
     "ledger.csv, line 2: 'Q5 2025' is not a quarter"),
    ("Saving ID,Quarter,Amount\n,2025-26-Q1,5\n", "ledger.csv, line 2: has no Saving ID"),
    ('Saving ID,Quarter,Amount\nS-CS-01,2025-26-Q1,"5\n\n"\nS-CS-01,bad,1\n',
     "ledger.csv, line 5: 'bad' is not a quarter"),  # a quoted line break: the real line
])
def test_a_malformed_ledger_names_its_line(tmp_path: Path, text: str, expected: str) -> None:
    path = csv_file(tmp_path, text)
    with pytest.raises(LedgerError) as raised:
        read_ledger(path, KNOWN)
    assert str(raised.value).startswith(str(tmp_path))
    assert expected in str(raised.value), str(raised.value)
    assert str(raised.value).endswith("Nothing was written.")


def test_a_workbook_given_as_the_ledger_is_refused(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "ledger.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(LedgerError, match="is a workbook, not a CSV file"):
        read_ledger(path, KNOWN)


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return make_folder(tmp_path / "ws", consolidated=True)


def test_ledger_fills_its_column_and_the_variances(folder: Folder, tmp_path: Path) -> None:
    one, two = folder.plan.savings[0], folder.plan.savings[1]
    finance_cells(folder.master, {(str(Q1), one.id): {"Finance confirmed (£)": 500000}})
    path = csv_file(tmp_path, f"Saving ID,Quarter,Amount\n{one.id},{Q1},\"£510,000\"\n"
                              f"{two.id},{Q1},1000\n{two.id},{Q1},234.5\n")

    result = folder.consolidate(Q1, ledger_csv=path)

    assert result.ledger is not None and result.ledger.lines == 3
    rows = {r["Saving ID"]: r for r in read_master(folder.master).rows("Savings")}
    first = rows[one.id]
    assert first[mc.LEDGER] == 510000
    assert first[mc.LEDGER_VARIANCE] == 510000 - first["Delivered to date (£)"]
    assert first[mc.LEDGER_VARIANCE_TO_FINANCE] == 10000
    assert rows[two.id][mc.LEDGER] == 1234.5
    assert rows[two.id][mc.LEDGER_VARIANCE_TO_FINANCE] is None  # finance has not confirmed
    assert all(r[mc.LEDGER] is None for k, r in rows.items() if k not in (one.id, two.id))
    log = read_master(folder.master).rows("Log")[-1]
    assert log["Ledger"].startswith("ledger.csv: 3 lines; SHA-256 ")

    # the variance cells are live formulas whose saved values agree
    import openpyxl

    sheet = openpyxl.load_workbook(folder.master)["Savings"]
    col = {c.value: c.column_letter for c in sheet[1]}
    row = next(c.row for c in sheet["C"] if c.value == one.id)
    assert sheet[f"{col[mc.LEDGER_VARIANCE_TO_FINANCE]}{row}"].value == (
        f'=IF(AND(ISNUMBER({col[mc.LEDGER]}{row}),ISNUMBER({col["Finance confirmed (£)"]}{row})),'
        f'{col[mc.LEDGER]}{row}-{col["Finance confirmed (£)"]}{row},"")')

    # a later run without a ledger keeps the figures; a new ledger for the quarter replaces them
    folder.consolidate(Q1)
    assert {r["Saving ID"]: r[mc.LEDGER] for r in read_master(folder.master).rows("Savings")
            if r[mc.LEDGER] is not None} == {one.id: 510000, two.id: 1234.5}
    folder.consolidate(Q1, ledger_csv=csv_file(
        tmp_path, f"Saving ID,Quarter,Amount\n{two.id},{Q1},99\n", name="ledger2.csv"))
    assert {r["Saving ID"]: r[mc.LEDGER] for r in read_master(folder.master).rows("Savings")
            if r[mc.LEDGER] is not None} == {two.id: 99}


def test_ledger_for_a_saving_without_a_row_is_kept_orphaned(folder: Folder,
                                                            tmp_path: Path) -> None:
    saving = folder.plan.savings[-1]
    (folder.returns(Q1) / f"{saving.directorate_code}_{Q1}.xlsx").unlink()
    path = csv_file(tmp_path, f"Saving ID,Quarter,Amount\n{saving.id},{Q1},42\n")

    folder.consolidate(Q1, ledger_csv=path)

    row = next(r for r in read_master(folder.master).rows("Savings")
               if r["Saving ID"] == saving.id)
    assert row[mc.LEDGER] == 42 and row[mc.ORPHANED] == "No return received in the latest run"
    assert row["Saving proposal"] == saving.name


def test_a_malformed_ledger_writes_nothing(folder: Folder, tmp_path: Path) -> None:
    before = folder.master.read_bytes()
    path = csv_file(tmp_path, "Saving ID,Quarter,Amount\nS-NOPE,2025-26-Q1,5\n")

    with pytest.raises(LedgerError, match="line 2: 'S-NOPE' is not a Saving ID"):
        folder.consolidate(Q1, ledger_csv=path)

    assert folder.master.read_bytes() == before
    assert not folder.backups.exists()
