"""Lines of a report: heading classes, Q/A markers and labelled fields ("視察先：…").

Every line is classified once (markdown level, marker shape such as
"(1)", "■", "【…】"); labels are looked up in a fixed vocabulary and their
values collected from the same line or the lines below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.municipalities import compact

# Kanji numerals of section marks: 「一、視察目的」「（二）長浜市」.
_KANJI_NUM = "[一二三四五六七八九十]{1,3}"
# Ordinal section marks: 「第１　更別村」「第1視察地」「その2」「第２日」.
_ORDINAL = r"(?:第\s*[0-9０-９]{1,2}\s*(?:視察地|視察先|調査地|日目|日)?|その\s*[0-9０-９]{1,2})(?=[ \u3000.．、:：])"
_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"
# Heading marks: the class of a heading line names the shape of its mark.
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
    ("paren_kanji", re.compile(rf"^[（(]\s*{_KANJI_NUM}\s*[）)]\s*(.+)$")),
    ("kanji_dot", re.compile(rf"^{_KANJI_NUM}\s*[、.．]\s*(.+)$")),
    ("circled", re.compile(r"^[①-⑳]\s*(.+)$")),
    ("paren_kana", re.compile(r"^[（(][ア-ト][）)]\s*(.+)$")),
    ("paren", re.compile(r"^[（(]([^（）()]{1,12})[）)]$")),
    ("kana", re.compile(r"^[ア-ト][ \u3000]+(.+)$")),
    ("ordinal", re.compile(r"^(?:第\s*[0-9０-９]{1,2}\s*(?:視察地|視察先|調査地)?|その\s*[0-9０-９]{1,2})[ \u3000.．、:：]+(.+)$")),
    ("letter", re.compile(r"^(?![AQＡＱ])[A-ZＡ-Ｚ][.．][ \u3000]*(.+)$")),
    ("roman", re.compile(rf"^[{_ROMAN}][ \u3000.．、]*(.+)$")),
)
MD = re.compile(r"^(#{1,6})\s*(.*)$")
_LEAD_MARKER = re.compile(
    r"^(?:[（(]\s*\d{1,2}\s*[）)]|\d{1,2}\s*[）).．、]|\d{1,2}[ \u3000]|[①-⑳]|[（(]?[ア-ト][）)]|[ア-ト][ \u3000]"
    rf"|[■□◆◇●▼▽○〇◎・]|[（(]{_KANJI_NUM}[）)]|{_KANJI_NUM}[、.．]|{_ORDINAL}[.．、:：]?|(?![AQＡＱ])[A-ZＡ-Ｚ][.．]|[{_ROMAN}][.．、]?)\s*"
)
HEADING_MAX = 48

# Question and answer marks: the *_MARK patterns strip a mark, the *_STRICT ones
# recognise a line that starts with one and goes on with text.  A mark is a role word
# (Q, 問, 問い, 質問, 質疑 / A, 答, 答え, 回答, 応答, 答弁) in any dress: bracketed
# (【Ｑ】, （質問）), dashed (―質問―), after a bullet or symbol (◆質問, ・問), numbered
# (Ｑ１．, 問2）) and followed by a separator.  Longer words come first: "答弁" before "答".
# A speaker in parentheses also marks a turn: 「（委員）…」 asks, 「（市）…」「（当局）…」 answers;
# a question may carry its number or a list bullet first (「1　（委員）…」「（１）質問　…」).
_Q_NUM = r"(?:(?:[（(]\s*\d{1,2}\s*[）)]|\d{1,2}[ \u3000.．、)）]|[①-⑳]|・)\s*)?"
_A_SPEAKER = r"[（(](?:市|町|村|区|県|都|府|道|当局|事務局|担当課?|担当者|説明者|説明員|執行部)[）)]"
_Q_SPEAKER = r"委員\s*[:：]|[（(]委員[）)]"
_Q_WORD = r"(?:質問|質疑|問い|問|[QＱ])"
_A_WORD = r"(?:答弁|回答|応答|答え|答|[AＡ])"
_ROLE_NUM = r"(?:[-－]?[0-9０-９]{1,2}|[①-⑳])?"
_DECOR = r"[◆◇■□●○◎▼▽▶▷◯]"


def _mark(word: str) -> str:
    """A role word in its dress: bracketed, dashed, or bare and followed by a separator."""
    return (
        rf"(?:[【（(［\[〔〈<＜《]\s*{word}\s*{_ROLE_NUM}\s*[】）)］\]〕〉>＞》]"
        rf"|[―—－]+\s*{word}\s*{_ROLE_NUM}\s*[―—－]+"
        rf"|{_DECOR}?\s*{word}{_ROLE_NUM}(?=[\s:：.．、)）]))"
    )


Q_MARK = re.compile(rf"^{_Q_NUM}(?:{_mark(_Q_WORD)}|{_Q_SPEAKER})\s*[）):：.．、]?\s*(?=\S)")
A_MARK = re.compile(rf"^{_Q_NUM}(?:{_mark(_A_WORD)}|担当者?\s*[:：]|{_A_SPEAKER})\s*[）):：.．、]?\s*(?=\S)")
Q_STRICT = Q_MARK
A_STRICT = A_MARK
# A role word alone on its line (「質問」「―回答―」「【Ｑ】」): the text is on the lines below.
# 「質疑」 alone names a Q&A section, not one question.
_Q_ALONE_WORD = r"(?:質問|問い|問|[QＱ])"
Q_ALONE = re.compile(rf"^{_Q_NUM}(?:{_mark(_Q_ALONE_WORD)}|{_DECOR}?\s*{_Q_ALONE_WORD}{_ROLE_NUM})\s*[:：]?$")
A_ALONE = re.compile(rf"^{_Q_NUM}(?:{_mark(_A_WORD)}|{_DECOR}?\s*{_A_WORD}{_ROLE_NUM})\s*[:：]?$")
SEPARATOR = re.compile(r"^[\s━─―—=＝\-－_＿~〜～*＊・]{3,}$")

CAPTION = re.compile(r"^[（(][^（）()]*(?:写真|様子|ヒアリング|にて|風景)[^（）()]*[）)]$|（写真）$|\(写真\)$")

_LABELS: dict[str, tuple[str, ...]] = {
    "place": ("視察先", "調査先", "訪問先", "視察場所", "調査場所", "訪問場所", "視察地"),
    "date": ("視察年月日", "調査年月日", "訪問日", "視察月日", "視察日時", "視察日程", "視察期日", "視察期間", "視察日", "実施日", "調査期日", "調査期間",
             "調査日", "実施日時", "日時", "期日", "月日"),
    "respondents": ("対応者", "説明者", "応対者", "対応"),
    "topics": ("視察事項", "視察項目", "視察案件", "調査事項", "調査項目", "視察テーマ", "視察内容と視察先",
               "視察先及び視察事項", "視察先及び調査事項"),
    "members": ("視察参加議員", "調査参加者", "視察参加者", "参加者氏名", "視察委員", "参加委員", "参加議員", "参加者", "視察者", "出席委員", "出席議員", "出席者", "参加",
                "派遣委員", "調査委員"),
    "body": ("委員会名・会派名", "委員会名", "会派名"),
    "reporter": ("報告者",),
}
OBS_WORDS = re.compile(r"所見|所感|考察|感想|まとめ|総括|委員意見|提言|視察を終えて|振り返り")
QA_WORDS = re.compile(r"質疑|質問|Q&A|Ｑ＆Ａ|QA|ＱＡ|問答|意見交換")
# A section word alone on its line is a heading even without a mark: 「所感」「質疑応答」,
# also with a few words before it: 「成果及び所見」「本市への提言」「山田委員所感」.
BARE_HEADING = re.compile(
    r"(?:[^\s。、，,：:「」]{1,8}(?:及び|および|と|・|への|の)?)?"
    r"(?:所見|所感|考察|感想|まとめ|総括|委員意見|提言|質疑応答|質疑|主な質疑|意見交換)"
    r"(?:等|[・及び]+所感)?(?:[（(][^（）()]{1,16}[）)])?|視察を終えて"
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


def split_lines(text: str) -> list[Line]:
    """The report's lines, stripped and classified; page furniture reads as a blank line."""
    lines: list[Line] = []
    raws = text.split("\n")
    furniture = page_furniture([r.strip(" \t\u3000") for r in raws])
    for i, raw in enumerate(raws):
        stripped = "" if i in furniture else raw.strip(" \t\u3000")
        indent = len(raw) - len(raw.lstrip(" \t\u3000"))
        line = Line(i, raw, stripped, indent)
        _classify(line)
        lines.append(line)
    return lines


