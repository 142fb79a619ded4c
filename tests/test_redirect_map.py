"""The redirects a build writes for web servers (.balita-redirects.map): old slugs and moved paths
301, article pages no build makes any more 410. Read back by parsing, and served by a real nginx
(Debian's nginx-light) with the snippet docs/deploying.md gives."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from balita_cli.site.redirect_map import GONE, MAP_FILE, parse, render
from tests.helpers.cli import Cli
from tests.helpers.database import engine_of, on_postgres, past_checks
from tests.helpers.deploy import lead_slug
from tests.helpers.s3server import free_ports

pytestmark = pytest.mark.slow  # builds a site
DOCS = Path(__file__).resolve().parents[1] / "docs" / "deploying.md"
HOSTILE_ALIASES = (
    '/a" "/evil/";',
    "/$host/x/",
    "/~^/.*$/",
    "/with space/",
    "/naïve/",
    "/a;b/",
    "/{x}/",
    "/" + "long" * 80 + "/",
)
LONG_ALIAS = "/" + "l" * 250 + "/"  # as long as a path nginx's map can hold
SLUG_COLUMN = 200


def add_alias(cli: Cli, article_id: int, alias: str) -> None:
    """An old address as an import keeps it: straight into the table, past every check."""
    engine = engine_of(cli.db_url)
    try:
        with engine.begin() as connection:
            statement = "INSERT INTO article_slug (article_id, slug) VALUES (:id, :slug)"
            past_checks(connection, [statement], {"id": article_id, "slug": alias})
    finally:
        engine.dispose()


def redirected_site(cli: Cli, tmp_path: Path) -> tuple[Path, dict[str, str], int]:
    """A site with an old slug, a moved path, a story gone, and hostile old addresses."""
    cli.ok("init", "--demo", "--database", cli.db_url)
    cli.ok("build", "--no-search")
    public = tmp_path / "public"
    lead = lead_slug(public)
    lead_id = cli.json("show", lead, "--format", "json")["id"]
    cli.ok("edit", lead, "--slug", "peso-story")
    add_alias(cli, lead_id, "/2019/05/peso-firms.html")
    for alias in (*HOSTILE_ALIASES, LONG_ALIAS):
        if len(alias) <= SLUG_COLUMN or not on_postgres():  # PostgreSQL holds the column to its size
            add_alias(cli, lead_id, alias)
    last = cli.json("list", "--status", "published", "--format", "json")[-1]
    gone = last["slug"]
    cli.ok("delete", gone, "--yes")
    cli.ok("build", "--no-search")
    expected = {
        f"/articles/{lead}/": "/articles/peso-story/",
        f"/articles/{lead}/index.html": "/articles/peso-story/",
        "/2019/05/peso-firms.html": "/articles/peso-story/",
        f"/articles/{gone}/": GONE,
        f"/articles/{gone}/index.html": GONE,
    }
    if not on_postgres():
        expected |= {LONG_ALIAS: "/articles/peso-story/", LONG_ALIAS + "index.html": "/articles/peso-story/"}
    return public, expected, int(last["id"])


def test_the_map_holds_old_slugs_moved_paths_and_gone_stories(cli: Cli, tmp_path: Path) -> None:
    public, expected, gone_id = redirected_site(cli, tmp_path)
    text = (public / MAP_FILE).read_text(encoding="utf-8")
    assert parse(text) == expected
    for alias in HOSTILE_ALIASES:
        assert alias.split("/")[1] not in text
    assert text.count("{") == 1 and text.count("}") == 1  # one map, nothing a path could open or close
    # A story that comes back is no longer gone; one gone stays gone through later builds.
    cli.ok("edit", "peso-story", "--title", "Peso firms, again")
    cli.ok("build", "--no-search")
    assert parse((public / MAP_FILE).read_text(encoding="utf-8")) == expected
    cli.ok("restore", str(gone_id))
    cli.ok("build", "--no-search")
    assert GONE not in parse((public / MAP_FILE).read_text(encoding="utf-8")).values()


def test_render_under_a_base_path() -> None:
    text = render("/news/", {"articles/old/index.html": "articles/new/"}, ["articles/gone/index.html"])
    assert parse(text) == {
        "/news/articles/old/": "/news/articles/new/",
        "/news/articles/old/index.html": "/news/articles/new/",
        "/news/articles/gone/": GONE,
        "/news/articles/gone/index.html": GONE,
    }


def nginx_program() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.skip("missing program: nginx is not installed (Debian package nginx-light)")
    return found


def documented_snippet() -> tuple[str, str]:
    """The http { } and server { } lines docs/deploying.md tells operators to add."""
    text = DOCS.read_text(encoding="utf-8")
    http_part = text.split("<!-- nginx-http -->")[1].split("```nginx\n")[1].split("```")[0]
    server_part = text.split("<!-- nginx-server -->")[1].split("```nginx\n")[1].split("```")[0]
    return http_part, server_part


def test_a_real_nginx_answers_301_and_410(cli: Cli, tmp_path: Path) -> None:
    program = nginx_program()
    public, expected, _gone = redirected_site(cli, tmp_path)
    http_part, server_part = documented_snippet()
    port = free_ports(1)[0]
    temp = tmp_path / "nginx"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = temp / "nginx.conf"
    config.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {temp}/nginx.pid;\nerror_log {temp}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n access_log off;\n client_body_temp_path {temp}/body;\n proxy_temp_path {temp}/proxy;\n"
        + http_part.replace("/srv/balita/public", str(public))
        + f" server {{\n  listen 127.0.0.1:{port};\n  root {public};\n"
        + server_part
        + " }\n}\n"
    )
    checked = subprocess.run([program, "-t", "-c", str(config), "-p", str(temp)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([program, "-c", str(config), "-p", str(temp)], stderr=subprocess.PIPE)
    try:
        answers = {path: _get(port, path) for path in [*expected, "/articles/peso-story/", "/no/such/page/"]}
    finally:
        server.terminate()
        server.wait(timeout=15)
    for path, value in expected.items():
        status, location = answers[path]
        if value == GONE:
            assert status == 410, path
        else:
            assert (status, location) == (301, f"http://127.0.0.1:{port}{value}"), path
    assert answers["/articles/peso-story/"][0] == 200
    assert answers["/no/such/page/"][0] == 404


def _get(port: int, path: str) -> tuple[int, str]:
    deadline = time.monotonic() + 15
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            answer.read()
            return answer.status, answer.getheader("Location") or ""
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        finally:
            connection.close()
