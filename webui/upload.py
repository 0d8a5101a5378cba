"""Staff upload of report files: ``/upload`` (form) and ``/api/upload`` (JSON).

Off (404) unless ``UPLOAD_TOKEN`` is configured (``DXKB_UPLOAD_TOKEN``).  The
form carries a per-session CSRF token and asks for the upload token; the JSON
twin takes the upload token in the ``X-Upload-Token`` header.  A file is
checked (extension from :data:`kb.readers.SUPPORTED_SUFFIXES`, size, and that
it reads and parses) before anything is stored; then it is saved under the
upload folder (``UPLOAD_DIR``, default ``<REPORTS_DIR>/upload``) and indexed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request, session
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from index.build import BuildSummary, build_index
from kb.errors import DxkbError, IndexBusyError, IndexMissingError, ReportFileError, UnsupportedFormatError
from kb.model import Report
from kb.parse import parse_file
from kb.readers import SUPPORTED_SUFFIXES
from webui import get_service
from webui.views import error_response, wants_json

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
INDEX_WAIT_SECONDS = 10.0
TOKEN_HEADER = "X-Upload-Token"
CSRF_KEY = "upload_csrf"
MAX_STEM_CHARS = 80
# Letters and digits of any script (so 報告書 stays readable), "_" and "-";
# dots only inside, never "..", never leading.
_SAFE_STEM = re.compile(r"^[^\W][\w\-]*(?:\.[\w\-]+)*$")

bp = Blueprint("upload", __name__)


class UploadRefused(Exception):
    """A request the upload page answers with ``status`` and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Checked:
    """An uploaded file that read and parsed, waiting in a temporary folder."""

    name: str
    temp: Path
    report: Report


# --------------------------------------------------------------------------
# File names


