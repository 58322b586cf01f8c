"""The park's work report (工作情况汇报, DESIGN.md section 15) through the browser's eyes: the
sentences in the draft's PDF and Word file, paragraphs edited in place and restored, publishing
that freezes the text and both files, the commands."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from tests.web import test_briefs
from tests.web.test_briefs import WORKED_SENTENCES
from tests.web.test_briefs import pdf_text as _pdf_text
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.workreport.models import (
    Agreement,
    Indicator,
    IndicatorValue,
    LandEntry,
    PipelineProject,
    PipelineStage,
    SignedProject,
    Target,
    TargetKind,
    WorkReport,
)

worked_park = test_briefs.worked_park  # the projects, bonds and issues of DESIGN.md section 9

D = Decimal
SENTENCES = [
    "1-3月园区共实现规上工业总产值45.60亿元，增长20.0%；规上工业增加值9.87亿元，与上年同期持平；"
    "全社会固定资产投资总额30.50亿元，下降7.6%；全口径税收4.20亿元，增长5.0%，退税1.05亿元，占比25.0%。",
    WORKED_SENTENCES[0] + WORKED_SENTENCES[2],
    "1-3月，园区共签约引进3个项目，计划总投资17.75亿元，完成年度任务的35.5%，"
    "其中独立储能电站项目计划投资12.50亿元，其余2个项目计划投资5.25亿元。"
    "还储备了5个有较强投资落户意向项目，涉及新材料、金属智造、机械装备、绿色能源等相关行业领域，"
    "总投资约15.50亿元。",
    "1-3月完成新增收储土地120亩，完成年度任务的40.0%。",
    WORKED_SENTENCES[4],
]


def pdf_text(data: bytes) -> str:
    """The PDF's text without whitespace nor the page numbers (— 1 —) a page break puts
    inside a paragraph."""
    return re.sub(r"—\d+—", "", _pdf_text(data))


@pytest.fixture
def report_park(worked_park):
    """The worked park with a quarter's work report data, and entries that must not count."""
    keys = {i.key: i for i in db.session.scalars(select(Indicator))}
    for key, value, last in (("output", "45.6", "38"), ("value_added", "9.87", "9.87"),
                             ("investment", "30.5", "33"), ("tax", "4.2", "4"),
                             ("refund", "1.05", None)):
        db.session.add(IndicatorValue(indicator_id=keys[key].id, year=2026, month=3,
                                      cumulative=D(value), last_year=D(last) if last else None))
        # February's figures are another period's.
        db.session.add(IndicatorValue(indicator_id=keys[key].id, year=2026, month=2,
                                      cumulative=D(1), last_year=D(1)))
    for name, on, amount in (("铝合金汽车零部件项目", date(2026, 1, 20), "3"),
                             ("独立储能电站项目", date(2026, 3, 15), "12.5"),
                             ("安防科技项目", date(2026, 2, 8), "2.25"),
                             ("四月签约项目", date(2026, 4, 2), "50"),
                             ("去年签约项目", date(2025, 12, 28), "60")):
        db.session.add(SignedProject(name=name, industry="", signed_on=on, investment=D(amount),
                                     agreement=Agreement.INVESTMENT))
    for industry, amount in (("新材料", "3"), ("金属智造", "5"), ("新材料", "4"),
                             ("机械装备", "2"), ("绿色能源", "1.5"), ("电子信息", "2")):
        db.session.add(PipelineProject(name=f"{industry}意向项目", industry=industry,
                                       investment=D(amount), progress=PipelineStage.TALKING))
    db.session.flush()
    # 电子信息 ties 机械装备 on 2.00 and comes later: the fifth industry is left out.
    db.session.delete(db.session.scalars(select(PipelineProject).where(
        PipelineProject.industry == "电子信息")).one())
    for on, area in ((date(2026, 1, 10), "80"), (date(2026, 3, 31), "40"),
                     (date(2026, 4, 1), "500")):
        db.session.add(LandEntry(acquired_on=on, area=D(area), location="东片区"))
    db.session.add(Target(year=2026, kind=TargetKind.INVESTMENT, value=D("50")))
    db.session.add(Target(year=2026, kind=TargetKind.LAND, value=D("300")))
    db.session.add(Target(year=2025, kind=TargetKind.LAND, value=D("10")))
    db.session.commit()
    return worked_park


