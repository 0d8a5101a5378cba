"""Read report files (text, HTML, PDF, Word) into decoded, newline-normalised text.

Reading does not repair the text; :mod:`kb.repair` does that.  HTML is turned
into text shaped like the plain-text reports (``## `` headings, one paragraph
per line, ``ラベル：値`` lines for two-column tables) so one parser handles all;
:mod:`kb.pdf` and :mod:`kb.docx` do the same for PDF and .docx files.

Every problem with a file is raised as a :class:`~kb.errors.ReportFileError`
subclass whose message names the file, says what is wrong and what to do.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
from bs4 import BeautifulSoup, Comment, Tag
from bs4.element import NavigableString

from kb.docx import docx_to_text
from kb.errors import (
    BinaryFileError,
    DecodeError,
    EmptyFileError,
    FileTooLargeError,
    FileVanishedError,
    ReportFileError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from kb.pdf import pdf_to_text

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".html", ".htm", ".pdf", ".docx")
# Reports are tens of kilobytes; a text file past this is not one report, and
# reading and indexing it whole would take minutes and gigabytes.  PDF and
# Word files carry images, so they may be larger.  $DXKB_MAX_FILE_MB
# overrides both limits.
MAX_TEXT_BYTES = 20 * 1024 * 1024
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
MAX_SIZE_ENV = "DXKB_MAX_FILE_MB"

_UTF8 = ("utf-8", "utf-8-sig")
_UTF16 = frozenset({"utf-16", "utf-16-le", "utf-16-be"})
# Shift_JIS files in the wild are nearly always Windows' superset cp932
# (NEC/IBM extensions such as ①, ㈱, 髙), so prefer it whenever it decodes.
_SJIS_FAMILY = frozenset({"cp932", "shift-jis", "shift-jis-2004", "shift-jisx0213"})
_OTHER_JAPANESE = frozenset({"euc-jp", "euc-jis-2004", "euc-jisx0213", "iso2022-jp"})
_MIN_JAPANESE_RATIO = 0.05
_ISO2022_ESCAPE = re.compile(rb"\x1b\$[@B]")
# Kana, Japanese punctuation (、。「」 and U+3000) and full-width ASCII; not
# half-width katakana, which is what misread Chinese or EUC-JP turns into.
_JAPANESE_SIGNAL = re.compile("[\u3000-\u303f\u3041-\u309f\u30a0-\u30ff\uff01-\uff5e]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CONTROL_BYTES = frozenset(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}) | {0x7F}
_MAX_CONTROL_RATIO = 0.02


@dataclass
class Document:
    """A report file read into text (not yet repaired)."""

    path: Path
    text: str
    format: str
    encoding: str
    warnings: list[str] = field(default_factory=list)
    title: str = ""  # an HTML page's <title>: context the body text may lack (the council's name)


def _label(name: str) -> str:
    return name or "(bytes)"


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(data: bytes) -> bool:
    """Many NUL or other control bytes: an image, archive or office file."""
    sample = data[:65536]
    controls = sum(1 for byte in sample if byte in _CONTROL_BYTES)
    return b"\x00" in sample[:1024] or controls / len(sample) > _MAX_CONTROL_RATIO


def _codec_name(encoding: str) -> str:
    """Python's canonical spelling with hyphens: "utf_8" → "utf-8", "sjis" → "shift-jis"."""
    return codecs.lookup(encoding).name.replace("_", "-")


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _japanese_ratio(text: str) -> float:
    return len(_JAPANESE_SIGNAL.findall(text)) / max(len(text), 1)


