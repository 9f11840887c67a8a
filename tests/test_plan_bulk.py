"""A register's item sheets are read a column at a time for the plainly sound rows and cell by
cell for the rest (plan/bulk.py, plan/build.py). The two readings must agree exactly: the same
items and the same problems, in the same order, on a real register damaged in hundreds of cells
the way people damage them in Excel."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from workbook_tools.plan import build, bulk
from workbook_tools.plan.columns import ITEM_SHEETS
from workbook_tools.plan.examples import example_rows, write_register
from workbook_tools.plan.model import PlanProblem
from workbook_tools.plan.rows import SheetRows, read_register_rows

READERS = {
    "Measures": ("Measure ID", build.measure, bulk.measures),
    "Actions": ("Action ID", build.action, bulk.actions),
    "Savings": ("Saving ID", build.saving, bulk.savings),
    "Risks": ("Risk ID", build.risk, bulk.risks),
}

#: What people type: blanks and spaces, other capitals, numbers as text, dates, out-of-range
#: figures, words from other columns' lists.
TYPED: tuple[Any, ...] = (
    None, "", "  ", " padded ", "x", 0, 1, 1.5, 3, 5, 6, -0.5, -3, 100, 101, 1e20, True,
    "12%", "£1,200", "n/a", "2024-25", dt.date(2025, 1, 5), dt.datetime(2025, 1, 5, 10, 30),
    "2025-26", "2025/26", "05/01/2025", "Quarterly", "quarterly", " Annual ", "Snapshot",
    "cumulative", "Data only", "data  only", "Higher is better", "LOWER IS BETTER", "%",
    "number", "£", "Recurring", "one-off", "D000", "zz-unknown",
)


def damaged(seed: int, duplicates: bool) -> dict[str, list[list[Any]]]:
    """The derbyshire example with, in each item sheet, a copy of a sound row for every typed
    value in every column, some 100 cells more retyped at random, blank and short rows, and (if
    `duplicates`) rows copied whole, so IDs repeat."""
    rng = random.Random(seed)
    sheets = example_rows("derbyshire")
    codes = [row[0] for name in ("Objectives", "Directorates") for row in sheets[name][1:4]]
    sheets["Savings"][0].append("Carried forward from")  # as `plan roll` writes it
    for row in sheets["Savings"][1:]:
        row.append(rng.choice([None, "2024-25"]))
    for name in ITEM_SHEETS:
        rows = sheets[name]
        sound = rows[1:]
        ids = {str(row[0]).casefold() for row in sound}
        for col in range(len(rows[0])):
            for number, value in enumerate(TYPED):
                row = list(rng.choice(sound))
                row[0] = f"{row[0]}-{col}-{number}"  # the ID is column A of each item sheet
                if col == 0 and str(value).strip().casefold() in ids and not duplicates:
                    continue
                row[col] = value
                ids.add(str(row[0]).strip().casefold())
                rows.append(row)
        for _ in range(100):
            row = rng.choice(rows[1:])
            col = rng.randrange(0 if duplicates else 1, len(row))
            pick = rng.random()
            if pick < 0.15:
                row[col] = rng.choice(codes)
            elif pick < 0.3 and isinstance(row[col], str):
                row[col] = rng.choice([row[col].lower(), f" {row[col]}", row[col].upper()])
            else:
                row[col] = rng.choice(TYPED)
        for _ in range(3):
            rows.insert(rng.randrange(1, len(rows)), [None] * len(rows[0]))
            short = rng.randrange(1, len(rows))
            rows[short] = rows[short][: rng.randrange(1, max(2, len(rows[short])))]
            if duplicates:
                rows.insert(rng.randrange(1, len(rows)), list(rng.choice(rows[1:])))
    return sheets


def read(name: str, rows: list[list[Any]], codes: build.Codes,
         quick: bool) -> tuple[list[Any], list[PlanProblem]]:
    id_header, cell_by_cell, in_bulk = READERS[name]
    problems: list[PlanProblem] = []
    table = SheetRows(name, rows, problems)
    items = build.build_items(table, id_header, cell_by_cell, codes, in_bulk if quick else None)
    return items, problems


def register_codes(sheets: dict[str, list[list[Any]]]) -> build.Codes:
    return build.Codes({r[0] for r in sheets["Themes"][1:]},
                       {r[0] for r in sheets["Directorates"][1:]},
                       {r[0] for r in sheets["Objectives"][1:]})


@pytest.mark.parametrize("duplicates", [False, True], ids=["unique IDs", "repeated IDs"])
@pytest.mark.parametrize("seed", [1, 2])
def test_bulk_and_cell_by_cell_readings_agree(tmp_path: Path, seed: int,
                                              duplicates: bool) -> None:
    rows = damaged(seed, duplicates)
    path = tmp_path / "plan.xlsx"
    write_register(rows, path)
    found = 0
    # as calamine reads what a person saved, and as typed (True, whole numbers, None)
    for sheets in (read_register_rows(path), rows):
        codes = register_codes(sheets)
        for name in ITEM_SHEETS:
            items, problems = read(name, sheets[name], codes, quick=True)
            assert (items, problems) == read(name, sheets[name], codes, quick=False), name
            found += len(problems)
    assert found > 2000  # the damage is seen: the readings agree on something


def test_the_sound_rows_of_a_register_are_read_in_bulk(tmp_path: Path) -> None:
    """Every row of the clean shipped example is read a column at a time (none cell by cell),
    so a national register's 100,000s of rows cost no call per cell."""
    path = tmp_path / "plan.xlsx"
    write_register(example_rows("derbyshire"), path)
    sheets = read_register_rows(path)
    codes = register_codes(sheets)
    for name in ITEM_SHEETS:
        table = SheetRows(name, sheets[name], [])
        quick = READERS[name][2](table, codes.directorates, codes.objectives)
        assert quick and None not in quick, name
