"""Query-time synonyms (index/expand.py) and their use by the search service."""

from __future__ import annotations

from typing import Any

import pytest

from index.expand import Expander, Expansion
from kb.errors import QueryError
from kb.municipalities import MunicipalityTable
from kb.taxonomy import default_taxonomy

INDEXED = frozenset({"神戸市", "大阪市"})
YOKOHAMA_REPORT = "yokohama-2022-07-digital-committee.txt"


@pytest.fixture(scope="module")
def table() -> MunicipalityTable:
    """The bundled municipality table."""
    return MunicipalityTable.load()


@pytest.fixture(scope="module")
def expander(table: MunicipalityTable) -> Expander:
    """An expander whose index holds only 神戸市 and 大阪市."""
    return Expander(default_taxonomy(), table, lambda: set(INDEXED))


def _expand(expander: Expander, word: str) -> Expansion | None:
    return expander.expand(word, word)


# --- practice aliases and variant groups -------------------------------------


@pytest.mark.parametrize(("word", "also"), [
    ("キントーン", ["kintone", "サイボウズkintone"]),
    ("ｷﾝﾄｰﾝ", ["kintone", "サイボウズkintone"]),  # half-width katakana
    ("ＫＩＮＴＯＮＥ", ["キントーン", "サイボウズkintone"]),  # the word itself is not repeated
    ("サイボウズkintone", ["kintone", "キントーン"]),
])
def test_practice_alias_expands_to_its_practice(expander: Expander, word: str, also: list[str]) -> None:
    expansion = _expand(expander, word)
    assert expansion is not None
    assert (expansion.term, expansion.also) == (word, also)
    assert (expansion.practice, expansion.municipality) == ("kintone", "")


def test_practice_found_from_term_when_surface_is_no_alias(expander: Expander) -> None:
    expansion = expander.expand("ｷﾝﾄｰﾝ!", "キントーン")
    assert expansion is not None and expansion.practice == "kintone"


def test_variant_group_expands_without_practice(expander: Expander) -> None:
    expansion = _expand(expander, "ハンコ")
    assert expansion is not None
    assert expansion.practice == ""
    assert expansion.municipality == ""
    assert "押印" in expansion.also
    assert "ハンコ" not in expansion.also


def test_to_dict(expander: Expander) -> None:
    expansion = _expand(expander, "キントーン")
    assert expansion is not None
    assert expansion.to_dict() == {"term": "キントーン", "as": ["kintone", "サイボウズkintone"],
                                   "practice": "kintone", "municipality": ""}


# --- municipality readings ---------------------------------------------------


@pytest.mark.parametrize(("word", "city"), [
    ("こうべ", "神戸市"),
    ("コウベ", "神戸市"),
    ("kobe", "神戸市"),
    ("KOBE", "神戸市"),
    ("こうべし", "神戸市"),
    ("おおさか", "大阪市"),  # not 大阪府: prefectures are skipped
    ("オオサカ", "大阪市"),
])
def test_reading_expands_to_indexed_municipality(expander: Expander, word: str, city: str) -> None:
    expansion = _expand(expander, word)
    assert expansion is not None
    assert (expansion.municipality, expansion.also, expansion.practice) == (city, [city], "")


@pytest.mark.parametrize("word", [
    "よこはま",  # a real city, but not indexed
    "会議",      # a plain word
    "こう",      # a prefix of a reading
    "k",         # too short
    "",
    "神戸",      # kanji is no reading
])
def test_no_expansion(expander: Expander, word: str) -> None:
    assert _expand(expander, word) is None


def test_unindexed_city_is_found_once_indexed(table: MunicipalityTable) -> None:
    expander = Expander(default_taxonomy(), table, lambda: {"横浜市"})
    assert expander.municipality_for_reading("よこはま") == "横浜市"
    assert expander.municipality_for_reading("こうべ") == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("こうべ", True),
    ("コウベ", True),
    ("kobe", True),
    ("Kobe", True),
    ("koubeshi", True),
    ("こうべし", True),
    ("こう", False),
    ("kob", False),
    ("おおさか", False),
    ("", False),
])
def test_read_as(table: MunicipalityTable, text: str, expected: bool) -> None:
    kobe = next(row for row in table.search("神戸市") if row.name == "神戸市" and not row.is_prefecture)
    assert kobe.read_as(text) is expected


# --- through the search service ----------------------------------------------


def test_search_expands_practice_alias(service: Any) -> None:
    result = service.search("キントーン")
    assert result["expanded"][0]["practice"] == "kintone"
    assert result["exact"] is False
    top = result["hits"][:3]
    assert any(
        hit["file"] == YOKOHAMA_REPORT and hit["municipality"] == "神戸市" and "kintone" in hit["text"].lower()
        for hit in top
    ), [(hit["file"], hit["municipality"]) for hit in top]


def test_exact_search_does_not_expand(service: Any) -> None:
    result = service.search("キントーン", exact=True)
    assert result["expanded"] == []
    assert result["exact"] is True


@pytest.mark.parametrize("query", ["オフィス365", "ＢＹＯＤ"])
def test_alias_query_finds_osaka(service: Any, query: str) -> None:
    hits = service.search(query)["hits"]
    assert hits, query
    assert hits[0]["municipality"] == "大阪市"


def test_city_given_by_reading_filters(service: Any) -> None:
    result = service.search("", city="こうべ")
    assert result["total"] > 0
    assert {hit["municipality"] for hit in result["hits"]} == {"神戸市"}
    assert result["filters"]["city"] == "神戸市"
    assert any("神戸市" in notice for notice in result["notices"])


def test_practice_filter(service: Any) -> None:
    result = service.search("", practice="kintone")
    assert result["total"] > 0
    for hit in result["hits"]:
        assert "kintone" in {p["id"] for p in hit["practices"]}


def test_unknown_practice_is_refused(service: Any) -> None:
    with pytest.raises(QueryError) as caught:
        service.search("会議", practice="no-such-practice")
    assert caught.value.subject == "practice"


def test_practice_facet_has_labels(service: Any) -> None:
    facet = service.search("キントーン")["facets"]["practice"]
    assert facet
    assert all(entry["label"] for entry in facet)
    kintone = next(entry for entry in facet if entry["value"] == "kintone")
    assert kintone["label"] == "kintone"
