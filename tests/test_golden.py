"""The XML of a generated return, a master and a summary equals the reviewed references in
tests/golden/ part by part (see golden_files.py; regenerate on purpose with
`python tests/golden_files.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from golden_files import GOLDEN, build, parts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("golden") / "ws")


@pytest.mark.parametrize("name", ["return", "master", "summary"])
def test_workbook_matches_its_reference(built: dict[str, Path], name: str) -> None:
    expected = {str(path.relative_to(GOLDEN / name)).replace("\\", "/"): path.read_bytes()
                for path in sorted((GOLDEN / name).rglob("*")) if path.is_file()}
    actual = parts(built[name])
    assert sorted(actual) == sorted(expected), f"{name}: the workbook's parts changed"
    changed = [part for part in expected if actual[part] != expected[part]]
    assert not changed, (f"{name}: {', '.join(changed)} differ from tests/golden/{name}; if "
                         "the change is intended, run 'python tests/golden_files.py' and "
                         "review the diff")
