"""Report structure parsing: the bundled corpus against its truth files, and golden parses."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from kb.model import Report
from kb.municipalities import MunicipalityTable
from kb.parse import NO_VISIT_WARNING, parse_file, parse_text
from kb.qa import marker_turn, speaker_turn

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
TRUTH = ROOT / "tests" / "truth"
GOLDEN = Path(__file__).resolve().parent / "golden"
YOKOHAMA = "yokohama-2022-07-digital-committee.txt"
MINI = Path(__file__).resolve().parent / "data" / "mini-report.txt"


def _report_files() -> list[str]:
    return sorted(p.name for p in REPORTS.iterdir() if p.suffix in (".txt", ".html"))


def _truth_file(name: str) -> Path:
    if name.endswith(".html"):
        return TRUTH / f"{name}.truth.json"
    return TRUTH / (name[: -len(".txt")] + ".truth.json")


def _with_truth() -> list[str]:
    return [n for n in _report_files() if _truth_file(n).exists()]


_PARSED: dict[str, Report] = {}


def _parse(name: str) -> Report:
    if name not in _PARSED:
        _PARSED[name] = parse_file(REPORTS / name)
    return _PARSED[name]


def _truth(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_truth_file(name).read_text(encoding="utf-8"))
    return data


def _without_district(name: str) -> str:
    """Truth writes "茅部郡森町"; the table (and the parse) holds "森町"."""
    return re.sub(r"^[一-龥々ヶ]{1,5}郡(?=.)", "", name)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# --- visits against truth -------------------------------------------------------------


@pytest.mark.parametrize("name", _with_truth())
def test_visits_match_truth(name: str) -> None:
    """Municipality, prefecture and date of every visit, and how many visits."""
    report, truth = _parse(name), _truth(name)
    got = [(v.municipality, v.prefecture, v.date) for v in report.visits]
    want = [(_without_district(v["municipality"]), v["prefecture"], v["date"]) for v in truth["visits"]]
    assert got == want


@pytest.mark.parametrize("name", _with_truth())
def test_qa_counts_match_truth(name: str) -> None:
    """The number of Q&A pairs of every visit."""
    report, truth = _parse(name), _truth(name)
    assert [len(v.qa) for v in report.visits] == [v["qa_pairs"] for v in truth["visits"]]


@pytest.mark.parametrize("name", _with_truth())
def test_visit_codes_come_from_the_table(name: str) -> None:
    table = MunicipalityTable.load()
    for visit in _parse(name).visits:
        row = table.by_code(visit.code)
        assert row is not None and row.name == visit.municipality and row.prefecture == visit.prefecture


# The truth gives a council that the report text does not state anywhere (the
# council is known to the publisher, not written in the report), or a body
# spelled differently from every line of the report.
_NOT_IN_TEXT = "truth council is not stated anywhere in the report text"
_HEADER_XFAIL: dict[tuple[str, str], str] = {
    ("gunma-pref-2023-11-genai-ordinance.txt", "council"): _NOT_IN_TEXT + " (only 「本県議会」)",
    ("kasukabe-2023-01-council-tablets.txt", "council"): _NOT_IN_TEXT,
    ("kasukabe-2023-10-public-cloud.txt", "council"): _NOT_IN_TEXT,
    ("kasukabe-2024-07-hakodate-dx-vision.txt", "council"): _NOT_IN_TEXT,
    ("utsunomiya-2023-11-municipal-dx.txt", "council"): _NOT_IN_TEXT,
    ("utsunomiya-2024-10-digital-services.txt", "council"): _NOT_IN_TEXT,
    ("itabashi-2025-11-saitama-dx.txt", "council"): "truth 「東京都板橋区議会」 keeps the prefecture that every other "
    "truth drops (「春日部市議会」 for 「埼玉県春日部市議会」): the parse gives 「板橋区議会」",
    ("meguro-2023-11-fukaya-kakanai.txt", "body"): "truth body 「目黒区議会議員 立花みゆき（政務活動費による個人調査）」 "
    "is a description written nowhere: the form names a 報告者, no committee or 会派",
    ("shinjo-2019-10-smart-city.txt", "body"): "truth body 「常任委員会（樋口恒夫委員長）」 is written nowhere; "
    "the report says 「常任委員会行政視察」 (other truths never append the chair)",
}


def _header_cases() -> list[Any]:
    cases = []
    for name in _with_truth():
        for key in ("council", "body", "members"):
            reason = _HEADER_XFAIL.get((name, key))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(name, key, marks=marks, id=f"{name}-{key}"))
    return cases


@pytest.mark.parametrize(("name", "key"), _header_cases())
def test_header_matches_truth(name: str, key: str) -> None:
    report, truth = _parse(name), _truth(name)
    if key == "members":
        assert report.members == truth["members"]
    else:
        assert getattr(report, key) == truth[key]


# --- respondents and topics: loose agreement, reported -----------------------------------


def _loose_match(want: str, got: list[str]) -> bool:
    w = _norm(want)
    return any(w in _norm(g) or _norm(g) in w for g in got if len(_norm(g)) >= 2)


def test_respondents_and_topics_agreement(capsys: pytest.CaptureFixture[str]) -> None:
    rows = []
    totals = [0, 0, 0, 0, 0]
    for name in _with_truth():
        for got, want in zip(_parse(name).visits, _truth(name)["visits"]):
            exact = len({_norm(r) for r in got.respondents} & {_norm(r) for r in want["respondents"]})
            loose = sum(_loose_match(r, got.respondents) for r in want["respondents"])
            topics = sum(_loose_match(t, got.topics) for t in want["topics"])
            rows.append(f"{name[:34]:34} {got.municipality:6} resp {exact}/{loose}/{len(want['respondents'])}"
                        f"  topics {topics}/{len(want['topics'])}")
            for i, n in enumerate((exact, loose, len(want["respondents"]), topics, len(want["topics"]))):
                totals[i] += n
    with capsys.disabled():
        print("\nrespondents exact/loose/truth, topics loose/truth")
        print("\n".join(rows))
        print(f"TOTAL respondents exact {totals[0]}/{totals[2]}, loose {totals[1]}/{totals[2]};"
              f" topics loose {totals[3]}/{totals[4]}")
    assert totals[1] >= totals[2] * 0.6
    assert totals[3] >= totals[4] * 0.3


# --- the Yokohama report (the product was specified from it) ------------------------


def test_yokohama_visits() -> None:
    report = _parse(YOKOHAMA)
    got = [(v.municipality, v.prefecture, v.code, v.date, len(v.qa)) for v in report.visits]
    assert got == [
        ("大阪市", "大阪府", "271004", "2022-07-21", 4),
        ("神戸市", "兵庫県", "281000", "2022-07-22", 5),
    ]
    assert all(v.observations for v in report.visits)


def test_yokohama_header() -> None:
    report = _parse(YOKOHAMA)
    assert report.members == ["尾崎太", "中島光徳", "仁田昌寿"]
    assert (report.period.start, report.period.end) == ("2022-07-21", "2022-07-22")
    assert report.body == "デジタル化推進特別委員会"
    assert "デジタル化推進特別委員会" in report.title


def test_yokohama_qa_text_is_readable() -> None:
    visit = _parse(YOKOHAMA).visits[0]
    pair = visit.qa[0]
    assert pair.question.startswith("BYODにより") and pair.answer.startswith("割り切った判断")
    passage = next(p for p in visit.passages if p.id == pair.passage)
    assert passage.section == "qa" and passage.text == f"問：{pair.question}\n答：{pair.answer}"


# --- structure invariants over the whole corpus -------------------------------------


@pytest.mark.parametrize("name", _report_files())
def test_passage_ids_unique_and_linked(name: str) -> None:
    report = _parse(name)
    ids = [p.id for _, p in report.all_passages()]
    assert len(ids) == len(set(ids))
    for visit in report.visits:
        own = {p.id: p for p in visit.passages}
        assert all(q.passage in own and own[q.passage].section == "qa" for q in visit.qa)
        assert all(o.passage in own and own[o.passage].section == "observation" for o in visit.observations)
    report_ids = {p.id for p in report.passages}
    assert all(o.passage in report_ids for o in report.observations)


def _unmarked(sentence: str) -> str:
    """A sentence without its question or answer mark or speaker (「質疑：」「○委員」「問い」), as a pair keeps it."""
    text = sentence.strip(" \u3000\t")
    turn = marker_turn(text) or (speaker_turn(text) if re.match(r"[○〇●◎◆◇■□（(]", text) else None)
    return turn.body if turn is not None and turn.body else sentence


def _words(text: str) -> set[str]:
    pieces = (_norm(_unmarked(s)) for s in re.split(r"[。\n]", text))
    stripped = (re.sub(r"^(?:[#()（）.．、・→…<>]|[0-9]{1,2}|[QA問答アイウエオ](?=.))+|>$", "", s) for s in pieces)
    # A running header keeps its page number in the text, not in the title read from it.
    stripped = (re.sub(r"(?:-[0-9]{1,3}-|[0-9]{1,3}/[0-9]{1,3})$", "", s) for s in stripped)
    return {s for s in stripped if len(s) >= 15}


@pytest.mark.parametrize("name", _report_files())
def test_nothing_is_dropped(name: str) -> None:
    """Every sentence of 15+ characters of the text is in some passage or field."""
    report = _parse(name)
    kept = " ".join(_norm(p.text + " " + p.heading) for _, p in report.all_passages())
    kept += " ".join(_norm(t) for v in report.visits for t in [*v.topics, *v.respondents])
    kept += _norm(report.title + " ".join(report.members))
    places = [v.municipality for v in report.visits]
    members = set(report.members)
    missing = [
        s for s in _words(report.text)
        if s not in kept and re.sub(r"\([^()]*\)", "", s) not in kept
        and not _is_field_line(s, places) and not _is_member_list(s, members)
    ]
    assert not missing, missing[:5]


def _is_member_list(sentence: str, members: set[str]) -> bool:
    """A list of members' names, maybe with their titles (「委員長石塚光男副委員長大島一恵」)."""
    rest = re.sub(r"\([^()]*\)", "", sentence)
    for name in sorted(members, key=len, reverse=True):
        rest = rest.replace(name, "")
    return bool(members) and not re.sub(r"副?委員長?|副?議長|[、,]", "", rest)


