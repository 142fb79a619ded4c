"""What photos cost a site build once they are made: a one-article rebuild with 1,000 photos in
the site, against the same site without photos.

```sh
python benchmarks/site_photos.py --articles 1300 --photos 1000 --runs 5
```

Two sites get the same generated archive (``archive.py``); in the second, ``--photos`` published
articles each have a photo of their own, stored as the media library stores them. Both are built
once (the photo site's first build, which makes every rendition, is reported), then one
article's title is edited and ``balita build --no-search`` timed, ``--runs`` times. Budget: the
rebuild of the photo site within 1.5 times the other's."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import archive  # noqa: E402

TARGET = 1.5


def picture(number: int, width: int, height: int) -> bytes:
    """A small distinct JPEG: a gradient and a square whose place depends on ``number``."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (number * 37 % 256, number * 91 % 256, number * 53 % 256))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 8):
        draw.line([(0, y), (width, y)], fill=(y % 256, (number + y) % 256, 120))
    side = height // 3
    left = number * 13 % max(1, width - side)
    draw.rectangle([left, side, left + side, 2 * side], fill=(250, 210, 80))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def balita(site: Path, *args: str) -> float:
    """Run balita in ``site``; wall seconds."""
    env = {**os.environ, "BALITA_SITE": str(site)}
    env.pop("BALITA_DATABASE_URL", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "balita_cli", "--quiet", *args],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"balita {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return elapsed


def make_site(folder: Path, articles: int) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'balita.db'}"
    env = {**os.environ}
    env.pop("BALITA_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "balita_cli", "--quiet", "init", "--database", url],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    archive.load(url, articles)


def add_photos(folder: Path, count: int, width: int, height: int) -> int:
    """Give ``count`` published articles a photo each; returns how many got one."""
    import sqlite3

    from balita_cli.media import MediaStore, inspect_image

    store = MediaStore(folder / "media")
    connection = sqlite3.connect(folder / "balita.db")
    ids = [
        row[0]
        for row in connection.execute(
            "SELECT id FROM article WHERE status = 'published' ORDER BY published_at DESC LIMIT ?", (count,)
        )
    ]
    for number, article_id in enumerate(ids):
        data = picture(number, width, height)
        info = inspect_image(data)
        store.add(data, info)
        cursor = connection.execute(
            "INSERT INTO photo (sha256, format, width, height, size, original_name, alt, caption, credit, source_url, "
            "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, '', 'Balita', '', CURRENT_TIMESTAMP, 'bench')",
            (info.sha256, info.format, info.width, info.height, info.size, f"photo-{number}.jpg", f"Photo {number}"),
        )
        connection.execute("UPDATE article SET image_id = ? WHERE id = ?", (cursor.lastrowid, article_id))
    connection.commit()
    connection.close()
    return len(ids)


def rebuilds(folder: Path, runs: int) -> list[float]:
    """Edit one article, then time the build; ``runs`` times."""
    import sqlite3

    connection = sqlite3.connect(folder / "balita.db")
    newest = "SELECT id FROM article WHERE status = 'published' ORDER BY published_at DESC LIMIT 1 OFFSET 3"
    article_id = connection.execute(newest).fetchone()[0]
    connection.close()
    times = []
    for run in range(runs):
        balita(folder, "edit", str(article_id), "--title", f"An edited headline, take {run}")
        times.append(balita(folder, "build", "--no-search"))
    return times


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1300)
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--size", default="800x533", help="Each photo's size, WIDTHxHEIGHT.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/balita-bench-photos"))
    parser.add_argument("--json", type=Path, help="Write the figures here too.")
    parser.add_argument("--reuse", action="store_true", help="Keep the sites an earlier run made with these sizes.")
    options = parser.parse_args(argv)
    width, height = (int(part) for part in options.size.lower().split("x"))

    plain, photos = options.workdir / "plain", options.workdir / "photos"
    stamp = options.workdir / "sites.json"
    wanted = {"articles": options.articles, "photos": options.photos, "size": options.size}
    first: dict[str, float] = {}
    if options.reuse and stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        added = options.photos  # the sites of an earlier run, built already
    else:
        for folder in (plain, photos):
            make_site(folder, options.articles)
        added = add_photos(photos, options.photos, width, height)
        first = {"plain": balita(plain, "build", "--no-search"), "photos": balita(photos, "build", "--no-search")}
        stamp.write_text(json.dumps(wanted))
    plain_times = rebuilds(plain, options.runs)
    photo_times = rebuilds(photos, options.runs)
    ratio = statistics.median(photo_times) / statistics.median(plain_times)
    figures: dict[str, Any] = {
        "articles": options.articles,
        "photos": added,
        "photo_size": options.size,
        "first_build_s": {name: round(value, 2) for name, value in first.items()},
        "rebuild_s": {"plain": [round(t, 3) for t in plain_times], "photos": [round(t, 3) for t in photo_times]},
        "rebuild_median_s": {
            "plain": round(statistics.median(plain_times), 3),
            "photos": round(statistics.median(photo_times), 3),
        },
        "ratio": round(ratio, 3),
        "target": TARGET,
        "within_target": ratio <= TARGET,
    }
    lines = [f"{options.articles} articles, {added} with photos ({options.size}), median of {options.runs} runs"]
    if first:
        lines.append(f"first build: without photos {first['plain']:.2f} s, with photos {first['photos']:.2f} s")
    medians = figures["rebuild_median_s"]
    lines.append(f"one-article rebuild: without photos {medians['plain']:.3f} s, with photos {medians['photos']:.3f} s")
    verdict = "met" if ratio <= TARGET else "MISSED"
    lines.append(f"budget: rebuild with photos / without {ratio:.2f} (limit <= {TARGET:g})  {verdict}")
    sys.stdout.write("\n".join(lines) + "\n")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
