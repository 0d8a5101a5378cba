"""Question-and-answer shapes, each parsed from a tiny one-visit report."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.layout import split_lines
from kb.model import Visit
from kb.parse import parse_text
from kb.passages import Collector
from kb.qa import arrow_turn, inline_pair, marker_turn, prose_pairs, speaker_turn, table_pairs
from kb.readers import read_document
from kb.repair import repair_text
from kb.walk import walk

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
        pytest.param(f"問い　{_Q}\n　　→　{_A}\n", id="問い-arrow"),
        pytest.param(f"質疑：{_Q}\n応答：{_A}\n", id="質疑：-応答："),
        pytest.param(f"【Ｑ】{_Q}\n【Ａ】{_A}\n", id="【Ｑ】-【Ａ】"),
        pytest.param(f"◆質問　{_Q}\n◇回答　{_A}\n", id="◆質問-◇回答"),
        pytest.param(f"―質問―\n　{_Q}\n―回答―\n　{_A}\n", id="―質問―-―回答―"),
        pytest.param(f"○委員　{_Q}\n●市　　{_A}\n", id="○委員-●市"),
        pytest.param(f"山田委員：{_Q}\n情報政策課長：{_A}\n", id="named-speakers"),
        pytest.param(f"｜質問｜回答｜\n｜{_Q}｜{_A}｜\n", id="pipe-table"),
        pytest.param(f"（１）質問　{_Q}　回答　{_A}\n", id="one-line"),
        pytest.param(f"(質問){_Q}\n　　{_A}\n", id="indented-answer"),
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


# --- the cues, one line at a time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "turn"),
    [
        ("問　費用は。", ("q", "費用は。", "marker")),
        ("問い　費用は。", ("q", "費用は。", "marker")),
        ("Ｑ１．費用は。", ("q", "費用は。", "marker")),
        ("質疑：費用は。", ("q", "費用は。", "marker")),
        ("【Ｑ】費用は。", ("q", "費用は。", "marker")),
        ("◆質問　費用は。", ("q", "費用は。", "marker")),
        ("（１）質問　費用は。", ("q", "費用は。", "marker")),
        ("応答：年間百万円である。", ("a", "年間百万円である。", "marker")),
        ("◇回答　年間百万円である。", ("a", "年間百万円である。", "marker")),
        ("【Ａ】年間百万円である。", ("a", "年間百万円である。", "marker")),
        ("答え：年間百万円である。", ("a", "年間百万円である。", "marker")),
        ("―質問―", ("q", "", "alone")),
        ("質問", ("q", "", "alone")),
        ("【Ｑ】", ("q", "", "alone")),
        ("―回答―", ("a", "", "alone")),
        ("＜回答＞", ("a", "", "alone")),
        ("質疑", None),
        ("（質疑）", None),
        ("質疑応答", None),
        ("質疑　応答", None),
        ("Q & A", None),
        ("問い合わせは減っている。", None),
        ("答申を受けて条例を改正した。", None),
        ("QRコードから申請できる。", None),
        ("質問事項は次のとおり。", None),
    ],
)
def test_marker_turn(text: str, turn: tuple[str, str, str] | None) -> None:
    got = marker_turn(text)
    assert (None if got is None else (got.role, got.body, got.cue)) == turn


@pytest.mark.parametrize(
    ("text", "turn"),
    [
        ("○委員　導入の費用はどうか。", ("q", "導入の費用はどうか。")),
        ("山田委員：導入の費用はどうか。", ("q", "導入の費用はどうか。")),
        ("議員　導入の費用はどうか。", ("q", "導入の費用はどうか。")),
        ("（委員）導入の費用はどうか。", ("q", "導入の費用はどうか。")),
        ("●市　　年間百万円である。", ("a", "年間百万円である。")),
        ("●村　年間百万円である。", ("a", "年間百万円である。")),
        ("（担当課）年間百万円である。", ("a", "年間百万円である。")),
        ("説明員：年間百万円である。", ("a", "年間百万円である。")),
        ("情報政策課長：年間百万円である。", ("a", "年間百万円である。")),
        ("担当課　年間百万円である。", ("a", "年間百万円である。")),
        ("委員会として今後も注視する。", None),
        ("深谷市は埼玉県の北部に位置する。", None),
        ("令和5年　タブレットを導入した。", None),
        ("（写真）議場の様子", None),
    ],
)
def test_speaker_turn(text: str, turn: tuple[str, str] | None) -> None:
    got = speaker_turn(text)
    assert (None if got is None else (got.role, got.body)) == turn


@pytest.mark.parametrize(
    ("text", "body"),
    [("→年間百万円である。", "年間百万円である。"), ("⇒ 年間百万円である。", "年間百万円である。"),
     ("→", None), ("・費用は。", None)],
)
def test_arrow_turn(text: str, body: str | None) -> None:
    got = arrow_turn(text)
    assert (None if got is None else got.body) == body


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("（１）質問　費用はいくらか。　回答　年間百万円である。", ("費用はいくらか。", "年間百万円である。")),
        ("Q 費用は？ A 年間百万円", ("費用は？", "年間百万円")),
        ("問：費用は。答：年間百万円である。", ("費用は。", "年間百万円である。")),
        ("【Ｑ】費用は？【Ａ】年間百万円。", ("費用は？", "年間百万円。")),
        ("質問　回答の期限はいつか。", None),
        ("Q 費用は。", None),
        ("費用は。 A 年間百万円", None),
    ],
)
def test_inline_pair(text: str, pair: tuple[str, str] | None) -> None:
    assert inline_pair(text) == pair


@pytest.mark.parametrize(
    ("rows", "pairs"),
    [
        pytest.param(["｜質問　　｜回答　　｜", "｜費用は。｜百万円。｜", "｜効果は。｜半減した。｜"],
                     [("費用は。", "百万円。"), ("効果は。", "半減した。")], id="full-width-pipes"),
        pytest.param(["| No | 質問 | 回答 |", "|---|---|---|", "| 1 | 費用は。 | 百万円。 |"],
                     [("費用は。", "百万円。")], id="markdown-numbered"),
        pytest.param(["質問内容\t回答内容", "費用は。\t百万円。"], [("費用は。", "百万円。")], id="tabs"),
        pytest.param(["Ｑ｜Ａ", "費用は。｜百万円。", "以上"], [("費用は。", "百万円。")], id="ends-at-prose"),
        pytest.param(["｜人口｜約8万人｜", "｜面積｜108平方キロ｜"], [], id="not-a-qa-table"),
        pytest.param(["｜質問｜回答｜", "｜費用は。｜百万円。｜", "｜　｜国の補助もある。｜"],
                     [("費用は。", "百万円。\n国の補助もある。")], id="answer-over-two-rows"),
        pytest.param(["月日\t時間\t視察先", "10月31日\t13:30\t袋井市"], [], id="schedule-table"),
    ],
)
def test_table_pairs(rows: list[str], pairs: list[tuple[str, str]]) -> None:
    assert table_pairs(rows) == pairs


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("費用はいくらかと質問したところ、年間百万円であるとの回答であった。", [("費用はいくらか", "年間百万円である")]),
        ("委員から運用体制について尋ねると、専任の職員が3名いるとのことだった。",
         [("運用体制について", "専任の職員が3名いる")]),
        ("効果はあったのかとの問いに対し、待ち時間が半分になったとの答弁があった。",
         [("効果はあったのか", "待ち時間が半分になった")]),
        ("費用はいくらかと質問したところ、明確な回答はなかった。", []),
        ("市民からの質問に対し、丁寧に説明していることが印象的だった。", []),
        ("委員から導入の費用について伺ったところ、年間百万円程度とのことであった。", [("導入の費用について", "年間百万円程度")]),
        ("庁内の反応を聞いたところ、おおむね好評であるとの説明があった。", []),
        ("庁内の反応はどうかと聞いたところ、おおむね好評であるとの説明があった。", [("庁内の反応はどうか", "おおむね好評である")]),
    ],
)
def test_unquoted_prose_pairs(text: str, pairs: list[tuple[str, str]]) -> None:
    assert prose_pairs(text) == pairs


# --- the cues strung together over a section's lines -------------------------------------------------


def _walk(text: str) -> Collector:
    lines = split_lines(text)
    coll = Collector("x")
    walk(lines, 0, len(lines), set(), coll, [])
    return coll


_Q2, _A2 = "費用はいくらか。", "年間百万円である。"
_TWO = [(_Q, _A), (_Q2, _A2)]


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        pytest.param(f"問　{_Q}\n答　{_A}\n問　{_Q2}\n答　{_A2}\n", _TWO, id="問-答"),
        pytest.param(f"　問い　{_Q}\n　　→　{_A}\n　問い　{_Q2}\n　　→　{_A2}\n", _TWO, id="問い-arrow"),
        pytest.param(f"Ｑ１．{_Q}\nＡ１．{_A}\nＱ２．{_Q2}\nＡ２．{_A2}\n", _TWO, id="Ｑ１-Ａ１"),
        pytest.param(f"質疑：{_Q}\n応答：{_A}\n\n質疑：{_Q2}\n応答：{_A2}\n", _TWO, id="質疑-応答"),
        pytest.param(f"◆質問　{_Q}\n◇回答　{_A}\n◆質問　{_Q2}\n◇回答　{_A2}\n", _TWO, id="◆質問-◇回答"),
        pytest.param(f"【Ｑ】{_Q}\n【Ａ】{_A}\n【Ｑ】{_Q2}\n【Ａ】{_A2}\n", _TWO, id="【Ｑ】-【Ａ】"),
        pytest.param(f"―質問―\n　{_Q}\n―回答―\n　{_A}\n\n―質問―\n　{_Q2}\n―回答―\n　{_A2}\n", _TWO,
                     id="dashed-role-headings"),
        pytest.param(f"質問\n{_Q}\n回答\n{_A}\n質問\n{_Q2}\n回答\n{_A2}\n", _TWO, id="role-words-alone"),
        pytest.param(f"エ　質疑\n　○委員　{_Q}\n　●市　　{_A}\n\n　○委員　{_Q2}\n　●市　　{_A2}\n", _TWO,
                     id="○委員-●市"),
        pytest.param(f"【質疑応答】\n委員：{_Q}\n説明員：{_A}\n委員：{_Q2}\n説明員：{_A2}\n", _TWO, id="委員-説明員"),
        pytest.param(f"【質疑応答】\n○委員　{_Q}\n（担当課）{_A}\n", [(_Q, _A)], id="○委員-（担当課）"),
        pytest.param(f"【質疑応答】\n議員　{_Q}\n担当課　{_A}\n", [(_Q, _A)], id="議員-担当課"),
        pytest.param(f"【質疑応答】\n山田委員：{_Q}\n情報政策課長：{_A}\n佐藤委員：{_Q2}\n同課長：{_A2}\n", _TWO,
                     id="named-委員-課長"),
        pytest.param(f"■質疑応答\n｜質問｜回答｜\n｜{_Q}｜{_A}｜\n｜{_Q2}｜{_A2}｜\n", _TWO, id="pipe-table"),
        pytest.param(f"質問\t回答\n{_Q}\t{_A}\n{_Q2}\t{_A2}\n", _TWO, id="tab-table"),
        pytest.param(f"| 質問 | 回答 |\n|---|---|\n| {_Q} | {_A} |\n| {_Q2} | {_A2} |\n", _TWO, id="markdown-table"),
        pytest.param(f"｜質問｜回答｜\n｜{_Q}｜{_A}｜\n\n\n｜{_Q2}｜{_A2}｜\n\n｜人口｜約8万人｜\n", _TWO,
                     id="table-over-a-page-break"),
        pytest.param(f"質問：回答\n{_Q}：{_A}\n{_Q2}：{_A2}\n", _TWO, id="colon-table"),
        pytest.param(f"｜質問｜回答｜\n｜{_Q}｜{_A[:3]}\n{_A[3:]}｜\n｜{_Q2}｜{_A2}\n｜\n", _TWO, id="rows-cut-short"),
        pytest.param(f"| 質問 | 回答\n| --- | ---\n| {_Q} | {_A}\n| {_Q2} | {_A2}\n", _TWO, id="rows-without-closing-pipe"),
        pytest.param(f"（１）質問　{_Q}　回答　{_A}\n（２）質問　{_Q2}　回答　{_A2}\n", _TWO, id="one-line-pairs"),
        pytest.param(f"５　質疑\n\n(質問){_Q}\n　　{_A}\n\n(質問){_Q2}\n　　{_A2}\n", _TWO, id="indented-answer"),
        pytest.param(f"・{_Q}\n→{_A}\n・{_Q2}\n⇒{_A2}\n", _TWO, id="bullet-arrows"),
        pytest.param("登録者数は何人かと質問したところ、約6万人であるとの回答であった。\n",
                     [("登録者数は何人か", "約6万人である")], id="prose"),
        pytest.param(f"【質疑】\n○山田委員\n　{_Q}\n○情報政策課長\n　{_A}\n○佐藤委員\n　{_Q2}\n●市\n　{_A2}\n", _TWO,
                     id="speakers-alone-text-below"),
        pytest.param(f"○{_Q}\n→{_A}\n◆{_Q2}\n⇒{_A2}\n", _TWO, id="other-bullets-arrows"),
        pytest.param(f"【質疑】\n{_Q}\n→{_A}\n{_Q2}\n→{_A2}\n", _TWO, id="unbulleted-arrows-in-qa"),
        pytest.param(f"Q-1．{_Q}\nA-1．{_A}\n問①　{_Q2}\n答①　{_A2}\n", _TWO, id="dashed-and-circled-numbers"),
        pytest.param(f"Q 導入の経緯を伺う。\n特に{_Q}\nA {_A}\n", [(f"導入の経緯を伺う。特に{_Q}", _A)],
                     id="question-of-two-lines"),
    ],
)
def test_section_pairs(text: str, pairs: list[tuple[str, str]]) -> None:
    coll = _walk(text)
    assert [(p.question, p.answer) for p in coll.qa] == pairs
    assert coll.unpaired == []


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        pytest.param("Q 登録者数は何\n人か。\nA 約6万人であ\nる。\n", [("登録者数は何人か。", "約6万人である。")],
                     id="wrapped-question-and-answer"),
        pytest.param("問　登録者数は\n　何人か。\n答　約6万人で\n　　ある。\n", [("登録者数は何人か。", "約6万人である。")],
                     id="hanging-indent"),
        pytest.param("(質問)登録者数は何人か。\n　　約6万人である。\n　　今後も増やす。\n",
                     [("登録者数は何人か。", "約6万人である。\n今後も増やす。")], id="indented-answer-lines"),
    ],
)
def test_wrapped_turns_stay_whole(text: str, pairs: list[tuple[str, str]]) -> None:
    assert [(p.question, p.answer) for p in _walk(text).qa] == pairs


@pytest.mark.parametrize(
    ("text", "unpaired"),
    [
        pytest.param(f"Q {_Q}\n", [_Q], id="question-alone"),
        pytest.param(f"Q {_Q}\nQ {_Q2}\nA {_A2}\n", [_Q], id="second-question-answered"),
        pytest.param(f"―質問―\n{_Q}\n【所感】\n参考になった。\n", [_Q], id="role-heading-then-other-heading"),
        pytest.param(f"○委員　{_Q}\n深谷市は埼玉県の北部にある。\n", [_Q], id="speaker-question"),
        pytest.param("委員長　山田太郎\n", [], id="a-member-list-is-no-question"),
    ],
)
def test_unpaired_questions_are_counted(text: str, unpaired: list[str]) -> None:
    coll = _walk(text)
    assert coll.unpaired == unpaired
    assert all(any(p.text == q for p in coll.passages) for q in unpaired)


def test_unpaired_question_is_a_doubt_of_its_visit() -> None:
    visit = _visit(f"Q {_Q}\n")
    assert [(d.kind, d.visit) for d in visit.doubts] == [("qa-unpaired", 1)]
    assert "1件" in visit.doubts[0].message and visit.doubts[0].advice


def test_paired_questions_raise_no_doubt() -> None:
    assert _visit(f"Q {_Q}\nA {_A}\n").doubts == []


# --- invariance: respelled marks and hard-wrapped lines keep the pairs ---------------------------------

_REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"
_SPELLINGS = [("Q ", "A "), ("問　", "答　"), ("【Ｑ】", "【Ａ】"), ("質問：", "回答："), ("Ｑ１．", "Ａ１．")]


def _respell(text: str, q: str, a: str) -> str:
    """Every question and answer mark at a line's start written as ``q`` / ``a``."""
    out = []
    for raw in text.split("\n"):
        body = raw.lstrip(" \u3000\t")
        indent = raw[: len(raw) - len(body)]
        turn = marker_turn(body)
        if turn is not None and turn.cue == "marker":
            raw = indent + (q if turn.role == "q" else a) + turn.body
        out.append(raw)
    return "\n".join(out)


