"""Sample articles for `balita init --demo`: a small, realistic Philippine news site."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from balita_cli.errors import Conflict
from balita_cli.models import Article, Status
from balita_cli.schema import ArticleInput
from balita_cli.services import articles
from balita_cli.timeutil import utcnow

DEMO_ARTICLES: list[dict[str, Any]] = [
    {
        "title": "Philippines, Vietnam agree to step up coast guard cooperation in the South China Sea",
        "section": "Politics",
        "tags": ["West Philippine Sea", "Vietnam", "Foreign Affairs", "Security"],
        "authors": ["Maria Santos"],
        "language": "en",
        "dateline": "MANILA",
        "source_name": "philstar.com",
        "source_url": "https://www.philstar.com/headlines/2026/11/24/philippines-vietnam-coast-guard-cooperation",
        "status": "published",
        "hours_ago": 5,
        "summary": "Manila and Hanoi will hold joint coast guard exercises and set up a hotline "
        "as both navies report more encounters with Chinese vessels.",
        "body": (
            "Manila and Hanoi agreed on Monday to deepen security ties, with their coast guards "
            "committing to joint search-and-rescue drills and a direct hotline for incidents at sea.\n\n"
            "The agreement follows a meeting of defense officials from both countries, who said "
            "regular exchanges would help prevent miscalculation in contested waters.\n\n"
            "Officials said the arrangement is not aimed at any third country, but analysts noted it "
            "brings together two of the claimants most often confronted by Chinese vessels."
        ),
    },
    {
        "title": "Senado, inaprubahan ang panukalang 2027 pambansang badyet",
        "section": "Politics",
        "tags": ["Senado", "Badyet"],
        "authors": ["Jose Dela Cruz"],
        "language": "fil",
        "dateline": "MAYNILA",
        "status": "published",
        "hours_ago": 30,
        "body": (
            "Inaprubahan ng Senado sa ikatlo at huling pagbasa ang panukalang pambansang badyet para "
            "sa 2027, matapos ang mahabang debate tungkol sa pondo ng edukasyon at kalusugan.\n\n"
            "Ayon sa mga senador, mas malaki ang inilaan para sa mga pampublikong ospital sa "
            "mga lalawigan, habang binawasan ang ilang pondong walang malinaw na paliwanag."
        ),
    },
    {
        "title": "Peso firms as inflation eases to 2.1% in November",
        "section": "Economy",
        "tags": ["Inflation", "Peso", "BSP"],
        "authors": ["Ana Reyes", "Mark Villanueva"],
        "language": "en",
        "dateline": "MANILA",
        "source_name": "BusinessWorld",
        "source_url": "https://www.bworldonline.com/economy/2026/11/25/peso-inflation-november",
        "status": "published",
        "hours_ago": 52,
        "body": (
            "The peso strengthened against the dollar after the statistics agency reported that "
            "headline inflation slowed to 2.1 percent, giving the central bank room to keep cutting "
            "rates.\n\n"
            "Cheaper rice and lower electricity rates drove the slowdown, economists said."
        ),
    },
    {
        "title": "Parañaque food park draws crowds with regional dishes from Mindanao",
        "section": "Culture",
        "tags": ["Food", "Parañaque", "Mindanao"],
        "authors": ["Liza Manalo"],
        "language": "en",
        "dateline": "PARAÑAQUE CITY",
        "status": "published",
        "hours_ago": 80,
        "body": (
            "A weekend food park in Parañaque has become a surprise hit, with stalls serving "
            "tiyula itum, satti and pastil to long lines of diners.\n\n"
            "Vendors said most of their customers had never tried Tausug or Maguindanaon cooking."
        ),
    },
    {
        "title": "Bagong teleserye, nangunguna sa ratings sa unang linggo",
        "section": "Entertainment",
        "tags": ["Teleserye", "Telebisyon"],
        "authors": ["Carlo Bautista"],
        "language": "fil",
        "status": "published",
        "hours_ago": 100,
        "body": (
            "Nanguna sa ratings ang bagong teleserye sa primetime sa unang linggo nito, ayon sa "
            "datos ng isang ratings firm.\n\n"
            "Pinuri ng mga manonood ang kuwento ng isang pamilyang mangingisda sa Samar."
        ),
    },
    {
        "title": "DOTr to open new MRT-7 stations by March, says spokesperson",
        "section": "Economy",
        "tags": ["Transport", "MRT-7"],
        "authors": ["Mark Villanueva"],
        "language": "en",
        "status": "scheduled",
        "hours_ahead": 20,
        "body": "The transportation department said six more stations will open in the first quarter.",
    },
    {
        "title": "Typhoon preparedness: what Bicol towns learned from last season",
        "section": "Politics",
        "tags": ["Typhoon", "Bicol", "Disaster"],
        "authors": ["Maria Santos"],
        "language": "en",
        "status": "draft",
        "body": "Draft: interviews with three mayors still to be added.",
        "editor_note": "Waiting for the Legazpi mayor's callback before this runs.",
    },
]


def load_demo(session: Session, *, who: str = "balita demo") -> list[int]:
    """Create the sample articles (only into an empty database); returns their ids."""
    if session.execute(select(func.count()).select_from(Article)).scalar_one():
        raise Conflict("the database already has articles; the demo loads only into an empty one")
    now = utcnow()
    created = []
    for sample in DEMO_ARTICLES:
        data = dict(sample)
        hours_ago, hours_ahead = data.pop("hours_ago", None), data.pop("hours_ahead", None)
        status = Status(data.pop("status"))
        when = now - timedelta(hours=hours_ago) if hours_ago is not None else None
        values = ArticleInput(
            data,
            status=status,
            created_at=(when or now) - timedelta(hours=2),
            # Last touched when it went out: an editor's publish is the latest change.
            updated_at=when or now,
            published_at=when if status is Status.PUBLISHED else None,
            scheduled_at=now + timedelta(hours=hours_ahead) if hours_ahead is not None else None,
        )
        created.append(articles.create(session, values, who=who))
    return created
