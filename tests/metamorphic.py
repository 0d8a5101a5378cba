"""Meaning-preserving rewrites of a report's text, for metamorphic tests of the parser.

Each transformer is a plain function ``str -> str`` that changes how a report
is *written* (markers, date style, page furniture, wrapping, tables,
whitespace) but not what it *says*: a careful reader finds the same visits,
dates and questions in the result.  A transformer that cannot apply without
changing the meaning (say, its target marker is already used for something
else in the report) returns the text unchanged.

The transformers work on the text a reader extracted from a file (before
:func:`kb.repair.repair_text`), one line at a time where they can.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

Transform = Callable[[str], str]

_INDENT = re.compile(r"^([ \t\u3000]*)(.*)$")


def _lines_map(text: str, fn: Callable[[str, str], str]) -> str:
    """Apply ``fn(indent, body)`` to every line, keeping line ends."""
    out = []
    for line in text.split("\n"):
        m = _INDENT.match(line)
        assert m is not None
        out.append(fn(m.group(1), m.group(2)))
    return "\n".join(out)


# --- Q&A markers -------------------------------------------------------------------------------

# A marker line: the mark, then a space, a dot or a colon, then the text.  Speaker marks count
# too: 「○委員　…」 asks, 「●市　…」 answers; 「質疑：」 asks and 「応答：」 answers.  Numbers after the mark
# ("問1", "Ｑ２．") go with it; a mark glued to a word ("答申", "A社", "Q&A") is no mark.
_Q_LINE = re.compile(
    r"^(?:[QＱ問][0-9０-９]*(?:[.．:：]|[ \u3000])|問い[ \u3000:：]|質問[:：]|質疑[:：]|【[QＱ問]】|[（(]問[）)]|○委員[ \u3000])"
    r"[ \u3000:：]*(?=\S)"
)
_A_LINE = re.compile(
    r"^(?:[AＡ答][0-9０-９]*(?:[.．:：]|[ \u3000])|回答[:：]|応答[:：]|答弁[:：]|【[AＡ答]】|[（(]答[）)]"
    r"|●(?:市|町|村|区|県|都|府|道)[ \u3000])[ \u3000:：]*(?=\S)"
)


def _qa_marker_swap(question: str, answer: str) -> Transform:
    def swap(text: str) -> str:
        def line(indent: str, body: str) -> str:
            if _Q_LINE.match(body):
                return indent + question + _Q_LINE.sub("", body, count=1)
            if _A_LINE.match(body):
                return indent + answer + _A_LINE.sub("", body, count=1)
            return indent + body

        return _lines_map(text, line)

    return swap


qa_as_q_a = _qa_marker_swap("Q　", "A　")
qa_as_q_a.__doc__ = "Every Q&A marker line written 「Q　…」/「A　…」 (numbers dropped)."
qa_as_mon_to = _qa_marker_swap("問　", "答　")
qa_as_mon_to.__doc__ = "Every Q&A marker line written 「問　…」/「答　…」."
qa_as_shitsumon = _qa_marker_swap("質問：", "回答：")
qa_as_shitsumon.__doc__ = "Every Q&A marker line written 「質問：…」/「回答：…」."
qa_as_lenticular = _qa_marker_swap("【Ｑ】", "【Ａ】")
qa_as_lenticular.__doc__ = "Every Q&A marker line written 「【Ｑ】…」/「【Ａ】…」."
qa_as_paren = _qa_marker_swap("（問）", "（答）")
qa_as_paren.__doc__ = "Every Q&A marker line written 「（問）…」/「（答）…」."


# --- heading markers ---------------------------------------------------------------------------

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PAREN_NUM = re.compile(r"^[（(][ 　]*([0-9０-９]{1,2})[ 　]*[）)][ 　]*(\S.*)$")
_CIRCLED_HEAD = re.compile(rf"^([{_CIRCLED}])[ 　]*(\S.*)$")
_SQUARE_HEAD = re.compile(r"^■[ 　]*(\S.*)$")
_LENTICULAR_HEAD = re.compile(r"^【[^】]+】$")
HEADING_MAX = 40


def _is_heading(body: str) -> bool:
    """A short line that is not a sentence."""
    return len(body) <= HEADING_MAX and not body.endswith(("。", "、"))


def _uses(text: str, pattern: re.Pattern[str]) -> bool:
    return any(pattern.match(line.strip(" \t\u3000")) for line in text.split("\n"))


def _restyle(source: re.Pattern[str], target: re.Pattern[str], mark: Callable[[re.Match[str]], str]) -> Transform:
    def restyle(text: str) -> str:
        if _uses(text, target):
            return text

        def line(indent: str, body: str) -> str:
            m = source.match(body)
            return indent + mark(m) if m and _is_heading(body) else indent + body

        return _lines_map(text, line)

    return restyle


def _number(m: re.Match[str]) -> int:
    return int(unicodedata.normalize("NFKC", m.group(1)))


headings_paren_to_circled = _restyle(_PAREN_NUM, _CIRCLED_HEAD, lambda m: _CIRCLED[_number(m) - 1] + m.group(2))
headings_paren_to_circled.__doc__ = "Short 「(1)…」 headings become 「①…」, unless ① marks are in use."
headings_paren_to_square = _restyle(_PAREN_NUM, _SQUARE_HEAD, lambda m: "■" + m.group(2))
headings_paren_to_square.__doc__ = "Short 「(1)…」 headings become 「■…」, unless ■ marks are in use."
headings_paren_to_lenticular = _restyle(_PAREN_NUM, _LENTICULAR_HEAD, lambda m: f"【{m.group(2)}】")
headings_paren_to_lenticular.__doc__ = "Short 「(1)…」 headings become 「【…】」, unless 【…】 headings are in use."
headings_circled_to_paren = _restyle(
    _CIRCLED_HEAD, _PAREN_NUM, lambda m: f"（{_CIRCLED.index(m.group(1)) + 1}）{m.group(2)}"
)
headings_circled_to_paren.__doc__ = "Short 「①…」 headings become 「（1）…」, unless (1) marks are in use."

_ANGLE_HEAD = re.compile(r"^[<＜〈《][ 　]*([^<＞>〉》]+?)[ 　]*[>＞〉》]$")
headings_angle_to_lenticular = _restyle(_ANGLE_HEAD, _LENTICULAR_HEAD, lambda m: f"【{m.group(1)}】")
headings_angle_to_lenticular.__doc__ = "Headings 「＜…＞」「<…>」 become 「【…】」, unless 【…】 headings are in use."


def headings_square_to_paren(text: str) -> str:
    """Short 「■…」 headings become 「（1）…」「（2）…」 in order, unless (1) marks are in use."""
    if _uses(text, _PAREN_NUM):
        return text
    count = 0

    def line(indent: str, body: str) -> str:
        nonlocal count
        m = _SQUARE_HEAD.match(body)
        if not (m and _is_heading(body)):
            return indent + body
        count += 1
        return f"{indent}（{count}）{m.group(1)}"

    return _lines_map(text, line)


# --- era and Western dates ---------------------------------------------------------------------

_ERA_BASE = {"令和": 2018, "平成": 1988}
_ERA_YEAR = re.compile(r"(令和|平成)[ 　]*(元|[0-9０-９]{1,2})[ 　]*年")
_WEST_YEAR = re.compile(r"(?<![0-9０-９])((?:19|20|１９|２０)[0-9０-９]{2})[ 　]*年(?![度])(?:[ 　]*([0-9０-９]{1,2})[ 　]*月)?")
# Era years a reader would write for a Western year; 2019 before May is 平成31年.
_ERA_START = {2019: (5, "令和元")}


def era_to_western(text: str) -> str:
    """「令和5年7月20日」→「2023年7月20日」 (also 令和元年, full-width digits, 年度)."""

    def west(m: re.Match[str]) -> str:
        n = m.group(2)
        year = _ERA_BASE[m.group(1)] + (1 if n == "元" else int(unicodedata.normalize("NFKC", n)))
        return f"{year}年"

    return _ERA_YEAR.sub(west, text)


def western_to_era(text: str) -> str:
    """「2023年7月20日」→「令和5年7月20日」; 1989–2018 are 平成, 2019 before May 平成31年."""

    def era(m: re.Match[str]) -> str:
        year = int(unicodedata.normalize("NFKC", m.group(1)))
        month = int(unicodedata.normalize("NFKC", m.group(2))) if m.group(2) else None
        tail = m.group(0)[m.group(0).index("年") + 1:]
        if year < 1989 or (year == 1989 and month is None):
            return m.group(0)
        if year > 2019 or (year == 2019 and month is not None and month >= 5):
            name = "令和元" if year == 2019 else f"令和{year - 2018}"
        elif year == 2019 and month is None:
            return m.group(0)
        else:
            name = f"平成{year - 1988}"
        return f"{name}年{tail}"

    return _WEST_YEAR.sub(era, text)


# --- page furniture ----------------------------------------------------------------------------

PAGE_LINES = 25


def _title(text: str) -> str:
    """The first non-blank line, without a markdown heading mark (a running header is plain text)."""
    lines = (ln.strip(" \t\u3000#") for ln in text.split("\n"))
    return next((ln for ln in lines if ln), "")


def _paginate(text: str, header: bool) -> str:
    lines = text.split("\n")
    pages = [lines[i:i + PAGE_LINES] for i in range(0, len(lines), PAGE_LINES)]
    title = _title(text)
    out: list[str] = []
    for n, page in enumerate(pages, 1):
        if header and n > 1:
            out += [f"{title}", ""]
        out += page
        out += ["", f"- {n} -"]
        if n < len(pages):
            out.append("\f")
    return "\n".join(out)


def page_numbers(text: str) -> str:
    """A page number line 「- n -」 and a form feed every 25 lines, as a PDF's text has."""
    return _paginate(text, header=False)


