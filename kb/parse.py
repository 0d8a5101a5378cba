"""Structure of an inspection report: header, visits, Q&A, observations.

The parser works on repaired text (see :mod:`kb.repair`) and knows no file:
it reads headings, labels ("視察先", "対応者", "【質疑応答】"...), markers
(Q/A, 問/答, "・…" + "→…") and place names.  Its steps:

1. classification of every line (heading class,
   label field, Q/A marker);
2. visit headings: short lines whose subject is a place ("(1) 大阪府大阪市",
   "■栃木県議会（8月1日）", "＜十石堀（北茨城市）＞", a 視察先 value) that are
   followed by content; when a place is listed twice (a schedule, then the
   report) the later run wins;
3. each visit's lines become passages (content / qa / observation) while
   dates, respondents and topics are read from labels and headings;
4. what lies before the first visit (title, committee, members, period) and
   after the last one (a report-wide 所感) is read at report level.

Nothing is dropped: every line of text ends in a passage or in a field.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from kb.dates import find_dates, find_years, iter_dates, normalize_numbers
from kb.model import Observation, Passage, Period, QAPair, Report, Section, Visit
from kb.municipalities import Municipality, MunicipalityTable, compact

NO_VISIT_WARNING = "視察先を特定できませんでした（全文を報告書全体の段落として扱います）"

# --- line classification -------------------------------------------------

_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("angle", re.compile(r"^[<＜〈《]\s*(.+?)\s*[>＞〉》]$")),
    ("lenticular", re.compile(r"^【\s*(.+?)\s*】$")),
    ("tortoise", re.compile(r"^[〔［]\s*(.+?)\s*[〕］]$")),
    ("dash", re.compile(r"^[―—－]+\s*(.+?)\s*[―—－]+$")),
    ("square", re.compile(r"^[■□◆◇●▼▽]\s*(.+)$")),
    ("circle", re.compile(r"^[○〇◎]\s*(.+)$")),
    ("paren_num", re.compile(r"^[（(]\s*\d{1,2}\s*[）)]\s*(.+)$")),
    ("num_paren", re.compile(r"^\d{1,2}\s*[）)]\s*(.+)$")),
    ("num_dot", re.compile(r"^\d{1,2}\s*[.．、]\s*(?!\d)(.+)$")),
    ("num", re.compile(r"^\d{1,2}[ \u3000]+(.+)$")),
    ("circled", re.compile(r"^[①-⑳]\s*(.+)$")),
    ("paren_kana", re.compile(r"^[（(][ア-ト][）)]\s*(.+)$")),
    ("paren", re.compile(r"^[（(]([^（）()]{1,12})[）)]$")),
    ("kana", re.compile(r"^[ア-ト][ \u3000]+(.+)$")),
)
_MD = re.compile(r"^(#{1,6})\s*(.*)$")
_LEAD_MARKER = re.compile(
    r"^(?:[（(]\s*\d{1,2}\s*[）)]|\d{1,2}\s*[）).．、]|\d{1,2}[ \u3000]|[①-⑳]|[（(]?[ア-ト][）)]|[ア-ト][ \u3000]"
    r"|[■□◆◇●▼▽○〇◎・])\s*"
)
_HEADING_MAX = 48

_Q = re.compile(
    r"^(?:[QＱ]\d*|問\d*|[（(]質問[）)]|[（(]問[）)]|質問\s*[:：]|委員\s*[:：])\s*[）):：.．]?\s*(?=\S)"
)
_A = re.compile(
    r"^(?:[AＡ]\d*|答\d*|[（(]回答[）)]|[（(]答[）)]|回答\s*[:：]|担当者?\s*[:：]|答弁\s*[:：])\s*[）):：.．]?\s*(?=\S)"
)
_Q_STRICT = re.compile(r"^(?:[QＱ]\d*[\s:：.．)）]|問\d*[\s:：)）]|[（(]質問[）)]|[（(]問[）)]|質問\s*[:：]|委員\s*[:：])")
_A_STRICT = re.compile(
    r"^(?:[AＡ]\d*[\s:：.．)）]|答\d*[\s:：)）]|[（(]回答[）)]|[（(]答[）)]|回答\s*[:：]|担当者?\s*[:：]|答弁\s*[:：])"
)
_ARROW_ANSWER = re.compile(r"^(?:→|⇒|➡|・・・|…+|⇨)\s*")
_PROSE_Q = re.compile(r"「(?P<q>[^」]{4,})」との(?:質問|質疑|問い)")
_PROSE_A = re.compile(r"「(?P<a>[^」]{4,})」との(?:回答|答弁|答え|説明)")
_SEPARATOR = re.compile(r"^[\s━─―—=＝\-－_＿~〜～*＊・]{3,}$")
_CAPTION = re.compile(r"^[（(][^（）()]*(?:写真|様子|ヒアリング|にて|風景)[^（）()]*[）)]$|（写真）$|\(写真\)$")

_LABELS: dict[str, tuple[str, ...]] = {
    "place": ("視察先", "調査先", "訪問先"),
    "date": ("視察月日", "視察日時", "視察日程", "視察期日", "視察期間", "視察日", "実施日", "調査期日", "調査期間",
             "調査日", "実施日時", "日時", "期日", "月日"),
    "respondents": ("対応者", "説明者", "応対者", "対応"),
    "topics": ("視察事項", "視察項目", "視察案件", "調査事項", "調査項目", "視察テーマ", "視察内容と視察先",
               "視察先及び視察事項", "視察先及び調査事項"),
    "members": ("視察参加議員", "参加者氏名", "視察委員", "参加委員", "参加議員", "参加者", "出席者", "参加",
                "派遣委員", "調査委員"),
    "body": ("委員会名・会派名", "委員会名", "会派名"),
    "reporter": ("報告者",),
}
_OBS_WORDS = re.compile(r"所見|所感|考察|感想|まとめ|総括")
_QA_WORDS = re.compile(r"質疑|質問|Q&A|Ｑ＆Ａ|問答|意見交換")
_NOT_TOPIC = re.compile(
    r"概要$|^視察内容$|^視察結果|質疑|所見|所感|考察|対応|説明者|写真|実演|ポイント|^調査項目|^視察項目|^視察事項"
)
_PERSON = r"[一-龥々ヶぁ-んァ-ヴー]{1,6}(?:[ \u3000][一-龥々ヶぁ-んァ-ヴー]{1,6})?"
_TITLE_WORDS = re.compile(
    r"^(?:副委員長|委員長|副議長|議長|委員|同|議員|幹事長|担当幹事|幹事|団長|副団長|会長|副会長|代表)[ \u3000]*"
)


@dataclass
class Line:
    """One line of the report with its heading class and label, if any."""

    idx: int
    raw: str
    text: str
    indent: int
    cls: str = ""
    inner: str = ""

    @property
    def blank(self) -> bool:
        """True for an empty line."""
        return not self.text


@dataclass
class Field:
    """A labelled value: ``視察先：埼玉県　本庄市`` or a label with value lines."""

    kind: str
    label_idx: int
    value_idx: list[int]
    value: list[str]


def _split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    for i, raw in enumerate(text.split("\n")):
        stripped = raw.strip(" \t\u3000")
        indent = len(raw) - len(raw.lstrip(" \t\u3000"))
        line = Line(i, raw, stripped, indent)
        _classify(line)
        lines.append(line)
    return lines


def _classify(line: Line) -> None:
    text = line.text
    md = _MD.match(text)
    if md:
        line.cls, line.inner = f"md{len(md.group(1))}", md.group(2).strip()
        return
    if len(text) > _HEADING_MAX + 4 or text.endswith("。") or _Q_STRICT.match(text) or _A_STRICT.match(text):
        return
    for cls, regex in _MARKERS:
        m = regex.match(text)
        if m and len(m.group(1)) <= _HEADING_MAX:
            line.cls, line.inner = cls, m.group(1).strip()
            return


def _strip_marker(text: str) -> str:
    text = _MD.sub(r"\2", text.strip())
    text = re.sub(r"^【([^】]{1,12})】\s*(?=\S)", r"\1：", text)
    for _ in range(2):
        text = _LEAD_MARKER.sub("", text.strip(" \u3000"))
    return text.strip(" \u3000<＜〈《>＞〉》【】〔〕")


def _norm_label(text: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]$", "", compact(text))


def _label_kind(name: str) -> str | None:
    key = _norm_label(name)
    for kind, labels in _LABELS.items():
        if key in labels:
            return kind
    return None


_INLINE_LABEL = re.compile(r"^(?P<label>[^\s:：　]{1,10}?)(?:[（(][^）)]{0,8}[）)])?\s*(?:[:：]\s*|[ \u3000]+)(?P<value>\S.*)$")


def _find_fields(lines: list[Line]) -> list[Field]:
    """Every labelled field of the report, in order."""
    fields: list[Field] = []
    i = 0
    while i < len(lines):
        f = _field_at(lines, i)
        if f is None:
            i += 1
            continue
        fields.append(f)
        i = max([i + 1, *[v + 1 for v in f.value_idx]])
    return fields


def _field_at(lines: list[Line], i: int) -> Field | None:
    line = lines[i]
    if line.blank:
        return None
    body = _strip_marker(line.text)
    body = re.sub(r"^[（(](?=[^）)]*[:：])(.*)[）)]$", r"\1", body)
    kind = _label_kind(body)
    if kind is not None:
        return _block_field(lines, i, kind)
    m = _INLINE_LABEL.match(body)
    if m is None or (kind := _label_kind(m.group("label"))) is None:
        return None
    if kind == "respondents" and not re.match(r"^(?:対応者?|説明者|応対者)\s*[:：]|^対応者?[ \u3000]", body):
        return None
    values = [m.group("value").strip()]
    idx = [i]
    j = i + 1
    while j < len(lines) and not lines[j].blank and lines[j].indent >= max(3, line.indent + 2):
        values.append(lines[j].text)
        idx.append(j)
        j += 1
    return Field(kind, i, idx, values)


def _block_field(lines: list[Line], i: int, kind: str) -> Field:
    """A label alone on its line: the value is the lines below it."""
    line = lines[i]
    j = i + 1
    idx: list[int] = []
    if line.cls.startswith("md") or (line.cls and not _next_nonblank_adjacent(lines, i)):
        while j < len(lines) and not (lines[j].cls and _stops_block(lines[j], line)):
            if not lines[j].blank:
                if _label_kind(_strip_marker(lines[j].text)) or _INLINE_FIELD_START(lines[j]):
                    break
                if _is_prose(lines[j].text) or (lines[j].cls and _is_prose(_next_text(lines, j, len(lines)) or "")):
                    break
                idx.append(j)
            j += 1
    else:
        while j < len(lines) and not lines[j].blank:
            if _label_kind(_strip_marker(lines[j].text)) is not None:
                break
            idx.append(j)
            j += 1
    return Field(kind, i, idx, [lines[k].text for k in idx])


def _is_prose(text: str) -> bool:
    return text.endswith("。") or len(text) >= 60


def _INLINE_FIELD_START(line: Line) -> bool:
    m = _INLINE_LABEL.match(_strip_marker(line.text))
    return bool(m and _label_kind(m.group("label")) and line.cls)


def _stops_block(line: Line, label: Line) -> bool:
    if line.cls.startswith("md") or label.cls.startswith("md"):
        return bool(line.cls.startswith("md")) or line.cls == label.cls
    return line.cls == label.cls


def _next_nonblank_adjacent(lines: list[Line], i: int) -> bool:
    return i + 1 < len(lines) and not lines[i + 1].blank


# --- visits -------------------------------------------------------------------


@dataclass
class Candidate:
    """A line naming the place a visit section is about."""

    idx: int
    place: Municipality
    district: str
    rest: str


_PLACE_SUFFIX = re.compile(r"^(?:議会|会|庁|役所|市役所|役場)?(?=$|[ \u3000（(【「<＜\[]|\d{1,2}月)")


def _place_candidate(text: str, table: MunicipalityTable, context: str) -> tuple[Municipality, str, str] | None:
    """The place a short heading-like line is about, the 郡 written and the rest."""
    s = unicodedata.normalize("NFKC", _strip_marker(text.replace("|", " ")))
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"^\d{1,2}月\d{1,2}日(?:\s*\([^)]{1,4}\))?\s*", "", s)
    if not s or len(s) > _HEADING_MAX + 12 or s.endswith("。"):
        return None
    s = re.sub(r"([都道府県])\s+(?=\S)", r"\1", s)
    found = _leading_place(s, table, context)
    if found is not None:
        return found
    tail = re.search(r"[（(]([^（）()]+)[）)]\s*$", s)
    if tail and len(s) <= _HEADING_MAX:
        inner = _leading_place(tail.group(1).strip(), table, context)
        if inner is not None and not inner[2].strip():
            return inner[0], inner[1], s[: tail.start()].strip()
    return None


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
        place = table.resolve(place.name, None, context) or place
    rest = s[end:]
    suffix = _PLACE_SUFFIX.match(rest)
    if suffix is None or re.search(r"報告|活動記録|だより|議員", rest):
        return None
    return place, district, rest[suffix.end():].strip()


def _has_content(lines: list[Line], start: int, stop: int) -> bool:
    for line in lines[start:stop]:
        if line.blank or (line.cls and not line.text.endswith("。")):
            continue
        if line.text.endswith("。") or len(line.text) >= 60 or _Q_STRICT.match(line.text):
            return True
    return False


def _find_candidates(lines: list[Line], fields: list[Field], table: MunicipalityTable, context: str) -> list[Candidate]:
    by_line: dict[int, Candidate] = {}
    consumed = {i for f in fields for i in f.value_idx if f.kind not in ("place", "topics")}
    for f in fields:
        if f.kind == "place" and len(f.value) == 1 and not _lists_places(f.value[0], table):
            got = _place_candidate(f.value[0], table, context)
            if got:
                by_line[f.label_idx] = Candidate(f.label_idx, got[0], got[1], got[2])
    for line in lines:
        if line.blank or line.idx in by_line or line.idx in consumed:
            continue
        if _field_at(lines, line.idx) is not None and not line.cls:
            continue
        got = _place_candidate(line.text, table, context)
        if got:
            by_line[line.idx] = Candidate(line.idx, got[0], got[1], got[2])
    return [by_line[i] for i in sorted(by_line)]


def _lists_places(value: str, table: MunicipalityTable) -> bool:
    """A 視察先 value naming several places is a schedule, not one visit's field."""
    parts = [p for p in re.split(r"[、,，・]", value) if table.find(p) is not None]
    return len(parts) > 1


