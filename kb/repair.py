"""Repair the damage PDF extraction and careless typing leave in report text.

:func:`repair_text` runs a pipeline of small, individually testable steps
(:data:`PIPELINE`).  Its result is what DXKB indexes, shows and highlights,
so every step is conservative: when a rule is unsure it leaves the text alone.

Width normalisation (:func:`normalise_width`) deliberately does *not* apply
NFKC to everything.  NFKC would turn Japanese punctuation such as （）「」：～
into ASCII look-alikes and change ㎢ or ①, which the reports use on purpose.
Only these are converted:

* full-width ASCII letters and digits (U+FF10-FF19, FF21-FF3A, FF41-FF5A):
  ``ＢＹＯＤ`` → ``BYOD``, ``１２`` → ``12``;
* full-width ``，．－／：＿＆＋＠`` only *inside* an alphanumeric token:
  ``１，５００`` → ``1,500``, ``Ｗｉ－Ｆｉ`` → ``Wi-Fi``, while ``１．視察日時``
  keeps its ``．`` and every other full-width symbol (（）％～…) is kept;
* half-width katakana and punctuation (U+FF61-FF9F) → full width with the
  voiced marks composed: ``ｶﾞｲﾄﾞ`` → ``ガイド``;
* an ideographic space between two ASCII alphanumerics → one ASCII space.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable

# Character classes shared by several steps.
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u30f6"
_HIRAGANA = "\u3041-\u309f"
_KATAKANA = "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
_CJK = _KANJI + _HIRAGANA + _KATAKANA
_SPACES = " \u3000"

_FULLWIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]+")
_INNER_SYMBOL = re.compile("(?<=[A-Za-z0-9])[，．－／：＿＆＋＠](?=[A-Za-z0-9])")
_INNER_IDEOGRAPHIC_SPACE = re.compile("(?<=[A-Za-z0-9])\u3000(?=[A-Za-z0-9])")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalise_newlines(text: str) -> str:
    """Turn CRLF/CR into LF and put each form feed on a line of its own."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\f", "\n\f\n")


def remove_invisible_chars(text: str) -> str:
    """Drop zero-width characters, soft hyphens and stray BOMs; NBSP → space."""
    return _INVISIBLE.sub("", text).replace("\u00a0", " ")


def normalise_width(text: str) -> str:
    """Half-width alphanumerics and full-width katakana (see module docstring)."""
    text = _HALFWIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _FULLWIDTH_ALNUM.sub(lambda m: chr(ord(m.group()) - 0xFEE0), text)
    text = _INNER_SYMBOL.sub(lambda m: chr(ord(m.group()) - 0xFEE0), text)
    return _INNER_IDEOGRAPHIC_SPACE.sub(" ", text)


def strip_trailing_whitespace(text: str) -> str:
    """Remove spaces (ASCII and ideographic) at the end of every line."""
    return "\n".join(line.rstrip(" \t\u3000") for line in text.split("\n"))


# --- page furniture -------------------------------------------------------

_DASH = "-－—–―‐ー"
_DIGITS = "0-9０-９"
_PAGE_NUMBER = re.compile(
    rf"[{_DASH}]\s*[{_DIGITS}]{{1,4}}\s*[{_DASH}]"  # - 3 -  －３－  — 3 —
    rf"|(?:[Pp]age|[Pp]\.)\s*[{_DIGITS}]{{1,4}}(?:\s*(?:of|/)\s*[{_DIGITS}]{{1,4}})?"
    rf"|(?P<n>[{_DIGITS}]{{1,4}})\s*/\s*(?P<m>[{_DIGITS}]{{1,4}})"  # 3/12
)


def is_page_marker(line: str) -> bool:
    """Whether a whole line is a page number ("- 3 -", "3/12", "Page 3") or a form feed."""
    stripped = line.strip(" \t\u3000")
    if stripped == "\f":
        return True
    match = _PAGE_NUMBER.fullmatch(stripped)
    if match is None:
        return False
    if match.group("n") is not None:
        # "3/12" is a page of a total only when the page does not exceed it.
        return _to_int(match.group("n")) <= _to_int(match.group("m"))
    return True


def _to_int(digits: str) -> int:
    return int(unicodedata.normalize("NFKC", digits))


def _next_to_page_break(
    lines: list[str], index: int, markers: list[bool], *, edges: bool
) -> bool:
    """Whether the nearest non-blank line above or below is a page marker.

    With ``edges`` the start and end of the document count as page breaks.
    """
    for step in (-1, 1):
        j = index + step
        while 0 <= j < len(lines) and not lines[j].strip():
            j += step
        if (edges and not 0 <= j < len(lines)) or (0 <= j < len(lines) and markers[j]):
            return True
    return False


def _drop_lines(lines: list[str], drop: list[bool]) -> str:
    """Remove the flagged lines; where one sat between blank lines, keep one blank."""
    out: list[str] = []
    skip_blank = False
    for line, dropped in zip(lines, drop):
        if dropped:
            skip_blank = skip_blank or (bool(out) and not out[-1].strip())
            continue
        if skip_blank and not line.strip():
            skip_blank = False
            continue
        skip_blank = False
        out.append(line)
    return "\n".join(out)


