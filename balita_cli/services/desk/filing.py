"""Filing what ``balita fetch`` brought, in one write transaction.

New entries are filed oldest first: one already here (by its guid, live, in the trash or filed
as related coverage) is skipped; one with the very title of a recent story of its own source is
that story again, noted with it as a duplicate (a feed that repeats a headline makes one story);
one whose title and lead read as another outlet's version of a recent story
(``text.similarity.CoverageIndex``, threshold ``[desk] related_threshold``) is added to that
story's related coverage; any other becomes a story of its source. The recent
stories and their signatures are read before the transaction takes the database's lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import text, update
from sqlmodel import col

from balita_cli.db.dbapi import Database
from balita_cli.errors import BalitaError
from balita_cli.models import Article
from balita_cli.services import articles
from balita_cli.services.desk.coverage import add_coverage
from balita_cli.services.desk.photos import lead_with_photo, unkept_warning
from balita_cli.services.desk.runs import Candidate, Explained, SourceRun
from balita_cli.services.importing import run as importing
from balita_cli.services.importing.run import TAKE_IMPORT_TURN
from balita_cli.services.query import time_param
from balita_cli.text.similarity import CoverageIndex, signature

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.config import Settings
    from balita_cli.formats.readers.feed_parsing import Entry
    from balita_cli.media.library import Upload
    from balita_cli.schema import ArticleInput
    from balita_cli.services.desk.intake import DeskSettings
    from balita_cli.text.similarity import CoverageIndex

MAX_LEAD_CHARACTERS = 3000  # of a stored body, read for its first paragraph
SHOWN_MATCHES = 3


# ---------------------------------------------------------------- what a run reports of each entry


@dataclass
class Item:
    """A new entry on its way to being filed."""

    run: SourceRun
    entry: Entry
    record: ArticleInput
    order: int
    photo: Upload | str | None = None  # a kept image (``desk/photos.py``), or why it stays linked


# ---------------------------------------------------------------- what is here already


def existing(db: Database, external_ids: Sequence[str]) -> set[str]:
    """Which of these external ids a story (live or in the trash) or a related coverage has."""
    found: set[str] = set()
    unique = list(dict.fromkeys(external_ids))
    for start in range(0, len(unique), 500):
        batch = unique[start : start + 500]
        for table in ("article", "coverage"):
            in_ids, params = db.in_list("external_id", batch)
            found.update(str(row[0]) for row in db.rows(f"SELECT external_id FROM {table} WHERE {in_ids}", params))
    return found


@dataclass(frozen=True)
class Recent:
    story_id: int
    source_id: int | None
    title: str
    signature: bytes


def recent_stories(db: Database, since: datetime) -> list[Recent]:
    """Live stories that came in or were published since ``since``, with their similarity
    signature (computed here, before the write transaction takes the database's lock)."""
    since_param = time_param(db, since)
    rows = db.stream(
        f"SELECT id, source_id, title, substr(body, 1, {MAX_LEAD_CHARACTERS}) FROM article "
        "WHERE deleted_at IS NULL AND (created_at >= ? OR published_at >= ?) ORDER BY id",
        [since_param, since_param],
    )
    return [Recent(int(i), s, str(t), signature(str(t), str(lead or ""))) for i, s, t, lead in rows]


# ---------------------------------------------------------------- filing (one write transaction)


def title_key(source_id: int | None, title: str) -> tuple[int | None, str] | None:
    """What makes two entries of one source the same story whatever else they say: the title,
    spacing and case aside. None for an empty title."""
    words = " ".join(title.split()).casefold()
    return (source_id, words) if words else None


@dataclass
class Filed:
    created: list[int] = field(default_factory=list)
    related: int = 0
    duplicates: int = 0
    skipped: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)
    explained: list[Explained] = field(default_factory=list)


