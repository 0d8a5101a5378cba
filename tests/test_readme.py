"""README.md starts with the two commands that set up and run the product and its tests."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_first_command_installs_indexes_and_serves() -> None:
    first = readme_commands()[0]
    assert first.startswith("python3 -m venv .venv && ")
    assert first.endswith("dxkb index && .venv/bin/dxkb serve")


def test_ci_runs_the_second_command() -> None:
    second = readme_commands()[1]
    assert "pytest" in second
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert second in ci_lines


def test_ci_installs_the_japanese_font_before_the_tests() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    install = next(i for i, line in enumerate(ci_lines) if "apt-get install -y -q fonts-ipafont" in line)
    assert install < ci_lines.index(readme_commands()[1])


def test_ci_installs_chromium_before_the_tests() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    install = next(i for i, line in enumerate(ci_lines) if "apt-get install -y -q chromium" in line)
    assert install < ci_lines.index(readme_commands()[1])
    assert not any("playwright install" in line for line in ci_lines if not line.lstrip().startswith("#"))


def test_ci_requires_the_browser_tests_to_run() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    require = ci_lines.index("export DXKB_REQUIRE_BROWSER=1")
    assert require < ci_lines.index(readme_commands()[1])
