"""A sound register's plan is kept by content (plan/cache.py): loading the same bytes again gives
exactly the same plan without reading the workbook; any other bytes, a register with problems, an
entry not of its shape and a cache folder others can write to are all read as usual."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from workbook_tools.errors import PlanError
from workbook_tools.plan import register
from workbook_tools.plan.examples import example_rows, write_register
from workbook_tools.plan.register import check_plan, load_plan


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", str(folder))
    return folder / "plans"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every time a register's workbook is read."""
    done: list[Path] = []
    real = register.read_register_rows

    def counted(path: Path, items: bool = True) -> dict[str, list[list[Any]]]:
        done.append(Path(path))
        return real(path, items)

    monkeypatch.setattr(register, "read_register_rows", counted)
    return done


def register_file(tmp_path: Path, name: str = "plan.xlsx", **changes: Any) -> Path:
    sheets = example_rows("derbyshire")
    for (sheet, row, col), value in changes.get("cells", {}).items():
        sheets[sheet][row][col] = value
    path = tmp_path / name
    write_register(sheets, path)
    return path


def test_the_same_register_again_is_the_same_plan_without_reading_it(
        tmp_path: Path, cache_folder: Path, reads: list[Path]) -> None:
    path = register_file(tmp_path)
    first = load_plan(path)
    assert len(reads) == 1 and len(list(cache_folder.iterdir())) == 1

    again = load_plan(path)
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(path.read_bytes())
    elsewhere = load_plan(copy)

    assert len(reads) == 1  # neither read the workbook
    assert again == first == elsewhere and again.path == path and elsewhere.path == copy
    assert again.settings == first.settings
    for name in ("themes", "objectives", "directorates", "measures", "actions", "savings",
                 "risks"):
        assert getattr(again, name) == getattr(first, name)
        assert [type(item) for item in getattr(again, name)] == \
            [type(item) for item in getattr(first, name)]
    assert all(type(m.targets) is tuple for m in again.measures)
    # a text that repeats is held once, however many items have it (a national register's
    # memory); each item holds its fields in slots, not a dict of its own
    for field in ("directorate_code", "unit", "polarity"):
        assert len({id(getattr(m, field)) for m in again.measures}) == \
            len({getattr(m, field) for m in again.measures})
    assert not hasattr(again.measures[0], "__dict__")
    assert {type(a.due_date) for a in again.actions} == {type(a.due_date) for a in first.actions}
    assert any(type(a.due_date) is dt.date for a in again.actions)
    assert again.for_directorate(first.directorates[0].code) == \
        first.for_directorate(first.directorates[0].code)
    assert check_plan(path) == (first, [])


def test_without_items_is_kept_apart(tmp_path: Path, cache_folder: Path,
                                     reads: list[Path]) -> None:
    path = register_file(tmp_path)
    head = load_plan(path, items=False)
    full = load_plan(path)
    assert len(reads) == 2
    assert head.measures == () and full.measures != ()
    assert load_plan(path, items=False) == head and load_plan(path) == full
    assert len(reads) == 2


def test_a_changed_register_is_read_again(tmp_path: Path, cache_folder: Path,
                                          reads: list[Path]) -> None:
    path = register_file(tmp_path)
    before = load_plan(path)
    register_file(tmp_path, cells={("Settings", 1, 1): "Another Council"})

    after = load_plan(path)

    assert len(reads) == 2
    assert before.settings.council_name != "Another Council"
    assert after.settings.council_name == "Another Council"


def test_a_register_with_problems_is_checked_every_time(tmp_path: Path, cache_folder: Path,
                                                        reads: list[Path]) -> None:
    path = register_file(tmp_path, cells={("Measures", 1, 4): "furlongs"})
    with pytest.raises(PlanError) as first:
        load_plan(path)
    with pytest.raises(PlanError) as again:
        load_plan(path)
    assert len(reads) == 2
    assert "is not a valid unit" in str(first.value) and str(first.value) == str(again.value)
    assert not cache_folder.exists() or not list(cache_folder.iterdir())


@pytest.mark.parametrize("damage", ["not json", "{}", "[]", "retyped", "short row",
                                    "past the values", "before the values"])
