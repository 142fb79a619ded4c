"""The issue's targets as ratios of one run's measurements, and the plain-text table."""

from __future__ import annotations

import math
import os
import platform
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.archive import SEARCH_WORD
from benchmarks.measure import Measurement

LIST50 = "list drafts --limit 50"
SEARCH = f"search {SEARCH_WORD} --limit 20"


def machine_info() -> dict[str, Any]:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    free = shutil.which("free")
    memory = subprocess.run([free, "-h"], capture_output=True, text=True).stdout if free else ""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory.strip(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


class Results:
    def __init__(self, measurements: list[Measurement]) -> None:
        self.by_key = {(m.operation, m.backend, m.n): m for m in measurements if not m.error and m.runs}

    def time(self, operation: str, backend: str, n: int | None) -> float | None:
        found = self.by_key.get((operation, backend, n))
        return found.median if found else None

    def peak(self, operation: str, backend: str, n: int | None) -> float | None:
        found = self.by_key.get((operation, backend, n))
        return found.peak_mib if found else None

    def sizes(self, operation: str, backend: str) -> list[int]:
        return sorted(n for op, b, n in self.by_key if op == operation and b == backend and n is not None)


def _ratio(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom == 0 or math.isnan(top) or math.isnan(bottom):
        return None
    return top / bottom


def _check(target: str, value: float | None, limit: float, *, at_most: bool, detail: str = "") -> dict[str, Any]:
    met = None if value is None else (value <= limit if at_most else value >= limit)
    bound = f"<= {limit:g}" if at_most else f">= {limit:g}"
    return {"target": target, "value": value, "limit": bound, "met": met, "detail": detail}


def _startup_checks(r: Results, heavy: dict[str, list[str]]) -> list[dict[str, Any]]:
    typer_time = r.time("import typer", "-", None)
    checks = []
    for flag in ("--help", "--version"):
        ratio = _ratio(r.time(f"balita {flag}", "-", None), typer_time)
        modules = heavy.get(flag, [])
        detail = "heavy modules: " + (", ".join(modules) if modules else "none")
        checks.append(_check(f"balita {flag} / import typer", ratio, 2.0, at_most=True, detail=detail))
        checks.append({"target": f"balita {flag} imports no SQLAlchemy/pydantic/Rich tables",
                       "value": len(modules), "limit": "= 0", "met": not modules, "detail": detail})  # fmt: skip
    for operation, limit in (("list --format count", 3.0), (SEARCH, 3.5)):  # issue 10, on SQLite
        for n in r.sizes(operation, "sqlite"):
            ratio = _ratio(r.time(operation, "sqlite", n), typer_time)
            checks.append(_check(f"[sqlite] {operation} @{n:,} / import typer", ratio, limit, at_most=True))
    return checks


def _scaling_checks(r: Results, backend: str) -> list[dict[str, Any]]:
    checks = []
    bare = r.time("import balita_cli.cli", "-", None)
    for operation in (LIST50, SEARCH):
        sizes = r.sizes(operation, backend)
        if len(sizes) < 2:
            continue
        small, large = sizes[0], sizes[-1]
        growth = _ratio(r.time(operation, backend, large), r.time(operation, backend, small))
        checks.append(_check(f"[{backend}] {operation} @{large:,} / @{small:,}", growth, 1.25, at_most=True))
        over_import = _ratio(r.time(operation, backend, large), bare)
        checks.append(_check(f"[{backend}] {operation} @{large:,} / bare import", over_import, 1.3, at_most=True))
    return checks


def _hugo_checks(r: Results) -> list[dict[str, Any]]:
    checks = []
    n = 10_000
    speedup = _ratio(r.time("hugo list drafts", "hugo", n), r.time("list drafts (all)", "sqlite", n))
    checks.append(_check(f"hugo list drafts / balita list --status draft @{n:,}", speedup, 5.0, at_most=False))
    files = max(r.sizes("import markdown", "sqlite"), default=n)
    over_hugo = _ratio(r.time("import markdown", "sqlite", files), r.time("hugo list all", "hugo", files))
    checks.append(_check(f"import markdown / hugo list all, {files:,} files", over_hugo, 3.0, at_most=True))
    full = _ratio(r.time("build (full)", "sqlite", n), r.time("hugo build", "hugo", n))
    checks.append(_check(f"balita build / hugo build @{n:,}", full, 3.0, at_most=True))
    rebuild = _ratio(r.time("hugo build", "hugo", n), r.time("build (after one edit)", "sqlite", n))
    checks.append(_check(f"hugo build / balita rebuild after one edit @{n:,}", rebuild, 10.0, at_most=False))
    return checks


def _export_checks(r: Results) -> list[dict[str, Any]]:
    sizes = r.sizes("export jsonl", "sqlite")
    if not sizes:
        return [_check("export jsonl articles/s", None, 20_000, at_most=False, detail="not measured")]
    large = sizes[-1]
    seconds = r.time("export jsonl", "sqlite", large)
    rate = large / seconds if seconds else None
    checks = [_check(f"export jsonl @{large:,}: articles/s", rate, 20_000, at_most=False)]
    start = r.time("list --format count", "sqlite", large)  # the same start-up, and one query
    if seconds and start is not None and seconds > start:
        beyond = large / (seconds - start)
        checks.append(_check(f"export jsonl @{large:,}: articles/s beyond start-up", beyond, 25_000, at_most=False))
    floor = _ratio(r.time("sqlite3 -json article", "sqlite", large), seconds)
    checks.append(_check(f"export jsonl @{large:,}: speed / sqlite3 -json", floor, 0.6, at_most=False))
    for n in r.sizes("export jsonl", "postgresql"):
        both = _ratio(r.time("export jsonl", "postgresql", n), r.time("export jsonl", "sqlite", n))
        checks.append(_check(f"export jsonl @{n:,}: postgresql / sqlite", both, 2.0, at_most=True))
    if len(sizes) >= 2:
        before = sizes[-2]
        growth = _ratio(r.peak("export jsonl", "sqlite", large), r.peak("export jsonl", "sqlite", before))
        checks.append(_check(f"export jsonl peak memory @{large:,} / @{before:,}", growth, 1.3, at_most=True))
    return checks


BUILDS = ("build (full)", "build (nothing changed)", "build (after one edit)")


def _build_checks(r: Results, backends: list[str]) -> list[dict[str, Any]]:
    """Issue 16: a build does what changed, known from the database (ratios of one run)."""
    checks = []
    for backend in backends:
        for n in (size for size in r.sizes("build (after one edit)", backend) if size >= 10_000):  # at 1,000
            hugo = r.time("hugo build", "hugo", n)  # both are mostly start-up
            edit = _ratio(r.time("build (after one edit)", backend, n), hugo)
            checks.append(_check(f"[{backend}] build after one edit / hugo build @{n:,}", edit, 0.1, at_most=True))
            full = _ratio(r.time("build (full)", backend, n), hugo)
            checks.append(_check(f"[{backend}] build (full) / hugo build @{n:,}", full, 2.0, at_most=True))
        for n in r.sizes("build (nothing changed)", backend):
            idle = _ratio(r.time("build (nothing changed)", backend, n), r.time("list --format count", backend, n))
            checks.append(_check(f"[{backend}] build, nothing changed / list --format count @{n:,}", idle, 1.5,
                                 at_most=True))  # fmt: skip
    for operation in BUILDS:
        for n in r.sizes(operation, "postgresql"):
            both = _ratio(r.time(operation, "postgresql", n), r.time(operation, "sqlite", n))
            checks.append(_check(f"{operation} @{n:,}: postgresql / sqlite", both, 2.0, at_most=True))
    return checks


def targets(measurements: list[Measurement], heavy: dict[str, list[str]]) -> list[dict[str, Any]]:
    r = Results(measurements)
    backends = sorted({m.backend for m in measurements} - {"-", "hugo"})
    checks = _startup_checks(r, heavy)
    for backend in backends:
        checks += _scaling_checks(r, backend)
    return checks + _export_checks(r) + _hugo_checks(r) + _build_checks(r, backends)


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "n/a"}[met]


def render(measurements: list[Measurement], checks: list[dict[str, Any]]) -> str:
    lines = [
        f"{'backend':<11} {'N':>8}  {'operation':<30} {'median s':>9} {'min s':>8} {'cpu s':>8} {'peak MiB':>9}  note"
    ]
    for m in measurements:
        n = "" if m.n is None else f"{m.n:,}"
        fastest = min(m.runs) if m.runs else None
        note = m.error[:60] if m.error else ""
        if m.operation == "export jsonl" and m.runs and m.n:
            note = f"{m.n / m.median:,.0f} articles/s"
        lines.append(
            f"{m.backend:<11} {n:>8}  {m.operation:<30} {_number(m.median):>9} {_number(fastest):>8} "
            f"{_number(m.median_cpu):>8} {_number(m.peak_mib, 0):>9}  {note}"
        )
    lines += ["", f"{'target':<62} {'value':>10} {'limit':>9}  result"]
    for check in checks:
        lines.append(
            f"{check['target']:<62} {_number(check['value'], 2):>10} {check['limit']:>9}  "
            f"{_verdict(check['met'])}  {check['detail']}"
        )
    return "\n".join(lines) + "\n"
