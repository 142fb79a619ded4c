"""Incremental builds: whatever was edited, a build that redoes only what changed writes the same
bytes, file for file, as a clean build of the same database into an empty folder.

The main test drives a newsroom through a seeded random walk — headlines, bodies, summaries, slugs,
tags and sections moved, terms renamed and merged, stories published (some dated in the past, so
the list order moves), unpublished, archived, retracted, corrected, trashed and restored, photos
attached and described — with the build's own state knocked about between steps (a damaged
manifest, one from an older balita, one from another database, an output file deleted). After each
step it builds incrementally, builds ``--clean`` into a fresh folder and compares the two trees
(the manifest aside), then builds again and expects nothing written.

The search index is left to its own test: Pagefind does not write the same bytes twice for the same
pages, so what is checked there is when the build runs it and what it indexes.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from balita_cli.site.redirect_map import MAP_FILE
from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.database import store_raw
from tests.helpers.site import MANIFEST, make_photo, site_manifest_files

SEED = 20261127
STEPS = 45
TAGS = ["Weather", "Flooding", "Rice", "Senado"]  # few tags, so each holds more stories than a related window
SECTIONS = ["Nation", "Politics", "Economy"]
AUTHORS = ["Ana Reyes", "Jose Dela Cruz", "Liza Manalo"]
WORDS = ("bagyo baha ulan presyo bigas senado barangay lungsod typhoon flood rice senate market price "
         "coast guard relief school road bridge").split()  # fmt: skip


def build(cli: Cli, output: Path, *args: str) -> dict[str, Any]:
    result = cli.ok("build", "-o", str(output), "--format", "json", "--no-search", *args)
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def build_in_a_process(cli: Cli, output: Path, probe: str) -> subprocess.CompletedProcess[str]:
    """``balita build -o output --no-search`` in a real process, after the Python of ``probe``
    (which may register what to print at exit); it must succeed."""
    code = f"{probe}import sys\nsys.argv = ['balita', 'build', '-o', {str(output)!r}, '--no-search']\n"
    code += "from balita_cli.cli import main\nmain()\n"
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=output.parent)
    assert done.returncode == 0, done.stderr
    return done


def tree(root: Path) -> dict[str, bytes]:
    """Every file of a built site, the manifest aside; of the redirect map, what moved (what is
    gone is the site's history, which a clean build into a new folder does not have)."""
    files = {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    if MAP_FILE in files:
        files[MAP_FILE] = b"\n".join(line for line in files[MAP_FILE].splitlines() if not line.endswith(b'"gone";'))
    return files


def assert_same_site(incremental: Path, clean: Path, step: str) -> None:
    built, expected = tree(incremental), tree(clean)
    missing = sorted(set(expected) - set(built))
    extra = sorted(set(built) - set(expected))
    differ = sorted(path for path in set(built) & set(expected) if built[path] != expected[path])
    assert not (missing or extra or differ), f"{step}: missing {missing[:5]}, extra {extra[:5]}, differ {differ[:5]}"


class Newsroom:
    """The random walk: each method is one editor's action on a story chosen at random."""

    def __init__(self, cli: Cli, site: Path, rng: random.Random) -> None:
        self.cli = cli
        self.site = site
        self.rng = rng
        self.count = 0
        self.trashed: list[int] = []
        self.photos: list[int] = []
        self.tags = list(TAGS)
        self.sections = list(SECTIONS)
        self.authors = list(AUTHORS)

    def words(self, count: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(count))

    def unique(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix} {self.count} {self.words(3)}"

    def ids(self, *statuses: str) -> list[int]:
        args = ["list", "--format", "json", "--fields", "id", "--limit", "1000"]
        for status in statuses:
            args += ["--status", status]
        rows: list[dict[str, Any]] = self.cli.json(*args)
        return sorted(row["id"] for row in rows)

    def pick(self, *statuses: str) -> int | None:
        found = self.ids(*statuses)
        return self.rng.choice(found) if found else None

    def body(self) -> str:
        paragraphs = [self.words(self.rng.randint(8, 30)) + "." for _ in range(self.rng.randint(1, 4))]
        if self.rng.random() < 0.3:
            paragraphs.append(f"See [the report](https://example.ph/{self.count}) and *more*.")
        return "\n\n".join(paragraphs)

    def story(self, *, status: str = "published", hours_ago: int | None = None) -> int:
        extra = ["--status", status, "--body", self.body(), "--section", self.rng.choice(self.sections),
                 "--author", self.rng.choice(self.authors)]  # fmt: skip
        for tag in self.rng.sample(self.tags, self.rng.randint(1, min(3, len(self.tags)))):
            extra += ["--tag", tag]
        if self.rng.random() < 0.4:
            extra += ["--summary", self.words(12)]
        if self.rng.random() < 0.3:
            extra += ["--lang", "fil"]
        if hours_ago is not None and status == "published":
            extra += ["--at", f"{hours_ago} hours ago"]
        return self.cli.new(self.unique("Story"), *extra)

    # ---------------------------------------------------------------- the actions

    def new_story(self) -> str:
        hours = self.rng.choice([None, self.rng.randint(1, 400)])
        article = self.story(hours_ago=hours)
        return f"new story {article} ({hours} hours ago)"

    def new_draft(self) -> str:
        return f"new draft {self.story(status='draft')}"

    def retitle(self) -> str:
        article = self.pick()
        if article is None:
            return "nothing to retitle"
        self.cli.ok("edit", str(article), "--title", self.unique("Headline"))
        return f"retitled {article}"

    def rewrite(self) -> str:
        article = self.pick("published")
        if article is None:
            return "nothing to rewrite"
        self.cli.ok("edit", str(article), "--body", self.body())
        return f"rewrote the body of {article}"

    def summarise(self) -> str:
        article = self.pick("published")
        if article is None:
            return "nothing to summarise"
        summary = self.rng.choice(["", self.words(10)])
        self.cli.ok("edit", str(article), "--summary", summary)
        return f"summary of {article} set to {summary!r}"

    def reslug(self) -> str:
        article = self.pick("published", "archived")
        if article is None:
            return "nothing to reslug"
        self.count += 1
        self.cli.ok("edit", str(article), "--slug", f"moved-story-{self.count}")
        return f"new slug for {article}"

    def retag(self) -> str:
        article = self.pick("published")
        if article is None:
            return "nothing to retag"
        tags = self.rng.sample(self.tags, self.rng.randint(1, min(3, len(self.tags))))
        args = ["edit", str(article)]
        for tag in tags:
            args += ["--set-tag", tag]
        self.cli.ok(*args)
        return f"tags of {article} set to {tags}"

    def move_section(self) -> str:
        article = self.pick("published")
        if article is None:
            return "nothing to move"
        section = self.rng.choice([*self.sections, ""])
        self.cli.ok("edit", str(article), "--section", section)
        return f"moved {article} to {section!r}"

    def feature(self) -> str:
        article = self.pick("published")
        if article is None:
            return "nothing to feature"
        flag = self.rng.choice(["--featured", "--not-featured"])
        self.cli.ok("edit", str(article), flag)
        return f"{flag} {article}"

    def publish(self) -> str:
        article = self.pick("draft")
        if article is None:
            return "no draft to publish"
        self.cli.ok("publish", str(article))
        return f"published {article}"

    def unpublish(self) -> str:
        article = self.pick("published")
        if article is None:
            return "nothing to unpublish"
        self.cli.ok("unpublish", str(article))
        return f"unpublished {article}"

    def archive(self) -> str:
        article = self.pick("published")
        if article is None:
            return "nothing to archive"
        self.cli.ok("archive", str(article))
        return f"archived {article}"

    def retract(self) -> str:
        article = self.pick("published")
        if article is None:
            return "nothing to retract"
        self.cli.ok("retract", str(article), "--reason", self.words(8))
        return f"retracted {article}"

    def correct(self) -> str:
        article = self.pick("published")
        if article is None:
            return "nothing to correct"
        self.cli.ok("correct", str(article), self.words(9))
        return f"corrected {article}"

    def trash(self) -> str:
        article = self.pick("published", "archived", "retracted")
        if article is None:
            return "nothing to trash"
        self.cli.ok("delete", str(article), "--yes")
        self.trashed.append(article)
        return f"trashed {article}"

    def restore(self) -> str:
        if not self.trashed:
            return self.trash()
        article = self.trashed.pop(self.rng.randrange(len(self.trashed)))
        self.cli.ok("restore", f"#{article}")
        return f"restored {article}"

    def rename_tag(self) -> str:
        old = self.rng.choice(self.tags)
        new = self.unique("Tag").title()
        self.cli.ok("tag", "rename", old, new)
        self.tags[self.tags.index(old)] = new
        return f"tag {old!r} renamed {new!r}"

    def merge_tags(self) -> str:
        if len(self.tags) < 3:
            return self.rename_tag()
        gone, into = self.rng.sample(self.tags, 2)
        self.cli.ok("tag", "merge", gone, "--into", into)
        self.tags.remove(gone)
        return f"tag {gone!r} merged into {into!r}"

    def rename_section(self) -> str:
        old = self.rng.choice(self.sections)
        new = self.unique("Section").title()
        self.cli.ok("section", "rename", old, new)
        self.sections[self.sections.index(old)] = new
        return f"section {old!r} renamed {new!r}"

    def rename_author(self) -> str:
        old = self.rng.choice(self.authors)
        new = self.unique("Writer").title()
        self.cli.ok("author", "rename", old, new)
        self.authors[self.authors.index(old)] = new
        return f"author {old!r} renamed {new!r}"

    def photo(self) -> str:
        article = self.pick("published")
        if article is None:
            return "no story for a photo"
        if len(self.photos) < 2 or self.rng.random() < 0.3:
            path = self.site / f"photo-{self.count}.jpg"
            path.write_bytes(make_photo(360, 240, seed=self.count))
            self.count += 1
            added = self.cli.ok("media", "add", str(path), "--alt", self.words(4), "--porcelain").stdout.split()
            self.photos.append(int(added[0]))
        photo = self.rng.choice(self.photos)
        self.cli.ok("edit", str(article), "--image", str(photo))
        return f"photo {photo} on {article}"

    def describe_photo(self) -> str:
        if not self.photos:
            return self.photo()
        photo = self.rng.choice(self.photos)
        self.cli.ok("media", "edit", str(photo), "--alt", self.words(5), "--caption", self.words(6))
        return f"photo {photo} described again"

    # ---------------------------------------------------------------- the build's own state

    def damage_manifest(self, output: Path) -> str:
        (output / MANIFEST).write_text('{"version": 2, "files": [', encoding="utf-8")
        return "damaged the manifest"

    def older_manifest(self, output: Path) -> str:
        older = {"version": 1, "files": {path: {k: v for k, v in entry.items() if k != "key"}
                                         for path, entry in site_manifest_files(output).items()}}  # fmt: skip
        (output / MANIFEST).write_text(json.dumps(older), encoding="utf-8")
        return "manifest of an older balita"

    def other_database(self, output: Path) -> str:
        manifest = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        manifest["site"]["source"] = "0" * 32
        (output / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        return "manifest of another database"

    def lose_a_file(self, output: Path) -> str:
        files = sorted(path for path in tree(output) if not path.startswith("media/"))
        lost = self.rng.choice(files)
        (output / lost).unlink()
        return f"deleted {lost} from the output"


@pytest.mark.slow
def test_every_incremental_build_equals_a_clean_build(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    rng = random.Random(SEED)
    room = Newsroom(cli, tmp_path, rng)
    for number in range(40):  # every tag holds more stories than a related-stories window reaches
        room.story(hours_ago=rng.randint(1, 900) if number % 3 else None)
    for _ in range(4):
        room.story(status="draft")
    output = tmp_path / "public"
    first = build(cli, output)
    assert first["written"] == first["files"]
    edits: list[Callable[[], str]] = [
        room.new_story, room.new_draft, room.retitle, room.retitle, room.rewrite, room.summarise, room.reslug,
        room.retag, room.move_section, room.feature, room.publish, room.unpublish, room.archive, room.retract,
        room.correct, room.trash, room.restore, room.rename_tag, room.merge_tags, room.rename_section,
        room.rename_author, room.photo, room.describe_photo,
    ]  # fmt: skip
    upsets: list[Callable[[Path], str]] = [room.damage_manifest, room.older_manifest, room.other_database,
                                           room.lose_a_file]  # fmt: skip
    for step in range(STEPS):
        if step % 7 == 6:
            done = rng.choice(upsets)(output)
        else:
            done = "; ".join(rng.choice(edits)() for _ in range(rng.choice([1, 1, 2])))
        summary = build(cli, output)
        clean = tmp_path / f"clean-{step}"
        build(cli, clean, "--clean")
        assert_same_site(output, clean, f"step {step}: {done}")
        again = build(cli, output)
        assert (again["written"], again["removed"]) == (0, 0), f"after step {step} ({done}) a second build wrote"
        assert again["kept"] == summary["files"] == again["files"]


def test_one_edit_rewrites_only_what_shows_it(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    first = build(cli, output)
    rows = cli.json("list", "--status", "published", "--format", "json", "--fields", "id,slug,title")
    oldest = rows[-1]
    cli.ok("edit", str(oldest["id"]), "--dateline", "CEBU")  # shown only on its own page (and feeds)
    after = build(cli, output)
    assert after["written"] < first["files"] // 4
    assert "CEBU" in (output / "articles" / oldest["slug"] / "index.html").read_text(encoding="utf-8")
    assert build(cli, output)["written"] == 0


def test_a_sitemap_in_parts_remakes_only_the_part_of_an_edited_story(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``PART`` URLs the sitemap is an index of parts by ranges of ids: an edit remakes its
    story's part and the index, no other part, and the site is what a clean build makes."""
    import xmlschema

    from balita_cli.site import sitemaps

    monkeypatch.setattr(sitemaps, "PART", 2)
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    build(cli, output)
    before = {path.name: path.read_bytes() for path in output.glob("sitemap-*.xml")}
    assert len([name for name in before if not name.startswith("sitemap-lists-")]) >= 3
    story = cli.json("list", "--status", "published", "--format", "json", "--fields", "id,title")[-1]
    cli.ok("edit", str(story["id"]), "--title", "Binagong pamagat")
    index_before = (output / "sitemap.xml").read_bytes()
    build(cli, output)
    after = {path.name: path.read_bytes() for path in output.glob("sitemap-*.xml")}
    assert sorted(after) == sorted(before)
    assert [name for name in before if before[name] != after[name]] == [f"sitemap-{story['id'] // 2 + 1}.xml"]
    assert (output / "sitemap.xml").read_bytes() != index_before  # the part's last change moved
    clean = tmp_path / "clean"
    build(cli, clean, "--clean")
    assert_same_site(output, clean, "a sitemap in parts")
    schemas = corpora_path("schemas", "sitemaps")
    xmlschema.XMLSchema(str(schemas / "siteindex.xsd")).validate(str(output / "sitemap.xml"))
    urlset = xmlschema.XMLSchema(str(schemas / "sitemap.xsd"))
    for name in after:
        urlset.validate(str(output / name))


def test_a_manifest_from_another_database_means_a_full_build(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    build(cli, output)
    other = tmp_path / "other.db"
    cli.ok("--db", str(other), "db", "upgrade")
    cli.ok("--db", str(other), "new", "The only story elsewhere", "--status", "published", "--body", "Elsewhere.")
    summary = json.loads(cli.ok("--db", str(other), "build", "-o", str(output), "--format", "json",
                                "--no-search").stdout)  # fmt: skip
    assert summary["articles"] == 1 and summary["removed"] > 0
    clean = tmp_path / "clean"
    cli.ok("--db", str(other), "build", "-o", str(clean), "--no-search")
    assert_same_site(output, clean, "a build from another database")


@pytest.mark.slow
def test_hostile_manifests_cost_a_full_build_and_nothing_outside(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    build(cli, output)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    manifest = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    hostile_states: list[Any] = [
        {**manifest["site"], "index": [["x", None, 5]], "digest": "not it"},
        {**manifest["site"], "index": "nonsense", "news_until": "yesterday", "digest": None},
        [1, 2, 3],
    ]
    for state in hostile_states:
        document = {**manifest, "site": state}
        document["files"] = {**site_manifest_files(output), "../precious.txt": {"sha256": "0", "size": 7}, "x": 5}
        (output / MANIFEST).write_text(json.dumps(document), encoding="utf-8")
        build(cli, output)
        assert precious.read_text(encoding="utf-8") == "keep me"
    clean = tmp_path / "clean"
    build(cli, clean)
    assert_same_site(output, clean, "hostile manifests")


def test_a_manifest_of_the_previous_version_is_read_and_rewritten_in_columns(cli: Cli, tmp_path: Path) -> None:
    """Upgrading balita: the last build's manifest (version 2, an object per file) still says which
    files are balita's and what their bytes were, so nothing is rewritten; it is saved as version 3."""
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    first = build(cli, output)
    document = _manifest(output)
    _write_manifest(output, {**document, "version": 2, "files": site_manifest_files(output)})
    (output / "robots.txt").unlink()  # a file of the last build gone: made again, and only it
    again = build(cli, output)
    assert again["written"] == 1 and again["removed"] == 0 and again["files"] == first["files"]
    upgraded = _manifest(output)
    assert upgraded["version"] == 3 and upgraded["files"] == document["files"]
    assert build(cli, output)["written"] == 0


@pytest.mark.slow
def test_hostile_file_columns_are_no_file_of_ours(cli: Cli, tmp_path: Path) -> None:
    """Version 3 keeps the files as columns: lists of unequal length, a path that is not text, or
    one outside the folder make a full build that removes nothing outside and matches a clean one."""
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    build(cli, output)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    document = _manifest(output)
    files = document["files"]
    assert document["version"] == 3 and set(files) == {"path", "size", "sha256", "key"}
    assert len({len(column) for column in files.values()}) == 1 and len(files["path"]) > 10
    hostile_columns: list[Any] = [
        {**files, "size": files["size"][:-1]},  # one size short
        {**files, "path": [*files["path"][:-1], 7]},  # a path that is not text
        {
            name: [*column, value]
            for (name, column), value in zip(files.items(), ("../precious.txt", 7, "0", "k"), strict=True)
        },  # fmt: skip
        {**files, "key": "not a list"},
    ]
    for hostile in hostile_columns:
        _write_manifest(output, {**document, "files": hostile})
        summary = build(cli, output)
        assert precious.read_text(encoding="utf-8") == "keep me"
        assert summary["removed"] == 0, summary
    again = build(cli, output)
    assert again["written"] == 0 and again["kept"] == again["files"]  # the manifest is whole again
    clean = tmp_path / "clean"
    build(cli, clean)
    assert_same_site(output, clean, "hostile file columns")


def test_a_build_with_nothing_changed_renders_and_reads_nothing(cli: Cli, tmp_path: Path) -> None:
    """A real process: it must not even load the template engine, Markdown or the photo library."""
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    build(cli, output)
    done = build_in_a_process(cli, output, (
        "import atexit, sys\n"
        "heavy = ('jinja2', 'markdown_it', 'nh3', 'PIL', 'lxml', 'babel')\n"
        "atexit.register(lambda: print('LOADED:' + ' '.join(m for m in heavy if m in sys.modules)))\n"
    ))  # fmt: skip
    assert "0 written" in done.stderr
    loaded = [line for line in done.stdout.splitlines() if line.startswith("LOADED:")]
    assert loaded == ["LOADED:"], loaded


def test_a_full_build_renders_each_body_once(cli: Cli, tmp_path: Path) -> None:
    """A story shows on its page and in the site's, its section's, tags' and authors' feeds, all
    made after every page: its Markdown is rendered once (a real process, counting renders)."""
    stories = Path("stories.jsonl")  # the newest first: their pages are the first rendered
    stories.write_text("".join(json.dumps({
        "title": f"Story {number}", "body": f"Paragraph {number} about *bagyo*.\n\nMore on {number}.",
        "status": "published", "section": "Nation", "tags": ["Weather"], "authors": ["Ana Reyes"],
        "published_at": f"2026-11-{26 - number // 24:02d}T{23 - number % 24:02d}:00:00+08:00",
    }) + "\n" for number in range(120)))  # fmt: skip
    cli.ok("import", "jsonl", str(stories))
    done = build_in_a_process(cli, tmp_path / "public", (
        "import atexit, collections\n"
        "from balita_cli.formats import html\n"
        "renders = collections.Counter()\n"
        "render = html._render_markdown\n"
        "def counted(body):\n"
        "    renders[body] += 1\n"
        "    return render(body)\n"
        "html._render_markdown = counted\n"
        "atexit.register(lambda: print('RENDERED', len(renders), max(renders.values(), default=0)))\n"
    ))  # fmt: skip
    bodies, most = map(int, done.stdout.split("RENDERED ", 1)[1].split())
    assert bodies == 120
    assert most == 1  # with a memo too small for 120 bodies, the newest were rendered 4 times


@pytest.mark.slow
def test_pages_made_by_worker_processes_are_the_pages_made_in_one(cli: Cli, tmp_path: Path) -> None:
    """Enough stories for the build to share their pages with workers: the same bytes as one
    process makes, a fresh build and a build after edits alike."""
    stories = Path("stories.jsonl")
    stories.write_text("".join(json.dumps({
        "title": f"Kuwento {number}", "body": f"Talata {number} tungkol sa *bagyo*.\n\n- isa\n- dalawa {number}",
        "status": "published", "section": SECTIONS[number % 3], "tags": [TAGS[number % 4]],
        "authors": [AUTHORS[number % 3]],
        "published_at": f"2026-11-{1 + number // 24:02d}T{number % 24:02d}:00:00+08:00",
    }) + "\n" for number in range(260)))  # fmt: skip
    cli.ok("import", "jsonl", str(stories))
    one, shared = tmp_path / "one", tmp_path / "shared"
    cli.ok("build", "-o", str(one), "--no-search", env={"BALITA_BUILD_JOBS": "1"})
    cli.ok("build", "-o", str(shared), "--no-search", env={"BALITA_BUILD_JOBS": "3"})
    assert_same_site(shared, one, "a fresh build")
    for number in range(1, 261, 2):  # half the stories edited: a build that makes 130 pages again
        store_raw(cli.db_url, number, title=f"Binago {number}", version=50)
    cli.ok("build", "-o", str(one), "--no-search", env={"BALITA_BUILD_JOBS": "1"})
    cli.ok("build", "-o", str(shared), "--no-search", env={"BALITA_BUILD_JOBS": "2"})
    assert_same_site(shared, one, "after edits")
    assert len(tree(one)) > 300
    Path("templates").mkdir()  # a site template that fails in a worker: the same one line
    Path("templates/article.html").write_text(
        '{% extends "base.html" %}{% block main %}'
        "{{ 1 // (article.title | length - article.title | length) }}{% endblock %}"
    )
    failed = cli("build", "-o", str(tmp_path / "failed"), "--no-search", env={"BALITA_BUILD_JOBS": "2"})
    assert failed.exit_code == 1 and failed.stderr.startswith(
        "error: template article.html (line 1): ZeroDivisionError"
    )
    assert failed.stderr.count("\n") == 1


def test_page_makers_share_a_batch_with_a_worker_and_keep_its_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real forked workers: each page says which process made it; the build's own makes a share."""
    from balita_cli.records import SiteArticle
    from balita_cli.site.parallel import PageMakers

    class Build:
        def article_page(self, article: SiteArticle) -> tuple[str, str]:
            return f"articles/{article.record['slug']}/index.html", str(os.getpid())

    monkeypatch.setenv("BALITA_BUILD_JOBS", "2")
    articles = [SiteArticle({"id": number, "slug": f"s{number}"}, {}) for number in range(300)]
    with PageMakers(Build(), len(articles)) as makers:
        made = makers.make(articles)
    assert [article_id for _, article_id in made] == list(range(300))
    assert [page[0] for page, _ in made] == [f"articles/s{number}/index.html" for number in range(300)]
    makers_seen = {page[1] for page, _ in made}
    assert str(os.getpid()) in makers_seen and len(makers_seen) == 2


@pytest.mark.parametrize("jobs", ["0", "many", "-2", "65", "²", "3.5"])
def test_a_bad_number_of_build_jobs_is_one_line(cli: Cli, tmp_path: Path, jobs: str) -> None:
    cli.new("Isang kuwento", "--status", "published", "--body", "x")
    result = cli("build", "-o", str(tmp_path / "public"), "--no-search", env={"BALITA_BUILD_JOBS": jobs})
    assert result.exit_code == 1 and "BALITA_BUILD_JOBS must be a whole number from 1 to 64" in result.stderr


def test_the_render_memo_keeps_within_its_budget() -> None:
    from balita_cli.formats.html import _Rendered

    memo = _Rendered(budget=30)
    memo.put("a" * 5, "<p>" + "a" * 5)  # 13 characters
    memo.put("b" * 5, "<p>" + "b" * 5)  # 26
    assert memo.get("a" * 5) is not None  # a is now the most recently used
    memo.put("c" * 5, "<p>" + "c" * 5)  # 39: b goes
    assert memo.get("b" * 5) is None and memo.get("a" * 5) and memo.get("c" * 5)
    memo.put("d" * 40, "too large to keep")
    assert memo.get("d" * 40) is None and memo.get("c" * 5)


@pytest.mark.slow
def test_the_search_index_is_made_again_only_when_an_article_page_changed(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"

    def search_build() -> dict[str, Any]:
        summary: dict[str, Any] = json.loads(cli.ok("build", "-o", str(output), "--format", "json").stdout)
        if summary["search"]["problem"]:
            pytest.skip(summary["search"]["problem"])
        return summary

    def indexed(root: Path) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry_file in (root / "pagefind").glob("*/pagefind-entry.json"):
            for language, data in json.loads(entry_file.read_text(encoding="utf-8"))["languages"].items():
                counts[language] = counts.get(language, 0) + data["page_count"]
        return counts

    first = search_build()
    assert not first["search"]["reused"]
    assert search_build()["search"]["reused"]  # nothing changed
    rows = cli.json("list", "--status", "published", "--format", "json", "--fields", "id,language")
    cli.ok("new", "A draft nobody sees", "--body", "Draft.")  # not on the site: the index stands
    assert search_build()["search"]["reused"]
    cli.ok("edit", str(rows[0]["id"]), "--body", "Bagong talata tungkol sa bagyo.")
    assert not search_build()["search"]["reused"]
    cli.ok("unpublish", str(rows[1]["id"]))
    changed = search_build()
    assert not changed["search"]["reused"] and changed["search"]["pages"] == len(rows) - 1
    clean = tmp_path / "clean"
    json.loads(cli.ok("build", "-o", str(clean), "--format", "json", "--clean").stdout)
    assert indexed(output) == indexed(clean)
    assert sum(indexed(output).values()) == len(rows) - 1


def test_related_stories_are_looked_at_again_wherever_they_can_differ() -> None:
    """``changes.affected`` against the truth: on random lists of stories, change a few in place (tags,
    section, headline, listed or not) and work out every story's related stories and neighbours
    before and after; each story whose links differ must be among those looked at again."""
    from balita_cli.site.changes import Previous, affected
    from balita_cli.site.related import RelatedIndex

    rng = random.Random(SEED)

    def links(index: list[dict[str, Any]]) -> dict[int, Any]:
        related = RelatedIndex(index)
        found = {}
        for entry in index:
            near = related.neighbours(entry["id"])
            found[entry["id"]] = ([e["id"] for e in near.related], (near.newer or {}).get("id"),
                                  (near.older or {}).get("id"), [e["title"] for e in near.related])  # fmt: skip
        return found

    tags = [f"t{number}" for number in range(4)]
    for trial in range(300):
        size = rng.randint(20, 90)
        index: list[dict[str, Any]] = [{"id": 1000 - position, "slug": f"s{position}", "title": f"title {position}",
                  "published_at": f"2026-01-01T00:{position:02d}", "section": rng.choice(["", "a", "b"]),
                  "tags": tuple(sorted(rng.sample(tags, rng.randint(0, 3)))), "listed": rng.random() > 0.15}
                 for position in range(size)]  # fmt: skip
        previous = [Previous(e["id"], "stamp", e["section"], list(e["tags"]), e["listed"]) for e in index]
        after = [dict(entry) for entry in index]
        changed: set[int] = set()
        for entry in rng.sample(after, rng.randint(1, 4)):
            changed.add(entry["id"])
            what = rng.choice(["tags", "section", "title", "listed"])
            if what == "tags":
                entry["tags"] = tuple(sorted(rng.sample(tags, rng.randint(0, 3))))
            elif what == "section":
                entry["section"] = rng.choice(["", "a", "b"])
            elif what == "title":
                entry["title"] += " (new)"
            else:
                entry["listed"] = not entry["listed"]
        looked_at = affected(after, previous, changed)
        assert looked_at is not None
        old, new = links(index), links(after)
        differ = {article for article in new if old[article] != new[article]}
        assert differ <= looked_at, (trial, sorted(differ - looked_at))


def _manifest(output: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    return document


def _write_manifest(output: Path, document: dict[str, Any]) -> None:
    (output / MANIFEST).write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize(
    "state_change",
    [
        {"news_until": "2999-01-01T00:00:00"},  # a time without a zone
        {"news_until": 5},
        {"failed_photos": 5},
        {"failed_photos": ["x", None]},
        {"listed": "many", "photos": {"a": 1}},
        {"index": "1\tx\t\t\t1\n", "version": 1.0},
        {"index": None, "pages": None},
    ],
)
def test_a_state_of_the_wrong_types_is_not_trusted_and_never_a_traceback(
    cli: Cli, tmp_path: Path, state_change: dict[str, Any]
) -> None:
    """The state the manifest keeps, with every other part still the last build's (so the build
    takes the paths that trust it): wrong types cost at most a full build."""
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    build(cli, output)
    document = _manifest(output)
    for digest in (document["site"]["digest"], None):  # the last build's: nothing to do; none: a rebuild
        _write_manifest(output, {**document, "site": {**document["site"], **state_change, "digest": digest}})
        build(cli, output)
    clean = tmp_path / "clean"
    build(cli, clean)
    assert_same_site(output, clean, f"a state with {state_change}")
    assert build(cli, output)["written"] == 0


def test_a_manifest_naming_folders_or_paths_through_links_removes_nothing_outside(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    build(cli, output)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me", encoding="utf-8")
    (output / "elsewhere").symlink_to(outside, target_is_directory=True)
    document = _manifest(output)
    entry = {"sha256": "0" * 64, "size": 7, "key": "k"}
    hostile = {"elsewhere/precious.txt": entry, "articles": entry, "robots.txt/x": entry, "/etc/hostname": entry,
               "tags": {"size": "big", "sha256": 5, "key": ["not", "text"]}}  # fmt: skip
    _write_manifest(output, {**document, "files": {**site_manifest_files(output), **hostile}})
    summary = build(cli, output)
    assert (outside / "precious.txt").read_text(encoding="utf-8") == "keep me"
    assert (output / "articles").is_dir() and (output / "tags").is_dir()
    assert summary["removed"] == 0, summary
    (output / "elsewhere").unlink()
    clean = tmp_path / "clean"
    build(cli, clean)
    assert_same_site(output, clean, "a manifest naming folders")
    _write_manifest(output, {**_manifest(output), "files": {**site_manifest_files(output), **hostile}})
    build(cli, output, "--clean")  # --clean still removes what the last build made: never these
    assert (output / "articles").is_dir()


def test_a_logo_remembered_at_another_path_is_not_believed(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    build(cli, output)
    document = _manifest(output)
    memo = document["memo"]["logo"]
    memo["logo"] = {**memo["logo"], "path": "index.html", "width": "wide"}
    _write_manifest(output, {**document, "site": {**document["site"], "digest": None}})
    build(cli, output)
    clean = tmp_path / "clean"
    build(cli, clean)
    assert_same_site(output, clean, "a logo remembered elsewhere")


@pytest.mark.slow
def test_time_passing_moves_the_news_sitemap_and_nothing_else(cli: Cli, tmp_path: Path) -> None:
    """Stories enter the Google News sitemap at their time and leave it 48 hours later, with no edit:
    the build must notice the clock, and a build at the same moment must do nothing."""
    cli.ok("init", "--demo", "--database", cli.db_url)
    cli.new("Leaving the news window", "--status", "published", "--body", "Old.", "--at", "47 hours ago")
    cli.new("Dated to come", "--status", "published", "--body", "Soon.", "--at", "in 2 hours")
    output = tmp_path / "public"
    build(cli, output)
    first = (output / "news-sitemap.xml").read_text(encoding="utf-8")
    assert "Leaving the news window" in first and "Dated to come" not in first
    for number, hours in enumerate((3, 51, 51)):
        clock = f"in {hours} hours"
        summary = json.loads(cli.ok("--clock", clock, "build", "-o", str(output), "--format", "json",
                                    "--no-search").stdout)  # fmt: skip
        clean = tmp_path / f"clean-{number}"
        cli.ok("--clock", clock, "build", "-o", str(clean), "--no-search")
        assert_same_site(output, clean, f"the clock {clock}")
        news = (output / "news-sitemap.xml").read_text(encoding="utf-8")
        assert ("Leaving the news window" in news) is False
        assert ("Dated to come" in news) is (hours < 48)
        if number == 2:
            assert summary["written"] == 0


@pytest.mark.slow
def test_a_photo_that_cannot_be_shown_comes_back_when_its_original_does(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    picture = tmp_path / "harbour.jpg"
    picture.write_bytes(make_photo(400, 260, seed=3))
    photo = cli.ok("media", "add", str(picture), "--alt", "The harbour", "--porcelain").stdout.split()[0]
    article = cli.new("Ships in the harbour", "--status", "published", "--body", "Ships.", "--image", photo)
    output = tmp_path / "public"
    build(cli, output)
    shown = sorted(path for path in tree(output) if path.startswith("media/"))
    assert shown
    originals = [path for path in tmp_path.rglob("*") if "originals" in path.parts and path.is_file()]
    assert originals
    for original in originals:
        original.rename(original.with_name(original.name + ".away"))
    for path in shown:  # renditions that exist stand for their original: these do not
        (output / path).unlink()
    cli.ok("edit", str(article), "--title", "Ships in the harbour, again")
    lost = build(cli, output)
    assert lost["problems"] and lost["removed"] >= len(shown)
    clean = tmp_path / "clean-lost"
    build(cli, clean)
    assert_same_site(output, clean, "an original gone")
    for original in originals:
        original.with_name(original.name + ".away").rename(original)
    back = build(cli, output)  # nothing in the database changed: the photo is tried again
    assert not back["problems"]
    assert sorted(path for path in tree(output) if path.startswith("media/")) == shown
    clean = tmp_path / "clean-back"
    build(cli, clean)
    assert_same_site(output, clean, "an original back")
    assert build(cli, output)["written"] == 0


@pytest.mark.slow
def test_settings_templates_and_the_section_order_are_inputs_of_every_page(cli: Cli, tmp_path: Path) -> None:
    """Nothing in the database changes: the site's name, a template, a static file and the order of
    the sections do. Each is followed by a build equal to a clean one, then by a build with nothing
    to do; putting everything back puts back the first site."""
    cli.ok("init", "--demo", "--database", cli.db_url)
    output = tmp_path / "public"
    build(cli, output)
    first = tree(output)
    settings = tmp_path / "balita.toml"
    original = settings.read_text(encoding="utf-8")
    templates = tmp_path / "templates"

    def rename_site() -> None:
        settings.write_text(original.replace('name = "Balita"', 'name = "Balita Ngayon"'), encoding="utf-8")

    def order_sections() -> None:
        settings.write_text(original.replace('sections = ""', 'sections = "Sports, Nation"'), encoding="utf-8")

    def override_template() -> None:
        (templates / "static").mkdir(parents=True, exist_ok=True)
        (templates / "404.html").write_text('{% extends "base.html" %}{% block main %}Wala{% endblock %}')
        (templates / "static" / "style.css").write_text("body { color: teal; }\n")

    def put_back() -> None:
        settings.write_text(original, encoding="utf-8")
        for path in sorted(templates.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()

    for number, change in enumerate((rename_site, order_sections, override_template, put_back)):
        change()
        changed = build(cli, output)
        assert changed["written"] > 0, change.__name__
        clean = tmp_path / f"clean-{number}"
        build(cli, clean)
        assert_same_site(output, clean, change.__name__)
        assert build(cli, output)["written"] == 0, change.__name__
    assert tree(output) == first
