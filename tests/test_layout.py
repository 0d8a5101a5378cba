"""Lines of a report: heading classes, marker stripping, labels and labelled fields."""

from __future__ import annotations

import pytest

from kb.layout import (
    A_MARK,
    A_STRICT,
    Q_MARK,
    Q_STRICT,
    Field,
    add_unique,
    field_at,
    field_value_text,
    find_fields,
    label_kind,
    next_text,
    norm_label,
    prev_nonblank,
    row_as_field,
    split_lines,
    strip_marker,
)

# --- line classification ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cls", "inner"),
    [
        ("## 総務委員会", "md2", "総務委員会"),
        ("### 3 対応者（役職名）", "md3", "3 対応者（役職名）"),
        ("【質疑応答】", "lenticular", "質疑応答"),
        ("＜今後の課題＞", "angle", "今後の課題"),
        ("〔概要〕", "tortoise", "概要"),
        ("―所感―", "dash", "所感"),
        ("■質疑", "square", "質疑"),
        ("○概要", "circle", "概要"),
        ("(1) 北海道函館市", "paren_num", "北海道函館市"),
        ("（２）所感", "paren_num", "所感"),
        ("1) 概要", "num_paren", "概要"),
        ("2. 視察内容", "num_dot", "視察内容"),
        ("1 視察月日 令和4年7月21日（木）～7月22日（金）", "num", "視察月日 令和4年7月21日（木）～7月22日（金）"),
        ("① 電子申請", "circled", "電子申請"),
        ("（ア）経緯", "paren_kana", "経緯"),
        ("ア 経緯", "kana", "経緯"),
        ("（写真）", "paren", "写真"),
        ("一、視察目的", "kanji_dot", "視察目的"),
        ("（二）滋賀県長浜市（七月十一日）", "paren_kanji", "滋賀県長浜市（七月十一日）"),
        ("所感", "bare", "所感"),
        ("質疑応答", "bare", "質疑応答"),
        ("所感を述べる", "", ""),
        ("一方で、", "", ""),
        # Not headings: Q/A lines, sentences, decimals, labelled lines, long lines.
        ("Q 登録者数は。", "", ""),
        ("A 約6万人。", "", ""),
        ("問）費用は", "", ""),
        ("（1）本市でも検討すべきである。", "", ""),
        ("1.5倍になった", "", ""),
        ("AIを活用した窓口", "", ""),
        ("視察先：埼玉県　本庄市", "", ""),
        ("■" + "あ" * 60, "", ""),
    ],
)
def test_line_class(text: str, cls: str, inner: str) -> None:
    line = split_lines(text)[0]
    assert (line.cls, line.inner) == (cls, inner)


def test_split_lines_keeps_index_indent_and_blanks() -> None:
    lines = split_lines("見出し\n\n　　本文である。\n")
    assert [(ln.idx, ln.text, ln.indent, ln.blank) for ln in lines] == [
        (0, "見出し", 0, False),
        (1, "", 0, True),
        (2, "本文である。", 2, False),
        (3, "", 0, True),
    ]
    assert lines[2].raw == "　　本文である。"


# --- question and answer marks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("答弁：年間百万円である。", "年間百万円である。"),
        ("答弁 ： 年間百万円である。", "年間百万円である。"),
        ("答：年間百万円である。", "年間百万円である。"),
        ("答2　年間百万円である。", "年間百万円である。"),
        ("（答）年間百万円である。", "年間百万円である。"),
        ("回答：年間百万円である。", "年間百万円である。"),
        ("A. 年間百万円である。", "年間百万円である。"),
        ("（市）年間百万円である。", "年間百万円である。"),
        ("（当局）年間百万円である。", "年間百万円である。"),
    ],
)
def test_answer_mark(text: str, rest: str) -> None:
    assert A_STRICT.match(text) and A_MARK.sub("", text, count=1) == rest


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("質問：費用は。", "費用は。"), ("委員：費用は。", "費用は。"), ("問1）費用は。", "費用は。"), ("Ｑ．費用は。", "費用は。"),
        ("（委員）費用は。", "費用は。"), ("1　（委員）費用は。", "費用は。"), ("・問　費用は。", "費用は。"),
    ],
)
def test_question_mark(text: str, rest: str) -> None:
    assert Q_STRICT.match(text) and Q_MARK.sub("", text, count=1) == rest


