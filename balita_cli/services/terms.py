"""Tags, sections and authors as the read commands see them: names, slugs and how often used."""

from __future__ import annotations

from typing import Any

from balita_cli.db.dbapi import Database

_USAGE = {
    "section": "SELECT section.id, section.name, section.slug, "
    "(SELECT count(*) FROM article WHERE article.section_id = section.id AND article.deleted_at IS NULL) "
    "FROM section ORDER BY section.slug",
    "tag": "SELECT tag.id, tag.name, tag.slug, (SELECT count(*) FROM article_tag JOIN article "
    "ON article.id = article_tag.article_id WHERE article_tag.tag_id = tag.id AND article.deleted_at IS NULL) "
    "FROM tag ORDER BY tag.slug",
    "author": "SELECT author.id, author.name, author.slug, (SELECT count(*) FROM article_author JOIN article "
    "ON article.id = article_author.article_id WHERE article_author.author_id = author.id "
    "AND article.deleted_at IS NULL) FROM author ORDER BY author.slug",
}
TERM_FIELDS = ("id", "name", "slug", "articles")


def usage(db: Database, kind: str) -> list[dict[str, Any]]:
    """Every term of a kind with the number of live articles using it, by slug."""
    return [dict(zip(TERM_FIELDS, row, strict=True)) for row in db.rows(_USAGE[kind])]


def popular(db: Database, kind: str, limit: int) -> list[str]:
    """The names most used, most used first (what a prompt offers)."""
    ranked = sorted(usage(db, kind), key=lambda term: (-term["articles"], term["slug"]))
    return [str(term["name"]) for term in ranked[:limit]]
