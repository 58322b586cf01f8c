"""PDFs joined and stamped with pypdf, for a document rendered in parts (``tracker.pdf``).
A module of its own so that pypdf is imported only by the processes that join."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
)


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
