"""Where each action, saving and risk stood at the end of a financial year, read from the master:
what `plan roll` carries into the next year's register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbook_tools.errors import ConfigurationError
from workbook_tools.files.cells import is_blank
from workbook_tools.master import columns as mc
from workbook_tools.master.existing import read_existing_master
from workbook_tools.master.ledger import number
from workbook_tools.master.read import quarter_order
from workbook_tools.plan.roll import ActionEnd, RiskEnd, SavingEnd, YearEnd
from workbook_tools.quarters import Quarter, year_label
from workbook_tools.returns.layout import Sheet


def year_end(master_path: Path, start_year: int) -> YearEnd:
    """Each item's figures in its latest quarter of the year (the master's latest quarter of the
    year, or the latest before it when the item's return was not received then).

    Raises:
        ConfigurationError: there is no master, or it has no quarter of the year.
        MasterError: the master cannot be read.
    """
    label = year_label(start_year)
    master = read_existing_master(
        master_path, f"{master_path}: there is no master, so what {label} left unfinished is "
        f"not known; consolidate {label}'s quarters first, or give the master with --master.")
    mine = [q for q in master.quarters() if q.startswith(f"{label}-Q")]
    if not mine:
        raise ConfigurationError(
            f"{master_path}: has no quarter of {label} (quarters in it: "
            f"{', '.join(master.quarters()) or 'none'}); consolidate {label}'s quarters first, "
            f"or give the master that holds them with --master.")
    found = YearEnd(label, mine[-1])
    for sheet in (Sheet.ACTIONS, Sheet.SAVINGS, Sheet.RISKS):
        for item, row in _latest(master.sheets[sheet], sheet, start_year).items():
            quarter = str(row["Quarter"])
            if sheet == Sheet.ACTIONS:
                revised = row.get("Revised due date")
                found.actions[item] = ActionEnd(
                    quarter, "" if is_blank(row.get("Status")) else str(row["Status"]).strip(),
                    None if is_blank(revised) else revised)
            elif sheet == Sheet.SAVINGS:
                found.savings[item] = SavingEnd(quarter, number(row.get("Forecast (£)")),
                                                number(row.get("Delivered to date (£)")))
            else:
                found.risks[item] = RiskEnd(quarter, _score(row.get("Likelihood")),
                                            _score(row.get("Impact")))
    return found


def _latest(rows: list[dict[str, Any]], sheet: str,
            start_year: int) -> dict[str, dict[str, Any]]:
    """Each item's row in its latest quarter of the year (finance's orphaned rows left out)."""
    year = {str(Quarter(start_year, n)) for n in (1, 2, 3, 4)}
    id_header = mc.ID_COLUMNS[sheet]
    latest: dict[str, dict[str, Any]] = {}
    for row in sorted((r for r in rows if r.get("Quarter") in year and not r.get(mc.ORPHANED)
                       and not is_blank(r.get(id_header))),
                      key=lambda r: quarter_order(r.get("Quarter"))):
        latest[str(row[id_header]).strip()] = row
    return latest


def _score(value: Any) -> int | None:
    found = number(value)
    return int(found) if found is not None and found.is_integer() else None
