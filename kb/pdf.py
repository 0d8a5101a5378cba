"""Extract the text of a PDF report with pdfminer.six, in reading order.

pdfminer's layout analysis gives each text line with its position; from
those this module

* builds each line's text itself, putting a space only where the gap between
  two glyphs is clearly wider than the line's usual gap, so letter-spaced
  Latin ("M i c r o s o f t" drawn glyph by glyph) comes out as one word;
* reads a two-column page column by column (a vertical gutter crossed by
  few lines), full-width lines such as a title in their place;
* drops running headers and footers (the same line at the top or bottom of
  most pages, digits ignored) and bare page numbers ("- 3 -", "3", "3/12");
* marks paragraph breaks (a vertical gap taller than a line) with a blank
  line and joins lines that wrapped at the column's right edge.

The result is shaped like the plain-text reports; :mod:`kb.repair` then
applies as for text.  Errors are raised as :mod:`kb.errors` classes.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTImage, LTTextLineHorizontal
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psexceptions import PSException

from kb.errors import BrokenPdfError, EncryptedPdfError, ScannedPdfError
from kb.repair import is_page_marker

# Default margins, except that lines may hold wider gaps between glyphs
# (letter-spaced headings) before being cut in two; a two-column gutter is
# still far wider than this.
LAYOUT = LAParams(char_margin=2.5, line_margin=0.5, word_margin=0.1)
_SPACE_GAP = 0.2  # extra gap, in font sizes, that makes a word space
_BLANK_GAP = 1.0  # vertical gap, in line heights, that makes a paragraph break
_HEADER_ZONE = 2  # lines at the top and at the bottom of a page checked for running text
_MIN_COLUMN_LINES = 3
_MAX_SPANNING_SHARE = 0.25
_MIN_WRAPPED_CHARS = 10
_MIN_FULL_LINES = 3
# A line opening with one of these starts a new item, even right after a full line.
_ITEM_START = re.compile(
    r"[ 　・○●◎■□◆◇※▼▽▲△#＃【]|[0-9０-９]+[ 　.．)）、]|[一二三四五六七八九十]+[ 　.．、)）]"
    r"|[（(][0-9０-９一二三四五六七八九十ア-ンA-Za-z]{1,2}[）)]|[①-⑳]|[QAＱＡ問答][ 　.．:：]"
    r"|第[0-9０-９一二三四五六七八九十]+"
)
_SENTENCE_END = ("。", "！", "？", "!", "?")
# Japanese lines wrap at any character; only a line of Latin script wraps at a word space.
_CJK = re.compile("[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60]")


@dataclass
class _Line:
    """One text line of a page, in PDF coordinates (y grows upwards)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    left: float = 0.0  # the column's left and right edges
    right: float = 0.0
    column: int = 0  # 0 full width, 1 left, 2 right

    @property
    def height(self) -> float:
        return self.top - self.bottom


def _line_text(line: LTTextLineHorizontal) -> tuple[str, float]:
    """The line's text with word spaces decided from glyph gaps, and its font size."""
    chars = [c for c in line if isinstance(c, LTChar)]
    if not chars:
        return "", 0.0
    size = statistics.median(c.size for c in chars)
    gaps = [b.x0 - a.x1 for a, b in pairwise(chars)]
    usual = max(statistics.median(gaps), 0.0) if gaps else 0.0
    parts = [chars[0].get_text()]
    for gap, char in zip(gaps, chars[1:], strict=True):
        text = char.get_text()
        if gap > usual + _SPACE_GAP * size and not parts[-1].isspace() and not text.isspace():
            parts.append(" ")
        parts.append(text)
    return "".join(parts).rstrip(), size


def _walk(item: Any) -> Iterator[Any]:
    yield item
    if isinstance(item, Iterable) and not isinstance(item, LTTextLineHorizontal):
        for child in item:
            yield from _walk(child)