def test_the_draft_pdf_holds_every_sentence_of_section_15(report_park, users, login, client):
    login(users["supervisor"])
    page = client.get("/work-report/2026-03")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for heading in ("一、工作情况及做法", "（一）经济运行。", "（二）项目建设。", "（三）招商引资。",
                    "（四）载体开发。", "二、存在问题", "（一）项目建设存在梗阻。", "三、下一步工作计划"):
        assert heading in html
    r = client.get("/work-report/2026-03.pdf?draft=1")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(r.data)
    assert "园区2026年1-3月工作情况汇报" in text and "草稿（未发布）" in text
    for sentence in SENTENCES:
        assert sentence in text


def test_the_word_file_opens_in_libreoffice_with_every_sentence(report_park, users, login, client,
                                                                 tmp_path: Path):
    login(users["supervisor"])
    r = client.get("/work-report/2026-03.docx?draft=1")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    doc = Document(BytesIO(r.data))
    assert doc.sections[0].top_margin.mm == pytest.approx(37, abs=0.1)
    source = tmp_path / "report.docx"
    source.write_bytes(r.data)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120)
    text = pdf_text((tmp_path / "report.pdf").read_bytes())
    for sentence in SENTENCES:
        assert sentence in text
    assert "—1—" in _pdf_text((tmp_path / "report.pdf").read_bytes())  # the footer


def test_an_edited_paragraph_survives_a_reload_and_restore_brings_it_back(
        report_park, users, login, client):
    login(users["supervisor"])
    edited = "一季度园区经济运行稳中加固，规上工业总产值45.60亿元。"
    r = client.post("/work-report/2026-03/paragraph", data={
        "key": "economy", "text": edited, "action": "save", "version": "1"})
    assert r.status_code == 302
    page = client.get("/work-report/2026-03").get_data(as_text=True)
    assert edited in page and SENTENCES[0] not in page.split("生成文本：")[0]
    assert 'value="reset">恢复生成文本' in page and "已修改" in page
    # The data change; the edited paragraph stays as written.
    db.session.scalars(select(IndicatorValue)).first().cumulative = D("99")
    db.session.commit()
    assert edited in client.get("/work-report/2026-03").get_data(as_text=True)
    report = db.session.scalar(select(WorkReport))
    back = client.post("/work-report/2026-03/paragraph", headers={"HX-Request": "true"}, data={
        "key": "economy", "action": "reset", "version": str(report.version)})
    assert back.status_code == 200
    fragment = back.get_data(as_text=True)
    assert edited not in fragment and "1-3月园区共实现" in fragment
    assert 'value="reset"' not in fragment
    notes = [e.note for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == "work_reports").order_by(AuditEntry.id))]
    assert notes == ["修改段落：经济运行", "恢复生成文本：经济运行"]


def test_an_empty_paragraph_or_a_stale_form_is_refused_and_changes_nothing(
        report_park, users, login, client):
    login(users["supervisor"])
    empty = client.post("/work-report/2026-03/paragraph", data={
        "key": "land", "text": "  ", "action": "save", "version": "1"})
    assert empty.status_code == 422 and "请填写载体开发" in empty.get_data(as_text=True)
    client.post("/work-report/2026-03/paragraph", data={
        "key": "land", "text": "收储顺利。", "action": "save", "version": "1"})
    stale = client.post("/work-report/2026-03/paragraph", data={
        "key": "land", "text": "另一种写法。", "action": "save", "version": "1"})
    assert stale.status_code == 409
    assert "他人已修改本期工作情况汇报草稿" in stale.get_data(as_text=True)
    assert db.session.scalar(select(WorkReport)).texts == {"land": "收储顺利。"}


def test_a_published_report_downloads_byte_identical_after_the_data_change(
        report_park, users, login, client):
    login(users["supervisor"])
    client.post("/work-report/2026-03/texts", data={
        "problems": "（二）产业结构有待优化。园区正面临产业调整带来的阵痛。",
        "plans": "（一）一刻不松建设项目。坚持项目为王。", "version": "1"})
    assert client.post("/work-report/2026-03/publish").status_code == 302
    pdf, docx = client.get("/work-report/2026-03.pdf"), client.get("/work-report/2026-03.docx")
    report = db.session.scalar(select(WorkReport))
    assert hashlib.sha256(pdf.data).hexdigest() == report.sha256
    assert hashlib.sha256(docx.data).hexdigest() == report.docx_sha256
    text = pdf_text(pdf.data)
    assert "草稿" not in text and "（二）产业结构有待优化。" in text and "坚持项目为王。" in text
    for row in db.session.scalars(select(IndicatorValue)):
        row.cumulative = D("1")
    db.session.add(SignedProject(name="新签项目", signed_on=date(2026, 3, 1), investment=D(9),
                                 agreement=Agreement.FRAMEWORK))
    db.session.commit()
    assert client.get("/work-report/2026-03.pdf").data == pdf.data
    assert client.get("/work-report/2026-03.docx").data == docx.data
    # Leadership reads the published text.
    client.post("/logout")
    login(users["viewer"])
    page = client.get("/work-report/2026-03").get_data(as_text=True)
    assert SENTENCES[0] in page and "修改此段" not in page
    assert client.get("/work-report/2026-03.pdf").data == pdf.data


