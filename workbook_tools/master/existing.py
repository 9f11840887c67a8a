"""The master a command reads: there must be one already, and when there is not the command says
what to do (each command its own remedy)."""

from __future__ import annotations

from pathlib import Path

from workbook_tools.errors import ConfigurationError
from workbook_tools.master.read import Master, read_master


def read_existing_master(master_path: Path, missing: str) -> Master:
    """The master at `master_path`.

    Raises:
        ConfigurationError: there is no master there yet (`missing` is the message).
        MasterError: it cannot be read, or is not a master.
    """
    if not Path(master_path).exists():
        raise ConfigurationError(missing)
    return read_master(Path(master_path))
