"""Visits: lines naming a visited place, the section each one opens, and its date."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from kb.dates import YearContext, iter_dates, normalize_numbers
from kb.header import title_idx
from kb.layout import (
    HEADING_MAX,
    OBS_WORDS,
    Q_STRICT,
    SEPARATOR,
    Field,
    Line,
    field_at,
    label_kind,
    norm_label,
    prev_nonblank,
    strip_marker,
)
from kb.model import Report
from kb.municipalities import Municipality, MunicipalityTable, compact
from kb.schedule import Row


@dataclass
class Candidate:
    """A line naming the place a visit section is about."""

    idx: int
    place: Municipality
    district: str
    rest: str
    cue: str = "見出し"
    said: str = ""  # the line the cue read, when it is not the opening line


_WARD = re.compile(r"^[一-龥々ヶ]{1,4}区(?!議会|民|域|内|長)")
_PLACE_SUFFIX = re.compile(r"^(?:議会|会|庁|役所|市役所|役場)?(?=$|[ \u3000（(【「<＜\[:：]|\d{1,2}月)")
# A day or a time before the place of a day line: 「10月3日(火) 14:00~」「R5.10.3(火)」「令和5年7月20日」「午後」.
_LEAD_WHEN = re.compile(
    r"^(?:(?:(?:令和|平成|R|H)\s*(?:\d{1,2}|元)\s*[年.]|\d{4}\s*[年/.])?\s*\d{1,2}\s*[月/.]\s*\d{1,2}\s*日?"
    r"(?:\s*\([^)]{1,4}\))?|\d{1,2}\s*[:時]\s*\d{0,2}\s*分?(?:\s*[~～-]\s*(?:\d{1,2}\s*[:時]\s*\d{0,2}\s*分?)?)?"
    r"|午前|午後)\s*"
)


def place_candidate(text: str, table: MunicipalityTable, context: str) -> tuple[Municipality, str, str] | None:
    """The place a short heading-like line is about, the 郡 written and the rest."""
    s = unicodedata.normalize("NFKC", strip_marker(text.replace("|", " ")))
    if "【" in s and "】" not in s and text.rstrip().endswith("】"):
        s += "】"  # the host closing a topic heading: 「…について【静岡県袋井市】」
    s = re.sub(r"\s+", " ", s).strip()
    while (when := _LEAD_WHEN.match(s)) and when.end():
        s = s[when.end():]
    if not s or len(s) > HEADING_MAX + 12 or s.endswith("。"):
        return None
    s = re.sub(r"([都道府県])\s+(?=\S)", r"\1", s)
    found = _leading_place(s, table, context)
    if found is not None:
        return found
    # The host in brackets after a facility, before the day if any: 「…センター（島根県出雲市）（10月25日）」.
    core = _TRAILING_DAY.sub("", s)
    tail = re.search(r"[（(【\[]([^（）()【】\[\]]+)[）)】\]]\s*$", core)
    if tail and len(core) <= HEADING_MAX:
        inner = _leading_place(tail.group(1).strip(), table, context)
        if inner is not None and not inner[2].strip():
            return inner[0], inner[1], f"{s[: tail.start()].strip()} {s[len(core):].strip()}".strip()
    return None


_TRAILING_DAY = re.compile(r"\s*[（(][^（）()]*\d{1,2}\s*月\s*\d{1,2}\s*日[^（）()]*[）)]\s*$")


def _leading_place(s: str, table: MunicipalityTable, context: str) -> tuple[Municipality, str, str] | None:
    mentions = table.mentions(s)
    if not mentions or mentions[0].start - len(mentions[0].district) != 0:
        return None
    first = mentions[0]
    place, end, district = first.candidates[0], first.end, first.district
    if place.is_prefecture and len(mentions) > 1:
        nxt = mentions[1]
        if nxt.start - len(nxt.district) == first.end:
            chosen = table.resolve(s[nxt.start:nxt.end], place.prefecture)
            if chosen is not None:
                place, end, district = chosen, nxt.end, nxt.district
    elif not place.is_prefecture:
        # 「府中市（広島県）」: a prefecture in parentheses right after the name settles it.
        after = re.match(r"\s*[（(]([^（）()]{2,4}[都道府県])[）)]", s[end:])
        pref = after.group(1) if after and table.prefecture(after.group(1)) else None
        place = table.resolve(place.name, pref, context) or place
    rest = s[end:]
    if place.is_designated_city:
        # A ward of a designated city is not in the table: 「横浜市青葉区役所」 is 横浜市.
        rest = _WARD.sub("", rest, count=1)
    suffix = _PLACE_SUFFIX.match(rest)
    if suffix is None or re.search(r"報告|活動記録|だより|議員", rest):
        return None
    return place, district, rest[suffix.end():].strip(" :：")


def _has_content(lines: list[Line], start: int, stop: int) -> bool:
    for line in lines[start:stop]:
        if line.blank or (line.cls and not line.text.endswith("。")):
            continue
        if line.text.endswith("。") or len(line.text) >= 60 or Q_STRICT.match(line.text):
            return True
    return False


def find_candidates(lines: list[Line], fields: list[Field], table: MunicipalityTable, context: str) -> list[Candidate]:
    """Every line (or 視察先 field) naming a single place, in order."""
    by_line: dict[int, Candidate] = {}
    consumed = {i for f in fields for i in f.value_idx if f.kind not in ("place", "topics")}
    for f in fields:
        if f.kind == "place" and len(f.value) == 1 and not _lists_places(f.value[0], table):
            got = place_candidate(f.value[0], table, context)
            if got:
                by_line[f.label_idx] = Candidate(f.label_idx, got[0], got[1], got[2], "視察先")
    for line in lines:
        if line.blank or line.idx in by_line or line.idx in consumed:
            continue
        if field_at(lines, line.idx) is not None and not line.cls:
            continue
        text = _unwrapped(lines, line)
        got = place_candidate(text, table, context)
        if got:
            by_line[line.idx] = Candidate(line.idx, got[0], got[1], got[2], said=text if text != line.text else "")
    return [by_line[i] for i in sorted(by_line)]


def _unwrapped(lines: list[Line], line: Line) -> str:
    """A heading hard-wrapped inside its brackets, joined: 「…について【静岡県」 + 「袋井市】」."""
    text = line.text
    opened = sum(text.count(c) for c in "【（(") - sum(text.count(c) for c in "】）)")
    nxt = lines[line.idx + 1] if line.idx + 1 < len(lines) else None
    if opened > 0 and nxt is not None and not nxt.blank and len(nxt.text) <= 12 and nxt.text[-1] in "】）)":
        return text + nxt.text
    return text


def _lists_places(value: str, table: MunicipalityTable) -> bool:
    """A 視察先 value naming several places is a schedule, not one visit's field."""
    parts = [p for p in re.split(r"[、,，・]", value) if table.find(p) is not None]
    return len(parts) > 1


