"""A column of the record's entry (master/columncode.py): given back exactly, every kind of
value and every width of places, and refused when not of its shape."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pytest

from workbook_tools.master import columncode
from workbook_tools.master.columncoder import ColumnCoder

SAVINGS_KINDS = frozenset({str, float, bool, type(None), list})
LEAN_KINDS = frozenset({str, float, type(None)})


def round_trip(values: list[Any], kinds: frozenset[type] = SAVINGS_KINDS) -> list[Any] | None:
    coded = columncode.encode((values,))
    assert coded is not None
    return columncode.decode(json.loads(json.dumps(coded)), len(values), kinds)


def same_exactly(got: list[Any] | None, values: list[Any]) -> bool:
    """Equal, of the same types, and each zero of the same sign."""
    return got is not None and len(got) == len(values) and all(
        type(a) is type(b) and a == b and (
            type(a) is not float or math.copysign(1.0, a) == math.copysign(1.0, b))
        for a, b in zip(got, values, strict=True))


@pytest.mark.parametrize("values", [
    [],
    [None, None],
    ["Children's", "Adults", "Children's", None, "  "],
    [1.0, True, 0.0, False, -0.0, None, 1.0, True],
    [0.0, -0.0, 0.0],
    [dt.date(2025, 6, 30), None, dt.date(2025, 6, 30), "TBC", 12.5],
    [1e-300, 1.7976931348623157e308, 0.1 + 0.2, -5.0],
    [f"M{i:05d}" for i in range(300)],  # past one byte a place
    [f"M{i:05d}" for i in range(70_000)] + [None],  # past two
])
def test_a_column_comes_back_exactly(values: list[Any]) -> None:
    assert same_exactly(round_trip(values), values)


def test_a_value_in_many_cells_is_one_object() -> None:
    got = round_trip(["Adults", 1250.5] * 50)
    assert got is not None
    assert len({id(v) for v in got if v == 1250.5}) == 1
    assert len({id(v) for v in got if v == "Adults"}) == 1


def test_a_column_of_pieces_is_one_column() -> None:
    coded = columncode.encode(([1.0, "a"], [], ["a", None, 2.0]))
    assert coded is not None
    assert columncode.decode(coded, 5, SAVINGS_KINDS) == [1.0, "a", "a", None, 2.0]


@pytest.mark.parametrize("value", [7, math.inf, -math.inf, math.nan,
                                   dt.datetime(2025, 1, 1, 9, 0), b"bytes", [1]])
def test_a_value_decode_could_not_give_back_is_refused(value: Any) -> None:
    assert columncode.encode((["a", value],)) is None


@pytest.mark.parametrize("damage", [
    lambda c: c[0].pop(),  # a place past the values
    lambda c: c[0].append(5),  # a whole number
    lambda c: c[0].append(1e400),  # an infinity
    lambda c: c[0].append([2025, 2, 30]),  # no such day
    lambda c: c[0].append([2025, 2]),
    lambda c: c[0].append({}),  # a mapping
    lambda c: c.__setitem__(1, "not base64!"),
    lambda c: c.__setitem__(1, c[1][:-4]),  # a place short
    lambda c: c.__setitem__(1, c[1] + "AAAA"),  # places past the count
    lambda c: c.append("more"),
    lambda c: c.__setitem__(0, "values"),
    lambda c: c.__setitem__(1, 5),
])
def test_a_column_not_of_its_shape_is_refused(damage: Any) -> None:
    coded = columncode.encode((["a", "b", None, 2.5, "a", dt.date(2025, 4, 1)],))
    assert coded is not None
    data = json.loads(json.dumps(coded))
    damage(data)
    assert columncode.decode(data, 6, SAVINGS_KINDS) is None


def test_a_lean_column_takes_no_date_nor_true() -> None:
    for values in ([dt.date(2025, 4, 1)], [True]):
        assert round_trip(values, LEAN_KINDS) is None
    assert columncode.decode("not a column", 0, LEAN_KINDS) is None


@pytest.mark.parametrize("before, after", [
    (["Adults", "Children's", None, 1.5], ["Adults", "Place", 1.5, None]),
    ([1.0, True, -0.0], [0.0, 1.0, False]),  # kept apart by type and sign, as one column is
    ([f"M{i:05d}" for i in range(250)], [f"N{i:05d}" for i in range(20)]),  # one byte to two
])
def test_a_column_made_of_a_decoded_one_and_new_cells_is_the_whole_column(
        before: list[Any], after: list[Any]) -> None:
    # a record made again from the copied rows' columns as the old record held them (Coded,
    # their places taken as they are, only a head of them when later quarters were not copied)
    first = columncode.encode((before + ["dropped"],))
    coded = columncode.decode_coded(json.loads(json.dumps(first)), len(before) + 1,
                                    SAVINGS_KINDS)
    assert coded is not None
    head = coded.head(len(before))
    assert same_exactly(head.values(), before)
    made = columncode.encode((head, after))
    assert made is not None
    assert same_exactly(columncode.decode(made, len(before) + len(after), SAVINGS_KINDS),
                        before + after)
    assert made == columncode.encode((before, after))  # the same entry as from the values


def test_a_head_whose_table_is_not_in_the_order_first_met_is_still_given_back() -> None:
    # a Coded of another making: its table's values out of order, one of them never used
    from array import array

    coded = columncode.Coded(["b", "unused", "a", "later"], array("B", [2, 0, 2]))
    made = columncode.encode((coded, ["later", "a", "new"]))
    assert made is not None
    assert columncode.decode(made, 6, SAVINGS_KINDS) == ["a", "b", "a", "later", "a", "new"]
    assert "later" in made[0] and made[0].count("a") == 1  # (the table's values once each)


def test_a_coded_column_holds_its_very_values_and_only_those() -> None:
    values = ["Adults", 1.0, 0.0, None, dt.date(2025, 6, 30)]
    coded = columncode.decode_coded(json.loads(json.dumps(columncode.encode((values,)))),
                                    len(values), SAVINGS_KINDS)
    assert coded is not None
    assert coded.holds(coded.values())
    assert coded.holds(["Adult" + "s", 1.0, 0.0, None, dt.date(2025, 6, 30)])  # equal copies
    assert not coded.holds(["Adults", True, 0.0, None, dt.date(2025, 6, 30)])  # True == 1.0
    assert not coded.holds(["Adults", 1.0, -0.0, None, dt.date(2025, 6, 30)])  # -0.0 == 0.0
    assert not coded.holds(["Adults", 1.0, 0.0, None])
    assert not coded.blank() and columncode.Coded(["x", None], coded.places[:0]).blank()
    assert columncode.Coded(["x", None], array_of([1, 1])).blank()


def array_of(places: list[int]) -> Any:
    from array import array

    return array("B", places)


@pytest.mark.parametrize("code, top", [("B", 255), ("H", 65_535),
                                       (columncode._code(1 << 32), 70_000)])
@pytest.mark.parametrize("numpy_loaded", [True, False])
def test_the_largest_place_is_found_with_numpy_or_without(
        code: str, top: int, numpy_loaded: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    from array import array

    import numpy  # noqa: F401 - (loaded, as a consolidate has it)

    if not numpy_loaded:
        monkeypatch.setitem(sys.modules, "numpy", None)  # (as a process that never loaded it)
    size = columncode.NUMPY_FROM * 3
    for at in (0, size // 2, size - 1):
        places = array(code, [7] * size)
        places[at] = top
        assert columncode.largest(places) == top
    assert columncode.largest(array(code, [3, 9, 1])) == 9  # (few: Python's max)


def test_a_long_column_with_a_place_past_its_values_is_refused() -> None:
    import numpy  # noqa: F401 - (loaded: the places' largest found by it)

    values = [f"M{i % 300:05d}" for i in range(columncode.NUMPY_FROM * 2)]
    coded = columncode.encode((values,))
    assert coded is not None
    assert columncode.decode(coded, len(values), LEAN_KINDS) == values
    short = [coded[0][:-1], coded[1]]  # the last value gone: its places point past the table
    assert columncode.decode(short, len(values), LEAN_KINDS) is None


def test_a_joined_column_answers_as_the_list_of_both_and_never_changes_the_shared_one() -> None:
    """Savings' record made beside the copied rows' own columns (columncode.Joined): read,
    counted, sliced and coded as the list of both; a cell of the copied rows set (a formula's
    saved value) in a copy, the Copied's column as it was."""
    copied, tail = [1.0, "a", None, True], ["b", 0.0, None]
    joined = columncode.Joined(copied, list(tail))
    whole = copied + tail
    assert len(joined) == 7 and list(joined) == whole and joined == whole and whole == joined
    assert [joined[i] for i in (0, 3, 4, 6, -1, -7)] == [whole[i] for i in (0, 3, 4, 6, -1, -7)]
    assert joined[2:5] == whole[2:5] and joined[::-2] == whole[::-2]
    assert [joined[4:], joined[:4], joined[1:3], joined[5:-1], joined[5:2], joined[-2:]] == [
        whole[4:], whole[:4], whole[1:3], whole[5:-1], whole[5:2], whole[-2:]]
    assert joined.count(None) == 2 and "b" in joined and "c" not in joined
    assert not columncode.all_finite(columncode.Joined([1.0], [math.inf]))
    assert columncode.encode((joined,)) == columncode.encode((whole,))
    with pytest.raises(IndexError):
        joined[7]
    joined[5] = 2.0
    joined[1] = "changed"
    assert copied == [1.0, "a", None, True] and joined.values() == [
        1.0, "changed", None, True, "b", 2.0, None]
    assert joined != whole


