"""The SQLite engine's own pieces: term encoding, the MATCH expression, the compiled scorer."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from index.engine import And, DisMax, Or, Phrase, Term
from index.schema import FACET_FIELDS
from index.sqlite_engine import (
    FACET_GROUPS,
    SET_FACET,
    FacetColumn,
    _Leaf,
    compile_query,
    decode_spans,
    encode_spans,
    encode_terms,
    evaluate_tree,
    make_scorer,
    mark_span,
    tag_expression,
    tag_terms,
)


@pytest.mark.parametrize(("positions", "expected"), [
    ([["関西国際空港", "関西", "国際", "空港"], ["見学"]], "関西国際空港\x1f関西\x1f国際\x1f空港\x1e見学"),
    ([["remote work"]], "remote work"),
    ([["a\x1eb"]], "ab"),
    ([], ""),
])
def test_encode_terms(positions: list[list[str]], expected: str) -> None:
    assert encode_terms(positions) == expected


def test_expression_has_one_phrase_per_leaf_in_order() -> None:
    leaves: list[_Leaf] = []
    query = And((Or((Term("text", "窓口"), Term("heading", "窓口", boost=0.4))),
                 Phrase("text", ("書か", 'な"い'))))
    expression, tree = compile_query(query, leaves)
    assert expression == '((text : "窓口" OR heading : "窓口") AND text : "書か\x1eな""い")'
    assert [(leaf.column, leaf.terms, leaf.boost) for leaf in leaves] == [
        (0, ("窓口",), 1.0), (1, ("窓口",), 0.4), (0, ("書か", 'な"い'), 1.0)]
    assert tree == ("and", 1.0, (("or", 1.0, (0, 1)), 2))


TREES: list[Any] = [
    ("or", 1.0, (("and", 20.0, (0, 1)), ("or", 1.0, (2, 3)))),
    ("max", 0.1, (("or", 1.0, (0, 1)), ("and", 1.0, (2, 3)))),
    ("and", 2.0, (0, ("max", 0.5, (1, 2, 3)))),
]


@pytest.mark.parametrize("tree", TREES)
def test_compiled_scorer_equals_the_tree(tree: Any) -> None:
    boosts = [1.0, 0.4, 0.5, 1.0]
    scorer = make_scorer(tree, [0, 1, 2, 3], boosts)
    for values in itertools.product([None, 1.5, 3.0], repeat=4):
        leaves = [None if v is None else v * b for v, b in zip(values, boosts)]
        assert scorer(list(values)) == pytest.approx(evaluate_tree(tree, leaves)), values


def test_dismax_is_the_best_plus_a_tiebreak() -> None:
    leaves: list[_Leaf] = []
    _, tree = compile_query(DisMax((Term("text", "a"), Term("text", "b")), tiebreak=0.1), leaves)
    assert evaluate_tree(tree, [2.0, 1.0]) == pytest.approx(2.1)
    assert evaluate_tree(tree, [None, None]) is None


@pytest.mark.parametrize(("doc", "expected"), [
    ({"file": "a.txt", "municipality": "神戸市", "code": "281000", "prefecture": "兵庫県", "year": "2023",
      "section": "qa", "practice": "byod,kintone"},
     ("file=a.txt\x1emunicipality=神戸市\x1ecode=281000\x1eprefecture=兵庫県\x1eyear=2023\x1esection=qa"
     "\x1epractice=byod\x1epractice=kintone")),
    ({"file": "b.txt", "municipality": "", "practice": ""}, "file=b.txt"),
])
def test_tag_terms(doc: dict[str, str], expected: str) -> None:
    assert tag_terms(doc) == expected


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, ""),
    ({"code": ("271004", "281000")}, 'tags : ("code=271004" OR "code=281000")'),
    ({"section": ("qa",), "practice": ("byod",)}, 'tags : ("practice=byod") AND tags : ("section=qa")'),
    ({"municipality": ('大"阪',)}, 'tags : ("municipality=大""阪")'),
])
def test_tag_expression(filters: dict[str, tuple[str, ...]], expected: str) -> None:
    assert tag_expression(filters) == expected


def test_tag_expression_refuses_an_unknown_field() -> None:
    with pytest.raises(ValueError, match="council"):
        tag_expression({"council": ("x",)})


def test_spans_round_trip() -> None:
    assert list(decode_spans(encode_spans([(3, 10), (10, 12)]) or b"")) == [3, 10, 10, 12]
    assert encode_spans([(5, 6), (70_000, 70_001)]) is None


@pytest.mark.parametrize(("text", "start", "end", "words", "expected"), [
    ("私物端末の購入費は", 5, 8, {"費"}, (7, 8)),
    ("私物端末の通信費は", 5, 8, {"通信費"}, (5, 8)),
    ("私物端末の通信費は", 5, 8, {"通信", "費"}, (5, 7)),
    ("ＢＹＯＤの導入", 0, 4, {"byod"}, (0, 4)),
    ("タブレット端末を", 0, 7, {"§tablet"}, (0, 7)),
    ("打ち合わせを", 0, 5, {"打合せ"}, (0, 5)),
])
def test_mark_span(text: str, start: int, end: int, words: set[str], expected: tuple[int, int]) -> None:
    assert mark_span(text, start, end, words) == expected


def test_facet_groups_cover_each_facet_field_once() -> None:
    assert sorted([*(name for group in FACET_GROUPS for name in group), SET_FACET]) == sorted(FACET_FIELDS)


class _Rows:
    """A stand-in connection whose passages table is ``rows`` (rowid first, then FACET_FIELDS)."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows = rows

    def execute(self, _sql: str) -> list[tuple[Any, ...]]:
        return self.rows


def _naive_facets(rows: list[tuple[Any, ...]], rowids: list[int]) -> dict[str, dict[str, int]]:
    by_rowid = {row[0]: row[1:] for row in rows}
    facets: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
    for rowid in rowids:
        for name, value in zip(FACET_FIELDS, by_rowid.get(rowid, ("",) * len(FACET_FIELDS))):
            for v in (str(value or "").split(",") if name == SET_FACET else [str(value or "")]):
                if v:
                    facets[name][v] = facets[name].get(v, 0) + 1
    return facets


def _row(rowid: int, **values: str) -> tuple[Any, ...]:
    return (rowid, *(values.get(name, "") for name in FACET_FIELDS))


ROWS = [
    _row(1, municipality="森町", prefecture="北海道", year="2023", section="qa", practice="byod,intune"),
    _row(2, municipality="森町", prefecture="静岡県", year="2023", section="content", practice="intune,byod"),
    _row(4, municipality="大阪市", prefecture="大阪府", year="2016", section="observation"),
    _row(5, prefecture="大阪府", practice="kintone"),
    _row(9, municipality="大阪市", prefecture="大阪府", year="2023", section="qa", practice="byod"),
]


@pytest.mark.parametrize("rowids", [[], [1], [1, 2], [2, 4, 5], [1, 2, 4, 5, 9], [3, 9], [5, 9, 12, 40]])
def test_facet_column_counts_as_the_plain_reading(rowids: list[int]) -> None:
    column = FacetColumn.read(_Rows(ROWS))  # type: ignore[arg-type]
    assert column.count(rowids) == _naive_facets(ROWS, rowids)
