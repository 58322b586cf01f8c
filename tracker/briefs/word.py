"""The brief as a Word document (.docx), from the same snapshot as its PDF (DESIGN.md section 12).

Laid out after the official document format GB/T 9704 as far as a brief needs it: A4 with the
standard margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), the title centred in a bold
serif CJK face at 22 pt (二号), the body in the serif face at 16 pt (三号) on a fixed 28 pt line
with a two-character first-line indent, headings 一、 in the sans face (黑体's role), tables in
the sans face at 10.5 pt (五号), page numbers `— 1 —` in the footer. The faces are Noto Serif /
Sans CJK SC (Debian's fonts-noto-cjk); Word on a machine without them substitutes its own CJK
faces, which keeps the layout.

The PDF's bar charts are not repeated: every figure they draw is in the project table below
them, and an office finishing the text in Word edits words, not pictures. A lagging project's
photo is: it is the 形象进度 itself, above its text as in the PDF.

Only plain values are read from the snapshot, with ``.get`` for keys that older published
revisions do not have, so a revision frozen before a key existed still renders.
"""

from __future__ import annotations

import base64
from io import BytesIO
from typing import NamedTuple

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
RED = RGBColor(0xC0, 0x00, 0x00)


def _font(run, face: str, size: float, bold: bool = False) -> None:  # noqa: ANN001
    """Set a run's face for Latin and East Asian text alike (Word keeps them apart)."""
    run.font.name = face
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), face)


def _para(doc, text: str = "", *, face: str = SERIF, size: float = 16, bold: bool = False,  # noqa: ANN001
          align=None, indent: bool = False, space_after: float = 0):  # noqa: ANN001, ANN202
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28 if size >= 16 else size * 1.5)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    if text:
        _font(p.add_run(text), face, size, bold)
    return p


def _rule(paragraph, side: str = "bottom", size: int = 12, colour: str = "C00000") -> None:  # noqa: ANN001
    """A line on one side of a paragraph: the red rule under the masthead, the thin one above
    报送/抄送 (版记)."""
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", colour)):
        line.set(qn(key), value)
    borders.append(line)
    paragraph._p.get_or_add_pPr().insert(0, borders)  # pBdr precedes tabs, spacing, jc


def _page_number_footer(section) -> None:  # noqa: ANN001
    """`— N —` centred, N a PAGE field so Word and LibreOffice number the pages themselves."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), SERIF, 14)
    run = p.add_run()
    _font(run, SERIF, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            if el.tag == qn("w:instrText"):
                el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), SERIF, 14)


def _table(doc, headers: list[str], rows: list[list[str]], widths_mm: list[float],  # noqa: ANN001
           groups: dict[int, str] | None = None, numeric: set[int] | None = None,
           size: float = 10.5) -> None:
    """A bordered table in the sans face; ``groups`` maps a row index to a full-width group
    title inserted before it (级别, 问题类别)."""
    numeric = numeric or set()
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    margins = OxmlElement("w:tblCellMar")  # narrow cell margins: figures stay on one line
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "45")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.append(margins)

    def fill(cells, values: list, bold: bool = False) -> None:  # noqa: ANN001
        for i, (cell, value) in enumerate(zip(cells, values, strict=False)):
            cell.width = Mm(widths_mm[i])
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            if isinstance(value, Pictured):  # the photo above its text, as in the PDF
                p.add_run().add_picture(BytesIO(value.jpeg), width=Mm(PHOTO_MM))
                p = cell.add_paragraph()
                p.paragraph_format.space_after = Pt(0)
                value = value.text
            if bold:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif i in numeric:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(p.add_run(str(value)), SANS, size, bold)

    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid LibreOffice lays out by
    fill(table.rows[0].cells, headers, bold=True)
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row again on each page
    header_props.append(repeat)
    for index, values in enumerate(rows):
        if groups and index in groups:
            cells = table.add_row().cells
            merged = cells[0].merge(cells[-1])
            _font(merged.paragraphs[0].add_run(groups[index]), SANS, size, True)
        fill(table.add_row().cells, values)
    _para(doc, size=10.5)  # breathing room after the table


class Pictured(NamedTuple):
    """A cell's text with a photo above it (a lagging project's 形象进度)."""

    text: str
    jpeg: bytes


PHOTO_MM = 24  # the PDF's thumbnail width


def _pictured(data_uri: str | None, text: str) -> str | Pictured:
    """The snapshot's thumbnail (a JPEG data: URI) with its text, or the text alone."""
    prefix = "data:image/jpeg;base64,"
    if not data_uri or not data_uri.startswith(prefix):
        return text
    return Pictured(text, base64.b64decode(data_uri[len(prefix):]))


