"""Practices and key figures of parsed reports (kb/enrich.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.enrich import enrich, key_figures, practice_refs
from kb.model import Passage, Report, Visit
from kb.parse import parse_file, parse_text
from kb.taxonomy import default_taxonomy

ROOT = Path(__file__).resolve().parents[1]
YOKOHAMA = ROOT / "data" / "reports" / "yokohama-2022-07-digital-committee.txt"


@pytest.fixture(scope="module")
def report() -> Report:
    """The parse of the Yokohama digital committee report (visits to 大阪市 and 神戸市)."""
    return parse_file(YOKOHAMA)


def _visit(report: Report, city: str) -> Visit:
    return next(v for v in report.visits if v.municipality == city)


@pytest.mark.parametrize(("city", "practice"), [
    ("大阪市", "microsoft-365"),
    ("大阪市", "intune"),
    ("大阪市", "byod"),
    ("大阪市", "telework"),
    ("大阪市", "web-meeting"),
    ("大阪市", "beta-prime-model"),
    ("神戸市", "teams"),
    ("神戸市", "ipad"),
    ("神戸市", "e-kobe"),
    ("神戸市", "kintone"),
    ("神戸市", "power-platform"),
    ("神戸市", "paperless"),
    ("神戸市", "dx-training"),
])
def test_visit_practice_cites_passages_that_name_it(report: Report, city: str, practice: str) -> None:
    visit = _visit(report, city)
    refs = {ref.id: ref for ref in visit.practices}
    assert practice in refs, sorted(refs)
    ref = refs[practice]
    known = default_taxonomy().practice(practice)
    assert (ref.name, ref.category) == (known.name, known.category)
    passages = {p.id: p for p in visit.passages}
    assert ref.passages
    for passage_id in ref.passages:
        assert passage_id in passages
        passage = passages[passage_id]
        assert practice in {m.practice for m in default_taxonomy().find(passage.text)}
        assert practice in passage.practices


def test_visit_practices_are_exactly_those_of_its_passages(report: Report) -> None:
    for visit in report.visits:
        from_passages = list(dict.fromkeys(pid for p in visit.passages for pid in p.practices))
        assert [ref.id for ref in visit.practices] == from_passages
        for ref in visit.practices:
            assert ref.passages == [p.id for p in visit.passages if ref.id in p.practices]


@pytest.mark.parametrize(("city", "value", "unit", "approx"), [
    ("大阪市", 20875, "人", False),
    ("神戸市", 1300, "台", False),
    ("神戸市", 1000, "件", True),
    ("神戸市", 60000, "人", True),
])
def test_visit_figures(report: Report, city: str, value: int, unit: str, approx: bool) -> None:
    figures = _visit(report, city).figures
    assert any((f.value, f.unit, f.approx) == (value, unit, approx) for f in figures), [
        (f.value, f.unit, f.approx) for f in figures]


def test_every_figure_cites_a_passage_holding_it(report: Report) -> None:
    assert all(visit.figures for visit in report.visits)
    for visit in report.visits:
        passages = {p.id: p for p in visit.passages}
        for figure in visit.figures:
            assert figure.passage in passages
            assert figure.text in passages[figure.passage].text


def test_to_dict_holds_practices_and_figures(report: Report) -> None:
    data = report.to_dict()
    assert "practices" in data and "figures" in data
    for visit in data["visits"]:
        assert visit["practices"] and visit["figures"]
        assert set(visit["practices"][0]) >= {"id", "name", "category", "passages"}
        assert set(visit["figures"][0]) >= {"value", "unit", "approx", "passage"}
        assert all("practices" in p for p in visit["passages"])


HEADED = """行政視察報告書

視察先　兵庫県神戸市
視察日　令和4年7月5日

１　kintoneの導入について
職員が自ら業務アプリを作成している。
２　その他
キントーンで申請を受け付けている。
"""


def test_heading_is_not_used_for_tagging() -> None:
    report = parse_text(HEADED, "headed.txt")
    [visit] = report.visits
    by_text = {p.text: p for p in visit.passages}
    plain = by_text["職員が自ら業務アプリを作成している。"]
    assert "kintone" in plain.heading  # guard: the heading does name the practice
    assert plain.practices == []
    named = by_text["キントーンで申請を受け付けている。"]
    assert named.practices == ["kintone"]
    assert [(ref.id, ref.passages) for ref in visit.practices] == [("kintone", [named.id])]


def test_enrich_replaces_stale_tags() -> None:
    passage = Passage(id="p1", section="content", text="iPadを配布した。", practices=["kintone"])
    report = Report(file="x.txt", format="txt", encoding="utf-8", text=passage.text, passages=[passage])
    enrich(report)
    assert passage.practices == ["ipad"]
    assert [ref.id for ref in report.practices] == ["ipad"]


def test_practice_refs_keep_order_of_first_mention() -> None:
    passages = [
        Passage(id="a", section="content", text="", practices=["kintone", "ipad"]),
        Passage(id="b", section="content", text="", practices=["ipad"]),
    ]
    refs = practice_refs(passages, default_taxonomy())
    assert [(r.id, r.passages) for r in refs] == [("kintone", ["a"]), ("ipad", ["a", "b"])]


def test_key_figures_cite_their_passage() -> None:
    passages = [Passage(id="q", section="content", text="職員約6万人に配布した。")]
    [figure] = key_figures(passages)
    assert (figure.value, figure.unit, figure.approx, figure.passage) == (60000, "人", True, "q")
