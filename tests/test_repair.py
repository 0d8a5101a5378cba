"""Tests of kb.repair: every pipeline step on golden tables, then the corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb import repair
from kb.readers import SUPPORTED_SUFFIXES, read_document
from kb.repair import repair_text

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"
ALL_REPORTS = sorted(p for p in REPORTS.iterdir() if p.suffix in SUPPORTED_SUFFIXES)


def _repaired(name: str) -> str:
    return repair_text(read_document(REPORTS / name).text)


# --- width ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＢＹＯＤ", "BYOD"),
        ("１２", "12"),
        ("ｉＰａｄ", "iPad"),
        ("１，５００万円", "1,500万円"),
        ("３０．８％", "30.8％"),  # ％ is kept: the reports write it so
        ("Ｗｉ－Ｆｉ", "Wi-Fi"),
        ("１．視察日時", "1．視察日時"),  # ．after a list number is not inside a token
        ("（１）新潟市", "（1）新潟市"),  # full-width brackets are kept
        ("「ＤＸ」：概要、以上。", "「DX」：概要、以上。"),
        ("10月26日（木）～27日", "10月26日（木）～27日"),
        ("ｶﾞｲﾄﾞﾌﾞｯｸ", "ガイドブック"),
        ("ｺｰﾙｾﾝﾀｰ｢窓口｣", "コールセンター「窓口」"),
        ("Ｍｉｃｒｏｓｏｆｔ　３６５", "Microsoft 365"),
        ("報告者　総務常任委員", "報告者　総務常任委員"),  # U+3000 between Japanese kept
        ("368.3㎢、①②", "368.3㎢、①②"),
    ],
)
def test_normalise_width(raw: str, expected: str) -> None:
    assert repair.normalise_width(raw) == expected


def test_fullwidth_letter_spacing_is_normalised_then_joined() -> None:
    assert repair_text("Ｒ Ｐ Ａ") == "RPA\n"


# --- letter-spaced Latin ------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("M i c r o s o f t 3 6 5", "Microsoft 365"),
        ("B Y O D", "BYOD"),
        ("O f f i c e 3 6 5", "Office 365"),
        ("U S B", "USB"),
        ("I n t u n e", "Intune"),
        ("D X", "DX"),
        ("i P a d", "iPad"),
        ("L G W A N", "LGWAN"),
        ("M i c r o s o f t T e a m s", "Microsoft Teams"),
        ("I C T 業務改革", "ICT業務改革"),
        ("行政 D X の", "行政DXの"),
        ("デジタル戦略部 I C T 業務改革担当課長", "デジタル戦略部ICT業務改革担当課長"),
        ("1300台の i P a d 導入、L G W A N (エルジーワン)環境", "1300台のiPad導入、LGWAN (エルジーワン)環境"),
        ("M i c r o s o f t T e a m s を全職員に", "Microsoft Teamsを全職員に"),
        ("i P h o n e を支給", "iPhoneを支給"),
        ("M i c r o s o f tのC o p i l o tを", "MicrosoftのCopilotを"),
        ("最高デジタル責任者（C D O）", "最高デジタル責任者（CDO）"),
        ("「日本 D X 大賞2024」", "「日本DX大賞2024」"),
        ("Q B Y O Dにより", "Q BYODにより"),
        ("Q O f f i c e 3 6 5の使用", "Q Office 365の使用"),
        ("A I n t u n eを導入", "A Intuneを導入"),
        # untouched: real words, or single characters with nothing to join
        ("Kobe Tech Leaders", "Kobe Tech Leaders"),
        ("Microsoft Power Platform", "Microsoft Power Platform"),
        ("BYOD（Bring Your Own Device）", "BYOD（Bring Your Own Device）"),
        ("Q 3名の体制", "Q 3名の体制"),
        ("A 基本的な設計", "A 基本的な設計"),
        ("ビタミン C を", "ビタミン C を"),
        ("e-KOBE（神戸市スマート申請システム）", "e-KOBE（神戸市スマート申請システム）"),
    ],
)
def test_join_letter_spaced_latin(raw: str, expected: str) -> None:
    assert repair.join_letter_spaced_latin(raw) == expected


@pytest.mark.parametrize(
    ("chars", "words"),
    [
        ("Microsoft365", ["Microsoft", "365"]),
        ("MicrosoftTeams", ["Microsoft", "Teams"]),
        ("iPad", ["iPad"]),
        ("iPhone", ["iPhone"]),
        ("LGWAN", ["LGWAN"]),
        ("Q3", ["Q", "3"]),
    ],
)
def test_split_spaced_words(chars: str, words: list[str]) -> None:
    assert repair.split_spaced_words(list(chars)) == words


# --- names spaced per character ----------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("副委員長 尾 崎 太", "副委員長 尾崎太"),
        ("同 中 島 光 徳", "同 中島光徳"),
        ("同 仁 田 昌 寿", "同 仁田昌寿"),
        ("委員長 岩 崎 孝 之", "委員長 岩崎孝之"),
        ("同 宮 田 ゆ り 子", "同 宮田ゆり子"),
        ("委員　尾　崎　太", "委員　尾崎太"),
        ("同 堀 内", "同 堀内"),
        ("委 員 長　佐 藤 一 郎", "委員長　佐藤一郎"),
        ("加 藤 優、岡 田 浩 二", "加藤優、岡田浩二"),
        # untouched
        ("副委員長 尾崎太", "副委員長 尾崎太"),
        ("同 尾崎太", "同 尾崎太"),
        ("荒木 勉、島田 勇、工藤 みね子", "荒木 勉、島田 勇、工藤 みね子"),
        ("| 8月29日（木） | （本報告では省略） | ― |", "| 8月29日（木） | （本報告では省略） | ― |"),
        ("ア 神戸市の行政DX", "ア 神戸市の行政DX"),
        ("尾  崎", "尾  崎"),  # two spaces are layout, not letter spacing
    ],
)
def test_join_spaced_cjk(raw: str, expected: str) -> None:
    assert repair.join_spaced_cjk(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("( 1 )視察先の概要", "(1)視察先の概要"),
        ("( 2 ) 視察内容", "(2) 視察内容"),
        ("（ 3 ）考察", "（3）考察"),
        ("(1)視察先の概要", "(1)視察先の概要"),
    ],
)
def test_join_spaced_brackets(raw: str, expected: str) -> None:
    assert repair.join_spaced_brackets(raw) == expected


# --- words broken over lines ---------------------------------------------------

BROKEN = "さらに、グループチャットを導入したが、そこに新型コロナワ"
TAIL = "クチン感染症対策室を設置し、リアルタイムでの情報共有を行っている。"
WHOLE = "さらに、グループチャットを導入したが、そこに新型コロナワクチン感染症対策室を設置し、リアルタイムでの情報共有を行っている。"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"{BROKEN}\n\n{TAIL}", WHOLE),
        (f"{BROKEN}\n{TAIL}", WHOLE),
        ("高齢者同士が教え合う「シニアICTサポー\n\nター」制度を設けた。", None),  # short line: kept
        (
            "このため、講座を各地で開くとともに、高齢者同士が教え合う「シニアICTサポー\n\nター」制度を設け、相談窓口も置いている。",
            "このため、講座を各地で開くとともに、高齢者同士が教え合う「シニアICTサポーター」制度を設け、相談窓口も置いている。",
        ),
        # never merged: headings, labels, list items, finished sentences, new paragraphs
        ("### 1 視察先\n\n大阪府大阪市", None),
        ("(1) 大阪府大阪市\n\n大阪市では、クラウドサービスを活用している。", None),
        ("視察先\n埼玉県　本庄市", None),
        (f"{BROKEN}。\n\n{TAIL}", None),
        (f"{BROKEN}\n\n\n{TAIL}", None),
        (f"{BROKEN}\n\n　{TAIL}", None),
        (f"{BROKEN}\n\n問　導入当初、紙の資料との併用期間は設けたか。", None),
        (f"{BROKEN}\n\nア 神戸市の行政DX", None),
        (f"{BROKEN}\n\n#### 今後の課題", None),
        ("・指名競争入札を経て、平成30年12月末に全議員へ端末を配備\n本庄市議会では、次の機器更新を進めている。", None),
        ("　③まずは②で始め、効果を確かめてから①に移る方式\nの三つがあります。", None),
        ("　ア　阿波おどりの期間中、会場や交通、駐車場などの案内\nを行った。", None),
    ],
)
def test_merge_broken_words(raw: str, expected: str | None) -> None:
    assert repair.merge_broken_words(raw) == (raw if expected is None else expected)


# --- page furniture ------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "is_marker"),
    [
        ("- 3 -", True),
        ("－３－", True),
        ("— 3 —", True),
        ("― 12 ―", True),
        ("3/12", True),
        ("  - 1 -  ", True),
        ("Page 3", True),
        ("page 3 of 12", True),
        ("\f", True),
        ("12/3", False),  # a date, not page 12 of 3
        ("(3)", False),
        ("3", False),
        ("- 3 - 視察先", False),
        ("### 1 視察先", False),
    ],
)
def test_is_page_marker(line: str, is_marker: bool) -> None:
    assert repair.is_page_marker(line) is is_marker


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("本文。\n\n- 1 -\n\n次の本文。", "本文。\n\n次の本文。"),
        ("本文。\n－２－\n次の本文。", "本文。\n次の本文。"),
        ("本文。\n\f\n次の本文。", "本文。\n次の本文。"),
        ("7月21日\n12/3\n", "7月21日\n12/3\n"),
    ],
)
def test_remove_page_numbers(raw: str, expected: str) -> None:
    assert repair.remove_page_numbers(raw) == expected


def test_running_header_next_to_page_numbers_is_removed() -> None:
    pages = [f"市議会だより\n\n本文その{n}。\n\n- {n} -" for n in (1, 2, 3)]
    # The first occurrence opens the document: it is kept as its title (it may carry the year).
    assert repair_text("\n\n".join(pages)) == "市議会だより\n\n本文その1。\n\n本文その2。\n\n本文その3。\n"


@pytest.mark.parametrize(
    "repeated",
    ["### 1 視察先", "市議会だより"],
)
def test_repeated_lines_away_from_page_breaks_are_kept(repeated: str) -> None:
    text = "\n\n".join(f"{repeated}\n\n本文その{n}。" for n in (1, 2, 3)) + "\n"
    assert repair_text(text) == text


def test_repeated_heading_next_to_page_number_is_kept() -> None:
    text = "\n".join(f"### 1 視察先\n本文その{n}。\n- {n} -" for n in (1, 2, 3))
    assert repair_text(text).count("### 1 視察先") == 3


# --- whitespace and edges ----------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("本文。  \n次。\u3000\n", "本文。\n次。\n"),
        ("\n\n本文。\n\n\n次。\n\n\n", "本文。\n\n\n次。\n"),
        ("a\r\nb\rc", "a\nb\nc\n"),
        ("ゼロ\u200b幅\u00adと\ufeffBOM", "ゼロ幅とBOM\n"),
        ("", ""),
    ],
)
def test_whitespace_and_edges(raw: str, expected: str) -> None:
    assert repair_text(raw) == expected


def test_pipeline_steps_are_documented_functions() -> None:
    assert len(repair.PIPELINE) >= 8
    assert all(step.__doc__ for step in repair.PIPELINE)


# --- the bundled corpus ------------------------------------------------------------

def test_yokohama_report_is_repaired() -> None:
    text = _repaired("yokohama-2022-07-digital-committee.txt")
    assert re.search(r"\b[A-Za-z0-9] [A-Za-z0-9] [A-Za-z0-9]\b", text) is None
    for expected in ("Microsoft 365", "BYOD", "Intune", "iPad", "Microsoft Teams", "尾崎太",
                     "中島光徳", "仁田昌寿", "新型コロナワクチン感染症対策室"):
        assert expected in text, expected
    assert "### 1 視察先\n\n大阪府大阪市\n" in text


def test_utsunomiya_report_loses_page_numbers_and_keeps_structure() -> None:
    text = _repaired("utsunomiya-2024-10-digital-services.txt")
    assert not any(repair.is_page_marker(line) for line in text.split("\n"))
    assert "同 横山幸雄\n\n## 視察概要" in text
    assert "「シニアICTサポーター」制度" in text
    assert "公式LINEを入口とした市民サービス" in text


@pytest.mark.parametrize("path", ALL_REPORTS, ids=lambda p: p.name)
def test_repair_is_idempotent(path: Path) -> None:
    once = repair_text(read_document(path).text)
    assert repair_text(once) == once


@pytest.mark.parametrize("path", ALL_REPORTS, ids=lambda p: p.name)
def test_headings_are_never_merged(path: Path) -> None:
    original = read_document(path).text
    headings = [line for line in original.split("\n") if line.startswith("#")]
    repaired_lines = set(repair_text(original).split("\n"))
    for heading in headings:
        assert repair_text(heading).rstrip("\n") in repaired_lines


def test_shift_jis_variant_repairs_like_the_utf8_report() -> None:
    sjis = _repaired("tama-2023-10-kakanai-madoguchi.sjis.txt")
    utf8 = _repaired("tama-2023-10-kakanai-madoguchi.txt")
    sjis_lines = {line for line in sjis.split("\n") if line.strip()}
    utf8_lines = {line for line in utf8.split("\n") if line.strip()}
    shared = sjis_lines & utf8_lines
    assert len(shared) >= 0.9 * len(utf8_lines)
    assert "（1）新潟市　DXプラットフォーム推進事業について" in shared
    assert any("1,500万円" in line for line in shared)


@pytest.mark.parametrize(
    ("in_text", "kept"),
    [(0, False), (4, False), (5, True), (9, True)],
)
def test_running_header_must_mostly_touch_page_breaks(in_text: int, kept: bool) -> None:
    """A line by five page breaks but repeated as often again in the text is text (「―質問―」)."""
    first = "本文。\n" + "".join(f"―質問―\n問{n}。\n" for n in range(in_text)) + "- 0 -"
    pages = [first] + [f"―質問―\n本文その{n}。\n- {n} -" for n in range(1, 6)]
    assert ("―質問―\n本文その1" in repair_text("\n".join(pages))) is kept


def test_running_header_repeating_the_title_heading_on_two_pages_is_removed() -> None:
    """The title heading is the header's first occurrence: two page tops suffice."""
    text = "## 行政視察報告書\n本文1。\n- 1 -\n\f\n行政視察報告書\n質問：費用は。\n- 2 -\n\f\n行政視察報告書\n回答：無料。"
    assert repair_text(text) == "## 行政視察報告書\n本文1。\n\n質問：費用は。\n\n回答：無料。\n"


def test_running_header_opening_the_document_is_kept_as_its_title() -> None:
    pages = [f"令和５年度　行政視察報告\n本文その{n}。\n- {n} -" for n in (1, 2, 3)]
    assert repair_text("\n".join(pages)).splitlines()[:2] == ["令和5年度　行政視察報告", "本文その1。"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a question cut by the page: its halves stay together
        ("1　（委員）保護者の中には、連絡を望まない方もいるのではない\n\n- 3 -\n\fか。\n", "1　（委員）保護者の中には、連絡を望まない方もいるのではない\nか。\n"),
        # a sentence that ends before the page break keeps its blank line
        ("保護者の中には、連絡を望まない方もいるとのことである。\n\n- 3 -\n\fまた、紙の連絡も残す。\n", "保護者の中には、連絡を望まない方もいるとのことである。\n\nまた、紙の連絡も残す。\n"),
        # a heading above the break is not a cut sentence
        ("【質疑応答】\n\n- 3 -\n\fか。\n", "【質疑応答】\n\nか。\n"),
    ],
)
def test_page_break_inside_a_sentence_leaves_no_blank_line(raw: str, expected: str) -> None:
    assert repair_text(raw) == expected
