"""Who has sent their return (SPEC section 5, `status`): each directorate of the register, not
received, rejected, accepted or accepted with warnings, against the deadline; and email drafts
(.eml) chasing those that are missing or rejected."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr
from pathlib import Path

from workbook_tools.errors import ConfigurationError
from workbook_tools.plan.register import Directorate, Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns.findings import (
    ACCEPTED_VERDICTS,
    ACCEPTED_WITH_WARNINGS,
    NOT_RECEIVED,
    REJECTED,
    ReturnResult,
    ValidationRun,
    Verdict,
)
from workbook_tools.returns.generate import return_filename
from workbook_tools.words import count, plural
from workbook_tools.workspace import make_folder

#: The most problems listed in one email; the rest are counted.
MAX_LISTED = 30
FROM_PLACEHOLDER = "performance.team@example.invalid"
#: CRLF line ends; headers kept on one line where they fit in RFC 5322's 998 characters.
EML = SMTP.clone(max_line_length=998)
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True)
class StatusRow:
    """One directorate's position for the quarter."""

    code: str
    name: str
    contact: str
    status: Verdict  # NOT_RECEIVED, REJECTED, ACCEPTED or ACCEPTED_WITH_WARNINGS
    errors: int
    warnings: int
    file: Path | None
    received: dt.datetime | None
    deadline: dt.date
    days_to_deadline: int  # from today; negative once the deadline has passed

    @property
    def needs_chasing(self) -> bool:
        return self.status in (NOT_RECEIVED, REJECTED)

    @property
    def shown_status(self) -> str:
        """'Rejected (3 errors)', 'Accepted with warnings (2 warnings)', 'Not received'."""
        if self.status == REJECTED:
            return f"{REJECTED} ({count(self.errors, 'error')})"
        if self.status == ACCEPTED_WITH_WARNINGS:
            return f"{ACCEPTED_WITH_WARNINGS} ({count(self.warnings, 'warning')})"
        return self.status

    @property
    def timing(self) -> str:
        """Against the deadline: 'on time' or '2 days late' for a return that was accepted,
        'due in 5 days' or '3 days overdue' for one still needed."""
        if self.status in ACCEPTED_VERDICTS and self.received is not None:
            late = (self.received.date() - self.deadline).days
            return "on time" if late <= 0 else f"{count(late, 'day')} late"
        return due_in(self.days_to_deadline)


def due_in(days: int) -> str:
    """'due in 3 days', 'due tomorrow', 'due today', '1 day overdue', '4 days overdue'."""
    if days > 1:
        return f"due in {days} days"
    if days == 1:
        return "due tomorrow"
    if days == 0:
        return "due today"
    return f"{count(-days, 'day')} overdue"


def directorate_status(plan: Plan, quarter: Quarter, run: ValidationRun,
                       today: dt.date) -> list[StatusRow]:
    """Each directorate of the register, in the register's order, with the return that counts
    for it in `run` as on `today`: the accepted one, else the latest rejected one; superseded
    files, files that are not returns and files received after `today` never count."""
    deadline = quarter.deadline(plan.settings.deadline_days)
    days = (deadline - today).days
    rows = []
    for directorate in plan.directorates:
        result = return_for(directorate.code, run, today)
        if result is None:
            rows.append(StatusRow(directorate.code, directorate.name, directorate.email,
                                  NOT_RECEIVED, 0, 0, None, None, deadline, days))
        else:
            rows.append(StatusRow(directorate.code, directorate.name, directorate.email,
                                  result.status, len(result.errors), len(result.warnings),
                                  result.path, result.received, deadline, days))
    return rows


def return_for(code: str, run: ValidationRun,
               today: dt.date | None = None) -> ReturnResult | None:
    """The return that counts for a directorate: accepted first, then the latest rejected;
    with `today`, only those received by the end of that day."""
    own = [r for r in run.results if r.directorate == code
           and r.status in (*ACCEPTED_VERDICTS, REJECTED)
           and (today is None or r.received.date() <= today)]
    if not own:
        return None
    return max(own, key=lambda r: (r.accepted, r.received, r.path.name))


def unattributed(run: ValidationRun) -> list[ReturnResult]:
    """Files in the run that belong to no directorate (not returns, unreadable files)."""
    return [r for r in run.results if not r.directorate]


# ---------------------------------------------------------------------------------------------
# Chasing emails.


def chase_filename(code: str, quarter: Quarter) -> str:
    return f"{code}_{quarter}_chase.eml"


