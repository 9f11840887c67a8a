"""The plan register: the shipped examples load clean, and `check_plan` finds each kind of
problem at the cell where it is. Every register here is a real .xlsx written the way `init`
writes one, then damaged as a person editing it in Excel might."""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from workbook_tools.errors import ConfigurationError, PlanError
from workbook_tools.plan.examples import EXAMPLES, example_rows, write_register
from workbook_tools.plan.register import Plan, PlanProblem, check_plan, load_plan
from workbook_tools.quarters import Quarter

Rows = dict[str, list[list[Any]]]


def register(folder: Path, edit: Callable[[Rows], None] | None = None, example: str = "derbyshire",
             name: str = "plan.xlsx") -> Path:
    """The example's register, edited by `edit`, written to `folder/name`."""
    rows = example_rows(example)
    if edit is not None:
        edit(rows)
    path = folder / name
    write_register(rows, path)
    return path


def problems_of(path: Path) -> list[PlanProblem]:
    plan, problems = check_plan(path)
    assert (plan is None) == bool(problems)
    return problems


def where(problems: list[PlanProblem]) -> set[tuple[str, str]]:
    return {(p.sheet, p.cell) for p in problems}


def column(rows: Rows, sheet: str, header: str) -> int:
    return rows[sheet][0].index(header)


def put(sheet: str, row: int, header: str, value: Any) -> Callable[[Rows], None]:
    """An edit: `value` into the cell of `header` on Excel row `row` (row 1 is the header)."""

    def edit(rows: Rows) -> None:
        rows[sheet][row - 1][column(rows, sheet, header)] = value

    return edit


# --- the shipped examples ------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_shipped_examples_are_clean(tmp_path: Path, example: str) -> None:
    plan, problems = check_plan(register(tmp_path, example=example))
    assert problems == []
    assert plan is not None
    rows = example_rows(example)
    assert len(plan.directorates) == len(rows["Directorates"]) - 1 >= 3
    assert len(plan.measures) == len(rows["Measures"]) - 1
    assert len(plan.actions) == len(rows["Actions"]) - 1
    assert len(plan.risks) == len(rows["Risks"]) - 1
    # savings lines add up to the programme target
    assert sum(s.target for s in plan.savings) == pytest.approx(plan.settings.savings_target)
    # every directorate has something to report on
    for directorate in plan.directorates:
        share = plan.for_directorate(directorate.code)
        assert share.measures and share.actions and share.savings


def test_derbyshire_reads_as_the_register_says(plan: Plan) -> None:
    settings = plan.settings
    assert settings.council_name == "Derbyshire County Council"
    assert settings.financial_year == "2025-26"
    assert settings.savings_target == 37_500_000
    assert (settings.amber_tolerance, settings.deadline_days) == (5, 15)
    assert [t.name for t in plan.themes] == ["People", "Place", "The council"]
    assert len(plan.objectives) == 24
    first = plan.measures[0]
    assert (first.id, first.unit, first.polarity, first.frequency) == (
        "M-CS-01", "%", "Higher is better", "Quarterly")
    assert first.targets == (72, 72.5, 73, 74)
    assert plan.tolerance_for(first) == 5  # the register's default
    assert plan.tolerance_for(plan.measures[1]) == 10  # its own
    assert all(isinstance(a.due_date, dt.date) for a in plan.actions)


def test_annual_measures_are_due_in_q4_only(plan: Plan) -> None:
    annual = [m for m in plan.measures if m.frequency == "Annual"]
    assert annual
    for measure in annual:
        assert [measure.is_due(Quarter(2025, n)) for n in (1, 2, 3, 4)] == [
            False, False, False, True]
        assert measure.target_for(Quarter(2025, 4)) is not None


def test_headers_are_found_by_name_in_any_order_and_case(tmp_path: Path) -> None:
    def shuffle(rows: Rows) -> None:
        measures = rows["Measures"]
        order = list(reversed(range(len(measures[0]))))
        rows["Measures"] = [[row[i] if i < len(row) else None for i in order] for row in measures]
        rows["Measures"][0] = [f"  {h.upper()} " for h in rows["Measures"][0]]
        rows["Actions"].insert(3, [None] * 6)  # a blank row is skipped

    plan, problems = check_plan(register(tmp_path, shuffle))
    assert problems == []
    assert plan is not None and plan.measures[0].targets == (72, 72.5, 73, 74)


def test_settings_with_defaults_may_be_left_out(tmp_path: Path) -> None:
    def drop(rows: Rows) -> None:
        rows["Settings"] = [r for r in rows["Settings"]
                            if r[0] not in ("Amber tolerance (%)",
                                            "Return deadline (days after quarter end)")]

    plan, problems = check_plan(register(tmp_path, drop))
    assert problems == []
    assert plan is not None
    assert (plan.settings.amber_tolerance, plan.settings.deadline_days) == (5, 15)


# --- each kind of problem, at its cell -----------------------------------------------------


def _drop_sheet(name: str) -> Callable[[Rows], None]:
    return lambda rows: rows.pop(name)