def test_a_coded_column_reads_as_the_list_of_its_cells() -> None:
    """The rows copied from the old master's record hold their columns as the record did
    (columncode.Coded), read by every consumer as the list of their cells would be."""
    cells = [1.0, "a", None, "a", -0.0, 2.5, None, "b"]
    coded = columncode.decode_coded(columncode.encode((cells,)), len(cells),
                                    frozenset({str, float, type(None)}))
    assert coded is not None and isinstance(coded, columncode.Coded)
    assert len(coded) == 8 and list(coded) == cells and coded == cells and cells == coded
    assert [coded[i] for i in (0, 3, -1, -8)] == [cells[i] for i in (0, 3, -1, -8)]
    assert math.copysign(1.0, coded[4]) == -1.0  # (the very value: -0.0, not 0.0)
    assert [coded[2:5], coded[::-3], coded[5:], coded[9:]] == [
        cells[2:5], cells[::-3], cells[5:], cells[9:]]
    assert type(coded[1:3]) is list  # (a slice is a list, as a list's is)
    assert coded.count("a") == 2 and "b" in coded and "c" not in coded and coded.index(None) == 2
    assert coded != cells[:-1] and coded != [*cells[:-1], "c"]
    with pytest.raises(IndexError):
        coded[8]
    with pytest.raises(TypeError):
        coded[0] = "changed"  # type: ignore[index]  # (read only: a Copied replaces it whole)
    head = coded.head(3)
    assert head == cells[:3] and coded.head(8) is coded  # (all its cells: itself, not a copy)
    joined = columncode.Joined(head, ["z"])
    assert joined == [*cells[:3], "z"] and joined[:3] == cells[:3] and joined.count(None) == 1
    joined[0] = "set"
    assert joined.values() == ["set", "a", None, "z"] and head == cells[:3]


