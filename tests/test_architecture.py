"""Dependencies point one way: kb <- index <- webui."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "kb": {"flask", "whoosh", "werkzeug", "index", "webui", "click"},
    "index": {"flask", "werkzeug", "webui", "click"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    "path", sorted(p for package in FORBIDDEN for p in (ROOT / package).glob("*.py")), ids=str
)
def test_layer_imports(path: Path) -> None:
    package = path.parent.name
    assert imported_roots(path) & FORBIDDEN[package] == set()


def test_the_check_sees_imports() -> None:
    assert {"whoosh", "kb"} <= imported_roots(ROOT / "index" / "whoosh_engine.py")
