"""A column's pre-filled cells hashed at once give each cell's own hash, whatever the mix of
types: equal values of different types (1, 1.0, True; 0.0 and -0.0) hash apart, so a changed
type is still found."""

from __future__ import annotations

import datetime as dt

import pytest

from workbook_tools.returns.fingerprint import cell_hash, column_hashes


@pytest.mark.parametrize("values", [
    ["M-1", "M-2 ", "M-1", "", "M  2"],
    [80.0, 0.0, -0.0, 80.0, "", "80", 1e15, float("nan")],
    [dt.datetime(2026, 3, 31), dt.date(2026, 3, 31), dt.datetime(2026, 3, 31, 12), None, ""],
    [1, 1.0, True, 0, 0.0, -0.0, False, "1", None],
    [dt.time(12, 0), "12:00", 0.5],
])
def test_column_hashes_are_each_cells_own(values: list[object]) -> None:
    assert column_hashes("target", values) == [cell_hash("target", v) for v in values]


def test_zero_and_minus_zero_hash_apart_in_a_column() -> None:
    zero, minus = column_hashes("target", [0.0, -0.0, 5.0])[:2]
    assert zero != minus
