"""The brief in Word (DESIGN.md section 12): the same sentences and tables as the PDF, from the
same snapshot; opened by LibreOffice; frozen with each published revision."""

from __future__ import annotations

import hashlib
import subprocess
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from tests.web import test_briefs
from tests.web.test_briefs import TICK, WORKED_SENTENCES, pdf_text
from tracker.briefs.models import Brief
from tracker.extensions import db
from tracker.issues.models import Issue
from tracker.projects.models import MonthlyReport, ReportState

worked_park = test_briefs.worked_park  # the park of DESIGN.md section 9

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of the document, in order, one per line."""
    doc = Document(BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines.extend(" | ".join(c.text for c in row.cells) for row in table.rows)
    return "\n".join(lines)


def libreoffice_pdf(data: bytes, tmp_path: Path) -> bytes:
    """The .docx as LibreOffice lays it out (its own profile: tests run side by side)."""
    source = tmp_path / "brief.docx"
    source.write_bytes(data)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120)
    return (tmp_path / "brief.pdf").read_bytes()


def test_the_draft_in_word_has_the_sentences_and_tables_and_opens_in_libreoffice(
        worked_park, users, login, client, tmp_path):
    login(users["supervisor"])
    client.post("/briefs/2026-03", data={"next_steps": "加快A2项目资金到位。", "send_to": "区委",
                                         "copy_to": "各责任单位"})
    response = client.get("/briefs/2026-03.docx?draft=1")
    assert response.status_code == 200 and response.mimetype == DOCX
    assert "attachment" in response.headers["Content-Disposition"]
    text = docx_text(response.data)
    for sentence in WORKED_SENTENCES:
        assert sentence in text
    assert "示范产业园区重点项目督办简报" in text and "〔2026〕第1期" in text
    assert "储能电站项目" in text and "加快A2项目资金到位。" in text and "报送：区委" in text
    assert "与上月相比，省市重点项目完成率提高8.4个百分点，各项目预警等级无变化。" in text
    assert "进度靠前项目" in text and "进度靠后项目" in text and "责任单位推进情况" in text
    doc = Document(BytesIO(response.data))
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37
    title = doc.paragraphs[0].runs[0]
    assert title.bold and title.font.size.pt == 22 and title.font.name == "Noto Serif CJK SC"
    # LibreOffice opens it: A4 pages, numbered — 1 —, the sentences laid out.
    laid_out = pdf_text(libreoffice_pdf(response.data, tmp_path))
    assert "—1—" in laid_out  # pdf_text drops the spaces
    assert "督办简报" in laid_out and "一、总体情况" in laid_out and "六、下步工作" in laid_out
    login(users["member"])
    assert client.get("/briefs/2026-03.docx?draft=1").status_code == 403
    assert client.get("/briefs/2026-03.docx").status_code == 404


def test_a_published_revision_keeps_its_word_bytes_whatever_changes(worked_park, users, login,
                                                                   client, runner, tmp_path):
    login(users["supervisor"])
    client.post("/briefs/2026-03/publish", data=TICK)
    first = client.get("/briefs/2026-03.docx")
    brief = db.session.scalar(select(Brief))
    assert brief.docx_sha256 == hashlib.sha256(first.data).hexdigest()
    db.session.add(MonthlyReport(project_id=worked_park["B2"].id, year=2026, month=2,
                                 amount=Decimal(5000), state=ReportState.APPROVED))
    db.session.commit()
    login(users["viewer"])  # everyone reads what is published
    again = client.get("/briefs/2026-03.docx?revision=1")
    assert again.data == first.data
    out = tmp_path / "b.docx"
    result = runner.invoke(args=["brief", "get", "--period", "2026-03", "--out", str(out),
                                 "--format", "docx"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == first.data and brief.docx_sha256 in result.output
    assert client.get("/briefs/2026-03.docx?revision=2").status_code == 404
    assert client.get("/briefs/2026-03.docx?revision=x").status_code == 400


def test_a_revision_published_before_word_gets_its_docx_once_from_its_snapshot(
        worked_park, users, login, client):
    login(users["supervisor"])
    client.post("/briefs/2026-03/publish", data=TICK)
    brief = db.session.scalar(select(Brief))
    brief.docx, brief.docx_sha256 = None, None  # as revision 0007 leaves older revisions
    db.session.commit()
    made = client.get("/briefs/2026-03.docx")
    assert made.status_code == 200 and WORKED_SENTENCES[0] in docx_text(made.data)
    db.session.expire_all()
    assert db.session.scalar(select(Brief.docx_sha256)) == hashlib.sha256(made.data).hexdigest()
    assert client.get("/briefs/2026-03.docx").data == made.data


def test_the_cli_renders_a_draft_in_word_and_refuses_a_bad_format(worked_park, runner, tmp_path):
    out = tmp_path / "draft.docx"
    result = runner.invoke(args=["brief", "render", "--period", "2026-03", "--out", str(out),
                                 "--format", "docx"])
    assert result.exit_code == 0, result.output
    assert WORKED_SENTENCES[0] in docx_text(out.read_bytes())
    bad = runner.invoke(args=["brief", "render", "--period", "2026-03", "--out", str(out),
                              "--format", "odt"])
    assert bad.exit_code == 2


def test_the_issue_ledger_is_attached_inside_the_pdf_and_frozen_beside_it(
        worked_park, users, login, client, runner, tmp_path):
    login(users["supervisor"])
    client.post("/briefs/2026-03/publish", data=TICK)
    ledger = client.get("/briefs/2026-03/ledger.xlsx")
    assert ledger.status_code == 200 and "attachment" in ledger.headers["Content-Disposition"]
    rows = list(load_workbook(BytesIO(ledger.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("问题编号", "项目编号", "项目名称") and rows[0][-1] == "已办天数"
    # Open on 3月31日: E1 (closed only in April, overdue 16 days) and E2; not E3 nor E4.
    assert [(r[0], r[1], r[11], r[12]) for r in rows[1:]] == [
        ("E1", "A2", "办理中", 16), ("E2", "B1", "待办理", None)]
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(client.get("/briefs/2026-03.pdf").data)
    listed = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout
    assert "问题台账-2026-03.xlsx" in listed
    subprocess.run(["pdfdetach", "-save", "1", "-o", str(tmp_path / "inside.xlsx"), str(pdf)],
                   check=True)
    assert (tmp_path / "inside.xlsx").read_bytes() == ledger.data
    # The data change; the published ledger does not.
    issue = db.session.scalar(select(Issue).where(Issue.number == "E2"))
    issue.description = "改写后的描述"
    db.session.commit()
    login(users["viewer"])
    assert client.get("/briefs/2026-03/ledger.xlsx?revision=1").data == ledger.data
    out = tmp_path / "ledger.xlsx"
    got = runner.invoke(args=["brief", "get", "--period", "2026-03", "--out", str(out),
                              "--format", "ledger"])
    assert got.exit_code == 0 and out.read_bytes() == ledger.data
    assert client.get("/briefs/2026-03/ledger.xlsx?draft=1").status_code == 403
    assert client.get("/briefs/2026-04/ledger.xlsx").status_code == 404
