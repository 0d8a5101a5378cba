"""The report's head: title, committee or caucus, council, members, period and year."""

from __future__ import annotations

import datetime

import pytest

from kb.header import is_name, read_header, report_span, report_year, title_idx
from kb.layout import find_fields, split_lines
from kb.model import Period, Report
from kb.municipalities import MunicipalityTable

KASUKABE = "112143"


@pytest.fixture(scope="module")
def table() -> MunicipalityTable:
    return MunicipalityTable.load()


def _header(text: str, table: MunicipalityTable, visited: frozenset[str] = frozenset(), page_title: str = "") -> Report:
    """The header read from ``text`` taken whole as the head (no visit section)."""
    lines = split_lines(text)
    report = Report("x.txt")
    read_header(report, lines, len(lines), find_fields(lines), table, set(visited), page_title)
    return report


# --- title --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("## 総務委員会行政視察報告書\n\n本文。\n", "総務委員会行政視察報告書"),
        ("春日部市議会\n総務常任委員会\n行政視察報告書\n", "行政視察報告書"),
        ("トップページ > 議会 > 視察報告\n総務委員会 視察報告書\n", "総務委員会 視察報告書"),
        ("令和5年度  行政視察報告書\n", "令和5年度 行政視察報告書"),
        ("しんじょう市議会だより 第148号\n", "しんじょう市議会だより 第148号"),
        ("総務委員会\n", "総務委員会"),
    ],
)
def test_title(text: str, title: str, table: MunicipalityTable) -> None:
    assert _header(text, table).title == title


def test_title_from_page_when_the_text_has_none(table: MunicipalityTable) -> None:
    assert _header("", table, page_title="行政視察報告書｜春日部市議会").title == "行政視察報告書｜春日部市議会"


def test_title_idx() -> None:
    lines = split_lines("春日部市議会\n\n行政視察報告書\n\n(1) 北海道函館市\n")
    assert (title_idx(lines, 4), title_idx(lines, 0)) == ({2}, set())


# --- committee or caucus --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("春日部市議会 総務常任委員会 行政視察報告書\n", "総務常任委員会"),
        ("京都府議会 総務委員会 県外調査報告書\n", "総務委員会"),
        ("行政視察報告書\n\n委員会名：総務常任委員会\n", "総務常任委員会"),
        ("行政視察報告書\n\n委員会名・会派名：デジタル化推進特別委員会\n", "デジタル化推進特別委員会"),
        ("会派行政視察報告書\n\n会派名：市民クラブ\n", "会派 市民クラブ"),
        ("行政視察報告書\n\n会派名：チーム 春日部\n", "会派 チーム春日部"),
        ("市民クラブ 会派行政視察報告\n", "会派 市民クラブ"),
        ("会派「未来の三島」　行政視察報告書\n", "会派 未来の三島"),
        ("会派『市民の声』行政視察報告\n", "会派 市民の声"),
        ("【会派視察】加賀市を訪ねて\n\n会派「市民の声」の仲間と加賀市を訪ねた。\n", "会派 市民の声"),
        ("「デジタル化推進特別委員会」のメンバーで視察を行った。\n", "デジタル化推進特別委員会"),
        ("新庄市議会 常任委員会行政視察\n", "常任委員会"),
        ("視察報告\n\n報告者 総務委員 山田花子\n", ""),
    ],
)
def test_body(text: str, body: str, table: MunicipalityTable) -> None:
    assert _header(text, table).body == body


