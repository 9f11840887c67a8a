"""Quarters: every accepted spelling, the refusals, and the dates a return is built from."""

from __future__ import annotations

import datetime as dt

import pytest

from workbook_tools.errors import UsageError
from workbook_tools.quarters import (
    ACCEPTED_FORMS,
    Quarter,
    parse_quarter,
    parse_year,
    quarters_of_year,
    year_label,
)


@pytest.mark.parametrize(
    "text",
    [
        "2025-26-Q1",
        "2025/26 Q1",
        "2025-26 Q1",
        "Q1 2025-26",
        "Q1 2025/26",
        "2025-26-q1",
        "q1 2025/26",
        "  2025-26   Q1 ",
    ],
)
def test_every_accepted_form_is_the_same_quarter(text: str) -> None:
    quarter = parse_quarter(text)
    assert quarter == Quarter(2025, 1)
    assert str(quarter) == "2025-26-Q1"


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_each_quarter_number_round_trips(number: int) -> None:
    assert parse_quarter(f"Q{number} 2030/31") == Quarter(2030, number)
    assert parse_quarter(str(Quarter(2030, number))) == Quarter(2030, number)


def test_the_century_turns() -> None:
    assert parse_quarter("1999-00-Q4") == Quarter(1999, 4)
    assert str(Quarter(2099, 2)) == "2099-00-Q2"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Q1",
        "2025-26",
        "2025-Q1",
        "2025-26-Q5",
        "Q0 2025-26",
        "2025-26Q1",
        "FY2025 Q1",
        "2025-2026-Q1",
        "Quarter 1 2025-26",
        "Q1-2025-26",
        "2025-26-Q1-extra",
    ],
)
def test_anything_else_is_refused_naming_the_accepted_forms(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_quarter(text)
    message = str(caught.value)
    assert f"'{text}' is not a quarter" in message
    assert ACCEPTED_FORMS in message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["2025-27-Q1", "Q2 2025/25", "2024/26 Q1"])
def test_years_that_do_not_follow_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="the second year must follow the first"):
        parse_quarter(text)


@pytest.mark.parametrize(
    ("number", "start", "end", "months"),
    [
        (1, dt.date(2025, 4, 1), dt.date(2025, 6, 30), "April to June"),
        (2, dt.date(2025, 7, 1), dt.date(2025, 9, 30), "July to September"),
        (3, dt.date(2025, 10, 1), dt.date(2025, 12, 31), "October to December"),
        (4, dt.date(2026, 1, 1), dt.date(2026, 3, 31), "January to March"),
    ],
)
def test_quarters_run_april_to_march(
    number: int, start: dt.date, end: dt.date, months: str
) -> None:
    quarter = Quarter(2025, number)
    assert (quarter.start_date, quarter.end_date, quarter.months) == (start, end, months)


def test_a_leap_year_q4_ends_on_31_march() -> None:
    assert Quarter(2027, 4).end_date == dt.date(2028, 3, 31)
    assert Quarter(2027, 4).start_date == dt.date(2028, 1, 1)


def test_deadline_counts_days_after_the_quarter_end() -> None:
    assert Quarter(2025, 1).deadline(15) == dt.date(2025, 7, 15)
    assert Quarter(2025, 4).deadline(0) == dt.date(2026, 3, 31)
    assert Quarter(2025, 3).deadline(20) == dt.date(2026, 1, 20)


def test_previous_and_next_cross_the_year() -> None:
    assert Quarter(2025, 1).previous() == Quarter(2024, 4)
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter(2025, 2).previous() == Quarter(2025, 1)
    assert Quarter(2025, 2).next() == Quarter(2025, 3)


def test_quarters_sort_in_time_order() -> None:
    texts = ["2026-27-Q1", "2025-26-Q4", "2025-26-Q1", "2024-25-Q3"]
    assert [str(q) for q in sorted(parse_quarter(t) for t in texts)] == sorted(texts)
    assert quarters_of_year(2025) == [Quarter(2025, n) for n in (1, 2, 3, 4)]


@pytest.mark.parametrize("text", ["2025-26", "2025/26", " 2025 / 26 "])
def test_years_in_either_form(text: str) -> None:
    assert parse_year(text) == 2025
    assert year_label(2025) == "2025-26"


@pytest.mark.parametrize("text", ["2025", "25-26", "2025-27", "2025-26-Q1", "FY25", ""])
def test_bad_years_are_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_year(text)
