"""Generated pictures for the image tests: real JPEG, PNG, WebP and GIF bytes made with Pillow, with or without
EXIF (orientation, GPS), and the broken and hostile files an upload must refuse."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

ORIENTATION, MAKE, GPS_IFD = 0x0112, 0x010F, 0x8825


def exif_bytes(orientation: int | None = None, gps: bool = False) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "TestCam"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    return exif.tobytes()


def halves(width: int, height: int, left: str = "red", right: str = "blue", mode: str = "RGB") -> Image.Image:
    """Left half one colour, right half another: orientation is visible in the result."""
    image = Image.new(mode, (width, height), left)
    image.paste(Image.new(mode, (width - width // 2, height), right), (width // 2, 0))
    return image


def jpeg(width: int = 400, height: int = 300, *, orientation: int | None = None, gps: bool = False,
         icc: bool = False, comment: bool = False, image: Image.Image | None = None) -> bytes:
    image = image or halves(width, height)
    out = io.BytesIO()
    extra = {"icc_profile": b"\0" * 128} if icc else {}
    if comment:
        extra["comment"] = b"secret comment"
    image.save(out, "JPEG", quality=90, exif=exif_bytes(orientation, gps), **extra)
    return out.getvalue()


def png(width: int = 300, height: int = 200, *, alpha: bool = False) -> bytes:
    image = halves(width, height, mode="RGBA") if alpha else halves(width, height)
    if alpha:
        image.putalpha(Image.linear_gradient("L").resize((width, height)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def webp(width: int = 300, height: int = 200) -> bytes:
    out = io.BytesIO()
    halves(width, height).save(out, "WEBP", quality=80)
    return out.getvalue()


def gif(width: int = 50, height: int = 50) -> bytes:
    out = io.BytesIO()
    halves(width, height).save(out, "GIF")
    return out.getvalue()


def truncated_jpeg() -> bytes:
    data = jpeg(800, 600)
    return data[: len(data) // 2]


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(width: int = 10_000, height: int = 10_000) -> bytes:
    """A few hundred bytes that declare width x height pixels (8-bit greyscale): a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (width + 1) * 4)  # a few rows only: the header is what must be refused
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")
