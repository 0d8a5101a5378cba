"""A question about one city in a real browser: 「福岡市 kintone」 says the plain answer and where else kintone is."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import save_screenshot

pytestmark = pytest.mark.browser


def test_city_question_answers_plainly(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/")
    page.locator("#q").fill("福岡市 kintone")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    scope = page.locator(".notice-scope")
    assert "福岡市の報告書に絞りました" in scope.inner_text()
    assert scope.locator(".answer").inner_text() == "福岡市の報告書に「kintone」の記載はありません"
    assert page.locator(".hit").count() == 0
    save_screenshot(page, "search-scoped-answer")
    scope.get_by_role("link", name="神戸市 1 件").click()
    page.wait_for_url(re.compile(r"city="))
    assert page.locator(".hit").count() == 1
    assert page.locator(".hit .hit-municipality").inner_text() == "神戸市"
    assert page.locator(".hit mark").first.inner_text().lower() == "kintone"


def test_unscoped_link_searches_every_city(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q=福岡市+kintone")
    page.get_by_role("link", name=re.compile("絞り込まずに")).click()
    page.wait_for_url(re.compile(r"scope=0"))
    assert page.locator(".notice-scope").count() == 0
    places = set(page.locator(".hit .hit-municipality").all_inner_texts())
    assert {"福岡市", "神戸市"} <= places


def test_missing_words_are_listed(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q=大阪市+BYOD+通信費")
    missing = page.locator(".hit-missing").all_inner_texts()
    assert missing and all(m == "含まない語: 通信費" for m in missing)
