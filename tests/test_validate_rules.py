"""Every rule: a return generated and filled in the test, with exactly one defect, gives exactly
that rule's finding at that cell (and nothing else)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Q1, Q2
from validate_support import Returns, check, make_returns, problems

from workbook_tools.returns import layout
from workbook_tools.returns.findings import ACCEPTED, ACCEPTED_WITH_WARNINGS, NOT_A_RETURN, REJECTED
from workbook_tools.returns.layout import ACTIONS, MEASURES, RISKS, SAVINGS
from workbook_tools.returns.read import read_return
from workbook_tools.returns.validate import CHECKS_CODES, RULES

M, A, S, R = MEASURES.cell, ACTIONS.cell, SAVINGS.cell, RISKS.cell


@pytest.fixture(scope="module")
def r(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return make_returns(tmp_path_factory.mktemp("rules") / "ws")


def only(result: Any, *expected: tuple[str, str, str]) -> None:
    """The return's errors are exactly these (sheet, cell, code)."""
    assert problems(result) == set(expected), [f.message for f in result.findings]
    assert result.status == REJECTED


def warned(result: Any, *expected: tuple[str, str, str]) -> None:
    assert problems(result) == set(), [f.message for f in result.errors]
    assert problems(result, "Warning") == set(expected), [f.message for f in result.findings]
    assert result.status == ACCEPTED_WITH_WARNINGS


def green(r: Returns, unit: str, polarity: str = "Higher is better") -> dict[str, Any]:
    return r.row("Measures", lambda m: m["unit"] == unit and m["rag"] == "Green"
                 and m["polarity"] == polarity)


# --- the clean return ------------------------------------------------------------------------

def test_clean_return_is_accepted_and_typed(r: Returns) -> None:
    result = check(r.clean, quarter=Q1, plan=r.plan)
    assert result.status == ACCEPTED and result.findings == []
    assert result.directorate == "CS" and result.quarter == str(Q1)
    data = result.data
    assert data is not None and data.cover["Completed by"] and data.cover["Approved by"]
    assert isinstance(data.cover["Date"], dt.date)
    annual = r.row("Measures", lambda m: m["frequency"] == "Annual")
    assert annual["actual"] is None and annual["rag"] is None  # 'Not due this quarter' ignored
    risk = data.rows["Risks"][0]
    assert risk["score"] == risk["likelihood"] * risk["impact"]


def test_every_code_has_a_message_template() -> None:
    for code, rule in RULES.items():
        assert code == code.lower() and " " not in code
        assert rule.templates and all(t.strip() for t in rule.templates.values())
    assert CHECKS_CODES <= set(RULES)


# --- Measures --------------------------------------------------------------------------------

def test_actual_missing(r: Returns, tmp_path: Path) -> None:
    row = green(r, "%")
    result = check(r.copy(tmp_path, {("Measures", M("actual", row["_row"])): None}))
    only(result, ("Measures", M("actual", row["_row"]), "value-missing"))
    message = result.errors[0].message
    assert message.startswith(f"Measures!{M('actual', row['_row'])}: the actual is missing.")
    assert row["id"] in message and row["name"] in message


def test_actual_not_a_number(r: Returns, tmp_path: Path) -> None:
    row = green(r, "%")
    cell = M("actual", row["_row"])
    result = check(r.copy(tmp_path, {("Measures", cell): f"{row['actual']}%"}))
    only(result, ("Measures", cell, "not-a-number"))
    assert f"({row['actual']:g})" in result.errors[0].message  # says what to type instead


def test_percent_actual_over_100(r: Returns, tmp_path: Path) -> None:
    row = green(r, "%")
    cell = M("actual", row["_row"])
    only(check(r.copy(tmp_path, {("Measures", cell): 120})), ("Measures", cell, "out-of-range"))


def test_negative_days(r: Returns, tmp_path: Path) -> None:
    row = r.row("Measures", lambda m: m["unit"] in ("days", "£"))
    cell = M("actual", row["_row"])
    edits = {("Measures", cell): -5,
             ("Measures", M("commentary", row["_row"])): "Provisional figure from the new system."}
    only(check(r.copy(tmp_path, edits)), ("Measures", cell, "out-of-range"))


def test_red_measure_without_commentary(r: Returns, tmp_path: Path) -> None:
    row = green(r, "%")
    edits = {("Measures", M("actual", row["_row"])): row["target"] / 2}
    result = check(r.copy(tmp_path, edits))
    only(result, ("Measures", M("commentary", row["_row"]), "commentary-missing"))
    assert "is Red" in result.errors[0].message


