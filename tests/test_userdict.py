"""The Sudachi user dictionary made from the practice taxonomy (index/userdict.py)."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index import analysis
from index.build import build_index, index_status, open_index
from index.userdict import dictionary_key, lexicon_csv, needs_phrase_pass, sudachi_surface, user_dictionary
from kb.errors import IndexOutdatedError
from kb.taxonomy import DEFAULT_PATH, Taxonomy, alias_key, default_taxonomy

ROOT = Path(__file__).resolve().parents[1]
SMALL_REPORT = ROOT / "data" / "reports" / "kisarazu-2025-10-hakodate-dx.txt"
# Sudachi CSV columns: 0 surface, 4 written form, 12 normalized form.
SURFACE, WRITTEN, NORMALIZED = 0, 4, 12


def _rows(taxonomy: Taxonomy) -> dict[str, list[str]]:
    """Lexicon rows by written form (the alias as listed in the taxonomy)."""
    return {row[WRITTEN]: row for row in csv.reader(io.StringIO(lexicon_csv(taxonomy)))}


@pytest.fixture(scope="module")
def rows() -> dict[str, list[str]]:
    """The bundled taxonomy's lexicon rows."""
    return _rows(default_taxonomy())


# --- lexicon ---------------------------------------------------------------


@pytest.mark.parametrize("alias", ["kintone", "キントーン", "サイボウズkintone", "Office365", "LoGoフォーム", "三層分離"])
def test_letter_aliases_are_dictionary_words(rows: dict[str, list[str]], alias: str) -> None:
    row = rows[alias]
    assert row[SURFACE] == sudachi_surface(alias)
    assert row[NORMALIZED] == alias_key(alias)
    assert len(row) == 19


@pytest.mark.parametrize("alias", ["Power Platform", "Microsoft 365", "e-KOBE", "β'モデル", "β’モデル"])
def test_aliases_with_marks_are_left_to_the_phrase_pass(rows: dict[str, list[str]], alias: str) -> None:
    # Guard: the alias really is in the taxonomy, so its absence means something.
    assert default_taxonomy().by_alias(alias) is not None
    assert alias not in rows
    assert sudachi_surface(alias) not in {row[SURFACE] for row in rows.values()}


def test_lexicon_surfaces_are_unique_and_cover_every_letter_alias(rows: dict[str, list[str]]) -> None:
    surfaces = [row[SURFACE] for row in rows.values()]
    assert len(surfaces) == len(set(surfaces))
    expected = {sudachi_surface(a) for p in default_taxonomy().practices for a in p.aliases if not needs_phrase_pass(a)}
    assert set(surfaces) == expected


@pytest.mark.parametrize(("alias", "expected"), [
    ("kintone", False),
    ("キントーン", False),
    ("ＫＩＮＴＯＮＥ", False),
    ("三層分離", False),
    ("LoGoフォーム", False),
    ("Office365", False),
    ("Power Platform", True),
    ("Microsoft 365", True),
    ("e-KOBE", True),
    ("β'モデル", True),
    ("β’モデル", True),
    ("ＬＩＮＥ　ＷＯＲＫＳ", True),
    ("マイナ・ポータル", True),
])
def test_needs_phrase_pass(alias: str, expected: bool) -> None:
    assert needs_phrase_pass(alias) is expected


@pytest.mark.parametrize(("alias", "expected"), [
    ("ＫＩＮＴＯＮＥ", "kintone"),
    ("ｷﾝﾄｰﾝ", "キントーン"),
    ("LoGoフォーム", "logoフォーム"),
])
def test_sudachi_surface(alias: str, expected: str) -> None:
    assert sudachi_surface(alias) == expected


# --- dictionary key --------------------------------------------------------


def test_dictionary_key_is_stable_for_the_same_file(tmp_path: Path) -> None:
    copy = tmp_path / "practices.toml"
    shutil.copyfile(DEFAULT_PATH, copy)
    key = dictionary_key(default_taxonomy())
    assert dictionary_key(default_taxonomy()) == key
    assert dictionary_key(Taxonomy.load(copy)) == key


