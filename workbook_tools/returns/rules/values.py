"""Values as the return's formulas see them, in Python and as Excel formula pieces, so the two
sides of every input rule read a cell the same way.

White space of any kind (spaces, tabs, line breaks, non-breaking and other Unicode spaces) is
made a plain space before TRIM: Excel's and LibreOffice's TRIM remove only spaces, Gnumeric's
removes more, so without it the programs disagree on what is blank.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from workbook_tools.files.cells import plain_text, pounds
from workbook_tools.files.visible import name_of

#: Every character Python's str.split() treats as white space, other than the space itself.
WHITESPACE = tuple(chr(c) for c in range(0x3001) if chr(c).isspace() and c != 0x20)


def _as_space(ref: str) -> str:
    """An Excel expression: `ref` with every other white-space character made a space.

    CHAR(1) too: LibreOffice holds a tab inside text of several lines as that character (and
    saves it as a tab again), so its formulas would see it where the file has a tab."""
    expression = ref
    for char in ("\x01", *WHITESPACE):
        literal = f"CHAR({ord(char)})" if ord(char) < 0x20 else f'"{char}"'
        expression = f'SUBSTITUTE({expression},{literal}," ")'
    return expression


#: The white space typed at a keyboard (space bar, Tab, Enter): a list entry is read without it,
#: wherever it is. Gnumeric drops it from the ends of a text as it saves, so a rule that kept it
#: would count a status in Gnumeric that validate, reading the saved file, accepts.
KEYED_SPACE = " \t\n\r"
_UNKEYED = str.maketrans("", "", KEYED_SPACE)


def entry_key(text: str) -> str:
    """A list entry as `x_is` compares it: without spaces, tabs or line breaks, in lower case.
    Any other character nobody can see (a no-break space, a zero-width space) stays, so the
    entry is not in the list and the message can name the character."""
    return text.translate(_UNKEYED).casefold()


def x_is(ref: str, text: str) -> str:
    """1 when the cell is the list entry `text` (`entry_key`: case, spaces, tabs and line breaks
    aside), element by element over a range. EXACT, not =: Gnumeric's = takes a non-breaking
    space for a space. No TRIM: Gnumeric's removes more than spaces. CHAR(1) too: LibreOffice
    holds a tab inside text of several lines as that character."""
    expression = ref
    for literal in ('" "', "CHAR(9)", "CHAR(10)", "CHAR(13)", "CHAR(1)"):
        expression = f'SUBSTITUTE({expression},{literal},"")'
    return f'EXACT(LOWER({expression}),"{entry_key(text)}")'


def _in_list(ref: str, choices: tuple[str, ...]) -> str:
    return "(" + "+".join(x_is(ref, c) for c in choices) + ")"


def x_not_in_list(ref: str, choices: tuple[str, ...]) -> str:
    """1 when the cell holds something not one of `choices` (x_is). An error value is
    not 'not in the list' (cell-error counts it): Gnumeric, unguarded,
    counted one here."""
    return f"IF(ISERROR({ref}),0,(1-{x_blank(ref)})*({_in_list(ref, choices)}=0))"


def x_trimmed(ref: str) -> str:
    """TRIM of the text with all white space made spaces: what a person sees, tidied."""
    return f"TRIM({_as_space(ref)})"


def x_blank(ref: str) -> str:
    """1 when the cell is empty or only white space (element by element over a range)."""
    return f"(LEN({x_trimmed(ref)})=0)"


def x_text(ref: str) -> str:
    """1 when the cell holds text that is not blank."""
    return f"(ISTEXT({ref})*(LEN({x_trimmed(ref)})>0))"


def blank(value: Any) -> bool:
    """Empty, or text that is only white space of any kind (`x_blank`)."""
    return value is None or (type(value) is str and not value.strip())


def is_text(value: Any) -> bool:
    """Text that is not blank (`x_text`)."""
    return isinstance(value, str) and not blank(value)


def tidy(value: Any) -> str:
    """The text as `x_trimmed` makes it: white space runs made one space, none at the ends."""
    return " ".join(plain_text(value).split())


def invisible(text: str) -> str:
    """The name of the first character in `text` a person cannot see, or ''."""
    for char in text:
        if char != " " and (char.isspace() or unicodedata.category(char) in ("Cf", "Cc")):
            name = name_of(char)
            return f"{'an' if name[0] in 'aeiou' else 'a'} {name} (U+{ord(char):04X})"
    return ""


def show(value: Any) -> str:
    """A value as a message quotes it."""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%d/%m/%Y}"
    return plain_text(value)


def num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def money(value: float | None) -> str:
    """£3,000,000; -£363,000 below zero."""
    return "" if value is None else pounds(value)
