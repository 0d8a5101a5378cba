"""Search over the index of the bundled reports."""

from __future__ import annotations

from typing import Any

import pytest

from index.search import SearchService
from kb.errors import NotFoundError, QueryError


def ids(result: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in result["hits"]]


def test_byod_ranks_osaka_first(service: SearchService) -> None:
    result = service.search("BYOD")
    assert result["mode"] == "all"
    assert result["total"] > 0
    assert result["hits"][0]["municipality"] == "大阪市"
    assert "<mark" in result["hits"][0]["snippet"]


@pytest.mark.parametrize("variant", ["ＢＹＯＤ", "byod", "Byod"])
def test_byod_variants_give_same_hits(service: SearchService, variant: str) -> None:
    assert ids(service.search(variant, limit=50)) == ids(service.search("BYOD", limit=50))


def test_facets_add_up_to_total(service: SearchService) -> None:
    result = service.search("BYOD", limit=5)
    assert sum(f["count"] for f in result["facets"]["section"]) == result["total"]
    assert sum(f["count"] for f in result["facets"]["year"]) == result["total"]


def test_short_units_find_long_words(service: SearchService) -> None:
    # 「国際空港」 is indexed as a short unit of longer words; 「ワクチン」 of 「新型コロナワクチン」.
    result = service.search("ワクチン")
    assert any("ワクチン" in hit["text"] for hit in result["hits"])


def test_all_terms_then_any(service: SearchService) -> None:
    both = service.search("BYOD 負担", exact=True)
    assert both["mode"] == "some" and both["total"] > 1
    # Passages holding every word come first, then those holding some.
    holds_all = ["負担" in hit["text"] and "BYOD" in hit["text"] for hit in both["hits"]]
    assert holds_all[0] and holds_all == sorted(holds_all, reverse=True)
    many = service.search("タブレット 議会")
    assert many["mode"] == "all" and many["total"] >= 10
    fallback = service.search("BYOD 存在しないはずの語ほげふが")
    assert fallback["mode"] == "any"
    assert fallback["total"] >= 1


def test_quoted_phrase(service: SearchService) -> None:
    phrase = service.search('"DX基礎研修"')
    assert phrase["total"] >= 1
    assert all("DX基礎研修" in hit["text"] for hit in phrase["hits"])


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"city": "神戸市"}, "municipality", "神戸市"),
        ({"city": "281000"}, "municipality", "神戸市"),
        ({"prefecture": "北海道"}, "prefecture", "北海道"),
        ({"year": 2022}, "year", "2022"),
        ({"section": "qa"}, "section", "qa"),
    ],
)
def test_filters(service: SearchService, params: dict[str, Any], field: str, value: str) -> None:
    result = service.search("DX", limit=100, **params)
    assert result["total"] > 0
    assert all(hit[field] == value for hit in result["hits"])


def test_filter_without_query_browses(service: SearchService) -> None:
    result = service.search("", city="大阪市", limit=100)
    assert result["total"] > 0
    assert {hit["municipality"] for hit in result["hits"]} == {"大阪市"}


def test_empty_query_has_no_hits(service: SearchService) -> None:
    assert service.search("")["mode"] == "none"


@pytest.mark.parametrize(
    "query", ["", " ", ")(*\"", "<script>alert(1)</script>", '"BYOD', "テ" * 2000, "のを。"]
)
def test_hostile_queries_do_not_fail(service: SearchService, query: str) -> None:
    result = service.search(query)
    for hit in result["hits"]:
        assert "<script>" not in hit["snippet"]


def test_snippet_escapes_report_text(service: SearchService) -> None:
    for hit in service.search("BYOD", limit=50)["hits"]:
        assert "<" not in hit["snippet"].replace("<mark", "").replace("</mark>", "")


@pytest.mark.parametrize(
    ("params", "name"),
    [({"section": "bogus"}, "section"), ({"limit": 0}, "limit"),
     ({"limit": 1000}, "limit"), ({"page": 0}, "page")],
)
def test_bad_parameters_raise_query_error(service: SearchService, params: dict[str, Any], name: str) -> None:
    with pytest.raises(QueryError) as info:
        service.search("BYOD", **params)
    assert info.value.subject == name


def test_pages_do_not_overlap(service: SearchService) -> None:
    first = service.search("DX", limit=5, page=1)
    second = service.search("DX", limit=5, page=2)
    assert first["total"] > 10
    assert not set(ids(first)) & set(ids(second))


def test_report_lookup(service: SearchService) -> None:
    report = service.report("yokohama-2022-07-digital-committee.txt")
    assert [v["municipality"] for v in report["visits"]] == ["大阪市", "神戸市"]
    with pytest.raises(NotFoundError):
        service.report("../../etc/passwd")


def test_stats(service: SearchService, reports_dir: Any) -> None:
    stats = service.stats()
    # Two bundled files are copies of another file's report (kb.copies): counted apart.
    assert stats["reports"] == len(list(reports_dir.iterdir())) - 2 and stats["copies"] == 2
    assert stats["passages"] > stats["reports"]


def _plain(snippet: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"</?mark[^>]*>", "", snippet))


@pytest.mark.parametrize("query", ["BYOD", "電子申請", "スマートシティ", "タブレット", "生成AI", "議会", "LINE"])
def test_snippets_quote_the_passage(service: SearchService, query: str) -> None:
    from index.search import WHOLE_PASSAGE_CHARS

    hits = service.search(query, limit=50)["hits"]
    assert hits
    for hit in hits:
        plain, text = _plain(hit["snippet"]), hit["text"]
        if len(text) <= WHOLE_PASSAGE_CHARS:
            assert plain == text
            continue
        pieces = [p for p in plain.split("…") if p]
        assert pieces and all(p in text for p in pieces), plain
        assert len(plain) < len(text) + 4


def test_long_passage_snippet_is_shorter_and_marked(service: SearchService) -> None:
    from index.search import WHOLE_PASSAGE_CHARS

    hits = service.search("LINE", limit=100)["hits"]
    long_hits = [h for h in hits if len(h["text"]) > WHOLE_PASSAGE_CHARS and "LINE" in h["text"]]
    assert long_hits
    for hit in long_hits:
        assert "<mark" in hit["snippet"]
        assert len(_plain(hit["snippet"])) < len(hit["text"])
