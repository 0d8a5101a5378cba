"""Question-and-answer shapes, recognised by what a line does rather than by one layout's marks.

Each cue is a small function of a line's text:

- :func:`marker_turn` — a role word in any dress opens a question or an answer
  (「Q」「問い」「質疑：」「【Ｑ】」「◆質問」「（答）」「応答：」), or stands alone on its
  line with the text below (「―質問―」「回答」);
- :func:`speaker_turn` — a speaker opens the turn: a councillor asks
  (「○委員」「山田委員：」「（委員）」), the host's side answers (「●市」「（担当課）」「課長：」);
- :func:`arrow_turn` — an arrow line answers the line above it (「・…」 then 「→…」「⇒…」);
- :func:`inline_pair` — question and answer on one line (「（１）質問　…か。　回答　…。」);
- :func:`table_header` / :func:`table_row` — a two-column table 質問｜回答 (pipes or tabs);
- :func:`prose_pairs` — Q&A told in a sentence (「…と質問したところ、…との回答であった」).

:func:`qa_line` strings the turns of a section into pairs: a question pairs
with the next answer, a question left without one stays ordinary text and is
counted in ``Collector.unpaired``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from kb.layout import A_ALONE, A_MARK, CAPTION, Q_ALONE, Q_MARK, Line, next_text
from kb.model import Doubt, QAPair
from kb.passages import Collector, WalkState, content_section

Role = Literal["q", "a"]


@dataclass(frozen=True)
class Turn:
    """A line that asks or answers: its role, its text without the mark, and the cue that saw it.

    ``body`` is empty when the mark stands alone on its line (the text follows below).
    """

    role: Role
    body: str
    cue: str


# --- cues: one line's text -------------------------------------------------------------------


_SECTION_REST = re.compile(r"[・\s]*(?:応答|回答|答弁|[&＆・]\s*[AＡ])(?:等|の概要|要旨)?")


def marker_turn(text: str) -> Turn | None:
    """A line opened by a question or answer mark (「Q1.」「問い」「【Ａ】」「応答：」), or such a mark alone."""
    if Q_ALONE.match(text):
        return Turn("q", "", "alone")
    if A_ALONE.match(text):
        return Turn("a", "", "alone")
    if (m := Q_MARK.match(text)) is not None:
        body = text[m.end():].strip()
        # 「質疑　応答」 is the section's name written apart, not a question.
        return None if _SECTION_REST.fullmatch(body) else Turn("q", body, "marker")
    if (m := A_MARK.match(text)) is not None:
        return Turn("a", text[m.end():].strip(), "marker")
    return None


_ASKER = re.compile(r"[一-龥々ヶぁ-んァ-ヴー]{0,8}?(?:副委員長|委員長|委員|議員|副議長|議長)")
_ANSWERER = re.compile(
    r"[^\s:：、。（）()「」]{0,12}?(?:市|町|村|区|県|都|府|道|当局|事務局|担当課?|担当者|説明員|説明者|執行部"
    r"|課長|部長|室長|係長|局長|次長|所長|主査|主任|主幹|参事|理事|補佐|職員|課|室|側|さん|氏)"
)
_SPEAKER = re.compile(
    r"^[○〇●◎◆◇■□・◯]?\s*(?:[（(](?P<paren>[^（）()\s]{1,14})[）)]\s*[:：]?"
    r"|(?P<who>[^\s:：、。（）()「」]{1,14}?)\s*(?:[:：]|[ \u3000]+))\s*(?P<body>\S.*)$"
)
# A question's last words: 「…か。」「…は？」「…どうか」.
_ASKS = re.compile(r"(?:か|は|どうか|いかが|教えて(?:ほしい|ください)|ください)[。．]?$|[？?][。]?$|[？?]")


_SPEAKER_ALONE = re.compile(r"^[○〇●◎◆◇■□・◯]?\s*(?:[（(](?P<paren>[^（）()\s]{1,14})[）)]|(?P<who>[^\s:：、。（）()「」]{1,14}))\s*[:：]?$")


def speaker_turn(text: str) -> Turn | None:
    """A line opened by its speaker: a councillor asks, the host's side answers.

    「○委員　…か。」「山田委員：…」「（委員）…」 ask; 「●市　…」「（担当課）…」「情報政策課長：…」 answer.
    A speaker alone on a line (「○山田委員」) speaks the lines below: the body is then empty.
    """
    m = _SPEAKER.match(text) or _SPEAKER_ALONE.match(text)
    if m is None:
        return None
    who = m.group("paren") or m.group("who")
    body = m.groupdict().get("body") or ""
    if _ASKER.fullmatch(who):
        return Turn("q", body, "speaker")
    if _ANSWERER.fullmatch(who) and len(who) <= 14:
        return Turn("a", body, "speaker")
    return None


_ARROW = re.compile(r"^(?:→|⇒|➡|⇨|=>|->|・・・|…+)\s*")


def arrow_turn(text: str) -> Turn | None:
    """An arrow line (「→…」「⇒…」「…」) answers what is above it."""
    m = _ARROW.match(text)
    if m is None or m.end() == len(text):
        return None
    return Turn("a", text[m.end():].strip(), "arrow")


def line_turn(text: str, in_qa: bool) -> Turn | None:
    """The turn a line takes, if any; a speaker asks only in a Q&A section or with a question's words."""
    turn = marker_turn(text) or arrow_turn(text)
    if turn is not None:
        return turn
    turn = speaker_turn(text)
    if turn is not None and not in_qa and (not turn.body or (turn.role == "q" and not _ASKS.search(turn.body))):
        return None
    return turn


