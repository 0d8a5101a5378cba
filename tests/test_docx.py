"""Tests of kb.docx: Word reports made by the tests with python-docx."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from kb.docx import docx_to_text
from kb.errors import BrokenDocxError
from kb.parse import parse_file
from kb.readers import read_document

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
TEXT_REPORTS = sorted(p.name for p in REPORTS.glob("*.txt") if not p.name.endswith(".sjis.txt"))


def _bytes(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def text_to_docx(text: str, path: Path) -> Path:
    """A Word file of a report's text: "#" lines as headings, other lines as paragraphs."""
    document = docx.Document()
    for line in text.split("\n"):
        if line.strip() == "\f":
            document.add_page_break()  # a page break of PDF text is one in Word, not a character
            continue
        line = line.replace("\f", "")
        marks = len(line) - len(line.lstrip("#"))
        if marks and line[marks:marks + 1] == " ":
            document.add_heading(line[marks + 1:], level=min(marks, 6))
        else:
            document.add_paragraph(line)
    document.save(str(path))
    return path


@pytest.fixture()
def sample() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "見本市議会　総務常任委員会"
    document.sections[0].footer.paragraphs[0].text = "- 1 -"
    document.add_heading("行政視察報告書", level=1)
    document.add_paragraph("　視察の概要を報告します。")
    table = document.add_table(rows=2, cols=2)
    for row, (label, value) in zip(table.rows, [("視察先", "福井県鯖江市"), ("視察日", "令和6年11月12日")], strict=True):
        row.cells[0].text, row.cells[1].text = label, value
    document.add_heading("日程", level=2)
    wide = document.add_table(rows=2, cols=3)
    for row, cells in zip(wide.rows, [("月日", "視察先", "事項"), ("11月12日", "鯖江市", "オープンデータ")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "対応者"
    merged.cell(0, 2).text = "情報統計課長"
    document.add_paragraph("タブレット端末の配備", style="List Bullet")
    document.add_paragraph("・会議システムの導入", style="List Bullet")
    document.add_paragraph("")
    document.add_paragraph("以上")
    return _bytes(document)


def test_docx_paragraphs_headings_and_tables(sample: bytes) -> None:
    assert docx_to_text(sample) == (
        "# 行政視察報告書\n\n"
        "　視察の概要を報告します。\n\n"
        "視察先：福井県鯖江市\n視察日：令和6年11月12日\n\n"
        "## 日程\n\n"
        "| 月日 | 視察先 | 事項 |\n|---|---|---|\n| 11月12日 | 鯖江市 | オープンデータ |\n\n"
        "対応者：情報統計課長\n\n"
        "・タブレット端末の配備\n・会議システムの導入\n\n以上\n"
    )


def test_docx_page_header_and_footer_are_not_body(sample: bytes) -> None:
    text = docx_to_text(sample)
    assert "見本市議会" not in text and "- 1 -" not in text


@pytest.mark.parametrize("name", TEXT_REPORTS)
def test_corpus_report_as_docx_parses_to_the_same_visits(name: str, tmp_path: Path) -> None:
    path = text_to_docx((REPORTS / name).read_text(encoding="utf-8"), tmp_path / f"{Path(name).stem}.docx")
    text_visits = [(v.municipality, v.date) for v in parse_file(REPORTS / name).visits]
    assert [(v.municipality, v.date) for v in parse_file(path).visits] == text_visits


def test_docx_document_shape(tmp_path: Path, sample: bytes) -> None:
    (tmp_path / "report.docx").write_bytes(sample)
    doc = read_document(tmp_path / "report.docx")
    assert (doc.format, doc.encoding, doc.warnings) == ("docx", "", [])


def _zip_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a Word file")
    return buffer.getvalue()


@pytest.mark.parametrize("data", [b"plain text, not a zip", _zip_without_document()], ids=["text", "zip"])
def test_broken_docx(data: bytes) -> None:
    with pytest.raises(BrokenDocxError) as info:
        docx_to_text(data, name="report.docx")
    assert str(info.value) == (
        "report.docx: Word 文書（.docx）として読めません。Word で開いて .docx 形式で保存し直してください"
    )
