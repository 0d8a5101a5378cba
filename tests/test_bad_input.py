"""Bad input: each problem is one Japanese line naming the file, what is wrong and what to do.

The ingest goes on past bad files, `dxkb index` exits 1 with a table of them,
and nothing indexed before is lost.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from makepdf import encrypted_pdf, image_only_pdf, new_pdf, text_to_pdf

from index.build import build_index
from index.search import SearchService
from kb import errors
from kb.readers import MAX_TEXT_BYTES, read_document
from webui.cli import main

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
YOKOHAMA = "yokohama-2022-07-digital-committee.txt"
TAMA = "tama-2023-10-kakanai-madoguchi.txt"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def _truncated_pdf(path: Path) -> Path:
    text_to_pdf((REPORTS / YOKOHAMA).read_text(encoding="utf-8"), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _blank_pdf(path: Path) -> Path:
    new_pdf(number="").output(str(path))  # a page with nothing on it
    return path


MAKERS: dict[str, Callable[[Path], Path]] = {
    "truncated.pdf": _truncated_pdf,
    "encrypted.pdf": encrypted_pdf,
    "scanned.pdf": image_only_pdf,
    "blank.pdf": _blank_pdf,
}


def _make(folder: Path, name: str) -> Path:
    path = folder / name
    if name in MAKERS:
        return MAKERS[name](path)
    path.write_bytes({"empty.txt": b"", "empty.pdf": b"", "binary.txt": PNG, "report.xlsx": b"PK\x03\x04"}[name])
    return path


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("empty.txt", errors.EmptyFileError, "ファイルが空です（0 バイト）。報告書の本文を保存し直してください"),
        ("empty.pdf", errors.EmptyFileError, "ファイルが空です（0 バイト）。報告書の本文を保存し直してください"),
        ("binary.txt", errors.BinaryFileError,
         "テキストではなくバイナリデータのようです。拡張子が中身と合っているか確かめてください（PDF は .pdf、Word は .docx）"),
        ("truncated.pdf", errors.BrokenPdfError,
         "PDF が壊れているか途中で切れていて読めません。元の文書からもう一度 PDF を書き出してください"),
        ("encrypted.pdf", errors.EncryptedPdfError, "PDF にパスワードがかかっています。パスワードを外した PDF を置いてください"),
        ("scanned.pdf", errors.ScannedPdfError,
         "スキャンした画像だけの PDF で文字情報がありません。OCR で文字を認識させた PDF か、テキストの報告書を置いてください"),
        ("blank.pdf", errors.ScannedPdfError,
         "PDF に文字情報がありません。OCR で文字を認識させた PDF か、テキストの報告書を置いてください"),
        ("report.xlsx", errors.UnsupportedFormatError,
         ("対応していない形式です（対応する拡張子: .txt、.html、.htm、.pdf、.docx）。"
          "テキスト、HTML、PDF、Word（.docx）のいずれかで保存してください")),
    ],
)
def test_bad_file_is_one_clear_line(tmp_path: Path, name: str, error: type[Exception], message: str) -> None:
    path = _make(tmp_path, name)
    with pytest.raises(error) as info:
        read_document(path)
    assert isinstance(info.value, errors.ReportFileError)
    assert str(info.value) == f"{path}: {message}"
    assert "\n" not in str(info.value)


# --- size ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fifty_mb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50 MB UTF-8 text file: one report repeated."""
    report = (REPORTS / YOKOHAMA).read_bytes()
    path = tmp_path_factory.mktemp("big") / "huge.txt"
    with path.open("wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(report) + 1):
            handle.write(report)
    return path


def test_a_50_mb_text_file_is_refused_without_reading_it(fifty_mb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DXKB_MAX_FILE_MB", raising=False)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before the size check"))
    with pytest.raises(errors.FileTooLargeError) as info:
        read_document(fifty_mb)
    assert MAX_TEXT_BYTES == 20 * 1024 * 1024
    assert str(info.value) == (
        f"{fifty_mb}: ファイルが大きすぎます（50 MB、上限 20 MB）。"
        "報告書ごとにファイルを分けるか、環境変数 DXKB_MAX_FILE_MB で上限を上げてください"
    )