def _is_field_line(sentence: str, places: list[str]) -> bool:
    """Labels, schedules and visit headings are fields, not text to keep."""
    if not re.search(r"[一-龥ぁ-んァ-ヴ]", sentence) or sentence.startswith("|"):
        return True
    if len(sentence) <= 45 and any(p in sentence for p in places):
        return True
    return bool(re.search(
        r"視察先|視察事項|調査事項|対応|説明者|参加|報告者|視察委員|視察日|視察月日|調査期|視察項目|視察案件|調査先|委員会名|について"
        r"|視察期|実施日|調査年月日", sentence
    ))


def test_unrecognised_layout_keeps_every_paragraph() -> None:
    text = "会議の記録\n\n本日は天気が良かった。\n\n次回の会合は未定である。\n"
    report = parse_text(text, "memo.txt")
    assert report.visits == []
    assert [p.text for p in report.passages] == ["本日は天気が良かった。", "次回の会合は未定である。"]
    assert all(p.id.startswith("r-p") for p in report.passages)
    assert NO_VISIT_WARNING in report.warnings


def test_shapes_of_qa() -> None:
    text = (
        "総務委員会 行政視察報告書\n\n1 視察日 令和5年5月10日\n\n"
        "(1) 静岡県森町\n森町では、町の業務のデジタル化について説明を受けた。説明は総務課長から受けた。\n"
        "（質問）窓口の待ち時間は減ったか。\n（回答）半分になった。\n"
        "・費用はどうか。\n→国の交付金を使った。\n"
        "委員：職員の研修は。\n担当者：年2回行っている。\n"
        "委員からは「住民の反応は」との質問があり、町からは「好評である」との回答があった。\n"
        "所感\n"
    )
    report = parse_text(text, "shapes.txt")
    assert [(v.municipality, v.code, v.date) for v in report.visits] == [("森町", "224618", "2023-05-10")]
    qa = report.visits[0].qa
    assert [(q.question, q.answer) for q in qa] == [
        ("窓口の待ち時間は減ったか。", "半分になった。"),
        ("費用はどうか。", "国の交付金を使った。"),
        ("職員の研修は。", "年2回行っている。"),
        ("住民の反応は", "好評である"),
    ]
    assert report.visits[0].respondents == ["総務課長"]