@pytest.mark.parametrize("text", ["（市）", "（市民）の声", "（委員会）の構成", "1　視察目的", "・費用は。", "（一）大垣市"])
def test_not_a_turn_mark(text: str) -> None:
    assert not Q_STRICT.match(text) and not A_STRICT.match(text)


# --- markers and labels -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("## 1 視察先", "視察先"),
        ("(1) 質疑応答", "質疑応答"),
        ("【所感】", "所感"),
        ("【視察先】北海道函館市", "視察先：北海道函館市"),
        ("■ 視察先：北海道函館市", "視察先：北海道函館市"),
        ("<概要>", "概要"),
        ("1 視察月日 令和4年7月21日", "視察月日 令和4年7月21日"),
        ("・電子申請の拡大", "電子申請の拡大"),
        ("二、参加委員　高橋誠", "参加委員　高橋誠"),
        ("（一）岐阜県大垣市", "岐阜県大垣市"),
        ("本文である。", "本文である。"),
    ],
)
def test_strip_marker(text: str, stripped: str) -> None:
    assert strip_marker(text) == stripped


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("視察先", "place"),
        ("視察 先", "place"),
        ("調査先", "place"),
        ("視察月日", "date"),
        ("視察日", "date"),
        ("期日", "date"),
        ("対応者（役職名）", "respondents"),
        ("説明者", "respondents"),
        ("視察事項", "topics"),
        ("視察先及び視察事項", "topics"),
        ("視察委員", "members"),
        ("参加者氏名", "members"),
        ("委員会名", "body"),
        ("会派名", "body"),
        ("報告者", "reporter"),
        ("所感", None),
        ("視察内容", None),
        ("北海道函館市", None),
    ],
)
def test_label_kind(label: str, kind: str | None) -> None:
    assert label_kind(label) == kind


def test_norm_label_drops_spaces_and_trailing_parenthesis() -> None:
    assert norm_label("対 応 者（役職名）") == "対応者"


# --- one-line fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("視察先：埼玉県　本庄市", "place", ["埼玉県　本庄市"]),
        ("1 視察月日 令和4年7月21日（木）～7月22日（金）", "date", ["令和4年7月21日（木）～7月22日（金）"]),
        ("視察日：令和5年10月12日", "date", ["令和5年10月12日"]),
        ("【視察先】北海道函館市", "place", ["北海道函館市"]),
        ("（視察先：北海道函館市）", "place", ["北海道函館市"]),
        ("対応者：企画部長", "respondents", ["企画部長"]),
        ("視察先（所在地）：北海道函館市", "place", ["北海道函館市"]),
        ("対応 企画部長", "respondents", ["企画部長"]),
        ("報告者 山田太郎", "reporter", ["山田太郎"]),
        ("日時 令和5年10月12日 10時から", "date", ["令和5年10月12日 10時から"]),
        ("対応者（役職名）：企画部長", "respondents", ["企画部長"]),
        ("説明者（役職）：企画課長", "respondents", ["企画課長"]),
        ("3 対応者（役職名） 企画部長", "respondents", ["企画部長"]),
        ("｜視察先｜埼玉県本庄市｜", "place", ["埼玉県本庄市"]),
        ("| 視察日 | 令和5年10月12日 |", "date", ["令和5年10月12日"]),
        ("視察期間\t令和７年１１月１３日～１１月１４日", "date", ["令和７年１１月１３日～１１月１４日"]),
        ("調査先\t\t栃木県議会", "place", ["栃木県議会"]),
    ],
)
def test_field_on_one_line(text: str, kind: str, value: list[str]) -> None:
    assert field_at(split_lines(text), 0) == Field(kind, 0, [0], value)


