"""balita's benchmark: whole-process timings on a synthetic archive of N articles, and the budgets.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--runs 5] [--json results.json]

Builds (or reuses) one database per backend and size under --workdir, measures each command as
a separate process (median of --runs after a warm-up, and peak memory), the desk's quiet fetch,
and Hugo on the same articles where ``hugo`` is installed; prints a table and every budget with
its limit and met or MISSED, and writes everything as JSON. PostgreSQL is measured when
BALITA_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import archive, desk, hugo_site  # noqa: E402
from benchmarks.archive import postgres_database  # noqa: E402
from benchmarks.measure import Measurement, console_script, measure, say  # noqa: E402
from benchmarks.report import (  # noqa: E402
    COUNT,
    HELP,
    LEAD_EDIT,
    LIST50,
    SEARCH,
    TYPER,
    budgets,
    machine_info,
    render,
)

POSTGRES_ENV = "BALITA_TEST_DATABASE_URL"
DEFAULT_WORKDIR = Path("/tmp/balita-bench")
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "latest.json"
BALITA_ENV = ("BALITA_DATABASE_URL", "BALITA_SITE", "BALITA_USER", "NO_COLOR")


@dataclass
class Context:
    runs: int
    workdir: Path
    seed: int
    anchor: datetime
    fresh: bool
    balita: str
    commands: set[str]
    hugo: str | None
    skip: set[str] = field(default_factory=set)
    results: list[Measurement] = field(default_factory=list)

    def env(self, url: str | None = None) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in BALITA_ENV}
        env["BALITA_USER"] = "benchmark"
        if url is not None:
            env["BALITA_DATABASE_URL"] = url
        return env

    def record(self, measurement: Measurement) -> Measurement:
        self.results.append(measurement)
        status = measurement.error or f"{measurement.median:.3f}s  {measurement.peak_mib:.0f} MiB"
        size = "" if measurement.n is None else f" N={measurement.n:,}"
        say(f"  {measurement.backend}{size} {measurement.operation}: {status}")
        return measurement


# ---------------------------------------------------------------- databases


def balita_commands(balita: str) -> set[str]:
    """The commands this balita has, read from `balita --help` (some land while we measure)."""
    text = subprocess.run([balita, "--help"], capture_output=True, text=True, check=True).stdout
    commands, listing = set(), False
    for line in text.splitlines():
        if line.startswith("Commands:"):
            listing = True
        elif listing and line.startswith("  ") and line.strip():
            commands.add(line.split()[0])
    return commands


def archive_stamp(ctx: Context, n: int) -> dict[str, object]:
    return {"n": n, "seed": ctx.seed, "anchor": ctx.anchor.isoformat()}


def article_count(url: str) -> int | None:
    from sqlalchemy import create_engine, text

    from balita_cli.db.urls import normalise_url

    engine = create_engine(normalise_url(url, Path.cwd()))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM article")).scalar_one())
    except Exception:  # noqa: BLE001  (any failure means: not loaded, load it)
        return None
    finally:
        engine.dispose()


def write_site_config(site: Path, url: str) -> None:
    site.mkdir(parents=True, exist_ok=True)
    (site / "balita.toml").write_text(
        f'[site]\nname = "Balita benchmark"\noutput_dir = "public"\n\n[database]\nurl = "{url}"\n',
        encoding="utf-8",
    )


def prepare_archive(ctx: Context, backend: str, n: int) -> tuple[Path, str]:
    """The site directory and database URL holding archive N, loaded unless already there."""
    site = ctx.workdir / f"{backend}-{n}"
    stamp_file = site / "archive.json"
    stamp = archive_stamp(ctx, n)
    reuse = not ctx.fresh and stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp
    if backend == "sqlite":
        url = f"sqlite:///{site / 'balita.db'}"
        if not reuse:
            shutil.rmtree(site, ignore_errors=True)
    else:
        url = postgres_database(os.environ[POSTGRES_ENV], f"balita_bench_{n}", recreate=not reuse)
    write_site_config(site, url)
    if reuse and article_count(url) == n:
        say(f"{backend} N={n:,}: reusing {url}")
        return site, url
    say(f"{backend} N={n:,}: migrating and loading {url}")
    stamp_file.unlink(missing_ok=True)
    subprocess.run([ctx.balita, "db", "upgrade"], cwd=site, env=ctx.env(url), check=True)
    started = datetime.now()
    # In a child process, so this one stays small (see measure.py on peak memory).
    code = (
        "from datetime import datetime; from benchmarks import archive; "
        f"archive.load({url!r}, {n}, {ctx.seed}, datetime.fromisoformat({ctx.anchor.isoformat()!r}))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ctx.env(url), check=True)
    say(f"  loaded in {(datetime.now() - started).total_seconds():.1f}s")
    stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    return site, url


# ---------------------------------------------------------------- operations


def measure_startup(ctx: Context) -> None:
    """Start-up costs that do not depend on the archive."""
    cwd = ctx.workdir
    env = ctx.env()
    python = sys.executable
    for operation, command in (
        (TYPER, [python, "-c", "import typer"]),
        (HELP, [ctx.balita, "--help"]),
        ("balita --version", [ctx.balita, "--version"]),
    ):
        ctx.record(measure(operation, "-", None, command, cwd=cwd, env=env, runs=ctx.runs))


def measure_queries(ctx: Context, backend: str, n: int, site: Path, url: str) -> None:
    env = ctx.env(url)
    b = ctx.balita
    for operation, command in (
        (LIST50, [b, "list", "--limit", "50"]),
        ("list drafts --limit 50", [b, "list", "--status", "draft", "--limit", "50"]),
        (SEARCH, [b, "search", archive.SEARCH_WORD, "--limit", "20"]),
        ("list drafts (all)", [b, "list", "--status", "draft"]),
        (COUNT, [b, "list", "--format", "count"]),
    ):
        ctx.record(measure(operation, backend, n, command, cwd=site, env=env, runs=ctx.runs))
    if "export" in ctx.commands and "export" not in ctx.skip:
        target = site / "export.jsonl"
        command = [b, "export", "jsonl", "-o", str(target)]
        ctx.record(measure("export jsonl", backend, n, command, cwd=site, env=env, runs=ctx.runs))
        target.unlink(missing_ok=True)


def measure_build(ctx: Context, backend: str, n: int, site: Path, url: str) -> None:
    """A full build into an empty directory, a build with nothing changed, and a build after the
    headline of one published article (the oldest: on the last page of every list it is on) is
    edited. Without the search index first, as Hugo's build (which makes none) is measured; then
    the full build and the one-edit build with it, and the default build after editing the
    headline of the front page's lead (the newest published story: what an editor corrects)."""
    env = ctx.env(url)
    output = site / "public"
    plain = [ctx.balita, "build", "--no-search"]

    def clean() -> None:
        empty_output(output)

    full = measure("build (full)", backend, n, plain, cwd=site, env=env, runs=ctx.runs, setup=clean)
    ctx.record(full)
    if full.error:
        return
    ctx.record(measure("build (nothing changed)", backend, n, plain, cwd=site, env=env, runs=ctx.runs))
    listed = [ctx.balita, "list", "--status", "published", "--sort", "+published", "--limit", "1", "--format", "ids"]
    found = subprocess.run(listed, cwd=site, env=env, check=True, capture_output=True, text=True).stdout.split()
    edits = iter(range(1, 100_000))

    def edit_one() -> None:
        title = f"Benchmark edit {next(edits)}"
        subprocess.run(
            [ctx.balita, "edit", f"#{found[0]}", "--title", title], cwd=site, env=env, check=True, capture_output=True
        )

    ctx.record(measure("build (after one edit)", backend, n, plain, cwd=site, env=env, runs=ctx.runs, setup=edit_one))
    if "search" in ctx.skip:
        return
    searched = [ctx.balita, "build"]
    ctx.record(measure("build (full, search)", backend, n, searched, cwd=site, env=env, runs=ctx.runs, setup=clean))
    ctx.record(
        measure("build (one edit, search)", backend, n, searched, cwd=site, env=env, runs=ctx.runs, setup=edit_one)
    )
    newest = [ctx.balita, "list", "--status", "published", "--sort", "-published", "--limit", "1", "--format", "ids"]
    lead = subprocess.run(newest, cwd=site, env=env, check=True, capture_output=True, text=True).stdout.split()

    def edit_lead() -> None:
        title = f"The lead, corrected {next(edits)}"
        subprocess.run([ctx.balita, "edit", f"#{lead[0]}", "--title", title], cwd=site, env=env, check=True,
                       capture_output=True)  # fmt: skip

    ctx.record(measure(LEAD_EDIT, backend, n, searched, cwd=site, env=env, runs=ctx.runs, setup=edit_lead))


