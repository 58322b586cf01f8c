"""Pure image and PDF handling: uploaded bytes in, plain values out (no Flask, no database).

The type is decided by decoding the content, never by the file's name. Images (JPEG, PNG,
WebP, HEIC/HEIF) are re-encoded as JPEG with EXIF orientation applied and a long side of at
most ``MAX_SIDE``; a ``THUMB_SIDE`` thumbnail goes with them. A PDF is kept byte for byte
(and always served as a download, never inline: it may carry JavaScript).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

MAX_BYTES = 20 * 1024 * 1024
MAX_SIDE = 2048
THUMB_SIDE = 320
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "HEIC", "MPO"}
# Pillow's default bomb limit (about 89 M pixels), made an error instead of a warning below.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485

TOO_LARGE = "文件超过 20 MB 上限。"
NOT_ACCEPTED = "无法识别的文件：只接受 JPEG、PNG、WebP、HEIC 图片或 PDF。"
NOT_IMAGE = "无法识别的图片：只接受 JPEG、PNG、WebP、HEIC 格式。"
BOMB = "图片像素过多（疑似解压炸弹），已拒绝。"
EMPTY = "文件为空。"


class BadUpload(ValueError):
    """The upload is refused; the message is the person's (Chinese)."""


@dataclass(frozen=True)
class Processed:
    """What is stored of one upload."""

    kind: str  # "image" or "pdf"
    content: bytes
    content_type: str
    thumbnail: bytes | None
    width: int | None
    height: int | None
    sha256: str  # of the bytes as uploaded: the same file twice is recognised
    phash: str | None  # perceptual hash, 16 hex digits
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


def process(data: bytes, *, images_only: bool = False) -> Processed:
    """Check and convert one upload; raises ``BadUpload`` with the reason."""
    if not data:
        raise BadUpload(EMPTY)
    if len(data) > MAX_BYTES:
        raise BadUpload(TOO_LARGE)
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"%PDF-"):
        if images_only:
            raise BadUpload(NOT_IMAGE)
        return Processed("pdf", data, "application/pdf", None, None, None, digest, None,
                         None, None, None)
    image = _open(data, NOT_IMAGE if images_only else NOT_ACCEPTED)
    taken_at, lat, lon = read_exif(image)
    try:
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise BadUpload(NOT_IMAGE) from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    content = _jpeg(image, 85)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Processed(
        "image", content, "image/jpeg", _jpeg(thumb, 80), image.width, image.height, digest,
        _phash(image), taken_at, lat, lon,
    )


def _phash(image: Image.Image) -> str:
    import imagehash  # numpy comes with it: 0.3 s at start for every process otherwise

    return str(imagehash.phash(image))


def _open(data: bytes, message: str) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise BadUpload(BOMB)
            if (image.format or "").upper() not in ACCEPTED_FORMATS:
                raise BadUpload(message)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise BadUpload(BOMB) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            if isinstance(exc, BadUpload):
                raise
            raise BadUpload(message) from exc
    return image


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME = 0x9003, 0x0132


def read_exif(image: Image.Image) -> tuple[datetime | None, Decimal | None, Decimal | None]:
    """(capture time, latitude, longitude) from EXIF; None where absent or unreadable."""
    try:
        exif = image.getexif()
    except Exception:  # noqa: BLE001  (broken EXIF is common; the picture still counts)
        return None, None, None
    taken = None
    try:
        raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
        taken = parse_exif_time(raw)
    except Exception:  # noqa: BLE001
        taken = None
    lat = lon = None
    try:
        gps = exif.get_ifd(GPS_IFD)
        if gps:
            lat = _degrees(gps.get(2), gps.get(1))
            lon = _degrees(gps.get(4), gps.get(3))
    except Exception:  # noqa: BLE001
        lat = lon = None
    return taken, lat, lon


def parse_exif_time(raw: object) -> datetime | None:
    """``2026:03:14 09:30:00`` as a datetime (camera time, no zone)."""
    if not isinstance(raw, str):
        return None
    try:
        return datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _degrees(value: object, ref: object) -> Decimal | None:
    if not value or len(value) != 3:  # type: ignore[arg-type]
        return None
    d, m, s = (Decimal(str(float(v))) for v in value)  # type: ignore[union-attr]
    result = (d + m / 60 + s / 3600).quantize(Decimal("0.000001"))
    if str(ref).upper() in ("S", "W"):
        result = -result
    return result if -180 <= result <= 180 else None


BRIEF_SIDE = 160


def mini(thumbnail: bytes, side: int = BRIEF_SIDE) -> bytes:
    """A smaller JPEG of a stored thumbnail, for the brief (a few KB; the PDF stays light)."""
    image = Image.open(io.BytesIO(thumbnail)).convert("RGB")
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return _jpeg(image, 70)