# --- council ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "council"),
    [
        ("春日部市議会 総務常任委員会 行政視察報告書\n", "春日部市議会"),
        ("春日部市議会　総務常任委員会\n行政視察報告書\n", "春日部市議会"),
        ("埼玉県春日部市議会 行政視察報告書\n", "春日部市議会"),
        ("行政視察報告書\n春日部市議会議員　山田 花子\n", "春日部市議会"),
        ("かすかべ市議会 だより\n", "春日部市議会"),
        ("町田市議会 行政視察報告書\n", "町田市議会"),
        ("京都府議会 総務委員会 県外調査報告書\n", "京都府議会"),
        ("北海道議会 総務委員会 道外調査報告書\n", "北海道議会"),
        ("東京都議会 行政視察報告書\n", "東京都議会"),
        ("自民党豊島区議団 会派視察報告書\n", "豊島区議会"),
        ("総務委員会 行政視察報告書\n", ""),
        ("横浜市会 行政視察報告書\n", "横浜市会"),
        ("神戸市会 総務財政委員会 行政視察報告書\n", "神戸市会"),
        ("行政視察報告書\n大阪市会議員　山田 花子\n", "大阪市会"),
        ("函館市会 行政視察報告書\n", ""),
        ("横浜市会館にて報告会を開いた\n", ""),
    ],
)
def test_council(text: str, council: str, table: MunicipalityTable) -> None:
    assert _header(text, table).council == council


def test_a_visited_council_is_not_the_authors(table: MunicipalityTable) -> None:
    assert _header("春日部市議会 行政視察報告書\n", table, visited=frozenset({KASUKABE})).council == ""


def test_council_from_page_title(table: MunicipalityTable) -> None:
    assert _header("視察報告\n", table, page_title="行政視察報告書｜春日部市議会").council == "春日部市議会"


# --- members -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "members"),
    [
        pytest.param(
            "行政視察報告書\n\n視察委員\n委員長 山田花子\n副委員長 佐藤一郎\n同 鈴木次郎\n委員 高橋三郎\n",
            ["山田花子", "佐藤一郎", "鈴木次郎", "高橋三郎"], id="titles-one-per-line",
        ),
        pytest.param(
            "行政視察報告書\n\n参加委員：委員長　山田花子、副委員長　佐藤一郎、委員　鈴木次郎\n",
            ["山田花子", "佐藤一郎", "鈴木次郎"], id="titles-comma-list",
        ),
        pytest.param(
            "行政視察報告書\n\n参加議員\n委員長　山田　花子\n副委員長　佐藤　一郎\n",
            ["山田花子", "佐藤一郎"], id="spaced-family-and-given-names",
        ),
        pytest.param(
            "行政視察報告書\n\n視察委員\n委員長 山田花子（市民クラブ）\n副委員長 佐藤一郎（公明党）\n",
            ["山田花子", "佐藤一郎"], id="caucus-in-parentheses",
        ),
        pytest.param(
            "行政視察報告書\n\n参加者：山田花子、佐藤一郎、ほか事務局職員1名\n",
            ["山田花子", "佐藤一郎"], id="staff-left-out",
        ),
        pytest.param(
            "行政視察報告書\n\n参加者：長谷部よし夫、土井ちひろ\n",
            ["長谷部よし夫", "土井ちひろ"], id="names-in-kana",
        ),
        pytest.param("視察報告\n\n報告者 総務委員 山田花子\n", ["山田花子"], id="reporter"),
        pytest.param("春日部市議会議員の山田花子です。視察の報告をします。\n", ["山田花子"], id="named-in-text"),
        pytest.param("新庄市議会 常任委員会行政視察\n（樋口恒夫委員長）\n", ["樋口恒夫"], id="chair-in-parentheses"),
        pytest.param(
            "行政視察報告書\n\n参加委員：委員長 山田花子　副委員長 佐藤一郎　委員 鈴木次郎\n",
            ["山田花子", "佐藤一郎", "鈴木次郎"], id="titles-on-one-line",
        ),
        pytest.param(
            "行政視察報告書\n\n参加者：山田花子議員、佐藤一郎議員\n", ["山田花子", "佐藤一郎"], id="議員-after-names",
        ),
        pytest.param(
            "行政視察報告書\n\n視察委員：山田花子委員長、佐藤一郎副委員長、鈴木次郎委員\n",
            ["山田花子", "佐藤一郎", "鈴木次郎"], id="titles-after-names",
        ),
        pytest.param(
            "行政視察報告書\n\n視察委員　委員長　佐藤一郎\n　　　　　委　　員　加藤優、岡田浩二\n",
            ["佐藤一郎", "加藤優", "岡田浩二"], id="title-spread-in-a-form",
        ),
        pytest.param(
            "行政視察報告書\n\n出席委員　委員長 山田 花子／副委員長 佐藤 一郎／委員 鈴木 次郎、高橋 三郎\n",
            ["山田花子", "佐藤一郎", "鈴木次郎", "高橋三郎"], id="出席委員-split-by-slashes",
        ),
        pytest.param(
            "行政視察報告書\n\n１．視察者\n　委員長　山田　花子\n　副委員長　佐藤　一郎\n　委員　鈴木　次郎、高橋　三郎\n",
            ["山田花子", "佐藤一郎", "鈴木次郎", "高橋三郎"], id="視察者-numbered-label",
        ),
        pytest.param("総務委員会 行政視察報告書\n", [], id="none"),
    ],
)
def test_members(text: str, members: list[str], table: MunicipalityTable) -> None:
    assert _header(text, table).members == members


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("山田花子", True),
        ("土井ちひろ", True),
        ("山", False),
        ("総務委員長", False),
        ("春日部市議会", False),
        ("事務局職員", False),
        ("Yamada", False),
        ("山田花子山田花子山田花子", False),
    ],
)
def test_is_name(name: str, ok: bool) -> None:
    assert is_name(name) is ok


