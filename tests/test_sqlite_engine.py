"""The SQLite engine's own pieces: term encoding, the MATCH expression, the compiled scorer."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from index.engine import And, DisMax, Or, Phrase, Term
from index.sqlite_engine import _Leaf, compile_query, encode_terms, evaluate_tree, make_scorer


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
