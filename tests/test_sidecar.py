"""Sidecars (<report>.toml): validation, applying them to a parse, the hint, and index change detection."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.errors import SidecarError
from kb.model import Doubt, Observation, Passage, QAPair, Report, Visit
from kb.municipalities import MunicipalityTable
from kb.parse import parse_file
from kb.sidecar import (
    Sidecar,
    SidecarVisit,
    apply_sidecar,
    is_sidecar,
    mentioned_places,
    parse_sidecar,
    sidecar_hint,
    sidecar_path,
)

DATA = Path(__file__).resolve().parent / "data"
NO_VISIT = DATA / "check" / "no-visit.txt"
YOKOHAMA = Path(__file__).resolve().parents[1] / "data" / "reports" / "yokohama-2022-07-digital-committee.txt"
NAME = "r.txt.toml"


@pytest.fixture(scope="module")
def table() -> MunicipalityTable:
    return MunicipalityTable.load()


def _parse(text: str, table: MunicipalityTable) -> Sidecar:
    return parse_sidecar(text.encode("utf-8"), NAME, table)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('council = "府中市議会"\nbody = "総務委員会"\n',
         Sidecar(NAME, "府中市議会", "総務委員会")),
        ('[[visits]]\nmunicipality = "三原市"\ndate = "2023-07-10"\n',
         Sidecar(NAME, visits=(SidecarVisit("三原市", "広島県", "342041", "2023-07-10"),))),
        ('[[visits]]\nmunicipality = "府中市"\nprefecture = "広島県"\ndate = 2023-07-10\n',
         Sidecar(NAME, visits=(SidecarVisit("府中市", "広島県", "342084", "2023-07-10"),))),
        ('[[visits]]\nmunicipality = "広島県三原市"\n[[visits]]\nmunicipality = "京都府"\n',
         Sidecar(NAME, visits=(SidecarVisit("三原市", "広島県", "342041"), SidecarVisit("京都府", "京都府", "260002")))),
    ],
)
def test_a_good_sidecar_is_read(text: str, expected: Sidecar, table: MunicipalityTable) -> None:
    assert _parse(text, table) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('council = "府中市議会"\ncity = "三原市"\n',
         "r.txt.toml の city: 知らない項目です。書ける項目は body、council、visits です"),
        ('[[visits]]\nmunicipality = "三原市"\nday = "2023-07-10"\n',
         "r.txt.toml の visits[1].day: 知らない項目です。書ける項目は date、municipality、prefecture です"),
        ('council = 3\n',
         'r.txt.toml の council: 文字列ではありません。council = "…" のように引用符で囲んでください'),
        ('[[visits]]\nmunicipality = "三原市"\ndate = "2023-13-01"\n',
         ("r.txt.toml の visits[1].date: 日付として読めません（'2023-13-01'）。"
         'date = "2023-07-10" のように年-月-日で書いてください')),
        ('[[visits]]\nmunicipality = "三原町"\n',
         ("r.txt.toml の visits[1].municipality: 「三原町」は自治体コード表にありません。"
         "市区町村名を「三原市」のように正式な名前で書いてください")),
        ('[[visits]]\nmunicipality = "府中市"\n',
         ("r.txt.toml の visits[1].prefecture: 「府中市」は複数あります（東京都、広島県）。"
         'prefecture = "…" で都道府県を指定してください')),
        ('[[visits]]\nmunicipality = "三原市"\nprefecture = "東京都"\n',
         ("r.txt.toml の visits[1].municipality: 「三原市」は東京都にありません。"
         "市区町村名を「三原市」のように正式な名前で書いてください")),
        ('[[visits]]\nprefecture = "広島県"\n',
         'r.txt.toml の visits[1].municipality: 視察先の市区町村名がありません。例: municipality = "三原市"'),
        ('visits = "三原市"\n',
         'r.txt.toml の visits: [[visits]] の表の並びで書いてください。例: [[visits]] の下に municipality = "三原市"'),
    ],
)
def test_a_bad_sidecar_names_the_file_and_the_key(text: str, expected: str, table: MunicipalityTable) -> None:
    with pytest.raises(SidecarError) as caught:
        _parse(text, table)
    assert str(caught.value) == expected


def test_a_sidecar_that_is_not_toml_names_the_file(table: MunicipalityTable) -> None:
    with pytest.raises(SidecarError) as caught:
        _parse('council = "府中市議会\n', table)
    assert str(caught.value).startswith("r.txt.toml: TOML として読めません（")


def _with_sidecar(tmp_path: Path, source: Path, toml: str) -> Path:
    report = tmp_path / source.name
    shutil.copy(source, report)
    sidecar_path(report).write_text(toml, encoding="utf-8")
    return report


def test_a_sidecar_gives_a_report_without_visits_its_visit(tmp_path: Path) -> None:
    assert parse_file(NO_VISIT).visits == []
    path = _with_sidecar(tmp_path, NO_VISIT, 'council = "府中市議会"\n[[visits]]\nmunicipality = "三原市"\ndate = "2023-07-10"\n')
    report = parse_file(path)
    assert (report.council, report.period.start, report.passages, report.doubts) == ("府中市議会", "2023-07-10", [], [])
    assert report.warnings == ["視察先は no-visit.txt.toml の指定によります"]
    [visit] = report.visits
    assert (visit.municipality, visit.prefecture, visit.code, visit.date) == ("三原市", "広島県", "342041", "2023-07-10")
    assert visit.evidence == ["no-visit.txt.toml の指定"]
    assert [p.id for p in visit.passages] == [f"v1-p{n}" for n in range(1, 8)]
    assert visit.qa == [QAPair("導入にかかった費用は。", "約1,200万円で、国の交付金を活用した。", "v1-p6")]
    assert visit.observations == [Observation("", "手続のオンライン化は本市でも急ぐべきである。", "v1-p7")]
    assert [(p.id, p.passages) for p in visit.practices] == [("kakanai-madoguchi", ["v1-p4"]), ("e-application", ["v1-p7"])]
    assert [f.passage for f in visit.figures] == ["v1-p4", "v1-p5", "v1-p6"]


def test_a_sidecar_reorders_and_renames_parsed_visits(tmp_path: Path) -> None:
    parsed = parse_file(YOKOHAMA)
    osaka, kobe = (len(v.passages) for v in parsed.visits)
    toml = ('[[visits]]\nmunicipality = "神戸市"\n[[visits]]\nmunicipality = "大阪市"\nprefecture = "大阪府"\n'
            'date = "2022-07-20"\n')
    report = parse_file(_with_sidecar(tmp_path, YOKOHAMA, toml))
    assert [(v.municipality, v.date, len(v.passages)) for v in report.visits] == [
        ("神戸市", "2022-07-22", kobe), ("大阪市", "2022-07-20", osaka)]
    assert report.visits[1].passages[0].id == "v2-p1"
    assert all(ref.startswith("v2-") for p in report.visits[1].practices for ref in p.passages)
    assert report.period.start == "2022-07-20"


def _visit(name: str, code: str, *texts: str) -> Visit:
    return Visit(name, "", code, passages=[Passage(f"x-{t}", "content", t) for t in texts],
                 doubts=[Doubt("ambiguous-host", "視察先が曖昧です")])


def test_unlisted_visits_go_to_an_unfound_host_else_to_their_neighbour(table: MunicipalityTable) -> None:
    report = Report("r.txt", visits=[_visit("尾道市", "342050", "a"), _visit("三原市", "342041", "b"),
                                     _visit("福山市", "342076", "c"), _visit("呉市", "342025", "d")],
                    doubts=[Doubt("schedule-mismatch", "日程と本文が合いません"), Doubt("qa-unpaired", "答がありません")],
                    warnings=["日程と本文が合いません", "文字コード cp932 として読み込みました"])
    listed = (SidecarVisit("三原市", "広島県", "342041"), SidecarVisit("府中市", "広島県", "342084", "2023-07-11"))
    apply_sidecar(report, Sidecar(NAME, visits=listed), table)
    assert [(v.municipality, v.date, [p.text for p in v.passages]) for v in report.visits] == [
        ("三原市", None, ["a", "b"]), ("府中市", "2023-07-11", ["c", "d"])]
    assert [p.id for p in report.visits[1].passages] == ["v2-p1", "v2-p2"]
    assert [d.kind for d in report.doubts] == ["qa-unpaired"]
    assert [v.doubts for v in report.visits] == [[], []]
    assert report.warnings == ["文字コード cp932 として読み込みました", "視察先は r.txt.toml の指定によります"]


def test_two_days_at_one_host_stay_two_visits(table: MunicipalityTable) -> None:
    report = Report("r.txt", visits=[_visit("三原市", "342041", "a"), _visit("三原市", "342041", "b"),
                                     _visit("尾道市", "342050", "c")],
                    doubts=[Doubt("qa-unpaired", "答がありません", visit=3)])
    report.visits[2].doubts.append(Doubt("qa-unpaired", "問だけの行があります", visit=3))
    listed = (SidecarVisit("尾道市", "広島県", "342050"), SidecarVisit("三原市", "広島県", "342041", "2023-07-10"),
              SidecarVisit("三原市", "広島県", "342041", "2023-07-11"))
    apply_sidecar(report, Sidecar(NAME, visits=listed), table)
    assert [(v.municipality, v.date, [p.text for p in v.passages]) for v in report.visits] == [
        ("尾道市", None, ["c"]), ("三原市", "2023-07-10", ["a"]), ("三原市", "2023-07-11", ["b"])]
    assert [(d.message, d.visit) for d in report.doubts + report.visits[0].doubts] == [
        ("答がありません", 1), ("問だけの行があります", 1)]


def test_a_missing_date_stays_a_doubt_until_the_sidecar_gives_one(table: MunicipalityTable) -> None:
    report = Report("r.txt", visits=[_visit("三原市", "342041", "a"), _visit("尾道市", "342050", "b")],
                    warnings=["視察日がわかりません"], doubts=[Doubt("no-date", "視察日がわかりません")])
    listed = (SidecarVisit("三原市", "広島県", "342041", "2023-07-10"), SidecarVisit("尾道市", "広島県", "342050"))
    apply_sidecar(report, Sidecar(NAME, visits=listed), table)
    assert (report.doubts, report.visits[0].doubts) == ([], [])
    assert report.visits[1].doubts == [Doubt("no-date", "視察先2（尾道市）の視察日がわかりません",
                                             "r.txt.toml の 2 番目の [[visits]] に date を書いてください", 2)]
    assert report.warnings == ["視察先は r.txt.toml の指定によります"]


def test_report_level_passages_go_to_the_host_they_name(table: MunicipalityTable) -> None:
    texts = ["目的", "三原市の説明", "続き", "問：費用は。\n答：百万円。", "府中市の説明", "所感"]
    report = Report("r.txt", passages=[Passage(f"r-p{n}", "qa" if "問" in t else "content", t)
                                       for n, t in enumerate(texts, 1)],
                    doubts=[Doubt("no-visit", "視察先を特定できませんでした")])
    listed = (SidecarVisit("府中市", "広島県", "342084"), SidecarVisit("三原市", "広島県", "342041"))
    apply_sidecar(report, Sidecar(NAME, visits=listed), table)
    assert [[p.text for p in v.passages] for v in report.visits] == [
        ["目的", "府中市の説明", "所感"], ["三原市の説明", "続き", "問：費用は。\n答：百万円。"]]
    assert report.visits[1].qa == [QAPair("費用は。", "百万円。", "v2-p3")]
    assert (report.passages, report.doubts) == ([], [])


def test_a_sidecar_without_visits_only_sets_council_and_body(table: MunicipalityTable) -> None:
    report = Report("r.txt", council="", body="総務委員会", doubts=[Doubt("no-visit", "なし")])
    apply_sidecar(report, Sidecar(NAME, council="府中市議会"), table)
    assert (report.council, report.body, [d.kind for d in report.doubts]) == ("府中市議会", "総務委員会", ["no-visit"])


def test_the_hint_guesses_the_place_named_most_but_not_the_council_itself(table: MunicipalityTable) -> None:
    text = "府中市議会\n令和5年7月10日\n三原市を訪れた。三原市では尾道市と連携し、府中市でも…"
    report = Report("r.txt", council="広島県府中市議会", text=text, doubts=[Doubt("no-visit", "なし")])
    assert mentioned_places(text, table, exclude=report.council)[0][0].name == "三原市"
    assert sidecar_hint(report, table) == {"file": "r.txt.toml", "text": (
        'council = "広島県府中市議会"\n# body = "…"\n\n[[visits]]\n'
        "# 地名と日付は本文から推測しました。確かめてください\n"
        'municipality = "三原市"\nprefecture = "広島県"\ndate = "2023-07-10"\n'
        "# ほかに本文に出てくる地名: 尾道市（広島県）1 回\n")}


def test_the_hint_lists_the_parsed_visits_when_they_have_doubts(table: MunicipalityTable) -> None:
    report = Report("r.txt", visits=[Visit("三原市", "広島県", "342041", doubts=[Doubt("no-date", "日付なし")])])
    hint = sidecar_hint(report, table)
    assert hint is not None and hint["text"].endswith(
        '[[visits]]\nmunicipality = "三原市"\nprefecture = "広島県"\n# date = "YYYY-MM-DD"\n')
    assert _parse(hint["text"], table).visits == (SidecarVisit("三原市", "広島県", "342041"),)
    assert sidecar_hint(Report("r.txt", doubts=[Doubt("qa-unpaired", "答なし")]), table) is None


def test_a_toml_beside_its_report_is_a_sidecar(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("本文", encoding="utf-8")
    for name in ("a.txt.toml", "b.txt.toml", "a.toml"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert [is_sidecar(tmp_path / n) for n in ("a.txt.toml", "b.txt.toml", "a.toml")] == [True, False, False]


def test_the_index_reparses_a_report_whose_sidecar_changes(tmp_path: Path) -> None:
    from index.build import build_index
    from index.search import SearchService

    folder, target = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    report = folder / NO_VISIT.name
    shutil.copy(NO_VISIT, report)
    sidecar = sidecar_path(report)

    def run() -> tuple[list[str], list[str], list[str]]:
        summary = build_index([folder], target)
        return summary.added + summary.updated, summary.skipped, [f.message for f in summary.failed]

    def hosts() -> list[str]:
        return [v["municipality"] for v in SearchService(target).report(report.name)["visits"]]

    assert run() == ([report.name], [], [])
    sidecar.write_text('[[visits]]\nmunicipality = "三原市"\n', encoding="utf-8")
    assert (run(), hosts()) == (([report.name], [], []), ["三原市"])
    assert run() == ([], [report.name], [])
    sidecar.write_text('[[visits]]\nmunicipality = "府中市"\n', encoding="utf-8")
    assert run() == ([], [], ["no-visit.txt.toml の visits[1].prefecture: 「府中市」は複数あります（東京都、広島県）"])
    assert hosts() == ["三原市"]
    sidecar.unlink()
    assert (run(), hosts()) == (([report.name], [], []), [])