def page_headers(text: str) -> str:
    """Page numbers as in :func:`page_numbers` plus the report's title repeated at each page's top."""
    return _paginate(text, header=True)


# --- hard wrapping -----------------------------------------------------------------------------

WRAP = 35
# A piece of a wrapped line must not begin like a marker or a heading would, nor with a closing
# punctuation mark (PDF typesetting keeps 「、」「。」「」」 at the end of a line).
_MARKERISH = re.compile(r"^(?:[QＱAＡ問答・■□◆◇●○〇◎▼【（(①-⑳0-9０-９→、。，．」』）)]|質問|回答)")


def _wrap(body: str) -> list[str]:
    pieces, rest = [], body
    while len(rest) > WRAP:
        cut = WRAP
        while cut > WRAP - 10 and _MARKERISH.match(rest[cut:]):
            cut -= 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return pieces + [rest] if rest else pieces


def hard_wrap(text: str) -> str:
    """Prose lines (longer than 35 characters, with a 「。」) broken every 35 characters, as PDF text is.

    A break never leaves a piece that starts like a marker (「問」「・」「(1)」...);
    headings are short and never wrapped.
    """

    def line(indent: str, body: str) -> str:
        if len(body) <= WRAP or "。" not in body:
            return indent + body
        return indent + "\n".join(_wrap(body))

    return _lines_map(text, line)