def _wrap(text: str, width: int = 35) -> str:
    """Every line longer than ``width`` cut into lines of ``width`` characters."""
    out = []
    for raw in text.split("\n"):
        out.extend(raw[n: n + width] for n in range(0, max(len(raw), 1), width))
    return "\n".join(out)


def _counts(text: str) -> tuple[int, int]:
    coll = _walk(text)
    return len(coll.qa), len(coll.unpaired)


@pytest.mark.parametrize("name", sorted(p.name for p in _REPORTS.iterdir()))
def test_pair_counts_survive_respelling_and_wrapping(name: str) -> None:
    text = repair_text(read_document(_REPORTS / name).text)
    per_visit = [len(v.qa) for v in parse_text(text, name).visits]
    for q, a in _SPELLINGS:
        assert [len(v.qa) for v in parse_text(_respell(text, q, a), name).visits] == per_visit, (q, a)
    # Wrapping may move a visit's bounds (its heading is cut too): the pairs are counted over the whole text.
    whole = _counts(text)
    assert whole[0] == sum(per_visit) or not per_visit
    assert _counts(_wrap(text)) == whole
    assert _counts(_wrap(_respell(text, "【Ｑ】", "【Ａ】"))) == whole


def test_respelling_changes_the_marks() -> None:
    assert _respell("　問　費用は。\n　答　百万円。\n本文。", "【Ｑ】", "【Ａ】") == "　【Ｑ】費用は。\n　【Ａ】百万円。\n本文。"
    assert _wrap("あ" * 40) == "あ" * 35 + "\n" + "あ" * 5


