"""A deterministic synthetic news archive, and a fast loader for it.

``generate(n, seed)`` yields the same N articles for the same seed and anchor date: English and
Filipino bodies of 300-1,500 words (with topical words per section, so search has realistic hit
counts), tags, sections, authors, drafts, scheduled stories and two years of dates. ``load(url,
n)`` inserts them with SQLAlchemy Core into a database migrated by balita, whose search index
fills as they arrive."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

SEED = 20261126
ANCHOR = datetime(2026, 11, 26, tzinfo=UTC)
BATCH = 10_000
SPAN_DAYS = 730

DRAFT_SHARE = 0.10
SCHEDULED_SHARE = 0.03
REVIEW_SHARE = 0.02
ARCHIVED_SHARE = 0.05
FILIPINO_SHARE = 0.35
SOURCE_SHARE = 0.5
MIN_WORDS, MAX_WORDS = 300, 1500
MIN_TAGS, MAX_TAGS = 1, 5
TITLE_SKIP = 40

# The word every article in the "Nation" section may carry: `balita search typhoon` has hits
# in a few percent of the archive, as a real topical query would.
SEARCH_WORD = "typhoon"

SECTIONS = ["Nation", "Politics", "Economy", "Culture", "Entertainment", "Sports"]
SECTION_TOPICS = {
    "Nation": ["typhoon", "flood", "barangay", "evacuation", "bagyo", "baha", "relief", "coast"],
    "Politics": ["senate", "congress", "budget", "election", "senado", "halalan", "mayor", "bill"],
    "Economy": ["inflation", "peso", "remittances", "tariff", "presyo", "bigas", "exports", "bank"],
    "Culture": ["festival", "museum", "heritage", "pista", "sayaw", "weaving", "cuisine", "poetry"],
    "Entertainment": ["teleserye", "concert", "album", "pelikula", "award", "actor", "stream", "fans"],
    "Sports": ["basketball", "volleyball", "boxing", "gilas", "laro", "finals", "coach", "medal"],
}
AUTHORS = [
    "Maria Santos",
    "Jose Dela Cruz",
    "Ana Reyes",
    "Mark Villanueva",
    "Liza Manalo",
    "Paolo Bautista",
    "Grace Mendoza",
    "Ramon Aquino",
]
TAGS = [
    "West Philippine Sea",
    "Metro Manila",
    "Cebu",
    "Davao",
    "Mindanao",
    "Visayas",
    "Luzon",
    "Parañaque",
    "Quezon City",
    "Senado",
    "Kamara",
    "Badyet",
    "BSP",
    "Inflation",
    "Peso",
    "OFW",
    "Remittances",
    "Agriculture",
    "Rice",
    "Weather",
    "PAGASA",
    "Typhoon",
    "Flooding",
    "Education",
    "DepEd",
    "Health",
    "DOH",
    "Transport",
    "MRT",
    "Traffic",
    "Energy",
    "Mining",
    "Foreign Affairs",
    "China",
    "United States",
    "Japan",
    "Vietnam",
    "ASEAN",
    "Security",
    "Elections",
    "Comelec",
    "Courts",
    "Food",
    "Festivals",
    "Music",
    "Film",
    "Television",
    "PBA",
    "Gilas Pilipinas",
    "UAAP",
]
OUTLETS = [
    ("Rappler", "https://www.rappler.com"),
    ("Philippine Daily Inquirer", "https://newsinfo.inquirer.net"),
    ("philstar.com", "https://www.philstar.com"),
    ("GMA News", "https://www.gmanetwork.com/news"),
    ("ABS-CBN News", "https://news.abs-cbn.com"),
    ("BusinessWorld", "https://www.bworldonline.com"),
    ("Manila Bulletin", "https://mb.com.ph"),
    ("Philippine News Agency", "https://www.pna.gov.ph"),
]
DATELINES = ["MANILA", "QUEZON CITY", "CEBU CITY", "DAVAO CITY", "BAGUIO", "ILOILO CITY", "MAYNILA"]

ENGLISH = """the of and to in a is that for on was with as by at from it said be has have are
its government officials city province residents president year new will more than people
would after also about after over not two but were who their this they which been had percent
local national week police report public country last one first project office told minister
agency according plan under during since data against budget billion million workers law
between market schools families support program water power prices road island region court
hospital service farmers fishermen teachers students army navy coast guard storm rain season
department secretary senator mayor governor village community church market port airport
bridge highway infrastructure investment growth economy trade energy rice food health
education transport housing youth women children elderly volunteers survey study record
increase decrease announced approved expected reported confirmed warned urged asked added
""".split()
FILIPINO = """ang ng sa na at mga ay si ni para ayon kay nang hindi may isang noong dahil
pamahalaan lungsod lalawigan residente pangulo taon bagong higit tao matapos rin tungkol
hindi pero sila kanilang ito sinabi porsiyento lokal pambansa linggo pulis ulat publiko
bansa nakaraang una proyekto tanggapan ahensiya plano badyet bilyon milyon manggagawa batas
merkado paaralan pamilya suporta programa tubig kuryente presyo kalsada isla rehiyon korte
ospital serbisyo magsasaka mangingisda guro estudyante hukbo dagat bagyo ulan panahon kagawaran
kalihim senador alkalde gobernador barangay komunidad simbahan palengke daungan paliparan tulay
imprastruktura pamumuhunan paglago ekonomiya kalakalan enerhiya bigas pagkain kalusugan
edukasyon transportasyon pabahay kabataan kababaihan bata matatanda boluntaryo sarbey pag-aaral
tumaas bumaba inihayag inaprubahan inaasahan iniulat kinumpirma nagbabala hinimok idinagdag
""".split()


def _zipf_cumulative(words: list[str]) -> list[float]:
    return list(accumulate(1.0 / (rank + 1) for rank in range(len(words))))


_VOCABULARY = {
    "en": (ENGLISH, _zipf_cumulative(ENGLISH)),
    "fil": (FILIPINO, _zipf_cumulative(FILIPINO)),
}


@dataclass
class GeneratedArticle:
    """One row of the article table, and the names of its tags and byline in order."""

    values: dict[str, Any]
    section: str
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)


def status_plan(n: int, rng: random.Random) -> list[str]:
    """Exact status counts (10% drafts, 3% scheduled...), shuffled into place."""
    counts = {
        "draft": round(n * DRAFT_SHARE),
        "scheduled": round(n * SCHEDULED_SHARE),
        "review": round(n * REVIEW_SHARE),
        "archived": round(n * ARCHIVED_SHARE),
    }
    plan = [status for status, count in counts.items() for _ in range(count)]
    plan += ["published"] * (n - len(plan))
    rng.shuffle(plan)
    return plan


def _sentences(words: list[str], rng: random.Random) -> Iterator[str]:
    start = 0
    while start < len(words):
        length = rng.randint(8, 22)
        chunk = words[start : start + length]
        start += length
        yield chunk[0].capitalize() + " " + " ".join(chunk[1:]) + "."


def _body(words: list[str], rng: random.Random) -> str:
    sentences = list(_sentences(words, rng))
    paragraphs = []
    while sentences:
        size = rng.randint(2, 5)
        paragraphs.append(" ".join(sentences[:size]))
        sentences = sentences[size:]
    return "\n\n".join(paragraphs)


def _words(language: str, section: str, count: int, rng: random.Random) -> list[str]:
    vocabulary, cumulative = _VOCABULARY[language]
    words = rng.choices(vocabulary, cum_weights=cumulative, k=count)
    topics = rng.sample(SECTION_TOPICS[section], 2)
    for _ in range(max(3, count // 150)):
        words[rng.randrange(count)] = rng.choice(topics)
    return words


def _title(language: str, words: list[str], rng: random.Random) -> str:
    """Content words (past the commonest ones) and a word of the story's topic."""
    vocabulary = _VOCABULARY[language][0][TITLE_SKIP:]
    picked = rng.choices(vocabulary, k=rng.randint(5, 10))
    picked.insert(rng.randrange(len(picked)), words[rng.randrange(len(words))])
    return " ".join(picked).capitalize()


