"""Time a whole process: the median of several runs after a warm-up, and its peak memory.

Each run is one child process reaped with ``os.wait4``, so its CPU time is that child's alone.
Peak memory comes from ``/usr/bin/time -f %M`` where it exists: Linux folds the parent's
resident set at fork into a child's ``ru_maxrss``, so without it the peak is only an upper
bound (keep the measuring process small: the archive is loaded in a separate process).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Setup = Callable[[], None]
TIME_PROGRAM = "/usr/bin/time" if shutil.which("/usr/bin/time") else None
SLOW_SECONDS = 20.0
SLOW_RUNS = 1


def say(text: str) -> None:
    """Progress on stderr; the report goes to stdout."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def console_script(name: str) -> str | None:
    """The script installed next to this Python, not a wrapper such as a pyenv shim, whose own
    start-up would be measured as the program's."""
    beside = Path(sysconfig.get_path("scripts")) / name
    return str(beside) if beside.is_file() else shutil.which(name)


@dataclass
class Measurement:
    operation: str
    backend: str
    n: int | None
    command: list[str]
    runs: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    error: str = ""
    output_bytes: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    @property
    def median_cpu(self) -> float:
        """User + system seconds: less disturbed than wall time when the machine is busy."""
        return statistics.median(self.cpu) if self.cpu else float("nan")

    @property
    def peak_mib(self) -> float:
        return max(self.peak_kib) / 1024 if self.peak_kib else float("nan")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(median_s=self.median, median_cpu_s=self.median_cpu, peak_mib=self.peak_mib)
        return data


def run_once(
    command: Sequence[str], cwd: Path, env: dict[str, str], stdout: Path
) -> tuple[float, float, int, int, str]:
    """Wall seconds, CPU seconds, peak KiB, exit code and the end of stderr of one run."""
    stderr = stdout.with_suffix(".stderr")
    memory = stdout.with_suffix(".maxrss")
    if TIME_PROGRAM is not None:
        command = [TIME_PROGRAM, "-f", "%M", "-o", str(memory), *command]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    tail = stderr.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss
    if TIME_PROGRAM is not None and memory.exists():
        peak = int(memory.read_text().split()[-1])
        memory.unlink()
    return elapsed, cpu, peak, process.returncode, " | ".join(tail)


def measure(
    operation: str,
    backend: str,
    n: int | None,
    command: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    runs: int,
    setup: Setup | None = None,
    warmup: bool = True,
) -> Measurement:
    """Run ``command`` once to warm caches, then ``runs`` times; stop at the first failure.

    An operation whose warm-up takes longer than SLOW_SECONDS is timed SLOW_RUNS times only:
    at that length start-up noise no longer matters and the whole suite stays within minutes.
    """
    result = Measurement(operation, backend, n, list(command))
    stdout = cwd / f".bench-{operation.replace(' ', '_')}.out"
    total = runs + (1 if warmup else 0)
    number = 0
    while number < total:
        if setup is not None:
            setup()
        elapsed, cpu, peak, code, tail = run_once(command, cwd, env, stdout)
        if code != 0:
            result.error = f"exit {code}: {tail}"
            break
        result.output_bytes = stdout.stat().st_size
        if warmup and number == 0:
            if elapsed > SLOW_SECONDS:
                total = min(total, 1 + SLOW_RUNS)
        else:
            result.runs.append(elapsed)
            result.peak_kib.append(peak)
            result.cpu.append(cpu)
        number += 1
    stdout.unlink(missing_ok=True)
    stdout.with_suffix(".stderr").unlink(missing_ok=True)
    return result
