"""Consolidating into a master that holds earlier quarters copies their rows through as they are
(master/verbatim.py): the master read back is the same as when every row is read and written
again (WORKBOOK_TOOLS_COPY=off), and anything that is not exactly what our writer writes is read
and written as before."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from master_support import Q1, Q2, Folder, make_folder
from openpyxl.comments import Comment
from support import libreoffice_save, needs_libreoffice

from workbook_tools.errors import MasterError
from workbook_tools.master import columns as mc
from workbook_tools.master import record
from workbook_tools.master.read import LEAN_SHEETS, read_master
from workbook_tools.master.verbatim import note_styles
from workbook_tools.plan.register import load_plan

MEASURES = "xl/worksheets/sheet2.xml"  # the master's second sheet


def ours(tmp_path: Path) -> Folder:
    """A folder whose master, written by workbook-tools, holds Q1 (with a comment on a Measures
    row and finance's entry on a saving) and Q2."""
    folder = make_folder(tmp_path / "base", (Q1, Q2))
    workbook = openpyxl.load_workbook(folder.master)
    workbook["Measures"]["G3"].comment = Comment("Checked with the service", "Audit")
    workbook["Savings"]["A2"].comment = None
    header = [c.value for c in workbook["Savings"][1]]
    workbook["Savings"].cell(2, header.index("Finance confirmed (£)") + 1).value = 1234
    workbook.save(folder.master)
    assert read_master(folder.master, touched={str(Q2)}).copies == {}  # saved by openpyxl
    folder.consolidate(Q2)  # written again by workbook-tools, the comment and entry kept
    return folder


def twin(folder: Folder, root: Path) -> Folder:
    shutil.copytree(folder.root, root)
    return Folder(root, load_plan(root / "templates" / "plan.xlsx"))


def consolidated(folder: Folder, root: Path, copying: bool,
                 monkeypatch: pytest.MonkeyPatch) -> Any:
    """Consolidate Q2 in a copy of `folder`, copying rows or not: the master, or the error."""
    other = twin(folder, root)
    with monkeypatch.context() as env:
        env.setenv("WORKBOOK_TOOLS_COPY", "on" if copying else "off")
        try:
            other.consolidate(Q2)
        except MasterError as exc:
            return str(exc).replace(str(root), "ROOT")
    return other.master


def both_ways(folder: Folder, root: Path, monkeypatch: pytest.MonkeyPatch
              ) -> tuple[Path, Path] | None:
    """Q2 consolidated in two copies of `folder`, copying rows and not: the two masters, or None
    when both were refused, the same way."""
    copied = consolidated(folder, root / "on", True, monkeypatch)
    written = consolidated(folder, root / "off", False, monkeypatch)
    if isinstance(written, str):  # refused: refused the same way
        assert copied == written
        return None
    assert not isinstance(copied, str), copied
    return copied, written


def content(path: Path) -> dict[str, Any]:
    """Every sheet's values (calamine), the comments on every cell and the table ranges."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    found: dict[str, Any] = {name: workbook.get_sheet_by_name(name).to_python()
                             for name in workbook.sheet_names}
    loaded = openpyxl.load_workbook(path)
    found["comments"] = {(s.title, c.coordinate): (c.comment.text, c.comment.author)
                         for s in loaded.worksheets for row in s.iter_rows() for c in row
                         if c.comment is not None}
    found["tables"] = {(s.title, t.ref) for s in loaded.worksheets for t in s.tables.values()}
    found["cells"] = {(s.title, c.coordinate): (c.data_type, c.number_format, c.alignment.vertical,
                                                c.alignment.wrap_text, c.font.b, c.fill.fgColor.rgb)
                      for s in loaded.worksheets for row in s.iter_rows() for c in row}
    return found


def same_master(copied: Path, written: Path) -> None:
    assert content(copied) == content(written)
    a, b = read_master(copied), read_master(written)
    assert a.quarters() == b.quarters() == [str(Q1), str(Q2)]
    assert {k: e.values for k, e in a.finance.items()} == {k: e.values for k, e in
                                                            b.finance.items()}


def test_earlier_quarters_are_copied_and_the_master_is_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = ours(tmp_path)
    old = read_master(folder.master, touched={str(Q2)})
    q1_rows = {name: len(old.rows(name, Q1)) for name in LEAN_SHEETS}
    assert {name: block.count for name, block in old.copies.items()} == {
        name: count for name, count in q1_rows.items() if count}
    assert set(old.copies) >= {mc.MasterSheet.MEASURES, mc.MasterSheet.ACTIONS}
    copied = consolidated(folder, tmp_path / "on", True, monkeypatch)
    written = consolidated(folder, tmp_path / "off", False, monkeypatch)
    same_master(copied, written)
    comments = content(copied)["comments"]
    assert comments[("Measures", "G3")] == ("Checked with the service", "Audit")
    entry = read_master(copied).finance
    assert any(e.values["Finance confirmed (£)"] == 1234 for e in entry.values())
    # the copy is the rows of the old master as they were, byte for byte
    with zipfile.ZipFile(folder.master) as before, zipfile.ZipFile(copied) as after:
        block = old.copies["Measures"]
        assert before.read(MEASURES)[block.start:block.end] in after.read(MEASURES)


def test_switched_off_nothing_is_copied(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = ours(tmp_path)
    monkeypatch.setenv("WORKBOOK_TOOLS_COPY", "off")
    assert read_master(folder.master, touched={str(Q2)}).copies == {}


def test_reconsolidating_an_earlier_quarter_copies_only_what_comes_before_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = ours(tmp_path)
    assert read_master(folder.master, touched={str(Q1)}).copies == {}  # Q1 comes first
    results = {}
    for copying in (True, False):
        other = twin(folder, tmp_path / f"again-{copying}")
        with monkeypatch.context() as env:
            env.setenv("WORKBOOK_TOOLS_COPY", "on" if copying else "off")
            other.consolidate(Q1)
        results[copying] = other.master
    same_master(results[True], results[False])


def edit_member(path: Path, part: str, edit: Callable[[bytes], bytes]) -> None:
    """Rewrite one part of the workbook's zip, as a hand edit of its XML would."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, edit(data) if info.filename == part else data)


def first(pattern: bytes, replace: bytes) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        edited, count = re.subn(pattern, replace, data, count=1)
        assert count == 1, pattern
        return edited
    return edit


def _swap_rows(data: bytes) -> bytes:
    """Rows 2 and 3 written in the other order (their numbers as they were)."""
    two = re.search(rb'<row r="2".*?</row>', data)
    three = re.search(rb'<row r="3".*?</row>', data)
    assert two and three
    return data[:two.start()] + three.group(0) + two.group(0) + data[three.end():]


def _renumber_styles(path: Path) -> None:
    """Swap two cell formats' numbers in styles.xml and in every cell using them: the same file to
    a reader, but a copied cell's number would mean another format in the new file."""
    def styles(data: bytes) -> bytes:
        head, xfs, tail = re.split(rb"(<cellXfs .*?</cellXfs>)", data, flags=re.S)
        items = re.findall(rb"<xf [^>]*/>|<xf [^>]*>.*?</xf>", xfs, re.S)
        assert items[1] != items[6]
        items[1], items[6] = items[6], items[1]
        opening = xfs[:xfs.index(b">") + 1]
        return head + opening + b"".join(items) + b"</cellXfs>" + tail

    def cells(data: bytes) -> bytes:
        return re.sub(rb' s="(1|6)"', lambda m: b' s="6"' if m.group(1) == b"1" else b' s="1"',
                      data)

    edit_member(path, "xl/styles.xml", styles)
    for n in range(1, len(mc.SHEETS) + 1):
        edit_member(path, f"xl/worksheets/sheet{n}.xml", cells)


#: A hand edit of the master's XML: (sheet, the first row it changes, the edit).
HAND_EDITS: dict[str, tuple[str, int, Callable[[Path], None]]] = {
    "a formula": ("Measures", 4, lambda p: edit_member(
        p, MEASURES, first(rb'(<c r="L4"[^>]*>)<v>', rb"\1<f>1+1</f><v>"))),
    "shared string": ("Actions", 5, lambda p: edit_member(
        p, "xl/worksheets/sheet3.xml",
        first(rb'<c r="B5"( s="[0-9]+")? t="inlineStr"><is><t>[^<]*</t></is></c>',
               rb'<c r="B5"\1 t="s"><v>0</v></c>'))),
    "a bad entity": ("Measures", 6, lambda p: edit_member(
        p, MEASURES, first(rb'(<c r="G6"[^>]*><is><t>)', rb"\1&bogus;"))),
    "a character reference": ("Measures", 6, lambda p: edit_member(
        p, MEASURES, first(rb'(<c r="G6"[^>]*><is><t>)', rb"\1&#233;"))),
    "a control character": ("Measures", 6, lambda p: edit_member(
        p, MEASURES, first(rb'(<c r="G6"[^>]*><is><t>)', b"\\1\x01"))),
    "a quarter out of order": ("Measures", 3, lambda p: edit_member(
        p, MEASURES, first(rb'(<c r="A3"[^>]*><is><t>)2025-26-Q1', rb"\g<1>2024-25-Q4"))),
    "a quarter spelt otherwise": ("Measures", 3, lambda p: edit_member(
        p, MEASURES, first(rb'(<c r="A3"[^>]*><is><t>)2025-26-Q1', rb"\g<1>2025/26 Q1"))),
    "rows out of order": ("Measures", 2, lambda p: edit_member(p, MEASURES, _swap_rows)),
    "an extra column": ("Measures", 5, lambda p: edit_member(
        p, MEASURES, first(rb"(<row r=\"5\"[^>]*>.*?)</row>",
                            rb'\1<c r="ZZ5" t="inlineStr"><is><t>x</t></is></c></row>'))),
    "styles numbered otherwise": ("Measures", 0, _renumber_styles),
}


@pytest.mark.parametrize("edit", list(HAND_EDITS))
def test_a_hand_edited_master_is_read_as_before(tmp_path: Path, edit: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = ours(tmp_path)
    sheet, row, change = HAND_EDITS[edit]
    change(folder.master)
    try:
        block = read_master(folder.master, touched={str(Q2)}).copies.get(sheet)
    except MasterError:
        block = None
    if row:  # the edited row and every row after it are read, not copied
        assert block is None or block.last_row < row
    else:  # copied, then written again when the new file's formats are numbered otherwise
        assert block is not None
    masters = both_ways(folder, tmp_path, monkeypatch)
    if masters is not None:
        assert content(masters[0]) == content(masters[1])


@needs_libreoffice
def test_a_master_saved_by_libreoffice_is_read_and_written_as_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = ours(tmp_path)
    saved = libreoffice_save(folder.master, tmp_path / "lo")
    shutil.copy(saved, folder.master)
    assert all(name not in read_master(folder.master, touched={str(Q2)}).copies
               for name in (mc.MasterSheet.MEASURES, mc.MasterSheet.ACTIONS))
    copied = consolidated(folder, tmp_path / "on", True, monkeypatch)
    written = consolidated(folder, tmp_path / "off", False, monkeypatch)
    same_master(copied, written)


def test_rows_copied_by_the_process_that_writes_half_the_sheets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On two cores a forked process writes the larger sheets' rows: it copies their blocks."""
    from workbook_tools.master import writerows

    folder = ours(tmp_path)
    monkeypatch.setattr(writerows, "PARALLEL_CELLS", 0)
    copied = consolidated(folder, tmp_path / "on", True, monkeypatch)
    written = consolidated(folder, tmp_path / "off", False, monkeypatch)
    same_master(copied, written)


def _one_letter_other(data: bytes) -> bytes:
    """A copied text's first letter made another, the sheet's bytes as many as before."""
    found = re.search(rb'<c r="G3"[^>]*><is><t>([A-Za-z])', data)
    assert found is not None
    other = b"X" if found.group(1) != b"X" else b"Y"
    return data[:found.start(1)] + other + data[found.end(1):]


@pytest.mark.parametrize("edit", [
    first(rb'(<c r="G3"[^>]*><is><t>)', rb"\1Changed meanwhile: "), _one_letter_other],
    ids=["a text longer", "one letter other"])
def test_a_master_changed_after_it_was_read_is_not_copied_from(
        tmp_path: Path, edit: Callable[[bytes], bytes]) -> None:
    from workbook_tools.master.verbatim_copy import copy

    folder = ours(tmp_path)
    block = read_master(folder.master, touched={str(Q2)}).copies["Measures"]
    edit_member(folder.master, MEASURES, edit)
    with pytest.raises(MasterError, match="changed by someone else"):
        copy(folder.master, block, str(tmp_path / "rows.xml"))


def _crc_forged(old: bytes, new: bytes, start: int, end: int, spare: range) -> bytes:
    """`new` with the case of some letters of its texts in [start, end) (outside `spare`)
    turned so that the CRC-32 of those bytes is `old`'s: a CRC-32 is linear, so the letters to
    turn are a linear system over GF(2), solved here in moments."""
    target, base = zlib.crc32(old[start:end]), zlib.crc32(new[start:end])
    letters = [start + i for t in re.finditer(rb"<t>([^<]*)</t>", new[start:end])
               for i in range(t.start(1), t.end(1))
               if start + i not in spare and chr(new[start + i]).isalpha()][:200]
    basis: list[tuple[int, int]] = []
    for k, at in enumerate(letters):
        turned = bytearray(new)
        turned[at] ^= 0x20
        vector, mask = zlib.crc32(bytes(turned[start:end])) ^ base, 1 << k
        for other, other_mask in basis:
            if vector ^ other < vector:
                vector, mask = vector ^ other, mask ^ other_mask
        if vector:
            basis.append((vector, mask))
            basis.sort(reverse=True)
    want, mask = target ^ base, 0
    for vector, other_mask in basis:
        if want ^ vector < want:
            want, mask = want ^ vector, mask ^ other_mask
    assert want == 0
    forged = bytearray(new)
    for k, at in enumerate(letters):
        if mask >> k & 1:
            forged[at] ^= 0x20
    assert zlib.crc32(bytes(forged[start:end])) == target and len(forged) == len(old)
    return bytes(forged)


def _formula_in_place(data: bytes, start: int, end: int) -> bytes:
    """A sheet's XML with the text in G3, within the rows [start, end), made a formula of the
    same length, the rows' CRC-32 kept (`_crc_forged`)."""
    cell = re.search(rb'<c r="G3"( s="[0-9]+")? t="inlineStr"><is><t>[^<]*</t></is></c>',
                     data[start:end])
    assert cell is not None
    at, stop = start + cell.start(), start + cell.end()
    head = b'<c r="G3"' + (cell.group(1) or b"") + b'><f>HYPERLINK("http://example.com/","'
    tail = b'")</f><v>0</v></c>'
    formula = head + b"x" * (stop - at - len(head) - len(tail)) + tail
    assert len(formula) == stop - at
    return _crc_forged(data, data[:at] + formula + data[stop:], start, end, range(at, stop))


def _while_in_place(path: Path, crafted: Path, call: Callable[[], Any]) -> Any:
    """`call()` with `crafted` put in the place of the file at `path`, which is then put back
    (the same bytes, time and SHA-256 as before)."""
    os.replace(path, f"{path}.kept")
    shutil.copy(crafted, path)
    try:
        return call()
    finally:
        os.replace(f"{path}.kept", path)


@pytest.mark.parametrize("how", ["scanned", "on record", "on record, as stored"])
def test_a_master_swapped_while_its_rows_are_copied_is_refused(
        tmp_path: Path, records: Path, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone who can write to the master's folder puts, while the rows are copied, a file in
    its place whose copied rows differ (a formula where a text was, the same length) yet whose
    runs' checksums (a CRC-32 and a length: made to order) are the old ones, and then puts the
    old file back, so that its SHA-256 is as before. The copy is refused (the part's bytes as
    stored are checked by SHA-256, as read: files/deflate.py's open_part) and the master is
    left as it was, whether its rows were found by the scan or came from its record, and
    whether they are copied inflated or as stored (verbatim_copy.Splice)."""
    from workbook_tools.master import verbatim_copy, writerows

    folder = ours(tmp_path)
    recorded = how != "scanned"
    if recorded:
        folder.consolidate(Q2)  # written by the tool: its record is kept
        assert any(records.iterdir())
    block = read_master(folder.master, touched={str(Q2)}).copies["Measures"]
    assert (block.recorded is not None) == recorded
    assert bool(block.stored) == recorded  # (the writer's full flushes, on record)
    if how == "on record":
        monkeypatch.setattr(writerows.Splice, "of", lambda *_: None)  # (copied inflated)
    with zipfile.ZipFile(folder.master) as archive:
        data = archive.read(MEASURES)
    forged = _formula_in_place(data, block.start, block.end)
    crafted = tmp_path / "crafted.xlsx"
    shutil.copy2(folder.master, crafted)
    edit_member(crafted, MEASURES, lambda _: forged)
    before = folder.master.read_bytes()
    real = writerows.copy

    def swapped(path: Any, copied: Any, out: str) -> None:
        if copied.part != MEASURES:
            return real(path, copied, out)
        return _while_in_place(Path(path), crafted, lambda: real(path, copied, out))

    real_stored = verbatim_copy.Splice.take

    def swapped_stored(splice: Any) -> None:
        if splice.part != MEASURES:
            return real_stored(splice)
        return _while_in_place(Path(splice.source), crafted, lambda: real_stored(splice))

    monkeypatch.setattr(writerows, "copy", swapped)
    monkeypatch.setattr(verbatim_copy.Splice, "take", swapped_stored)
    with pytest.raises(MasterError, match="changed by someone else"):
        folder.consolidate(Q2)
    assert folder.master.read_bytes() == before


def test_a_master_swapped_while_its_record_is_made_is_not_on_record(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The master just written is read again, by its name, to make its record. A file put in
    its place meanwhile (its copied rows otherwise, their checksums made to order), then put
    back, would give a record of rows the master does not hold, under the master's own
    SHA-256: the sheet is only on record when the bytes it was made from are those written
    (found by a review: helper-64)."""
    from workbook_tools.master import recorder

    folder = ours(tmp_path)
    monkeypatch.setattr(recorder, "PARALLEL_BYTES", 1 << 40)  # (all in this process)
    block = read_master(folder.master, touched={str(Q2)}).copies["Measures"]
    real = recorder._sheets

    def swapped(path: Path, jobs: Any, dates: Any, *rest: Any) -> Any:
        swaps.append(path)
        with zipfile.ZipFile(path) as archive:
            data = archive.read(MEASURES)
        start = data.index(b'<row r="2"')
        end = start + block.end - block.start
        forged = _formula_in_place(data, start, end)
        crafted = tmp_path / "crafted.xlsx"
        shutil.copy2(path, crafted)
        edit_member(crafted, MEASURES, lambda _: forged)
        return _while_in_place(path, crafted, lambda: real(path, jobs, dates, *rest))

    swaps: list[Path] = []
    monkeypatch.setattr(recorder, "_sheets", swapped)
    folder.consolidate(Q2)
    assert swaps  # (the record was made, from the file put in its place)
    kept = record.recall(hashlib.sha256(folder.master.read_bytes()).hexdigest())
    assert kept is None or "Measures" not in kept.sheets


def _with_measures(path: Path, source: Path, stored: bytes, method: int, crc: int,
                   size: int) -> None:
    """`source` with its Measures part's stored bytes, method, CRC-32 and size as given (the
    zip's local header and directory both), as a hand-made file could have them."""
    with zipfile.ZipFile(source) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename == MEASURES:
                made = zipfile.ZipInfo(MEASURES, info.date_time)
                made.compress_type = zipfile.ZIP_STORED
                archive.writestr(made, stored)
            else:
                archive.writestr(info, data)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local, directory = archive.getinfo(MEASURES).header_offset, archive.start_dir
    while raw[directory + 46:directory + 46 + len(MEASURES)] != MEASURES.encode():
        directory = raw.index(b"PK\x01\x02", directory + 4)
    struct.pack_into("<H", raw, local + 8, method)
    struct.pack_into("<III", raw, local + 14, crc, len(stored), size)
    struct.pack_into("<H", raw, directory + 10, method)
    struct.pack_into("<III", raw, directory + 16, crc, len(stored), size)
    path.write_bytes(bytes(raw))


def test_a_part_put_back_stored_where_it_was_deflated_is_refused(tmp_path: Path) -> None:
    """A hand-made master whose Measures part is a deflate stream that ends early, then other
    bytes (rows with a formula, their CRC-32 made to order), is scanned as the XML the stream
    inflates to. Swapped, while the rows are copied, for the same bytes marked as stored (so
    read as they are): the stored bytes' SHA-256 is the same, but how they are stored is part
    of what is checked, so the copy is refused (found by a review: helper-63)."""
    from workbook_tools.master.verbatim_copy import copy

    folder = ours(tmp_path)
    with zipfile.ZipFile(folder.master) as archive:
        xml = archive.read(MEASURES)
    xml = xml.replace(b"<sheetData>", b" " * (1 << 20) + b"<sheetData>", 1)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = deflater.compress(xml) + deflater.flush()
    made = tmp_path / "made.xlsx"
    _with_measures(made, folder.master, deflated + bytes(len(xml) - len(deflated)), 8,
                   zlib.crc32(xml), len(xml))
    block = read_master(made, touched={str(Q2)}).copies["Measures"]
    assert len(deflated) <= block.start
    forged = _formula_in_place(xml, block.start, block.end)
    stored = bytearray(deflated + bytes(len(xml) - len(deflated)))
    stored[block.start:block.end] = forged[block.start:block.end]
    _with_measures(made, folder.master, bytes(stored), 8, zlib.crc32(xml), len(xml))
    block = read_master(made, touched={str(Q2)}).copies["Measures"]
    swapped = tmp_path / "swapped.xlsx"
    _with_measures(swapped, made, bytes(stored), 0, zlib.crc32(stored), len(stored))
    with pytest.raises(MasterError, match="changed by someone else"):
        copy(swapped, block, str(tmp_path / "rows.xml"))


def test_the_copy_checksum_is_of_every_byte_in_order() -> None:
    """verbatim.Checksum, which copied rows are checked with: the same however the bytes come
    (a chunk at a time, from where a run ended), another for one byte changed, two swapped, or
    one more."""
    from workbook_tools.master.verbatim_copy import Checksum

    data = bytes(range(256)) * 300

    def of(*pieces: bytes) -> str:
        checksum = Checksum()
        for piece in pieces:
            checksum.update(memoryview(piece))
        return checksum.hexdigest()

    whole = of(data)
    assert re.fullmatch("[0-9a-f]{24}", whole)
    assert of(data[:1], data[1:5000], data[5000:]) == of(b"", data) == whole
    changed = bytearray(data)
    changed[40_000] ^= 1
    swapped = data[:100] + data[101:102] + data[100:101] + data[102:]
    assert len({whole, of(bytes(changed)), of(swapped), of(data + b"\0"), of(b"\0" + data),
                of(b""), of(b"\0")}) == 7


@pytest.mark.parametrize("new", [0, 1, 3, 40])
def test_every_style_the_copied_cells_use_is_noted(new: int) -> None:
    """The styles a block's cells use are checked against the new file's (a style read
    otherwise there means the rows are written again): each is noted, however many and
    wherever they are, including past the few looked for one by one, and none after the end
    given."""
    cells = [b'<c r="B%d" s="%d"><v>1</v></c>' % (i, 100 + i) for i in range(new)]
    cells += [b'<c r="A%d" s="%d"/>' % (i, 1 + i % 3) for i in range(1, 200)]
    cells.insert(len(cells) // 2, b'<c r="C1" s="7"/>')
    data = b"".join(cells)
    styles = {2}
    note_styles(data + b'<c r="D1" s="9"/>', styles, len(data))
    assert styles == {1, 2, 3, 7, *range(100, 100 + new)}
