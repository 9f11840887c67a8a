"""The working folder's default paths (SPEC section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbook_tools.errors import UsageError, WorkbookToolsError
from workbook_tools.quarters import Quarter, parse_quarter


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

    def quarters_returned(self) -> list[Quarter]:
        """The quarters with a folder of returns here holding a file, earliest first."""
        found = []
        folder = self.root / "returns"
        for sub in folder.iterdir() if folder.is_dir() else ():
            try:
                quarter = parse_quarter(sub.name)
            except UsageError:
                continue
            if sub.is_dir() and any(p.is_file() for p in sub.iterdir()):
                found.append(quarter)
        return sorted(found)

    def a_quarter(self) -> Quarter | None:
        """A quarter to name in advice: the latest with returns here, else the register's
        first, else none."""
        returned = self.quarters_returned()
        if returned:
            return returned[-1]
        if self.plan.exists():
            from workbook_tools.plan.register import load_plan
            from workbook_tools.quarters import parse_year

            try:
                return Quarter(parse_year(load_plan(self.plan, False).settings.financial_year), 1)
            except WorkbookToolsError:  # advice only: a bad register is reported elsewhere
                return None
        return None

    def no_master(self, master: Path) -> str:
        """The sentence for a command that needs the master before there is one."""
        quarter = self.a_quarter()
        if quarter is None:
            return (f"{master} does not exist yet: consolidate a quarter's returns first, with "
                    "'workbook-tools consolidate --quarter QUARTER' (such as 2025-26-Q1).")
        return (f"{master} does not exist yet: run 'workbook-tools consolidate --quarter "
                f"{quarter}' first.")


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
