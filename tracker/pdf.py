"""PDF rendering with WeasyPrint, shared by the brief and the supervision notice.

WeasyPrint picks the Japanese glyph variants unless the document says
``lang="zh-CN"`` and names the font, so every PDF template extends
``pdf/base.html``, which does both with one family ("Noto Sans CJK SC") to
keep the embedded faces few (each face adds 85-150 KB even when subset).

WeasyPrint is imported on first use, not with this module: its import costs about 1.4 s of
CPU (the C declarations of Pango and HarfBuzz are parsed), which every ``flask`` command, job
worker and web worker would otherwise pay at start whether it renders a PDF or not.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import hashlib
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tracker.cache.lru import LRU

ROOT = Path(__file__).resolve().parent.parent
STATIC = (ROOT / "static").resolve()


class RefusedFetch(ValueError):
    """A PDF asked for something outside ``static/``."""


def _checked(url: str) -> None:
    """WeasyPrint may read our static files and inline ``data:`` images, nothing else:
    no network (a text field could carry ``<img src="http://…">`` one day) and no file
    outside ``static/``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = Path(unquote(parts.path)).resolve()
        if path != STATIC and STATIC not in path.parents:
            raise RefusedFetch(f"PDF rendering reads only files of static/, not {url[:80]}")
    elif parts.scheme != "data":
        raise RefusedFetch(f"PDF rendering fetches nothing from the network: {url[:80]}")


@functools.cache
def _engine():  # noqa: ANN202
    """WeasyPrint, imported once per process on first use: (HTML, Attachment, fetcher, fonts).
    One font configuration per process, since fontconfig's set-up is costly; forked workers
    (``render_pdf_parts``) inherit it."""
    from weasyprint import HTML, Attachment
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None):  # noqa: ANN202
            _checked(url)
            return super().fetch(url, headers)

    fetcher = StaticOnlyFetcher(allowed_protocols=("file", "data"))
    return HTML, Attachment, fetcher, FontConfiguration()


def __getattr__(name: str):  # noqa: ANN202
    """``FETCHER``: the fetcher every PDF uses (made with WeasyPrint on first use)."""
    if name == "FETCHER":
        return _engine()[2]
    raise AttributeError(name)


# Documents this process rendered, by the SHA-256 of what they were made from: the same
# document asked for again (a brief opened by each leader, the wall chart printed twice, a
# notice downloaded after it was read on screen) is not laid out again. The input decides
# the bytes, so nothing stale can be served; static files change only with a new release.
RENDERED = LRU(max_entries=32, max_bytes=32 * 1024 * 1024)  # beside the pages' 64 MB of HTML


def _kept(documents: list[str], attachments: list[tuple[str, bytes]],
          render: Callable[[], bytes]) -> bytes:
    """``render()``, or the PDF this process already made from the same documents and
    attachments."""
    digest = hashlib.sha256()
    for text in documents:
        digest.update(text.encode())
        digest.update(b"\x00")
    for name, data in attachments:
        digest.update(name.encode() + b"\x00" + data)
    key = digest.digest()
    found, pdf = RENDERED.get(key)
    if not found:
        pdf = render()
        RENDERED.put(key, pdf)
    return pdf


def render_pdf(html: str, attachments: list[tuple[str, bytes]] = ()) -> bytes:
    """The PDF bytes of an HTML document (static files resolved from ``static/``), from
    ``RENDERED`` when this process made the same one before.

    The cyclic garbage collector is paused while WeasyPrint works: a long brief
    allocates millions of small objects (boxes, styles, layouts) that live until
    the PDF is written, and the collector's repeated passes over them cost about
    a fifth of the render (measured on a 200-project brief) without freeing
    anything; peak memory is unchanged. It is re-enabled (if it was) afterwards.

    ``attachments`` are (file name, bytes) embedded in the PDF (a reader's paperclip panel).
    """
    return _kept([html], attachments, lambda: _render(html, attachments))


def _render(html: str, attachments: list[tuple[str, bytes]]) -> bytes:
    html_document, attachment, fetcher, fonts = _engine()
    document = html_document(string=html, base_url=str(STATIC) + "/", url_fetcher=fetcher)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return document.write_pdf(font_config=fonts, attachments=[
            attachment(string=data, name=name) for name, data in attachments])
    finally:
        if was_enabled:
            gc.enable()


def _render_part(html: str) -> bytes:
    """In a worker process: one part's PDF (it gets a string, touches no database)."""
    return _render(html, [])


def _finish(pdfs: list[bytes], footer_html: str, attachments: list[tuple[str, bytes]]) -> bytes:
    """In a worker process: the page numbers rendered and laid over the joined parts."""
    from tracker.pdfjoin import join_pdfs

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
    ``render_pdf``, and the whole is kept in ``RENDERED`` as ``render_pdf`` keeps a document.
    """
    return _kept(parts, attachments,
                 lambda: _render_parts(parts, footer, attachments, processes, first_alone))


def _render_parts(parts: list[str], footer: Callable[[int], str],
                  attachments: list[tuple[str, bytes]], processes: int, first_alone: bool) -> bytes:
    _engine()  # set up once here: the forked workers inherit it
    from tracker.pdfjoin import page_count

    if processes < 2:
        pdfs = [_render(html, []) for html in parts]
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
