"""Walking the lines of a section: headings set the mode (content, Q&A, observation),
paragraphs and lists become passages, per-member headings set observation authors.
"""

from __future__ import annotations

import re

from kb.header import TITLE_AFTER, TITLE_WORDS, is_name
from kb.layout import (
    CAPTION,
    OBS_WORDS,
    QA_WORDS,
    SEPARATOR,
    Line,
    label_kind,
    strip_marker,
)
from kb.model import Section
from kb.municipalities import compact
from kb.passages import Collector, WalkState, content_section, emit
from kb.qa import flush_question, pair, prose_pairs, qa_line

_NOT_TOPIC = re.compile(
    r"概要$|^視察内容$|^視察結果|質疑|所見|所感|考察|対応|説明者|写真|実演|ポイント|^調査項目|^視察項目|^視察事項"
)


def walk(
    lines: list[Line], lo: int, hi: int, consumed: set[int], coll: Collector, members: list[str], heading: str = "",
) -> None:
    """Turn the lines ``lo..hi`` into passages, Q&A pairs and observations."""
    state = WalkState(heading=heading)
    mode_cls = ""
    buffer: list[str] = []
    for i in range(lo, hi):
        line = lines[i]
        if line.blank or i in consumed or SEPARATOR.match(line.text):
            continue
        if line.cls and not CAPTION.match(line.text):
            _flush_list(coll, state, buffer)
            mode_cls = _heading(line, state, coll, mode_cls, members)
            if _list_item_heading(lines, i, hi, consumed):
                section: Section = "observation" if state.mode == "observation" else content_section(state)
                emit(coll, state, section, line.text)
            continue
        if qa_line(lines, i, hi, state, coll):
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
    flush_question(coll, state)


def _list_item_heading(lines: list[Line], i: int, hi: int, consumed: set[int]) -> bool:
    """A heading-like line that is really an item of a list (①…方式 ②…方式): kept as text."""
    line = lines[i]
    if line.cls == "circled" and len(line.inner) >= 12:
        return True
    nxt = next((ln for ln in lines[i + 1: hi] if not ln.blank and ln.idx not in consumed), None)
    return nxt is not None and nxt.cls == line.cls and len(line.inner) >= 12 and not line.cls.startswith("md")


def _flush_list(coll: Collector, state: WalkState, buffer: list[str]) -> None:
    if buffer:
        section: Section = "observation" if state.mode == "observation" else content_section(state)
        emit(coll, state, section, "\n".join(buffer))
        buffer.clear()


def _heading(line: Line, state: WalkState, coll: Collector, mode_cls: str, members: list[str]) -> str:
    """Update the walk state on a heading; returns the class that set the mode."""
    flush_question(coll, state)
    inner = line.inner
    author = _author(inner, members)
    if state.mode == "observation" and author:
        state.author = author
        return mode_cls
    if QA_WORDS.search(inner) and len(inner) <= 20:
        state.mode, state.heading = "qa", inner
        return line.cls
    if OBS_WORDS.search(inner):
        state.mode, state.heading, state.author = "observation", inner, _heading_author(inner, members)
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
    # 「青木　誠議員」: a member, or a name the heading calls a councillor.
    bare = TITLE_AFTER.sub("", name)
    if bare != name and (bare in members or (name.endswith("議員") and is_name(bare) and len(bare) <= 8)):
        return bare
    if name in members:
        return name
    looks_like_name = re.fullmatch(r"[一-龥々ヶ]{1,4}[ \u3000]?[一-龥々ヶぁ-ん]{1,4}", inner) is not None
    if looks_like_name and not re.search(r"[課部局室市町村県]$|について|概要|質疑|課題|経過|効果|所見|所感|考察", name):
        return name
    return ""


_OBS_BY = re.compile(r"(?:所感|所見|考察)\s*[（(](?P<who>[^（）()]{2,16})[）)]$")


def _heading_author(inner: str, members: list[str]) -> str:
    """The writer named in an observation heading: 「所感（担当幹事　藤井）」, 「所見（山田 一郎）」."""
    m = _OBS_BY.search(inner)
    if m is None:
        return ""
    who = m.group("who").strip(" \u3000")
    titled = TITLE_WORDS.match(who) is not None
    name = compact(TITLE_WORDS.sub("", who))
    spaced = re.fullmatch(r"[一-龥々ヶ]{1,4}[ \u3000][一-龥々ヶぁ-ん]{1,4}", who) is not None
    if name in members or ((titled or spaced) and is_name(name)):
        return name
    return ""


def _topic(inner: str) -> str:
    text = strip_marker(inner)
    if _NOT_TOPIC.search(compact(text)) or label_kind(text):
        return ""
    text = re.sub(r"(?:について|に関すること|に関して)$", "", text).strip(" 　")
    return text if 2 <= len(text) <= 60 else ""


def _paragraph(text: str, state: WalkState, coll: Collector) -> None:
    flush_question(coll, state)
    if CAPTION.match(text):
        coll.add("content", text, state.heading)
        return
    pairs = prose_pairs(text)
    if pairs:
        for n, (q, a) in enumerate(pairs):
            pair(coll, state, q, a, text if n == 0 else "")
        return
    if state.mode == "observation" and (len(text) >= 20 or text.endswith("。")):
        emit(coll, state, "observation", text)
        return
    coll.add(content_section(state), text, state.heading)
