"""Feedback opens a return with openpyxl, so it goes through the same reading guard (issue 10,
case 4): a return openpyxl would need gigabytes for is refused, NaN cells and control
characters in a return's values mark up as words, and one return's problem never stops the
others' feedback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Q1
from untrusted_support import add_rows, cs_return, hostile_folder, run, run_capped, set_raw_cell

from workbook_tools.returns.feedback import PROBLEMS_SHEET
from workbook_tools.returns.layout import ACTIONS, HEADER_ROW, MEASURES


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: Any) -> Any:
    monkeypatch.chdir(tmp_path)
    return hostile_folder(tmp_path / "ws")


def other_with_an_error(folder: Any) -> Path:
    """PL's return with a missing actual, so it gets feedback too."""
    path = folder.returns(Q1) / f"PL_{Q1}.xlsx"
    set_raw_cell(path, "Measures", MEASURES.cell("actual", HEADER_ROW + 1), b"")
    return path


def test_a_million_empty_styled_rows_are_refused_for_feedback_in_bounded_memory(
        folder: Any) -> None:
    bad = cs_return(folder)
    set_raw_cell(bad, "Measures", MEASURES.cell("actual", HEADER_ROW + 1), b"")  # an error
    add_rows(bad, "Risks", b"".join(b'<row r="%d" s="1" customFormat="1"/>' % row
                                    for row in range(100, 1_048_577)))
    assert bad.stat().st_size < 8_000_000
    other_with_an_error(folder)

    code, output, peak = run_capped(["validate", "-q", str(Q1), "--feedback", "feedback"],
                                    folder.root, cap_mb=1500)

    assert code == 1 and "Traceback" not in output and "unexpected" not in output, output
    assert f"{bad.name}: Children's Services (CS), Rejected: 1 error" in output
    assert (f"No feedback for returns/{Q1}/{bad.name}: it has more than 1,000,000 rows and "
            "cells (most of them empty), too many to mark up; refused.") in output
    assert [p.name for p in (folder.root / "feedback").iterdir()] == [f"PL_{Q1}_feedback.xlsx"]
    assert peak < 400, peak


def test_control_characters_in_a_return_mark_up_as_words(folder: Any) -> None:
    bad = cs_return(folder)
    status, commentary = (ACTIONS.cell(key, HEADER_ROW + 1) for key in ("status", "commentary"))
    set_raw_cell(bad, "Actions", status, b"<is><t>On track_x000B_</t></is>", "inlineStr")
    set_raw_cell(bad, "Actions", commentary,
                 b"<is><t>_x001B_]0;pwned_x0007__x001B_[2J done</t></is>", "inlineStr")
    other_with_an_error(folder)

    result = run("validate", "-q", str(Q1), "--feedback", "feedback")

    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "\x1b" not in result.output and "\x0b" not in result.output
    message = ("'On track' is not a status because it holds a vertical tab (U+000B) that cannot "
               "be seen: retype it.")
    assert f"Actions!{status}: {message}" in result.output
    written = sorted(p.name for p in (folder.root / "feedback").iterdir())
    assert written == [f"CS_{Q1}_feedback.xlsx", f"PL_{Q1}_feedback.xlsx"]
    problems = openpyxl.load_workbook(folder.root / "feedback" / written[0])[PROBLEMS_SHEET]
    messages = [str(row[4]) for row in problems.iter_rows(min_row=6, values_only=True)]
    assert any(m.startswith(message) for m in messages), messages


def test_a_nan_cell_is_an_error_and_the_others_still_get_feedback(folder: Any) -> None:
    bad = cs_return(folder)
    actual = MEASURES.cell("actual", HEADER_ROW + 1)
    set_raw_cell(bad, "Measures", actual, b"<v>NaN</v>")
    other_with_an_error(folder)

    result = run("validate", "-q", str(Q1), "--feedback", "feedback")

    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"Measures!{actual}: nan is not a figure a return can hold" in result.output
    assert (f"No feedback for returns/{Q1}/{bad.name}: it cannot be opened to mark it up (it "
            "holds a value no spreadsheet program writes, such as NaN).") in result.output
    assert [p.name for p in (folder.root / "feedback").iterdir()] == [f"PL_{Q1}_feedback.xlsx"]