def _guess_encoding(data: bytes) -> str | None:
    """Ask charset-normalizer, preferring cp932 to shift_jis and to non-Japanese misreadings."""
    guesses = [_codec_name(match.encoding) for match in charset_normalizer.from_bytes(data)]
    best = guesses[0] if guesses else None
    if best in _SJIS_FAMILY:
        return "cp932" if _try_decode(data, "cp932") is not None else best
    if best in _OTHER_JAPANESE:
        return "euc-jp" if best.startswith("euc") and _try_decode(data, "euc-jp") else best
    # Short Japanese files often pass for GB18030, Big5 or CP949 as well;
    # real Japanese prose is full of kana and 、。, which misreadings lack.
    # EUC-JP goes first: Shift_JIS lead bytes are invalid there, while EUC-JP
    # bytes read as cp932 turn into half-width katakana.
    for encoding in ("euc-jp", "cp932"):
        text = _try_decode(data, encoding)
        if text is not None and _japanese_ratio(text) > _MIN_JAPANESE_RATIO:
            return encoding
    return best


def _decode_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text, told by its BOM or, without one, by charset-normalizer."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _try_decode(data, "utf-16")
        return (text, "utf-16") if text is not None else None
    if b"\x00" not in data[:1024] or len(data) % 2:
        return None
    match = charset_normalizer.from_bytes(data).best()
    encoding = _codec_name(match.encoding) if match else ""
    if encoding not in _UTF16:
        return None
    text = _try_decode(data, encoding)
    if text is None or _looks_binary(text.encode("utf-8")):
        return None
    return text, encoding


def _empty(name: str) -> EmptyFileError:
    return EmptyFileError("ファイルが空です（0 バイト）", subject=name,
                          hint="報告書の本文を保存し直してください")


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its <meta>, as a Python codec name."""
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        encoding = _codec_name(match.group(1).decode("ascii"))
    except LookupError:
        return None
    if encoding in _SJIS_FAMILY:
        return "cp932"
    # Latin-1 and the like decode any bytes, so only Japanese declarations are taken.
    return encoding if encoding in _OTHER_JAPANESE else None


def decode_bytes(data: bytes, *, name: str = "", declared: str | None = None) -> tuple[str, str]:
    """Decode a report's bytes and return ``(text, encoding)`` with newlines as LF.

    UTF-8 (with or without BOM) and UTF-16 (BOM, or told by charset-normalizer)
    come first; then the ``declared`` charset of an HTML page when the bytes
    decode with it; otherwise the encoding is decided from the content with
    charset-normalizer, preferring cp932 for Japanese.  Raises
    :class:`DecodeError` subclasses naming ``name`` for empty or binary data
    and for bytes no encoding explains.
    """
    if not data:
        raise _empty(_label(name))
    if data.startswith(codecs.BOM_UTF8):
        text = _try_decode(data, "utf-8-sig")
        if text is not None:
            return _normalise_newlines(text), "utf-8-sig"
    utf16 = _decode_utf16(data)
    if utf16 is not None:
        return _normalise_newlines(utf16[0]), utf16[1]
    if _looks_binary(data):
        raise BinaryFileError("テキストではなくバイナリデータのようです", subject=_label(name),
                              hint="拡張子が中身と合っているか確かめてください（PDF は .pdf、Word は .docx）")
    if _ISO2022_ESCAPE.search(data):
        # ISO-2022-JP is 7-bit, so it would also pass as (garbled) UTF-8.
        text = _try_decode(data, "iso2022_jp")
        if text is not None:
            return _normalise_newlines(text), "iso2022-jp"
    text = _try_decode(data, "utf-8")
    if text is not None:
        return _normalise_newlines(text), "utf-8"
    text = _try_decode(data, declared) if declared else None
    # Trusted only while it reads as Japanese: EUC-JP bytes also "decode" as cp932.
    if declared and text is not None and _japanese_ratio(text) > _MIN_JAPANESE_RATIO:
        return _normalise_newlines(text), declared
    encoding = _guess_encoding(data)
    text = _try_decode(data, encoding) if encoding else None
    if encoding is None or text is None:
        raise DecodeError("文字コードを判定できません", subject=_label(name),
                          hint="UTF-8 で保存し直してください")
    return _normalise_newlines(text), encoding


# --- HTML ----------------------------------------------------------------

_DROP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "canvas",
                        "button", "select", "input", "textarea", "head"})
# Dropped only while they hold a small share of the page: ASP.NET sites wrap
# the whole page in <form>, and <header> may hold an article's own title.
_CHROME_TAGS = frozenset({"form", "nav", "header", "footer", "aside"})
_CHROME_WORDS = ("nav", "breadcrumb", "header", "footer", "menu", "skip", "pankuzu", "topicpath",
                 "pagetop", "sns", "share", "inquiry", "toiawase")
# Table parts and headings are content even with a class such as "table-header".
_NEVER_CHROME = frozenset({"html", "body", "main", "table", "thead", "tbody", "tfoot", "tr",
                           "th", "td", "caption", "h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP_LINK_TEXT = re.compile(r"本文へ|ページの先頭|ページトップ|先頭へ戻る|skip", re.IGNORECASE)
_MAX_CHROME_SHARE = 0.25
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BLOCKS = frozenset({"p", "div", "section", "article", "main", "blockquote", "pre",
                     "address", "dl", "dt", "dd", "ul", "ol", "figure", "figcaption",
                     "caption", "hr", "body", "center"})
_LIST_MARKS = ("・", "○", "●", "◎", "■", "□", "◆", "※", "-", "*")
_HTML_SPACE = re.compile("[ \t\n\r\f\u00a0]+")  # not \s: U+3000 is content
_WIDE = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
# A source line break between two Japanese characters is not a word space.
_WIDE_LINE_BREAK = re.compile(f"(?<=[{_WIDE}])[ \t\r\f]*\n[ \t\n\r\f]*(?=[{_WIDE}])")


def _collapse_space(text: str) -> str:
    """Collapse HTML whitespace to one space, dropping line breaks inside Japanese text."""
    return _HTML_SPACE.sub(" ", _WIDE_LINE_BREAK.sub("", text))


def _attr_text(tag: Tag) -> str:
    """The tag's id and classes, lower-cased, for chrome detection."""
    classes = tag.get("class")
    words: list[str] = []
    if isinstance(classes, str):
        words.append(classes)
    elif classes is not None:
        words.extend(str(word) for word in classes)
    ident = tag.get("id")
    if isinstance(ident, str):
        words.append(ident)
    return " ".join(words).lower()


