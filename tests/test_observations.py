"""Observations (所感, 所見, まとめ…): found under any heading that names them, one per paragraph,
with the member who wrote them when a heading names one."""

from __future__ import annotations

import pytest

from kb.layout import split_lines
from kb.passages import Collector
from kb.walk import walk

_S1 = "先進的な取組であり、本市でも参考になると感じた。"
_S2 = "導入の目的を先に議論しておくことが大切である。"
_CONTENT = "同市では令和3年から電子申請を進めている。"


def _walk(text: str, members: list[str] | None = None) -> Collector:
    lines = split_lines(text)
    coll = Collector("x")
    walk(lines, 0, len(lines), set(), coll, members or [])
    return coll


def _obs(text: str, members: list[str] | None = None) -> list[tuple[str, str]]:
    return [(o.author, o.text) for o in _walk(text, members).observations]


@pytest.mark.parametrize(
    "heading",
    [
        "【所感】", "■所見", "（所感）", "考察", "感想", "まとめ", "委員意見", "本市への提言", "総括", "視察を終えて",
        "５　成果及び所見", "■大府市への反映・所感", "　オ　所感", "６　所感", "## 所感", "＜委員の感想＞",
    ],
)
def test_observation_heading(heading: str) -> None:
    text = f"{_CONTENT}\n{heading}\n　{_S1}\n　{_S2}\n"
    assert _obs(text) == [("", _S1), ("", _S2)]


@pytest.mark.parametrize(
    ("text", "members", "expected"),
    [
        pytest.param(f"【所感】\n【山田委員】\n{_S1}\n【佐藤委員】\n{_S2}\n", [], [("山田", _S1), ("佐藤", _S2)],
                     id="lenticular-member"),
        pytest.param(f"山田 委員 所感\n{_S1}\n佐藤 委員 所感\n{_S2}\n", [], [("山田", _S1), ("佐藤", _S2)],
                     id="spaced-member-所感"),
        pytest.param(f"山田議員の所感\n{_S1}\n", [], [("山田", _S1)], id="議員の所感"),
        pytest.param(f"オ　所感\n（西村委員長）\n{_S1}\n（原田委員）\n{_S2}\n", ["西村修二", "原田恵美"],
                     [("西村修二", _S1), ("原田恵美", _S2)], id="surname-with-title-is-the-member"),
        pytest.param(f"【所感】\n青木　誠議員\n{_S1}\n", [], [("青木誠", _S1)], id="full-name-議員"),
        pytest.param(f"所感（担当幹事　藤井）\n{_S1}\n", [], [("藤井", _S1)], id="writer-in-parentheses"),
        pytest.param(f"【所感】\n【山田はなこ】\n{_S1}\n", [], [("山田はなこ", _S1)], id="given-name-in-kana"),
        pytest.param(f"【所感】\n①今後の対応\n{_S1}\n", [], [("", _S1)], id="a-sub-heading-is-no-name"),
    ],
)
def test_observation_author(text: str, members: list[str], expected: list[tuple[str, str]]) -> None:
    assert _obs(text, members) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"【所感】\n・{_S1}\n・{_S2}\n", [f"・{_S1}", f"・{_S2}"], id="each-bullet"),
        pytest.param(f"【所感】\n{_S1}\n\n{_S2}\n", [_S1, _S2], id="paragraphs-apart"),
        pytest.param(
            "前置きの段落です。" + "あ" * 30 + "。\n"
            "カ　所感\n"
            "　　出雲市議会の取組で印象に残ったのは、研究会での協議から試験導入、\n"
            "　本格導入へと、議員の合意を一段ずつ積み上げてきた進め方である。本市\n"
            "　の導入スケジュールを考えるうえでも、紙と端末の並行期間をどう設定す\n"
            "　るかを早い段階で決めておく必要があると感じた。\n"
            "　　ほかの議会の事例もあわせて調べ、本市の導入計画に反映させていきた\n"
            "　い。\n"
            "　　" + "い" * 32 + "\n"
            "　" + "う" * 33 + "\n",
            [
                ("出雲市議会の取組で印象に残ったのは、研究会での協議から試験導入、本格導入へと、議員の合意を一段ずつ"
                "積み上げてきた進め方である。本市の導入スケジュールを考えるうえでも、紙と端末の並行期間をどう設定す"
                "るかを早い段階で決めておく必要があると感じた。"),
                "ほかの議会の事例もあわせて調べ、本市の導入計画に反映させていきたい。",
                "い" * 32 + "う" * 33,
            ],
            id="hard-wrapped-paragraphs",
        ),
        pytest.param(
            "【所感】\n" + "".join("あ" * 34 + "\n" for _ in range(5)) + "\n\n" + "い" * 10 + "。\n" + "う" * 20 + "。\n",
            ["あ" * 170 + "い" * 10 + "。", "う" * 20 + "。"],
            id="page-break-inside-a-wrapped-paragraph",
        ),
    ],
)
def test_one_observation_per_paragraph(text: str, expected: list[str]) -> None:
    assert [o for _, o in _obs(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"　オ　所感\n　　{_S1}\n〔今後の対応〕\n　{_S2}\n", [_S1], id="heading-left-of-所感-ends-it"),
        pytest.param(f"成果及び所見\n{_S1}\n添付資料　深谷市提供資料（写し）1部\n", [_S1], id="label-line-is-not-one"),
        pytest.param(f"{_S1}\n{_S2}\n", [], id="no-heading-no-observation"),
        pytest.param(f"【所感】\n{_S1}\n■今後の課題\n{_S2}\n", [_S1], id="next-heading-ends-it"),
        pytest.param(f"【所感】\n{_S1}\n【質疑応答】\nQ 費用は。\nA 百万円。\n", [_S1], id="qa-heading-ends-it"),
    ],
)
def test_observation_section_bounds(text: str, expected: list[str]) -> None:
    assert [o for _, o in _obs(text)] == expected


def test_observations_are_passages_of_their_section() -> None:
    coll = _walk(f"{_CONTENT}\n【所感】\n{_S1}\n")
    assert [(p.section, p.heading, p.text) for p in coll.passages] == [
        ("content", "", _CONTENT), ("observation", "所感", _S1)
    ]
    assert coll.observations[0].passage == coll.passages[1].id
