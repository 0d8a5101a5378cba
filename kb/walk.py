"""Walking the lines of a section: headings set the mode (content, Q&A, observation),
paragraphs and lists become passages, per-member headings set observation authors.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from itertools import pairwise

from kb.header import TITLE_AFTER, TITLE_WORDS, is_name
from kb.layout import (
    CAPTION,
    OBS_WORDS,
    QA_WORDS,
    SEPARATOR,
    Line,
    label_kind,
    split_lines,
    strip_marker,
)
from kb.model import Section
from kb.municipalities import compact
from kb.passages import Collector, WalkState, content_section, emit
from kb.qa import (
    flush_question,
    line_turn,
    pair,
    prose_pairs,
    qa_line,
    table_pairs,
    table_row,
    table_span,
)

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
    seq = logical_lines(lines, lo, hi, consumed, wrap_width(lines))
    skip = 0
    for j, line in enumerate(seq):
        if j < skip or line.blank or line.idx in consumed or SEPARATOR.match(line.text):
            continue
        if (skip := _table(seq, j, consumed, state, coll, buffer)) > j:
            continue
        if qa_line(seq, j, len(seq), state, coll):
            _flush_list(coll, state, buffer)
            continue
        if line.cls and not CAPTION.match(line.text):
            _flush_list(coll, state, buffer)
            mode_cls = _heading(line, state, coll, mode_cls, members)
            if _list_item_heading(seq, j, len(seq), consumed):
                section: Section = "observation" if state.mode == "observation" else content_section(state)
                emit(coll, state, section, line.text)
            continue
        if state.mode == "observation" and len(line.text) <= 16 and (who := member_line(line.text, members)):
            state.author = who  # 「青木　誠議員」 alone on its line: the writer of what follows
            continue
        if line.text.startswith(("・", "-", "‐", "*")) and len(line.text) < 120:
            _list_item(line.text, state, coll, buffer)
            continue
        _flush_list(coll, state, buffer)
        _paragraph(line.text, state, coll)
    _flush_list(coll, state, buffer)
    flush_question(coll, state)


def _list_item(text: str, state: WalkState, coll: Collector, buffer: list[str]) -> None:
    """A bulleted line: one observation of its own under 所感, else gathered with its list."""
    if state.mode == "observation" and (len(text) >= 20 or text.endswith("。")):
        _flush_list(coll, state, buffer)
        emit(coll, state, "observation", text)
        return
    buffer.append(text)
    if sum(len(b) for b in buffer) > 300:
        _flush_list(coll, state, buffer)


def _table(seq: list[Line], j: int, consumed: set[int], state: WalkState, coll: Collector, buffer: list[str]) -> int:
    """Pairs of a 質問｜回答 table whose header row is line ``j``; the line after it (``j`` when none)."""
    k = table_span([ln.text if ln.idx not in consumed else "" for ln in seq], j)
    if k == j:
        return j
    _flush_list(coll, state, buffer)
    flush_question(coll, state)
    for q, a in table_pairs([ln.text for ln in seq[j:k]]):
        pair(coll, state, q, a)
    return k


def wrap_width(lines: list[Line]) -> int:
    """The width at which the text was hard-wrapped, or 0.

    Either most lines cut before their sentence ends (three at least) share one width, or a
    quarter of all lines have it.
    """
    cut = Counter(
        len(ln.raw.rstrip()) for ln, nxt in pairwise(lines)
        if len(ln.text) >= 15 and not ln.cls and not nxt.blank and not _ENDED.search(ln.text)
        and table_row(ln.text) is None and not SEPARATOR.match(ln.text)
        and not re.search(r"[ \u3000]", ln.text)  # a label and its value is no prose
    )
    width = _common_width(cut, 3, 2)
    return width or _common_width(Counter(len(ln.raw.rstrip()) for ln in lines if len(ln.text) >= 15), 4, 4)


def _common_width(widths: Counter[int], least: int, share: int) -> int:
    """The most common width when at least ``least`` lines (and 1/``share`` of all) are within one of it."""
    if not widths:
        return 0
    width = widths.most_common(1)[0][0]
    near = sum(n for w, n in widths.items() if abs(w - width) <= 1)
    return width if width >= 20 and near >= least and near * share >= sum(widths.values()) else 0


_NEW_ITEM = re.compile(r"^[・●○〇◎◆◇■□※\-‐*＊]")
_ENDED = re.compile(r"[。．.！？!?]$")


def logical_lines(lines: list[Line], lo: int, hi: int, consumed: set[int], width: int) -> list[Line]:
    """Lines ``lo..hi`` with hard-wrapped paragraphs joined back into one line each.

    A line as wide as the text's wrap width that does not end a sentence is
    continued by the next line unless that one starts something of its own
    (a heading, a mark, a bullet, a table row, a caption).
    """
    out: list[Line] = []
    last: Line | None = None
    held: list[Line] = []  # blank lines after a cut line: a page break inside a paragraph or row
    pipes = 0  # the pipes of the table's last whole row: a cut row goes on until it has as many
    for line in lines[lo:hi]:
        prev = out[-1] if out else None
        goes_on = prev is not None and last is not None and (
            _row_goes_on(prev, last, line, width, pipes) or _joinable(prev, last, line, consumed, width)
        )
        if line.blank and not held and prev is not None and last is not None and _cut(last, width):
            held.append(line)
            continue
        if line.blank and held and len(held) < 3:
            held.append(line)
            continue
        if prev is not None and goes_on:
            joined = split_lines(prev.raw[: prev.indent] + _join_text(prev.text, line.text))[0]
            out[-1] = replace(joined, idx=prev.idx)
        else:
            out.extend(held)
            out.append(line)
        held = []
        if _ROW.match(out[-1].text):
            pipes = len(re.findall(r"[|｜]", out[-1].text))
        last = line
    out.extend(held)
    return out


_ROW = re.compile(r"^[|｜].*[|｜]$")


def _row_goes_on(prev: Line, last: Line, line: Line, width: int, pipes: int) -> bool:
    """A table row cut at the wrap width, continued by ``line`` (which may start at a pipe)."""
    if not prev.text.startswith(("|", "｜")) or _ROW.match(prev.text) or line.blank:
        return False
    if line.text in ("|", "｜"):  # the closing pipe alone (the cut fell on the row's padding)
        return True
    # Where the table's rows end with a pipe, a row without one was cut, whatever the width.
    short = pipes > 0 and len(re.findall(r"[|｜]", prev.text)) < pipes
    if not (_cut(last, width) or short):
        return False
    if not line.text.startswith(("|", "｜")):
        return True
    if not pipes:  # no whole row yet: only a piece holding nothing but its last cell's end
        return len(re.findall(r"[|｜]", line.text)) == 1
    return len(re.findall(r"[|｜]", prev.text + line.text)) <= pipes


def _cut(line: Line, width: int) -> bool:
    return width > 0 and len(line.raw.rstrip()) >= width - 3


def _wrapped(line: Line, width: int) -> bool:
    return _cut(line, width) and not _ENDED.search(line.text)


# What no paragraph starts with: kana that ends a word, closing punctuation.
_TAIL_START = re.compile(r"^[ぁ-ゖー、。，．」』）)]")


def _mid_word(last: Line, line: Line) -> bool:
    """A prose line cut before its 。 and continued by a line that cannot start one (「…回答であっ」「た。」)."""
    text = last.text
    return (
        len(text) >= 20 and not last.cls and not _ENDED.search(text) and not re.search(r"[ \u3000]", text)
        and line.indent <= last.indent and _TAIL_START.match(line.text) is not None
    )


def _joinable(prev: Line, last: Line, line: Line, consumed: set[int], width: int) -> bool:
    """Whether ``line`` continues the logical line ``prev`` (whose last physical line is ``last``)."""
    if prev.blank or prev.idx in consumed or line.blank or line.idx in consumed:
        return False
    # A wrapped question or answer may look like a heading (「○委員　…」 cut before its 。).
    cut = _wrapped(last, width) or _mid_word(last, line)
    if not cut or line.cls or (prev.cls and line_turn(prev.text, True) is None):
        return False
    text = line.text
    starts_own = (
        _NEW_ITEM.match(text) or CAPTION.match(text) or SEPARATOR.match(text) or table_row(text) is not None
        or table_row(prev.text) is not None
    )
    # A wrapped word can look like a mark (「一般\n質問　…」): only a question or answer
    # above tells that a marked line opens a turn of its own.
    turn_above = _NEW_ITEM.match(prev.text) or line_turn(prev.text, True) is not None
    return not starts_own and not (turn_above and line_turn(text, True) is not None)


def _join_text(head: str, tail: str) -> str:
    ascii_pair = head[-1].isascii() and head[-1].isalnum() and tail[0].isascii() and tail[0].isalnum()
    return head + (" " if ascii_pair else "") + tail


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
        state.mode, state.heading, state.mode_indent = "qa", inner, line.indent
        return line.cls
    if OBS_WORDS.search(inner):
        state.mode, state.heading, state.mode_indent = "observation", inner, line.indent
        state.author = _heading_author(inner, members) or _member_heading(inner, members)
        return line.cls
    # A sub-heading of another class inside Q&A or 所感 (①…, ア…) does not end that section.
    nested = line.cls != mode_cls and not line.cls.startswith("md") and line.indent >= state.mode_indent
    if state.mode in ("qa", "observation") and nested and line.cls not in ("paren", "angle", "lenticular", "square"):
        state.heading = inner
        return mode_cls
    # A 所感 divided by host (「（磐田市）」「【掛川市】」) goes on under each host's name.
    if state.mode == "observation" and _HOST_ONLY.fullmatch(compact(inner)):
        state.heading = inner
        return mode_cls
    state.mode = "overview" if re.search(r"の概要$|^概要$", compact(inner)) and "視察" not in inner[:2] else "content"
    state.heading = inner
    topic = _topic(inner)
    if topic and state.mode == "content":
        coll.topics.append(topic)
    return line.cls


_HOST_ONLY = re.compile(r"(?:[一-龥々]{2,3}[都道府県])?[一-龥々ヶぁ-んァ-ヶ]{1,6}[市町村区]")


# The words after a member's name in a per-member heading: 「山田委員の所感」「佐藤 議員 所感」.
_MEMBER_TAIL = re.compile(r"(?:の)?(?:所感|所見|感想|意見|考察)$")
# Words a heading has and a name does not; a particle between kanji (今後の対応) is not in a name
# either, while a given name in kana (山田はなこ) may hold one.
_NOT_NAME = re.compile(
    r"[課部局室市町村県区]$|について|概要|質疑|課題|経過|効果|所見|所感|考察|対応|今後|取組|まとめ|への|として"
    r"|[一-龥々][のをにはがでへと][一-龥々]"
)


def _author(inner: str, members: list[str]) -> str:
    """The member a heading names (「【山田委員】」「（西村委員長）」「佐藤 議員 所感」), else ""."""
    name = _MEMBER_TAIL.sub("", compact(inner))
    bare = TITLE_AFTER.sub("", name)
    titled = bare != name
    if bare in members:
        return bare
    # A surname with a title: 「西村委員長」 is the member 西村修二; 「森委員」 too, when one member is a 森.
    matches = [m for m in members if titled and bare and m.startswith(bare)]
    if len(matches) == 1:
        return matches[0]
    if titled and is_name(bare) and len(bare) <= 8 and not _NOT_NAME.search(bare):
        return bare
    looks_like_name = re.fullmatch(r"[一-龥々ヶ]{1,4}[ \u3000]?[一-龥々ヶぁ-ん]{1,4}", inner) is not None
    if looks_like_name and is_name(name) and not _NOT_NAME.search(name.replace("ヶ", "")):
        return name
    return ""


def _member_heading(inner: str, members: list[str]) -> str:
    """The member of a heading 「山田委員の所感」「佐藤 議員 所感」, else ""."""
    name = compact(inner)
    bare = _MEMBER_TAIL.sub("", name)
    return member_line(bare, members) if bare != name else ""


def member_line(text: str, members: list[str]) -> str:
    """The member a short line names with a title or in full (「青木　誠議員」「山田委員」), else ""."""
    name = compact(text)
    bare = TITLE_AFTER.sub("", name)
    if name in members or bare in members:
        return bare
    matches = [m for m in members if bare != name and len(bare) >= 2 and m.startswith(bare)]
    if len(matches) == 1:
        return matches[0]
    return bare if bare != name and is_name(bare) and len(bare) <= 8 and not _NOT_NAME.search(bare) else ""


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


# A form's label and its value 「添付資料　…」: not a sentence of opinion.
_LABELLED = re.compile(r"^[^\s、。，,]{2,8}[ \u3000]+\S")


def _opinion(text: str) -> bool:
    """A paragraph under 所感 that is an observation: a sentence, not a label and its value."""
    return text.endswith("。") or (len(text) >= 20 and not _LABELLED.match(text))


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
    if state.mode == "observation" and _opinion(text):
        emit(coll, state, "observation", text)
        return
    coll.add(content_section(state), text, state.heading)