def remove_running_headers(text: str) -> str:
    """Drop short lines repeated ≥3 times where they sit next to a page break.

    Repetition alone is not enough: report skeletons repeat headings such as
    "### 1 視察先" for every visit, so headings are never dropped and other
    repeated lines only where they touch a page number, form feed or the
    start/end of the document, and only when most of their occurrences do
    (「―質問―」 before every question may happen to sit by two page breaks).
    The title heading counts as an occurrence of the header repeating it, and
    the document's first line is kept: it is the title, and often the only
    place that gives the year (「令和５年度　…　行政視察報告」).
    """
    lines = text.split("\n")
    markers = [is_page_marker(line) for line in lines]
    keys = [line.strip().lstrip("#").strip() for line in lines]
    counts = Counter(key for key in keys if key)
    by_marker = Counter(
        key for i, key in enumerate(keys) if key and _next_to_page_break(lines, i, markers, edges=False)
    )
    first = next((i for i, key in enumerate(keys) if key), -1)
    drop = [
        not markers[i]
        and i != first
        and counts[key] >= 3
        and by_marker[key] >= 2  # a real header touches several page breaks
        and by_marker[key] * 2 > counts[key]
        and len(key) <= 40
        and not line.lstrip().startswith("#")
        and _next_to_page_break(lines, i, markers, edges=True)
        for i, (line, key) in enumerate(zip(lines, keys))
    ]
    return _drop_lines(lines, drop)


def remove_page_numbers(text: str) -> str:
    """Remove page-number lines and form feeds, leaving one blank line in their place.

    Where the page break cuts a sentence (the line above stops mid-sentence,
    the line below continues it) no blank line is left: the halves stay one
    paragraph, as a question cut by the page is still one question.
    """
    lines = text.split("\n")
    drop = [is_page_marker(line) for line in lines]
    for i, marker in enumerate(list(drop)):
        if marker:
            _drop_blanks_of_cut_sentence(lines, drop, i)
    return _drop_lines(lines, drop)


def _drop_blanks_of_cut_sentence(lines: list[str], drop: list[bool], i: int) -> None:
    """Flag the blank lines around the page marker at ``i`` when it splits a sentence."""
    lo, hi = i, i
    while lo > 0 and (not lines[lo - 1].strip() or drop[lo - 1]):
        lo -= 1
    while hi + 1 < len(lines) and (not lines[hi + 1].strip() or drop[hi + 1]):
        hi += 1
    if lo == 0 or hi + 1 >= len(lines):
        return
    above, below = lines[lo - 1].strip(_SPACES), lines[hi + 1]
    if (
        len(above) >= _MIN_BROKEN_LINE
        and any(mark in above for mark in _PROSE_MARKS)
        and not above.endswith(_SENTENCE_END + tuple("：:】"))
        and _can_continue(below)
    ):
        for k in range(lo, hi + 1):
            drop[k] = True


# --- letter spacing -------------------------------------------------------

_SPACED_NUMBER_BRACKET = re.compile("([(（])[ \u3000]*([0-9]{1,3})[ \u3000]*([)）])")


def join_spaced_brackets(text: str) -> str:
    """Close up a letter-spaced list number: "( 1 )" → "(1)"."""
    return _SPACED_NUMBER_BRACKET.sub(r"\1\2\3", text)


_LATIN_RUN = re.compile(
    r"(?:(?<=[^\x00-\x7f\s]) )?"  # a space after Japanese text, dropped on join
    r"(?P<run>(?<![A-Za-z0-9])[A-Za-z0-9](?: [A-Za-z0-9])+(?![A-Za-z0-9]))"
    r"(?: (?=[^\x00-\x7f\s]))?"  # a space before Japanese text, dropped on join
)
_QA_MARKERS = frozenset("QA")


def split_spaced_words(chars: list[str]) -> list[str]:
    """Group the characters of a letter-spaced run into words.

    A new word starts at a letter↔digit change ("Office" "365") and at a
    lower→upper change once the word has two letters ("Microsoft" "Teams"),
    so "iPad" and "iPhone" stay whole.
    """
    words: list[str] = []
    for char in chars:
        if words and not _starts_new_word(words[-1], char):
            words[-1] += char
        else:
            words.append(char)
    return words


def _starts_new_word(word: str, char: str) -> bool:
    last = word[-1]
    if last.isdigit() != char.isdigit():
        return True
    return last.islower() and char.isupper() and len(word) >= 2


