"""The cycle collector paused while a command makes its 100,000s of objects (collector.py), on
again after it, and on in the workers it starts whatever the process that started them did."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from conftest import Q1
from master_support import make_folder

from workbook_tools import parallel
from workbook_tools.collector import paused
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.read import read_master


def _collecting(_: int) -> bool:
    return gc.isenabled()


@pytest.fixture(autouse=True)
def _collector_on() -> None:
    gc.enable()


def test_paused_then_as_it_was() -> None:
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner pause does not turn it on inside an outer one"
    assert gc.isenabled()
    gc.disable()
    with paused():
        pass
    assert not gc.isenabled(), "off before: still off"
    gc.enable()


def test_on_again_when_the_block_raises() -> None:
    with pytest.raises(ValueError), paused():
        raise ValueError
    assert gc.isenabled()


def test_workers_started_while_paused_collect() -> None:
    with paused():
        found = list(parallel.ordered_map(_collecting, range(4), workers=2))
    assert found == [True] * 4


def test_a_consolidate_and_a_read_of_its_master_leave_the_collector_on(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "ws")
    result = folder.consolidate(Q1)
    assert result.counts[MasterSheet.MEASURES] > 0
    assert gc.isenabled()
    master = read_master(folder.master)  # (paused while it reads, as write_master while it writes)
    assert len(master.sheets[MasterSheet.MEASURES]) == result.counts[MasterSheet.MEASURES]
    assert gc.isenabled()
