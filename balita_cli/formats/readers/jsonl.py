"""balita's own JSON Lines export read back: one record per line, as ``export jsonl`` writes it.

``export jsonl`` followed by ``import jsonl`` into an empty database gives back the same
articles. Every input field of the schema is read; the system's own (id, url, version,
word_count, updated_by) are ignored, and a summary that is only the body's first paragraph stays
derived.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from balita_cli.errors import InvalidInput
from balita_cli.formats.readers.base import (
    TEXT_FIELDS,
    Reader,
    ReadItem,
    ReadOptions,
    Rejected,
    input_value,
    keep_summary_derived,
)
from balita_cli.schema import FIELDS, INPUT_FIELDS, ArticleInput
from balita_cli.workflow import Status

# JSON documents nested deeper than this are refused before they are parsed.
MAX_DEPTH = 64
# The fields a line may give, in the schema's order.
READ_FIELDS = tuple(spec.name for spec in FIELDS if spec.name in INPUT_FIELDS)


def record_from_dict(data: dict[str, Any], origin: str) -> ArticleInput:
    """A record dict (lists as lists, notices as objects) -> the input of the article service."""
    record = ArticleInput(origin=origin)
    values = record.values
    for name in READ_FIELDS:
        if name in data:
            value = data[name]
            # Text of a text field, nearly every value, is taken as it is (input_value's first case).
            is_text = value is None or name in TEXT_FIELDS and type(value) is str
            values[name] = value if is_text else input_value(name, value)
    keep_summary_derived(record)
    if record.get("status") is None:
        record["status"] = Status.DRAFT
    version = data.get("version")
    if isinstance(version, int | str) and str(version).isdigit() and len(str(version)) < 10:
        record.base_version = int(version)
    return record


def too_deep(raw: bytes) -> bool:
    """Whether brackets nest past MAX_DEPTH (counted without parsing; strings skipped)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False  # a line cannot nest deeper than the brackets it opens
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            escaped, in_string = (False, True) if escaped else (byte == 0x5C, byte != 0x22)
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def parse_line(raw: bytes, origin: str) -> ReadItem:
    try:
        if too_deep(raw):
            raise InvalidInput(f"nested deeper than {MAX_DEPTH} levels")
        data = json.loads(raw.decode("utf-8").removeprefix("\ufeff"))
        if not isinstance(data, dict):
            raise InvalidInput("line is not a JSON object")
        return record_from_dict(data, origin)
    except UnicodeDecodeError as exc:
        return Rejected(origin, f"not valid UTF-8 (byte {exc.start})")
    except json.JSONDecodeError as exc:
        return Rejected(origin, f"not valid JSON (column {exc.colno}): {exc.msg}")
    except (ValueError, RecursionError) as exc:
        return Rejected(origin, f"cannot read: {exc}")
    except InvalidInput as exc:
        return Rejected(origin, exc.message)


class JsonlReader(Reader):
    name = "jsonl"
    description = "balita JSON Lines export (one article per line)"

    def estimate(self, path: str) -> int | None:
        with Path(path).open("rb") as handle:
            return sum(1 for line in handle if line.strip())

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        source = self.existing_file(path)
        with source.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if raw.strip():
                    yield parse_line(raw, f"{source.name}: line {number}")


READER = JsonlReader()