def write_chase_emails(rows: Iterable[StatusRow], plan: Plan, quarter: Quarter,
                       run: ValidationRun, folder: Path,
                       blank_folder: Path | None = None) -> list[Path]:
    """Write an email draft (.eml, opened by Outlook as an unsent message) to each directorate
    that is missing or rejected, addressed to its contact and saying what is needed.

    A rejected return that could be read gets its feedback workbook attached (every problem
    marked); a missing one gets its blank return from `blank_folder` attached when it is there.
    The same rows and run give the same bytes.

    Returns:
        The drafts written, in the register's order.

    Raises:
        ConfigurationError: the folder cannot be written.
    """
    folder = make_folder(folder)
    paths = []
    for row in rows:
        if not row.needs_chasing:
            continue
        directorate = plan.directorate(row.code)
        result = return_for(row.code, run) if row.status == REJECTED else None
        message = chase_email(row, directorate, plan, quarter, result)
        attachment = _attachment(row, result, quarter, blank_folder)
        if attachment is not None:
            name, content = attachment
            message.add_attachment(content, *XLSX_TYPE, filename=name)
            message.set_boundary(f"==workbook-tools-{row.code}-{quarter}==")
        path = folder / chase_filename(row.code, quarter)
        try:
            path.write_bytes(message.as_bytes(policy=EML))
        except OSError as exc:
            raise ConfigurationError(f"{path}: cannot be written ({exc.strerror}).") from None
        paths.append(path)
    return paths


def chase_email(row: StatusRow, directorate: Directorate, plan: Plan, quarter: Quarter,
                result: ReturnResult | None) -> EmailMessage:
    """The draft for one directorate: polite, and specific about what is needed."""
    council = plan.settings.council_name
    message = EmailMessage()
    message["From"] = formataddr((f"{council} performance team", FROM_PLACEHOLDER))
    if directorate.email:
        message["To"] = formataddr((directorate.name, directorate.email))
    message["Subject"] = f"{council}: {quarter} performance return: action needed"
    message["X-Unsent"] = "1"
    period = f"{quarter} ({quarter.months} {quarter.start_date.year})"
    deadline = f"{row.deadline:%A} {row.deadline.day} {row.deadline:%B %Y}"
    when = (f"The deadline was {deadline}, {count(-row.days_to_deadline, 'day')} ago."
            if row.days_to_deadline < 0 else
            f"The deadline is {deadline} ({due_in(row.days_to_deadline)}).")
    lines = ["Dear colleague,", ""]
    if result is None:
        lines += [
            f"We have not yet received {directorate.name}'s performance and savings return "
            f"for {period}. {when}",
            "",
            f"Please complete the return we sent you ({return_filename(row.code, quarter)}): "
            "type in the yellow cells only, check that the Checks sheet shows Ready to "
            "submit: YES, fill in the sign-off on the Cover, and email the file back to us.",
        ]
    else:
        errors = result.errors
        lines += [
            f"Thank you for sending {directorate.name}'s performance and savings return for "
            f"{period}: {result.path.name}, received {result.received:%d/%m/%Y}. We cannot "
            f"accept it yet because {count(len(errors), 'problem')} "
            f"{plural(len(errors), 'needs', 'need')} putting right:",
            "",
        ]
        lines += [f"{n}. {f.message}" for n, f in enumerate(errors[:MAX_LISTED], start=1)]
        if len(errors) > MAX_LISTED:
            lines.append(f"... and {len(errors) - MAX_LISTED} more (the Checks sheet in the "
                         "return counts them all).")
        if result.data is not None:
            lines += ["", "The attached copy of your return marks each of these cells and "
                          "lists them on its Problems sheet, with a link to each."]
        if result.warnings:
            lines += ["", f"There {'is' if len(result.warnings) == 1 else 'are'} also "
                          f"{count(len(result.warnings), 'warning')} to check, which would not "
                          "stop the return being accepted."]
        lines += [
            "",
            "Please correct the return, check that the Checks sheet shows Ready to submit: "
            f"YES, and email it back to us. {when}",
        ]
    lines += [
        "",
        "If anything is unclear, or you need a fresh copy of the return, please reply to this "
        "email.",
        "",
        "Thank you,",
        "",
        "Performance team",
        council,
    ]
    message.set_content("\n".join(lines) + "\n", cte="quoted-printable")
    return message


def _attachment(row: StatusRow, result: ReturnResult | None, quarter: Quarter,
                blank_folder: Path | None) -> tuple[str, bytes] | None:
    """The marked-up return for a rejected return that can be read, else the blank return."""
    if result is not None and result.data is not None and result.directorate \
            and result.quarter:
        from workbook_tools.returns.feedback import feedback_filename, write_feedback_file

        name = feedback_filename(result.directorate, result.quarter)
        with tempfile.TemporaryDirectory(prefix="workbook-tools-") as scratch:
            path = write_feedback_file(result, Path(scratch) / name)
            return name, path.read_bytes()
    if blank_folder is not None:
        blank = Path(blank_folder) / return_filename(row.code, quarter)
        if blank.is_file():
            return blank.name, blank.read_bytes()
    return None

