"""Several files for one directorate and quarter (returns/validate.py): the latest valid one is
taken, the others superseded; identical copies count once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook_tools.returns import layout
from workbook_tools.returns.findings import (
    NOT_A_RETURN,
    REJECTED,
    SUPERSEDED,
    Finding,
    ReturnResult,
)
from workbook_tools.returns.rules.catalogue import RULES


def _signed(result: ReturnResult) -> dt.date:
    signed = result.data.cover.get(layout.SIGNOFF_DATE) if result.data else None
    return signed if isinstance(signed, dt.date) else dt.date.min


def resolve_resubmissions(results: list[ReturnResult]) -> None:
    """Several files for one directorate and quarter: the latest valid one (latest sign-off
    date, then file time) is taken, the others are superseded; identical copies count once; two
    different valid files that cannot be told apart are both refused."""
    groups: dict[tuple[str, str], list[ReturnResult]] = {}
    for result in results:
        if result.status != NOT_A_RETURN and result.directorate and result.quarter:
            groups.setdefault((result.directorate, result.quarter), []).append(result)
    for (directorate, quarter), group in groups.items():
        if len(group) < 2:
            continue
        names = {"directorate": directorate, "quarter": quarter}
        distinct: dict[str, ReturnResult] = {}
        for result in group:
            first = distinct.setdefault(result.sha256, result)
            if first is not result:
                _supersede(result, first.path, RULES["duplicate-copy"].finding(
                    str(result.path), directorate, "", "", other=first.path.name))
        valid = sorted((r for r in distinct.values() if r.accepted),
                       key=lambda r: (_signed(r), r.received), reverse=True)
        if not valid:
            continue
        best = valid[0]
        ties = [r for r in valid[1:] if (_signed(r), r.received) == (_signed(best), best.received)]
        chosen = None if ties else best
        for result in distinct.values():
            if result is chosen:
                continue
            if ties and result in (best, *ties):
                other = next(r for r in (best, *ties) if r is not result)
                result.status = REJECTED
                result.findings.insert(0, RULES["resubmission-undecidable"].finding(
                    str(result.path), directorate, "", "", file=result.path.name,
                    other=other.path.name, **names))
            elif chosen is not None:
                newer = not result.accepted and result.received > chosen.received
                _supersede(result, chosen.path, RULES["superseded"].finding(
                    str(result.path), directorate, "", "", "errors" if newer else "later",
                    winner=chosen.path.name, **names))
            else:
                _supersede(result, None, RULES["superseded"].finding(
                    str(result.path), directorate, "", "", "undecided", **names))


def _supersede(result: ReturnResult, by: Path | None, finding: Finding) -> None:
    result.status = SUPERSEDED
    result.superseded_by = by
    result.findings.insert(0, finding)
