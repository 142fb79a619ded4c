"""balita's own JSON Lines export read back: one ``records.article_record`` dict per line.

``export jsonl`` followed by ``import jsonl`` into an empty database gives back the same
articles. Read-only fields of the record (id, url, version, word_count) are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from balita_cli.errors import InvalidInput
from balita_cli.formats.readers.base import (
    ImportCorrection,
    ImportRecord,
    ReadItem,
    ReadOptions,
    Rejected,
    parse_time,
    text_list,
)
from balita_cli.records import derive_summary
from balita_cli.workflow import Status

TEXT_FIELDS = (
    "subtitle", "source_name", "source_url", "canonical_url", "image_url", "image_alt",
    "image_caption", "image_credit", "dateline", "editor_note", "retraction_reason",
)  # fmt: skip
TIME_FIELDS = ("created_at", "updated_at", "published_at", "scheduled_at", "expires_at", "deleted_at")


def record_from_dict(data: dict[str, Any], origin: str) -> ImportRecord:
    """An ``article_record`` dict (already with lists and corrections as lists) -> ImportRecord."""
    status_text = str(data.get("status") or "draft")
    try:
        status = Status(status_text)
    except ValueError:
        raise InvalidInput(f"unknown status {status_text!r}") from None
    body = _text(data.get("body"))
    summary = _text(data.get("summary"))
    record = ImportRecord(
        title=_text(data.get("title")),
        origin=origin,
        external_id=_text(data.get("external_id")) or None,
        body=body,
        # The exported summary is derived from the body when none was written: keep it derived.
        summary="" if summary == derive_summary(body) else summary,
        language=_text(data.get("language")) or None,
        slug=_text(data.get("slug")) or None,
        section=_text(data.get("section")) or None,
        tags=text_list(data.get("tags")),
        authors=text_list(data.get("authors")),
        status=status,
        featured=data.get("featured") in (True, "true", "1", 1),
        aliases=text_list(data.get("aliases")),
        corrections=[_correction(item) for item in data.get("corrections") or []],
    )
    for name in TEXT_FIELDS:
        setattr(record, name, _text(data.get(name)))
    for name in TIME_FIELDS:
        setattr(record, name, parse_time(data.get(name), UTC))
    return record


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _correction(item: Any) -> ImportCorrection:
    if not isinstance(item, dict) or not item.get("text"):
        raise InvalidInput("a correction needs a text")
    return ImportCorrection(
        text=str(item["text"]),
        created_at=parse_time(item.get("created_at"), UTC),
        kind=str(item.get("kind") or "correction"),
    )


class JsonlReader:
    name = "jsonl"
    description = "balita JSON Lines export (one article per line)"

    def estimate(self, path: str) -> int | None:
        with Path(path).open("rb") as handle:
            return sum(1 for line in handle if line.strip())

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        source = Path(path)
        if not source.is_file():
            raise InvalidInput(f"{path}: no such file")
        with source.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                origin = f"{source.name}: line {number}"
                try:
                    data = json.loads(raw.decode("utf-8"))
                    if not isinstance(data, dict):
                        raise InvalidInput("line is not a JSON object")
                    yield record_from_dict(data, origin)
                except UnicodeDecodeError as exc:
                    yield Rejected(origin, f"not valid UTF-8 (byte {exc.start})")
                except json.JSONDecodeError as exc:
                    yield Rejected(origin, f"not valid JSON (column {exc.colno}): {exc.msg}")
                except InvalidInput as exc:
                    yield Rejected(origin, exc.message)


READER = JsonlReader()
