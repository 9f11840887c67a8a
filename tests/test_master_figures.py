"""Last quarter's figures kept small for a large master (master/figures.py): read exactly as
the dicts filled row by row would be, by consolidate's checks and by anything else that reads a
Context, whatever IDs repeat or share a hash."""

from __future__ import annotations

import pickle
import random
from typing import Any

import pytest

from workbook_tools.master import figures
from workbook_tools.master.figures import Figures, figures_by_id


def _as_dicts(keys: list[str], columns: list[list[Any]]) -> list[dict[str, Any]]:
    """What a Context held before: a dict a figure, filled row by row, None passed over."""
    found: list[dict[str, Any]] = [{} for _ in columns]
    for at, key in enumerate(keys):
        for into, column in zip(found, columns, strict=True):
            if column[at] is not None:
                into[key] = column[at]
    return found


def _rows(count: int, seed: int) -> tuple[list[str], list[list[Any]]]:
    """Rows of measures as a master's last quarter holds them: most IDs once, some twice or
    thrice (a figure given on one row and not another), figures missing here and there, and
    IDs that differ only by case or a character."""
    pick = random.Random(seed)
    keys = [f"M-{pick.randrange(count)}" for _ in range(count)]
    keys += ["m-1", "M-1 ", "M–1", "M-01"]  # (look alike, are not alike)
    actuals = [pick.choice([None, 0.0, -0.0, 12.5, float(i)]) for i in range(len(keys))]
    targets = [pick.choice([None, 80.0, 1, 3]) for _ in keys]
    return keys, [actuals, targets]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_read_as_the_dicts_filled_row_by_row(seed: int) -> None:
    keys, columns = _rows(3_000, seed)
    wanted = _as_dicts(keys, columns)
    found = figures_by_id(keys, columns)
    assert all(isinstance(f, Figures) for f in found)
    asked = [*set(keys), "M-999999", "", " M-1", "M-1\x00", 12, None, 1.5]
    for made, want in zip(found, wanted, strict=True):
        assert made == want and want == made  # (as a Mapping: every key and value)
        assert len(made) == len(want) and sorted(made) == sorted(want)
        for key in asked:
            assert made.get(key) == want.get(key)
            assert made.get(key, "none") == want.get(key, "none")
            assert (key in made) == (key in want)
            if key in want:
                assert made[key] == want[key]
                assert str(made[key]) == str(want[key])  # (-0.0 stays -0.0; 1 stays 1)
            else:
                with pytest.raises(KeyError):
                    made[key]
        # sent to a worker (whose hashes of texts are its own): read the same, as a dict
        sent = pickle.loads(pickle.dumps(made, pickle.HIGHEST_PROTOCOL))
        assert type(sent) is dict and sent == want


def test_ids_of_one_hash_are_kept_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two IDs whose hashes are the same are both kept, each with its own figures; one hash for
    every ID is the worst case (here, a hash of the ID's length)."""
    monkeypatch.setattr(figures, "hash", len, raising=False)
    keys, columns = _rows(2_000, 4)
    made = figures_by_id(keys, columns)
    for got, want in zip(made, _as_dicts(keys, columns), strict=True):
        assert got == want
        assert all(got.get(key) == want.get(key) for key in [*keys, "M-x", "M-12345"])


def test_few_rows_are_kept_as_dicts_and_many_as_figures(
        monkeypatch: pytest.MonkeyPatch) -> None:
    keys, columns = _rows(50, 5)
    assert all(type(f) is dict for f in figures_by_id(keys, columns))
    monkeypatch.setattr(figures, "COMPACT_FROM", 0)
    made = figures_by_id(keys, columns)
    assert all(isinstance(f, Figures) for f in made)
    assert made == _as_dicts(keys, columns)
    assert figures_by_id([], [[], []]) == [{}, {}]
