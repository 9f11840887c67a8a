"""Validation (SPEC section 7): a whole run over files and folders, each file read
(returns/read.py) and checked (returns/checker.py) into a verdict, with resubmissions and copies
resolved. Every code, with its severity and message templates, is in `RULES`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from workbook_tools.errors import (
    CacheChangedError,
    ConfigurationError,
    UnreadableFileError,
    about_file,
)
from workbook_tools.files.spool import Spool
from workbook_tools.parallel import StartedMap, ordered_map
from workbook_tools.plan.bydirectorate import PlanByDirectorate
from workbook_tools.plan.register import Plan
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout
from workbook_tools.returns.checker import check_return, one_per_cell, settle
from workbook_tools.returns.findings import (
    ACCEPTED,
    ACCEPTED_WITH_WARNINGS,
    NOT_A_RETURN,
    REJECTED,
    Finding,
    ReturnResult,
    Severity,
    SpooledTables,
    ValidationRun,
)
from workbook_tools.returns.layout import Context
from workbook_tools.returns.locked import has_items, register_index
from workbook_tools.returns.read import read_return
from workbook_tools.returns.resubmissions import resolve_resubmissions
from workbook_tools.returns.rules import catalogue, inputs

ERROR, WARNING = Severity.ERROR, Severity.WARNING

#: Every rule code: file, structure, input (the Checks sheet's), warning and resubmission rules.
RULES = catalogue.RULES

#: The codes the Checks sheet counts (its rows, and the Cover's sign-off).
CHECKS_CODES = inputs.CHECKS_CODES


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
    checked = _checked(Path(path), quarter, plan, context, False)
    if isinstance(checked, ReturnResult):
        return checked
    return checked.verdict(lambda q: None)


class Checked:
    """A return read and checked but for the warnings that need last quarter's figures
    (checker.Later), which `verdict` works out: sent back by a worker that started before the
    master was read (consolidate)."""

    def __init__(self, result: ReturnResult, read: list[Finding], found: list[Any],
                 is_return: bool) -> None:
        self.result, self.read, self.found, self.is_return = result, read, found, is_return

    def verdict(self, context: Callable[[Quarter], Context | None]) -> ReturnResult:
        """The file's verdict, with `context` giving a quarter's figures from the master."""
        result = self.result
        findings = list(self.read)
        try:
            findings += settle(self.found, context)
        except Exception as exc:  # noqa: BLE001
            result.data = None
            findings.append(_unreadable(result.path, f"cannot be checked ({_reason(exc)})"))
        result.findings = sorted(one_per_cell(findings), key=_order)
        if not self.is_return:
            result.status = NOT_A_RETURN
        elif result.errors:
            result.status = REJECTED
        else:
            result.status = ACCEPTED_WITH_WARNINGS if result.warnings else ACCEPTED
        return result


@about_file("path")
def _checked(path: Path, quarter: Quarter | None, plan: Plan | None,
             context: Callable[[Quarter], Context | None] | None, later: bool
             ) -> ReturnResult | Checked:
    """The verdict on a file that could not be read, else what the checks found: with `later`,
    the warnings that need last quarter's figures are left as checker.Later."""
    try:
        stat = path.stat()
        received = dt.datetime.fromtimestamp(stat.st_mtime)
    except (OSError, ValueError, OverflowError) as exc:
        return unreadable_result(path, f"cannot be read ({_reason(exc)})")
    result = ReturnResult(path, "", received, NOT_A_RETURN)
    try:
        rf = read_return(path, quarter, plan)  # (a huge file refused unread: files/snapshot)
        result.sha256 = rf.sha256  # (of the bytes read, not of what the path names later)
    except UnreadableFileError as exc:
        rule = RULES.get(exc.code, RULES["file-unreadable"])
        result.findings = [rule.finding(str(path), "", "", "", file=path.name,
                                        reason=exc.reason)]
        return _refused(result, exc)
    except OSError as exc:
        result.findings = [_unreadable(path, f"cannot be read ({_reason(exc)})")]
        return _refused(result, exc)
    except CacheChangedError:  # (the register, not the file: the whole run stops)
        raise
    except Exception as exc:  # noqa: BLE001 - one file's surprise must not stop the quarter
        result.findings = [_unreadable(path, f"cannot be read as a return ({_reason(exc)})")]
        return _refused(result, exc)
    result.directorate = rf.directorate or None
    result.quarter = str(rf.quarter) if rf.quarter else rf.meta.get("Quarter") or None
    result.data = rf.data
    if rf.data is not None:
        result.rows = sum(len(rows) for rows in rf.data.rows.values())
    found: list[Any] = []
    if rf.data is not None and rf.quarter is not None:
        try:
            found = check_return(rf, None if later or not context else context(rf.quarter),
                                 later)
        except CacheChangedError:
            raise
        except Exception as exc:  # noqa: BLE001
            result.data = None
            found = [_unreadable(path, f"cannot be checked ({_reason(exc)})")]
    return Checked(result, list(rf.findings), found, rf.is_return)


