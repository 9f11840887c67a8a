"""Style numbers in the old master and the new, for the rows a consolidate copies as bytes
(master/verbatim.py): which are dates, and whether a number means the same format in both."""

from __future__ import annotations

import re
import zipfile
from typing import Any

#: Builtin number formats that are dates or times (as calamine reads them).
_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_ENTITIES = {b"&amp;": b"&", b"&lt;": b"<", b"&gt;": b">", b"&quot;": b'"', b"&apos;": b"'"}
MAX_STYLES_BYTES = 16 * 1024 * 1024
_PLAIN_ATTRIBUTES = re.compile(rb'(?: [A-Za-z]+="[^"<>]*")*\s*/?')


def date_styles(archive: zipfile.ZipFile) -> set[int] | None:
    """The style numbers of the old file whose number format is a date or time (None when its
    styles cannot be read plainly: nothing is copied then)."""
    try:
        info = archive.getinfo("xl/styles.xml")
    except KeyError:
        return None
    if info.file_size > MAX_STYLES_BYTES:
        return None
    data = archive.read(info)
    plain = re.findall(rb'<numFmt numFmtId="([0-9]{1,5})" formatCode="([^"]*)"\s*/>', data)
    if len(plain) != len(re.findall(rb"<(?:[^<>]*:)?numFmt\b", data)):
        return None  # a number format written otherwise (its attributes in another order, ...)
    custom = {int(i): unescaped(code) for i, code in plain}
    xfs = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", data, re.S)
    if xfs is None:
        return None
    found = set()
    for index, xf in enumerate(re.findall(rb"<xf\b([^>]*)", xfs.group(1))):
        if not _PLAIN_ATTRIBUTES.fullmatch(xf):
            return None  # an attribute in single quotes, spaced otherwise, ...
        number = re.search(rb'numFmtId="([0-9]{1,5})"', xf)
        fmt = int(number.group(1)) if number else 0
        if fmt in _DATE_FORMATS or (fmt in custom and _is_date_code(custom[fmt])):
            found.add(index)
    return found


def _is_date_code(code: bytes) -> bool:
    """Whether calamine may read a number so formatted as a date, time or duration (when in
    doubt, yes: the row is then read by calamine, not copied): a d, m, y, h or s outside quotes
    and brackets, an elapsed time ([h], [mm], [ss]), or AM/PM's and a/p's a before a p, m or /."""
    plain = re.sub(rb'"[^"]*"|\\.|\[(?![hmsHMS])[^\]]*\]', b"", code)
    return re.search(rb"[dmyhsDMYHS]|[aA].*[pPmM/]", plain) is not None


def same_styles(old: Any, new: Any, styles: set[int]) -> bool:
    """Whether each style number in `styles` means the same format in both files."""
    try:
        with zipfile.ZipFile(old) as a, zipfile.ZipFile(new) as b:
            before, after = _xfs(a), _xfs(b)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    if before is None or after is None:
        return False
    return all(s < len(before) and s < len(after) and before[s] == after[s] for s in styles)


def _xfs(archive: zipfile.ZipFile) -> list[tuple[Any, ...]] | None:
    """Each cell format of a file's styles, resolved to what it shows (number format, font,
    fill, border, alignment), in order."""
    info = archive.getinfo("xl/styles.xml")
    if info.file_size > MAX_STYLES_BYTES:
        return None
    data = archive.read(info)

    def section(tag: bytes, item: bytes) -> list[bytes] | None:
        found = re.search(b"<" + tag + rb"\b[^>]*>(.*?)</" + tag + b">", data, re.S)
        if found is None:
            return [] if tag == b"numFmts" else None
        return re.findall(b"<" + item + rb"\b(?:[^>]*/>|.*?</" + item + b">)", found.group(1),
                          re.S)

    formats = {m.group(1): m.group(2) for m in re.finditer(
        rb'<numFmt numFmtId="([0-9]{1,5})" formatCode="([^"]*)"', data)}
    fonts, fills, borders = section(b"fonts", b"font"), section(b"fills", b"fill"), \
        section(b"borders", b"border")
    xfs = section(b"cellXfs", b"xf")
    if fonts is None or fills is None or borders is None or xfs is None:
        return None
    resolved = []
    for xf in xfs:
        attrs = dict(re.findall(rb'([A-Za-z]+)="([^"]*)"', xf.split(b">", 1)[0]))

        def pick(items: list[bytes], key: bytes, attrs: dict[bytes, bytes] = attrs) -> bytes:
            index = attrs.get(key, b"0")
            return items[int(index)] if index.isdigit() and int(index) < len(items) else b"?"

        number = attrs.get(b"numFmtId", b"0")
        inner = xf.split(b">", 1)[1] if not xf.endswith(b"/>") else b""
        rest = tuple(sorted((k, v) for k, v in attrs.items()
                            if k not in (b"numFmtId", b"fontId", b"fillId", b"borderId")))
        resolved.append((formats.get(number, number), pick(fonts, b"fontId"),
                         pick(fills, b"fillId"), pick(borders, b"borderId"), inner, rest))
    return resolved


def unescaped(text: bytes) -> bytes:
    """XML text with the five named entities replaced (the only ones our rows may hold)."""
    if b"&" not in text:
        return text
    return re.sub(rb"&(?:amp|lt|gt|quot|apos);", lambda m: _ENTITIES[m.group(0)], text)
