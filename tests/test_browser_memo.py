"""The memo in a real browser: pin a search hit, list it on /memo, export CSV and Markdown, delete it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import save_screenshot

pytestmark = pytest.mark.browser


def download_bytes(page: Any, button: str) -> tuple[str, bytes]:
    """Click ``button`` on the memo page and return the downloaded file's name and bytes."""
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def pin_first_hit(page: Any, live_server: str) -> dict[str, Any]:
    """Open the BYOD search, pin the first hit, return what its button holds."""
    page.goto(f"{live_server}/search?q=BYOD")
    first = page.locator(".hit").first.locator(".memo-add")
    item: dict[str, Any] = first.evaluate("b => JSON.parse(b.dataset.memo)")
    save_screenshot(page, "search")
    first.click()
    assert first.inner_text() == "メモ済み"
    assert first.get_attribute("aria-pressed") == "true"
    assert page.locator(".memo-nav").inner_text() == "メモ(1)"
    return item


def test_pin_list_export_and_delete(page: Any, live_server: str) -> None:
    item = pin_first_hit(page, live_server)
    council = " ".join(part for part in (item["council"], item.get("body", "")) if part)
    assert item["municipality"] and council

    page.goto(f"{live_server}/memo")
    city = page.locator(".memo-city")
    assert city.count() == 1
    assert city.locator("h2").inner_text().startswith(item["municipality"])
    assert council in city.locator(".memo-cite").inner_text()
    assert city.locator(".memo-cite a").get_attribute("href") == item["url"]
    save_screenshot(page, "memo")

    name, data = download_bytes(page, "CSVで保存")
    assert name.endswith(".csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][:3] == ["自治体", "都道府県", "種類"] and len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["自治体"] == item["municipality"] and row["議会"] == council
    assert row["リンク"] == live_server + item["url"]

    name, data = download_bytes(page, "Markdownで保存")
    markdown = data.decode("utf-8")
    assert name.endswith(".md")
    assert f"## {item['municipality']}" in markdown
    citation = next(line for line in markdown.splitlines() if line.startswith("- 出典: "))
    assert council in citation and f"<{live_server}{item['url']}>" in citation
    assert re.search(r"視察日 \d{4}年\d{1,2}月\d{1,2}日", citation)

    page.get_by_role("button", name=re.compile("メモから削除")).click()
    assert page.locator(".memo-empty").is_visible()
    assert "まだメモはありません" in page.locator(".memo-empty").inner_text()
    assert page.locator(".memo-nav").inner_text() == "メモ"


def test_pinned_state_survives_reload_and_toggles_off(page: Any, live_server: str) -> None:
    pin_first_hit(page, live_server)
    page.reload()
    first = page.locator(".hit").first.locator(".memo-add")
    assert first.inner_text() == "メモ済み"
    first.click()
    assert first.inner_text() == "メモに追加"
    assert page.locator(".memo-nav").inner_text() == "メモ"


def test_report_qa_pair_is_pinned_with_question_and_answer(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/reports/yokohama-2022-07-digital-committee.txt")
    qa = page.locator(".passage-qa:has(dl.qa)").first
    question = qa.locator(".qa-text").first.inner_text()
    qa.locator(".memo-add").click()
    page.goto(f"{live_server}/memo")
    assert page.locator(".memo-item .qa-q").count() == 1
    assert page.locator(".memo-item .qa-text").first.inner_text() == question
    assert page.locator(".memo-kind").inner_text() == "質疑応答"


def test_clear_all_asks_first(page: Any, live_server: str) -> None:
    pin_first_hit(page, live_server)
    page.goto(f"{live_server}/memo")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="すべて削除").click()
    assert page.locator(".memo-item").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="すべて削除").click()
    assert page.locator(".memo-empty").is_visible()


def test_corrupt_memo_is_reported_not_fatal(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/memo")
    page.evaluate("localStorage.setItem('dxkb-memo', '{not json')")
    page.reload()
    assert "読み取れませんでした" in page.locator("#memo-status").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="すべて削除").click()
    assert page.locator(".memo-empty").is_visible()
    assert page.evaluate("localStorage.getItem('dxkb-memo')") is None


def test_pages_have_no_console_errors(page: Any, live_server: str) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: errors.append(str(err)))
    for path in ("/search?q=BYOD", "/memo", "/reports/yokohama-2022-07-digital-committee.txt", "/practices"):
        page.goto(live_server + path)
    assert errors == []


CELL = {
    "kind": "cell", "municipality": "森町", "prefecture": "北海道", "practice": "Microsoft 365",
    "text": "平成26年から導入\n全職員に展開",
    "sources": [
        {"council": "春日部市議会", "title": "行政視察報告書", "date": "2023-10-12", "file": "a.txt",
         "passage": "v1-p3", "url": "/reports/a.txt#v1-p3"},
        {"council": "木更津市議会", "title": '報告書 "B"', "date": "2025-10-01", "file": "b.txt",
         "passage": "v1-p1", "url": "//elsewhere.example/b"},
    ],
}


def test_comparison_cell_cites_each_source(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/memo")
    page.evaluate("cell => localStorage.setItem('dxkb-memo', JSON.stringify([cell]))", CELL)
    page.reload()
    item = page.locator(".memo-item")
    assert item.locator(".memo-kind").inner_text() == "比較表"
    assert item.locator(".memo-item-title").inner_text() == "Microsoft 365"
    cites = item.locator(".memo-cite")
    assert cites.count() == 2
    assert "春日部市議会「行政視察報告書」、視察日 2023年10月12日、森町（北海道）" in cites.nth(0).inner_text()
    assert cites.nth(1).locator("a").count() == 0  # only same-site paths become links
    _, data = download_bytes(page, "CSVで保存")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["取組"] == "Microsoft 365" and row["本文"] == CELL["text"]
    assert row["議会"] == "春日部市議会 / 木更津市議会" and row["報告書"] == '行政視察報告書 / 報告書 "B"'
    assert row["リンク"] == f"{live_server}/reports/a.txt#v1-p3"


def test_a_search_hit_and_its_qa_pair_are_pinned_once(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q=BYOD&section=qa")
    hit = page.locator(".hit").first
    url = hit.locator(".hit-report a").get_attribute("href")
    hit.locator(".memo-add").click()
    page.goto(live_server + url)
    anchor = url.split("#", 1)[1]
    assert page.locator(f"[id='{anchor}'] .memo-add").inner_text() == "メモ済み"
    assert page.locator(".memo-nav").inner_text() == "メモ(1)"


def test_blocked_storage_is_explained_not_fatal(page: Any, live_server: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.add_init_script("Object.defineProperty(window, 'localStorage', "
                         "{get() { throw new DOMException('blocked', 'SecurityError'); }})")
    page.goto(f"{live_server}/memo")
    assert "保存できません" in page.locator("#memo-status").inner_text()
    assert page.get_by_role("button", name="CSVで保存").is_disabled()
    page.goto(f"{live_server}/search?q=BYOD")
    page.locator(".hit .memo-add").first.click()
    assert "保存できません" in page.locator("#memo-toast").inner_text()
    assert page.locator(".hit .memo-add").first.inner_text() == "メモに追加"
    assert errors == []