def test_dictionary_key_changes_with_the_taxonomy(tmp_path: Path) -> None:
    copy = tmp_path / "practices.toml"
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    old = 'aliases = ["kintone", "キントーン",'
    assert old in text
    copy.write_text(text.replace(old, 'aliases = ["kintone", "キントーン", "キンコーン",'), encoding="utf-8")
    changed = Taxonomy.load(copy)
    assert dictionary_key(changed) != dictionary_key(default_taxonomy())
    assert _rows(changed)["キンコーン"][NORMALIZED] == "キンコーン"
    assert "キンコーン" not in _rows(default_taxonomy())


# --- built dictionary ------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, int]]:
    """``(cache folder, dictionary, mtime)`` of one build into a fresh cache folder."""
    folder = tmp_path_factory.mktemp("dxkb-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DXKB_CACHE_DIR", str(folder))
        path = user_dictionary(default_taxonomy())
        yield folder, path, path.stat().st_mtime_ns


def test_user_dictionary_is_built_in_the_cache_folder(built: tuple[Path, Path, int]) -> None:
    folder, path, _ = built
    assert path.parent == folder
    assert path.is_file() and path.stat().st_size > 0
    assert dictionary_key(default_taxonomy()) in path.name
    # Only the dictionary is left behind: the build's temporary folder is gone.
    assert list(folder.iterdir()) == [path]


def test_user_dictionary_is_reused(built: tuple[Path, Path, int]) -> None:
    _, path, mtime = built
    again = user_dictionary(default_taxonomy())
    assert again == path
    assert again.stat().st_mtime_ns == mtime


@pytest.fixture(scope="module")
def user_tokenizer(built: tuple[Path, Path, int]) -> object:
    """A Sudachi tokenizer over the system dictionary and the built user dictionary."""
    from sudachipy import Config, Dictionary, SplitMode

    return Dictionary(config=Config(user=[str(built[1])]), dict="core").tokenizer(SplitMode.C)


@pytest.mark.parametrize(("text", "surface", "normalized"), [
    ("キントーンで申請", "キントーン", "キントーン"),
    ("ＫＩＮＴＯＮＥで申請", "ＫＩＮＴＯＮＥ", "kintone"),
    ("LoGoフォームで申請", "LoGoフォーム", "logoフォーム"),
])
def test_built_dictionary_makes_an_alias_one_word(
    user_tokenizer: Any, text: str, surface: str, normalized: str
) -> None:
    first = user_tokenizer.tokenize(text)[0]
    assert (first.surface(), first.normalized_form()) == (surface, normalized)
    assert first.dictionary_id() > 0


# --- index status follows the analysis signature ------------------------------


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of one small bundled report."""
    reports = tmp_path_factory.mktemp("one-report")
    shutil.copyfile(SMALL_REPORT, reports / SMALL_REPORT.name)
    target = tmp_path_factory.mktemp("one-index")
    summary = build_index([reports], target)
    assert summary.ok, summary.failed
    assert len(summary.added) == 1
    return target


def test_fresh_index_is_ok(small_index: Path) -> None:
    assert index_status(small_index) == "ok"


def test_index_is_outdated_when_the_analysis_changes(small_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert analysis.ANALYSIS_VERSION != "test-other"
    monkeypatch.setattr(analysis, "ANALYSIS_VERSION", "test-other")
    assert index_status(small_index) == "outdated"
    with pytest.raises(IndexOutdatedError):
        open_index(small_index)


def test_analysis_signature_names_version_and_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    key = dictionary_key(default_taxonomy())
    assert analysis.analysis_signature() == f"{analysis.ANALYSIS_VERSION}:{key}"
    monkeypatch.setattr(analysis, "ANALYSIS_VERSION", "test-other")
    assert analysis.analysis_signature() == f"test-other:{key}"


def test_missing_index(tmp_path: Path) -> None:
    assert index_status(tmp_path / "none") == "missing"
