"""The whole knowledge base as one file: ``/export/dxkb.sqlite``.

The file is :func:`index.dump.write_sqlite` of the index the server uses,
made once per index state (see :class:`index.dump.DumpCache`) and sent from
an open handle, so a newer state replacing it never cuts a download short.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, send_file

from index.dump import DumpCache
from webui import get_service

bp = Blueprint("download", __name__)

CACHE_KEY = "dxkb_dump"
_lock = threading.Lock()


def dump_cache() -> DumpCache:
    """The app's export cache, in a temporary folder removed at exit."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        cache: DumpCache | None = app.extensions.get(CACHE_KEY)
        if cache is None:
            folder = Path(tempfile.mkdtemp(prefix="dxkb-export-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            cache = app.extensions[CACHE_KEY] = DumpCache(folder)
    return cache


@bp.get("/export/dxkb.sqlite")
def sqlite_file() -> Response:
    """Every report, visit, passage, Q&A pair, observation, figure and practice tag as SQLite tables."""
    handle = dump_cache().open(get_service().reader())
    return send_file(handle, mimetype="application/vnd.sqlite3", as_attachment=True,
                     download_name="dxkb.sqlite", max_age=0)


def register(app: Flask) -> None:
    """Attach the download blueprint."""
    app.register_blueprint(bp)
