"""Validation (SPEC section 7): every rule as a check that produces findings, and a whole run
over files and folders with resubmissions resolved.

The input-level rules mirror the return's Checks sheet exactly (layout.CHECKS): for every
return, the number of error findings per (sheet, code) equals the Checks count of that row, so
`Ready to submit` shows YES exactly when validate finds no input-level error. They judge values
the way the workbook's formulas do: a blank is empty or only spaces, text in a number cell is not
a number (even '12%'), a date in a number cell is its serial number, list entries match ignoring
case. Every code, with its severity and message templates, is in `RULES`.

Warnings (the return is still accepted):
- implausible-change: an actual out of line with last quarter's, allowing for the target's own
  change (change.py), so a measure following its targets, cumulative ones included, never warns;
- commentary-uninformative: an explanation that is a placeholder ('n/a', 'see above', '-', ...)
  or shorter than 10 characters, where an explanation is needed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from workbook_tools.errors import ConfigurationError, UnreadableFileError, about_file
from workbook_tools.files.guard import check_file_size
from workbook_tools.parallel import ordered_map
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout, rules
from workbook_tools.returns.change import compared_quarter_figures, implausible_change
from workbook_tools.returns.findings import (
    ACCEPTED,
    ACCEPTED_WITH_WARNINGS,
    NOT_A_RETURN,
    REJECTED,
    SUPERSEDED,
    Finding,
    ReturnResult,
    Severity,
    ValidationRun,
)
from workbook_tools.returns.layout import Context
from workbook_tools.returns.locked import has_items, register_index
from workbook_tools.returns.read import read_return
from workbook_tools.returns.returnfile import ReturnFile
from workbook_tools.returns.rules import catalogue, inputs
from workbook_tools.returns.rules.values import blank, is_text, money, num, show
from workbook_tools.returns.typed import choice_of, date_of, is_measure_due, number_of

ERROR, WARNING = Severity.ERROR, Severity.WARNING

MIN_EXPLANATION = 10  # characters
MAX_TEXT = 32_767  # characters Excel keeps in a cell
EMPTY_PHRASES = frozenset({
    "n/a", "na", "n.a", "none", "nil", "nothing", "-", "--", "---", ".", "..", "...", "?", "x",
    "tbc", "tbd", "see above", "as above", "as before", "as previous", "see previous",
    "see last quarter", "same as last quarter", "as last quarter", "no comment", "no comments",
    "no change", "ok", "fine", "nothing to report", "not applicable", "see attached",
})

#: Every rule code: file, structure, input (the Checks sheet's), warning and resubmission rules.
RULES = catalogue.RULES

#: The codes the Checks sheet counts (its rows, and the Cover's sign-off).
CHECKS_CODES = inputs.CHECKS_CODES


def one_per_cell(findings: list[Finding]) -> list[Finding]:
    """One mistake, one finding: a cell that has an error gets no warning as well (a negative
    amount is not also 'less than last quarter'); the warning is checked again once the error
    is put right."""
    wrong = {(f.sheet, f.cell) for f in findings if f.severity is Severity.ERROR and f.cell}
    return [f for f in findings
            if f.severity is Severity.ERROR or not f.cell or (f.sheet, f.cell) not in wrong]


def uninformative(text: str | None) -> bool:
    """An explanation that explains nothing: a placeholder or a few characters."""
    if text is None:
        return False
    stripped = " ".join(text.split())
    folded = stripped.casefold().strip(" .!")
    return len(stripped) < MIN_EXPLANATION or folded in EMPTY_PHRASES or stripped in EMPTY_PHRASES


# ---------------------------------------------------------------------------------------------
# The checks on one return.


_TEXT_INPUTS = {name: tuple(c.key for c in spec.inputs) for name, spec in layout.SHEETS.items()}
_Ref = Callable[[str], str]  # a column key -> that column's cell on the row, such as 'J12'


def _cell_ref(letters: dict[str, str], row1: int, key: str) -> str:
    return f"{letters[key]}{row1}"


_SIGNOFF_KEYS = {"completed": layout.COMPLETED_BY, "approved": layout.APPROVED_BY,
                 "date": layout.SIGNOFF_DATE}


class _Checker:
    """Collects one return's input findings (the rule registry's checks, as the Checks sheet
    counts them) and warnings."""

    def __init__(self, rf: ReturnFile, context: Context | None) -> None:
        self.rf = rf
        self.context = context
        self.findings: list[Finding] = []
        assert rf.quarter is not None
        self.quarter: Quarter = rf.quarter
        self.checks: dict[str, list[inputs.Check]] = {}
        for check in inputs.CHECKS:
            self.checks.setdefault(check.sheet, []).append(check)

    def add(self, code: str, sheet: str, cell: str, variant: str = "", **fields: Any) -> None:
        self.findings.append(RULES[code].finding(self.rf.file, self.rf.directorate, sheet, cell,
                                                 variant, **fields))

    def known(self, sheet: str, ref: str) -> bool:
        """False for a cell already reported as holding an unsaved formula or an error."""
        unknown = self.rf.unknown_cells
        return not unknown or ref not in unknown.get(sheet, ())

    def apply(self, sheet: str, seen: inputs.Seen, ref: _Ref) -> None:
        """Every input rule of the sheet on one row (a cell that cannot be known is not
        judged: it is reported already)."""
        for check in self.checks.get(sheet, ()):
            cell = ref(check.column)
            if check.test is None or not self.known(sheet, cell):
                continue
            fields = check.test(seen)
            if fields is not None:
                self.add(check.code, sheet, cell, check.variant, **fields)

    def rows(self, sheet: str) -> Iterator[tuple[dict[str, Any], dict[str, Any], _Ref]]:
        spec = layout.SHEETS[sheet]
        letters = {c.key: spec.letter(c.key) for c in spec.columns}
        assert self.rf.data is not None
        for raw, typed in zip(self.rf.raw[sheet], self.rf.data.rows[sheet], strict=True):
            row_ref = partial(_cell_ref, letters, raw["_row"])
            self.apply(sheet, inputs.Seen(raw, typed, is_measure_due(typed, self.quarter)
                                          if sheet == "Measures" else True), row_ref)
            yield raw, typed, row_ref

    def number_cell(self, sheet: str, ref: str, value: Any, item: str) -> None:
        """A number input holding a boolean, or a date where a number belongs."""
        if not self.known(sheet, ref) or blank(value) or is_text(value):
            return
        if number_of(value) is None:
            self.add("wrong-type", sheet, ref, found=show(value), expected="a number")
        elif isinstance(value, dt.date):
            self.add("looks-like-a-date", sheet, ref, found=show(value), id=item)

    def texts(self) -> None:
        """Every text input, and the sign-off, within Excel's 32,767 characters a cell."""
        assert self.rf.data is not None
        for sheet, keys in _TEXT_INPUTS.items():
            letters = {key: layout.SHEETS[sheet].letter(key) for key in keys}
            for raw in self.rf.raw[sheet]:
                for key in keys:
                    value = raw[key]
                    if type(value) is str and len(value) > MAX_TEXT:
                        self.add("text-too-long", sheet, f"{letters[key]}{raw['_row']}",
                                 length=len(value))
        for label, cell in self.rf.cover_cells.items():
            value = self.rf.cover_raw.get(label)
            if type(value) is str and len(value) > MAX_TEXT:
                self.add("text-too-long", "Cover", cell, length=len(value))

    def explained(self, sheet: str, ref: str, text: str | None, item: str, what: str) -> None:
        if uninformative(text):
            self.add("commentary-uninformative", sheet, ref, found=text, id=item, what=what)

    # --- the sheets: warnings, and what the input rules do not cover -------------------------

    def measures(self) -> None:
        sheet = "Measures"
        for raw, typed, ref in self.rows(sheet):
            item = typed["id"]
            unavailable = typed["status"] == rules.NOT_AVAILABLE
            if is_measure_due(typed, self.quarter):
                self.number_cell(sheet, ref("actual"), raw["actual"], item)
                self.percent_read(sheet, ref("actual"), raw, typed)
                if not unavailable:
                    self.implausible(sheet, ref("actual"), typed)
                elif not blank(raw["commentary"]):
                    self.explained(sheet, ref("commentary"), typed["commentary"], item,
                                   "why the figure is not available and when it will be")
            rag = typed["rag"]
            if rag in (rules.RED, rules.AMBER):
                if not blank(raw["commentary"]):
                    self.explained(sheet, ref("commentary"), typed["commentary"], item,
                                   f"why it is {rag}")
                self.explained(sheet, ref("remedial"), typed["remedial"], item,
                               "what will be done to bring it back on track, and by when")

    def percent_read(self, sheet: str, cell: str, raw: dict[str, Any],
                     typed: dict[str, Any]) -> None:
        """Say so when a % measure's figure was taken as a fraction (0.9 read as 90%) and its
        cell does not show it so."""
        value = raw["actual"]
        number = None if blank(value) or is_text(value) else number_of(value)
        if (typed["unit"] == "%" and number is not None and self.known(sheet, cell)
                and raw["_row"] not in self.rf.percent_rows and 0 < number < 1):
            self.add("percent-read", sheet, cell, found=show(value), points=num(number * 100))

    def implausible(self, sheet: str, cell: str, typed: dict[str, Any]) -> None:
        item, context = typed["id"], self.context
        previous = compared_quarter_figures(
            typed["type"], self.quarter.number, typed["previous"],
            context.previous_actuals.get(item) if context is not None else None)
        previous_target = context.previous_targets.get(item) if context is not None else None
        found = implausible_change(typed["actual"], previous, typed["unit"], previous_target,
                                   typed["target"])
        if found is not None:
            variant, fields = found.fields(num)
            self.add("implausible-change", sheet, cell, variant, id=item,
                     actual=num(typed["actual"]), **fields)

    def actions(self) -> None:
        sheet = "Actions"
        for raw, typed, ref in self.rows(sheet):
            item = typed["id"]
            chosen = choice_of(raw["status"], rules.ACTION_STATUSES)
            self.number_cell(sheet, ref("complete"), raw["complete"], item)
            cell, revised = ref("revised"), raw["revised"]
            if self.known(sheet, cell) and isinstance(revised, bool):
                self.add("wrong-type", sheet, cell, found=show(revised), expected="a date")
            commentary = raw["commentary"]
            needs_note = chosen in ("At risk", "Off track")
            percent = typed["complete"]
            if chosen == "Complete" and percent is not None and percent < 100:
                self.add("complete-below-100", sheet, ref("complete"), id=item,
                         found=num(percent))
            elif chosen is not None and chosen != "Complete" and percent == 100:
                self.add("full-but-not-complete", sheet, ref("status"), id=item, status=chosen)
            revised_date, due = date_of(revised), typed["due"]
            if revised_date is not None and due is not None and revised_date < due:
                self.add("revised-before-due", sheet, ref("revised"), id=item,
                         revised=show(revised_date), due=show(due))
            if revised_date is not None and blank(commentary):
                self.add("revised-without-commentary", sheet, ref("commentary"), id=item,
                         revised=show(revised_date))
            if (needs_note or revised_date is not None) and not blank(commentary):
                self.explained(sheet, ref("commentary"), typed["commentary"], item,
                               "what has happened and what is being done")

    def savings(self) -> None:
        sheet = "Savings"
        for raw, typed, ref in self.rows(sheet):
            item = typed["id"]
            for key in ("delivered", "forecast"):
                self.number_cell(sheet, ref(key), raw[key], item)
            forecast, target = typed["forecast"], typed["target"]
            below = forecast is not None and target is not None and forecast < target
            if below and not blank(raw["commentary"]):
                self.explained(sheet, ref("commentary"), typed["commentary"], item,
                               "why the forecast is below target and what will make up the gap")
            delivered = typed["delivered"]
            previous = typed["previous"]
            if previous is None and self.context is not None and self.quarter.number > 1:
                previous = self.context.previous_delivered.get(item)
            if delivered is not None and previous is not None and delivered < previous:
                self.add("delivered-fell", sheet, ref("delivered"), id=item,
                         delivered=money(delivered), previous=money(previous))
            if delivered is not None and forecast is not None and delivered > forecast:
                self.add("delivered-above-forecast", sheet, ref("delivered"), id=item,
                         delivered=money(delivered), forecast=money(forecast))

    def risks(self) -> None:
        sheet = "Risks"
        for raw, typed, ref in self.rows(sheet):
            if not blank(raw["mitigation"]):
                self.explained(sheet, ref("mitigation"), typed["mitigation"], typed["id"],
                               "what has been done this quarter to reduce the risk")

    def cover(self) -> None:
        raw, cells = self.rf.cover_raw, self.rf.cover_cells
        if not cells:
            return
        values = {key: raw.get(label) for key, label in _SIGNOFF_KEYS.items()}
        self.apply("Cover", inputs.Seen(values, values),
                   lambda key: cells[_SIGNOFF_KEYS[key]])