def test_a_correction_needs_a_reason_and_is_a_new_revision(report_park, users, login, client):
    login(users["supervisor"])
    client.post("/work-report/2026-03/publish")
    again = client.post("/work-report/2026-03/publish")
    assert again.status_code == 422 and "已发布（第1版），不能重复发布" in again.get_data(as_text=True)
    no_reason = client.post("/work-report/2026-03/publish", data={"correction": "1", "reason": ""})
    assert no_reason.status_code == 422 and "发布更正版须说明更正原因" in no_reason.get_data(as_text=True)
    assert client.post("/work-report/2026-03/publish",
                       data={"correction": "1", "reason": "更正土地面积"}).status_code == 302
    assert [r.revision for r in db.session.scalars(select(WorkReport).order_by(WorkReport.id))] == [1, 2]
    first = client.get("/work-report/2026-03.pdf?revision=1")
    assert "更正说明" not in pdf_text(first.data)
    assert "更正说明：更正土地面积" in pdf_text(client.get("/work-report/2026-03.pdf").data)


def test_before_publishing_leadership_sees_a_clear_empty_state(report_park, users, login, client):
    login(users["viewer"])
    page = client.get("/work-report/2026-03")
    assert "2026年3月的工作情况汇报尚未发布" in page.get_data(as_text=True)
    assert client.get("/work-report/2026-03.pdf").status_code == 404
    assert client.post("/work-report/2026-03/publish").status_code == 403
    assert client.get("/work-report/2026-13").status_code == 400


def test_an_empty_park_gets_a_draft_that_says_what_to_enter(users, login, client):
    login(users["supervisor"])
    page = client.get("/work-report/2026-06").get_data(as_text=True)
    assert "尚无数据可写：请先在“工作汇报数据”填报经济指标、招商签约、储备项目和土地收储。" in page


def test_the_report_page_runs_a_fixed_number_of_queries(report_park, make_project, users, login,
                                                        client, count_queries):
    login(users["supervisor"])

    def cost() -> int:
        with count_queries() as q:
            assert client.get("/work-report/2026-03").status_code == 200
        return q.count

    few = cost()
    for i in range(15):
        make_project(f"M{i}", plan=1000, months={1: 100, 2: 100, 3: 100})
    assert cost() == few


def test_the_commands_render_publish_and_get_byte_for_byte(report_park, runner, tmp_path: Path):
    out = tmp_path / "draft.pdf"
    r = runner.invoke(args=["work-report", "render", "--period", "2026-03", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert SENTENCES[3] in pdf_text(out.read_bytes())
    missing = runner.invoke(args=["work-report", "get", "--period", "2026-03", "--out",
                                  str(tmp_path / "x.pdf")])
    assert missing.exit_code == 1 and "2026年3月的工作情况汇报尚未发布" in missing.stderr
    published = runner.invoke(args=["work-report", "publish", "--period", "2026-03"])
    assert published.exit_code == 0 and "已发布2026年3月工作情况汇报（第1版）" in published.output
    report = db.session.scalar(select(WorkReport))
    for fmt, sha in (("pdf", report.sha256), ("docx", report.docx_sha256)):
        target = tmp_path / f"got.{fmt}"
        got = runner.invoke(args=["work-report", "get", "--period", "2026-03", "--format", fmt,
                                  "--out", str(target)])
        assert got.exit_code == 0
        assert hashlib.sha256(target.read_bytes()).hexdigest() == sha
    bad = runner.invoke(args=["work-report", "render", "--period", "2026-3x", "--out", str(out)])
    assert bad.exit_code == 2


def test_leadership_sees_a_card_per_area_against_last_year_and_the_targets(
        report_park, users, login, client):
    login(users["viewer"])
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/work-report/2026-03").get_data(
        as_text=True)))
    assert "规上工业总产值 45.60（上年同期 38.00，增长20.0%）" in page
    assert "退税 1.05（上年同期 —，—）" in page
    assert "3个 · 17.75亿元 上年同期 0.00亿元；年度任务 50.00亿元，完成 35.5%" in page
    assert "5个 · 15.50亿元" in page
    assert "120亩 上年同期 0亩；年度目标 300亩，完成 40.0%" in page
