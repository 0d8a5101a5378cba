"""bench/candidates.py: the helpers that feed and query every engine the same way, and a run of the product's engine.

Nothing here needs tantivy or groonga: the query translation is checked on
the strings and calls it makes, and the one end-to-end run measures the
SQLite candidate only, with an unknown engine that must be reported as not run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import candidates  # bench/ is a folder of scripts, found via sys.path

from index.engine import And, DisMax, Or, Phrase, Term
from index.sqlite_engine import encode_terms

POSITIONS = [["マイナンバーカード", "§mynumber-card", "マイナンバー", "カード"], ["申請"], ["open data", "open"]]


def test_decode_terms_inverts_the_product_encoding() -> None:
    assert candidates.decode_terms(encode_terms(POSITIONS)) == POSITIONS
    assert candidates.decode_terms("") == []


def test_colocated_terms_share_a_position_and_spaces_never_split_a_term() -> None:
    pairs = candidates.positioned_terms(encode_terms(POSITIONS))
    assert pairs[:5] == [("マイナンバーカード", 0), ("§mynumber-card", 0), ("マイナンバー", 0), ("カード", 0), ("申請", 1)]
    assert pairs[5:] == [("open\u2581data", 2), ("open", 2)]
    assert candidates.delimited(encode_terms(POSITIONS)).split(" ")[-2:] == ["open\u2581data", "open"]


def _unit(long: str, *shorts: str) -> Or:
    def group(field: str, boost: float) -> Term | Or:
        term = Term(field, long, boost)
        return term if not shorts else Or((term, And(tuple(Term(field, s, boost) for s in shorts))))
    return Or((group("text", 1.0), group("heading", 0.4)))


def test_groonga_query_collapses_the_fields_and_quotes_every_term() -> None:
    tree = And((_unit("電子申請", "電子", "申請"), _unit('a"b\\')))
    assert candidates.translate(tree, candidates.GroongaOps()) == '(("電子申請" OR ("電子" "申請")) "a\\"b\\\\")'
    phrase = Or((Phrase("text", ("タブレット端末", "導入")), Phrase("heading", ("タブレット端末", "導入"), 0.4)))
    assert candidates.translate(phrase, candidates.GroongaOps()) == '"タブレット端末 導入"'
    assert candidates.translate(DisMax((Term("text", "x"), Term("text", "y")), 0.1),
                                candidates.GroongaOps()) == '("x" OR "y")'


class Recorder:
    """Query ops that build nested tuples, to see what an engine is asked for."""

    def term(self, field: str, text: str, boost: float) -> Any:
        return ("term", field, text, boost)

    def phrase(self, field: str, terms: Any, boost: float) -> Any:
        return ("phrase", field, tuple(terms), boost)

    def all_of(self, children: list[Any], boost: float) -> Any:
        return ("all", tuple(children), boost)

    def any_of(self, children: list[Any], boost: float) -> Any:
        return ("any", tuple(children), boost)

    def best_of(self, children: list[Any], tiebreak: float) -> Any:
        return ("best", tuple(children), tiebreak)


def test_translate_keeps_fields_boosts_and_structure() -> None:
    tree = And((Or((Term("text", "a b"), Phrase("heading", ("c", "d"), 0.4)), boost=2.0),
                DisMax((Term("text", "e"),), 0.1)))
    assert candidates.translate(tree, Recorder()) == (
        "all", (("any", (("term", "text", "a\u2581b", 1.0), ("phrase", "heading", ("c", "d"), 0.4)), 2.0),
                ("best", (("term", "text", "e", 1.0),), 0.1)), 1.0)


def test_groonga_select_weighs_fields_as_the_product_and_counts_every_facet() -> None:
    params = candidates.groonga_select('"x"')
    assert params["match_columns"] == "scorer_tf_idf(terms_text) * 10 || scorer_tf_idf(terms_heading) * 4"
    assert params["match_escalation_threshold"] == "-1" and params["limit"] == "20"
    assert {k for k in params if k.endswith(".keys")} == {
        "drilldowns[municipality].keys", "drilldowns[prefecture].keys", "drilldowns[year].keys",
        "drilldowns[section].keys", "drilldowns[practice].keys"}


def test_groonga_result_reads_total_hits_and_facets_without_empty_values() -> None:
    body = [[0, 1.0, 0.002], [[[2], [["_id", "UInt32"], ["_score", "Int32"]], [1, 28], [2, 20]],
                              {"municipality": [[3], [["_key", "ShortText"], ["_nsubrecs", "Int32"]],
                                                ["大阪市", 1], ["神戸市", 1], ["", 4]]}]]
    assert candidates.groonga_result(body) == (2, 2, {"municipality": {"大阪市": 1, "神戸市": 1}})
    error = [[-22, 1.0, 0.1, "invalid match target: <>"]]
    try:
        candidates.groonga_result(error + [[]])
    except RuntimeError as exc:
        assert "invalid match target" in str(exc)
    else:
        raise AssertionError("an error response must raise")


def test_crash_state_and_agreement() -> None:
    assert [candidates.crash_state(c, 10, 20) for c in (10, 20, 15, None)] == ["old", "new", "partial", "unreadable"]
    found = candidates.agreement({"sqlite": [3, None, 5, 0], "tantivy": [3, 1, 5, 0], "groonga": [3, None, 6, 0]})
    assert found["tantivy"] == {"compared": 3, "same_total": 3, "first_differences": []}
    assert found["groonga"]["same_total"] == 2
    assert found["groonga"]["first_differences"] == [{"query": 2, "sqlite": 5, "groonga": 6}]


def test_a_run_measures_the_product_engine_and_names_what_it_could_not_run(tmp_path: Path) -> None:
    result = candidates.main(["--reports", "3", "--engines", "sqlite,nosuch", "--out", str(tmp_path), "--jobs", "1"])
    assert json.loads((tmp_path / "candidates.json").read_text(encoding="utf-8")) == result
    sqlite = result["engines"]["sqlite"]
    assert sqlite["available"] and sqlite["build"]["seconds"] > 0 and sqlite["index_mb"] > 0
    assert sqlite["search"]["n"] == result["shared_analysis"]["queries_with_terms"] > 200
    assert sqlite["search"]["engine_peak_rss_mb"] > 0
    trials = sqlite["crash"]["trials"]
    assert [t["killed_at"] for t in trials] == ["HALF", "COMMIT"]
    assert all(t["state"] in ("old", "new") for t in trials) and sqlite["crash"]["safe"]
    assert set(result["agreement_with_sqlite"]) == {"totals", "facets"}
    assert result["not_run"] == {"nosuch": "unknown engine (known: sqlite, tantivy, groonga)"}
    assert any("nosuch" in row and "not run" in row for row in result["table"])


def test_facet_digest_ignores_order_and_empty_values_but_not_counts() -> None:
    first = candidates.facet_digest({"municipality": {"神戸市": 2, "大阪市": 1, "": 5}, "year": {"2023": 3}})
    same = candidates.facet_digest({"year": {"2023": 3}, "municipality": {"大阪市": 1, "神戸市": 2}})
    other = candidates.facet_digest({"municipality": {"神戸市": 2, "大阪市": 2}, "year": {"2023": 3}})
    assert first == same != other
