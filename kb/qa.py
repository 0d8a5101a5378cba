"""Question-and-answer shapes: Q/A and 問/答 markers, "・…" + "→…" pairs and Q&A told in prose."""

from __future__ import annotations

import re

from kb.layout import A_MARK, A_STRICT, Q_MARK, Q_STRICT, Line, next_text
from kb.model import QAPair
from kb.passages import Collector, WalkState, content_section

_ARROW_ANSWER = re.compile(r"^(?:→|⇒|➡|・・・|…+|⇨)\s*")
_PROSE_Q = re.compile(r"「(?P<q>[^」]{4,})」との(?:質問|質疑|問い)")
_PROSE_A = re.compile(r"「(?P<a>[^」]{4,})」との(?:回答|答弁|答え|説明)")


def qa_line(lines: list[Line], i: int, hi: int, state: WalkState, coll: Collector) -> bool:
    """Handle a question or answer line; False when the line is neither."""
    text = lines[i].text
    if Q_STRICT.match(text):
        flush_question(coll, state)
        state.pending_q = Q_MARK.sub("", text, count=1).strip()
        return True
    if text.startswith("・") and not text.startswith("・・・"):
        nxt = next_text(lines, i, hi)
        if nxt is not None and _ARROW_ANSWER.match(nxt):
            flush_question(coll, state)
            state.pending_q = text.lstrip("・ 　")
            return True
    answer = A_MARK.sub("", text, count=1) if A_STRICT.match(text) else None
    if answer is None and _ARROW_ANSWER.match(text):
        answer = _ARROW_ANSWER.sub("", text, count=1)
    if answer is None:
        return False
    answer = answer.strip()
    if state.pending_q:
        pair(coll, state, state.pending_q, answer)
        state.pending_q = ""
    elif coll.qa and coll.passages and coll.passages[-1].id == coll.qa[-1].passage:
        last = coll.qa[-1]
        last.answer += "\n" + answer
        coll.passages[-1].text = _qa_text(last.question, last.answer)
    else:
        return False
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
