"""Practices and key figures of a parsed report, read passage by passage."""

from __future__ import annotations

from kb.figures import extract_figures
from kb.model import KeyFigure, Passage, PracticeRef, Report
from kb.taxonomy import Taxonomy, default_taxonomy


def enrich(report: Report, taxonomy: Taxonomy | None = None) -> Report:
    """Tag every passage with its practices; give each visit (and the report) its practices and figures.

    A passage is tagged by its own text only: a heading over several
    passages would otherwise tag each of them.
    """
    taxonomy = taxonomy or default_taxonomy()
    for _, passage in report.all_passages():
        passage.practices = list(taxonomy.tag(passage.text))
    for visit in report.visits:
        visit.practices = practice_refs(visit.passages, taxonomy)
        visit.figures = key_figures(visit.passages)
    report.practices = practice_refs(report.passages, taxonomy)
    report.figures = key_figures(report.passages)
    return report


def practice_refs(passages: list[Passage], taxonomy: Taxonomy) -> list[PracticeRef]:
    """The practices mentioned in ``passages``, in order of first mention, each with its passages."""
    refs: dict[str, PracticeRef] = {}
    for passage in passages:
        for practice_id in passage.practices:
            ref = refs.get(practice_id)
            if ref is None:
                practice = taxonomy.practice(practice_id)
                ref = refs[practice_id] = PracticeRef(practice.id, practice.name, practice.category)
            ref.passages.append(passage.id)
    return list(refs.values())


def key_figures(passages: list[Passage]) -> list[KeyFigure]:
    """Numbers with a unit in ``passages``, each citing its passage."""
    out: list[KeyFigure] = []
    for passage in passages:
        for fig in extract_figures(passage.text):
            out.append(KeyFigure(fig.value, fig.unit, fig.approx, fig.text, fig.context, passage.id, fig.qualifier))
    return out
