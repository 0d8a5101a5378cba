"""DXKB web layer: the Flask application factory.

Follows the shape of Flask's tutorial application: ``create_app`` builds the
app, reads ``instance/config.py`` and ``DXKB_*`` environment variables, and
registers the blueprints of :mod:`webui.views`.  Every HTML page has a JSON
twin built from the same dict the search service returns.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

EXTENSION_KEY = "dxkb"
_service_lock = threading.Lock()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the DXKB web application.

    Configuration is layered, later wins: defaults, ``instance/config.py``,
    ``DXKB_*`` environment variables (``DXKB_INDEX_DIR``...), then
    ``test_config`` (what the CLI or a test passes explicitly).
    """
    # Flask is imported here, not at module level, so that the `dxkb`
    # command (which imports this package) starts without loading it.
    from flask import Flask

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        INDEX_DIR=os.environ.get("DXKB_INDEX", "var/index"),
        REPORTS_DIR="data/reports",
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("DXKB")
    if test_config is not None:
        app.config.from_mapping(test_config)
    # Japanese stays readable in the JSON twins.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from webui import cities, compare, download, openapi, upload, views

    views.register(app)
    compare.register(app)
    upload.register(app)
    download.register(app)
    openapi.register(app)
    cities.register(app)
    return app


def get_service() -> Any:
    """The app's one ``SearchService``, created at first use and reused.

    A missing index raises ``IndexMissingError`` and is not cached, so the
    site starts working as soon as the index is built.
    """
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    svc = app.extensions.get(EXTENSION_KEY)
    if svc is None:
        with _service_lock:
            svc = app.extensions.get(EXTENSION_KEY)
            if svc is None:
                from index.search import SearchService

                svc = SearchService(Path(app.config["INDEX_DIR"]))
                app.extensions[EXTENSION_KEY] = svc
    return svc
