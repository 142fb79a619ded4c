"""JSON for every machine output, with one library (orjson) so a record is the same bytes wherever
it appears: a JSON Lines row, an item of a streamed array, ``show --format json``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import orjson

INDENT = 2


def json_line(value: Any) -> str:
    """One compact JSON document and a newline (JSON Lines)."""
    return json_line_bytes(value).decode("utf-8")


def json_line_bytes(value: Any) -> bytes:
    """``json_line`` as the UTF-8 bytes orjson makes, for a writer of bytes."""
    return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)


def json_text(value: Any, level: int = 0) -> str:
    """Indented JSON, shifted ``level`` indents to the right for nesting in a streamed document."""
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    return text.replace("\n", "\n" + " " * (INDENT * level)) if level else text


def write_json_object(stream: IO[str], head: dict[str, Any], array_key: str, items: Iterable[Any]) -> int:
    """``{**head, array_key: [items…]}``, the array written as items arrive; returns the count."""
    stream.write("{\n")
    for key, value in head.items():
        stream.write(f"  {json_text(key)}: {json_text(value, 1)},\n")
    stream.write(f"  {json_text(array_key)}: [")
    count = 0
    for item in items:
        stream.write(",\n    " if count else "\n    ")
        stream.write(json_text(item, 2))
        count += 1
    stream.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def write_json_array(stream: IO[str], items: Iterable[Any]) -> int:
    stream.write("[")
    count = 0
    for item in items:
        stream.write(",\n  " if count else "\n  ")
        stream.write(json_text(item, 1))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count