def _visit_starts(lines: list[Line], cands: list[Candidate]) -> list[Candidate]:
    """The candidates that open a visit section: the last run of distinct places with content."""
    sections: list[Candidate] = []
    for n, cand in enumerate(cands):
        stop = cands[n + 1].idx if n + 1 < len(cands) else len(lines)
        if _has_content(lines, cand.idx + 1, stop):
            if sections and sections[-1].place.code == cand.place.code and _adjacent(cands, sections[-1], cand):
                continue
            sections.append(cand)
    run: list[Candidate] = []
    seen: set[str] = set()
    for cand in reversed(sections):
        if cand.place.code in seen:
            break
        seen.add(cand.place.code)
        run.append(cand)
    return list(reversed(run))


def _adjacent(cands: list[Candidate], a: Candidate, b: Candidate) -> bool:
    return not any(a.idx < c.idx < b.idx and c.place.code != a.place.code for c in cands)


def _section_start(lines: list[Line], cand: Candidate, floor: int) -> int:
    """Move a visit start back over the place label and the heading above it."""
    start = cand.idx
    j = _prev_nonblank(lines, start, floor)
    if j is not None and _label_kind(_strip_marker(lines[j].text)) == "place":
        start = j
        k = _prev_nonblank(lines, start, floor)
        if k is not None and lines[k].cls and _label_kind(lines[k].inner) is None:
            start = k
    return start