# --- labelled fields and tables ----------------------------------------------------------------

LABELS = (
    "視察先", "調査先", "訪問先", "視察日時", "視察日程", "視察期日", "視察期間", "視察月日", "視察日", "調査期日",
    "調査期間", "実施日", "日時", "期日", "視察事項", "視察項目", "視察案件", "調査事項", "調査項目", "対応者",
    "説明者", "参加委員", "参加者氏名", "参加者", "参加議員", "視察委員", "出席者",
)
_LABEL = "|".join(LABELS)
_MARK = r"(?:[0-9０-９]{1,2}[.．、]|[（(][0-9０-９]{1,2}[）)])?[ 　]*"
# 「視察先：…」「【視察先】…」「１．視察日時　　…」: a label, a colon or spaces, the value.
_FIELD = re.compile(rf"^{_MARK}(?:【({_LABEL})】|({_LABEL})(?:[ 　]*[：:]|[ 　]+))[ 　]*(\S.*)$")
# A label alone on its line, its value on the next one.
_BARE_LABEL = re.compile(rf"^{_MARK}(?:【({_LABEL})】|({_LABEL}))$")
_ROW = re.compile(r"^[|｜](.*)[|｜]$")
_RULE_CELL = re.compile(r"^[ 　]*:?-{3,}:?[ 　]*$")


def _fields_to(row: Callable[[str, str], str]) -> Transform:
    def table(text: str) -> str:
        lines, out, i = text.split("\n"), [], 0
        while i < len(lines):
            body = lines[i].strip(" \t\u3000")
            m, bare = _FIELD.match(body), _BARE_LABEL.match(body)
            if m and _ends_field(lines, i):
                out.append(row(m.group(1) or m.group(2), m.group(3)))
            elif bare and _single_value(lines, i):
                out.append(row(bare.group(1) or bare.group(2), lines[i + 1].strip(" \t\u3000")))
                i += 1
            else:
                out.append(lines[i])
            i += 1
        return "\n".join(out)

    return table


