"""Real-browser fixtures: the app served on a free local port, Debian's Chromium driven by Playwright.

Playwright's own browser download is never used: the tests launch the system Chromium
(``/usr/bin/chromium`` or ``$DXKB_CHROMIUM``).  When it or Playwright is missing the
browser tests skip with the reason, unless ``DXKB_REQUIRE_BROWSER=1`` (set by CI), where
a missing browser fails them: a skipped browser test must not pass for a tested UI.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def chromium_path() -> Path:
    """The Chromium binary the browser tests drive."""
    return Path(os.environ.get("DXKB_CHROMIUM") or "/usr/bin/chromium")


def browser_missing(reason: str) -> None:
    """Skip with ``reason``, or fail when CI requires the browser tests to run."""
    if os.environ.get("DXKB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"ブラウザテストを実行できません（DXKB_REQUIRE_BROWSER=1）: {reason}", pytrace=False)
    pytest.skip(reason)


def screenshot_dir() -> Path:
    """Where screenshots go: ``$DXKB_SCREENSHOTS`` or ``var/screenshots`` (ignored by git)."""
    folder = Path(os.environ.get("DXKB_SCREENSHOTS") or ROOT / "var" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG of ``page`` as ``NAME.png`` and return its path."""
    safe = re.sub(r"[^\w.-]+", "-", name).strip("-") or "page"
    path = screenshot_dir() / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The session app served by werkzeug on a free 127.0.0.1 port; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="dxkb-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright's sync API (skips or fails when missing)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        browser_missing("Playwright がインストールされていません（pip install -e '.[test]'）")
    executable = chromium_path()
    if not executable.exists():
        browser_missing(f"Chromium がありません: {executable}（apt-get install chromium、または DXKB_CHROMIUM）")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, headless=True)
        except Error as err:
            browser_missing(f"Chromium を起動できません: {executable}: {err}")
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (own context: empty localStorage), Japanese locale, 1280x900, downloads on."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()
