"""The Flask web layer: HTML pages, their JSON twins and the error shapes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webui import create_app

YOKOHAMA = "yokohama-2022-07-digital-committee.txt"

HOSTILE_QUERIES = [
    "",
    " ",
    "　",
    "あ" * 2000,
    "BYOD " * 400,
    ')(*"',
    "<script>alert(1)</script>",
    '"BYOD',
    '"BYOD" "',
    "「書かない窓口",
    "AND OR NOT",
    "*",
    "?",
    "title:BYOD",
    "\\",
    "%00",
    "\x00",
    "' OR 1=1 --",
    "{{ 7*7 }}",
]

BAD_PARAMS = [
    ("page=abc", "page"),
    ("page=0", "page"),
    ("page=-3", "page"),
    ("limit=100000", "limit"),
    ("limit=0", "limit"),
    ("limit=ten", "limit"),
    ("year=xx", "year"),
    ("section=bogus", "section"),
]


def assert_error_shape(data: Any, status: int) -> None:
    """The one JSON error shape of every JSON route."""
    assert data["ok"] is False
    assert data["status"] == status
    assert isinstance(data["error"], str) and data["error"]


def passage_ids(report: dict[str, Any]) -> list[str]:
    """Every passage id of a report dict, report-level and per visit."""
    ids = [p["id"] for p in report["passages"]]
    for visit in report["visits"]:
        ids.extend(p["id"] for p in visit["passages"])
    return ids


# --- pages and their JSON twins ---------------------------------------------


def test_home_lists_bundled_reports(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'lang="ja"' in html
    assert "例：BYOD" in html
    assert f"/reports/{YOKOHAMA}" in html
    assert "大阪市" in html


def test_search_page_shows_hits_with_marks(client: FlaskClient) -> None:
    response = client.get("/search?q=BYOD")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "大阪市" in html
    assert re.search(r"<mark\b[^>]*>BYOD</mark>", html)
    assert re.search(r"\d+件", html)
    assert f'href="/reports/{YOKOHAMA}#v' in html


def test_root_with_query_is_the_search_page(client: FlaskClient) -> None:
    html = client.get("/?q=BYOD").get_data(as_text=True)
    assert re.search(r"<mark\b[^>]*>BYOD</mark>", html)


def test_api_search_is_the_service_dict(client: FlaskClient) -> None:
    data = client.get("/api/search?q=BYOD").get_json()
    assert data["ok"] is True
    assert data["total"] > 0
    assert data["hits"][0]["municipality"] == "大阪市"
    assert sum(f["count"] for f in data["facets"]["section"]) == data["total"]


def test_search_json_alias_matches_api(client: FlaskClient) -> None:
    api = client.get("/api/search?q=BYOD&limit=5").get_json()
    alias = client.get("/search.json?q=BYOD&limit=5").get_json()
    assert [h["id"] for h in alias["hits"]] == [h["id"] for h in api["hits"]]
    assert alias["total"] == api["total"]


def test_html_and_json_show_the_same_hits(client: FlaskClient) -> None:
    data = client.get("/api/search?q=BYOD&limit=5").get_json()
    html = client.get("/search?q=BYOD&limit=5").get_data(as_text=True)
    assert f"{data['total']}件" in html
    for hit in data["hits"]:
        assert f"/reports/{hit['file']}#{hit['passage']}" in html


def test_filter_narrows_results_and_shows_a_chip(client: FlaskClient) -> None:
    everything = client.get("/api/search?q=BYOD").get_json()
    osaka = client.get("/api/search?q=BYOD&city=大阪市").get_json()
    assert 0 < osaka["total"] < everything["total"]
    assert {h["municipality"] for h in osaka["hits"]} == {"大阪市"}
    html = client.get("/search?q=BYOD&city=大阪市").get_data(as_text=True)
    assert "chip-active" in html
    assert 'href="/search?q=BYOD"' in html  # the chip removes the filter


def test_facet_links_toggle_their_filter(client: FlaskClient) -> None:
    html = client.get("/search?q=BYOD").get_data(as_text=True)
    links = re.findall(r'class="facet-link[^"]*" href="([^"]+)"', html)
    assert links
    params = [parse_qs(urlsplit(link.replace("&amp;", "&")).query) for link in links]
    assert all(p["q"] == ["BYOD"] for p in params)
    assert any("section" in p for p in params) and any("city" in p for p in params)


def test_section_badge_uses_japanese_label(client: FlaskClient) -> None:
    html = client.get("/search?q=BYOD&section=qa").get_data(as_text=True)
    assert "質疑応答" in html
    assert "badge-qa" in html


ANY_NOTICE = "すべての語を含む結果がないため、いずれかの語を含む結果を表示しています"


@pytest.mark.parametrize("query, mode", [("BYOD 動物愛護", "any"), ("BYOD", "all")])
def test_any_mode_is_announced(client: FlaskClient, query: str, mode: str) -> None:
    data = client.get("/api/search", query_string={"q": query}).get_json()
    html = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    assert data["mode"] == mode
    assert (ANY_NOTICE in html) == (mode == "any")


def test_pagination_keeps_state_in_url(client: FlaskClient) -> None:
    first = client.get("/api/search?q=DX&limit=2").get_json()
    assert first["pages"] > 1
    html = client.get("/search?q=DX&limit=2").get_data(as_text=True)
    assert 'href="/search?q=DX&amp;limit=2&amp;page=2"' in html
    second = client.get("/api/search?q=DX&limit=2&page=2").get_json()
    assert second["page"] == 2
    assert {h["id"] for h in second["hits"]}.isdisjoint(h["id"] for h in first["hits"])


def test_report_page_has_an_anchor_per_passage(client: FlaskClient) -> None:
    report = client.get(f"/api/reports/{YOKOHAMA}").get_json()
    html = client.get(f"/reports/{YOKOHAMA}").get_data(as_text=True)
    ids = passage_ids(report)
    assert ids
    for pid in ids:
        assert f'id="{pid}"' in html
    assert "大阪市" in html and "神戸市" in html


def test_report_page_shows_qa_as_question_and_answer(client: FlaskClient) -> None:
    report = client.get(f"/api/reports/{YOKOHAMA}").get_json()
    html = client.get(f"/reports/{YOKOHAMA}").get_data(as_text=True)
    qa_count = sum(len(v["qa"]) for v in report["visits"])
    assert qa_count > 0
    assert html.count('class="qa-mark qa-q"') >= qa_count


def test_api_report_is_the_report_dict(client: FlaskClient) -> None:
    data = client.get(f"/api/reports/{YOKOHAMA}").get_json()
    assert data["ok"] is True
    assert data["file"] == YOKOHAMA
    assert [v["municipality"] for v in data["visits"]][:2] == ["大阪市", "神戸市"]


def test_api_stats(client: FlaskClient) -> None:
    data = client.get("/api/stats").get_json()
    assert data["ok"] is True
    assert data["reports"] == data["total"] == len(data["files"]) > 0 and (data["page"], data["pages"]) == (1, 1)
    assert any(m["value"] == "大阪市" for m in data["municipalities"])


def test_start_page_pages_its_reports(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from index import search as search_module

    monkeypatch.setattr(search_module, "REPORTS_PER_PAGE", 3)
    first = client.get("/api/stats").get_json()
    total = first["total"]
    assert first["pages"] == -(-total // 3) > 2 and first["limit"] == 3 and len(first["files"]) == 3
    listed = [f["file"] for page in range(1, first["pages"] + 1)
              for f in client.get(f"/api/stats?page={page}").get_json()["files"]]
    assert listed == sorted(listed) and len(set(listed)) == total == first["reports"]
    second = client.get("/api/stats?page=2").get_json()
    assert {k: v for k, v in second.items() if k not in ("files", "page")} == {
        k: v for k, v in first.items() if k not in ("files", "page")}
    assert client.get(f"/api/stats?page={first['pages'] + 1}").get_json()["files"] == []
    for bad in ("0", "x"):
        refused = client.get(f"/api/stats?page={bad}")
        assert refused.status_code == 400 and "page" in refused.get_json()["error"]
    html = client.get("/?page=2").get_data(as_text=True)
    assert 'href="/?page=1#reports">← 前へ' in html and 'href="/?page=3#reports">次へ →' in html
    assert '<span class="page-current" aria-current="page">2</span>' in html and "4〜6件目" in html
    assert all(name in html for name in listed[3:6]) and listed[0] not in html


# --- errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/reports/no-such-report.txt",
        "/api/reports/../etc/passwd",
        "/api/reports/%2e%2e/x",
    ],
)
def test_unknown_report_is_404_json(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert_error_shape(response.get_json(), 404)


@pytest.mark.parametrize("name", ["no-such-report.txt", "no-such-report.json"])
def test_unknown_report_page_is_404_html(client: FlaskClient, name: str) -> None:
    response = client.get(f"/reports/{name}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert name in response.get_data(as_text=True)


def test_search_json_errors_are_json(client: FlaskClient) -> None:
    response = client.get("/search.json?q=BYOD&page=abc")
    assert response.status_code == 400
    assert_error_shape(response.get_json(), 400)


@pytest.mark.parametrize("path", ["/api/nothing", "/api/", "/api/search/extra"])
def test_unknown_api_route_is_404_json(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert_error_shape(response.get_json(), 404)


def test_unknown_page_is_404_html(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "ページが見つかりません" in response.get_data(as_text=True)


def test_wrong_method_on_api_is_405_json(client: FlaskClient) -> None:
    response = client.post("/api/search")
    assert response.status_code == 405
    assert_error_shape(response.get_json(), 405)


@pytest.mark.parametrize("query_string, name", BAD_PARAMS)
def test_bad_params_are_400_json(
    client: FlaskClient, query_string: str, name: str
) -> None:
    response = client.get(f"/api/search?q=BYOD&{query_string}")
    assert response.status_code == 400
    data = response.get_json()
    assert_error_shape(data, 400)
    assert name in data["error"]


@pytest.mark.parametrize("query_string, name", BAD_PARAMS)
def test_bad_params_are_400_html(
    client: FlaskClient, query_string: str, name: str
) -> None:
    response = client.get(f"/search?q=BYOD&{query_string}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert name in response.get_data(as_text=True)


def test_page_message_names_the_parameter(client: FlaskClient) -> None:
    data = client.get("/api/search?q=BYOD&page=abc").get_json()
    assert "page は1以上の整数で指定してください" in data["error"]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
@pytest.mark.parametrize("path", ["/search", "/api/search"])
def test_hostile_queries_never_fail(client: FlaskClient, path: str, query: str) -> None:
    response = client.get(path, query_string={"q": query})
    assert response.status_code in (200, 400)
    if path.startswith("/api/"):
        data = response.get_json()
        if response.status_code == 400:
            assert_error_shape(data, 400)
        else:
            assert data["ok"] is True
    else:
        html = response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html


def test_query_is_not_evaluated_as_a_template(client: FlaskClient) -> None:
    html = client.get("/search", query_string={"q": "{{ 7*7 }}"}).get_data(as_text=True)
    assert "{{ 7*7 }}" in html


def test_script_query_is_escaped_everywhere(client: FlaskClient) -> None:
    html = client.get(
        "/search", query_string={"q": "<script>alert(1)</script> BYOD"}
    ).get_data(as_text=True)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("param", ["city", "pref", "section"])
def test_hostile_filters_are_escaped(client: FlaskClient, param: str) -> None:
    response = client.get(
        "/search", query_string={"q": "BYOD", param: "<script>alert(1)</script>"}
    )
    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_html_pages_forbid_external_resources(client: FlaskClient) -> None:
    response = client.get("/search?q=BYOD")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html)


# --- configuration ----------------------------------------------------------


def test_service_is_created_once_per_app(app: Flask, client: FlaskClient) -> None:
    client.get("/api/stats")
    first = app.extensions["dxkb"]
    client.get("/api/search?q=BYOD")
    assert app.extensions["dxkb"] is first


def test_missing_index_is_503(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")})
    client = app.test_client()
    api = client.get("/api/stats")
    assert api.status_code == 503
    assert_error_shape(api.get_json(), 503)
    page = client.get("/")
    assert page.status_code == 503
    assert "索引" in page.get_data(as_text=True)


def test_config_from_prefixed_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DXKB_INDEX_DIR", str(tmp_path / "idx"))
    monkeypatch.setenv("DXKB_REPORTS_DIR", str(tmp_path / "reports"))
    app = create_app()
    assert app.config["INDEX_DIR"] == str(tmp_path / "idx")
    assert app.config["REPORTS_DIR"] == str(tmp_path / "reports")


def test_config_default_index_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DXKB_INDEX_DIR", raising=False)
    monkeypatch.setenv("DXKB_INDEX", "/srv/dxkb-index")
    assert create_app().config["INDEX_DIR"] == "/srv/dxkb-index"


def test_explicit_config_wins_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXKB_INDEX_DIR", "/from/env")
    assert create_app({"INDEX_DIR": "/explicit"}).config["INDEX_DIR"] == "/explicit"
