"""Imports against the tools that do the same reading or writing: ``hugo list all`` and
``sqlite-utils insert``.

    python benchmarks/import_bench.py [--sizes 1000,10000] [--runs 3] [--before DIR] [--postgres URL]

For each size N, on the synthetic archive of ``archive.py``:

1. ``balita import markdown`` of the archive written as a Hugo site (``hugo_site.py``, the tree
   ``run.py`` measures Hugo on), into an empty migrated SQLite database, next to ``hugo list all``
   on the same tree (target: at most 3 times as long);
2. ``balita import jsonl`` of ``balita export jsonl`` of the same articles, next to
   ``sqlite-utils insert DB articles FILE --nl`` of that file into a fresh SQLite database
   (target: at most 3 times as long);
3. with ``--postgres URL`` (or BALITA_TEST_DATABASE_URL), both imports into an empty PostgreSQL
   database, for sizes up to ``--pg-max`` (target: within 2 times the SQLite figure);
4. peak memory at the largest size against the one before it (target: at most 1.3 times).

``--before DIR`` also measures the balita in ``DIR`` (a folder holding an older
``balita_cli`` package, run with ``PYTHONPATH=DIR``) on the same inputs, each operation right
after the current one, so both meet the same machine. Every run is a whole process
(``measure.py``: median of ``--runs`` after a warm-up, CPU seconds, peak memory); emptying the
database is outside the timing.
"""

from __future__ import annotations

import argparse
import json
import os
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

from benchmarks import archive, hugo_site  # noqa: E402
from benchmarks.measure import Measurement, console_script, measure, say  # noqa: E402
from benchmarks.report import Results, import_budgets, machine_info, render  # noqa: E402

POSTGRES_ENV = "BALITA_TEST_DATABASE_URL"
DEFAULT_WORKDIR = Path("/tmp/balita-bench")
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "import.json"
BALITA_ENV = ("BALITA_DATABASE_URL", "BALITA_SITE", "BALITA_USER", "NO_COLOR", "PYTHONPATH")
PG_DATABASE = "balita_bench_import"


@dataclass
class Balita:
    """A balita to measure: this checkout's, or an older one given by its folder."""

    label: str  # "" for this checkout, "before" for --before
    pythonpath: Path | None = None

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "balita_cli", *args]

    def env(self, url: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in BALITA_ENV}
        env.update(BALITA_USER="benchmark", BALITA_DATABASE_URL=url)
        if self.pythonpath is not None:
            env["PYTHONPATH"] = str(self.pythonpath)
        return env

    def name(self, operation: str) -> str:
        return f"{operation} ({self.label})" if self.label else operation


@dataclass
class Run:
    runs: int
    inputs: Inputs
    balitas: list[Balita]
    postgres: str | None
    quick_above: int  # sizes above this: no warm-up, one run
    before_max: int  # largest size the older balita is measured at
    pg_max: int  # largest size measured on PostgreSQL
    results: list[Measurement] = field(default_factory=list)

    def record(self, measurement: Measurement) -> None:
        self.results.append(measurement)
        status = measurement.error or (
            f"{measurement.median:.3f}s (cpu {measurement.median_cpu:.3f}s) {measurement.peak_mib:.0f} MiB"
        )
        say(f"  {measurement.backend} N={measurement.n:,} {measurement.operation}: {status}")

    def measure(
        self,
        operation: str,
        backend: str,
        n: int,
        command: list[str],
        cwd: Path,
        env: dict[str, str],
        setup: Callable[[], None] | None = None,
    ) -> None:
        quick = n > self.quick_above
        self.record(
            measure(
                operation,
                backend,
                n,
                command,
                cwd=cwd,
                env=env,
                runs=1 if quick else self.runs,
                setup=setup,
                warmup=not quick,
            )
        )


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Inputs:
    """Where the inputs live and which archive they hold (``run.py`` uses the same)."""

    workdir: Path
    seed: int
    anchor: datetime
    fresh: bool = False

    def stamp(self, n: int) -> dict[str, object]:
        return {"n": n, "seed": self.seed, "anchor": self.anchor.isoformat()}


def hugo_tree(inputs: Inputs, n: int) -> Path:
    """The archive as a Hugo site, shared with ``run.py`` (same folder, same stamp)."""
    root = inputs.workdir / f"hugo-{n}"
    stamp_file = root / ".archive.json"
    if inputs.fresh or not stamp_file.exists() or json.loads(stamp_file.read_text()) != inputs.stamp(n):
        say(f"hugo N={n:,}: writing the site at {root}")
        hugo_site.write_site(root, archive.generate(n, inputs.seed, inputs.anchor))
        stamp_file.write_text(json.dumps(inputs.stamp(n)), encoding="utf-8")
    return root