def _drop_column(sheet: str, header: str) -> Callable[[Rows], None]:
    def edit(rows: Rows) -> None:
        index = column(rows, sheet, header)
        rows[sheet] = [r[:index] + r[index + 1:] for r in rows[sheet]]

    return edit


def _duplicate_id(rows: Rows) -> None:
    rows["Measures"][2][0] = rows["Measures"][1][0]


def _duplicate_id_but_for_case(rows: Rows) -> None:
    rows["Savings"][3][0] = f" {str(rows['Savings'][1][0]).lower()} "


def _drop_setting(name: str) -> Callable[[Rows], None]:
    def edit(rows: Rows) -> None:
        rows["Settings"] = [r for r in rows["Settings"] if r[0] != name]

    return edit


CASES: list[tuple[str, Callable[[Rows], None], str, str, str]] = [
    ("missing sheet", _drop_sheet("Risks"), "Risks", "", "the sheet 'Risks' is missing"),
    ("missing column", _drop_column("Measures", "Unit"), "Measures", "M1",
     "the column 'Unit' is missing from row 1"),
    ("missing id column", _drop_column("Actions", "Action ID"), "Actions", "F1",
     "the column 'Action ID' is missing"),
    ("duplicate id", _duplicate_id, "Measures", "A3",
     "'M-CS-01' is a duplicate Measure ID (first used in row 2)"),
    ("id differing by case and spaces", _duplicate_id_but_for_case, "Savings", "A4",
     "'s-cs-01' is a duplicate Saving ID: it differs from 'S-CS-01' (row 2) only by capitals "
     "or spaces"),
    ("unknown directorate", put("Measures", 5, "Directorate code", "XX"), "Measures", "C5",
     "'XX' is not a directorate code in the register"),
    ("unknown lead directorate", put("Objectives", 3, "Lead directorate", "Adults"),
     "Objectives", "D3", "'Adults' is not a directorate code"),
    ("unknown objective", put("Actions", 4, "Objective code", "ZZ99"), "Actions", "B4",
     "'ZZ99' is not an objective code in the register"),
    ("unknown theme", put("Objectives", 2, "Theme code", "HEALTH"), "Objectives", "B2",
     "'HEALTH' is not a theme code in the register"),
    ("non-numeric target", put("Measures", 2, "Q2 target", "seventy"), "Measures", "I2",
     "'Q2 target' must be a number, not 'seventy'"),
    ("non-numeric saving", put("Savings", 3, "Target (£)", "1.2m"), "Savings", "F3",
     "'Target (£)' must be a number, not '1.2m'"),
    ("unknown unit", put("Measures", 6, "Unit", "percent"), "Measures", "E6",
     "'percent' is not a valid unit: use one of %, number, £, days, rate"),
    ("unknown polarity", put("Measures", 7, "Polarity", "Up is good"), "Measures", "F7",
     "is not a valid polarity: use one of Higher is better, Lower is better"),
    ("unknown frequency", put("Measures", 8, "Frequency", "Monthly"), "Measures", "G8",
     "'Monthly' is not a valid frequency: use one of Quarterly, Annual"),
    ("missing target", put("Measures", 2, "Q3 target", None), "Measures", "J2",
     "a quarterly measure needs a Q3 target"),
    ("tolerance out of range", put("Measures", 2, "Amber tolerance (%)", 150), "Measures", "L2",
     "the amber tolerance must be from 0 to 100"),
    ("empty name", put("Actions", 2, "Action", "  "), "Actions", "D2", "'Action' is empty"),
    ("due date not a date", put("Actions", 2, "Due date", "end of March"), "Actions", "F2",
     "'Due date' must be a date, not 'end of March'"),
    ("negative saving", put("Savings", 2, "Target (£)", -5), "Savings", "F2",
     "a saving's target cannot be negative"),
    ("unknown saving type", put("Savings", 2, "Type", "Annual"), "Savings", "E2",
     "is not a valid type: use one of Recurring, One-off"),
    ("likelihood out of range", put("Risks", 2, "Likelihood", 6), "Risks", "E2",
     "'Likelihood' must be a whole number from 1 to 5"),
    ("missing setting", _drop_setting("Council name"), "Settings", "",
     "the setting 'Council name' is missing"),
    ("blank setting", put("Settings", 4, "Value", None), "Settings", "B4",
     "the setting 'Savings programme target (£)' has no value"),
    ("non-numeric setting", put("Settings", 5, "Value", "five"), "Settings", "B5",
     "the setting 'Amber tolerance (%)' must be a number of zero or more, not 'five'"),
    ("saving past a spreadsheet's digits", put("Savings", 3, "Target (£)", 1e308), "Savings",
     "F3", "'Target (£)' is 1e+308: a figure needs at most 15 digits"),
    ("target past a spreadsheet's digits", put("Measures", 2, "Q2 target", -1e16), "Measures",
     "I2", "'Q2 target' is -1e+16: a figure needs at most 15 digits"),
    ("setting past a spreadsheet's digits", put("Settings", 4, "Value", 1e300), "Settings", "B4",
     "the setting 'Savings programme target (£)' is 1e+300: it can be at most "
     "999,999,999,999,999"),
    ("bad financial year", put("Settings", 3, "Value", "2025"), "Settings", "B3",
     "the financial year '2025' should look like 2025-26"),
]


