"""The return's formulas, recalculated by LibreOffice, agree with rules.py.

One return is generated from a small hand-made plan whose rows sit on the edges of the rules
(exactly on target, exactly on the amber boundary, lower is better, a % typed as 0.12, Not
started past its due date, risk scores of 6, 8, 12 and 15, boundaries that floating point gets
wrong), filled in, opened and saved by LibreOffice, and every RAG, direction, score and Checks
cell it calculated is compared with what the tool's own rules say.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from support import libreoffice_save, needs_libreoffice, set_cells

from workbook_tools.plan.examples import example_rows
from workbook_tools.plan.register import Plan, plan_from_rows
from workbook_tools.quarters import Quarter
from workbook_tools.returns import rules
from workbook_tools.returns.generate import COVER, generate_returns
from workbook_tools.returns.layout import ACTIONS, FIRST_DATA_ROW, MEASURES, RISKS, SAVINGS, Context
from workbook_tools.returns.validate import CHECKS_CODES, validate_file

pytestmark = needs_libreoffice

Q1 = Quarter(2025, 1)
H, L = rules.HIGHER_IS_BETTER, rules.LOWER_IS_BETTER

# (id, unit, polarity, frequency, Q1 target, tolerance, previous actual, actual typed, commentary)
MeasureRow = tuple[str, str, str, str, float | None, float, float | None, Any, str | None]
MEASURE_ROWS: list[MeasureRow] = [
    ("M-01", "%", H, "Quarterly", 80, 5, 78, 80, None),  # exactly on target: Green, Improved
    ("M-02", "%", H, "Quarterly", 80, 5, None, 76, None),  # exactly on the boundary: Amber
    ("M-03", "%", H, "Quarterly", 80, 5, 76, 75.9, "Below"),  # just beyond: Red, Declined
    ("M-04", "number", L, "Quarterly", 150, 10, 140, 150, None),  # on target: Green, Declined
    ("M-05", "number", L, "Quarterly", 150, 10, 165, 165, "Up"),  # boundary: Amber, No change
    ("M-06", "number", L, "Quarterly", 150, 10, 170, 165.5, "Up"),  # beyond: Red, Improved
    ("M-07", "%", H, "Quarterly", 12, 5, 12, 0.12, None),  # 12% typed as 0.12: Green, No change
    ("M-08", "%", H, "Quarterly", 29, 5, 30, 0.29, None),  # 0.29 x 100 is 28.999999999999996
    ("M-09", "%", L, "Quarterly", 7, 5, None, 0.07, None),  # 0.07 x 100 is 7.000000000000001
    ("M-10", "rate", H, "Quarterly", 13, 10, None, 11.7, "Lower"),  # 13 x 0.9 is 11.700000000000001
    ("M-11", "days", L, "Quarterly", 12, 20, None, 14.4, "Slow"),  # 12 x 1.2 is 14.399999999999999
    ("M-12", "£", H, "Quarterly", 1000, 0, 900, 999.99, "Short"),  # no tolerance: Red
    ("M-13", "number", H, "Annual", None, 5, None, None, None),  # not due in Q1: nothing
    ("M-14", "number", H, "Quarterly", 10, 5, 9, None, None),  # no actual yet: nothing
]

Q1_END = dt.date(2025, 6, 30)
# (id, due date, status, revised due date)
ACTION_ROWS: list[tuple[str, dt.date, str | None, dt.date | None]] = [
    ("A-01", dt.date(2025, 5, 31), "Not started", None),  # past due: Red
    ("A-02", Q1_END, "Not started", None),  # due on the last day: not yet Red
    ("A-03", dt.date(2025, 12, 31), "Not started", None),
    ("A-04", dt.date(2025, 5, 31), "Not started", dt.date(2025, 9, 30)),  # revised: not Red
    ("A-05", dt.date(2025, 9, 30), "Not started", dt.date(2025, 6, 1)),  # revised earlier: Red
    ("A-06", dt.date(2025, 9, 30), "On track", None),
    ("A-07", dt.date(2025, 5, 31), "Complete", None),
    ("A-08", dt.date(2025, 9, 30), "At risk", None),
    ("A-09", dt.date(2025, 9, 30), "Off track", None),
    ("A-10", dt.date(2025, 9, 30), "Cancelled", None),
    ("A-11", dt.date(2025, 9, 30), None, None),  # no status: nothing, and counted by Checks
]

# (id, target, forecast): tolerance is the register's 5%
SAVING_ROWS: list[tuple[str, float, float | None]] = [
    ("S-01", 100_000, 100_000),  # on target: Green
    ("S-02", 100_000, 95_000),  # exactly on the boundary: Amber
    ("S-03", 100_000, 94_999),  # just beyond: Red
    ("S-04", 1_400_000, 1_330_000),  # boundary with a large target
    ("S-05", 60, 57),  # 60 x 0.95 is 57.00000000000001
    ("S-06", 50_000, None),  # no forecast: nothing
]

# (id, register likelihood, register impact, likelihood typed, impact typed)
RISK_ROWS: list[tuple[str, int, int, int | None, int | None]] = [
    ("R-01", 2, 3, 2, 3),  # 6: Green, No change
    ("R-02", 2, 3, 2, 4),  # 8: Amber, Declined
    ("R-03", 4, 4, 3, 4),  # 12: Amber, Improved
    ("R-04", 3, 4, 3, 5),  # 15: Red, Declined
    ("R-05", 5, 5, 5, 5),  # 25: Red, No change
    ("R-06", 1, 1, 1, None),  # no impact: nothing
]


def edge_plan() -> Plan:
    rows = example_rows("derbyshire")
    objective = rows["Objectives"][1][0]
    rows["Measures"] = rows["Measures"][:1] + [
        [mid, objective, "CS", f"Measure {mid}", unit, polarity, frequency,
         target, target, target, target if target is not None else 10, tolerance]
        for mid, unit, polarity, frequency, target, tolerance, *_ in MEASURE_ROWS
    ]
    rows["Actions"] = rows["Actions"][:1] + [
        [aid, objective, "CS", f"Action {aid}", "Head of Service", due]
        for aid, due, *_ in ACTION_ROWS
    ]
    rows["Savings"] = rows["Savings"][:1] + [
        [sid, "CS", objective, f"Saving {sid}", "Recurring", target]
        for sid, target, _ in SAVING_ROWS
    ]
    rows["Risks"] = rows["Risks"][:1] + [
        [rid, "CS", f"Risk {rid}", "Director", likelihood, impact]
        for rid, likelihood, impact, *_ in RISK_ROWS
    ]
    plan, problems = plan_from_rows(rows)
    assert problems == [] and plan is not None
    return plan


def typed_inputs() -> dict[tuple[str, str], Any]:
    """Every input typed into the return, as a person would."""
    edits: dict[tuple[str, str], Any] = {}
    for offset, (_, _, _, frequency, *_, actual, commentary) in enumerate(MEASURE_ROWS):
        row = FIRST_DATA_ROW + offset
        if frequency == "Quarterly":
            edits[("Measures", MEASURES.cell("actual", row))] = actual
        edits[("Measures", MEASURES.cell("commentary", row))] = commentary
    for offset, (_, _, status, revised) in enumerate(ACTION_ROWS):
        row = FIRST_DATA_ROW + offset
        edits[("Actions", ACTIONS.cell("status", row))] = status
        edits[("Actions", ACTIONS.cell("complete", row))] = 100 if status == "Complete" else 0
        edits[("Actions", ACTIONS.cell("revised", row))] = (
            dt.datetime.combine(revised, dt.time()) if revised else None)
        edits[("Actions", ACTIONS.cell("commentary", row))] = "Progress as reported."
    for offset, (sid, target, forecast) in enumerate(SAVING_ROWS):
        row = FIRST_DATA_ROW + offset
        edits[("Savings", SAVINGS.cell("delivered", row))] = round(target / 4)
        edits[("Savings", SAVINGS.cell("forecast", row))] = forecast
        edits[("Savings", SAVINGS.cell("status", row))] = "On track"
        if sid != "S-02":  # the saving on the boundary is left without its explanation
            edits[("Savings", SAVINGS.cell("commentary", row))] = "Started late."
    for offset, (*_, likelihood, impact) in enumerate(RISK_ROWS):
        row = FIRST_DATA_ROW + offset
        edits[("Risks", RISKS.cell("likelihood", row))] = likelihood
        edits[("Risks", RISKS.cell("impact", row))] = impact
        edits[("Risks", RISKS.cell("mitigation", row))] = "Reviewed."
    edits[("Cover", f"C{COVER.completed_by}")] = "Sam Patel"
    edits[("Cover", f"C{COVER.approved_by}")] = "Helen Ward"
    edits[("Cover", f"C{COVER.signoff_date}")] = dt.datetime(2025, 7, 10)
    return edits


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the filled return as typed, the same file recalculated and saved by LibreOffice)."""
    folder = tmp_path_factory.mktemp("formulas")
    plan = edge_plan()
    context = Context(
        quarter=Q1,
        previous_actuals={m[0]: m[6] for m in MEASURE_ROWS if m[6] is not None},
    )
    (blank,) = generate_returns(plan, Q1, folder / "blank", ["CS"], context,
                                now=dt.datetime(2025, 7, 1, 9))
    (folder / "filled").mkdir()
    filled = set_cells(blank, typed_inputs(), folder / "filled" / blank.name)
    return filled, libreoffice_save(filled, folder / "lo")