def test_copied_rows_holding_a_records_columns_answer_as_lists_would() -> None:
    """A Copied whose columns are a record's Coded: its rows, a column of them, and a column
    put on them are as they are with lists; a column put that is its own stays the record's,
    one that is not replaces it and leaves the record's as it was."""
    from workbook_tools.master.sheetrow import Copied, Row, column_of

    positions = {"Quarter": 0, "ID": 1, "Figure": 2, "Note": 3}
    quarters, ids, figures = ["Q1", "Q1", "Q2"], ["M1", "M2", "M1"], [1.5, None, 2.0]

    def coded(cells: list[Any]) -> columncode.Coded:
        found = columncode.decode_coded(columncode.encode((cells,)), len(cells),
                                        frozenset({str, float, type(None)}))
        assert found is not None
        return found

    lists = Copied(positions, {0: list(quarters), 1: list(ids), 2: list(figures)})
    record = coded(list(figures))
    held = Copied(positions, {0: coded(quarters), 1: coded(ids), 2: record},
                  tail=[Row(["Q3", "M3", 9.0, None], positions, 5)])
    lists.tail = list(held.tail)
    assert [list(r) for r in held] == [list(r) for r in lists] and len(held) == 4
    assert all(r.copied and r.read_at == i + 2 for i, r in enumerate(held) if i < 3)
    assert column_of(held, "Figure") == [1.5, None, 2.0, 9.0] == column_of(lists, "Figure")
    assert list(held[1]) == ["Q1", "M2", None, None] and held.row(2).get("ID") == "M1"
    pinned = held.pin(0)
    held.put_column("Figure", [1.5, None, 2.0])
    assert held.columns[2] is record  # (its own values: the record's column kept)
    held.put_column("Figure", [1.5, 3.0, 2.0])
    assert held.columns[2] == [1.5, 3.0, 2.0] and type(held.columns[2]) is list
    assert record == figures and pinned.get("Figure") == 1.5
    assert column_of(held, "Figure")[:3] == [1.5, 3.0, 2.0]


