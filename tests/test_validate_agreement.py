"""On the same return, the Checks sheet (recalculated by LibreOffice, and by Gnumeric) and
validate agree: the
count of validate's errors per (sheet, rule code) is the Checks count of that row, and Ready to
submit is YES exactly when validate finds no input-level error."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from agreement_support import gnumeric_save_all, libreoffice_save_all
from support import SSCONVERT, needs_libreoffice
from validate_support import Returns, check, make_returns

from workbook_tools.files.guard import read_values
from workbook_tools.returns.layout import ACTIONS, MEASURES, RISKS, SAVINGS
from workbook_tools.returns.validate import CHECKS_CODES

pytestmark = needs_libreoffice


def checks_sheet(path: Path) -> tuple[Counter[tuple[str, str]], str]:
    """The Checks sheet's counts by (sheet, rule code), and its Ready to submit."""
    counts: Counter[tuple[str, str]] = Counter()
    ready = ""
    for row in read_values(path)["Checks"]:
        row = [*row, "", "", "", ""]
        if row[0] in ("Cover", "Measures", "Actions", "Savings", "Risks") and row[3]:
            assert isinstance(row[2], float), f"Checks count for {row[:4]} is not a number"
            counts[(row[0], row[3])] += int(row[2])
        if row[1] == "Ready to submit":
            ready = row[2]
    return +counts, ready


def several_defects(r: Returns) -> dict[tuple[str, str], Any]:
    m = [x for x in r.rows["Measures"] if x["frequency"] == "Quarterly"]
    green = [x for x in m if x["rag"] == "Green" and x["polarity"] == "Higher is better"]
    a = [x for x in r.rows["Actions"] if x["status"] == "On track"]
    s = r.rows["Savings"]
    k = r.rows["Risks"]
    pct_green = next(x for x in green if x["unit"] == "%")
    spare = [x for x in m[3:] if x is not green[-1] and x is not pct_green]
    late, explained, odd = spare[0], spare[1], spare[2]
    return {
        # Not available with a figure and no commentary (two findings), one explained and blank
        # (accepted: not a missing actual), and a status not from the list
        ("Measures", MEASURES.cell("status", late["_row"])): "not AVAILABLE",
        ("Measures", MEASURES.cell("commentary", late["_row"])): " ",
        ("Measures", MEASURES.cell("status", explained["_row"])): "Not available",
        ("Measures", MEASURES.cell("actual", explained["_row"])): None,
        ("Measures", MEASURES.cell("commentary", explained["_row"])):
            "The NHS figures arrive in August; they will be in next quarter's return.",
        ("Measures", MEASURES.cell("status", odd["_row"])): "Final",
        ("Measures", MEASURES.cell("actual", m[0]["_row"])): None,
        ("Measures", MEASURES.cell("actual", m[1]["_row"])): "tbc",
        ("Measures", MEASURES.cell("actual", m[2]["_row"])): " 12% ",
        ("Measures", MEASURES.cell("actual", green[-1]["_row"])): green[-1]["target"] / 3,
        ("Measures", MEASURES.cell("commentary", green[-1]["_row"])): "   ",
        ("Measures", MEASURES.cell("actual", pct_green["_row"])): 101,
        ("Actions", ACTIONS.cell("status", a[0]["_row"])): None,
        ("Actions", ACTIONS.cell("status", a[1]["_row"])): "Finished",
        ("Actions", ACTIONS.cell("status", a[2]["_row"])): "off TRACK",
        ("Actions", ACTIONS.cell("commentary", a[2]["_row"])): None,
        ("Actions", ACTIONS.cell("complete", a[3]["_row"])): "half",
        ("Actions", ACTIONS.cell("complete", a[4]["_row"])): -5,
        ("Actions", ACTIONS.cell("revised", a[4]["_row"])): "31/03/2026",
        ("Actions", ACTIONS.cell("revised", a[3]["_row"])): 0.5,  # a time: no date at all
        ("Savings", SAVINGS.cell("forecast", s[-1]["_row"])): 2e15,
        ("Savings", SAVINGS.cell("forecast", s[0]["_row"])): None,
        ("Savings", SAVINGS.cell("status", s[0]["_row"])): None,
        ("Savings", SAVINGS.cell("status", s[1]["_row"])): "Done",
        ("Savings", SAVINGS.cell("delivered", s[2]["_row"])): "£5k",
        ("Savings", SAVINGS.cell("delivered", s[3]["_row"])): -1,
        ("Savings", SAVINGS.cell("commentary", s[1]["_row"])): None,
        ("Risks", RISKS.cell("likelihood", k[0]["_row"])): None,
        ("Risks", RISKS.cell("impact", k[0]["_row"])): 7,
        ("Risks", RISKS.cell("likelihood", k[1]["_row"])): "3",
        ("Risks", RISKS.cell("impact", k[1]["_row"])): 2.5,
        ("Cover", "C31"): None,
        ("Cover", "C33"): "next week",
    }


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, ...]]:
    """(as edited with openpyxl, as recalculated and saved by LibreOffice[, by Gnumeric]),
    clean and broken (LibreOffice started once for the three)."""
    folder = tmp_path_factory.mktemp("agree")
    r = make_returns(folder / "ws")
    import openpyxl

    completed = openpyxl.load_workbook(r.clean)["Cover"]["C31"].value
    same = {("Cover", "C32"): f"  {completed.upper().replace(' ', '   ')} "}
    edited = {name: r.copy(folder / "edited", edits, f"{name}.xlsx")
              for name, edits in (("clean", {}), ("broken", several_defects(r)),
                                  ("same-person", same))}
    engines = [libreoffice_save_all(edited.values(), folder / "lo")]
    if SSCONVERT:
        engines.append(gnumeric_save_all(edited.values(), folder / "gnumeric"))
    return {name: (path, *(saved[i] for saved in engines))
            for i, (name, path) in enumerate(edited.items())}


@pytest.mark.parametrize("name", ["clean", "broken", "same-person"])
@pytest.mark.parametrize("engine", [1, 2], ids=["libreoffice", "gnumeric"])
def test_checks_sheet_and_validate_agree(saved: dict[str, tuple[Path, ...]], name: str,
                                         engine: int) -> None:
    if engine >= len(saved[name]):
        pytest.skip("Gnumeric (ssconvert) is not installed")
    edited, recalculated = saved[name][0], saved[name][engine]
    counts, ready = checks_sheet(recalculated)
    for path in (edited, recalculated):
        result = check(path)
        found = Counter((f.sheet, f.code) for f in result.errors if f.code in CHECKS_CODES)
        assert found == counts, path
        assert (ready == "YES") == (not found)
        assert [f for f in result.errors if f.code not in CHECKS_CODES] == []
    if name == "broken":
        assert ready == "NO" and sum(counts.values()) >= 20
        # every kind of input-level rule but one that cannot go with a missing name
        # (a sign-off after today cannot go with one that is not a date)
        assert {code for _, code in counts} == CHECKS_CODES - {"signoff-same-person", "cell-error",
                                                               "signoff-in-future"}
        # Not available: with a figure and without commentary both count; explained, it does not
        assert counts[("Measures", "data-status")] == 2
        assert counts[("Measures", "not-in-list")] == 1
    elif name == "same-person":
        assert counts == Counter({("Cover", "signoff-same-person"): 1})
    else:
        assert ready == "YES" and check(recalculated).status == "Accepted"