_INLINE_A = re.compile(
    r"(?<=[\s。？?])\s*(?:[【（(［〔〈<＜]\s*(?:答弁|回答|応答|答え|答|[AＡ])[0-9０-９]{0,2}\s*[】）)］〕〉>＞]"
    r"|(?:答弁|回答|応答|答え|答|[AＡ])[0-9０-９]{0,2}[\s:：.．、])\s*[:：]?\s*(?=\S)"
)


def inline_pair(text: str) -> tuple[str, str] | None:
    """Question and answer on one line: 「（１）質問　…か。　回答　…。」「Q …？ A …」."""
    turn = marker_turn(text)
    if turn is None or turn.role != "q" or not turn.body:
        return None
    m = _INLINE_A.search(turn.body)
    if m is None:
        return None
    question, answer = turn.body[: m.start()].strip(), turn.body[m.end():].strip()
    return (question, answer) if question and answer else None


_CELL_SPLIT = re.compile(r"\s*[|｜\t]\s*")
_Q_HEAD = re.compile(r"(?:質問|質疑|問い?|[QＱ])(?:内容|事項|項目)?")
_A_HEAD = re.compile(r"(?:回答|答弁|応答|答え?|[AＡ])(?:内容)?")
_RULE_ROW = re.compile(r"^[\s|｜:：\-―—－=＝+]+$")


def table_row(text: str) -> list[str] | None:
    """The cells of a table row written with pipes or tabs, else None."""
    if not re.search(r"[|｜\t]", text) or _RULE_ROW.match(text):
        return None
    cells = _CELL_SPLIT.split(text.strip())
    if cells and not cells[0]:
        cells = cells[1:]
    if cells and not cells[-1]:
        cells = cells[:-1]
    return [c.strip(" \u3000") for c in cells] if len(cells) >= 2 else None


def table_rule(text: str) -> bool:
    """A rule line between a table's rows (「|---|---|」)."""
    return _RULE_ROW.match(text) is not None and re.search(r"[-―—－]", text) is not None


def table_header(text: str) -> tuple[int, int] | None:
    """The question and answer columns of a header row 「質問｜回答」, else None."""
    cells = table_row(text)
    if cells is None:
        return None
    q = next((n for n, c in enumerate(cells) if _Q_HEAD.fullmatch(c.replace(" ", ""))), None)
    a = next((n for n, c in enumerate(cells) if _A_HEAD.fullmatch(c.replace(" ", ""))), None)
    return (q, a) if q is not None and a is not None and q != a else None


# A table written as 「質問：回答」 then 「…か。：…。」 lines (its cells joined by a colon).
_COLON_HEAD = re.compile(rf"{_Q_HEAD.pattern}\s*[:：]\s*{_A_HEAD.pattern}")
_COLON_ROW = re.compile(r"^(?P<q>[^:：]{4,}?[。？?か])\s*[:：]\s*(?P<a>\S.*)$")


