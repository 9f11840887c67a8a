"""Words that depend on a number: one helper for every count the tool prints or writes."""

from __future__ import annotations

__all__ = ["count", "plural"]


def plural(n: int, word: str, many: str = "") -> str:
    """`word` when n is 1 (or -1), else `many` (default: word + "s")."""
    return word if abs(n) == 1 else many or word + "s"


def count(n: int, word: str, many: str = "") -> str:
    """'1 error', '3 errors', '0 errors'; `many` for words not made plural with an s."""
    return f"{n:,} {plural(n, word, many)}"