@pytest.fixture(scope="module")
def values(recalculated: tuple[Path, Path]) -> Any:
    return openpyxl.load_workbook(recalculated[1], data_only=True)


def shown(value: Any) -> Any:
    """What a formula cell shows, with blank as None (LibreOffice saves "" for an empty text)."""
    return None if value in ("", None) else value


def test_measure_rag_and_direction_agree_with_the_rules(values: Any) -> None:
    sheet = values["Measures"]
    for offset, (mid, unit, polarity, frequency, target, tolerance, previous, actual, _) in (
            enumerate(MEASURE_ROWS)):
        row = FIRST_DATA_ROW + offset
        assert sheet[MEASURES.cell("id", row)].value == mid
        due = frequency == "Quarterly"
        number = actual if due and isinstance(actual, int | float) else None
        if number is not None and unit == "%":
            number = rules.percent_points(number)
        expected = (
            rules.measure_rag(number, target, polarity, tolerance),
            rules.direction_of_travel(number, previous, polarity),
        )
        got = (shown(sheet[MEASURES.cell("rag", row)].value),
               shown(sheet[MEASURES.cell("direction", row)].value))
        assert got == expected, f"{mid}: the workbook shows {got}, rules.py says {expected}"


def test_the_edge_cases_land_where_the_rules_say(values: Any) -> None:
    """The rules themselves, on the edges: written out so a change to rules.py is noticed."""
    sheet = values["Measures"]
    rags = [shown(sheet[MEASURES.cell("rag", FIRST_DATA_ROW + i)].value)
            for i in range(len(MEASURE_ROWS))]
    assert rags == ["Green", "Amber", "Red", "Green", "Amber", "Red", "Green", "Green", "Green",
                    "Amber", "Amber", "Red", None, None]
    directions = [shown(sheet[MEASURES.cell("direction", FIRST_DATA_ROW + i)].value)
                  for i in range(len(MEASURE_ROWS))]
    assert directions == ["Improved", "New", "Declined", "Declined", "No change", "Improved",
                          "No change", "Declined", "New", "New", "New", "Improved", None, None]


