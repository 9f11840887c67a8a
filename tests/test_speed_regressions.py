"""What this session's speed work (issue 16) must not have changed, found in review: each test
is a user's workbook that worked before the change."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from conftest import GENERATED_AT, Q1, Q2
from master_support import make_folder

from workbook_tools.master.history import previous_context
from workbook_tools.plan.register import load_plan
from workbook_tools.returns.generate import generate_returns
from workbook_tools.returns.layout import Context
from workbook_tools.returns.read import read_return
from workbook_tools.returns.validate import validate_file

#: Texts a register holds that the return's item rows (written as XML by hand since issue 16)
#: must carry exactly: XML's own characters, Excel's escape syntax, spaces at either end, line
#: breaks, characters outside the BMP, and a text at Excel's limit of 32,767 characters.
AWKWARD_TEXTS = (
    "Fish & chips <b>bold</b> \"quoted\" 'single' > end",
    "_x0041_ is not an A, nor is _x000D_ a return",
    "  leading and trailing spaces  ",
    "line one\nline two\nline three",
    "emoji 😀 astral 𝄞 and CJK 漢字",
    "]]> and &amp; typed as text &lt;",
    "\u00a0no-break space\u200bzero width",
    "=1+1 looks like a formula",
    "x" * 32_767,
)


def test_awkward_register_texts_come_back_from_the_generated_return(workspace: Path) -> None:
    """An item's name from the register reads back unchanged from its generated return, and
    the untouched return has no pre-filled cell, row or _meta finding."""
    register = workspace / "templates" / "plan.xlsx"
    workbook = openpyxl.load_workbook(register)
    sheet = workbook["Measures"]
    ids = []
    for row, text in enumerate(AWKWARD_TEXTS, start=2):
        cell = sheet.cell(row, 4)
        cell.value = text
        cell.data_type = "s"  # the formula-like text typed as text
        ids.append(sheet.cell(row, 1).value)
    workbook.save(register)
    plan = load_plan(register)
    wanted = {m.id: m.name for m in plan.measures if m.id in ids}
    assert len(wanted) == len(AWKWARD_TEXTS)

    codes = sorted({m.directorate_code for m in plan.measures if m.id in ids})
    paths = generate_returns(plan, Q1, workspace / "outputs" / "blank", codes,
                             context=Context(quarter=Q1), now=GENERATED_AT)
    found: dict[str, str] = {}
    for path in paths:
        data = read_return(path, Q1, plan).data
        assert data is not None
        found.update({r["id"]: r["name"] for r in data.rows["Measures"] if r["id"] in wanted})
        problems = [(f.code, f.where) for f in validate_file(path, Q1, plan=plan).findings
                    if f.code.startswith(("prefilled", "meta", "item-", "row-", "locked"))]
        assert problems == [], path.name
    assert found == wanted


def _context(master: Path) -> tuple[dict, dict, dict, dict, dict]:
    ctx = previous_context(master, Q2)
    return (ctx.previous_actuals, ctx.previous_targets, ctx.year_ago_actuals,
            ctx.previous_delivered, ctx.previous_scores)


def test_last_quarters_figures_read_from_a_master_with_the_teams_own_column(
        tmp_path: Path) -> None:
    """generate and validate only read last quarter's figures from the master: a note the team
    typed in a column of their own beside Measures (which consolidate would ask them to move)
    must not stop next quarter's returns being generated or checked. It did not before b3ffdb2,
    which reads them through read_master's checks and refuses 'a column workbook-tools does not
    keep' (as it refuses a renamed Commentary or a second column of one header, neither of
    which last quarter's figures need)."""
    folder = make_folder(tmp_path / "ws", quarters=(Q1,), consolidated=True)
    expected = _context(folder.master)
    assert expected[0], "Q1's actuals are in the master"
    workbook = openpyxl.load_workbook(folder.master)
    sheet = workbook["Measures"]
    col = sheet.max_column + 1
    sheet.cell(1, col).value = "Team notes"
    sheet.cell(2, col).value = "checked with the lead officer"
    workbook.save(folder.master)

    assert _context(folder.master) == expected
