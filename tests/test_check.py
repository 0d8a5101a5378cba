"""`dxkb check`, skipped extensions in folder scans, and doubts on the report page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from kb.model import Doubt, Passage, Report, Visit
from kb.parse import NO_VISIT_ADVICE, NO_VISIT_WARNING
from kb.scan import scan_reports
from webui.cli import main

CHECK = Path(__file__).resolve().parent / "data" / "check"
YOKOHAMA = Path(__file__).resolve().parents[1] / "data" / "reports" / "yokohama-2022-07-digital-committee.txt"
HINT = [
    '# council = "…"',
    'body = "総務委員会"',
    "",
    "[[visits]]",
    "# 日付は本文から推測しました。確かめてください",
    'municipality = "（視察先の市区町村名）"',
    '# prefecture = "…"',
    'date = "2023-07-10"',
]
ADVICE = NO_VISIT_ADVICE.replace("<ファイル名>.toml", "no-visit.txt.toml") + "。例:"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """The no-visit fixture beside files that are not reports."""
    reports = tmp_path / "reports"
    (reports / ".git").mkdir(parents=True)
    shutil.copy(CHECK / "no-visit.txt", reports)
    for name in ("notes.xyz", "old.doc", "older.doc", ".DS_Store", ".git/config", "README"):
        (reports / name).write_text("x", encoding="utf-8")
    return reports


def test_check_lists_a_report_without_visits_with_the_sidecar_to_write(runner: CliRunner, folder: Path) -> None:
    result = runner.invoke(main, ["check", str(folder)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "報告書 1 件を確かめました",
        str(folder / "no-visit.txt"),
        f"  疑わしい点: {NO_VISIT_WARNING}",
        f"  対処: {ADVICE}",
        *[f"    {line}".rstrip() for line in HINT],
        "疑わしい点のある報告書 1 件（1 点）",
        "対象外のファイル: .doc 2 件",
        "対象外のファイル: .xyz 1 件",
        "対象外のファイル: （拡張子なし） 1 件",
    ]


def test_check_json_is_a_list_of_doubts(runner: CliRunner, folder: Path) -> None:
    result = runner.invoke(main, ["check", str(folder), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{
        "file": str(folder / "no-visit.txt"), "kind": "no-visit", "message": NO_VISIT_WARNING,
        "advice": "\n".join([ADVICE, *HINT]) + "\n", "visit": None,
    }]
    assert result.stderr.splitlines()[0] == "対象外のファイル: .doc 2 件"


def test_the_suggested_sidecar_settles_the_doubt(runner: CliRunner, folder: Path) -> None:
    hint = "\n".join(HINT).replace("（視察先の市区町村名）", "三原市")
    (folder / "no-visit.txt.toml").write_text(hint, encoding="utf-8")
    result = runner.invoke(main, ["check", str(folder / "no-visit.txt")])
    assert (result.exit_code, result.output) == (0, "報告書 1 件を確かめました\n疑わしい点はありません\n")


def test_check_names_a_bad_sidecar(runner: CliRunner, folder: Path) -> None:
    (folder / "no-visit.txt.toml").write_text('[[visits]]\nmunicipality = "府中市"\n', encoding="utf-8")
    result = runner.invoke(main, ["check", str(folder / "no-visit.txt"), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{
        "file": str(folder / "no-visit.txt"), "kind": "bad-sidecar",
        "message": "no-visit.txt.toml の visits[1].prefecture: 「府中市」は複数あります（東京都、広島県）",
        "advice": 'prefecture = "…" で都道府県を指定してください', "visit": None,
    }]


def test_check_lists_an_unreadable_file(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "報告書 1 件を確かめました", str(tmp_path / "empty.txt"), "  問題: ファイルが空です（0 バイト）",
        "  対処: 報告書の本文を保存し直してください", "疑わしい点のある報告書 1 件（1 点）"]


def test_check_without_doubts_exits_0(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(YOKOHAMA)])
    assert (result.exit_code, result.output) == (0, "報告書 1 件を確かめました\n疑わしい点はありません\n")


def test_a_folder_scan_counts_what_it_leaves_out(folder: Path) -> None:
    (folder / "no-visit.txt.toml").write_text("", encoding="utf-8")
    (folder / "stray.toml").write_text("", encoding="utf-8")
    scan = scan_reports([folder])
    assert scan.files == [folder / "no-visit.txt"]
    assert scan.ignored == {
        ".doc": [str(folder / "old.doc"), str(folder / "older.doc")], ".toml": [str(folder / "stray.toml")],
        ".xyz": [str(folder / "notes.xyz")], "（拡張子なし）": [str(folder / "README")]}


def test_index_summary_names_skipped_extensions(runner: CliRunner, folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "index"
    text = runner.invoke(main, ["index", str(folder), "--index", str(target)])
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[-3:] == [
        "対象外のファイル: .doc 2 件", "対象外のファイル: .xyz 1 件", "対象外のファイル: （拡張子なし） 1 件"]
    data = json.loads(runner.invoke(main, ["index", str(folder), "--index", str(target), "--json"]).output)
    assert data["ignored"][".doc"] == [str(folder / "old.doc"), str(folder / "older.doc")]


# --------------------------------------------------------------------------
# The report page


@pytest.fixture()
def doubtful_client(tmp_path: Path) -> FlaskClient:
    """A web client over an index of one report with doubts on the report and a visit."""
    from whoosh import index as whoosh_index

    from index.build import passage_documents, report_document
    from index.schema import make_schema
    from webui import create_app

    visit = Visit("三原市", "広島県", "342041", passages=[Passage("v1-p1", "content", "書かない窓口を導入した。")],
                  evidence=["見出し「(1) 三原市」"], doubts=[Doubt("no-date", "視察日が書かれていません", "日付を確かめてください", 1)])
    report = Report("doubtful.txt", title="視察報告", visits=[visit], text="(1) 三原市\n書かない窓口を導入した。",
                    doubts=[Doubt("schedule-mismatch", "日程表と本文の視察先が合いません", "日程表を確かめてください")])
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    writer = ix.writer()
    writer.add_document(**report_document(report, "0" * 64, "doubtful.txt"))
    for doc in passage_documents(report, "doubtful.txt"):
        writer.add_document(**doc)
    writer.commit()
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path)}).test_client()


def test_the_report_page_shows_doubts_evidence_and_the_sidecar(doubtful_client: FlaskClient) -> None:
    page = doubtful_client.get("/reports/doubtful.txt").get_data(as_text=True)
    for text in ("解析で確かめきれなかった点", "日程表と本文の視察先が合いません", "対処: 日程表を確かめてください",
                 "視察先ごとの確認事項が 1 件あります", "視察日が書かれていません",
                 '<p class="visit-evidence">根拠: 見出し「(1) 三原市」</p>',
                 '<code class="sidecar-file">doubtful.txt.toml</code>',
                 ('<pre class="sidecar-text"># council = &#34;…&#34;\n# body = &#34;…&#34;\n\n[[visits]]\n'
                 'municipality = &#34;三原市&#34;\nprefecture = &#34;広島県&#34;\n# date = &#34;YYYY-MM-DD&#34;\n</pre>')):
        assert text in page
    data = doubtful_client.get("/api/reports/doubtful.txt").get_json()
    assert [d["kind"] for d in data["doubts"]] == ["schedule-mismatch"]
    assert data["visits"][0]["evidence"] == ["見出し「(1) 三原市」"]
    assert data["sidecar_hint"]["file"] == "doubtful.txt.toml"
    assert data["sidecar_hint"]["text"].startswith('# council = "…"\n')


def test_a_report_without_doubts_has_no_notice(client: FlaskClient) -> None:
    page = client.get("/reports/yokohama-2022-07-digital-committee.txt").get_data(as_text=True)
    assert "解析で確かめきれなかった点" not in page
    assert client.get("/api/reports/yokohama-2022-07-digital-committee.txt").get_json()["sidecar_hint"] is None
