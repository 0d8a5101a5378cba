"""Visits: place headings, the sections they open and the day of each visit."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.layout import find_fields, split_lines
from kb.municipalities import MunicipalityTable
from kb.parse import parse_file, parse_text
from kb.visits import find_candidates, place_candidate, visit_bounds, visit_starts

TWO_BLOCKS = Path(__file__).resolve().parent / "data" / "visits_two_blocks.txt"
_BODY = "では窓口のデジタル化について説明を受けた。"


@pytest.fixture(scope="module")
def table() -> MunicipalityTable:
    return MunicipalityTable.load()


def _visits(text: str) -> list[tuple[str, str, str, str | None]]:
    return [(v.municipality, v.prefecture, v.code, v.date) for v in parse_text(text, "x.txt").visits]


def _report(heading: str, place: str, head: str = "総務委員会 行政視察報告書\n\n視察日：令和5年5月10日\n") -> str:
    """A one-visit report: a head, the visit heading, one sentence about ``place``."""
    return f"{head}\n{heading}\n{place}{_BODY}\n"


# --- place headings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "context", "want"),
    [
        ("(1) 北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        ("(2) 静岡県 森町", "", ("森町", "静岡県", "224618", "", "")),
        ("北海道茅部郡森町", "", ("森町", "北海道", "013455", "茅部郡", "")),
        ("森町", "北海道の渡島半島", ("森町", "北海道", "013455", "", "")),
        ("森町", "静岡県周智郡", ("森町", "静岡県", "224618", "", "")),
        ("神戸市", "", ("神戸市", "兵庫県", "281000", "", "")),
        ("岐阜県神戸町", "", ("神戸町", "岐阜県", "213811", "", "")),
        ("京都府議会", "", ("京都府", "京都府", "260002", "", "")),
        ("■栃木県議会（8月1日）", "", ("栃木県", "栃木県", "090000", "", "(8月1日)")),
        ("＜十石堀（北茨城市）＞", "", ("北茨城市", "茨城県", "082155", "", "十石堀")),
        ("神戸市会（兵庫県神戸市）", "", ("神戸市", "兵庫県", "281000", "", "(兵庫県神戸市)")),
        ("10月12日（木） 北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        ("函館市役所", "", ("函館市", "北海道", "012025", "", "")),
        ("（一）岐阜県大垣市（七月十日）", "", ("大垣市", "岐阜県", "212024", "", "(七月十日)")),
        ("横浜市青葉区役所", "", ("横浜市", "神奈川県", "141003", "", "")),
        ("（2）大阪市北区 1月31日", "", ("大阪市", "大阪府", "271004", "", "1月31日")),
        ("静岡県庁 1月30日(火)", "", ("静岡県", "静岡県", "220001", "", "1月30日(火)")),
        ("府中市（広島県）", "東京都の府中市と広島県の府中市", ("府中市", "広島県", "342084", "", "(広島県)")),
        ("大阪府大阪市 行政オンラインシステムについて", "",
         ("大阪市", "大阪府", "271004", "", "行政オンラインシステムについて")),
        ("奈良県大和郡山市", "", ("大和郡山市", "奈良県", "292036", "", "")),
        ("マイナンバーカードについて（愛知県蒲郡市）", "", ("蒲郡市", "愛知県", "232149", "", "マイナンバーカードについて")),
    ],
)
def test_place_candidate(
    text: str, context: str, want: tuple[str, str, str, str, str], table: MunicipalityTable,
) -> None:
    got = place_candidate(text, table, context)
    assert got is not None
    place, district, rest = got
    assert (place.name, place.prefecture, place.code, district, rest) == want


@pytest.mark.parametrize(
    "text",
    [
        "函館市の取組について", "函館市では公式LINEを使っている。", "函館市議会議員 山田", "本日は晴天なり", "",
        "横浜市青葉区の取組について", "春日部市北区役所",
    ],
)
def test_not_a_place_heading(text: str, table: MunicipalityTable) -> None:
    assert place_candidate(text, table, "") is None


# --- where a visit section begins ----------------------------------------------------------------


def test_title_heading_above_the_first_place_block_stays_the_title() -> None:
    text = "## 総務委員会行政視察報告書\n\n### 1 視察先\n\n大阪府大阪市\n\n### 2 視察内容\n\n大阪市" + _BODY + "\n"
    report = parse_text(text, "x.txt")
    assert report.title == "総務委員会行政視察報告書"
    assert [(v.municipality, v.topics) for v in report.visits] == [("大阪市", [])]
    assert [p.text for p in report.visits[0].passages] == ["大阪市" + _BODY]


def test_higher_heading_above_a_single_place_block_stays_outside(table: MunicipalityTable) -> None:
    text = (
        "# 行政視察報告書\n\n## 総務委員会\n\n### 1 視察先\n\n大阪府大阪市\n\n### 2 視察内容\n\n大阪市" + _BODY + "\n"
    )
    lines = split_lines(text)
    starts = visit_starts(lines, find_candidates(lines, find_fields(lines), table, text))
    assert visit_bounds(lines, starts) == [(4, len(lines))]
    report = parse_text(text, "x.txt")
    assert (report.title, report.body) == ("行政視察報告書", "総務委員会")
    assert [v.topics for v in report.visits] == [[]]


# --- visits of a report -------------------------------------------------------------------------


def test_two_visits_by_markdown_blocks() -> None:
    report = parse_file(TWO_BLOCKS)
    assert [(v.municipality, v.prefecture, v.code, v.date) for v in report.visits] == [
        ("大阪市", "大阪府", "271004", "2022-07-21"),
        ("神戸市", "兵庫県", "281000", "2022-07-22"),
    ]
    assert [[p.text for p in v.passages] for v in report.visits] == [
        ["大阪市では行政手続のオンライン化を進めている。"], ["神戸市ではデータ活用を進めている。"]
    ]
    assert report.title == "総務委員会行政視察概要"


def test_bounds_of_markdown_blocks(table: MunicipalityTable) -> None:
    text = TWO_BLOCKS.read_text(encoding="utf-8")
    lines = split_lines(text)
    starts = visit_starts(lines, find_candidates(lines, find_fields(lines), table, text))
    assert [(c.idx, c.place.name) for c in starts] == [(8, "大阪市"), (22, "神戸市")]
    # Each section opens at the day heading above its 視察先 label.
    assert visit_bounds(lines, starts) == [(4, 18), (18, len(lines))]


def test_schedule_then_report_keeps_the_later_run(table: MunicipalityTable) -> None:
    text = (
        "総務委員会 行政視察報告書\n\n1 視察日 令和4年7月21日～22日\n2 視察先\n(1) 大阪府大阪市\n(2) 兵庫県神戸市\n\n"
        "3 視察内容\n(1) 大阪府大阪市\n大阪市" + _BODY + "\n(2) 兵庫県神戸市\n神戸市" + _BODY + "\n"
    )
    lines = split_lines(text)
    cands = find_candidates(lines, find_fields(lines), table, text)
    assert [c.idx for c in cands] == [4, 5, 8, 10]
    starts = visit_starts(lines, cands)
    assert [c.idx for c in starts] == [8, 10]
    assert visit_bounds(lines, starts) == [(8, 10), (10, len(lines))]
    assert _visits(text) == [
        ("大阪市", "大阪府", "271004", "2022-07-21"), ("神戸市", "兵庫県", "281000", "2022-07-22"),
    ]


def test_place_fields_open_visits() -> None:
    text = (
        "行政視察報告書\n\n視察先：埼玉県　本庄市\n視察日：令和4年7月21日\n本庄市" + _BODY + "\n\n"
        "視察先：群馬県前橋市\n視察日：令和4年7月22日\n前橋市" + _BODY + "\n"
    )
    assert _visits(text) == [
        ("本庄市", "埼玉県", "112119", "2022-07-21"), ("前橋市", "群馬県", "102016", "2022-07-22"),
    ]


@pytest.mark.parametrize(
    ("heading", "place"),
    [
        ("(1) 京都府議会", "京都府議会"),
        ("■京都府議会（5月10日）", "京都府議会"),
        ("【京都府議会】", "京都府議会"),
    ],
)
def test_prefectural_assembly_is_the_prefecture(heading: str, place: str) -> None:
    assert _visits(_report(heading, place)) == [("京都府", "京都府", "260002", "2023-05-10")]


@pytest.mark.parametrize(
    ("heading", "place", "want"),
    [
        ("(1) 森町", "北海道の渡島半島にある森町", ("森町", "北海道", "013455", "2023-05-10")),
        ("(1) 森町", "静岡県周智郡にある森町", ("森町", "静岡県", "224618", "2023-05-10")),
        ("(1) 北海道茅部郡森町", "森町", ("森町", "北海道", "013455", "2023-05-10")),
        ("(1) 静岡県森町", "森町", ("森町", "静岡県", "224618", "2023-05-10")),
    ],
)
def test_morimachi_by_prefecture_context(heading: str, place: str, want: tuple[str, str, str, str]) -> None:
    assert _visits(_report(heading, place)) == [want]


@pytest.mark.parametrize(
    ("heading", "want"),
    [
        ("(1) 神戸市", ("神戸市", "兵庫県", "281000", "2023-05-10")),
        ("(1) 兵庫県神戸市", ("神戸市", "兵庫県", "281000", "2023-05-10")),
        ("(1) 岐阜県神戸町", ("神戸町", "岐阜県", "213811", "2023-05-10")),
    ],
)
def test_kobe_city_is_not_godo_town(heading: str, want: tuple[str, str, str, str]) -> None:
    assert _visits(_report(heading, want[0])) == [want]


# --- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "heading", "date"),
    [
        pytest.param("令和5年度 総務委員会 行政視察報告書\n", "(1) 北海道函館市（10月12日）", "2023-10-12",
                     id="year-of-the-title"),
        pytest.param("総務委員会 行政視察報告書\n令和5年11月1日\n", "(1) 北海道函館市（10月12日）", "2023-10-12",
                     id="year-of-a-dated-head-line"),
        pytest.param("総務委員会 行政視察報告書\n\n視察期間：令和4年7月21日～7月22日\n", "(1) 北海道函館市（7月22日）",
                     "2022-07-22", id="year-of-the-period"),
        pytest.param("総務委員会 行政視察報告書\n", "(1) 北海道函館市（10月12日）", None, id="no-year-anywhere"),
        pytest.param("総務委員会 行政視察報告書\n\n視察期間：令和5年12月25日～1月10日\n", "(1) 北海道函館市（1月10日）",
                     "2024-01-10", id="period-over-the-new-year"),
        pytest.param("総務委員会 行政視察報告書\n\n視察期間：令和5年12月25日～1月10日\n", "(1) 北海道函館市（12月26日）",
                     "2023-12-26", id="period-over-the-new-year-december"),
        pytest.param("令和5年度 総務委員会 行政視察報告書\n", "(1) 北海道函館市（1月25日）", "2024-01-25",
                     id="fiscal-year-january"),
        pytest.param("令和5年度 総務委員会 行政視察報告書\n", "(1) 北海道函館市（3月31日）", "2024-03-31",
                     id="fiscal-year-march"),
        pytest.param("令和5年度 総務委員会 行政視察報告書\n", "(1) 北海道函館市（4月1日）", "2023-04-01",
                     id="fiscal-year-april"),
        pytest.param("総務委員会 行政視察報告書\n令和6年2月1日\n", "(1) 北海道函館市（1月25日）", "2024-01-25",
                     id="calendar-year-of-a-dated-head-line"),
        pytest.param("総務委員会 行政視察報告書\n\n視察日：1月25日\n", "(1) 北海道函館市",
                     None, id="no-year-for-the-field"),
    ],
)
def test_date_without_year_takes_the_reports_year(head: str, heading: str, date: str | None) -> None:
    assert _visits(_report(heading, "函館市", head)) == [("函館市", "北海道", "012025", date)]


@pytest.mark.parametrize(
    ("head", "heading", "dates"),
    [
        pytest.param("総務委員会 行政視察報告書\n\n視察日：令和元年10月12日\n", "(1) 北海道函館市",
                     ["2019-10-12"], id="field"),
        pytest.param("総務委員会 行政視察報告書\n\n視察日：令和元年十月十二日\n", "(1) 北海道函館市",
                     ["2019-10-12"], id="kanji-numerals"),
        pytest.param("総務委員会 行政視察報告書\n", "(1) 北海道函館市（令和元年5月1日）", ["2019-05-01"],
                     id="heading"),
        pytest.param("総務委員会 行政視察報告書\n", "(1) 北海道函館市（平成31年4月26日）", ["2019-04-26"],
                     id="heisei-31"),
    ],
)
def test_reiwa_gannen_dates(head: str, heading: str, dates: list[str]) -> None:
    assert [v[3] for v in _visits(_report(heading, "函館市", head))] == dates


def test_period_days_go_to_visits_in_order() -> None:
    text = (
        "総務委員会 行政視察報告書\n\n視察日：令和元年10月12日～13日\n\n"
        "(1) 北海道函館市\n函館市" + _BODY + "\n\n(2) 北海道札幌市\n札幌市" + _BODY + "\n"
    )
    assert _visits(text) == [
        ("函館市", "北海道", "012025", "2019-10-12"), ("札幌市", "北海道", "011002", "2019-10-13"),
    ]


# --- no visit heading -----------------------------------------------------------------------------


def test_place_in_the_title_is_the_visit() -> None:
    text = "函館市視察報告\n\n令和5年10月12日、公式LINEを使った手続案内について説明を受けた。\n"
    assert _visits(text) == [("函館市", "北海道", "012025", "2023-10-12")]


@pytest.mark.parametrize(
    "title", ["石川県加賀市へ行政視察", "加賀市を視察", "加賀市議会視察報告", "加賀市を訪ねて視察"],
)
def test_place_in_a_blog_title_is_the_visit(title: str) -> None:
    text = f"{title}\n\n小松市議会議員の山田花子です。\n\n2月7日、委員会で加賀市を訪れました。\n\n2024年2月9日\n"
    report = parse_text(text, "x.txt")
    assert _visits(text) == [("加賀市", "石川県", "172065", "2024-02-07")]
    # The author's greeting before the sentence naming the place stays with the report.
    assert [p.text for p in report.passages][-1] == "小松市議会議員の山田花子です。"


def test_report_wide_observation_after_sibling_sections() -> None:
    text = (
        "総務委員会 行政視察報告書\n\n視察先：長野県塩尻市\n視察日：令和6年5月14日\n\n【概要】\n塩尻市では端末を更新した。\n\n"
        "【質疑応答】\n問　費用は。\n答　約一億円である。\n\n視察先：新潟県長岡市\n視察日：令和6年5月15日\n\n【概要】\n"
        "長岡市では校務をデジタル化した。\n\n【所感】\n両市とも目的から逆算して仕組みを作っていた。\n"
    )
    report = parse_text(text, "x.txt")
    assert [len(v.observations) for v in report.visits] == [0, 0]
    assert [o.text for o in report.observations] == ["両市とも目的から逆算して仕組みを作っていた。"]


@pytest.mark.parametrize(
    ("members", "heading", "author"),
    [("参加議員：青木誠\n", "■青木　誠議員", "青木誠"), ("", "■松本由香議員", "松本由香"), ("", "■まとめ", "")],
)
def test_per_member_observation_headings(members: str, heading: str, author: str) -> None:
    text = (
        f"会派行政視察報告書\n\n{members}視察先：静岡県周智郡森町\n視察日：令和6年10月22日\n\n"
        f"森町ではkintoneを使っている。\n\n所感\n\n{heading}\n森町の取組は参考になった。\n"
    )
    visit = parse_text(text, "x.txt").visits[0]
    assert (visit.municipality, visit.prefecture) == ("森町", "静岡県")
    assert [(o.author, o.text) for o in visit.observations] == [(author, "森町の取組は参考になった。")]


def test_no_place_no_visit() -> None:
    assert _visits("視察報告\n\n本文である。\n") == []