def _prev_nonblank(lines: list[Line], i: int, floor: int) -> int | None:
    j = i - 1
    while j >= floor and lines[j].blank:
        j -= 1
    return j if j >= floor else None


# --- the parse itself ------------------------------------------------------------


@dataclass
class _State:
    """What the walk through a section's lines carries from line to line."""

    mode: Section = "content"
    heading: str = ""
    author: str = ""
    pending_q: str = ""
    pending_heading: str = ""


@dataclass
class _Collector:
    """Passages, Q&A and observations of one visit (or of the report)."""

    prefix: str
    passages: list[Passage] = field(default_factory=list)
    qa: list[QAPair] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    def add(self, section: Section, text: str, heading: str) -> Passage:
        passage = Passage(f"{self.prefix}-p{len(self.passages) + 1}", section, text, heading)
        self.passages.append(passage)
        return passage


def parse_text(
    text: str,
    file: str,
    *,
    format: str = "txt",
    encoding: str = "utf-8",
    warnings: list[str] | None = None,
    table: MunicipalityTable | None = None,
) -> Report:
    """Parse repaired report text into a :class:`Report` (``text`` is kept as is)."""
    table = table or MunicipalityTable.load()
    report = Report(file=file, format=format, encoding=encoding, text=text, warnings=list(warnings or []))
    lines = _split_lines(text)
    fields = _find_fields(lines)
    cands = _find_candidates(lines, fields, table, text)
    starts = _visit_starts(lines, cands)
    if not starts:
        starts = _fallback_visit(lines, table, text)
    bounds = _visit_bounds(lines, starts)
    first = bounds[0][0] if bounds else len(lines)
    _read_header(report, lines, first, fields, table, starts)
    year = _report_year(report, lines[:first], text)
    consumed = _consumed_lines(fields, starts, lines)
    for n, (cand, (lo, hi)) in enumerate(zip(starts, bounds)):
        report.visits.append(_parse_visit(n + 1, cand, lines, lo, hi, fields, consumed, report))
    _from_header(report, starts, lines[:first], fields, table, text)
    _assign_dates(report, starts, lines, fields, bounds, year)
    tail = bounds[-1][1] if bounds else len(lines)
    _read_rest(report, lines, first, tail, consumed | _title_idx(lines, first))
    if not report.visits:
        report.warnings.append(NO_VISIT_WARNING)
    _finish_period(report)
    return report


