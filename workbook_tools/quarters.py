"""UK financial-year quarters (April to March) and their accepted spellings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from workbook_tools.errors import UsageError

ACCEPTED_FORMS = "2025-26-Q1, 2025/26 Q1, 2025-26 Q1, Q1 2025-26 or Q1 2025/26"
ACCEPTED_YEAR_FORMS = "2025-26 or 2025/26"
#: The --quarter option's help: each form once, the spaced ones quoted as they must be typed.
QUARTER_HELP = ('The quarter: 2025-26-Q1, "2025/26 Q1", "2025-26 Q1", "Q1 2025-26" or '
                '"Q1 2025/26" (a form with a space goes in quotes).')

_YEAR = r"(\d{4})\s*[-/]\s*(\d{2})"
_QUARTER_PATTERNS = (
    re.compile(rf"^{_YEAR}\s*[-\s]\s*q([1-4])$", re.IGNORECASE),
    re.compile(rf"^q([1-4])\s+{_YEAR}$", re.IGNORECASE),
)
_YEAR_PATTERN = re.compile(rf"^{_YEAR}$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a financial year: `Quarter(2025, 1)` is April-June 2025, `2025-26-Q1`."""

    start_year: int
    number: int

    def __str__(self) -> str:
        return f"{self.year_label}-Q{self.number}"

    @property
    def year_label(self) -> str:
        return year_label(self.start_year)

    @property
    def start_date(self) -> date:
        month = 4 + 3 * (self.number - 1)
        year = self.start_year + (month > 12)
        return date(year, (month - 1) % 12 + 1, 1)

    @property
    def end_date(self) -> date:
        nxt = self.next()
        return nxt.start_date - timedelta(days=1)

    @property
    def months(self) -> str:
        return ("April to June", "July to September", "October to December", "January to March")[
            self.number - 1
        ]

    def deadline(self, days_after_end: int) -> date:
        return self.end_date + timedelta(days=days_after_end)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.start_year - 1, 4)
        return Quarter(self.start_year, self.number - 1)

    def year_ago(self) -> Quarter:
        """The same quarter of the previous financial year."""
        return Quarter(self.start_year - 1, self.number)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.start_year + 1, 1)
        return Quarter(self.start_year, self.number + 1)


def year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def _check_year(first: str, second: str, text: str) -> int:
    start = int(first)
    if (start + 1) % 100 != int(second):
        raise UsageError(
            f"'{text}' is not a financial year: the second year must follow the first "
            f"(for example 2025-26)."
        )
    return start


def parse_quarter(text: str) -> Quarter:
    """Parse any accepted spelling of a quarter.

    Raises:
        UsageError: the text is not one of the accepted forms.
    """
    cleaned = " ".join(str(text).strip().split())
    for index, pattern in enumerate(_QUARTER_PATTERNS):
        match = pattern.match(cleaned)
        if match:
            if index == 0:
                first, second, number = match.groups()
            else:
                number, first, second = match.groups()
            return Quarter(_check_year(first, second, text), int(number))
    raise UsageError(f"'{text}' is not a quarter. Use one of: {ACCEPTED_FORMS}.")


def unquoted_quarter(args: list[str], options: tuple[str, ...] = ("--quarter", "-q")) -> str:
    """A sentence when a spaced quarter was typed without quotes (`--quarter Q2 2025/26`, which
    the shell splits in two), else ''."""
    for index, arg in enumerate(args):
        name, equals, value = arg.partition("=")
        if name in options and equals:
            rest = args[index + 1:index + 2]
        elif arg in options:
            value, rest = (args[index + 1], args[index + 2:index + 3]) if index + 1 < len(
                args) else ("", [])
        else:
            continue
        if not rest or _parses(value) or not _parses(f"{value} {rest[0]}"):
            continue
        whole = f"{value} {rest[0]}"
        return (f"'{value}' is not a quarter: '{whole}' has a space, so the shell split it in "
                f'two. Put it in quotes: {name} "{whole}" (or write {parse_quarter(whole)}).')
    return ""


def _parses(text: str) -> bool:
    try:
        parse_quarter(text)
    except UsageError:
        return False
    return True


def parse_year(text: str) -> int:
    """Parse a financial year (`2025-26` or `2025/26`) and return its first calendar year."""
    match = _YEAR_PATTERN.match(str(text).strip())
    if not match:
        raise UsageError(f"'{text}' is not a financial year. Use {ACCEPTED_YEAR_FORMS}.")
    return _check_year(match.group(1), match.group(2), text)


def quarters_of_year(start_year: int) -> list[Quarter]:
    return [Quarter(start_year, n) for n in (1, 2, 3, 4)]
