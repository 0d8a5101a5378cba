"""Tests of kb.pdf: PDF reports made by the tests with fpdf2 and the IPA Gothic font."""

from __future__ import annotations

from pathlib import Path

import pytest
from makepdf import LEADING, letter_spaced_pdf, new_pdf, text_to_pdf, two_column_pdf, write_lines

from kb.parse import parse_file
from kb.pdf import pdf_to_text
from kb.readers import read_document

ROOT = Path(__file__).resolve().parents[1]
TEXT_REPORTS = sorted(p.name for p in (ROOT / "data" / "reports").glob("*.txt") if not p.name.endswith(".sjis.txt"))
PARAGRAPH = ("デジタル化推進の取組として、庁内の会議資料を電子化し、タブレット端末で閲覧できるようにした。"
             "これにより年間の印刷枚数が大きく減り、資料の差し替えも即時に行えるようになったとの説明があった。")


@pytest.mark.parametrize("name", TEXT_REPORTS)
def test_corpus_report_as_pdf_parses_to_the_same_visits(name: str, corpus_pdfs: dict[str, Path]) -> None:
    text_visits = [(v.municipality, v.date) for v in parse_file(ROOT / "data" / "reports" / name).visits]
    pdf_visits = [(v.municipality, v.date) for v in parse_file(corpus_pdfs[name]).visits]
    assert pdf_visits == text_visits and text_visits


def test_pdf_document_shape(corpus_pdfs: dict[str, Path]) -> None:
    doc = read_document(corpus_pdfs["yokohama-2022-07-digital-committee.txt"])
    assert (doc.format, doc.encoding, doc.warnings, doc.title) == ("pdf", "", [], "")
    assert doc.text.startswith("## デジタル化推進特別委員会行政視察概要\n\n1 視察月日 令和4年7月21日（木）～7月22日（金）\n")


def test_every_line_of_the_text_comes_back(corpus_pdfs: dict[str, Path]) -> None:
    source = (ROOT / "data" / "reports" / "yokohama-2022-07-digital-committee.txt").read_text(encoding="utf-8")
    lines = set(read_document(corpus_pdfs["yokohama-2022-07-digital-committee.txt"]).text.split("\n"))
    missing = [line for line in source.split("\n") if line.strip() and line not in lines]
    # A paragraph that happens to end at the right margin may run on into the next one.
    assert len(missing) <= 2, missing


@pytest.mark.parametrize("number", ["- {n} -", "{n}", "{n}/{nb}", "Page {n}", "－{n}－"])
def test_running_header_and_page_numbers_are_removed(tmp_path: Path, number: str) -> None:
    pdf = new_pdf("総務常任委員会　行政視察報告（見本市議会）", number=number)
    write_lines(pdf, [PARAGRAPH, ""] * 12)
    pdf.output(str(tmp_path / "report.pdf"))
    assert pdf.page_no() >= 2
    text = pdf_to_text((tmp_path / "report.pdf").read_bytes())
    assert text == "\n\n".join([PARAGRAPH] * 12) + "\n"


def test_wrapped_paragraph_is_one_line_and_paragraphs_stay_apart(tmp_path: Path) -> None:
    source = f"{PARAGRAPH}\n\n　二つ目の段落です。\n・箇条書きの項目\n{PARAGRAPH}"
    path = text_to_pdf(source, tmp_path / "p.pdf", header="")
    assert pdf_to_text(path.read_bytes()) == f"{PARAGRAPH}\n\n　二つ目の段落です。\n・箇条書きの項目\n{PARAGRAPH}\n"


def test_letter_spaced_latin_is_read_as_words(tmp_path: Path) -> None:
    text = pdf_to_text(letter_spaced_pdf(tmp_path / "spaced.pdf").read_bytes())
    assert text == "視察報告書\n\nMicrosoft Teams と kintone の活用\nBYOD\nについて説明を受けた。\n"


def test_two_column_page_is_read_column_by_column(tmp_path: Path) -> None:
    left = ["左段：" + PARAGRAPH, "", "左段の二段落目。"]
    right = ["右段：" + PARAGRAPH, "", "右段の二段落目。"]
    path = two_column_pdf(tmp_path / "columns.pdf", left, right, title="二段組の報告書")
    assert pdf_to_text(path.read_bytes()) == (
        f"二段組の報告書\n\n左段：{PARAGRAPH}\n\n左段の二段落目。\n右段：{PARAGRAPH}\n\n右段の二段落目。\n"
    )


def test_full_width_lines_between_columns_keep_their_place(tmp_path: Path) -> None:
    pdf = new_pdf()
    write_lines(pdf, ["一 全幅の見出し：ページの幅いっぱいに書かれ、段の切れ目をまたぐ一行", ""])
    top = pdf.get_y()
    column = (pdf.epw - 12) / 2
    write_lines(pdf, ["左上：" + PARAGRAPH], width=column)
    bottom = pdf.get_y()
    pdf.set_y(top)
    write_lines(pdf, ["右上：" + PARAGRAPH], x=pdf.l_margin + column + 12, width=column)
    pdf.set_y(max(bottom, pdf.get_y()) + LEADING)
    write_lines(pdf, ["二 全幅の見出しその二：これも段の切れ目をまたいで書かれている一行", ""])
    top = pdf.get_y()
    write_lines(pdf, ["左下：" + PARAGRAPH], width=column)
    pdf.set_y(top)
    write_lines(pdf, ["右下：" + PARAGRAPH], x=pdf.l_margin + column + 12, width=column)
    pdf.output(str(tmp_path / "bands.pdf"))
    lines = [line[:3] for line in pdf_to_text((tmp_path / "bands.pdf").read_bytes()).split("\n") if line]
    assert lines == ["一 全", "左上：", "右上：", "二 全", "左下：", "右下："]
