"""Building and updating the index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.build import build_index
from index.search import SearchService

YOKOHAMA = "yokohama-2022-07-digital-committee.txt"
TAMA = "tama-2023-10-kakanai-madoguchi.txt"


@pytest.fixture()
def small_corpus(tmp_path: Path, reports_dir: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in (YOKOHAMA, TAMA):
        shutil.copy(reports_dir / name, folder / name)
    return folder


def test_incremental_update(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = build_index([small_corpus], index_dir)
    assert sorted(first.added) == sorted([YOKOHAMA, TAMA]) and first.passages > 20

    second = build_index([small_corpus], index_dir)
    assert sorted(second.skipped) == sorted([YOKOHAMA, TAMA])
    assert not second.added and not second.updated

    path = small_corpus / TAMA
    path.write_text(path.read_text(encoding="utf-8") + "\n追記した段落です。オプトイン型の取組。\n", encoding="utf-8")
    (small_corpus / YOKOHAMA).unlink()
    third = build_index([small_corpus], index_dir)
    assert third.updated == [TAMA] and third.removed == [YOKOHAMA]

    service = SearchService(index_dir)
    assert service.search("BYOD")["total"] == 0
    assert service.search("追記")["total"] == 1


def test_bad_file_is_named_and_the_rest_goes_in(small_corpus: Path, tmp_path: Path) -> None:
    (small_corpus / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe" * 100)
    (small_corpus / "empty.txt").write_bytes(b"")
    summary = build_index([small_corpus, tmp_path / "missing"], tmp_path / "index")
    failed = {Path(f.file).name for f in summary.failed}
    assert failed == {"broken.txt", "empty.txt", "missing"}
    assert sorted(summary.added) == sorted([YOKOHAMA, TAMA])


def test_rebuild_replaces_everything(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([small_corpus], index_dir)
    summary = build_index([small_corpus / TAMA], index_dir, rebuild=True)
    assert summary.added == [TAMA]
    assert SearchService(index_dir).stats()["reports"] == 1


def test_searcher_sees_new_commit(small_corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([small_corpus / TAMA], index_dir)
    service = SearchService(index_dir)
    assert service.search("BYOD")["total"] == 0
    build_index([small_corpus], index_dir)
    assert service.search("BYOD")["total"] > 0


def test_a_parser_crash_is_reported_and_the_rest_goes_in(
    small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index import build

    real_parse = build.parse_file

    def fragile_parse(path: Path, table: object = None) -> object:
        if path.name == TAMA:
            raise KeyError("unexpected layout")
        return real_parse(path, table)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "parse_file", fragile_parse)
    summary = build_index([small_corpus], tmp_path / "index")
    assert summary.added == [YOKOHAMA]
    assert [(Path(f.file).name, f.message) for f in summary.failed] == [
        (TAMA, "解析できませんでした（KeyError: 'unexpected layout'）")
    ]


def test_an_index_with_another_schema_is_rebuilt_only_on_request(small_corpus: Path, tmp_path: Path) -> None:
    from whoosh import fields
    from whoosh import index as whoosh_index

    from index.build import index_status
    from kb.errors import IndexOutdatedError

    index_dir = tmp_path / "index"
    index_dir.mkdir()
    whoosh_index.create_in(str(index_dir), fields.Schema(id=fields.ID(stored=True)))
    assert index_status(index_dir) == "outdated"
    with pytest.raises(IndexOutdatedError):
        SearchService(index_dir)
    with pytest.raises(IndexOutdatedError):
        build_index([small_corpus], index_dir)
    build_index([small_corpus], index_dir, rebuild=True)
    assert index_status(index_dir) == "ok"
    assert SearchService(index_dir).search("BYOD")["total"] > 0
