"""The pure image logic on generated pictures: formats accepted, sizes, orientation, metadata stripped,
alpha kept, bombs refused before decoding, content-addressed names."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from backend import errors
from backend.media_store import is_media_name
from backend.services import imaging
from tests.images_support import GPS_IFD, gif, halves, jpeg, png, png_bomb, truncated_jpeg, webp

# Pillow warns of every image over its MAX_IMAGE_PIXELS (set to our 40 megapixels) before we refuse it.
pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


def opened(copy: imaging.Copy) -> Image.Image:
    return Image.open(io.BytesIO(copy.data))


@pytest.mark.parametrize(("size", "expected"), [
    ((4000, 3000), {"thumb": (320, 240), "medium": (800, 600), "large": (1600, 1200)}),
    ((1000, 2000), {"thumb": (160, 320), "medium": (400, 800), "large": (800, 1600)}),
    ((900, 300), {"thumb": (320, 107), "medium": (800, 267), "large": (900, 300)}),
    ((200, 100), {"thumb": (200, 100), "medium": (200, 100), "large": (200, 100)}),
    ((5000, 1), {"thumb": (320, 1), "medium": (800, 1), "large": (1600, 1)}),
])
def test_copies_fit_their_longest_edge_and_are_never_upscaled(size, expected):
    copies = imaging.make_copies(jpeg(*size))
    assert {label: (copy.width, copy.height) for label, copy in copies.items()} == expected
    for copy in copies.values():
        assert opened(copy).size == (copy.width, copy.height)


def test_a_small_image_makes_one_file_for_all_three_sizes():
    copies = imaging.make_copies(png(100, 80))
    assert len({copy.name for copy in copies.values()}) == 1


def test_names_are_the_hash_of_the_bytes():
    first, second = imaging.make_copies(jpeg(500, 400)), imaging.make_copies(jpeg(500, 400))
    assert first["large"].name == second["large"].name  # the same picture: the same name
    assert first["large"].name != imaging.make_copies(jpeg(501, 400))["large"].name
    assert all(is_media_name(copy.name) for copy in first.values())
    assert imaging.file_name(b"abc", "jpg") == imaging.file_name(b"abc", "jpg") != imaging.file_name(b"abd", "jpg")


def test_exif_gps_icc_and_comments_are_stripped():
    source = jpeg(1200, 900, orientation=1, gps=True, icc=True, comment=True)
    original = Image.open(io.BytesIO(source))
    assert original.getexif().get_ifd(GPS_IFD) and "icc_profile" in original.info and "comment" in original.info
    for copy in imaging.make_copies(source).values():
        image = opened(copy)
        assert dict(image.getexif()) == {} and image.getexif().get_ifd(GPS_IFD) == {}
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
        assert b"TestCam" not in copy.data and b"secret comment" not in copy.data


@pytest.mark.parametrize(("orientation", "size", "top_left"), [
    (1, (400, 300), "red"), (3, (400, 300), "blue"), (6, (300, 400), "red"), (8, (300, 400), "blue"),
])
def test_exif_orientation_is_applied(orientation, size, top_left):
    large = opened(imaging.make_copies(jpeg(400, 300, orientation=orientation))["large"])
    assert large.size == size
    red, _, blue = large.getpixel((5, 5))
    assert (red > 200 and blue < 50) if top_left == "red" else (blue > 200 and red < 50)


def test_alpha_is_kept_where_there_is_alpha_and_dropped_where_it_is_all_opaque():
    with_alpha = imaging.make_copies(png(300, 200, alpha=True))
    assert all(copy.name.endswith(".webp") and opened(copy).mode == "RGBA" for copy in with_alpha.values())
    assert opened(with_alpha["large"]).getpixel((0, 0))[3] < 255
    opaque = Image.new("RGBA", (300, 200), (10, 200, 30, 255))
    out = io.BytesIO()
    opaque.save(out, "PNG")
    assert all(copy.name.endswith(".jpg") for copy in imaging.make_copies(out.getvalue()).values())


def test_webp_and_palette_and_greyscale_pngs_are_accepted():
    assert imaging.make_copies(webp(300, 200))["large"].width == 300
    for mode in ("P", "L", "LA", "I;16", "1", "CMYK"):
        image = halves(120, 90).convert(mode) if mode not in ("LA", "I;16") else Image.new(mode, (120, 90))
        out = io.BytesIO()
        image.save(out, "JPEG" if mode == "CMYK" else "PNG")
        assert imaging.make_copies(out.getvalue())["large"].width == 120, mode


@pytest.mark.parametrize(("data", "message"), [
    (b"not an image", imaging.NOT_AN_IMAGE), (gif(), imaging.NOT_AN_IMAGE), (b"", imaging.NOT_AN_IMAGE),
    (b"GIF89a" + b"\0" * 40, imaging.NOT_AN_IMAGE), (truncated_jpeg(), imaging.BROKEN),
    (png_bomb(10_000, 10_000), imaging.TOO_MANY_PIXELS), (png_bomb(40_001, 1000), imaging.TOO_MANY_PIXELS),
    (png_bomb(30_000, 30_000), imaging.TOO_MANY_PIXELS),
])
def test_refusals_name_the_file_field(data, message):
    with pytest.raises(errors.ValidationFailed) as caught:
        imaging.make_copies(data)
    assert caught.value.fields == {"file": [message]}


def test_the_pixel_count_is_checked_from_the_header_before_decoding(monkeypatch):
    loaded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: loaded.append(self) or None)
    with pytest.raises(errors.ValidationFailed):
        imaging.decode(png_bomb(8000, 6000))  # 48 megapixels
    assert loaded == []


def test_exactly_40_megapixels_is_allowed_by_the_header_check():
    assert imaging.open_upload(png_bomb(8000, 5000)).size == (8000, 5000)
