"""Places named in a query scope the search: the finder's golden table, the plain answer, missing words."""

from __future__ import annotations

import re
from typing import Any

import pytest

from index.engine import And, Or, Phrase, Term
from index.scope import ScopeFinder
from index.search import Unit, missing_words
from kb.municipalities import MunicipalityTable

INDEXED = {"福岡市", "神戸市", "大阪市", "府中市", "加賀市", "寒川町"}


@pytest.fixture(scope="module")
def finder() -> ScopeFinder:
    return ScopeFinder(MunicipalityTable.load(), lambda: INDEXED)


# (query, scope label, codes, prefectures, rest); label None: no scope
SCOPES = [
    ("福岡市 kintone", "福岡市", ("401307",), (), "kintone"),
    ("福岡市のkintone", "福岡市", ("401307",), (), "のkintone"),
    ("kintone 福岡市", "福岡市", ("401307",), (), "kintone"),
    ("ふくおかし kintone", "福岡市", ("401307",), (), "kintone"),
    ("フクオカシ kintone", "福岡市", ("401307",), (), "kintone"),
    ("kobe BYOD", "神戸市", ("281000",), (), "BYOD"),
    ("こうべ BYOD", "神戸市", ("281000",), (), "BYOD"),
    ("北見市 kintone", "北見市", ("012084",), (), "kintone"),
    ("きたみし 研修", "北見市", ("012084",), (), "研修"),
    ("東京都府中市 防災", "府中市", ("132063",), (), "防災"),
    ("府中市 DX", "府中市（東京都）・府中市（広島県）", ("132063", "342084"), (), "DX"),
    ("大阪市北区 窓口", "大阪市", ("271004",), (), "窓口"),
    ("福岡県 kintone", "福岡県", (), ("福岡県",), "kintone"),
    ("大阪府 神戸市 BYOD", "神戸市", ("281000",), (), "BYOD"),
    ("大阪市 神戸市 BYOD", "大阪市・神戸市", ("271004", "281000"), (), "BYOD"),
    ("寒川町議会 タブレット", "寒川町", ("143219",), (), "議会 タブレット"),
    ("ＤＸ研修　大阪市", "大阪市", ("271004",), (), "DX研修"),
    ("神戸市", "神戸市", ("281000",), (), ""),
    ('"福岡市" kintone', None, (), (), ""),
    ("「神戸市の取組」 BYOD", None, (), (), ""),
    ("空港区域", None, (), (), ""),
    ("kintone", None, (), (), ""),
    ("市町村 DX", None, (), (), ""),
    ("きたみ 研修", None, (), (), ""),
]


@pytest.mark.parametrize(("query", "label", "codes", "prefectures", "rest"), SCOPES)
def test_scope_finder(finder: ScopeFinder, query: str, label: str | None, codes: tuple[str, ...],
                      prefectures: tuple[str, ...], rest: str) -> None:
    scope = finder.find(query)
    if label is None:
        assert scope is None
        return
    assert scope is not None
    assert (scope.label, scope.codes, scope.prefectures, scope.rest) == (label, codes, prefectures, rest)


def test_scope_marks_places_without_reports(finder: ScopeFinder) -> None:
    scope = finder.find("北見市 神戸市 kintone")
    assert scope is not None
    assert [(p.name, p.indexed) for p in scope.places] == [("北見市", False), ("神戸市", True)]


M = {"text": frozenset({"byod", "通信"}), "heading": frozenset({"費"})}
BYOD = Unit("BYOD", Or((Term("text", "byod"), Term("heading", "byod"))))
FEE = Unit("通信費", Or((Term("text", "通信費"), And((Term("text", "通信"), Term("text", "費"))))))
FEE_HEAD = Unit("通信費", And((Term("text", "通信"), Term("heading", "費"))))
PHRASE = Unit("私物 端末", Phrase("text", ("私物", "端末")))


@pytest.mark.parametrize(("units", "missing"), [
    ([BYOD], []),
    ([BYOD, FEE], ["通信費"]),
    ([FEE_HEAD], []),
    ([PHRASE, BYOD], ["私物 端末"]),
    ([FEE, FEE], ["通信費"]),
])
def test_missing_words(units: list[Unit], missing: list[str]) -> None:
    assert missing_words(units, M) == missing


# ---- the search service, both engines