def visit_starts(lines: list[Line], cands: list[Candidate]) -> list[Candidate]:
    """The candidates that open a visit section: the last run of distinct places with content."""
    sections: list[Candidate] = []
    pending: Candidate | None = None
    for n, cand in enumerate(cands):
        stop = cands[n + 1].idx if n + 1 < len(cands) else len(lines)
        if _has_content(lines, cand.idx + 1, stop):
            if sections and sections[-1].place.code == cand.place.code and _adjacent(cands, sections[-1], cand):
                continue
            # A heading naming the host right above a line naming it again (a respondent) opens the section.
            near = (pending is not None and pending.place.code == cand.place.code and cand.idx - pending.idx <= 5
                    and bool(lines[pending.idx].cls) and not lines[cand.idx].cls)
            sections.append(pending if near and pending is not None else cand)
            pending = None
        else:
            pending = cand if cand.cue == "見出し" else None
    run = _run_before(sections, len(sections))
    k = len(sections) - len(run)
    # Hosts named again as sub-headings of a closing 所感 (「（磐田市）」) are that part's
    # paragraphs, not the visits: the run before it names the same hosts.
    if k > 0 and _closing_between(lines, sections[k - 1].idx, run[0].idx):
        earlier = _run_before(sections, k)
        if {c.place.code for c in earlier} == {c.place.code for c in run}:
            return earlier
    return run