def test_a_wrapped_table_keeps_its_rows() -> None:
    rows = [(f"質問その{n}について、導入の費用と効果はどうだったのか。", f"回答その{n}として、年間百万円の費用で待ち時間が半分になった。")
            for n in range(1, 5)]
    text = "■質疑応答\n｜質問" + "\u3000" * 30 + "｜回答" + "\u3000" * 30 + "｜\n"
    text += "".join(f"｜{q}｜{a}｜\n" for q, a in rows)
    wrapped = "\n".join(line.rstrip(" \u3000") for line in _wrap(text).split("\n"))
    assert wrapped.count("\n") > text.count("\n") + 4
    assert [(p.question, p.answer) for p in _walk(wrapped).qa] == rows


def test_prose_pairs_wrapped_in_a_short_text_are_read_whole() -> None:
    sentences = [f"委員から{topic}について質問したところ、{answer}との回答であった。" for topic, answer in [
        ("電子書籍の購入費用", "年間約800万円で、一部は企業版ふるさと納税を活用している"),
        ("利用の少ない児童生徒への働きかけ", "学校司書が朝の読書の時間におすすめの本を紹介している"),
        ("著作権や利用期間の管理", "ライセンスの期限は事業者のシステムで自動的に管理されている"),
    ]]
    text = "".join(f"　{s}\n" for s in sentences)
    assert len(_walk(text).qa) == 3
    assert len(_walk(_wrap(text, 40)).qa) == 3
