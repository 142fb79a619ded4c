"""A Hugo content tree: ``content/<section>/<slug>.md`` with YAML front matter, plus ``hugo.toml``.

Permalinks stay those of the balita site (``url: /articles/<slug>/``) and old slugs become Hugo
``aliases``, so a site built by Hugo from this tree keeps every link working. Drafts and articles
in review are ``draft: true``; a retracted article carries its notice in place of the body.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from balita_cli.config import Site
from balita_cli.files import atomic_open
from balita_cli.formats.base import Capabilities, Target, Writer, is_retracted
from balita_cli.formats.html import clean_text, plain_text
from balita_cli.records import Record
from balita_cli.slugs import make_slug

NO_SECTION = "uncategorized"
DRAFT_STATUSES = frozenset({"draft", "review"})
# Record fields kept under Hugo's `params` (custom front matter); editor_note is never written.
PARAM_FIELDS = (
    "id", "status", "language", "subtitle", "source_name", "source_url", "canonical_url",
    "image_url", "image_alt", "image_caption", "image_credit", "dateline", "featured",
    "updated_at", "version", "external_id", "retraction_reason", "corrections",
)  # fmt: skip


def article_path(record: Record) -> str:
    return urlsplit(record["url"]).path or f"/articles/{record['slug']}/"


def front_matter(record: Record) -> dict[str, Any]:
    published = record.get("published_at") or record.get("scheduled_at")
    matter: dict[str, Any] = {
        "title": clean_text(record["title"]),
        "date": published or record.get("created_at"),
        "publishDate": published,
        "expiryDate": record.get("expires_at"),
        "lastmod": record.get("updated_at"),
        "draft": record.get("status") in DRAFT_STATUSES,
        "slug": record["slug"],
        "url": article_path(record),
        "aliases": [article_path({**record, "url": "", "slug": old}) for old in record["aliases"]],
        "tags": list(record.get("tags") or []),
        "categories": [record["section"]] if record.get("section") else [],
        "summary": plain_text(record),
        "authors": list(record.get("authors") or []),
        "params": {name: record.get(name) for name in PARAM_FIELDS if record.get(name) not in (None, "", [])},
    }
    return {key: value for key, value in matter.items() if value is not None}


def document(record: Record) -> str:
    import yaml

    matter = yaml.safe_dump(front_matter(record), allow_unicode=True, sort_keys=False, width=1000)
    if is_retracted(record):
        body = f"**Retracted:** {record.get('retraction_reason') or 'This article has been retracted.'}"
    else:
        body = record.get("body") or ""
    return f"---\n{matter}---\n\n{clean_text(body).rstrip()}\n"


def hugo_config(site: Site) -> str:
    import tomli_w

    return tomli_w.dumps(
        {
            "baseURL": site.base_url.rstrip("/") + "/",
            "title": site.name,
            "languageCode": site.language,
            "timeZone": site.timezone,
            "taxonomies": {"tag": "tags", "category": "categories", "author": "authors"},
        }
    )


class MarkdownTreeWriter(Writer):
    name = "markdown"
    extension = ".md"
    media_type = "text/markdown"
    capabilities = Capabilities(target=Target.TREE)

    def write_tree(self, records: Iterable[Record], directory: Path, site: Site, **options: Any) -> list[str]:
        """Each file is written atomically; an existing hugo.toml (the user's) is left alone."""
        directory.mkdir(parents=True, exist_ok=True)
        config = directory / "hugo.toml"
        if not config.exists():
            with atomic_open(config) as handle:
                handle.write(hugo_config(site))
        written = []
        for record in records:
            section = make_slug(record.get("section") or "") or NO_SECTION
            relative = f"content/{section}/{record['slug']}.md"
            with atomic_open(directory / relative) as handle:
                handle.write(document(record))
            written.append(relative)
        return written


WRITER = MarkdownTreeWriter()
