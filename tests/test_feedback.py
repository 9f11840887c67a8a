"""Feedback files: the directorate's own return with every problem cell marked and a Problems
sheet linking to each; still a valid return they can correct and send back."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import Q1
from outputs_support import ACTION_COMPLETE, FIRST, TARGET, Folder, make_folder, mistakes
from support import libreoffice_save, needs_libreoffice, set_cells

from workbook_tools.errors import ConfigurationError
from workbook_tools.returns import layout
from workbook_tools.returns.feedback import (
    AUTHOR,
    FIRST_PROBLEM_ROW,
    MARKER,
    PROBLEMS_SHEET,
    write_feedback,
)
from workbook_tools.returns.findings import Finding, ReturnResult, Severity, ValidationRun
from workbook_tools.returns.generate import COVER
from workbook_tools.returns.validate import validate_paths


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    f = make_folder(tmp_path_factory.mktemp("feedback") / "ws")
    f.fill("CS")  # accepted, nothing to report
    asch = f.fill("ASCH")
    f.fill("ASCH", mistakes(asch))  # 2 errors and a warning
    return f


@pytest.fixture(scope="module")
def run(folder: Folder) -> ValidationRun:
    return validate_paths([folder.returns], Q1, folder.plan)


@pytest.fixture(scope="module")
def written(run: ValidationRun, folder: Folder) -> list[Path]:
    return write_feedback(run, folder.root / "outputs" / "feedback" / str(Q1))


def _result(run: ValidationRun, code: str) -> ReturnResult:
    return next(r for r in run.results if r.directorate == code)


def _body(finding: Finding) -> str:
    """The message without its 'Sheet!Cell: ' prefix."""
    return finding.message.removeprefix(f"{finding.sheet}!{finding.cell}: ")


def _marked(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, str]:
    """Cells carrying the feedback highlight -> the highlight's fill colour."""
    marked = {}
    for formatting in sheet.conditional_formatting:
        for rule in formatting.rules:
            if any(MARKER in str(f) for f in rule.formula or ()):
                for ref in str(formatting.sqref).split():
                    marked[ref] = rule.dxf.fill.fgColor.rgb[-6:]
    return marked


def test_only_returns_with_problems_get_feedback(written: list[Path]) -> None:
    assert [p.name for p in written] == [f"ASCH_{Q1}_feedback.xlsx"]


def test_every_problem_cell_is_highlighted_with_a_note(run: ValidationRun,
                                                       written: list[Path]) -> None:
    findings = _result(run, "ASCH").findings
    assert {(f.sheet, f.code) for f in findings} == {
        ("Cover", "signoff-missing"), ("Measures", "value-missing"),
        ("Actions", "complete-below-100")}
    workbook = openpyxl.load_workbook(written[0])
    for finding in findings:
        sheet = workbook[finding.sheet]
        note = sheet[finding.cell].comment
        assert note is not None and note.author == AUTHOR
        assert _body(finding)[1:] in note.text
        assert f"{finding.severity.value}: " in note.text
        colour = _marked(sheet)[finding.cell]
        assert colour == ("FFC7CE" if finding.severity is Severity.ERROR else "FFEB9C")
    marked = sum(len(_marked(s)) for s in workbook.worksheets)
    assert marked == len(findings)


def test_problems_sheet_links_to_each_cell(run: ValidationRun, written: list[Path]) -> None:
    findings = _result(run, "ASCH").findings
    workbook = openpyxl.load_workbook(written[0])
    assert workbook.sheetnames[0] == PROBLEMS_SHEET
    assert workbook.active.title == PROBLEMS_SHEET
    assert [s.title for s in workbook.worksheets if s.sheet_view.tabSelected] == [PROBLEMS_SHEET]
    problems = workbook[PROBLEMS_SHEET]
    assert "Adult Social Care and Health" in problems["A1"].value
    assert "2 errors must be put right" in problems["A2"].value
    for offset, finding in enumerate(findings):
        row = FIRST_PROBLEM_ROW + offset
        assert problems[f"B{row}"].value == finding.severity.value
        assert problems[f"F{row}"].value == finding.code
        assert problems[f"E{row}"].value[1:] == _body(finding)[1:]
        link = problems[f"C{row}"].hyperlink
        assert link is not None and not link.target  # inside the workbook, not a file
        sheet_name, cell = link.location.rsplit("!", 1)
        target = workbook[sheet_name.strip("'")]
        assert (target.title, cell) == (finding.sheet, finding.cell)
        assert target[cell].comment is not None  # the link lands on the marked cell
    cover_row = FIRST_PROBLEM_ROW + next(
        i for i, f in enumerate(findings) if f.sheet == "Cover")
    assert problems[f"D{cover_row}"].value == layout.APPROVED_BY
    measure_row = FIRST_PROBLEM_ROW + next(
        i for i, f in enumerate(findings) if f.sheet == "Measures")
    assert problems[f"D{measure_row}"].value.startswith("M-ASCH-")
    assert problems[f"A{FIRST_PROBLEM_ROW + len(findings)}"].value is None


