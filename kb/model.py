"""Typed domain model of a parsed inspection report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Section = Literal["overview", "content", "qa", "observation"]
SECTIONS: tuple[Section, ...] = ("overview", "content", "qa", "observation")
SECTION_LABELS: dict[str, str] = {
    "overview": "概要",
    "content": "視察内容",
    "qa": "質疑応答",
    "observation": "所見",
}


@dataclass
class Passage:
    """One searchable unit: a paragraph, one Q&A pair or one observation.

    ``id`` is unique within its report (``v1-p3``; ``r-p2`` for passages
    outside any visit) and is the anchor of the passage on the report page.
    """

    id: str
    section: Section
    text: str
    heading: str = ""
    practices: list[str] = field(default_factory=list)


@dataclass
class PracticeRef:
    """A practice of the taxonomy mentioned in a visit, with the passages mentioning it."""

    id: str
    name: str
    category: str
    passages: list[str] = field(default_factory=list)


@dataclass
class KeyFigure:
    """A number with its unit, read from a passage (``約6万人`` → 60000 人, approximate)."""

    value: int | float
    unit: str
    approx: bool
    text: str
    context: str
    passage: str = ""
    qualifier: str = ""  # 以上, 以下, 未満, 以内 or 超: the value is a bound


@dataclass
class QAPair:
    """A question put to the host city's staff and the answer given."""

    question: str
    answer: str
    passage: str = ""


@dataclass
class Observation:
    """The committee's (or one member's) own observation."""

    author: str
    text: str
    passage: str = ""


@dataclass
class Doubt:
    """Something the parser is unsure of, said out loud instead of guessed silently.

    ``kind`` is one of ``no-visit``, ``no-date``, ``schedule-mismatch``,
    ``qa-unpaired``, ``ambiguous-host``, ``unclaimed-section``; ``message`` and
    ``advice`` (what to do) are Japanese; ``visit`` is the 1-based visit it is
    about, or None for the whole report.
    """

    kind: str
    message: str
    advice: str = ""
    visit: int | None = None


@dataclass
class Visit:
    """One host visited on one day."""

    municipality: str = ""
    prefecture: str = ""
    code: str = ""
    date: str | None = None
    district: str = ""
    respondents: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    qa: list[QAPair] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    practices: list[PracticeRef] = field(default_factory=list)
    figures: list[KeyFigure] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)


@dataclass
class Period:
    """First and last day of the inspection trip, ISO dates."""

    start: str | None = None
    end: str | None = None


@dataclass
class Report:
    """A parsed inspection report.

    ``text`` is the repaired text: what is indexed, shown and highlighted.
    ``passages`` holds report-level passages outside any visit (an overview,
    or every paragraph of a layout that was not recognised); ``practices``
    and ``figures`` are those of these report-level passages.
    """

    file: str
    title: str = ""
    body: str = ""
    council: str = ""
    period: Period = field(default_factory=Period)
    members: list[str] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    practices: list[PracticeRef] = field(default_factory=list)
    figures: list[KeyFigure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)
    format: str = "txt"
    encoding: str = "utf-8"
    text: str = ""

    def all_passages(self) -> list[tuple[Visit | None, Passage]]:
        """Every passage of the report with the visit it belongs to."""
        out: list[tuple[Visit | None, Passage]] = [(None, p) for p in self.passages]
        for visit in self.visits:
            out.extend((visit, p) for p in visit.passages)
        return out

    def to_dict(self, *, with_text: bool = False) -> dict[str, Any]:
        """The JSON shape of ``dxkb parse --json``."""
        data = asdict(self)
        if not with_text:
            data.pop("text")
        return data
