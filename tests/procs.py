"""Run ``dxkb index`` as a real process and watch its progress bar."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The indexing bar (索引作成), not the copy-detection pass (照合) before it.
_PROGRESS = re.compile(r"索引作成[^\r\n]*?(\d+)/(\d+) \[")


class IndexProcess:
    """``python -m webui.cli index …`` with its stderr read in a thread."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "webui.cli", "index", *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self._out: list[bytes] = []
        self._err: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self._out.append), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self._err_chunk), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _err_chunk(self, chunk: bytes) -> None:
        self._err.append(chunk.decode("utf-8", "replace"))

    @staticmethod
    def _read(stream: Any, sink: Callable[[bytes], None]) -> None:
        while chunk := stream.read1(4096):
            sink(chunk)

    @property
    def stderr(self) -> str:
        return "".join(self._err)

    @property
    def done(self) -> int:
        """Files the progress bar has counted so far."""
        found = _PROGRESS.findall(self.stderr[-400:])
        return int(found[-1][0]) if found else 0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait_until(self, condition: Callable[[IndexProcess], bool], timeout: float = 120.0) -> None:
        """Poll until ``condition`` holds; fail if the process ends first."""
        deadline = time.monotonic() + timeout
        while not condition(self):
            if self.proc.poll() is not None:
                raise AssertionError(f"index process ended early ({self.proc.returncode}): {self.stderr[-500:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting; stderr: {self.stderr[-500:]}")
            time.sleep(0.02)

    def kill(self) -> int:
        """SIGKILL the process; return its exit status (-9 when killed)."""
        self.proc.kill()
        code = self.proc.wait(timeout=30)
        self._join()
        return code

    def _join(self) -> None:
        for reader in self._readers:
            reader.join(timeout=10)

    def finish(self, timeout: float = 180.0) -> tuple[int, str, str]:
        """Wait for the end: exit status, stdout, stderr."""
        self.proc.wait(timeout=timeout)
        self._join()
        return self.proc.returncode, b"".join(self._out).decode("utf-8"), self.stderr