def check_return(rf: ReturnFile, context: Context | None = None) -> list[Finding]:
    """The input rules and warnings for a return that could be read (rf.data is set).

    Args:
        context: the previous quarter's figures from the master, used where the return's own
            Previous actual / Delivered last quarter cells are blank.
    """
    if rf.data is None:
        return []
    checker = _Checker(rf, context)
    checker.texts()
    checker.cover()
    checker.measures()
    checker.actions()
    checker.savings()
    checker.risks()
    return checker.findings


# ---------------------------------------------------------------------------------------------
# Files, folders and a whole run.

SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini"})


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given and the files directly inside each folder (by name), each once. Hidden
    files and Windows' Thumbs.db / desktop.ini are left out; Excel's lock files are kept, to be
    reported.

    Raises:
        ConfigurationError: a path that does not exist.
    """
    files: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            entries = sorted(
                (e for e in path.iterdir() if e.is_file() and not e.name.startswith(".")
                 and e.name.lower() not in SYSTEM_FILES),
                key=lambda e: e.name.lower())
        elif path.is_file():
            entries = [path]
        else:
            raise ConfigurationError(f"{path}: there is no such file or folder.")
        for entry in entries:
            key = entry.resolve()
            if key not in seen:
                seen.add(key)
                files.append(entry)
    return files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_SHEET_RANK = {name: i for i, name in enumerate(("", *layout.SHEET_ORDER))}
_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _order(finding: Finding) -> tuple[int, int, int, int, str]:
    match = _REF.match(finding.cell)
    row = int(match.group(2)) if match else 0
    col = len(match.group(1)) * 100 + ord(match.group(1)[-1]) if match else 0
    return (finding.severity is not ERROR, _SHEET_RANK.get(finding.sheet, 99), row, col,
            finding.code)


@about_file("path")
def validate_file(path: Path, quarter: Quarter | None = None, plan: Plan | None = None,
                  context: Callable[[Quarter], Context | None] | None = None) -> ReturnResult:
    """One file's verdict and findings (errors first, then warnings, each in sheet order).

    Whatever the file holds, the answer is a verdict: a file that cannot be read, or that
    breaks the reading in a way nobody foresaw, is one finding on that file."""
    path = Path(path)
    try:
        stat = path.stat()
        received = dt.datetime.fromtimestamp(stat.st_mtime)
    except (OSError, ValueError, OverflowError) as exc:
        return unreadable_result(path, f"cannot be read ({_reason(exc)})")
    result = ReturnResult(path, "", received, NOT_A_RETURN)
    try:
        check_file_size(path, stat.st_size)  # before hashing: a huge file is refused unread
        result.sha256 = sha256_of(path)
        rf = read_return(path, quarter, plan)
    except UnreadableFileError as exc:
        rule = RULES.get(exc.code, RULES["file-unreadable"])
        result.findings = [rule.finding(str(path), "", "", "", file=path.name,
                                        reason=exc.reason)]
        return result
    except OSError as exc:
        result.findings = [_unreadable(path, f"cannot be read ({_reason(exc)})")]
        return result
    except Exception as exc:  # noqa: BLE001 - one file's surprise must not stop the quarter
        result.findings = [_unreadable(path, f"cannot be read as a return ({_reason(exc)})")]
        return result
    result.directorate = rf.directorate or None
    result.quarter = str(rf.quarter) if rf.quarter else rf.meta.get("Quarter") or None
    result.data = rf.data
    if rf.data is not None:
        result.rows = sum(len(rows) for rows in rf.data.rows.values())
    findings = list(rf.findings)
    if rf.data is not None and rf.quarter is not None:
        try:
            findings += check_return(rf, context(rf.quarter) if context else None)
        except Exception as exc:  # noqa: BLE001
            result.data = None
            findings.append(_unreadable(path, f"cannot be checked ({_reason(exc)})"))
    result.findings = sorted(one_per_cell(findings), key=_order)
    if not rf.is_return:
        result.status = NOT_A_RETURN
    elif result.errors:
        result.status = REJECTED
    else:
        result.status = ACCEPTED_WITH_WARNINGS if result.warnings else ACCEPTED
    return result


def _reason(exc: BaseException) -> str:
    """An error in a few words: the system's own words for a file error, else its kind."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, MemoryError):
        return "it needs more memory than a return may use"
    return type(exc).__name__