def _page_lines(page: Any) -> tuple[list[_Line], bool]:
    """The page's text lines (unordered) and whether it holds images."""
    lines: list[_Line] = []
    has_image = False
    for item in _walk(page):
        if isinstance(item, LTImage):
            has_image = True
        elif isinstance(item, LTTextLineHorizontal):
            text, size = _line_text(item)
            if text.strip():
                lines.append(_Line(text, item.x0, item.x1, item.y1, item.y0, size))
    return lines, has_image


# --- columns -------------------------------------------------------------


def _crossing(lines: list[_Line], x: float) -> int:
    return sum(1 for line in lines if line.x0 < x < line.x1)


def _find_gutter(lines: list[_Line], width: float) -> float | None:
    """The x of a vertical gutter between two columns, or None for one column."""
    if len(lines) < 2 * _MIN_COLUMN_LINES:
        return None
    xs = [width * i / 100 for i in range(30, 71)]
    counts = [_crossing(lines, x) for x in xs]
    fewest = min(counts)
    if fewest > len(lines) * _MAX_SPANNING_SHARE:
        return None
    best = [x for x, count in zip(xs, counts) if count == fewest]
    gutter = statistics.median(best)
    left = [line for line in lines if line.x1 <= gutter]
    right = [line for line in lines if line.x0 >= gutter]
    if len(left) < _MIN_COLUMN_LINES or len(right) < _MIN_COLUMN_LINES:
        return None
    # Both sides must run down the page side by side, not be a table's labels.
    overlap = min(max(l.top for l in left), max(r.top for r in right)) - max(
        min(l.bottom for l in left), min(r.bottom for r in right))
    shorter = min(max(l.top for l in left) - min(l.bottom for l in left),
                  max(r.top for r in right) - min(r.bottom for r in right))
    return gutter if overlap >= shorter * 0.5 else None


def _right_edge(lines: list[_Line]) -> float:
    """Where wrapped lines end: the longest line's end, when several lines reach it.

    With fewer full lines there is no wrapped paragraph to rejoin, and the
    longest line is just long (a title or a short page's widest line).
    """
    right = max((line.x1 for line in lines), default=0.0)
    full = [line for line in lines if line.x1 >= right - 1.5 * line.size]
    return right if len(full) >= _MIN_FULL_LINES else float("inf")


def _set_bounds(lines: list[_Line], column: int) -> None:
    if lines:
        left, right = min(line.x0 for line in lines), _right_edge(lines)
        for line in lines:
            line.left, line.right, line.column = left, right, column


def _reading_order(lines: list[_Line], width: float) -> list[_Line]:
    """Lines top to bottom; on a two-column page, column by column between full-width lines."""
    by_top = sorted(lines, key=lambda line: (-line.top, line.x0))
    gutter = _find_gutter(lines, width)
    if gutter is None:
        _set_bounds(by_top, 0)
        return by_top
    left = [line for line in by_top if line.x1 <= gutter]
    right = [line for line in by_top if line.x0 >= gutter]
    spanning = [line for line in by_top if line.x0 < gutter < line.x1]
    _set_bounds(left, 1)
    _set_bounds(right, 2)
    _set_bounds(spanning, 0)
    ordered: list[_Line] = []
    placed: set[int] = set()
    for line in [*spanning, None]:
        # Everything of both columns above this full-width line comes first.
        floor = line.top if line else float("-inf")
        for column in (left, right):
            above = [c for c in column if c.top > floor and id(c) not in placed]
            ordered.extend(above)
            placed.update(id(c) for c in above)
        if line:
            ordered.append(line)
    return ordered


# --- running headers and footers -------------------------------------------


def _zone_key(line: _Line) -> str:
    return re.sub(r"[0-9０-９]+", "#", re.sub(r"\s+", "", line.text))


def _edges(page: list[_Line]) -> list[_Line]:
    by_top = sorted(page, key=lambda line: -line.top)
    return by_top[:_HEADER_ZONE] + by_top[-_HEADER_ZONE:]


