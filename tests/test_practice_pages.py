"""Practice pages, synonym notices and practice facets in the web UI and its JSON twins."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_catalogue_lists_categories_with_counts(client: FlaskClient) -> None:
    html = page(client, "/practices")
    assert "<h1>取組一覧</h1>" in html
    assert "クラウド・コラボレーション" in html
    assert 'href="/practices/kintone"' in html


def test_catalogue_json_twin_is_the_page_dict(client: FlaskClient) -> None:
    data = client.get("/api/practices").get_json()
    assert data["ok"] is True
    assert data["practices"] >= 80 and len(data["categories"]) >= 10
    byod = next(p for c in data["categories"] for p in c["practices"] if p["id"] == "byod")
    assert byod["cities"] >= 2 and byod["reports"] >= 2
    assert 0 < data["found"] <= data["practices"]


def test_practice_page_shows_cities_with_evidence(client: FlaskClient) -> None:
    html = page(client, "/practices/kintone")
    assert "<h1>kintone</h1>" in html
    assert "神戸市" in html
    assert '<mark class="match">kintone</mark>' in html
    assert 'href="/reports/yokohama-2022-07-digital-committee.txt#v2-p13"' in html


def test_practice_json_lists_cities_newest_first(client: FlaskClient) -> None:
    data = client.get("/api/practices/byod").get_json()
    assert data["ok"] is True and data["practice"]["id"] == "byod"
    cities = [c["municipality"] for c in data["cities"]]
    assert "大阪市" in cities and "中野区" in cities
    dates = [c["date"] for c in data["cities"] if c["date"]]
    assert dates == sorted(dates, reverse=True)
    osaka = next(c for c in data["cities"] if c["municipality"] == "大阪市")
    assert {"v1-p4", "v1-p7"} <= {p["id"] for p in osaka["passages"]}
    assert any("通信費" in qa["question"] for qa in osaka["qa"])


def test_practice_page_shows_figures_of_its_passages(client: FlaskClient) -> None:
    data = client.get("/api/practices/e-kobe").get_json()
    kobe = data["cities"][0]
    assert kobe["municipality"] == "神戸市"
    assert {(f["value"], f["unit"], f["approx"]) for f in kobe["figures"]} >= {(1000, "件", True), (60000, "人", True)}
    assert "約6万人" in page(client, "/practices/e-kobe")


@pytest.mark.parametrize("path", ["/api/practices/no-such-practice", "/practices/no-such-practice"])
def test_unknown_practice_is_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.get_json() == {"ok": False, "error": response.get_json()["error"], "status": 404}
        assert "no-such-practice" in response.get_json()["error"]


def test_search_page_names_the_synonyms_and_links_exact_search(client: FlaskClient) -> None:
    html = page(client, "/search?q=%E3%82%AD%E3%83%B3%E3%83%88%E3%83%BC%E3%83%B3")  # キントーン
    assert "「キントーン」を「kintone」" in html
    assert "としても検索しました" in html
    assert "exact=1" in html and "入力した語だけで検索する" in html
    exact = page(client, "/search?q=%E3%82%AD%E3%83%B3%E3%83%88%E3%83%BC%E3%83%B3&exact=1")
    assert "入力した語だけで検索しています" in exact
    assert "該当する箇所は見つかりませんでした" in exact


def test_search_json_lists_expansions(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "オフィス365"}).get_json()
    assert data["expanded"][0]["term"] == "オフィス365"
    assert data["expanded"][0]["practice"] == "microsoft-365"
    assert "Microsoft 365" in data["expanded"][0]["as"]
    assert data["hits"][0]["municipality"] == "大阪市"
    assert {"id": "microsoft-365", "name": "Microsoft 365"} in data["hits"][0]["practices"]


def test_practice_facet_and_filter(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "タブレット"}).get_json()
    labels = {f["value"]: f["label"] for f in data["facets"]["practice"]}
    assert labels.get("zoom") == "Zoom"
    narrowed = client.get("/api/search", query_string={"q": "タブレット", "practice": "zoom"}).get_json()
    assert narrowed["filters"]["practice"] == "zoom"
    assert 0 < narrowed["total"] < data["total"]
    assert all("zoom" in [p["id"] for p in hit["practices"]] for hit in narrowed["hits"])
    html = page(client, "/search?q=%E3%82%BF%E3%83%96%E3%83%AC%E3%83%83%E3%83%88&practice=zoom")
    assert "取組" in html and "Zoom" in html


def test_city_filter_by_reading(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"city": "こうべ"}).get_json()
    assert data["filters"]["city"] == "神戸市"
    assert data["total"] > 0 and {h["municipality"] for h in data["hits"]} == {"神戸市"}
    assert "「こうべ」を「神戸市」として絞り込みました" in data["notices"]


def test_bad_practice_param_is_400_json(client: FlaskClient) -> None:
    response = client.get("/api/search", query_string={"q": "BYOD", "practice": "nope"})
    assert response.status_code == 400
    assert "practice" in response.get_json()["error"]


def test_report_page_shows_practices_and_figures(client: FlaskClient) -> None:
    html = page(client, "/reports/yokohama-2022-07-digital-committee.txt")
    assert 'href="/practices/kintone"' in html
    assert "主な数値" in html and "20,875" in html


def test_cli_get_prints_practice_json(runner: object, index_dir: object) -> None:
    from click.testing import CliRunner

    from webui.cli import main

    assert isinstance(runner, CliRunner)
    result = runner.invoke(main, ["get", "/api/practices/kintone", "--index", str(index_dir)])
    assert result.exit_code == 0
    assert json.loads(result.output)["practice"]["id"] == "kintone"


@pytest.mark.parametrize("engine", ["service", "whoosh_service"])
def test_practice_pages_split_the_whole_list(engine: str, request: pytest.FixtureRequest,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    service = request.getfixturevalue(engine)
    whole = service.practice("byod")
    assert whole["pages"] == 1 and whole["total"]["entries"] == len(whole["cities"]) >= 3
    monkeypatch.setattr("index.practices.ENTRIES_PER_PAGE", 2)
    pages = [service.practice("byod", page) for page in range(1, 4)]
    assert {p["pages"] for p in pages} == {-(-len(whole["cities"]) // 2)}
    assert [c for p in pages for c in p["cities"]] == whole["cities"][:6]
    assert all(p["total"] == whole["total"] for p in pages)
    assert service.practice("byod", 99)["cities"] == []


def test_practice_page_links_its_pages(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("index.practices.ENTRIES_PER_PAGE", 1)
    html = page(client, "/practices/byod?page=2")
    assert 'aria-label="自治体の一覧のページ送り"' in html
    assert 'href="/practices/byod?page=3#cities"' in html and 'rel="prev" href="/practices/byod?page=1#cities"' in html
    data = client.get("/api/practices/byod", query_string={"page": "2"}).get_json()
    assert data["page"] == 2 and len(data["cities"]) == 1
    assert "2〜2件目" in html and 'href="/api/practices/byod?page=2"' in html


@pytest.mark.parametrize("value", ["0", "-1", "x"])
def test_practice_page_refuses_a_bad_page(client: FlaskClient, value: str) -> None:
    response = client.get("/api/practices/byod", query_string={"page": value})
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and body["status"] == 400 and "page" in body["error"]