def _at_line_start(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip(_SPACES + "\t")


def _join_latin_match(match: re.Match[str]) -> str:
    chars = match.group("run").split(" ")
    prefix = ""
    if chars[0] in _QA_MARKERS and _at_line_start(match.string, match.start("run")):
        # "Q B Y O D…" is a question marker followed by a spaced word.
        prefix, chars = chars[0] + " ", chars[1:]
    words = split_spaced_words(chars)
    if all(len(word) == 1 for word in words):
        return match.group()  # nothing was letter-spaced ("Q 3名", "A 3")
    return prefix + " ".join(words)


def join_letter_spaced_latin(text: str) -> str:
    """Close up letter-spaced Latin words and numbers.

    "M i c r o s o f t 3 6 5" → "Microsoft 365", "行政 D X の" → "行政DXの".
    Only runs of single characters separated by single spaces are touched,
    so ordinary English ("Bring Your Own Device") is left alone.
    """
    return _LATIN_RUN.sub(_join_latin_match, text)


# A list comma also ends a spaced name: "加 藤 優、岡 田 浩 二".
_CJK_RUN = re.compile(rf"(?<![^\s、，,])[{_CJK}](?:[{_SPACES}][{_CJK}])+(?![^\s、，,])")
# "同" ("ditto") stands for the title of the previous line in member lists.
_ROLE_MARKS = frozenset("同")


def _join_cjk_match(match: re.Match[str]) -> str:
    run = match.group()
    if " " in run and "\u3000" in run:
        # Letters spaced with " " and words with "　": "委 員 長　佐 藤 一 郎" → "委員長　佐藤一郎".
        return "\u3000".join("".join(word.split(" ")) for word in run.split("\u3000"))
    chars = re.split(f"[{_SPACES}]", run)
    if chars[0] in _ROLE_MARKS and _at_line_start(match.string, match.start()):
        if len(chars) < 3:
            return run
        return chars[0] + run[1] + "".join(chars[1:])
    return "".join(chars)


def join_spaced_cjk(text: str) -> str:
    """Close up names spaced per character: "副委員長 尾 崎 太" → "副委員長 尾崎太".

    Only runs of at least two single kanji/kana separated by single spaces
    are joined; a title written as a word keeps its space before the name.
    """
    return _CJK_RUN.sub(_join_cjk_match, text)


# --- words broken across lines -------------------------------------------

_PROSE_MARKS = "、。，．"
_SENTENCE_END = tuple("。．！？!?」』）)")
_BREAKABLE_END = re.compile(f"[{_KANJI}{_KATAKANA}]$")
_CONTINUATION_START = re.compile(f"^[{_CJK}]")
_LINE_MARKERS = tuple("#・○●◎■□◆◇▼▽※＊*-－<＜【[|(（")
# A list or label marker: "①…", "⑴…", "1．…", "ア　…", "問 …", "委員長 …".
_MARKER_PREFIX = re.compile(
    "[\u2460-\u24ff\u2776-\u2793\u3220-\u3243]"
    "|[0-9]+[.．、)）]"
    f"|[^{_SPACES}]{{1,7}}[{_SPACES}]"
)
_MIN_BROKEN_LINE = 20


def _is_marked(body: str) -> bool:
    """Whether a line opens with a heading, list or label marker."""
    return body.startswith(_LINE_MARKERS) or _MARKER_PREFIX.match(body) is not None


def _can_break_after(line: str) -> bool:
    """A prose line that stops in the middle of a kanji/katakana word."""
    body = line.strip(_SPACES)
    return (
        len(body) >= _MIN_BROKEN_LINE
        and not _is_marked(body)
        and any(mark in body for mark in _PROSE_MARKS)
        and _BREAKABLE_END.search(body) is not None
    )


def _can_continue(line: str) -> bool:
    """A line that reads as the tail of a sentence, not a heading, label or list item."""
    if not _CONTINUATION_START.match(line) or _is_marked(line):
        return False  # an indented line opens a paragraph, a marked one a new item
    return len(line) >= _MIN_BROKEN_LINE or line.endswith(_SENTENCE_END)


def merge_broken_words(text: str) -> str:
    """Rejoin a word split over a line break: "新型コロナワ\\n\\nクチン…" → "新型コロナワクチン…".

    At most one blank line may separate the halves; the first half must be a
    long prose line ending in kanji/katakana, the second must start with a
    kana/kanji continuation and carry no heading, list or label marker.
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = i + 1
        if j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and _can_break_after(line) and _can_continue(lines[j]):
            lines[j] = line + lines[j]  # the merged line may break again
            i = j
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def trim_blank_edges(text: str) -> str:
    """Drop blank lines at the start and end; end with one newline."""
    body = text.strip("\n")
    lines = body.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


PIPELINE: tuple[Callable[[str], str], ...] = (
    normalise_newlines,
    remove_invisible_chars,
    normalise_width,
    strip_trailing_whitespace,
    remove_running_headers,
    remove_page_numbers,
    join_spaced_brackets,
    join_letter_spaced_latin,
    # Joined letter-spaced digits can form what the earlier steps handle:
    # 「１ ７ ３ ， １ ３ ６」 → 「173，136」 (a full-width comma), 「- 1 2 -」 → a page number.
    normalise_width,
    remove_page_numbers,
    join_spaced_cjk,
    merge_broken_words,
    trim_blank_edges,
)


def repair_text(text: str) -> str:
    """Apply every step of :data:`PIPELINE` in order and return the repaired text.

    The function is idempotent: ``repair_text(repair_text(x)) == repair_text(x)``.
    """
    for step in PIPELINE:
        text = step(text)
    return text
