"""Write the article record's field table in docs/scripting.md from ``balita_cli.schema.FIELDS``:
`python docs/generate_field_table.py`. The docs build and tests/test_docs.py fail when it is stale."""

from __future__ import annotations

import sys
from pathlib import Path

from balita_cli.schema import FIELDS, Field, Kind, Role

PAGE = Path(__file__).with_name("scripting.md")
START, END = "<!-- fields:start -->", "<!-- fields:end -->"
TYPES = {
    Kind.INT: "int", Kind.BOOL: "bool", Kind.TIME: "string or null (ISO 8601, UTC)",
    Kind.NAME: "string or null", Kind.NAMES: "list of strings", Kind.SLUGS: "list of strings",
    Kind.NOTICES: "list of `{kind, created_at, text}`", Kind.PHOTO: "object or null", Kind.COVERAGE: "list of objects",
}  # fmt: skip
WHO = {Role.EDITOR: "editor", Role.WORKFLOW: "workflow", Role.PROVENANCE: "import", Role.SYSTEM: "balita"}


def row(field: Field) -> str:
    kind = "string or null" if field.name == "external_id" else TYPES.get(field.kind, "string")
    limit = f"{field.limit:,}" if field.limit and field.kind not in {Kind.NAMES, Kind.NOTICES, Kind.SLUGS} else ""
    if field.kind is Kind.PHOTO:
        notes_on_input = ["`new`/`edit --image ID|FILE|URL`"]
    else:
        notes_on_input = []
    notes = [] if field.public else ["never in public outputs"]
    if field.flag:
        notes.append(f"`{field.flag}`")
    notes += notes_on_input
    return f"| `{field.name}` | {kind} | {limit} | {WHO[field.role]} | {field.help} {'; '.join(notes)} |".replace(
        "  |", " |"
    )


def table() -> str:
    head = "| key | type | max. characters | set by | meaning |\n|---|---|---|---|---|\n"
    return head + "\n".join(row(field) for field in FIELDS) + "\n"


def render(page: str) -> str:
    before, rest = page.split(START, 1)
    _old, after = rest.split(END, 1)
    return f"{before}{START}\n{table()}{END}{after}"


def stale() -> bool:
    page = PAGE.read_text(encoding="utf-8")
    return render(page) != page


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if stale():
            sys.stderr.write("docs/scripting.md's field table is stale: run python docs/generate_field_table.py\n")
            return 1
        return 0
    PAGE.write_text(render(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
