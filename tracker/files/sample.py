"""Site-like pictures drawn with Pillow, with EXIF capture time: the demo park's photos (and
the tests'). Pure: no Flask, no database."""

from __future__ import annotations

import io
import random
from datetime import datetime

from PIL import Image, ImageDraw


def site_picture(seed: int = 1, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """A building site: sky, ground, a crane and a few blocks; ``seed`` varies the scene."""
    rnd = random.Random(seed)
    w, h = size
    image = Image.new("RGB", size, (rnd.randint(120, 180), rnd.randint(170, 210), 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, h * 2 // 3, w, h], fill=(rnd.randint(110, 150), 100, 70))
    for _ in range(rnd.randint(3, 6)):
        bw, bh = rnd.randint(w // 12, w // 4), rnd.randint(h // 8, h // 2)
        x = rnd.randint(0, w - bw)
        shade = rnd.randint(80, 200)
        draw.rectangle([x, h * 2 // 3 - bh, x + bw, h * 2 // 3], fill=(shade, shade, shade - 20))
    cx = rnd.randint(w // 5, w * 4 // 5)
    draw.line([cx, h * 2 // 3, cx, h // 8], fill=(230, 180, 0), width=max(2, w // 90))
    draw.line([cx - w // 6, h // 8, cx + w // 3, h // 8], fill=(230, 180, 0), width=max(2, w // 110))
    return image


def jpeg(image: Image.Image, taken: datetime | None = None, orientation: int | None = None,
         gps: tuple[float, float] | None = None, quality: int = 90) -> bytes:
    """JPEG bytes with the given EXIF fields (capture time, orientation, GPS north/east)."""
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: _dms(gps[0]), 3: "E", 4: _dms(gps[1])})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    d = int(value)
    m = int((value - d) * 60)
    return (float(d), float(m), round(((value - d) * 60 - m) * 60, 2))