def remove_page_furniture(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop page numbers and lines repeated at the top or bottom of most pages."""
    counts = Counter(key for page in pages for key in {_zone_key(line) for line in _edges(page)})
    needed = max(2, (len(pages) + 1) // 2)
    kept: list[list[_Line]] = []
    for page in pages:
        edges = {id(line) for line in _edges(page)}
        kept.append([
            line for line in page
            if id(line) not in edges
            or not (is_page_marker(line.text.strip()) or counts[_zone_key(line)] >= needed)
        ])
    return kept


# --- lines to text ---------------------------------------------------------


def _paragraph_break(previous: _Line | None, line: _Line) -> bool:
    if previous is None or previous.column != line.column or previous.bottom < line.top:
        return False  # a new page or column, or a line above the previous one
    return previous.bottom - line.top > _BLANK_GAP * max(line.height, previous.height)


def _wrapped(previous: _Line, line: _Line) -> bool:
    """Whether ``line`` continues ``previous``, which filled its column to the right edge.

    A full line ending a sentence is left alone: a paragraph may end right
    at the margin, and splitting between sentences loses nothing.
    """
    return (
        len(previous.text) >= _MIN_WRAPPED_CHARS
        and previous.x1 >= previous.right - 1.5 * previous.size
        and line.x0 <= line.left + 0.5 * line.size
        and not previous.text.endswith(_SENTENCE_END)
        and _ITEM_START.match(line.text) is None
    )


def lines_to_text(pages: list[list[_Line]]) -> str:
    """Join the pages' lines (in reading order) into report-shaped text."""
    out: list[str] = []
    previous: _Line | None = None
    for page in pages:
        page_previous: _Line | None = None
        for line in page:
            if _paragraph_break(page_previous, line):
                out.append("")
            elif previous is not None and out and out[-1] and _wrapped(previous, line):
                glue = "" if _CJK.search(previous.text) else " "
                out[-1] += glue + line.text
                previous = page_previous = line
                continue
            out.append(line.text)
            previous = page_previous = line
    return "\n".join(out).strip("\n") + "\n" if out else ""


def _text_right_edge(pages: list[list[_Line]]) -> None:
    """Give full-width lines the document's right text edge, not their page's longest line.

    On a last page of short lines the longest one must not pass for a full line.
    """
    full = [line for page in pages for line in page if line.column == 0]
    right = _right_edge(full)
    for line in full:
        line.right = right


def _read_pages(data: bytes, name: str) -> tuple[list[list[_Line]], list[float], bool]:
    """Each page's text lines (unordered), the page widths, and whether any page holds an image."""
    try:
        pages: list[list[_Line]] = []
        widths: list[float] = []
        any_image = False
        for page in extract_pages(io.BytesIO(data), laparams=LAYOUT):
            lines, has_image = _page_lines(page)
            any_image = any_image or has_image
            pages.append(lines)
            widths.append(float(page.width))
        return pages, widths, any_image
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedPdfError("PDF にパスワードがかかっています", subject=name,
                                hint="パスワードを外した PDF を置いてください") from exc
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError,
            IndexError, AssertionError, OverflowError, ZeroDivisionError) as exc:
        raise _broken(name) from exc


def _broken(name: str) -> BrokenPdfError:
    return BrokenPdfError("PDF が壊れているか途中で切れていて読めません", subject=name,
                          hint="元の文書からもう一度 PDF を書き出してください")


def pdf_to_text(data: bytes, *, name: str = "") -> str:
    """Extract a PDF's text in reading order, shaped like a plain-text report.

    Raises :class:`EncryptedPdfError` for a password-protected file,
    :class:`BrokenPdfError` for a damaged or truncated one and
    :class:`ScannedPdfError` when the pages hold no text (scanned images).
    """
    label = name or "(PDF)"
    if not data.lstrip().startswith(b"%PDF-"):
        raise _broken(label)
    pages, widths, any_image = _read_pages(data, label)
    if not pages:
        raise _broken(label)
    if not any(pages):
        what = "スキャンした画像だけの PDF で" if any_image else "PDF に"
        raise ScannedPdfError(f"{what}文字情報がありません", subject=label,
                              hint="OCR で文字を認識させた PDF か、テキストの報告書を置いてください")
    pages = [_reading_order(lines, width) for lines, width in zip(remove_page_furniture(pages), widths, strict=True)]
    _text_right_edge(pages)
    return lines_to_text(pages)

