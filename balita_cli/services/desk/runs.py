"""What ``balita fetch`` is asked (``FetchRequest``) and what it reports: each source's run, and
how each new entry was filed (``fetch --explain``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from balita_cli.services.desk.source_settings import SourceRecord


@dataclass(frozen=True)
class Candidate:
    story_id: int
    title: str
    score: float
    figures_differ: bool
    same_source: bool


@dataclass(frozen=True)
class Explained:
    """How one new entry was filed, and the stories it was compared with (``fetch --explain``)."""

    title: str
    decision: str  # "new story", "related", "duplicate" (the same title from the same source), "rejected"
    story_id: int | None
    candidates: tuple[Candidate, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "decision": self.decision,
            "story_id": self.story_id,
            "candidates": [
                {
                    "id": c.story_id,
                    "title": c.title,
                    "score": round(c.score, 4),
                    "figures_differ": c.figures_differ,
                    "same_source": c.same_source,
                }
                for c in self.candidates
            ],
        }


@dataclass
class SourceRun:
    """One source's part of a run."""

    source: SourceRecord
    result: str = "fetched"  # "fetched", "not modified" or "failed"
    reason: str = ""  # why it failed: one line
    created: list[int] = field(default_factory=list)
    related: int = 0
    duplicates: int = 0  # entries repeating the title of a story of this source: noted with it
    skipped: int = 0  # entries already here
    rejected: int = 0  # entries that could not be stored
    problems: list[str] = field(default_factory=list)
    explained: list[Explained] = field(default_factory=list)
    next_due_at: datetime | None = None

    @property
    def name(self) -> str:
        return str(self.source["name"])

    def as_dict(self, *, explain: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.name,
            "slug": self.source["slug"],
            "result": self.result,
            "reason": self.reason,
            "created": len(self.created),
            "related": self.related,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "ids": self.created,
            "problems": self.problems,
            "next_due_at": self.next_due_at.isoformat() if self.next_due_at else None,
        }
        if explain:
            data["explain"] = [item.as_dict() for item in self.explained]
        return data


@dataclass(frozen=True)
class FetchReport:
    runs: Sequence[SourceRun] = ()
    next_source: SourceRecord | None = None  # when nothing was due: the one due next

    @property
    def failed(self) -> list[SourceRun]:
        return [run for run in self.runs if run.result == "failed"]


@dataclass(frozen=True)
class FetchRequest:
    names: Sequence[str] = ()
    explain: bool = False
    timeout: float | None = None
    who: str = ""
