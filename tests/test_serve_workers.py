"""`dxkb serve --workers N`: N server processes share one port and end together."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=10) as response:
        data: dict[str, object] = json.loads(response.read())
        return data


def test_two_workers_answer_and_stop_together(index_dir: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "webui.cli", "serve", "--index", str(index_dir), "--port", str(port),
         "--workers", "2", "--threads", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}/api/search?q=BYOD"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                first = _get(url)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        workers = _children(proc.pid)
        assert len(workers) == 2
        answers = [_get(url) for _ in range(12)]
        assert all(a["total"] == first["total"] and a["total"] for a in answers)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    time.sleep(0.5)
    for worker in workers:
        state = Path(f"/proc/{worker}/stat")
        assert not state.exists() or state.read_text().split()[2] == "Z", "a worker outlived the server"


def test_serve_runs_one_worker_per_cpu_by_default() -> None:
    import os

    import click

    from webui.cli import serve

    option = next(p for p in serve.params if p.name == "workers")
    assert option.get_default(click.Context(serve), call=True) == (os.cpu_count() or 1)