def test_a_quarters_cells_are_picked_from_copied_rows_as_from_every_rows_cells() -> None:
    """Last quarter's figures are picked from a consolidate's copied rows by a mask over their
    Quarter column (sheetrow.cells_in), a record's column or a list, then the rows after them:
    the very cells, in order, that every row's cells filtered give; a column the copied rows do
    not hold is blank; and context_of works the same figures out from either."""
    from workbook_tools.master.history import context_of
    from workbook_tools.master.sheetrow import Copied, Row, cells_in, cells_of
    from workbook_tools.quarters import parse_quarter

    positions = {"Quarter": 0, "Measure ID": 1, "Actual": 2, "Target": 3}
    quarters = ["2024-25-Q1", "2025-26-Q1", "2024-25-Q4", "2025-26-Q1", None, "2024-25-Q4"]
    ids = ["M1", "M2", "M1", "M1", "M3", "M2"]
    actuals = [1.0, 2.0, 3.0, None, 5.0, 6.5]
    tail = [Row(["2025-26-Q1", "M4", 7.0, 8.0], positions, 9),
            Row(["2024-25-Q4", "M4", 9.0, None], positions, 10)]
    coded = Copied(positions, {0: columncode.Coded(*_table(quarters)), 1: list(ids),
                               2: columncode.Coded(*_table(actuals))}, tail=list(tail))
    listed = Copied(positions, {0: list(quarters), 1: list(ids), 2: list(actuals)},
                    tail=list(tail))
    headers = ("Quarter", "Measure ID", "Actual", "Target")
    for rows in (coded, listed):
        for wanted in ({"2024-25-Q4"}, {"2024-25-Q4", "2025-26-Q1"}, {None}, set()):
            every = [cells for cells in cells_of(rows, headers) if cells[0] in wanted]
            assert list(cells_in(rows, headers, wanted)) == every
            numbered = ("Quarter", "_row", "Actual")  # (a copied row's number: from cells_of)
            assert list(cells_in(rows, numbered, wanted)) == [
                cells for cells in cells_of(rows, numbered) if cells[0] in wanted]
    assert list(cells_in(coded, headers, {"2024-25-Q4"})) == [
        ("2024-25-Q4", "M1", 3.0, None), ("2024-25-Q4", "M2", 6.5, None),
        ("2024-25-Q4", "M4", 9.0, None)]
    quarter = parse_quarter("2025-26-Q1")
    dicts = [dict(zip(headers, cells, strict=True)) for cells in cells_of(listed, headers)]
    found = context_of({"Measures": coded}, quarter)
    assert found == context_of({"Measures": dicts}, quarter)
    assert found.previous_actuals == {"M1": 3.0, "M2": 6.5, "M4": 9.0}


