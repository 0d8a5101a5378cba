"""The web server keeps answering while ``dxkb index`` runs, and serves the
new reports as soon as the update is committed."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from bulk import make_bulk_corpus
from procs import IndexProcess

from index.build import build_index
from webui import create_app

FIRST = "yokohama-2022-07-digital-committee.txt"
NEW = "tama-2023-10-kakanai-madoguchi.txt"
BULK = 150


@pytest.fixture()
def server(tmp_path: Path, reports_dir: Path) -> Iterator[tuple[str, Path]]:
    """A waitress server (4 threads) over an index of one report."""
    from waitress.server import create_server

    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(reports_dir / FIRST, first / FIRST)
    index_dir = tmp_path / "index"
    build_index([first], index_dir)
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    httpd: Any = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.effective_port}", index_dir
    httpd.close()
    thread.join(timeout=5)


def _get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


class Poller(threading.Thread):
    """Asks the server one URL over and over, recording every answer."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.answers: list[tuple[float, int, dict[str, Any]]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            status, body = _get(self.url)
            self.answers.append((time.monotonic(), status, body))
            time.sleep(0.01)


@pytest.mark.slow
def test_searches_succeed_during_an_update_and_see_it_after_the_commit(
    server: tuple[str, Path], tmp_path: Path, reports_dir: Path
) -> None:
    base, index_dir = server
    assert _get(f"{base}/api/reports/{NEW}")[0] == 404
    incoming = tmp_path / "incoming"
    make_bulk_corpus(incoming, BULK)
    shutil.copy(reports_dir / NEW, incoming / NEW)
    pollers = [Poller(f"{base}/api/search?q=BYOD"), Poller(f"{base}/api/stats"),
               Poller(f"{base}/api/search?q={quote('書かない窓口')}&limit=1")]
    for poller in pollers:
        poller.start()

    update = IndexProcess(str(incoming), "--index", str(index_dir), "--no-progress")
    code, _, err = update.finish()
    committed = time.monotonic()
    assert code == 0, err
    time.sleep(0.5)
    for poller in pollers:
        poller.stop.set()
        poller.join(timeout=30)

    answers = [a for p in pollers for a in p.answers]
    during = [a for a in answers if a[0] < committed]
    print(f"update {update.elapsed:.2f} s; {len(during)} answers during it, {len(answers)} in all")
    assert len(during) > 30
    assert all(status == 200 and body["ok"] for _, status, body in answers)
    stats = pollers[1].answers
    assert stats[0][2]["reports"] == 1 and stats[-1][2]["reports"] == BULK + 2
    assert pollers[2].answers[0][2]["total"] == 0 and pollers[2].answers[-1][2]["total"] > 0
    assert _get(f"{base}/api/reports/{NEW}")[0] == 200


def test_a_running_service_sees_replaced_and_removed_reports(tmp_path: Path, reports_dir: Path) -> None:
    from index.search import SearchService

    folder = tmp_path / "reports"
    folder.mkdir()
    for name in (FIRST, NEW):
        shutil.copy(reports_dir / name, folder / name)
    index_dir = tmp_path / "index"
    build_index([folder], index_dir)
    service = SearchService(index_dir)
    assert service.stats()["reports"] == 2 and service.search("BYOD")["total"] > 0

    (folder / FIRST).write_text("行政視察報告書\n\n差し替えた本文です。\n", encoding="utf-8")
    assert build_index([folder], index_dir).updated == [FIRST]
    assert service.stats()["reports"] == 2
    assert service.search("BYOD")["total"] == 0 and service.search("差し替えた")["total"] == 1

    (folder / NEW).unlink()
    assert build_index([folder], index_dir).removed == [NEW]
    assert service.stats()["reports"] == 1 and service.search("書かない窓口")["total"] == 0
