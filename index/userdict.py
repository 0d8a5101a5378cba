"""A Sudachi user dictionary made from the practice taxonomy.

Every alias made only of letters and digits (``kintone``, ``キントーン``,
``三層分離``, ``LoGoフォーム``) becomes one dictionary entry whose normalized
form is the alias key, so that the alias is one index term wherever it is
written.  Aliases holding a space, hyphen or other mark (``Power Platform``,
``e-KOBE``, ``β'モデル``) are never matched by a user dictionary; the analyser
finds those in a phrase pass before tokenisation (see :mod:`index.analysis`).

The built dictionary is cached in :func:`cache_dir` under a key made of the
taxonomy's fingerprint, the system dictionary file and the SudachiPy version,
so it is rebuilt automatically when any of them changes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
import threading
import unicodedata
from pathlib import Path

import sudachidict_core  # type: ignore[import-untyped]
import sudachipy

from kb.taxonomy import Taxonomy, alias_key

FORMAT_VERSION = "1"
# 名詞,固有名詞,一般: the connection id the Sudachi documentation recommends for proper nouns.
_PROPER_NOUN_ID = 4786
# Low enough that an alias wins over splitting it into dictionary words.
_COST = 3000
_build_lock = threading.Lock()


def cache_dir() -> Path:
    """Folder of built dictionaries: ``$DXKB_CACHE_DIR``, else the user's cache folder."""
    explicit = os.environ.get("DXKB_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dxkb"


def system_dictionary_path() -> Path:
    """The system dictionary file of the installed sudachidict-core package."""
    return Path(sudachidict_core.__file__).resolve().parent / "resources" / "system.dic"


def dictionary_key(taxonomy: Taxonomy) -> str:
    """Fingerprint of everything the user dictionary is built from."""
    system = system_dictionary_path()
    stat = system.stat()
    parts = (FORMAT_VERSION, taxonomy.fingerprint, str(system), str(stat.st_size),
             str(stat.st_mtime_ns), sudachipy.__version__)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:16]


def needs_phrase_pass(alias: str) -> bool:
    """True when ``alias`` holds a character other than a letter or digit."""
    return any(unicodedata.category(ch)[0] not in "LN" for ch in sudachi_surface(alias))


def sudachi_surface(alias: str) -> str:
    """The form Sudachi looks words up in: NFKC and lower case."""
    return unicodedata.normalize("NFKC", alias).lower()


def lexicon_csv(taxonomy: Taxonomy) -> str:
    """The user dictionary source (Sudachi's CSV format) for ``taxonomy``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    seen: set[str] = set()
    for practice in taxonomy.practices:
        for alias in practice.aliases:
            surface = sudachi_surface(alias)
            if surface in seen or needs_phrase_pass(alias):
                continue
            seen.add(surface)
            writer.writerow([
                surface, _PROPER_NOUN_ID, _PROPER_NOUN_ID, _COST, alias,
                "名詞", "固有名詞", "一般", "*", "*", "*", "*", alias_key(alias),
                "*", "A", "*", "*", "*", "*",
            ])
    return out.getvalue()


def user_dictionary(taxonomy: Taxonomy) -> Path:
    """Path of the built user dictionary for ``taxonomy``, building it when missing."""
    target = cache_dir() / f"practices-{dictionary_key(taxonomy)}.dic"
    if target.exists():
        return target
    with _build_lock:
        if not target.exists():
            _build(taxonomy, target)
    return target


def _build(taxonomy: Taxonomy, target: Path) -> None:
    """Build into a temporary file then move it in place, so readers never see half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        source = Path(tmp) / "practices.csv"
        source.write_text(lexicon_csv(taxonomy), encoding="utf-8")
        built = Path(tmp) / "practices.dic"
        sudachipy.sudachipy.build_user_dic(
            str(system_dictionary_path()), [str(source)], str(built), "DXKB practices"
        )
        os.replace(built, target)
