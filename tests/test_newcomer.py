"""What a newcomer meets first (issue 17): a README that stands alone, advice that names a real
quarter, a spaced quarter typed without quotes, nothing to check, and a validation report that
says what it is and is not overwritten by a one-file check."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner, Result

from workbook_tools.cli import cli
from workbook_tools.quarters import parse_quarter, unquoted_quarter
from workbook_tools.returns.report import HEADER_ROW

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_every_link_in_the_readme_and_docs_resolves_inside_the_repository() -> None:
    pages = [README, *sorted((ROOT / "docs").glob("*.md"))]
    assert {p.name for p in pages} >= {"README.md", "SPEC.md", "DESIGN.md"}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text, page.name
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            assert not target.startswith(("http:", "https:", "/")), (page.name, target)
            resolved = (page.parent / target).resolve()
            assert resolved.is_relative_to(ROOT) and resolved.exists(), (page.name, target)
    readme = README.read_text(encoding="utf-8")
    for doc in ("docs/SPEC.md", "docs/DESIGN.md"):
        assert f"]({doc})" in readme


def test_the_readme_says_how_to_activate_the_environment() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "source .venv/bin/activate" in readme
    assert ".venv\\Scripts\\activate" in readme  # Windows: Command Prompt
    assert ".venv\\Scripts\\Activate.ps1" in readme  # Windows: PowerShell
    for marker in ("<!-- demo-command -->", "<!-- test-command -->"):
        assert marker in readme


def test_the_readme_quotes_every_spaced_quarter_and_each_parses() -> None:
    readme = README.read_text(encoding="utf-8")
    fenced = re.findall(r"```[a-z]*\n(.*?)```", readme, re.DOTALL)
    prose = re.sub(r"```.*?```", "", readme, flags=re.DOTALL)
    forms = [span for span in re.findall(r"`([^`\n]+)`", prose)
             if re.search(r"20\d\d", span) and re.search(r"Q[1-4]", span)
             and not span.startswith("workbook-tools")]
    spaced = [f for f in forms if " " in f]
    assert len(spaced) >= 4
    for form in spaced:
        inner = re.search(r'"([^"]+)"', form)
        assert inner is not None, f"{form} has a space but no quotes"
        parse_quarter(inner.group(1))
    for block in fenced:  # every command in the README, as a shell would split it
        for line in block.splitlines():
            if line.startswith("workbook-tools"):
                assert unquoted_quarter(shlex.split(line, comments=True)) == "", line


@pytest.mark.parametrize(("args", "whole"), [
    (["status", "--quarter", "Q2", "2025/26"], '--quarter "Q2 2025/26"'),
    (["generate", "-q", "2025/26", "Q1"], '-q "2025/26 Q1"'),
    (["validate", "--quarter=Q1", "2025-26"], '--quarter "Q1 2025-26"'),
    (["summarise", "--quarter", "2025-26", "Q3"], '--quarter "2025-26 Q3"'),
])
def test_a_spaced_quarter_without_quotes_is_told_to_quote_it(
        workspace: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], whole: str) -> None:
    monkeypatch.chdir(workspace)
    result = run(*args)
    assert result.exit_code == 2
    assert f"Put it in quotes: {whole}" in result.output
    assert "Traceback" not in result.output
    assert not (workspace / "outputs" / "blank").exists()


def test_a_quarter_that_is_simply_wrong_is_not_told_to_quote(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    result = run("status", "--quarter", "Q5", "2025/26")
    assert result.exit_code == 2
    assert "'Q5' is not a quarter. Use one of" in result.output and "quotes" not in result.output


def test_quarter_help_names_each_form_once() -> None:
    for command in ("generate", "validate", "status", "summarise"):
        result = run(command, "--help")
        text = " ".join(result.output.split())
        option = text[text.index("--quarter QUARTER"):]
        option = option[:option.index("quotes)") + 7]
        assert option.count("2025-26-Q1") == 1, option
        assert '"Q1 2025/26"' in option


def test_validate_with_nothing_to_check_is_not_success(workspace: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    folder = workspace / "returns" / "2025-26-Q1"
    folder.mkdir(parents=True)
    report = workspace / "outputs" / "validation-2025-26-Q1.xlsx"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_bytes(b"last run's report")
    result = run("validate", "--quarter", "2025-26-Q1")
    assert result.exit_code == 1
    assert (f"No returns to check in {Path('returns/2025-26-Q1')} (one is expected from each of "
            "CS, ASCH, PL and CST)") in result.output
    assert report.read_bytes() == b"last run's report"


def test_summarise_without_options_names_a_real_quarter(workspace: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    before = run("summarise")  # no master yet: say what to run first, with a real quarter
    assert before.exit_code == 2
    assert "run 'workbook-tools consolidate --quarter 2025-26-Q1' first" in before.output
    assert "Then give --quarter" in before.output and "--year 2025-26" in before.output
    assert "not both" not in before.output
    for args in (["generate", "-q", "2025-26-Q1"], ["simulate", "-q", "2025-26-Q1"],
                 ["consolidate", "-q", "2025-26-Q1"]):
        assert run(*args).exit_code == 0
    after = run("summarise")
    assert after.exit_code == 2
    assert ("'workbook-tools summarise --quarter 2025-26-Q1' or 'workbook-tools summarise "
            "--year 2025-26'") in after.output
    assert "not both" not in after.output
    both = run("summarise", "-q", "2025-26-Q1", "--year", "2025-26")
    assert both.exit_code == 2 and "not both" in both.output


def test_export_without_a_master_names_a_real_quarter(workspace: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    result = run("export")
    assert result.exit_code == 2
    assert "run 'workbook-tools consolidate --quarter 2025-26-Q1' first" in result.output
    assert "--quarter Q'" not in result.output
    for args in (["generate", "-q", "2025-26-Q2"], ["simulate", "-q", "2025-26-Q2"]):
        assert run(*args).exit_code == 0
    result = run("export")  # the quarter whose returns are in
    assert "run 'workbook-tools consolidate --quarter 2025-26-Q2' first" in result.output


def test_validation_report_heading_and_one_file_beside_the_quarters(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    for args in (["generate", "-q", "2025-26-Q1"], ["simulate", "-q", "2025-26-Q1"]):
        assert run(*args).exit_code == 0
    assert run("validate", "-q", "2025-26-Q1").exit_code == 0
    outputs = workspace / "outputs"
    quarter_report = outputs / "validation-2025-26-Q1.xlsx"
    book = openpyxl.load_workbook(quarter_report)
    for name in ("Returns", "Findings"):
        sheet = book[name]
        assert sheet["A1"].value == "Validation report: Derbyshire County Council, 2025-26-Q1"
        assert sheet["A1"].font.b
        assert sheet["A2"].value.startswith("4 files checked: 4 accepted")
        assert sheet.cell(HEADER_ROW + 1, 1).value in ("File", "Severity")
    assert book.properties.title == "Validation report: Derbyshire County Council, 2025-26-Q1"
    before = quarter_report.read_bytes()
    one = workspace / "returns" / "2025-26-Q1" / "PL_2025-26-Q1.xlsx"
    result = run("validate", "-q", "2025-26-Q1", str(one))
    assert result.exit_code == 0, result.output
    beside = outputs / "validation-2025-26-Q1-PL.xlsx"
    assert f"Report: {Path('outputs/validation-2025-26-Q1-PL.xlsx')}" in result.output
    assert quarter_report.read_bytes() == before
    sheet = openpyxl.load_workbook(beside)["Returns"]
    assert sheet["A2"].value.startswith("1 file checked")
    assert sheet.cell(HEADER_ROW + 2, 1).value == one.name


def test_every_command_with_a_quarter_uses_the_same_help() -> None:
    quarters = [p for c in cli.commands.values() for p in c.params
                if isinstance(p, click.Option) and "--quarter" in p.opts]
    assert len(quarters) >= 5
    assert len({p.help.split(" Needed")[0] for p in quarters if p.help}) == 1