@pytest.mark.parametrize(
    "line",
    ["対応者（役職名）：企画部長", "説明者（役職）：企画部長", "3 対応者（役職名） 企画部長", "対応者：企画部長"],
)
def test_respondents_label_with_parenthesis(line: str) -> None:
    text = (
        "総務委員会 行政視察報告書\n\n1 視察日 令和5年5月10日\n\n(1) 静岡県森町\n"
        f"{line}\n森町では、窓口のデジタル化について説明を受けた。\n"
    )
    visit = parse_text(text, "respondents.txt").visits[0]
    assert (visit.municipality, visit.respondents) == ("森町", ["企画部長"])
    assert [p.text for p in visit.passages] == ["森町では、窓口のデジタル化について説明を受けた。"]


def test_per_member_observations() -> None:
    text = (
        "行政視察報告書\n\n視察先\n北海道　函館市\n\n実施日\n令和6年7月11日\n\n参加者氏名\n山田 一郎、佐藤 花子\n\n"
        "(1)視察内容\n 函館市は公式LINEを使った手続案内を進めている。\n\n(2)考察\n 全体として参考になった。\n\n"
        "【山田 一郎】\n 本市でも導入を検討したい。\n\n【佐藤 花子】\n 高齢者への配慮が必要である。\n"
    )
    visit = parse_text(text, "members.txt").visits[0]
    assert [(o.author, o.text) for o in visit.observations] == [
        ("", "全体として参考になった。"),
        ("山田一郎", "本市でも導入を検討したい。"),
        ("佐藤花子", "高齢者への配慮が必要である。"),
    ]


