"""One index update at a time: a second one waits (bounded) or is refused."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from bulk import make_bulk_corpus
from procs import IndexProcess

from index.build import build_index
from index.lock import WAIT_MESSAGE, build_lock, clean_leftovers, is_locked
from index.search import SearchService
from kb.errors import IndexBusyError

TAMA = "tama-2023-10-kakanai-madoguchi.txt"
BULK = 200


def test_a_held_lock_makes_the_next_update_wait_then_give_up(tmp_path: Path) -> None:
    heard: list[str] = []
    with build_lock(tmp_path, wait=1):
        assert is_locked(tmp_path)
        with pytest.raises(IndexBusyError) as caught, build_lock(tmp_path, wait=0.3, on_wait=heard.append):
            pass  # pragma: no cover - never entered
    assert heard == [WAIT_MESSAGE]
    assert f"プロセス {os.getpid()}" in str(caught.value) and "0.3 秒" in str(caught.value)
    assert not is_locked(tmp_path)


def test_the_lock_is_taken_as_soon_as_it_is_released(tmp_path: Path) -> None:
    entered = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with build_lock(tmp_path, wait=1):
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    entered.wait(5)
    threading.Timer(0.3, release.set).start()
    heard: list[str] = []
    with build_lock(tmp_path, wait=5, on_wait=heard.append):
        assert release.is_set()
    thread.join()
    assert heard == [WAIT_MESSAGE]


def test_build_index_refuses_while_another_update_runs(tmp_path: Path, reports_dir: Path) -> None:
    index_dir = tmp_path / "index"
    with build_lock(index_dir, wait=1), pytest.raises(IndexBusyError):
        build_index([reports_dir / TAMA], index_dir, wait=0.2)
    assert build_index([reports_dir / TAMA], index_dir, wait=0.2).added == [TAMA]


def test_leftovers_of_a_killed_update_are_removed(tmp_path: Path) -> None:
    (tmp_path / "_MAIN_3.toc").write_bytes(b"live")
    (tmp_path / "_MAIN_4.toc.1764133200.25").write_bytes(b"half")
    (tmp_path / "MAIN.tmp").mkdir()
    (tmp_path / "MAIN.tmp" / "run1.ctmp").write_bytes(b"postings")
    (tmp_path / "MAIN_abc.seg").write_bytes(b"segment")
    assert clean_leftovers(tmp_path) == ["MAIN.tmp", "_MAIN_4.toc.1764133200.25"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MAIN_abc.seg", "_MAIN_3.toc"]


@pytest.mark.slow
def test_a_second_index_process_waits_or_is_refused(tmp_path: Path, reports_dir: Path) -> None:
    index_dir = tmp_path / "index"
    small = tmp_path / "small"
    small.mkdir()
    shutil.copy(reports_dir / TAMA, small / TAMA)
    make_bulk_corpus(tmp_path / "bulk", BULK)

    first = IndexProcess(str(tmp_path / "bulk"), "--index", str(index_dir), "--progress")
    first.wait_until(lambda p: p.done >= 5)
    waiting = IndexProcess(str(small), "--index", str(index_dir), "--json", "--wait", "120")
    refused = IndexProcess(str(small), "--index", str(index_dir), "--wait", "0.5")
    refused_code, _, refused_err = refused.finish()
    assert refused_code == 1 and "使用中" in refused_err, refused_err
    assert first.proc.poll() is None, "the first update should still be running"

    assert first.finish()[0] == 0
    code, out, err = waiting.finish()
    print(f"first update {first.elapsed:.2f} s; the waiting one ended {waiting.elapsed:.2f} s after its start")
    assert code == 0 and WAIT_MESSAGE in err, err
    assert json.loads(out)["added"] == [TAMA]
    assert SearchService(index_dir).stats()["reports"] == BULK + 1
