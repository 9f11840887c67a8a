"""Data quality of a quarter (SPEC section 9, the Cabinet pack): each directorate's return as
the master holds it (not received, rejected, accepted with warnings, late), measures whose
actual is provisional, not available or missing, and corrections to a reopened quarter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from workbook_tools.master.columns import MasterSheet
from workbook_tools.quarters import parse_quarter
from workbook_tools.returns.findings import (
    ACCEPTED_VERDICTS,
    ACCEPTED_WITH_WARNINGS,
    NOT_RECEIVED,
    REJECTED,
)
from workbook_tools.returns.layout import Sheet as ReturnSheet
from workbook_tools.returns.rules import NOT_AVAILABLE, PROVISIONAL
from workbook_tools.summary import tables as t

DATA_STATUS = "Data status"


def returns_quality(frames: t.Frames, quarter: str, deadline_days: int) -> pd.DataFrame:
    """One row per directorate: its return's status, when the accepted file was received,
    whether after the deadline, its warnings, and its measures' missing, provisional and not
    available actuals."""
    subs = frames.sheets[MasterSheet.SUBMISSIONS]
    subs = subs[subs["Quarter"] == quarter]
    statuses = t.return_statuses(frames, quarter)
    deadline = parse_quarter(quarter).deadline(deadline_days)
    measures = frames.sheets[ReturnSheet.MEASURES]
    measures = measures[measures["Quarter"] == quarter]
    status_column = measures[DATA_STATUS] if DATA_STATUS in measures else \
        pd.Series(None, index=measures.index, dtype=object)
    rows = []
    for code in frames.register.directorates:
        status = statuses.get(code, NOT_RECEIVED)
        counted = subs[(subs["Directorate"] == code) & (subs["Status"] == status)]
        received = counted["Received"].max() if len(counted) else None
        own = measures["Directorate"] == code
        rows.append({
            "Directorate": frames.register.directorate_name(code),
            "Return": status,
            "Received": _date(received),
            "Late": _late(received, deadline, status),
            "Warnings": int(counted["Warnings"].fillna(0).max()) if len(counted) else None,
            "Measures with no actual": int((own & measures["Actual"].isna()).sum()),
            "Provisional": int((own & (status_column == PROVISIONAL)).sum()),
            "Not available": int((own & (status_column == NOT_AVAILABLE)).sum()),
        })
    return pd.DataFrame(rows)


def _date(value: Any) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _late(received: Any, deadline: dt.date, status: str) -> str:
    if status not in ACCEPTED_VERDICTS:
        return ""
    if received is None or pd.isna(received):
        return ""
    return "Late" if pd.Timestamp(received).date() > deadline else "On time"


def quality_counts(table: pd.DataFrame) -> dict[str, int]:
    """The data quality headline: directorates not received, rejected, late, accepted with
    warnings, and measures provisional, not available or with no actual."""
    return {
        "Returns not received": int((table["Return"] == NOT_RECEIVED).sum()),
        "Returns rejected and not yet replaced": int((table["Return"] == REJECTED).sum()),
        "Returns received after the deadline": int((table["Late"] == "Late").sum()),
        "Returns accepted with warnings": int(
            (table["Return"] == ACCEPTED_WITH_WARNINGS).sum()),
        "Measures with a provisional actual": int(table["Provisional"].sum()),
        "Measures whose actual is not available": int(table["Not available"].sum()),
        "Measures with no actual": int(table["Measures with no actual"].sum()),
    }
