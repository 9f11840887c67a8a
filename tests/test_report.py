"""The validation report: one row per return and one per finding, as filterable tables."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest
from conftest import Q1
from outputs_support import Folder, make_folder, mistakes

from workbook_tools.errors import ConfigurationError
from workbook_tools.returns.findings import Finding, Severity, ValidationRun
from workbook_tools.returns.report import (
    FINDING_HEADERS,
    HEADER_ROW,
    RETURN_HEADERS,
    write_validation_report,
)
from workbook_tools.returns.validate import validate_paths


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    f = make_folder(tmp_path_factory.mktemp("report") / "ws")
    f.fill("CS")
    f.fill("CS", name="CS copy.xlsx")  # the same file again: superseded as a duplicate
    asch = f.fill("ASCH")
    f.fill("ASCH", mistakes(asch))
    (f.returns / "notes.txt").write_text("not a workbook")
    return f


@pytest.fixture(scope="module")
def run(folder: Folder) -> ValidationRun:
    return validate_paths([folder.returns], Q1, folder.plan)


def _rows(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[dict[str, object]]:
    values = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_one_row_per_return(run: ValidationRun, tmp_path: Path) -> None:
    path = write_validation_report(run, tmp_path / "out" / "validation.xlsx")
    sheet = openpyxl.load_workbook(path)["Returns"]
    rows = _rows(sheet)
    assert tuple(rows[0]) == RETURN_HEADERS
    by_file = {row["File"]: row for row in rows}
    assert set(by_file) == {p.path.name for p in run.results}
    asch = by_file[f"ASCH_{Q1}.xlsx"]
    assert (asch["Directorate"], asch["Quarter"], asch["Status"], asch["Errors"],
            asch["Warnings"]) == ("ASCH", str(Q1), "Rejected", 2, 1)
    result = next(r for r in run.results if r.directorate == "ASCH")
    assert asch["SHA-256"] == result.sha256
    assert abs((asch["Received"] - result.received).total_seconds()) < 1
    copies = [by_file[f"CS_{Q1}.xlsx"], by_file["CS copy.xlsx"]]
    assert sorted(row["Status"] for row in copies) == ["Accepted", "Superseded"]
    superseded = next(row for row in copies if row["Status"] == "Superseded")
    assert superseded["Superseded by"] in (f"CS_{Q1}.xlsx", "CS copy.xlsx")
    assert by_file["notes.txt"]["Status"] == "Not a return"


def test_one_row_per_finding(run: ValidationRun, tmp_path: Path) -> None:
    path = write_validation_report(run, tmp_path / "validation.xlsx")
    rows = _rows(openpyxl.load_workbook(path)["Findings"])
    assert tuple(rows[0]) == FINDING_HEADERS
    assert len(rows) == len(run.findings)
    expected = [(f.severity.value, Path(f.file).name, f.directorate, f.sheet, f.cell, f.code,
                 f.message) for f in run.findings]
    assert [tuple("" if v is None else v for v in row.values()) for row in rows] == expected
    codes = {row["Rule"] for row in rows}
    assert {"value-missing", "signoff-missing", "complete-below-100", "duplicate-copy",
            "file-not-workbook"} <= codes


def test_tables_filter_freeze_and_colour(run: ValidationRun, tmp_path: Path) -> None:
    path = write_validation_report(run, tmp_path / "validation.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Returns", "Findings"]
    for name, headers, count in (("Returns", RETURN_HEADERS, len(run.results)),
                                 ("Findings", FINDING_HEADERS, len(run.findings))):
        sheet = workbook[name]
        (table,) = sheet.tables.values()
        top = HEADER_ROW + 1
        assert table.ref == f"A{top}:{chr(ord('A') + len(headers) - 1)}{count + top}"
        assert table.autoFilter is not None
        assert sheet.freeze_panes == f"A{top + 1}"
        assert sheet.print_title_rows == f"${top}:${top}"
        widths = [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(len(headers))]
        assert all(w >= len(h) for w, h in zip(widths, headers, strict=True))
        rules = [r for cf in sheet.conditional_formatting for r in cf.rules]
        assert any('"Rejected"' in f or '"Error"' in f for r in rules for f in r.formula)


def test_same_run_same_bytes(run: ValidationRun, tmp_path: Path) -> None:
    first = write_validation_report(run, tmp_path / "a.xlsx").read_bytes()
    assert write_validation_report(run, tmp_path / "b.xlsx").read_bytes() == first


def test_text_from_returns_stays_text(run: ValidationRun, tmp_path: Path) -> None:
    result = run.results[0]
    sneaky = Finding(Severity.ERROR, str(result.path), "=CS", "Measures", "J5", "x",
                     "=1+2")
    hand_made = ValidationRun(Q1, [dataclasses.replace(result, findings=[sneaky])])
    path = write_validation_report(hand_made, tmp_path / "validation.xlsx")
    sheet = openpyxl.load_workbook(path)["Findings"]
    row = HEADER_ROW + 2
    assert (sheet[f"C{row}"].value, sheet[f"C{row}"].data_type) == ("=CS", "s")
    assert (sheet[f"G{row}"].value, sheet[f"G{row}"].data_type) == ("=1+2", "s")


def test_no_files_still_makes_a_report(tmp_path: Path) -> None:
    path = write_validation_report(ValidationRun(Q1, []), tmp_path / "validation.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert [c.value for c in workbook["Findings"][HEADER_ROW + 1]] == list(FINDING_HEADERS)
    assert workbook["Returns"][f"A{HEADER_ROW + 2}"].value is None


def test_unwritable_report_is_a_plain_error(run: ValidationRun, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigurationError, match="file"):
        write_validation_report(run, blocker / "validation.xlsx")
