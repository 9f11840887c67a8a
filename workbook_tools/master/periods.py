"""Quarters that stay closed (SPEC sections 1 and 8): `close` records in the master's `Periods`
sheet that a quarter went to Cabinet; a closed quarter is never changed (consolidate, or a ledger
for it, is refused) until `reopen` records why it must change. One row per change: Quarter,
Status (Closed / Reopened), When, Who, Reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from workbook_tools.errors import ConfigurationError, UsageError
from workbook_tools.files.cells import is_blank
from workbook_tools.master.columns import MasterSheet
from workbook_tools.master.existing import read_existing_master
from workbook_tools.master.read import NOTHING_CHANGED, Master, canonical_quarter
from workbook_tools.master.safe import check_not_open, login_name, master_state, write_safely
from workbook_tools.quarters import Quarter


class PeriodStatus(StrEnum):
    """A Periods row's Status: the quarter closed, or reopened to be changed."""

    CLOSED = "Closed"
    REOPENED = "Reopened"


CLOSED, REOPENED = PeriodStatus.CLOSED, PeriodStatus.REOPENED


class ClosedQuarterError(ConfigurationError):
    """The quarter is closed in the master: it must be reopened, with a reason, to change it."""


@dataclass(frozen=True)
class Period:
    """One row of the Periods sheet: a quarter closed or reopened."""

    quarter: str
    status: PeriodStatus
    when: dt.datetime | None
    who: str
    reason: str

    def described(self) -> str:
        """'closed by jsmith on 10 September 2025 at 14:02 (Reported to Cabinet)'."""
        who = f" by {self.who}" if self.who else ""
        when = f" on {self.when:%d %B %Y at %H:%M}" if self.when else ""
        why = f" ({self.reason})" if self.reason else ""
        return f"{self.status.lower()}{who}{when}{why}"

    def row(self) -> dict[str, Any]:
        return {"Quarter": self.quarter, "Status": self.status, "When": self.when,
                "Who": self.who or None, "Reason": self.reason or None}


def periods_from_rows(rows: Iterable[dict[str, Any]]) -> list[Period]:
    """The Periods sheet's rows as periods, in the order they were recorded."""
    found = []
    for row in rows:
        quarter = canonical_quarter(row.get("Quarter"))
        status = str(row.get("Status") or "").strip().capitalize()
        if quarter is None or status not in (CLOSED, REOPENED):
            continue
        when = row.get("When")
        if isinstance(when, dt.date) and not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time())
        when = when if isinstance(when, dt.datetime) else None
        found.append(Period(quarter, PeriodStatus(status), when,
                            "" if is_blank(row.get("Who")) else str(row["Who"]),
                            "" if is_blank(row.get("Reason")) else str(row["Reason"])))
    return found


def latest_periods(rows: Iterable[dict[str, Any]]) -> dict[str, Period]:
    """Each quarter's latest change: it is closed when that change is a close."""
    latest: dict[str, Period] = {}
    for period in periods_from_rows(rows):
        latest[period.quarter] = period
    return latest


def closed_period(master: Master, quarter: Quarter | str) -> Period | None:
    """The close that holds `quarter`, None when it is open."""
    period = latest_periods(master.sheets[MasterSheet.PERIODS]).get(str(quarter))
    return period if period is not None and period.status == CLOSED else None


def reopened_period(master: Master, quarter: Quarter | str) -> Period | None:
    """The reopen `quarter` is under (its latest change), None when it was never reopened or
    was closed again since."""
    period = latest_periods(master.sheets[MasterSheet.PERIODS]).get(str(quarter))
    return period if period is not None and period.status == REOPENED else None


def refuse_closed(master: Master, path: Path, quarters: Iterable[str], what: str) -> None:
    """Refuse to change a closed quarter.

    Raises:
        ClosedQuarterError: naming who closed it, when, and the reopen command.
    """
    for quarter in sorted(set(quarters)):
        period = closed_period(master, quarter)
        if period is not None:
            raise ClosedQuarterError(
                f"{path}: {quarter} was {period.described()}, so {what} is refused; to change "
                f"it, run 'workbook-tools reopen --quarter {quarter} --reason \"why it must "
                f"change\"' first. {NOTHING_CHANGED}")


@dataclass
class PeriodChange:
    """What `close` or `reopen` recorded, and where the previous master was kept."""

    period: Period
    master: Path
    backup: Path | None
    notes: list[str] = field(default_factory=list)  # what of people's own work was not kept


