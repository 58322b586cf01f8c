"""Site-like test pictures drawn with Pillow, with EXIF capture time, GPS and orientation."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from tracker.files.sample import jpeg, site_picture

__all__ = ["PDF_WITH_JAVASCRIPT", "bomb_png", "jpeg", "png", "site_picture"]


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def bomb_png(width: int = 12000, height: int = 12000) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


PDF_WITH_JAVASCRIPT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"3 0 obj<</S/JavaScript/JS(app.alert('x'))>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