def _times(status: str, rng: random.Random, anchor: datetime) -> dict[str, datetime | None]:
    created = anchor - timedelta(seconds=rng.randrange(SPAN_DAYS * 86_400))
    published = scheduled = None
    updated = created + timedelta(minutes=rng.randrange(5, 600))
    if status in ("published", "archived"):
        published = created + timedelta(minutes=rng.randrange(10, 240))
        updated = max(updated, published)
    elif status == "scheduled":
        created = anchor - timedelta(hours=rng.randrange(1, 72))
        updated = created + timedelta(minutes=rng.randrange(1, 60))
        scheduled = anchor + timedelta(hours=rng.randrange(24, 24 * 30))
    return {
        "created_at": created,
        "updated_at": updated,
        "published_at": published,
        "scheduled_at": scheduled,
    }


def _article(index: int, status: str, rng: random.Random, anchor: datetime) -> GeneratedArticle:
    from balita_cli.slugs import make_slug

    language = "fil" if rng.random() < FILIPINO_SHARE else "en"
    section = rng.choice(SECTIONS)
    words = _words(language, section, rng.randint(MIN_WORDS, MAX_WORDS), rng)
    title = _title(language, words, rng)
    body = _body(words, rng)
    source_name, source_url = "", ""
    if rng.random() < SOURCE_SHARE:
        outlet, host = rng.choice(OUTLETS)
        source_name, source_url = outlet, f"{host}/{anchor.year}/{index}/{make_slug(title)}"
        body += f"\n\nRead more on [{outlet}]({source_url})."
    values: dict[str, Any] = {
        "id": index,
        "slug": f"{make_slug(title)[:60].rstrip('-')}-{index}",
        "title": title,
        "summary": body.split(".", 1)[0] + ".",
        "body": body,
        "word_count": len(body.split()),
        "language": language,
        "status": status,
        "source_name": source_name,
        "source_url": source_url,
        "dateline": rng.choice(DATELINES),
        "featured": rng.random() < 0.02,
        **_times(status, rng, anchor),
    }
    tags = rng.sample(TAGS, rng.randint(MIN_TAGS, MAX_TAGS))
    authors = rng.sample(AUTHORS, 2 if rng.random() < 0.2 else 1)
    return GeneratedArticle(values=values, section=section, tags=tags, authors=authors)


