"""What the rows a consolidate copies as bytes (master/verbatim.py) may hold: the numbers, texts
and row heights our own writer (files/rowxml.py, master/writerows.py) writes, and no byte it
would not write. Anything else in a row ends the block copied there, and is read as before."""

from __future__ import annotations

import re
from collections.abc import Iterator

from workbook_tools.files.cells import column_letter
from workbook_tools.master.verbatim_styles import unescaped

# a number as our writer writes it ('.16G'): finite, so at most 16 digits before the point
# and an exponent under 308 (not '1E+400', 400 nines, '.5' or '1.')
NUMBER = (rb"-?(?:[0-9](?:\.[0-9]{1,15})?E(?:\+(?:[0-2]?[0-9]{2}|30[0-7])|-[0-9]{2,3})"
          rb"|[0-9]{1,16}(?:\.[0-9]{1,19})?)")
TEXT = rb"[^<&>]*(?:&(?:amp|lt|gt|quot|apos);[^<&>]*)*"  # '>' always as &gt; (so no ']]>')
# what Python's str.isspace() takes for a space (and XML 1.0 allows), in UTF-8: each
# alternative of one width, so it can also be looked behind for
_SPACES = (rb"[ \t\n]", rb"\xc2[\x85\xa0]", rb"\xe1\x9a\x80", rb"\xe2\x80[\x80-\x8a\xa8\xa9\xaf]",
           rb"\xe2\x81\x9f", rb"\xe3\x80\x80")
_SPACE = rb"(?:" + rb"|".join(_SPACES) + rb")"
_AFTER_SPACE = rb"(?:" + rb"|".join(rb"(?<=" + s + rb")" for s in _SPACES) + rb")"
# a text our writer writes otherwise: blank (it writes a blank cell), with a space first or
# last but not kept (xml:space), or longer than a cell holds (it cuts it). One literal '<t'
# first, so the search skips to each text rather than trying every '<' of the rows, and a
# text's end looked behind from rather than backtracked to (a fifth of the time, on the rows
# scanned at every consolidate into a master written elsewhere)
_NOT_OUR_TEXT = re.compile(
    rb"<t(?:>(?:" + _SPACE + rb"|</t>)|>[^<]*+" + _AFTER_SPACE + rb"</t>"
    rb'| xml:space="preserve">' + _SPACE + rb"*</t>|[^>]*>(?=([^<]{32768})))")
MAX_TEXT = 32_767  # characters a cell holds (files/rowxml.py cuts a text there)
# XML 1.0 forbids U+FFFE and U+FFFF, valid UTF-8 though they are
_NOT_CHARACTERS = ("\ufffe".encode(), "\uffff".encode())
# the heights our writer gives a row: LINE_HEIGHT points a line, at most MAX_ROW_HEIGHT
# (master/writerows.py, which imports this module)
HEIGHTS = b"|".join(b"%d" % h for h in (*range(30, 409, 15), 409))
_CONTROL = bytes([*range(0, 9), 11, 12, *range(13, 32)])  # a CR too: ours is _x000D_


