"""The comparison pages, their JSON twins, exports and the `dxkb compare` command."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

import webui.compare as webui_compare
from webui.cli import main

OSAKA_KOBE = "cities=" + quote("大阪市,神戸市")


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_compare_page_has_a_column_per_city_and_empty_cells(client: FlaskClient) -> None:
    html = page(client, f"/compare?{OSAKA_KOBE}")
    assert "<h1>大阪市・神戸市の比較</h1>" in html
    assert html.count('class="city-name"') == 2
    kintone = re.search(r'<tr id="row-kintone".*?</tr>', html, re.DOTALL)
    assert kintone is not None
    assert "記載なし" in kintone.group() and "kintone" in kintone.group()
    assert 'href="/reports/yokohama-2022-07-digital-committee.txt#v2-p13"' in kintone.group()
    assert '<section class="sources" id="sources"' in html


def test_compare_json_twins_are_the_page_dict(client: FlaskClient) -> None:
    api = client.get(f"/api/compare?{OSAKA_KOBE}").get_json()
    alias = client.get(f"/compare.json?{OSAKA_KOBE}").get_json()
    assert api == alias and api["ok"] is True
    assert [c["municipality"] for c in api["cities"]] == ["大阪市", "神戸市"]


def test_repeated_city_parameters_work_like_cities(client: FlaskClient) -> None:
    a = client.get("/api/compare?city=" + quote("大阪市") + "&city=" + quote("こうべ")).get_json()
    assert [c["municipality"] for c in a["cities"]] == ["大阪市", "神戸市"]


def test_compare_page_without_cities_shows_the_form_and_choices(client: FlaskClient) -> None:
    html = page(client, "/compare")
    assert '<datalist id="municipality-list">' in html
    # the list offers each city by its reading in katakana and hiragana: こうべ finds 神戸市
    assert '<option value="神戸市" label="兵庫県　コウベシ　こうべし">' in html
    assert "比較する" in html


@pytest.mark.parametrize(("url", "parameter"), [
    ("/api/compare", "cities"),
    ("/api/compare?cities=" + quote("ほげほげ市"), "cities"),
    ("/compare.json?cities=" + quote("大阪市") + "&category=nope", "category"),
    ("/api/qa", "q"),
    ("/api/matrix?sort=size", "sort"),
    ("/api/matrix?year=abc", "year"),
])
def test_bad_parameters_give_the_json_error_shape(client: FlaskClient, url: str, parameter: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    data = response.get_json()
    assert data["ok"] is False and data["status"] == 400 and parameter in data["error"]


def test_bad_parameters_on_a_page_give_a_japanese_error_page(client: FlaskClient) -> None:
    response = client.get("/compare?cities=" + quote("ほげほげ市"))
    assert response.status_code == 400
    assert "ほげほげ市" in response.get_data(as_text=True)


def test_compare_csv_download_is_utf8_with_bom(client: FlaskClient) -> None:
    response = client.get(f"/compare.csv?{OSAKA_KOBE}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="dxkb.csv"')
    assert unquote(disposition.split("UTF-8''")[1]) == "比較_大阪市_神戸市.csv"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0] == "分野,項目,大阪市,神戸市"
    assert "http://localhost/reports/yokohama-2022-07-digital-committee.txt#v2-p13" in text


def test_compare_markdown_download(client: FlaskClient) -> None:
    response = client.get(f"/compare.md?{OSAKA_KOBE}&q=" + quote("研修"))
    assert response.mimetype == "text/markdown"
    text = response.get_data(as_text=True)
    assert text.startswith("# 大阪市・神戸市の比較（検索語「研修」）")
    assert "## 出典" in text


def test_export_links_keep_the_comparison(client: FlaskClient) -> None:
    html = page(client, f"/compare?{OSAKA_KOBE}&q=BYOD&category=devices")
    link = re.search(r'href="(/compare\.csv\?[^"]+)"', html)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    data = client.get(url.replace("/compare.csv", "/compare.json")).get_json()
    assert data["query"] == "BYOD" and data["categories"] == ["devices"]


def test_comparison_cells_carry_a_memo_item_with_citations(client: FlaskClient) -> None:
    html = page(client, f"/compare?{OSAKA_KOBE}")
    items = [json.loads(m.replace("&#39;", "'").replace("&amp;", "&"))
             for m in re.findall(r"data-memo='([^']*)'", html)]
    cell = next(i for i in items if i["kind"] == "cell" and i["practice"] == "kintone")
    assert cell["municipality"] == "神戸市"
    assert cell["sources"][0]["url"] == "/reports/yokohama-2022-07-digital-committee.txt#v2-p13"
    assert any(i["kind"] == "qa" and i["question"] for i in items)


def test_search_results_link_to_a_comparison_of_their_cities(client: FlaskClient) -> None:
    html = page(client, "/search?q=BYOD")
    link = re.search(r'class="button-link compare-link" href="([^"]+)"', html)
    assert link is not None
    url = unquote(link.group(1).replace("&amp;", "&"))
    assert url.startswith("/compare?cities=") and "大阪市" in url and url.endswith("&q=BYOD")


def test_qa_page_and_twins(client: FlaskClient) -> None:
    html = page(client, "/qa?q=" + quote("研修"))
    assert "「研修」についての質疑応答" in html and 'class="qa-card"' in html
    data = client.get("/api/qa?q=" + quote("研修")).get_json()
    assert data == client.get("/qa.json?q=" + quote("研修")).get_json()
    csv_body = client.get("/qa.csv?q=" + quote("研修")).get_data()
    assert csv_body.startswith(b"\xef\xbb\xbf") and "DX基礎研修".encode() in csv_body
    assert page(client, "/qa").count('class="qa-card"') == 0


def test_matrix_page_is_a_heat_map_linking_to_evidence(client: FlaskClient) -> None:
    html = page(client, "/matrix")
    assert "自治体×分野の一覧表" in html
    # 大阪市 has 5 device passages of a largest cell of 12: level 3. The cell links to that evidence,
    # naming the city with its prefecture, which tells apart towns of one name.
    link = f'<td class="heat heat-3"><a href="/compare?cities={quote("大阪府大阪市")}&amp;category=devices"'
    assert link in html
    sorted_html = page(client, "/matrix?sort=devices&pref=" + quote("大阪府"))
    assert 'class="matrix-cat is-sorted"' in sorted_html
    assert client.get("/api/matrix").get_json()["ok"] is True
    body = client.get("/matrix.csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf") and "大阪市".encode() in body


def test_municipality_autocomplete_by_reading(client: FlaskClient) -> None:
    data = client.get("/api/municipalities?q=" + quote("こうべ")).get_json()
    assert data["items"][0] == {"municipality": "神戸市", "prefecture": "兵庫県", "code": "281000",
                                "kana": "コウベシ", "indexed": True}
    assert client.get("/api/municipalities").get_json()["items"] == []


def test_navigation_links_to_the_comparison_pages(client: FlaskClient) -> None:
    html = page(client, "/")
    for href in ('href="/compare"', 'href="/matrix"', 'href="/qa"'):
        assert href in html


# --- the command ---------------------------------------------------------------


def test_cli_compare_prints_rows_with_passage_ids(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["compare", "--cities", "大阪市,神戸市", "--category", "low-code",
                                  "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith("  大阪市（大阪府）: 2022-07-21 yokohama-2022-07-digital-committee.txt")
    assert lines[:1] + lines[3:] == [
        "大阪市・神戸市の比較",
        "■ ローコード・内製開発",
        "  kintone（kintone）",
        "    大阪市: 記載なし",
        "    神戸市: yokohama-2022-07-digital-committee.txt#v2-p13",
        "  Microsoft Power Platform（power-platform）",
        "    大阪市: 記載なし",
        "    神戸市: yokohama-2022-07-digital-committee.txt#v2-p14",
        "  内製化（in-house-development）",
        "    大阪市: 記載なし",
        "    神戸市: yokohama-2022-07-digital-committee.txt#v2-p12",
        "■ 主な数値: 大阪市 2件、神戸市 12件",
        "■ 質疑応答: 大阪市 4件、神戸市 9件",
        "■ 所見: 大阪市 4件、神戸市 6件",
    ]


def test_cli_compare_json_has_the_rows_the_question_needs(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["compare", "--cities", "大阪市,神戸市", "--json", "--index", str(index_dir)])
    assert result.exit_code == 0
    data = json.loads(result.output)
    rows = {r["practice"]["id"]: r for g in data["groups"] for r in g["rows"]}
    for practice_id in ("byod", "dx-training", "kintone", "e-kobe", "teams"):
        assert practice_id in rows
    assert [p["passage"] for p in rows["byod"]["cells"][0]["passages"]] == ["v1-p4", "v1-p7", "v1-p14"]


@pytest.mark.parametrize(("flag", "start"), [("--csv", "\ufeff分野,項目,大阪市,神戸市\r\n"),
                                             ("--md", "# 大阪市・神戸市の比較\n")])
def test_cli_compare_exports(runner: CliRunner, index_dir: Path, flag: str, start: str) -> None:
    result = runner.invoke(main, ["compare", "--cities", "大阪市,神戸市", flag, "--index", str(index_dir)])
    assert result.exit_code == 0
    assert result.stdout_bytes.decode("utf-8").startswith(start)


def test_cli_compare_error_is_japanese_with_status_1(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["compare", "--cities", "ほげほげ市", "--index", str(index_dir)])
    assert result.exit_code == 1
    assert result.stderr == "エラー: cities の「ほげほげ市」は市区町村として見つかりません\n"


def test_cli_matrix_and_qa(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["matrix", "--pref", "兵庫県", "--index", str(index_dir)])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "1団体（分野ごとの記載箇所数）"
    assert result.output.splitlines()[1].startswith("神戸市（兵庫県） 計24: クラウド・コラボレーション 2、")
    result = runner.invoke(main, ["qa", "--practice", "byod", "--cities", "大阪市", "--index", str(index_dir)])
    assert result.exit_code == 0
    assert result.output.splitlines()[:5] == [
        "# （取組：BYOD）についての質疑応答", "", "## 大阪市", "",
        "- 問：BYODにより個人のデバイスからの利用にかかる通信費用を利用者負担にしている考え方は何か。"]


def test_one_city_is_a_profile_that_invites_another(client: FlaskClient) -> None:
    html = page(client, "/compare?cities=" + quote("群馬県"))
    assert "上の欄に自治体を加えると、横に並べて比較できます。" in html
    assert html.count('class="city-name"') == 1
    assert 'class="chip" href="/compare?cities=%E7%BE%A4%E9%A6%AC%E7%9C%8C"' in page(client, "/compare")


def _cell_html(html: str, row_id: str, column: int) -> str:
    found = re.search(rf'<tr id="{row_id}".*?</tr>', html, re.DOTALL)
    assert found is not None, row_id
    return re.findall(r"<td class=\"cell.*?</td>", found.group(), re.DOTALL)[column]


def test_the_comparison_is_compact_by_default(client: FlaskClient) -> None:
    html = page(client, f"/compare?{OSAKA_KOBE}")
    assert 'class="compare-table is-compact"' in html
    assert re.search(r'href="/compare\?view=full&amp;cities=[^"]+">すべての記述を表示</a>', html)
    # 大阪市's BYOD cell: 3 passages of 1 report, the most telling one as a line, the rest held hidden
    cell = _cell_html(html, "row-byod", 0)
    assert "3件・1報告書" in cell and "さらに表示（2件）" in cell
    lead = re.search(r'<p class="cell-lead".*?</p>', cell, re.DOTALL)
    assert lead is not None and "#v1-p4" in lead.group() and '<mark class="match">BYOD</mark>' in lead.group()
    hidden = re.search(r'<div class="cell-full" id="([^"]+)" hidden>(.*?)</div>\s*</td>', cell, re.DOTALL)
    assert hidden is not None and f'aria-controls="{hidden.group(1)}"' in cell
    assert [a for a in ("#v1-p4", "#v1-p7", "#v1-p14") if a in hidden.group(2)] == ["#v1-p4", "#v1-p7", "#v1-p14"]
    assert 'class="memo-add"' in hidden.group(2)
    # a one-passage cell opens its full text; an empty one says so
    assert "全文を表示" in _cell_html(html, "row-kintone", 1)
    assert "記載なし" in _cell_html(html, "row-kintone", 0)
    # extra rows: the first few items, then 「さらに表示」
    assert "さらに表示（8件）" in _cell_html(html, "row-qa", 1)


def test_the_full_view_lists_every_passage(client: FlaskClient) -> None:
    html = page(client, f"/compare?{OSAKA_KOBE}&view=full")
    assert 'class="compare-table"' in html and "要約表示に戻る" in html and "さらに表示" not in html
    cell = _cell_html(html, "row-byod", 0)
    assert cell.count('class="cell-passage"') == 3 and "hidden" not in cell


def test_the_view_changes_neither_the_json_nor_the_exports(client: FlaskClient) -> None:
    for path in ("/api/compare", "/compare.json", "/compare.csv", "/compare.md"):
        compact = client.get(f"{path}?{OSAKA_KOBE}&q=BYOD").get_data()
        assert client.get(f"{path}?{OSAKA_KOBE}&q=BYOD&view=full").get_data() == compact, path


def test_a_compact_cell_holds_a_few_passages_and_links_to_the_rest(client: FlaskClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webui_compare, "CELL_HOLDS", 2)
    html = page(client, f"/compare?{OSAKA_KOBE}")
    cell = _cell_html(html, "row-generative-ai", 1)
    assert "6件・1報告書" in cell and "さらに表示（5件）" in cell
    assert cell.count('class="cell-passage"') == 2
    link = re.search(r'<p class="cell-beyond"><a href="([^"]+)">ほか4件は検索で見る</a>', cell)
    assert link is not None
    assert unquote(link.group(1).replace("&amp;", "&")) == "/search?practice=generative-ai&city=神戸市&pref=兵庫県"


def inflate(result: dict[str, Any], reports: int, copies: int) -> dict[str, Any]:
    """``result`` as if each city had ``reports`` reports and each cell ``copies`` times its passages."""
    big = copy.deepcopy(result)
    for city in big["cities"]:
        first = city["reports"][0]
        city["reports"] = [{**first, "file": f"r{i}.txt"} for i in range(reports)]
        city["passages"] *= copies
    for group in big["groups"]:
        for row in group["rows"]:
            for cell in row["cells"]:
                cell["passages"] = [{**p, "passage": f"{p['passage']}-{i}"}
                                    for i in range(copies) for p in cell["passages"]]
                cell["count"] = len(cell["passages"])
    for kind in ("figures", "qa", "observations"):
        for cell in big[kind]:
            cell["items"] = cell["items"] * copies
            cell["count"] = len(cell["items"])
    return big


def test_the_compact_page_does_not_grow_with_the_reports(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    real = webui_compare.compare_result

    def sized(reports: int, copies: int) -> str:
        monkeypatch.setattr(webui_compare, "compare_result", lambda args: inflate(real(args), reports, copies))
        return page(client, f"/compare?{OSAKA_KOBE}")

    def shape(html: str) -> list[int]:
        return [html.count(mark) for mark in ('class="cell-passage"', "<li><time", 'class="cell-figure"',
                                              'class="qa cell-qa"', 'class="cell-observation"', '<li id="src-')]

    # 5 reports, every cell holding its fill, against 500 reports with 20 times the passages
    few, many = sized(5, 10), sized(500, 200)
    assert shape(few) == shape(many)
    assert "ほか497件の報告書" in many and "ほか2件の報告書" in few
    assert len(many) < 2 * len(few)


@pytest.mark.parametrize(("query", "name", "indexed"), [
    ("こうべ", "神戸市", True),
    ("コウベ", "神戸市", True),
    ("kobe", "神戸市", True),
    ("Kobe", "神戸市", True),
    ("281000", "神戸市", True),
    ("２８１０００", "神戸市", True),
    ("おおさかし", "大阪市", True),
    ("271004", "大阪市", True),
    ("さっぽろ", "札幌市", False),
    ("sapporo", "札幌市", False),
])
def test_municipality_autocomplete_by_name_reading_or_code(client: FlaskClient, query: str, name: str,
                                                           indexed: bool) -> None:
    data = client.get("/api/municipalities?q=" + quote(query)).get_json()
    assert data["ok"] is True and data["query"] == query
    assert (data["items"][0]["municipality"], data["items"][0]["indexed"]) == (name, indexed)


@pytest.mark.parametrize(("snippet", "before", "width", "excerpt"), [
    ("no marks here", 12, 90, "no marks here"),
    ('a &amp; b <mark class="match">X&lt;Y</mark> c', 3, 8, '… b <mark class="match">X&lt;Y</mark> c'),
    ('0123456789<mark class="match term0">研修</mark>abc', 4, 8, '…6789<mark class="match term0">研修</mark>ab…'),
    ("行1\n\n行2", 12, 90, "行1 行2"),
    ("&lt;script&gt;", 12, 90, "&lt;script&gt;"),
])
def test_a_lead_excerpt_starts_a_little_before_the_first_mark(snippet: str, before: int, width: int,
                                                              excerpt: str) -> None:
    assert str(webui_compare.lead_excerpt(snippet, before, width)) == excerpt
