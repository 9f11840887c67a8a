"""What a consolidate works out over the earlier quarters' rows when it takes them from the
master's record (master/record.py), as a run without the record works it out: Measures'
`Compared with a year ago` (the rows on record keep theirs: none of their figures, nor their
year-ago quarter's, can have changed since they were written; the others are compared again)
and the rows' order (the register's, which may have changed since: master/order.py checks the
copied rows' order on the record's tables)."""

from __future__ import annotations

import functools
import itertools
import shutil
from pathlib import Path

import openpyxl
import pytest
from master_support import Q1, Q2, Folder, make_folder

from workbook_tools.master import columns as mc
from workbook_tools.master import order
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.read import read_master
from workbook_tools.master.yearago import compare_with_a_year_ago
from workbook_tools.plan.register import load_plan
from workbook_tools.quarters import parse_quarter

YEAR_AGO = parse_quarter("2024-25-Q1")
Q3 = parse_quarter("2025-26-Q3")


def compared(path: Path, quarter: object) -> list[str | None]:
    return [r[mc.YEAR_ON_YEAR] for r in read_master(path).rows("Measures", str(quarter))]


def test_rows_on_record_keep_their_comparisons_and_the_master_is_as_without_the_record(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_folder(tmp_path / "ws", (YEAR_AGO, Q1, Q2))  # a year ago and Q1 consolidated
    other = Folder(tmp_path / "other", folder.plan)
    shutil.copytree(folder.root, other.root)
    year_on = compared(folder.master, Q1)
    assert set(year_on) - {"Not comparable", None}  # Q1 compared with the year before
    # Q1 again (its write copies the year ago's rows: the master it writes is on this test's
    # record, whether the one built was or not); Q1 once more (the year ago's rows from the
    # record, Q1's compared with them); Q2; the year ago again (nothing copied, no record: Q1's
    # and Q2's rows compared again); Q1; Q2
    runs = ((Q1, None), (Q1, True), (Q2, True), (YEAR_AGO, False), (Q1, False), (Q2, True))
    for quarter, on_record in runs:
        block = read_master(folder.master, touched={str(quarter)}).copies.get(
            MasterSheet.MEASURES)
        assert on_record in (None, bool(block and block.recorded)), quarter
        folder.consolidate(quarter)
        with monkeypatch.context() as env:
            env.setenv("WORKBOOK_TOOLS_CACHE", "off")  # every row compared, as before
            other.consolidate(quarter)
        assert folder.master.read_bytes() == other.master.read_bytes(), quarter
        assert compared(folder.master, Q1) == year_on, quarter
        # every comparison on record is the one its written figures give
        rows = read_master(folder.master).rows("Measures")
        kept = [r[mc.YEAR_ON_YEAR] for r in rows]
        compare_with_a_year_ago(rows)
        assert [r[mc.YEAR_ON_YEAR] for r in rows] == kept, quarter


def test_a_comparison_is_made_on_the_figures_as_the_master_writes_them() -> None:
    """A return's 1.0000000000000036 is written as 1.000000000000004 (16 significant digits):
    against a year ago's 1, by the figure written, a measure where lower is better declined."""
    def row(quarter: str, actual: float) -> dict[str, object]:
        return {"Quarter": quarter, "Measure ID": "M1", "Actual": actual,
                "Polarity": "Lower is better"}

    rows = [row("2024-25-Q1", 1.0), row("2025-26-Q1", 1.0000000000000036)]
    compare_with_a_year_ago(rows)
    written = [row("2024-25-Q1", 1.0), row("2025-26-Q1", 1.000000000000004)]
    compare_with_a_year_ago(written)
    assert [r[mc.YEAR_ON_YEAR] for r in rows] == [r[mc.YEAR_ON_YEAR] for r in written] == [
        "Not comparable", "Declined"]
    assert rows[1]["Actual"] == 1.0000000000000036  # (the row's own figure as it was)


def swapped(folder: Folder, sheet: str, first: int, second: int) -> Folder:
    """The folder with two rows of a register sheet (numbered as in the sheet) swapped, or
    (`second` 0) the rows from `first` on moved up two: the two before them gone."""
    path = folder.root / "templates" / "plan.xlsx"
    workbook = openpyxl.load_workbook(path)
    cells = workbook[sheet]
    if second:
        values = {r: [c.value for c in cells[r]] for r in (first, second)}
        for r, other in ((first, second), (second, first)):
            for c, value in enumerate(values[other], start=1):
                cells.cell(r, c).value = value
    else:
        cells.delete_rows(first - 2, 2)
    workbook.save(path)
    return Folder(folder.root, load_plan(path))


@pytest.mark.parametrize(("sheet", "first", "second"), [
    ("Directorates", 2, 3),  # the first two directorates
    ("Measures", 2, 3),  # the first directorate's first two measures
    ("Measures", 4, 0),  # two measures gone from the register (their rows after the others)
    ("Directorates", 2, 2),  # (nothing changed: the copied rows stay first, as they are)
])
def test_rows_on_record_are_sorted_by_the_register_as_it_is_now(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch, sheet: str,
        first: int, second: int) -> None:
    folder = make_folder(tmp_path / "ws", (Q1, Q2, Q3), consolidated=False)
    folder.consolidate(Q2)  # copies Q1's rows: the master it writes is on this test's record
    folder = swapped(folder, sheet, first, second)
    other = Folder(tmp_path / "other", folder.plan)
    shutil.copytree(folder.root, other.root)
    block = read_master(folder.master, touched={str(Q3)}).copies[MasterSheet.MEASURES]
    assert block.recorded and block.count > 2
    folder.consolidate(Q3)
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_CACHE", "off")  # the copied rows' order checked row by row
        other.consolidate(Q3)
    assert folder.master.read_bytes() == other.master.read_bytes()
    rows = read_master(folder.master).sheets[MasterSheet.MEASURES]
    ranks = {m.id: (i, "") for i, m in enumerate(folder.plan.measures)}
    directorates = [d.code for d in folder.plan.directorates]
    keys = [(r["Quarter"], directorates.index(r["Directorate"]),
             ranks.get(r["Measure ID"], (len(ranks), r["Measure ID"]))) for r in rows]
    assert keys == sorted(keys)
    assert len(ranks) == len({r["Measure ID"] for r in rows}) - (0 if second else 2)


@pytest.mark.parametrize("keys", [
    [(3, "M3"), (0, "M9"), (7, "M1")],  # a register's ranks: the numbers as they are
    [(3, "M3"), (1_000_000, "Z"), (1_000_000, "A"), (0, "M9")],  # two not in the register
    [(2025, 2, ""), (2024, 4, ""), (2025, 1, ""), (9999, 9, "Q5")],  # quarters
])
def test_the_copied_rows_keys_are_numbered_in_their_order(keys: list[tuple]) -> None:
    size, numbers = order._ranks(keys)
    assert all(0 <= n < size for n in numbers)
    for a, b in itertools.product(range(len(keys)), repeat=2):
        assert (numbers[a] < numbers[b]) == (keys[a] < keys[b])


def test_each_value_is_keyed_once_and_the_same_way_whatever_the_column_holds() -> None:
    from workbook_tools.master.rows import UNRANKED, Ranks

    ranks = Ranks({"CS": 0}, {"Measures": {"M1": 0, "M2": 1}})
    assert ranks.of_texts("Measures", ["M2", "M9", "M1"]) == {
        "M2": (1, "M2"), "M9": (UNRANKED, "M9"), "M1": (0, "M1")}
    calls: list[object] = []

    def key(value: object) -> tuple[int, str]:
        calls.append(value)
        return (0 if value is None else 5, str(value))

    known: dict[str, tuple[int, str]] = {"M1": (0, "M1")}
    texts = ["M2", "M1", "M2", "M3"]
    assert order._keys_of(texts, key, known) == [(5, "M2"), (0, "M1"), (5, "M2"), (5, "M3")]
    assert sorted(map(str, calls)) == ["M2", "M3"]  # each new text keyed once, M1 known
    assert set(known) == {"M1", "M2", "M3"}
    calls.clear()
    mixed = ["M2", None, 3.0, "M4", None]  # (a blank, a number: keyed as they come)
    assert order._keys_of(mixed, key, known) == [known["M2"], key(None), key(3.0),
                                                 known["M4"], key(None)]
    assert "M4" in known and None not in known and 3.0 not in known
    of_texts = functools.partial(ranks.of_texts, "Measures")
    fresh: dict[str, tuple[int, str]] = {}
    assert order._keys_of(["M2", "M1", "M7"], key, fresh, of_texts) == [
        (1, "M2"), (0, "M1"), (UNRANKED, "M7")]