def _unreadable(path: Path, reason: str) -> Finding:
    return RULES["file-unreadable"].finding(str(path), "", "", "", file=path.name,
                                            reason=reason)


def unreadable_result(path: Path, reason: str) -> ReturnResult:
    """The verdict on a file that could not be read at all: one finding naming it."""
    received = dt.datetime.fromtimestamp(0)
    with contextlib.suppress(OSError, ValueError, OverflowError):
        received = dt.datetime.fromtimestamp(Path(path).lstat().st_mtime)
    return ReturnResult(Path(path), "", received, NOT_A_RETURN,
                        [_unreadable(Path(path), reason)])


def _crashed(path: Path, error: BaseException) -> ReturnResult:
    """A file whose reading killed its worker process (out of memory, a reader aborting)."""
    return unreadable_result(path, "stopped the process reading it (it may need more memory "
                                   "than a return may use, or be damaged); it was not checked")


def validate_paths(
    paths: Iterable[Path],
    quarter: Quarter | None = None,
    plan: Plan | None = None,
    master: Path | None = None,
    progress: Callable[[Path], None] | None = None,
    keep_rows: bool = True,
    workers: int | None = None,
    context: Context | None = None,
) -> ValidationRun:
    """Validate files and folders of returns; resubmissions and copies are resolved.

    Returns are read in parallel, one per worker process at a time (parallel.ordered_map); the
    results come back in the order of the files, so output does not depend on the timing.

    Args:
        quarter: the quarter being validated (a return for another is refused); None takes each
            return's quarter from its `_meta`.
        plan: the register, to check each return's council and directorate.
        master: the master workbook, for last quarter's figures where a return lacks them.
        progress: called with each file once it is done, in the files' order.
        keep_rows: False drops each return's typed rows once it is checked (its cover and
            `_meta` stay), so memory does not grow with the number of returns; consolidate
            needs them, validate and status do not.
        workers: processes to use; None for one per core (parallel.worker_count), 1 for
            this process only.
        context: last quarter's figures, from a caller that has read the master already
            (consolidate), so the master is not read twice.

    Raises:
        ConfigurationError: a path that does not exist.
        UnreadableFileError: the master cannot be read safely.
    """
    files = expand_paths(paths)
    job = _Job(quarter, plan, master, keep_rows)
    if context is not None and quarter is not None:
        job.contexts[quarter] = context
    if plan is not None and has_items(plan):
        register_index(plan)  # once, here, before the workers fork
    if master is not None and quarter is not None:
        job.context(quarter)  # read the master once, here, not once per worker
    results = []
    for result in ordered_map(job, files, workers, on_crash=_crashed):
        results.append(result)
        if progress is not None:
            progress(result.path)
    resolve_resubmissions(results)
    return ValidationRun(quarter, results)


class _Job:
    """What every worker needs to validate one file; sent to each worker once."""

    def __init__(self, quarter: Quarter | None, plan: Plan | None, master: Path | None,
                 keep_rows: bool) -> None:
        self.quarter, self.plan, self.master, self.keep_rows = quarter, plan, master, keep_rows
        self.contexts: dict[Quarter, Context | None] = {}

    def context(self, q: Quarter) -> Context | None:
        if q not in self.contexts:
            from workbook_tools.master.history import previous_context

            self.contexts[q] = previous_context(self.master, q) if self.master else None
        return self.contexts[q]

    def __call__(self, path: Path) -> ReturnResult:
        result = validate_file(path, self.quarter, self.plan, self.context)
        if not self.keep_rows and result.data is not None:
            result.data.rows = {}
        return result


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