_PAGE_MARK = re.compile(r"[-－—―]\s*[0-9０-９](?:\s?[0-9０-９]){0,3}\s*[-－—―]$|^[0-9０-９]{1,3}\s*/\s*[0-9０-９]{1,3}$")


def page_furniture(texts: list[str]) -> set[int]:
    """Lines that belong to the page, not the text: page numbers (「- 1 2 -」「3/6」)
    and later copies of a running header (the text's first line, or a line ending
    in a page number).  The first copy stays: it may be the title."""
    out = {i for i, t in enumerate(texts) if _PAGE_MARK.search(t) and len(compact(_PAGE_MARK.sub("", t))) == 0}
    first = next((t for t in texts if t), "")
    seen: set[str] = set()
    for i, t in enumerate(texts):
        if not t or "。" in t:
            continue
        key = compact(t)
        running = (key == compact(first) and len(key) >= 6) or bool(_PAGE_MARK.search(t))
        if running and key in seen:
            out.add(i)
        seen.add(key)
    return out


def _classify(line: Line) -> None:
    text = line.text
    md = MD.match(text)
    if md:
        line.cls, line.inner = f"md{len(md.group(1))}", md.group(2).strip()
        return
    if len(text) > HEADING_MAX + 4 or text.endswith("。") or Q_STRICT.match(text) or A_STRICT.match(text):
        return
    for cls, regex in _MARKERS:
        m = regex.match(text)
        if m and len(m.group(1)) <= HEADING_MAX:
            line.cls, line.inner = cls, m.group(1).strip()
            return
    if BARE_HEADING.fullmatch(compact(text)):
        line.cls, line.inner = "bare", text


