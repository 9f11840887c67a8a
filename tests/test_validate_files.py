"""Files that people send: every kind of unusable file, decompression bombs, sheets that reach
too far, entity attacks; folders; resubmissions and copies; LibreOffice-saved returns."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import Q1
from support import libreoffice_save, needs_libreoffice
from validate_support import Returns, check, make_returns, problems

from workbook_tools.errors import ConfigurationError, UnreadableFileError
from workbook_tools.files import guard as reading
from workbook_tools.files import package, sheetscan
from workbook_tools.returns import layout
from workbook_tools.returns.findings import ACCEPTED, NOT_A_RETURN, REJECTED, SUPERSEDED
from workbook_tools.returns.layout import MEASURES
from workbook_tools.returns.validate import expand_paths, validate_paths


@pytest.fixture(scope="module")
def r(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return make_returns(tmp_path_factory.mktemp("files") / "ws")


def rewrite(source: Path, target: Path, change: dict[str, object]) -> Path:
    """Copy a workbook's zip, replacing parts: name -> bytes, or a function of the old bytes."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            replace = change.get(info.filename)
            new.writestr(info.filename, replace(data) if callable(replace) else replace or data)
    return target


def sheet_part(path: Path, name: str) -> str:
    with reading.SafeWorkbook(path) as workbook:
        return workbook._parts[name]


# --- unusable files: one line each, never a traceback ----------------------------------------

def unusable(path: Path) -> tuple[str, str]:
    result = check(path)
    assert result.status == NOT_A_RETURN and len(result.findings) == 1
    finding = result.findings[0]
    assert finding.message.startswith(path.name) and "\n" not in finding.message
    return finding.code, finding.message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "CS.xlsx"
    path.write_bytes(b"")
    assert unusable(path)[0] == "file-empty"


def test_csv_renamed(tmp_path: Path) -> None:
    path = tmp_path / "CS.xlsx"
    path.write_text("Measure ID,Actual\nM-CS-01,73.5\n")
    code, message = unusable(path)
    assert code == "file-not-workbook" and "CSV" in message


def test_old_xls_or_password_protected(tmp_path: Path) -> None:
    path = tmp_path / "CS.xls"
    path.write_bytes(package.OLE_MAGIC + bytes(504))
    code, message = unusable(path)
    assert code == "file-old-or-encrypted" and "password" in message