def test_percentages_typed_three_ways_mean_the_same(r: Returns, tmp_path: Path) -> None:
    row = green(r, "%")
    cell = M("actual", row["_row"])
    fraction = check(r.copy(tmp_path, {("Measures", cell): row["actual"] / 100}, "a.xlsx"))
    points = check(r.copy(tmp_path, {("Measures", cell): row["actual"]}, "b.xlsx"))
    for result in (fraction, points):
        assert result.status == ACCEPTED
        assert result.data is not None
        typed = next(m for m in result.data.rows["Measures"] if m["id"] == row["id"])
        assert typed["actual"] == pytest.approx(row["actual"]) and typed["rag"] == "Green"


def test_boolean_in_a_number_cell(r: Returns, tmp_path: Path) -> None:
    row = green(r, "%")
    cell = M("actual", row["_row"])
    only(check(r.copy(tmp_path, {("Measures", cell): True})), ("Measures", cell, "wrong-type"))


def test_date_typed_into_a_number_cell_is_a_warning(r: Returns, tmp_path: Path) -> None:
    row = green(r, "number")
    cell = M("actual", row["_row"])
    warned(check(r.copy(tmp_path, {("Measures", cell): dt.datetime(2025, 4, 1)})),
           ("Measures", cell, "looks-like-a-date"))


def test_annual_measure_not_due_is_ignored_even_if_cleared(r: Returns, tmp_path: Path) -> None:
    row = r.row("Measures", lambda m: m["frequency"] == "Annual")
    result = check(r.copy(tmp_path, {("Measures", M("actual", row["_row"])): None}))
    assert result.status == ACCEPTED


# --- Actions ---------------------------------------------------------------------------------

def on_track(r: Returns) -> dict[str, Any]:
    return r.row("Actions", lambda a: a["status"] == "On track" and a["revised"] is None)


def test_action_status_missing(r: Returns, tmp_path: Path) -> None:
    row = on_track(r)
    cell = A("status", row["_row"])
    only(check(r.copy(tmp_path, {("Actions", cell): None})), ("Actions", cell, "value-missing"))


def test_action_status_not_in_list(r: Returns, tmp_path: Path) -> None:
    row = on_track(r)
    cell = A("status", row["_row"])
    only(check(r.copy(tmp_path, {("Actions", cell): "Going well"})),
         ("Actions", cell, "not-in-list"))


def test_action_status_in_another_case_is_accepted(r: Returns, tmp_path: Path) -> None:
    row = on_track(r)
    result = check(r.copy(tmp_path, {("Actions", A("status", row["_row"])): "ON TRACK"}))
    assert result.status == ACCEPTED and result.data is not None
    assert next(a for a in result.data.rows["Actions"] if a["id"] == row["id"])["status"] == \
        "On track"


def test_percent_complete_not_a_number(r: Returns, tmp_path: Path) -> None:
    row = on_track(r)
    cell = A("complete", row["_row"])
    only(check(r.copy(tmp_path, {("Actions", cell): "about half"})),
         ("Actions", cell, "not-a-number"))


def test_percent_complete_out_of_range(r: Returns, tmp_path: Path) -> None:
    row = on_track(r)
    cell = A("complete", row["_row"])
    only(check(r.copy(tmp_path, {("Actions", cell): 150})), ("Actions", cell, "out-of-range"))


def test_revised_date_not_a_date(r: Returns, tmp_path: Path) -> None:
    row = on_track(r)
    cell = A("revised", row["_row"])
    only(check(r.copy(tmp_path, {("Actions", cell): "next spring"})),
         ("Actions", cell, "not-a-date"))


def test_off_track_without_commentary(r: Returns, tmp_path: Path) -> None:
    row = on_track(r)
    edits = {("Actions", A("status", row["_row"])): "Off track",
             ("Actions", A("commentary", row["_row"])): None}
    only(check(r.copy(tmp_path, edits)),
         ("Actions", A("commentary", row["_row"]), "commentary-missing"))


# --- Savings ---------------------------------------------------------------------------------

def on_target(r: Returns) -> dict[str, Any]:
    return r.row("Savings", lambda s: s["forecast"] == s["target"])


def test_forecast_missing(r: Returns, tmp_path: Path) -> None:
    row = on_target(r)
    cell = S("forecast", row["_row"])
    only(check(r.copy(tmp_path, {("Savings", cell): None})), ("Savings", cell, "value-missing"))


