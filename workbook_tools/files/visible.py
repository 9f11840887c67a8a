"""Text from a return, shown safely: characters nobody can see are named.

A return's commentary or a file's name can carry control characters: an escape sequence that
retitles the terminal or clears the screen, a line break that forges a line of output. Every
console line and every finding message shows them by name instead ('On track' followed by a
vertical tab), so nothing from a file acts on the terminal and the officer sees what is wrong.
"""

from __future__ import annotations

import re
import unicodedata

_NAMES = {
    "\t": "tab", "\n": "line break", "\r": "carriage return", "\x0b": "vertical tab",
    "\x0c": "form feed", "\x1b": "escape character", "\x00": "null character",
    "\x07": "bell character", "\x08": "backspace", "\x7f": "delete character",
    "\u200b": "zero-width space", "\ufeff": "byte order mark",
    "\u2028": "line separator", "\u2029": "paragraph separator",
}
#: Control characters (C0, DEL, C1), and the format characters that reorder or hide text.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064"
                        "\u2066-\u2069\ufeff]")


def name_of(char: str) -> str:
    """'vertical tab', 'escape character', or the Unicode name in lower case."""
    if char in _NAMES:
        return _NAMES[char]
    name = unicodedata.name(char, "")
    return name.lower() if name else f"control character U+{ord(char):04X}"


def visible(text: str) -> str:
    """Each invisible character replaced by its name in brackets: 'On track[vertical tab]'."""
    if not _INVISIBLE.search(text):
        return text
    return _INVISIBLE.sub(lambda m: f"[{name_of(m.group())}]", text)


def _names(chars: str) -> str:
    names = [name_of(c) for c in chars]
    counted = []
    for name in dict.fromkeys(names):
        n = names.count(name)
        one = "an" if name[0] in "aeiou" else "a"
        counted.append(f"{one if n == 1 else n} {name}{'' if n == 1 else 's'}")
    return ", ".join(counted[:-1]) + (" and " if len(counted) > 1 else "") + counted[-1]


def quoted(text: str) -> str:
    """The text in quotes, invisible characters at its ends said in words and those inside
    named: "'On track' followed by a vertical tab"."""
    if not _INVISIBLE.search(text):
        return f"'{text}'"
    lead = re.match(f"{_INVISIBLE.pattern}*", text)
    start = lead.end() if lead else 0
    trail = re.search(f"{_INVISIBLE.pattern}*$", text[start:])
    end = start + trail.start() if trail else len(text)
    before, core, after = text[:start], text[start:end], text[end:]
    words = f"'{visible(core)}'"
    if before:
        words += f" preceded by {_names(before)}"
    if after:
        words += f"{',' if before else ''} followed by {_names(after)}"
    return words


def visible_message(message: str, values: dict[str, object]) -> str:
    """A message formatted from `values`: each value with invisible characters that the
    message quotes ('...') is said in words, and every other invisible character named."""
    if not _INVISIBLE.search(message):
        return message
    for value in values.values():
        if isinstance(value, str) and value and _INVISIBLE.search(value):
            message = message.replace(f"'{value}'", quoted(value))
    return visible(message)