def _is_chrome(tag: Tag) -> bool:
    """Navigation, breadcrumbs, site header/footer, menus, skip links, hidden bits."""
    if tag.name == "header" and tag.find_parent(["article", "main"]) is not None:
        return False  # the article's own title block
    if tag.name in _CHROME_TAGS:
        return True
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = tag.get("style")
    if isinstance(style, str) and re.search(r"display\s*:\s*none", style):
        return True
    if tag.name in _NEVER_CHROME:
        return False
    if any(word in _attr_text(tag) for word in _CHROME_WORDS):
        return True
    href = tag.get("href")
    return (tag.name == "a" and isinstance(href, str) and href.startswith("#")
            and _SKIP_LINK_TEXT.search(tag.get_text()) is not None)


def _text_length(tag: Tag) -> int:
    return len(_HTML_SPACE.sub("", tag.get_text()))


def _remove_chrome(soup: BeautifulSoup) -> None:
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(list(_DROP_TAGS)):
        if isinstance(tag, Tag) and not tag.decomposed:
            tag.decompose()
    total = max(_text_length(soup), 1)
    for tag in soup.find_all(True):
        if not isinstance(tag, Tag) or tag.decomposed or not _is_chrome(tag):
            continue
        # A wrapper named e.g. "has-sidemenu" that holds the report itself
        # is not chrome; real navigation is a small part of the page.
        if _text_length(tag) <= total * _MAX_CHROME_SHARE:
            tag.decompose()


def _inline_text(tag: Tag) -> str:
    """A tag's text on one line with HTML whitespace collapsed (U+3000 kept)."""
    parts = [" " if isinstance(node, Tag) and node.name == "br" else str(node)
             for node in tag.descendants
             if isinstance(node, NavigableString) or (isinstance(node, Tag) and node.name == "br")]
    return _collapse_space("".join(parts)).strip(" ")