def test_saving_status_missing_and_not_in_list(r: Returns, tmp_path: Path) -> None:
    row = on_target(r)
    cell = S("status", row["_row"])
    only(check(r.copy(tmp_path, {("Savings", cell): None}, "a.xlsx")),
         ("Savings", cell, "value-missing"))
    only(check(r.copy(tmp_path, {("Savings", cell): "Probably"}, "b.xlsx")),
         ("Savings", cell, "not-in-list"))


def test_money_as_text(r: Returns, tmp_path: Path) -> None:
    row = on_target(r)
    cell = S("delivered", row["_row"])
    only(check(r.copy(tmp_path, {("Savings", cell): "£1,000"})), ("Savings", cell, "not-a-number"))


def test_negative_money(r: Returns, tmp_path: Path) -> None:
    row = on_target(r)
    cell = S("delivered", row["_row"])
    only(check(r.copy(tmp_path, {("Savings", cell): -1000})), ("Savings", cell, "out-of-range"))


def test_forecast_below_target_without_commentary(r: Returns, tmp_path: Path) -> None:
    row = on_target(r)
    edits = {("Savings", S("forecast", row["_row"])): row["target"] - 1,
             ("Savings", S("commentary", row["_row"])): None}
    only(check(r.copy(tmp_path, edits)),
         ("Savings", S("commentary", row["_row"]), "commentary-missing"))


# --- Risks -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "value", "code"), [
    ("likelihood", None, "value-missing"),
    ("impact", None, "value-missing"),
    ("impact", 6, "out-of-range"),
    ("likelihood", 0, "out-of-range"),
    ("likelihood", 2.5, "out-of-range"),
    ("likelihood", "high", "out-of-range"),
])
def test_risk_scores(r: Returns, tmp_path: Path, key: str, value: Any, code: str) -> None:
    row = r.rows["Risks"][0]
    cell = R(key, row["_row"])
    only(check(r.copy(tmp_path, {("Risks", cell): value})), ("Risks", cell, code))


# --- Cover: the sign-off ---------------------------------------------------------------------

def test_signoff_missing(r: Returns, tmp_path: Path) -> None:
    only(check(r.copy(tmp_path, {("Cover", "C31"): None})), ("Cover", "C31", "signoff-missing"))


def test_signoff_same_person_ignores_case_and_spaces(r: Returns, tmp_path: Path) -> None:
    completed = openpyxl.load_workbook(r.clean)["Cover"]["C31"].value
    same = "  " + completed.upper().replace(" ", "   ") + " "
    result = check(r.copy(tmp_path, {("Cover", "C32"): same}))
    only(result, ("Cover", "C32", "signoff-same-person"))


@pytest.mark.parametrize("value", [None, "14/07/2025", "last Tuesday"])
def test_signoff_date(r: Returns, tmp_path: Path, value: Any) -> None:
    only(check(r.copy(tmp_path, {("Cover", "C33"): value})), ("Cover", "C33", "signoff-date"))


# --- Formulas and error values in input cells -------------------------------------------------

def test_formula_without_a_saved_value(r: Returns, tmp_path: Path) -> None:
    row = green(r, "%")
    cell = M("actual", row["_row"])
    result = check(r.copy(tmp_path, {("Measures", cell): "=70+3.5"}))
    only(result, ("Measures", cell, "formula-without-value"))
    assert "=70+3.5" in result.errors[0].message


def test_error_value_in_an_input_cell(r: Returns, tmp_path: Path) -> None:
    row = on_target(r)
    cell = S("forecast", row["_row"])
    only(check(r.copy(tmp_path, {("Savings", cell): "#N/A"})), ("Savings", cell, "cell-error"))


# --- Structure -------------------------------------------------------------------------------

def test_prefilled_target_changed(r: Returns, tmp_path: Path) -> None:
    row = green(r, "%")
    cell = M("target", row["_row"])
    result = check(r.copy(tmp_path, {("Measures", cell): 1}))
    only(result, ("Measures", cell, "prefilled-changed"))
    assert row["id"] in result.errors[0].message


def test_prefilled_id_typed_over(r: Returns, tmp_path: Path) -> None:
    row = on_track(r)
    cell = A("id", row["_row"])
    only(check(r.copy(tmp_path, {("Actions", cell): "A-XX-99"})),
         ("Actions", cell, "prefilled-changed"))