def _table(cells: list[Any]) -> tuple[list[Any], Any]:
    """A Coded's table (first met order) and places for `cells`."""
    from array import array

    table = list(dict.fromkeys(cells))
    return table, array("B", [table.index(v) for v in cells])


@pytest.mark.parametrize("chunks", [
    [["Adults", None, "Adults"], [], ["Children's", None]],
    [[0.0, 5.0], [-0.0, 0.0], [5.0, -0.0]],  # -0.0 first met in a later chunk
    [[-0.0], [0.0, -0.0]],
    [[1.0, "1.0"], [True, 1.0, False, 0.0]],  # True equal to 1.0, False to 0.0
    [[f"M{i:05d}" for i in range(200)], [f"M{i:05d}" for i in range(150, 400)], ["M00000"]],
    [[f"M{i:05d}" for i in range(70_000)], [None, "M00001"]],  # past two bytes a place
])
def test_a_column_coded_a_chunk_at_a_time_is_its_cells_exactly(chunks: list[list[Any]]) -> None:
    """The record of rows written anew codes their cells a chunk of rows at a time
    (master/recorder.py): the column is every chunk's cells, in order, each value exactly
    (its type, the sign of a zero), and its entry gives them back."""
    coder = ColumnCoder()
    for chunk in chunks:
        coder.add(list(chunk))
    cells = [value for chunk in chunks for value in chunk]
    column = coder.coded()
    assert same_exactly(list(column), cells)
    assert len(column.table) == len({columncode.typed_key(v) for v in cells})  # each value once
    assert column.places.typecode == columncode.code_of(len(column.table))
    coded = columncode.encode((column,))
    assert coded is not None
    assert same_exactly(columncode.decode(json.loads(json.dumps(coded)), len(cells),
                                          SAVINGS_KINDS), cells)


def test_a_records_many_ids_are_kept_packed_and_read_exactly_as_their_list() -> None:
    """A decoded column of many distinct texts (a quarter's IDs, and a year's again) keeps its
    table packed (packedtexts.Texts): a small part of the memory of a text object each, held
    from the read of the master to its next record, and read as the list would be."""
    import sys

    from workbook_tools.master.packedtexts import PACK_FROM, Texts

    ids = [f"M-{d}-{i}" for d in range(30) for i in range(100)] + ["", "Café’s £5 ☂", "x"]
    assert len(ids) > PACK_FROM
    cells = ids + ids[::-1] + ids[:500]  # (each ID again in later quarters)
    coded = columncode.decode_coded(json.loads(json.dumps(columncode.encode((cells,)))),
                                    len(cells), LEAN_KINDS)
    assert coded is not None and isinstance(coded.table, Texts)
    assert coded.values() == cells and list(coded) == cells and coded == cells
    assert [coded[i] for i in (0, 3000, 3001, -1, -len(cells))] == [
        cells[i] for i in (0, 3000, 3001, -1, -len(cells))]
    assert coded[10:20] == cells[10:20] and coded[::-997] == cells[::-997]
    assert coded.table[3001] == "Café’s £5 ☂" and coded.table[-3] == ""
    assert "M-29-99" in coded.table and "M-30-0" not in coded.table
    assert coded.table == ids and coded.head(len(ids)).values() == ids
    with pytest.raises(IndexError):
        coded.table[len(ids)]
    assert not coded.blank() and columncode.kinds_of([coded]) == {str}
    held = sys.getsizeof(coded.table.text) + sys.getsizeof(coded.table.ends)
    assert held * 3 < sum(map(sys.getsizeof, ids)) + sys.getsizeof(ids)
    # the next record made of it and the next quarter's cells: as made of the values
    later = [*ids[:40], "new", None]
    assert columncode.encode((coded.head(len(ids)), later)) == columncode.encode((ids, later))
    assert columncode.encode((coded,)) == columncode.encode((cells,))


