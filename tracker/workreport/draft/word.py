"""The work report as a Word document (.docx), from the same snapshot as its PDF, in the
brief's official layout (GB/T 9704 as far as a report needs it, see ``tracker.briefs.word``):
A4 with the standard margins, the title in the bold serif face at 22 pt, the body at 16 pt
on a fixed 28 pt line with a two-character indent, 一、 headings in the sans face, numbered
subsections' titles in bold at the start of their paragraph, page numbers in the footer."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, RGBColor

from tracker.briefs.word import SANS, SERIF, _font, _heading, _page_number_footer, _para

RED = RGBColor(0xC0, 0x00, 0x00)


def render_docx(r: dict) -> bytes:
    """The snapshot ``r`` as .docx bytes."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _page_number_footer(section)
    doc.core_properties.title = r.get("title", "")
    doc.core_properties.author = r.get("park_name", "")

    _para(doc, r.get("title", ""), size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=12)
    if r.get("draft"):
        run = _para(doc, size=12).add_run(f"草稿（未发布）· 数据截至{r.get('as_of', '')}，发布前随数据变化")
        _font(run, SANS, 12)
        run.font.color.rgb = RED
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
