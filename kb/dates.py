"""Dates written the Japanese way: era years, Western years, full-width digits.

``令和4年7月21日``, ``令和元年10月28日``, ``R5.1.24``, ``平成30年``,
``2023年10月12日``, ``2023/10/12``, ``１０月２６日`` and kanji numerals
(``令和五年十月二十六日``).  A month and day without a year take
``default_year``.  A date followed by more days (``11月7日～8日``,
``11月8日、9日、10日``) yields every day of the list in :func:`find_dates`.
A :class:`YearContext` also moves a yearless date into a known span of days
(a trip over the new year, a fiscal year ``令和5年度`` running April to March).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from kanjize import kanji2number

ERAS: dict[str, int] = {
    "明治": 1867,
    "大正": 1911,
    "昭和": 1925,
    "平成": 1988,
    "令和": 2018,
}
ERA_INITIALS: dict[str, str] = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}

_KANJI_NUM = re.compile(r"[〇一二三四五六七八九十百千]+")
_ERA = r"(?P<era>明治|大正|昭和|平成|令和)\s*(?P<ey>元|\d{1,2})\s*年"
_WEST = r"(?P<wy>(?:19|20)\d{2})\s*年"
_YEAR = rf"(?:{_ERA}|{_WEST})"
_MD = r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
_FULL = re.compile(rf"(?:{_YEAR}\s*)?{_MD}")
_NUMERIC = re.compile(
    r"(?<![\d.])(?:(?P<ei>[MTSHR])\.?\s*(?P<ey>\d{1,2})|(?P<wy>(?:19|20)\d{2}))"
    r"\s*[./／-]\s*(?P<m>\d{1,2})\s*[./／-]\s*(?P<d>\d{1,2})(?![\d.])"
)
_YEAR_ONLY = re.compile(_YEAR)
_FISCAL = re.compile(rf"{_YEAR}\s*度")
_MORE_DAYS = re.compile(
    r"\s*(?:[（(][^）)]{1,4}[）)])?\s*(?:から|[～〜~\-－ー、,・及びと])\s*(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日"
)
# A month and day with a slash, told from a fraction by the weekday after it: 「10/12(木)」.
_SLASH_MD = re.compile(r"(?<![\d./／])(?P<m>\d{1,2})\s*[/／]\s*(?P<d>\d{1,2})(?=\s*[（(][月火水木金土日])")
# The length of a trip after its first day: 「10月31日から2泊3日」.
_NIGHTS = re.compile(r"\s*(?:[（(][^）)]{1,4}[）)])?\s*(?:から|より)\s*(\d)\s*泊\s*(\d)\s*日")


@dataclass(frozen=True)
class DateMatch:
    """One date found in a text, with where it was written."""

    date: datetime.date
    start: int
    end: int
    has_year: bool


def normalize_numbers(text: str) -> str:
    """NFKC (full-width digits to ASCII) and kanji numerals before 年/月/日 to digits."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"([〇一二三四五六七八九十百千]+)(?=\s*[年月日])", _kanji_to_digits, text)


def _kanji_to_digits(match: re.Match[str]) -> str:
    try:
        return str(kanji2number(match.group(1)))
    except (ValueError, KeyError, TypeError):
        return match.group(1)


def era_to_year(era: str, year: str) -> int:
    """Western year of an era year (``令和``, ``元``) -> 2019."""
    number = 1 if year == "元" else int(year)
    return ERAS[era] + number


def _year_of(groups: dict[str, str | None]) -> int | None:
    if groups.get("wy"):
        return int(groups["wy"] or 0)
    era = groups.get("era") or ERA_INITIALS.get(groups.get("ei") or "", "")
    if era and groups.get("ey"):
        return era_to_year(era, groups["ey"] or "")
    return None


