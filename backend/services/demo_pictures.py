"""Pictures for the demo catalog, drawn with Pillow: a diagonal gradient, a few shapes and a big letter.

A product's picture is chosen by its name's first letter (the demo names start with about a dozen
adjectives), so a catalog of any size needs only that many pictures: each is drawn and encoded once,
and content addressing stores each file once however many products show it.
"""
from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

SIDE = 1200  # larger than the medium copy, so the demo has three distinct sizes as real uploads do
PALETTES = [((244, 114, 94), (252, 196, 120)), ((72, 121, 214), (132, 208, 236)), ((64, 160, 120), (190, 230, 150)),
            ((140, 90, 200), (236, 160, 214)), ((40, 52, 74), (92, 140, 170)), ((230, 160, 40), (250, 226, 140)),
            ((190, 60, 90), (250, 150, 140)), ((30, 130, 150), (150, 225, 210)), ((120, 120, 130), (220, 220, 225)),
            ((95, 70, 50), (210, 170, 120)), ((20, 90, 60), (120, 200, 160)), ((70, 40, 120), (160, 140, 230))]


def _pick(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def _gradient(start: tuple[int, int, int], end: tuple[int, int, int]) -> Image.Image:
    # One 256-step ramp per channel, stretched and turned diagonal: no per-pixel Python loop.
    ramp = Image.linear_gradient("L").rotate(45, resample=Image.Resampling.BILINEAR, expand=True)
    ramp = ramp.crop((ramp.width // 4, ramp.height // 4, ramp.width * 3 // 4, ramp.height * 3 // 4))
    ramp = ramp.resize((SIDE, SIDE), Image.Resampling.BILINEAR)
    return Image.merge("RGB", [ramp.point(lambda v, a=a, b=b: a + (b - a) * v // 255)
                               for a, b in zip(start, end, strict=True)])


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError, ImportError):  # a Pillow built without FreeType: the small bitmap font
        return ImageFont.load_default()


def draw_picture(key: str, letter: str | None) -> bytes:
    """A JPEG of SIDE x SIDE pixels for key (the same key, the same bytes); letter drawn large when given."""
    number = _pick(key)
    start, end = PALETTES[number % len(PALETTES)]
    image = _gradient(start, end)
    draw = ImageDraw.Draw(image, "RGBA")
    for n in range(5):  # soft shapes in the corners and along the edges
        x, y = (number >> (n * 3)) % SIDE, (number >> (n * 5 + 1)) % SIDE
        radius = 80 + (number >> n) % 220
        box = (x - radius, y - radius, x + radius, y + radius)
        if n % 2:
            draw.ellipse(box, fill=(255, 255, 255, 46))
        else:
            draw.rounded_rectangle(box, radius=radius // 3, fill=(0, 0, 0, 28))
    if letter:
        font = _font(SIDE * 3 // 5)
        draw.text((SIDE // 2, SIDE // 2), letter, font=font, anchor="mm", fill=(255, 255, 255, 235))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()