@pytest.mark.parametrize(("case", "edit", "sheet", "cell", "message"), CASES,
                         ids=[c[0] for c in CASES])
def test_each_problem_is_found_at_its_cell(tmp_path: Path, case: str,
                                           edit: Callable[[Rows], None], sheet: str, cell: str,
                                           message: str) -> None:
    problems = problems_of(register(tmp_path, edit))
    assert where(problems) == {(sheet, cell)}, [str(p) for p in problems]
    (problem,) = problems
    assert message in problem.message
    assert str(problem).startswith(f"{sheet}!{cell}: " if cell else f"{sheet}: ")


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path) -> None:
    def many(rows: Rows) -> None:
        for edit in (put("Measures", 2, "Unit", "pc"), put("Measures", 3, "Q1 target", "n/a"),
                     put("Actions", 2, "Directorate code", "ZZ"), _duplicate_id):
            edit(rows)

    path = register(tmp_path, many)
    assert where(problems_of(path)) == {("Measures", "E2"), ("Measures", "H3"),
                                        ("Actions", "C2"), ("Measures", "A3")}
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert len(caught.value.problems) == 4
    assert "(and 3 more; run 'workbook-tools plan check')" in str(caught.value)


def test_an_annual_measure_needs_only_a_q4_target(tmp_path: Path) -> None:
    def annual(rows: Rows) -> None:
        for edit in (put("Measures", 2, "Frequency", "annual"),
                     put("Measures", 2, "Q1 target", None),
                     put("Measures", 2, "Q4 target", None)):
            edit(rows)

    assert where(problems_of(register(tmp_path, annual))) == {("Measures", "K2")}


# --- registers that cannot be read: one plain sentence naming the file ---------------------


def _refusal(path: Path) -> str:
    with pytest.raises(ConfigurationError) as caught:
        check_plan(path)
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message and "Traceback" not in message
    return message


def test_a_missing_register_is_one_sentence(tmp_path: Path) -> None:
    assert "no plan register" in _refusal(tmp_path / "templates" / "plan.xlsx")


def test_a_csv_named_xlsx_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_text("Setting,Value\nCouncil name,Somewhere\n", encoding="utf-8")
    message = _refusal(path)
    assert "not an Excel workbook" in message and "return" not in message


def test_a_damaged_register_is_one_sentence(tmp_path: Path) -> None:
    good = register(tmp_path)
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert "damaged" in _refusal(damaged)


def test_a_zip_that_is_not_a_workbook_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert "not an Excel workbook" in _refusal(path)


def test_a_folder_is_not_a_register(tmp_path: Path) -> None:
    assert "is a folder" in _refusal(tmp_path)


def test_an_empty_file_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"")
    assert "empty" in _refusal(path)


# --- the committed register is the derbyshire CSVs, built -----------------------------------

REPO = Path(__file__).resolve().parent.parent


def test_the_committed_register_is_built_from_the_derbyshire_csvs(tmp_path: Path) -> None:
    """templates/plan.xlsx (the repository as a working folder) never drifts from the CSVs.

    After changing a CSV, rebuild it with:
    python -c "from pathlib import Path; from workbook_tools.plan.examples import example_rows,
    write_register; write_register(example_rows('derbyshire'), Path('templates/plan.xlsx'))"
    """
    built = register(tmp_path)
    committed = REPO / "templates" / "plan.xlsx"
    assert committed.read_bytes() == built.read_bytes(), "rebuild templates/plan.xlsx"


def test_init_writes_the_same_register_every_time(tmp_path: Path) -> None:
    from workbook_tools.plan.examples import init_folder

    first = init_folder(tmp_path / "a", "derby")
    second = init_folder(tmp_path / "b", "derby")
    assert first.read_bytes() == second.read_bytes()
    assert (tmp_path / "a" / "README.md").read_text().startswith("# Derby City Council")


def test_a_target_of_minus_zero_is_zero(tmp_path: Path) -> None:
    """A spreadsheet saves -0 as 0: kept as -0.0, a return's pre-filled target would read as
    changed once LibreOffice had saved it."""
    path = register(tmp_path, put("Measures", 2, "Q1 target", -0.0))
    (measure, *_) = load_plan(path).measures
    assert measure.targets[0] == 0 and math.copysign(1.0, measure.targets[0]) == 1.0


def test_a_name_longer_than_a_cell_holds_is_a_problem(tmp_path: Path) -> None:
    """20,000 emoji are 40,000 characters as Excel counts them: the return could not hold the
    name, and its untouched copy would read as changed. (openpyxl writes what xlsxwriter would
    have cut short.)"""
    import openpyxl

    path = register(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Actions"]["D2"] = "\U0001F600" * 20_000
    book.save(path)
    problems = problems_of(path)
    assert [str(p) for p in problems] == [
        "Actions!D2: 'Action' is 40,000 characters long as Excel counts them (an emoji counts "
        "as two): a cell holds at most 32,767, so shorten it"]