def test_a_table_of_few_texts_or_not_all_texts_is_kept_a_list() -> None:
    from workbook_tools.master.packedtexts import PACK_FROM, packed

    few = [f"D{i}" for i in range(PACK_FROM - 1)]
    mixed = [*few, None, "last"]
    assert packed(few) is few and packed(mixed) is mixed


@pytest.mark.parametrize("later", ["the same IDs in the same order", "fewer of them",
                                   "in another order", "one new", "one changed by a letter"])
def test_a_later_quarters_packed_ids_join_the_records_column_as_its_values_would(
        later: str) -> None:
    """The next record's column made of the old record's IDs (packed) and the quarter's coded
    as read (packed too): taken as they are when the quarter's are the first of the old ones in
    order (packedtexts.one_table), and the same entry as made from the values whatever they are."""
    from workbook_tools.master.packedtexts import PACK_FROM, Texts, one_table

    ids = [f"S-{d}-{i}" for d in range(12) for i in range(100)] + ["Café £5"]
    assert len(ids) > PACK_FROM
    quarter = {"the same IDs in the same order": ids, "fewer of them": ids[:-7],
               "in another order": ids[1:] + ids[:1], "one new": [*ids, "S-new"],
               "one changed by a letter": [*ids[:-1], "Café £6"]}[later]
    old = columncode.decode_coded(json.loads(json.dumps(columncode.encode((ids + ids,)))),
                                  2 * len(ids), LEAN_KINDS)
    coder = ColumnCoder()
    coder.add(list(quarter[:500]))
    coder.add(list(quarter[500:]))
    new = coder.coded()
    assert old is not None and isinstance(old.table, Texts) and isinstance(new.table, Texts)
    taken = one_table((old, new), columncode.largest)
    assert (taken is not None) == (later in ("the same IDs in the same order", "fewer of them"))
    made = columncode.encode((old, new))
    assert made == columncode.encode((ids + ids, quarter))
    assert columncode.decode(made, 2 * len(ids) + len(quarter), LEAN_KINDS) == ids + ids + quarter


@pytest.mark.parametrize("cells", [
    "as expected", "fewer", "a new one at the end", "changed in the second chunk",
    "a blank among them", "a number first",
])
def test_a_column_coded_expecting_the_ids_before_is_its_cells_exactly(cells: str) -> None:
    """ColumnCoder given the texts the cells are expected to repeat (the IDs of the quarters
    before, packed): while they do, only places are kept; once they do not, it codes on from
    there as without them. Either way the column is its cells, and its entry theirs."""
    from workbook_tools.master.packedtexts import Texts

    before = [f"A-{d}-{i}" for d in range(20) for i in range(100)]
    expected = Texts.of(before)
    assert expected is not None
    made = {"as expected": before, "fewer": before[:1500],
            "a new one at the end": [*before, "A-new"],
            "changed in the second chunk": [*before[:700], "A-x", *before[701:]],
            "a blank among them": [*before[:1999], None],
            "a number first": [1.0, *before[1:]]}[cells]
    coder, plain = ColumnCoder(expected), ColumnCoder()
    for at in range(0, len(made), 512):
        coder.add(list(made[at:at + 512]))
        plain.add(list(made[at:at + 512]))
    got = coder.coded()
    assert got.values() == made and got == plain.coded()
    assert columncode.encode((got,)) == columncode.encode((made,))
    if cells in ("as expected", "fewer"):  # (no text made: the expected ones' head)
        assert isinstance(got.table, Texts) and got.table.text == "".join(made)
