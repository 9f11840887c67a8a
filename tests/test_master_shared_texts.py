"""Issue 16 (memory): a consolidate's rows hold the register's own IDs and names rather than a
copy of each text per row and quarter, and let the lean sheets' rows go once they are written;
what it writes is the same."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from conftest import Q1, Q2
from master_support import make_folder

from workbook_tools.master import consolidate as consolidating
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.read import read_master
from workbook_tools.master.sheetrow import Copied


def test_rows_hold_the_registers_ids_and_names_and_a_renamed_item_keeps_the_returns_name(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_folder(tmp_path / "ws", (Q1, Q2))
    folder.consolidate(Q1)
    plan = folder.plan
    # the register renamed a measure after the returns went out: its rows keep the return's name
    first = plan.measures[0]
    renamed = dataclasses.replace(plan, measures=(
        dataclasses.replace(first, name=f"{first.name} (renamed)"), *plan.measures[1:]))
    held: dict[str, Any] = {}
    write = consolidating.write_safely

    def capture(master: Any, *args: Any, **kwargs: Any) -> Any:
        held.update(master.sheets)
        found = write(master, *args, **kwargs)
        held["after"] = dict(master.sheets)
        return found

    monkeypatch.setattr(consolidating, "write_safely", capture)
    folder.consolidate(Q2, plan=renamed)

    measures = held[MasterSheet.MEASURES]
    assert measures.__class__ is Copied and measures.count and measures.tail
    ids = {m.id: m.id for m in renamed.measures}
    copied_ids = measures.columns[measures.positions["Measure ID"]]
    assert all(v is ids[v] for v in copied_ids)  # Q1's, copied from the old master
    at_id, at_name = measures.positions["Measure ID"], measures.positions["Measure"]
    names = {m.id: m.name for m in renamed.measures}
    for row in measures.tail:  # Q2's, from the returns
        assert row[at_id] is ids[row[at_id]]
        if row[at_id] == first.id:
            assert row[at_name] == first.name  # the return's, as before
        else:
            assert row[at_name] is names[row[at_id]]
    savings = held[MasterSheet.SAVINGS]
    saving_ids = {s.id: s.id for s in renamed.savings}
    tail = savings.tail if savings.__class__ is Copied else savings
    fresh = [r for r in tail if r["Quarter"] == str(Q2) and not r.get("Orphaned")]
    assert fresh and all(r["Saving ID"] is saving_ids[r["Saving ID"]] for r in fresh)
    # the lean sheets' rows let go once written; the master holds every row
    assert held["after"][MasterSheet.MEASURES] == []
    master = read_master(folder.master)
    read = master.sheets[MasterSheet.MEASURES]
    assert len(read) == len(measures)
    assert {r["Measure"] for r in read if r["Measure ID"] == first.id} == {first.name}
