"""Shared fixtures: the bundled corpus, its index (built once), the Flask app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "data" / "reports"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def reports_dir() -> Path:
    """The bundled reports folder."""
    return REPORTS


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled reports, built once per test session."""
    from index.build import build_index

    target = tmp_path_factory.mktemp("index")
    summary = build_index([REPORTS], target)
    assert summary.ok, summary.failed
    return target


@pytest.fixture(scope="session")
def whoosh_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Whoosh index of the bundled reports (for tests of Whoosh's own machinery)."""
    from index.build import build_index

    target = tmp_path_factory.mktemp("whoosh-index")
    summary = build_index([REPORTS], target, engine="whoosh")
    assert summary.ok, summary.failed
    return target


@pytest.fixture(scope="session")
def whoosh_service(whoosh_index_dir: Path) -> object:
    """A search service over the Whoosh index."""
    from index.search import SearchService

    return SearchService(whoosh_index_dir, engine="whoosh")


@pytest.fixture(scope="session")
def service(index_dir: Path) -> object:
    """A search service over the session index."""
    from index.search import SearchService

    return SearchService(index_dir)


@pytest.fixture(scope="session")
def app(index_dir: Path) -> Iterator[Flask]:
    """The web app over the session index."""
    from webui import create_app

    yield create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "REPORTS_DIR": str(REPORTS)})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """A Flask test client."""
    return app.test_client()


@pytest.fixture()
def runner() -> CliRunner:
    """A click CLI runner."""
    return CliRunner()


@pytest.fixture(scope="session")
def corpus_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each bundled UTF-8 text report printed to a PDF (made once per session), by report name."""
    from makepdf import text_to_pdf

    folder = tmp_path_factory.mktemp("pdf")
    return {
        path.name: text_to_pdf(path.read_text(encoding="utf-8"), folder / f"{path.stem}.pdf")
        for path in sorted(REPORTS.glob("*.txt")) if not path.name.endswith(".sjis.txt")
    }


# Real-browser fixtures (live_server, browser, page); see browser_support.py.
from browser_support import browser, live_server, page  # noqa: F401
