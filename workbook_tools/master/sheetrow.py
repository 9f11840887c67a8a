"""A row of the master kept as its values rather than a dict: for consolidate, the earlier
quarters' rows on the tool's own sheets, which a run only copies through (and sorts).

A dict per row cost a master of four quarters 150 MB and seconds to build; a `Row` is a list of
the sheet's values in its header order (master/write.py writes it as it is), with the kept
cells (comments people put on it, master/keep.py) and the row it was read from as attributes.
`get` answers as a dict row's would, so code that reads a few cells needs no second path.
"""

from __future__ import annotations

from typing import Any


class Row(list[Any]):
    """A row's values in its sheet's header order; `positions` maps each header to its place."""

    __slots__ = ("cells", "copied", "positions", "read_at")

    def __init__(self, values: Any, positions: dict[str, int], read_at: int | None,
                 copied: bool = False) -> None:
        list.__init__(self, values)
        self.positions = positions
        self.read_at = read_at
        self.cells: dict[str, Any] | None = None
        # a row copied from the old master as its bytes (master/verbatim.py): only the cells a
        # consolidate reads hold values
        self.copied = copied

    def get(self, header: str, default: Any = None) -> Any:
        """The cell under `header`, as dict.get: '_cells' and '_row' as a dict row has them."""
        at = self.positions.get(header)
        if at is not None:
            return self[at]
        if header == "_cells":
            return self.cells
        if header == "_row":
            return self.read_at
        return default

    def set(self, header: str, value: Any) -> None:
        """Set the cell under `header` (one of the sheet's headers)."""
        self[self.positions[header]] = value


def keep_cells(record: dict[str, Any] | Row) -> dict[str, Any]:
    """The kept cells of a row of either shape (made empty when it has none)."""
    if isinstance(record, Row):
        if record.cells is None:
            record.cells = {}
        return record.cells
    return record.setdefault("_cells", {})
