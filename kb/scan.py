"""Which files of the given paths are reports, and which a folder scan leaves out.

A folder is searched recursively.  Files with a report suffix (see
:data:`kb.readers.SUPPORTED_SUFFIXES`) are read; sidecars (``foo.txt.toml``
beside ``foo.txt``) belong to their report; every other file is counted by
its extension so that a user sees that a ``.doc`` or ``.jtd`` was not read.
Hidden files and folders (``.DS_Store``, ``.git``) are neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.readers import SUPPORTED_SUFFIXES
from kb.sidecar import is_sidecar

NO_SUFFIX = "（拡張子なし）"


@dataclass
class Scan:
    """The report files found, the files left out by extension, and paths that do not exist."""

    files: list[Path] = field(default_factory=list)
    ignored: dict[str, list[str]] = field(default_factory=dict)
    missing: list[Path] = field(default_factory=list)


def scan_reports(paths: Sequence[Path]) -> Scan:
    """Report files under ``paths``; a path given as a file is taken whatever its extension."""
    scan = Scan()
    for path in paths:
        if path.is_dir():
            _scan_folder(path, scan)
        elif path.is_file():
            scan.files.append(path)
        else:
            scan.missing.append(path)
    return scan


def _scan_folder(folder: Path, scan: Scan) -> None:
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or _hidden(path.relative_to(folder)):
            continue
        suffix = path.suffix.lower()
        if suffix in SUPPORTED_SUFFIXES:
            scan.files.append(path)
        elif not is_sidecar(path):
            scan.ignored.setdefault(suffix or NO_SUFFIX, []).append(str(path))


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
