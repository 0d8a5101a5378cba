"""Question-and-answer shapes, each parsed from a tiny one-visit report."""

from __future__ import annotations

import pytest

from kb.model import Visit
from kb.parse import parse_text
from kb.qa import prose_pairs

# A minimal report that parses into exactly one visit (函館市, 2023-10-12); the Q&A
# lines under test follow its 質疑 heading.
_HEAD = (
    "総務委員会行政視察報告書\n\n"
    "視察先：北海道函館市\n"
    "視察日：令和5年10月12日\n\n"
    "函館市では公式LINEによる電子申請を進めている。\n\n"
    "【質疑応答】\n"
)
_CONTENT = "函館市では公式LINEによる電子申請を進めている。"
_Q, _A = "登録者数は何人か。", "約6万人である。"


def _visit(body: str) -> Visit:
    report = parse_text(_HEAD + body, "x.txt")
    assert [(v.municipality, v.code, v.date) for v in report.visits] == [("函館市", "012025", "2023-10-12")]
    return report.visits[0]


def _pairs(body: str) -> list[tuple[str, str]]:
    return [(q.question, q.answer) for q in _visit(body).qa]


def test_the_minimal_report_has_one_visit_and_no_qa() -> None:
    visit = _visit("")
    assert visit.qa == []
    assert [(p.section, p.text) for p in visit.passages] == [("content", _CONTENT)]


# --- one case per promised shape ----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"Q {_Q}\nA {_A}\n", id="Q-A"),
        pytest.param(f"Q：{_Q}\nA：{_A}\n", id="Q-A-colon"),
        pytest.param(f"Ｑ　{_Q}\nＡ　{_A}\n", id="fullwidth-Q-A"),
        pytest.param(f"Ｑ．{_Q}\nＡ．{_A}\n", id="fullwidth-Q-A-dot"),
        pytest.param(f"問　{_Q}\n答　{_A}\n", id="問-答"),
        pytest.param(f"問：{_Q}\n答：{_A}\n", id="問-答-colon"),
        pytest.param(f"問）{_Q}\n答）{_A}\n", id="問）-答）"),
        pytest.param(f"（質問）{_Q}\n（回答）{_A}\n", id="（質問）-（回答）"),
        pytest.param(f"（問）{_Q}\n（答）{_A}\n", id="（問）-（答）"),
        pytest.param(f"質問：{_Q}\n回答：{_A}\n", id="質問：-回答："),
        pytest.param(f"委員：{_Q}\n担当者：{_A}\n", id="委員：-担当者："),
        pytest.param(f"委員：{_Q}\n答弁：{_A}\n", id="委員：-答弁："),
        pytest.param(f"質問：{_Q}\n答弁 ：{_A}\n", id="質問：-答弁："),
        pytest.param(f"・{_Q}\n→{_A}\n", id="bullet-arrow"),
        pytest.param(f"・{_Q}\n⇒ {_A}\n", id="bullet-double-arrow"),
        pytest.param(f"1　（委員）{_Q}\n　（市）{_A}\n", id="numbered-speakers"),
        pytest.param(f"（委員）{_Q}\n（当局）{_A}\n", id="（委員）-（当局）"),
        pytest.param(f"・問　{_Q}\n答　{_A}\n", id="bulleted-問-答"),
    ],
)
def test_marked_shape(body: str) -> None:
    assert _pairs(body) == [(_Q, _A)]


@pytest.mark.parametrize(
    ("body", "pair"),
    [
        pytest.param(
            "「登録者数は何人か」との質問に対し、「約6万人である」との回答があった。\n",
            ("登録者数は何人か", "約6万人である"), id="prose-質問-回答",
        ),
        pytest.param(
            "委員からは「費用はいくらか」との質疑があり、市からは「年間百万円である」との答弁があった。\n",
            ("費用はいくらか", "年間百万円である"), id="prose-質疑-答弁",
        ),
    ],
)
def test_prose_shape(body: str, pair: tuple[str, str]) -> None:
    visit = _visit(body)
    assert [(q.question, q.answer) for q in visit.qa] == [pair]
    # A prose pair's passage is the sentence as written.
    passage = next(p for p in visit.passages if p.id == visit.qa[0].passage)
    assert (passage.section, passage.text) == ("qa", body.strip())


