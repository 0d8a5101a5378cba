"""The report's head: title, committee or caucus, council, members, period, and the year of yearless dates."""

from __future__ import annotations

import datetime
import re
import unicodedata

import jaconv

from kb.dates import (
    YearContext,
    find_dates,
    find_fiscal_years,
    find_years,
    fiscal_span,
    iter_dates,
)
from kb.layout import MD, Field, Line, add_unique
from kb.model import Period, Report
from kb.municipalities import Municipality, MunicipalityTable, compact

_TITLES = r"副委員長|委員長|副議長|議長|委員|議員|幹事長|担当幹事|幹事|団長|副団長|会長|副会長|代表"
TITLE_WORDS = re.compile(rf"^(?:{_TITLES}|同)[ \u3000]*")
# Titles written after a name ("山田花子議員"), and the space before a title that opens
# the next name of a list on one line ("委員長 山田花子　副委員長 佐藤一郎").
TITLE_AFTER = re.compile(r"(?:副委員長|委員長|副議長|議長|議員|委員)$")
# A title spread over the width of a longer one in a form: "委　　員" is 委員.
_SPREAD_TITLE = re.compile("^(?:" + "|".join("[ \u3000]*".join(t) for t in _TITLES.split("|")) + ")(?=[ \u3000])")
_NEXT_TITLED = re.compile(rf"[ \u3000]+(?=(?:{_TITLES})|同[ \u3000])")

_BREADCRUMB = re.compile(r"[＞>›»]|トップページ|本文へ|ページの先頭")
_BODY_SUFFIX = re.compile(r"(?:委員会|検討会|協議会|研究会|審議会)$")
_COMMITTEE = re.compile(
    r"([一-龥々ァ-ヴーA-Za-z0-9・]{2,}?(?:委員会|検討会|協議会))"
    r"(?=$|[\s\u3000、（(＞>]|行政|県外|視察|調査|の|が|は|委員|報告|で|に)"
)
_COUNCIL = re.compile(r"([一-龥々ヶケ]{2,}?[都道府県市区町村])(?:議会|議団)")
_CITY_COUNCIL = re.compile(r"([一-龥々ヶケ]{2,}?市)会(?![館場社計話所])")
_KANA_COUNCIL = re.compile(r"([ぁ-ん]{2,})(市|町|村|区)議会")
_MEMBER_IN_TEXT = (
    re.compile(r"議会?議員[ \u3000]*の?(?P<n>[一-龥々ぁ-んァ-ヴー]+(?:[ \u3000][一-龥々]{1,3}(?=[ \u3000（(]|$))?)"),
    re.compile(r"[（(](?P<n>[一-龥々]{2,4}[ \u3000]?[一-龥々ぁ-ん]{1,4})委員長[）)]"),
)


def title_idx(lines: list[Line], first: int) -> set[int]:
    """The title line's index as a set (empty when there is none)."""
    idx = _title_line(lines, first)
    return {idx} if idx is not None else set()


def _title_line(lines: list[Line], first: int) -> int | None:
    heads = [ln for ln in lines[: min(first, 12)] if not ln.blank and not _BREADCRUMB.search(ln.text)]
    for line in heads[:5]:
        if re.search(r"報告|視察|調査|概要|記録|だより", line.text):
            return line.idx
    return heads[0].idx if heads else None


def read_header(
    report: Report, lines: list[Line], first: int, fields: list[Field], table: MunicipalityTable,
    visited: set[str], page_title: str = "",
) -> None:
    """Title, committee, council, members and period from the report's head."""
    head = lines[:first]
    idx = _title_line(lines, first)
    if idx is not None:
        title = re.sub(r"\s+", " ", MD.sub(r"\2", lines[idx].text)).strip()
        # A running header taken as the title carries its page number: 「…行政視察報告　－3－」「… 1/3」.
        report.title = re.sub(r"\s*(?:[-－—―]\s*\d{1,3}\s*[-－—―]|\d{1,3}\s*/\s*\d{1,3})$", "", title)
    else:
        report.title = re.sub(r"\s+", " ", page_title).strip()
    texts = [ln.text for ln in head if not ln.blank]
    opening = [ln.text for ln in lines if not ln.blank][:10]
    texts += [t for t in opening if t not in texts]
    report.body = _body(fields, texts)
    report.council = _council([*texts, page_title], table, visited)
    report.members = _members(fields, texts)
    dates = [f for f in fields if f.kind == "date" and f.label_idx < first]
    for f in dates:
        found = find_dates(" ".join(f.value))
        if found:
            report.period = Period(min(found).isoformat(), max(found).isoformat())
            break


