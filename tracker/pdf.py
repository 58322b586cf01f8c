"""PDF rendering with WeasyPrint, shared by the brief and the supervision notice.

WeasyPrint picks the Japanese glyph variants unless the document says
``lang="zh-CN"`` and names the font, so every PDF template extends
``pdf/base.html``, which does both with one family ("Noto Sans CJK SC") to
keep the embedded faces few (each face adds 85-150 KB even when subset).
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterable
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pypdf import PdfReader, PdfWriter
from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

ROOT = Path(__file__).resolve().parent.parent
STATIC = (ROOT / "static").resolve()
_fonts: FontConfiguration | None = None


class RefusedFetch(ValueError):
    """A PDF asked for something outside ``static/``."""


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint may read our static files and inline ``data:`` images, nothing else:
    no network (a text field could carry ``<img src="http://…">`` one day) and no file
    outside ``static/``."""

    def fetch(self, url: str, headers: dict | None = None):  # noqa: ANN201
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if path != STATIC and STATIC not in path.parents:
                raise RefusedFetch(f"PDF rendering reads only files of static/, not {url[:80]}")
        elif parts.scheme != "data":
            raise RefusedFetch(f"PDF rendering fetches nothing from the network: {url[:80]}")
        return super().fetch(url, headers)


FETCHER = StaticOnlyFetcher(allowed_protocols=("file", "data"))


def render_pdf(html: str, attachments: list[tuple[str, bytes]] = ()) -> bytes:
    """The PDF bytes of an HTML document (static files resolved from ``static/``).

    The cyclic garbage collector is paused while WeasyPrint works: a long brief
    allocates millions of small objects (boxes, styles, layouts) that live until
    the PDF is written, and the collector's repeated passes over them cost about
    a fifth of the render (measured on a 200-project brief) without freeing
    anything; peak memory is unchanged. It is re-enabled (if it was) afterwards.

    ``attachments`` are (file name, bytes) embedded in the PDF (a reader's paperclip panel).
    """
    global _fonts
    if _fonts is None:  # one font configuration per process: fontconfig set-up is costly
        _fonts = FontConfiguration()
    document = HTML(string=html, base_url=str(STATIC) + "/", url_fetcher=FETCHER)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return document.write_pdf(font_config=_fonts, attachments=[
            Attachment(string=data, name=name) for name, data in attachments])
    finally:
        if was_enabled:
            gc.enable()


def _render_part(html: str) -> bytes:
    """In a worker process: one part's PDF (it gets a string, touches no database)."""
    return render_pdf(html)


def render_pdf_parts(
    parts: list[str], footer: Callable[[int], str],
    attachments: list[tuple[str, bytes]] = (), processes: int = 2,
) -> bytes:
    """One PDF from documents rendered separately, in ``processes`` forked workers.

    The parts are rendered without page numbers: once the pages are counted, ``footer(y)``
    gives a document of y empty pages carrying them (the same ``@page`` rule as a single
    document), and each page of it is laid over its page. A worker renders one part and
    ends (``maxtasksperchild=1``): the memory of a part is given back before the next.
    The metadata (title, producer) are the first part's; ``attachments`` are embedded as in
    ``render_pdf``.
    """
    global _fonts
    if _fonts is None:  # set up once here: the forked workers inherit it
        _fonts = FontConfiguration()
    writer = PdfWriter()

    def join(pdfs: Iterable[bytes]) -> None:
        for i, data in enumerate(pdfs):
            reader = PdfReader(BytesIO(data))
            if i == 0 and reader.metadata:
                writer.add_metadata(dict(reader.metadata))
            writer.append(reader)

    if processes < 2:
        join(render_pdf(html) for html in parts)
        numbers = PdfReader(BytesIO(render_pdf(footer(len(writer.pages)))))
    else:
        with multiprocessing.get_context("fork").Pool(processes, maxtasksperchild=1) as pool:
            join(pool.imap(_render_part, parts))  # in order, each joined as it comes
            # The page numbers too: the parent never holds a WeasyPrint layout.
            numbers = PdfReader(BytesIO(pool.apply(_render_part, (footer(len(writer.pages)),))))
    for page, overlay in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(overlay)
        page.compress_content_streams()  # merging leaves the page's content uncompressed
    for name, data in attachments:
        writer.add_attachment(name, data)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