def test_the_size_limit_is_configurable(fifty_mb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DXKB_MAX_FILE_MB", "64")
    doc = read_document(fifty_mb)
    assert doc.encoding == "utf-8" and len(doc.text) > 15_000_000
    monkeypatch.setenv("DXKB_MAX_FILE_MB", "0.005")
    with pytest.raises(errors.FileTooLargeError, match=r"上限 0 MB"):
        read_document(REPORTS / YOKOHAMA)


# --- files that vanish or cannot be read -------------------------------------


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / YOKOHAMA
    shutil.copy(REPORTS / YOKOHAMA, path)
    if os.geteuid() == 0:  # root reads a chmod 000 file anyway
        def refuse(self: Path) -> bytes:
            raise PermissionError(13, "Permission denied", str(self))
        monkeypatch.setattr(Path, "read_bytes", refuse)
    else:
        path.chmod(0)
    with pytest.raises(errors.UnreadableFileError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: 読み取りの権限がありません。ファイルの権限を確かめてください（chmod a+r など）"


def test_file_that_vanishes_while_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / YOKOHAMA
    shutil.copy(REPORTS / YOKOHAMA, path)

    def vanish(self: Path) -> bytes:
        self.unlink()
        raise FileNotFoundError(2, "No such file or directory", str(self))

    monkeypatch.setattr(Path, "read_bytes", vanish)
    with pytest.raises(errors.FileVanishedError) as info:
        read_document(path)
    assert str(info.value) == f"{path}: 読み込む前にファイルがなくなりました。ファイルを元に戻して、もう一度実行してください"


# --- the ingest ----------------------------------------------------------------


BAD_FILES = ["binary.txt", "empty.txt", "encrypted.pdf", "scanned.pdf", "truncated.pdf"]


def _good_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in (YOKOHAMA, TAMA):
        shutil.copy(REPORTS / name, folder / name)
    return folder


def test_ingest_goes_on_and_keeps_what_was_indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from index import build

    folder, index_dir = _good_folder(tmp_path), tmp_path / "index"
    assert build_index([folder], index_dir).ok
    for name in BAD_FILES:
        _make(folder, name)
    (folder / "notes.xlsx").write_bytes(b"PK\x03\x04")  # not a report: ignored in a folder scan
    shutil.copy(REPORTS / "machida-2023-02-online-committee.txt", folder / "vanishing.txt")
    (folder / TAMA).write_bytes(PNG)  # an indexed report damaged since
    real_sha = build.file_sha256

    def vanish_first(path: Path) -> str:
        if path.name == "vanishing.txt":
            path.unlink()
        return real_sha(path)

    monkeypatch.setattr(build, "file_sha256", vanish_first)
    summary = build_index([folder], index_dir)
    failed = {Path(f.file).name: f.message for f in summary.failed}
    assert sorted(failed) == sorted([*BAD_FILES, TAMA, "vanishing.txt"])
    assert failed["vanishing.txt"] == "読み込む前にファイルがなくなりました"
    assert summary.skipped == [YOKOHAMA] and summary.added == []
    service = SearchService(index_dir)
    assert service.search("BYOD")["total"] > 0
    assert service.search("書かない窓口")["total"] > 0  # the damaged report's last good version


def test_unreadable_file_in_the_ingest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from index import build

    folder = _good_folder(tmp_path)
    locked = folder / TAMA
    if os.geteuid() == 0:  # root reads a chmod 000 file anyway
        real_sha = build.file_sha256

        def refuse(path: Path) -> str:
            if path == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real_sha(path)

        monkeypatch.setattr(build, "file_sha256", refuse)
    else:
        locked.chmod(0)
    summary = build_index([folder], tmp_path / "index")
    assert [(f.file, f.message, f.hint) for f in summary.failed] == [
        (str(locked), "読み取りの権限がありません", "ファイルの権限を確かめてください（chmod a+r など）")]
    assert summary.added == [YOKOHAMA]


def test_dxkb_index_prints_a_table_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = _good_folder(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["index", "reports", "--index", "index"])
    assert first.exit_code == 0, first.output
    for name in [*BAD_FILES, "report.xlsx"]:
        _make(folder if name != "report.xlsx" else tmp_path, name)
    result = runner.invoke(main, ["index", "reports", "report.xlsx", "missing", "--index", "index"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[1].startswith("追加 0 件、更新 0 件、削除 0 件、変更なし 2 件、失敗 7 件")
    assert lines[2:] == [
        "索引に入らなかったファイル（7 件）:",
        "  ファイル               問題                                                                      対処",
        "  missing                ファイルまたはフォルダが見つかりません                                    パスを確かめてください",
        ("  reports/binary.txt     テキストではなくバイナリデータのようです                                  "
         "拡張子が中身と合っているか確かめてください（PDF は .pdf、Word は .docx）"),
        ("  reports/empty.txt      ファイルが空です（0 バイト）                                              "
         "報告書の本文を保存し直してください"),
        ("  reports/encrypted.pdf  PDF にパスワードがかかっています                                          "
         "パスワードを外した PDF を置いてください"),
        ("  reports/scanned.pdf    スキャンした画像だけの PDF で文字情報がありません                         "
         "OCR で文字を認識させた PDF か、テキストの報告書を置いてください"),
        ("  reports/truncated.pdf  PDF が壊れているか途中で切れていて読めません                              "
         "元の文書からもう一度 PDF を書き出してください"),
        ("  report.xlsx            対応していない形式です（対応する拡張子: .txt、.html、.htm、.pdf、.docx）  "
         "テキスト、HTML、PDF、Word（.docx）のいずれかで保存してください"),
    ]
    assert SearchService(tmp_path / "index").search("BYOD")["total"] > 0


def test_dxkb_index_exits_0_when_every_file_went_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = _good_folder(tmp_path)
    text_to_pdf((REPORTS / "machida-2023-02-online-committee.txt").read_text(encoding="utf-8"),
                folder / "machida.pdf")
    result = CliRunner().invoke(main, ["index", "reports", "--index", "index"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].startswith("追加 3 件、更新 0 件、削除 0 件、変更なし 0 件、失敗 0 件")