def plain_text(data: bytes) -> bool:
    """Whether rows' bytes are valid UTF-8 with no character our writer escapes (a control
    character, a CR) or XML 1.0 forbids, and no text it writes otherwise (_long_or_blank)."""
    if len(data.translate(None, _CONTROL)) != len(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # (both begin with a byte few texts hold, found by one memchr: most rows look no further)
    return not (b"\xef" in data and any(c in data for c in _NOT_CHARACTERS)) \
        and not _long_or_blank(data)


def _long_or_blank(data: bytes) -> bool:
    """Whether a text in the rows is one our writer writes otherwise (blank, a space first or
    last not kept, or longer than a cell holds)."""
    for found in _NOT_OUR_TEXT.finditer(data):
        if found.group(1) is not None:  # long: count its characters
            text = data[found.end():data.find(b"</t>", found.end())]
            if len(unescaped(text).decode("utf-8", "replace")) <= MAX_TEXT:
                continue
        return True
    return False


_COLS = re.compile(rb'<col min="([0-9]{1,5})" max="([0-9]{1,5})" width="([0-9.]{1,20})"')
_HEADER_CELL = re.compile(rb'<c r="([A-Z]{1,3})1"(?: s="[0-9]{1,5}")? t="inlineStr"><is>'
                          rb'<t(?: xml:space="preserve")?>(' + TEXT + rb")</t></is></c>")
_DECLARATION = re.compile(rb"<\?xml [^<>?]*\?>")
_TAG = re.compile(rb"\s*<(/?)[A-Za-z_][\w.:-]*"
                  rb"""(?:\s+[\w.:-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*(/?)>""")


def sheet_data_at(head: bytes) -> bool:
    """Whether a sheet part's bytes before a `<sheetData>` are an XML declaration and tags only
    (no comment, CDATA or processing instruction, which could hide another sheetData), and
    leave it a child of the root: so it is the sheet's data, as a reader sees it."""
    found = _DECLARATION.match(head)
    pos, depth = (found.end() if found else 0), 0
    while head[pos:].strip():
        tag = _TAG.match(head, pos)
        if tag is None:
            return False
        depth += -1 if tag.group(1) else 0 if tag.group(2) else 1
        pos = tag.end()
    return depth == 1


def only_one(rest: bytes, chunks: Iterator[bytes]) -> bool:
    """Whether the part after its sheetData (`rest`, then `chunks`) holds no other."""
    tail = b""
    for chunk in (rest, *chunks):
        if b"sheetData" in tail + chunk:
            return False
        tail = chunk[-16:]
    return True


def header_ok(buffer: bytes, pos: int, headers: tuple[str, ...]) -> bool:
    """Row 1 is the sheet's headers, in order, and nothing else."""
    end = buffer.find(b"</row>", pos)
    head = re.match(rb'<row r="1"(?: ht="[0-9.]{1,20}" customHeight="1")?>', buffer[pos:end])
    if end < 0 or head is None:
        return False
    cells = buffer[pos + head.end():end]
    found = []
    at = 0
    for cell in _HEADER_CELL.finditer(cells):
        if cell.start() != at:
            return False
        found.append((cell.group(1).decode(), unescaped(cell.group(2)).decode("utf-8",
                                                                                "replace")))
        at = cell.end()
    return at == len(cells) and found == [(column_letter(i), h) for i, h in enumerate(headers)]


def rows_begin(chunks: Iterator[bytes], headers: tuple[str, ...], most: int
               ) -> tuple[bytes, dict[int, float], int] | None:
    """A sheet part's first bytes, read from `chunks` until its header row has ended (at most
    `most` bytes before the row after <sheetData> ends), the columns' widths, and where the rows
    after the header row begin in those bytes; None when the part does not begin as ours does
    (its sheetData after something else, row 1 not exactly the sheet's `headers`)."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        if b"<sheetData>" in buffer and b"</row>" in buffer[buffer.index(b"<sheetData>"):]:
            break
        if len(buffer) > most:
            return None
    at = buffer.find(b"<sheetData>")
    if at < 0 or not sheet_data_at(buffer[:at]):  # (not one in a comment, say)
        return None
    pos = at + len(b"<sheetData>")
    if not header_ok(buffer, pos, headers):
        return None
    return buffer, widths_of(buffer[:at]), buffer.index(b"</row>", pos) + len(b"</row>")


def widths_of(head: bytes) -> dict[int, float]:
    """The sheet's column widths in characters, as given to xlsxwriter (0-based columns)."""
    widths = {}
    for first, last, width in _COLS.findall(head):
        try:
            pixels = round(float(width) * 7)
        except ValueError:
            continue
        chars = (pixels - 5) / 7 if pixels >= 12 else float(width)
        for col in range(int(first) - 1, min(int(last), 16_384)):
            widths[col] = chars
    return widths