def empty_output(output: Path) -> None:
    """Before a full build: no output folder, and nothing of the last run's left to reach the
    disk. A balita build ends with one sync of the disk (its pages durable before its manifest
    says so); without this one it would also pay for the removal just made and for the last
    run's pages, its own or Hugo's (which never syncs)."""
    shutil.rmtree(output, ignore_errors=True)
    os.sync()


def hugo_tree(ctx: Context, n: int) -> Path:
    root = ctx.workdir / f"hugo-{n}"
    stamp_file = root / ".archive.json"
    stamp = archive_stamp(ctx, n)
    if ctx.fresh or not stamp_file.exists() or json.loads(stamp_file.read_text()) != stamp:
        say(f"hugo N={n:,}: writing the site at {root}")
        hugo_site.write_site(root, archive.generate(n, ctx.seed, ctx.anchor))
        stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    return root


def measure_hugo(ctx: Context, n: int) -> None:
    assert ctx.hugo is not None
    root = hugo_tree(ctx, n)
    env = ctx.env()
    output = ctx.workdir / f"hugo-{n}-public"

    def clean() -> None:
        empty_output(output)

    for operation, command, setup in (
        ("hugo list drafts", [ctx.hugo, "list", "drafts"], None),
        ("hugo list all", [ctx.hugo, "list", "all"], None),
        ("hugo build", [ctx.hugo, "--quiet", "--destination", str(output)], clean),
    ):
        ctx.record(measure(operation, "hugo", n, command, cwd=root, env=env, runs=ctx.runs, setup=setup))
    clean()