# --- single-visit reports ---------------------------------------------------------------


def test_single_visit_report_owns_its_qa_and_observations() -> None:
    report = parse_file(MINI)
    assert [(v.municipality, v.prefecture, v.code, v.date) for v in report.visits] == [
        ("函館市", "北海道", "012025", "2023-10-12")
    ]
    visit = report.visits[0]
    assert [(q.question, q.answer) for q in visit.qa] == [
        ("公式LINEの登録者を増やす工夫は何か。", "広報誌とイベントで周知している。")
    ]
    assert [(o.author, o.text) for o in visit.observations] == [
        ("", "本市でも公式LINEを入口とした電子申請を検討すべきである。")
    ]
    assert report.members == ["山田花子"]
    assert report.passages == [] and report.observations == []
    assert visit.topics == ["公式LINEを活用した市民サービス"]
    assert [(p.id, p.section) for p in visit.passages] == [
        ("v1-p1", "content"), ("v1-p2", "qa"), ("v1-p3", "observation")
    ]


_ONE_VISIT = (
    "総務委員会 行政視察報告書\n\n本委員会は窓口のデジタル化を調査するため視察を行った。\n\n"
    "1 視察日 令和5年5月10日\n\n(1) 静岡県森町\n森町では、窓口のデジタル化について説明を受けた。\n\n"
    "(2) 所感\n森町の取組は本市でも参考になる。\n委員からは「費用はいくらか」との質問があり、"
    "町からは「約二百万円である」との回答があった。\n以上\n"
)
_TWO_VISITS = _ONE_VISIT.replace(
    "(2) 所感\n", "(2) 静岡県掛川市\n掛川市では、電子申請について説明を受けた。\n\n(3) 所感\n両市の取組はいずれも先進的であった。\n"
)


def test_single_visit_takes_closing_observations_in_document_order() -> None:
    report = parse_text(_ONE_VISIT, "one.txt")
    visit = report.visits[0]
    assert [(p.id, p.section) for p in visit.passages] == [
        ("v1-p1", "content"), ("v1-p2", "observation"), ("v1-p3", "qa")
    ]
    assert [q.passage for q in visit.qa] == ["v1-p3"]
    assert [o.passage for o in visit.observations] == ["v1-p2"]
    # Only Q&A and observations move: overview prose and closing words stay with the report.
    assert [(p.id, p.text) for p in report.passages] == [
        ("r-p1", "本委員会は窓口のデジタル化を調査するため視察を行った。"), ("r-p2", "以上")
    ]
    assert report.observations == []


def test_several_visits_keep_report_wide_observations() -> None:
    report = parse_text(_TWO_VISITS, "two.txt")
    morimachi, kakegawa = report.visits
    assert (morimachi.municipality, kakegawa.municipality) == ("森町", "掛川市")
    assert [(o.text, o.passage) for o in morimachi.observations] == [("森町の取組は本市でも参考になる。", "v1-p2")]
    assert kakegawa.observations == [] and kakegawa.qa == []
    assert [o.text for o in report.observations] == ["両市の取組はいずれも先進的であった。"]
    assert [(p.id, p.section) for p in report.passages] == [
        ("r-p1", "content"), ("r-p2", "observation"), ("r-p3", "qa"), ("r-p4", "content")
    ]


