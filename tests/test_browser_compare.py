"""Comparing cities in a real browser: from a search to the table, its exports, the memo and the matrix."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import save_screenshot

pytestmark = pytest.mark.browser

BOM = b"\xef\xbb\xbf"


def download(page: Any, locator: Any) -> tuple[str, bytes]:
    """Click ``locator`` and return the downloaded file's suggested name and bytes."""
    with page.expect_download() as info:
        locator.click()
    got = info.value
    return got.suggested_filename, Path(got.path()).read_bytes()


def column_of(page: Any, city: str) -> int:
    """The 0-based cell index of ``city``'s column in the comparison table's rows."""
    names = page.locator(".compare-table thead .city-name").all_inner_texts()
    assert city in names, names
    return names.index(city)


def cell(page: Any, row_id: str, city: str) -> Any:
    return page.locator(f".compare-table tr#{row_id} > td").nth(column_of(page, city))


def open_comparison_from_search(page: Any, live_server: str) -> None:
    """Search 「BYOD」, compare the result cities, then add 神戸市 by its reading."""
    page.goto(f"{live_server}/search?q=BYOD")
    save_screenshot(page, "search-byod")
    page.get_by_role("link", name=re.compile("結果の自治体を比較する")).click()
    page.wait_for_url(re.compile(r"/compare\?"))
    assert "大阪市" in page.locator(".compare-table thead").inner_text()
    empty = page.locator("input[name=city]")
    slot = next(i for i in range(empty.count()) if not empty.nth(i).input_value())
    empty.nth(slot).fill("こうべ")
    page.get_by_role("button", name="比較する").click()
    page.wait_for_load_state()


def test_search_to_comparison_export_and_memo(page: Any, live_server: str) -> None:
    open_comparison_from_search(page, live_server)
    heads = page.locator(".compare-table thead .city-name").all_inner_texts()
    assert {"大阪市", "神戸市"} <= set(heads)
    assert "「こうべ」を「神戸市」として比較しました" in page.locator(".notice").all_inner_texts()
    osaka = cell(page, "row-byod", "大阪市")
    assert osaka.locator("mark").first.inner_text() == "BYOD"
    assert osaka.locator('a[href$="yokohama-2022-07-digital-committee.txt#v1-p4"]').count() == 1
    assert cell(page, "row-byod", "神戸市").inner_text().strip().startswith("記載なし")
    save_screenshot(page, "compare")

    name, data = download(page, page.get_by_role("link", name="CSVで保存"))
    assert name.endswith(".csv") and data.startswith(BOM)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][:2] == ["分野", "項目"] and {"大阪市", "神戸市"} <= set(rows[0])
    byod = next(r for r in rows if r[1] == "BYOD")
    assert "BYOD" in byod[rows[0].index("大阪市")] and byod[rows[0].index("神戸市")] == "記載なし"

    osaka.locator(".memo-add").click()
    assert page.locator(".memo-nav").inner_text() == "メモ(1)"
    page.goto(f"{live_server}/memo")
    assert "大阪市" in page.locator("main").inner_text()
    name, data = download(page, page.get_by_role("button", name="CSVで保存"))
    assert data.startswith(BOM)
    text = data.decode("utf-8-sig")
    assert "大阪市" in text and "BYOD" in text and "yokohama-2022-07-digital-committee.txt#v1-p4" in text
    name, data = download(page, page.get_by_role("button", name="Markdownで保存"))
    assert "大阪市" in data.decode("utf-8")


def test_markdown_export_and_print_layout(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/compare?cities=大阪市,神戸市&q=研修")
    name, data = download(page, page.get_by_role("link", name="Markdownで保存"))
    assert name.endswith(".md")
    text = data.decode("utf-8")
    assert text.startswith("# 大阪市・神戸市の比較（検索語「研修」）") and "## 出典" in text
    page.emulate_media(media="print")
    assert not page.locator(".compare-form").is_visible()
    assert page.locator(".source-url").first.is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    # A4 landscape: 842 × 595 points
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box is not None and round(float(box.group(1))) == 842 and round(float(box.group(2))) == 595


def test_matrix_sorts_and_links_to_evidence(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/matrix")
    save_screenshot(page, "matrix")
    page.locator(".matrix-cat a", has_text="端末").click()
    page.wait_for_url(re.compile(r"sort=devices"))
    first = page.locator(".matrix-table tbody tr").first
    assert page.locator(".matrix-cat.is-sorted").inner_text().startswith("端末")
    first.locator("td.heat a").first.click()
    page.wait_for_url(re.compile(r"/compare\?"))
    assert page.locator(".compare-table thead .city-name").count() == 1
    assert page.locator(".group-row").first.inner_text()


def test_home_map_links_to_a_prefecture(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/")
    save_screenshot(page, "home")
    page.locator('svg a[href*="pref="]').first.click()
    page.wait_for_url(re.compile(r"pref="))
    assert page.locator(".hit").count() > 0
