"""Screenshots of the built demo site for docs/site.md: the front page, a section and an article,
on a desktop (1280 px) and a phone (390 px), taken in headless Chromium.

`python docs/generate_site_screenshots.py` builds the demo newsroom at a fixed clock, gives its
stories photos (drawn here with Pillow and added with `balita media add` / `balita edit --image`,
as an editor would), and writes docs/screenshots/site-<page>-<width>.png plus
site-layout.json: what each picture shows, as the text and the box (x, y, width, height) of
every visible heading, paragraph, link, image and landmark.

`--check` (run by the MkDocs build through docs/hooks.py, and by tests/test_site_screenshots.py)
renders the pages again and compares that layout with site-layout.json: the same elements with
the same text, each box within ``TOLERANCE`` pixels. The PNG bytes are not compared: a new
Chromium or font package changes them without changing what the reader sees.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from balita_cli.cli import app

FOLDER = Path(__file__).with_name("screenshots")
LAYOUT = FOLDER / "site-layout.json"
CLOCK = "2026-11-27 15:00"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PAGES = {"home": "", "section": "sections/politics/", "article": "articles/{lead}/"}
TOLERANCE = 24  # pixels a box may move before the picture counts as stale
PHOTOS = [
    ("Philippines, Vietnam", "Coast guard vessels off Palawan", "Patrol ships during a joint drill.", "PCG"),
    ("Senado", "Ang session hall ng Senado", "Ang huling pagbasa ng panukalang badyet.", "Senate PRIB"),
    ("Peso firms", "Peso bills on a trading desk", "The peso closed stronger on Wednesday.", "Balita"),
    ("Parañaque", "Stalls at a food park at night", "Regional dishes from Mindanao.", "Liza Manalo"),
    ("Bagong teleserye", "A film crew on a set", "Sa likod ng kamera.", "Balita"),
]  # fmt: skip
LOAD_IMAGES_JS = """async () => {
  for (const img of document.images) img.loading = "eager";
  await Promise.all([...document.images].map(img => img.complete ? null : new Promise(done => {
    img.addEventListener("load", done); img.addEventListener("error", done);
  })));
}"""
LAYOUT_JS = """() => {
  const wanted = "h1,h2,h3,p,li,a,img,figure,figcaption,nav,header,footer,main,section,article,time,form,input,button";
  const out = [];
  for (const el of document.querySelectorAll(wanted)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width < 1 || box.height < 1 || style.visibility === "hidden" || el.closest(".visually-hidden")) continue;
    const text = (el.tagName === "IMG" ? el.alt : el.textContent).replace(/\\s+/g, " ").trim().slice(0, 80);
    out.push([el.tagName.toLowerCase(), text, Math.round(box.x), Math.round(box.y + scrollY),
              Math.round(box.width), Math.round(box.height)]);
  }
  return out;
}"""


def picture(number: int, width: int = 1600, height: int = 1067) -> bytes:
    """A calm landscape (sky, sun, hills, sea), different for each number."""
    from PIL import Image, ImageDraw

    skies = [(46, 94, 170), (196, 98, 60), (52, 140, 120), (110, 76, 150), (36, 120, 150)]
    top = skies[number % len(skies)]
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        share = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(c + (235 - c) * share * 0.8) for c in top))
    radius = height // 9
    cx, cy = width * (1 + number % 4) // 5, height // 3
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=(250, 214, 96))
    draw.polygon(
        [(0, height * 3 // 4), (width // 3, height // 2), (width * 2 // 3, height * 3 // 4)], fill=(40, 80, 60)
    )
    draw.polygon([(width // 3, height * 3 // 4), (width * 3 // 4, height * 11 // 20), (width, height * 3 // 4)],
                 fill=(30, 64, 50))  # fmt: skip
    draw.rectangle([0, height * 3 // 4, width, height], fill=(30, 90, 140))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()


def _run(runner: CliRunner, args: list[str]) -> str:
    env = {"BALITA_CLOCK": CLOCK, "BALITA_DATABASE_URL": None, "BALITA_SITE": None, "BALITA_USER": "desk",
           "NO_COLOR": "1"}  # fmt: skip
    result = runner.invoke(app, args, env=env)
    if result.exit_code != 0:
        raise RuntimeError(f"balita {' '.join(args)} failed: {result.stderr or result.exception}")
    return result.stdout


def build_demo(folder: Path) -> tuple[Path, str]:
    """The demo site with photos, built into ``folder/public``; returns it and the lead's slug."""
    runner = CliRunner()
    previous = os.getcwd()
    os.chdir(folder)
    try:
        _run(runner, ["--quiet", "init", "--demo"])
        stories = json.loads(
            _run(runner, ["list", "--status", "published", "--format", "json", "--fields", "id,title,slug"])
        )
        for number, (start, alt, caption, credit) in enumerate(PHOTOS):
            story = next(s for s in stories if s["title"].startswith(start))
            path = folder / f"photo-{number}.jpg"
            path.write_bytes(picture(number))
            photo = _run(runner, ["--quiet", "media", "add", str(path), "--alt", alt, "--caption", caption,
                                  "--credit", credit, "--porcelain"]).split()[0]  # fmt: skip
            _run(runner, ["--quiet", "edit", str(story["id"]), "--image", photo])
        _run(runner, ["--quiet", "build"])
        lead = next(s for s in stories if s["title"].startswith(PHOTOS[0][0]))["slug"]
    finally:
        os.chdir(previous)
    return folder / "public", lead


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _served(root: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def render(write: bool) -> dict[str, list[list[Any]]]:
    """Each picture's layout (and, with ``write``, its PNG in docs/screenshots)."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("BALITA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("chromium is not installed (Debian package chromium)")
    layouts: dict[str, list[list[Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="balita-site-shots-") as scratch:
        public, lead = build_demo(Path(scratch))
        with _served(public) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            try:
                for name, path in PAGES.items():
                    for width, height in WIDTHS.values():
                        page = browser.new_page(viewport={"width": width, "height": height}, color_scheme="light")
                        page.goto(base + path.format(lead=lead), wait_until="load")
                        page.evaluate(LOAD_IMAGES_JS)  # a full-page picture shows the lazy ones too
                        key = f"site-{name}-{width}"
                        layouts[key] = page.evaluate(LAYOUT_JS)
                        if write:
                            page.screenshot(path=str(FOLDER / f"{key}.png"), full_page=True)
                        page.close()
            finally:
                browser.close()
    return layouts


def differences(saved: dict[str, list[list[Any]]], now: dict[str, list[list[Any]]]) -> list[str]:
    """The pictures whose layout changed: other elements or text, or a box moved past TOLERANCE."""
    stale = []
    for name in sorted(set(saved) | set(now)):
        old, new = saved.get(name), now.get(name)
        if old is None or new is None or len(old) != len(new):
            stale.append(name)
            continue
        for a, b in zip(old, new, strict=True):
            if a[:2] != b[:2] or any(abs(x - y) > TOLERANCE for x, y in zip(a[2:], b[2:], strict=True)):
                stale.append(name)
                break
    return stale


def stale() -> list[str]:
    if not LAYOUT.is_file():
        return ["site-layout.json"]
    saved = json.loads(LAYOUT.read_text(encoding="utf-8"))
    missing = [f"{name}.png" for name in saved if not (FOLDER / f"{name}.png").is_file()]
    return missing + differences(saved, render(write=False))


def main(argv: list[str]) -> int:
    if "--check" in argv:
        names = stale()
        if names:
            print(f"stale: {', '.join(names)}; run python docs/generate_site_screenshots.py", file=sys.stderr)  # noqa: T201
            return 1
        return 0
    FOLDER.mkdir(exist_ok=True)
    layouts = render(write=True)
    LAYOUT.write_text(json.dumps(layouts, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {len(layouts)} screenshots and {LAYOUT.name} in {FOLDER}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
