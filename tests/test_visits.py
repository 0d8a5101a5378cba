"""Visits: place headings, the sections they open and the day of each visit."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.layout import find_fields, page_furniture, split_lines
from kb.municipalities import MunicipalityTable
from kb.parse import parse_file, parse_text
from kb.visits import (
    fallback_visit,
    find_candidates,
    first_sentence_candidates,
    place_candidate,
    visit_bounds,
    visit_starts,
)

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
        # Heading marks of every style.
        ("第１　北海道函館市（７月20日）", "", ("函館市", "北海道", "012025", "", "(7月20日)")),
        ("第2視察地　北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        ("その２　北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        ("Ⅱ　北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        ("Ｂ．北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        ("◎北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        ("▼北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        ("＜北海道函館市＞", "", ("函館市", "北海道", "012025", "", "")),
        # Day lines: a day, a clock time, then the host.
        ("◎10月3日 14：00～ 北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        ("▼R5.10.3（火）　北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        ("令和5年10月3日（火）午後　北海道函館市", "", ("函館市", "北海道", "012025", "", "")),
        # The host at the end of a topic heading, or after the host's name in brackets.
        ("（１）ICT人材の育成について【静岡県袋井市】", "", ("袋井市", "静岡県", "222160", "", "ICT人材の育成について")),
        ("【島根県出雲市】　令和5年10月30日（月）　13時30分～15時00分", "",
         ("出雲市", "島根県", "322032", "", "令和5年10月30日(月) 13時30分~15時00分")),
        # Facilities stand in their municipality.
        ("島根県出雲市役所", "", ("出雲市", "島根県", "322032", "", "")),
        ("三重県四日市市議会（四日市市役所　議会棟）", "", ("四日市市", "三重県", "242021", "", "(四日市市役所 議会棟)")),
        ("徳島県庁", "", ("徳島県", "徳島県", "360007", "", "")),
        ("クリーンセンター（愛媛県今治市）", "", ("今治市", "愛媛県", "382027", "", "クリーンセンター")),
        ("3　産業未来センター（島根県出雲市）（10月25日）", "",
         ("出雲市", "島根県", "322032", "", "産業未来センター (10月25日)")),
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
        pytest.param("総務委員会 行政視察報告書\n\n期日：令和6年11月6日～8日\n", "その２　北海道函館市（７日）",
                     "2024-11-07", id="day-of-the-period-alone"),
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
    [("参加議員：青木誠\n", "■青木　誠議員", "青木誠"), ("", "■松本由香議員", "松本由香"), ("", "■まとめ", ""),
     ("参加議員：森さやか、石田健\n", "【森委員】", "森さやか")],
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


# --- a section told only by its first sentence ------------------------------------------------------


def test_host_named_only_in_the_first_sentence(table: MunicipalityTable) -> None:
    text = "調査報告書\n\n１　窓口改革について\n　深谷市では、書かない窓口を始めた。\n\n２　所感\n　本区でも取り入れたい。\n"
    lines = split_lines(text)
    got = [(c.idx, c.place.name, c.cue) for c in first_sentence_candidates(lines, table, text)]
    assert got == [(2, "深谷市", "最初の文")]
    report = parse_text(text, "x.txt")
    assert [(v.municipality, v.prefecture) for v in report.visits] == [("深谷市", "埼玉県")]
    assert report.visits[0].evidence == ["最初の文: 深谷市では、書かない窓口を始めた。"]


def test_a_comparison_in_a_sentence_opens_nothing_when_headings_name_the_hosts() -> None:
    text = (
        "総務委員会 行政視察報告書\n\n(1) 北海道函館市（10月12日）\n函館市" + _BODY + "\n\n■比較\n"
        "札幌市では同じ仕組みを使っていない。\n"
    )
    assert [v[0] for v in _visits(text)] == ["函館市"]


# --- reconciliation: writer, schedule, same-name hosts -------------------------------------------------


_SAME_NAME = (
    "令和5年度　会派行政視察報告書\n\n府中市議会　会派「みらい」\n\n■視察日程\n"
    "　第１回　令和５年７月20日（木）　北海道河西郡更別村\n"
    "　第２回　令和５年11月９日（木）　広島県府中市\n\n"
    "第１　更別村（７月20日）\n\n　更別村は十勝平野の農村である。本市（府中市）とは規模が違う。\n\n"
    "第２　府中市（11月９日）\n\n　府中市は家具のまちである。本市の人口は約26万人である。\n"
)


def test_the_writer_is_no_visit_and_the_schedule_settles_a_same_name_host() -> None:
    report = parse_text(_SAME_NAME, "x.txt")
    assert [(v.municipality, v.prefecture, v.date) for v in report.visits] == [
        ("更別村", "北海道", "2023-07-20"), ("府中市", "広島県", "2023-11-09"),
    ]
    assert report.visits[1].evidence == ["見出し: 第２ 府中市（11月９日）", "日程表: 第２回 令和５年11月９日（木） 広島県府中市"]
    assert report.doubts == []


def test_the_writers_city_named_in_a_heading_is_no_visit() -> None:
    text = (
        "大府市議会　総務委員会\n\n視察日：令和4年10月31日\n\n(1) 静岡県袋井市\n袋井市" + _BODY + "\n\n"
        "■大府市\n大府市では、まだ研修の仕組みがない。今後の検討が必要である。\n"
    )
    assert [v[0] for v in _visits(text)] == ["袋井市"]


def test_a_host_reported_elsewhere_is_no_visit_nor_a_doubt() -> None:
    text = (
        "令和5年度 総務委員会 行政視察報告書\n\n視察先\n(1) 北海道函館市（10月12日）\n(2) 北海道札幌市（別冊で報告）\n\n"
        "(1) 北海道函館市（10月12日）\n函館市" + _BODY + "\n\n(2) 北海道札幌市（10月13日）\n札幌市" + _BODY + "\n"
    )
    report = parse_text(text, "x.txt")
    assert [v.municipality for v in report.visits] == ["函館市"]
    assert [d.kind for d in report.doubts] == []


def test_a_paragraph_under_the_list_says_which_hosts_are_reported_elsewhere() -> None:
    text = (
        "総務委員会 行政視察報告書\n\n視察先\n(1) 北海道函館市\n(2) 北海道札幌市\n(3) 北海道庁\n\n"
        "札幌市は中止した。また、北海道庁の視察内容は別冊で報告するため省略する。\n\n"
        "(1) 北海道函館市（令和5年10月12日）\n函館市" + _BODY + "\n"
    )
    assert _visits(text) == [("函館市", "北海道", "012025", "2023-10-12")]


def test_a_closing_under_a_rule_like_the_one_above_the_visits_is_report_wide() -> None:
    text = (
        "総務委員会 行政視察報告書\n\n━━━━━━\n\n〔函館市〕　令和5年10月12日\n\n函館市" + _BODY
        + "\n\n〔札幌市〕　令和5年10月13日\n\n札幌市" + _BODY + "\n\n━━━━━━\n\n（まとめ）\n両市とも参考になった。\n"
    )
    report = parse_text(text, "x.txt")
    assert [len(v.observations) for v in report.visits] == [0, 0]
    assert [o.text for o in report.observations] == ["両市とも参考になった。"]


def test_hosts_named_again_under_a_closing_part_are_its_paragraphs_not_the_visits() -> None:
    text = (
        "総務委員会 行政視察報告書\n\n１　視察の概要\n\n（１）函館市（令和5年10月12日）\n函館市" + _BODY
        + "\n\n（２）札幌市（令和5年10月13日）\n札幌市" + _BODY + "\n\n２　所感\n（函館市）\n函館市の窓口は参考になった。\n"
        "（札幌市）\n札幌市の体制は参考になった。\n"
    )
    report = parse_text(text, "x.txt")
    assert _visits(text) == [("函館市", "北海道", "012025", "2023-10-12"), ("札幌市", "北海道", "011002", "2023-10-13")]
    assert [[o.text for o in v.observations] for v in report.visits] == [
        ["函館市の窓口は参考になった。"], ["札幌市の体制は参考になった。"],
    ]


# --- doubts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        pytest.param("総務委員会 行政視察報告書\n\n(1) 北海道函館市\n函館市" + _BODY + "\n",
                     [("no-date", 1)], id="no-date"),
        pytest.param("令和5年度 行政視察報告書\n\n(1) 府中市（10月12日）\n府中市" + _BODY + "\n",
                     [("ambiguous-host", 1)], id="ambiguous-host"),
        pytest.param("令和5年度 行政視察報告書\n\n■日程\n10月12日 北海道函館市\n10月13日 北海道札幌市\n\n"
                     "(1) 北海道函館市\n函館市" + _BODY + "\n", [("schedule-mismatch", None)],
                     id="a-scheduled-host-without-a-section"),
        pytest.param("令和5年度 行政視察報告書\n\n■日程\n10月12日 北海道函館市\n\n(1) 北海道函館市\n函館市" + _BODY
                     + "\n\n(2) 北海道札幌市（10月13日）\n札幌市" + _BODY + "\n", [("schedule-mismatch", 2)],
                     id="a-section-no-row-claims"),
        pytest.param("報告\n\n本日は天気が良かった。\n", [("no-visit", None)], id="no-visit"),
    ],
)
def test_doubts(text: str, kinds: list[tuple[str, int | None]]) -> None:
    report = parse_text(text, "x.txt")
    assert [(d.kind, d.visit) for d in report.doubts] == kinds
    assert all(d.message and d.advice for d in report.doubts)
    for n, visit in enumerate(report.visits, 1):
        assert visit.doubts == [d for d in report.doubts if d.visit == n]


# --- the same report in other clothes parses the same ------------------------------------------------


_PLAIN = (
    "総務委員会　行政視察報告書\n\n視察期間　令和5年10月12日～13日\n\n"
    "(1) 北海道函館市（10月12日）\n\n函館市" + _BODY + "\n\n(2) 北海道札幌市（10月13日）\n\n札幌市" + _BODY + "\n"
)
_WANT = [("函館市", "北海道", "012025", "2023-10-12"), ("札幌市", "北海道", "011002", "2023-10-13")]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_PLAIN, id="plain"),
        pytest.param(_PLAIN.replace("(1) ", "第１　").replace("(2) ", "第２　"), id="ordinal-marks"),
        pytest.param(_PLAIN.replace("(1) ", "Ⅰ　").replace("(2) ", "Ⅱ　"), id="roman-marks"),
        pytest.param(_PLAIN.replace("(1) ", "■").replace("(2) ", "■"), id="square-marks"),
        pytest.param(_PLAIN.replace("(1) 北海道函館市（10月12日）", "【北海道函館市】　10月12日（木）　13時30分～")
                     .replace("(2) 北海道札幌市（10月13日）", "【北海道札幌市】　10月13日（金）　10時00分～"), id="lenticular-day"),
        pytest.param(_PLAIN.replace("(1) 北海道函館市（10月12日）", "＜北海道函館市＞　10月12日（木）　13時30分～")
                     .replace("(2) 北海道札幌市（10月13日）", "＜北海道札幌市＞　10月13日（金）　10時00分～"), id="angle-day"),
        pytest.param(_PLAIN.replace("（10月12日）", "（R5.10.12）").replace("（10月13日）", "（R5.10.13）"), id="era-dates"),
        pytest.param(_PLAIN.replace("\n\n(2)", "\n\n　　　　－１－\n総務委員会　行政視察報告書\n\n(2)"),
                     id="page-furniture"),
        pytest.param(_PLAIN.replace("総務委員会　行政視察報告書\n", "総務委員会　行政視察報告書\n\n大府市議会　総務委員会\n"),
                     id="writer-named"),
        pytest.param(_PLAIN.replace("(1) 北海道函館市（10月12日）", "(1) 公式LINEの活用について【北海道\n函館市】"),
                     id="heading-wrapped-inside-its-brackets"),
        pytest.param(_PLAIN.replace("総務委員会　行政視察報告書\n", "　　　　　　　　　　　　　　令和5年11月24日\n総務委員会　行政視察報告書\n"),
                     id="right-aligned-writing-date"),
    ],
)
def test_invariant_visits(text: str) -> None:
    assert _visits(text) == _WANT


@pytest.mark.parametrize(
    ("texts", "furniture"),
    [
        (["報告書 －3－", "", "本文である。", "- 1 2 -", "報告書 －3－", "1/6", "－１－"], {3, 4, 5, 6}),
        (["総務委員会行政視察報告書", "本文", "総務委員会行政視察報告書", "所感", "所感"], {2}),
        (["所感", "本文", "所感"], set()),
    ],
)
def test_page_furniture(texts: list[str], furniture: set[int]) -> None:
    assert page_furniture(texts) == furniture


# --- sections the schedule claims ------------------------------------------------------------------

_SCHEDULE = "令和4年度 総務委員会 行政視察報告書\n\n２　視察日程\n{rows}\n\n{sections}"
_TEXT = "では窓口のデジタル化について説明を受けた。担当課長から説明を受けた。"


@pytest.mark.parametrize(
    ("rows", "sections", "cue"),
    [
        pytest.param("10月31日（月）\t静岡県袋井市\tICT人材の育成について\n11月1日（火）\t東京都町田市\tデジタル化総合戦略について",
                     f"（１）ICT人材の育成について\n\n研修{_TEXT}\n\n（２）デジタル化総合戦略について\n\n戦略{_TEXT}\n",
                     "日程表の項目", id="topic-headings"),
        pytest.param("10月31日（月）\t静岡県袋井市\n11月1日（火）\t東京都町田市",
                     f"【第１日目】\n\n研修{_TEXT}\n\n【第２日目】\n\n戦略{_TEXT}\n", "日程表の順", id="day-headings"),
    ],
)
def test_sections_claimed_by_the_schedule(rows: str, sections: str, cue: str) -> None:
    report = parse_text(_SCHEDULE.format(rows=rows, sections=sections), "x.txt")
    assert [(v.municipality, v.date) for v in report.visits] == [("袋井市", "2022-10-31"), ("町田市", "2022-11-01")]
    assert all(v.evidence[0].startswith(f"{cue}: ") for v in report.visits)
    assert report.doubts == []


def test_a_right_aligned_writing_date_is_no_visit_date() -> None:
    text = "　　　　　　　　　　　　　　　　令和5年11月24日\n目黒区議会議長　殿\n\n報告書\n\n調査場所　埼玉県深谷市役所\n\n深谷市" + _BODY + "\n"
    report = parse_text(text, "x.txt")
    assert [(v.municipality, v.date) for v in report.visits] == [("深谷市", None)]
    assert [d.kind for d in report.doubts] == ["no-date"]


_DAYS = (
    "議会運営委員会　行政視察報告\n\n平成29年7月11日から12日まで三重県の2市を視察した。以下、日程の順に報告する。\n\n"
    "【第１日目】７月１１日（火）　午後\n三重県四日市市議会\n\n四日市市" + _BODY + "\n\n"
    "【第２日目】７月１２日（水）　午前\n三重県鳥羽市議会\n\n鳥羽市" + _BODY + "\n"
)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_DAYS, id="day-headings"),
        pytest.param(_DAYS.replace("\u3000", "  "), id="ascii-spaces"),
        pytest.param(_DAYS.replace("【第１日目】", "◎").replace("【第２日目】", "◎"), id="circle-marks"),
        pytest.param(_DAYS.replace("午後", "14：00～15：30").replace("午前", "10時00分～"), id="clock-times"),
        pytest.param(_DAYS.replace("７月１１日（火）", "H29.7.11（火）").replace("７月１２日（水）", "H29.7.12（水）"),
                     id="era-initials"),
    ],
)
def test_day_lines_date_the_host_below_them(text: str) -> None:
    assert [(v[0], v[3]) for v in _visits(text)] == [("四日市市", "2017-07-11"), ("鳥羽市", "2017-07-12")]


def test_a_shared_name_of_the_writers_city_heads_the_other_one_with_a_doubt() -> None:
    text = "政務活動報告書\n\n本市（伊達市）と比べた報告である。\n\n(1) 伊達市（10月12日）\n\n伊達市" + _BODY + "\n"
    report = parse_text(text, "x.txt")
    assert [v.municipality for v in report.visits] == ["伊達市"]
    assert [d.kind for d in report.doubts] == ["ambiguous-host", "no-date"]


def test_the_writers_unique_city_in_a_heading_is_no_visit() -> None:
    text = "政務活動報告書\n\n本市（尾道市）と比べた報告である。\n\n(1) 尾道市（10月12日）\n\n尾道市" + _BODY + "\n"
    assert parse_text(text, "x.txt").visits == []


@pytest.mark.parametrize(
    ("body", "start"),
    [
        ("2月7日（水）、行政視察で石川県加賀市を訪れました。", 5),
        # the same paragraph hard-wrapped: its first line still opens the visit
        ("2月7日（水）、所属する委員会の行政視察で、お隣の石川県加賀市\nを訪れました。", 5),
    ],
)
def test_prose_visit_starts_at_its_first_sentence(table: MunicipalityTable, body: str, start: int) -> None:
    text = f"活動報告\n石川県加賀市へ行政視察\n\n2024年2月9日\n\n{body}\n\n加賀市では、窓口を見ました。"
    lines = split_lines(text)
    assert [c.idx for c in fallback_visit(lines, table, text)] == [start]
