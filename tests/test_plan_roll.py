"""`plan roll` (SPEC section 5): next year's register from this year's and the master's year end,
checked by reopening the registers and the master."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import Q1
from master_support import Folder, make_folder

from workbook_tools.cli import cli
from workbook_tools.master.read import read_master
from workbook_tools.plan.register import load_plan


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Folder:
    folder = make_folder(tmp_path / "ws", (Q1,), consolidated=True)
    monkeypatch.chdir(folder.root)
    return folder


def sheet_rows(path: Path, sheet: str) -> list[list[Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [list(row) for row in book[sheet].iter_rows(values_only=True)]


def as_date(value: Any) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def test_roll_keeps_this_year_and_carries_what_was_not_finished(folder: Folder) -> None:
    plan_path = folder.root / "templates" / "plan.xlsx"
    this_year = plan_path.read_bytes()
    old = folder.plan
    master = read_master(folder.master)
    actions = {r["Action ID"]: r for r in master.rows("Actions", Q1)}
    savings = {r["Saving ID"]: r for r in master.rows("Savings", Q1)}
    risks = {r["Risk ID"]: r for r in master.rows("Risks", Q1)}

    result = run("plan", "roll", "--to", "2026-27")

    assert result.exit_code == 0, result.output
    kept = folder.root / "templates" / "plan-2025-26.xlsx"
    assert kept.read_bytes() == this_year
    assert run("plan", "check").exit_code == 0
    new = load_plan(plan_path)
    assert new.settings.financial_year == "2026-27"
    # measures carried with their targets
    assert [(m.id, m.targets) for m in new.measures] == [(m.id, m.targets) for m in old.measures]
    # actions: those not Complete or Cancelled at the year end, due on their revised date
    unfinished = [a for a in old.actions
                  if actions[a.id]["Status"] not in ("Complete", "Cancelled")]
    assert 0 < len(unfinished) < len(old.actions)
    assert [a.id for a in new.actions] == [a.id for a in unfinished]
    for action in new.actions:
        revised = as_date(actions[action.id]["Revised due date"])
        original = next(a for a in old.actions if a.id == action.id).due_date
        assert action.due_date == (revised or original)
    # savings: each undelivered amount (target less forecast, where positive) as a new line
    shortfalls = {s.id: round(s.target - savings[s.id]["Forecast (£)"], 2) for s in old.savings
                  if s.target - savings[s.id]["Forecast (£)"] > 0}
    assert shortfalls
    rows = sheet_rows(plan_path, "Savings")
    header = rows[0]
    carried = {str(r[0]): dict(zip(header, r, strict=False)) for r in rows[1:]}
    assert {k.rsplit("-CF", 1)[0]: v["Target (£)"] for k, v in carried.items()} == \
        pytest.approx(shortfalls)
    assert {v["Carried forward from"] for v in carried.values()} == {"2025-26"}
    assert all(k.endswith("-CF25") for k in carried)
    assert new.settings.savings_target == pytest.approx(sum(shortfalls.values()))
    # risks with their latest likelihood and impact
    assert {r.id: (r.likelihood, r.impact) for r in new.risks} == \
        {k: (int(v["Likelihood"]), int(v["Impact"])) for k, v in risks.items()}
    # the review sheet and the console list what to review
    review = sheet_rows(plan_path, "Review")
    assert review[0] == ["Sheet", "ID", "Item", "To review"]
    assert sum(1 for r in review if r[0] == "Measures") == len(old.measures)
    assert f"{len(old.measures)} measures carried with their targets" in result.output
    for measure in old.measures:  # each listed on the console for review, with its targets
        assert f"  Measures {measure.id}: Targets carried from 2025-26 (" in result.output
    assert "  Settings: Set to the £" in result.output
    assert f"{len(unfinished)} actions carried" in result.output
    assert f"£{sum(shortfalls.values()):,.0f}" in result.output
    assert "Kept templates/plan-2025-26.xlsx" in result.output.replace("\\", "/")
    # each year's quarters now find their register
    assert run("generate", "-q", "2026-27-Q1", "-d", "CS").exit_code == 0
    assert run("generate", "-q", "2025-26-Q2", "-d", "CS").exit_code == 0


def test_roll_refuses_a_year_that_is_not_the_next_and_changes_nothing(folder: Folder) -> None:
    plan_path = folder.root / "templates" / "plan.xlsx"
    before = plan_path.read_bytes()

    result = run("plan", "roll", "--to", "2027-28")

    assert result.exit_code == 2, result.output
    assert "is the register for 2025-26, so it rolls into 2026-27, not 2027-28" in result.output
    assert plan_path.read_bytes() == before
    assert not (folder.root / "templates" / "plan-2025-26.xlsx").exists()
    assert run("plan", "roll", "--to", "2026-27").exit_code == 0
    again = run("plan", "roll", "--to", "2026-27")
    assert again.exit_code == 2 and "so it rolls into 2027-28, not 2026-27" in again.output


def test_roll_reads_this_years_register_once(folder: Folder,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The year is checked before the master is read, from the same read the roll rewrites:
    a national register's read is most of the command's time."""
    from workbook_tools.plan import register

    plan_path = (folder.root / "templates" / "plan.xlsx").resolve()
    reads: list[Path] = []
    real = register.read_register_rows

    def counted(path: Path, items: bool = True) -> dict[str, list[list[Any]]]:
        reads.append(Path(path).resolve())
        return real(path, items)

    monkeypatch.setattr(register, "read_register_rows", counted)
    result = run("plan", "roll", "--to", "2026-27")

    assert result.exit_code == 0, result.output
    assert reads.count(plan_path) == 1  # then the new register, written beside it, is checked
    assert len(reads) == 2


def test_roll_never_overwrites_a_kept_register_without_force(folder: Folder) -> None:
    templates = folder.root / "templates"
    (templates / "plan-2025-26.xlsx").write_bytes(b"an officer's own copy")
    before = (templates / "plan.xlsx").read_bytes()

    refused = run("plan", "roll", "--to", "2026-27")

    assert refused.exit_code == 2, refused.output
    assert "plan-2025-26.xlsx: is already kept" in refused.output and "--force" in \
        refused.output
    assert (templates / "plan-2025-26.xlsx").read_bytes() == b"an officer's own copy"
    assert (templates / "plan.xlsx").read_bytes() == before
    forced = run("plan", "roll", "--to", "2026-27", "--force")
    assert forced.exit_code == 0, forced.output
    assert (templates / "plan-2025-26.xlsx").read_bytes() == before


def test_roll_needs_the_master_with_the_years_figures(folder: Folder) -> None:
    folder.master.unlink()
    result = run("plan", "roll", "--to", "2026-27")
    assert result.exit_code == 2 and "there is no master" in result.output
    assert "Traceback" not in result.output
    assert not (folder.root / "templates" / "plan-2025-26.xlsx").exists()


def test_plan_check_names_a_carried_forward_year_that_is_not_a_year(folder: Folder) -> None:
    assert run("plan", "roll", "--to", "2026-27").exit_code == 0
    path = folder.root / "templates" / "plan.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Savings"]
    column = next(c.column_letter for c in sheet[1] if c.value == "Carried forward from")
    sheet[f"{column}2"] = "last year"
    book.save(path)

    result = run("plan", "check")

    assert result.exit_code == 2, result.output
    assert (f"Savings!{column}2: 'Carried forward from' must be the financial year the line "
            "came from, such as 2025-26, not 'last year'") in result.output