def _refused(result: ReturnResult, exc: BaseException) -> ReturnResult:
    """`result` of a file refused, with the SHA-256 of the bytes refused when the guard read
    them (files/guard.py: not read again, as another file may be there by now)."""
    result.sha256 = getattr(exc, "sha256", "")
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
    spool: Spool | None = None,
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
        spool: where each worker keeps the typed rows of the returns it reads (files/spool.py;
            findings.SpooledTables), rather than send them back to be held here (consolidate).

    Raises:
        ConfigurationError: a path that does not exist.
        UnreadableFileError: the master cannot be read safely.
    """
    files = expand_paths(paths)
    job = _Job(quarter, plan, master, keep_rows, spool=spool.handle if spool else None)
    # What exists now, the register's plan above all (100,000s of objects), is left out of the
    # garbage collector's passes while the files are validated: indexing it and starting the
    # workers otherwise set off a full pass over it (20 ms, while one core waits).
    gc.freeze()
    try:
        _index_register(plan)
        if master is not None and quarter is not None:
            job.context(quarter)  # read the master once, here, not once per worker
        return _run(quarter, ordered_map(job, files, workers, on_crash=_crashed), progress)
    finally:
        gc.unfreeze()


def _index_register(plan: Plan | None) -> None:
    """The register's index, made once here before the workers fork."""
    if plan is not None and has_items(plan) and not isinstance(plan, PlanByDirectorate):
        register_index(plan)
        plan.group_by_directorate()  # (so a worker does not walk every item for its own)


def _run(quarter: Quarter | None, results: Iterable[ReturnResult],
         progress: Callable[[Path], None] | None) -> ValidationRun:
    """The run of `results` as they come, each reported to `progress`; resubmissions resolved.
    Stopped here (Ctrl+C between two results), the workers are ended before this returns, not
    when `results` is collected: they would still be writing (consolidate's spool)."""
    done = []
    try:
        for result in results:
            done.append(result)
            if progress is not None:
                progress(result.path)
    finally:
        getattr(results, "close", lambda: None)()  # (a generator: ordered_map's pool shut down)
    resolve_resubmissions(done)
    return ValidationRun(quarter, done)


class Started:
    """A validation started before last quarter's figures are known (consolidate reads the master
    meanwhile): the workers read and check the returns, and `finish` works out the warnings that
    need those figures, then reports progress as validate_paths does. Use it in a `with`:
    leaving it before `finish` (the master cannot be read, Ctrl+C) stops the workers."""

    def __init__(self, files: list[Path], quarter: Quarter, plan: Plan | None, master: Path,
                 workers: int | None = None, spool: Spool | None = None) -> None:
        self.quarter = quarter
        # (the warnings left to `finish` carry what they need of a row: checker.Later; the
        # rows themselves may be kept in `spool`, as validate_paths keeps them)
        self.job = _Job(quarter, plan, master, True, later=True,
                        spool=spool.handle if spool else None)
        gc.freeze()  # (as validate_paths)
        try:
            _index_register(plan)
            self.work = StartedMap(self.job, files, workers, on_crash=_crashed)
        finally:
            gc.unfreeze()

    def __enter__(self) -> Started:
        return self

    def __exit__(self, *exc: object) -> None:
        self.work.close()

    def finish(self, context: Context, progress: Callable[[Path], None] | None = None
               ) -> ValidationRun:
        """The run, `context` being the quarter's figures from the master (others are read
        from it as validate_paths reads them)."""
        self.job.contexts[self.quarter] = context
        return _run(self.quarter, (found.verdict(self.job.context)
                                   if isinstance(found, Checked) else found
                                   for found in self.work), progress)


class _Job:
    """What every worker needs to validate one file; sent to each worker once."""

    def __init__(self, quarter: Quarter | None, plan: Plan | None, master: Path | None,
                 keep_rows: bool, later: bool = False, spool: tuple[str, bytes] | None = None
                 ) -> None:
        self.quarter, self.plan, self.master, self.keep_rows = quarter, plan, master, keep_rows
        self.later = later  # (Started) the warnings needing the master's figures left to it
        self.spool = spool  # (validate_paths' spool's Spool.handle)
        self.contexts: dict[Quarter, Context | None] = {}

    def context(self, q: Quarter) -> Context | None:
        if q not in self.contexts:
            from workbook_tools.master.history import previous_context

            self.contexts[q] = previous_context(self.master, q) if self.master else None
        return self.contexts[q]

    def __call__(self, path: Path) -> Any:
        if self.later:
            checked = _checked(path, self.quarter, self.plan, None, True)
            self._keep(checked.result if isinstance(checked, Checked) else checked)
            return checked
        result = validate_file(path, self.quarter, self.plan, self.context)
        self._keep(result)
        return result

    def _keep(self, result: ReturnResult) -> None:
        """A return's typed rows dropped (not `keep_rows`), or kept in the spool."""
        if result.data is not None and not self.keep_rows:
            result.data.rows = {}
        elif result.data is not None and self.spool is not None:
            result.data.rows = SpooledTables.kept(result.data.rows, Spool.joined(self.spool))
