"""Copies: the same report in two files is indexed once (kb.copies, index.copies, index.build)."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from index.build import build_index
from index.engine import ENGINES, get_engine
from index.search import SearchService
from kb.copies import THRESHOLD, Signature, is_copy, jaccard, rank, signature, similarity
from kb.readers import read_document
from kb.repair import repair_text

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
HTML = "kasukabe-2023-01-council-tablets.html"
TXT = "kasukabe-2023-01-council-tablets.txt"
SJIS = "tama-2023-10-kakanai-madoguchi.sjis.txt"
TAMA = "tama-2023-10-kakanai-madoguchi.txt"
YOKOHAMA = "yokohama-2022-07-digital-committee.txt"
SAME_NAME = Path(__file__).resolve().parent / "data" / "same-name"
PAIRS = {frozenset((HTML, TXT)), frozenset((SJIS, TAMA))}
HONJO_PASSAGE = "陣見山をはじめ標高500m前後の山々が連なっています"


def _text(name: str) -> str:
    return repair_text(read_document(REPORTS / name).text)


def _rewrapped(text: str, width: int = 30) -> str:
    return "\n".join(line[i:i + width] for line in text.split("\n") for i in range(0, max(len(line), 1), width))


def _furniture(text: str) -> str:
    """A page number and a running header every 25 lines, as a printed copy has."""
    lines = text.split("\n")
    out: list[str] = []
    for n, line in enumerate(lines, start=1):
        out.append(line)
        if n % 25 == 0:
            out += ["", f"- {n // 25} -", "", "春日部市議会　行政視察報告書", ""]
    return "\n".join(out)


def _marks(text: str) -> str:
    return text.replace("(1)", "１．").replace("(2)", "２．").replace("○", "・").replace("、", "，")


VARIANTS: list[tuple[str, Any, Any, bool]] = [
    ("html-and-text", lambda: _text(HTML), lambda: _text(TXT), True),
    ("shift-jis-and-utf8", lambda: _text(SJIS), lambda: _text(TAMA), True),
    ("rewrapped", lambda: _text(TXT), lambda: repair_text(_rewrapped(_text(TXT))), True),
    ("page-furniture", lambda: _text(TXT), lambda: repair_text(_furniture(_text(TXT))), True),
    ("other-marks", lambda: _text(TXT), lambda: repair_text(_marks(_text(TXT))), True),
    ("all-at-once", lambda: _text(HTML), lambda: repair_text(_marks(_furniture(_rewrapped(_text(TXT))))), True),
    ("one-council-other-visit", lambda: _text(TXT), lambda: _text("kasukabe-2023-10-public-cloud.txt"), False),
    ("one-council-third-visit", lambda: _text("kasukabe-2023-10-public-cloud.txt"),
     lambda: _text("kasukabe-2024-07-hakodate-dx-vision.txt"), False),
    ("one-host-one-topic", lambda: _text("kasukabe-2024-07-hakodate-dx-vision.txt"),
     lambda: _text("kisarazu-2025-10-hakodate-dx.txt"), False),
    ("one-city-two-years", lambda: _text("utsunomiya-2023-11-municipal-dx.txt"),
     lambda: _text("utsunomiya-2024-10-digital-services.txt"), False),
    ("tablets-elsewhere", lambda: _text(TXT), lambda: _text("fukui-2023-10-council-tablets.txt"), False),
    ("one-template-two-reports", lambda: (SAME_NAME / "toyama-asahi.txt").read_text(encoding="utf-8"),
     lambda: (SAME_NAME / "yamagata-asahi.txt").read_text(encoding="utf-8"), False),
]


@pytest.mark.parametrize(("name", "left", "right", "copy"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_copy_verdicts(name: str, left: Any, right: Any, copy: bool) -> None:
    a, b = left(), right()
    sa, sb = signature(a), signature(b)
    assert is_copy(sa, sb) is copy and is_copy(sb, sa) is copy
    # The estimate and the exact shingle similarity agree on the side of the threshold, far from it.
    assert (jaccard(a, b) >= THRESHOLD) is copy
    assert abs(similarity(sa, sb) - THRESHOLD) > 0.15
    if copy:
        assert set(sa.blocking_keys()) & set(sb.blocking_keys())


def test_the_bundled_reports_leave_a_wide_gap() -> None:
    """Every pair of bundled reports: the two true pairs at 1.0, every other pair under 0.1 (measured max 0.062)."""
    names = sorted(p.name for p in REPORTS.iterdir())
    signatures = {name: signature(_text(name)) for name in names}
    scores = {frozenset(pair): similarity(signatures[pair[0]], signatures[pair[1]])
              for pair in itertools.combinations(names, 2)}
    assert {pair for pair, score in scores.items() if score >= THRESHOLD} == PAIRS
    assert min(scores[p] for p in PAIRS) == 1.0 and max(s for p, s in scores.items() if p not in PAIRS) < 0.1


def test_signature_round_trip_and_damage() -> None:
    sign = signature(_text(TXT))
    assert Signature.decode(sign.encode()) == sign
    assert Signature.decode("") is None and Signature.decode(sign.fingerprint + " zz") is None
    assert signature("") == signature(" \n") and is_copy(signature("短い"), signature("短い。"))


@pytest.mark.parametrize(("files", "original"), [
    ([("a.html", "html", "utf-8"), ("a.txt", "txt", "utf-8")], "a.txt"),
    ([("a.sjis.txt", "txt", "cp932"), ("a.txt", "txt", "utf-8")], "a.txt"),
    ([("b.txt", "txt", "utf-8"), ("a.txt", "txt", "utf-8")], "a.txt"),
    ([("a.pdf", "pdf", "utf-8"), ("z.docx", "docx", "utf-8")], "z.docx"),
])
def test_rank_prefers_text_then_utf8_then_name(files: list[tuple[str, str, str]], original: str) -> None:
    assert min(rank(*f) for f in files)[2] == original


# ---------------------------------------------------------------- builds


def _folder(tmp_path: Path, *names: str, label: str = "reports") -> Path:
    folder = tmp_path / label
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(REPORTS / name, folder / name)
    return folder


def _state(index_dir: Path, engine: str) -> dict[str, tuple[str, int]]:
    """``{file: (copy_of, passages)}`` of an index."""
    reader = get_engine(engine).reader(index_dir)
    try:
        counts = reader.group_counts(("file",), {})
        return {d["file"]: (str(d.get("copy_of") or ""), counts.get((d["file"],), 0))
                for d in reader.report_summaries()}
    finally:
        reader.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_order_does_not_matter(engine: str, tmp_path: Path) -> None:
    together = _folder(tmp_path, HTML, TXT, YOKOHAMA, label="together")
    build_index([together], tmp_path / "one", engine=engine)
    # The copy first, the original later; and the other way round.
    html_first = _folder(tmp_path, HTML, YOKOHAMA, label="html-first")
    build_index([html_first], tmp_path / "two", engine=engine)
    shutil.copy(REPORTS / TXT, html_first / TXT)
    later = build_index([html_first], tmp_path / "two", engine=engine)
    txt_first = _folder(tmp_path, TXT, YOKOHAMA, label="txt-first")
    build_index([txt_first], tmp_path / "three", engine=engine)
    shutil.copy(REPORTS / HTML, txt_first / HTML)
    build_index([txt_first], tmp_path / "three", engine=engine)
    states = [_state(tmp_path / n, engine) for n in ("one", "two", "three")]
    assert states[0] == states[1] == states[2]
    assert states[0][HTML] == (TXT, 0) and states[0][TXT][0] == "" and states[0][TXT][1] > 10
    assert [(c.file, c.original) for c in later.copies] == [(HTML, TXT)] and later.added == [TXT]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_copy_added_later_is_stored_without_passages(engine: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path, TAMA)
    first = build_index([folder], tmp_path / "index", engine=engine)
    shutil.copy(REPORTS / SJIS, folder / SJIS)
    second = build_index([folder], tmp_path / "index", engine=engine)
    assert second.added == [SJIS] and second.skipped == [TAMA] and second.passages == 0
    assert [(c.file, c.original) for c in second.copies] == [(SJIS, TAMA)]
    assert _state(tmp_path / "index", engine) == {TAMA: ("", first.passages), SJIS: (TAMA, 0)}


@pytest.mark.parametrize("engine", ENGINES)
def test_deleting_the_original_promotes_the_copy(engine: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path, HTML, TXT)
    build_index([folder], tmp_path / "index", engine=engine)
    (folder / TXT).unlink()
    summary = build_index([folder], tmp_path / "index", engine=engine)
    assert summary.removed == [TXT] and summary.promoted == [HTML] and summary.passages > 10
    assert _state(tmp_path / "index", engine) == {HTML: ("", summary.passages)}
    assert SearchService(tmp_path / "index", engine=engine).search(HONJO_PASSAGE)["total"] >= 1


@pytest.mark.parametrize("engine", ENGINES)
def test_a_copy_changed_into_another_report_becomes_an_original(engine: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path, TAMA, SJIS)
    build_index([folder], tmp_path / "index", engine=engine)
    (folder / SJIS).write_bytes((REPORTS / YOKOHAMA).read_text(encoding="utf-8").encode("cp932", "replace"))
    summary = build_index([folder], tmp_path / "index", engine=engine)
    assert summary.updated == [SJIS] and summary.copies == [] and summary.passages > 10
    state = _state(tmp_path / "index", engine)
    assert state[SJIS] == ("", summary.passages) and state[TAMA][0] == "" and state[TAMA][1] > 10


@pytest.mark.parametrize("engine", ENGINES)
def test_an_original_changed_away_promotes_its_copy(engine: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path, TAMA, SJIS)
    build_index([folder], tmp_path / "index", engine=engine)
    shutil.copy(REPORTS / YOKOHAMA, folder / TAMA)
    summary = build_index([folder], tmp_path / "index", engine=engine)
    assert summary.updated == [TAMA] and summary.promoted == [SJIS]
    assert {f: c for f, (c, _) in _state(tmp_path / "index", engine).items()} == {TAMA: "", SJIS: ""}


@pytest.mark.parametrize("engine", ENGINES)
def test_an_original_that_fails_to_parse_leaves_its_copy_the_original(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index import build

    parse = build.parse_file

    def choke(path: Path, table: Any = None) -> Any:
        if path.name == TXT:
            raise RuntimeError("parser bug")
        return parse(path, table)

    monkeypatch.setattr(build, "parse_file", choke)
    folder = _folder(tmp_path, HTML, TXT)
    summary = build_index([folder], tmp_path / "index", engine=engine, jobs=1)
    assert [Path(f.file).name for f in summary.failed] == [TXT] and summary.added == [HTML]
    assert summary.copies == [] and summary.passages > 10
    assert _state(tmp_path / "index", engine) == {HTML: ("", summary.passages)}


# ---------------------------------------------------------------- the bundled index


def test_a_passage_of_the_copied_report_is_found_once(service: SearchService) -> None:
    result = service.search(f'"{HONJO_PASSAGE}"')
    assert result["total"] == 1 and [h["file"] for h in result["hits"]] == [TXT]
    assert HONJO_PASSAGE in result["hits"][0]["text"]
    # No passage of a copy is found, whatever the search.
    assert not {SJIS, HTML} & {h["file"] for h in service.search("本庄市", limit=100)["hits"]}
    assert not {SJIS, HTML} & {h["file"] for h in service.search("書かない窓口", limit=100)["hits"]}


def test_copies_have_no_passages_and_are_counted_apart(service: SearchService) -> None:
    reader = service.reader()
    assert reader.passages({"file": (HTML,)}) == [] and reader.passages({"file": (SJIS,)}) == []
    stats = service.stats()
    listed = [f["file"] for f in stats["files"]]
    assert (stats["copies"], stats["reports"]) == (2, len(listed)) and HTML not in listed and TXT in listed


def test_the_catalogue_counts_the_report_once(service: SearchService) -> None:
    reader = service.reader()
    practices = {pid for p in reader.passages({"file": (TXT,)}, tagged=True) for pid in p["practice"].split(",")}
    by_id = {p["id"]: p for c in service.practices()["categories"] for p in c["practices"]}
    for pid in sorted(practices):
        files = {p["file"] for p in reader.passages({"practice": (pid,)})}
        assert by_id[pid]["reports"] == len(files) and HTML not in files


def test_report_pages_link_the_copies(client: FlaskClient) -> None:
    original = client.get(f"/api/reports/{TXT}").get_json()
    copy = client.get(f"/api/reports/{HTML}").get_json()
    assert (original["copies"], original["copy_of"], original["more_copies"]) == ([HTML], "", 0)
    assert (copy["copies"], copy["copy_of"]) == ([], TXT)
    page = client.get(f"/reports/{HTML}").get_data(as_text=True)
    assert f'<a href="/reports/{TXT}">{TXT}</a> と同じ内容のため、写しとして登録しています' in page
    page = client.get(f"/reports/{TXT}").get_data(as_text=True)
    assert "<dt>写し</dt>" in page and f'同じ内容の報告書: <a href="/reports/{HTML}">{HTML}</a>' in page
    start = client.get("/").get_data(as_text=True)
    assert "同じ内容の別ファイル（写し）が2件あります" in start and f">{HTML}<" not in start


def test_dxkb_index_lists_the_copies(tmp_path: Path) -> None:
    from webui.cli import main

    folder = _folder(tmp_path, HTML, TXT, SJIS, TAMA)
    result = CliRunner().invoke(main, ["index", str(folder), "--index", str(tmp_path / "index"), "--no-progress"])
    lines = result.output.splitlines()
    assert result.exit_code == 0 and lines[2] == (
        f"同じ内容のため 2 件を写しとして登録: {HTML} → {TXT}、{SJIS} → {TAMA}")
    (folder / TXT).unlink()
    result = CliRunner().invoke(main, ["index", str(folder), "--index", str(tmp_path / "index"), "--json"])
    data = json.loads(result.output)
    assert (data["removed"], data["promoted"], data["copies"]) == ([TXT], [HTML], [])
    result = CliRunner().invoke(main, ["index", str(folder), "--index", str(tmp_path / "index"), "--no-progress"])
    assert "写し" not in result.output
