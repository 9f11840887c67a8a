"""`status`: each directorate's return against the deadline, and the chasing email drafts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import io
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import Q1
from outputs_support import Folder, make_folder, mistakes

from workbook_tools.cli import cli
from workbook_tools.returns import layout
from workbook_tools.returns.feedback import PROBLEMS_SHEET
from workbook_tools.returns.findings import Finding, Severity, ValidationRun
from workbook_tools.returns.status import (
    MAX_LISTED,
    chase_email,
    directorate_status,
    return_for,
    write_chase_emails,
)
from workbook_tools.returns.validate import validate_paths

DEADLINE = dt.date(2025, 7, 15)  # Q1 ends 30 June; the example allows 15 days


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2025, 7, day, hour)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Folder:
    """CS accepted on time, ASCH rejected, CST accepted with a warning two days late, PL not
    received."""
    f = make_folder(tmp_path_factory.mktemp("status") / "ws")
    f.fill("CS", received=_at(14))
    asch = f.fill("ASCH")
    f.fill("ASCH", mistakes(asch), received=_at(16))
    f.fill("CST", {("Actions", "F5"): "Complete", ("Actions", "G5"): 50}, received=_at(17))
    return f


@pytest.fixture(scope="module")
def run(folder: Folder) -> ValidationRun:
    return validate_paths([folder.returns], Q1, folder.plan)


def _parse(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_each_directorate_in_the_register_order(folder: Folder, run: ValidationRun) -> None:
    rows = directorate_status(folder.plan, Q1, run, dt.date(2025, 7, 18))
    assert [r.code for r in rows] == [d.code for d in folder.plan.directorates]
    by_code = {r.code: r for r in rows}
    assert by_code["CS"].status == "Accepted"
    assert by_code["CS"].file == folder.returns / f"CS_{Q1}.xlsx"
    assert by_code["CS"].received == _at(14)
    assert by_code["CS"].timing == "on time"
    assert (by_code["ASCH"].status, by_code["ASCH"].errors, by_code["ASCH"].warnings) == (
        "Rejected", 2, 1)
    assert by_code["ASCH"].shown_status == "Rejected (2 errors)"
    assert by_code["CST"].shown_status == "Accepted with warnings (1 warning)"
    assert by_code["CST"].timing == "2 days late"
    assert (by_code["PL"].status, by_code["PL"].file, by_code["PL"].received) == (
        "Not received", None, None)
    assert by_code["PL"].contact == folder.plan.directorate("PL").email
    assert [r.code for r in rows if r.needs_chasing] == ["ASCH", "PL"]


@pytest.mark.parametrize(("today", "days", "timing"), [
    (dt.date(2025, 7, 10), 5, "due in 5 days"),
    (dt.date(2025, 7, 14), 1, "due tomorrow"),
    (DEADLINE, 0, "due today"),
    (dt.date(2025, 7, 16), -1, "1 day overdue"),
    (dt.date(2025, 8, 1), -17, "17 days overdue"),
])
def test_days_to_the_deadline(folder: Folder, run: ValidationRun, today: dt.date, days: int,
                              timing: str) -> None:
    rows = {r.code: r for r in directorate_status(folder.plan, Q1, run, today)}
    assert rows["PL"].deadline == DEADLINE
    assert rows["PL"].days_to_deadline == days
    assert rows["PL"].timing == timing
    assert rows["ASCH"].timing == timing  # rejected: still needed
    # CS's return came on the 14th: before that day it has not arrived
    assert rows["CS"].timing == ("on time" if today >= _at(14).date() else timing)


def test_an_accepted_resubmission_counts_over_a_rejected_one(folder: Folder,
                                                             run: ValidationRun) -> None:
    rejected = next(r for r in run.results if r.directorate == "ASCH")
    accepted = dataclasses.replace(rejected, status="Accepted", findings=[],
                                   received=_at(1), path=folder.returns / "earlier.xlsx")
    superseded = dataclasses.replace(rejected, status="Superseded", received=_at(20))
    chosen = return_for("ASCH", ValidationRun(Q1, [rejected, accepted, superseded]))
    assert chosen is accepted


def test_chase_emails_for_missing_and_rejected(folder: Folder, run: ValidationRun,
                                               tmp_path: Path) -> None:
    rows = directorate_status(folder.plan, Q1, run, dt.date(2025, 7, 18))
    paths = write_chase_emails(rows, folder.plan, Q1, run, tmp_path / "chase",
                               folder.root / "outputs" / "blank" / str(Q1))
    assert [p.name for p in paths] == [f"ASCH_{Q1}_chase.eml", f"PL_{Q1}_chase.eml"]
    council = folder.plan.settings.council_name

    rejected = _parse(paths[0])
    assert rejected["X-Unsent"] == "1"
    assert rejected["To"].addresses[0].addr_spec == folder.plan.directorate("ASCH").email
    assert rejected["Subject"] == f"{council}: {Q1} performance return: action needed"
    assert "performance team" in str(rejected["From"])
    body = _body(rejected)
    asch = next(r for r in run.results if r.directorate == "ASCH")
    for error in asch.errors:
        assert error.message in body  # each error, with its cell
    assert "Cover!C32" in body and f"Measures!{layout.MEASURES.letter('actual')}" in body
    assert "1 warning to check" in body
    assert "Tuesday 15 July 2025, 3 days ago" in body
    (attached,) = rejected.iter_attachments()
    assert attached.get_filename() == f"ASCH_{Q1}_feedback.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(attached.get_content()))
    assert workbook.sheetnames[0] == PROBLEMS_SHEET

    missing = _parse(paths[1])
    assert missing["To"].addresses[0].addr_spec == folder.plan.directorate("PL").email
    body = _body(missing)
    assert "not yet received" in body
    assert "Tuesday 15 July 2025, 3 days ago" in body
    assert f"PL_{Q1}.xlsx" in body
    (attached,) = missing.iter_attachments()
    assert attached.get_filename() == f"PL_{Q1}.xlsx"
    assert attached.get_content() == (folder.blank["PL"]).read_bytes()


def test_chase_before_the_deadline_and_without_attachments(folder: Folder, run: ValidationRun,
                                                           tmp_path: Path) -> None:
    rows = directorate_status(folder.plan, Q1, run, dt.date(2025, 7, 10))
    paths = write_chase_emails(rows, folder.plan, Q1, run, tmp_path)
    missing = _parse(paths[1])
    assert "The deadline is Tuesday 15 July 2025 (due in 5 days)." in _body(missing)
    assert list(missing.iter_attachments()) == []
    again = write_chase_emails(rows, folder.plan, Q1, run, tmp_path / "again")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]


def test_a_long_list_of_errors_is_capped(folder: Folder, run: ValidationRun) -> None:
    rows = {r.code: r for r in directorate_status(folder.plan, Q1, run, DEADLINE)}
    asch = next(r for r in run.results if r.directorate == "ASCH")
    many = [Finding(Severity.ERROR, str(asch.path), "ASCH", "Measures", f"J{n}", "value-missing",
                    f"Measures!J{n}: the actual is missing.") for n in range(5, 5 + 35)]
    result = dataclasses.replace(asch, findings=many)
    body = _body(chase_email(rows["ASCH"], folder.plan.directorate("ASCH"), folder.plan, Q1,
                             result))
    assert f"Measures!J{5 + MAX_LISTED - 1}:" in body
    assert f"Measures!J{5 + MAX_LISTED}:" not in body
    assert "... and 5 more" in body
    assert "35 problems need putting right" in body


# ---------------------------------------------------------------------------------------------
# The command.


def test_status_command_lists_every_directorate(folder: Folder,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder.root)
    (folder.returns / "notes.txt").write_text("not a return")
    try:
        result = CliRunner().invoke(cli, ["status", "-q", "Q1 2025/26", "--today",
                                          "2025-07-18"])
    finally:
        (folder.returns / "notes.txt").unlink()
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == (f"{folder.plan.settings.council_name}, {Q1}: deadline Tuesday 15 July "
                        "2025 (3 days ago).")
    by_code = {line.split()[0]: line for line in lines[2:6]}
    assert set(by_code) == {"CS", "ASCH", "CST", "PL"}
    assert "Accepted" in by_code["CS"] and "14/07/2025 10:00" in by_code["CS"]
    assert "on time" in by_code["CS"] and f"CS_{Q1}.xlsx" in by_code["CS"]
    assert "Rejected (2 errors)" in by_code["ASCH"] and "3 days overdue" in by_code["ASCH"]
    assert "Accepted with warnings (1 warning)" in by_code["CST"]
    assert "2 days late" in by_code["CST"]
    assert "Not received" in by_code["PL"] and "3 days overdue" in by_code["PL"]
    assert "notes.txt (not a return)" in result.output
    assert lines[-1] == ("4 directorates: 1 accepted, 1 accepted with warnings, 1 rejected, "
                         "1 not received.")


def test_status_command_writes_chase_drafts(folder: Folder, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.chdir(folder.root)
    result = CliRunner().invoke(cli, ["status", "--quarter", str(Q1), "--today", "2025-07-18",
                                      "--chase", str(tmp_path / "chase")])
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in (tmp_path / "chase").iterdir()) == [
        f"ASCH_{Q1}_chase.eml", f"PL_{Q1}_chase.eml"]
    assert "Wrote 2 email drafts" in result.output


def test_status_exits_0_when_every_return_is_accepted(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    f = make_folder(tmp_path / "ws")
    for code in f.blank:
        f.fill(code, received=_at(1))
    monkeypatch.chdir(f.root)
    result = CliRunner().invoke(cli, ["status", "-q", str(Q1), "--today", "2025-07-18",
                                      "--chase", "chase"])
    assert result.exit_code == 0, result.output
    assert "4 directorates: 4 accepted." in result.output
    assert "Wrote 0 email drafts" in result.output
    assert list((f.root / "chase").iterdir()) == []


def test_status_before_any_return_arrives(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    """No returns folder yet for the quarter: everyone is not received."""
    monkeypatch.chdir(folder.root)
    result = CliRunner().invoke(cli, ["status", "-q", "2025-26-Q2", "--today", "2025-10-01"])
    assert result.exit_code == 1, result.output
    assert "4 directorates: 4 not received." in result.output
    assert "due in 14 days" in result.output  # Q2 ends 30 September; deadline 15 October


@pytest.mark.parametrize(("args", "message"), [
    (["status", "-q", "2025 Q5"], "is not a quarter"),
    (["status", "-q", str(Q1), "--returns", "nowhere"], "nowhere: there is no such folder"),
    (["status", "-q", str(Q1), "--today", "18/07/2025"], "--today"),
    (["status", "-q", str(Q1), "--plan", "missing.xlsx"], "missing.xlsx"),
])
def test_status_usage_problems_exit_2(folder: Folder, monkeypatch: pytest.MonkeyPatch,
                                      args: list[str], message: str) -> None:
    monkeypatch.chdir(folder.root)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_status_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["status", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "workbook-tools status --quarter 2025-26-Q1" in result.output


def test_status_as_on_a_day_counts_nothing_received_after_it(
        folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --today, a return received after that day had not arrived yet: the header and the
    rows agree, and no row shows a received date later than the day."""
    monkeypatch.chdir(folder.root)
    result = CliRunner().invoke(cli, ["status", "-q", str(Q1), "--today", "2025-07-15"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("deadline Tuesday 15 July 2025 (today).")
    by_code = {line.split()[0]: line for line in lines[2:6]}
    assert "Accepted" in by_code["CS"] and "on time" in by_code["CS"]
    for code in ("ASCH", "CST", "PL"):  # received on the 16th and 17th: not yet
        assert "Not received" in by_code[code] and "due today" in by_code[code]
        assert "/07/2025" not in by_code[code]
    assert lines[-1] == "4 directorates: 1 accepted, 3 not received."


def test_simulated_returns_arrive_in_their_quarter(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated returns are received between the quarter's end and its deadline, so status
    counts them on time, however long after the quarter the simulation ran."""
    f = make_folder(tmp_path / "ws")
    monkeypatch.chdir(f.root)
    simulated = CliRunner().invoke(cli, ["simulate", "-q", str(Q1)])
    assert simulated.exit_code == 0, simulated.output
    result = CliRunner().invoke(cli, ["status", "-q", str(Q1), "--today", "2025-07-15"])
    assert result.exit_code == 0, result.output
    rows = result.output.splitlines()[2:6]
    assert all("on time" in row for row in rows), result.output
    for row in rows:
        received = dt.datetime.strptime(" ".join(row.split()[-5:-3]), "%d/%m/%Y %H:%M")
        assert dt.date(2025, 7, 1) <= received.date() <= DEADLINE
    assert "late" not in result.output
