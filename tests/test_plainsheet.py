"""A filled return's hidden `_meta` read without calamine (files/plainsheet.py): exactly the
values calamine gives, for every return the tool fills and whatever its texts hold; any other
form (shared strings, styles, formulas, odd XML) is read by calamine after the safety scan, as
before, and a file either of them refuses is refused with the same message."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from agreement_support import gnumeric_save_all
from conftest import GENERATED_AT, Q1
from support import built_once, libreoffice_save, needs_gnumeric, needs_libreoffice
from untrusted_support import add_shared_strings, part_of, rewrite
from validate_support import Returns, check, make_returns

from workbook_tools.errors import UnreadableFileError
from workbook_tools.files.guard import SafeWorkbook
from workbook_tools.files.package import DEFAULT_LIMITS, Limits
from workbook_tools.files.plainsheet import plain_rows
from workbook_tools.plan.examples import init_folder
from workbook_tools.plan.register import load_plan
from workbook_tools.returns.findings import ACCEPTED
from workbook_tools.returns.generate import generate_returns
from workbook_tools.returns.layout import META_SHEET, Context
from workbook_tools.returns.simulate import fill_return


@pytest.fixture(scope="module")
def r(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return make_returns(tmp_path_factory.mktemp("plain") / "ws")


def _filled(example: str) -> Callable[[Path], list[Path]]:
    def build(root: Path) -> list[Path]:
        init_folder(root, example)
        plan = load_plan(root / "templates" / "plan.xlsx")
        blanks = generate_returns(plan, Q1, root / "blank", context=Context(quarter=Q1),
                                  now=GENERATED_AT)
        (root / "filled").mkdir()
        return [fill_return(blank, root / "filled" / blank.name, seed=3) for blank in blanks]
    return build


def shown(rows: list[list[Any]]) -> list[list[str]]:
    """Rows with each value's type (so 400.0 is not taken for '400', 1 or True)."""
    return [[f"{type(value).__name__}:{value!r}" for value in row] for row in rows]


