"""PDF rendering with WeasyPrint, shared by the brief and the supervision notice.

WeasyPrint picks the Japanese glyph variants unless the document says
``lang="zh-CN"`` and names the font, so every PDF template extends
``pdf/base.html``, which does both with one family ("Noto Sans CJK SC") to
keep the embedded faces few (each face adds 85-150 KB even when subset).
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

ROOT = Path(__file__).resolve().parent.parent
_fonts: FontConfiguration | None = None


def render_pdf(html: str) -> bytes:
    """The PDF bytes of an HTML document (static files resolved from ``static/``)."""
    global _fonts
    if _fonts is None:  # one font configuration per process: fontconfig set-up is costly
        _fonts = FontConfiguration()
    document = HTML(string=html, base_url=str(ROOT / "static") + "/")
    return document.write_pdf(font_config=_fonts)