def safe_name(filename: str) -> str:
    """A stored file name for an uploaded ``filename``: its last path part
    with a supported suffix.  An ASCII stem goes through werkzeug's
    ``secure_filename``; any other has each character that is not a letter,
    digit, ``_``, ``-`` or ``.`` replaced by ``_`` (so 報告書 stays readable).
    A stem that is still unsafe or empty becomes a hash of the name."""
    base = PurePosixPath(unicodedata.normalize("NFC", filename).replace("\\", "/")).name
    suffix = PurePosixPath(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = "、".join(SUPPORTED_SUFFIXES)
        raise UnsupportedFormatError(
            f"対応していない形式です（対応する拡張子: {supported}）", subject=base or filename)
    stem = base[: -len(suffix)].strip()
    if stem.isascii():
        stem = secure_filename(stem)
    else:
        stem = re.sub(r"[^\w\-.]+", "_", stem)
        stem = re.sub(r"\.{2,}", ".", stem).strip("._")
    if not (_SAFE_STEM.match(stem) and len(stem) <= MAX_STEM_CHARS):
        stem = "upload-" + hashlib.sha256(filename.encode("utf-8")).hexdigest()[:12]
    return stem + suffix


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, resolved, refused unless it lies directly in ``folder``."""
    root = folder.resolve()
    target = (root / name).resolve()
    if target.parent != root:
        raise ReportFileError("保存先がアップロード用フォルダの外になります", subject=name)
    return target


# --------------------------------------------------------------------------
# Configuration and guards


def upload_dir() -> Path:
    """Where uploads are stored: ``UPLOAD_DIR`` or ``<REPORTS_DIR>/upload``."""
    configured = current_app.config.get("UPLOAD_DIR")
    return Path(configured or Path(current_app.config["REPORTS_DIR"]) / "upload")


def _configured_token() -> str:
    token = current_app.config.get("UPLOAD_TOKEN")
    # DXKB_UPLOAD_TOKEN=12345 arrives as an int (env values are read as JSON).
    return "" if token in (None, "", False) else str(token)


@bp.before_request
def _only_when_enabled() -> None:
    if not _configured_token():
        abort(404)


def _check_token(given: str | None) -> None:
    if not given or not hmac.compare_digest(given.encode("utf-8"), _configured_token().encode("utf-8")):
        raise UploadRefused(403, "アップロード用のトークンが正しくありません")


def csrf_token() -> str:
    """This session's CSRF token for the upload form (created on first use)."""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return token


def _check_csrf(given: str | None) -> None:
    expected = session.get(CSRF_KEY)
    if not given or not isinstance(expected, str) or not hmac.compare_digest(given, expected):
        raise UploadRefused(
            400, "フォームの有効期限が切れたか、正しくない送信です。ページを読み込み直してから送信してください")


# --------------------------------------------------------------------------
# Checking, storing and indexing


def _files() -> list[FileStorage]:
    files = [f for f in request.files.getlist("file") if f and f.filename]
    if not files:
        raise UploadRefused(400, "報告書ファイルを選んでください")
    return files


def _check_file(upload: FileStorage, workdir: Path) -> Checked:
    name = safe_name(upload.filename or "")
    temp = workdir / name
    if temp.exists():
        raise ReportFileError("同じ名前のファイルが2つ選ばれています", subject=name)
    upload.save(temp)
    if temp.stat().st_size == 0:
        raise ReportFileError("ファイルが空です", subject=name)
    try:
        report = parse_file(temp)
    except DxkbError as err:
        # Name the file as uploaded, not the temporary folder it was read from.
        raise type(err)(err.message, subject=name) from err
    except Exception as exc:
        # A file the parser chokes on is refused with its name, not a 500.
        raise ReportFileError(f"解析できませんでした（{type(exc).__name__}）", subject=name) from exc
    return Checked(name, temp, report)


def _check_not_taken(name: str, target: Path) -> None:
    """Refuse a name already indexed from another place (file names are keys)."""
    try:
        doc = get_service().reader().report(name)
    except IndexMissingError:
        return
    if doc is not None and Path(doc["source"]) != target:
        raise ReportFileError(
            "同じ名前の報告書がすでに索引にあります。ファイル名を変えてアップロードしてください", subject=name)


def _store(checked: Checked, folder: Path) -> Path:
    target = inside(folder, checked.name)
    partial = target.with_name(f".{target.name}.part")
    shutil.copyfile(checked.temp, partial)
    os.replace(partial, target)  # whole file or nothing, even if interrupted
    return target


def _describe(checked: Checked, summary: BuildSummary) -> dict[str, Any]:
    report = checked.report
    status = next((key for key in ("added", "updated", "skipped") if checked.name in getattr(summary, key)), "")
    return {
        "file": checked.name, "status": status, "title": report.title,
        "copy_of": next((c.original for c in summary.copies if c.file == checked.name), ""),
        "visits": [v.municipality for v in report.visits],
        "qa": sum(len(v.qa) for v in report.visits),
        "passages": sum(1 for _ in report.all_passages()),
        "warnings": list(report.warnings),
    }


def handle_upload() -> dict[str, Any]:
    """Check every file, then store and index them all (or none)."""
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dxkb-upload-") as work:
        checked = [_check_file(f, Path(work)) for f in _files()]
        for item in checked:
            _check_not_taken(item.name, inside(folder, item.name))
        stored = [_store(item, folder) for item in checked]
    try:
        summary = build_index(stored, Path(current_app.config["INDEX_DIR"]), wait=INDEX_WAIT_SECONDS)
    except IndexBusyError as busy:
        raise IndexBusyError(
            "ファイルは保存しましたが、別の索引更新が実行中のため索引に登録できませんでした。"
            "しばらくしてからもう一度アップロードしてください", subject=busy.subject) from busy
    if summary.failed:
        raise ReportFileError("; ".join(f"{Path(f.file).name}: {f.message}" for f in summary.failed))
    return {"files": [_describe(item, summary) for item in checked], "seconds": summary.seconds}


# --------------------------------------------------------------------------
# Routes


def _page(status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("result", None)
    context.setdefault("error", None)
    html = render_template(
        "upload.html", csrf_token=csrf_token(), suffixes=SUPPORTED_SUFFIXES,
        limit=limit_text(_max_bytes()), **context)
    return html, status


@bp.get("/upload")
def form() -> tuple[str, int]:
    """The upload form."""
    return _page()


@bp.post("/upload")
def upload() -> tuple[str, int]:
    """Upload from the form: CSRF token, upload token, then the files."""
    try:
        _check_csrf(request.form.get("csrf_token"))
        _check_token(request.form.get("token"))
        return _page(result=handle_upload())
    except UploadRefused as refused:
        return _page(refused.status, error=refused.message)
    except DxkbError as err:
        return _page(int(getattr(err, "status", 500)), error=str(err))


@bp.post("/api/upload")
def api_upload() -> tuple[Response, int]:
    """JSON twin: the token in the ``X-Upload-Token`` header, files as ``file``."""
    try:
        _check_token(request.headers.get(TOKEN_HEADER))
        return jsonify({**handle_upload(), "ok": True}), 200
    except UploadRefused as refused:
        return jsonify({"ok": False, "error": refused.message, "status": refused.status}), refused.status


def _max_bytes() -> int:
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BYTES)


def limit_text(size: int) -> str:
    """A byte count for people: ``5 MB``, ``20 KB``."""
    if size >= 1 << 20:
        return f"{size / (1 << 20):.3g} MB"
    return f"{max(size / 1024, 1):.0f} KB"


def too_large(err: RequestEntityTooLarge) -> tuple[Any, int]:
    """413 in the page's or the API's error shape, with the limit."""
    message = f"ファイルが大きすぎます（上限 {limit_text(_max_bytes())}）"
    if request.path == "/upload" and not wants_json():
        return _page(413, error=message)
    return error_response(413, message, "ファイルが大きすぎます")


def register(app: Flask) -> None:
    """Attach the upload blueprint; set a size limit and a session key if missing."""
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_BYTES
    if not app.config.get("SECRET_KEY"):
        # Sessions (the CSRF token) then last as long as this process.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.register_blueprint(bp)
    app.register_error_handler(RequestEntityTooLarge, too_large)
