"""The budgets a person can feel, checked against one run's measurements, and the plain report.

A budget is a limit on a ratio to a yardstick measured in the same run (``import typer``, ``balita
list``, Hugo, sqlite-utils), so it holds on a busy machine; a few are absolute (articles a second,
seconds on 2 cores). A budget only reports met or MISSED: nothing here fails a run.
"""

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

TYPER = "import typer"
HELP = "balita --help"
LIST50 = "list --limit 50"
SEARCH = f"search {SEARCH_WORD} --limit 20"
LEAD_EDIT = "build (lead edited, search)"
COUNT = "list --format count"
QUIET_FETCH = "fetch (20 sources, all 304)"
BARE_LIST = "list (bare)"
BUSY_FETCH = "fetch (20 x 50 new, 10,000 recent)"

Budget = dict[str, Any]


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

    def cpu(self, operation: str, backend: str, n: int | None) -> float | None:
        found = self.by_key.get((operation, backend, n))
        return found.median_cpu if found else None

    def peak(self, operation: str, backend: str, n: int | None) -> float | None:
        found = self.by_key.get((operation, backend, n))
        return found.peak_mib if found else None

    def sizes(self, operation: str, backend: str) -> list[int]:
        return sorted(n for op, b, n in self.by_key if op == operation and b == backend and n is not None)