def _heading(doc, text: str) -> None:  # noqa: ANN001
    _para(doc, text, face=SANS, size=16, indent=True)


def official_document(title: str, author: str):  # noqa: ANN201
    """An empty A4 document with GB/T 9704's margins and `— N —` page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _page_number_footer(section)
    doc.core_properties.title = title
    doc.core_properties.author = author
    return doc


def draft_banner(doc, as_of: str) -> None:  # noqa: ANN001
    """The red line that marks a draft."""
    run = _para(doc, size=12).add_run(f"草稿（未发布）· 数据截至{as_of}，发布前随数据变化")
    _font(run, SANS, 12)
    run.font.color.rgb = RED


def render_docx(b: dict) -> bytes:
    """The snapshot ``b`` as .docx bytes."""
    doc = official_document(b.get("title", ""), b.get("issuing_body", ""))

    _para(doc, b.get("title", ""), size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=6)
    _para(doc, b.get("issue_label", ""), size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    meta = _para(doc, size=16)
    meta.paragraph_format.tab_stops.add_tab_stop(Mm(156), WD_TAB_ALIGNMENT.RIGHT)
    _font(meta.add_run(f"{b.get('issuing_body', '')}\t{b.get('date', '')}"), SERIF, 16)
    _rule(meta)
    if b.get("draft"):
        draft_banner(doc, b.get("as_of", ""))
    if b.get("correction") and b.get("correction_reason"):
        _para(doc, f"更正说明：{b['correction_reason']}", size=16, indent=True)

    _heading(doc, "一、总体情况")
    _para(doc, "".join(b.get("overview", [])), indent=True)

    _heading(doc, "二、项目进展")
    if b.get("progress_sentences"):
        _para(doc, "".join(b["progress_sentences"]), indent=True)
    if b.get("milestone_sentence"):
        _para(doc, b["milestone_sentence"], indent=True)
        if b.get("milestones_overdue"):
            _table(doc, ["项目", "节点", "计划完成日期", "逾期天数", "责任单位"], [
                [r["project"], r["milestone"], r["planned"], r["days_overdue"], r["unit"]]
                for r in b["milestones_overdue"]
            ], [46, 26, 30, 18, 36], numeric={3})
    # As in the PDF: the note just before the figures' table.
    _para(doc, f"数据截至{b.get('as_of', '')}，时间进度{b.get('time_progress', '')}%；金额单位：万元。",
          size=12, indent=True)
    rows, groups = [], {}
    for g in b.get("progress_groups", []):
        groups[len(rows)] = f"{g['level']}项目（{g['count']}个）"
        for r in g["rows"]:
            rows.append([r["level"], r["name"], r["plan"], r.get("month_amount", "—"), r["ytd"],
                         r["rate"], r["deviation"], r.get("light_label") or "—",
                         r.get("lead") or "", r.get("leader", "—")])
    _table(doc, ["级别", "项目名称", "年度计划投资", "当月完成", f"{b.get('period_label', '')}完成投资",
                 "完成率", "偏差（百分点）", "预警", "负责人", "包挂领导"],
           rows, [12, 26, 17, 16, 17, 13, 13, 11, 12, 19], groups, numeric={2, 3, 4, 5}, size=9)
    ranking = b.get("ranking") or {}
    for title, key in (("进度靠前项目", "top"), ("进度靠后项目", "bottom")):
        if ranking.get(key):
            _para(doc, title, face=SANS, size=12)
            _table(doc, ["序号", "项目名称", "级别", "责任单位", "完成率", "偏差", "预警"], [
                [str(r["rank"]), r["name"], r["level"], r["unit"], r["rate"], r["deviation"],
                 r.get("light_label", "")] for r in ranking[key]
            ], [12, 50, 16, 36, 16, 14, 12], numeric={4})
    if b.get("units"):
        _para(doc, "责任单位推进情况", face=SANS, size=12)
        _table(doc, ["责任单位", "项目", "年度计划投资", f"{b.get('period_label', '')}完成", "完成率",
                     "红灯项目", "在督问题", "逾期问题"], [
            [r["unit"], str(r["projects"]), r["plan"], r["done"], r["rate"], str(r["red"]),
             str(r["open"]), str(r["overdue"])] for r in b["units"]
        ], [34, 12, 22, 22, 16, 16, 17, 17], numeric={1, 2, 3, 4, 5, 6, 7})

    _heading(doc, "三、进度滞后项目")
    if b.get("lagging"):
        _table(doc, ["项目名称", "级别", "完成率", "偏差", "预警", "最新形象进度", "在督问题"], [
            [r["name"], r["level"], r["rate"], r["deviation"], r.get("light_label", ""),
             _pictured(r.get("photo"), r["progress_text"]),
             "；".join(f"{i['description']}（{i['state']}）" for i in r["issues"]) or "—"]
            for r in b["lagging"]
        ], [28, 12, 14, 12, 12, 38, 40], numeric={2})
    else:
        _para(doc, "本月无红灯、黄灯项目。", indent=True)
    if b.get("late_sentence"):
        _para(doc, b["late_sentence"], indent=True)

    _heading(doc, "四、问题督办情况")
    _para(doc, "".join(b.get("issue_sentences", [])), indent=True)
    if b.get("issue_list_note"):
        _para(doc, b["issue_list_note"], indent=True)
    if b.get("issue_groups"):
        rows, groups = [], {}
        for g in b["issue_groups"]:
            groups[len(rows)] = f"{g['category']}（{g['count']}项）"
            rows.extend([r["project"], r["description"], r["unit"], r["deadline"], r["state"],
                         r["days_overdue"]] for r in g["rows"])
        _table(doc, ["项目", "问题描述", "责任单位", "办结时限", "状态", "逾期天数"], rows,
               [26, 56, 24, 22, 14, 14], groups, numeric={5})

    _heading(doc, "五、专项债支出情况")
    if b.get("bonds"):
        total = b.get("bonds_total", {})
        _table(doc, ["项目名称", "下达金额（万元）", "已支出（万元）", "支出进度", "预计支出完毕日期"], [
            *([r["project"], r["granted"], r["spent"], r["progress"], r["expected"]]
              for r in b["bonds"]),
            ["合计", total.get("granted", ""), total.get("spent", ""), total.get("progress", ""), ""],
        ], [56, 26, 26, 20, 28], numeric={1, 2, 3})
    else:
        _para(doc, "今年暂无政府专项债。", indent=True)

    _heading(doc, "六、下步工作")
    for line in b.get("next_steps", []) or ["（无）"]:
        _para(doc, line, indent=True)

    _para(doc)
    foot = _para(doc, f"报送：{b.get('send_to') or '—'}", size=14)
    _rule(foot, side="top", size=6, colour="000000")
    _para(doc, f"抄送：{b.get('copy_to') or '—'}", size=14)

    out = BytesIO()
    doc.save(out)
    return out.getvalue()
