"""The work report as a Word document (.docx), from the same snapshot as its PDF, in the
brief's official layout (GB/T 9704 as far as a report needs it, see ``tracker.briefs.word``):
A4 with the standard margins, the title in the bold serif face at 22 pt, the body at 16 pt
on a fixed 28 pt line with a two-character indent, 一、 headings in the sans face, numbered
subsections' titles in bold at the start of their paragraph, page numbers in the footer."""

from __future__ import annotations

from io import BytesIO

from docx.enum.text import WD_ALIGN_PARAGRAPH

from tracker.briefs.word import SERIF, _font, _heading, _para, draft_banner, official_document


def render_docx(r: dict) -> bytes:
    """The snapshot ``r`` as .docx bytes."""
    doc = official_document(r.get("title", ""), r.get("park_name", ""))

    _para(doc, r.get("title", ""), size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=12)
    if r.get("draft"):
        draft_banner(doc, r.get("as_of", ""))
    if r.get("correction_reason"):
        _para(doc, f"更正说明：{r['correction_reason']}", indent=True)
    for part in r.get("parts", []):
        _heading(doc, part["heading"])
        for p in part["paragraphs"]:
            para = _para(doc, indent=True)
            if p.get("number"):
                _font(para.add_run(f"{p['number']}{p['title']}。"), SERIF, 16, bold=True)
            _font(para.add_run(p["text"]), SERIF, 16)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
