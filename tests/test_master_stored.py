"""Earlier quarters' rows copied as stored (master/verbatim_copy.py's Splice): the parts deflated
with full flushes where the quarters' rows begin (files/flushed.py), where they fell kept on the
master's record, and the next consolidate copying the stored bytes between them."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from master_support import Q1, Q2
from test_master_copy import MEASURES, content, ours, twin
from test_master_record import read_off, same
from test_master_savings_copy import SAVINGS_PART

from workbook_tools import helper as helper_process
from workbook_tools.errors import MasterError
from workbook_tools.files import deflate, flushed, zipahead
from workbook_tools.master import record, recorder, verbatim_copy, writerows
from workbook_tools.master.read import read_master
from workbook_tools.master.verbatim_copy import Checksum


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


def _checksum(data: bytes) -> str:
    found = Checksum()
    found.update(data)
    return found.hexdigest()


def _spliced(folder: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Consolidate Q2 again, noting each part copied as stored (in a file: a part may be
    deflated by another thread)."""
    noted_in = folder.root / "spliced.txt"
    noted_in.write_text("")
    real = verbatim_copy.Splice.copy_into

    def noted(splice: Any, out: Any, piece: int) -> None:
        with open(noted_in, "a") as notes:
            notes.write(splice.part + "\n")
        real(splice, out, piece)

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
    largest part deflated by another thread (files/zipahead.py), its rows written by the
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

    # the record of each master written is made without inflating the rows it copied
    around: list[str] = []
    real_around = recorder.inflated_around

    def noted(stream: Any, *rest: Any) -> Any:
        around.append(stream.name)
        return real_around(stream, *rest)

    monkeypatch.setattr(recorder, "inflated_around", noted)  # (the sheets')
    monkeypatch.setattr(flushed, "inflated_around", noted)  # (Savings', imported when read)
    folder.consolidate(Q2)  # copied as scanned: the record made, with the full flushes
    written_in_full()
    for round_ in range(3):
        around.clear()
        assert {MEASURES, SAVINGS_PART} <= set(_spliced(folder, monkeypatch)), round_
        assert {MEASURES, SAVINGS_PART} <= set(around)
        written_in_full()
        assert content(folder.master) == content(off.master)
        with zipfile.ZipFile(folder.master) as archive:
            assert archive.testzip() is None
        # every run on record is of the bytes it says: the rows' start to its end
        kept = record.recall(hashlib.sha256(folder.master.read_bytes()).hexdigest())
        assert kept is not None and kept.savings is not None
        with zipfile.ZipFile(folder.master) as archive:
            for part, start, runs in [(kept.savings.part, kept.savings.start, kept.savings.runs),
                                      *((sheet.part, sheet.start, sheet.runs)
                                        for sheet in kept.sheets.values())]:
                data = archive.read(part)
                assert runs and all(_checksum(data[start:run.end]) == run.digest
                                    for run in runs), part
        # and the record made so is what the scan finds
        for quarter in (str(Q1), str(Q2), "2026-27-Q1"):
            same(read_master(folder.master, touched={quarter}),
                 read_off(folder.master, {quarter}, monkeypatch))
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


def _on_record(records: Path, edit: Any) -> None:
    """Each sheet's full flushes on record given as `edit(pairs)` says."""
    entries = [p for p in records.rglob("*.json") if p.is_file()]
    changed = 0
    for entry in entries:
        data = json.loads(entry.read_bytes())
        if data.get("format") != record.FORMAT:
            continue
        for sheet in [*data["sheets"].values(), data["savings"]]:
            if sheet and len(sheet["stored"]) >= 3:
                sheet["stored"] = edit(sheet["stored"])
                changed += 1
        entry.write_text(json.dumps(data))
    assert changed


#: Records whose full flushes are wrong in a way the entry's own checks pass (pairs of offsets,
#: each the rows' start or a run's end, in order both ways).
WRONG_FLUSHES = {
    "each stored offset one byte on": lambda pairs: [[u, c + 1] for u, c in pairs],
    # Q1's end given Q2's stored end (found by a review: helper-65): the bytes between are two
    # full flushes, and inflate; but to Q1 and Q2's rows, not Q1's
    "a run's end paired with a later full flush": lambda pairs: [pairs[0],
                                                                 [pairs[1][0], pairs[2][1]]],
    "a run's end paired with an earlier one": lambda pairs: [pairs[0], [pairs[1][0],
                                                                       pairs[0][1] + 1]],
}


