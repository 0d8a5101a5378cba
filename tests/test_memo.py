"""The memo page and the 「メモに追加」 buttons: each carries a citation that points at a real passage."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

YOKOHAMA = "yokohama-2022-07-digital-committee.txt"
CITATION_KEYS = ("kind", "municipality", "prefecture", "council", "title", "date", "file", "passage", "url")


def memo_items(html: bytes) -> list[dict[str, Any]]:
    """The JSON object of every memo button on a page."""
    soup = BeautifulSoup(html, "html.parser")
    buttons = soup.select("button.memo-add")
    assert all(b.get_text(strip=True) == "メモに追加" for b in buttons)
    return [json.loads(str(b["data-memo"])) for b in buttons]


def passage_anchors(client: FlaskClient, url: str) -> set[str]:
    """The passage anchors (element ids) of the report page ``url`` points into."""
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    return {str(tag["id"]) for tag in BeautifulSoup(response.data, "html.parser").select(".passage[id]")}


def assert_points_at_its_passage(client: FlaskClient, item: dict[str, Any]) -> None:
    """The item's link is /reports/FILE#PASSAGE and that anchor exists on the report page."""
    parts = urlsplit(item["url"])
    assert unquote(parts.path) == f"/reports/{item['file']}"
    assert parts.fragment == item["passage"]
    assert item["passage"] in passage_anchors(client, item["url"])


def test_memo_page_is_a_shell_for_the_script(client: FlaskClient) -> None:
    response = client.get("/memo")
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one('script[src="/static/memo.js"][defer]') is not None
    assert "JavaScript" in soup.select_one("noscript").get_text()
    assert soup.select_one("#memo-list") is not None
    assert "まだメモはありません" in soup.select_one("#memo-empty").get_text()
    assert {b.get_text(strip=True) for b in soup.select(".memo-actions button")} == {
        "Markdownで保存", "CSVで保存", "すべて削除"}
    assert "サーバーには送られません" in soup.get_text()


def test_memo_page_has_no_inline_script(client: FlaskClient) -> None:
    soup = BeautifulSoup(client.get("/memo").data, "html.parser")
    assert all(tag.get("src") for tag in soup.find_all("script"))
    assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs)


def test_every_page_links_the_memo_and_loads_its_script(client: FlaskClient) -> None:
    for path in ("/", "/search?q=BYOD", f"/reports/{YOKOHAMA}", "/practices"):
        soup = BeautifulSoup(client.get(path).data, "html.parser")
        nav = soup.select_one(".site-nav a.memo-nav")
        assert nav is not None and nav["href"] == "/memo" and nav.get_text(strip=True) == "メモ"
        assert soup.select_one('script[src="/static/memo.js"]') is not None


def test_each_search_hit_has_a_memo_button_citing_it(client: FlaskClient) -> None:
    html = client.get("/search?q=BYOD").data
    hits = BeautifulSoup(html, "html.parser").select(".hit")
    items = memo_items(html)
    assert hits and len(items) == len(hits)
    for item in items:
        assert set(CITATION_KEYS) <= set(item)
        assert item["kind"] == "passage" and item["text"]
        assert item["municipality"] and item["title"] and (item["council"] or item["body"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", item["date"])
    for item in items[:3]:
        assert_points_at_its_passage(client, item)


def test_report_page_pins_passages_and_qa_pairs(client: FlaskClient) -> None:
    html = client.get(f"/reports/{YOKOHAMA}").data
    report = client.get(f"/api/reports/{YOKOHAMA}").get_json()
    items = memo_items(html)
    anchors = passage_anchors(client, f"/reports/{YOKOHAMA}")
    assert {item["passage"] for item in items} == anchors
    qa = [item for item in items if item["kind"] == "qa"]
    assert len(qa) == sum(len(v["qa"]) for v in report["visits"])
    first = report["visits"][0]["qa"][0]
    pinned = next(item for item in qa if item["passage"] == first["passage"])
    assert (pinned["question"], pinned["answer"]) == (first["question"], first["answer"])
    for item in items:
        assert item["title"] == report["title"] and item["file"] == YOKOHAMA
        assert (item["council"], item["body"]) == (report["council"], report["body"])
        assert item["url"] == f"/reports/{YOKOHAMA}#{item['passage']}"


@pytest.mark.parametrize("visit", [0, 1])
def test_report_passages_cite_their_visit(client: FlaskClient, visit: int) -> None:
    report = client.get(f"/api/reports/{YOKOHAMA}").get_json()
    v = report["visits"][visit]
    ids = {p["id"] for p in v["passages"]}
    items = [item for item in memo_items(client.get(f"/reports/{YOKOHAMA}").data) if item["passage"] in ids]
    assert items
    assert {(i["municipality"], i["prefecture"], i["date"]) for i in items} == {
        (v["municipality"], v["prefecture"], v["date"])}


def test_practice_page_pins_its_evidence(client: FlaskClient) -> None:
    page = client.get("/api/practices/microsoft-365").get_json()
    items = memo_items(client.get("/practices/microsoft-365").data)
    evidence = sum(len(c["passages"]) for c in page["cities"])
    assert len(items) == evidence
    assert {item["practice"] for item in items} == {page["practice"]["name"]}
    for item in items[:3]:
        assert item["municipality"] and item["date"]
        assert_points_at_its_passage(client, item)


def test_memo_json_cannot_break_out_of_its_attribute(client: FlaskClient) -> None:
    html = client.get(f"/reports/{YOKOHAMA}").data.decode("utf-8")
    for attr in re.findall(r"data-memo='([^']*)'", html):
        assert "<" not in attr and ">" not in attr
        json.loads(attr.replace("&#39;", "'"))