def test_numbered_pairs() -> None:
    body = f"Q1 {_Q}\nA1 {_A}\nQ2 費用はいくらか。\nA2 年間百万円である。\nＱ３．効果は。\nＡ３．半分になった。\n"
    assert _pairs(body) == [(_Q, _A), ("費用はいくらか。", "年間百万円である。"), ("効果は。", "半分になった。")]


def test_pairs_get_their_own_passages() -> None:
    visit = _visit(f"Q {_Q}\nA {_A}\n問 費用は。\n答 年間百万円である。\n")
    assert [(p.id, p.section, p.heading, p.text) for p in visit.passages] == [
        ("v1-p1", "content", "視察先：北海道函館市", _CONTENT),
        ("v1-p2", "qa", "質疑応答", f"問：{_Q}\n答：{_A}"),
        ("v1-p3", "qa", "質疑応答", "問：費用は。\n答：年間百万円である。"),
    ]
    assert [q.passage for q in visit.qa] == ["v1-p2", "v1-p3"]


# --- answers over several lines -------------------------------------------------------------

_MORE = "今後も増やしていく。"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"Q {_Q}\nA {_A}\nA {_MORE}\n", id="second-A-line"),
        pytest.param(f"・{_Q}\n→{_A}\n→{_MORE}\n", id="second-arrow-line"),
        pytest.param(f"問　{_Q}\n答　{_A}\n答　{_MORE}\n", id="second-答-line"),
        pytest.param(f"Q {_Q}\nA {_A}\n{_MORE}\n", id="unmarked-line"),
        pytest.param(f"Q {_Q}\nA {_A}\n　　{_MORE}\n", id="indented-line"),
        pytest.param(f"Q {_Q}\nA {_A}\n\n{_MORE}\n", id="after-a-blank-line"),
        pytest.param(f"問　{_Q}\n答　{_A}\n{_MORE}\n", id="unmarked-after-答"),
        pytest.param(f"・{_Q}\n→{_A}\n{_MORE}\n", id="unmarked-after-arrow"),
    ],
)
def test_answer_continued_on_next_line(body: str) -> None:
    visit = _visit(body)
    answer = f"{_A}\n{_MORE}"
    assert [(q.question, q.answer) for q in visit.qa] == [(_Q, answer)]
    assert [p.text for p in visit.passages if p.section == "qa"] == [f"問：{_Q}\n答：{answer}"]


def test_answer_continued_over_paragraphs_until_the_next_question() -> None:
    body = f"Q {_Q}\nA {_A}\n{_MORE}\n\n広報誌でも周知する。\nQ 費用は。\nA 年間百万円である。\n"
    assert _pairs(body) == [(_Q, f"{_A}\n{_MORE}\n広報誌でも周知する。"), ("費用は。", "年間百万円である。")]


@pytest.mark.parametrize(
    ("tail", "section"),
    [
        pytest.param(f"【所感】\n{_MORE}\n", "observation", id="所感-heading"),
        pytest.param(f"■今後の課題\n{_MORE}\n", "content", id="heading"),
        pytest.param(f"対応者：企画部長\n{_MORE}\n", "content", id="label-line"),
        pytest.param(f"――――――\n{_MORE}\n", "content", id="separator"),
        pytest.param("（写真）\n", "content", id="caption"),
        pytest.param("以上\n", "content", id="closing-word"),
    ],
)
def test_answer_not_continued_past(tail: str, section: str) -> None:
    visit = _visit(f"Q {_Q}\nA {_A}\n{tail}")
    assert [(q.question, q.answer) for q in visit.qa] == [(_Q, _A)]
    last = tail.strip().split("\n")[-1]
    assert (visit.passages[-1].section, visit.passages[-1].text) == (section, last)


