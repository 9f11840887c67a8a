"""A return's item rows (returns/itemsheet.py) are the bytes xlsxwriter itself writes for the same
cells: texts that need escaping, numbers, dates, formulas, blanks, heights; and its shared
strings part, written plain where it can be, is xlsxwriter's too."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from workbook_tools.files.xlsx import close_workbook, new_workbook
from workbook_tools.returns.itemsheet import BLANK, FORMULA, NUMBER, ItemSheet, save

TEXTS = ["plain", "a & b < c", " leading", "trailing ", "_x0041_", "bell\x07", "two\nlines",
         "<r>x</r>", "tab\there", "quote\"d", "\ufffe", "é ü 漢", "x" * 20_000, "nbsp\u00a0",
         "\u2003em", "ends\n", "", "last"]


def _write(path: Path, rows: bool) -> dict[str, bytes]:
    workbook = new_workbook(path)
    workbook.worksheet_class = ItemSheet
    workbook.in_memory = True
    sheet = workbook.add_worksheet("Items")
    text_format = workbook.add_format({"text_wrap": True})
    number_format = workbook.add_format({"num_format": "0.0"})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    blank_format = workbook.add_format({"bg_color": "#FFF2CC", "locked": False})
    sheet.write_string(0, 0, "Title", text_format)  # a row above, through xlsxwriter's API
    day = dt.datetime(2025, 6, 30)
    for offset, text in enumerate(TEXTS):
        row = offset + 1
        height = 15 + offset * 7.5 if offset % 3 else None
        if rows:
            cells: list[Any] = [
                sheet.text(text, text_format),
                (NUMBER, offset * 1.5, number_format),
                (NUMBER, sheet.date_number(day), date_format),
                (FORMULA, sheet.formula_template('=IF(B{row}>3,"big & <b>","")').format(
                    row=row + 1), number_format),
                (BLANK, None, blank_format),
                None,
                sheet.text(text, None),
            ]
            sheet.add_row(row, cells, height, grows=False)
        else:
            sheet.write_string(row, 0, text, text_format)
            sheet.write_number(row, 1, offset * 1.5, number_format)
            sheet.write_datetime(row, 2, day, date_format)
            sheet.write_formula(row, 3, f'=IF(B{row + 1}>3,"big & <b>","")', number_format, "")
            sheet.write_blank(row, 4, None, blank_format)
            sheet.write_string(row, 6, text)
            if height is not None:
                sheet.set_row(row, height)
    if rows:
        save(workbook)
    else:
        close_workbook(workbook)
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_item_rows_are_the_bytes_xlsxwriter_writes(tmp_path: Path) -> None:
    ours = _write(tmp_path / "rows.xlsx", rows=True)
    theirs = _write(tmp_path / "cells.xlsx", rows=False)
    assert sorted(ours) == sorted(theirs)
    for part in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"):
        assert ours[part] == theirs[part], part
    assert b'customHeight="1"' in ours["xl/worksheets/sheet1.xml"]


def test_rows_that_grow_are_written_without_a_custom_height(tmp_path: Path) -> None:
    workbook = new_workbook(tmp_path / "grow.xlsx")
    workbook.worksheet_class = ItemSheet
    sheet = workbook.add_worksheet("Items")
    sheet.add_row(4, [sheet.text("wrapped text", None)], 30)
    save(workbook)
    with zipfile.ZipFile(tmp_path / "grow.xlsx") as package:
        xml = package.read("xl/worksheets/sheet1.xml")
    assert b'<row r="5" spans="1:1" ht="30"><c r="A5" t="s"><v>0</v></c></row>' in xml