def ratio(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom == 0 or math.isnan(top) or math.isnan(bottom):
        return None
    return top / bottom


def budget(name: str, value: float | None, limit: float, *, at_most: bool = True, detail: str = "") -> Budget:
    """One budget: its name says what is compared, the limit what it may reach."""
    met = None if value is None else (value <= limit if at_most else value >= limit)
    bound = f"<= {limit:g}" if at_most else f">= {limit:g}"
    return {"budget": name, "value": value, "limit": bound, "met": met, "detail": detail}


Key = tuple[str, str, int | None]


def compare(r: Results, name: str, top: Key, bottom: Key, limit: float) -> Budget:
    """A budget on the ratio of two wall times; the ratio of their CPU seconds rides along, as it
    moves less when other work shares the machine."""
    cpu = ratio(r.cpu(*top), r.cpu(*bottom))
    return budget(name, ratio(r.time(*top), r.time(*bottom)), limit, detail="" if cpu is None else f"cpu {cpu:.2f}")


def felt_budgets(r: Results, backends: list[str]) -> list[Budget]:
    """The waits of everyday commands, against Python importing the CLI library alone."""
    typer: Key = (TYPER, "-", None)
    checks = [compare(r, f"{HELP} / {TYPER}", (HELP, "-", None), typer, 2.5)]
    for operation in (LIST50, SEARCH):
        for n in r.sizes(operation, "sqlite"):
            checks.append(compare(r, f"[sqlite] {operation} @{n:,} / {TYPER}", (operation, "sqlite", n), typer, 2.5))
    for backend in backends:
        for n in r.sizes("build (nothing changed)", backend):
            name = f"[{backend}] build, nothing changed @{n:,} / {COUNT}"
            checks.append(compare(r, name, ("build (nothing changed)", backend, n), (COUNT, backend, n), 2.0))
    return checks


def fetch_budgets(r: Results, backends: list[str]) -> list[Budget]:
    """The desk's fetch: 20 quiet sources against a bare list, and a busy fetch in seconds."""
    checks = []
    for backend in backends:
        if r.time(QUIET_FETCH, backend, 20) is not None:
            name = f"[{backend}] quiet fetch of 20 sources / balita list"
            checks.append(compare(r, name, (QUIET_FETCH, backend, 20), (BARE_LIST, backend, None), 2.0))
        busy = r.time(BUSY_FETCH, backend, 10_000)
        if busy is not None:
            checks.append(budget(f"[{backend}] busy fetch of 1,000 entries, seconds on 2 cores", busy, 10.0))
    return checks


def scale_budgets(r: Results, backends: list[str]) -> list[Budget]:
    """A read does not slow down as the archive grows."""
    checks = []
    for backend in backends:
        for operation in (LIST50, SEARCH):
            sizes = r.sizes(operation, backend)
            if len(sizes) >= 2:
                small, large = sizes[0], sizes[-1]
                name = f"[{backend}] {operation} @{large:,} / @{small:,}"
                checks.append(compare(r, name, (operation, backend, large), (operation, backend, small), 1.25))
    return checks


def build_budgets(r: Results, backends: list[str]) -> list[Budget]:
    """Builds against Hugo's full build of the same articles, and PostgreSQL against SQLite."""
    checks = []
    for backend in backends:
        for n in (size for size in r.sizes("build (full)", backend) if size >= 10_000):
            hugo: Key = ("hugo build", "hugo", n)
            name = f"[{backend}] build (full) @{n:,} / hugo build"
            checks.append(compare(r, name, ("build (full)", backend, n), hugo, 2.0))
            name = f"[{backend}] build after one edit @{n:,} / hugo build"
            checks.append(compare(r, name, ("build (after one edit)", backend, n), hugo, 0.1))
            name = f"[{backend}] build (full, search) @{n:,} / hugo build"
            checks.append(compare(r, name, ("build (full, search)", backend, n), hugo, 2.5))
            name = f"[{backend}] {LEAD_EDIT} @{n:,} / hugo build"
            checks.append(compare(r, name, (LEAD_EDIT, backend, n), hugo, 0.15))
        sizes = r.sizes(LEAD_EDIT, backend)
        for small, large in zip(sizes, sizes[1:], strict=False):
            name = f"[{backend}] {LEAD_EDIT} @{large:,} / @{small:,}"
            checks.append(compare(r, name, (LEAD_EDIT, backend, large), (LEAD_EDIT, backend, small), 1.5))
    for operation in ("build (full)", "build (nothing changed)", "build (after one edit)"):
        for n in r.sizes(operation, "postgresql"):
            name = f"{operation} @{n:,}: postgresql / sqlite"
            checks.append(compare(r, name, (operation, "postgresql", n), (operation, "sqlite", n), 2.0))
    return checks


def import_budgets(r: Results, label: str = "") -> list[Budget]:
    """Imports against the tools that read or write the same files, and PostgreSQL against SQLite."""
    checks = []
    for operation, backend, yardstick in (
        ("import markdown", "hugo", "hugo list all"),
        ("import jsonl", "sqlite", "sqlite-utils insert --nl"),
    ):
        name = f"{operation} ({label})" if label else operation
        sizes = r.sizes(name, "sqlite")
        for n in sizes:
            checks.append(compare(r, f"{name} @{n:,} / {yardstick}", (name, "sqlite", n), (yardstick, backend, n), 3.0))
            if r.time(name, "postgresql", n) is not None:
                both = f"{name} @{n:,}: postgresql / sqlite"
                checks.append(compare(r, both, (name, "postgresql", n), (name, "sqlite", n), 2.0))
        if len(sizes) >= 2:
            large, before = sizes[-1], sizes[-2]
            growth = ratio(r.peak(name, "sqlite", large), r.peak(name, "sqlite", before))
            checks.append(budget(f"{name} peak memory @{large:,} / @{before:,}", growth, 1.3))
    return checks


def export_budgets(r: Results) -> list[Budget]:
    """Exports by articles a second, memory that does not grow with the archive, PostgreSQL against SQLite."""
    sizes = r.sizes("export jsonl", "sqlite")
    if not sizes:
        return []
    large = sizes[-1]
    seconds = r.time("export jsonl", "sqlite", large)
    checks = [
        budget(
            f"[sqlite] export jsonl @{large:,}: articles/s", large / seconds if seconds else None, 20_000, at_most=False
        )
    ]
    if len(sizes) >= 2:
        before = sizes[-2]
        growth = ratio(r.peak("export jsonl", "sqlite", large), r.peak("export jsonl", "sqlite", before))
        checks.append(budget(f"[sqlite] export jsonl peak memory @{large:,} / @{before:,}", growth, 1.3))
    for n in r.sizes("export jsonl", "postgresql"):
        name = f"export jsonl @{n:,}: postgresql / sqlite"
        checks.append(compare(r, name, ("export jsonl", "postgresql", n), ("export jsonl", "sqlite", n), 2.0))
    return checks


def hugo_budgets(r: Results) -> list[Budget]:
    n = 10_000
    if r.time("hugo list drafts", "hugo", n) is None:
        return []
    name = f"[sqlite] list --status draft @{n:,} / hugo list drafts"
    return [compare(r, name, ("list drafts (all)", "sqlite", n), ("hugo list drafts", "hugo", n), 0.2)]


def budgets(measurements: list[Measurement]) -> list[Budget]:
    r = Results(measurements)
    backends = sorted({m.backend for m in measurements} - {"-", "hugo"})
    return (
        felt_budgets(r, backends)
        + fetch_budgets(r, backends)
        + scale_budgets(r, backends)
        + build_budgets(r, backends)
        + import_budgets(r)
        + export_budgets(r)
        + hugo_budgets(r)
    )


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def render(measurements: list[Measurement], checks: list[Budget]) -> str:
    """The measurements as a table, then each budget with its limit and met, MISSED or n/a."""
    lines = [
        f"{'backend':<11} {'N':>8}  {'operation':<36} {'median s':>9} {'min s':>8} {'cpu s':>8} {'peak MiB':>9}  note"
    ]
    for m in measurements:
        n = "" if m.n is None else f"{m.n:,}"
        fastest = min(m.runs) if m.runs else None
        note = m.error[:60] if m.error else ""
        if m.operation == "export jsonl" and m.runs and m.n:
            note = f"{m.n / m.median:,.0f} articles/s"
        lines.append(
            f"{m.backend:<11} {n:>8}  {m.operation:<36} {_number(m.median):>9} {_number(fastest):>8} "
            f"{_number(m.median_cpu):>8} {_number(m.peak_mib, 0):>9}  {note}"
        )
    lines += ["", f"{'budget':<64} {'value':>10} {'limit':>9}  result"]
    for check in checks:
        verdict = {True: "met", False: "MISSED", None: "n/a"}[check["met"]]
        lines.append(
            f"{check['budget']:<64} {_number(check['value'], 2):>10} {check['limit']:>9}  {verdict}  {check['detail']}"
        )
    return "\n".join(lines) + "\n"