class _TextBuilder:
    """Accumulates inline text and emits it line by line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.prefix = ""  # list marker owed to the next non-empty line
        self._buffer: list[str] = []

    def add(self, text: str) -> None:
        self._buffer.append(text)

    def flush(self) -> None:
        line = _collapse_space("".join(self._buffer)).strip(" ")
        self._buffer.clear()
        self._append(line)

    def line(self, text: str) -> None:
        self.flush()
        self._append(text)

    def _append(self, line: str) -> None:
        if line:
            self.lines.append(self.prefix + line)
            self.prefix = ""

    def blank(self) -> None:
        self.flush()
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def text(self) -> str:
        self.flush()
        return "\n".join(self.lines).strip("\n") + "\n" if self.lines else ""


def _row_line(cells: list[Tag]) -> str:
    """One table row: "見出し：値" for a th+td row, a markdown row otherwise."""
    texts = [_inline_text(cell) for cell in cells]
    if len(cells) >= 2 and cells[0].name == "th" and all(c.name == "td" for c in cells[1:]):
        return f"{texts[0]}：{'　'.join(t for t in texts[1:] if t)}"
    return "| " + " | ".join(texts) + " |"


def _emit_table(table: Tag, out: _TextBuilder) -> None:
    out.blank()
    rows = [row for row in table.find_all("tr") if row.find_parent("table") is table]
    for index, row in enumerate(rows):
        cells = [cell for cell in row.find_all(["th", "td"], recursive=False)]
        if not cells:
            continue
        out.line(_row_line(cells))
        is_header = all(cell.name == "th" for cell in cells) and len(cells) > 1
        if index == 0 and is_header:
            out.line("|" + "---|" * len(cells))
    out.blank()


def _emit_list_item(item: Tag, out: _TextBuilder) -> None:
    out.flush()
    if not _inline_text(item).startswith(_LIST_MARKS):
        out.prefix = "・"
    _emit_children(item, out)
    out.flush()
    out.prefix = ""


def _emit(node: Tag, out: _TextBuilder) -> None:
    name = node.name
    if name in _HEADINGS:
        out.blank()
        text = _inline_text(node)
        out.line(f"{'#' * _HEADINGS[name]} {text}" if text else "")
        out.blank()
    elif name == "table":
        _emit_table(node, out)
    elif name == "li":
        _emit_list_item(node, out)
    elif name == "br":
        out.flush()
    elif name in _BLOCKS or name == "tr":
        out.flush()
        _emit_children(node, out)
        out.flush()
    else:
        _emit_children(node, out)


def _emit_children(node: Tag, out: _TextBuilder) -> None:
    for child in node.children:
        if isinstance(child, Tag):
            _emit(child, out)
        elif type(child) is NavigableString:  # not Comment, Doctype, CData…
            out.add(str(child))


def html_to_text(html: str) -> str:
    """Extract the report text of an HTML page, shaped like the plain-text reports.

    Headings become ``#``-prefixed lines (``## `` for h2, ``### `` for h3 …),
    paragraphs and list items (prefixed ``・``) their own lines, ``<th>``/``<td>``
    rows ``見出し：値`` lines and other table rows markdown rows.  Navigation,
    breadcrumbs, site header/footer, menus, skip links, scripts, styles and
    forms are dropped.
    """
    return _soup_text(BeautifulSoup(html, "html.parser"))


def _page_title(soup: BeautifulSoup) -> str:
    """The page's ``<title>`` on one line ("" when there is none)."""
    tag = soup.find("title")
    return _collapse_space(tag.get_text()).strip(" ") if isinstance(tag, Tag) else ""


def _soup_text(soup: BeautifulSoup) -> str:
    _remove_chrome(soup)
    out = _TextBuilder()
    root = soup.body or soup
    _emit_children(root, out)
    lines = out.text().split("\n")
    collapsed = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    return "\n".join(collapsed)


# --- files ---------------------------------------------------------------


