"""Pictures people upload, made safe to show: the Pillow work behind :mod:`labkit.images`.

:func:`process` takes the bytes of an upload and gives back clean WebP files at a few widths, or
refuses with an :class:`~labkit.uploads.UploadError` a person can read:

- the type comes from the content (Pillow's readers for JPEG, PNG, WebP and GIF only; the file's
  name is never asked), so an HTML page, an SVG drawing or a script renamed ``.jpg`` is refused;
- the size in pixels is read from the header and checked *before* the pixels are decoded, so a
  "decompression bomb" (a small file that unpacks to gigabytes) is refused at once;
- the EXIF orientation is applied, then the picture is rebuilt from its pixels alone (colours
  converted to sRGB first when it carries a colour profile): EXIF with its GPS position, XMP,
  colour profiles, comments and any bytes after the image are left behind;
- it is scaled down (never up) to :data:`WIDTHS` and written as WebP, which every current browser
  shows, keeps transparency, and is smaller than JPEG or PNG at the same quality.

Decoding runs in a small pool of :data:`WORKERS` threads, off the event loop, so a burst of
uploads waits its turn instead of taking the server's memory.
"""

from __future__ import annotations

import asyncio
import io
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from labkit.i18n import N_
from labkit.uploads import UploadError

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
"""The formats accepted, as Pillow names them (a GIF's first frame only)."""
MAX_BYTES = 10_000_000
"""The largest upload accepted (10 MB: a phone's photo)."""
MAX_PIXELS = 40_000_000
"""The most pixels an image may have (40 megapixels), checked before decoding."""
WIDTHS = (160, 480, 1200)
"""The widths made for each image (a card's thumbnail, a column, a page), never wider than the original."""
QUALITY = 82
WEBP_LIMIT = 16383
"""The longest side a WebP file may have: a very tall picture is made narrower to fit."""
WORKERS = 2
"""How many images are decoded at once in a process."""

_pool: ThreadPoolExecutor | None = None


@dataclass(frozen=True)
class Rendition:
    """One size of an image: its width and height in pixels and its WebP bytes."""

    width: int
    height: int
    data: bytes


def _refuse_size() -> UploadError:
    return UploadError(N_("The image is too large: at most %(limit)s million pixels."), limit=MAX_PIXELS // 1_000_000)


def _upright_pixels(picture: Image.Image) -> Image.Image:
    """The picture turned as its EXIF says, in sRGB, rebuilt from its pixels with no metadata."""
    upright = ImageOps.exif_transpose(picture)
    profile = upright.info.get("icc_profile")
    transparent = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    mode = "RGBA" if transparent else "RGB"
    converted = upright.convert(mode)
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(converted, source, ImageCms.createProfile("sRGB"),
                                                  outputMode=mode) or converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: keep the colours as they are
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _decode(data: bytes) -> Image.Image:
    """The clean pixels of ``data``, or the :class:`UploadError` that says why not."""
    if not data:
        raise UploadError(N_("The file is empty."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as picture:
                width, height = picture.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    raise _refuse_size()
                picture.seek(0)
                picture.load()
                return _upright_pixels(picture)
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse_size() from None
    except Image.UnidentifiedImageError:
        raise UploadError(N_("This file is not an image labkit accepts. Accepted: JPEG, PNG, WebP and GIF.")) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        raise UploadError(N_("The image is damaged: it cannot be read.")) from None


def target_widths(width: int, height: int, widths: tuple[int, ...] = WIDTHS) -> list[int]:
    """The widths made for an image of ``width`` × ``height`` pixels: each of ``widths`` it is
    wider than, and its own width when it is narrower than the largest (never upscaled), none so
    narrow that the picture would be taller than :data:`WEBP_LIMIT`."""
    fits = max(1, width * WEBP_LIMIT // height)
    return sorted({min(target, width, fits) for target in widths})


def process(data: bytes, widths: tuple[int, ...] = WIDTHS) -> list[Rendition]:
    """Check ``data`` and make its clean WebP renditions, narrowest first (runs Pillow: call
    :func:`process_async` from async code)."""
    picture = _decode(data)
    renditions = []
    for width in target_widths(picture.width, picture.height, widths):
        height = max(1, round(picture.height * width / picture.width))
        sized = picture if width == picture.width else picture.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        sized.save(buffer, "WEBP", quality=QUALITY, method=4)
        renditions.append(Rendition(width, height, buffer.getvalue()))
    return renditions


async def process_async(data: bytes, widths: tuple[int, ...] = WIDTHS) -> list[Rendition]:
    """:func:`process` in the image pool, off the event loop (at most :data:`WORKERS` at once)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="labkit-images")
    return await asyncio.get_running_loop().run_in_executor(_pool, process, data, widths)
