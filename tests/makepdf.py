"""Make test PDFs from report text with fpdf2 and the IPA Gothic font.

Lines are wrapped the way Japanese typesetting does (at any character, when
the next one would pass the right margin), every page gets a running header
and a "- N -" page number, and a blank source line becomes vertical space.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

IPA_GOTHIC = Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")
FONT = "ipag"
SIZE = 10.5
LEADING = 6.0  # mm per line


def new_pdf(header: str = "", *, number: str = "- {n} -") -> FPDF:
    """An A4 document with the Japanese font, a running header and page numbers.

    ``number`` is the page-number format: ``{n}`` the page, ``{nb}`` the page count.
    """
    pdf = FPDF(format="A4")
    pdf.add_font(FONT, fname=str(IPA_GOTHIC))
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)

    def header_and_number() -> None:
        # text() draws at a position without triggering page breaks.
        if header:
            pdf.set_font(FONT, size=8)
            pdf.text(pdf.w - pdf.r_margin - pdf.get_string_width(header), 12, header)
        label = number.replace("{n}", str(pdf.page_no()))
        pdf.set_font(FONT, size=9)
        pdf.text((pdf.w - pdf.get_string_width(label)) / 2, pdf.h - 10, label)
        pdf.set_font(FONT, size=SIZE)

    pdf.header = header_and_number  # type: ignore[method-assign]
    pdf.add_page()
    pdf.set_font(FONT, size=SIZE)
    return pdf


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Cut ``text`` into lines no wider than ``width``, at any character."""
    lines, current = [], ""
    for char in text:
        if current and pdf.get_string_width(current + char) > width:
            lines.append(current)
            current = ""
        current += char
    return [*lines, current]


def write_lines(pdf: FPDF, lines: list[str], *, x: float | None = None, width: float | None = None) -> None:
    """Write source lines, wrapped, one PDF line each; a blank line leaves a gap."""
    left = pdf.l_margin if x is None else x
    width = width or pdf.epw
    for line in lines:
        if not line.strip():
            pdf.ln(LEADING)
            continue
        for part in wrap(pdf, line, width):
            pdf.set_x(left)
            pdf.cell(width, LEADING, part, new_x="LMARGIN", new_y="NEXT")


def text_to_pdf(text: str, path: Path, *, header: str = "行政視察報告書") -> Path:
    """A PDF of a report's text, as a council's word processor would print it."""
    pdf = new_pdf(header)
    write_lines(pdf, text.split("\n"))
    pdf.output(str(path))
    return path


def letter_spaced_pdf(path: Path) -> Path:
    """A page whose Latin words are drawn glyph by glyph with wide spacing."""
    pdf = new_pdf()
    write_lines(pdf, ["視察報告書", ""])
    pdf.set_char_spacing(4)
    pdf.cell(0, LEADING, "Microsoft Teams と kintone の活用", new_x="LMARGIN", new_y="NEXT")
    pdf.set_char_spacing(0)
    x = pdf.l_margin
    for char in "BYOD":  # one glyph per text object, 3 mm apart
        pdf.text(x, pdf.get_y() + 4, char)
        x += 3 + pdf.get_string_width(char)
    pdf.ln(LEADING)
    write_lines(pdf, ["について説明を受けた。"])
    pdf.output(str(path))
    return path


def two_column_pdf(path: Path, left: list[str], right: list[str], *, title: str = "") -> Path:
    """A page with a full-width title and two columns of text below it."""
    pdf = new_pdf()
    if title:
        write_lines(pdf, [title, ""])
    top = pdf.get_y()
    column = (pdf.epw - 12) / 2
    write_lines(pdf, left, x=pdf.l_margin, width=column)
    pdf.set_y(top)
    write_lines(pdf, right, x=pdf.l_margin + column + 12, width=column)
    pdf.output(str(path))
    return path


def image_only_pdf(path: Path) -> Path:
    """A "scanned" page: one grey image and no text at all."""
    from PIL import Image

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(Image.new("L", (200, 280), color=200), x=10, y=10, w=190)
    pdf.output(str(path))
    return path


def encrypted_pdf(path: Path, text: str = "視察報告書") -> Path:
    """A PDF that needs the user password "secret" to open."""
    pdf = new_pdf()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    write_lines(pdf, [text])
    pdf.output(str(path))
    return path