def export_file(inputs: Inputs, n: int) -> Path:
    """``balita export jsonl`` of the archive (loaded by ``archive.load``, not by an import)."""
    folder = inputs.workdir / f"import-bench-{n}"
    target = folder / "export.jsonl"
    stamp_file = folder / "export.json"
    if not inputs.fresh and stamp_file.exists() and json.loads(stamp_file.read_text()) == inputs.stamp(n):
        return target
    say(f"export N={n:,}: loading the archive and exporting it to {target}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'source.db'}"
    current = Balita("")
    subprocess.run(current.command("db", "upgrade"), cwd=folder, env=current.env(url), check=True, capture_output=True)
    code = (
        "from datetime import datetime; from benchmarks import archive; "
        f"archive.load({url!r}, {n}, {inputs.seed}, datetime.fromisoformat({inputs.anchor.isoformat()!r}))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=current.env(url), check=True)
    command = current.command("export", "jsonl", "-o", str(target))
    subprocess.run(command, cwd=folder, env=current.env(url), check=True, capture_output=True)
    (folder / "source.db").unlink()
    stamp_file.write_text(json.dumps(inputs.stamp(n)), encoding="utf-8")
    return target


# ---------------------------------------------------------------- empty databases


def empty_sqlite(database: Path, balita: Balita | None) -> Callable[[], None]:
    def empty() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        if balita is not None:
            url = f"sqlite:///{database}"
            subprocess.run(
                balita.command("db", "upgrade"),
                cwd=database.parent,
                env=balita.env(url),
                check=True,
                capture_output=True,
            )

    return empty


def postgres_url(base: str, name: str) -> str:
    return base.split("?")[0].rsplit("/", 1)[0] + f"/{name}"


def empty_postgres(base: str, balita: Balita, cwd: Path) -> Callable[[], None]:
    def empty() -> None:
        from sqlalchemy import create_engine, text

        admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
        admin.dispose()
        url = postgres_url(base, PG_DATABASE)
        subprocess.run(balita.command("db", "upgrade"), cwd=cwd, env=balita.env(url), check=True, capture_output=True)

    return empty


# ---------------------------------------------------------------- measuring


def measure_size(run: Run, n: int) -> None:
    tree = hugo_tree(run.inputs, n) / "content"
    dump = export_file(run.inputs, n)
    folder = run.inputs.workdir / f"import-bench-{n}"
    database = folder / "balita.db"
    hugo = shutil.which("hugo")
    if hugo:
        run.measure("hugo list all", "hugo", n, [hugo, "list", "all"], tree.parent, Balita("").env(""))
    sqlite_utils = console_script("sqlite-utils")
    if sqlite_utils:
        other = folder / "sqlite-utils.db"
        command = [sqlite_utils, "insert", str(other), "articles", str(dump), "--nl"]
        run.measure(
            "sqlite-utils insert --nl",
            "sqlite",
            n,
            command,
            folder,
            Balita("").env(""),
            setup=empty_sqlite(other, None),
        )
        empty_sqlite(other, None)()
    balitas = [b for b in run.balitas if not b.label or n <= run.before_max]
    for operation, source in (("import markdown", tree), ("import jsonl", dump)):
        fmt = operation.split()[1]
        for balita in balitas:
            url = f"sqlite:///{database}"
            run.measure(
                balita.name(operation),
                "sqlite",
                n,
                balita.command("import", fmt, str(source)),
                folder,
                balita.env(url),
                setup=empty_sqlite(database, balita),
            )
        if run.postgres and n <= run.pg_max:
            for balita in balitas:
                url = postgres_url(run.postgres, PG_DATABASE)
                run.measure(
                    balita.name(operation),
                    "postgresql",
                    n,
                    balita.command("import", fmt, str(source)),
                    folder,
                    balita.env(url),
                    setup=empty_postgres(run.postgres, balita, folder),
                )
    empty_sqlite(database, None)()


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    def sizes(text: str) -> list[int]:
        return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]

    parser = argparse.ArgumentParser(description="Benchmark balita's imports against hugo and sqlite-utils.")
    parser.add_argument("--sizes", type=sizes, default=[1000, 10_000], help="archive sizes (comma-separated)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per operation, after one warm-up")
    parser.add_argument("--before", type=Path, default=None, help="a folder holding an older balita_cli to compare")
    parser.add_argument("--before-max", type=int, default=10_000, help="largest size the older balita is run at")
    parser.add_argument("--quick-above", type=int, default=10_000, help="sizes above this: one run, no warm-up")
    parser.add_argument("--postgres", default=os.environ.get(POSTGRES_ENV), help="a PostgreSQL server's URL")
    parser.add_argument("--pg-max", type=int, default=10_000, help="largest size measured on PostgreSQL")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only, even with BALITA_TEST_DATABASE_URL")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="inputs and databases (reused)")
    parser.add_argument("--seed", type=int, default=archive.SEED, help="generator seed")
    parser.add_argument("--fresh", action="store_true", help="regenerate the inputs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.before is not None and not (args.before / "balita_cli" / "__init__.py").is_file():
        say(f"error: {args.before} holds no balita_cli package")
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    balitas = [Balita("")] + ([Balita("before", args.before.resolve())] if args.before else [])
    inputs = Inputs(args.workdir, args.seed, today, args.fresh)
    run = Run(
        args.runs,
        inputs,
        balitas,
        None if args.no_postgres else args.postgres,
        args.quick_above,
        args.before_max,
        args.pg_max,
    )
    for n in args.sizes:
        measure_size(run, n)
    checks = [check for balita in balitas for check in import_budgets(Results(run.results), balita.label)]
    sys.stdout.write(render(run.results, checks))
    document = {
        "machine": machine_info(),
        "command": " ".join(["python", "benchmarks/import_bench.py", *(argv if argv is not None else sys.argv[1:])]),
        "seed": args.seed,
        "anchor": today.isoformat(),
        "results": [m.as_json() for m in run.results],
        "budgets": checks,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    say(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