@pytest.fixture(params=["sqlite", "whoosh"])
def any_service(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("service" if request.param == "sqlite" else "whoosh_service")


def test_city_in_query_scopes_and_answers(any_service: Any) -> None:
    result = any_service.search("福岡市 kintone")
    assert result["scope"]["label"] == "福岡市"
    assert result["scope"]["text"] == "福岡市の報告書に絞りました"
    assert all(h["municipality"] == "福岡市" for h in result["hits"])
    assert result["total"] == 0
    assert result["answer"] == {"found": False, "text": "福岡市の報告書に「kintone」の記載はありません",
                                "elsewhere": [{"municipality": "神戸市", "count": 1}]}


def test_reading_scopes_like_the_name(any_service: Any) -> None:
    by_name = any_service.search("福岡市 押印")
    by_reading = any_service.search("ふくおかし 押印")
    assert by_name["total"] == by_reading["total"] > 0
    assert [h["id"] for h in by_name["hits"]] == [h["id"] for h in by_reading["hits"]]
    assert by_reading["answer"]["found"] is True
    assert by_reading["answer"]["text"] == f"福岡市の報告書に「押印」の記載が{by_name['total']}件あります"


def test_municipality_without_reports(any_service: Any) -> None:
    result = any_service.search("北見市 kintone")
    assert result["answer"]["text"] == "北見市を視察した報告書は収録されていません"
    assert result["answer"]["elsewhere"] == [{"municipality": "神戸市", "count": 1}]
    assert result["hits"] == []


@pytest.mark.parametrize("kwargs", [{"exact": True}, {"scope": False}])
def test_scope_turned_off(any_service: Any, kwargs: dict[str, Any]) -> None:
    result = any_service.search("福岡市 kintone", **kwargs)
    assert result["scope"] is None and result["answer"] is None
    assert result["total"] > 0


@pytest.mark.parametrize(("kwargs", "total"), [
    ({"city": "福岡市"}, "same"), ({"city": "401307"}, "same"), ({"prefecture": "福岡県"}, "same"),
    ({"city": "神戸市"}, 0), ({"prefecture": "兵庫県"}, 0), ({"section": "qa"}, "fewer"),
])
def test_filters_narrow_the_scope(service: Any, kwargs: dict[str, Any], total: Any) -> None:
    """A facet link adds a filter to a scoped search: the scope stays and the filter narrows it."""
    scoped = service.search("福岡市 押印")
    narrowed = service.search("福岡市 押印", **kwargs)
    assert narrowed["scope"]["label"] == "福岡市"
    expected = {"same": scoped["total"], "fewer": narrowed["total"]}.get(total, total)
    assert narrowed["total"] == expected
    if total == "fewer":
        assert narrowed["total"] < scoped["total"]


def test_prefecture_filter_narrows_a_prefecture_scope(service: Any) -> None:
    assert service.search("兵庫県 kintone", prefecture="兵庫県")["total"] == 1
    assert service.search("兵庫県 kintone", prefecture="大阪府")["total"] == 0


def test_place_alone_lists_its_passages(service: Any) -> None:
    result = service.search("神戸市")
    assert result["scope"]["label"] == "神戸市"
    assert result["total"] == service.search("", city="神戸市")["total"] > 0
    assert {h["municipality"] for h in result["hits"]} == {"神戸市"}


def test_prefecture_scope(service: Any) -> None:
    result = service.search("兵庫県 kintone")
    assert result["scope"]["places"][0]["municipality"] == "兵庫県"
    assert result["total"] == 1 and result["hits"][0]["prefecture"] == "兵庫県"


def test_missing_words_in_some_mode(any_service: Any) -> None:
    result = any_service.search("大阪市 BYOD 通信費")
    assert result["mode"] == "any"
    assert result["hits"] and all(h["missing"] == ["通信費"] for h in result["hits"])
    assert result["answer"]["text"] == "大阪市の報告書に「BYOD」「通信費」をすべて含む記載はありません"
    every = any_service.search("BYOD 通信費", scope=False)
    assert every["mode"] in ("some", "any")
    for hit in every["hits"]:
        words = [w for w in ("BYOD", "通信費") if w not in hit["missing"]]
        assert words, hit["id"]
    assert any(h["missing"] == [] for h in every["hits"]) == (every["mode"] == "some")


def test_all_mode_has_no_missing(service: Any) -> None:
    result = service.search("BYOD")
    assert result["mode"] == "all" and all(h["missing"] == [] for h in result["hits"])


def test_search_page_shows_scope_answer_and_missing(client: Any) -> None:
    page = client.get("/search?q=福岡市+kintone").get_data(as_text=True)
    assert "福岡市の報告書に絞りました" in page
    assert "福岡市の報告書に「kintone」の記載はありません" in page
    assert re.search(r'href="/search\?q=kintone&amp;city=%E7%A5%9E%E6%88%B8%E5%B8%82">神戸市 1 件</a>', page)
    assert 'href="/search?q=%E7%A6%8F%E5%B2%A1%E5%B8%82+kintone&amp;scope=0"' in page
    assert '<a class="scope-city" href="/cities/401307">福岡市のページ</a>' in page
    some = client.get("/search?q=大阪市+BYOD+通信費").get_data(as_text=True)
    assert "含まない語: <s>通信費</s>" in some


def test_api_scope_off(client: Any) -> None:
    data = client.get("/api/search?q=福岡市+kintone&scope=0").get_json()
    assert data["scope"] is None and data["total"] > 0
    assert client.get("/api/search?q=福岡市+kintone").get_json()["scope"]["label"] == "福岡市"


def test_cli_scoped_search(runner: Any, index_dir: Any) -> None:
    from webui.cli import main

    out = runner.invoke(main, ["search", "福岡市 kintone", "--index", str(index_dir), "--exact"])
    assert "範囲" not in out.output
    out = runner.invoke(main, ["search", "福岡市 kintone", "--index", str(index_dir)])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[:4] == [
        "「福岡市 kintone」 0 件（すべての語を含む）",
        "範囲: 福岡市の報告書に絞りました（絞り込まずに検索するには --no-scope）",
        "答え: 福岡市の報告書に「kintone」の記載はありません",
        "他の自治体: 神戸市 1 件",
    ]


def test_qa_view_searches_a_place_as_a_word(service: Any) -> None:
    """The Q&A comparison has its own city boxes, so its query is not scoped."""
    qa = service.compare_qa("大阪市 BYOD")
    plain = service.search("大阪市 BYOD", section="qa", scope=False, limit=100)
    assert qa["total"] == plain["total"] > service.search("大阪市 BYOD", section="qa", limit=100)["total"]


@pytest.mark.parametrize("engine", ["service", "whoosh_service"])
def test_a_code_filter_outside_the_scope_matches_nothing(engine: str, request: pytest.FixtureRequest) -> None:
    svc = request.getfixturevalue(engine)
    assert svc.search("福岡市 押印", city="281000")["total"] == 0
    assert svc.search("兵庫県 kintone", prefecture="大阪府")["total"] == 0
