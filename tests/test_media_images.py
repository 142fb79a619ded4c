"""The image core of the media library: inspection, refusals, clean published copies, the store
and renditions. Fixtures come from tests/fixtures/images/make_images.py (committed, each < 60 KB).

Published bytes are read back with Pillow *and* with small marker/chunk walkers written here, so
"no metadata" is checked by a reader that does not share Pillow's idea of what metadata is.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import resource
import struct
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from balita_cli.errors import InvalidInput
from balita_cli.media import (
    ImageInfo,
    MediaStore,
    Rendition,
    inspect_image,
    plan_renditions,
    publishable,
    render_renditions,
    safe_display_name,
    srcset,
)

IMAGES = Path(__file__).resolve().parent / "fixtures" / "images"
SECRET = b"SECRET-METADATA"  # written into every metadata field of the fixtures


def fixture(name: str) -> bytes:
    return (IMAGES / name).read_bytes()


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of every segment before the first scan; an independent JPEG reader."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    segments, offset = [], 2
    while offset < len(data):
        assert data[offset] == 0xFF, f"broken marker at {offset}"
        marker = data[offset + 1]
        length = struct.unpack(">H", data[offset + 2 : offset + 4])[0]
        segments.append((marker, data[offset + 4 : offset + 2 + length]))
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        offset += 2 + length
    return segments


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    kinds, offset = [], 8
    while offset < len(data):
        length = struct.unpack(">I", data[offset : offset + 4])[0]
        kinds.append(data[offset + 4 : offset + 8])
        offset += 12 + length
    return kinds


def webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    kinds, offset = [], 12
    while offset < len(data):
        length = struct.unpack("<I", data[offset + 4 : offset + 8])[0]
        kinds.append(data[offset : offset + 4])
        offset += 8 + length + (length & 1)
    return kinds


def assert_no_jpeg_metadata(data: bytes) -> None:
    for marker, payload in jpeg_segments(data):
        assert marker not in (0xE1, 0xED, 0xFE), f"metadata segment 0x{marker:02X} survived"  # EXIF/XMP, IPTC, COM
        if marker == 0xE2:
            assert payload.startswith(b"ICC_PROFILE\x00"), "an APP2 segment that is not a colour profile"
    assert SECRET not in data and b"Exif\x00" not in data and b"ns.adobe.com" not in data
    assert not reopen(data).getexif()


@pytest.fixture
def umask() -> Iterator[None]:
    """Run a test under umask 022 (the usual one) and restore the caller's."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


# -- inspection --------------------------------------------------------------------------------


