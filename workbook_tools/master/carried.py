"""The state of master/recorder.py's scan over a sheet part of the master just written, and the
runs it carries over, without finding them again, from the block of rows copied from the old
master (see master/recorder.py's notes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from workbook_tools.files.xlsx import Saved
from workbook_tools.master.verbatim import Block, Checksum, Run, note_styles


class Sheet:
    """The scan's state over a sheet part, as the bytes go by."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.buffer = b""
        self.base = 0  # offset of buffer[0] in the part
        self.pos = 0
        self.digest = Checksum()
        self.runs: list[Run] = []

    def feed(self, end: int, styles: set[int] | None) -> bool:
        """Hash the bytes up to `end` (in the part), noting their styles in `styles`."""
        tail = b""
        while self.base + self.pos < end:
            if self.pos >= len(self.buffer):
                chunk = next(self.chunks, b"")
                if not chunk:
                    return False
                self.base += len(self.buffer)
                self.buffer, self.pos = chunk, 0
                continue
            stop = min(end - self.base, len(self.buffer))
            piece = self.buffer[self.pos:stop]
            self.digest.update(piece)
            if styles is not None:
                text = tail + piece
                cut = text.rfind(b">") + 1  # a style's attribute is never cut in two
                note_styles(text, styles, cut)
                tail = text[cut:]
            self.pos = stop
        if styles is not None and tail:
            note_styles(tail, styles)
        return True


def gap_of(saved: Saved, part: str, block: Block | None
           ) -> tuple[int, int, int, int] | None:
    """Where the rows copied from the old master are in the part written, between two full
    flushes the writer made (uncompressed and stored: start, stored start, end, stored end),
    or None (then they are inflated and checked again). They were checked as they were copied
    (as stored: verbatim_copy.Splice.take, or inflated: verbatim_copy.copy), and the part read
    here is the one written (its digest as stored, `recorded`), so what was found on them is
    carried over without them (their runs' Checksums and styles, as found)."""
    points = saved.points.get(part)
    if block is None or not points or not block.runs or any(
            r.digest is None or r.styles is None for r in block.runs):
        return None
    if block.recorded is not None and not block.flushed:
        return None  # its runs from a record, only the last checked as copied (inflated)
    start = min(points)  # (the rows' start: the writer's first full flush)
    end = start + block.end - block.start
    return (start, points[start], end, points[end]) if end in points else None


def carried(state: Sheet, block: Block, start: int, dates: frozenset[int],
             cells: list[list[Any]], skipped: bool = False) -> bool | None:
    """The runs of the block copied from the old master, as found there (None when they
    cannot be carried over: then no record is made for the sheet). Its rows' columns are the
    block's (`cells`, those of the rows after it, is checked to fit them). `skipped`: its
    bytes are not among those read (`gap_of`)."""
    if block.runs is None or block.dates is None or not block.runs:
        return None
    if any((s in block.dates) != (s in dates) for s in block.styles):
        return None  # a copied cell read otherwise in the new file
    # (a block held apart has its columns checked where they are held: recorder._with_helper)
    if not block.held_apart and block.fitting_columns(len(cells)) is None:
        return None
    if skipped:  # (each run's digest and styles known: gap)
        state.runs.extend(Run(r.quarter, r.rows, start + r.end - block.start, r.digest,
                              r.styles) for r in block.runs)
        state.digest = Checksum.parsed(block.digest)
        # what is read after the rows' start is what follows the block: numbered from its end
        state.buffer, state.base = state.buffer[state.pos:], start + block.end - block.start
        state.pos = 0
    for run in block.runs if not skipped else ():
        styles: set[int] | None = None if run.styles is not None else set()
        if not state.feed(start + run.end - block.start, styles):
            return None
        state.runs.append(Run(run.quarter, run.rows, start + run.end - block.start,
                              state.digest.hexdigest(),
                              run.styles if styles is None else frozenset(styles)))
    if state.digest.hexdigest() != block.digest or sum(r.rows for r in block.runs) != block.count:
        return None
    return True
