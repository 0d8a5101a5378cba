"""Key-figure extraction: golden table of figures and non-figures, and a run over the corpus."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from kb.figures import Figure, _normalise_same_length, extract_figures, parse_number
from kb.readers import read_document
from kb.repair import repair_text

REPORTS = Path(__file__).resolve().parents[1] / "data" / "reports"

Expected = list[tuple[float, str, bool]]

GOLDEN: list[tuple[str, Expected]] = [
    ("大阪市は市長部局の職員数が2万875人と多い。", [(20875, "人", False)]),
    ("1300台の iPad を配備した。", [(1300, "台", False)]),
    ("約1000件の手続を職員自らが作った。", [(1000, "件", True)]),
    ("令和4年6月末で、約6万人が登録している。", [(60000, "人", True)]),
    ("職員の40%を削減した。", [(40, "%", False)]),
    ("職員の４０％を削減した。", [(40, "%", False)]),
    ("市債1兆3千億円を起債した。", [(1300000000000, "円", False)]),
    ("一兆三千億円の市債", [(1300000000000, "円", False)]),
    ("立ち上げ時間(10分)でロックされる。", [(10, "分", False)]),
    ("職員数は２万８７５人", [(20875, "人", False)]),
    ("三百人が参加した。", [(300, "人", False)]),
    ("二十校に配備", [(20, "校", False)]),
    ("千五百件の申請", [(1500, "件", False)]),
    ("1,300台を配備", [(1300, "台", False)]),
    ("1，300台を配備", [(1300, "台", False)]),
    ("利用率は0.8%である。", [(0.8, "%", False)]),
    ("約3割の町内会", [(3, "割", True)]),
    ("加入率は3割", [(3, "割", False)]),
    ("3割5分", [(3.5, "割", False)]),
    ("事業費は3千万円", [(30000000, "円", False)]),
    ("1億2千万円を計上", [(120000000, "円", False)]),
    ("500万円の補助", [(5000000, "円", False)]),
    ("予算は5,000千円", [(5000000, "円", False)]),
    ("１，５００万円の寄附", [(15000000, "円", False)]),
    ("利用者は約1.3倍に増えた。", [(1.3, "倍", True)]),
    ("人口1.5万人の町", [(15000, "人", False)]),
    ("最初の3年間は無料", [(3, "年", False)]),
    ("約5年をかけた。", [(5, "年", True)]),
    ("30年以上前から", [(30, "年", False)]),
    ("10年近く前から", [(10, "年", True)]),
    ("3か月間の試行", [(3, "か月", False)]),
    ("3ヶ月の試行", [(3, "か月", False)]),
    ("3カ月", [(3, "か月", False)]),
    ("バス停96箇所", [(96, "か所", False)]),
    ("バス停96ヶ所", [(96, "か所", False)]),
    ("委員12名と職員3名", [(12, "名", False), (3, "名", False)]),
    ("月20時間の削減", [(20, "時間/月", False)]),
    ("20時間/月の削減", [(20, "時間/月", False)]),
    ("年2回の会期制", [(2, "回/年", False)]),
    ("年間約6万件の申請", [(60000, "件/年", True)]),
    ("1人当たり10万円", [(100000, "円/人", False)]),
    ("1,500人を超えた", [(1500, "人", False)]),
    ("1時間弱で終わる", [(1, "時間", True)]),
    ("4割強の世帯", [(4, "割", True)]),
    ("7％程度", [(7, "%", True)]),
    ("およそ238,215人", [(238215, "人", True)]),
    ("1万4千人ほどの町", [(14000, "人", True)]),
    ("10〜20人", [(20, "人", False)]),
    ("面積は368.3㎢", [(368.3, "㎢", False)]),
    ("面積 677.87km2", [(677.87, "㎢", False)]),
    ("延床面積 約1,200平方メートル", [(1200, "㎡", True)]),
    ("10.5インチのタブレット", [(10.5, "インチ", False)]),
    ("24時間365日対応", [(24, "時間", False)]),
    ("2022年4月1日現在で2万875人", [(20875, "人", False)]),
    # Not figures: dates, fiscal years, clock times, ordinals, versions, words.
    ("令和5年10月16日", []),
    ("令和５年１０月１６日（月）", []),
    ("2023年度", []),
    ("2023年に開始した", []),
    ("平成7年の震災", []),
    ("13時30分から", []),
    ("十三時三十分から", []),
    ("Microsoft 365", []),
    ("M i c r o s o f t 3 6 5", []),
    ("第1回定例会", []),
    ("第１０回", []),
    ("3回目の視察", []),
    ("Windows 11", []),
    ("β'モデル", []),
    ("1.（2）視察内容", []),
    ("(1) 大阪市", []),
    ("TEL 03-1234-5678", []),
    ("〒100-0001", []),
    ("3分の1を占める", []),
    ("十分に整理する", []),
    ("一人ひとりに一台", []),
    ("数十人が参加", []),
    ("十数人が参加", []),
    ("R5年度", []),
    ("5年", []),
    ("3課題を整理", []),
    ("3分野で", []),
    ("台帳を1本化", []),
    ("P.12を参照", []),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN, ids=[t for t, _ in GOLDEN])
def test_golden(text: str, expected: Expected) -> None:
    got = [(round(f.value, 6), f.unit, f.approx) for f in extract_figures(text)]
    assert got == expected


@pytest.mark.parametrize(
    ("written", "value"),
    [("2万875", 20875), ("1兆3千億", 1300000000000), ("三百", 300), ("1,300", 1300), ("1.5", 1.5),
     ("０.８", 0.8), ("1.25億", 125000000), ("二〇二三", 2023), ("数", None), ("1.2.3", None)],
)
def test_parse_number(written: str, value: float | None) -> None:
    assert parse_number(written) == value


@pytest.mark.parametrize(
    ("text", "qualifier", "approx"),
    [("30年以上", "以上", False), ("100人未満", "未満", False), ("10人以下", "以下", False),
     ("3日以内", "以内", False), ("1,000人超", "超", False), ("約100人以上", "以上", True), ("約6万人", "", True)],
)
def test_qualifier(text: str, qualifier: str, approx: bool) -> None:
    [figure] = extract_figures(text)
    assert (figure.qualifier, figure.approx) == (qualifier, approx)


def test_offsets_text_and_context() -> None:
    text = "神戸市は平成7年の震災により、市債1兆3千億円を起債した。\nその後、約6万人が登録した。"
    first, second = extract_figures(text)
    assert text[first.start:first.end] == first.text == "1兆3千億円"
    assert first.context == "神戸市は平成7年の震災により、市債1兆3千億円を起債した。"
    assert second.text == "約6万人" and second.context == "その後、約6万人が登録した。"
    assert second.to_dict() == {"value": 60000, "unit": "人", "approx": True, "text": "約6万人",
                                "context": "その後、約6万人が登録した。", "qualifier": ""}


def test_context_is_cut_around_the_figure() -> None:
    text = "あ" * 100 + "　 1300台" + "い" * 100 + "。"
    [figure] = extract_figures(text)
    assert len(figure.context) <= 80
    assert "1300台" in figure.context and "  " not in figure.context


def test_values_are_int_when_whole() -> None:
    values = [f.value for f in extract_figures("1.5万人、40%、1.5倍")]
    assert values == [15000, 40, 1.5]
    assert [type(v) for v in values] == [int, int, float]


def _corpus() -> dict[str, list[Figure]]:
    paths = sorted(REPORTS.glob("*.txt"))
    assert paths, REPORTS
    return {p.name: extract_figures(repair_text(read_document(p).text)) for p in paths}


def test_corpus_figures() -> None:
    found = _corpus()
    with_figures = [name for name, figures in found.items() if figures]
    assert len(with_figures) >= 0.8 * len(found), found
    for name, figures in found.items():
        for figure in figures:
            assert not (figure.unit.startswith("年") and figure.value >= 1900), (name, figure)
            assert not any(era in figure.text for era in ("令和", "平成", "昭和")), (name, figure)
            assert len(figure.context) <= 80 and figure.text in figure.context, (name, figure)


def test_yokohama_report_figures() -> None:
    [path] = REPORTS.glob("yokohama*.txt")
    got = [(f.value, f.unit, f.approx) for f in extract_figures(repair_text(read_document(path).text))]
    assert got == [(10, "分", False), (20875, "人", False), (1300000000000, "円", False), (40, "%", False),
                   (1300, "台", False), (1000, "件", True), (60000, "人", True), (40, "%", False)]


@pytest.mark.parametrize(("text", "expected"), [
    ("２万８７５人（１２．５％）", "2万875人(12.5%)"),
    ("約１，３００ｋｍ", "約1,300km"),
    ("㍿と㎢と½は二文字以上になる", "㍿と㎢と½は二文字以上になる"),
    ("ｶﾞｲﾄﾞ", "カ\u3099イト\u3099"),  # one character at a time: the sound mark stays apart
    ("", ""),
])
def test_normalise_same_length_folds_one_character_at_a_time(text: str, expected: str) -> None:
    folded = _normalise_same_length(text)
    assert folded == expected and len(folded) == len(text)
    plain = "".join(c if len(unicodedata.normalize("NFKC", c)) != 1 else unicodedata.normalize("NFKC", c) for c in text)
    assert folded == plain
