"""Reports of layouts the bundled corpus does not have, parsed against hand-written expectations.

Each ``tests/data/unseen-*.txt|html`` has an ``unseen-*.expected.json`` beside it:
visits (place, prefecture, code, date, number of Q&A pairs and observations),
members, body and council.  Optional keys check observation authors and the
number of report-wide observations.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kb.model import Report
from kb.municipalities import MunicipalityTable
from kb.parse import parse_file

DATA = Path(__file__).resolve().parent / "data"


def _cases() -> list[str]:
    return sorted(p.name for p in DATA.glob("unseen-*") if p.suffix in (".txt", ".html"))


def _expected(name: str) -> dict[str, Any]:
    stem = name.rsplit(".", 1)[0]
    data: dict[str, Any] = json.loads((DATA / f"{stem}.expected.json").read_text(encoding="utf-8"))
    return data


_PARSED: dict[str, Report] = {}


def _parse(name: str) -> Report:
    if name not in _PARSED:
        _PARSED[name] = parse_file(DATA / name)
    return _PARSED[name]


def test_every_unseen_report_has_expectations() -> None:
    names = _cases()
    assert len(names) >= 6
    assert all((DATA / f"{n.rsplit('.', 1)[0]}.expected.json").exists() for n in names)


@pytest.mark.parametrize("name", _cases())
def test_visits(name: str) -> None:
    report, want = _parse(name), _expected(name)
    got = [
        {"municipality": v.municipality, "prefecture": v.prefecture, "code": v.code, "date": v.date,
         "qa_pairs": len(v.qa), "observations": len(v.observations)}
        for v in report.visits
    ]
    keys = ("municipality", "prefecture", "code", "date", "qa_pairs", "observations")
    assert got == [{k: w[k] for k in keys} for w in want["visits"]]


@pytest.mark.parametrize("name", _cases())
def test_observation_authors(name: str) -> None:
    report, want = _parse(name), _expected(name)
    for visit, expected in zip(report.visits, want["visits"]):
        if "observation_authors" in expected:
            assert [o.author for o in visit.observations] == expected["observation_authors"]
    if "report_observations" in want:
        assert len(report.observations) == want["report_observations"]
    if "report_observation_authors" in want:
        assert [o.author for o in report.observations] == want["report_observation_authors"]


@pytest.mark.parametrize("name", _cases())
@pytest.mark.parametrize("key", ["members", "body", "council"])
def test_header(name: str, key: str) -> None:
    assert getattr(_parse(name), key) == _expected(name)[key]


@pytest.mark.parametrize("name", _cases())
def test_expected_codes_are_in_the_table(name: str) -> None:
    """The expectations themselves: every code names that place in data/municipalities.csv."""
    table = MunicipalityTable.load()
    for visit in _expected(name)["visits"]:
        row = table.by_code(visit["code"])
        assert row is not None and (row.name, row.prefecture) == (visit["municipality"], visit["prefecture"])
