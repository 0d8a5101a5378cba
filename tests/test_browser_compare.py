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
    # compact: the cell's other passages open in place
    osaka.get_by_role("button", name=re.compile("さらに表示")).click()
    assert osaka.locator('.cell-full a[href$="yokohama-2022-07-digital-committee.txt#v1-p4"]').count() == 1
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


def test_compact_comparison_fits_three_screens_and_opens_in_place(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/compare?cities=大阪市,神戸市")
    save_screenshot(page, "compare-compact")
    assert page.evaluate("document.body.scrollHeight") <= 2750
    osaka = cell(page, "row-byod", "大阪市")
    more = osaka.locator(".cell-expand")
    assert more.get_attribute("role") == "button" and more.inner_text() == "さらに表示（2件）"
    assert more.get_attribute("aria-expanded") == "false" and not osaka.locator(".cell-full").is_visible()
    more.click()
    assert osaka.locator(".cell-full").is_visible() and osaka.locator(".cell-full .cell-passage").count() == 3
    assert more.get_attribute("aria-expanded") == "true" and more.inner_text() == "閉じる"
    more.press(" ")
    assert not osaka.locator(".cell-full").is_visible()
    assert more.inner_text() == "さらに表示（2件）"
    # the footnotes are folded until a citation is followed
    assert not page.locator(".source-list").is_visible()
    more.click()
    osaka.locator(".cell-full a.cite").first.click()
    assert page.locator(".source-list").is_visible()
    page.get_by_role("link", name="すべての記述を表示").click()
    page.wait_for_url(re.compile(r"view=full"))
    assert page.locator("tr#row-byod > td").first.locator(".cell-passage").count() == 3
    assert page.locator(".source-list").is_visible()


def test_a_compact_page_is_as_tall_with_500_reports_as_with_5(page: Any, live_server: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from test_compare_web import inflate

    import webui.compare as webui_compare

    real = webui_compare.compare_result
    heights = []
    for reports, copies in ((5, 10), (500, 200)):
        monkeypatch.setattr(webui_compare, "compare_result",
                            lambda args, r=reports, c=copies: inflate(real(args), r, c))
        page.goto(f"{live_server}/compare?cities=大阪市,神戸市")
        heights.append(page.evaluate("document.body.scrollHeight"))
    assert heights[0] == heights[1]


def test_city_boxes_complete_by_reading_with_the_keyboard(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/compare")
    box = page.locator("input[name=city]").first
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-autocomplete") == "list"
    box.press_sequentially("こうべ")
    listbox = page.get_by_role("listbox")
    option = listbox.get_by_role("option").first
    assert "神戸市" in option.inner_text() and "報告書なし" not in option.inner_text()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.press("Enter")
    assert box.input_value() == "神戸市" and box.get_attribute("aria-expanded") == "false"
    assert page.url.endswith("/compare")  # Enter chose, it did not submit
    other = page.locator("input[name=city]").nth(1)
    other.press_sequentially("さっぽろ")
    sapporo = page.get_by_role("listbox").get_by_role("option").first
    assert "札幌市" in sapporo.inner_text() and "報告書なし" in sapporo.inner_text()
    save_screenshot(page, "citybox")
    other.press("Escape")
    assert other.get_attribute("aria-expanded") == "false" and other.input_value() == "さっぽろ"


def test_a_box_of_several_cities_completes_the_last(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/qa")
    box = page.locator("input[name=cities]")
    box.fill("大阪市,")
    box.press_sequentially("281000")
    page.get_by_role("listbox").get_by_role("option", name=re.compile("神戸市")).wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "大阪市,神戸市"
