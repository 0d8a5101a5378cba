"""Reports of layouts the bundled corpus does not have, parsed against hand-written expectations.

Each ``tests/data/unseen-*.txt|html`` has an ``unseen-*.expected.json`` beside it:
visits (place, prefecture, code, date, number of Q&A pairs and observations),
members, body and council.  Optional keys check observation authors and the
number of report-wide observations.

Besides the exact visits, three finer checks say what part of a visit list is
right: the places (``places``), their dates (``dates``) and their Q&A counts
(``qa``).  ``KNOWN_PARSER_GAPS`` maps ``(file, check)`` to what the current
parser gets wrong; each such test runs as a strict xfail, so an entry must be
deleted as soon as the parser gets it right.
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


KNOWN_PARSER_GAPS: dict[tuple[str, str], str] = {
    ("unseen-alpha-markers.txt", "members"): "parser: 「委　員　小林達也（委員長）、…」 (label spaced out, roles in "
    "parentheses) yields no members",
    ("unseen-kanji-dates.txt", "members"): "parser: 「一　視察委員」 with roles on their own lines yields no members",
    ("unseen-sono-range.txt", "members"): "parser: 「２　委　員　委員長　足立　康弘　　副委員長　…」 yields no members",
}


def _cases() -> list[str]:
    return sorted(p.name for p in DATA.glob("unseen-*") if p.suffix in (".txt", ".html"))


def _params(check: str) -> list[object]:
    """The files, each a strict xfail where ``(file, check)`` is a known gap."""
    params: list[object] = []
    for name in _cases():
        gap = KNOWN_PARSER_GAPS.get((name, check))
        marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        params.append(pytest.param(name, id=name, marks=marks))
    return params


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
    assert len(names) >= 25
    assert all((DATA / f"{n.rsplit('.', 1)[0]}.expected.json").exists() for n in names)


def test_known_gaps_name_real_cases() -> None:
    checks = {"visits", "places", "dates", "qa", "observations", "members", "body", "council"}
    assert all(name in _cases() and check in checks for name, check in KNOWN_PARSER_GAPS)


@pytest.mark.parametrize("name", _params("visits"))
def test_visits(name: str) -> None:
    report, want = _parse(name), _expected(name)
    got = [
        {"municipality": v.municipality, "prefecture": v.prefecture, "code": v.code, "date": v.date,
         "qa_pairs": len(v.qa), "observations": len(v.observations)}
        for v in report.visits
    ]
    keys = ("municipality", "prefecture", "code", "date", "qa_pairs", "observations")
    assert got == [{k: w[k] for k in keys} for w in want["visits"]]


@pytest.mark.parametrize("name", _params("places"))
def test_places(name: str) -> None:
    got = [(v.municipality, v.prefecture, v.code) for v in _parse(name).visits]
    assert got == [(w["municipality"], w["prefecture"], w["code"]) for w in _expected(name)["visits"]]


@pytest.mark.parametrize("name", _params("dates"))
def test_dates(name: str) -> None:
    got = [(v.municipality, v.date) for v in _parse(name).visits]
    assert got == [(w["municipality"], w["date"]) for w in _expected(name)["visits"]]


@pytest.mark.parametrize("name", _params("qa"))
def test_qa_counts(name: str) -> None:
    got = [(v.municipality, len(v.qa)) for v in _parse(name).visits]
    assert got == [(w["municipality"], w["qa_pairs"]) for w in _expected(name)["visits"]]


@pytest.mark.parametrize("name", _params("observations"))
def test_observation_authors(name: str) -> None:
    report, want = _parse(name), _expected(name)
    for visit, expected in zip(report.visits, want["visits"]):
        if "observation_authors" in expected:
            assert [o.author for o in visit.observations] == expected["observation_authors"]
    if "report_observations" in want:
        assert len(report.observations) == want["report_observations"]
    if "report_observation_authors" in want:
        assert [o.author for o in report.observations] == want["report_observation_authors"]


@pytest.mark.parametrize("name", _params("members"))
def test_members(name: str) -> None:
    assert _parse(name).members == _expected(name)["members"]


@pytest.mark.parametrize("name", _params("body"))
def test_body(name: str) -> None:
    assert _parse(name).body == _expected(name)["body"]


@pytest.mark.parametrize("name", _params("council"))
def test_council(name: str) -> None:
    assert _parse(name).council == _expected(name)["council"]


@pytest.mark.parametrize("name", _cases())
def test_expected_codes_are_in_the_table(name: str) -> None:
    """The expectations themselves: every code names that place in data/municipalities.csv."""
    table = MunicipalityTable.load()
    for visit in _expected(name)["visits"]:
        row = table.by_code(visit["code"])
        assert row is not None and (row.name, row.prefecture) == (visit["municipality"], visit["prefecture"])
