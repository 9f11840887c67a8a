"""Agreement proven by machine, across spreadsheet programs: values typed the way people type
them (words, '12%', '1,250', '£2,099,999.50', UK and ISO dates, numbers on the RAG boundaries,
every kind of white space, error values, formulas) into real returns, recalculated by LibreOffice
and by Gnumeric, give Checks counts equal, rule code by rule code, to validate's findings, a
Ready to submit (on the Checks sheet and the Cover) that is YES exactly when validate finds no
error, and never an error value. The same on every directorate's return of both examples, both
quarters, filled cleanly and with `simulate --error-rate 0.3`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from agreement_support import (
    LIST_ENTRIES,
    PERCENT,
    checks_sheet,
    data_status_edits,
    gnumeric_save_all,
    libreoffice_save_all,
    list_entry_edits,
    type_into,
    typed_edits,
)
from conftest import GENERATED_AT, Q1, Q2
from support import SSCONVERT, needs_libreoffice

from workbook_tools.files.guard import read_values
from workbook_tools.plan.examples import init_folder
from workbook_tools.plan.register import load_plan
from workbook_tools.returns import layout, rules
from workbook_tools.returns.generate import generate_returns
from workbook_tools.returns.layout import ACTIONS, COVER, MEASURES, RISKS, SAVINGS, Context
from workbook_tools.returns.read import read_return
from workbook_tools.returns.rules.inputs import checks_rows
from workbook_tools.returns.simulate import fill_return
from workbook_tools.returns.validate import CHECKS_CODES, validate_file

pytestmark = needs_libreoffice

TYPED_CASES = 10


def what_the_issue_found(clean: Path) -> dict[tuple[str, str], Any]:
    """Each case the issue reports, typed into one return."""
    data = read_return(clean).data
    assert data is not None
    rows = data.rows
    due = [m for m in rows["Measures"] if m["frequency"] == "Quarterly"
           and m["polarity"] == rules.HIGHER_IS_BETTER and m["target"]]
    m80 = due[0]
    a, s, k = rows["Actions"], rows["Savings"], rows["Risks"]
    percent = [m for m in due if m["unit"] == "%" and m["target"] > 1 and m not in due[:4]]
    completed = data.cover["Completed by"]
    return {
        # whitespace that looks blank, on a Red measure
        ("Measures", MEASURES.cell("actual", due[1]["_row"])): 0,
        ("Measures", MEASURES.cell("commentary", due[1]["_row"])): "\t",
        ("Measures", MEASURES.cell("actual", due[2]["_row"])): 0,
        ("Measures", MEASURES.cell("commentary", due[2]["_row"])): "\u00a0\n",
        # a boundary at spreadsheet precision: just under the target is Amber
        ("Measures", MEASURES.cell("actual", m80["_row"])):
            m80["target"] - 1e-11 * max(1.0, abs(m80["target"])),
        ("Measures", MEASURES.cell("commentary", m80["_row"])): None,
        # an error value and a formula where a number belongs
        ("Measures", MEASURES.cell("actual", due[3]["_row"])): "=40/0",
        ("Savings", SAVINGS.cell("forecast", s[0]["_row"])): "=NA()",
        ("Savings", SAVINGS.cell("delivered", s[1]["_row"])): "=2*3",
        # text and impossible numbers in a likelihood
        ("Risks", RISKS.cell("likelihood", k[0]["_row"])): "3 (possible)",
        ("Risks", RISKS.cell("likelihood", k[1]["_row"])): 7,
        ("Risks", RISKS.cell("impact", k[1]["_row"] if len(k) > 1 else k[0]["_row"])): 3.5,
        # 100% typed: 1 with a percentage format means 100, in validate and in the RAG formula
        ("Measures", MEASURES.cell("actual", percent[0]["_row"])): (PERCENT, 1),
        ("Measures", MEASURES.cell("commentary", percent[0]["_row"])): None,
        # a status with a non-breaking space after it
        ("Actions", ACTIONS.cell("status", a[0]["_row"])): "On track\u00a0",
        ("Actions", ACTIONS.cell("status", a[1]["_row"])): "off TRACK",
        ("Actions", ACTIONS.cell("commentary", a[1]["_row"])): "\u2003",
        # the same person twice, told apart only by case and white space
        ("Cover", f"C{COVER.approved_by}"): f" {str(completed).upper()}\u00a0",
        # issue 10: a figure beyond 1e15, a sign-off after the day of validation
        ("Savings", SAVINGS.cell("forecast", s[-1]["_row"])): 2e15,
        ("Cover", f"C{COVER.signoff_date}"): dt.date(2099, 12, 31),
    }


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Every directorate's return of both examples for Q1 and Q2, filled cleanly and with a
    0.3 error rate, and one return typed into in TYPED_CASES random ways and as the issue did."""
    folder = tmp_path_factory.mktemp("engines")
    made: dict[str, list[Path]] = {"clean": [], "simulated": [], "typed": []}
    (folder / "in").mkdir()
    for example in ("derbyshire", "derby"):
        ws = folder / example
        init_folder(ws, example)
        plan = load_plan(ws / "templates" / "plan.xlsx")
        for quarter in (Q1, Q2):
            blanks = generate_returns(plan, quarter, ws / "blank" / str(quarter),
                                      context=Context(quarter=quarter), now=GENERATED_AT)
            for kind, rate in (("clean", 0.0), ("simulated", 0.3)):
                made[kind] += [fill_return(b, folder / "in" / f"{example}-{kind}-{b.name}",
                                           seed=5, error_rate=rate) for b in blanks]
    clean = made["clean"][0]
    made["typed"].append(type_into(clean, what_the_issue_found(clean),
                                   folder / "in" / f"issue-{clean.name}"))
    made["typed"].append(type_into(clean, data_status_edits(clean),
                                   folder / "in" / f"data-status-{clean.name}"))
    made["typed"].append(type_into(clean, list_entry_edits(clean),
                                   folder / "in" / f"list-entries-{clean.name}"))
    made["typed"] += [type_into(clean, typed_edits(clean, seed), folder / "in" /
                                f"typed{seed}-{clean.name}") for seed in range(TYPED_CASES)]
    return made