def _run_before(sections: list[Candidate], end: int) -> list[Candidate]:
    """The run of distinct places that ends before ``sections[end]``."""
    run: list[Candidate] = []
    seen: set[str] = set()
    for cand in reversed(sections[:end]):
        if cand.place.code in seen:
            break
        seen.add(cand.place.code)
        run.append(cand)
    return list(reversed(run))


def _closing_between(lines: list[Line], a: int, b: int) -> bool:
    """Whether the last heading between two lines is a 所感 heading holding no place."""
    heads = [ln for ln in lines[a + 1:b] if ln.cls]
    return bool(heads) and OBS_WORDS.search(heads[-1].inner) is not None and len(heads[-1].inner) <= 12


def _adjacent(cands: list[Candidate], a: Candidate, b: Candidate) -> bool:
    return not any(a.idx < c.idx < b.idx and c.place.code != a.place.code for c in cands)


def _label_above(lines: list[Line], cand: Candidate, floor: int) -> tuple[int, int | None]:
    """Where a visit starts at least (its place label, when one is above the place line),
    and the heading above that label, if any."""
    j = prev_nonblank(lines, cand.idx, floor)
    if j is None or label_kind(strip_marker(lines[j].text)) != "place":
        return cand.idx, None
    k = prev_nonblank(lines, j, floor)
    if k is not None and lines[k].cls and label_kind(lines[k].inner) is None:
        return j, k
    return j, None


def _md_level(line: Line) -> int | None:
    return int(line.cls[2:]) if line.cls.startswith("md") else None


def _opens_visit(lines: list[Line], label: int, head: int, heads: list[int | None]) -> bool:
    """Whether the heading above a visit's place label belongs to the visit.

    Not the report's title, and not a heading above the level of the visit's own
    blocks unless every visit has one of its class ("## 1日目", "## 2日目").
    """
    if head in title_idx(lines, head + 1):
        return False
    level, own = _md_level(lines[head]), _md_level(lines[label])
    if level is None or own is None or level >= own:
        return True
    return len(heads) > 1 and all(h is not None and lines[h].cls == lines[head].cls for h in heads)


def visit_bounds(lines: list[Line], starts: list[Candidate]) -> list[tuple[int, int]]:
    """The line range ``(lo, hi)`` of each visit section."""
    out: list[tuple[int, int]] = []
    floor = 0
    above: list[tuple[int, int | None]] = []
    for cand in starts:
        above.append(_label_above(lines, cand, floor))
        floor = cand.idx + 1
    heads = [head for _, head in above]
    begins = [head if head is not None and _opens_visit(lines, label, head, heads) else label for label, head in above]
    for n, lo in enumerate(begins):
        hi = begins[n + 1] if n + 1 < len(begins) else _last_visit_end(lines, lo, starts, out)
        out.append((lo, hi))
    return out


def _last_visit_end(lines: list[Line], lo: int, starts: list[Candidate], done: list[tuple[int, int]]) -> int:
    """Where the last visit ends: a report-wide 所感 heading, or the end of the text."""
    outer = {ln.cls for ln in lines[: done[0][0] if done else lo] if ln.cls}
    own = lines[starts[-1].idx].cls
    heads = [ln for a, b in done for ln in lines[a:b] if ln.cls]
    earlier = {norm_label(ln.inner) for ln in heads}
    # A 所感 of a heading class the earlier visits used for their sections (【質疑応答】),
    # under a name none of them had, closes the report rather than the last visit.
    outer |= {ln.cls for ln in heads} if done else set()
    for line in lines[lo + 1:]:
        if not line.cls or line.idx <= starts[-1].idx or not OBS_WORDS.search(line.inner):
            continue
        top = line.cls in (own, "bare") or line.cls in outer or _after_rule(lines, line.idx, done[0][0] if done else lo)
        if top and norm_label(line.inner) not in earlier:
            return line.idx
    return len(lines)


