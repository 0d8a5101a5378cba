"""What a walk through a section collects: passages, Q&A pairs, observations."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.model import Observation, Passage, QAPair, Section


@dataclass
class WalkState:
    """What the walk through a section's lines carries from line to line."""

    mode: Section = "content"
    heading: str = ""
    author: str = ""
    pending_q: str = ""
    pending_heading: str = ""
    answer_end: int = -1
    # A role word alone on its line (「―質問―」) waits for its text: "q" or "a".
    expect: str = ""
    q_indent: int = 0
    q_end: int = -1
    a_indent: int = -1
    # The indent of the heading that opened a Q&A or 所感 section: a heading left of it ends the section.
    mode_indent: int = 0


@dataclass
class Collector:
    """Passages, Q&A and observations of one visit (or of the report)."""

    prefix: str
    passages: list[Passage] = field(default_factory=list)
    qa: list[QAPair] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    # Questions left without an answer in the text (kept as content passages).
    unpaired: list[str] = field(default_factory=list)

    def add(self, section: Section, text: str, heading: str) -> Passage:
        """Add a passage numbered after the others and return it."""
        passage = Passage(f"{self.prefix}-p{len(self.passages) + 1}", section, text, heading)
        self.passages.append(passage)
        return passage


def content_section(state: WalkState) -> Section:
    """The section of plain text under the current heading: overview or content."""
    return "overview" if state.mode == "overview" else "content"


def emit(coll: Collector, state: WalkState, section: Section, text: str) -> None:
    """Add a passage, and an observation when it is one."""
    passage = coll.add(section, text, state.heading)
    if section == "observation":
        coll.observations.append(Observation(state.author, text, passage.id))


def renumber(prefix: str, passages: list[Passage], qa: list[QAPair], observations: list[Observation]) -> None:
    """Number ``passages`` ``{prefix}-p1``… in order and relink the pairs and observations."""
    renamed: dict[str, str] = {}
    for n, passage in enumerate(passages, start=1):
        renamed[passage.id] = passage.id = f"{prefix}-p{n}"
    for pair in qa:
        pair.passage = renamed.get(pair.passage, pair.passage)
    for obs in observations:
        obs.passage = renamed.get(obs.passage, obs.passage)