def file_entries(
    session: Session,
    items: list[Item],
    recent: list[Recent],
    runs: list[SourceRun],
    settings: Settings,
    desk: DeskSettings,
    who: str,
) -> list[Filed]:
    """Everything a run files, in the caller's transaction (run again whole if the database was
    busy: nothing here outlives an attempt); what each of ``runs`` filed, in their order."""
    if session.get_bind().dialect.name == "postgresql":  # imports and other runs take turns
        session.execute(text(TAKE_IMPORT_TURN))
    db = Database.of_session(session)
    filed = {id(run): Filed(skipped=run.skipped, rejected=run.rejected, problems=list(run.problems)) for run in runs}
    index = CoverageIndex(desk.related_threshold)
    origin: dict[int, int | None] = {}
    titles: dict[int, str] = {}
    own_titles: dict[tuple[int | None, str], int] = {}
    for story in recent:
        index.add_signature(story.story_id, story.signature)
        origin[story.story_id], titles[story.story_id] = story.source_id, story.title
        key = title_key(story.source_id, story.title)
        if key is not None:
            own_titles.setdefault(key, story.story_id)
    known = existing(db, [item.entry.external_id for item in items])  # again: another run may have filed some
    far_future = datetime.max.replace(tzinfo=UTC)
    for item in sorted(items, key=lambda it: (it.entry.published or far_future, it.order)):
        result = filed[id(item.run)]
        if item.entry.external_id in known:
            result.skipped += 1
            continue
        known.add(item.entry.external_id)
        _file_one(session, item, _Known(index, origin, titles, own_titles), result, settings, desk, who)
    _link_sources(session, ((int(run.source["id"]), filed[id(run)]) for run in runs))
    return [filed[id(run)] for run in runs]


@dataclass(frozen=True)
class _Known:
    """The recent stories and those filed so far in this run: the index, each story's source and
    title, and the first story of each (source, title)."""

    index: CoverageIndex
    origin: dict[int, int | None]
    titles: dict[int, str]
    own_titles: dict[tuple[int | None, str], int]


def _file_one(
    session: Session, item: Item, known: _Known, result: Filed, settings: Settings, desk: DeskSettings, who: str
) -> None:
    source_id = int(item.run.source["id"])
    title, lead = str(item.record.get("title") or ""), str(item.record.get("body") or "")
    key = title_key(source_id, title)
    twin = known.own_titles.get(key) if key is not None else None
    data = signature(title, lead)
    matches = known.index.matches_signature(data, limit=5) if len(known.index) and twin is None else []
    best = next(
        (m for m in matches if m.score >= desk.related_threshold and known.origin.get(m.story_id) != source_id), None
    )
    shown = tuple(
        Candidate(
            m.story_id,
            known.titles.get(m.story_id, ""),
            m.score,
            m.figures_differ,
            known.origin.get(m.story_id) == source_id,
        )
        for m in matches[:SHOWN_MATCHES]
    )
    filed_under = twin if twin is not None else best.story_id if best is not None else None
    try:
        with session.begin_nested():
            if filed_under is not None:
                add_coverage(
                    session,
                    filed_under,
                    [
                        {
                            "source_name": item.record["source_name"],
                            "url": item.entry.link,
                            "title": title,
                            "published_at": item.entry.published,
                            "external_id": item.entry.external_id,
                            "score": 1.0 if best is None else round(best.score, 4),
                        }
                    ],
                )
                story_id = filed_under
            else:
                if item.photo is not None and not isinstance(item.photo, str):
                    lead_with_photo(session, item.record, item.photo, who=who)
                prepared = importing.prepare(item.record, importing.ImportSettings(settings.site.language, who))
                story_id = articles.create(session, prepared, who=who)
    except BalitaError as exc:
        result.rejected += 1
        result.problems.append(f"{item.record.origin}: {exc.message}")
        result.explained.append(Explained(title, "rejected", None, shown))
        return
    if twin is not None:
        result.duplicates += 1
        result.explained.append(Explained(title, "duplicate", story_id, shown))
        return
    if best is not None:
        result.related += 1
        result.explained.append(Explained(title, "related", story_id, shown))
        return
    result.created.append(story_id)
    result.problems += [f"{item.record.origin}: {note}" for note in item.record.notes]
    if isinstance(item.photo, str):
        result.problems.append(unkept_warning(item.record, item.photo))
    result.explained.append(Explained(title, "new story", story_id, shown))
    known.index.add_signature(story_id, data)
    known.origin[story_id], known.titles[story_id] = source_id, title
    if key is not None:
        known.own_titles[key] = story_id


def _link_sources(session: Session, filed: Iterable[tuple[int, Filed]]) -> None:
    """Each source's new stories marked as its own: one statement per source and 500 stories."""
    for source_id, result in filed:
        for start in range(0, len(result.created), 500):
            ids = result.created[start : start + 500]
            session.execute(update(Article).where(col(Article.id).in_(ids)).values(source_id=source_id))