def test_the_return_is_kept_intact(folder: Folder, run: ValidationRun,
                                   written: list[Path]) -> None:
    original = openpyxl.load_workbook(_result(run, "ASCH").path)
    feedback = openpyxl.load_workbook(written[0])
    assert feedback.sheetnames == [PROBLEMS_SHEET, *original.sheetnames]
    for name in ("Cover", *layout.DATA_SHEETS, "Checks"):
        assert feedback[name].protection.sheet, name
        assert len(feedback[name].data_validations.dataValidation) == len(
            original[name].data_validations.dataValidation), name
        assert feedback[name].freeze_panes == original[name].freeze_panes
    assert feedback[layout.META_SHEET].sheet_state == "veryHidden"
    meta = feedback[layout.META_SHEET]
    assert [[c.value for c in row] for row in meta.iter_rows()] == [
        [c.value for c in row] for row in original[layout.META_SHEET].iter_rows()]
    # input cells are still unlocked, and keep their own fill under the highlight
    cell = feedback["Cover"][f"C{COVER.approved_by}"]
    assert not cell.protection.locked
    assert cell.fill.fgColor.rgb[-6:] == "FFF2CC"


def test_feedback_file_is_still_a_valid_return(folder: Folder, run: ValidationRun,
                                               written: list[Path], tmp_path: Path) -> None:
    """Validated, it has the same problems as the original; corrected, it is accepted; marked
    again, only what is still wrong is marked."""
    def found(result: ReturnResult) -> set[tuple[str, str, str]]:
        return {(f.sheet, f.cell, f.code) for f in result.findings}

    again = validate_paths([written[0]], Q1, folder.plan).results[0]
    assert found(again) == found(_result(run, "ASCH"))

    resent = tmp_path / "resent.xlsx"
    shutil.copy(written[0], resent)
    set_cells(resent, {("Cover", f"C{COVER.approved_by}"): "Director of Adult Care"})
    partly = validate_paths([resent], Q1, folder.plan)
    assert {f.sheet for f in partly.results[0].findings} == {"Measures", "Actions"}
    marked_again = write_feedback(partly, tmp_path / "again")[0]
    workbook = openpyxl.load_workbook(marked_again)
    assert workbook.sheetnames.count(PROBLEMS_SHEET) == 1
    assert _marked(workbook["Cover"]) == {}
    assert workbook["Cover"][f"C{COVER.approved_by}"].comment is None
    assert len(_marked(workbook["Measures"])) == 1
    assert workbook[PROBLEMS_SHEET][f"A{FIRST_PROBLEM_ROW + 2}"].value is None

    measure = next(f for f in partly.results[0].findings if f.sheet == "Measures")
    row = measure.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    target = openpyxl.load_workbook(resent)["Measures"][f"{TARGET}{row}"].value
    set_cells(resent, {("Measures", measure.cell): target,  # on target: Green
                       ("Actions", f"{ACTION_COMPLETE}{FIRST}"): 100})
    fixed = validate_paths([resent], Q1, folder.plan).results[0]
    assert fixed.status == "Accepted", fixed.findings


