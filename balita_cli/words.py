"""The site's own words in English and Filipino, chosen by each page's language."""

from __future__ import annotations

from datetime import datetime

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "read_more": "Read more on",
        "correction": "Correction",
        "corrections": "Corrections",
        "retraction": "Retraction",
        "retracted": "This article has been retracted.",
        "published": "Published",
        "updated": "Updated",
        "by": "By",
        "by_many": "By",
        "and": "and",
        "tags": "Tags",
        "section": "Section",
        "tag": "Tag",
        "author": "Author",
        "latest": "Latest news",
        "newer": "Newer",
        "older": "Older",
        "page": "Page",
        "of": "of",
        "moved": "This page has moved to",
        "feeds": "Feeds",
        "contact": "Contact",
        "no_articles": "No articles yet.",
    },
    "fil": {
        "read_more": "Basahin ang buong balita sa",
        "correction": "Pagwawasto",
        "corrections": "Mga pagwawasto",
        "retraction": "Pagbawi",
        "retracted": "Binawi na ang balitang ito.",
        "published": "Inilathala",
        "updated": "Binago",
        "by": "Ni",
        "by_many": "Nina",
        "and": "at",
        "tags": "Mga tag",
        "section": "Seksiyon",
        "tag": "Tag",
        "author": "Awtor",
        "latest": "Pinakabagong balita",
        "newer": "Mas bago",
        "older": "Mas luma",
        "page": "Pahina",
        "of": "ng",
        "moved": "Inilipat ang pahinang ito sa",
        "feeds": "Mga feed",
        "contact": "Makipag-ugnayan",
        "no_articles": "Wala pang balita.",
    },
}
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fil": ("Enero", "Pebrero", "Marso", "Abril", "Mayo", "Hunyo", "Hulyo", "Agosto",
            "Setyembre", "Oktubre", "Nobyembre", "Disyembre"),
}  # fmt: skip
# Tagalog is the base of Filipino: "tl" and "fil-PH" read as "fil"; anything unknown as English.
ALIASES = {"tl": "fil", "tgl": "fil", "fil": "fil", "en": "en"}


def language_key(language: str) -> str:
    base = language.strip().lower().replace("_", "-").split("-")[0]
    return ALIASES.get(base, "en")


def words_for(language: str) -> dict[str, str]:
    return WORDS[language_key(language)]


def display_time(value: datetime, language: str) -> str:
    """ "24 November 2026, 15:00 (UTC+08:00)": the day in words, the clock and the offset."""
    month = MONTHS[language_key(language)][value.month - 1]
    offset = value.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return f"{value.day} {month} {value.year}, {value:%H:%M} (UTC{offset})"


def byline(names: list[str], language: str) -> str:
    """ "By Ana Reyes and Mark Villanueva" / "Nina Ana Reyes at Mark Villanueva"."""
    if not names:
        return ""
    words = words_for(language)
    joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {words['and']} {names[-1]}"
    return f"{words['by' if len(names) == 1 else 'by_many']} {joined}"
