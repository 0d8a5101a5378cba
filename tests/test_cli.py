"""The dxkb command, through click's CliRunner, with exact expected output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from webui.cli import main

YOKOHAMA = "yokohama-2022-07-digital-committee.txt"


def test_help_lists_commands_with_examples(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("parse", "index", "search", "serve", "get"):
        assert f"  {command} " in result.output
    assert "dxkb search BYOD" in result.output


def test_parse_json_keeps_the_documented_shape(runner: CliRunner, reports_dir: Path) -> None:
    result = runner.invoke(main, ["parse", str(reports_dir / YOKOHAMA), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"file", "title", "body", "council", "period", "members", "visits", "warnings"}
    visit = data["visits"][0]
    assert set(visit) >= {"municipality", "prefecture", "code", "date", "respondents", "topics",
                          "qa", "observations", "passages"}
    assert set(visit["qa"][0]) >= {"question", "answer"}
    assert set(visit["passages"][0]) >= {"id", "section", "text"}
    assert [(v["municipality"], v["date"], len(v["qa"])) for v in data["visits"]] == [
        ("大阪市", "2022-07-21", 4), ("神戸市", "2022-07-22", 5)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["parse", "missing.txt"], "エラー: missing.txt: ファイルが見つかりません。パスを確かめてください\n"),
        (["parse", "report.xlsx"],
         ("エラー: report.xlsx: 対応していない形式です（対応する拡張子: .txt、.html、.htm、.pdf、.docx）。"
          "テキスト、HTML、PDF、Word（.docx）のいずれかで保存してください\n")),
        (["parse", "report.pdf"],
         "エラー: report.pdf: PDF が壊れているか途中で切れていて読めません。元の文書からもう一度 PDF を書き出してください\n"),
    ],
)
def test_parse_errors_are_japanese(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("report.pdf").write_bytes(b"%PDF-1.4")
    Path("report.xlsx").write_bytes(b"PK\x03\x04")
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert result.stderr == message


def _corpus(tmp_path: Path, reports_dir: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(reports_dir / YOKOHAMA, folder / YOKOHAMA)
    return folder


def test_index_then_update_summaries(runner: CliRunner, tmp_path: Path, reports_dir: Path) -> None:
    folder, target = _corpus(tmp_path, reports_dir), tmp_path / "index"
    first = runner.invoke(main, ["index", str(folder), "--index", str(target), "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.output)
    assert (summary["added"], summary["failed"]) == ([YOKOHAMA], [])
    second = runner.invoke(main, ["index", str(folder), "--index", str(target)])
    assert second.exit_code == 0
    lines = second.output.splitlines()
    assert lines[0] == f"索引: {target}"
    assert lines[1].startswith("追加 0 件、更新 0 件、削除 0 件、変更なし 1 件、失敗 0 件（段落 0 件、")


def test_index_names_bad_files_and_exits_1(runner: CliRunner, tmp_path: Path, reports_dir: Path) -> None:
    folder, target = _corpus(tmp_path, reports_dir), tmp_path / "index"
    (folder / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["index", str(folder), "--index", str(target)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[1].startswith("追加 1 件、更新 0 件、削除 0 件、変更なし 0 件、失敗 1 件")
    empty = str(folder / "empty.txt")
    pad = " " * (len(empty) - len("ファイル") * 2)
    assert lines[-3:] == [
        "索引に入らなかったファイル（1 件）:",
        f"  ファイル{pad}  問題                          対処",
        f"  {empty}  ファイルが空です（0 バイト）  報告書の本文を保存し直してください",
    ]


def test_search_text_output(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["search", "BYOD", "--index", str(index_dir), "--limit", "1", "--exact"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "「BYOD」 4 件（すべての語を含む）"
    assert lines[1].startswith("1. 大阪市（大阪府） 2022-07-21 [")
    assert "【BYOD】" in lines[2]
    assert len(lines) == 3


def test_search_text_output_names_the_synonyms(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["search", "キントーン", "--index", str(index_dir), "--limit", "1"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "「キントーン」 1 件（すべての語を含む）",
        "同義語: 「キントーン」を「kintone」「サイボウズkintone」としても検索しました",
        "1. 神戸市（兵庫県） 2022-07-22 [視察内容] yokohama-2022-07-digital-committee.txt#v2-p13",
        "   また、ツールとしては、全国自治体の中では【kintone】を一番活用している。",
    ]


def test_practices_text_output(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["practices", "kintone", "--index", str(index_dir)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("kintone（kintone、ローコード・内製開発）: ")
    assert lines[1] == "自治体 1・報告書 1・箇所 1"
    assert lines[2] == "■ 神戸市 2022-07-22  yokohama-2022-07-digital-committee.txt"
    assert lines[3].startswith("  v2-p13: また、ツールとしては、全国自治体の中では【kintone】")


def test_practices_catalogue_and_unknown_id(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["practices", "--index", str(index_dir), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["practices"] >= 80 and len(data["categories"]) >= 10
    missing = runner.invoke(main, ["practices", "no-such-practice", "--index", str(index_dir)])
    assert missing.exit_code == 1
    assert "no-such-practice" in missing.stderr


def test_search_json_matches_the_library(runner: CliRunner, index_dir: Path) -> None:
    from index.search import SearchService

    result = runner.invoke(main, ["search", "ＢＹＯＤ", "--index", str(index_dir), "--json", "--section", "qa"])
    assert result.exit_code == 0
    expected = SearchService(index_dir).search("ＢＹＯＤ", section="qa", limit=10)
    assert json.loads(result.output) == expected


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--section", "bogus"], "エラー: section は overview, content, qa, observation のいずれかで指定してください\n"),
        (["--limit", "0"], "エラー: limit は1から100までの整数で指定してください\n"),
    ],
)
def test_search_parameter_errors(runner: CliRunner, index_dir: Path, extra: list[str], message: str) -> None:
    result = runner.invoke(main, ["search", "BYOD", "--index", str(index_dir), *extra])
    assert result.exit_code == 1
    assert result.stderr == message


def test_search_without_index(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["search", "BYOD", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.stderr == f"エラー: {tmp_path / 'none'}: 索引がありません。先に `dxkb index` を実行してください\n"


def test_get_prints_api_json(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["get", "/api/search?q=BYOD&limit=1", "--index", str(index_dir)])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["ok"] is True and data["hits"][0]["municipality"] == "大阪市"


def test_get_error_exits_1(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["get", "/api/search?q=BYOD&page=0", "--index", str(index_dir)])
    assert result.exit_code == 1
    assert json.loads(result.output)["ok"] is False


def test_parse_prints_a_readable_summary(runner: CliRunner) -> None:
    fixture = Path(__file__).resolve().parent / "data" / "mini-report.txt"
    result = runner.invoke(main, ["parse", str(fixture)])
    assert result.exit_code == 0
    assert result.output == (
        "ファイル: mini-report.txt\n"
        "表題: 総務常任委員会行政視察報告書\n"
        "委員会等: 総務常任委員会\n"
        "議会: 記載なし\n"
        "期間: 2023-10-12 〜 2023-10-12\n"
        "委員: 山田花子\n"
        "視察先1: 函館市（北海道、012025） 2023-10-12\n"
        "  対応者: 企画部地域デジタル課長\n"
        "  視察事項: 公式LINEを活用した市民サービス\n"
        "  段落 3 件、質疑 1 件、所見 1 件\n"
    )