def generate(n: int, seed: int = SEED, anchor: datetime = ANCHOR) -> Iterator[GeneratedArticle]:
    """The archive's articles, ids 1..n, the same for the same seed and anchor."""
    rng = random.Random(seed)
    for index, status in enumerate(status_plan(n, rng), start=1):
        yield _article(index, status, rng, anchor)


# ---------------------------------------------------------------- loading


def _term_rows(names: list[str]) -> list[dict[str, Any]]:
    from balita_cli.slugs import make_slug

    return [{"id": number, "name": name, "slug": make_slug(name)} for number, name in enumerate(names, 1)]


_ARTICLE_DEFAULTS: dict[str, Any] = {
    "subtitle": "",
    "canonical_url": "",
    "image_url": "",
    "image_alt": "",
    "image_caption": "",
    "image_credit": "",
    "editor_note": "",
    "retraction_reason": "",
    "version": 1,
    "updated_by": "benchmark",
    "expires_at": None,
    "deleted_at": None,
    "external_id": None,
}


def _batches(items: Iterator[GeneratedArticle], size: int) -> Iterator[list[GeneratedArticle]]:
    while batch := list(islice(items, size)):
        yield batch


def _reset_sequences(connection: Any) -> None:
    """Explicit ids were inserted: move PostgreSQL's sequences past them."""
    from sqlalchemy import text

    for table in ("article", "tag", "section", "author"):
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 1))")
        )


def load(url: str, n: int, seed: int = SEED, anchor: datetime = ANCHOR) -> int:
    """Insert the archive into a migrated, empty database; returns the number of articles."""
    from sqlalchemy import insert
    from sqlmodel import SQLModel

    import balita_cli.models  # noqa: F401  (registers the tables)
    from balita_cli.db.engine import create_db_engine
    from balita_cli.db.urls import normalise_url

    tables = SQLModel.metadata.tables
    engine = create_db_engine(normalise_url(url, root=Path.cwd()))
    section_ids = {name: number for number, name in enumerate(SECTIONS, 1)}
    tag_ids = {name: number for number, name in enumerate(TAGS, 1)}
    author_ids = {name: number for number, name in enumerate(AUTHORS, 1)}
    write = engine.execution_options(balita_write=True)
    with write.begin() as connection:
        connection.execute(insert(tables["section"]), _term_rows(SECTIONS))
        connection.execute(insert(tables["tag"]), _term_rows(TAGS))
        connection.execute(insert(tables["author"]), _term_rows(AUTHORS))
    loaded = 0
    for batch in _batches(generate(n, seed, anchor), BATCH):
        with write.begin() as connection:
            connection.execute(
                insert(tables["article"]),
                [{**_ARTICLE_DEFAULTS, **a.values, "section_id": section_ids[a.section]} for a in batch],
            )
            tag_links = [{"article_id": a.values["id"], "tag_id": tag_ids[t]} for a in batch for t in a.tags]
            connection.execute(insert(tables["article_tag"]), tag_links)
            byline = [
                {"article_id": a.values["id"], "author_id": author_ids[name], "position": position}
                for a in batch
                for position, name in enumerate(a.authors)
            ]
            connection.execute(insert(tables["article_author"]), byline)
        loaded += len(batch)
    if engine.dialect.name == "postgresql":
        with write.begin() as connection:
            _reset_sequences(connection)
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return loaded


def postgres_database(base: str, name: str, *, recreate: bool) -> str:
    """The URL of database ``name`` on the server of ``base``, made (or made again) if asked."""
    from sqlalchemy import create_engine, text

    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if exists and recreate:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        if recreate or not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0].split("?")[0] + f"/{name}"
