"""Write the tables of export formats (docs/formats.md), import formats (docs/importing.md) and
source types (docs/aggregating.md) from their registries: `python docs/generate_format_tables.py`.
tests/test_docs.py fails when a committed table differs from what this produces."""

from __future__ import annotations

import sys
from pathlib import Path

from balita_cli.formats import FORMAT_NAMES, get_writer
from balita_cli.formats.base import Target
from balita_cli.formats.readers import ALIASES, READER_NAMES, get_reader
from balita_cli.formats.sources import DESCRIPTIONS

DOCS = Path(__file__).parent
START, END = "<!-- {}:start -->", "<!-- {}:end -->"


def export_formats() -> str:
    rows = ["| Format | Holds | Media type | What it is |", "|---|---|---|---|"]
    for name in FORMAT_NAMES:
        writer = get_writer(name)
        caps = writer.capabilities
        holds = "published articles" if caps.public else "every live article"
        if caps.window is not None:
            holds += f", the last {caps.window.total_seconds() / 3600:.0f} h"
        notes = [writer.description]
        if caps.target is Target.TREE:
            notes.append("a folder: needs `-o DIR`")
        if caps.splits and caps.max_items:
            notes.append(f"an index of parts past {caps.max_items:,} URLs")
        rows.append(f"| `{name}` | {holds} | `{writer.media_type}` | {'; '.join(notes)} |")
    return "\n".join(rows) + "\n"


def import_formats() -> str:
    rows = ["| Format | Also called | Reads |", "|---|---|---|"]
    for name in READER_NAMES:
        aliases = ", ".join(f"`{alias}`" for alias, target in ALIASES.items() if target == name)
        rows.append(f"| `{name}` | {aliases} | {get_reader(name).description} |")
    return "\n".join(rows) + "\n"


def source_types() -> str:
    rows = ["| Source type | Reads |", "|---|---|"]
    rows += [f"| `{name}` | {description} |" for name, description in DESCRIPTIONS.items()]
    return "\n".join(rows) + "\n"


TABLES = {  # page -> (marker, table)
    "formats.md": ("formats", export_formats),
    "importing.md": ("readers", import_formats),
    "aggregating.md": ("source-types", source_types),
}


def render(page: str, marker: str, table: str) -> str:
    start, end = START.format(marker), END.format(marker)
    before, rest = page.split(start, 1)
    _old, after = rest.split(end, 1)
    return f"{before}{start}\n{table}{end}{after}"


def stale() -> list[str]:
    """The pages whose table is not what the registries make."""
    found = []
    for name, (marker, table) in TABLES.items():
        page = (DOCS / name).read_text(encoding="utf-8")
        if render(page, marker, table()) != page:
            found.append(name)
    return found


def main(argv: list[str]) -> int:
    if "--check" in argv:
        for name in stale():
            sys.stderr.write(f"docs/{name}'s table is stale: run python docs/generate_format_tables.py\n")
        return 1 if stale() else 0
    for name, (marker, table) in TABLES.items():
        path = DOCS / name
        path.write_text(render(path.read_text(encoding="utf-8"), marker, table()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
