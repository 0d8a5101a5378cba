"""Metamorphic tests: a report rewritten without changing its meaning parses to the same visits.

Every bundled report (``data/reports/*.txt`` and the text of the ``.html``
ones) and every unseen-layout report of ``tests/data`` is rewritten by the transformers of :mod:`tests.metamorphic`, alone
and mixed (hypothesis picks the mix, deterministically), and must keep its
visits (municipality, prefecture, date) and the number of Q&A pairs of each
visit, compared with the parse of the original text.

``KNOWN_PARSER_GAPS`` lists the (report, transform) pairs the parser gets wrong
today; each runs as a strict xfail, so an entry must be deleted once the
parser handles it.  Mixes draw only from the transforms without a known gap for
that report; a key whose transform is ``"a+b"`` names a mix that fails although
``a`` and ``b`` alone pass: it runs as its own strict xfail and is left out of the
drawn mixes.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from metamorphic import (
    TRANSFORMS,
    WRAP,
    apply,
    double_blank_lines,
    era_to_western,
    fields_to_pipe_table,
    fields_to_tsv,
    hard_wrap,
    headings_angle_to_lenticular,
    headings_circled_to_paren,
    headings_paren_to_circled,
    headings_paren_to_lenticular,
    headings_paren_to_square,
    headings_square_to_paren,
    indent_full_width,
    indent_half_width,
    page_headers,
    page_numbers,
    qa_as_lenticular,
    qa_as_mon_to,
    qa_as_paren,
    qa_as_q_a,
    qa_as_shitsumon,
    table_to_fields,
    western_to_era,
)

from kb.dates import find_dates
from kb.municipalities import MunicipalityTable
from kb.parse import parse_text
from kb.readers import Document, read_document
from kb.repair import repair_text

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
UNSEEN = Path(__file__).resolve().parent / "data"


KNOWN_PARSER_GAPS: dict[tuple[str, str], str] = {}

# --- the transformers' own golden tables -------------------------------------------------------

GOLDEN = [
    (qa_as_q_a, "問　費用は。\n答　約2千万円。\n問題は残る。", "Q　費用は。\nA　約2千万円。\n問題は残る。"),
    (qa_as_q_a, "　Ｑ１．期間は。\n　Ａ１．3年。", "　Q　期間は。\n　A　3年。"),
    (qa_as_mon_to, "Q 費用は。\nA 約2千万円。\nA社が受託した。", "問　費用は。\n答　約2千万円。\nA社が受託した。"),
    (qa_as_mon_to, "【Ｑ】費用は。\n【Ａ】無料。", "問　費用は。\n答　無料。"),
    (qa_as_shitsumon, "（問）費用は。\n（答）無料。\n答申を受けた。", "質問：費用は。\n回答：無料。\n答申を受けた。"),
    (qa_as_lenticular, "質問：費用は。\n回答：無料。", "【Ｑ】費用は。\n【Ａ】無料。"),
    (qa_as_mon_to, "○委員　費用は。\n●村　無料。\n●印の項目", "問　費用は。\n答　無料。\n●印の項目"),
    (qa_as_q_a, "質疑：費用は。\n応答：無料。\n　問い　期間は。", "Q　費用は。\nA　無料。\n　Q　期間は。"),
    (qa_as_paren, "問1　費用は。\n答1　無料。\nQ&Aの形で。", "（問）費用は。\n（答）無料。\nQ&Aの形で。"),
    (headings_paren_to_circled, "（１）埼玉県本庄市\n(2)視察内容\n(3)長い文は見出しではないので変えない。",
     "①埼玉県本庄市\n②視察内容\n(3)長い文は見出しではないので変えない。"),
    (headings_paren_to_circled, "(1)本庄市\n①別の印", "(1)本庄市\n①別の印"),
    (headings_paren_to_square, "　(1) 大阪府大阪市\n(2) 兵庫県神戸市", "　■大阪府大阪市\n■兵庫県神戸市"),
    (headings_paren_to_lenticular, "(1)視察先の概要\n本文。", "【視察先の概要】\n本文。"),
    (headings_paren_to_lenticular, "(1)視察先の概要\n【所感】", "(1)視察先の概要\n【所感】"),
    (headings_circled_to_paren, "①会津若松市\n②会津美里町", "（1）会津若松市\n（2）会津美里町"),
    (headings_square_to_paren, "■取手市議会（2月1日）\n本文。\n■豊田市議会（2月2日）", "（1）取手市議会（2月1日）\n本文。\n（2）豊田市議会（2月2日）"),
    (headings_square_to_paren, "■本庄市\n(1)概要", "■本庄市\n(1)概要"),
    (headings_angle_to_lenticular, "＜高萩市役所＞\n<導入の経過>", "【高萩市役所】\n【導入の経過】"),
    (era_to_western, "令和5年7月20日（木）、令和元年10月、平成３０年度", "2023年7月20日（木）、2019年10月、2018年度"),
    (western_to_era, "2023年7月20日（木）", "令和5年7月20日（木）"),
    (western_to_era, "2019年4月と2019年5月、2016年1月", "平成31年4月と令和元年5月、平成28年1月"),
    (western_to_era, "2024年度の予算と1669年", "2024年度の予算と1669年"),
    (fields_to_pipe_table, "視察先：埼玉県本庄市\n　説明者：議事課長", "｜視察先｜埼玉県本庄市｜\n｜説明者｜議事課長｜"),
    (fields_to_pipe_table, "【視察先】栃木県議会\n視察先の概要", "｜視察先｜栃木県議会｜\n視察先の概要"),
    (fields_to_tsv, "１．視察日時　：令和５年１０月２６日", "視察日時\t令和５年１０月２６日"),
    (fields_to_tsv, "１．視察日時　　令和５年１０月２６日", "視察日時\t令和５年１０月２６日"),
    (fields_to_pipe_table, "視察先\n北海道　茅部郡森町\n\n実施日\n令和5年10月12日", "｜視察先｜北海道　茅部郡森町｜\n\n｜実施日｜令和5年10月12日｜"),
    (fields_to_pipe_table, "参加者氏名\n五十嵐 浩之、\n片山 秀樹", "参加者氏名\n五十嵐 浩之、\n片山 秀樹"),
    (fields_to_pipe_table, "視察先の概要\n森町は…", "視察先の概要\n森町は…"),
    (fields_to_pipe_table, "視察先　（１）新潟市\n　　　　（２）見附市", "視察先　（１）新潟市\n　　　　（２）見附市"),
    (table_to_fields, "| 視察先 | 本庄市 |\n|---|---|\n｜月日｜市｜項目｜", "視察先：本庄市\n月日　市　項目"),
    (indent_full_width, "  本文\n\t本文\n本文", "\u3000本文\n\u3000本文\n本文"),
    (indent_half_width, "\u3000\u3000本文", "    本文"),
    (double_blank_lines, "a\n\nb\n \nc", "a\n\n\nb\n \n\nc"),
    (hard_wrap, "短い見出し\n" + "あ" * 40 + "。", "短い見出し\n" + "あ" * 35 + "\n" + "あ" * 5 + "。"),
    (hard_wrap, "あ" * 34 + "い、う" * 3 + "。", "あ" * 34 + "\n" + "い、う" * 3 + "。"),
    (hard_wrap, "あ" * 34 + "「問」" + "あ" * 10 + "。", "あ" * 34 + "\n「問」" + "あ" * 10 + "。"),
    (hard_wrap, "あ" * 50, "あ" * 50),
]


@pytest.mark.parametrize(("fn", "text", "expected"), GOLDEN, ids=[f"{g[0].__name__}-{i}" for i, g in enumerate(GOLDEN)])
def test_transformer_golden(fn: object, text: str, expected: str) -> None:
    assert callable(fn)
    assert fn(text) == expected


def test_page_numbers_every_page() -> None:
    text = "\n".join(f"行{i}" for i in range(60))
    out = page_numbers(text)
    assert [ln for ln in out.split("\n") if ln.startswith("- ")] == ["- 1 -", "- 2 -", "- 3 -"]
    assert out.count("\f") == 2
    assert [ln for ln in out.split("\n") if ln.startswith("行")] == text.split("\n")


def test_page_headers_repeat_the_title() -> None:
    text = "## 視察報告書\n" + "\n".join(f"行{i}" for i in range(60))
    out = page_headers(text)
    assert out.split("\n").count("視察報告書") == 2
    assert out.count("\f") == 2


def test_every_transform_has_a_docstring() -> None:
    assert all(fn.__doc__ for fn in TRANSFORMS.values())


# --- the reports -------------------------------------------------------------------------------


def _report_names() -> list[str]:
    """The bundled reports and the unseen-layout reports of tests/data (file names do not collide)."""
    bundled = [p.name for p in REPORTS.iterdir() if p.suffix in (".txt", ".html")]
    unseen = [p.name for p in UNSEEN.glob("unseen-*") if p.suffix in (".txt", ".html")]
    return sorted(bundled + unseen)


def _path(name: str) -> Path:
    return UNSEEN / name if name.startswith("unseen-") else REPORTS / name


@functools.cache
def _document(name: str) -> Document:
    return read_document(_path(name))


@functools.cache
def _table() -> MunicipalityTable:
    return MunicipalityTable.load()


Signature = list[tuple[str, str, str | None, int]]


def _signature(name: str, text: str) -> Signature:
    doc = _document(name)
    report = parse_text(repair_text(text), name, format="txt", table=_table(), title=doc.title)
    return [(v.municipality, v.prefecture, v.date, len(v.qa)) for v in report.visits]


@functools.cache
def _original(name: str) -> Signature:
    return _signature(name, _document(name).text)


def _mix_gaps(name: str) -> list[frozenset[str]]:
    return [frozenset(t.split("+")) for r, t in KNOWN_PARSER_GAPS if r == name and "+" in t]


def _single_cases() -> list[object]:
    cases: list[object] = []
    for name in _report_names():
        text = read_document(_path(name)).text
        for transform, fn in TRANSFORMS.items():
            if fn(text) == text:
                continue  # nothing to rewrite in this report: no test
            gap = KNOWN_PARSER_GAPS.get((name, transform))
            marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
            cases.append(pytest.param(name, transform, id=f"{name}-{transform}", marks=marks))
    for (name, transform), gap in KNOWN_PARSER_GAPS.items():
        if "+" in transform:
            marks = [pytest.mark.xfail(strict=True, reason=gap)]
            cases.append(pytest.param(name, transform, id=f"{name}-{transform}", marks=marks))
    return cases


def test_bundled_reports_are_there() -> None:
    assert len([n for n in _report_names() if not n.startswith("unseen-")]) >= 17
    assert len([n for n in _report_names() if n.startswith("unseen-")]) >= 24


def test_every_transform_rewrites_some_report() -> None:
    texts = [_document(n).text for n in _report_names()]
    assert all(any(fn(t) != t for t in texts) for fn in TRANSFORMS.values())


def test_known_gaps_name_real_cases() -> None:
    names = set(_report_names())
    assert all(r in names and all(p in TRANSFORMS for p in t.split("+")) for r, t in KNOWN_PARSER_GAPS)


@pytest.mark.parametrize(("name", "transform"), _single_cases())
def test_single_transform_keeps_the_parse(name: str, transform: str) -> None:
    rewritten = apply(transform.split("+"), _document(name).text)
    assert _signature(name, rewritten) == _original(name)


def _safe(name: str) -> list[str]:
    return [t for t in TRANSFORMS if (name, t) not in KNOWN_PARSER_GAPS]



MIX_EXAMPLES = 60


@pytest.mark.parametrize("name", _report_names())
@settings(max_examples=MIX_EXAMPLES, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_mixed_transforms_keep_the_parse(name: str, data: st.DataObject) -> None:
    gaps = _mix_gaps(name)
    mixes = st.sets(st.sampled_from(_safe(name)), min_size=1).filter(lambda m: not any(g <= m for g in gaps))
    names = data.draw(mixes, label="transforms")
    assert _signature(name, apply(names, _document(name).text)) == _original(name)


# --- the transformers keep the text's content (checked on every bundled report) ---------------


@pytest.mark.parametrize("name", _report_names())
def test_hard_wrap_only_breaks_lines(name: str) -> None:
    text = _document(name).text
    wrapped = hard_wrap(text)
    assert wrapped.replace("\n", "") == text.replace("\n", "")
    assert all(len(ln.strip(" \t\u3000")) <= WRAP for ln in wrapped.split("\n") if ln not in text.split("\n"))


@pytest.mark.parametrize("name", _report_names())
@pytest.mark.parametrize("fn", [era_to_western, western_to_era], ids=["era_to_western", "western_to_era"])
def test_date_rewrites_keep_every_date(name: str, fn: object) -> None:
    assert callable(fn)
    text = _document(name).text
    assert find_dates(fn(text)) == find_dates(text)


@pytest.mark.parametrize("name", _report_names())
@pytest.mark.parametrize("fn", [page_numbers, page_headers], ids=["page_numbers", "page_headers"])
def test_page_furniture_is_all_that_is_added(name: str, fn: object) -> None:
    assert callable(fn)
    text = _document(name).text
    added = list(difflib.ndiff(text.split("\n"), fn(text).split("\n")))
    assert not [d for d in added if d.startswith("- ")]
    extra = {d[2:] for d in added if d.startswith("+ ")}
    assert all(e in ("", "\f", _first_line(text)) or re.fullmatch(r"- \d+ -", e) for e in extra)


def _first_line(text: str) -> str:
    return next(ln.strip(" \t\u3000#") for ln in text.split("\n") if ln.strip(" \t\u3000#"))
