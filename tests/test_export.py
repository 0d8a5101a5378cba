"""Comparisons as CSV with BOM and as Markdown (index.export)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from index.export import (
    BOM,
    comparison_csv,
    comparison_markdown,
    matrix_csv,
    passage_url,
    qa_csv,
    qa_markdown,
    source_label,
)

SOURCE = {"n": 1, "municipality": "大阪市", "council": "横浜市会", "body": "デジタル化推進特別委員会",
          "title": "視察概要", "date": "2022-07-21", "file": "yokohama 2022.txt", "passage": "v1-p4"}


def tiny() -> dict[str, Any]:
    """A comparison of two cities with one practice row, as index.compare makes it."""
    passage = {"file": SOURCE["file"], "passage": "v1-p4", "text": "BYODを導入した。\n私物端末で, \"Teams\"を使う。",
               "source": 1}
    return {
        "cities": [{"municipality": "大阪市"}, {"municipality": "神戸市"}], "query": "",
        "matches": [],
        "groups": [{"id": "devices", "name": "端末・BYOD・端末管理", "rows": [
            {"practice": {"id": "byod", "name": "BYOD"},
             "cells": [{"municipality": "大阪市", "passages": [passage], "empty": False},
                       {"municipality": "神戸市", "passages": [], "empty": True}]}]}],
        "figures": [{"municipality": "大阪市", "items": [
            {"value": 20875, "unit": "人", "approx": False, "text": "2万875人", "context": "職員数が2万875人", "source": 1}],
            "empty": False}, {"municipality": "神戸市", "items": [], "empty": True}],
        "qa": [{"municipality": "大阪市", "items": [], "empty": True},
               {"municipality": "神戸市", "items": [{"question": "研修は？", "answer": "全職員が受講。", "source": 1}],
                "empty": False}],
        "observations": [{"municipality": "大阪市", "items": [], "empty": True},
                         {"municipality": "神戸市", "items": [], "empty": True}],
        "sources": [SOURCE],
    }


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_comparison_csv_is_a_table_with_sources() -> None:
    text = comparison_csv(tiny(), base="http://example.org")
    assert "\r\n" in text
    rows = read_csv(text)
    assert rows[0] == ["分野", "項目", "大阪市", "神戸市"]
    assert rows[1] == ["端末・BYOD・端末管理", "BYOD", "BYODを導入した。\n私物端末で, \"Teams\"を使う。 [1]", "記載なし"]
    assert rows[2] == ["視察の記録", "主な数値", "2万875人（職員数が2万875人） [1]", "記載なし"]
    assert rows[3] == ["視察の記録", "質疑応答", "記載なし", "問：研修は？／答：全職員が受講。 [1]"]
    assert rows[-1] == ["1", "大阪市　横浜市会・デジタル化推進特別委員会　「視察概要」　2022-07-21",
                        "http://example.org/reports/yokohama%202022.txt#v1-p4"]


def test_comparison_csv_encodes_with_a_bom_excel_recognises() -> None:
    data = comparison_csv(tiny()).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    assert "記載なし".encode() in data


def test_comparison_markdown_has_a_table_and_footnotes() -> None:
    text = comparison_markdown(tiny())
    lines = text.splitlines()
    assert lines[0] == "# 大阪市・神戸市の比較"
    assert lines[2] == "| 分野 | 項目 | 大阪市 | 神戸市 |"
    assert lines[3] == "|---|---|---|---|"
    assert lines[4] == "| 端末・BYOD・端末管理 | BYOD | BYODを導入した。 私物端末で, \"Teams\"を使う。 [1] | 記載なし |"
    assert "1. 大阪市　横浜市会・デジタル化推進特別委員会　「視察概要」　2022-07-21 /reports/yokohama%202022.txt#v1-p4" in lines


def test_markdown_cells_escape_pipes() -> None:
    data = tiny()
    data["groups"][0]["rows"][0]["cells"][0]["passages"][0]["text"] = "A|B"
    assert "| A｜B [1] |" in comparison_markdown(data)


def test_a_query_adds_its_row_first() -> None:
    data = tiny()
    data["query"] = "BYOD"
    data["matches"] = [{"municipality": "大阪市", "passages": [{"text": "BYODを導入", "source": 1}]},
                       {"municipality": "神戸市", "passages": []}]
    assert read_csv(comparison_csv(data))[1] == ["検索語", "「BYOD」", "BYODを導入 [1]", "記載なし"]
    assert comparison_markdown(data).startswith("# 大阪市・神戸市の比較（検索語「BYOD」）\n")


def test_matrix_csv() -> None:
    data = {"categories": [{"id": "cloud", "name": "クラウド"}, {"id": "devices", "name": "端末"}],
            "rows": [{"municipality": "大阪市", "prefecture": "大阪府", "code": "271004", "total": 7,
                      "cells": [{"category": "cloud", "count": 3}, {"category": "devices", "count": 5}]}]}
    assert read_csv(matrix_csv(data)) == [["自治体", "都道府県", "団体コード", "クラウド", "端末", "合計"],
                                          ["大阪市", "大阪府", "271004", "3", "5", "7"]]


@pytest.fixture()
def qa_data() -> dict[str, Any]:
    item = {"question": "通信費は？", "answer": "利用者負担。", "council": "", "body": "委員会", "title": "概要",
            "date": "2022-07-21", "file": "a.txt", "passage": "v1-p7", "source": 1}
    return {"query": "通信費", "practice_name": "", "sources": [{**SOURCE, "file": "a.txt", "passage": "v1-p7"}],
            "cities": [{"municipality": "大阪市", "items": [item]}, {"municipality": "神戸市", "items": []}]}


def test_qa_csv_has_one_row_per_pair(qa_data: dict[str, Any]) -> None:
    assert read_csv(qa_csv(qa_data, "http://h")) == [
        ["自治体", "質問", "回答", "議会", "委員会", "報告書", "視察日", "リンク"],
        ["大阪市", "通信費は？", "利用者負担。", "", "委員会", "概要", "2022-07-21", "http://h/reports/a.txt#v1-p7"],
    ]


def test_qa_markdown_has_a_section_per_city(qa_data: dict[str, Any]) -> None:
    text = qa_markdown(qa_data)
    assert text.splitlines()[:8] == ["# 「通信費」についての質疑応答", "", "## 大阪市", "", "- 問：通信費は？",
                                     "  答：利用者負担。 [1]", "", "## 神戸市"]
    assert "記載なし" in text


@pytest.mark.parametrize(("file", "passage", "base", "url"), [
    ("a.txt", "v1-p1", "", "/reports/a.txt#v1-p1"),
    ("報告 書.html", "p3", "http://h", "http://h/reports/%E5%A0%B1%E5%91%8A%20%E6%9B%B8.html#p3"),
])
def test_passage_url(file: str, passage: str, base: str, url: str) -> None:
    assert passage_url(file, passage, base) == url


def test_source_label_skips_what_is_missing() -> None:
    assert source_label({"municipality": "神戸市", "date": "2022-07-22"}) == "神戸市　2022-07-22"


@pytest.mark.parametrize(("text", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+81", "'+81"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("BYOD", "BYOD"),
])
def test_csv_cells_are_never_formulas(text: str, cell: str) -> None:
    data = {"categories": [], "rows": [{"municipality": text, "prefecture": "", "code": "", "total": 1, "cells": []}]}
    assert read_csv(matrix_csv(data))[1][0] == cell
