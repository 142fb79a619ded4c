"""Records as JSON Lines made by SQLite itself, for ``export jsonl``.

SQLite's ``json_object`` makes each record in C, where Python would spend as long on it as on
reading the row. The SQL is generated from ``schema.FIELDS`` with the same value rules as
``records.build_record``, so every line is byte-identical to the Python record
(tests/test_export_floor.py holds them together); what SQL cannot make the same way (a derived
summary, a time in another text format) is made by ``build_record``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from balita_cli.db.dbapi import Database
from balita_cli.formats.streaming import json_line
from balita_cli.schema import FIELDS, Field, Kind, Storage
from balita_cli.services import reading
from balita_cli.services.query import ArticleFilter, Window

# SQLAlchemy stores a time on SQLite as "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC).
_DIGITS = "[0-9]"
_STORED_TIME = f"{_DIGITS * 4}-{_DIGITS * 2}-{_DIGITS * 2} {_DIGITS * 2}:{_DIGITS * 2}:{_DIGITS * 2}.{_DIGITS * 6}"


def iso(column: str) -> str:
    """SQL for ``datetime.isoformat()`` of a stored UTC time: fractions only when not zero."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL ELSE replace(CASE WHEN substr({column}, 21) = '000000' "
        f"THEN substr({column}, 1, 19) ELSE {column} END, ' ', 'T') || '+00:00' END"
    )


def _array(select: str, *, objects: bool = False) -> str:
    """A JSON array from a subquery's ``value`` column (JSON objects keep their type with json())."""
    value = "json(value)" if objects else "value"
    return f"json((SELECT json_group_array({value}) FROM ({select})))"


_RELATIONS = {
    "section": "(SELECT name FROM section WHERE section.id = a.section_id)",
    "tags": _array(
        "SELECT tag.name AS value FROM article_tag JOIN tag ON tag.id = article_tag.tag_id "
        "WHERE article_tag.article_id = a.id ORDER BY tag.slug"
    ),
    "authors": _array(
        "SELECT author.name AS value FROM article_author JOIN author ON author.id = "
        "article_author.author_id WHERE article_author.article_id = a.id "
        "ORDER BY article_author.position"
    ),
    "aliases": _array("SELECT slug AS value FROM article_slug WHERE article_id = a.id ORDER BY id"),
    "corrections": _array(
        f"SELECT json_object('kind', kind, 'created_at', {iso('created_at')}, 'text', text) AS value "
        "FROM correction WHERE article_id = a.id ORDER BY id",
        objects=True,
    ),
    "coverage": _array(
        f"SELECT json_object('source_name', source_name, 'url', url, 'title', title, 'published_at', "
        f"{iso('published_at')}, 'external_id', external_id) AS value FROM coverage WHERE article_id = a.id "
        "ORDER BY published_at, id",
        objects=True,
    ),
    "source_feed_url": "(SELECT url FROM source WHERE source.id = a.source_id)",
    "photo": "json((SELECT json_object('id', id, 'sha256', sha256, 'format', format, 'width', width, 'height', "
    "height, 'size', size, 'alt', alt, 'caption', caption, 'credit', credit, 'media_type', CASE format "
    + " ".join(f"WHEN '{name}' THEN '{kind}'" for name, kind in reading.MEDIA_TYPES.items())
    + " ELSE 'application/octet-stream' END) FROM photo WHERE photo.id = a.image_id))",
}


def _value(field: Field) -> str:
    column = f"a.{field.name}"
    if field.name == "url":
        return "? || a.slug || '/'"
    if field.storage is Storage.RELATION:
        return _RELATIONS[field.name]
    if field.kind is Kind.TIME:
        return iso(column)
    if field.kind is Kind.BOOL:
        return f"json(CASE WHEN {column} THEN 'true' ELSE 'false' END)"
    return column


def _needs_python() -> str:
    """Rows whose record SQL cannot make: a derived summary, or a time in another text form."""
    times = [
        f"({f'a.{f.name}'} IS NOT NULL AND a.{f.name} NOT GLOB '{_STORED_TIME}')"
        for f in FIELDS
        if f.kind is Kind.TIME and f.storage is Storage.COLUMN
    ]
    return " OR ".join(["a.summary = ''", *times])


_OBJECT = "json_object(" + ", ".join(f"'{field.name}', {_value(field)}" for field in FIELDS) + ")"


def stream_lines(db: Database, flt: ArticleFilter, base_url: str, window: Window) -> Iterator[bytes]:
    """The records of ``stream_records`` as UTF-8 JSON lines, in the same order (SQLite only).
    Each line comes out of SQLite as bytes (``CAST … AS BLOB``) and is written as it came, never
    decoded into text only to be encoded again."""
    url_prefix = f"{base_url.rstrip('/')}/articles/"
    line = f"CAST({_OBJECT} || char(10) AS BLOB)"
    for batch in reading.id_batches(reading.matching_ids(db, flt, window)):
        in_ids, params = db.in_list("a.id", batch)
        rows = db.rows(
            f"SELECT a.id, {line}, {_needs_python()} FROM article AS a WHERE {in_ids}", [url_prefix, *params]
        )
        by_id: dict[int, tuple[Any, ...]] = {row[0]: row for row in rows}
        redo = [article_id for article_id, row in by_id.items() if row[2]]
        remade = {record["id"]: json_line(record).encode() for record in reading.records_for(db, redo, base_url)}
        for article_id in batch:
            if article_id in remade:
                yield remade[article_id]
            elif article_id in by_id:
                yield by_id[article_id][1]
