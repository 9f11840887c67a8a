"""What finance and the performance team do in the master themselves survives every run.

The master is edited as they would edit it (openpyxl for the typing, then opened and saved by
LibreOffice so every formula carries its value), then consolidated for another quarter and for
the same quarter again; each time the master is reopened and every item checked row by row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Q1, Q2
from master_support import Folder, make_folder
from support import libreoffice_save, needs_libreoffice

from workbook_tools.master import columns as mc
from workbook_tools.master.read import read_master

pytestmark = needs_libreoffice

NARRATIVE = [
    (str(Q1), "Overview", "Most savings are on track; two need recovery plans."),
    None,  # a blank row the team left between their notes
    (str(Q1), "PE", "Waste contract savings slipped to Q3."),
]


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return make_folder(tmp_path / "ws", quarters=(Q1, Q2))


def insert_column(sheet: Any, before: str, header: str) -> int:
    """Insert a column in the middle of the sheet's table, as Excel's Insert Column does."""
    col = next(c.column for c in sheet[1] if c.value == before)
    sheet.insert_cols(col)
    sheet.cell(1, col).value = header
    (table,) = sheet.tables.values()
    last = sheet.max_column
    table.ref = f"A1:{openpyxl.utils.get_column_letter(last)}{sheet.max_row}"
    table.autoFilter.ref = table.ref
    table.tableColumns = []  # openpyxl names them again from the header row when saving
    return col


def save_in_libreoffice(folder: Folder, workbook: Any) -> None:
    edited = folder.root / "edited" / "master.xlsx"
    edited.parent.mkdir(exist_ok=True)
    workbook.save(edited)
    saved = libreoffice_save(edited, folder.root / "saved")
    folder.master.write_bytes(saved.read_bytes())


def savings_by_key(path: Path) -> tuple[list[str], dict[tuple[str, str], dict[str, Any]]]:
    sheet = openpyxl.load_workbook(path)["Savings"]
    header = [c.value for c in sheet[1]]
    rows = {}
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=False))
        rows[(cells["Quarter"].value, cells["Saving ID"].value)] = cells
    return header, rows


def test_narrative_and_a_column_of_their_own_keep_their_place(folder: Folder) -> None:
    workbook = openpyxl.load_workbook(folder.master)
    savings = workbook["Savings"]
    col = insert_column(savings, "Finance confirmed (£)", "Finance reviewer")
    reviewers = {}
    for row in (2, 5):
        key = (savings.cell(row, 1).value, savings.cell(row, 3).value)
        reviewers[key] = f"Reviewer {row}"
        savings.cell(row, col).value = reviewers[key]
    narrative = workbook["Narrative"]
    for r, line in enumerate(NARRATIVE, start=2):
        for c, value in enumerate(line or (), start=1):
            narrative.cell(r, c).value = value
    save_in_libreoffice(folder, workbook)

    for quarter in (Q2, Q2, Q1):  # another quarter, the same again, then the first again
        folder.consolidate(quarter)

        header, rows = savings_by_key(folder.master)
        assert header[col - 2:col + 1] == ["Commentary", "Finance reviewer",
                                           "Finance confirmed (£)"]
        assert [h for h in header if h != "Finance reviewer"] == list(mc.SAVINGS)
        for key, row in rows.items():
            assert row["Finance reviewer"].value == reviewers.get(key), key
        sheet = openpyxl.load_workbook(folder.master)["Narrative"]
        assert [c.value for c in sheet[1]] == list(mc.NARRATIVE)
        found = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]
        assert found == [line or (None, None, None) for line in NARRATIVE]
        assert read_master(folder.master).rows("Narrative")[1]["Section"] == "PE"


def test_a_master_from_before_the_narrative_sheet_gets_one(folder: Folder) -> None:
    workbook = openpyxl.load_workbook(folder.master)
    del workbook["Narrative"]
    workbook.save(folder.master)
    assert "Narrative" not in openpyxl.load_workbook(folder.master).sheetnames

    folder.consolidate(Q2)

    loaded = openpyxl.load_workbook(folder.master)
    assert loaded.sheetnames == list(mc.SHEETS)
    note = loaded["Narrative"]["C1"].comment
    assert note is not None and "performance team's own sheet" in note.text
    assert read_master(folder.master).rows("Narrative") == []


def rows_of(sheet: Any) -> dict[tuple[str, str], int]:
    return {(sheet.cell(r, 1).value, sheet.cell(r, 3).value): r
            for r in range(2, sheet.max_row + 1)}


def inject_formula(path: Path, sheet_part: str, ref: str, value: str, formula: str,
                   attributes: str = "") -> None:
    """Put a formula on a cell holding `value` straight into the XML, as Excel writes the ones
    openpyxl and LibreOffice do not: one that refers to another workbook ([1] is the first
    workbook it links to), or a formula filled down (shared by cells, written once)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts[sheet_part].decode()
    xml, count = re.subn(rf'(<c r="{ref}"[^>]*>)<v>{value}</v>',
                         rf"\1<f{attributes}>{formula}</f><v>{value}</v>" if formula else
                         rf"\1<f{attributes}/><v>{value}</v>", xml)
    assert count == 1, f"{ref} not found"
    parts[sheet_part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def both_ways_alike(path: Path, sheets: tuple[str, ...]) -> None:
    """The quick reading of formulas, formats and column looks finds what the full XML parse
    (used for sheets written unusually) finds."""
    from workbook_tools.files.guard import SafeWorkbook
    from workbook_tools.files.sheetscan import SheetScan
    from workbook_tools.master.read import MASTER_LIMITS

    def read(precise: bool) -> list[Any]:
        with SafeWorkbook(path, MASTER_LIMITS) as workbook:
            return [workbook.extras(name, lambda col: True, lambda col, look: look
                                    if look.fill or look.bold or look.num_format else None, 40,
                                    SheetScan(precise=precise))
                    for name in sheets]

    quick, full = read(False), read(True)
    assert quick == full
    assert any(cell.formula for cell in quick[0].cells.values())
    assert any(cell.look and cell.look.fill for cell in quick[0].cells.values())


def test_finance_formulas_comments_formats_and_columns_survive(tmp_path: Path) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    folder = make_folder(tmp_path / "ws", quarters=(Q1, Q2), consolidated=True)
    workbook = openpyxl.load_workbook(folder.master)
    savings = workbook["Savings"]
    reviewer = insert_column(savings, "Finance confirmed (£)", "Finance reviewer")
    check = savings.max_column + 1
    savings.cell(1, check).value = "Check"
    letter = {c.value: c.column_letter for c in savings[1]}
    at = rows_of(savings)
    q2 = [key for key in at if key[0] == str(Q2)]
    a, b, c, e = q2[0], q2[1], q2[-1], q2[4]
    confirmed, adjustment, note = (letter[h] for h in ("Finance confirmed (£)",
                                                        "Finance adjustment (£)", "Finance note"))
    forecast, target = letter["Forecast (£)"], letter["Target (£)"]
    for key in (a, c):
        r = at[key]
        savings[f"{confirmed}{r}"] = 500000
        savings[f"{adjustment}{r}"] = f"={confirmed}{r}-{forecast}{r}"  # finance's =P15-K15
        savings[f"{adjustment}{r}"].number_format = "#,##0.00"
        savings[f"{letter['Check']}{r}"] = f"={adjustment}{r}*2"
        savings.cell(r, reviewer).value = "A. Patel"
        savings[f"{note}{r}"].comment = Comment("Asked J. Smith on 3 August", "Finance")
        savings[f"{note}{r}"] = "Agreed"
    whole = f"=SUM({target}2:{target}4)"  # points outside its row
    savings[f"{confirmed}{at[b]}"] = whole
    savings[f"{confirmed}{at[b]}"].fill = PatternFill("solid", fgColor="FFFF00")
    savings[f"{confirmed}{at[b]}"].font = Font(bold=True)
    savings[f"{confirmed}{at[e]}"] = 42
    savings[f"{forecast}{at[e]}"].comment = Comment("Forecast queried", "Finance")
    savings.column_dimensions[openpyxl.utils.get_column_letter(reviewer)].width = 30
    savings.column_dimensions[letter["Check"]].hidden = True
    risks = workbook["Risks"]
    risk = next(key for key in rows_of(risks) if key[0] == str(Q2))
    risks[f"D{rows_of(risks)[risk]}"].comment = Comment("Raised at the risk board", "Audit")
    narrative = workbook["Narrative"]
    narrative.append([str(Q2), "Overview", "Savings on track."])
    narrative.append([str(Q2), "PE", "=\"Adjustments: \"&Savings!" + f"{adjustment}{at[a]}"])
    narrative["C2"].fill = PatternFill("solid", fgColor="FFC7CE")
    narrative["C2"].comment = Comment("Check with the Leader's office", "Policy")
    save_in_libreoffice(folder, workbook)
    savings_part = f"xl/worksheets/sheet{list(mc.SHEETS).index('Savings') + 1}.xml"
    inject_formula(folder.master, savings_part, f"{confirmed}{at[e]}", "42", "[1]Sheet1!A1")
    both_ways_alike(folder.master, ("Savings", "Narrative"))
    saved = openpyxl.load_workbook(folder.master, data_only=True)["Savings"]
    expected_adjustment = {key: saved[f"{adjustment}{at[key]}"].value for key in (a, c)}
    expected_sum = saved[f"{confirmed}{at[b]}"].value
    assert isinstance(expected_sum, int | float) and expected_adjustment[a] != 0

    # another quarter (rows move up: one directorate's Q1 return is gone), the same quarter
    # again with c's return missing (its entries go to an orphaned row), then both restored
    gone = folder.returns(Q1) / f"{folder.plan.directorates[0].code}_{Q1}.xlsx"
    kept_aside = gone.read_bytes()
    owner = next(s.directorate_code for s in folder.plan.savings if s.id == c[1])
    missing = folder.returns(Q2) / f"{owner}_{Q2}.xlsx"
    missing_bytes = missing.read_bytes()
    for step in ("Q1 without a return", "Q2 without a return", "Q2 again", "Q1 again"):
        if step == "Q1 without a return":
            gone.unlink()
        if step == "Q2 without a return":
            missing.unlink()
        if step == "Q2 again":
            missing.write_bytes(missing_bytes)
        if step == "Q1 again":
            gone.write_bytes(kept_aside)
        result = folder.consolidate(Q1 if step.startswith("Q1") else Q2)

        loaded = openpyxl.load_workbook(folder.master)
        values = openpyxl.load_workbook(folder.master, data_only=True)
        sheet, shown = loaded["Savings"], values["Savings"]
        header = [cell.value for cell in sheet[1]]
        col = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(header)}
        assert header.index("Finance reviewer") == reviewer - 1, step
        assert header[-1] == "Check", step
        now = rows_of(sheet)
        orphaned = col[mc.ORPHANED]
        assert bool(sheet[f"{orphaned}{now[c]}"].value) == (step == "Q2 without a return")
        if step == "Q1 without a return":
            assert now[a] < at[a], "the rows were meant to move"
        for key in (a, c):
            r = now[key]
            cell = sheet[f"{col['Finance adjustment (£)']}{r}"]
            assert cell.value == (f"={col['Finance confirmed (£)']}{r}-"
                                  f"{col['Forecast (£)']}{r}"), (step, key)
            assert shown[cell.coordinate].value == expected_adjustment[key], (step, key)
            assert cell.number_format == "#,##0.00", (step, key)
            assert sheet[f"{col['Check']}{r}"].value == f"={cell.coordinate}*2", (step, key)
            assert sheet[f"{col['Finance reviewer']}{r}"].value == "A. Patel", (step, key)
            commented = sheet[f"{col['Finance note']}{r}"]
            assert commented.value == "Agreed" and commented.comment is not None, (step, key)
            assert commented.comment.text.startswith("Asked J. Smith on 3 August"), (step, key)
        total = sheet[f"{col['Finance confirmed (£)']}{now[b]}"]
        assert total.value == whole, step  # kept as typed
        assert shown[total.coordinate].value == expected_sum, step
        assert total.fill.fgColor.rgb.endswith("FFFF00") and total.font.b, step
        assert f"Savings!{total.coordinate}" in "\n".join(result.notes), step
        assert any(line.startswith(f"Savings!{total.coordinate}") and "outside its row" in line
                   for line in result.notes), (step, result.notes)
        linked = sheet[f"{col['Finance confirmed (£)']}{now[e]}"]
        assert linked.value == 42, step  # a formula referring to another workbook: its value
        queried = sheet[f"{col['Forecast (£)']}{now[e]}"]
        assert queried.comment is not None and "Forecast queried" in queried.comment.text, step
        untouched = sheet[f"{col['Finance confirmed (£)']}{now[c]}"]
        assert untouched.fill.fgColor.rgb.endswith("E2EFDA") and not untouched.font.b, step
        dimensions = sheet.column_dimensions
        assert abs(dimensions[col["Finance reviewer"]].width - 30) < 1.5, step
        assert dimensions[col["Check"]].hidden, step
        assert not dimensions[col["Finance note"]].hidden, step
        text = loaded["Narrative"]
        assert [cell.value for cell in text[3]][:3] == [
            str(Q2), "PE", f"=\"Adjustments: \"&Savings!{adjustment}{at[a]}"], step
        assert text["C2"].fill.fgColor.rgb.endswith("FFC7CE"), step
        assert text["C2"].comment is not None and "Leader's office" in text["C2"].comment.text
        assert any(line.startswith("Narrative!C3") for line in result.notes), step
        risk_cell = loaded["Risks"][f"D{rows_of(loaded['Risks'])[risk]}"]
        dropped = [line for line in result.notes if line.startswith("Risks!")]
        if step == "Q1 without a return":  # the Q2 row stays, and so does its comment
            assert risk_cell.comment is not None and "risk board" in risk_cell.comment.text
            risk_row = risk_cell.row
        elif step == "Q2 without a return":  # its row comes again from the return: said
            assert risk_cell.comment is None
            assert dropped == [f"Risks!D{risk_row}: a comment on a row this run wrote again "
                               "from the returns was not kept."]
        else:
            assert dropped == [] and risk_cell.comment is None, step
        linked_notes = [line for line in result.notes if "another workbook" in line]
        if step == "Q1 without a return":  # said once, naming the cell finance typed it in
            assert linked_notes == [f"Savings!{confirmed}{at[e]}: a formula referring to "
                                    "another workbook was kept as its value."]
        else:
            assert linked_notes == [], step