def test_text_that_looks_like_a_formula_stays_text(folder: Folder, run: ValidationRun,
                                                   tmp_path: Path) -> None:
    result = _result(run, "ASCH")
    sneaky = Finding(Severity.ERROR, str(result.path), "ASCH", "Measures", "M5", "x",
                     '=HYPERLINK("http://example.com","click")')
    hand_made = ValidationRun(Q1, [dataclasses.replace(result, findings=[sneaky])])
    path = write_feedback(hand_made, tmp_path)[0]
    problems = openpyxl.load_workbook(path)[PROBLEMS_SHEET]
    cell = problems[f"E{FIRST_PROBLEM_ROW}"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://example.com","click")'


def test_whole_file_findings_are_listed_without_a_link(run: ValidationRun,
                                                       tmp_path: Path) -> None:
    result = _result(run, "ASCH")
    whole = Finding(Severity.WARNING, str(result.path), "ASCH", "", "", "duplicate-copy",
                    "An identical copy of other.xlsx; it is counted once.")
    hand_made = ValidationRun(Q1, [dataclasses.replace(result, findings=[whole])])
    path = write_feedback(hand_made, tmp_path)[0]
    problems = openpyxl.load_workbook(path)[PROBLEMS_SHEET]
    assert problems[f"C{FIRST_PROBLEM_ROW}"].value == "Whole file"
    assert problems[f"C{FIRST_PROBLEM_ROW}"].hyperlink is None
    assert problems[f"E{FIRST_PROBLEM_ROW}"].value.startswith("An identical copy")
    assert "accepted" in problems["A2"].value


def test_superseded_and_unreadable_files_get_none_and_stale_feedback_goes(
        folder: Folder, run: ValidationRun, tmp_path: Path) -> None:
    cs = _result(run, "CS")
    stale = tmp_path / f"CS_{Q1}_feedback.xlsx"
    stale.write_bytes(b"from an earlier run")
    superseded = dataclasses.replace(_result(run, "ASCH"), status="Superseded")
    unreadable = ReturnResult(folder.root / "notes.txt", "0" * 64, cs.received, "Not a return",
                              [Finding(Severity.ERROR, "notes.txt", "", "", "",
                                       "file-not-workbook", "notes.txt is not a workbook.")])
    assert write_feedback(ValidationRun(Q1, [cs, superseded, unreadable]), tmp_path) == []
    assert not stale.exists()


def test_a_return_changed_since_it_was_checked_is_refused(run: ValidationRun,
                                                          tmp_path: Path) -> None:
    result = dataclasses.replace(_result(run, "ASCH"), sha256="0" * 64)
    with pytest.raises(ConfigurationError, match="changed since it was checked"):
        write_feedback(ValidationRun(Q1, [result]), tmp_path)


def test_same_run_same_bytes(run: ValidationRun, tmp_path: Path) -> None:
    first = write_feedback(run, tmp_path / "a")[0].read_bytes()
    assert write_feedback(run, tmp_path / "b")[0].read_bytes() == first


def test_links_follow_a_renamed_sheet(folder: Folder, run: ValidationRun,
                                      tmp_path: Path) -> None:
    renamed = tmp_path / "in" / f"ASCH_{Q1}.xlsx"
    renamed.parent.mkdir()
    workbook = openpyxl.load_workbook(_result(run, "ASCH").path)
    workbook["Measures"].title = "Measures Q1"
    workbook.save(renamed)
    checked = validate_paths([renamed], Q1, folder.plan)
    codes = [(f.sheet, f.code) for f in checked.results[0].findings]
    assert ("Measures", "sheet-renamed") in codes and ("Measures", "value-missing") in codes
    marked = openpyxl.load_workbook(write_feedback(checked, tmp_path / "out")[0])
    problems = marked[PROBLEMS_SHEET]
    rows = {problems[f"F{r}"].value: problems[f"C{r}"] for r in range(FIRST_PROBLEM_ROW, 20)}
    assert rows["sheet-renamed"].hyperlink.location == "'Measures Q1'!A1"
    missing = rows["value-missing"]
    assert missing.value.startswith(f"Measures Q1!{layout.MEASURES.letter('actual')}")
    assert missing.hyperlink.location == f"'Measures Q1'!{missing.value.split('!')[1]}"
    assert marked["Measures Q1"][missing.value.split("!")[1]].comment is not None


@needs_libreoffice
def test_feedback_resent_from_libreoffice(folder: Folder, written: list[Path],
                                          tmp_path: Path) -> None:
    """A directorate using LibreOffice corrects one cell and saves: still their return, and new
    feedback replaces the old marks (LibreOffice drops a note's author)."""
    edited = tmp_path / "edited" / written[0].name
    edited.parent.mkdir()
    shutil.copy(written[0], edited)
    set_cells(edited, {("Cover", f"C{COVER.approved_by}"): "Director of Adult Care"})
    resent = libreoffice_save(edited, tmp_path / "resent")
    checked = validate_paths([resent], Q1, folder.plan)
    assert {f.sheet for f in checked.results[0].findings} == {"Measures", "Actions"}
    workbook = openpyxl.load_workbook(write_feedback(checked, tmp_path / "out")[0])
    assert workbook.sheetnames.count(PROBLEMS_SHEET) == 1
    assert workbook["Cover"][f"C{COVER.approved_by}"].comment is None
    assert _marked(workbook["Cover"]) == {}
    assert sum(len(_marked(s)) for s in workbook.worksheets) == 2
