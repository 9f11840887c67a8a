"""consolidate: real returns into the master, quarter after quarter, run after run."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import Q1, Q2
from master_support import (
    RUN_AT,
    Folder,
    make_folder,
    rows_by_id,
    sheet_parts,
    without_row_numbers,
)
from support import set_cells

from workbook_tools.master import columns as mc
from workbook_tools.master.consolidate import read_master
from workbook_tools.returns import layout
from workbook_tools.returns.findings import ACCEPTED, NOT_RECEIVED, REJECTED, SUPERSEDED
from workbook_tools.returns.read import read_return
from workbook_tools.summary.quarter import summarise_quarter


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return make_folder(tmp_path / "ws")


def test_one_quarter_gives_every_sheet_with_the_register_columns(folder: Folder) -> None:
    result = folder.consolidate(Q1)

    assert result.exit_code == 0
    assert result.backup is None  # there was no master before
    master = read_master(folder.master)
    assert master.quarters() == [str(Q1)]
    plan = folder.plan
    assert result.counts["Measures"] == len(plan.measures)
    assert result.counts["Savings"] == len(plan.savings)
    assert len(master.rows("Actions", Q1)) == len(plan.actions)
    assert len(master.rows("Risks", Q1)) == len(plan.risks)
    # the register's order: directorates, then items
    assert [r["Measure ID"] for r in master.rows("Measures")] == [
        m.id for d in plan.directorates for m in plan.measures if m.directorate_code == d.code]
    measure = plan.measures[0]
    row = next(r for r in master.rows("Measures") if r["Measure ID"] == measure.id)
    returned = read_return(folder.returns(Q1) / f"{measure.directorate_code}_{Q1}.xlsx").data
    assert returned is not None
    typed = next(r for r in returned.rows["Measures"] if r["id"] == measure.id)
    theme = plan.theme_of(measure.objective_code)
    assert theme is not None
    assert row["Directorate"] == measure.directorate_code
    assert row["Theme"] == theme.name
    assert row["Objective code"] == measure.objective_code
    assert row["Measure"] == measure.name
    assert row["Actual"] == typed["actual"]
    assert row["RAG"] == typed["rag"] and row["RAG"] in ("Green", "Amber", "Red")
    assert row["Direction of travel"] == "New"
    risk = master.rows("Risks")[0]
    assert risk["Score"] == risk["Likelihood"] * risk["Impact"]
    assert risk["Owner"] and risk["Risk"]
    saving = master.rows("Savings")[0]
    assert saving["Forecast variance (£)"] == saving["Forecast (£)"] - saving["Target (£)"]
    assert all(saving[h] is None for h in (*mc.FINANCE_COLUMNS, mc.ORPHANED))
    statuses = {r["Directorate"]: r["Status"] for r in master.rows("Submissions")}
    assert statuses == {d.code: ACCEPTED for d in plan.directorates}
    submission = master.rows("Submissions")[0]
    assert len(submission["SHA-256"]) == 64 and submission["Completed by"]
    assert submission["Completed by"] != submission["Approved by"]
    log = master.rows("Log")
    assert len(log) == 1
    assert log[0]["When"] == RUN_AT and log[0]["Who"] == "tester"
    assert log[0]["Quarter"] == str(Q1) and log[0]["Accepted"] == len(plan.directorates)
    assert submission["SHA-256"] in log[0]["Files"]


def test_two_quarters_and_a_rerun_keep_history_and_give_the_same_master(folder: Folder) -> None:
    folder.consolidate(Q1)
    q1_before = read_master(folder.master)
    folder.fill(Q2)
    folder.consolidate(Q2)
    first = read_master(folder.master)
    parts = sheet_parts(folder.master)

    result = folder.consolidate(Q2, at=RUN_AT.replace(hour=11))

    again = read_master(folder.master)
    assert again.quarters() == [str(Q1), str(Q2)]
    for sheet in ("Measures", "Actions", "Savings", "Risks", "Submissions", "Validation"):
        # Q1 is untouched by consolidating Q2, and a re-run changes nothing but the Log
        assert without_row_numbers(again.rows(sheet, Q1)) == \
            without_row_numbers(q1_before.rows(sheet, Q1)), sheet
        assert without_row_numbers(again.rows(sheet)) == without_row_numbers(first.rows(sheet))
    assert sheet_parts(folder.master) == parts
    assert [r["Quarter"] for r in again.rows("Log")] == [str(Q1), str(Q2), str(Q2)]
    assert result.backup is not None and result.backup.parent == folder.backups
    assert result.backup.name == "master-20250720-113000.xlsx"
    assert len(list(folder.backups.iterdir())) == 2
    # Q2's previous actual and direction of travel come from Q1's consolidated actuals; a
    # Cumulative measure's from the same quarter last year, which a first year does not have
    q1 = rows_by_id(again.rows("Measures", Q1), "Measure ID")
    for row in again.rows("Measures", Q2):
        previous = q1[(str(Q1), row["Measure ID"])]["Actual"]
        if row["Measure type"] == "Cumulative":
            assert row["Previous actual"] is None
            if row["Actual"] is not None:
                assert row["Direction of travel"] == "Not comparable"
            continue
        assert row["Previous actual"] == previous
        if row["Actual"] is not None and previous is not None:
            assert row["Direction of travel"] in ("Improved", "Declined", "No change")
        if row["Actual"] is not None:
            assert row["Compared with a year ago"] == "Not comparable"


def test_generate_takes_previous_actual_from_the_master(folder: Folder) -> None:
    folder.consolidate(Q1)
    actuals = {r["Measure ID"]: r["Actual"] for r in read_master(folder.master).rows("Measures")}
    delivered = {r["Saving ID"]: r["Delivered to date (£)"]
                 for r in read_master(folder.master).rows("Savings")}

    blanks = folder.fill(Q2)

    shown = {}
    for path in blanks.values():
        data = read_return(path).data
        assert data is not None
        shown.update({r["id"]: r["previous"] for r in data.rows["Measures"]})
        for row in data.rows["Savings"]:
            assert row["previous"] == delivered[row["id"]]
    # a Cumulative measure shows the same quarter last year, which the master does not have yet
    cumulative = {m.id for m in folder.plan.measures if m.measure_type == "Cumulative"}
    assert shown == {k: None if k in cumulative else v for k, v in actuals.items()}
    assert sum(v is not None for v in shown.values()) > 20


def test_last_quarters_figures_come_from_a_master_larger_than_a_return_may_be(
        folder: Folder) -> None:
    """A national collection's master is far larger than one return: previous figures are read
    with the master's own limits, not a return's (32 MB)."""
    import os
    import zipfile

    from workbook_tools.files.package import DEFAULT_LIMITS
    from workbook_tools.master.history import previous_context

    folder.consolidate(Q1)
    small = previous_context(folder.master, Q2)
    with zipfile.ZipFile(folder.master, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("customXml/padding.bin", os.urandom(DEFAULT_LIMITS.max_file_bytes))
    assert folder.master.stat().st_size > DEFAULT_LIMITS.max_file_bytes
    big = previous_context(folder.master, Q2)
    assert big.previous_actuals == small.previous_actuals and len(big.previous_actuals) > 20


def test_submissions_lists_every_directorate_and_rejected_rows_stay_out(folder: Folder) -> None:
    folder.consolidate(Q1)
    returns = folder.returns(Q1)
    plan = folder.plan
    codes = [d.code for d in plan.directorates]
    rejected, missing, copied = codes[0], codes[1], codes[2]
    cs_measure = next(m for m in plan.measures if m.directorate_code == rejected)
    data = read_return(returns / f"{rejected}_{Q1}.xlsx").data
    assert data is not None
    row = next(r for r in data.rows["Measures"] if r["id"] == cs_measure.id)
    actual = layout.MEASURES.letter("actual")
    set_cells(returns / f"{rejected}_{Q1}.xlsx", {("Measures", f"{actual}{row['_row']}"): "lots"})
    (returns / f"{missing}_{Q1}.xlsx").unlink()
    shutil.copy(returns / f"{copied}_{Q1}.xlsx", returns / f"{copied}_{Q1} (copy).xlsx")

    result = folder.consolidate(Q1)

    assert result.exit_code == 1
    assert result.not_received == [missing]
    master = read_master(folder.master)
    submissions = [(r["Directorate"], r["Status"], r["File"]) for r in master.rows("Submissions")]
    assert submissions == [
        (rejected, REJECTED, f"{rejected}_{Q1}.xlsx"),
        (missing, NOT_RECEIVED, None),
        (copied, ACCEPTED, f"{copied}_{Q1} (copy).xlsx"),  # identical copies count once
        (copied, SUPERSEDED, f"{copied}_{Q1}.xlsx"),
        (codes[3], ACCEPTED, f"{codes[3]}_{Q1}.xlsx"),
    ]
    kept = {r["Directorate"] for r in master.rows("Measures")}
    assert kept == {copied, codes[3]}
    errors = [r for r in master.rows("Validation") if r["Severity"] == "Error"]
    assert {r["Directorate"] for r in errors} == {rejected}
    assert any(r["Cell"] == f"{actual}{row['_row']}" for r in errors)
    rejected_row = next(r for r in master.rows("Submissions") if r["Status"] == REJECTED)
    assert rejected_row["Errors"] >= 1
    assert master.rows("Log")[-1]["Rejected"] == 1


def test_text_that_looks_like_a_formula_stays_text(folder: Folder) -> None:
    texts = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+44 1629 533190",
             "-5 on last quarter, see note", "@SUM(A1:A9)"]
    code = folder.plan.directorates[0].code
    path = folder.returns(Q1) / f"{code}_{Q1}.xlsx"
    data = read_return(path).data
    assert data is not None
    rows = [r["_row"] for r in data.rows["Actions"][:4]]
    workbook = openpyxl.load_workbook(path)
    for row, text in zip(rows, texts, strict=True):
        cell = workbook["Actions"][f"J{row}"]
        cell.value = text
        cell.data_type = "s"  # typed as text, as Excel stores a cell formatted as Text
    workbook.save(path)

    result = folder.consolidate(Q1)

    assert result.exit_code == 0
    master = read_master(folder.master)
    comments = [r["Commentary"] for r in master.rows("Actions") if r["Directorate"] == code][:4]
    assert comments == texts
    loaded = openpyxl.load_workbook(folder.master)
    cells = [c for row in loaded["Actions"].iter_rows() for c in row if c.value in texts]
    assert len(cells) == 4 and all(c.data_type == "s" for c in cells)
    for name in loaded.sheetnames:
        formulas = [c.coordinate for row in loaded[name].iter_rows() for c in row
                    if c.data_type == "f"]
        if name != "Savings":
            assert formulas == [], name


def test_excel_tables_formats_and_finance_notes(folder: Folder) -> None:
    folder.consolidate(Q1)
    workbook = openpyxl.load_workbook(folder.master)

    assert workbook.sheetnames == list(mc.SHEETS)
    for name, headers in mc.SHEETS.items():
        sheet = workbook[name]
        assert tuple(c.value for c in sheet[1]) == headers
        (table,) = sheet.tables.values()
        assert table.ref.startswith("A1:") and table.autoFilter is not None
        assert sheet.freeze_panes in ("A2", "D2")
        id_width = sheet.column_dimensions["C"].width
        assert id_width >= len(str(sheet["C1"].value)), name
    savings = workbook["Savings"]
    col = {c.value: c.column_letter for c in savings[1]}
    assert savings[f"{col['Target (£)']}2"].number_format.startswith('"£"#,##0')
    assert workbook["Actions"]["K2"].number_format == '0"%"'
    for header in mc.FINANCE_COLUMNS:
        cell = savings[f"{col[header]}1"]
        assert cell.comment is not None and "Finance's own column" in cell.comment.text
        assert savings[f"{col[header]}2"].fill.fgColor.rgb.endswith("E2EFDA")
    rag = col["RAG"]
    ranges = [str(r.sqref) for r in savings.conditional_formatting]
    assert any(r.startswith(f"{rag}2:") for r in ranges)


def test_saving_removed_from_the_register_is_left_out(folder: Folder) -> None:
    import dataclasses

    gone = folder.plan.savings[0]
    smaller = dataclasses.replace(folder.plan, savings=folder.plan.savings[1:])

    result = folder.consolidate(Q1, plan=smaller)

    ids = {r["Saving ID"] for r in read_master(folder.master).rows("Savings")}
    assert gone.id not in ids and len(ids) == len(folder.plan.savings) - 1
    assert result.left_out == [f"Savings {gone.id} ({gone.directorate_code}): in the return "
                               "but no longer in the register"]


def test_a_master_from_before_measure_types_is_still_consolidated(tmp_path: Path) -> None:
    """A master written by 0.1.0 has no Measure type, Data status or Compared with a year ago
    columns: it is read with them blank and the next run writes them, losing nothing."""
    folder = make_folder(tmp_path / "ws", (Q1, Q2))
    folder.consolidate(Q1)
    book = openpyxl.load_workbook(folder.master)
    sheet = book["Measures"]
    header = [cell.value for cell in sheet[1]]
    for added in reversed(sorted(header.index(h) + 1 for h in mc.ADDED_COLUMNS["Measures"])):
        sheet.delete_cols(added)
    for table in list(sheet.tables):
        del sheet.tables[table]
    book.save(folder.master)
    before = read_master(folder.master)
    assert len(before.sheets["Measures"]) > 0
    assert all(row["Measure type"] is None for row in before.sheets["Measures"])

    folder.consolidate(Q2)
    after = read_master(folder.master)
    q1 = [row for row in after.sheets["Measures"] if row["Quarter"] == str(Q1)]
    q2 = [row for row in after.sheets["Measures"] if row["Quarter"] == str(Q2)]
    assert len(q1) == len(before.sheets["Measures"])
    assert [r["Actual"] for r in q1] == [r["Actual"] for r in before.sheets["Measures"]]
    assert q2 and all(row["Measure type"] for row in q2)
    for quarter in (Q1, Q2):  # the summaries read the blank columns too
        out = folder.root / "outputs" / f"summary-{quarter}.xlsx"
        summarise_quarter(folder.master, quarter, out, plan=folder.plan)
        assert out.exists()
