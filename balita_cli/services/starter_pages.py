"""The pages ``init`` makes as editable starting points: a Contacts page always (its details come
from ``[publisher]`` at every build), and with ``--demo`` about, editorial standards, corrections
policy and privacy. A page an editor already has (by role or slug) is never replaced."""

from __future__ import annotations

from sqlalchemy.orm import Session

from balita_cli.config import Site
from balita_cli.services.pages import PageInput, ensure

CONTACTS = PageInput(
    title="Contacts",
    slug="contacts",
    role="contacts",
    summary="Who publishes this site, and how to reach the newsroom.",
    body=(
        "Send tips, corrections and questions about our journalism to the newsroom by e-mail. "
        "We read every message; we answer within two working days."
    ),
)


def _demo(site: Site) -> list[PageInput]:
    owner = site.publisher.registered_name
    return [
        PageInput(
            title="About us",
            slug="about",
            role="about",
            summary=f"{site.name}: who we are and what we cover.",
            body=(
                f"{site.name} is published by {owner}. We report on the Philippines in English and "
                "Filipino: politics, the economy, culture and the regions.\n\n"
                "## Our newsroom\n\nName the editor-in-chief and the desk editors here.\n\n"
                "## Ownership and funding\n\nSay who owns the company and how the newsroom is paid for."
            ),
        ),
        PageInput(
            title="Editorial standards",
            slug="editorial-standards",
            role="standards",
            summary="How we report, verify and attribute.",
            body=(
                "We verify before we publish, name our sources wherever we can, and say so when we cannot.\n\n"
                "- Every excerpt of another outlet's story names it and links to it.\n"
                "- We separate news from opinion, and label opinion.\n"
                "- We do not accept payment for coverage."
            ),
        ),
        PageInput(
            title="Corrections policy",
            slug="corrections-policy",
            role="corrections",
            summary="How we correct mistakes, and when we retract a story.",
            body=(
                "When we get something wrong we correct it on the story itself, with a dated notice "
                "that says what was wrong.\n\n"
                "A story that cannot stand is retracted: its page stays, with the reason.\n\n"
                "To report an error, write to the newsroom (see Contacts)."
            ),
        ),
        PageInput(
            title="Privacy",
            slug="privacy",
            role="privacy",
            summary="What we collect about readers, and what we do with it.",
            body=(
                "This site sets no cookies and runs no trackers. The server that delivers it keeps "
                "ordinary access logs for a short time, to keep the site running.\n\n"
                "Write to the newsroom to ask what we hold about you."
            ),
        ),
    ]


def starter_pages(session: Session, site: Site, *, demo: bool, who: str = "balita init") -> list[int]:
    """Make the Contacts page (and with ``demo`` the policy pages) unless they exist."""
    wanted = [CONTACTS, *(_demo(site) if demo else [])]
    return [page_id for page in wanted if (page_id := ensure(session, page, who=who)) is not None]
