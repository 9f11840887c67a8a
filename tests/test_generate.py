"""Generated returns, reopened with openpyxl as Excel would see them: sheets, protection, inputs,
validations, drop-downs, frozen headers, print set-up, `_meta`, and byte-stable output."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import GENERATED_AT, Q1

from workbook_tools import TEMPLATE_VERSION
from workbook_tools.errors import UsageError
from workbook_tools.files.cells import column_letter
from workbook_tools.files.xlsx import INPUT_FILL, LOCKED_FILL
from workbook_tools.plan.examples import example_rows
from workbook_tools.plan.register import Plan, load_plan, plan_from_rows
from workbook_tools.quarters import Quarter
from workbook_tools.returns import layout
from workbook_tools.returns.cover import READY_FORMULA
from workbook_tools.returns.fingerprint import fingerprint, row_hashes
from workbook_tools.returns.generate import (
    COVER,
    META_KEYS,
    META_TABLE_ROW,
    NOTHING_HERE,
    RETURN_MARKER,
    generate_returns,
)
from workbook_tools.returns.layout import FIRST_DATA_ROW, HEADER_ROW, Context
from workbook_tools.returns.rules.inputs import checks_rows
from workbook_tools.returns.style import GREY_TEXT, row_points, text_lines

Q4 = Quarter(2025, 4)


def open_return(path: Path, data_only: bool = False) -> Any:
    return openpyxl.load_workbook(path, data_only=data_only)


def meta_of(workbook: Any) -> dict[str, Any]:
    sheet = workbook[layout.META_SHEET]
    return {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(1, len(META_KEYS) + 1)}


def item_rows(plan: Plan, code: str) -> dict[str, list[Any]]:
    share = plan.for_directorate(code)
    return {"Measures": list(share.measures), "Actions": list(share.actions),
            "Savings": list(share.savings), "Risks": list(share.risks)}


def fill_of(cell: Any) -> str:
    return f"#{str(cell.fill.fgColor.rgb)[-6:]}".upper()


def validation_for(sheet: Any, ref: str) -> Any:
    found = [dv for dv in sheet.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) == 1, f"{sheet.title}!{ref} has {len(found)} validations"
    return found[0]


def test_one_return_per_directorate(blank_q1: dict[str, Path], plan: Plan) -> None:
    assert sorted(blank_q1) == sorted(d.code for d in plan.directorates)
    for code, path in blank_q1.items():
        assert path.name == f"{code}_2025-26-Q1.xlsx"
        assert path.parent.name == "2025-26-Q1"


def test_sheets_in_order_and_meta_very_hidden(blank_q1: dict[str, Path], plan: Plan) -> None:
    workbook = open_return(blank_q1["ASCH"])
    assert workbook.sheetnames[: len(layout.SHEET_ORDER)] == list(layout.SHEET_ORDER)
    for name in workbook.sheetnames:
        state = workbook[name].sheet_state
        if name == layout.META_SHEET:
            assert state == "veryHidden"
        elif name in layout.SHEET_ORDER:
            assert state == "visible"
        else:  # helper lists may follow, hidden
            assert name.startswith("_") and state in ("hidden", "veryHidden")
    meta = meta_of(workbook)
    assert meta["Return"] == RETURN_MARKER
    assert meta["Template version"] == TEMPLATE_VERSION
    assert meta["Directorate"] == "ASCH"
    assert meta["Directorate name"] == "Adult Social Care and Health"
    assert meta["Council"] == plan.settings.council_name
    assert meta["Quarter"] == "2025-26-Q1"
    assert meta["Generated"] == GENERATED_AT.isoformat()
    assert re.fullmatch(r"[0-9a-f]{64}", meta["Fingerprint"])


def test_the_fingerprint_covers_every_prefilled_cell(blank_q1: dict[str, Path],
                                                     plan: Plan) -> None:
    """Recomputed from the cells as the workbook holds them, it is the one in `_meta`."""
    workbook = open_return(blank_q1["CS"])
    table = workbook[layout.META_SHEET]
    rows = []
    listed = []
    for name, spec in layout.SHEETS.items():
        sheet = workbook[name]
        for offset, item in enumerate(item_rows(plan, "CS")[name]):
            row = FIRST_DATA_ROW + offset
            keys = [c.key for c in spec.prefilled]
            values = [sheet[spec.cell(k, row)].value for k in keys]
            assert sheet[spec.cell("id", row)].value == item.id
            rows.append((name, item.id, row_hashes(keys, values)))
            listed.append((name, row, item.id))
    assert meta_of(workbook)["Fingerprint"] == fingerprint(rows)
    table_rows = [
        (table.cell(r, 1).value, table.cell(r, 2).value, table.cell(r, 3).value)
        for r in range(META_TABLE_ROW + 1, META_TABLE_ROW + 1 + len(listed))
    ]
    assert table_rows == listed


def test_each_sheet_lists_the_directorates_items_in_plan_order(blank_q1: dict[str, Path],
                                                               plan: Plan) -> None:
    for code, path in blank_q1.items():
        workbook = open_return(path)
        for name, items in item_rows(plan, code).items():
            spec = layout.SHEETS[name]
            sheet = workbook[name]
            assert [c.value for c in sheet[HEADER_ROW]][: len(spec.columns)] == [
                c.header for c in spec.columns]
            ids = [sheet.cell(FIRST_DATA_ROW + i, 1).value for i in range(len(items) + 1)]
            assert ids == [item.id for item in items] + [None], (code, name)


def test_prefilled_cells_locked_inputs_unlocked_and_shaded(blank_q1: dict[str, Path],
                                                           plan: Plan) -> None:
    workbook = open_return(blank_q1["PL"])
    for name, items in item_rows(plan, "PL").items():
        spec = layout.SHEETS[name]
        sheet = workbook[name]
        assert sheet.protection.sheet is True
        assert not sheet.protection.password
        for offset, item in enumerate(items):
            row = FIRST_DATA_ROW + offset
            for column in spec.columns:
                cell = sheet[spec.cell(column.key, row)]
                not_due = name == "Measures" and column.key == "actual" and not item.is_due(Q1)
                if column.is_input and not not_due:
                    assert cell.protection.locked is False, cell.coordinate
                    assert fill_of(cell) == INPUT_FILL, cell.coordinate
                    assert cell.value is None
                else:
                    assert cell.protection.locked is True, cell.coordinate
                if column.role is layout.Role.PREFILLED:
                    assert fill_of(cell) == LOCKED_FILL
                if column.role is layout.Role.DERIVED:
                    assert str(cell.value).startswith("="), cell.coordinate
    # the objective is context, in grey; the item itself is in the normal colour
    measures = workbook["Measures"]
    objective = measures[layout.MEASURES.cell("objective", FIRST_DATA_ROW)].font.color
    name = measures[layout.MEASURES.cell("name", FIRST_DATA_ROW)].font.color
    assert objective is not None and objective.rgb.endswith(GREY_TEXT[1:])
    assert name is None or not str(name.rgb).endswith(GREY_TEXT[1:])
    cover = workbook["Cover"]
    assert cover.protection.sheet is True
    unlocked = {c.coordinate for row in cover.iter_rows() for c in row
                if c.protection.locked is False}
    assert unlocked == {f"C{COVER.completed_by}", f"C{COVER.approved_by}",
                        f"C{COVER.signoff_date}"}
    assert workbook["Checks"].protection.sheet is True


def test_a_password_protects_the_sheets_when_asked(workspace: Path, plan: Plan) -> None:
    (path,) = generate_returns(plan, Q1, workspace / "locked", ["CS"], password="s3cret",
                               now=GENERATED_AT)
    workbook = open_return(path)
    for name in ("Cover", *layout.DATA_SHEETS, "Checks"):
        assert workbook[name].protection.sheet is True
        assert workbook[name].protection.password  # stored hashed


def test_every_input_has_a_validation_with_an_input_message(blank_q1: dict[str, Path],
                                                            plan: Plan) -> None:
    workbook = open_return(blank_q1["ASCH"])
    for name, items in item_rows(plan, "ASCH").items():
        spec = layout.SHEETS[name]
        sheet = workbook[name]
        for offset, item in enumerate(items):
            row = FIRST_DATA_ROW + offset
            for column in spec.inputs:
                if name == "Measures" and column.key == "actual" and not item.is_due(Q1):
                    assert not [dv for dv in sheet.data_validations.dataValidation
                                if spec.cell("actual", row) in dv.sqref]
                    continue
                dv = validation_for(sheet, spec.cell(column.key, row))
                assert dv.showInputMessage and dv.promptTitle and len(dv.prompt) > 15
                assert dv.showErrorMessage is not False
    cover = workbook["Cover"]
    for row in (COVER.completed_by, COVER.approved_by, COVER.signoff_date):
        assert validation_for(cover, f"C{row}").prompt


def test_lists_are_drop_downs_and_numbers_are_checked(blank_q1: dict[str, Path],
                                                     plan: Plan) -> None:
    workbook = open_return(blank_q1["CS"])
    items = item_rows(plan, "CS")
    row = FIRST_DATA_ROW
    status = validation_for(workbook["Actions"], layout.ACTIONS.cell("status", row))
    assert status.type == "list"
    assert status.formula1 == '"Not started,On track,At risk,Off track,Complete,Cancelled"'
    saving_status = validation_for(workbook["Savings"], layout.SAVINGS.cell("status", row))
    assert saving_status.type == "list" and "Unachievable" in saving_status.formula1
    complete = validation_for(workbook["Actions"], layout.ACTIONS.cell("complete", row))
    assert (complete.type, complete.formula1, complete.formula2) == ("decimal", "0", "100")
    revised = validation_for(workbook["Actions"], layout.ACTIONS.cell("revised", row))
    assert revised.type == "date"
    forecast = validation_for(workbook["Savings"], layout.SAVINGS.cell("forecast", row))
    assert (forecast.type, forecast.operator, forecast.formula1) == (
        "decimal", "greaterThanOrEqual", "0")
    likelihood = validation_for(workbook["Risks"], layout.RISKS.cell("likelihood", row))
    assert (likelihood.type, likelihood.formula1, likelihood.formula2) == ("whole", "1", "5")
    for offset, measure in enumerate(items["Measures"]):
        if not measure.is_due(Q1):
            continue
        actual = validation_for(workbook["Measures"],
                                layout.MEASURES.cell("actual", FIRST_DATA_ROW + offset))
        assert actual.type == "decimal"
        if measure.unit == "%":
            assert (actual.formula1, actual.formula2) == ("0", "100")
            assert "85.5 for 85.5%" in actual.prompt
        elif measure.unit in ("£", "days"):
            assert (actual.operator, actual.formula1) == ("greaterThanOrEqual", "0")


def test_headers_frozen_filtered_and_printable(blank_q1: dict[str, Path], plan: Plan) -> None:
    workbook = open_return(blank_q1["CST"])
    for name, items in item_rows(plan, "CST").items():
        spec = layout.SHEETS[name]
        sheet = workbook[name]
        # the header and the columns up to the item's name stay in view
        assert sheet.freeze_panes == f"{column_letter(spec.index('name') + 1)}{FIRST_DATA_ROW}"
        last = FIRST_DATA_ROW + len(items) - 1
        last_column = column_letter(len(spec.columns) - 1)
        assert sheet.auto_filter.ref == f"A{HEADER_ROW}:{last_column}{last}"
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # one page wide
        assert sheet.print_title_rows == f"$1:${HEADER_ROW}"
        assert "Page &P of &N" in sheet.oddFooter.right.text
    for name in ("Cover", "Checks"):
        setup = workbook[name].page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToHeight or 1) == ("portrait", 9, 1)


def test_rows_are_tall_enough_for_their_text_and_grow_as_people_type(
        blank_q1: dict[str, Path], plan: Plan) -> None:
    path = blank_q1["CS"]
    sheet = open_return(path)["Measures"]
    spec = layout.MEASURES
    for offset in range(len(item_rows(plan, "CS")["Measures"])):
        row = FIRST_DATA_ROW + offset
        for key in ("objective", "name"):
            lines = text_lines(sheet[spec.cell(key, row)].value, spec.column(key).width)
            assert sheet.row_dimensions[row].height >= row_points(lines)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet2.xml").decode()
    rows = dict(re.findall(r'<row r="(\d+)"([^>]*)>', xml))
    assert "customHeight" in rows[str(HEADER_ROW)]
    assert 'ht="' in rows[str(FIRST_DATA_ROW)] and "customHeight" not in rows[str(FIRST_DATA_ROW)]


def test_the_cover_says_whose_return_it_is_and_when_it_is_due(blank_q1: dict[str, Path],
                                                              plan: Plan) -> None:
    workbook = open_return(blank_q1["CS"])
    cover = workbook["Cover"]
    assert cover["C4"].value == plan.settings.council_name
    assert cover["C5"].value == "Children's Services (CS)"
    assert cover["C6"].value == "2025-26-Q1: April to June 2025"
    assert cover[f"C{COVER.quarter_end}"].value == dt.datetime(2025, 6, 30)
    assert cover[f"C{COVER.deadline}"].value == dt.datetime(2025, 7, 15)
    assert cover[f"C{COVER.tolerance}"].value == 5
    assert cover[f"C{COVER.ready}"].value == READY_FORMULA  # the counts, not the Checks' cell
    labels = {cover[f"B{r}"].value: r for r in range(1, 40) if cover[f"B{r}"].value}
    for label, row in ((layout.COMPLETED_BY, COVER.completed_by),
                       (layout.APPROVED_BY, COVER.approved_by),
                       (layout.SIGNOFF_DATE, COVER.signoff_date)):
        assert labels[label] == row
    text = " ".join(str(v) for v in labels)
    assert "How to fill it in" in text and "Colour key" in text and "Sign-off" in text
    steps = " ".join(str(cover[f"B{r}"].value) for r in range(13, 20))
    assert "Tuesday 15 July 2025" in steps
    share = plan.for_directorate("CS")
    due = sum(1 for m in share.measures if m.is_due(Q1))
    assert f"asks about {due} measures" in steps
    assert set(workbook.defined_names) >= {"ReadyToSubmit", "QuarterEnd", "AmberTolerance"}


def test_the_checks_sheet_counts_a_blank_return_as_not_ready(blank_q1: dict[str, Path],
                                                             plan: Plan) -> None:
    path = blank_q1["CS"]
    formulas = open_return(path)["Checks"]
    cached = open_return(path, data_only=True)["Checks"]
    rows = [(r[0].value, r[1].value, r[3].value) for r in formulas.iter_rows(min_row=5)
            if r[3].value]
    expected = [(sheet, group[0].label, code) for (sheet, code), group in checks_rows().items()]
    assert rows == expected
    counts = {(r[0].value, r[3].value): r[2].value for r in cached.iter_rows(min_row=5)
              if r[3].value}
    share = plan.for_directorate("CS")
    assert counts[("Measures", "value-missing")] == sum(1 for m in share.measures
                                                       if m.is_due(Q1))
    assert counts[("Cover", "signoff-missing")] == 2
    ready = next(r for r in formulas.iter_rows() if r[1].value == "Ready to submit")
    assert ready[2].value == READY_FORMULA
    assert next(r for r in cached.iter_rows() if r[1].value == "Ready to submit")[2].value == "NO"
    # each sheet name links to the column its check is about
    links = {r[0].hyperlink.location for r in formulas.iter_rows(min_row=5) if r[3].value}
    assert f"'Measures'!{layout.MEASURES.letter('actual')}5" in links and "'Cover'!C31" in links


def test_annual_measures_ask_for_an_actual_only_in_q4(workspace: Path, plan: Plan) -> None:
    annual = [m for m in plan.measures if m.frequency == "Annual"]
    code = annual[0].directorate_code
    by_quarter = {}
    for quarter in (Q1, Q4):
        (path,) = generate_returns(plan, quarter, workspace / str(quarter), [code],
                                   now=GENERATED_AT)
        by_quarter[quarter] = open_return(path)["Measures"]
    measures = list(plan.for_directorate(code).measures)
    spec = layout.MEASURES
    for offset, measure in enumerate(measures):
        if measure.frequency != "Annual":
            continue
        row = FIRST_DATA_ROW + offset
        q1, q4 = by_quarter[Q1], by_quarter[Q4]
        assert q1[spec.cell("actual", row)].value == layout.NOT_DUE
        assert q1[spec.cell("actual", row)].protection.locked is True
        assert q1[spec.cell("target", row)].value is None
        assert q4[spec.cell("actual", row)].value is None
        assert q4[spec.cell("actual", row)].protection.locked is False
        assert q4[spec.cell("target", row)].value == measure.target_for(Q4)
        validation_for(q4, spec.cell("actual", row))


def test_previous_figures_are_shown(workspace: Path, plan: Plan) -> None:
    share = plan.for_directorate("CS")
    measure, saving, risk = share.measures[0], share.savings[0], share.risks[0]
    context = Context(quarter=Quarter(2025, 2), previous_actuals={measure.id: 71.5},
                      previous_delivered={saving.id: 250_000}, previous_scores={risk.id: 9})
    (path,) = generate_returns(plan, Quarter(2025, 2), workspace / "q2", ["CS"], context,
                               now=GENERATED_AT)
    workbook = open_return(path)
    row = FIRST_DATA_ROW
    assert workbook["Measures"][layout.MEASURES.cell("previous", row)].value == 71.5
    assert workbook["Measures"][layout.MEASURES.cell("target", row)].value == 72.5
    assert workbook["Savings"][layout.SAVINGS.cell("previous", row)].value == 250_000
    assert workbook["Risks"][layout.RISKS.cell("previous", row)].value == 9


def test_directorate_option_limits_output(workspace: Path, plan: Plan) -> None:
    out = workspace / "some"
    paths = generate_returns(plan, Q1, out, ["PL", "CS", "PL"], now=GENERATED_AT)
    assert [p.name for p in paths] == ["PL_2025-26-Q1.xlsx", "CS_2025-26-Q1.xlsx"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)


def test_an_unknown_directorate_is_refused(workspace: Path, plan: Plan) -> None:
    with pytest.raises(UsageError, match=r"'XX' is not a directorate in the register\. "
                                         r"Known: CS, ASCH, PL, CST\."):
        generate_returns(plan, Q1, workspace / "none", ["CS", "XX"])
    assert not (workspace / "none" / "CS_2025-26-Q1.xlsx").exists()


def test_same_plan_quarter_and_time_give_the_same_bytes(workspace: Path, plan: Plan) -> None:
    first = generate_returns(plan, Q1, workspace / "a", now=GENERATED_AT)
    again = generate_returns(load_plan(workspace / "templates" / "plan.xlsx"), Q1,
                             workspace / "b", now=GENERATED_AT)
    for one, two in zip(first, again, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    later = generate_returns(plan, Q1, workspace / "c", ["CS"],
                             now=GENERATED_AT + dt.timedelta(hours=1))[0]
    assert later.read_bytes() != first[0].read_bytes()
    # only _meta's generation time differs
    a, b = open_return(first[0]), open_return(later)
    for name in layout.SHEET_ORDER:
        # an array formula (the Checks counts) compares by its text
        cells_a = [getattr(c.value, "text", c.value) for row in a[name].iter_rows() for c in row]
        cells_b = [getattr(c.value, "text", c.value) for row in b[name].iter_rows() for c in row]
        if name == layout.META_SHEET:
            assert [x for x, y in zip(cells_a, cells_b, strict=True) if x != y] == [
                GENERATED_AT.isoformat()]
        else:
            assert cells_a == cells_b, name


def test_the_derby_example_generates(derby_workspace: Path) -> None:
    plan = load_plan(derby_workspace / "templates" / "plan.xlsx")
    paths = generate_returns(plan, Q1, derby_workspace / "out", now=GENERATED_AT)
    assert len(paths) == len(plan.directorates)
    for path, directorate in zip(paths, plan.directorates, strict=True):
        workbook = open_return(path)
        assert meta_of(workbook)["Directorate"] == directorate.code
        for name, items in item_rows(plan, directorate.code).items():
            sheet = workbook[name]
            ids = [sheet.cell(FIRST_DATA_ROW + i, 1).value for i in range(len(items))]
            assert ids == [item.id for item in items]


def test_a_sheet_with_nothing_to_report_says_so(workspace: Path) -> None:
    rows = example_rows("derbyshire")
    rows["Risks"] = [r for r in rows["Risks"] if r[1] != "PL"]
    plan, problems = plan_from_rows(rows)
    assert not problems and plan is not None
    (path,) = generate_returns(plan, Q1, workspace / "norisks", ["PL"], now=GENERATED_AT)
    workbook = open_return(path)
    risks = workbook["Risks"]
    assert risks.cell(FIRST_DATA_ROW, 1).value == NOTHING_HERE
    assert not risks.data_validations.dataValidation
    counts = {(r[0].value, r[3].value): r[1].value for r in workbook["Checks"].iter_rows()}
    assert ("Risks", "value-missing") in counts
    assert "Risks with no likelihood" in counts[("Risks", "value-missing")]
    risk_check = next(r for r in workbook["Checks"].iter_rows()
                      if (r[0].value, r[3].value) == ("Risks", "value-missing"))
    assert risk_check[2].value == "=0"


def test_text_that_looks_like_a_formula_stays_text(workspace: Path) -> None:
    rows = example_rows("derbyshire")
    header = rows["Measures"][0]
    rows["Measures"][1][header.index("Measure")] = "=HYPERLINK(\"http://x\",\"click\")"
    plan, problems = plan_from_rows(rows)
    assert not problems and plan is not None
    (path,) = generate_returns(plan, Q1, workspace / "text", ["CS"], now=GENERATED_AT)
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet2.xml").decode()
    name_cell = layout.MEASURES.cell("name", FIRST_DATA_ROW)
    assert re.search(rf'<c r="{name_cell}"[^>]* t="s"', sheet)
    assert "HYPERLINK" not in sheet


def test_fast_formula_writing_gives_xlsxwriters_own_bytes(workspace: Path, plan: Plan,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """Returns are written with a worksheet that skips xlsxwriter's formula rewrites for
    classic functions (half of generate's time). The files must be exactly what xlsxwriter
    itself writes."""
    import xlsxwriter.worksheet

    from workbook_tools.files import xlsx

    # one process: a worker (spawned, on Windows and macOS) would never see the monkeypatch
    monkeypatch.setenv("WORKBOOK_TOOLS_WORKERS", "1")
    fast = generate_returns(plan, Q1, workspace / "fast", now=GENERATED_AT)
    monkeypatch.setattr(xlsx, "FastFormulaWorksheet", xlsxwriter.worksheet.Worksheet)
    plain = generate_returns(plan, Q1, workspace / "plain", now=GENERATED_AT)
    for one, two in zip(fast, plain, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    # a formula with a newer function still gets xlsxwriter's prefix
    sheet = xlsx.new_workbook(workspace / "x.xlsx").add_worksheet()
    assert sheet._prepare_formula("=XLOOKUP(A1,B:B,C:C)") == "_xlfn.XLOOKUP(A1,B:B,C:C)"
    assert sheet._prepare_formula("=IF(A1>0,SUM(B1:B3),\"\")") == 'IF(A1>0,SUM(B1:B3),"")'


def test_every_formula_in_a_return_takes_the_fast_path(workspace: Path, plan: Plan) -> None:
    """A function missing from CLASSIC_FUNCTIONS sends every formula using it through
    xlsxwriter's rewrites: the measures' CELL("format", ...) made them 40% of generate's time
    at 1,000 items a return."""
    from workbook_tools.files.xlsx import CLASSIC_FUNCTIONS

    (path,) = generate_returns(plan, Q1, workspace / "fast", ["CS"], now=GENERATED_AT)
    used: set[str] = set()
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                for formula in re.findall(r"<f[^>]*>([^<]*)</f>", archive.read(name).decode()):
                    used |= set(re.findall(r"([A-Za-z_][\w.]*)\(", formula))
    assert {"CELL", "IF", "SUM"} <= used
    assert used <= CLASSIC_FUNCTIONS, sorted(used - CLASSIC_FUNCTIONS)
