"""What consolidate holds while it works: each return's rows come back from the process that
validated it as a table (returns/findings.RowTable), and the master is the same whichever
process read the returns."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from conftest import Q1
from master_support import make_folder, sheet_parts

from workbook_tools.returns.findings import RowTable
from workbook_tools.returns.validate import validate_file


def test_the_master_is_the_same_whether_returns_are_read_here_or_in_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = make_folder(tmp_path / "here")
    there = make_folder(tmp_path / "there")
    assert len(list(here.returns(Q1).iterdir())) >= 4  # enough for two workers

    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "1")
    alone = here.consolidate(Q1)
    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "2")
    shared = there.consolidate(Q1)

    assert sheet_parts(here.master) == sheet_parts(there.master)
    assert alone.counts == shared.counts and sum(shared.counts.values()) > 100
    assert alone.left_out == shared.left_out


def test_a_returns_rows_travel_as_a_table_with_each_repeated_text_once(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "ws")
    path = sorted(folder.returns(Q1).iterdir())[0]
    result = validate_file(path, Q1, folder.plan)
    assert result.data is not None
    rows = {sheet: [dict(r) for r in table] for sheet, table in result.data.rows.items()}

    back = pickle.loads(pickle.dumps(result))

    assert back.data is not None
    for sheet, table in back.data.rows.items():
        assert isinstance(table, RowTable)
        assert list(table) == rows[sheet] and table == rows[sheet]
        assert table[0] == rows[sheet][0] and table[-1:] == rows[sheet][-1:]
        # a row read is a copy: changing it changes nothing the result holds
        table[0]["id"] = "changed"
        assert table[0]["id"] == rows[sheet][0]["id"]
    assert back == result
    units = [row["unit"] for row in back.data.rows["Measures"]]
    assert len(set(units)) < len(units)
    assert len({id(u) for u in units}) == len(set(units))


def test_rows_become_a_table_only_when_every_row_has_the_same_keys() -> None:
    texts: dict[str, str] = {}
    same = [{"id": "M1", "unit": "%", "actual": 1.0}, {"id": "M2", "unit": "%", "actual": True}]
    table = RowTable.of(same, texts)
    assert table is not None and table.keys == ("id", "unit", "actual")
    assert table.values == [("M1", "%", 1.0), ("M2", "%", True)]
    assert type(table.values[1][2]) is bool  # (True is equal to 1.0: kept as it is)
    assert table.values[0][1] is table.values[1][1] is texts["%"]
    assert RowTable.of([{"id": "M1"}, {"id": "M2"}], {}).values == [("M1",), ("M2",)]
    assert RowTable.of([], {}).values == []
    # another key in place of one, a key more, a key fewer: left as the rows they are
    assert RowTable.of([{"id": "M1", "unit": "%"}, {"id": "M2", "name": "%"}], {}) is None
    assert RowTable.of([{"id": "M1"}, {"id": "M2", "unit": "%"}], {}) is None
    assert RowTable.of([{"id": "M1", "unit": "%"}, {"id": "M2"}], {}) is None
    assert RowTable.of([{}, {}], {}) is None