def edit_sheet(path: Path, sheet: str, edit: Any) -> Path:
    workbook = openpyxl.load_workbook(path)
    edit(workbook[sheet] if sheet else workbook)
    workbook.save(path)
    return path


def test_row_deleted(r: Returns, tmp_path: Path) -> None:
    row = r.rows["Savings"][1]
    path = edit_sheet(r.copy(tmp_path, {}), "Savings", lambda ws: ws.delete_rows(row["_row"]))
    result = check(path)
    only(result, ("Savings", f"A{row['_row']}", "row-deleted"))
    assert row["id"] in result.errors[0].message


def test_row_inserted(r: Returns, tmp_path: Path) -> None:
    row = r.rows["Risks"][1]

    def insert(ws: Any) -> None:
        ws.insert_rows(row["_row"])
        ws.cell(row=row["_row"], column=1).value = "R-NEW"

    only(check(edit_sheet(r.copy(tmp_path, {}), "Risks", insert)),
         ("Risks", f"A{row['_row']}", "row-inserted"))


def test_rows_reordered(r: Returns, tmp_path: Path) -> None:
    first, second = r.rows["Actions"][0]["_row"], r.rows["Actions"][1]["_row"]

    def swap(ws: Any) -> None:
        for col in range(1, len(ACTIONS.columns) + 1):
            a, b = ws.cell(row=first, column=col), ws.cell(row=second, column=col)
            a.value, b.value = b.value, a.value

    result = check(edit_sheet(r.copy(tmp_path, {}), "Actions", swap))
    assert {code for _, _, code in problems(result)} == {"row-moved"}
    assert result.status == REJECTED


def test_rows_added_above_the_header_are_tolerated(r: Returns, tmp_path: Path) -> None:
    path = edit_sheet(r.copy(tmp_path, {}), "Risks", lambda ws: ws.insert_rows(2, 2))
    result = check(path)
    assert result.status == ACCEPTED and result.data is not None
    assert [x["_row"] for x in result.data.rows["Risks"]] == \
        [x["_row"] + 2 for x in r.rows["Risks"]]


def test_header_changed(r: Returns, tmp_path: Path) -> None:
    cell = M("commentary", layout.HEADER_ROW)
    only(check(r.copy(tmp_path, {("Measures", cell): "Notes"})),
         ("Measures", cell, "columns-changed"))


def test_header_missing(r: Returns, tmp_path: Path) -> None:
    only(check(r.copy(tmp_path, {("Risks", f"A{layout.HEADER_ROW}"): "ID"})),
         ("Risks", "", "header-missing"))


def test_sheet_renamed(r: Returns, tmp_path: Path) -> None:
    def rename(wb: Any) -> None:
        wb["Savings"].title = "Savings 2025"

    result = check(edit_sheet(r.copy(tmp_path, {}), "", rename))
    only(result, ("Savings", "", "sheet-renamed"))
    assert result.data is not None and len(result.data.rows["Savings"]) == len(r.rows["Savings"])


def test_sheet_missing(r: Returns, tmp_path: Path) -> None:
    def remove(wb: Any) -> None:
        del wb["Risks"]

    only(check(edit_sheet(r.copy(tmp_path, {}), "", remove)), ("Risks", "", "sheet-missing"))


# --- Identity --------------------------------------------------------------------------------

def test_wrong_quarter(r: Returns) -> None:
    result = check(r.clean, quarter=Q2)
    only(result, ("", "", "wrong-quarter"))
    assert str(Q1) in result.errors[0].message and str(Q2) in result.errors[0].message


def test_old_template_version(r: Returns, tmp_path: Path) -> None:
    only(check(r.copy(tmp_path, {(layout.META_SHEET, "B2"): "0"})), ("", "", "old-template"))


def test_meta_table_changed(r: Returns, tmp_path: Path) -> None:
    from workbook_tools.returns.generate import META_TABLE_ROW

    cell = f"C{META_TABLE_ROW + 1}"
    only(check(r.copy(tmp_path, {(layout.META_SHEET, cell): "M-XX-01"})),
         (layout.META_SHEET, "", "meta-changed"))


def test_wrong_council_and_directorate(r: Returns) -> None:
    other = dataclasses.replace(
        r.plan, settings=dataclasses.replace(r.plan.settings, council_name="Derby City Council"))
    only(check(r.clean, plan=other), ("", "", "wrong-council"))
    without = dataclasses.replace(
        r.plan, directorates=tuple(d for d in r.plan.directorates if d.code != "CS"))
    only(check(r.clean, plan=without), ("", "", "wrong-directorate"))