def _after_rule(lines: list[Line], i: int, first: int) -> bool:
    """A heading right under a rule (━━━) that also stands above the visits: the report's closing part."""
    j = prev_nonblank(lines, i, first)
    k = prev_nonblank(lines, first, 0)
    return j is not None and k is not None and all(SEPARATOR.match(lines[n].text) for n in (j, k))


# A host named only as the subject of a section's first sentence: 「深谷市では、」「出雲市議会は、」.
_SUBJECT = re.compile(r"^(?:議会|役所|市役所|役場|庁)?(?:では|は|において|にお?ける)[、,]?")


def first_sentence_candidates(lines: list[Line], table: MunicipalityTable, context: str) -> list[Candidate]:
    """Sections whose heading names no place but whose first sentence opens with one."""
    out: list[Candidate] = []
    for line in lines:
        if not line.cls or OBS_WORDS.search(line.inner):
            continue
        below = next((ln for ln in lines[line.idx + 1:line.idx + 3] if not ln.blank), None)
        if below is None or not below.text.endswith("。") and len(below.text) < 40:
            continue
        key = compact(below.text)
        mentions = table.mentions(key)
        if not mentions or mentions[0].start - len(mentions[0].district) != 0:
            continue
        first = mentions[0]
        if first.candidates[0].is_prefecture and len(mentions) > 1 and mentions[1].start == first.end:
            first = mentions[1]
        if _SUBJECT.match(key[first.end:]):
            place = table.resolve(key[:first.end], None, context) or first.candidates[0]
            out.append(Candidate(line.idx, place, first.district, "", "最初の文", below.text))
    return out


# After the place in a title: 「中野区議会視察」「加賀市へ行政視察」「森町を視察」.
_TITLE_VISIT = re.compile(r"^(?:議会|市会|区会|役所|庁)?(?:[へをにで]|を訪ねて)?(?:行政|先進地)?視察")


def fallback_visit(lines: list[Line], table: MunicipalityTable, text: str) -> list[Candidate]:
    """A report with no visit heading: a place named with 視察 in the title lines."""
    for line in lines[:6]:
        if "視察" not in line.text:
            continue
        for m in table.mentions(compact(line.text)):
            place = m.candidates[0]
            rest = compact(line.text)[m.end:]
            if _TITLE_VISIT.match(rest):
                chosen = table.resolve(place.name, None, text) or place
                start = _prose_start(lines, line.idx, chosen.name)
                return [Candidate(start, chosen, m.district, "", "題名", line.text)]
    return []


def _prose_start(lines: list[Line], title: int, name: str) -> int:
    """Where a visit told in prose starts: the first sentence naming the place, else the first sentence."""
    prose = [ln for ln in lines[title + 1:] if ln.text.endswith("。") or _opens_wrapped_paragraph(lines, ln.idx)]
    naming = [ln for ln in prose if name in compact(ln.text)]
    return (naming or prose or [lines[title]])[0].idx


def _opens_wrapped_paragraph(lines: list[Line], i: int) -> bool:
    """A long line after a blank one whose paragraph, hard-wrapped over several lines, ends a sentence."""
    if len(lines[i].text) < 20 or (i > 0 and not lines[i - 1].blank) or lines[i].cls:
        return False
    j = i
    while j + 1 < len(lines) and not lines[j + 1].blank:
        j += 1
    return j > i and lines[j].text.endswith("。")


def consumed_lines(fields: list[Field], starts: list[Candidate], lines: list[Line]) -> set[int]:
    """Lines read as fields or visit headings, which yield no passage."""
    used = {f.label_idx for f in fields} | {i for f in fields for i in f.value_idx}
    used |= {c.idx for c in starts if not lines[c.idx].text.endswith("。")}
    return used


