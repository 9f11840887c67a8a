"""A workbook's cell styles (xl/styles.xml and its theme's colours) as the formats people see:
fill, bold, italic, underline, strike-through, font colour and number format.

Read with defusedxml from a workbook that files/guard.py has already checked.
"""

from __future__ import annotations

import colorsys
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook_tools.files.sheetxml import local_name, parse_xml


@dataclass(frozen=True)
class Look:
    """The formats of one cell style, as xlsxwriter names them (None: not set)."""

    fill: str | None = None  # '#RRGGBB' of a solid fill
    bold: bool = False
    italic: bool = False
    underline: bool = False
    strike: bool = False
    font_color: str | None = None  # '#RRGGBB'
    num_format: str | int = 0  # a format code, or the number of one of Excel's built-in formats




def read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """A part's bytes (its size was checked by the guard before the archive was opened)."""
    actual = next((n for n in archive.namelist() if n.lower() == name.lower()), None)
    return archive.read(actual) if actual is not None else None


# ---------------------------------------------------------------------------------------------
# Styles.

_BUILT_IN_FORMATS = {0: "General", 49: "@"}
#: What of a number format says nothing of dates (quoted and escaped text; colours, conditions and
#: currencies), and the built-in formats that show numbers and those that show dates: a format
#: is told to be one or the other only where calamine surely reads it so (a master's Savings
#: record, master/savingsrecord.py, is made only then).
_QUOTED = re.compile(r'"[^"]*"|\\.|_.')
_SAID = re.compile(r"\[(?:red|black|blue|cyan|green|magenta|white|yellow|color\s*\d+|\$[^\]]*"
                   r"|[<>=]{1,2}-?[\d.]+)\]", re.IGNORECASE)
_NUMBER_CODES = frozenset({0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 37, 38, 39, 40, 48, 49})
_DATE_CODES = frozenset({14, 15, 16, 17, 22})


def reads_as_number(code: str | int) -> bool:
    """Whether a number in a cell of this number format is read as a number, not a date."""
    if isinstance(code, int):
        return code in _NUMBER_CODES
    left = _SAID.sub("", _QUOTED.sub("", code))
    return code == "General" or "[" not in left and not any(c in "dmyhsDMYHSaApP/" for c in left)


def reads_as_date(code: str | int) -> bool:
    """Whether a whole day in a cell of this number format is read as a date."""
    if isinstance(code, int):
        return code in _DATE_CODES
    first = re.sub(r"\[[^\]]*\]", "", _QUOTED.sub("", code).split(";")[0])
    return any(c in "dmy" for c in first.lower())


class Styles:
    """The workbook's cell styles (xl/styles.xml) as Looks, by style index."""

    def __init__(self, archive: zipfile.ZipFile, path: Path) -> None:
        self._looks: dict[int, Look] = {}
        self._xfs: list[dict[str, str]] = []
        self._fonts: list[Any] = []
        self._fills: list[Any] = []
        self._formats: dict[int, str] = {}
        self._theme = _theme_colours(archive, path)
        data = read_member(archive, "xl/styles.xml")
        if data is None:
            return
        root = parse_xml(data, path)
        for element in root:
            tag = local_name(element.tag)
            if tag == "numFmts":
                for fmt in element:
                    if fmt.get("numFmtId", "").isdigit():
                        self._formats[int(fmt.get("numFmtId"))] = fmt.get("formatCode", "")
            elif tag == "fonts":
                self._fonts = list(element)
            elif tag == "fills":
                self._fills = list(element)
            elif tag == "cellXfs":
                self._xfs = [dict(xf.attrib) for xf in element]

    def look(self, index: int) -> Look:
        if index not in self._looks:
            self._looks[index] = self._make(index)
        return self._looks[index]

    def _make(self, index: int) -> Look:
        if not 0 <= index < len(self._xfs):
            return Look()
        xf = self._xfs[index]
        font = _item(self._fonts, xf.get("fontId"))
        fill = _item(self._fills, xf.get("fillId"))
        flags: dict[str, Any] = {}
        if font is not None:
            for child in font:
                tag, val = local_name(child.tag), child.get("val", "true")
                if tag in ("b", "i", "strike") and val not in ("0", "false"):
                    flags[{"b": "bold", "i": "italic", "strike": "strike"}[tag]] = True
                elif tag == "u" and val != "none":
                    flags["underline"] = True
                elif tag == "color":
                    flags["font_color"] = self._colour(child)
        if fill is not None:
            pattern = next((c for c in fill if local_name(c.tag) == "patternFill"), None)
            if pattern is not None and pattern.get("patternType", "none") == "solid":
                colour = next((c for c in pattern if local_name(c.tag) == "fgColor"), None)
                flags["fill"] = self._colour(colour) if colour is not None else None
        number = xf.get("numFmtId", "0")
        code: str | int = int(number) if number.isdigit() else 0
        if isinstance(code, int) and code in self._formats:
            code = self._formats[code]
        elif isinstance(code, int) and code in _BUILT_IN_FORMATS:
            code = _BUILT_IN_FORMATS[code]
        return Look(num_format=code, **flags)

    def _colour(self, element: Any) -> str | None:
        """'#RRGGBB' from an rgb, a theme colour (with its tint) or a legacy palette index."""
        rgb = element.get("rgb")
        if rgb is None and element.get("theme", "").isdigit():
            rgb = _item(self._theme, element.get("theme"))
        elif rgb is None and element.get("indexed", "").isdigit():
            from openpyxl.styles.colors import COLOR_INDEX

            index = int(element.get("indexed"))
            rgb = COLOR_INDEX[index] if index < 64 else None  # 64: the system's own colour
        if not rgb or len(rgb) < 6:
            return None
        rgb = rgb[-6:].upper()
        tint = element.get("tint")
        if tint:
            try:
                rgb = _tinted(rgb, float(tint))
            except ValueError:
                pass
        return f"#{rgb}"


def _item(items: list[Any], index: str | None) -> Any:
    if index is None or not index.isdigit() or int(index) >= len(items):
        return None
    return items[int(index)]


def _tinted(rgb: str, tint: float) -> str:
    """A theme colour lightened (tint > 0) or darkened (tint < 0), as Excel shows it."""
    red, green, blue = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(red, green, blue)
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    return "".join(f"{round(v * 255):02X}" for v in colorsys.hls_to_rgb(hue, light, sat))


def _theme_colours(archive: zipfile.ZipFile, path: Path) -> list[str]:
    """The theme's colours in the order cell styles number them (light 1 and dark 1 first)."""
    data = read_member(archive, "xl/theme/theme1.xml")
    if data is None:
        return []
    scheme = next((e for e in parse_xml(data, path).iter()
                   if local_name(e.tag) == "clrScheme"), None)
    if scheme is None:
        return []
    colours = []
    for slot in scheme:
        value = next((c.get("lastClr") or c.get("val") for c in slot), None)
        colours.append(value or "")
    if len(colours) >= 4:  # the theme lists dark 1, light 1, dark 2, light 2; styles swap them
        colours[0], colours[1], colours[2], colours[3] = (colours[1], colours[0], colours[3],
                                                          colours[2])
    return colours