def test_action_rag_agrees_with_the_rules(values: Any) -> None:
    sheet = values["Actions"]
    got = [shown(sheet[ACTIONS.cell("rag", FIRST_DATA_ROW + i)].value)
           for i in range(len(ACTION_ROWS))]
    expected = [rules.action_rag(status, due, revised, Q1_END)
                for _, due, status, revised in ACTION_ROWS]
    assert got == expected
    assert got == ["Red", None, None, None, "Red", "Green", "Green", "Amber", "Red", None, None]


def test_saving_rag_and_variance_agree_with_the_rules(values: Any) -> None:
    sheet = values["Savings"]
    for offset, (sid, target, forecast) in enumerate(SAVING_ROWS):
        row = FIRST_DATA_ROW + offset
        assert shown(sheet[SAVINGS.cell("rag", row)].value) == rules.saving_rag(
            forecast, target, 5), sid
        variance = shown(sheet[SAVINGS.cell("variance", row)].value)
        assert variance == (None if forecast is None else pytest.approx(forecast - target)), sid
    rags = [shown(sheet[SAVINGS.cell("rag", FIRST_DATA_ROW + i)].value)
            for i in range(len(SAVING_ROWS))]
    assert rags == ["Green", "Amber", "Red", "Amber", "Amber", None]


def test_risk_score_rag_and_direction_agree_with_the_rules(values: Any) -> None:
    sheet = values["Risks"]
    got, expected = [], []
    for offset, (_, was_l, was_i, likelihood, impact) in enumerate(RISK_ROWS):
        row = FIRST_DATA_ROW + offset
        score = rules.risk_score(likelihood, impact)
        expected.append((score, rules.risk_rag(score), rules.risk_direction(score, was_l * was_i)))
        got.append(tuple(shown(sheet[RISKS.cell(k, row)].value)
                         for k in ("score", "rag", "direction")))
    assert got == expected
    assert [g[1] for g in got] == ["Green", "Amber", "Amber", "Red", "Red", None]