def _ends_field(lines: list[str], i: int) -> bool:
    """The field on line ``i`` has no continuation (a more indented line below): such a value stays as it is."""
    if i + 1 == len(lines) or not lines[i + 1].strip(" \t\u3000"):
        return True
    nxt = lines[i + 1].strip(" \t\u3000")
    return _indent(lines[i + 1]) <= _indent(lines[i]) or bool(_FIELD.match(nxt) or _BARE_LABEL.match(nxt))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t\u3000"))


def _single_value(lines: list[str], i: int) -> bool:
    """The label at ``i`` has exactly one value line (a blank line or the end after it)."""
    value = lines[i + 1].strip(" \t\u3000") if i + 1 < len(lines) else ""
    after = lines[i + 2].strip(" \t\u3000") if i + 2 < len(lines) else ""
    return bool(value) and not after and not _BARE_LABEL.match(value) and not _FIELD.match(value)


fields_to_pipe_table = _fields_to(lambda label, value: f"｜{label}｜{value}｜")
fields_to_pipe_table.__doc__ = (
    "「視察先：埼玉県本庄市」 (or 「【視察先】…」, 「視察先　…」, 視察先 over a one-line value) "
    "becomes a table row 「｜視察先｜埼玉県本庄市｜」."
)
fields_to_tsv = _fields_to(lambda label, value: f"{label}\t{value}")
fields_to_tsv.__doc__ = "Labelled fields as in :func:`fields_to_pipe_table` become tab-separated rows 「視察先<TAB>…」."


def table_to_fields(text: str) -> str:
    """Rows of a ``|``/``｜`` table become lines: two cells 「a：b」, more cells joined by 「　」; rules go."""
    out = []
    for line in text.split("\n"):
        m = _ROW.match(line.strip(" \t\u3000"))
        if not m:
            out.append(line)
            continue
        cells = [c.strip(" \u3000") for c in re.split(r"[|｜]", m.group(1))]
        if all(_RULE_CELL.match(c) for c in cells):
            continue
        out.append("：".join(cells) if len(cells) == 2 else "　".join(cells))
    return "\n".join(out)


# --- whitespace --------------------------------------------------------------------------------


def indent_full_width(text: str) -> str:
    """Half-width spaces and tabs of the indentation become full-width spaces (two half-widths for one)."""

    def line(indent: str, body: str) -> str:
        half = indent.replace("\t", "  ").replace("\u3000", "  ")
        return "\u3000" * ((len(half) + 1) // 2) + body

    return _lines_map(text, line)


def indent_half_width(text: str) -> str:
    """Full-width spaces of the indentation become two half-width spaces each."""
    return _lines_map(text, lambda indent, body: indent.replace("\u3000", "  ") + body)


def double_blank_lines(text: str) -> str:
    """Every blank line written twice."""
    return "\n".join(ln + "\n" if not ln.strip(" \t\u3000") else ln for ln in text.split("\n"))


TRANSFORMS: dict[str, Transform] = {
    "qa_as_q_a": qa_as_q_a,
    "qa_as_mon_to": qa_as_mon_to,
    "qa_as_shitsumon": qa_as_shitsumon,
    "qa_as_lenticular": qa_as_lenticular,
    "qa_as_paren": qa_as_paren,
    "headings_paren_to_circled": headings_paren_to_circled,
    "headings_paren_to_square": headings_paren_to_square,
    "headings_paren_to_lenticular": headings_paren_to_lenticular,
    "headings_circled_to_paren": headings_circled_to_paren,
    "headings_square_to_paren": headings_square_to_paren,
    "headings_angle_to_lenticular": headings_angle_to_lenticular,
    "era_to_western": era_to_western,
    "western_to_era": western_to_era,
    "fields_to_pipe_table": fields_to_pipe_table,
    "fields_to_tsv": fields_to_tsv,
    "table_to_fields": table_to_fields,
    "indent_full_width": indent_full_width,
    "indent_half_width": indent_half_width,
    "double_blank_lines": double_blank_lines,
    "hard_wrap": hard_wrap,
    "page_numbers": page_numbers,
    "page_headers": page_headers,
}
"""Every transformer by name, in the order a mix of them is applied (page furniture last, as a PDF adds it)."""


def apply(names: set[str] | frozenset[str] | list[str], text: str) -> str:
    """Apply the named transformers to ``text`` in :data:`TRANSFORMS` order."""
    for name, fn in TRANSFORMS.items():
        if name in names:
            text = fn(text)
    return text
