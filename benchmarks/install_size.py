"""What installing balita costs on disk: this checkout installed into a new virtual environment.

    python benchmarks/install_size.py [--venv /tmp/balita-bench-venv] [--extra bench]

Reports the installed packages' size (site-packages, less pip itself), balita's own share and the
largest dependencies. The environment is kept: measuring from it (``VENV/bin/python
benchmarks/run.py``) times an installed balita, as a user has it, rather than an editable one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import say  # noqa: E402

TOOLING = ("pip", "setuptools", "_distutils_hack", "distutils-precedence.pth")


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(item.lstat().st_size for item in path.rglob("*") if item.is_file() or item.is_symlink())


def site_packages(venv: Path) -> Path:
    python = venv / "bin" / "python"
    code = "import sysconfig; print(sysconfig.get_path('purelib'))"
    return Path(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip())


def sizes(packages: Path) -> dict[str, int]:
    """Bytes per top-level entry of site-packages, each ``*.dist-info`` folded into its package's row."""
    found: dict[str, int] = {}
    for entry in packages.iterdir():
        if entry.name.startswith(TOOLING) or entry.name == "__pycache__":
            continue
        name = entry.name.split("-")[0] if entry.name.endswith(".dist-info") else entry.name.removesuffix(".py")
        name = name.lower()
        found[name] = found.get(name, 0) + tree_bytes(entry)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", type=Path, default=Path("/tmp/balita-bench-venv"), help="made anew each run")
    parser.add_argument("--extra", action="append", default=[], help="also install this extra (bench, docs…)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "install.json")
    args = parser.parse_args(argv)
    say(f"making {args.venv} and installing {ROOT}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(args.venv)], check=True)
    target = f"{ROOT}[{','.join(args.extra)}]" if args.extra else str(ROOT)
    pip = [str(args.venv / "bin" / "python"), "-m", "pip", "install", "--quiet", target]
    subprocess.run(pip, check=True)
    found = sizes(site_packages(args.venv))
    total = sum(found.values())
    own = found.get("balita_cli", 0)
    largest = sorted(found.items(), key=lambda item: item[1], reverse=True)[:8]
    mib = 1024 * 1024
    lines = [
        f"installed: {total / mib:.1f} MiB in {len(found)} entries of site-packages (pip left out)",
        f"balita_cli: {own / mib:.2f} MiB",
        "largest: " + ", ".join(f"{name} {size / mib:.1f}" for name, size in largest),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {"python": sysconfig.get_python_version(), "total": total, "balita_cli": own, "entries": found}
    args.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