def strip_marker(text: str) -> str:
    """A line without its heading marks: "## ", "(1)", "■", "【…】", "＜…＞"…."""
    text = MD.sub(r"\2", text.strip())
    text = re.sub(r"^[【〔［＜<〈《]([^】〕］＞>〉》]{1,12})[】〕］＞>〉》]\s*(?=\S)", r"\1：", text)
    for _ in range(2):
        text = _LEAD_MARKER.sub("", text.strip(" \u3000"))
    return text.strip(" \u3000<＜〈《>＞〉》【】〔〕")


def norm_label(text: str) -> str:
    """A label as looked up: compacted, without a trailing parenthesis."""
    # A numbered label 「視察先①」「視察先1」 is the label itself.
    return re.sub(r"(?:[（(][^）)]*[）)]|[①-⑳]|[0-9]{1,2})$", "", compact(text))


def label_kind(name: str) -> str | None:
    """The kind of field a label names ("place", "date", "members"…), or None."""
    key = norm_label(name)
    for kind, labels in _LABELS.items():
        if key in labels:
            return kind
    return None


_INLINE_LABEL = re.compile(
    r"^(?P<label>[^\s:：　]{1,10}?)(?:[（(][^）)]{0,8}[）)])?\s*(?:[:：]\s*|[ \u3000]+)(?P<value>\S.*)$"
)


# "対応" alone is also a common word: it is a label only before a colon or a space, or with
# a parenthesised note such as "対応者（役職名）".
_RESPONDENTS_LABEL = re.compile(
    r"^(?:対応者?|説明者|応対者)(?:\s*[:：]|[（(][^）)]{0,8}[）)]\s*(?:[:：]|[ \u3000]))|^対応者?[ \u3000]"
)


def find_fields(lines: list[Line]) -> list[Field]:
    """Every labelled field of the report, in order."""
    fields: list[Field] = []
    i = 0
    while i < len(lines):
        f = field_at(lines, i)
        if f is None:
            i += 1
            continue
        fields.append(f)
        i = max([i + 1, *[v + 1 for v in f.value_idx]])
    return fields


