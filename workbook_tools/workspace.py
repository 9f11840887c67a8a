"""The working folder's default paths (SPEC section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbook_tools.quarters import Quarter


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def here(cls) -> Workspace:
        return cls(Path.cwd())

    @property
    def plan(self) -> Path:
        return self.root / "templates" / "plan.xlsx"

    def returns(self, quarter: Quarter) -> Path:
        return self.root / "returns" / str(quarter)

    def blank(self, quarter: Quarter) -> Path:
        return self.root / "outputs" / "blank" / str(quarter)

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def master(self) -> Path:
        return self.outputs / "master.xlsx"

    @property
    def backups(self) -> Path:
        return self.outputs / "backups"

    def validation_report(self, quarter: Quarter) -> Path:
        return self.outputs / f"validation-{quarter}.xlsx"

    def feedback(self, quarter: Quarter) -> Path:
        return self.outputs / "feedback" / str(quarter)

    def summary(self, quarter: Quarter) -> Path:
        return self.outputs / f"summary-{quarter}.xlsx"

    def annual(self, year_label: str) -> Path:
        return self.outputs / f"annual-{year_label}.xlsx"


def make_folder(folder: Path | str) -> Path:
    """Make an output folder (and its parents), or say plainly why it cannot be made.

    Raises:
        ConfigurationError: the folder cannot be made.
    """
    from workbook_tools.errors import ConfigurationError

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(f"{folder}: cannot make the folder ({exc.strerror}).") from None
    return folder
