"""What a ``balita tick`` would find to do: the counts its steps depend on, read in one snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from balita_cli.db.dbapi import Database
from balita_cli.services.query import time_param
from balita_cli.workflow import Status


@dataclass(frozen=True)
class Outlook:
    due: int  # scheduled articles whose time has come
    expiring: int  # published articles past their expiry
    sources: int
    hooks: int
    partners: int
    waiting: int  # deliveries not made yet


def outlook(db: Database, now: datetime) -> Outlook:
    moment = time_param(db, now)

    def count(sql: str, *params: object) -> int:
        return int(db.scalar(sql, list(params)) or 0)

    live = "SELECT count(*) FROM article WHERE deleted_at IS NULL AND status = ? AND {} <= ?"
    return Outlook(
        due=count(live.format("scheduled_at"), Status.SCHEDULED.value, moment),
        expiring=count(live.format("expires_at"), Status.PUBLISHED.value, moment),
        sources=count("SELECT count(*) FROM source"),
        hooks=count("SELECT count(*) FROM destination WHERE kind = ?", "hook"),
        partners=count("SELECT count(*) FROM destination WHERE kind = ?", "partner"),
        waiting=count("SELECT count(*) FROM delivery WHERE state = ?", "pending"),
    )