def _body(fields: list[Field], texts: list[str]) -> str:
    for f in fields:
        if f.kind == "body" and f.value:
            name = re.sub(r"[\s\u3000]+", "", " ".join(f.value))
            return name if _BODY_SUFFIX.search(name) else f"会派 {name}"
    for text in texts:
        m = re.search(r"議会[ \u3000]*(会派「[^」]+」)", text)
        if m:
            return m.group(1)
    for text in texts:
        # Not a bracket: 「【会派視察】…」 names no caucus.
        m = re.search(r"^([^\s【［〔<＜(（]\S*)[ \u3000]*会派(?:行政)?(?:視察|調査)", text)
        m = m or re.search(r"^会派[「『]([^」』]+)[」』][ \u3000]*(?:行政)?(?:視察|調査)", text)
        if m:
            return f"会派 {m.group(1)}"
        m = re.search(r"「([^」]+?(?:委員会|検討会|協議会|研究会))」のメンバー", text)
        if m:
            return compact(m.group(1))
    norm = [unicodedata.normalize("NFKC", t) for t in texts]
    for text in norm:
        for m in _COMMITTEE.finditer(text):
            if re.match(r"\s*(?:行政|県外|視察|調査)", text[m.end():]):
                return m.group(1)
    for pool in ([t for t in norm if re.search("視察|調査", t)], norm):
        for text in pool:
            m = _COMMITTEE.search(text)
            if m:
                return _OWN_COUNCIL.sub("", m.group(1))
    # Last, a caucus named in a sentence: 「会派「新政いいだ」の仲間とともに」.
    named = (re.search(r"会派[「『]([^」』]{2,20})[」』]", text) for text in texts)
    return next((f"会派 {m.group(1)}" for m in named if m), "")


# The council's name glued before its committee: 「野木町議会議会運営委員会」.
_OWN_COUNCIL = re.compile(r"^[一-龥々ヶ]{2,}?[都道府県市区町村]議会(?=.{2,}委員会$)")


def _council(texts: list[str], table: MunicipalityTable, visited: set[str]) -> str:
    for text in texts:
        if name := _council_in(text, table, visited):
            return name
    for text in texts:
        for m in _KANA_COUNCIL.finditer(text):
            kata = jaconv.hira2kata(m.group(1))
            hits = [p for p in table.search(m.group(1)) if p.name.endswith(m.group(2))
                    and p.kana.startswith(kata) and len(p.kana) - len(kata) <= 2]
            if len({p.code for p in hits}) == 1 and hits[0].code not in visited:
                return f"{hits[0].name}議会"
    return ""


def _council_in(text: str, table: MunicipalityTable, visited: set[str]) -> str:
    """The first council of ``text`` that was not visited: ``春日部市議会``, or ``横浜市会`` of a designated city."""
    hits = [(m.start(), m.group(1), "議会") for m in _COUNCIL.finditer(text)]
    hits += [(m.start(), m.group(1), "会") for m in _CITY_COUNCIL.finditer(text)]
    for _, run, suffix in sorted(hits):
        place = _longest_place_suffix(run, table)
        if place is None or place.code in visited:
            continue
        if suffix == "議会" or (place.is_designated_city and run.endswith(place.name)):
            return f"{place.name}{suffix}"
    return ""


def _longest_place_suffix(run: str, table: MunicipalityTable) -> Municipality | None:
    for i in range(len(run) - 1):
        place = table.resolve(run[i:])
        if place is not None and run[i:] in (place.name, place.prefecture):
            return place
    return None


def _members(fields: list[Field], texts: list[str]) -> list[str]:
    out: list[str] = []
    for f in fields:
        if f.kind == "members":
            add_unique(out, _names(f.value))
        elif f.kind == "reporter":
            add_unique(out, _reporter(" ".join(f.value)))
    for text in texts:
        if _ROLE_LIST.search(text):
            add_unique(out, _names([text]))
        for regex in _MEMBER_IN_TEXT:
            for m in regex.finditer(text):
                name = re.sub(r"(?:です|でした|活動記録|の)$", "", compact(m.group("n")))
                if is_name(name):
                    add_unique(out, [name])
    # 「立花」 read from 「議員　立花　みゆき」 is the start of a name already listed.
    return [n for n in out if not any(o != n and o.startswith(n) for o in out)]


