"""Writing a file beside its target and swapping it in: the one way the tool replaces a file, so
a reader never sees half a file and a run that is stopped part-way leaves the old file whole.

The new version is written in the same folder (so the swap is a single rename on one disk, which
`os.replace` makes atomic on Windows as well as POSIX) under a name that keeps the target's suffix
(readers that go by the extension still open it) and carries the writing process's id (two runs
never write the same temporary): `master.xlsx` is written as `master.tmp-1234.xlsx`.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from workbook_tools.errors import ConfigurationError

__all__ = ["leftovers", "rewrite_members", "temporary_for", "write_beside"]

MARK = ".tmp-"


def temporary_for(target: Path) -> Path:
    """Where a new version of `target` is written before it is swapped in."""
    return target.with_name(f"{target.stem}{MARK}{os.getpid()}{target.suffix}")


def leftovers(target: Path) -> Iterator[Path]:
    """Temporaries of `target` left by runs that were stopped (or are writing now)."""
    return target.parent.glob(f"{target.stem}{MARK}*{target.suffix}")


def write_beside(target: Path, write: Callable[[Path], Any],
                 cannot: str = "close it if it is open and check the folder can be written to"
                 ) -> Path:
    """Call write(temporary), then swap the temporary in for `target`; on any failure the
    temporary is removed and `target` is as it was.

    Raises:
        ConfigurationError: `target` cannot be written (open elsewhere, a folder, no
            permission), naming it; `cannot` says what the user can do about it.
    """
    target = Path(target)
    temporary = temporary_for(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write(temporary)
        os.replace(temporary, target)
    except OSError as exc:
        raise ConfigurationError(
            f"{target}: cannot be written ({getattr(exc, 'strerror', None) or exc}); "
            f"{cannot}.") from None
    finally:
        temporary.unlink(missing_ok=True)
    return target


def rewrite_members(path: Path, change: Callable[[zipfile.ZipInfo, bytes],
                                                 tuple[zipfile.ZipInfo, bytes]]) -> None:
    """Rewrite a zip package (an .xlsx the tool has just written) member by member through
    `change`, beside it, and swap it in."""

    def write(temporary: Path) -> None:
        with zipfile.ZipFile(path) as source, \
                zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(*change(info, source.read(info)))

    write_beside(path, write)
