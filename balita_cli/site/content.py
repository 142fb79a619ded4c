"""What the page templates need from the export formats, behind one small seam.

Body HTML comes from the shared Markdown renderer in ``balita_cli.formats.html`` (markdown-it-py,
then nh3), so the site and every HTML-bearing export sanitize bodies exactly the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from balita_cli.formats.html import clean_text, render_markdown

SAFE_SCHEMES = ("http://", "https://")


def safe_url(url: str) -> str:
    """A URL the page may link to: only http(s), never javascript: or data:."""
    cleaned = clean_text(url).strip()
    return cleaned if cleaned.lower().startswith(SAFE_SCHEMES) else ""


def render_body(markdown_text: str) -> str:
    """Markdown -> sanitized HTML fragment."""
    return render_markdown(markdown_text)


def last_change(records: list[dict[str, Any]]) -> str | None:
    """The newest published/updated time among ``records``: a feed's own "updated", stable
    between builds so an unchanged feed is not rewritten."""
    times = [t for r in records for t in (r.get("published_at"), r.get("updated_at")) if t]
    return max(times, key=datetime.fromisoformat) if times else None
