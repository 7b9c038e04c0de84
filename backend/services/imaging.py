"""Image decoding and re-encoding with Pillow: the pure part of product images (no files, no database).

An upload is trusted for nothing: its bytes are opened by the three decoders we accept only, its
pixel count is read from the header and checked before any pixel is decoded, and what is stored is a
fresh encoding of the decoded pixels (EXIF orientation applied), so no metadata of the original
(EXIF, GPS, XMP, ICC profile, comments) can survive into the copies.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import cast

from PIL import Image, ImageOps, UnidentifiedImageError

from backend import errors

# The decoders tried on an upload (Pillow format names); anything else is not an image to us.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# docs/api.md: more than 40 megapixels is a decompression bomb (a small file that decodes to gigabytes).
MAX_PIXELS = 40_000_000
# Pillow's own guard, process-wide: it warns past this and refuses twice this in Image.open itself,
# a second line behind the check of the header's size below.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# The copies stored for each image: name -> the longest edge it may have (never upscaled).
SIZES = {"thumb": 320, "medium": 800, "large": 1600}
# Opaque images become JPEG, images with transparency WebP (JPEG has no alpha; WebP keeps it small).
JPEG_QUALITY = 85
WEBP_QUALITY = 85
EXTENSIONS = {"JPEG": "jpg", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "webp": "image/webp"}

NOT_AN_IMAGE = "Must be a JPEG, PNG or WebP image."
BROKEN = "The image could not be decoded (damaged or truncated)."
TOO_MANY_PIXELS = f"The image has more than {MAX_PIXELS // 1_000_000} megapixels."


@dataclass(frozen=True)
class Copy:
    """One re-encoded copy: its bytes, its content-addressed file name and its size."""
    data: bytes
    name: str
    width: int
    height: int


def _invalid(message: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(fields={"file": [message]})


def file_name(data: bytes, extension: str) -> str:
    """Content-addressed: the same bytes always get the same name, other bytes never do."""
    return f"{hashlib.sha256(data).hexdigest()[:40]}.{extension}"


def open_upload(data: bytes) -> Image.Image:
    """Open the upload lazily (header only); raises ValidationFailed naming file when it is not an
    accepted image or declares more than MAX_PIXELS."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise _invalid(TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _invalid(NOT_AN_IMAGE) from exc
    width, height = image.size
    if width < 1 or height < 1:
        raise _invalid(BROKEN)
    if width * height > MAX_PIXELS:
        raise _invalid(TOO_MANY_PIXELS)
    return image


def decode(data: bytes, largest: int = max(SIZES.values())) -> Image.Image:
    """The upload's pixels, upright (EXIF orientation applied), in RGB or RGBA; raises ValidationFailed."""
    image = open_upload(data)
    try:
        if image.format == "JPEG":
            # The JPEG decoder can scale by 1/2, 1/4 or 1/8 while decoding: a 12-megapixel photo decodes
            # at the largest scale still covering the large copy, several times faster than in full.
            box = _fit(image.size, largest)
            image.draft("RGB", box)
        image.load()
        upright = ImageOps.exif_transpose(image)
        return _normal_mode(upright)
    except Image.DecompressionBombError as exc:
        raise _invalid(TOO_MANY_PIXELS) from exc
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, KeyError, IndexError) as exc:
        # Pillow reports damaged data through any of these (truncated data, bad chunk, bad EXIF).
        raise _invalid(BROKEN) from exc


def _normal_mode(image: Image.Image) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float greyscale: scaled to 8 bits first (Pillow converts those to RGB by clipping).
        image = image.point(lambda v: v / 256).convert("L")
    return image.convert("RGBA" if has_alpha else "RGB")


def _fit(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """size scaled down so its longest edge is at most longest (never up), at least 1x1."""
    width, height = size
    scale = min(1.0, longest / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def has_transparency(image: Image.Image) -> bool:
    """True when some pixel is not fully opaque (an alpha channel that is all 255 is dropped)."""
    if image.mode != "RGBA":
        return False
    lowest, _ = cast(tuple[int, int], image.getchannel("A").getextrema())  # one band: (min, max)
    return lowest < 255


def encode(image: Image.Image) -> tuple[bytes, str]:
    """The image encoded without any metadata: JPEG when opaque, WebP with alpha; (bytes, extension)."""
    out = io.BytesIO()
    image.info.clear()  # PNG and WebP writers fall back to info (icc_profile, exif): nothing may carry over
    if image.mode == "RGBA":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4, exif=b"", icc_profile=None)
        return out.getvalue(), EXTENSIONS["WEBP"]
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, exif=b"", icc_profile=None)
    return out.getvalue(), EXTENSIONS["JPEG"]


def make_copies(data: bytes) -> dict[str, Copy]:
    """Decode an upload and re-encode it at every size of SIZES; raises ValidationFailed naming file."""
    image = decode(data)
    if image.mode == "RGBA" and not has_transparency(image):
        image = image.convert("RGB")
    copies: dict[str, Copy] = {}
    # Largest first, each smaller copy from the one before: fewer source pixels to filter each time.
    source = image
    for label, longest in sorted(SIZES.items(), key=lambda item: -item[1]):
        size = _fit(source.size, longest)
        resized = source if size == source.size else source.resize(size, Image.Resampling.LANCZOS,
                                                                     reducing_gap=3.0)
        encoded, extension = encode(resized.copy())
        copies[label] = Copy(encoded, file_name(encoded, extension), *resized.size)
        source = resized
    return {label: copies[label] for label in SIZES}