@pytest.mark.parametrize(
    "text",
    ["本市の視察先は多い", "｜月日｜視察先｜項目｜", "｜質問｜回答｜", "意見\t多数", "対応として、窓口を増やした", "所感：参考になった", "説明者（市長）から話があった。", "函館市では公式LINEを使っている。", ""],
)
def test_no_field(text: str) -> None:
    assert field_at(split_lines(text), 0) is None


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("｜視察先｜埼玉県本庄市｜", "視察先：埼玉県本庄市"),
        ("視察日\t令和5年10月12日", "視察日：令和5年10月12日"),
        ("｜1｜本庄市｜", "｜1｜本庄市｜"),
        ("｜視察先｜本庄市｜戸田市｜", "｜視察先｜本庄市｜戸田市｜"),
        ("費用\t2千万円", "費用\t2千万円"),
    ],
)
def test_row_as_field(text: str, field: str) -> None:
    """A two-cell table row whose first cell is a known label reads as that labelled field."""
    assert row_as_field(text) == field


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("視察先：埼玉県　本庄市", "埼玉県　本庄市"),
        ("(1) 視察日 令和5年10月12日", "令和5年10月12日"),
        ("北海道函館市（10月12日）", "北海道函館市（10月12日）"),
    ],
)
def test_field_value_text(text: str, value: str) -> None:
    assert field_value_text(text) == value


# --- fields over several lines ----------------------------------------------------------------

_MD_BLOCKS = (
    "### 1 視察先\n\n北海道函館市\n\n"
    "### 2 視察月日\n\n10月12日（木）\n\n"
    "### 3 対応者（役職名）\n\n企画部地域デジタル課長\n企画部地域デジタル課主査\n\n"
    "### 4 視察内容\n\n函館市では公式LINEを使っている。\n"
)
_PLAIN_BLOCKS = "視察先\n北海道　函館市\n\n実施日\n令和6年7月11日\n\n参加者氏名\n山田 一郎、佐藤 花子\n\n(1)視察内容\n"
_SCHEDULE = (
    "2 視察先及び視察事項\n\n(1) 北海道函館市\n\n公式LINEを活用した市民サービスについて\n\n"
    "3 視察委員\n\n委員長 山田花子\n"
)


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        pytest.param(_MD_BLOCKS, [
            ("place", 0, ["北海道函館市"]),
            ("date", 4, ["10月12日（木）"]),
            ("respondents", 8, ["企画部地域デジタル課長", "企画部地域デジタル課主査"]),
        ], id="markdown-blocks"),
        pytest.param(_PLAIN_BLOCKS, [
            ("place", 0, ["北海道　函館市"]),
            ("date", 3, ["令和6年7月11日"]),
            ("members", 6, ["山田 一郎、佐藤 花子"]),
        ], id="plain-labels"),
        pytest.param(_SCHEDULE, [
            ("topics", 0, ["(1) 北海道函館市", "公式LINEを活用した市民サービスについて"]),
            ("members", 6, ["委員長 山田花子"]),
        ], id="numbered-schedule"),
        pytest.param("対応者：企画部長\n        企画課長\n本文である。\n", [
            ("respondents", 0, ["企画部長", "企画課長"]),
        ], id="indented-continuation"),
        pytest.param("■視察先\n北海道函館市\n■視察日\n令和5年10月12日\n", [
            ("place", 0, ["北海道函館市"]),
            ("date", 2, ["令和5年10月12日"]),
        ], id="square-labels"),
    ],
)
def test_find_fields(text: str, fields: list[tuple[str, int, list[str]]]) -> None:
    assert [(f.kind, f.label_idx, f.value) for f in find_fields(split_lines(text))] == fields


def test_block_field_value_indexes() -> None:
    field = find_fields(split_lines(_MD_BLOCKS))[2]
    assert (field.label_idx, field.value_idx) == (8, [10, 11])


# --- small helpers ----------------------------------------------------------------------------


def test_prev_nonblank_and_next_text() -> None:
    lines = split_lines("一\n\n二\n\n\n三")
    assert (prev_nonblank(lines, 5, 0), prev_nonblank(lines, 2, 1), prev_nonblank(lines, 2, 0)) == (2, None, 0)
    assert (next_text(lines, 2, 6), next_text(lines, 2, 5)) == ("三", None)


def test_add_unique() -> None:
    target = ["a"]
    add_unique(target, ["b", "a", "", "b", "c"])
    assert target == ["a", "b", "c"]