def assign_dates(
    report: Report, starts: list[Candidate], lines: list[Line], fields: list[Field],
    bounds: list[tuple[int, int]], years: YearContext, rows: list[Row],
) -> None:
    """The day of each visit, from the most specific source that gives one.

    Its heading or day line, a date field of its section, its schedule row, the
    n-th day of a period listing one day per visit, the last day line above it,
    and else the trip's single day; never the day the report was written.
    """
    first = bounds[0][0] if bounds else len(lines)
    listed = {r.place.code: r.date for r in rows if r.date}
    dated = [f for f in fields if f.kind == "date" and f.label_idx < first]
    period = sorted({d for f in dated for d in years.dates(" ".join(f.value))})
    days = sorted(set(period) | set(listed.values()))
    for n, (visit, cand, (lo, hi)) in enumerate(zip(report.visits, starts, bounds)):
        day = _first_date(lines[cand.idx].text, years) or _day_of_period(lines[cand.idx].text, days)
        day = day or _field_date(fields, lo, hi, years, first)
        day = day or listed.get(visit.code)
        if day is None and len(period) == len(starts) and len(starts) > 1:
            day = period[n]
        day = day or _within(_context_date(lines, lo, years), period)
        if day is None and len(days) == 1:
            day = days[0]
        visit.date = day.isoformat() if day else None


# A day without its month in a heading: 「その１　香川県丸亀市（６日）」.
_DAY_ONLY = re.compile(r"(?<![\d月/.])(\d{1,2})日(?!目|間)")


def _day_of_period(text: str, days: list[datetime.date]) -> datetime.date | None:
    """The one day of the trip whose day of month a heading gives alone."""
    found = _DAY_ONLY.findall(normalize_numbers(text))
    if not found or not days or (days[-1] - days[0]).days > 14:
        return None
    trip = [days[0] + datetime.timedelta(days=n) for n in range((days[-1] - days[0]).days + 1)]
    hits = [d for d in trip if d.day == int(found[0])]
    return hits[0] if len(hits) == 1 else None


def _within(day: datetime.date | None, period: list[datetime.date]) -> datetime.date | None:
    """A day line outside the trip's known period is another date (the day the report was written)."""
    if day is None or not period or period[0] <= day <= period[-1]:
        return day
    return None


def _first_date(text: str, years: YearContext) -> datetime.date | None:
    found = years.dates(text)
    return found[0] if found else None


def _field_date(fields: list[Field], lo: int, hi: int, years: YearContext, first: int) -> datetime.date | None:
    for f in fields:
        if f.kind == "date" and lo <= f.label_idx < hi and f.label_idx >= first:
            got = _first_date(" ".join(f.value), years)
            if got:
                return got
    return None


_RIGHT_ALIGNED = 12
# What a day line may hold besides its date: 「【第1日目】7月11日（火）　午後　14:00～」.
_DAY_LINE_REST = re.compile(
    r"[（(][月火水木金土日](?:曜日?)?[）)]|午前|午後|\d{1,2}\s*[:時]\s*\d{0,2}\s*分?|[~～\-－]|第\s*\d{1,2}\s*日目?"
    r"|[【】\[\]〔〕<>＜＞■□◆◇●○◎▼▽・\s]"
)


def _day_line(text: str, start: int, end: int) -> bool:
    """Whether a line is a day line: its date, with little more than a weekday, a time, a mark."""
    return len(_DAY_LINE_REST.sub("", text[:start] + text[end:])) <= 6


_DAY_FIRST = re.compile(r"^(\d{1,2})日(?:[はにの、]|[（(])")


def _context_date(lines: list[Line], lo: int, years: YearContext) -> datetime.date | None:
    """The last date-only line or "N日は…" paragraph before a visit."""
    found: datetime.date | None = None
    month: int | None = None
    for line in lines[:lo]:
        if line.indent >= _RIGHT_ALIGNED:
            continue  # a right-aligned date is the day the report was written or filed
        text = normalize_numbers(line.text)
        months = re.findall(r"(?<!\d)(\d{1,2})月(?!\d)", text)
        full = iter_dates(text, years.year)
        if full and (_day_line(text, full[0].start, full[0].end) or text.startswith("本日")):
            found = full[0].date if full[0].has_year else years.fit(full[0].date)
            month = found.month
            continue
        day = _DAY_FIRST.match(text)
        if day and month and years.year:
            try:
                found = years.fit(datetime.date(years.year, month, int(day.group(1))))
            except ValueError:
                pass
        if months and not full:
            month = int(months[0])
    return found
