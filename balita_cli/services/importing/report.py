"""What an import is asked to do (``ImportSettings``) and what it did (``ImportSummary``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BATCH_SIZE = 1000  # records a transaction: few commits, memory still bounded


@dataclass(frozen=True)
class Problem:
    origin: str
    message: str


@dataclass
class ImportSummary:
    """What an import did; ``as_dict`` is the stable shape printed by ``--format json``."""

    dry_run: bool = False
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    conflicts: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return (
            self.created + self.updated + self.duplicates + self.rejected + self.conflicts + sum(self.skipped.values())
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
            "skipped": dict(sorted(self.skipped.items())),
            "problems": [{"origin": p.origin, "message": p.message} for p in self.problems],
            "warnings": [{"origin": p.origin, "message": p.message} for p in self.warnings],
        }


@dataclass(frozen=True)
class ImportSettings:
    language: str = "en"  # for records that do not say
    who: str = ""
    update: bool = False  # refresh articles whose source changed
    dry_run: bool = False  # do everything, then roll back
    batch_size: int = DEFAULT_BATCH_SIZE
