"""The master's column widths (master/write.py): worked out from a sample of the rows, the
longest value shown, capped by the column's kind. The width is that of every value looked at
one by one, however it is found (distinct texts, longest first, stopping at the cap)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from workbook_tools.files.rowxml import Formula
from workbook_tools.master import write


def one_by_one(header: str, kind: str, values: list[Any]) -> float:
    content = max((write._shown_length(v, kind) for v in values), default=0)
    header_words = max(len(w) for w in header.split())
    width = max(content + 2, header_words + 3, min(len(header), 14) + 3)
    return float(min(width, write._WIDTH_CAPS.get(header, write._WIDTH_CAPS.get(kind, 18))))


def some_values(seed: int) -> list[Any]:
    pick = random.Random(seed)
    kinds = [
        lambda: "x" * pick.randint(0, 80),
        lambda: " " * pick.randint(1, 50),  # blank: shown as nothing
        lambda: "line\n" * pick.randint(1, 5) + "y" * pick.randint(0, 70),
        lambda: "a\u2028" + "b" * pick.randint(0, 40),  # (a line break splitlines knows)
        lambda: pick.choice([0.0, -0.0, 1.5, -1234567.25, 1e21, 12345678901234.5]),
        lambda: pick.choice([True, False, 7, -3]),
        lambda: dt.date(2025, 6, pick.randint(1, 30)),
        lambda: dt.datetime(2025, 6, 1, pick.randint(0, 23)),
        lambda: Formula("=A1", pick.choice([None, 2.5, "text " * pick.randint(0, 9)])),
        lambda: None,
    ]
    return [pick.choice(kinds)() for _ in range(pick.randint(0, 60))]


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize(("header", "kind"), [
    ("Commentary", "longtext"), ("Measure ID", "code"), ("Measure", "text"),
    ("Target (£)", "money"), ("Actual", "number"), ("Files", "text"), ("Due", "date")])
def test_a_columns_width_is_that_of_its_values_looked_at_one_by_one(
        seed: int, header: str, kind: str) -> None:
    values = some_values(seed)
    assert write._width(header, kind, values) == one_by_one(header, kind, values)
