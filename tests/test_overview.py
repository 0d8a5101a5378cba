"""Visited hosts per prefecture, for the start page map."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from index.overview import visited_by_prefecture


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        ([], []),
        ([("", ""), ("", "")], []),
        ([("大阪府", "大阪市"), ("大阪府", "大阪市")], [("大阪府", 1)]),
        ([("群馬県", ""), ("群馬県", "群馬県")], [("群馬県", 1)]),
        ([("群馬県", "群馬県"), ("群馬県", "前橋市")], [("群馬県", 2)]),
        ([("北海道", "森町"), ("静岡県", "森町"), ("北海道", "函館市")],
         [("北海道", 2), ("静岡県", 1)]),
        ([("茨城県", "取手市"), ("愛知県", "豊田市"), ("茨城県", "高萩市")],
         [("茨城県", 2), ("愛知県", 1)]),
    ],
)
def test_visited_by_prefecture(places: list[tuple[str, str]], expected: list[tuple[str, int]]) -> None:
    assert [(p["value"], p["count"]) for p in visited_by_prefecture(places)] == expected


def expected_counts(service: Any) -> dict[str, int]:
    """Visited hosts per prefecture, recounted from each report's parse."""
    hosts: dict[str, set[str]] = {}
    for doc in service.reader().reports():
        for visit in json.loads(doc["report_json"])["visits"]:
            if visit["prefecture"] and visit["passages"]:
                hosts.setdefault(visit["prefecture"], set()).add(
                    visit["municipality"] or visit["prefecture"])
    return {p: len(m) for p, m in hosts.items()}


def test_stats_counts_prefectures(service: Any) -> None:
    counts = {p["value"]: p["count"] for p in service.stats()["prefectures"]}
    assert counts == expected_counts(service)
    # the bundled corpus: 大阪市 only in 大阪府; 群馬県 visited as a prefecture
    assert counts["大阪府"] == 1 and counts["群馬県"] == 1
    assert counts["福島県"] == 3


def test_api_stats_carries_prefectures(client: FlaskClient, service: Any) -> None:
    data = client.get("/api/stats").get_json()
    assert data["prefectures"] == service.stats()["prefectures"]
    assert data["prefectures"][0]["count"] >= data["prefectures"][-1]["count"]
