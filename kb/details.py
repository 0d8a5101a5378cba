"""One visit's contents: passages, respondents and topics (also those listed in the head)."""

from __future__ import annotations

import re
import unicodedata

from kb.layout import (
    Field,
    Line,
    add_unique,
    field_value_text,
    label_kind,
    strip_marker,
)
from kb.model import Report, Visit
from kb.municipalities import Municipality, MunicipalityTable
from kb.passages import Collector
from kb.qa import unpaired_doubt
from kb.visits import Candidate, place_candidate
from kb.walk import walk


def parse_visit(
    n: int, cand: Candidate, lines: list[Line], lo: int, hi: int, fields: list[Field],
    consumed: set[int], report: Report,
) -> Visit:
    """The visit opened by ``cand``: its passages, Q&A, observations, respondents, topics."""
    place = cand.place
    visit = Visit(municipality=place.name, prefecture=place.prefecture, code=place.code, district=cand.district)
    coll = Collector(f"v{n}")
    walk(lines, lo, hi, consumed, coll, report.members, _visit_heading(lines[cand.idx], place))
    own = [f for f in fields if lo <= f.label_idx < hi]
    for f in own:
        if f.kind == "respondents":
            add_unique(visit.respondents, _respondents(f.value, place))
        elif f.kind == "topics":
            add_unique(visit.topics, [t for v in f.value if (t := _clean_topic(v))])
    add_unique(visit.respondents, _prose_respondents(lines[lo:hi], place))
    if cand.rest and (t := _clean_topic(cand.rest)):
        add_unique(visit.topics, [t])
    add_unique(visit.topics, coll.topics)
    visit.qa, visit.observations, visit.passages = coll.qa, coll.observations, coll.passages
    if coll.unpaired:
        visit.doubts.append(unpaired_doubt(n, coll.unpaired))
    return visit


def _visit_heading(line: Line, place: Municipality) -> str:
    """The heading of a visit's first passages: its heading line, or the place when a sentence opens the visit."""
    return place.name if line.text.endswith("。") else strip_marker(line.text)


def _clean_topic(text: str) -> str:
    text = unicodedata.normalize("NFKC", strip_marker(text))
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
        for part in re.split(r"[、,，]", strip_marker(value)):
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


def from_header(
    report: Report, head: list[Line], fields: list[Field], table: MunicipalityTable, text: str,
) -> None:
    """Topics and respondents listed in the report's head, matched to visits by place."""
    codes = {v.code: v for v in report.visits}
    kinds = {i: f.kind for f in fields for i in [f.label_idx, *f.value_idx]}
    current: Visit | None = None
    for line in head:
        if line.blank:
            continue
        got = place_candidate(field_value_text(line.text), table, text)
        kind = kinds.get(line.idx, "")
        if got is not None:
            current = codes.get(got[0].code)
            if current is not None and got[2]:
                if kind == "respondents":
                    add_unique(current.respondents, _respondents([got[2]], got[0]))
                elif (t := _clean_topic(got[2])) and not re.fullmatch(r"[\d月日()（）曜 ]+", t):
                    add_unique(current.topics, [t])
        elif kind == "topics" and current is not None and not label_kind(strip_marker(line.text)):
            if (t := _clean_topic(line.text)) and "について" not in t[:0]:
                add_unique(current.topics, [t])
        elif kind != "topics":
            current = None