# A field written as a table row: 「｜視察先｜埼玉県本庄市｜」 or 「視察先<TAB>埼玉県本庄市」.
_PIPE_ROW = re.compile(r"^[|｜]\s*(?P<label>[^|｜]{1,12}?)\s*[|｜]\s*(?P<value>[^|｜]+?)\s*[|｜]?$")
_TAB_ROW = re.compile(r"^(?P<label>[^\t]{1,12}?)[ \u3000]*\t+\s*(?P<value>\S.*)$")


def row_as_field(text: str) -> str:
    """A two-cell table row as the labelled line it stands for (「視察先：埼玉県本庄市」); other text unchanged."""
    m = _PIPE_ROW.match(text) or _TAB_ROW.match(text)
    if m is None or label_kind(strip_marker(m.group("label"))) is None:
        return text
    return f"{m.group('label')}：{m.group('value')}"


def field_at(lines: list[Line], i: int) -> Field | None:
    """The labelled field starting at line ``i``, if any."""
    line = lines[i]
    if line.blank:
        return None
    body = strip_marker(row_as_field(line.text))
    body = re.sub(r"^[（(](?=[^）)]*[:：])(.*)[）)]$", r"\1", body)
    kind = label_kind(body)
    if kind is not None:
        return _block_field(lines, i, kind)
    m = _INLINE_LABEL.match(body)
    if m is None or (kind := label_kind(m.group("label"))) is None:
        return None
    if kind == "respondents" and not _RESPONDENTS_LABEL.match(body):
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
                if label_kind(strip_marker(lines[j].text)) or _inline_field_start(lines[j]):
                    break
                if _is_prose(lines[j].text) or (lines[j].cls and _is_prose(next_text(lines, j, len(lines)) or "")):
                    break
                idx.append(j)
            j += 1
    else:
        while j < len(lines) and not lines[j].blank:
            if label_kind(strip_marker(lines[j].text)) is not None or _inline_label(lines[j].text):
                break
            idx.append(j)
            j += 1
    return Field(kind, i, idx, [lines[k].text for k in idx])


def _is_prose(text: str) -> bool:
    return text.endswith("。") or len(text) >= 60


def _inline_label(text: str) -> bool:
    """A line opening with a known label and its value: 「参加委員　委員長　…」."""
    m = _INLINE_LABEL.match(strip_marker(text))
    return bool(m and label_kind(m.group("label")) in ("members", "date", "respondents", "reporter"))


def _inline_field_start(line: Line) -> bool:
    m = _INLINE_LABEL.match(strip_marker(line.text))
    return bool(m and label_kind(m.group("label")) and line.cls)


def _stops_block(line: Line, label: Line) -> bool:
    if line.cls.startswith("md") or label.cls.startswith("md"):
        return bool(line.cls.startswith("md")) or line.cls == label.cls
    return line.cls == label.cls


def _next_nonblank_adjacent(lines: list[Line], i: int) -> bool:
    return i + 1 < len(lines) and not lines[i + 1].blank


def field_value_text(text: str) -> str:
    """The value of a ``ラベル：値`` line, or the whole line when it has no known label."""
    m = _INLINE_LABEL.match(strip_marker(text))
    if m and label_kind(m.group("label")):
        return m.group("value")
    return text


def prev_nonblank(lines: list[Line], i: int, floor: int) -> int | None:
    """Index of the last non-blank line before ``i`` and not before ``floor``."""
    j = i - 1
    while j >= floor and lines[j].blank:
        j -= 1
    return j if j >= floor else None


def next_text(lines: list[Line], i: int, hi: int) -> str | None:
    """Text of the first non-blank line after ``i`` and before ``hi``."""
    for j in range(i + 1, hi):
        if not lines[j].blank:
            return lines[j].text
    return None


def add_unique(target: list[str], items: list[str]) -> None:
    """Append the non-empty ``items`` not yet in ``target``, in order."""
    for item in items:
        if item and item not in target:
            target.append(item)
