"""Municipality pages: /cities/<code>, its JSON twin, the service dict and `dxkb city`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from index import cities
from index.search import SearchService
from kb.errors import NotFoundError, QueryError
from kb.municipalities import MunicipalityTable
from kb.taxonomy import default_taxonomy
from webui.cli import main

OSAKA, HAKODATE = "271004", "012025"
FUCHU_TOKYO, FUCHU_HIROSHIMA = "132063", "342084"
YOKOHAMA = "yokohama-2022-07-digital-committee.txt"
SAME_NAME = Path(__file__).resolve().parent / "data" / "same-name"


def get_json(client: FlaskClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    data: dict[str, Any] = response.get_json()
    return data


def html(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


# --------------------------------------------------------------------------
# The service dict


def test_osaka_page_has_the_yokohama_visit(service: SearchService) -> None:
    data = service.city(OSAKA)
    assert data["municipality"] == {"code": OSAKA, "name": "大阪市", "prefecture": "大阪府",
                                    "reading": "おおさかし", "label": "大阪市（大阪府）"}
    [visit] = data["visits"]
    assert (visit["file"], visit["date"], visit["visit"], visit["body"]) == (
        YOKOHAMA, "2022-07-21", 1, "デジタル化推進特別委員会")
    assert "大阪市におけるOffice 365導入経緯とクラウドサービス及びモバイルワークの活用状況" in visit["topics"]
    assert visit["passages"] == data["total"]["passages"] == 15
    assert (data["page"], data["pages"], data["years"]) == (1, 1, [{"year": "2022", "visits": 1}])
    assert data["notices"] == []


def test_visits_are_newest_first_and_counted_per_year(service: SearchService) -> None:
    data = service.city(HAKODATE)
    dates = [v["date"] for v in data["visits"]]
    assert len(dates) == data["total"]["visits"] == 3
    assert dates == sorted(dates, reverse=True)
    assert data["years"] == [{"year": "2024", "visits": 2}, {"year": "2025", "visits": 1}]


def test_practices_come_with_counts_and_marked_evidence(service: SearchService) -> None:
    practices = {p["id"]: p for p in service.city(OSAKA)["practices"]}
    byod = practices["byod"]
    assert (byod["name"], byod["passages"], byod["reports"]) == ("BYOD", 3, 1)
    # One passage per report, a description before the Q&A that also names it.
    assert [(e["file"], e["passage"], e["section"]) for e in byod["evidence"]] == [(YOKOHAMA, "v1-p4", "content")]
    assert '<mark class="match">BYOD</mark>' in byod["evidence"][0]["snippet"]


def test_practices_are_ordered_by_reports_then_passages(service: SearchService) -> None:
    data = service.city(HAKODATE)
    keys = [(-p["reports"], -p["passages"]) for p in data["practices"]]
    assert keys == sorted(keys)
    assert len(data["practices"]) == min(cities.SHOWN_PRACTICES, data["total"]["practices"])
    two = [p for p in data["practices"] if p["reports"] > 1]
    assert two and all(len({e["file"] for e in p["evidence"]}) == 2 for p in two)


def test_qa_figures_and_observations_cite_their_passage(service: SearchService) -> None:
    data = service.city(OSAKA)
    assert [q["passage"] for q in data["qa"]] == ["v1-p7", "v1-p8", "v1-p9", "v1-p10"]
    assert "通信費用" in data["qa"][0]["question"] and data["qa"][0]["file"] == YOKOHAMA
    assert {(f["value"], f["unit"], f["passage"]) for f in data["figures"]} == {(10, "分", "v1-p10"),
                                                                              (20875, "人", "v1-p14")}
    assert [o["passage"] for o in data["observations"]] == ["v1-p11", "v1-p12", "v1-p13", "v1-p14"]
    assert all("source" not in item for kind in ("qa", "figures", "observations") for item in data[kind])
    assert (data["total"]["qa"], data["total"]["figures"], data["total"]["observations"]) == (4, 2, 4)


def test_a_municipality_without_reports_has_a_page(service: SearchService) -> None:
    data = service.city(FUCHU_TOKYO)
    assert data["municipality"]["label"] == "府中市（東京都）"
    assert data["visits"] == data["practices"] == data["qa"] == data["years"] == []
    assert data["notices"] == ["府中市を視察した報告書は収録されていません"]


def test_a_shared_name_gives_a_choice(service: SearchService) -> None:
    data = service.city("府中市")
    assert [(c["code"], c["label"], c["visits"]) for c in data["choices"]] == [
        (FUCHU_TOKYO, "府中市（東京都）", 0), (FUCHU_HIROSHIMA, "府中市（広島県）", 1)]
    assert "municipality" not in data


@pytest.mark.parametrize("key, code", [
    ("大阪市", OSAKA), ("おおさかし", OSAKA), ("オオサカ", OSAKA), ("osaka", OSAKA), ("Osakashi", OSAKA),
    ("東京都府中市", FUCHU_TOKYO), ("広島県府中市", FUCHU_HIROSHIMA), ("はこだて", HAKODATE), (" 函館市 ", HAKODATE),
])
def test_names_and_readings_lead_to_the_code(service: SearchService, key: str, code: str) -> None:
    assert service.city(key) == {"key": key, "redirect": code}
    assert service.city(key, follow=True)["municipality"]["code"] == code


def test_a_followed_reading_says_how_it_was_read(service: SearchService) -> None:
    assert service.city("おおさかし", follow=True)["notices"] == ["「おおさかし」を「大阪市」として表示しています"]
    assert service.city("大阪市", follow=True) == service.city(OSAKA)


@pytest.mark.parametrize("key", ["ほげほげ", "999999", "1", "大阪", "", "東京都大阪市"])
def test_unknown_keys_are_not_found_naming_the_parameter(service: SearchService, key: str) -> None:
    with pytest.raises(NotFoundError) as err:
        service.city(key)
    assert str(err.value).startswith("city の「")


def test_a_page_below_one_is_refused(service: SearchService) -> None:
    with pytest.raises(QueryError) as err:
        service.city(OSAKA, 0)
    assert err.value.subject == "page"


def test_visits_are_paged(service: SearchService, monkeypatch: pytest.MonkeyPatch) -> None:
    everything = service.city(HAKODATE)["visits"]
    monkeypatch.setattr(cities, "VISITS_PER_PAGE", 1)
    pages = [service.city(HAKODATE, n) for n in (1, 2, 3, 4)]
    assert [p["pages"] for p in pages] == [3, 3, 3, 3]
    assert [v for p in pages[:3] for v in p["visits"]] == everything
    assert pages[3]["visits"] == [] and pages[3]["total"]["visits"] == 3


def test_lists_are_cut_and_counted(service: SearchService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cities, "SHOWN_ITEMS", 2)
    monkeypatch.setattr(cities, "SHOWN_PRACTICES", 3)
    data = service.city(HAKODATE)
    assert [len(data[k]) for k in ("practices", "qa", "figures", "observations")] == [3, 2, 2, 2]
    assert data["total"]["qa"] == 14 and data["total"]["practices"] == 14


class Spy:
    """A reader that records the filters and files the page asks it for."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.filters: list[dict[str, Any]] = []
        self.reports: list[str] = []

    def passages(self, filters: Any, **kwargs: Any) -> Any:
        self.filters.append(dict(filters))
        return self.reader.passages(filters, **kwargs)

    def items(self, filters: Any, kinds: Any) -> Any:
        self.filters.append(dict(filters))
        return self.reader.items(filters, kinds)

    def report(self, file: str) -> Any:
        self.reports.append(file)
        return self.reader.report(file)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reader, name)


