"""The writing council and the schedule: who writes, and which hosts on which day."""

from __future__ import annotations

import datetime

import pytest

from kb.dates import YearContext
from kb.layout import split_lines
from kb.municipalities import MunicipalityTable
from kb.schedule import Writer, find_writer, read_schedule, settled, skipped


@pytest.fixture(scope="module")
def table() -> MunicipalityTable:
    return MunicipalityTable.load()


# --- the writing council ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "names"),
    [
        ("大府市議会　総務委員会\n\n視察報告書\n", {"大府市"}),
        ("総務委員会行政視察報告書\n\n大府市議会　総務委員会\n", {"大府市"}),
        ("府中市議会　会派「みらい府中」\n", {"府中市"}),
        ("東京都板橋区議会　企画総務委員会\n行政視察報告書\n", {"板橋区"}),
        ("木更津市議会議員　大塚　誠　活動記録\n", {"木更津市"}),
        ("長野県議会　議会運営委員会　県外調査報告\n", {"長野県"}),
        ("　　　　　　　尾道市\n\n議会運営委員会　行政視察報告\n", {"尾道市"}),
        ("視察報告\n\n本市（府中市）の施策と比べる。\n", {"府中市"}),
        # Visits, not the writer: a council visited, a marked heading, a title naming the host.
        ("■茨城県取手市議会（2月1日）\n", set()),
        ("(1) 京都府議会\n京都府議会では窓口の説明を受けた。\n", set()),
        ("函館市議会視察報告\n", set()),
        ("行政視察報告\n\n三重県四日市市議会\n\n四日市市では議場にスクリーンを設けている。\n", set()),
        ("行政視察報告\n\n四日市市議会\n\n四日市市では議場にスクリーンを設けている。\n", set()),
        ("函館市\n\n公式LINEについて説明を受けた。\n", set()),
        ("2月1日　茨城県取手市　視察項目【議会の運営】\n", set()),
    ],
)
def test_find_writer(head: str, names: set[str], table: MunicipalityTable) -> None:
    assert find_writer(split_lines(head), table).names == names


# --- schedule rows --------------------------------------------------------------------------------


_YEARS = YearContext(2023)


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("　第１回　令和５年７月20日（木）　北海道河西郡更別村", ("更別村", "北海道", "2023-07-20")),
        ("10月31日（月）\t13:30～15:30\t静岡県袋井市\tICT人材の育成について", ("袋井市", "静岡県", "2023-10-31")),
        ("10月31日（月） 13:30～15:30 静岡県袋井市 ICT人材の育成について", ("袋井市", "静岡県", "2023-10-31")),
        ("| 8月27日（火） | 愛媛県今治市 | クリーンセンターについて |", ("今治市", "愛媛県", "2023-08-27")),
        ("┃10/12(木)┃北海道函館市┃公式LINE┃", ("函館市", "北海道", "2023-10-12")),
        ("　　①島根県出雲市　タブレット導入及びペーパーレスについて", ("出雲市", "島根県", None)),
        ("　１　さいたま市西区役所　「書かない窓口」の導入", ("さいたま市", "埼玉県", None)),
        ("　２　埼玉県庁　　　　　　埼玉県ＤＸ推進計画", ("埼玉県", "埼玉県", None)),
        ("2．視察先　（1）新潟県新潟市（10月26日）", ("新潟市", "新潟県", "2023-10-26")),
        ("(1) 埼玉県　本庄市", ("本庄市", "埼玉県", None)),
        ("③神奈川県高座郡寒川町議会「タブレット端末の導入について」　11月11日", ("寒川町", "神奈川県", "2023-11-11")),
    ],
)
def test_schedule_row(line: str, want: tuple[str, str, str | None], table: MunicipalityTable) -> None:
    rows = read_schedule(split_lines(line), 1, table, "", _YEARS, Writer())
    assert [(r.place.name, r.place.prefecture, r.date.isoformat() if r.date else None) for r in rows] == [want]


@pytest.mark.parametrize(
    "line",
    [
        "袋井市では職員の研修に力を入れている。",  # a sentence
        "静岡県袋井市と愛知県大府市の比較",  # two places
        "月日\t時間\t視察先\t視察項目",  # a table's head
        "袋井市の概要",  # a heading about a host, not a row
    ],
)
def test_not_a_schedule_row(line: str, table: MunicipalityTable) -> None:
    assert read_schedule(split_lines(line), 1, table, "", _YEARS, Writer()) == []


def test_schedule_keeps_order_and_one_row_per_host(table: MunicipalityTable) -> None:
    text = "■視察日程\n10月31日 静岡県袋井市\n11月1日 東京都町田市\n｜袋井市｜企画部長｜\n"
    rows = read_schedule(split_lines(text), 4, table, "", _YEARS, Writer())
    assert [(r.place.name, r.date) for r in rows] == [
        ("袋井市", datetime.date(2023, 10, 31)), ("町田市", datetime.date(2023, 11, 1)),
    ]


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("日　程　８月２７日（火）射水市、８月２８日（水）南砺市", [("射水市", "2023-08-27"), ("南砺市", "2023-08-28")]),
        ("視察日程：10月3日 静岡県磐田市，10月4日 静岡県掛川市", [("磐田市", "2023-10-03"), ("掛川市", "2023-10-04")]),
        ("8月27日（火）射水市と南砺市、8月28日（水）休養日", []),
    ],
)
def test_a_schedule_on_one_line(line: str, want: list[tuple[str, str]], table: MunicipalityTable) -> None:
    rows = read_schedule(split_lines(line), 1, table, "", _YEARS, Writer())
    assert [(r.place.name, r.date.isoformat() if r.date else None) for r in rows] == want


def test_the_writers_own_line_is_no_row(table: MunicipalityTable) -> None:
    lines = split_lines("東京都板橋区議会　企画総務委員会\n１　埼玉県庁　ＤＸ推進計画\n")
    rows = read_schedule(lines, 2, table, "", _YEARS, find_writer(lines, table))
    assert [r.place.name for r in rows] == ["埼玉県"]


# --- skipped hosts and same-name hosts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("(3) 茨城県つくば市（別冊で報告）\n", {"つくば市"}),
        ("※つくば市の視察は台風のため中止となった。\n", {"つくば市"}),
        ("(2) 東京都町田市　※他の委員会が報告するため省略\n", {"町田市"}),
        ("(1) 静岡県袋井市\n", set()),
        ("(1) 静岡県袋井市（移動のため一部省略）\n", set()),
        ("※袋井市では施設の見学は中止となった。\n", set()),
        ("袋井市は台風のため中止した。また、静岡県庁の視察は別冊で報告する。\n", {"袋井市", "静岡県"}),
    ],
)
def test_skipped_hosts(text: str, names: set[str], table: MunicipalityTable) -> None:
    codes = skipped(split_lines(text), 5, table)
    assert {p.name for p in table.all() if p.code in codes} == names


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("府中市", "第２回　広島県府中市", True),
        ("府中市", "府中市（東京都）と比べ", True),
        ("府中市", "府中市を訪ねた", False),
        ("森町", "北海道茅部郡森町", True),
        ("函館市", "函館市を訪ねた", True),  # one 函館市 in the country
    ],
)
def test_settled(name: str, text: str, expected: bool, table: MunicipalityTable) -> None:
    place = table.resolve(name)
    assert place is not None
    assert settled(place, text, table) is expected
