"""The stylesheet and scripts are whole: balanced braces, no leftover merge markers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "webui" / "static"
FILES = sorted(p for p in STATIC.iterdir() if p.suffix in (".css", ".js"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_merge_markers(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"^(<{7}|={7}|>{7})( |$)", text, re.MULTILINE)


def test_stylesheet_braces_balance() -> None:
    css = re.sub(r"/\*.*?\*/", "", (STATIC / "style.css").read_text(encoding="utf-8"), flags=re.DOTALL)
    depth = 0
    for ch in css:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
