"""Question-and-answer shapes: Q/A and 問/答 markers, "・…" + "→…" pairs and Q&A told in prose."""

from __future__ import annotations

import re

from kb.layout import A_MARK, A_STRICT, CAPTION, Q_MARK, Q_STRICT, Line, next_text
from kb.model import QAPair
from kb.passages import Collector, WalkState, content_section

_ARROW_ANSWER = re.compile(r"^(?:→|⇒|➡|・・・|…+|⇨)\s*")
_PROSE_Q = re.compile(r"「(?P<q>[^」]{4,})」(?:との|と)(?:質問|質疑|問い|尋ね)")
_PROSE_A = re.compile(r"「(?P<a>[^」]{4,})」との(?:回答|答弁|答え|説明)")
# The narrator's closing words after a run of pairs ("以上", "…との質疑があった。").
_CLOSING = re.compile(r"^以上[。.]?$|^との")
# A day heading of the schedule ("第2日目　令和6年5月15日（水）", "5月15日（水）") ends an answer.
_DAY_LINE = re.compile(
    r"^第\s*[0-9０-９一二三四五六七八九十]{1,2}\s*日目?(?:[\s\u3000]|$)"
    r"|^(?:(?:令和|平成)\S{1,2}年|\d{4}年)?\s*\d{1,2}月\d{1,2}日\s*(?:[（(][^）)]{1,4}[）)])?$"
)


def qa_line(lines: list[Line], i: int, hi: int, state: WalkState, coll: Collector) -> bool:
    """Handle a question, an answer or an answer's continuation; False when the line is none of them.

    In a Q&A section, unmarked lines after an answer (blank lines between them
    aside) continue it until the next mark, heading, label or separator.
    """
    text = lines[i].text
    open_answer = 0 <= state.answer_end and all(ln.blank for ln in lines[state.answer_end + 1: i])
    if Q_STRICT.match(text):
        flush_question(coll, state)
        state.pending_q = Q_MARK.sub("", text, count=1).strip()
        return True
    if _bullet_question(lines, i, hi):
        flush_question(coll, state)
        state.pending_q = text.lstrip("・ 　")
        return True
    answer = _marked_answer(text)
    if answer is None and open_answer and state.mode == "qa" and _continues(text):
        answer = text
    if answer is None:
        return False
    if state.pending_q:
        pair(coll, state, state.pending_q, answer)
        state.pending_q = ""
    elif not _extend_answer(coll, answer):
        return False
    state.answer_end = i
    return True


def _bullet_question(lines: list[Line], i: int, hi: int) -> bool:
    """A "・…" line followed by an arrow answer ("→…") is a question."""
    text = lines[i].text
    if not text.startswith("・") or text.startswith("・・・"):
        return False
    nxt = next_text(lines, i, hi)
    return nxt is not None and _ARROW_ANSWER.match(nxt) is not None


def _marked_answer(text: str) -> str | None:
    """The answer of a line that starts with an answer mark or an arrow, else None."""
    if A_STRICT.match(text):
        return A_MARK.sub("", text, count=1).strip()
    if _ARROW_ANSWER.match(text):
        return _ARROW_ANSWER.sub("", text, count=1).strip()
    return None


def _continues(text: str) -> bool:
    return not (CAPTION.match(text) or _CLOSING.match(text) or _DAY_LINE.match(text) or prose_pairs(text))


def _extend_answer(coll: Collector, answer: str) -> bool:
    """Add a line to the last pair's answer when that pair is the last passage."""
    if not (coll.qa and coll.passages and coll.passages[-1].id == coll.qa[-1].passage):
        return False
    last = coll.qa[-1]
    last.answer += "\n" + answer
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
    """A question left without an answer is kept as ordinary text."""
    if state.pending_q:
        coll.add(content_section(state), state.pending_q, state.heading)
        state.pending_q = ""


def prose_pairs(text: str) -> list[tuple[str, str]]:
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
