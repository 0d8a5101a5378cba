"""Japanese date parsing: eras, Western years, full-width and kanji digits, lists of days."""

from __future__ import annotations

import datetime

import pytest

from kb.dates import era_to_year, find_dates, find_years, parse_date

D = datetime.date


@pytest.mark.parametrize(
    ("text", "default_year", "expected"),
    [
        ("令和4年7月21日（木）", None, D(2022, 7, 21)),
        ("令和元年10月28日～29日", None, D(2019, 10, 28)),
        ("平成28年1月26日", None, D(2016, 1, 26)),
        ("昭和64年1月7日", None, D(1989, 1, 7)),
        ("2023年10月12日", None, D(2023, 10, 12)),
        ("2023/10/12", None, D(2023, 10, 12)),
        ("議員活動　2023.02.25（土）", None, D(2023, 2, 25)),
        ("R5.1.24", None, D(2023, 1, 24)),
        ("令和５年１０月２６日（木）", None, D(2023, 10, 26)),
        ("令和五年十月二十六日", None, D(2023, 10, 26)),
        ("7月21日（木）", 2022, D(2022, 7, 21)),
        ("7月21日（木）", None, None),
        ("令和5年2月30日", None, None),
        ("平成30年度　当初予算", None, None),
        ("日付のない文", 2024, None),
    ],
)
def test_parse_date(text: str, default_year: int | None, expected: datetime.date | None) -> None:
    assert parse_date(text, default_year) == expected


@pytest.mark.parametrize(
    ("text", "default_year", "expected"),
    [
        ("令和4年7月21日（木）～7月22日（金）", None, [D(2022, 7, 21), D(2022, 7, 22)]),
        ("令和5年11月7日（火曜日）～8日（水曜日）", None, [D(2023, 11, 7), D(2023, 11, 8)]),
        ("令和5年11月8日、9日、10日", None, [D(2023, 11, 8), D(2023, 11, 9), D(2023, 11, 10)]),
        ("2024年8月1日（木）～8月2日（金）", None, [D(2024, 8, 1), D(2024, 8, 2)]),
        ("2月1日 取手市、2月2日 豊田市", 2023, [D(2023, 2, 1), D(2023, 2, 2)]),
        ("令和6年12月31日～1月2日", None, [D(2024, 12, 31), D(2025, 1, 2)]),
        ("10月3日から5日まで", 2023, [D(2023, 10, 3), D(2023, 10, 5)]),
        ("10月3日から10月5日まで", 2023, [D(2023, 10, 3), D(2023, 10, 5)]),
        ("令和5年10月31日（月）から2泊3日", None, [D(2023, 10, 31), D(2023, 11, 1), D(2023, 11, 2)]),
        ("令和4年10月31日（月）～11月2日（水）　２泊３日", None, [D(2022, 10, 31), D(2022, 11, 2)]),
        ("10/12(木)、10/13(金)", 2023, [D(2023, 10, 12), D(2023, 10, 13)]),
        ("2024/2/14（水） 10:00～11:30", None, [D(2024, 2, 14)]),
        ("R5.11.16（木）　13:30～15:40", None, [D(2023, 11, 16)]),
        ("H30.10.25", None, [D(2018, 10, 25)]),
        ("十月十二日 午後2時", 2023, [D(2023, 10, 12)]),
        ("10月12日（木）午前10時～", 2023, [D(2023, 10, 12)]),
        # Not dates: a page of a total, a fraction, a time alone.
        ("1/3", 2023, []),
        ("3/4の世帯", 2023, []),
        ("14:00～15:30", 2023, []),
    ],
)
def test_find_dates(text: str, default_year: int | None, expected: list[datetime.date]) -> None:
    assert find_dates(text, default_year) == expected


@pytest.mark.parametrize(
    ("era", "year", "western"),
    [("令和", "元", 2019), ("令和", "5", 2023), ("平成", "元", 1989), ("平成", "31", 2019), ("昭和", "31", 1956)],
)
def test_era_to_year(era: str, year: str, western: int) -> None:
    assert era_to_year(era, year) == western


def test_find_years() -> None:
    assert find_years("令和元年9月 報告、平成30年度、2023年") == [2019, 2018, 2023]