def _cells(row: str, colon: bool) -> list[str] | None:
    if not colon:
        return table_row(row)
    m = _COLON_ROW.match(row)
    return [m.group("q"), m.group("a")] if m else None


def table_span(texts: list[str], j: int) -> int:
    """The end of the table whose header row is ``texts[j]`` (``j`` when it is none); blank lines
    between rows (a page break) do not end it."""
    colon = _COLON_HEAD.fullmatch(texts[j].replace(" ", "")) is not None
    if not colon and table_header(texts[j]) is None:
        return j
    cols = (0, 1) if colon else table_header(texts[j]) or (0, 1)
    k = end = j + 1
    while k < len(texts):
        cells = _cells(texts[k], colon) if texts[k] else None
        if texts[k] and cells is None and (colon or not table_rule(texts[k])):
            break
        # After a gap only a row that asks goes on with the table (another table may follow).
        if cells is not None and end < k and not (len(cells) > cols[0] and _ASKS.search(cells[cols[0]])):
            break
        k += 1
        end = k if texts[k - 1] else end
    return end if end > j + 1 else j


def table_pairs(rows: list[str]) -> list[tuple[str, str]]:
    """The pairs of a table: its header row, then one question and answer per row."""
    colon = bool(rows) and _COLON_HEAD.fullmatch(rows[0].replace(" ", "")) is not None
    cols = (0, 1) if colon else table_header(rows[0]) if rows else None
    if cols is None:
        return []
    out: list[tuple[str, str]] = []
    for row in rows[1:]:
        if not row or _RULE_ROW.match(row):
            continue
        cells = _cells(row, colon)
        if cells is None:
            break
        if len(cells) <= max(cols) or not cells[cols[1]]:
            continue
        if cells[cols[0]]:
            out.append((cells[cols[0]], cells[cols[1]]))
        elif out:  # a row with the answer cell only goes on with the answer above
            out[-1] = (out[-1][0], out[-1][1] + "\n" + cells[cols[1]])
    return out


_PROSE_Q = re.compile(r"「(?P<q>[^」]{4,})」(?:との|と)(?:質問|質疑|問い|尋ね)")
_PROSE_A = re.compile(r"「(?P<a>[^」]{4,})」との(?:回答|答弁|答え|説明)")
# Unquoted prose: 「…かと質問したところ、…との回答であった」「…について尋ねると、…とのことだった」.
_ASK_VERB = r"(?:質問|質疑|問い|尋ね|伺っ|伺い|聞い)"
_ASKED = re.compile(
    rf"(?:と|との){_ASK_VERB}(?:を)?(?:したところ|したら|すると|ると|たところ|に対し(?:て)?|に対する|には|があり|をし)[、,]?"
    rf"|(?:について|に関して){_ASK_VERB}(?:したところ|すると|ると|たところ|に対し(?:て)?)[、,]?"
)
_ANSWERED = re.compile(
    r"(?:との|という|と)(?:回答|答弁|答え|説明|こと)(?:であった|だった|でした|があった|がありました|を(?:得|いただ|頂)いた|です)?[。．]?$"
)
_SENTENCE = re.compile(r"[^。]+。?")
# Who asked, before the question: 「委員から、」「私からは」.
_ASKER_LEAD = re.compile(r"^[^、。]{0,12}?(?:委員|議員|私|当方|こちら|我々)(?:から|より)(?:は|も)?[、,]?")


def prose_pairs(text: str) -> list[tuple[str, str]]:
    """Q&A told in prose: 「…」との質問に…「…」との回答, or the same without quotes."""
    pairs = _quoted_pairs(text)
    if pairs:
        return pairs
    return [p for s in _SENTENCE.findall(text) if (p := _unquoted_pair(s.strip())) is not None]


