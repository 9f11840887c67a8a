"""Hostile and broken files (issue 10): whatever one return holds, it is one finding on that
file, and the quarter goes on: every other return is checked and consolidated, finance's
entries are kept, memory stays bounded."""

from __future__ import annotations

import os
import signal
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import Q1
from untrusted_support import (
    add_rows,
    add_shared_strings,
    assert_quarter_goes_on,
    cs_return,
    findings_of,
    hostile_folder,
    part_of,
    rewrite,
    run,
    run_capped,
    set_raw_cell,
)

from workbook_tools.master.read import read_master
from workbook_tools.parallel import ordered_map
from workbook_tools.returns.layout import HEADER_ROW, MEASURES, META_SHEET, META_TABLE_ROW


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: Any) -> Any:
    monkeypatch.chdir(tmp_path)
    return hostile_folder(tmp_path / "ws")


@pytest.mark.parametrize("value", [b"NaN", b"1e999", b"-inf"])
def test_an_impossible_number_in_meta_is_a_finding_and_the_quarter_goes_on(
        folder: Any, value: bytes) -> None:
    bad = cs_return(folder)
    set_raw_cell(bad, META_SHEET, f"B{META_TABLE_ROW + 1}", b"<v>" + value + b"</v>")

    result = run("consolidate", "-q", str(Q1))

    lines = assert_quarter_goes_on(folder, result, bad, "meta-changed")
    assert "Rejected" in lines
    assert "CS" not in {r["Directorate"] for r in read_master(folder.master).rows("Measures")}


def test_a_file_that_cannot_be_read_is_a_finding_and_the_quarter_goes_on(folder: Any) -> None:
    bad = folder.returns(Q1) / f"ZZ_{Q1}.xlsx"
    os.symlink("/proc/self/mem", bad)  # stat says a file; reading it fails

    result = run("consolidate", "-q", str(Q1))

    lines = assert_quarter_goes_on(folder, result, bad, "file-unreadable")
    assert "Not a return" in lines
    check = run("validate", "-q", str(Q1))
    assert check.exit_code == 1
    assert f"{bad.name} cannot be read (Input/output error)" in check.output


def test_a_file_larger_than_a_return_may_be_is_refused_before_it_is_read(folder: Any) -> None:
    bad = folder.returns(Q1) / "huge.xlsx"
    with open(bad, "wb") as handle:
        handle.truncate(40 << 30)  # 40 GiB, sparse: nothing to read but zeros

    result = run("consolidate", "-q", str(Q1))

    lines = assert_quarter_goes_on(folder, result, bad, "file-too-large")
    assert "Not a return" in lines
    check = run("validate", "-q", str(Q1), "--json")
    assert check.exit_code == 1
    assert "huge.xlsx is 40,960 MB, larger than the 32 MB a return may be." in check.output


def _die_on_three(item: int) -> int:
    if item == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does to a process out of memory
    return item * 10


def test_a_worker_that_dies_is_a_result_for_its_item_and_the_others_are_done() -> None:
    crashed: list[int] = []

    def on_crash(item: int, error: BaseException) -> int:
        crashed.append(item)
        return -1

    results = list(ordered_map(_die_on_three, range(8), workers=2, on_crash=on_crash))

    assert results == [0, 10, 20, -1, 40, 50, 60, 70]
    assert crashed == [3]


# --- memory a return can make a reader use --------------------------------------------------

def test_one_long_shared_string_used_by_many_cells_is_refused_before_calamine(
        folder: Any) -> None:
    """A 1,000,000-character string, honestly declared, used by 1,000 cells of _meta: calamine
    would copy it into every cell (1.9 GB), 30,000 cells would abort the process."""
    bad = cs_return(folder)
    add_shared_strings(bad, [b"x" * 1_000_000])
    add_rows(bad, META_SHEET, b"".join(
        b'<row r="%d"><c r="F%d" t="s"><v>0</v></c></row>' % (5000 + i, 5000 + i)
        for i in range(1_000)))
    assert bad.stat().st_size < 100_000

    code, output, peak = run_capped(["consolidate", "-q", str(Q1)], folder.root, cap_mb=1500)

    result = type("Result", (), {"exit_code": code, "output": output})()
    lines = assert_quarter_goes_on(folder, result, bad, "file-bomb")  # type: ignore[arg-type]
    assert "Not a return" in lines
    assert peak < 400, peak
    check = run("validate", str(bad), "-q", str(Q1))
    assert (f"{bad.name} would make a reader copy more than 64 million characters of text "
            "into its sheet '_meta'") in check.output


