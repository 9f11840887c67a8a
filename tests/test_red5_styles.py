"""A hostile master whose copied rows use thousands of cell styles: the copy's scan notes every
one (master/verbatim.note_styles) without compiling a pattern of the styles noted for each one
it finds (a pattern of thousands, compiled and cached again and again: minutes and hundreds of
megabytes where the listing takes a moment)."""

from __future__ import annotations

import cProfile
import pstats
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from master_support import Q2, Folder
from test_master_copy import edit_member
from test_master_copy_hostile import MEASURES, base, hostile

from workbook_tools.master import columns as mc
from workbook_tools.master import verbatim_copy
from workbook_tools.master.read import read_master

T = TypeVar("T")
__all__ = ["base"]  # the hostile tests' folder, a fixture here too

_CELL_STYLE = re.compile(rb' s="[0-9]+"')


def _restyled(data: bytes) -> bytes:
    """Every cell of Q1's rows of Measures given a style of its own (100 up)."""
    numbers = iter(range(100, 100_000))

    def row(found: re.Match[bytes]) -> bytes:
        if b"2025-26-Q1" not in found.group(0):
            return found.group(0)
        return _CELL_STYLE.sub(lambda _: b' s="%d"' % next(numbers), found.group(0))

    return re.sub(rb'<row r="[0-9]+"[^>]*>.*?</row>', row, data, flags=re.S)


def _compiled(call: Callable[[], T]) -> tuple[T, int]:
    """`call()`'s result and how many regular expressions it compiled (cache misses)."""
    profile = cProfile.Profile()
    result = profile.runcall(call)
    stats: Any = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    compiled = sum(calls for (file, _, name), (_, calls, *_rest) in stats.items()
                   if name == "compile" and file.endswith(("_compiler.py", "sre_compile.py")))
    return result, compiled


def test_a_master_whose_rows_use_thousands_of_styles_is_scanned_without_a_pattern_each(
        base: Folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = hostile(base, tmp_path / "hostile", lambda p: edit_member(p, MEASURES, _restyled))
    monkeypatch.setattr(verbatim_copy, "CHUNK", 2048)  # many chunks, each with new styles
    read, compiled = _compiled(lambda: read_master(folder.master, touched={str(Q2)}))
    block = read.copies[mc.MasterSheet.MEASURES]
    assert block.count == len(read.rows("Measures", "2025-26-Q1")) > 0
    assert len(block.styles) > 1000  # every style of the copied rows noted
    assert set(range(100, 100 + len(block.styles))) == block.styles
    assert compiled < 100