def _make(year: int | None, month: int, day: int) -> datetime.date | None:
    if year is None:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def iter_dates(text: str, default_year: int | None = None) -> list[DateMatch]:
    """Every date in ``text`` with its span (spans refer to the normalised text)."""
    norm = normalize_numbers(text)
    found: list[DateMatch] = []
    for regex in (_FULL, _NUMERIC, _SLASH_MD):
        for m in regex.finditer(norm):
            year = _year_of(m.groupdict())
            has_year = year is not None
            day = _make(year if has_year else default_year, int(m["m"]), int(m["d"]))
            if day is not None:
                found.append(DateMatch(day, m.start(), m.end(), has_year))
                found.extend(_more_days(norm, m.end(), day, has_year))
    found.sort(key=lambda d: (d.start, -d.end))
    out: list[DateMatch] = []
    for d in found:
        # A day read both as the end of a range and on its own (「～11月2日」) counts once.
        if not out or d.start >= out[-1].end or d.date != out[-1].date:
            out.append(d)
    return out


def _more_days(text: str, pos: int, first: datetime.date, has_year: bool) -> list[DateMatch]:
    """Days listed after a date: ``～8日``, ``、9日、10日``, ``～7月22日`` (with the first's year, if written)."""
    out: list[DateMatch] = []
    current = first
    nights = _NIGHTS.match(text, pos)
    if nights is not None and int(nights.group(2)) == int(nights.group(1)) + 1:
        for n in range(1, int(nights.group(2))):
            day = first + datetime.timedelta(days=n)
            out.append(DateMatch(day, nights.start(1), nights.end(), has_year))
        return out
    while (m := _MORE_DAYS.match(text, pos)) is not None:
        month = int(m.group(1)) if m.group(1) else current.month
        nxt = _make(current.year, month, int(m.group(2)))
        if nxt is None:
            break
        if nxt < current:
            nxt = _make(current.year + 1, month, int(m.group(2))) or nxt
        out.append(DateMatch(nxt, m.start(2), m.end(), has_year))
        current, pos = nxt, m.end()
    return out


def find_dates(text: str, default_year: int | None = None) -> list[datetime.date]:
    """Every date written in ``text``, in order of appearance."""
    return [d.date for d in iter_dates(text, default_year)]


def parse_date(text: str, default_year: int | None = None) -> datetime.date | None:
    """The first date written in ``text``, or None."""
    dates = iter_dates(text, default_year)
    return dates[0].date if dates else None


def find_years(text: str) -> list[int]:
    """Every year written in ``text`` (``令和元年`` -> 2019, ``2023年``, ``R5.1.24``)."""
    norm = normalize_numbers(text)
    years = [y for m in _YEAR_ONLY.finditer(norm) if (y := _year_of(m.groupdict()))]
    years.extend(y for m in _NUMERIC.finditer(norm) if (y := _year_of(m.groupdict())))
    return years


def find_fiscal_years(text: str) -> list[int]:
    """Every fiscal year written in ``text`` (``令和5年度`` -> 2023)."""
    norm = normalize_numbers(text)
    return [y for m in _FISCAL.finditer(norm) if (y := _year_of(m.groupdict()))]


def fiscal_span(year: int) -> tuple[datetime.date, datetime.date]:
    """The days of a Japanese fiscal year: April 1 to March 31 of the next year."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def within(day: datetime.date, start: datetime.date, end: datetime.date) -> datetime.date:
    """``day`` with the year that puts it between ``start`` and ``end`` (unchanged when no year does)."""
    if start <= day <= end:
        return day
    for year in range(start.year, end.year + 1):
        moved = _make(year, day.month, day.day)
        if moved is not None and start <= moved <= end:
            return moved
    return day


@dataclass(frozen=True)
class YearContext:
    """How a date written without its year is read: the report's year, and the span it must fall in."""

    year: int | None
    span: tuple[datetime.date, datetime.date] | None = None

    def fit(self, day: datetime.date) -> datetime.date:
        """A yearless ``day`` moved into the span, when there is one."""
        return within(day, *self.span) if self.span else day

    def dates(self, text: str) -> list[datetime.date]:
        """Every date written in ``text``; those without a year fitted into the span."""
        return [d.date if d.has_year else self.fit(d.date) for d in iter_dates(text, self.year)]