def by_calamine(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[list[str]] | str:
    """`_meta` as it was read before: scanned, then read by calamine (or the refusal)."""
    try:
        with SafeWorkbook(path, limits) as workbook:
            return shown(workbook.read(META_SHEET)[0])
    except UnreadableFileError as refused:
        return f"{refused.code}: {refused}"


def as_read(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[list[str]] | str:
    """`_meta` as a return is read now (or the refusal)."""
    try:
        with SafeWorkbook(path, limits) as workbook:
            return shown(workbook.read_plain(META_SHEET))
    except UnreadableFileError as refused:
        return f"{refused.code}: {refused}"


def plainly(path: Path) -> list[list[Any]] | None:
    """`_meta` by the plain reader alone (None: not the plain form, or a file refused before
    any sheet is read)."""
    try:
        with SafeWorkbook(path) as workbook:
            return plain_rows(workbook.archive, workbook.part(META_SHEET),
                              DEFAULT_LIMITS.max_sheet_cells, shared_strings=False)
    except UnreadableFileError:
        return None


def assert_read_plainly(path: Path) -> None:
    rows = plainly(path)
    assert rows is not None, "read by calamine: the plain form was not recognised"
    expected = by_calamine(path)
    assert shown(rows) == expected
    assert as_read(path) == expected


def assert_read_as_before(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    assert plainly(path) is None or limits != DEFAULT_LIMITS
    assert as_read(path, limits) == by_calamine(path, limits)


# --- the returns the tool fills ---------------------------------------------------------------

@pytest.mark.parametrize("example", ["derbyshire", "derby"])
def test_every_filled_return_of_each_council_is_read_plainly_as_calamine_reads_it(
        example: str) -> None:
    filled = built_once(("plain-filled", example), _filled(example))
    assert len(filled) >= 3
    for path in filled:
        assert_read_plainly(path)


def test_a_return_of_the_next_quarter_is_read_plainly(r: Returns) -> None:
    assert_read_plainly(r.clean_q2)
    assert check(r.clean_q2).status == ACCEPTED


LONG = "Improve outcomes for residents; " * 600 + "and more"  # 19,208 characters


@pytest.mark.parametrize("edits", [
    {"B6": 'Children\'s & Adults\' <Services> "North"', "B4": "Conseil général de l'Hérault ✓",
     "C21": "M-é-日本-1-😀", "D21": LONG, "A14": "a\ttab and a\nnew line", "B14": "> & <"},
    {"B10": 0.1, "B11": -12345.678, "B12": 1e-05, "B13": 123456789012345.0, "C17": 1e300,
     "D17": 7, "Z18": "far right", "A30000": "far down"},
], ids=["texts", "numbers-and-extent"])
def test_any_text_or_number_openpyxl_writes_is_read_as_calamine_reads_it(
        r: Returns, tmp_path: Path, edits: dict[str, Any]) -> None:
    path = r.copy(tmp_path, {(META_SHEET, ref): value for ref, value in edits.items()})
    assert_read_plainly(path)


@pytest.mark.parametrize("value", ["  spaces at either end  ", "_x0041_ escaped", "", None])
def test_texts_the_form_leaves_to_calamine_are_read_as_before(
        r: Returns, tmp_path: Path, value: Any) -> None:
    """openpyxl writes white space at either end with xml:space (calamine drops it without);
    calamine reads _xHHHH_ as the character it names; a cell cleared leaves a gap."""
    path = r.copy(tmp_path, {(META_SHEET, "B6"): value, (META_SHEET, "C21"): value})
    if value is None:
        assert_read_plainly(path)
    else:
        assert_read_as_before(path)


def test_a_blank_return_as_generated_has_shared_strings_and_is_read_as_before(
        r: Returns) -> None:
    assert_read_as_before(r.blank["CS"])


@needs_libreoffice
def test_a_return_saved_by_libreoffice_is_read_as_before(r: Returns, tmp_path: Path) -> None:
    saved = libreoffice_save(shutil.copy(r.clean, tmp_path / r.clean.name), tmp_path / "lo")
    assert_read_as_before(saved)
    assert check(saved).status == ACCEPTED


@needs_gnumeric
def test_a_return_saved_by_gnumeric_is_read_as_before(r: Returns, tmp_path: Path) -> None:
    [saved] = gnumeric_save_all([r.clean], tmp_path / "gnumeric")
    assert_read_as_before(saved)


# --- anything else: calamine after the scan, as before ----------------------------------------

def _first_cell(xml: bytes, ref: bytes) -> bytes:
    found = re.search(rb'<c r="' + ref + rb'".*?</c>', xml)
    assert found is not None
    return found.group(0)


def _replace_cell(ref: str, cell: str) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        return xml.replace(_first_cell(xml, ref.encode()), cell.encode(), 1)
    return change


def _replace(old: str, new: str) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        assert old.encode() in xml
        return xml.replace(old.encode(), new.encode(), 1)
    return change


def _swap_cells(xml: bytes) -> bytes:
    a, b = _first_cell(xml, b"A21"), _first_cell(xml, b"B21")
    return xml.replace(a + b, b + a, 1)


def _swap_rows(xml: bytes) -> bytes:
    rows = re.findall(rb'<row r="2[12]">.*?</row>', xml)
    return xml.replace(rows[0] + rows[1], rows[1] + rows[0], 1)


HOSTILE: dict[str, Callable[[bytes], bytes]] = {
    "a shared string": _replace_cell("B6", '<c r="B6" t="s"><v>0</v></c>'),
    "a style": _replace('<c r="C21" t="inlineStr">', '<c r="C21" s="1" t="inlineStr">'),
    "a date style on a number": _replace('<c r="B10" t="n">', '<c r="B10" s="1" t="n">'),
    "a formula": _replace_cell("B10", '<c r="B10"><f>1+1</f><v>2</v></c>'),
    "a number with no type": _replace_cell("B10", '<c r="B10"><v>2</v></c>'),
    "a formula's text": _replace_cell("B6", '<c r="B6" t="str"><f>"a"</f><v>a</v></c>'),
    "a rich text": _replace_cell("B6", '<c r="B6" t="inlineStr"><is><r><t>a</t></r></is></c>'),
    "a numeric entity": _replace_cell("B6",
                                      '<c r="B6" t="inlineStr"><is><t>D&#65;</t></is></c>'),
    "a reference to white space": _replace_cell(
        "B6", '<c r="B6" t="inlineStr"><is><t>D&#160;</t></is></c>'),
    "a reference to half a character": _replace_cell(
        "B6", '<c r="B6" t="inlineStr"><is><t>D&#55296;</t></is></c>'),
    "a hexadecimal reference": _replace_cell(
        "B6", '<c r="B6" t="inlineStr"><is><t>D&#xE9;</t></is></c>'),
    "an escape": _replace_cell("B6", '<c r="B6" t="inlineStr"><is><t>D_x0041_</t></is></c>'),
    "spaces at either end": _replace_cell(
        "B6", '<c r="B6" t="inlineStr"><is><t> Directorate </t></is></c>'),
    "an empty text": _replace_cell("B6", '<c r="B6" t="inlineStr"><is><t></t></is></c>'),
    "a carriage return": _replace_cell("B6",
                                       '<c r="B6" t="inlineStr"><is><t>a\r\nb</t></is></c>'),
    "a boolean": _replace_cell("B10", '<c r="B10" t="b"><v>1</v></c>'),
    "NaN": _replace_cell("B21", '<c r="B21" t="n"><v>NaN</v></c>'),
    "a hexadecimal number": _replace_cell("B21", '<c r="B21" t="n"><v>0x10</v></c>'),
    "cells out of order": _swap_cells,
    "rows out of order": _swap_rows,
    "a cell outside its row": _replace('<c r="A21"', '<c r="A22"'),
    "a row beyond the quick scan's": _replace("</sheetData>",
                                             '<row r="100000"><c r="A100000" t="n"><v>1</v></c>'
                                             "</row></sheetData>"),
    "a column past Z": _replace("</row></sheetData>",
                                '<c r="AA1020" t="n"><v>1</v></c></row></sheetData>'),
    "a dimension that is not the extent": _replace('<dimension ref="A1:D',
                                                   '<dimension ref="A1:Z'),
    "a comment": _replace("<sheetData>", "<!-- a --><sheetData>"),
    "white space between rows": _replace('</row><row r="21">', '</row>\n<row r="21">'),
    "rows after the sheet's data": _replace("</sheetData>",
                                            '</sheetData><row r="9"><c r="A9" t="n"><v>1</v>'
                                            "</c></row>"),
    "a second sheetData": _replace("</worksheet>", "<sheetData/></worksheet>"),
    "a namespace prefix": lambda xml: re.sub(rb"<(/?)(?=[A-Za-z])", rb"<\1x:", xml).replace(
        b"xmlns=", b"xmlns:x=", 1),
    "badly nested": _replace("</sheetViews>", "</sheetView>"),
    "not closed": _replace("</worksheet>", ""),
    "another root": _replace("<worksheet ", "<chartsheet "),
    "a DOCTYPE": lambda xml: b'<!DOCTYPE w [<!ENTITY e "e">]>' + xml,
    "not UTF-8": _replace_cell("B6", '<c r="B6" t="inlineStr"><is><t>caf\xe9</t></is></c>'),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_any_other_form_of_meta_is_read_or_refused_as_before(
        r: Returns, tmp_path: Path, name: str) -> None:
    path = shutil.copy(r.clean, tmp_path / r.clean.name)
    change = HOSTILE[name]
    if name == "not UTF-8":
        change = _latin1(change)
    rewrite(path, {part_of(path, META_SHEET): change})
    assert_read_as_before(path)


def _latin1(change: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def latin1(xml: bytes) -> bytes:
        return change(xml).replace("café".encode(), "café".encode("latin-1"))
    return latin1


def test_a_text_holding_a_shared_string_type_is_left_to_the_scan(
        r: Returns, tmp_path: Path) -> None:
    """With shared strings in the file, the scan counts t="s" in a text as a cell using one."""
    path = r.copy(tmp_path, {(META_SHEET, "B6"): 'says t="s" twice: t="s"'})
    assert_read_plainly(path)
    add_shared_strings(path, [b"x" * 100])
    with SafeWorkbook(path) as workbook:
        assert plain_rows(workbook.archive, workbook.part(META_SHEET),
                          DEFAULT_LIMITS.max_sheet_cells, shared_strings=True) is None
    assert as_read(path) == by_calamine(path)


def test_a_meta_past_the_sheet_limit_is_refused_by_the_scan_as_before(
        r: Returns, tmp_path: Path) -> None:
    tight = Limits(max_sheet_cells=100)
    refused = by_calamine(r.clean, tight)
    assert isinstance(refused, str) and refused.startswith("sheet-too-large: ")
    assert as_read(r.clean, tight) == refused


def test_damaged_shared_text_is_refused_as_before(r: Returns, tmp_path: Path) -> None:
    """The scan reads the shared strings before any sheet: so does the plain reading."""
    path = shutil.copy(r.clean, tmp_path / r.clean.name)
    add_shared_strings(path, [b"x" * 5_000])  # more than the check of its prolog reads
    data = bytearray(path.read_bytes())
    name = data.rindex(b"xl/sharedStrings.xml")  # in the zip's central directory
    data[name - 30:name - 26] = b"\xff\xff\xff\xff"  # the CRC its bytes are checked against
    path.write_bytes(bytes(data))
    refused = by_calamine(path)
    assert refused == f"file-corrupt: {path}: is damaged: its shared text cannot be unpacked"
    assert as_read(path) == refused


# --- the shared text a sheet's cells use, however their type is written ----------------------

@pytest.mark.parametrize("typed", [b' t="s"', b" t='s'", b'\tt="s"', b' t = "s"', b'\nt=\n"s"'])
def test_a_long_shared_string_used_by_many_cells_is_refused_however_the_type_is_written(
        r: Returns, tmp_path: Path, typed: bytes) -> None:
    """Excel and LibreOffice write ` t="s"`, which is counted quickly; any other spelling is
    counted too, so 100 cells using one 1,000,000-character string are refused before calamine
    would copy it into each."""
    path = shutil.copy(r.clean, tmp_path / r.clean.name)
    add_shared_strings(path, [b"x" * 1_000_000])
    rewrite(path, {part_of(path, META_SHEET): lambda xml: xml.replace(b"</sheetData>", b"".join(
        b'<row r="%d"><c r="F%d"%s><v>0</v></c></row>' % (5000 + i, 5000 + i, typed)
        for i in range(100)) + b"</sheetData>")})
    refused = as_read(path)
    assert refused == by_calamine(path)
    assert refused == (f"file-bomb: {path}: would make a reader copy more than 64 million "
                       "characters of text into its sheet '_meta' (a long text used by many "
                       "cells); refused before opening")