# --- observation authors and page titles --------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "members", "author"),
    [
        ("4　所感（担当幹事　藤井）", [], "藤井"),
        ("(3) 所見（委員 山田 一郎）", [], "山田一郎"),
        ("(2) 所感（議員　佐藤花子）", [], "佐藤花子"),
        ("【考察（鈴木 次郎）】", [], "鈴木次郎"),
        ("(2) 所感（藤井）", ["藤井"], "藤井"),
        ("(2) 所感（抜粋）", [], ""),
        ("(2) 調査結果（所見）", [], ""),
        ("(2) 所感", [], ""),
    ],
)
def test_observation_author_from_heading(heading: str, members: list[str], author: str) -> None:
    text = (
        "総務委員会 行政視察報告書\n\n" + (f"報告者 {members[0]}\n\n" if members else "")
        + "1 視察日 令和5年5月10日\n\n(1) 静岡県森町\n森町では、窓口のデジタル化について説明を受けた。\n\n"
        + f"{heading}\n森町の取組は本市でも大いに参考になるものであった。\n"
    )
    visit = parse_text(text, "author.txt").visits[0]
    assert [(o.author, o.text) for o in visit.observations] == [
        (author, "森町の取組は本市でも大いに参考になるものであった。")
    ]


def test_page_title_gives_council_and_missing_title() -> None:
    text = "(1) 静岡県森町\n森町では、窓口のデジタル化について説明を受けた。\n"
    report = parse_text(text, "page.html", format="html", title="行政視察報告書｜春日部市議会")
    assert report.council == "春日部市議会"
    assert report.title == "行政視察報告書｜春日部市議会"
    assert parse_text(text, "page.html", format="html").council == ""


def test_text_council_wins_over_page_title() -> None:
    text = "町田市議会 総務委員会 行政視察報告書\n\n(1) 静岡県森町\n森町では、窓口のデジタル化について説明を受けた。\n"
    report = parse_text(text, "page.html", title="視察報告｜春日部市議会")
    assert (report.council, report.title) == ("町田市議会", "町田市議会 総務委員会 行政視察報告書")


def test_parse_file_carries_reading_warnings() -> None:
    report = parse_file(REPORTS / "tama-2023-10-kakanai-madoguchi.sjis.txt")
    assert report.encoding == "cp932" and report.warnings
    assert [v.municipality for v in report.visits] == ["新潟市", "見附市"]


# --- golden files ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", _report_files())
def test_golden(name: str) -> None:
    """The parse equals tests/golden/<file>.json (DXKB_UPDATE_GOLDEN=1 rewrites it)."""
    got = _parse(name).to_dict()
    path = GOLDEN / f"{name}.json"
    if os.environ.get("DXKB_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}; run with DXKB_UPDATE_GOLDEN=1"
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_every_bundled_report_but_the_specification_has_a_truth_file() -> None:
    assert sorted(set(_report_files()) - set(_with_truth())) == [YOKOHAMA]


def test_closing_observations_read_into_the_last_visit_are_shared_by_host() -> None:
    body = "では窓口のデジタル化について説明を受けた。担当課長から説明を受けた。"
    text = (
        "令和5年度 総務委員会 行政視察報告書\n\n視察期間：令和5年10月12日～13日\n\n"
        f"(1) 北海道函館市\n\n函館市{body}\n\n(2) 北海道札幌市\n\n札幌市{body}\n\n■所感\n\n"
        "　函館市の取組は参考になった。本市でも検討したい。\n\n　札幌市の窓口は先進的であった。\n"
    )
    report = parse_text(text, "x.txt")
    assert [[o.text for o in v.observations] for v in report.visits] == [
        ["函館市の取組は参考になった。本市でも検討したい。"], ["札幌市の窓口は先進的であった。"],
    ]
    for visit in report.visits:
        ids = {p.id for p in visit.passages}
        assert all(o.passage in ids for o in visit.observations)


def test_a_visits_own_observation_naming_an_earlier_host_stays() -> None:
    body = "では窓口のデジタル化について説明を受けた。担当課長から説明を受けた。"
    text = (
        "令和5年度 総務委員会 行政視察報告書\n\n視察期間：令和5年10月12日～13日\n\n"
        f"(1) 北海道函館市\n\n函館市{body}\n\n(2) 北海道札幌市\n\n札幌市{body}\n\n■所感\n\n"
        "　函館市と同じく、窓口の改革が進んでいた。\n"
    )
    report = parse_text(text, "x.txt")
    assert [len(v.observations) for v in report.visits] == [0, 1]
