"""Earlier quarters' rows copied as stored (master/verbatim_copy.py's Splice): the parts deflated
with full flushes where the quarters' rows begin (files/flushed.py), where they fell kept on the
master's record, and the next consolidate copying the stored bytes between them."""

from __future__ import annotations

import io
import json
import random
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from master_support import Q2
from test_master_copy import MEASURES, content, ours, twin
from test_master_savings_copy import SAVINGS_PART

from workbook_tools.errors import MasterError
from workbook_tools.files import flushed, zipahead
from workbook_tools.master import record, verbatim_copy, writerows
from workbook_tools.master.read import read_master


def _inflated(stored: bytes) -> bytes:
    inflater = zlib.decompressobj(-15)
    return inflater.decompress(stored) + inflater.flush()


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_a_part_is_deflated_with_a_full_flush_before_each_row_asked_for(
        tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each full flush is where the row asked for begins (also when its tag is cut between two
    reads of the rows' file), and the bytes stored after it inflate alone to the part's rest."""
    monkeypatch.setattr(flushed, "_CHUNK", chunk)
    rng = random.Random(7)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, rng.randrange(10**9))
                    for r in range(1, 400))
    (tmp_path / "rows").write_bytes(rows)
    out = io.BytesIO()
    head, tail = b"<worksheet><sheetData>", b"</sheetData></worksheet>"
    breaks = [2, 3, 10, 11, 250, 399]
    crc, size, points = flushed.deflate_part(out.write, head, str(tmp_path / "rows"), tail, 2,
                                             breaks, None)
    part = head + rows + tail
    stored = out.getvalue()
    assert _inflated(stored) == part and size == len(part) and crc == zlib.crc32(part)
    wanted = {part.index(b'<row r="%d"' % r) for r in breaks} | {len(head) + len(rows)}
    assert set(points) == wanted
    for u, c in points.items():
        assert stored[c - 4:c] == b"\x00\x00\xff\xff"
        assert _inflated(stored[c:]) == part[u:]


def _spliced(folder: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Consolidate Q2 again, noting each part copied as stored (in a file: a part may be
    deflated by a forked process)."""
    noted_in = folder.root / "spliced.txt"
    noted_in.write_text("")
    real = verbatim_copy.Splice.copy_into

    def noted(splice: Any, out: Any) -> None:
        with open(noted_in, "a") as notes:
            notes.write(splice.part + "\n")
        real(splice, out)

    monkeypatch.setattr(verbatim_copy.Splice, "copy_into", noted)
    try:
        folder.consolidate(Q2)
    finally:
        monkeypatch.setattr(verbatim_copy.Splice, "copy_into", real)
    return noted_in.read_text().split()


@pytest.mark.parametrize("ahead", [False, True], ids=["here", "ahead"])
def test_rows_copied_as_stored_give_the_master_written_in_full(
        tmp_path: Path, records: Path, ahead: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Consolidated again and again from its record, the master reads as the one written
    without copying (calamine, openpyxl, the tool), each copy of a copy; its parts inflate to
    their CRC-32; and what the record says of the full flushes is where they are. `ahead`: the
    largest part deflated by the forked process (files/zipahead.py), its rows written by the
    other (master/writerows.py)."""
    if ahead:
        monkeypatch.setattr(zipahead, "AHEAD_BYTES", 0)
        monkeypatch.setattr(writerows, "PARALLEL_CELLS", 0)
    folder = ours(tmp_path)
    off = twin(folder, tmp_path / "off")

    def written_in_full() -> None:
        with monkeypatch.context() as env:
            env.setenv("WORKBOOK_TOOLS_COPY", "off")
            env.setenv("WORKBOOK_TOOLS_CACHE", "off")
            off.consolidate(Q2)

    folder.consolidate(Q2)  # copied as scanned: the record made, with the full flushes
    written_in_full()
    for round_ in range(3):
        assert {MEASURES, SAVINGS_PART} <= set(_spliced(folder, monkeypatch)), round_
        written_in_full()
        assert content(folder.master) == content(off.master)
        with zipfile.ZipFile(folder.master) as archive:
            assert archive.testzip() is None
    block = read_master(folder.master, touched={str(Q2)}).copies["Measures"]
    assert block.stored and block.start in block.stored and block.end in block.stored
    with zipfile.ZipFile(folder.master) as archive:
        info = archive.getinfo(MEASURES)
        data = archive.read(MEASURES)
        with open(folder.master, "rb") as raw:
            raw.seek(info.header_offset + 26)
            name, extra = int.from_bytes(raw.read(2), "little"), int.from_bytes(raw.read(2),
                                                                                  "little")
            raw.seek(info.header_offset + 30 + name + extra)
            stored = raw.read(info.compress_size)
    for u, c in block.stored.items():
        assert _inflated(stored[c:]) == data[u:]


def test_a_record_whose_full_flushes_are_not_is_forgotten(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record whose full flush of the rows' start is not one (a stored offset one byte on) is
    refused as the master changed, nothing written; the record is forgotten, so running again
    copies as scanned."""
    folder = ours(tmp_path)
    folder.consolidate(Q2)  # the record, with the full flushes
    entries = [p for p in records.rglob("*") if p.is_file() and p.suffix == ".json"]
    assert entries
    for entry in entries:
        data = json.loads(entry.read_bytes())
        if data.get("format") != record.FORMAT:
            continue
        for sheet in data["sheets"].values():
            sheet["stored"] = [[u, c + 1] for u, c in sheet["stored"]]
        entry.write_text(json.dumps(data))
    before = folder.master.read_bytes()
    with pytest.raises(MasterError, match="changed by someone else"):
        folder.consolidate(Q2)
    assert folder.master.read_bytes() == before
    assert _spliced(folder, monkeypatch) == []  # scanned, copied inflated
    assert _spliced(folder, monkeypatch)  # and its record made again