def test_a_rotated_camera_photo_is_read_as_displayed() -> None:
    data = fixture("photo_exif.jpg")
    info = inspect_image(data, name="IMG_0001.JPG")
    assert (info.format, info.media_type) == ("jpeg", "image/jpeg")
    assert (info.sha256, info.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert (info.width, info.height, info.orientation) == (3000, 4000, 6)  # stored 4000×3000, shown portrait
    assert info.taken_at == datetime(2025, 11, 3, 14, 25, 7, tzinfo=timezone(timedelta(hours=8)))
    assert info.has_gps is True
    assert info.camera == "Canon EOS R6"  # Make "Canon" is not repeated when Model starts with it
    assert (info.frames, info.animated, info.has_alpha) == (1, False, False)


def test_a_date_without_offset_is_naive_and_gps_is_found() -> None:
    info = inspect_image(fixture("landscape.jpg"))
    assert info.taken_at == datetime(2025, 12, 24, 23, 59, 58)
    assert info.taken_at.tzinfo is None  # the camera's wall clock; the zone is the caller's call
    assert (info.camera, info.has_gps, info.orientation) == ("FUJIFILM X-T5", True, 1)


def test_hostile_exif_text_comes_back_without_control_characters() -> None:
    info = inspect_image(fixture("hostile_exif.jpg"), name="hostile.jpg")
    assert not any(unicodedata.category(char).startswith("C") for char in info.camera)
    assert "\x1b" not in info.camera and "\n" not in info.camera
    # Markup is kept as text: escaping it is the renderer's job (HTML, XML), not the reader's.
    assert info.camera.startswith("<script>alert(1)</script>[2J")
    assert info.orientation == 1  # orientation 42 does not exist: treated as absent
    assert info.taken_at is None  # "9999:99:99 99:99:99"


def test_animations_are_accepted_and_counted() -> None:
    info = inspect_image(fixture("animated.gif"))
    assert (info.format, info.frames, info.animated) == ("gif", 3, True)


def test_an_animations_frames_count_together_against_the_pixel_limit() -> None:
    with pytest.raises(InvalidInput, match="frames together"):
        inspect_image(fixture("animated.gif"), name="anim.gif", max_pixels=64 * 48 * 2)


# -- refusals ----------------------------------------------------------------------------------

REFUSED = [
    ("not_an_image.jpg", "not an image"),
    ("script.svg", "SVG"),
    ("truncated.jpg", "truncated"),
    ("bomb.png", "too many pixels"),
    ("empty.jpg", "empty"),
    ("scan.tiff", "TIFF"),
]


@pytest.mark.parametrize(("name", "reason"), REFUSED)
def test_refusals_are_one_line_naming_the_file(name: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        inspect_image(fixture(name), name=f"uploads/{name}")
    message = refused.value.message
    assert message.startswith(f"{name} ") and reason in message
    assert "\n" not in message and "uploads/" not in message


@pytest.mark.parametrize(("name", "reason"), REFUSED)
def test_publishable_refuses_what_inspection_refuses(name: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        publishable(fixture(name), name=name)


def test_a_hostile_file_name_cannot_break_the_message_line() -> None:
    with pytest.raises(InvalidInput) as refused:
        inspect_image(b"hello", name="../../x\n\x1b[31mred.jpg")
    assert refused.value.message.startswith("x [31mred.jpg is not an image")
    assert "\n" not in refused.value.message and "\x1b" not in refused.value.message


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    """Decoding it would take hundreds of MiB; the process's peak RSS would show it (what refusing
    it costs in time: benchmarks/hostile.py)."""
    data = fixture("bomb.png")  # 48 KB claiming 20000×20000: 400 MB once decoded
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with pytest.raises(InvalidInput, match=r"400,000,000"):
        inspect_image(data, name="bomb.png")
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown < 50 * 1024, f"peak memory grew by {grown} KiB: was the image decoded?"


def test_the_pixel_limit_is_checked_before_decoding() -> None:
    with pytest.raises(InvalidInput, match=r"4000×3000, that is 12,000,000; limit 1,000,000"):
        inspect_image(fixture("photo_exif.jpg"), name="big.jpg", max_pixels=1_000_000)


@pytest.mark.parametrize("name", ["hostile_exif.jpg", "small.png", "alpha.png", "photo.webp", "animated.gif"])
def test_every_cut_of_a_file_is_refused_or_accepted_never_crash(name: str) -> None:
    """A file cut short anywhere (an interrupted upload). Pillow's GIF reader raised IndexError here."""
    data = fixture(name)
    for end in range(len(data)):
        try:
            inspect_image(data[:end], name=name)
        except InvalidInput as refused:
            assert "\n" not in refused.message


def test_damaged_bytes_are_refused_or_accepted_never_crash() -> None:
    """A small deterministic fuzz: flipped bytes give an ImageInfo or InvalidInput, nothing else."""
    rng = random.Random(20251103)
    for name in ("hostile_exif.jpg", "small.png", "alpha.png", "photo.webp", "animated.gif"):
        original = bytearray(fixture(name))
        for _ in range(60):
            damaged = bytearray(original)
            for _ in range(rng.randint(1, 8)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            try:
                inspect_image(bytes(damaged), name=name)
            except InvalidInput as refused:
                assert "\n" not in refused.message


# -- published copies --------------------------------------------------------------------------


def test_the_published_photo_is_upright_and_has_no_exif() -> None:
    published = publishable(fixture("photo_exif.jpg"))
    assert_no_jpeg_metadata(published)
    image = reopen(published)
    assert image.format == "JPEG" and image.info.get("progressive")
    assert image.size == (3000, 4000)  # upright: narrower than tall
    grey = image.convert("L")
    # The bright block was at the stored top-left; orientation 6 turns it to the top-right.
    assert grey.getpixel((2900, 100)) > 200 and grey.getpixel((100, 100)) < 150  # type: ignore[operator]


def test_the_published_copy_keeps_its_colour_profile_only() -> None:
    source = fixture("landscape.jpg")
    published = publishable(source)
    assert_no_jpeg_metadata(published)
    assert reopen(published).info["icc_profile"] == reopen(source).info["icc_profile"]


def test_a_published_png_has_no_text_or_exif_chunks_and_keeps_its_alpha() -> None:
    published = publishable(fixture("alpha.png"))
    kinds = png_chunks(published)
    assert not {b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME"} & set(kinds)
    assert SECRET not in published
    image = reopen(published)
    assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0  # type: ignore[index]


def test_a_published_webp_is_turned_and_stripped() -> None:
    published = publishable(fixture("photo.webp"))
    assert not {b"EXIF", b"XMP "} & set(webp_chunks(published))
    assert SECRET not in published
    image = reopen(published)
    assert image.size == (400, 600) and not image.getexif()


def test_a_published_animation_keeps_its_frames_and_timing_but_not_its_comment() -> None:
    published = publishable(fixture("animated.gif"))
    assert SECRET not in published
    image = Image.open(io.BytesIO(published))
    durations = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        durations.append(image.info["duration"])
    assert durations == [100, 200, 300] and image.info.get("loop") == 0


def test_the_second_picture_of_a_multi_picture_jpeg_is_not_published() -> None:
    first, second = Image.new("RGB", (64, 48), "red"), Image.new("RGB", (640, 480), "blue")
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    info = inspect_image(buffer.getvalue())
    assert (info.format, info.width, info.frames) == ("jpeg", 64, 1)
    published = publishable(buffer.getvalue())
    assert published.count(b"\xff\xd8") == 1 and reopen(published).format == "JPEG"


def test_a_cmyk_jpeg_is_published_as_rgb() -> None:
    buffer = io.BytesIO()
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(buffer, "JPEG")
    image = reopen(publishable(buffer.getvalue()))
    assert image.mode == "RGB"
    red, green, blue = image.getpixel((20, 15))  # type: ignore[misc]
    assert red > 200 and green < 60 and blue < 60


# -- the store ---------------------------------------------------------------------------------


def test_the_same_bytes_stored_twice_are_one_world_readable_file(tmp_path: Path, umask: None) -> None:
    data = fixture("photo_exif.jpg")
    info = inspect_image(data)
    store = MediaStore(tmp_path / "library")
    first = store.add(data, info)
    second = store.add(data, inspect_image(data, name="copy-of-the-same.jpg"))
    assert first == second == tmp_path / "library" / "originals" / info.sha256[:2] / f"{info.sha256}.jpg"
    assert [path for path in (tmp_path / "library").rglob("*") if path.is_file()] == [first]
    assert first.read_bytes() == data  # the original, EXIF and all, for the newsroom's record
    assert mode_of(first) == 0o644
    assert store.has(info.sha256, "jpeg") and store.original(info.sha256, "jpeg") == first


def test_the_store_respects_a_stricter_umask(tmp_path: Path) -> None:
    data = fixture("small.png")
    previous = os.umask(0o027)
    try:
        path = MediaStore(tmp_path).add(data, inspect_image(data))
    finally:
        os.umask(previous)
    assert mode_of(path) == 0o640


@pytest.mark.parametrize(
    ("sha256", "format"),
    [("../" * 21 + "x", "jpeg"), ("A" * 64, "jpeg"), ("a" * 64, "tiff"), ("a" * 64, "../x"), ("a" * 64 + "\n", "jpeg")],
)
def test_the_store_never_builds_a_path_from_a_hostile_key(tmp_path: Path, sha256: str, format: str) -> None:
    with pytest.raises(InvalidInput):
        MediaStore(tmp_path).original(sha256, format)


def test_the_store_refuses_bytes_that_are_not_the_inspected_ones(tmp_path: Path) -> None:
    info = inspect_image(fixture("small.png"))
    with pytest.raises(InvalidInput, match="does not match"):
        MediaStore(tmp_path).add(fixture("alpha.png"), info)


# -- renditions --------------------------------------------------------------------------------


def stored(tmp_path: Path, name: str) -> tuple[Path, ImageInfo]:
    data = fixture(name)
    info = inspect_image(data, name=name)
    return MediaStore(tmp_path / "library").add(data, info), info


@pytest.mark.slow
def test_renditions_of_the_photo(tmp_path: Path, umask: None) -> None:
    original, info = stored(tmp_path, "photo_exif.jpg")
    site = tmp_path / "site"
    result = render_renditions(original, info, site)
    assert (result.made, result.reused) == (8, 0)
    by_format: dict[str, list[Rendition]] = {}
    for item in result.renditions:
        by_format.setdefault(item.format, []).append(item)
    assert sorted(by_format) == ["jpeg", "webp"]
    for name, items in by_format.items():
        assert [item.width for item in items] == [320, 640, 1024, 1600]
        for item in items:
            path = site / item.relative_path
            assert item.relative_path == f"media/{info.sha256[:32]}-{item.width}.{'jpg' if name == 'jpeg' else name}"
            assert item.size == path.stat().st_size and mode_of(path) == 0o644
            assert item.media_type == f"image/{name}"
            data = path.read_bytes()
            assert SECRET not in data and b"Exif\x00" not in data
            image = reopen(data)
            assert image.format == name.upper() and not image.getexif()
            assert image.size == (item.width, item.height)
            assert abs(image.height - image.width * 4000 / 3000) <= 1  # portrait, aspect kept
            assert item.width <= 1600
    assert srcset(result.renditions, "webp", prefix="/") == ", ".join(
        f"/media/{info.sha256[:32]}-{width}.webp {width}w" for width in (320, 640, 1024, 1600)
    )


@pytest.mark.slow
def test_renditions_that_exist_are_not_made_again(tmp_path: Path) -> None:
    original, info = stored(tmp_path, "photo_exif.jpg")
    site = tmp_path / "site"
    first = render_renditions(original, info, site)
    stamps = {item.relative_path: (site / item.relative_path).stat().st_mtime_ns for item in first.renditions}
    again = render_renditions(original, info, site)
    assert (again.made, again.reused) == (0, 8)
    assert again.renditions == first.renditions
    assert {path: (site / path).stat().st_mtime_ns for path in stamps} == stamps
    other_original, other_info = stored(tmp_path, "landscape.jpg")
    other = render_renditions(other_original, other_info, site)
    assert (other.made, other.reused) == (8, 0)
    assert not {item.relative_path for item in other.renditions} & set(stamps)


def test_a_small_image_is_never_upscaled(tmp_path: Path) -> None:
    original, info = stored(tmp_path, "small.png")
    result = render_renditions(original, info, tmp_path / "site")
    assert [(item.format, item.width, item.height) for item in result.renditions] == [
        ("webp", 200, 150),
        ("jpeg", 200, 150),
    ]


def test_a_transparent_png_gets_webp_and_png_renditions(tmp_path: Path) -> None:
    original, info = stored(tmp_path, "alpha.png")
    assert info.has_alpha
    site = tmp_path / "site"
    result = render_renditions(original, info, site)
    assert [(item.format, item.width) for item in result.renditions] == [("webp", 200), ("png", 200)]
    for item in result.renditions:
        image = reopen((site / item.relative_path).read_bytes())
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0  # type: ignore[index]
    [flat] = render_renditions(original, info, site, formats=["jpeg"]).renditions  # asked for: flattened on white
    assert reopen((site / flat.relative_path).read_bytes()).getpixel((0, 0)) == (255, 255, 255)


def test_a_png_colour_key_stays_transparent_in_renditions(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(buffer, "PNG", transparency=(1, 2, 3))  # tRNS, no alpha channel
    data = buffer.getvalue()
    info = inspect_image(data)
    assert info.has_alpha
    for item in render_renditions(MediaStore(tmp_path).add(data, info), info, tmp_path / "site").renditions:
        image = reopen((tmp_path / "site" / item.relative_path).read_bytes())
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0  # type: ignore[index]


def test_an_opaque_alpha_channel_is_not_transparency() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (1, 2, 3, 255)).save(buffer, "PNG")
    assert inspect_image(buffer.getvalue()).has_alpha is False


def test_a_16_bit_png_is_scaled_not_clipped_in_renditions(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("I;16", (40, 30), 32768).save(buffer, "PNG")
    data = buffer.getvalue()
    info = inspect_image(data)
    original = MediaStore(tmp_path).add(data, info)
    [webp, _jpeg] = render_renditions(original, info, tmp_path / "site").renditions
    assert reopen((tmp_path / "site" / webp.relative_path).read_bytes()).convert("L").getpixel((5, 5)) in range(
        120, 137
    )


def test_planning_keeps_the_sharpest_width_and_never_upscales() -> None:
    info = ImageInfo(sha256="ab" * 32, size=1, format="jpeg", media_type="image/jpeg", width=900, height=601)
    plans = plan_renditions(info, formats=["webp"])
    assert [(plan.width, plan.height) for plan in plans] == [(320, 214), (640, 427), (900, 601)]
    wide = ImageInfo(sha256="ab" * 32, size=1, format="jpeg", media_type="image/jpeg", width=6000, height=10)
    assert [plan.height for plan in plan_renditions(wide, formats=["webp"])] == [1, 1, 2, 3]
    tall = ImageInfo(sha256="ab" * 32, size=1, format="png", media_type="image/png", width=1000, height=40000)
    assert [(plan.width, plan.height) for plan in plan_renditions(tall, formats=["webp"])] == [
        (320, 12800),
        (409, 16360),  # 640 and 1000 would be taller than WebP allows
    ]
    with pytest.raises(InvalidInput):
        plan_renditions(info, formats=["bmp"])
    with pytest.raises(InvalidInput):
        plan_renditions(info, widths=[0, 640])
    with pytest.raises(InvalidInput):
        plan_renditions(info, directory="../outside")


# -- names and imports -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd\x00.jpg", "passwd.jpg"),
        ("C:\\Users\\reporter\\Desktop\\rally.jpg", "rally.jpg"),
        ("photos/", "photos"),
        ("..", ""),
        ("/", ""),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("line\nbreak\t.jpg", "line break .jpg"),
    ],
)
def test_safe_display_name(name: str, shown: str) -> None:
    assert safe_display_name(name) == shown


def test_a_long_display_name_is_capped_and_keeps_its_extension() -> None:
    shown = safe_display_name("x" * 500 + ".jpeg")
    assert len(shown) <= 120 and shown.endswith(".jpeg")


def test_importing_the_media_package_does_not_import_pillow() -> None:
    code = "import sys, balita_cli.media; raise SystemExit('PIL' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