def parse_file(path: Path, table: MunicipalityTable | None = None) -> Report:
    """Read, repair and parse one report file."""
    from kb.readers import read_document
    from kb.repair import repair_text

    doc = read_document(path)
    return parse_text(
        repair_text(doc.text), path.name, format=doc.format, encoding=doc.encoding,
        warnings=list(doc.warnings), table=table,
    )


def _visit_bounds(lines: list[Line], starts: list[Candidate]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    floor = 0
    begins: list[int] = []
    for cand in starts:
        begins.append(_section_start(lines, cand, floor))
        floor = cand.idx + 1
    for n, lo in enumerate(begins):
        hi = begins[n + 1] if n + 1 < len(begins) else _last_visit_end(lines, lo, starts, out)
        out.append((lo, hi))
    return out


def _last_visit_end(lines: list[Line], lo: int, starts: list[Candidate], done: list[tuple[int, int]]) -> int:
    """Where the last visit ends: a report-wide 所感 heading, or the end of the text."""
    outer = {ln.cls for ln in lines[: done[0][0] if done else lo] if ln.cls}
    own = lines[starts[-1].idx].cls
    earlier = {_norm_label(ln.inner) for a, b in done for ln in lines[a:b] if ln.cls}
    for line in lines[lo + 1:]:
        if not line.cls or line.idx <= starts[-1].idx or not _OBS_WORDS.search(line.inner):
            continue
        if (line.cls == own or line.cls in outer) and _norm_label(line.inner) not in earlier:
            return line.idx
    return len(lines)


def _fallback_visit(lines: list[Line], table: MunicipalityTable, text: str) -> list[Candidate]:
    """A report with no visit heading: a place named with 視察 in the title lines."""
    for line in lines[:6]:
        if "視察" not in line.text:
            continue
        for m in table.mentions(compact(line.text)):
            place = m.candidates[0]
            rest = compact(line.text)[m.end:]
            if re.match(r"^(?:議会|市会|区会|役所|庁)?視察", rest):
                chosen = table.resolve(place.name, None, text) or place
                start = next((ln.idx for ln in lines[line.idx + 1:] if ln.text.endswith("。")), line.idx)
                return [Candidate(start, chosen, m.district, "")]
    return []


def _consumed_lines(fields: list[Field], starts: list[Candidate], lines: list[Line]) -> set[int]:
    used = {f.label_idx for f in fields} | {i for f in fields for i in f.value_idx}
    used |= {c.idx for c in starts if not lines[c.idx].text.endswith("。")}
    return used


# --- walking the lines of a section ---------------------------------------------------


def _walk(
    lines: list[Line], lo: int, hi: int, consumed: set[int], coll: _Collector, members: list[str], heading: str = "",
) -> None:
    """Turn the lines ``lo..hi`` into passages, Q&A pairs and observations."""
    state = _State(heading=heading)
    mode_cls = ""
    buffer: list[str] = []
    for i in range(lo, hi):
        line = lines[i]
        if line.blank or i in consumed or _SEPARATOR.match(line.text):
            continue
        if line.cls and not _CAPTION.match(line.text):
            _flush_list(coll, state, buffer)
            mode_cls = _heading(line, state, coll, mode_cls, members)
            if _list_item_heading(lines, i, hi, consumed):
                section: Section = "observation" if state.mode == "observation" else _content(state)
                _emit(coll, state, section, line.text)
            continue
        if _qa_line(lines, i, hi, state, coll):
            _flush_list(coll, state, buffer)
            continue
        if line.text.startswith(("・", "-", "‐", "*")) and len(line.text) < 120:
            buffer.append(line.text)
            if sum(len(b) for b in buffer) > 300:
                _flush_list(coll, state, buffer)
            continue
        _flush_list(coll, state, buffer)
        _paragraph(line.text, state, coll)
    _flush_list(coll, state, buffer)
    _flush_question(coll, state)


def _list_item_heading(lines: list[Line], i: int, hi: int, consumed: set[int]) -> bool:
    """A heading-like line that is really an item of a list (①…方式 ②…方式): kept as text."""
    line = lines[i]
    if line.cls == "circled" and len(line.inner) >= 12:
        return True
    nxt = next((ln for ln in lines[i + 1: hi] if not ln.blank and ln.idx not in consumed), None)
    return nxt is not None and nxt.cls == line.cls and len(line.inner) >= 12 and not line.cls.startswith("md")


def _flush_list(coll: _Collector, state: _State, buffer: list[str]) -> None:
    if buffer:
        section: Section = "observation" if state.mode == "observation" else _content(state)
        _emit(coll, state, section, "\n".join(buffer))
        buffer.clear()


def _content(state: _State) -> Section:
    return "overview" if state.mode == "overview" else "content"


def _emit(coll: _Collector, state: _State, section: Section, text: str) -> None:
    passage = coll.add(section, text, state.heading)
    if section == "observation":
        coll.observations.append(Observation(state.author, text, passage.id))


def _heading(line: Line, state: _State, coll: _Collector, mode_cls: str, members: list[str]) -> str:
    """Update the walk state on a heading; returns the class that set the mode."""
    _flush_question(coll, state)
    inner = line.inner
    author = _author(inner, members)
    if state.mode == "observation" and author:
        state.author = author
        return mode_cls
    if _QA_WORDS.search(inner) and len(inner) <= 20:
        state.mode, state.heading = "qa", inner
        return line.cls
    if _OBS_WORDS.search(inner):
        state.mode, state.heading, state.author = "observation", inner, ""
        return line.cls
    # A sub-heading of another class inside Q&A or 所感 (①…, ア…) does not end that section.
    nested = line.cls != mode_cls and not line.cls.startswith("md")
    if state.mode in ("qa", "observation") and nested and line.cls not in ("paren", "angle", "lenticular", "square"):
        state.heading = inner
        return mode_cls
    state.mode = "overview" if re.search(r"の概要$|^概要$", compact(inner)) and "視察" not in inner[:2] else "content"
    state.heading = inner
    topic = _topic(inner)
    if topic and state.mode == "content":
        coll.topics.append(topic)
    return line.cls


def _author(inner: str, members: list[str]) -> str:
    name = compact(inner)
    if name in members:
        return name
    looks_like_name = re.fullmatch(r"[一-龥々ヶ]{1,4}[ \u3000]?[一-龥々ヶぁ-ん]{1,4}", inner) is not None
    if looks_like_name and not re.search(r"[課部局室市町村県]$|について|概要|質疑|課題|経過|効果|所見|所感|考察", name):
        return name
    return ""


def _topic(inner: str) -> str:
    text = _strip_marker(inner)
    if _NOT_TOPIC.search(compact(text)) or _label_kind(text):
        return ""
    text = re.sub(r"(?:について|に関すること|に関して)$", "", text).strip(" 　")
    return text if 2 <= len(text) <= 60 else ""


def _qa_line(lines: list[Line], i: int, hi: int, state: _State, coll: _Collector) -> bool:
    """Handle a question or answer line; False when the line is neither."""
    text = lines[i].text
    if _Q_STRICT.match(text):
        _flush_question(coll, state)
        state.pending_q = _Q.sub("", text, count=1).strip()
        return True
    if text.startswith("・") and not text.startswith("・・・"):
        nxt = _next_text(lines, i, hi)
        if nxt is not None and _ARROW_ANSWER.match(nxt):
            _flush_question(coll, state)
            state.pending_q = text.lstrip("・ 　")
            return True
    answer = _A.sub("", text, count=1) if _A_STRICT.match(text) else None
    if answer is None and _ARROW_ANSWER.match(text):
        answer = _ARROW_ANSWER.sub("", text, count=1)
    if answer is None:
        return False
    answer = answer.strip()
    if state.pending_q:
        _pair(coll, state, state.pending_q, answer)
        state.pending_q = ""
    elif coll.qa and coll.passages and coll.passages[-1].id == coll.qa[-1].passage:
        last = coll.qa[-1]
        last.answer += "\n" + answer
        coll.passages[-1].text = _qa_text(last.question, last.answer)
    else:
        return False
    return True


def _next_text(lines: list[Line], i: int, hi: int) -> str | None:
    for j in range(i + 1, hi):
        if not lines[j].blank:
            return lines[j].text
    return None


def _qa_text(question: str, answer: str) -> str:
    return f"問：{question}\n答：{answer}"


def _pair(coll: _Collector, state: _State, question: str, answer: str, text: str = "") -> None:
    heading = state.heading if state.mode == "qa" else "質疑応答"
    passage = coll.add("qa", text or _qa_text(question, answer), heading)
    coll.qa.append(QAPair(question, answer, passage.id))


def _flush_question(coll: _Collector, state: _State) -> None:
    """A question left without an answer is kept as ordinary text."""
    if state.pending_q:
        coll.add(_content(state), state.pending_q, state.heading)
        state.pending_q = ""


def _paragraph(text: str, state: _State, coll: _Collector) -> None:
    _flush_question(coll, state)
    if _CAPTION.match(text):
        coll.add("content", text, state.heading)
        return
    pairs = _prose_pairs(text)
    if pairs:
        for n, (q, a) in enumerate(pairs):
            _pair(coll, state, q, a, text if n == 0 else "")
        return
    if state.mode == "observation" and (len(text) >= 20 or text.endswith("。")):
        _emit(coll, state, "observation", text)
        return
    coll.add(_content(state), text, state.heading)


def _prose_pairs(text: str) -> list[tuple[str, str]]:
    """Q&A told in prose: 「…」との質問があり、…「…」との回答."""
    pairs: list[tuple[str, str]] = []
    pos = 0
    while (q := _PROSE_Q.search(text, pos)) is not None:
        a = _PROSE_A.search(text, q.end())
        if a is None:
            break
        pairs.append((q.group("q"), a.group("a")))
        pos = a.end()
    return pairs


# --- one visit ----------------------------------------------------------------------


def _parse_visit(
    n: int, cand: Candidate, lines: list[Line], lo: int, hi: int, fields: list[Field],
    consumed: set[int], report: Report,
) -> Visit:
    place = cand.place
    visit = Visit(municipality=place.name, prefecture=place.prefecture, code=place.code, district=cand.district)
    coll = _Collector(f"v{n}")
    _walk(lines, lo, hi, consumed, coll, report.members, _strip_marker(lines[cand.idx].text))
    own = [f for f in fields if lo <= f.label_idx < hi]
    for f in own:
        if f.kind == "respondents":
            _add_unique(visit.respondents, _respondents(f.value, place))
        elif f.kind == "topics":
            _add_unique(visit.topics, [t for v in f.value if (t := _clean_topic(v))])
    _add_unique(visit.respondents, _prose_respondents(lines[lo:hi], place))
    if cand.rest and (t := _clean_topic(cand.rest)):
        _add_unique(visit.topics, [t])
    _add_unique(visit.topics, coll.topics)
    visit.qa, visit.observations, visit.passages = coll.qa, coll.observations, coll.passages
    return visit


def _add_unique(target: list[str], items: list[str]) -> None:
    for item in items:
        if item and item not in target:
            target.append(item)


def _clean_topic(text: str) -> str:
    text = unicodedata.normalize("NFKC", _strip_marker(text))
    text = re.sub(r"\d{1,2}月\d{1,2}日\s*(?:\([^)]{1,4}\))?", "", text)
    text = re.sub(r"\([^()]{0,14}[都道府県市区町村]\)|\(\s*\)", "", text)
    text = re.sub(r"[「」『』]", "", text).strip()
    text = re.sub(r"^(?:視察項目|視察事項|調査事項|調査項目|視察案件)\s*", "", text)
    text = re.sub(r"[（(][^（）()]*[）)]$", "", text.strip())
    text = text.strip(" 【】「」―-")
    text = re.sub(r"(?:について|に関すること|に関して)$", "", text).strip()
    return text if 2 <= len(text) <= 80 else ""


def _respondents(values: list[str], place: Municipality) -> list[str]:
    out: list[str] = []
    for value in values:
        for part in re.split(r"[、,，]", _strip_marker(value)):
            item = _respondent(part, place, out)
            if item:
                out.append(item)
    return out


def _respondent(part: str, place: Municipality, before: list[str]) -> str:
    text = re.sub(r"[（(][^（）()]*[）)]", "", part)
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip(" 、")
    text = re.sub(r"ほか$|他$", "", text).strip()
    if text.startswith(place.name) and not text[len(place.name):].startswith(("議会", "会")):
        text = text[len(place.name):].strip()
    if text.startswith("同課") and before:
        text = _same_unit(before[-1], text[2:].strip())
    elif text.startswith("同 "):
        text = text[2:]
    return text if 2 <= len(text) <= 60 else ""


def _same_unit(previous: str, title: str) -> str:
    """Expand "同課　係長" with the unit of the respondent named before it."""
    if previous.endswith("担当課長"):
        unit = previous[: -len("担当課長")].strip()
        return f"{unit} {title}" if re.search(r"[部局室課]$", unit) else title
    m = re.match(r"^(.*課)長$", previous)
    return f"{m.group(1)} {title}" if m else title


_PROSE_RESPONDENT = (
    re.compile(r"説明は、?(?P<r>[^、。]{3,40}?)から受けた"),
    re.compile(r"(?P<r>(?:市|県|町|村|区)の担当者)から"),
    re.compile(r"対応(?:して)?(?:いただいた|頂いた)のは、?(?P<r>[^、。]{3,40}?)(?:の職員の皆さん|の皆さん|の皆様|の方々)"),
)


def _prose_respondents(lines: list[Line], place: Municipality) -> list[str]:
    out: list[str] = []
    for line in lines:
        for regex in _PROSE_RESPONDENT:
            for m in regex.finditer(line.text):
                who = re.sub(r"([局部課室])の", r"\1 ", m.group("r"))
                if who not in out:
                    out.append(who)
    return out


# --- report level ---------------------------------------------------------------------

_BREADCRUMB = re.compile(r"[＞>›»]|トップページ|本文へ|ページの先頭")
_BODY_SUFFIX = re.compile(r"(?:委員会|検討会|協議会|研究会|審議会)$")
_COMMITTEE = re.compile(
    r"([一-龥々ァ-ヴーA-Za-z0-9・]{2,}?(?:委員会|検討会|協議会))"
    r"(?=$|[\s\u3000、（(＞>]|行政|県外|視察|調査|の|が|は|委員|報告|で|に)"
)
_COUNCIL = re.compile(r"([一-龥々ヶケ]{2,}?[都道府県市区町村])(?:議会|議団)")
_KANA_COUNCIL = re.compile(r"([ぁ-ん]{2,})(市|町|村|区)議会")
_MEMBER_IN_TEXT = (
    re.compile(r"議会?議員[ \u3000]*の?(?P<n>[一-龥々ぁ-んァ-ヴー]+(?:[ \u3000][一-龥々]{1,3}(?=[ \u3000（(]|$))?)"),
    re.compile(r"[（(](?P<n>[一-龥々]{2,4}[ \u3000]?[一-龥々ぁ-ん]{1,4})委員長[）)]"),
)


def _title_idx(lines: list[Line], first: int) -> set[int]:
    idx = _title_line(lines, first)
    return {idx} if idx is not None else set()


def _title_line(lines: list[Line], first: int) -> int | None:
    heads = [ln for ln in lines[: min(first, 12)] if not ln.blank and not _BREADCRUMB.search(ln.text)]
    for line in heads[:5]:
        if re.search(r"報告|視察|調査|概要|記録|だより", line.text):
            return line.idx
    return heads[0].idx if heads else None


def _read_header(
    report: Report, lines: list[Line], first: int, fields: list[Field], table: MunicipalityTable,
    starts: list[Candidate],
) -> None:
    """Title, committee, council, members and period from the report's head."""
    head = lines[:first]
    idx = _title_line(lines, first)
    if idx is not None:
        report.title = re.sub(r"\s+", " ", _MD.sub(r"\2", lines[idx].text)).strip()
    texts = [ln.text for ln in head if not ln.blank]
    opening = [ln.text for ln in lines if not ln.blank][:10]
    texts += [t for t in opening if t not in texts]
    report.body = _body(fields, texts)
    visited = {c.place.code for c in starts}
    report.council = _council(texts, table, visited)
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
        m = re.search(r"^(\S+)[ \u3000]*会派(?:行政)?(?:視察|調査)", text)
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
                return m.group(1)
    return ""


def _council(texts: list[str], table: MunicipalityTable, visited: set[str]) -> str:
    for text in texts:
        for m in _COUNCIL.finditer(text):
            place = _longest_place_suffix(m.group(1), table)
            if place is not None and place.code not in visited:
                return f"{place.name}議会"
    for text in texts:
        for m in _KANA_COUNCIL.finditer(text):
            kata = jaconv_hira2kata(m.group(1))
            hits = [p for p in table.search(m.group(1)) if p.name.endswith(m.group(2))
                    and p.kana.startswith(kata) and len(p.kana) - len(kata) <= 2]
            if len({p.code for p in hits}) == 1 and hits[0].code not in visited:
                return f"{hits[0].name}議会"
    return ""


def jaconv_hira2kata(text: str) -> str:
    """Hiragana to katakana (kept here so the parser needs no other helper)."""
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


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
            _add_unique(out, _names(f.value))
        elif f.kind == "reporter":
            _add_unique(out, _reporter(" ".join(f.value)))
    for text in texts:
        for regex in _MEMBER_IN_TEXT:
            for m in regex.finditer(text):
                name = re.sub(r"(?:です|でした|活動記録|の)$", "", compact(m.group("n")))
                if _is_name(name):
                    _add_unique(out, [name])
    return out


def _names(values: list[str]) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[、,，\n]", "\n".join(values)):
        text = re.sub(r"[（(][^）)]*[）)]", "", part).strip(" \u3000")
        for _ in range(2):
            text = _TITLE_WORDS.sub("", text)
        name = compact(text)
        if _is_name(name):
            out.append(name)
    return out


def _reporter(value: str) -> list[str]:
    tokens = [t for t in re.split(r"[ \u3000]+", value.strip()) if t]
    keep = [t for t in tokens if not re.search(r"(?:委員|委員長|幹事|議員|議長|会長|代表|委員会)$|委員会|事務局", t)]
    name = "".join(keep)
    return [name] if _is_name(name) else []


def _is_name(name: str) -> bool:
    if not 2 <= len(name) <= 10 or not re.fullmatch(r"[一-龥々ヶぁ-んァ-ヴー]+", name):
        return False
    return not re.search(r"委員|議会|事務局|職員|以下|会派|担当|課長|部長", name)


def _report_year(report: Report, head: list[Line], text: str) -> int | None:
    if report.period.start:
        return int(report.period.start[:4])
    for line in head:
        full = [d for d in iter_dates(line.text) if d.has_year]
        if full:
            return full[0].date.year
    years = find_years("\n".join(ln.text for ln in head)) or find_years(text)
    return max(years) if years else None


def _from_header(
    report: Report, starts: list[Candidate], head: list[Line], fields: list[Field], table: MunicipalityTable,
    text: str,
) -> None:
    """Topics and respondents listed in the report's head, matched to visits by place."""
    codes = {v.code: v for v in report.visits}
    kinds = {i: f.kind for f in fields for i in [f.label_idx, *f.value_idx]}
    current: Visit | None = None
    for line in head:
        if line.blank:
            continue
        got = _place_candidate(_field_value_text(line.text), table, text)
        kind = kinds.get(line.idx, "")
        if got is not None:
            current = codes.get(got[0].code)
            if current is not None and got[2]:
                if kind == "respondents":
                    _add_unique(current.respondents, _respondents([got[2]], got[0]))
                elif (t := _clean_topic(got[2])) and not re.fullmatch(r"[\d月日()（）曜 ]+", t):
                    _add_unique(current.topics, [t])
        elif kind == "topics" and current is not None and not _label_kind(_strip_marker(line.text)):
            if (t := _clean_topic(line.text)) and "について" not in t[:0]:
                _add_unique(current.topics, [t])
        elif kind != "topics":
            current = None


def _field_value_text(text: str) -> str:
    m = _INLINE_LABEL.match(_strip_marker(text))
    if m and _label_kind(m.group("label")):
        return m.group("value")
    return text


def _assign_dates(
    report: Report, starts: list[Candidate], lines: list[Line], fields: list[Field],
    bounds: list[tuple[int, int]], year: int | None,
) -> None:
    """The day of each visit, from the most specific source that gives one."""
    first = bounds[0][0] if bounds else len(lines)
    listed = _listed_dates(lines[:first], starts, year)
    period = [d for f in fields if f.kind == "date" and f.label_idx < first for d in find_dates(" ".join(f.value), year)]
    period = sorted(set(period))
    for n, (visit, cand, (lo, hi)) in enumerate(zip(report.visits, starts, bounds)):
        day = _first_date(lines[cand.idx].text, year)
        day = day or _field_date(fields, lo, hi, year, first)
        day = day or listed.get(visit.code)
        if day is None and len(period) == len(starts) and len(starts) > 1:
            day = period[n]
        day = day or _context_date(lines, lo, year)
        if day is None and len(starts) == 1 and period:
            day = period[0]
        visit.date = day.isoformat() if day else None


def _first_date(text: str, year: int | None) -> datetime.date | None:
    found = find_dates(text, year)
    return found[0] if found else None


def _field_date(fields: list[Field], lo: int, hi: int, year: int | None, first: int) -> datetime.date | None:
    for f in fields:
        if f.kind == "date" and lo <= f.label_idx < hi and f.label_idx >= first:
            got = _first_date(" ".join(f.value), year)
            if got:
                return got
    return None


def _listed_dates(head: list[Line], starts: list[Candidate], year: int | None) -> dict[str, datetime.date]:
    codes = {c.place.code for c in starts}
    out: dict[str, datetime.date] = {}
    table = MunicipalityTable.load()
    for line in head:
        got = _place_candidate(_field_value_text(line.text), table, "")
        if got and got[0].code in codes and got[0].code not in out:
            day = _first_date(line.text, year)
            if day:
                out[got[0].code] = day
    return out


_DAY_FIRST = re.compile(r"^(\d{1,2})日(?:[はにの、]|[（(])")


def _context_date(lines: list[Line], lo: int, year: int | None) -> datetime.date | None:
    """The last date-only line or "N日は…" paragraph before a visit."""
    found: datetime.date | None = None
    month: int | None = None
    for line in lines[:lo]:
        text = normalize_numbers(line.text)
        months = re.findall(r"(?<!\d)(\d{1,2})月(?!\d)", text)
        full = iter_dates(text, year)
        if full and (len(text) - (full[0].end - full[0].start) <= 12 or text.startswith("本日")):
            found, month = full[0].date, full[0].date.month
            continue
        day = _DAY_FIRST.match(text)
        if day and month and year:
            try:
                found = datetime.date(year, month, int(day.group(1)))
            except ValueError:
                pass
        if months and not full:
            month = int(months[0])
    return found


def _read_rest(report: Report, lines: list[Line], first: int, tail: int, consumed: set[int]) -> None:
    """Report-level passages: the head's prose and what follows the last visit."""
    coll = _Collector("r")
    _walk(lines, 0, first, consumed, coll, report.members)
    rest = _Collector("r")
    rest.passages = coll.passages
    _walk(lines, tail, len(lines), consumed, rest, report.members)
    for obs in list(rest.observations):
        visit = _mentioned_visit(obs.text, report.visits)
        if visit is None:
            continue
        rest.passages = [p for p in rest.passages if p.id != obs.passage]
        rest.observations.remove(obs)
        passage = Passage(f"v{report.visits.index(visit) + 1}-p{len(visit.passages) + 1}", "observation", obs.text,
                          next((p.heading for p in coll.passages if p.id == obs.passage), ""))
        visit.passages.append(passage)
        visit.observations.append(Observation(obs.author, obs.text, passage.id))
    renamed: dict[str, str] = {}
    for n, passage in enumerate(rest.passages, start=1):
        renamed[passage.id] = passage.id = f"r-p{n}"
    for obs in rest.observations:
        obs.passage = renamed.get(obs.passage, obs.passage)
    report.passages = rest.passages
    report.observations = rest.observations


def _mentioned_visit(text: str, visits: list[Visit]) -> Visit | None:
    key = compact(text)
    hits = [v for v in visits if v.municipality and v.municipality in key]
    return hits[0] if len({v.code for v in hits}) == 1 else None


def _finish_period(report: Report) -> None:
    days = sorted(v.date for v in report.visits if v.date)
    if not report.period.start and days:
        report.period = Period(days[0], days[-1])
