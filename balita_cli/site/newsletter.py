"""A newsletter issue and the subscription pages, rendered with the site's templates and words.

An issue is rendered once, with a mark where each reader's own unsubscribe token goes
(``Rendered.for_token``): every message of an issue is the same but for that link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, StrictUndefined

from balita_cli.services.newsletter.digest import Digest
from balita_cli.site.render import make_environment, render
from balita_cli.words import byline, display_date, display_time, language_key, words_for

TOKEN_MARK = "@@balita-unsubscribe-token@@"


@dataclass(frozen=True)
class Chrome:
    """What every message of a list shows around the stories."""

    site_name: str
    base_url: str
    list_title: str
    language: str
    unsubscribe_url: str  # the WSGI endpoint; ?token=… is added for each reader
    zone: tzinfo
    template_dir: Path | None = None

    @property
    def home(self) -> str:
        return self.base_url.rstrip("/") + "/"

    def unsubscribe_link(self, token: str) -> str:
        return f"{self.unsubscribe_url}?token={quote(token, safe='.')}"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str

    def for_token(self, token: str, chrome: Chrome) -> tuple[str, str]:
        """The plain text and the HTML with this reader's unsubscribe link."""
        link = chrome.unsubscribe_link(token)
        return self.text.replace(TOKEN_MARK, link), self.html.replace(TOKEN_MARK, link)


def _text_environment(template_dir: Path | None) -> Environment:
    environment = make_environment(template_dir)
    text = Environment(
        loader=environment.loader,
        autoescape=False,  # plain text: nothing is markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return text


def issue(digest: Digest, chrome: Chrome, issued: datetime) -> Rendered:
    language = language_key(chrome.language)
    local = issued.astimezone(chrome.zone)
    issue_date = display_date(local, language)
    subject = f"{chrome.list_title} — {issue_date}"
    context: dict[str, Any] = {
        "lang": language,
        "words": words_for(language),
        "subject": subject,
        "site_name": chrome.site_name,
        "home": chrome.home,
        "list_title": chrome.list_title,
        "issue_date": issue_date,
        "unsubscribe_url": TOKEN_MARK,
        "stories": [
            {
                "title": story.title,
                "url": story.url,
                "summary": story.summary,
                "section": story.section,
                "byline": byline(list(story.authors), language),
                "when": display_time(story.published_at.astimezone(chrome.zone), language),
                "also_reported_by": story.also_reported_by,
            }
            for story in digest.stories
        ],
        "notices": [
            {
                "kind": notice.kind,
                "title": notice.title,
                "url": notice.url,
                "text": notice.text,
                "when": display_time(notice.at.astimezone(chrome.zone), language),
            }
            for notice in digest.notices
        ],
    }
    html = render(make_environment(chrome.template_dir), "newsletter.html", context)
    text = render(_text_environment(chrome.template_dir), "newsletter.txt", context)
    return Rendered(subject, text, html)


def page(chrome: Chrome, *, heading: str, text: str, button: str = "", action: str = "", token: str = "") -> str:
    """A page of the subscription endpoint: what happened, or a button that does it (a POST)."""
    language = language_key(chrome.language)
    context = {
        "lang": language,
        "site_name": chrome.site_name,
        "home": chrome.home,
        "heading": heading,
        "text": text,
        "button": button,
        "action": action,
        "token": token,
    }
    return render(make_environment(chrome.template_dir), "newsletter_page.html", context)