@pytest.mark.parametrize("day", ["第2日目　令和5年10月13日（金）", "10月13日（金）", "令和5年10月13日"])
def test_answer_not_continued_past_a_day_heading(day: str) -> None:
    visit = _visit(f"Q {_Q}\nA {_A}\n\n{day}\n")
    assert _pairs(f"Q {_Q}\nA {_A}\n\n{day}\n") == [(_Q, _A)]
    assert any(p.text == day for p in visit.passages)


def test_answer_not_continued_outside_a_qa_section() -> None:
    text = _HEAD.replace("【質疑応答】\n", "") + f"Q {_Q}\nA {_A}\n{_MORE}\n"
    visit = parse_text(text, "x.txt").visits[0]
    assert [(q.question, q.answer) for q in visit.qa] == [(_Q, _A)]
    assert (visit.passages[-1].section, visit.passages[-1].text) == ("content", _MORE)


# --- lines that are not questions or answers ---------------------------------------------------

_NOT_MARKED = [
    "AIを活用した窓口案内も行っている。",
    "A4判の資料を配布している。",
    "QRコードから申請できる。",
    "問い合わせは減っている。",
    "答申を受けて条例を改正した。",
    "委員会として今後も注視する。",
]


@pytest.mark.parametrize("line", _NOT_MARKED)
def test_line_after_a_question_is_not_an_answer(line: str) -> None:
    visit = _visit(f"Q {_Q}\n{line}\n")
    assert visit.qa == []
    assert [p.text for p in visit.passages[-2:]] == [_Q, line]


@pytest.mark.parametrize("line", _NOT_MARKED)
def test_line_after_a_pair_continues_the_answer_whole(line: str) -> None:
    assert _pairs(f"Q {_Q}\nA {_A}\n{line}\n") == [(_Q, f"{_A}\n{line}")]


def test_ai_line_before_the_questions_is_content() -> None:
    visit = _visit(f"AIを活用した窓口案内も行っている。\nQ {_Q}\nA {_A}\n")
    assert [(q.question, q.answer) for q in visit.qa] == [(_Q, _A)]
    assert [(p.section, p.text) for p in visit.passages][:2] == [
        ("content", _CONTENT), ("content", "AIを活用した窓口案内も行っている。")
    ]


def test_question_without_answer_is_kept_as_text() -> None:
    visit = _visit(f"Q {_Q}\n")
    assert visit.qa == []
    assert visit.passages[-1].text == _Q


def test_bullet_without_arrow_is_a_list_item() -> None:
    visit = _visit(f"・{_Q}\n・費用はいくらか。\n")
    assert visit.qa == []
    assert visit.passages[-1].text == f"・{_Q}\n・費用はいくらか。"


# --- prose pairs, directly ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("「登録者数は何人か」との質問に対し、「約6万人である」との回答があった。",
         [("登録者数は何人か", "約6万人である")]),
        (("「費用はいくらか」との問いに、「年間百万円である」との答えだった。"
          "「効果はどうか」との質疑には「待ち時間が半分になった」との説明があった。"),
         [("費用はいくらか", "年間百万円である"), ("効果はどうか", "待ち時間が半分になった")]),
        ("私から「費用はいくらか」と質問したところ、「年間百万円である」との答えでした。",
         [("費用はいくらか", "年間百万円である")]),
        ("「費用はいくらか」と尋ねると、「年間百万円である」との説明だった。", [("費用はいくらか", "年間百万円である")]),
        ("「登録者数は何人か」との質問があったが、回答は後日とされた。", []),
        ("「短い」との質問に対し、「約6万人である」との回答があった。", []),
        ("市長は「デジタル化を進める」と述べた。", []),
    ],
)
def test_prose_pairs(text: str, pairs: list[tuple[str, str]]) -> None:
    assert prose_pairs(text) == pairs
