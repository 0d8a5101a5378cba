"""Tests of kb.readers: decoding, HTML extraction and file errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.errors import DecodeError, ReportFileError, UnsupportedFormatError
from kb.readers import (
    SUPPORTED_SUFFIXES,
    Document,
    decode_bytes,
    html_to_text,
    read_document,
)

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
SAMPLE_HTML = Path(__file__).resolve().parent / "data" / "readers_sample.html"
JAPANESE = "多摩市議会　総務常任委員会　行政視察報告書\n\n報告者　総務常任委員　土井　ちひろ\n"


# --- decode_bytes ----------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (JAPANESE.encode("utf-8"), "utf-8"),
        (JAPANESE.encode("utf-8-sig"), "utf-8-sig"),
        (JAPANESE.encode("cp932"), "cp932"),
        (JAPANESE.encode("euc_jp"), "euc-jp"),
        (JAPANESE.encode("iso2022_jp"), "iso2022-jp"),
        ("ｶﾞｲﾄﾞ①㈱髙橋　議会のＩＣＴ化について、説明を受けた。".encode("cp932"), "cp932"),
    ],
)
def test_decode_bytes_detects_encoding(data: bytes, encoding: str) -> None:
    text, detected = decode_bytes(data, name="x.txt")
    assert detected == encoding
    assert text.startswith(("多摩市議会", "ｶﾞｲﾄﾞ"))
    assert "\ufeff" not in text


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_decode_bytes_normalises_newlines(newline: str) -> None:
    data = JAPANESE.replace("\n", newline).encode("cp932")
    assert decode_bytes(data) == (JAPANESE, "cp932")


def test_chinese_is_not_taken_for_shift_jis() -> None:
    text = "这是一个简单的中文句子，用于测试编码识别。"
    assert decode_bytes(text.encode("gb18030"))[0] == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "バイナリ"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00\x01\x02\x03" * 200, "バイナリ"),
    ],
)
def test_decode_bytes_rejects_empty_and_binary(data: bytes, message: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_bytes(data, name="report.txt")
    assert "report.txt" in str(info.value)
    assert message in str(info.value)


# --- read_document ---------------------------------------------------------

def test_shift_jis_report_reads_like_its_utf8_twin() -> None:
    sjis = read_document(REPORTS / "tama-2023-10-kakanai-madoguchi.sjis.txt")
    utf8 = read_document(REPORTS / "tama-2023-10-kakanai-madoguchi.txt")
    assert sjis.encoding == "cp932"
    assert sjis.warnings == ["文字コード cp932 として読み込みました"]
    assert "\r" not in sjis.text
    assert sjis.text.split("\n")[:20] == utf8.text.split("\n")[:20]
    assert utf8.warnings == [] and utf8.encoding == "utf-8"


@pytest.mark.parametrize(
    "path",
    sorted(p for p in REPORTS.iterdir() if p.suffix in SUPPORTED_SUFFIXES),
    ids=lambda p: p.name,
)
def test_every_bundled_report_reads(path: Path) -> None:
    doc = read_document(path)
    assert isinstance(doc, Document)
    assert doc.format == ("html" if path.suffix == ".html" else "txt")
    assert len(doc.text) > 1000 and "\r" not in doc.text
    assert "<" not in doc.text or doc.format == "txt"


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFormatError) as info:
        read_document(path)
    message = str(info.value)
    assert "report.xlsx" in message
    assert all(suffix in message for suffix in SUPPORTED_SUFFIXES)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError) as info:
        read_document(tmp_path / "nothing.txt")
    assert "nothing.txt" in str(info.value)


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(ReportFileError) as info:
        read_document(folder)
    assert "folder.txt" in str(info.value)


def test_empty_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(DecodeError) as info:
        read_document(path)
    assert "empty.txt" in str(info.value)


def test_uppercase_suffix_and_htm(tmp_path: Path) -> None:
    (tmp_path / "a.TXT").write_text("本文", encoding="utf-8")
    (tmp_path / "b.htm").write_text("<p>本文</p>", encoding="utf-8")
    assert read_document(tmp_path / "a.TXT").format == "txt"
    assert read_document(tmp_path / "b.htm").text == "本文\n"


# --- html_to_text ----------------------------------------------------------

@pytest.fixture(scope="module")
def sample_lines() -> list[str]:
    return html_to_text(SAMPLE_HTML.read_text(encoding="utf-8")).split("\n")


@pytest.mark.parametrize(
    "line",
    [
        "## 総務委員会　行政視察報告書",
        "### 視察報告書",
        "視察先：埼玉県　本庄市",
        "実施日：令和5年1月24日",
        "### (1)視察先の概要",
        "　本庄市は埼玉県の北西部にある都市です。",
        "一行目",
        "二行目",
        "・タブレット端末の配備",
        "・会議システムの導入",
        "| 月日 | 視察先 |",
        "|---|---|",
        "| 8月27日 | 愛媛県今治市 |",
    ],
)
def test_html_content_lines(sample_lines: list[str], line: str) -> None:
    assert line in sample_lines


@pytest.mark.parametrize(
    "gone",
    ["本文へ移動", "文字サイズ", "議会トップ", "トップページ", "スクリプト本文", "color",
     "JavaScript", "サイト内検索", "検索", "非表示", "事務局", "ページの先頭へ", "編集メモ",
     "サンプル市議会｜", "行政視察報告書｜"],
)
def test_html_chrome_is_dropped(sample_lines: list[str], gone: str) -> None:
    assert not any(gone in line for line in sample_lines)


def test_html_headings_stand_alone(sample_lines: list[str]) -> None:
    for i, line in enumerate(sample_lines):
        if line.startswith("#"):
            assert sample_lines[i - 1] == "" if i else True
            assert sample_lines[i + 1] == ""


def test_wrapper_named_like_a_menu_keeps_the_report() -> None:
    html = ("<div class='has-sidemenu'><ul class='menu'><li>メニュー</li></ul>"
            "<h2>視察報告</h2><p>本文の段落です。</p></div>")
    assert html_to_text(html) == "## 視察報告\n\n本文の段落です。\n"


def test_page_wide_form_and_article_header_are_kept() -> None:
    html = ("<form id='form1'><div id='gnav'><a href='/'>トップ</a></div>"
            "<article><header><h1>行政視察報告書</h1></header>"
            "<p>視察の概要を報告します。本文はここから始まります。</p></article>"
            "<footer>著作権表示</footer></form>")
    assert html_to_text(html) == "# 行政視察報告書\n\n視察の概要を報告します。本文はここから始まります。\n"


def test_kasukabe_html_reads_like_its_txt() -> None:
    html = read_document(REPORTS / "kasukabe-2023-01-council-tablets.html").text
    txt = read_document(REPORTS / "kasukabe-2023-01-council-tablets.txt").text
    html_lines = [line.lstrip("# 　") for line in html.split("\n")]
    missing = [
        line for line in (raw.strip(" 　<>") for raw in txt.split("\n"))
        if line and not any(line in html_line for html_line in html_lines)
    ]
    assert missing == []
    assert "視察先：埼玉県　本庄市" in html.split("\n")
    assert "現在位置" not in html and "Copyright" not in html


# --- the page title --------------------------------------------------------

@pytest.mark.parametrize(
    ("html", "title"),
    [
        ("<html><head><title>行政視察報告書｜春日部市議会</title></head><body><p>本文</p></body></html>",
         "行政視察報告書｜春日部市議会"),
        ("<html><head><title>\n  視察報告　｜\tサンプル市議会 </title></head><body><p>本文</p></body></html>",
         "視察報告　｜ サンプル市議会"),
        ("<html><body><p>本文</p></body></html>", ""),
    ],
    ids=["title", "spaces", "none"],
)
def test_html_document_carries_its_title(tmp_path: Path, html: str, title: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    doc = read_document(path)
    assert doc.title == title
    assert doc.text == "本文\n"


def test_text_document_has_no_title() -> None:
    doc = read_document(REPORTS / "kasukabe-2023-01-council-tablets.txt")
    assert doc.title == ""


def test_kasukabe_html_title() -> None:
    doc = read_document(REPORTS / "kasukabe-2023-01-council-tablets.html")
    assert doc.title == "行政視察報告書｜春日部市議会"
    assert "春日部市議会" not in doc.text.split("\n")[0]


# --- encodings decided by content --------------------------------------------

# EUC-JP has the JIS wave dash 〜 where Windows text has the full-width tilde ～.
_EUC_JP_DASH = str.maketrans({"～": "〜"})
ENCODED_REPORTS = sorted(
    p for p in REPORTS.glob("*.txt")
    if not p.name.endswith(".sjis.txt") and "㎢" not in p.read_text(encoding="utf-8")
)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "euc-jp":
        return text.translate(_EUC_JP_DASH).encode("euc_jp")
    if encoding == "utf-16-bom-be":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


ENCODINGS = [
    ("utf-8", "utf-8", []),
    ("utf-8-sig", "utf-8-sig", []),
    ("cp932", "cp932", ["文字コード cp932 として読み込みました"]),
    ("euc-jp", "euc-jp", ["文字コード euc-jp として読み込みました"]),
    ("utf-16", "utf-16", ["文字コード utf-16 として読み込みました"]),
    ("utf-16-bom-be", "utf-16", ["文字コード utf-16 として読み込みました"]),
    ("utf-16-le", "utf-16-le", ["文字コード utf-16-le として読み込みました"]),
    ("utf-16-be", "utf-16-be", ["文字コード utf-16-be として読み込みました"]),
]


def _encodable(source: Path, encoding: str) -> bool:
    try:
        _encode(source.read_text(encoding="utf-8"), encoding)
    except UnicodeEncodeError:
        return False  # e.g. circled digits ① are not in EUC-JP
    return True


ENCODING_CASES = [
    pytest.param(source, *case, id=f"{source.stem}-{case[0]}")
    for case in ENCODINGS for source in ENCODED_REPORTS if _encodable(source, case[0])
]


@pytest.mark.parametrize(("source", "encoding", "detected", "warnings"), ENCODING_CASES)
def test_each_encoding_reads_to_identical_text(
    tmp_path: Path, source: Path, encoding: str, detected: str, warnings: list[str]
) -> None:
    original = read_document(source).text
    path = tmp_path / source.name
    path.write_bytes(_encode(source.read_text(encoding="utf-8"), encoding))
    doc = read_document(path)
    expected = original.translate(_EUC_JP_DASH) if encoding == "euc-jp" else original
    assert (doc.encoding, doc.warnings) == (detected, warnings)
    assert doc.text == expected


@pytest.mark.parametrize(("encoding", "least"), [("euc-jp", 8), ("cp932", 14), ("utf-16-le", 14)])
def test_encodings_are_tried_on_most_of_the_corpus(encoding: str, least: int) -> None:
    assert sum(1 for case in ENCODING_CASES if case.values[1] == encoding) >= least


def test_non_utf8_encoding_is_a_parse_warning(tmp_path: Path) -> None:
    from kb.parse import parse_file

    source = REPORTS / "machida-2023-02-online-committee.txt"
    path = tmp_path / source.name
    path.write_bytes(source.read_text(encoding="utf-8").translate(_EUC_JP_DASH).encode("euc_jp"))
    report = parse_file(path)
    assert "文字コード euc-jp として読み込みました" in report.warnings
    assert [(v.municipality, v.date) for v in report.visits] == [
        (v.municipality, v.date) for v in parse_file(source).visits]


def test_utf16_without_bom_that_is_really_binary_is_refused() -> None:
    with pytest.raises(DecodeError):
        decode_bytes(bytes(range(256)) * 8, name="x.txt")


# --- a page saved from a council site ------------------------------------------

SAVED_PAGE = Path(__file__).resolve().parent / "data" / "saved-council-page.sjis.html"


@pytest.fixture(scope="module")
def saved_page() -> Document:
    return read_document(SAVED_PAGE)


def test_saved_shift_jis_page_is_decoded(saved_page: Document) -> None:
    assert (saved_page.encoding, saved_page.warnings) == ("cp932", ["文字コード cp932 として読み込みました"])
    assert saved_page.title == "令和6年度 総務常任委員会 行政視察報告｜見本市議会"


@pytest.mark.parametrize(
    "line",
    ["# 令和6年度　総務常任委員会　行政視察報告", "視察日：令和6年11月12日（火）", "視察先：福井県鯖江市",
     "参加委員：委員長　山田太郎、副委員長　鈴木花子、委員　佐藤一郎", "## 質疑応答",
     "Q　公開するデータはどのように選んでいるのか。", "A　市民からの要望と、各課が持つデータの棚卸しをもとに、毎年見直している。"],
)
def test_saved_page_keeps_the_report(saved_page: Document, line: str) -> None:
    assert line in saved_page.text.split("\n")


@pytest.mark.parametrize(
    "gone",
    ["本文へスキップ", "文字サイズ", "サイト内検索", "議員紹介", "会議録検索", "ホーム", "令和5年度", "ポスト",
     "シェア", "お問い合わせ", "電話", "このページの先頭へ", "Copyright", "〒", "dataLayer", "jQuery", "saved from"],
)
def test_saved_page_drops_site_chrome(saved_page: Document, gone: str) -> None:
    assert gone not in saved_page.text


def test_saved_page_parses_to_its_visit() -> None:
    from kb.parse import parse_file

    report = parse_file(SAVED_PAGE)
    assert [(v.municipality, v.prefecture, v.date) for v in report.visits] == [("鯖江市", "福井県", "2024-11-12")]


def test_declared_charset_decides_a_short_ambiguous_page(tmp_path: Path) -> None:
    html = '<html><head><meta charset="EUC-JP"></head><body><p>議会だより</p></body></html>'
    path = tmp_path / "short.html"
    path.write_bytes(html.encode("euc_jp"))
    doc = read_document(path)
    assert (doc.encoding, doc.text) == ("euc-jp", "議会だより\n")


@pytest.mark.parametrize(
    ("declared", "encoding"),
    [("Shift_JIS", "cp932"), ("iso-8859-1", "cp932"), ("EUC-JP", "cp932"), ("x-unknown", "cp932")],
)
def test_a_wrong_declaration_does_not_win_over_the_content(tmp_path: Path, declared: str, encoding: str) -> None:
    body = "<p>視察先：福井県鯖江市。オープンデータの取組について説明を受けた。</p>"
    html = f'<html><head><meta charset="{declared}"></head><body>{body}</body></html>'
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("cp932"))
    doc = read_document(path)
    assert (doc.encoding, doc.text) == (encoding, "視察先：福井県鯖江市。オープンデータの取組について説明を受けた。\n")