def close_quarter(master_path: Path, quarter: Quarter, reason: str | None = None,
                  now: dt.datetime | None = None, user: str | None = None,
                  backups_dir: Path | None = None) -> PeriodChange:
    """Record in the master's Periods sheet that `quarter` is closed.

    Raises:
        ConfigurationError: there is no master yet.
        UsageError: the master has no rows for the quarter, or it is already closed.
        MasterError: the master cannot be read or replaced; nothing was changed.
    """
    def check(master: Master) -> None:
        if str(quarter) not in master.quarters():
            raise UsageError(
                f"{master_path}: has no rows for {quarter} (quarters in it: "
                f"{', '.join(master.quarters()) or 'none'}); consolidate it before closing it. "
                f"{NOTHING_CHANGED}")
        period = closed_period(master, quarter)
        if period is not None:
            raise UsageError(f"{master_path}: {quarter} is already {period.described()}. "
                             f"{NOTHING_CHANGED}")

    return _record(master_path, quarter, CLOSED, reason or "", check, now, user, backups_dir)


def reopen_quarter(master_path: Path, quarter: Quarter, reason: str,
                   now: dt.datetime | None = None, user: str | None = None,
                   backups_dir: Path | None = None) -> PeriodChange:
    """Record in the master's Periods sheet that `quarter` is reopened, and why.

    Raises:
        UsageError: no reason, or the quarter is not closed.
        ConfigurationError, MasterError: as for `close_quarter`.
    """
    if not reason or not reason.strip():
        raise UsageError("Give the reason the quarter must change with --reason; it is "
                         "recorded with every correction.")

    def check(master: Master) -> None:
        if closed_period(master, quarter) is None:
            raise UsageError(f"{master_path}: {quarter} is not closed, so there is nothing to "
                             f"reopen. {NOTHING_CHANGED}")

    return _record(master_path, quarter, REOPENED, reason.strip(), check, now, user,
                   backups_dir)


def _record(master_path: Path, quarter: Quarter, status: PeriodStatus, reason: str, check: Any,
            now: dt.datetime | None, user: str | None,
            backups_dir: Path | None) -> PeriodChange:
    master_path = Path(master_path)
    check_not_open(master_path)
    before = master_state(master_path)
    master = read_existing_master(master_path, f"{master_path}: there is no master yet; "
                                  "consolidate the quarter first (or give --master).")
    check(master)
    stamp = _after_last(master, str(quarter), (now or dt.datetime.now()).replace(microsecond=0))
    period = Period(str(quarter), status, stamp, user if user is not None else login_name(),
                    reason)
    master.sheets[MasterSheet.PERIODS].append(period.row())
    backups = Path(backups_dir) if backups_dir else master_path.parent / "backups"
    backup = write_safely(master, master_path, backups, stamp, before)
    return PeriodChange(period, master_path, backup, master.notes)


def _after_last(master: Master, quarter: str, stamp: dt.datetime) -> dt.datetime:
    """`stamp`, or a second after the quarter's last close, reopen or correction when that is
    as late (times are kept to the second): the corrections made under a reopen are those
    recorded from its time on, so a change must never share a second with the one before."""
    times = [r.get("When") for name in (MasterSheet.PERIODS, MasterSheet.CORRECTIONS)
             for r in master.sheets[name] if r.get("Quarter") == quarter]
    latest = max((t for t in times if isinstance(t, dt.datetime)), default=None)
    return max(stamp, latest + dt.timedelta(seconds=1)) if latest is not None else stamp


def read_periods(master_path: Path) -> dict[str, Period]:
    """Each quarter's latest change, read from the master's Periods sheet alone (for `status`);
    empty when there is no master or no Periods sheet.

    Raises:
        UnreadableFileError: the master cannot be read safely.
    """
    from workbook_tools.files.guard import SafeWorkbook
    from workbook_tools.master.read import MASTER_LIMITS

    master_path = Path(master_path)
    if not master_path.exists():
        return {}
    with SafeWorkbook(master_path, MASTER_LIMITS) as workbook:
        if MasterSheet.PERIODS not in workbook.sheet_names:
            return {}
        rows = workbook.read(MasterSheet.PERIODS)[0]
    if not rows:
        return {}
    header = [str(h).strip() for h in rows[0]]
    return latest_periods(dict(zip(header, row, strict=False)) for row in rows[1:])
