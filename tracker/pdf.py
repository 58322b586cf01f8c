"""PDF rendering with WeasyPrint, shared by the brief and the supervision notice.

WeasyPrint picks the Japanese glyph variants unless the document says
``lang="zh-CN"`` and names the font, so every PDF template extends
``pdf/base.html``, which does both with one family ("Noto Sans CJK SC") to
keep the embedded faces few (each face adds 85-150 KB even when subset).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
from collections.abc import Callable
from io import BytesIO
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
)
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


def page_count(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


def join_pdfs(
    pdfs: list[bytes], numbers: bytes | None = None, attachments: list[tuple[str, bytes]] = (),
) -> bytes:
    """The PDFs one after the other, each page of ``numbers`` laid over its page; the
    metadata (title, producer) are the first PDF's, ``attachments`` are embedded."""
    writer = PdfWriter()
    for i, data in enumerate(pdfs):
        reader = PdfReader(BytesIO(data))
        if i == 0 and reader.metadata:
            writer.add_metadata(dict(reader.metadata))
        writer.append(reader)
    if numbers is not None:
        _stamp(writer, PdfReader(BytesIO(numbers)))
    for name, data in attachments:
        writer.add_attachment(name, data)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream.flate_encode())


def _stamp(writer: PdfWriter, numbers: PdfReader) -> None:
    """Each page of ``numbers`` drawn over its page of ``writer``: its content stream is
    added after the page's own (wrapped in q … Q), its font and graphics states added to
    the page's resources under names of their own. pypdf's ``merge_page`` does the same by
    parsing every page's content, which took a second and ~60 MB at 200 projects."""
    save, restore = _stream(writer, b"q\n"), _stream(writer, b"\nQ\n")
    cloned: dict[int, IndirectObject] = {}
    for page, overlay in zip(writer.pages, numbers.pages, strict=True):
        data = overlay.get_contents().get_data()
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        for kind in ("/Font", "/ExtGState"):
            theirs = overlay["/Resources"].get(kind)
            if theirs is None:
                continue
            ours = resources.setdefault(NameObject(kind), DictionaryObject()).get_object()
            for name, value in theirs.get_object().items():
                if isinstance(value, IndirectObject):
                    if value.idnum not in cloned:
                        cloned[value.idnum] = value.get_object().clone(writer).indirect_reference
                    value = cloned[value.idnum]
                else:
                    value = value.clone(writer)
                renamed = f"/PageNo{name[1:]}"
                ours[NameObject(renamed)] = value
                data = data.replace(f"{name} ".encode(), f"{renamed} ".encode())
        contents = page.get("/Contents")
        own = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) \
            else [contents] if contents is not None else []
        page[NameObject("/Contents")] = ArrayObject([save, *own, restore, _stream(writer, data)])


def _finish(pdfs: list[bytes], footer_html: str, attachments: list[tuple[str, bytes]]) -> bytes:
    """In a worker process: the page numbers rendered and laid over the joined parts."""
    return join_pdfs(pdfs, render_pdf(footer_html), attachments)


def _give_back_memory() -> None:
    """Free what can be freed and return it to the system (glibc keeps freed memory
    otherwise), so that the workers are forked from a parent as small as it gets; then
    freeze what is left, which the workers' garbage collector leaves alone instead of
    copying every page of it."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    gc.freeze()


def _finish_to(pipe: Connection, pdfs: list[bytes], footer_html: str,
               attachments: list[tuple[str, bytes]]) -> None:
    """In a forked process, which has the parts' PDFs already (nothing is pickled to it)."""
    try:
        pipe.send(("ok", _finish(pdfs, footer_html, attachments)))
    except Exception as exc:  # noqa: BLE001  (the parent raises it)
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))


def render_pdf_parts(
    parts: list[str], footer: Callable[[int], str],
    attachments: list[tuple[str, bytes]] = (), processes: int = 2, first_alone: bool = False,
) -> bytes:
    """One PDF from documents rendered separately, in ``processes`` forked workers.

    The parts are rendered without page numbers: once the pages are counted, ``footer(y)``
    gives a document of y empty pages carrying them (the same ``@page`` rule as a single
    document), and each page of it is laid over its page. Workers render, number and join;
    the parent only holds HTML and PDF bytes. A worker does one task and ends
    (``maxtasksperchild=1``): the memory of a part is given back before the next.
    ``first_alone``: the first part is rendered before the others start (a part that embeds
    more font faces than the rest: subsetting each takes ~50 MB while the PDF is written).
    The metadata (title, producer) are the first part's; ``attachments`` are embedded as in
    ``render_pdf``.
    """
    global _fonts
    if _fonts is None:  # set up once here: the forked workers inherit it
        _fonts = FontConfiguration()
    if processes < 2:
        pdfs = [render_pdf(html) for html in parts]
        return _finish(pdfs, footer(sum(page_count(pdf) for pdf in pdfs)), attachments)
    context = multiprocessing.get_context("fork")
    _give_back_memory()
    try:
        with context.Pool(processes, maxtasksperchild=1) as pool:
            pdfs = [pool.apply(_render_part, (parts[0],))] if first_alone else []
            pdfs += pool.map(_render_part, parts[len(pdfs):], chunksize=1)
        footer_html = footer(sum(page_count(pdf) for pdf in pdfs))
        receive, send = context.Pipe(duplex=False)
        finisher = context.Process(target=_finish_to,
                                   args=(send, pdfs, footer_html, list(attachments)))
        finisher.start()
        send.close()
        del pdfs  # the finisher has them
        status, result = receive.recv()
        finisher.join()
    finally:
        gc.unfreeze()
    if status != "ok":
        raise RuntimeError(f"joining the PDF's parts failed: {result}")
    return result