def test_the_page_reads_the_city_only_and_the_shown_reports(service: SearchService,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cities, "VISITS_PER_PAGE", 1)
    spy = Spy(service.reader())
    row = MunicipalityTable.load().by_code(HAKODATE)
    assert row is not None
    data = cities.city_page(spy, default_taxonomy(), row, 2)  # type: ignore[arg-type]
    assert all(f.get("code") == (HAKODATE,) for f in spy.filters)
    assert spy.reports == [data["visits"][0]["file"]]


def test_both_engines_give_the_same_page(service: SearchService, whoosh_service: SearchService) -> None:
    for key in (OSAKA, HAKODATE, FUCHU_TOKYO, "府中市"):
        assert whoosh_service.city(key) == service.city(key)


@pytest.mark.parametrize("reports, years", [
    ([], []),
    ([{"date": "2022-07-21"}], [("2022", 1)]),
    ([{"date": "2025-01-01"}, {"date": "2022-05-01"}, {"date": "2022-09-01"}],
     [("2022", 2), ("2023", 0), ("2024", 0), ("2025", 1)]),
    ([{"date": ""}, {"date": "2020-01-01"}, {}], [("2020", 1), ("", 2)]),
])
def test_visits_per_year_fills_the_gaps(reports: list[dict[str, Any]], years: list[tuple[str, int]]) -> None:
    assert [(y["year"], y["visits"]) for y in cities.visits_per_year(reports)] == years


