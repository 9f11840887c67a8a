"""benchmarks/scale.py refuses a run whose steps handled fewer rows than the collection holds
(not timed: a small collection, run as the benchmark runs it, each command its own process)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support import needs_libreoffice

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "scale.py"


@pytest.fixture(scope="module")
def scale() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scale", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scale"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def folder(scale: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "2x20"  # as --keep names it
    built = scale.build(root, 2, 20, scale.TIMED)  # 8 measures, 6 actions, 4 savings, 2 risks
    assert built["generate (first)"].rows == {"returns": 2, "Measures": 16, "Actions": 12,
                                              "Savings": 8, "Risks": 4}
    return root


def test_a_run_that_handles_every_row_is_measured(scale: ModuleType, folder: Path) -> None:
    validate = scale.measure("validate", folder)
    assert validate.rows == {"returns": 2, "rows": 40} and validate.seconds > 0
    consolidate = scale.measure("consolidate-4q", folder)
    assert consolidate.rows == {"returns": 2, "Measures": 16, "Actions": 12, "Savings": 8,
                                "Risks": 4}
    assert consolidate.peak_mb > 0 or not Path("/proc/self/status").exists()
    # a timed run does not sample what the processes hold (that slows them); a memory run does
    assert validate.in_use_mb is None and consolidate.in_use_mb is None
    held = scale.measure("validate", folder, in_use=True)
    assert held.rows == validate.rows
    assert held.in_use_mb > 0 or not Path("/proc/self/smaps_rollup").exists()


def test_times_come_from_the_timed_runs_and_memory_from_the_memory_run(
        scale: ModuleType) -> None:
    rows = {"returns": 2, "rows": 40}
    timed = [scale.Run(seconds, 50.0, None, rows) for seconds in (1.5, 1.2, 1.8)]
    floors = [scale.Run(1.0, 20.0, None, {"sheet rows": 4}) for _ in range(3)]
    held = scale.Run(9.0, 80.0, 70.0, rows)  # slower, as sampling makes it: not timed
    table = scale.summarise({"calamine": floors, "validate": timed}, {}, {},
                            {"validate": held, "calamine": scale.Run(1.0, 20.0, 15.0, rows)})
    assert table["validate"]["ratio"] == 1.5 and (table["validate"]["low"],
                                                  table["validate"]["high"]) == (1.2, 1.8)
    assert table["validate"]["in_use"] == 70.0 and table["validate"]["peak"] == 80.0
    assert ("validate under 300 MB (70 MB in use at most; 80 MB with each process's high-water "
            "mark added up)", True) in scale.targets(table)
    # a step never sampled is not taken to be under a memory target
    table = scale.summarise({"calamine": floors, "validate": timed}, {}, {})
    assert table["validate"]["in_use"] is None
    assert ("validate under 300 MB (- MB in use at most; 50 MB with each process's high-water "
            "mark added up)", False) in scale.targets(table)


def test_a_rejected_return_stops_the_benchmark(scale: ModuleType, folder: Path,
                                               tmp_path: Path) -> None:
    """One return filled with mistakes: validate accepts one of two, consolidate writes half the
    rows; each is refused, naming what it handled against what the collection holds."""
    returns = folder / "returns" / scale.QUARTER
    kept = tmp_path / "kept"
    shutil.copytree(returns, kept)
    subprocess.run([sys.executable, "-m", "workbook_tools", "simulate", "-q", scale.QUARTER,
                    "--error-rate", "1", "--seed", "3", "--out", str(tmp_path / "bad")],
                   cwd=folder, check=True, capture_output=True)
    first = sorted(returns.glob("*.xlsx"))[0]
    shutil.copyfile(tmp_path / "bad" / first.name, first)
    try:
        with pytest.raises(scale.ShortRun, match=r"^validate handled 1 of 2 returns accepted: "
                                                 r"fewer than the collection holds"):
            scale.measure("validate", folder)
        with pytest.raises(scale.ShortRun, match=r"^consolidate handled 1 of 2 returns accepted, "
                                                 r"8 of 16 measures rows, 6 of 12 actions"):
            scale.measure("consolidate", folder)
        refused = subprocess.run([sys.executable, str(SCRIPT), "--returns", "2", "--rows", "20",
                                  "--repeat", "1", "--keep", str(folder.parent)],
                                 capture_output=True, text=True)
    finally:
        shutil.rmtree(returns)
        shutil.copytree(kept, returns)
    assert refused.returncode == 1
    last = refused.stderr.splitlines()[-1]  # after the runs it made before the refusal
    assert last.startswith("benchmark refused: validate handled 1 of 2 returns")


@needs_libreoffice
def test_validate_on_returns_saved_by_a_spreadsheet_program_is_measured_against_its_own_floor(
        scale: ModuleType, folder: Path) -> None:
    """validate-saved reads every return as LibreOffice saved it (shared strings, its styles),
    handles every row, and its ratio is to calamine reading those same saved files."""
    scale.build_saved_returns(folder)
    saved = sorted((folder / scale.SAVED_RETURNS / "returns" / scale.QUARTER).glob("*.xlsx"))
    assert len(saved) == 2
    assert all(b"sharedStrings" in path.read_bytes() for path in saved)  # (names in the zip)
    validate = scale.measure("validate-saved", folder)
    assert validate.rows == {"returns": 2, "rows": 40}
    floor = scale.measure("calamine-saved", folder)
    assert floor.rows["returns"] == 2
    run = scale.Run(3.0, 1.0, 1.0, validate.rows)
    table = scale.summarise({"calamine": [scale.Run(1.0, 1.0, 1.0, floor.rows)],
                             "calamine-saved": [scale.Run(2.0, 1.0, 1.0, floor.rows)],
                             "validate-saved": [run]}, {}, {})
    assert table["validate-saved"]["ratio"] == 1.5  # 3 s against calamine-saved's 2 s, not 1 s
    assert table["calamine-saved"]["ratio"] == 2.0
    assert ("validate, returns saved by LibreOffice, within 1.5x the floor of those files "
            "(1.50x)", True) in scale.targets(table)


def test_growth_is_judged_from_the_smallest_size_to_the_largest(scale: ModuleType) -> None:
    """Time per return (against the floor) and consolidate's memory must be flat as returns
    grow: a step whose memory more than FLAT times over fails, as does a step slowing per
    return; a step not sampled for memory is not taken to be flat."""
    def row(ratio: float, in_use: float | None) -> dict[str, Any]:
        return {"ratio": ratio, "in_use": in_use}

    tables = {
        60: {"calamine": row(1.0, 17), "validate": row(1.35, 55),
             "consolidate": row(2.29, 114), "consolidate-4q": row(3.50, 190),
             "generate": row(2.2, 116)},
        240: {"calamine": row(1.0, 17), "validate": row(1.30, 56),
              "consolidate": row(2.25, 140), "consolidate-4q": row(4.50, 400),
              "generate": row(2.2, None)},
    }
    found = dict(scale.growth_targets([60, 240], tables))
    assert found == {
        "validate: time per return flat from 60 to 240 returns (1.35x to 1.30x the floor: 0.96 "
        "times; at most 1.25)": True,
        "consolidate: time per return flat from 60 to 240 returns (2.29x to 2.25x the floor: "
        "0.98 times; at most 1.25)": True,
        "consolidate: memory flat from 60 to 240 returns (114 to 140 MB in use: 1.23 times; at "
        "most 1.25)": True,
        "consolidate-4q: time per return flat from 60 to 240 returns (3.50x to 4.50x the floor: "
        "1.29 times; at most 1.25)": False,
        "consolidate-4q: memory flat from 60 to 240 returns (190 to 400 MB in use: 2.11 times; "
        "at most 1.25)": False,
        "generate: time per return flat from 60 to 240 returns (2.20x to 2.20x the floor: 1.00 "
        "times; at most 1.25)": True,
    }
    tables[240]["consolidate"]["in_use"] = None
    assert ("consolidate: memory flat from 60 to 240 returns (114 to - MB in use: - times; at "
            "most 1.25)", False) in scale.growth_targets([60, 240], tables)