def test_damaged_zip(r: Returns, tmp_path: Path) -> None:
    path = tmp_path / "CS.xlsx"
    path.write_bytes(r.clean.read_bytes()[: r.clean.stat().st_size // 2])
    assert unusable(path)[0] == "file-corrupt"


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "CS.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert unusable(path)[0] == "file-not-workbook"


def test_opendocument_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "CS.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    code, message = unusable(path)
    assert code == "file-not-workbook" and ".ods" in message


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "CS.xlsx"
    path.write_bytes(bytes(range(256)) * 4)
    assert unusable(path)[0] == "file-not-workbook"


def test_lock_file(r: Returns, tmp_path: Path) -> None:
    path = tmp_path / ("~$" + r.clean.name)
    path.write_bytes(b"\x0bSam Patel" + bytes(150))
    result = check(path)
    assert result.status == NOT_A_RETURN
    assert [(f.code, f.severity.value) for f in result.findings] == [("file-lock", "Warning")]


def test_part_with_a_damaged_sheet(r: Returns, tmp_path: Path) -> None:
    part = sheet_part(r.clean, "Measures")
    path = rewrite(r.clean, tmp_path / "CS.xlsx", {part: lambda d: d[: len(d) // 2]})
    assert unusable(path)[0] == "file-corrupt"


def test_sheet_whose_compressed_bytes_are_damaged(r: Returns, tmp_path: Path) -> None:
    """Bytes changed inside a sheet's compressed data (a bad disk, a broken upload): the scan
    inflating it says the file is damaged, whichever inflater it uses."""
    part = sheet_part(r.clean, "Measures")
    data = bytearray(r.clean.read_bytes())
    with zipfile.ZipFile(r.clean) as archive:
        info = archive.getinfo(part)
    header = info.header_offset
    name_length = int.from_bytes(data[header + 26:header + 28], "little")
    extra_length = int.from_bytes(data[header + 28:header + 30], "little")
    start = header + 30 + name_length + extra_length + info.compress_size // 3
    data[start:start + 64] = bytes(64 * [0xFF])
    path = tmp_path / "CS.xlsx"
    path.write_bytes(bytes(data))
    code, message = unusable(path)
    assert code == "file-corrupt" and "damaged" in message


# --- bombs and sheets that reach too far -----------------------------------------------------

def test_decompression_bomb_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"0" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros, a few hundred KB compressed
                member.write(block)
    assert path.stat().st_size < 2 * (1 << 20)
    started = time.perf_counter()
    code, message = unusable(path)
    assert code == "file-bomb" and "refused before opening" in message
    assert time.perf_counter() - started < 1.0


def run_isolated(code: str, path: Path) -> tuple[str, int]:
    """Run `code` in a fresh Python with `path` as PATH: (its output, its peak memory in MB).

    A fresh process keeps a failure from taking the test run down (calamine aborts the whole
    process when it cannot allocate) and measures memory honestly: VmHWM is the process's own
    peak, where Linux's ru_maxrss starts from the size of the test run that forked it."""
    if sys.platform == "win32":
        pytest.skip("measures memory with resource and /proc, which Windows lacks")
    script = textwrap.dedent(f"""
        import resource, sys
        from pathlib import Path
        PATH = Path({str(path)!r})
        {textwrap.indent(textwrap.dedent(code), '        ').strip()}
        try:
            status = Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]
            print("PEAK", int(status) // 1024)
        except (OSError, IndexError):
            print("PEAK", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    peak = int(re.search(r"PEAK (\d+)", done.stdout).group(1))  # type: ignore[union-attr]
    return done.stdout, peak


def test_sheet_reaching_the_last_cell_is_refused_with_bounded_memory(
        r: Returns, tmp_path: Path) -> None:
    part = sheet_part(r.clean, "Measures")
    far = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    path = rewrite(r.clean, tmp_path / "far.xlsx",
                   {part: lambda d: d.replace(b"</sheetData>", far)})
    out, peak = run_isolated("""
        from workbook_tools.returns.validate import validate_file
        result = validate_file(PATH)
        print(result.status, [f.code for f in result.findings], result.findings[0].message)
    """, path)
    assert "Not a return ['sheet-too-large']" in out and "XFD1048576" in out
    assert peak < 400


def test_zip_declaring_a_false_small_size_is_refused(r: Returns, tmp_path: Path) -> None:
    """A part whose header says it is small but unpacks to far more: the readers stop at the
    declared size and refuse the file."""
    path = tmp_path / "liar.xlsx"
    big = b"<sst>" + b"<si><t>a</t></si>" * 4_000_000 + b"</sst>"  # 68 MB
    shutil.copy(r.clean, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()
        archive.writestr("xl/sharedStrings.xml", big)
    data = bytearray(path.read_bytes())
    name = b"xl/sharedStrings.xml"
    for signature, size_at, name_len_at, name_at in ((b"PK\x01\x02", 24, 28, 46),
                                                       (b"PK\x03\x04", 22, 26, 30)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            length = int.from_bytes(data[start + name_len_at:start + name_len_at + 2], "little")
            if bytes(data[start + name_at:start + name_at + length]) == name:
                data[start + size_at:start + size_at + 4] = (1000).to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))
    out, peak = run_isolated("""
        from workbook_tools.returns.validate import validate_file
        result = validate_file(PATH)
        print(result.status, [f.code for f in result.findings])
    """, path)
    assert "Not a return ['file-corrupt']" in out
    assert peak < 400


def test_sheet_with_an_entity_declaration_is_refused(r: Returns, tmp_path: Path) -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    path = rewrite(r.clean, tmp_path / "lol.xlsx", {
        "xl/workbook.xml": lambda d: laughs + d.split(b"?>", 1)[-1].replace(
            b'name="Cover"', b'name="&lol2;"')})
    code, message = unusable(path)
    assert code == "file-unsafe" and "entity" in message


def test_entity_used_in_a_sheet_is_refused(r: Returns, tmp_path: Path) -> None:
    part = sheet_part(r.clean, "Cover")
    laughs = b'<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'

    def attack(data: bytes) -> bytes:
        start = data.index(b"<worksheet")
        data = data[:start] + laughs + data[start:]
        return data.replace(b"<t>Completed by</t>", b"<t>&lol2;</t>")

    assert unusable(rewrite(r.clean, tmp_path / "lol.xlsx", {part: attack}))[0] == "file-unsafe"


# --- unusual but legitimate XML: the precise scan ---------------------------------------------

def test_namespace_prefixed_sheet_is_read_the_same(r: Returns, tmp_path: Path) -> None:
    part = sheet_part(r.clean, "Measures")

    def prefix(data: bytes) -> bytes:
        data = re.sub(rb"<(/?)([A-Za-z]\w*)([\s>/])", rb"<\1x:\2\3", data)
        return data.replace(b"<x:worksheet ", b'<x:worksheet xmlns:x='
                            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main" ', 1)

    row = r.row("Measures", lambda m: m["unit"] == "%" and m["rag"] == "Green")
    source = r.copy(tmp_path / "src", {("Measures", MEASURES.cell("actual", row["_row"])): "=1"})
    path = rewrite(source, tmp_path / "prefixed.xlsx", {part: prefix})
    assert b"<x:c " in zipfile.ZipFile(path).read(part)
    with reading.SafeWorkbook(path) as workbook:
        inputs = "".join(MEASURES.letter(c.key) for c in MEASURES.inputs)
        rows, scan = workbook.read("Measures", inputs)
    assert scan.precise and scan.formulas == {MEASURES.cell("actual", row["_row"]): "1"}
    assert problems(check(path)) == problems(check(source)) == {
        ("Measures", MEASURES.cell("actual", row["_row"]), "formula-without-value")}


def test_fast_and_precise_scans_agree(r: Returns) -> None:
    with zipfile.ZipFile(r.clean) as archive:
        for name in ("Cover", "Measures", "Actions"):
            part = sheet_part(r.clean, name)
            with archive.open(part) as stream:
                fast = sheetscan.fast_scan(stream, "CJM", sheetscan.fast_refs(4_000_000))
            with archive.open(part) as stream:
                precise = sheetscan.precise_scan(stream, "CJM", r.clean)
            assert fast is not None and not fast.precise
            assert (fast.formulas, fast.errors, fast.dimension) == \
                (precise.formulas, precise.errors, precise.dimension)


def test_a_tall_narrow_sheet_is_scanned_fast_and_a_wide_one_still_counted(tmp_path: Path
                                                                         ) -> None:
    """A national register or master has 100,000s of rows in a few columns: within the limit,
    so the streaming regex scan passes it (the XML parse took 28 s for a 240-directorate
    register). A far cell outside the fast shapes is still counted precisely and refused."""
    import xlsxwriter

    def sheet(name: str, cells: list[tuple[int, int]]) -> Path:
        book = xlsxwriter.Workbook(str(tmp_path / name), {"constant_memory": True})
        page = book.add_worksheet("S")
        for row, col in cells:
            page.write_number(row, col, 1)
        book.close()
        return tmp_path / name

    tall = sheet("tall.xlsx", [(r, c) for r in range(0, 250_000, 25) for c in range(3)])
    with reading.SafeWorkbook(tall) as book:
        rows, scan = book.read("S")
    assert not scan.precise and len(rows) == 249_976
    wide = sheet("wide.xlsx", [(0, 0), (99_998, 60)])  # BI99999: 6.1 million cells
    with pytest.raises(UnreadableFileError, match="sheet-too-large|S!BI99999") as caught:
        with reading.SafeWorkbook(wide) as book:
            book.read("S")
    assert caught.value.code == "sheet-too-large"


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "S"
    workbook.active["A1"] = 1
    workbook.save(tmp_path / "s.xlsx")
    body = (b'<sheetData><row r="3"><c><v>1</v></c><c t="inlineStr"><is><t>x</t></is></c></row>'
            b"<row><c/><c/><c><f>1+1</f></c></row></sheetData>")
    path = rewrite(tmp_path / "s.xlsx", tmp_path / "t.xlsx", {
        "xl/worksheets/sheet1.xml": lambda d: re.sub(rb"<sheetData>.*</sheetData>", body, d)})
    with reading.SafeWorkbook(path) as book:
        rows, scan = book.read("S", "C")
    assert scan.precise and (scan.last_row, scan.last_column) == (3, 2)
    assert scan.formulas == {"C4": "1+1"}
    assert rows[2][:2] == [1.0, "x"]


# --- folders ---------------------------------------------------------------------------------

def test_folder_expansion(r: Returns, tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    (folder / "old").mkdir(parents=True)
    shutil.copy(r.clean, folder / "b.xlsx")
    shutil.copy(r.clean, folder / "old" / "ignored.xlsx")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "Thumbs.db").write_bytes(package.OLE_MAGIC)
    (folder / "~$b.xlsx").write_bytes(b"\0" * 165)
    (folder / "A notes.txt").write_text("hello")
    files = expand_paths([folder, folder / "b.xlsx"])
    assert [f.name for f in files] == ["A notes.txt", "b.xlsx", "~$b.xlsx"]
    with pytest.raises(ConfigurationError, match="no such file or folder"):
        expand_paths([tmp_path / "missing"])


def test_run_goes_on_past_bad_files(r: Returns, tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    shutil.copy(r.clean, folder / "CS.xlsx")
    (folder / "empty.xlsx").write_bytes(b"")
    seen: list[Path] = []
    run = validate_paths([folder], Q1, r.plan, progress=seen.append)
    assert [x.status for x in run.results] == [ACCEPTED, NOT_A_RETURN]
    assert seen == [folder / "CS.xlsx", folder / "empty.xlsx"]
    assert run.exit_code == 1


# --- resubmissions ---------------------------------------------------------------------------

def stamp(path: Path, seconds: float) -> Path:
    os.utime(path, (seconds, seconds))
    return path


def test_latest_signoff_wins(r: Returns, tmp_path: Path) -> None:
    signed = openpyxl.load_workbook(r.clean)["Cover"]["C33"].value
    earlier = r.copy(tmp_path, {("Cover", "C33"): signed - dt.timedelta(days=3)}, "first.xlsx")
    stamp(earlier, 2_000)
    later = stamp(r.copy(tmp_path, {}, "second.xlsx"), 1_000)  # older file, later sign-off
    run = validate_paths([tmp_path], Q1)
    status = {x.path.name: x for x in run.results}
    assert status["second.xlsx"].status == ACCEPTED
    assert status["first.xlsx"].status == SUPERSEDED
    assert status["first.xlsx"].superseded_by == later
    assert "second.xlsx" in status["first.xlsx"].findings[0].message
    assert run.exit_code == 0 and len(run.accepted) == 1


# A free-text input on the first measure row: two versions of a return differ only there.
REMEDIAL = layout.MEASURES.cell("remedial", layout.FIRST_DATA_ROW)


def test_same_signoff_then_file_time(r: Returns, tmp_path: Path) -> None:
    old = stamp(r.copy(tmp_path, {("Measures", REMEDIAL): "Reviewed."}, "a.xlsx"), 1_000)
    new = stamp(r.copy(tmp_path, {("Measures", REMEDIAL): "Reviewed again."}, "b.xlsx"), 2_000)
    run = validate_paths([old, new], Q1)
    assert [x.status for x in run.results] == [SUPERSEDED, ACCEPTED]


def test_identical_copies_count_once(r: Returns, tmp_path: Path) -> None:
    one = r.copy(tmp_path, {}, "one.xlsx")
    two = tmp_path / "two.xlsx"
    shutil.copy(one, two)
    run = validate_paths([one, two], Q1)
    assert [x.status for x in run.results] == [ACCEPTED, SUPERSEDED]
    assert run.results[1].findings[0].code == "duplicate-copy"


def test_undecidable_pair_is_refused_naming_both(r: Returns, tmp_path: Path) -> None:
    one = stamp(r.copy(tmp_path, {("Measures", REMEDIAL): "Version one."}, "one.xlsx"), 5_000)
    two = stamp(r.copy(tmp_path, {("Measures", REMEDIAL): "Version two."}, "two.xlsx"), 5_000)
    run = validate_paths([one, two], Q1)
    assert [x.status for x in run.results] == [REJECTED, REJECTED]
    for result in run.results:
        assert result.findings[0].code == "resubmission-undecidable"
        assert "one.xlsx" in result.findings[0].message
        assert "two.xlsx" in result.findings[0].message
    assert run.exit_code == 1 and run.accepted == []


def test_rejected_return_fixed_by_a_later_one(r: Returns, tmp_path: Path) -> None:
    broken = stamp(r.copy(tmp_path, {("Cover", "C31"): None}, "broken.xlsx"), 1_000)
    fixed = stamp(r.copy(tmp_path, {}, "fixed.xlsx"), 2_000)
    run = validate_paths([broken, fixed], Q1)
    assert [x.status for x in run.results] == [SUPERSEDED, ACCEPTED]
    assert run.exit_code == 0


def test_returns_of_different_directorates_do_not_compete(r: Returns, tmp_path: Path) -> None:
    run = validate_paths([r.clean, r.blank["PL"]], Q1)
    assert [x.status for x in run.results] == [ACCEPTED, REJECTED]


# --- real clients ----------------------------------------------------------------------------

@needs_libreoffice
def test_libreoffice_saved_return(r: Returns, tmp_path: Path) -> None:
    """Saved by LibreOffice: shared strings, its styles and number formats, dates as serial
    numbers, _meta merely hidden, and a formula typed in an input cell with its saved value."""
    row = r.row("Measures", lambda m: m["unit"] == "%" and m["rag"] == "Green")
    cell = MEASURES.cell("actual", row["_row"])
    source = r.copy(tmp_path / "src", {("Measures", cell): f"={row['actual']}-0.5+0.5"})
    saved = libreoffice_save(source, tmp_path / "lo")
    with zipfile.ZipFile(saved) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()
    with reading.SafeWorkbook(saved) as workbook:
        assert workbook.state(layout.META_SHEET) == "hidden"
    result = check(saved, quarter=Q1, plan=r.plan)
    assert result.status == ACCEPTED, [f.message for f in result.findings]
    assert result.data is not None
    original = check(r.clean).data
    assert original is not None
    assert result.data.rows == original.rows and result.data.cover == original.cover


def test_unreadable_error_is_plain(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"")
    with pytest.raises(UnreadableFileError) as caught:
        reading.read_values(path)
    assert str(caught.value) == f"{path}: is empty (0 bytes)"


def test_a_lock_file_beside_an_open_return_is_reported_but_does_not_fail_the_run(tmp_path):
    """Someone having a return open in Excel leaves ~$CS_....xlsx beside it: not a data problem."""
    from workbook_tools.returns.findings import NOT_A_RETURN, ReturnResult, ValidationRun
    from workbook_tools.returns.validate import validate_paths

    lock = tmp_path / "~$CS_2025-26-Q1.xlsx"
    lock.write_bytes(b"\x0bSam Patel" + b" " * 100)
    run = validate_paths([lock], None)
    assert [r.status for r in run.results] == [NOT_A_RETURN]
    assert [f.code for f in run.results[0].findings] == ["file-lock"]
    assert run.exit_code == 0
    rejected = ReturnResult(path=tmp_path / "x.txt", sha256="", received=run.results[0].received,
                            status=NOT_A_RETURN, findings=[])
    assert ValidationRun(None, [rejected]).exit_code == 0