def _quoted_pairs(text: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    pos = 0
    while (q := _PROSE_Q.search(text, pos)) is not None:
        a = _PROSE_A.search(text, q.end())
        if a is None:
            break
        pairs.append((q.group("q"), a.group("a")))
        pos = a.end()
    return pairs


def _unquoted_pair(sentence: str) -> tuple[str, str] | None:
    """One sentence 「…かと尋ねると、…とのことだった。」 as a pair."""
    asked = _ASKED.search(sentence)
    if asked is None or "「" in sentence:
        return None
    answered = _ANSWERED.search(sentence, asked.end())
    if answered is None:
        return None
    question = _ASKER_LEAD.sub("", sentence[: asked.start()], count=1).strip("、, ")
    if asked.group().startswith(("について", "に関して")):
        question += asked.group()[: asked.group().index("て") + 1]
    answer = sentence[asked.end(): answered.start()].strip("、, ")
    return (question, answer) if len(question) >= 4 and len(answer) >= 4 else None


# --- walking the turns ---------------------------------------------------------------------------

# The narrator's closing words after a run of pairs ("以上", "…との質疑があった。").
_CLOSING = re.compile(r"^以上[。.]?$|^との")
# A day heading of the schedule ("第2日目　令和6年5月15日（水）", "5月15日（水）") ends an answer.
_DAY_LINE = re.compile(
    r"^第\s*[0-9０-９一二三四五六七八九十]{1,2}\s*日目?(?:[\s\u3000]|$)"
    r"|^(?:(?:令和|平成)\S{1,2}年|\d{4}年)?\s*\d{1,2}月\d{1,2}日\s*(?:[（(][^）)]{1,4}[）)])?$"
)
# A sentence's end: a line without one is continued on the next line.
_ENDED = re.compile(r"[。．.！？!?」』）)]$")


def qa_line(lines: list[Line], i: int, hi: int, state: WalkState, coll: Collector) -> bool:
    """Handle a question, an answer or a continuation of either; False when the line is none of them.

    In a Q&A section, unmarked lines after an answer (blank lines between them
    aside) continue it until the next mark, heading, label or separator.
    """
    line = lines[i]
    turn = line_turn(line.text, state.mode == "qa")
    if turn is not None and line.cls and turn.cue == "speaker" and turn.body and not state.pending_q:
        # A heading such as 「■袋井市　ICT政策課」 names a place: it answers only a question just asked.
        turn = None if turn.role == "a" or not _ASKS.search(turn.body) else turn
    if turn is None and _bullet_question(lines, i, hi, state.mode == "qa"):
        turn = Turn("q", _BULLET.sub("", line.text, count=1), "bullet")
    if turn is not None and _take_turn(lines, i, turn, state, coll):
        return True
    return turn is None and not line.cls and _continue_turn(lines, i, state, coll)


def _take_turn(lines: list[Line], i: int, turn: Turn, state: WalkState, coll: Collector) -> bool:
    line = lines[i]
    if turn.role == "q":
        flush_question(coll, state)
        if (both := inline_pair(line.text)) is not None:
            pair(coll, state, *both)
            state.answer_end = i
            return True
        state.pending_q, state.q_indent, state.q_end = turn.body, line.indent, i
        state.expect = "q" if not turn.body else ""
        if turn.cue == "alone":
            _enter_qa(state, line.indent)
        return True
    if not turn.body:
        state.expect = "a" if state.pending_q else ""
        if state.expect:
            state.q_end = i
        return bool(state.expect)
    return _answer(lines, i, turn.body, turn.cue, state, coll)


def _enter_qa(state: WalkState, indent: int) -> None:
    if state.mode != "qa":
        state.mode, state.heading, state.mode_indent = "qa", "質疑応答", indent


def _answer(lines: list[Line], i: int, body: str, cue: str, state: WalkState, coll: Collector) -> bool:
    if state.pending_q:
        pair(coll, state, state.pending_q, body)
        state.pending_q, state.expect = "", ""
    elif cue == "speaker" or not _extend_answer(coll, body):
        return False
    state.answer_end = i
    # An answer told by its indent alone goes on over the lines indented as deep.
    state.a_indent = lines[i].indent if cue == "indent" else -1
    return True


def _continue_turn(lines: list[Line], i: int, state: WalkState, coll: Collector) -> bool:
    """An unmarked line that goes on with the question or answer above it."""
    line = lines[i]
    if state.pending_q and state.expect == "a" and _continues(line.text):
        return _answer(lines, i, line.text, "below", state, coll)
    adjacent_q = state.pending_q != "" and _adjacent(state.q_end, i)
    if state.expect == "q" or (adjacent_q and (_open(lines[state.q_end]) or _answer_ahead(lines, i))):
        state.pending_q = _join(state.pending_q, line.text)
        state.q_end = i
        return True
    if state.pending_q and line.indent > state.q_indent and _continues(line.text):
        return _answer(lines, i, line.text, "indent", state, coll)
    if state.answer_end < 0 or not _continues(line.text):
        return False
    blank_between = all(ln.blank for ln in lines[state.answer_end + 1: i])
    open_end = _adjacent(state.answer_end, i) and _open(lines[state.answer_end])
    indented = state.a_indent >= 0 and line.indent >= state.a_indent
    if ((blank_between and (state.mode == "qa" or indented)) or open_end) and _extend_answer(
        coll, line.text, "" if open_end else "\n"
    ):
        state.answer_end = i
        return True
    return False


_AHEAD = 12


def _answer_ahead(lines: list[Line], i: int) -> bool:
    """An answer mark comes after line ``i`` before a blank line, a question or a heading.

    A question runs over a few lines at most: the look stops after ``_AHEAD`` lines.
    """
    for line in lines[i + 1: i + 1 + _AHEAD]:
        turn = None if line.blank else line_turn(line.text, True)
        if line.blank or turn is not None or line.cls:
            return turn is not None and turn.role == "a"
    return False


def _adjacent(j: int, i: int) -> bool:
    """Line ``i`` comes right under line ``j``, with no blank line between."""
    return j >= 0 and i == j + 1


def _open(line: Line) -> bool:
    """A line cut before its sentence ends (a hard-wrapped question or answer)."""
    return _ENDED.search(line.text) is None


def _join(head: str, tail: str) -> str:
    if not head:
        return tail
    space = " " if head[-1].isascii() and head[-1].isalnum() and tail[0].isascii() and tail[0].isalnum() else ""
    return head + space + tail


_BULLET = re.compile(r"^[・○〇●◎◆◇■□▪※＊*\-‐]\s*")


def _bullet_question(lines: list[Line], i: int, hi: int, in_qa: bool) -> bool:
    """A line followed by an arrow answer (「→…」) is a question: a bulleted one anywhere, any one in Q&A."""
    text = lines[i].text
    if text.startswith("・・・") or arrow_turn(text) is not None or (not in_qa and not _BULLET.match(text)):
        return False
    nxt = next_text(lines, i, hi)
    return nxt is not None and arrow_turn(nxt) is not None


def _continues(text: str) -> bool:
    return not (
        CAPTION.match(text) or _CLOSING.match(text) or _DAY_LINE.match(text) or prose_pairs(text)
        or table_row(text) is not None
    )


def _extend_answer(coll: Collector, answer: str, sep: str = "\n") -> bool:
    """Add a line to the last pair's answer when that pair is the last passage."""
    if not (coll.qa and coll.passages and coll.passages[-1].id == coll.qa[-1].passage):
        return False
    last = coll.qa[-1]
    last.answer = _join(last.answer, answer) if sep == "" else last.answer + sep + answer
    coll.passages[-1].text = _qa_text(last.question, last.answer)
    return True


def _qa_text(question: str, answer: str) -> str:
    return f"問：{question}\n答：{answer}"


def pair(coll: Collector, state: WalkState, question: str, answer: str, text: str = "") -> None:
    """Add a Q&A pair and its passage (``text`` when given, else 問：…\n答：…)."""
    heading = state.heading if state.mode == "qa" else "質疑応答"
    passage = coll.add("qa", text or _qa_text(question, answer), heading)
    coll.qa.append(QAPair(question, answer, passage.id))


def flush_question(coll: Collector, state: WalkState) -> None:
    """A question left without an answer is kept as ordinary text, and counted as unpaired."""
    if state.pending_q:
        coll.add(content_section(state), state.pending_q, state.heading)
        coll.unpaired.append(state.pending_q)
    state.pending_q, state.expect = "", ""


UNPAIRED_ADVICE = "質問の直後に「答」「回答：」「→」などの印を付けた回答の行があるか、元の報告書で確かめてください"


def unpaired_doubt(visit: int, questions: list[str]) -> Doubt:
    """The doubt of a visit whose Q&A marks left questions without an answer (they were kept as text)."""
    first = questions[0] if len(questions[0]) <= 30 else questions[0][:30] + "…"
    message = f"質疑応答の印はありますが、回答と対にならない質問が{len(questions)}件あります（本文として扱いました）：「{first}」"
    return Doubt("qa-unpaired", message, UNPAIRED_ADVICE, visit)
