"""A municipality's page in a real browser: from a search hit's municipality to its page and back to the report."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import save_screenshot

pytestmark = pytest.mark.browser


def test_search_hit_municipality_opens_its_page(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q=BYOD")
    page.locator(".hit-municipality a", has_text="大阪市").first.click()
    page.wait_for_url(re.compile(r"/cities/271004$"))
    assert page.locator("h1").inner_text().startswith("大阪市")
    assert page.locator(".year-chart").get_attribute("role") == "img"
    visit = page.locator(".city-visit").first
    assert "デジタル化推進特別委員会" in visit.inner_text()
    save_screenshot(page, "city-osaka")
    visit.get_by_role("link", name="デジタル化推進特別委員会行政視察概要").click()
    page.wait_for_url(re.compile(r"/reports/yokohama-2022-07-digital-committee\.txt#visit-1$"))
    assert "大阪市" in page.locator("#visit-1 h2").inner_text()


def test_a_shared_name_offers_a_choice(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/cities/府中市")
    page.get_by_role("link", name="府中市（東京都）").click()
    page.wait_for_url(re.compile(r"/cities/132063$"))
    assert "府中市を視察した報告書は収録されていません" in page.locator(".notice").inner_text()
    save_screenshot(page, "city-no-report")
