"""Parallel index builds give the same index as one process, in one commit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import build, parallel
from index.build import build_index
from index.engine import ENGINES, get_engine
from index.search import SearchService


def _square(item: int, context: int) -> int:
    return item * item + context


@pytest.mark.parametrize("processes", [1, 2])
def test_ordered_map_keeps_order(processes: int) -> None:
    items = list(range(100))
    assert list(parallel.ordered_map(_square, items, 1, processes)) == [i * i + 1 for i in items]


@pytest.mark.parametrize(("jobs", "count", "expected"), [(1, 1000, 1), (2, 1000, 2), (2, 3, 1), (4, 48, 4)])
def test_use_processes(jobs: int, count: int, expected: int) -> None:
    assert parallel.use_processes(jobs, count) == expected


@pytest.fixture()
def corpus(tmp_path: Path, reports_dir: Path) -> Path:
    folder = tmp_path / "reports"
    shutil.copytree(reports_dir, folder)
    return folder


def _documents(index_dir: Path) -> list[tuple[str, str]]:
    reader = get_engine(None, index_dir).reader(index_dir)
    try:
        passages = [(d["id"], d.get("text", "")) for d in reader.passages({})]
        return sorted(passages + [(d["id"], "") for d in reader.reports()])
    finally:
        reader.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_parallel_build_equals_serial_build(
    engine: str, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 2)
    serial = build_index([corpus], tmp_path / "serial", jobs=1, engine=engine)
    multi = build_index([corpus], tmp_path / "multi", jobs=2, engine=engine)
    assert multi.ok and sorted(multi.added) == sorted(serial.added)
    assert multi.passages == serial.passages
    assert _documents(tmp_path / "multi") == _documents(tmp_path / "serial")
    hits = SearchService(tmp_path / "multi").search("タブレット", limit=5)
    assert hits["total"] == SearchService(tmp_path / "serial").search("タブレット", limit=5)["total"] > 0

    again = build_index([corpus], tmp_path / "multi", jobs=2)
    assert len(again.skipped) == len(serial.added) and not again.added


@pytest.mark.parametrize("engine", ENGINES)
def test_interrupted_parallel_build_keeps_the_old_index(
    engine: str, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 2)
    target = tmp_path / "index"
    build_index([corpus], target, jobs=1, engine=engine)
    before = _documents(target)
    applied = []
    original = build._apply

    def fail_late(writer: object, item: object, summary: build.BuildSummary) -> None:
        if len(applied) == 10:
            raise KeyboardInterrupt
        applied.append(item)
        original(writer, item, summary)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "_apply", fail_late)
    with pytest.raises(KeyboardInterrupt):
        build_index([corpus], target, rebuild=True, jobs=2)
    assert _documents(target) == before
    monkeypatch.setattr(build, "_apply", original)
    assert build_index([corpus], target, rebuild=True, jobs=2).ok


@pytest.mark.parametrize("jobs", [1, 2])
def test_segments_are_separate_files(jobs: int, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A compound segment file would be copied into memory by every searcher (one per server thread).
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 2)
    build_index([corpus], tmp_path / "index", jobs=jobs, engine="whoosh")
    names = [p.name for p in (tmp_path / "index").iterdir()]
    assert any(n.endswith(".pst") for n in names) and not any(n.endswith(".seg") for n in names)
