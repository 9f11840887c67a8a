"""How many lines a wrapped cell's text takes: the one count behind every row height the tool
works out (the return's item rows, the master's rows, the summary's and the validation
report's), since neither Excel nor LibreOffice grows a row for wrapped text in a file it opens.

Each caller turns a column width into characters per line for its own font and size; the
count is the same everywhere: a line break starts a line, words wrap at spaces, and a word
longer than a line is broken across lines, as spreadsheet programs and `textwrap` (without
breaking on hyphens) do.
"""

from __future__ import annotations

import functools

__all__ = ["wrapped_lines"]


@functools.lru_cache(maxsize=8192)  # objectives, names and statuses repeat on every row
def wrapped_lines(text: str, per_line: int) -> int:
    """Lines `text` takes at `per_line` characters a line (at least 1)."""
    per_line = max(per_line, 1)
    if len(text) <= per_line and "\n" not in text and "\r" not in text:
        return 1  # most cells: quicker than counting words
    total = 0
    for paragraph in text.splitlines() or [""]:
        count, used = 1, 0
        for word in paragraph.split():
            need = len(word) if used == 0 else used + 1 + len(word)
            if need <= per_line:
                used = need
                continue
            if used:
                count += 1
            count += (len(word) - 1) // per_line
            used = len(word) % per_line or per_line
        total += count
    return total
