"""A ``dxkb index`` killed with SIGKILL at any moment leaves the previous
index searchable, and the next run completes and cleans up after it."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from bulk import make_bulk_corpus
from procs import IndexProcess

from index.build import build_index
from index.lock import WHOOSH_TEMP_DIR, is_locked
from index.search import SearchService
from index.whoosh_engine import WhooshEngine

FIRST = ("yokohama-2022-07-digital-committee.txt", "tama-2023-10-kakanai-madoguchi.txt")
QUERIES = ("BYOD", "書かない窓口", "オンライン")
BULK = 300
_SEGMENT_FILE = re.compile(r"^(MAIN_[0-9a-z]+)\.")


def _counts(index_dir: Path) -> dict[str, int]:
    service = SearchService(index_dir)
    counts = {q: service.search(q)["total"] for q in QUERIES}
    counts["reports"] = service.stats()["reports"]
    return counts


def _at_start(p: IndexProcess) -> bool:
    return p.elapsed >= 0.2


def _early(p: IndexProcess) -> bool:
    return p.done >= 20


def _middle(p: IndexProcess) -> bool:
    return p.done >= BULK // 2


def _committing(p: IndexProcess) -> bool:
    # The bar is full: the loop is over and the commit (flushing postings,
    # writing and assembling the segment) has begun; it takes over a second.
    if p.done < BULK:
        return False
    time.sleep(0.3)
    return True


KILL_POINTS: list[tuple[str, Callable[[IndexProcess], bool], tuple[str, ...]]] = [
    ("0.2 s after start", _at_start, ()),
    ("after 20 files", _early, ()),
    ("half-way", _middle, ()),
    ("during the commit", _committing, ()),
    ("half-way through --rebuild", _middle, ("--rebuild",)),
]


def _build_first(tmp_path: Path, reports_dir: Path, engine: str, index_name: str) -> Path:
    """An index of the FIRST reports, built with ``engine``."""
    folder = tmp_path / "first"
    folder.mkdir()
    for name in FIRST:
        shutil.copy(reports_dir / name, folder / name)
    index_dir = tmp_path / index_name
    assert build_index([folder], index_dir, engine=engine).ok
    return index_dir


@pytest.fixture()
def first_index(tmp_path: Path, reports_dir: Path) -> Path:
    return _build_first(tmp_path, reports_dir, "whoosh", "index")


def _unreferenced_files(index_dir: Path) -> list[str]:
    ix = WhooshEngine().open(index_dir)
    live = {segment.segment_id() for segment in ix._segments()}
    toc = f"_MAIN_{ix.latest_generation()}.toc"
    def stray(name: str) -> bool:
        match = _SEGMENT_FILE.match(name)
        old_toc = name.startswith("_MAIN_") and name != toc
        return old_toc or name == WHOOSH_TEMP_DIR or bool(match and match.group(1) not in live)

    return sorted(path.name for path in index_dir.iterdir() if stray(path.name))


@pytest.mark.slow
def test_sigkill_at_any_point_keeps_the_previous_index(first_index: Path, tmp_path: Path) -> None:
    bulk = tmp_path / "bulk"
    make_bulk_corpus(bulk, BULK)
    before = _counts(first_index)
    assert before["reports"] == len(FIRST) and before["BYOD"] > 0

    for label, condition, extra in KILL_POINTS:
        proc = IndexProcess(str(bulk), "--index", str(first_index), "--progress", *extra)
        proc.wait_until(condition)
        progress = proc.done
        assert proc.kill() == -9, f"{label}: the process was not killed"
        print(f"killed {label}: {proc.elapsed:.2f} s, {progress}/{BULK} files")
        assert not is_locked(first_index), label
        assert _counts(first_index) == before, label
    leftovers = _unreferenced_files(first_index)
    assert leftovers, "the kills should have left partial files behind"

    proc = IndexProcess(str(bulk), "--index", str(first_index), "--json", "--no-progress")
    code, out, err = proc.finish()
    print(f"full run after the kills: {proc.elapsed:.2f} s; cleaned {len(leftovers)} leftover files")
    assert code == 0, err
    summary = json.loads(out)
    assert len(summary["added"]) == BULK and not summary["failed"]
    after = _counts(first_index)
    assert after["reports"] == len(FIRST) + BULK
    assert all(after[q] > before[q] for q in QUERIES)
    assert _unreferenced_files(first_index) == []


@pytest.fixture()
def first_sqlite_index(tmp_path: Path, reports_dir: Path) -> Path:
    return _build_first(tmp_path, reports_dir, "sqlite", "sqlite-index")


@pytest.mark.slow
def test_sqlite_sigkill_at_any_point_keeps_the_previous_index(first_sqlite_index: Path, tmp_path: Path) -> None:
    """The SQLite engine writes a build in one transaction: a kill rolls it back (its journal), never half of it."""
    bulk = tmp_path / "bulk"
    make_bulk_corpus(bulk, BULK)
    before = _counts(first_sqlite_index)
    assert before["reports"] == len(FIRST) and before["BYOD"] > 0
    # Its commit takes milliseconds, too short to aim a kill at; SQLite's own
    # journal makes it atomic.  Every kill point before it is tried.
    for label, condition, extra in [k for k in KILL_POINTS if k[1] is not _committing]:
        proc = IndexProcess(str(bulk), "--index", str(first_sqlite_index), "--progress", *extra)
        proc.wait_until(condition)
        progress = proc.done
        assert proc.kill() == -9, f"{label}: the process was not killed"
        print(f"sqlite killed {label}: {proc.elapsed:.2f} s, {progress}/{BULK} files")
        assert not is_locked(first_sqlite_index), label
        assert _counts(first_sqlite_index) == before, label

    proc = IndexProcess(str(bulk), "--index", str(first_sqlite_index), "--json", "--no-progress")
    code, out, err = proc.finish()
    assert code == 0, err
    assert len(json.loads(out)["added"]) == BULK
    after = _counts(first_sqlite_index)
    assert after["reports"] == len(FIRST) + BULK
    assert all(after[q] > before[q] for q in QUERIES)
    assert sorted(p.name for p in first_sqlite_index.iterdir() if not p.name.startswith(".")) in (
        ["dxkb.sqlite"], ["dxkb.sqlite", "dxkb.sqlite-shm", "dxkb.sqlite-wal"])
