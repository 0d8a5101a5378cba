"""The benchmark: report generator (determinism, layouts that parse) and bench/run.py at a tiny N."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import generate  # bench/ is a folder of scripts, found via sys.path
import run

from kb.parse import parse_file


@pytest.fixture(scope="module")
def pools() -> generate.Pools:
    return generate.load_pools()


def test_same_seed_same_bytes_other_seed_other_text(pools: generate.Pools) -> None:
    first = [generate.generate_report(i, 7, pools) for i in range(6)]
    again = [generate.generate_report(i, 7, pools) for i in range(6)]
    other = [generate.generate_report(i, 8, pools) for i in range(6)]
    assert [g.text for g in first] == [g.text for g in again]
    assert all(a.text != b.text for a, b in zip(first, other))


def test_every_layout_is_generated_within_bounds(pools: generate.Pools) -> None:
    reports = [generate.generate_report(i, 7, pools) for i in range(len(generate.LAYOUTS))]
    assert {g.layout for g in reports} == set(generate.LAYOUTS)
    assert all(generate.MIN_CHARS <= len(g.text) <= generate.MAX_CHARS for g in reports)
    assert len({g.name for g in reports}) == len(reports)


@pytest.mark.parametrize("index", range(12))
def test_generated_report_parses_to_its_visits(index: int, pools: generate.Pools, tmp_path: Path) -> None:
    report = generate.generate_report(index, 7, pools)
    path = tmp_path / report.name
    path.write_text(report.text, encoding="utf-8")
    parsed = parse_file(path)
    assert [v.municipality for v in parsed.visits] == report.cities
    assert all(v.passages for v in parsed.visits)


def test_query_file_has_enough_queries() -> None:
    queries = run.load_queries()
    assert len(queries) >= 200 and len(set(queries)) == len(queries)
    assert {"BYOD", "kintone", "テレワーク", "電子申請"} <= set(queries)


def test_percentiles() -> None:
    stats = run.percentiles([float(n) for n in range(1, 101)])
    assert (stats["p50_ms"], stats["p95_ms"], stats["max_ms"]) == (50.5, 95.0, 100.0)
    assert run.percentiles([]) == {"n": 0}


def test_run_prints_the_figures(tmp_path: Path) -> None:
    result = run.main(["--reports", "5", "--out", str(tmp_path)])
    assert result["corpus"]["files"] == 5 and result["build"]["returncode"] == 0
    assert result["build"]["failed"] == 0 and result["build"]["passages"] > 20
    assert result["raw_sudachi"]["morphemes"] > 1000
    assert result["build"]["ratio_to_raw_sudachi"] > 0
    compare = result["compare"]
    for key in ("p50_ms", "p95_ms", "max_ms"):
        assert result["search_library"][key] >= 0
        for view in ("without_query", "with_query", "qa", "matrix"):
            assert compare[view][key] >= 0
    assert result["search_library"]["n"] == result["queries"] >= 200
    assert len(compare["cities"]) == 2 and compare["rows"] > 0 and compare["sources"] > 0
    assert compare["matrix_first_ms"] > 0
    assert result["search_http"]["available"] is False
    assert result["index_mb"] > 0 and (tmp_path / "result.json").exists()
    assert set(result["engines"]) == {"sqlite", "whoosh"}
    for figures in result["engines"].values():
        assert figures["build"]["returncode"] == 0 and figures["index_mb"] > 0
        assert figures["search_library"]["n"] == result["queries"]
        assert figures["practices"]["catalogue"]["p50_ms"] >= 0 and figures["query_peak_rss_mb"] > 0
        assert figures["city_page"]["visits"] > 0 and figures["city_page"]["scoped_search"]["p50_ms"] >= 0
        assert figures["export"]["rows"]["passages"] == figures["build"]["passages"]


def test_run_refuses_data_folder() -> None:
    with pytest.raises(SystemExit):
        run.main(["--reports", "1", "--out", str(BENCH.parent / "data" / "bench")])


def test_analyser_bench_measures_the_same_texts_both_ways(capsys: pytest.CaptureFixture[str]) -> None:
    import analyser

    reports = Path(__file__).resolve().parents[1] / "data" / "reports"
    result = analyser.main(["--corpus", str(reports), "--limit", "3", "--rounds", "1", "--batch", "2"])
    assert result["texts"] == 3 and result["morphemes"] > result["positions"] > 0
    assert set(result["seconds_rounds"]) == {"tokenize_user", "tokenize_plain", "analyser"}
    assert result["ratio"] == result["ratio_rounds"][0] > 0
    assert '"ratio"' in capsys.readouterr().out
