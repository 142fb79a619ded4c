"""``show`` for a person: the article's fields, notices and body.

On a terminal it is drawn with Rich (Markdown, panels); into a pipe it is plain text, one
``label: value`` line per field and the body as written, never wrapped, so
``balita show 1 | grep url`` gives the whole URL.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from balita_cli import console
from balita_cli.records import Record, derive_summary, retraction_notice
from balita_cli.services.desk.coverage import outlet_names
from balita_cli.timeutil import human


def _when(value: str | None, zone: tzinfo) -> str:
    return human(datetime.fromisoformat(value), zone) if value else ""


def field_lines(record: Record, zone: tzinfo) -> list[tuple[str, str]]:
    updated = _when(record["updated_at"], zone)
    return [
        ("id", str(record["id"])),
        ("slug", record["slug"]),
        ("status", record["status"]),
        ("section", record["section"] or ""),
        ("tags", ", ".join(record["tags"])),
        ("by", ", ".join(record["authors"])),
        ("language", record["language"]),
        ("dateline", record["dateline"]),
        ("published", _when(record["published_at"], zone)),
        ("scheduled", _when(record["scheduled_at"], zone)),
        ("expires", _when(record["expires_at"], zone)),
        ("updated", f"{updated} by {record['updated_by']}" if record["updated_by"] else updated),
        ("version", str(record["version"])),
        ("url", record["url"]),
        ("source", f"{record['source_name']} {record['source_url']}".strip()),
        ("image", record["image_url"]),
        ("editor's note", record["editor_note"]),
    ]


def standfirst(record: Record) -> str:
    """The summary when an editor wrote one: a derived one only repeats the first paragraph."""
    summary = str(record["summary"] or "")
    return "" if summary == derive_summary(record["body"] or "") else summary


def notices(record: Record, zone: tzinfo) -> list[tuple[str, str]]:
    """(title, text) of each public notice; the retraction once, however it is stored."""
    found = []
    if record["status"] == "retracted":
        found.append(("Retracted", retraction_notice(record)))
    for item in record["corrections"]:
        if item["kind"] == "retraction":
            continue
        found.append((f"Correction · {_when(item['created_at'], zone)}", item["text"]))
    return found


def credit(record: Record) -> str:
    if not (record["source_name"] or record["source_url"]):
        return ""
    source = record["source_name"] or record["source_url"]
    return f"Read more on {source}" + (f": {record['source_url']}" if record["source_url"] else "")


def also_reported(record: Record) -> list[str]:
    """The "Also reported by: GMA News, ABS-CBN News" line, then each other outlet's version and link."""
    names = outlet_names(record)
    if not names:
        return []
    items = [
        " — ".join(part for part in (item["source_name"], item["title"], item["url"]) if part)
        for item in record["coverage"]
        if item["source_name"] in names
    ]
    return [f"Also reported by: {', '.join(names)}", *(f"  {item}" for item in items)]


def render_article(record: Record, zone: tzinfo) -> None:
    if not console.stdout_is_terminal():
        render_plain(record, zone)
        return
    with console.paged():
        render_rich(record, zone)


def render_rich(record: Record, zone: tzinfo) -> None:
    console.print_heading(record["title"], record["subtitle"])
    console.print_fields(field_lines(record, zone))
    console.print_line("")
    if standfirst(record):
        console.print_markdown(f"*{standfirst(record)}*")
        console.print_line("")
    console.print_markdown(record["body"] or "_(no body yet)_")
    for title, text in notices(record, zone):
        console.print_notice(title, text, "error" if title == "Retracted" else "warning")
    if credit(record):
        console.print_line(credit(record))
    for line in also_reported(record):
        console.print_line(line)


def render_plain(record: Record, zone: tzinfo) -> None:
    lines: list[Any] = [record["title"]]
    if record["subtitle"]:
        lines.append(record["subtitle"])
    lines += [f"{label}: {value}" for label, value in field_lines(record, zone) if value]
    lines += ["", *([standfirst(record), ""] if standfirst(record) else []), record["body"] or "(no body yet)"]
    lines += [f"\n{title}: {text}" for title, text in notices(record, zone)]
    if credit(record):
        lines += ["", credit(record)]
    if also_reported(record):
        lines += ["", *also_reported(record)]
    console.print_line(console.plain_text("\n".join(lines)))
