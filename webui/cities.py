"""Municipality pages: ``/cities/<key>`` and its JSON twin ``/api/cities/<key>``.

``key`` is a 6-digit local-government code; a name or reading naming one
municipality redirects to its code's URL, one naming several gives the
choice (see :func:`index.cities.city`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from webui import get_service
from webui.views import int_param, ok_json

pages = Blueprint("cities", __name__)
api = Blueprint("cities_api", __name__, url_prefix="/api")


def city_result(key: str, args: Mapping[str, str], *, follow: bool = False) -> dict[str, Any]:
    """The dict shared by the page and its JSON twin: ``page`` chooses the visits.

    The page redirects a name to its code's URL; the JSON twin answers it
    directly (``follow``), so that every answer of the API is JSON.
    """
    page = int_param(args, "page")
    result: dict[str, Any] = get_service().city(key, 1 if page is None else page, follow=follow)
    return result


def _to_code(endpoint: str, result: Mapping[str, Any]) -> BaseResponse:
    """The redirect of a name or reading to the code's URL, keeping the page asked for."""
    page = request.args.get("page", "").strip() or None
    return redirect(url_for(endpoint, key=result["redirect"], page=page))


@pages.get("/cities/<key>")
def city(key: str) -> str | BaseResponse:
    """One municipality: its visits, practices, Q&A, figures and observations."""
    result = city_result(key, request.args)
    if "redirect" in result:
        return _to_code("cities.city", result)
    return render_template("city.html", city=result)


@api.get("/cities/<key>")
def api_city(key: str) -> Response | BaseResponse:
    """The municipality dict of ``SearchService.city`` plus ``"ok": true``."""
    return ok_json(city_result(key, request.args, follow=True))


def register(app: Flask) -> None:
    """Attach the municipality pages to ``app``."""
    app.register_blueprint(pages)
    app.register_blueprint(api)
