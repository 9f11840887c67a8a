"""Nothing from a return acts on the terminal (issue 10, case 7): control characters in a
return's text or a file's name are named on every console line, so an escape sequence cannot
retitle the terminal or clear the screen, and a line break cannot forge a line of output."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import Q1
from untrusted_support import cs_return, hostile_folder, run, set_raw_cell

from workbook_tools.files.visible import quoted, visible
from workbook_tools.returns.layout import ACTIONS, HEADER_ROW


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: Any) -> Any:
    monkeypatch.chdir(tmp_path)
    return hostile_folder(tmp_path / "ws")


def test_invisible_characters_are_said_in_words() -> None:
    assert quoted("On track\x0b") == "'On track' followed by a vertical tab"
    assert quoted("\x1b]0;x\x07") == ("']0;x' preceded by an escape character, followed by a "
                                      "bell character")
    assert quoted("Off\u202etrack") == "'Off[right-to-left override]track'"
    assert visible("a\nb\r\x1b[2J") == "a[line break]b[carriage return][escape character][2J"
    assert quoted("On track") == "'On track'" and visible("£1,200 – fine") == "£1,200 – fine"


def test_an_escape_sequence_in_a_return_is_shown_by_name(folder: Any) -> None:
    bad = cs_return(folder)
    status = ACTIONS.cell("status", HEADER_ROW + 1)
    set_raw_cell(bad, "Actions", status, b"<is><t>_x001B_]0;pwned_x0007__x001B_[2J</t></is>",
                 "inlineStr")

    for command in (["validate", "-q", str(Q1)], ["consolidate", "-q", str(Q1)],
                    ["status", "-q", str(Q1)]):
        result = run(*command)
        assert result.exit_code == 1, result.output
        assert not any(c in result.output for c in "\x1b\x07\x0b\r"), command

    shown = run("validate", "-q", str(Q1)).output
    assert (f"Actions!{status}: ']0;pwned[bell character][escape character][2J' preceded by "
            "an escape character is not a status.") in shown


def test_a_line_break_in_a_file_name_cannot_forge_a_line(folder: Any) -> None:
    forged = "CS_2025-26-Q1.xlsx: Children's Services (CS), Accepted"
    bad = folder.returns(Q1) / f"x.xlsx\n{forged}"
    shutil.copy(cs_return(folder), bad)
    with open(bad, "r+b") as handle:
        handle.truncate(100)

    result = run("validate", "-q", str(Q1))

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert not any(line.startswith(forged) for line in lines), result.output
    assert f"returns/{Q1}/x.xlsx[line break]{forged}: Not a return: 1 error" in lines
