"""Writing a JSON document whose one big array is streamed, item by item, with the json module."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

INDENT = 2


def write_json_object(stream: IO[str], head: dict[str, Any], array_key: str, items: Iterable[dict[str, Any]]) -> int:
    """``{**head, array_key: [items…]}``, the array written as items arrive; returns the count.

    Each piece is produced by ``json.dumps``; only the object's braces and the separators between
    already-serialised pieces are written by hand.
    """
    stream.write("{\n")
    for key, value in head.items():
        stream.write(f"  {json.dumps(key)}: {_nested(value)},\n")
    stream.write(f"  {json.dumps(array_key)}: [")
    count = 0
    for item in items:
        stream.write(",\n    " if count else "\n    ")
        stream.write(_nested(item, level=2))
        count += 1
    stream.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def write_json_array(stream: IO[str], items: Iterable[dict[str, Any]]) -> int:
    stream.write("[")
    count = 0
    for item in items:
        stream.write(",\n  " if count else "\n  ")
        stream.write(_nested(item, level=1))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def _nested(value: Any, level: int = 1) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=INDENT)
    return text.replace("\n", "\n" + " " * (INDENT * level))