@pytest.fixture(scope="module")
def engines(returns: dict[str, list[Path]], tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, list[Path]]:
    folder = tmp_path_factory.mktemp("recalculated")
    every = [p for paths in returns.values() for p in paths]
    out = {"libreoffice": libreoffice_save_all(every, folder / "libreoffice")}
    if SSCONVERT:
        out["gnumeric"] = gnumeric_save_all(every, folder / "gnumeric")
    return out


def compare(path: Path) -> tuple[int, list[str]]:
    """(the counts compared, each way the Checks sheet and validate differ on this file)."""
    counts, ready, cover, not_numbers = checks_sheet(path)
    result = validate_file(path)
    found = Counter((f.sheet, f.code) for f in result.errors if f.code in CHECKS_CODES)
    problems = [f"{path.name}: a count is not a number: {row}" for row in not_numbers]
    for key in sorted(set(counts) | set(found)):
        if counts[key] != found[key]:
            problems.append(f"{path.name}: {key} Checks {counts[key]}, validate {found[key]} "
                            f"{[f.where for f in result.errors if (f.sheet, f.code) == key]}")
    if ready != ("NO" if result.errors else "YES") or cover != ready:
        problems.append(f"{path.name}: Ready to submit {ready!r}, Cover {cover!r}, validate "
                        f"{[f.code for f in result.errors]}")
    others = [f.message for f in result.errors if f.code not in CHECKS_CODES]
    problems += [f"{path.name}: validate error the Checks sheet cannot count: {m}"
                 for m in others]
    return len(checks_rows()) + 2, problems  # every row, Ready to submit, the Cover's