@pytest.mark.parametrize("typed", [b' t="s"', b" t='s'", b'\tt="s"', b' t = "s"', b'\nt=\n"s"'])
def test_a_long_shared_string_is_counted_however_the_cells_type_is_written(
        folder: Any, typed: bytes) -> None:
    """Excel and LibreOffice write ` t="s"`, which the scan counts quickly; any other spelling is
    counted too, so 100 cells using one 1,000,000-character string are refused before calamine
    would copy it into each."""
    bad = cs_return(folder)
    add_shared_strings(bad, [b"x" * 1_000_000])
    add_rows(bad, META_SHEET, b"".join(
        b'<row r="%d"><c r="F%d"%s><v>0</v></c></row>' % (5000 + i, 5000 + i, typed)
        for i in range(100)))
    [(_, _, code, message)] = findings_of(bad)
    assert code == "file-bomb"
    assert ("would make a reader copy more than 64 million characters of text into its sheet "
            "'_meta'") in message


@pytest.mark.parametrize("tag", [b"<si >", b"<si\n>", b'<si x="1">', b"<x:si>"])
def test_a_long_shared_string_is_measured_however_its_item_is_written(
        folder: Any, tag: bytes) -> None:
    """Excel and LibreOffice write each shared string as `<si>`, and the guard measures the
    strings by splitting the part at that text; an item written any other way (white space or
    an attribute in its tag, a namespace prefix) is measured as its own string too, not as part
    of the one before: a short string written `<si>`, then a 1,000,000-character one written
    otherwise and used by 100 cells, is refused before calamine would copy it into each."""
    bad = cs_return(folder)
    add_shared_strings(bad, [b"short"])
    end = b"</x:si>" if tag.startswith(b"<x:") else b"</si>"
    long_item = tag + b"<t>" + b"x" * 1_000_000 + b"</t>" + end
    rewrite(bad, {"xl/sharedStrings.xml": lambda data: data.replace(
        b"<sst ", b'<sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    ).replace(b"</sst>", long_item + b"</sst>")})
    add_rows(bad, META_SHEET, b"".join(
        b'<row r="%d"><c r="F%d" t="s"><v>1</v></c></row>' % (5000 + i, 5000 + i)
        for i in range(100)))
    [(_, _, code, message)] = findings_of(bad)
    assert code == "file-bomb"
    assert ("would make a reader copy more than 64 million characters of text into its sheet "
            "'_meta'") in message


def test_a_return_with_an_empty_shared_strings_part_is_read_as_any_other(folder: Any) -> None:
    """Some programs write a shared-strings part with no strings in it; the return is read, not
    called unreadable."""
    path = cs_return(folder)
    add_shared_strings(path, [])
    assert findings_of(path) == []


def test_a_long_shared_string_used_once_is_read(folder: Any) -> None:
    """The bound counts what cells use, not what the strings table holds."""
    bad = cs_return(folder)
    add_shared_strings(bad, [b"x" * 1_000_000, b"y" * 10])
    add_rows(bad, META_SHEET, b'<row r="5000"><c r="F5000" t="s"><v>0</v></c></row>' + b"".join(
        b'<row r="%d"><c r="F%d" t="s"><v>1</v></c></row>' % (5001 + i, 5001 + i)
        for i in range(10_000)))

    assert findings_of(bad) == []


@pytest.mark.parametrize("part", ["xl/styles.xml", "docProps/core.xml", "[Content_Types].xml"])
def test_a_doctype_in_any_part_is_refused(folder: Any, part: str) -> None:
    laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)) + b"]>"

    def attack(data: bytes) -> bytes:
        if data.startswith(b"<?xml"):
            return data.replace(b"?>", b"?>" + laughs, 1)
        return laughs + data

    bad = rewrite(cs_return(folder), {part: attack})

    result = run("validate", "-q", str(Q1), "--feedback", "outputs/feedback")

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (f"{bad.name} contains a DOCTYPE (entity declarations) in {part}, which a workbook "
            "never needs; refused. [file-unsafe]") in result.output
    assert result.output.count(", Accepted") == len(folder.plan.directorates) - 1


# --- macros and links --------------------------------------------------------------------------

def test_macros_and_links_to_other_workbooks_are_warnings_naming_them(folder: Any) -> None:
    bad = rewrite(cs_return(folder), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(1000),
                                      "xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    actual = MEASURES.cell("actual", HEADER_ROW + 1)
    set_raw_cell(bad, "Measures", actual, b"<f>[1]Sheet1!A1</f><v>80</v>")

    found = findings_of(bad)

    assert [(s, w, c) for s, w, c, _ in found] == [
        ("Warning", "", "external-link"), ("Warning", "", "macros"),
        ("Warning", f"Measures!{actual}", "external-link")]
    messages = [m for *_, m in found]
    assert f"{bad.name} carries macros (xl/vbaProject.bin)." in messages[1]
    assert (f"{bad.name} links to other workbooks (xl/externalLinks/externalLink1.xml)."
            in messages[0])
    assert "(=[1]Sheet1!A1) reads another workbook" in messages[2]


def test_a_large_sheet_of_short_texts_is_not_taken_for_a_bomb(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The text bound's quick estimate counts every string cell at the longest string: over a
    sheet read in many pieces it once added up past the limit on an honest register (240
    directorates: 6.9 million characters counted as more than 64 million), refusing it. Each
    cell is counted at its own string before anything is refused, and a sheet that really uses
    too much text still is. (Scaled down: a smaller limit, and the sheet read in small pieces.)"""
    import dataclasses

    import xlsxwriter

    from workbook_tools.errors import UnreadableFileError
    from workbook_tools.files import sheetxml
    from workbook_tools.files.guard import SafeWorkbook
    from workbook_tools.files.package import DEFAULT_LIMITS

    monkeypatch.setattr(sheetxml, "_CHUNK", 16 * 1024)
    path = tmp_path / "register.xlsx"
    book = xlsxwriter.Workbook(str(path))  # shared strings, as Excel saves
    honest, heavy = book.add_worksheet("Measures"), book.add_worksheet("Heavy")
    honest.write(0, 0, "An objective written out in full " * 9)  # about 300 characters
    for row in range(1, 30_001):
        honest.write(row, 0, f"M-{row:06d}")
        honest.write(row, 1, "Quarterly")
    for row in range(10_000):
        heavy.write(row, 0, "An objective written out in full " * 9)
    book.close()
    limits = dataclasses.replace(DEFAULT_LIMITS, max_sheet_text=2_000_000)

    with SafeWorkbook(path, limits) as workbook:
        rows, scan = workbook.read("Measures")
        assert len(rows) == 30_001 and rows[-1][:2] == ["M-030000", "Quarterly"]
        assert scan.text <= 2_000_000, scan.text
        with pytest.raises(UnreadableFileError) as refused:
            workbook.read("Heavy")
    assert "more than 2 million characters of text into its sheet 'Heavy'" in str(refused.value)


def test_a_sheet_whose_bytes_do_not_match_its_checksum_is_refused_as_damaged(
        folder: Any) -> None:
    """A part changed after the zip recorded its CRC-32 (a copy broken on the way, or bytes
    altered by hand) is refused before calamine reads it, whichever inflater reads it."""
    bad = cs_return(folder)
    part = part_of(bad, "Measures")
    data = bytearray(bad.read_bytes())
    with zipfile.ZipFile(bad) as archive:
        info = archive.getinfo(part)
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(part.encode()))
    for crc_at in (info.header_offset + 14, central + 16):  # local header, central directory
        assert int.from_bytes(data[crc_at:crc_at + 4], "little") == info.CRC
        data[crc_at:crc_at + 4] = (info.CRC ^ 0x5A5A5A5A).to_bytes(4, "little")
    bad.write_bytes(bytes(data))

    found = findings_of(bad)

    assert [(code, message) for _, _, code, message in found] == [
        ("file-corrupt", f"{bad.name} is damaged: its sheet 'Measures' cannot be unpacked.")]
