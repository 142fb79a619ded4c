"""The pages a news site must have: about, contacts, editorial standards, corrections policy and
privacy, written and versioned like stories (`balita page …`), built at `/<slug>/` with the site's
chrome, linked from every footer and from every correction and retraction notice; the publisher
described once in `[publisher]` and tied to the front page's NewsMediaOrganization, to every
article's publisher and to the feeds. Judged by the Nu checker, axe-core in Chromium, a JSON-LD
parse and a plain HTTP server on `public/`."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import pytest
from typer.testing import CliRunner

from balita_cli.services.pages import PLACEHOLDER, RESERVED_SLUGS
from tests.checkers import ALL_IMPACTS, browser, describe_violations, nu_errors, serve_directory
from tests.helpers.cli import Cli, editor_script, isolate
from tests.helpers.site import retract

BASE = "https://balita.example.ph"
OWNER = {
    "--legal-name": "Balita Media Inc.",
    "--registration-number": "CS201912345",
    "--registry": "Securities and Exchange Commission",
    "--address": "12 Roxas Blvd, Ermita, Manila 1000",
    "--country": "ph",
    "--phone": "+63 2 8123 4567",
}
POLICY_PAGES = ["about/", "contacts/", "editorial-standards/", "corrections-policy/", "privacy/"]
POLICY_PROPERTIES = ("publishingPrinciples", "correctionsPolicy", "ethicsPolicy", "masthead", "ownershipFundingInfo")


def owner_flags() -> list[str]:
    return [part for flag, value in OWNER.items() for part in (flag, value)]


def parsed(path: Path) -> Any:
    return lxml.html.parse(str(path)).getroot()


def json_ld(path: Path) -> dict[str, Any]:
    scripts = parsed(path).xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 1, path
    data: dict[str, Any] = json.loads(scripts[0].text)
    return data


def footer_links(path: Path) -> list[str]:
    return [str(a.get("href")) for a in parsed(path).xpath("//nav[@class='footer-links']//a")]


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Cli, dict[str, str]]]:
    """`init --demo` with the owner described, a corrected story and a retracted one, built."""
    folder = tmp_path_factory.mktemp("policy-site")
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, folder)
        cli = Cli(db_url=f"sqlite:///{folder / 'balita.db'}", runner=CliRunner())
        cli.ok("init", "--demo", "--database", cli.db_url, *owner_flags())
        corrected = cli.new("Corrected story", "--status", "published", "--body", "Right now.")
        cli.ok("correct", str(corrected), "An earlier version misspelled the mayor's name.")
        taken_down = cli.new("Retracted story", "--status", "published", "--body", "Wrong.")
        retract(cli.db_url, str(taken_down), "The claims could not be verified.")
        cli.ok("build")
        slugs = {
            "corrected": cli.json("show", str(corrected), "--format", "json")["slug"],
            "retracted": cli.json("show", str(taken_down), "--format", "json")["slug"],
        }
        yield folder / "public", cli, slugs


def every_kind_of_page(public: Path, slugs: dict[str, str]) -> list[str]:
    return [
        "",
        *POLICY_PAGES,
        f"articles/{slugs['corrected']}/",
        f"articles/{slugs['retracted']}/",
        "sections/politics/",
        "search/",
    ]


# ---------------------------------------------------------------- init, then build


def test_init_then_build_makes_a_contacts_page_with_the_owner(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", str(tmp_path / "news"), "--database", cli.db_url, *owner_flags())
    config = (tmp_path / "news" / "balita.toml").read_text(encoding="utf-8")
    assert 'legal_name = "Balita Media Inc."' in config and 'country = "PH"' in config
    listed = cli.json("--site", str(tmp_path / "news"), "page", "list", "--format", "json")
    assert [(page["slug"], page["role"]) for page in listed] == [("contacts", "contacts")]
    cli.ok("--site", str(tmp_path / "news"), "build")
    contacts = parsed(tmp_path / "news" / "public" / "contacts" / "index.html")
    details = {
        str(term.text_content()): " ".join(term.getnext().text_content().split())
        for term in contacts.xpath("//section[@class='publisher-details']//dt")
    }
    assert details["Legal name"] == "Balita Media Inc."
    assert details["Registration number"] == "CS201912345"
    assert details["Registered with"] == "Securities and Exchange Commission"
    assert details["Address"] == "12 Roxas Blvd, Ermita, Manila 1000"
    assert details["Country"] == "Philippines"
    assert details["Phone"] == "+63 2 8123 4567"
    assert contacts.xpath("//footer//a[@href='../contacts/']")


def test_footer_links_every_policy_page_from_every_kind_of_page(newsroom: tuple[Path, Cli, dict[str, str]]) -> None:
    public, _cli, slugs = newsroom
    for path in every_kind_of_page(public, slugs):
        links = footer_links(public / path / "index.html")
        root = "../" * path.count("/") or "./"
        assert [f"{root}{page}" for page in POLICY_PAGES] == links[: len(POLICY_PAGES)], path
    assert footer_links(public / "404.html")[: len(POLICY_PAGES)] == [f"/{page}" for page in POLICY_PAGES]


def test_correction_and_retraction_notices_link_the_corrections_policy(
    newsroom: tuple[Path, Cli, dict[str, str]],
) -> None:
    public, _cli, slugs = newsroom
    for kind in ("corrected", "retracted"):
        page = parsed(public / "articles" / slugs[kind] / "index.html")
        notice = page.xpath("//section[contains(@class, 'notice')]")
        assert notice, kind
        assert [a.get("href") for a in notice[0].xpath(".//a")] == ["../../corrections-policy/"], kind


def test_pages_are_in_the_sitemap_and_nowhere_in_the_feeds_or_lists(newsroom: tuple[Path, Cli, dict[str, str]]) -> None:
    public, cli, _slugs = newsroom
    sitemap = lxml.etree.parse(str(public / "sitemap.xml"))
    locations = {loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert {f"{BASE}/{page}" for page in POLICY_PAGES} <= locations
    for feed in ("feed.xml", "atom.xml", "feed.json", "news-sitemap.xml"):
        text = (public / feed).read_text(encoding="utf-8")
        assert not any(f"{BASE}/{page}" in text for page in POLICY_PAGES), feed
    home = parsed(public / "index.html")
    main_links = {a.get("href") for a in home.xpath("//main//a")}
    assert not main_links & {f"./{page}" for page in POLICY_PAGES}
    titles = {row["title"] for row in cli.json("list", "--format", "json", "--fields", "title")}
    assert not titles & {"About us", "Contacts", "Privacy", "Corrections policy"}


# ---------------------------------------------------------------- structured data


def test_the_front_page_describes_the_publisher_whose_policies_answer_200(
    newsroom: tuple[Path, Cli, dict[str, str]],
) -> None:
    public, cli, _slugs = newsroom
    organization = json_ld(public / "index.html")
    assert organization["@type"] == "NewsMediaOrganization"
    assert organization["@id"] == f"{BASE}/#publisher"
    assert organization["legalName"] == "Balita Media Inc."
    assert organization["identifier"]["value"] == "CS201912345"
    assert organization["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "12 Roxas Blvd, Ermita, Manila 1000",
        "addressCountry": "PH",
    }
    assert organization["contactPoint"]["telephone"] == "+63 2 8123 4567"
    assert organization["logo"]["url"] == f"{BASE}/logo.png"
    policies = {name: organization[name] for name in POLICY_PROPERTIES}
    assert policies["correctionsPolicy"] == f"{BASE}/corrections-policy/"
    with serve_directory(public) as served:
        for url in [*policies.values(), organization["logo"]["url"], organization["contactPoint"]["url"]]:
            assert url.startswith(f"{BASE}/")
            with urllib.request.urlopen(served + url.removeprefix(BASE)) as answer:  # noqa: S310  (127.0.0.1)
                assert answer.status == 200, url
    published = cli.json("list", "--status", "published", "--format", "json", "--fields", "slug")
    assert published
    for row in published:
        publisher = json_ld(public / "articles" / row["slug"] / "index.html")["publisher"]
        assert publisher["@id"] == organization["@id"] and publisher["name"] == organization["name"]


def test_feeds_and_ninjs_carry_the_publisher_from_balita_toml(newsroom: tuple[Path, Cli, dict[str, str]]) -> None:
    public, cli, _slugs = newsroom
    channel = lxml.etree.parse(str(public / "feed.xml")).find("channel")
    assert channel is not None
    assert channel.findtext("managingEditor") == "editors@balita.example.ph (Balita Publishing)"
    assert channel.findtext("copyright") == "© Balita Media Inc."
    feed = json.loads((public / "feed.json").read_text(encoding="utf-8"))
    assert feed["authors"] == [{"name": "Balita Publishing", "url": BASE}]
    ninjs = json.loads(cli.ok("--site", str(public.parent), "export", "ninjs", "--status", "published").stdout)
    assert ninjs and {item.get("copyrightHolder") for item in ninjs} == {"Balita Media Inc."}


# ---------------------------------------------------------------- readers we did not write


@pytest.mark.slow
def test_nu_finds_no_error_on_the_pages(newsroom: tuple[Path, Cli, dict[str, str]]) -> None:
    public, _cli, slugs = newsroom
    pages = [public / path / "index.html" for path in every_kind_of_page(public, slugs)]
    errors = nu_errors(pages)
    assert errors == [], "\n".join(map(str, errors[:20]))


@pytest.mark.slow
def test_axe_finds_no_violation_on_the_pages(newsroom: tuple[Path, Cli, dict[str, str]]) -> None:
    public, _cli, slugs = newsroom
    violations = []
    with browser() as chromium, serve_directory(public) as served:
        for path in every_kind_of_page(public, slugs):
            violations += chromium.axe(f"{served}/{path}", impacts=ALL_IMPACTS)
    assert violations == [], describe_violations(violations)


# ---------------------------------------------------------------- pages, like stories


def test_pages_have_history_diff_and_revert(cli: Cli) -> None:
    page = cli.ok("page", "new", "Masthead", "--body", "Editor: Ana Reyes.", "--porcelain").stdout.strip()
    cli.ok("page", "edit", page, "--body", "Editor: Ben Cruz.", "-m", "new editor")
    cli.ok("page", "edit", "masthead", "--title", "Our masthead")
    history = cli.json("page", "history", page, "--format", "json")
    assert [(entry["version"], entry["note"], entry["current"]) for entry in history] == [
        (3, "", True),
        (2, "new editor", False),
        (1, "created", False),
    ]
    diff = cli.ok("page", "diff", page, "1", "2").stdout.splitlines()
    assert "-Editor: Ana Reyes." in diff and "+Editor: Ben Cruz." in diff
    assert (
        cli.ok("page", "revert", page, "--to", "1").stderr == f"Page {page} now has version 1's content as version 4\n"
    )
    shown = cli.json("page", "show", page, "--format", "json")
    assert (shown["title"], shown["body"], shown["version"]) == ("Masthead", "Editor: Ana Reyes.", 4)
    assert cli.json("page", "history", page, "--format", "json")[0]["note"] == "reverted to version 1"
    stale = cli.fails(["page", "edit", page, "--title", "Late", "--if-version", "2"])
    assert "changed since version 2" in stale.stderr and "nothing was saved" in stale.stderr
    cli.ok("page", "delete", page, "--yes")
    assert cli.fails(["page", "show", page]).stderr.startswith("error: no page")
    again = cli.ok("page", "new", "Masthead", "--body", "New.", "--porcelain").stdout.strip()
    assert [entry["note"] for entry in cli.json("page", "history", again, "--format", "json")] == ["created"]


def test_a_page_is_written_in_the_editor_and_merged_over_a_colleagues_change(cli: Cli, tmp_path: Path) -> None:
    writer = editor_script(
        tmp_path, "write",
        f"text = text.replace(\"title: ''\", 'title: Privacy').replace({PLACEHOLDER!r}, 'No cookies.')\n"
        "path.write_text(text, encoding='utf-8')",
    )  # fmt: skip
    page = cli.ok("page", "new", "--edit", "--role", "privacy", "--porcelain", env={"EDITOR": writer}).stdout.strip()
    made = cli.json("page", "show", page, "--format", "json")
    assert (made["title"], made["slug"], made["role"], made["body"]) == ("Privacy", "privacy", "privacy", "No cookies.")
    # A document made from version 1, saved after a colleague changed the summary: both changes stay.
    document = tmp_path / "privacy.md"
    keep = editor_script(tmp_path, "keep", f"import shutil; shutil.copy(path, {str(document)!r}); sys.exit(1)")
    closed = cli(*["page", "edit", page], env={"EDITOR": keep})
    assert closed.exit_code == 1 and "nothing was changed" in closed.stderr
    text = document.read_text(encoding="utf-8")
    assert "version: 1" in text and "role: privacy" in text
    cli.ok("page", "edit", page, "--summary", "What we keep about readers.")
    mine = document.with_name("mine.md")
    mine.write_text(text.replace("No cookies.", "No cookies, no trackers."), encoding="utf-8")
    cli.ok("page", "edit", page, "--from-file", str(mine))
    merged = cli.json("page", "show", page, "--format", "json")
    assert (merged["summary"], merged["body"], merged["version"]) == (
        "What we keep about readers.",
        "No cookies, no trackers.",
        3,
    )
    # The same field changed both ways is refused, and nothing is saved.
    mine.write_text(text.replace("summary: ''", "summary: Mine."), encoding="utf-8")
    clash = cli.fails(["page", "edit", page, "--from-file", str(mine)])
    assert "you and another editor both changed summary" in clash.stderr
    assert cli.json("page", "show", page, "--format", "json")["version"] == 3


@pytest.mark.parametrize(
    "slug", ["articles", "tags", "sections", "authors", "search", "pagefind", "page", "/articles/", "Articles", "404"]
)
def test_a_page_cannot_take_one_of_the_sites_own_addresses(cli: Cli, slug: str) -> None:
    refused = cli.fails(["page", "new", "Hijack", "--slug", slug])
    assert "one of the site's own addresses" in refused.stderr
    assert cli.json("page", "list", "--format", "json") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["page", "new", "   "], "title cannot be empty"),
        (["page", "new", "Bad\x1b[31m"], "control character"),
        (["page", "new", "Role", "--role", "owner"], "page role must be one of"),
        (["page", "new", "!!!", "--slug", "!!!"], "has no letters or digits"),
        (["page", "edit", "nowhere", "--title", "x"], "no page 'nowhere'"),
    ],
)
def test_bad_page_input_is_one_clear_line(cli: Cli, args: list[str], message: str) -> None:
    refused = cli.fails(args)
    assert message in refused.stderr and len(refused.stderr.strip().splitlines()) == 1, refused.stderr


def test_a_slug_or_a_role_belongs_to_one_page(cli: Cli) -> None:
    cli.ok("page", "new", "About us", "--role", "about")
    assert "already has the slug 'about-us'" in cli.fails(["page", "new", "About us"]).stderr
    assert "already has the role 'about'" in cli.fails(["page", "new", "Masthead", "--role", "about"]).stderr
    hostile = cli.ok("page", "new", "Up", "--slug", "../../etc/passwd", "--porcelain").stdout.strip()
    assert cli.json("page", "show", hostile, "--format", "json")["url"] == f"{BASE}/etc-passwd/"


def test_every_address_the_site_makes_at_its_root_is_reserved(newsroom: tuple[Path, Cli, dict[str, str]]) -> None:
    public, cli, _slugs = newsroom
    slugs = {page["slug"] for page in cli.json("page", "list", "--format", "json")}
    folders = {path.name for path in public.iterdir() if path.is_dir()} - slugs
    assert folders and folders <= RESERVED_SLUGS


# ---------------------------------------------------------------- [publisher] in balita.toml


def write_config(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "balita.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('country = "Philippines"', "country must be a two-letter ISO 3166 code"),
        ('country = "XX"', "country must be a two-letter ISO 3166 code"),
        ('email = "editors at balita"', "is not an e-mail address"),
        ('phone = "call us"', "is not a phone number"),
        ("phone = 639171234567", "[publisher] phone must be text"),
        ('name = ""', "name cannot be empty"),
        ('legal_name = "Balita\\u001b[2J Inc."', "must be one line"),
        ('owner = "Someone"', "unknown setting(s) in [publisher]: owner"),
    ],
)
def test_a_bad_publisher_is_refused_with_one_line(cli: Cli, tmp_path: Path, table: str, message: str) -> None:
    site = write_config(tmp_path / "bad", f"[site]\nname = 'Balita'\n\n[publisher]\n{table}\n")
    refused = cli.fails(["--site", str(site), "page", "list"])
    assert message in refused.stderr and len(refused.stderr.strip().splitlines()) == 1, refused.stderr


def test_the_old_publisher_settings_in_site_are_still_read(cli: Cli, tmp_path: Path) -> None:
    old = "[site]\nname = 'Balita'\npublisher = 'Lumang Balita Corp.'\ncontact = 'desk@luma.example.ph'\n"
    old += "address = 'Quezon City'\n"
    site = write_config(tmp_path / "old", old)
    cli.new("A story", "--status", "published", "--body", "Text.")
    rss = lxml.etree.fromstring(cli.ok("--site", str(site), "export", "rss").stdout.encode())
    assert rss.findtext("channel/managingEditor") == "desk@luma.example.ph (Lumang Balita Corp.)"
    newer = write_config(tmp_path / "newer", old + "\n[publisher]\nlegal_name = 'Bagong Balita Inc.'\n")
    rss = lxml.etree.fromstring(cli.ok("--site", str(newer), "export", "rss").stdout.encode())
    assert rss.findtext("channel/copyright") == "© Bagong Balita Inc."
    assert rss.findtext("channel/managingEditor") == "desk@luma.example.ph (Lumang Balita Corp.)"
    cli.ok("--site", str(newer), "build", "--no-search")
    footer = " ".join(parsed(newer / "public" / "index.html").xpath("//footer")[0].text_content().split())
    assert "© Bagong Balita Inc." in footer and "Quezon City" in footer


def test_a_page_edit_remakes_that_page_and_a_new_title_every_footer(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", str(tmp_path / "news"), "--demo", "--database", cli.db_url)
    site = ["--site", str(tmp_path / "news")]
    cli.ok(*site, "build", "--no-search")
    public = tmp_path / "news" / "public"
    about = (public / "about" / "index.html").read_bytes()
    contacts = (public / "contacts" / "index.html").read_bytes()
    cli.ok(*site, "page", "edit", "privacy", "--body", "No cookies at all.")
    edited = json.loads(cli.ok(*site, "build", "--no-search", "--format", "json").stdout)
    # The page, and the sitemap that dates it unless the edit fell in the second the page was made.
    assert edited["written"] in (1, 2)
    assert "No cookies at all." in (public / "privacy" / "index.html").read_text(encoding="utf-8")
    assert (public / "about" / "index.html").read_bytes() == about
    cli.ok(*site, "page", "edit", "about", "--title", "Who we are")
    renamed = json.loads(cli.ok(*site, "build", "--no-search", "--format", "json").stdout)
    assert renamed["written"] > 10  # every page's footer names it
    assert (public / "contacts" / "index.html").read_bytes() != contacts
    assert ">Who we are</a>" in (public / "contacts" / "index.html").read_text(encoding="utf-8")
    assert json.loads(cli.ok(*site, "build", "--no-search", "--format", "json").stdout)["written"] == 0


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("---\ntitle: X\nstatus: published\n---\nBody", "unknown field(s) in the front matter: status"),
        ("---\ntitle: &a [x]\nslug: *a\n---\nBody", "YAML aliases"),
        ("---\ntitle: [a, b]\n---\nBody", "title must be a single value"),
        ("---\ntitle: X\nrole: owner\n---\nBody", "page role must be one of"),
        ("---\ntitle: X\nslug: search\n---\nBody", "one of the site's own addresses"),
        ("no front matter", "must start with a --- front matter block"),
    ],
)
def test_a_hostile_page_document_is_refused_and_nothing_saved(cli: Cli, tmp_path: Path, document: str,
                                                              message: str) -> None:  # fmt: skip
    page = cli.ok("page", "new", "Privacy", "--body", "Kept.", "--porcelain").stdout.strip()
    path = tmp_path / "page.md"
    path.write_text(document, encoding="utf-8")
    refused = cli.fails(["page", "edit", page, "--from-file", str(path)])
    assert message in refused.stderr, refused.stderr
    shown = cli.json("page", "show", page, "--format", "json")
    assert (shown["title"], shown["body"], shown["version"]) == ("Privacy", "Kept.", 1)


def test_a_hostile_publisher_stays_text_on_every_page_and_in_the_structured_data(cli: Cli, tmp_path: Path) -> None:
    name = '</script><script>alert("x")</script> & Co.'
    cli.ok("init", str(tmp_path / "news"), "--database", cli.db_url, "--legal-name", name, "--address", "<b>1 Rd</b>")
    cli.ok("--site", str(tmp_path / "news"), "build", "--no-search")
    public = tmp_path / "news" / "public"
    for path in (public / "index.html", public / "contacts" / "index.html"):
        text = path.read_text(encoding="utf-8")
        assert '<script>alert("x")' not in text and "<b>1 Rd</b>" not in text, path
    assert json_ld(public / "index.html")["legalName"] == name
    contacts = parsed(public / "contacts" / "index.html")
    assert name in [dd.text_content() for dd in contacts.xpath("//section[@class='publisher-details']//dd")]