def measure_desk(ctx: Context) -> None:
    """The desk's quiet fetch: 20 sources answering 304 from a server in this process."""
    bench = desk.Bench(ctx.workdir / "desk", ctx.balita, ctx.runs)
    feeds = desk.Feeds()
    with desk.serving(feeds.handler()) as base:
        for measurement in desk.quiet_fetch(bench, feeds, base):
            ctx.record(measurement)


def measure_import(ctx: Context, files: int) -> None:
    """`balita import markdown` of the Hugo tree and `balita import jsonl` of the export of the
    same articles, each into an empty, migrated SQLite database, next to `hugo list all` on the
    tree and `sqlite-utils insert --nl` of the file (benchmarks/import_bench.py measures imports
    further: several sizes, PostgreSQL, an older balita side by side)."""
    from benchmarks import import_bench

    tree = hugo_tree(ctx, files) / "content"
    dump = import_bench.export_file(import_bench.Inputs(ctx.workdir, ctx.seed, ctx.anchor, ctx.fresh), files)
    site = ctx.workdir / f"import-{files}"
    database = site / "balita.db"
    url = f"sqlite:///{database}"
    write_site_config(site, url)
    env = ctx.env(url)

    def empty_database() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        subprocess.run([ctx.balita, "db", "upgrade"], cwd=site, env=env, check=True, capture_output=True)

    def timed(operation: str, command: list[str], setup: Callable[[], None]) -> None:
        ctx.record(measure(operation, "sqlite", files, command, cwd=site, env=env, runs=ctx.runs, setup=setup))

    for input_format, source in (("markdown", tree), ("jsonl", dump)):
        timed(f"import {input_format}", [ctx.balita, "import", input_format, str(source)], empty_database)
    if ctx.hugo:
        ctx.record(
            measure("hugo list all", "hugo", files, [ctx.hugo, "list", "all"], cwd=tree.parent, env=env, runs=ctx.runs)
        )
    sqlite_utils = console_script("sqlite-utils")
    if sqlite_utils:
        other = site / "sqlite-utils.db"
        command = [sqlite_utils, "insert", str(other), "articles", str(dump), "--nl"]
        timed("sqlite-utils insert --nl", command, lambda: other.unlink(missing_ok=True))
        other.unlink(missing_ok=True)


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    def sizes(text: str) -> list[int]:
        return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]

    parser = argparse.ArgumentParser(description="Benchmark balita on a synthetic archive.")
    parser.add_argument("--sizes", type=sizes, default=[1000, 10_000, 100_000], help="archive sizes (comma-separated)")
    parser.add_argument("--pg-sizes", type=sizes, default=None, help="sizes for PostgreSQL (default: --sizes)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per operation, after one warm-up")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="databases and sites (reused)")
    parser.add_argument("--seed", type=int, default=archive.SEED, help="generator seed")
    parser.add_argument("--fresh", action="store_true", help="regenerate databases and sites")
    parser.add_argument("--hugo-max", type=int, default=10_000, help="largest N measured with hugo")
    parser.add_argument("--build-max", type=int, default=10_000, help="largest N measured with balita build")
    parser.add_argument(
        "--skip",
        type=lambda text: set(text.split(",")),
        default=set(),
        help="parts to leave out: export, build, search, hugo, import, desk",
    )
    parser.add_argument("--import-files", type=int, default=10_000, help="files for import markdown (0: skip)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    balita = console_script("balita")
    if balita is None:
        say("error: the balita console script is not on PATH (pip install -e .)")
        return 1
    args.workdir.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ctx = Context(
        runs=args.runs,
        workdir=args.workdir,
        seed=args.seed,
        anchor=today,
        fresh=args.fresh,
        balita=balita,
        commands=balita_commands(balita),
        hugo=shutil.which("hugo"),
        skip=args.skip,
    )
    say(f"balita commands: {', '.join(sorted(ctx.commands))}; hugo: {ctx.hugo or 'not installed'}")
    measure_startup(ctx)
    backends: list[tuple[str, list[int]]] = [("sqlite", args.sizes)]
    if os.environ.get(POSTGRES_ENV):
        backends.append(("postgresql", args.pg_sizes or args.sizes))
    for backend, sizes in backends:
        for n in sizes:
            site, url = prepare_archive(ctx, backend, n)
            measure_queries(ctx, backend, n, site, url)
            if "build" in ctx.commands and "build" not in args.skip and n <= args.build_max:
                measure_build(ctx, backend, n, site, url)
    if ctx.hugo and "hugo" not in args.skip:
        for n in (size for size in args.sizes if size <= args.hugo_max):
            measure_hugo(ctx, n)
    if "import" in ctx.commands and "import" not in args.skip and args.import_files:
        measure_import(ctx, args.import_files)
    if "fetch" in ctx.commands and "desk" not in args.skip:
        measure_desk(ctx)
    checks = budgets(ctx.results)
    sys.stdout.write(render(ctx.results, checks))
    document = {
        "machine": machine_info(),
        "command": " ".join(["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "seed": args.seed,
        "anchor": today.isoformat(),
        "python": platform.python_version(),
        "results": [m.as_json() for m in ctx.results],
        "budgets": checks,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    say(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