def test_filled_down_formulas_are_kept_and_what_is_not_kept_is_said(
        tmp_path: Path, monkeypatch: Any) -> None:
    from click.testing import CliRunner

    from workbook_tools.cli import cli

    folder = make_folder(tmp_path / "ws", consolidated=True)
    monkeypatch.chdir(folder.root)
    workbook = openpyxl.load_workbook(folder.master)
    savings = workbook["Savings"]
    letter = {c.value: c.column_letter for c in savings[1]}
    confirmed, adjustment = letter["Finance confirmed (£)"], letter["Finance adjustment (£)"]
    keys = [(savings[f"A{r}"].value, savings[f"C{r}"].value) for r in (2, 3, 4)]
    for r, typed in ((2, 100), (3, 200)):
        savings[f"{confirmed}{r}"] = typed
        savings[f"{adjustment}{r}"] = typed - 1  # the value the formula below gives
    savings[f"{confirmed}{4}"] = 42
    workbook.save(folder.master)
    part = f"xl/worksheets/sheet{list(mc.SHEETS).index('Savings') + 1}.xml"
    inject_formula(folder.master, part, f"{adjustment}2", "99", f"{confirmed}2-1",
                   f' t="shared" ref="{adjustment}2:{adjustment}3" si="0"')
    inject_formula(folder.master, part, f"{adjustment}3", "199", "", ' t="shared" si="0"')
    inject_formula(folder.master, part, f"{confirmed}4", "42", "[1]Budget!B7")

    result = CliRunner().invoke(cli, ["consolidate", "-q", str(Q1)])

    assert result.exit_code == 0, result.output
    assert (f"Savings!{confirmed}4: a formula referring to another workbook was kept as its "
            "value.") in result.output.splitlines()
    sheet = openpyxl.load_workbook(folder.master)["Savings"]
    values = openpyxl.load_workbook(folder.master, data_only=True)["Savings"]
    now = rows_of(sheet)
    for key, typed in zip(keys[:2], (100, 200), strict=True):
        r = now[key]
        assert sheet[f"{adjustment}{r}"].value == f"={confirmed}{r}-1", key
        assert values[f"{adjustment}{r}"].value == typed - 1, key
    assert sheet[f"{confirmed}{now[keys[2]]}"].value == 42

    again = CliRunner().invoke(cli, ["consolidate", "-q", str(Q1)])
    assert "another workbook" not in again.output and "Savings!" not in again.output

    # closing the quarter writes the master too, and says the same
    r = now[keys[2]]
    inject_formula(folder.master, part, f"{confirmed}{r}", "42", "[1]Budget!B7")
    closed = CliRunner().invoke(cli, ["close", "-q", str(Q1), "--reason", "Cabinet"])
    assert closed.exit_code == 0, closed.output
    assert (f"Savings!{confirmed}{r}: a formula referring to another workbook was kept as its "
            "value.") in closed.output.splitlines()