def test_an_entry_not_of_its_shape_is_ignored_and_replaced(
        tmp_path: Path, cache_folder: Path, reads: list[Path], damage: str) -> None:
    path = register_file(tmp_path)
    sound = load_plan(path)
    (entry,) = cache_folder.iterdir()
    data = json.loads(entry.read_text(encoding="utf-8"))
    if damage == "retyped":
        data["measures"]["tolerance"][0] = "5"  # a tolerance as text
    elif damage == "short row":
        data["risks"]["owner"]["at"].pop()  # one item's owner missing
    elif damage == "past the values":
        data["measures"]["unit"]["at"][0] = len(data["measures"]["unit"]["values"])
    elif damage == "before the values":
        data["measures"]["unit"]["at"][0] = -1  # a place Python would count from the end
    entry.write_text(damage if damage in ("not json", "{}", "[]") else json.dumps(data),
                     encoding="utf-8")

    assert load_plan(path) == sound
    assert len(reads) == 2
    assert load_plan(path) == sound and len(reads) == 2  # the entry was written again


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_folder_others_can_write_to_is_not_trusted(
        tmp_path: Path, cache_folder: Path, reads: list[Path]) -> None:
    path = register_file(tmp_path)
    load_plan(path)
    (entry,) = cache_folder.iterdir()
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["settings"][0] = "Forged Council"
    entry.write_text(json.dumps(data), encoding="utf-8")
    cache_folder.chmod(0o777)

    assert load_plan(path).settings.council_name != "Forged Council"
    assert len(reads) == 2


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           reads: list[Path]) -> None:
    monkeypatch.setenv("WORKBOOK_TOOLS_CACHE", "off")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = register_file(tmp_path)
    assert load_plan(path) == load_plan(path)
    assert len(reads) == 2
    assert not (tmp_path / "home").exists() and not (tmp_path / "xdg").exists()
    assert not list(tmp_path.glob("**/*.json"))


def test_only_the_most_recently_used_entries_are_kept(tmp_path: Path) -> None:
    from workbook_tools.files.cachefolder import prune
    from workbook_tools.plan import cache

    for age, name in enumerate(["newest", "newer", "older", "oldest"]):
        path = tmp_path / f"{name}.json"
        path.write_bytes(b"x" * 100)
        os.utime(path, (1_000_000 - age, 1_000_000 - age))
    prune(tmp_path, 3, cache.KEEP_BYTES)
    assert sorted(p.stem for p in tmp_path.iterdir()) == ["newer", "newest", "older"]
    prune(tmp_path, 3, 150)
    assert [p.stem for p in tmp_path.iterdir()] == ["newest"]  # the newest, whatever its size
    prune(tmp_path, 3, 50)
    assert [p.stem for p in tmp_path.iterdir()] == ["newest"]


def test_an_entry_that_cannot_be_written_whole_leaves_nothing_behind(tmp_path: Path) -> None:
    """A disk that fills while an entry is written (the file size limit stands in for it, in a
    process of its own): no error reaches the command, and no partial file is left in the
    folder to be taken for an entry or to fill it further."""
    place = tmp_path / "plans"
    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from workbook_tools.files.cachefolder import keep_entry\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "keep_entry(Path(sys.argv[1]) / 'entry.json', 'x' * 100_000, 32, 1 << 30)\n"
        "print('no error')\n")
    done = subprocess.run([sys.executable, "-c", script, str(place)], capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "no error", done.stderr
    assert place.is_dir() and list(place.iterdir()) == []
    # a text that cannot be written as UTF-8 is the same: nothing kept, nothing raised
    from workbook_tools.files.cachefolder import keep_entry

    keep_entry(place / "entry.json", "half \ud800 a surrogate", 32, 1 << 30)
    assert list(place.iterdir()) == []


def test_a_register_too_large_is_refused_before_it_is_hashed(tmp_path: Path, cache_folder: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """The guard's size limit comes before any read of a file, a hash included: a register
    larger than a workbook may be is refused as the guard refuses it, and never read whole."""
    from workbook_tools.errors import ConfigurationError
    from workbook_tools.files import package


    path = tmp_path / "plan.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(package.DEFAULT_LIMITS.max_file_bytes + 1)  # sparse: no disk used

    import builtins
    import io

    real_open = io.open

    def watched(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(str(file)) == path if isinstance(file, str | os.PathLike) else False:
            raise AssertionError("opened a file larger than the limit")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watched)
    monkeypatch.setattr(io, "open", watched)
    with pytest.raises(ConfigurationError, match="larger than the 32 MB"):
        load_plan(path)
    assert not cache_folder.exists()