@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_each_programs_checks_sheet_counts_what_validate_finds(
        engines: dict[str, list[Path]], returns: dict[str, list[Path]], engine: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    if engine not in engines:
        pytest.skip("Gnumeric (ssconvert) is not installed")
    problems: list[str] = []
    compared = 0
    for path in engines[engine]:
        n, found = compare(path)
        compared += n
        problems += found
    with capsys.disabled():
        print(f"\n{engine}: {len(engines[engine])} returns, {compared} counts compared, "
              f"{len(problems)} disagreements")
    assert problems == [], "\n".join(problems)


def test_the_typed_returns_break_every_kind_of_rule(engines: dict[str, list[Path]],
                                                    returns: dict[str, list[Path]]) -> None:
    """The suite cannot pass by typing nothing wrong: between them the typed returns break
    every rule the Checks sheet counts, and the simulated ones are rejected too."""
    typed = {p.name for p in returns["typed"]}
    simulated = {p.name for p in returns["simulated"]}
    codes: set[str] = set()
    rejected = 0
    for path in engines["libreoffice"]:
        result = validate_file(path)
        if path.name in typed:
            codes |= {f.code for f in result.errors}
        elif path.name in simulated:
            rejected += bool(result.errors)
    assert codes == set(CHECKS_CODES)
    assert rejected >= len(simulated) // 2


@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_what_the_issue_found_is_a_finding_in_validate_and_a_count_in_each_program(
        engines: dict[str, list[Path]], returns: dict[str, list[Path]], engine: str) -> None:
    if engine not in engines:
        pytest.skip("Gnumeric (ssconvert) is not installed")
    clean = returns["clean"][0]
    edits = what_the_issue_found(clean)
    cell = {value if isinstance(value, str) else repr(value): ref
            for ref, value in edits.items()}
    path = next(p for p in engines[engine] if p.name.startswith("issue-"))
    result = validate_file(path)
    found = {(f.sheet, f.cell): f for f in result.errors}
    expected = {
        cell["\t"]: "commentary-missing",  # a tab is no commentary
        cell["\u00a0\n"]: "commentary-missing",  # nor a no-break space and a line break
        cell["=40/0"]: "cell-error",
        cell["=NA()"]: "cell-error",
        cell["3 (possible)"]: "out-of-range",
        cell["7"]: "out-of-range",
        cell["On track\u00a0"]: "not-in-list",
        cell["\u2003"]: "commentary-missing",  # off TRACK: an em space is no commentary
    }
    for (sheet, ref), code in expected.items():
        assert (sheet, ref) in found and found[(sheet, ref)].code == code, (sheet, ref, code)
    # just under the target is Amber, at the spreadsheets' precision, in both
    under = next(ref for ref, v in edits.items() if isinstance(v, float) and v % 1)
    row = int(under[1][1:])
    assert found[("Measures", MEASURES.cell("commentary", row))].code == "commentary-missing"
    assert " is Amber " in found[("Measures", MEASURES.cell("commentary", row))].message
    # the status with an invisible character says which character is in the way
    assert "no-break space" in found[cell["On track\u00a0"]].message
    # the counts are numbers and Ready to submit is NO, on the Checks sheet and the Cover
    counts, ready, cover, not_numbers = checks_sheet(path)
    assert not_numbers == [] and ready == cover == "NO"
    assert counts[("Measures", "cell-error")] == 1 and counts[("Risks", "out-of-range")] == 3
    # 100% typed into a % measure is Green in the program's own RAG and in validate
    hundred = next(ref for ref, v in edits.items() if v == (PERCENT, 1))
    row = int(hundred[1][1:])
    measures = read_values(path)["Measures"]
    assert measures[row - 1][MEASURES.index("rag")] == "Green"
    assert ("Measures", MEASURES.cell("commentary", row)) not in found
        # no score or RAG beside a likelihood of 7 or 3 (possible)
    values = read_values(path)["Risks"]
    for ref in (cell["3 (possible)"], cell["7"]):
        row0 = int(ref[1][1:]) - 1
        assert values[row0][RISKS.index("score")] == ""
        assert values[row0][RISKS.index("rag")] == ""


@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_list_entries_are_read_alike_whatever_spaces_tabs_and_line_breaks_they_hold(
        engines: dict[str, list[Path]], returns: dict[str, list[Path]], engine: str) -> None:
    """' Complete ', 'Complete' and a tab, 'off  TRACK', ' Not available ': each is its list
    entry on the Checks sheet, in the RAG and direction formulas and in validate, in both
    programs (Gnumeric drops them from the ends as it saves); a no-break or zero-width space is
    in the way everywhere, and the message names it."""
    if engine not in engines:
        pytest.skip("Gnumeric (ssconvert) is not installed")
    path = next(p for p in engines[engine] if p.name.startswith("list-entries-"))
    assert compare(path)[1] == []
    result = validate_file(path)
    found = {(f.sheet, f.cell): f for f in result.errors}
    edits = list_entry_edits(returns["clean"][0])
    for (sheet, ref), value in edits.items():
        if ref[0] != layout.SHEETS[sheet].letter("status"):
            continue
        hidden = "\u00a0" in value or "\u200b" in value
        assert (found[(sheet, ref)].code if (sheet, ref) in found else None) == (
            "not-in-list" if hidden else None), (sheet, ref, value)
        if hidden:
            assert "space" in found[(sheet, ref)].message, found[(sheet, ref)].message
    cell = {(sheet, value): ref for (sheet, ref), value in edits.items()}
    assert found[("Actions", ACTIONS.cell("commentary", int(cell["Actions", "\tAt risk"][1:])))
                 ].code == "commentary-missing"
    assert found[("Measures", MEASURES.cell("actual", int(cell["Measures", " not available"][
        1:])))].code == "data-status"
    # the program's RAG and direction are validate's, row by row, on every sheet typed into
    data = read_return(path).data
    assert data is not None
    shown = read_values(path)
    for sheet in LIST_ENTRIES:
        spec = layout.SHEETS[sheet]
        for row in data.rows[sheet]:
            for key in ("rag", "direction") if sheet == "Measures" else ("rag",):
                program = shown[sheet][row["_row"] - 1][spec.index(key)]
                assert (program or None) == row[key], (sheet, row["_row"], key, program)

    def rag(sheet: str, value: str) -> Any:
        return shown[sheet][int(cell[sheet, value][1:]) - 1][layout.SHEETS[sheet].index("rag")]

    assert rag("Savings", " Unachievable ") == "Red" and rag("Actions", " Complete ") == "Green"
    assert rag("Measures", " Not available ") == ""
