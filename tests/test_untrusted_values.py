"""Impossible values in a return (issue 10, cases 5 and 9): numbers that are not finite or
beyond 1e15, dates outside 1900-2100, a sign-off after the day of validation, texts longer
than a cell holds. Each is an error on its cell with a plain message, the return is rejected,
and nothing impossible reaches the master or the summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import Q1
from support import set_cells
from untrusted_support import (
    assert_quarter_goes_on,
    cs_return,
    errors,
    hostile_folder,
    run,
    set_raw_cell,
)

from workbook_tools.returns.layout import ACTIONS, COVER, HEADER_ROW, MEASURES, SAVINGS

FORECAST = SAVINGS.cell("forecast", HEADER_ROW + 1)
SIGNOFF = f"C{COVER.signoff_date}"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: Any) -> Any:
    monkeypatch.chdir(tmp_path)
    return hostile_folder(tmp_path / "ws")


@pytest.mark.parametrize(("xml", "shown"), [
    (b"<v>1e999</v>", "inf is not a figure a return can hold"),
    (b"<v>NaN</v>", "nan is not a figure a return can hold"),
    (b"<v>1.7976931348623157E+308</v>", "1.79769e+308 is not a figure a return can hold"),
])
def test_a_number_that_is_not_finite_is_an_error(folder: Any, xml: bytes, shown: str) -> None:
    bad = set_raw_cell(cs_return(folder), "Savings", FORECAST, xml)
    found = errors(bad)
    assert [(w, c) for w, c, _ in found] == [(f"Savings!{FORECAST}", "number-impossible")]
    assert shown in found[0][2]


def test_a_number_beyond_1e15_is_an_error_and_the_summary_still_works(folder: Any) -> None:
    bad = cs_return(folder)
    set_raw_cell(bad, "Savings", FORECAST, b"<v>1.7976931348623157E+308</v>")
    actual = MEASURES.cell("actual", HEADER_ROW + 1)
    set_cells(bad, {("Measures", actual): 2e15})

    result = run("consolidate", "-q", str(Q1))

    lines = assert_quarter_goes_on(folder, result, bad, "number-impossible")
    assert "Rejected (3 errors)" in lines  # the % actual is over 100 too
    check = run("validate", str(bad), "-q", str(Q1))
    assert (f"Measures!{actual}: 2e+15 is not a figure a return can hold (beyond 1e15 in size, "
            "or not a finite number).") in check.output
    summary = run("summarise", "-q", str(Q1))
    assert summary.exit_code == 0, summary.output


@pytest.mark.parametrize(("sheet", "ref", "value", "code", "message"), [
    ("Actions", ACTIONS.cell("revised", HEADER_ROW + 1), dt.datetime(1850, 1, 1),
     "date-out-of-range", "00:00:00 is not a date between 1900 and 2100"),
    ("Cover", SIGNOFF, dt.datetime(1899, 12, 31), "date-out-of-range",
     "00:00:00 is not a date between 1900 and 2100"),
    ("Cover", SIGNOFF, dt.datetime(2100, 12, 31), "signoff-in-future",
     "the sign-off date 31/12/2100 is after today"),
    ("Actions", ACTIONS.cell("commentary", HEADER_ROW + 1), "y" * 1_000_000, "text-too-long",
     "this text is 1,000,000 characters long; a cell holds at most 32,767."),
])
def test_impossible_dates_and_texts_are_errors(folder: Any, sheet: str, ref: str, value: Any,
                                               code: str, message: str) -> None:
    if isinstance(value, str):  # openpyxl cuts text at 32,767 characters; other writers do not
        bad = set_raw_cell(cs_return(folder), sheet, ref,
                           b"<is><t>" + value.encode() + b"</t></is>", "inlineStr")
    else:
        bad = set_cells(cs_return(folder), {(sheet, ref): value})
    assert [(w, c) for w, c, _ in errors(bad)] == [(f"{sheet}!{ref}", code)]
    assert message in errors(bad)[0][2]


def test_a_sign_off_of_today_is_accepted(folder: Any) -> None:
    bad = set_cells(cs_return(folder), {("Cover", SIGNOFF): dt.datetime.combine(
        dt.date.today(), dt.time())})
    assert errors(bad) == []