@pytest.mark.parametrize("helper", [False, True], ids=["here", "by the helper"])
@pytest.mark.parametrize("case", list(WRONG_FLUSHES))
def test_a_record_whose_full_flushes_are_wrong_is_refused_and_forgotten(
        tmp_path: Path, records: Path, case: str, monkeypatch: pytest.MonkeyPatch,
        helper: bool) -> None:
    """The rows taken as stored are inflated alone and must be the rows on record (their
    CRC-32 and length), from a full flush to a full flush: a record that says otherwise is the
    copy's refusal, before the new master is begun (no file of it left behind), and is
    forgotten, so running again copies as scanned; never a master whose parts do not inflate
    to their CRC-32. `helper`: the larger sheets' rows taken by the process that writes them
    (master/writehelper.py), which leaves the refusal to this one."""
    folder = ours(tmp_path)
    folder.consolidate(Q2)  # the record, with the full flushes
    _on_record(records, WRONG_FLUSHES[case])
    before = folder.master.read_bytes()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with monkeypatch.context() as env:
        env.setattr(tempfile, "tempdir", str(temporary))
        started: list[str] = []
        if helper:
            env.setenv("WORKBOOK_TOOLS_WORKERS", "2")
            env.setattr(writerows, "PARALLEL_CELLS", 0)
            real_start = helper_process.start
            env.setattr(helper_process, "start", lambda module, *rest: (
                started.append(module), real_start(module, *rest))[1])
        with pytest.raises(MasterError, match="changed by someone else"):
            folder.consolidate(Q2)
        assert started == (["workbook_tools.master.writehelper"] if helper else [])
    assert folder.master.read_bytes() == before
    assert not list(temporary.iterdir())
    assert _spliced(folder, monkeypatch) == []  # scanned, copied inflated
    assert _spliced(folder, monkeypatch)  # and its record made again
    with zipfile.ZipFile(folder.master) as archive:
        assert archive.testzip() is None