def test_a_long_passage_is_quoted_around_its_mention() -> None:
    text = "あ" * 300 + "BYODを導入した。" + "い" * 300
    quoted = cities.excerpt(text, "byod", default_taxonomy(), width=100)
    assert quoted.startswith("…") and quoted.endswith("…")
    assert '<mark class="match">BYOD</mark>' in quoted
    assert len(quoted.replace('<mark class="match">', "").replace("</mark>", "")) == 102


# --------------------------------------------------------------------------
# Same-named municipalities with reports (朝日町 in 山形県 and 富山県)


@pytest.fixture(scope="module")
def asahi(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    from index.build import build_index

    target = tmp_path_factory.mktemp("asahi-city")
    assert build_index([SAME_NAME], target).ok
    return SearchService(target)


def test_same_named_towns_are_a_choice_and_each_page_is_its_own(asahi: SearchService) -> None:
    choice = asahi.city("朝日町")
    visited = [(c["code"], c["prefecture"]) for c in choice["choices"] if c["visits"]]
    assert visited == [("063231", "山形県"), ("163431", "富山県")]
    toyama = asahi.city(asahi.city("富山県朝日町")["redirect"])
    yamagata = asahi.city("063231")
    assert {p["id"] for p in toyama["practices"]} & {"kintone"} and not {p["id"] for p in toyama["practices"]} & {"byod"}
    assert {p["id"] for p in yamagata["practices"]} & {"byod"}
    assert toyama["visits"][0]["file"] != yamagata["visits"][0]["file"]


# --------------------------------------------------------------------------
# Web


def test_page_and_json_twin_share_the_dict(client: FlaskClient, service: SearchService) -> None:
    data = get_json(client, f"/api/cities/{OSAKA}")
    assert data.pop("ok") is True
    assert data == json.loads(json.dumps(service.city(OSAKA), ensure_ascii=False))
    page = html(client, f"/cities/{OSAKA}")
    assert "<h1>大阪市" in page
    assert f'href="/reports/{YOKOHAMA}#visit-1"' in page
    for practice in data["practices"]:
        assert f'href="/practices/{practice["id"]}"' in page
        for e in practice["evidence"]:
            assert f'href="/reports/{e["file"]}#{e["passage"]}"' in page
    for kind, key in (("qa", "question"), ("observations", "text")):
        for item in data[kind]:
            assert item[key] in page
    assert 'role="img"' in page and "2022年 1件" in page
    assert f'href="/api/cities/{OSAKA}"' in page


@pytest.mark.parametrize("path, target", [
    ("/cities/" + quote("大阪市"), f"/cities/{OSAKA}"),
    ("/cities/osaka?page=2", f"/cities/{OSAKA}?page=2"),
    ("/cities/" + quote("東京都府中市"), f"/cities/{FUCHU_TOKYO}"),
])
def test_names_redirect_to_the_code(client: FlaskClient, path: str, target: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_the_api_answers_a_name_with_the_code_s_dict(client: FlaskClient) -> None:
    by_reading = get_json(client, "/api/cities/" + quote("おおさかし"))
    assert by_reading.pop("notices") == ["「おおさかし」を「大阪市」として表示しています"]
    assert {k: v for k, v in get_json(client, f"/api/cities/{OSAKA}").items() if k != "notices"} == by_reading
    assert by_reading["municipality"]["code"] == OSAKA


def test_a_shared_name_lists_the_choices(client: FlaskClient) -> None:
    page = html(client, "/cities/" + quote("府中市"))
    assert "この名前（読み）の自治体が2団体あります" in page
    assert f'href="/cities/{FUCHU_TOKYO}">府中市（東京都）</a>' in page
    assert f'href="/cities/{FUCHU_HIROSHIMA}">府中市（広島県）</a>' in page
    assert len(get_json(client, "/api/cities/" + quote("府中市"))["choices"]) == 2


def test_a_page_without_reports_says_so(client: FlaskClient) -> None:
    page = html(client, f"/cities/{FUCHU_TOKYO}")
    assert "府中市を視察した報告書は収録されていません" in page
    assert 'id="visits"' not in page


@pytest.mark.parametrize("path, status, subject", [
    ("/api/cities/" + quote("ほげほげ"), 404, "city"),
    ("/api/cities/999999", 404, "city"),
    (f"/api/cities/{OSAKA}?page=0", 400, "page"),
    (f"/api/cities/{OSAKA}?page=x", 400, "page"),
])
def test_errors_have_the_json_shape(client: FlaskClient, path: str, status: int, subject: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    body = response.get_json()
    assert body == {"ok": False, "error": body["error"], "status": status}
    assert body["error"].startswith(subject)


def test_an_unknown_city_page_is_a_japanese_404(client: FlaskClient) -> None:
    response = client.get("/cities/" + quote("ほげほげ"))
    assert response.status_code == 404
    assert "city の「ほげほげ」は市区町村として見つかりません" in response.get_data(as_text=True)


def test_paged_visits_use_the_pager_and_cut_lists_link_to_all(client: FlaskClient,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cities, "VISITS_PER_PAGE", 1)
    monkeypatch.setattr(cities, "SHOWN_ITEMS", 2)
    page = html(client, f"/cities/{HAKODATE}?page=2")
    assert "2〜2件目（視察日の新しい順）" in page
    assert f'href="/cities/{HAKODATE}?page=3#visits">次へ →</a>' in page
    assert "ほか 12 件" in page and f'href="/search?city={HAKODATE}&amp;section=qa"' in page
    assert "このページに視察はありません" in html(client, f"/cities/{HAKODATE}?page=9")


@pytest.mark.parametrize("path, link", [
    ("/search?q=BYOD", f'<a class="city-link" href="/cities/{OSAKA}">大阪市</a>'),
    (f"/reports/{YOKOHAMA}", f'<a class="city-link" href="/cities/{OSAKA}">大阪市</a>'),
    ("/practices/byod", f'<a class="city-link" href="/cities/{OSAKA}">大阪市</a>'),
    ("/matrix", f'<a class="city-link" href="/cities/{HAKODATE}">函館市</a>'),
    ("/", f'href="/cities/{quote("函館市")}"'),
])
def test_municipality_names_link_to_their_page(client: FlaskClient, path: str, link: str) -> None:
    assert link in html(client, path)


# --------------------------------------------------------------------------
# CLI


def test_cli_prints_the_page(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["city", "大阪市", "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:5] == [
        "大阪市（大阪府） おおさかし 団体コード 271004",
        "視察報告書 1件・15箇所（取組 17・質疑応答 4・数値 2・所見 4）",
        "■ 年ごとの視察: 2022年 1件",
        "■ 視察（1/1ページ、新しい順）",
        f"  1. 2022-07-21 デジタル化推進特別委員会 「デジタル化推進特別委員会行政視察概要」 {YOKOHAMA}#visit-1",
    ]
    assert f"  BYOD（byod） 報告書 1・3箇所: {YOKOHAMA}#v1-p4" in lines
    assert "■ 質疑応答（4/4件）" in lines and "■ 主な数値（2/2件）" in lines and "■ 所見（4/4件）" in lines


def test_cli_lists_choices_and_json(runner: CliRunner, index_dir: Path, service: SearchService) -> None:
    result = runner.invoke(main, ["city", "府中市", "--index", str(index_dir)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "「府中市」に当たる自治体が2団体あります（団体コードで指定してください）",
        f"  {FUCHU_TOKYO} 府中市（東京都） ふちゅうし 報告書 0件",
        f"  {FUCHU_HIROSHIMA} 府中市（広島県） ふちゅうし 報告書 1件",
    ]
    result = runner.invoke(main, ["city", "はこだて", "--json", "--page", "1", "--index", str(index_dir)])
    assert json.loads(result.output) == service.city("はこだて", follow=True)


def test_cli_reports_unknown_cities(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["city", "ほげほげ", "--index", str(index_dir)])
    assert result.exit_code == 1
    assert "エラー: city の「ほげほげ」は市区町村として見つかりません" in result.output


@pytest.mark.parametrize("url", [
    "/compare?cities=" + quote("大阪市,神戸市"),
    "/qa?q=BYOD&cities=" + quote("大阪市,神戸市"),
])
def test_comparison_columns_link_to_the_city_pages(client: FlaskClient, url: str) -> None:
    page = html(client, url)
    assert f'<a class="city-link" href="/cities/{OSAKA}">大阪市</a>' in page
    assert '<a class="city-link" href="/cities/281000">神戸市</a>' in page