def size_limit(suffix: str) -> int:
    """The largest file, in bytes, read for a suffix ($DXKB_MAX_FILE_MB overrides)."""
    configured = os.environ.get(MAX_SIZE_ENV, "").strip()
    if configured:
        try:
            return int(float(configured) * 1024 * 1024)
        except ValueError:
            pass  # a malformed setting falls back to the built-in limits
    return MAX_DOCUMENT_BYTES if suffix in (".pdf", ".docx") else MAX_TEXT_BYTES


def file_error(path: Path, exc: OSError) -> ReportFileError:
    """The :class:`ReportFileError` for an operating-system error on ``path``."""
    if isinstance(exc, FileNotFoundError):
        return FileVanishedError("読み込む前にファイルがなくなりました", subject=str(path),
                                 hint="ファイルを元に戻して、もう一度実行してください")
    if isinstance(exc, PermissionError):
        return UnreadableFileError("読み取りの権限がありません", subject=str(path),
                                   hint="ファイルの権限を確かめてください（chmod a+r など）")
    return UnreadableFileError(f"ファイルを読み込めません（{exc.strerror or exc}）", subject=str(path),
                               hint="ディスクやネットワークの状態を確かめてから、もう一度実行してください")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise ReportFileError("ファイルが見つかりません", subject=str(path), hint="パスを確かめてください")
    if path.is_dir():
        raise ReportFileError("ファイルではなくフォルダです", subject=str(path),
                              hint="フォルダは dxkb index で読み込んでください")
    try:
        size, limit = path.stat().st_size, size_limit(path.suffix.lower())
        if size > limit:
            raise FileTooLargeError(
                f"ファイルが大きすぎます（{_mb(size)} MB、上限 {_mb(limit)} MB）", subject=str(path),
                hint=f"報告書ごとにファイルを分けるか、環境変数 {MAX_SIZE_ENV} で上限を上げてください")
        return path.read_bytes()
    except OSError as exc:
        raise file_error(path, exc) from exc


def _unsupported(path: Path) -> UnsupportedFormatError:
    supported = "、".join(SUPPORTED_SUFFIXES)
    return UnsupportedFormatError(
        f"対応していない形式です（対応する拡張子: {supported}）", subject=str(path),
        hint="テキスト、HTML、PDF、Word（.docx）のいずれかで保存してください")


def _no_text(path: Path) -> EmptyFileError:
    return EmptyFileError("本文がありません", subject=str(path),
                          hint="本文の入った報告書ファイルを置いてください")


def _read_binary_format(path: Path, data: bytes, suffix: str) -> Document:
    if not data:
        raise _empty(str(path))
    if suffix == ".pdf":
        text, kind = pdf_to_text(data, name=str(path)), "pdf"
    else:
        text, kind = docx_to_text(data, name=str(path)), "docx"
    if not text.strip():
        raise _no_text(path)
    return Document(path, text, kind, "")


def read_document(path: Path) -> Document:
    """Read a ``.txt``, ``.html``, ``.htm``, ``.pdf`` or ``.docx`` report into a :class:`Document`.

    Raises :class:`UnsupportedFormatError` for other suffixes and other
    :class:`ReportFileError` subclasses for missing, vanished, unreadable,
    too large, empty, binary, undecodable, damaged, encrypted or scanned files.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _unsupported(path)
    data = _read_bytes(path)
    if suffix in (".pdf", ".docx"):
        return _read_binary_format(path, data, suffix)
    declared = _declared_charset(data) if suffix != ".txt" else None
    text, encoding = decode_bytes(data, name=str(path), declared=declared)
    warnings: list[str] = []
    if encoding not in _UTF8:
        warnings.append(f"文字コード {encoding} として読み込みました")
    if suffix == ".txt":
        return Document(path, text, "txt", encoding, warnings)
    soup = BeautifulSoup(text, "html.parser")
    title = _page_title(soup)
    return Document(path, _soup_text(soup), "html", encoding, warnings, title)