# A head line of names with their roles in parentheses: 「高野まさる（団長）　石田由紀　内田健一」.
_ROLE_LIST = re.compile(
    r"^[一-龥々ぁ-んァ-ヴー]{2,8}[（(](?:団長|副団長|代表|幹事長|会長|委員長)[）)](?:[ \u3000]+[一-龥々ぁ-んァ-ヴー]{2,8}"
    r"(?:[（(][^）)]{1,6}[）)])?)+$"
)


def _names(values: list[str]) -> list[str]:
    """The names of a members field: one per line, or listed with "、" or with titles."""
    out: list[str] = []
    # Staff who went along (随行, 事務局) are not members.
    values = [v for v in values if not re.match(r"^[ \u3000]*(?:随[ \u3000]*行|(?:議会)?事務局)", v)]
    for part in re.split(r"[、,，\n／/]", "\n".join(values)):
        text = re.sub(r"[（(][^）)]*[）)]", "", part).strip(" \u3000")
        text = _SPREAD_TITLE.sub(lambda m: compact(m.group()), text)
        for item in _NEXT_TITLED.split(text):
            for _ in range(2):
                item = TITLE_WORDS.sub("", item)
            for name in _spaced_names(item):
                if TITLE_AFTER.search(name) and is_name(TITLE_AFTER.sub("", name)):
                    name = TITLE_AFTER.sub("", name)
                if is_name(name):
                    out.append(name)
    return out


def _spaced_names(item: str) -> list[str]:
    """The names of a run separated by spaces, where a space may also part 姓 and 名.

    「西村　修二」 is one name, 「小林　隆　　森　　　勇」 two, 「鈴木恒夫　工藤真一」 two:
    a token of three or more characters is a name, a shorter one joins the next
    short token (姓 and 名 of at most five characters together).
    """
    whole = compact(item)
    tokens = [t for t in re.split(r"[ \u3000]+", item.strip(" \u3000")) if t]
    if len(tokens) <= 1 or (len(tokens) == 2 and len(whole) <= 5):
        return [whole]
    out: list[str] = []
    n = 0
    while n < len(tokens):
        tok = tokens[n]
        nxt = tokens[n + 1] if n + 1 < len(tokens) else ""
        if len(tok) <= 2 and nxt and len(tok) + len(nxt) <= 5 and not TITLE_WORDS.match(nxt):
            out.append(tok + nxt)
            n += 2
        else:
            out.append(tok)
            n += 1
    return out


def _reporter(value: str) -> list[str]:
    tokens = [t for t in re.split(r"[ \u3000]+", value.strip()) if t]
    keep = [t for t in tokens if not re.search(r"(?:委員|委員長|幹事|議員|議長|会長|代表|委員会)$|委員会|事務局", t)]
    name = "".join(keep)
    return [name] if is_name(name) else []


def is_name(name: str) -> bool:
    """True for a plausible personal name (no role, office or committee words)."""
    if not 2 <= len(name) <= 10 or not re.fullmatch(r"[一-龥々ヶぁ-んァ-ヴー]+", name):
        return False
    return not re.search(r"委員|議会|事務局|職員|以下|会派|担当|課長|部長|随行|主査|主任|係長|次長|議事", name)


def report_year(report: Report, head: list[Line], text: str) -> int | None:
    """The year of the trip: from the period, a dated head line, or the text's latest year."""
    if report.period.start:
        return int(report.period.start[:4])
    for line in head:
        full = [d for d in iter_dates(line.text) if d.has_year]
        if full:
            return full[0].date.year
    years = find_years(_year_source(head, text))
    return max(years) if years else None


def year_context(report: Report, head: list[Line], text: str) -> YearContext:
    """How the report's dates written without a year are read (see :func:`report_year`, :func:`report_span`)."""
    return YearContext(report_year(report, head, text), report_span(report, head, text))


def report_span(report: Report, head: list[Line], text: str) -> tuple[datetime.date, datetime.date] | None:
    """The days a date written without its year must fall in, if known.

    That is the trip's period, or else the fiscal year (``令和5年度``: April 2023
    to March 2024) when every year that :func:`report_year` reads is a 年度.
    """
    if report.period.start and report.period.end:
        return datetime.date.fromisoformat(report.period.start), datetime.date.fromisoformat(report.period.end)
    if any(d.has_year for line in head for d in iter_dates(line.text)):
        return None
    source = _year_source(head, text)
    years = find_years(source)
    if years and len(find_fiscal_years(source)) == len(years):
        return fiscal_span(max(years))
    return None


def _year_source(head: list[Line], text: str) -> str:
    """The head's text when it names a year, else the whole text."""
    head_text = "\n".join(ln.text for ln in head)
    return head_text if find_years(head_text) else text
