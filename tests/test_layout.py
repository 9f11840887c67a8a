"""The master's item sheets take their columns from the return's layout: a column the return
keeps for the master reaches the master under its master header, whatever the return calls it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from conftest import Q1
from master_support import make_folder

from workbook_tools.master import columns as mc
from workbook_tools.returns import layout
from workbook_tools.returns.read import read_return


def test_every_return_column_meant_for_the_master_is_among_its_headers(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "ws")
    folder.consolidate(Q1)
    workbook = openpyxl.load_workbook(folder.master, read_only=True)
    code = folder.plan.directorates[0].code
    returned = read_return(folder.returns(Q1) / f"{code}_{Q1}.xlsx").data
    assert returned is not None
    for name, spec in layout.SHEETS.items():
        rows = list(workbook[name].iter_rows(values_only=True))
        header = list(rows[0])
        assert tuple(header) == mc.SHEETS[name]
        missing = [c.master_header for c in spec.in_master if c.master_header not in header]
        assert not missing, f"{name}: the master has no column for {missing}"
        mine = {row[header.index(spec.id_header)]: row for row in rows[1:]
                if row[header.index(mc.DIRECTORATE)] == code}
        typed_rows = returned.rows[name]
        assert typed_rows, f"{code} has no {name}"
        for typed in typed_rows:
            row = mine[typed["id"]]
            for column in spec.in_master:
                if column.key == "objective":
                    continue  # the master holds the objective's whole name, the return a cut
                value = row[header.index(column.master_header)]
                if isinstance(value, dt.datetime) and isinstance(typed[column.key], dt.date):
                    value = value.date()  # openpyxl gives every date a time
                assert value == typed[column.key], (name, typed["id"], column.header)
    workbook.close()


def test_the_master_keeps_the_return_columns_in_the_returns_order() -> None:
    for name, spec in layout.SHEETS.items():
        headers = mc.SHEETS[name]
        at = [headers.index(str(c.master_header)) for c in spec.in_master]
        assert at == sorted(at), name
        assert headers[:3] == (mc.QUARTER, mc.DIRECTORATE, mc.ID_COLUMNS[name])
    # the risk scores are named without their range in the master; last quarter's delivered
    # saving is the master's own earlier row, not a column
    assert "Likelihood" in mc.RISKS and "Likelihood (1-5)" not in mc.RISKS
    assert "Delivered last quarter (£)" not in mc.SAVINGS


def test_a_renamed_return_header_renames_the_master_column_and_a_master_only_column_is_anchored(
) -> None:
    renamed = replace(layout.ACTIONS, columns=tuple(
        replace(c, header="Progress (%)") if c.key == "complete" else c
        for c in layout.ACTIONS.columns))
    headers = mc.item_sheet(renamed, mc.MASTER_ONLY["Actions"])
    assert headers == tuple("Progress (%)" if h == "% complete" else h for h in mc.ACTIONS)
    with pytest.raises(KeyError, match="no column"):
        mc.item_sheet(layout.ACTIONS, {"ident": ("Theme",)})


def test_each_pre_filled_cell_holds_its_columns_source(tmp_path: Path) -> None:
    """Generate fills a pre-filled cell from its column's declared source, and nothing else."""
    folder = make_folder(tmp_path / "ws")
    plan = folder.plan
    code = plan.directorates[0].code
    returned = read_return(folder.returns(Q1) / f"{code}_{Q1}.xlsx").data
    assert returned is not None
    context = layout.Context(quarter=Q1)
    for name, spec in layout.SHEETS.items():
        assert all(c.source for c in spec.prefilled), name
        assert not any(c.source for c in (*spec.inputs, *spec.derived)), name
        items = {item.id: item for item in getattr(plan.for_directorate(code), spec.items)}
        assert [r["id"] for r in returned.rows[name]] == list(items)
        for typed in returned.rows[name]:
            for column in spec.prefilled:
                expected = column.value_of(items[typed["id"]], plan, context)
                assert typed[column.key] == (None if expected == "" else expected), (
                    name, typed["id"], column.key)
