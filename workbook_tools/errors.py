"""The library's exceptions. The CLI maps each to an exit code; users never see a traceback."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class WorkbookToolsError(Exception):
    """Base class: a plain sentence a user can act on."""

    exit_code = 2


class UsageError(WorkbookToolsError):
    """A bad option value: an unknown quarter form, directorate or format."""


class ConfigurationError(WorkbookToolsError):
    """The working folder is not usable: no plan, an invalid register, an unwritable path."""


class CacheChangedError(ConfigurationError):
    """A cache entry a command was reading went or changed during the run (another command
    pruned the cache, or someone cleared it): the run stops, writing nothing, rather than
    judge the returns it had left against no register."""


class PlanError(ConfigurationError):
    """The plan register has problems; `problems` lists each with its sheet and cell."""

    def __init__(self, path: object, problems: list) -> None:  # list[PlanProblem]
        self.path = path
        self.problems = problems
        first = problems[0] if problems else None
        more = (
            f" (and {len(problems) - 1} more; run 'workbook-tools plan check')"
            if len(problems) > 1
            else ""
        )
        super().__init__(f"{path}: {first}{more}" if first else f"{path}: the register is invalid")


class UnreadableFileError(WorkbookToolsError):
    """A file is not a workbook we can safely read (wrong kind, corrupt, too large, encrypted)."""

    def __init__(self, path: object, reason: str, code: str = "file-unreadable") -> None:
        self.path = path
        self.reason = reason
        self.code = code
        self.sha256 = ""  # of the bytes refused, when they were read (files/guard.py)
        super().__init__(f"{path}: {reason}")


class MasterError(WorkbookToolsError):
    """The master workbook cannot be read or replaced; nothing was changed."""


class DataProblemsError(WorkbookToolsError):
    """The data has problems (a rejected return); exit code 1."""

    exit_code = 1


def about_file(argument: str) -> Callable[[F], F]:
    """Decorate a function that works on the file named by its `argument`: an unexpected
    exception escaping it carries that file (`exc.workbook_file`, the innermost file wins), so
    the CLI's "unexpected problem" sentence can say which file it was working on."""

    def decorate(function: F) -> F:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except WorkbookToolsError:
                raise
            except Exception as exc:
                if getattr(exc, "workbook_file", None) is None:
                    try:
                        bound = signature.bind_partial(*args, **kwargs).arguments
                        exc.workbook_file = str(bound.get(argument, "")) or None  # type: ignore[attr-defined]
                    except TypeError:
                        pass
                raise

        return wrapper  # type: ignore[return-value]

    return decorate
