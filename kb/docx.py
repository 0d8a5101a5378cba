"""Extract the text of a Word (.docx) report with python-docx.

The body is read in document order and shaped like the plain-text reports,
as the HTML reader does: heading styles become ``#`` lines between blank
lines, other paragraphs one line each (list paragraphs prefixed ``・``),
two-column tables ``見出し：値`` lines and wider tables markdown rows.
Page headers and footers are not part of the body, so they never appear.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import LxmlError

from kb.errors import BrokenDocxError

_HEADING_STYLE = re.compile(r"^(?:heading|見出し)\s*([1-6])$", re.IGNORECASE)
_TITLE_STYLES = frozenset({"title", "表題"})
_LIST_MARKS = ("・", "○", "●", "◎", "■", "□", "◆", "※", "-", "*")
_SPACE = re.compile("[ \t\u00a0]+")  # not U+3000: an ideographic indent is content


def _heading_level(paragraph: Any) -> int:
    """1-6 for a heading or title style, 0 otherwise."""
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower() in _TITLE_STYLES:
        return 1
    match = _HEADING_STYLE.match(name.strip())
    return int(match.group(1)) if match else 0


def _is_list_item(paragraph: Any) -> bool:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    return numbered or name.lower().startswith("list")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text.replace("\n", " ").replace("\v", " ")).rstrip(" ")


def _paragraph_lines(paragraph: Any) -> list[str]:
    text = _clean(paragraph.text)
    if not text.strip():
        return [""]  # an empty paragraph is how Word users space paragraphs apart
    level = _heading_level(paragraph)
    if level:
        return ["", f"{'#' * level} {text.strip()}", ""]
    if _is_list_item(paragraph) and not text.lstrip().startswith(_LIST_MARKS):
        return [f"・{text.strip()}"]
    return [text]


def _row_cells(row: Any) -> list[str]:
    """A row's cell texts, a cell merged across columns counted once."""
    cells: list[str] = []
    seen: list[Any] = []
    for cell in row.cells:
        if any(cell._tc is other for other in seen):
            continue
        seen.append(cell._tc)
        cells.append(" ".join(_clean(p.text).strip() for p in cell.paragraphs if p.text.strip()))
    return cells


def _table_lines(table: Any) -> list[str]:
    rows = [_row_cells(row) for row in table.rows]
    rows = [cells for cells in rows if any(cells)]
    lines = [""]
    for index, cells in enumerate(rows):
        if len(cells) == 2:
            lines.append(f"{cells[0]}：{cells[1]}")
        elif len(cells) == 1:
            lines.append(cells[0])
        else:
            lines.append("| " + " | ".join(cells) + " |")
            if index == 0:
                lines.append("|" + "---|" * len(cells))
    return [*lines, ""]


def _open(data: bytes, name: str) -> Any:
    try:
        return open_docx(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, LxmlError) as exc:
        raise BrokenDocxError("Word 文書（.docx）として読めません", subject=name,
                              hint="Word で開いて .docx 形式で保存し直してください") from exc


def docx_to_text(data: bytes, *, name: str = "") -> str:
    """The body text of a .docx file, shaped like a plain-text report.

    Raises :class:`BrokenDocxError` naming ``name`` when the bytes are not a
    Word document (not a zip, or a zip without a document part).
    """
    document = _open(data, name or "(docx)")
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.extend(_paragraph_lines(block))
        elif isinstance(block, Table):
            lines.extend(_table_lines(block))
    # One blank line at most between blocks, none at the edges.
    collapsed = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    text = "\n".join(collapsed).strip("\n")
    return text + "\n" if text else ""