@pytest.mark.parametrize("most", [997, 1 << 14])
def test_rows_taken_inflated_a_small_piece_at_a_time_are_taken_whole(
        tmp_path: Path, records: Path, most: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check inflates at most `INFLATED_AT_MOST` bytes at a time; ISA-L may take all the
    input it is given with output still to give (found by a review: helper-66): the rows are
    taken whole however the pieces fall."""
    monkeypatch.setattr(deflate, "INFLATED_AT_MOST", most)
    folder = ours(tmp_path)
    folder.consolidate(Q2)  # the record, with the full flushes
    assert MEASURES in _spliced(folder, monkeypatch)
    with zipfile.ZipFile(folder.master) as archive:
        assert archive.testzip() is None


def test_the_pieces_read_and_inflated_at_a_time_are_those_set_when_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The size of a piece read (verbatim_copy.CHUNK) or inflated (deflate.INFLATED_AT_MOST) is
    looked up when the bytes are read, not when the function was defined: the tests above set
    them small to take rows across pieces, which a default bound at import would ignore."""
    data = random.Random(7).randbytes(10_000)
    monkeypatch.setattr(verbatim_copy, "CHUNK", 4096)
    assert [len(c) for c in verbatim_copy.read_chunks(io.BytesIO(data))] == [4096, 4096, 1808]
    assert [len(c) for c in verbatim_copy.read_chunks(io.BytesIO(data), 6000)] == [6000, 4000]
    monkeypatch.setattr(deflate, "INFLATED_AT_MOST", 3000)
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    packed = packer.compress(data) + packer.flush()
    pieces = list(deflate.inflated(deflate.inflater_of(), packed))
    assert b"".join(pieces) == data and max(map(len, pieces)) == 3000
    assert max(map(len, deflate.inflated(deflate.inflater_of(), packed, 5000))) == 5000


def _stored_bytes(path: Path, part: str) -> bytes:
    """A zip member's bytes as stored."""
    with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
        info = archive.getinfo(part)
        raw.seek(info.header_offset + 26)
        name, extra = (int.from_bytes(raw.read(2), "little") for _ in range(2))
        raw.seek(info.header_offset + 30 + name + extra)
        return raw.read(info.compress_size)


def test_a_master_swapped_while_its_record_is_made_is_not_on_record_past_the_copied_rows(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The record is made without inflating the rows copied (carried.gap_of); a file put in the
    master's place meanwhile, its part the same as stored up to the copied rows' end and other
    rows after them, then put back, must not put those rows on record: the part read is
    checked to be the one written (its digest as stored, the writer's own)."""
    from test_master_copy import _while_in_place, _with_measures

    from workbook_tools.master import carried

    folder = ours(tmp_path)
    folder.consolidate(Q2)  # the record, with the full flushes
    monkeypatch.setattr(recorder, "PARALLEL_BYTES", 1 << 40)  # (all in this process)
    real = recorder._sheets
    swaps: list[Path] = []

    def swapped(path: Path, jobs: Any, dates: Any, saved: Any) -> Any:
        block = next(job[2] for job in jobs if job[1] == MEASURES)
        gap = carried.gap_of(saved, MEASURES, block)
        assert gap is not None
        with zipfile.ZipFile(path) as archive:
            xml = archive.read(MEASURES)
        after = re.sub(rb"<v>([0-9]+)</v>", rb"<v>9\1</v>", xml[gap[2]:], count=1)
        deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
        stored = _stored_bytes(path, MEASURES)[:gap[3]] + deflater.compress(after) \
            + deflater.flush()
        crafted = tmp_path / "crafted.xlsx"
        _with_measures(crafted, path, stored, 8, zlib.crc32(xml[:gap[2]] + after),
                       gap[2] + len(after))
        swaps.append(path)
        # (the crafted file's other parts are deflated otherwise: read from the file written)
        found = _while_in_place(path, crafted, lambda: real(
            path, [job for job in jobs if job[1] == MEASURES], dates, saved))
        return {**real(path, [job for job in jobs if job[1] != MEASURES], dates, saved),
                **found}

    monkeypatch.setattr(recorder, "_sheets", swapped)
    folder.consolidate(Q2)
    assert swaps
    kept = record.recall(hashlib.sha256(folder.master.read_bytes()).hexdigest())
    assert kept is not None and "Measures" not in kept.sheets
    assert "Actions" in kept.sheets  # (read from the file written)


def test_a_run_on_record_not_as_its_rows_is_refused_not_carried(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each run's Checksum on record is carried to the next record without its rows being read
    again (carried.gap_of), so each is checked as the rows are taken, not only the last (found
    by a review: helper-67). A record with an earlier run's Checksum wrong is refused and
    forgotten; running again copies as scanned and makes a record that is right."""
    from master_support import make_folder
    from test_master_record import Q3

    folder = make_folder(tmp_path / "ws", (Q1, Q2, Q3))
    for quarter in (Q1, Q2, Q3, Q3):  # Q1 and Q2 copied, as stored the last time
        folder.consolidate(quarter)
    entries = [p for p in records.rglob("*.json") if p.is_file()]
    changed = 0
    for entry in entries:
        data = json.loads(entry.read_bytes())
        if data.get("format") == record.FORMAT and len(data["sheets"]["Measures"]["runs"]) > 2:
            run = data["sheets"]["Measures"]["runs"][0]  # (Q1: not the block's last)
            run[3] = f"{int(run[3][:8], 16) ^ 1:08x}{run[3][8:]}"
            entry.write_text(json.dumps(data))
            changed += 1
    assert changed
    before = folder.master.read_bytes()
    with pytest.raises(MasterError, match="changed by someone else"):
        folder.consolidate(Q3)
    assert folder.master.read_bytes() == before
    folder.consolidate(Q3)  # scanned
    folder.consolidate(Q3)  # from the record made then
    kept = record.recall(hashlib.sha256(folder.master.read_bytes()).hexdigest())
    assert kept is not None
    with zipfile.ZipFile(folder.master) as archive:
        sheet = kept.sheets["Measures"]
        data = archive.read(sheet.part)
        assert all(_checksum(data[sheet.start:run.end]) == run.digest for run in sheet.runs)


def test_a_new_master_that_cannot_go_to_disk_changes_nothing_and_keeps_no_record(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The record's entry is made while the new master is synced to disk (master/safe.py), and
    kept only once the master is in place: a sync that fails is the write's failure, the old
    master and the records as they were; once it works, the entry is kept."""
    from workbook_tools.master import safe

    folder = ours(tmp_path)
    folder.consolidate(Q2)  # (copied from the master ours wrote: on record)
    before = folder.master.read_bytes()
    files = sorted(p.name for p in folder.master.parent.rglob("*"))
    kept = sorted(records.iterdir())
    assert kept
    real = os.fsync
    with monkeypatch.context() as env:
        def failing(fd: int) -> None:
            raise OSError(5, "Input/output error")

        env.setattr(safe.os, "fsync", failing)
        with pytest.raises(MasterError, match=r"could not be written \(Input/output error\)"):
            folder.consolidate(Q2)
    assert os.fsync is real
    assert folder.master.read_bytes() == before
    assert sorted(p.name for p in folder.master.parent.rglob("*")) == files
    assert sorted(records.iterdir()) == kept
    folder.consolidate(Q2)
    assert len(list(records.iterdir())) > len(kept)  # the new master's entry, kept


def test_a_master_synced_where_no_thread_can_be_started_is_written_and_on_record(
        tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a thread cannot be started (a container's limit on processes), the new master is
    synced before the record's entry is made, not refused (review helper-73)."""
    import threading
    import types

    from workbook_tools.master import safe

    folder = ours(tmp_path)
    folder.consolidate(Q2)  # (copied from the master ours wrote: on record)
    kept = sorted(records.iterdir())

    class NoThread(threading.Thread):
        def start(self) -> None:
            raise RuntimeError("can't start new thread")

    synced: list[int] = []
    real = os.fsync
    with monkeypatch.context() as env:
        env.setattr(safe, "threading", types.SimpleNamespace(Thread=NoThread))
        env.setattr(safe.os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
        folder.consolidate(Q2)
    assert synced  # (the file, then its folder)
    assert len(list(records.iterdir())) > len(kept)