def test_checks_counts_agree_with_validate(recalculated: tuple[Path, Path], values: Any) -> None:
    """Each Checks count is the number of validate's errors of that (sheet, rule code)."""
    counts: Counter[tuple[str, str]] = Counter()
    ready = None
    for sheet, label, count, code, *_ in values["Checks"].iter_rows(values_only=True):
        if code in CHECKS_CODES:
            assert isinstance(count, int | float), (sheet, code)
            counts[(sheet, code)] += int(count)
        if label == "Ready to submit":
            ready = count
    counts = +counts
    for path in recalculated:
        found = Counter((f.sheet, f.code) for f in validate_file(path).errors
                        if f.code in CHECKS_CODES)
        assert found == counts, path
    # what this return gets wrong, on purpose: the measure and the saving exactly on their amber
    # boundaries (M-02, S-02) have no commentary; one measure has no actual, one action no
    # status, one saving no forecast and one risk no impact
    assert counts == {
        ("Measures", "commentary-missing"): 1,
        ("Measures", "value-missing"): 1,
        ("Actions", "value-missing"): 1,
        ("Savings", "value-missing"): 1,
        ("Savings", "commentary-missing"): 1,
        ("Risks", "value-missing"): 1,
    }
    assert ready == "NO"
    assert values["Cover"][f"C{COVER.ready}"].value == "NO"


# --- the red highlighting of a wrong input agrees with validate ----------------------------

WRONG: dict[tuple[str, str, int], Any] = {
    # (sheet, column key, item offset): what a person typed
    ("Measures", "actual", 0): "tbc",
    ("Measures", "actual", 1): " 12% ",
    ("Measures", "actual", 2): 120,  # % over 100
    ("Measures", "actual", 10): -3,  # negative days
    ("Measures", "actual", 11): -5,  # negative £
    ("Measures", "commentary", 11): "   ",  # Red with only spaces
    ("Actions", "status", 5): "Finished",
    ("Actions", "complete", 6): "half",
    ("Actions", "complete", 7): 150,
    ("Actions", "revised", 8): "next month",
    ("Actions", "commentary", 8): None,  # At risk, nothing said
    ("Savings", "status", 0): "Done",
    ("Savings", "delivered", 1): "£5k",
    ("Savings", "forecast", 3): -1,
    ("Risks", "likelihood", 0): 7,
    ("Risks", "impact", 1): 2.5,
    ("Risks", "likelihood", 2): "3",
}
HIGHLIGHTED_CODES = {"not-a-number", "out-of-range", "not-in-list", "not-a-date",
                     "commentary-missing"}


def test_wrong_inputs_are_highlighted_where_validate_finds_them(
        recalculated: tuple[Path, Path], tmp_path: Path) -> None:
    """Every red-highlighting rule is evaluated by LibreOffice (as formulas on a probe sheet) and
    a cell is red exactly where validate reports a wrong value or a missing explanation."""
    from workbook_tools.returns.inputs import problem_formulas

    specs = {"Measures": MEASURES, "Actions": ACTIONS, "Savings": SAVINGS, "Risks": RISKS}
    sizes = {"Measures": len(MEASURE_ROWS), "Actions": len(ACTION_ROWS),
             "Savings": len(SAVING_ROWS), "Risks": len(RISK_ROWS)}
    edits = {(sheet, specs[sheet].cell(key, FIRST_DATA_ROW + offset)): value
             for (sheet, key, offset), value in WRONG.items()}
    typed = set_cells(recalculated[0], edits, tmp_path / "wrong.xlsx")
    expected = {(f.sheet, f.cell) for f in validate_file(typed).errors
                if f.code in HIGHLIGHTED_CODES}
    assert len(expected) >= len(WRONG) - 1

    workbook = openpyxl.load_workbook(typed)
    probe = workbook.create_sheet("_probe")
    for sheet, spec in specs.items():
        for offset in range(sizes[sheet]):
            row = FIRST_DATA_ROW + offset
            for key, formula in problem_formulas(spec, Q1, row, f"'{sheet}'!"):
                probe.append([sheet, spec.cell(key, row), f"={formula}"])
    workbook.save(typed)
    saved = openpyxl.load_workbook(libreoffice_save(typed, tmp_path / "lo"), data_only=True)
    results = list(saved["_probe"].iter_rows(values_only=True))
    # a number or TRUE/FALSE, never an error value (the highlighting's condition is nonzero)
    assert all(isinstance(red, bool | int | float) for *_, red in results), results
    highlighted = {(sheet, ref) for sheet, ref, red in results if red}
    assert highlighted == expected
