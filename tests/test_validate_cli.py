"""`workbook-tools validate` through CliRunner: output, exit codes, --json, --report, --feedback."""

from __future__ import annotations

import importlib
import json
import shutil
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import Q1
from support import native
from validate_support import Returns, make_returns

from workbook_tools.cli import cli
from workbook_tools.plan.register import load_plan
from workbook_tools.returns.findings import ValidationRun
from workbook_tools.returns.simulate import fill_return

CALLS: dict[str, list[Any]] = {"report": [], "feedback": []}


@pytest.fixture(scope="module")
def r(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    r = make_returns(tmp_path_factory.mktemp("cli") / "ws")
    folder = r.root / "returns" / str(Q1)
    folder.mkdir(parents=True)
    for blank in r.blank.values():
        fill_return(blank, folder / blank.name, seed=3)
    return r


@pytest.fixture(autouse=True)
def writers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record the report and feedback calls; until report.py and feedback.py exist, stand-ins
    take their place so the wiring is still tested."""
    for name, function in (("report", "write_validation_report"), ("feedback", "write_feedback")):
        CALLS[name] = []
        try:
            module = importlib.import_module(f"workbook_tools.returns.{name}")
            real = getattr(module, function)
        except ImportError:
            module, real = types.ModuleType(f"workbook_tools.returns.{name}"), None
            monkeypatch.setitem(sys.modules, f"workbook_tools.returns.{name}", module)

        def record(run: ValidationRun, path: Path, *more: Any, _name: str = name,
                   _real: Any = real) -> Any:
            CALLS[_name].append((run, Path(path)))
            if _real is not None:
                return _real(run, path, *more)
            if _name == "report":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                Path(path).write_bytes(b"stand-in")
                return path
            return []

        monkeypatch.setattr(module, function, record, raising=False)


def invoke(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(root)
    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


def test_all_accepted_exit_0(r: Returns, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(r.root, "--quarter", "2025-26-Q1", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (native(f"returns/{Q1}/ASCH_{Q1}.xlsx")
                        + ": Adult Social Care and Health (ASCH), "
                        "Accepted")
    assert "4 files checked: 4 accepted." in lines
    plan = load_plan(r.root / "templates" / "plan.xlsx")
    items = len(plan.measures) + len(plan.actions) + len(plan.savings) + len(plan.risks)
    assert f"Read {items} rows of measures, actions, savings and risks." in lines
    assert lines[-1] == f"Report: outputs/validation-{Q1}.xlsx"
    run, path = CALLS["report"][0]
    assert path == r.root / "outputs" / f"validation-{Q1}.xlsx" and path.exists()
    assert len(run.results) == 4 and CALLS["feedback"] == []


def test_rejected_return_exit_1_errors_before_warnings(
        r: Returns, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    row = r.row("Actions", lambda a: a["status"] == "On track")
    broken = r.copy(tmp_path, {("Cover", "C31"): None, ("Actions", f"F{row['_row']}"): "Complete"},
                    "broken.xlsx")
    (tmp_path / "notes.txt").write_text("not a return")
    result = invoke(r.root, str(tmp_path), "--report", str(tmp_path / "out" / "v.xlsx"),
                    monkeypatch=monkeypatch)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    start = lines.index(f"{broken}: Children's Services (CS), Rejected: 1 error, 1 warning")
    assert lines[start + 1].startswith("  Error:   Cover!C31: Completed by is empty.")
    assert lines[start + 1].endswith("[signoff-missing]")
    assert lines[start + 2].startswith("  Warning: Actions!G") and "[complete-below-100]" in \
        lines[start + 2]
    assert f"{tmp_path / 'notes.txt'}: Not a return: 1 error" in lines
    assert "2 files checked: 1 rejected, 1 not a return." in lines
    assert "Traceback" not in result.output
    assert CALLS["report"][0][1] == tmp_path / "out" / "v.xlsx"


def test_json(r: Returns, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = r.copy(tmp_path, {("Cover", "C33"): "soon"}, "broken.xlsx")
    result = invoke(r.root, str(broken), "--json", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["quarter"] == str(Q1)
    first = data["returns"][0]
    assert (first["file"], first["directorate"], first["status"], first["errors"],
            first["warnings"]) == (str(broken), "CS", "Rejected", 1, 0)
    assert first["findings"] == [{
        "severity": "Error", "file": str(broken), "directorate": "CS", "sheet": "Cover",
        "cell": "C33", "code": "signoff-date",
        "message": "Cover!C33: 'soon' is not a date. Type the date the return was approved as a "
                   "date, such as 14/07/2025."}]
    # with a later, valid return for the same directorate, the broken one is superseded
    result = invoke(r.root, str(broken), str(r.clean), "--json", monkeypatch=monkeypatch)
    assert result.exit_code == 0
    statuses = [(x["status"], x["errors"], x["warnings"]) for x in
                json.loads(result.output)["returns"]]
    assert statuses == [("Superseded", 1, 1), ("Accepted", 0, 0)]


def test_paths_without_quarter_take_each_returns_own(
        r: Returns, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(r.root, str(r.clean_q2), monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    code = CALLS["report"][0][0].results[0].directorate
    # one file's report sits beside the quarter's, named after it, rather than over it
    assert CALLS["report"][0][1] == r.root / "outputs" / f"validation-2025-26-Q2-{code}.xlsx"
    result = invoke(r.root, str(r.clean_q2), "-q", "2025-26-Q1", monkeypatch=monkeypatch)
    assert result.exit_code == 1 and "[wrong-quarter]" in result.output


def test_feedback_is_written(r: Returns, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke(r.root, "-q", "2025-26-Q1", "--feedback", str(tmp_path / "fb"),
                    monkeypatch=monkeypatch)
    assert result.exit_code == 0
    run, folder = CALLS["feedback"][0]
    assert folder == tmp_path / "fb" and len(run.results) == 4
    assert "Feedback: " in result.output


@pytest.mark.parametrize(("args", "says"), [
    ((), "Give --quarter"),
    (("-q", "2025-26-Q5"), "2025-26-Q1"),
    (("-q", "2024-25-Q1"), native("returns/2024-25-Q1") + ": there is no such folder"),
    (("no-such-file.xlsx",), "no-such-file.xlsx: there is no such file or folder"),
])
def test_usage_errors_exit_2(r: Returns, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...],
                             says: str) -> None:
    result = invoke(r.root, *args, monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert says in result.output and "Traceback" not in result.output


def test_invalid_register_is_a_configuration_error(
        r: Returns, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "plan.xlsx"
    bad.write_text("not a workbook")
    result = invoke(r.root, str(r.clean), "--plan", str(bad), monkeypatch=monkeypatch)
    assert result.exit_code == 2 and "plan.xlsx" in result.output


def test_validate_compares_returns_with_the_whole_register(
        r: Returns, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """validate compares every pre-filled value with the register's items (SPEC section 7), so
    a mistake anywhere in the register is a configuration error naming its cell."""
    import openpyxl

    from workbook_tools.errors import PlanError
    from workbook_tools.plan.register import load_plan

    def register(name: str, sheet: str, ref: str, value: Any) -> Path:
        workbook = openpyxl.load_workbook(r.root / "templates" / "plan.xlsx")
        workbook[sheet][ref] = value
        workbook.save(tmp_path / name)
        return tmp_path / name

    measures = register("measures.xlsx", "Measures", "E2", "furlongs")
    with pytest.raises(PlanError, match="furlongs"):
        load_plan(measures)
    result = invoke(r.root, str(r.clean), "--plan", str(measures), monkeypatch=monkeypatch)
    assert result.exit_code == 2 and "Measures!E2" in result.output

    directorates = register("directorates.xlsx", "Directorates", "B2", None)
    result = invoke(r.root, str(r.clean), "--plan", str(directorates), monkeypatch=monkeypatch)
    assert result.exit_code == 2 and "Directorates!B2" in result.output

    council = register("council.xlsx", "Settings", "B2", "Another Council")
    result = invoke(r.root, str(r.clean), "--plan", str(council), monkeypatch=monkeypatch)
    assert result.exit_code == 1 and "[wrong-council]" in result.output


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["validate", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "workbook-tools validate --quarter" in result.output


def test_lock_file_and_empty_folder(r: Returns, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke(r.root, str(empty), monkeypatch=monkeypatch)
    # nothing to check is not a success, and the quarter's last report is left as it was
    assert result.exit_code == 1 and "No returns to check in" in result.output
    assert CALLS["report"] == []
    shutil.copy(r.clean, tmp_path / "CS.xlsx")
    (tmp_path / "~$CS.xlsx").write_bytes(b"\x00" * 165)
    result = invoke(r.root, str(tmp_path / "CS.xlsx"), str(tmp_path / "~$CS.xlsx"),
                    monkeypatch=monkeypatch)
    assert "~$CS.xlsx is Excel's lock file" in result.output
