"""The same synthetic archive as a Hugo site, for measuring Hugo on the same articles.

``content/<section>/<slug>.md`` with YAML front matter (the layout ``balita import markdown``
reads too), a minimal config, and layouts small enough that a build measures Hugo itself:
a home page, one page per article and paginated section and taxonomy lists.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from benchmarks.archive import GeneratedArticle

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

CONFIG = """\
baseURL = "https://balita.example.ph/"
languageCode = "en"
title = "Balita benchmark"
paginate = 20
disableKinds = ["RSS", "sitemap", "robotsTXT"]

[taxonomies]
tag = "tags"
author = "authors"
"""

LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="{{ .Site.LanguageCode }}"><head><meta charset="utf-8">'
        '<title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>\n'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1>'
        '<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 Jan 2006" }}</time>'
        "<p>{{ range .Params.authors }}{{ . }} {{ end }}</p>{{ .Content }}"
        "<ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul></article>{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>'
        "{{ end }}\n"
    ),
    "_default/terms.html": (
        '{{ define "main" }}<ul>{{ range .Data.Terms.Alphabetical }}'
        '<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>'
        "{{ end }}</ul>{{ end }}\n"
    ),
    "index.html": (
        '{{ define "main" }}<ul>{{ range first 50 (where .Site.RegularPages "Type" "in" '
        '.Site.Params.mainSections) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>'
        "{{ end }}</ul>{{ end }}\n"
    ),
}


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def front_matter(article: GeneratedArticle) -> dict[str, Any]:
    """Hugo's own field names: draft, date, publishDate, tags, plus balita's extras as params."""
    values = article.values
    status = values["status"]
    matter: dict[str, Any] = {
        "title": values["title"],
        "slug": values["slug"],
        "date": _stamp(values["published_at"] or values["created_at"]),
        "lastmod": _stamp(values["updated_at"]),
        "draft": status in ("draft", "review"),
        "summary": values["summary"],
        "tags": article.tags,
        "authors": article.authors,
        "language": values["language"],
        "status": status,
    }
    if values["scheduled_at"] is not None:
        matter["publishDate"] = _stamp(values["scheduled_at"])
    if values["source_name"]:
        matter["source_name"] = values["source_name"]
        matter["source_url"] = values["source_url"]
    return matter


def article_file(article: GeneratedArticle) -> str:
    matter = yaml.dump(front_matter(article), Dumper=DUMPER, allow_unicode=True, sort_keys=False)
    return f"---\n{matter}---\n\n{article.values['body']}\n"


def write_site(root: Path, articles: Iterable[GeneratedArticle]) -> int:
    """A fresh Hugo site at ``root``; returns the number of content files written."""
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = root / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    count = 0
    for article in articles:
        folder = root / "content" / article.section.lower()
        folder.mkdir(exist_ok=True)
        (folder / f"{article.values['slug']}.md").write_text(article_file(article), encoding="utf-8")
        count += 1
    return count
