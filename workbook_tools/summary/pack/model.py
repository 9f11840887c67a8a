"""The Cabinet pack's page as data: sections of blocks (messages, cards, tables, charts,
notes) that the template lays out. Built by quarter.py and annual.py in this package."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class Note:
    text: str
    kind: ClassVar[str] = "note"


@dataclass
class Messages:
    """Key messages: the performance team's from the Narrative sheet, or the tool's own
    sentences (then `written_by_tool` says so on the page)."""

    lines: list[str]
    written_by_tool: bool = False
    kind: ClassVar[str] = "messages"


@dataclass
class Card:
    label: str
    value: str
    detail: str = ""
    rag: str = ""


@dataclass
class Cards:
    title: str
    cards: list[Card]
    kind: ClassVar[str] = "cards"


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Any] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass
class Pack:
    """Everything the page shows, in order."""

    title: str
    council: str
    period: str
    subtitle: str
    sections: list[Section]
    master_name: str
    master_sha256: str
    version: str
    produced: str
    language: str = "en-GB"

    def contents(self) -> list[Section]:
        return self.sections