def test_not_one_of_ours(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Budget"
    workbook.save(path)
    result = check(path)
    assert result.status == NOT_A_RETURN
    assert [f.code for f in result.findings] == ["not-a-return"]
    assert result.findings[0].message.startswith("budget.xlsx is a workbook but not")


def test_identified_by_meta_not_file_name(r: Returns, tmp_path: Path) -> None:
    result = check(r.copy(tmp_path, {}, "final version (2).xlsx"))
    assert result.status == ACCEPTED and result.directorate == "CS"


# --- Warnings --------------------------------------------------------------------------------

def test_complete_below_100_and_the_reverse(r: Returns, tmp_path: Path) -> None:
    row = on_track(r)
    status, complete = A("status", row["_row"]), A("complete", row["_row"])
    warned(check(r.copy(tmp_path, {("Actions", status): "Complete"}, "a.xlsx")),
           ("Actions", complete, "complete-below-100"))
    warned(check(r.copy(tmp_path, {("Actions", complete): 100}, "b.xlsx")),
           ("Actions", status, "full-but-not-complete"))


def test_delivered_more_than_forecast(r: Returns, tmp_path: Path) -> None:
    row = on_target(r)
    cell = S("delivered", row["_row"])
    warned(check(r.copy(tmp_path, {("Savings", cell): row["forecast"] + 1})),
           ("Savings", cell, "delivered-above-forecast"))


def test_revised_date_before_due_and_without_commentary(r: Returns, tmp_path: Path) -> None:
    row = on_track(r)
    cell = A("revised", row["_row"])
    earlier = dt.datetime.combine(row["due"] - dt.timedelta(days=30), dt.time())
    warned(check(r.copy(tmp_path, {("Actions", cell): earlier}, "a.xlsx")),
           ("Actions", cell, "revised-before-due"))
    later = dt.datetime.combine(row["due"] + dt.timedelta(days=30), dt.time())
    edits = {("Actions", cell): later, ("Actions", A("commentary", row["_row"])): None}
    warned(check(r.copy(tmp_path, edits, "b.xlsx")),
           ("Actions", A("commentary", row["_row"]), "revised-without-commentary"))


@pytest.mark.parametrize("text", ["n/a", "See above.", "-", "tbc", "Poor"])
def test_commentary_that_explains_nothing(r: Returns, tmp_path: Path, text: str) -> None:
    row = r.row("Measures", lambda m: m["rag"] == "Red")
    cell = M("commentary", row["_row"])
    warned(check(r.copy(tmp_path, {("Measures", cell): text})),
           ("Measures", cell, "commentary-uninformative"))


@pytest.mark.parametrize("status", ["At risk", "Off track"])
def test_an_action_at_risk_or_off_track_needs_commentary_that_explains(
        r: Returns, tmp_path: Path, status: str) -> None:
    """Cabinet reads why an action is slipping: 'tbc' beside At risk or Off track is warned;
    the same word beside On track is not."""
    row = on_track(r)
    status_cell, note = A("status", row["_row"]), A("commentary", row["_row"])
    warned(check(r.copy(tmp_path, {("Actions", status_cell): status, ("Actions", note): "tbc"},
                        "a.xlsx")),
           ("Actions", note, "commentary-uninformative"))
    on = check(r.copy(tmp_path, {("Actions", note): "tbc"}, "b.xlsx"))
    assert not [f for f in on.findings if f.code == "commentary-uninformative"], on.findings


def test_implausible_change_against_previous_quarter(r: Returns, tmp_path: Path) -> None:
    data = read_return(r.clean_q2).data
    assert data is not None
    row = next(m for m in data.rows["Measures"] if m["previous"] and m["rag"] == "Green"
               and m["polarity"] == "Higher is better" and m["unit"] != "%")
    path = tmp_path / r.clean_q2.name
    path.write_bytes(r.clean_q2.read_bytes())
    cell = M("actual", row["_row"])
    from support import set_cells

    set_cells(path, {("Measures", cell): row["previous"] * 3})
    warned(check(path), ("Measures", cell, "implausible-change"))


def test_delivered_lower_than_last_quarter(r: Returns, tmp_path: Path) -> None:
    from support import set_cells

    data = read_return(r.clean_q2).data
    assert data is not None
    row = next(s for s in data.rows["Savings"] if s["previous"])
    path = tmp_path / r.clean_q2.name
    path.write_bytes(r.clean_q2.read_bytes())
    cell = S("delivered", row["_row"])
    set_cells(path, {("Savings", cell): row["previous"] - 1000})
    warned(check(path), ("Savings", cell, "delivered-fell"))


def test_previous_figures_from_the_master_context(r: Returns, tmp_path: Path) -> None:
    """Where the return shows no previous actual, the master's figure is used."""
    from workbook_tools.returns.layout import Context
    from workbook_tools.returns.validate import validate_file

    row = green(r, "number")
    context = Context(quarter=Q1, previous_actuals={row["id"]: row["actual"] * 10})
    result = validate_file(r.clean, Q1, None, lambda q: context)
    warned(result, ("Measures", M("actual", row["_row"]), "implausible-change"))


# --- Formulas typed over ---------------------------------------------------------------------

def test_a_formula_typed_over_is_named_by_its_cell(r: Returns, tmp_path: Path) -> None:
    """With the sheet unprotected, Green typed over a RAG, a score typed over a risk's, and YES
    typed over Ready to submit: each is an error at its cell (the Cover still works out NO)."""
    from workbook_tools.returns.cover import READY_ROW

    measure = green(r, "%")
    risk = r.rows["Risks"][0]
    edits = {("Measures", MEASURES.cell("rag", measure["_row"])): "Green",
             ("Risks", RISKS.cell("score", risk["_row"])): 4,
             ("Checks", f"C{READY_ROW}"): "YES"}
    result = check(r.copy(tmp_path, edits))
    only(result, ("Measures", MEASURES.cell("rag", measure["_row"]), "formula-overwritten"),
         ("Risks", RISKS.cell("score", risk["_row"]), "formula-overwritten"),
         ("Checks", f"C{READY_ROW}", "formula-overwritten"))
    assert "it now reads 'Green'" in next(f.message for f in result.errors
                                          if f.sheet == "Measures")
    assert check(r.clean).status == ACCEPTED  # every formula the tool wrote is still there


def test_100_percent_typed_is_100_and_a_fraction_is_said_to_be_read_as_one(
        r: Returns, tmp_path: Path) -> None:
    """'100%' typed into a % measure is stored as 1 with a percentage format: it means 100. A
    0.9 in a cell that does not show it as 90% still means 90%, and validate says it read it
    so; in the return's own cell (which shows 0.9 as 90%) it is read so without a word."""
    measure = green(r, "%")
    other = r.row("Measures", lambda m: m["unit"] == "%" and m is not measure
                  and m["frequency"] == "Quarterly" and m["polarity"] == "Higher is better"
                  and m["target"] and m["target"] <= 90)
    path = r.copy(tmp_path, {})
    workbook = openpyxl.load_workbook(path)
    cell = workbook["Measures"][M("actual", measure["_row"])]
    cell.value, cell.number_format = 1, "0%"
    pasted = workbook["Measures"][M("actual", other["_row"])]  # pasted in, as General
    pasted.value, pasted.number_format = 0.9, "General"
    workbook.save(path)
    result = check(path)
    typed = {row["id"]: row for row in result.data.rows["Measures"]}  # type: ignore[union-attr]
    assert typed[measure["id"]]["actual"] == 100 and typed[measure["id"]]["rag"] == "Green"
    assert typed[other["id"]]["actual"] == 90
    warned(result, ("Measures", M("actual", other["_row"]), "percent-read"))
    assert "0.9 was read as 90%" in result.warnings[0].message
    assert check(r.copy(tmp_path, {("Measures", M("actual", other["_row"])): 0.9},
                        "shown.xlsx")).status == ACCEPTED


def test_returns_read_one_after_another_each_with_its_own_formats(
        r: Returns, tmp_path: Path) -> None:
    """A process reading many returns reads each one's number formats from its own styles: a
    1 under the return's own format means 1%, and in the next return, typed as 100%, 100."""
    measure = green(r, "%")
    ref = M("actual", measure["_row"])
    first = r.copy(tmp_path, {("Measures", ref): 1}, "first.xlsx")
    second = r.copy(tmp_path, {}, "second.xlsx")
    workbook = openpyxl.load_workbook(second)
    workbook["Measures"][ref].value, workbook["Measures"][ref].number_format = 1, "0%"
    workbook.save(second)
    for path, actual in ((first, 1), (second, 100), (first, 1)):
        data = check(path).data
        assert data is not None
        assert {row["id"]: row for row in data.rows["Measures"]}[measure["id"]]["actual"] == actual