# --- period and year ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("行政視察報告書\n\n視察日：令和元年7月21日～7月22日\n", "2019-07-21", "2019-07-22"),
        ("行政視察報告書\n\n期日：令和6年7月11日（木）～12日（金）\n", "2024-07-11", "2024-07-12"),
        ("1 視察月日 令和4年7月21日（木）～7月22日（金）\n", "2022-07-21", "2022-07-22"),
        ("行政視察報告書\n", None, None),
    ],
)
def test_period(text: str, start: str | None, end: str | None, table: MunicipalityTable) -> None:
    assert _header(text, table).period == Period(start, end)


@pytest.mark.parametrize(
    ("text", "period", "year"),
    [
        ("行政視察報告書\n", Period("2022-07-21", "2022-07-22"), 2022),
        ("令和5年度 行政視察報告書\n", Period(), 2023),
        ("行政視察報告書\n令和元年度\n", Period(), 2019),
        ("行政視察報告書\n令和6年1月15日提出\n", Period(), 2024),
        ("視察報告\n本文。令和3年と令和4年の比較。\n", Period(), 2022),
        ("行政視察報告書\n", Period(), None),
    ],
)
def test_report_year(text: str, period: Period, year: int | None) -> None:
    report = Report("x.txt", period=period)
    assert report_year(report, split_lines(text), text) == year


_D = datetime.date


@pytest.mark.parametrize(
    ("text", "period", "span"),
    [
        pytest.param("行政視察報告書\n", Period("2023-12-25", "2024-01-10"), (_D(2023, 12, 25), _D(2024, 1, 10)),
                     id="period"),
        pytest.param("令和5年度 行政視察報告書\n", Period(), (_D(2023, 4, 1), _D(2024, 3, 31)), id="fiscal-year"),
        pytest.param("行政視察報告書\n\n本文。令和5年度の予算で導入した。\n", Period(),
                     (_D(2023, 4, 1), _D(2024, 3, 31)), id="fiscal-year-in-the-text"),
        pytest.param("令和5年度 行政視察報告書\n令和6年2月1日提出\n", Period(), None, id="dated-head-line"),
        pytest.param("令和5年度 行政視察報告書\n令和5年の実績\n", Period(), None, id="calendar-year-too"),
        pytest.param("行政視察報告書\n", Period(), None, id="no-year"),
    ],
)
def test_report_span(text: str, period: Period, span: tuple[datetime.date, datetime.date] | None) -> None:
    report = Report("x.txt", period=period)
    assert report_span(report, split_lines(text), text) == span
