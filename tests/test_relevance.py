"""Search quality on the judged queries of tests/truth/queries.json.

Hits are reduced to (file, municipality) pairs in rank order; each query is
scored by nDCG@10 (graded relevance) and recall@20.  The figures are printed
on every run, and the test fails when the mean drops below the thresholds,
set just under what the index reaches, so quality cannot drop silently.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

QUERIES = Path(__file__).resolve().parent / "truth" / "queries.json"
MIN_MEAN_NDCG = 0.82
MIN_MEAN_RECALL = 0.85
# Judgements name towns with their 郡 (茅部郡森町); the index names them without.
_DISTRICT = re.compile(r"^[^\s]{1,5}郡(?=.+[町村]$)")


def judged(query: dict[str, Any]) -> dict[tuple[str, str], int]:
    """(file, municipality) → grade of one judged query."""
    return {(r["file"], _DISTRICT.sub("", r["municipality"])): int(r["grade"]) for r in query["relevant"]}


def ranked_pairs(hits: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Distinct (file, municipality) pairs of ``hits`` in rank order."""
    pairs: list[tuple[str, str]] = []
    for hit in hits:
        pair = (hit["file"], hit["municipality"])
        if pair not in pairs:
            pairs.append(pair)
    return pairs


def ndcg(ranked: list[tuple[str, str]], grades: dict[tuple[str, str], int], k: int = 10) -> float:
    """Normalised discounted cumulative gain at ``k`` with gains 2^grade - 1."""
    dcg = sum((2 ** grades.get(p, 0) - 1) / math.log2(i + 2) for i, p in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[tuple[str, str]], grades: dict[tuple[str, str], int], k: int = 20) -> float:
    """Share of the judged pairs found in the first ``k`` pairs."""
    return sum(1 for p in ranked[:k] if p in grades) / len(grades) if grades else 0.0


@pytest.mark.parametrize(
    ("ranked", "expected"),
    [
        ([("a", "x"), ("b", "y")], 1.0),
        ([("b", "y"), ("a", "x")], (1 / 1 + 7 / math.log2(3)) / (7 / 1 + 1 / math.log2(3))),
        ([("c", "z")], 0.0),
    ],
)
def test_ndcg_of_known_rankings(ranked: list[tuple[str, str]], expected: float) -> None:
    assert ndcg(ranked, {("a", "x"): 3, ("b", "y"): 1}) == pytest.approx(expected)


def test_dev_set_quality(service: Any, capsys: pytest.CaptureFixture[str]) -> None:
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    rows, counts = [], []
    for query in queries:
        result = service.search(query["query"], limit=50)
        counts.append(len(result["hits"]))
        ranked, grades = ranked_pairs(result["hits"]), judged(query)
        rows.append((query["id"], query["query"], result["mode"], ndcg(ranked, grades), recall(ranked, grades)))
    # nDCG and recall are undefined for a query nothing answers (「該当なし」): such queries are
    # listed with their hit count, and the means are those of the judged queries.
    scored = [r for r, q in zip(rows, queries) if q["relevant"]]
    mean_ndcg = sum(r[3] for r in scored) / len(scored)
    mean_recall = sum(r[4] for r in scored) / len(scored)
    with capsys.disabled():
        print("\n検索品質（tests/truth/queries.json）")
        for (qid, text, mode, n, r), query, count in zip(rows, queries, counts):
            figures = f"nDCG@10={n:.2f} recall@20={r:.2f}" if query["relevant"] else f"該当なし・ヒット{count}件"
            print(f"  {qid} {figures} mode={mode:<4} {text}")
        print(f"  平均 nDCG@10={mean_ndcg:.3f} recall@20={mean_recall:.3f}（判定のある{len(scored)}件／{len(rows)}件）")
    assert mean_ndcg >= MIN_MEAN_NDCG
    assert mean_recall >= MIN_MEAN_RECALL
