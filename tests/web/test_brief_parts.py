"""A large brief is rendered in parts, in parallel, and joined (tracker.pdf.render_pdf_parts):
what a reader gets holds every sentence and row of the single document, page numbers counted
over the whole, the title and the attached issue ledger."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.web.test_briefs import add_issue
from tracker.issues.models import Category


def lines(data: bytes) -> list[str]:
    """The PDF's lines of text, without whitespace (pdftotext's spacing varies). The font
    draws • and · with one glyph, which a PDF maps back to the character it met first: the
    draft banner's · in one document, a lagging issue's • in a part."""
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                         check=True).stdout.decode().replace("•", "·")
    return ["".join(line.split()) for line in out.splitlines() if line.strip()]


def info(data: bytes) -> str:
    return subprocess.run(["pdfinfo", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


@pytest.fixture
def lagging_park(make_project, users):
    """12 projects far behind time progress (red), each with two overdue issues."""
    for n in range(12):
        project = make_project(f"P{n:02d}", f"滞后工程{n:02d}号项目", "省重点" if n < 6 else "市重点",
                               10000, {1: 100, 2: 100, 3: 100})
        for k, category in enumerate((Category.FUNDING, Category.LAND_DELIVERY)):
            add_issue(f"W{n:02d}{k}", project, category, date(2026, 1, 10), date(2026, 2, 28))


def render(app, client, **config) -> bytes:
    app.config.update(config)
    response = client.get("/briefs/2026-03.pdf?draft=1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


def test_a_large_brief_in_parts_reads_like_the_single_document(lagging_park, app, users, login,
                                                               client, tmp_path):
    login(users["supervisor"])
    single = render(app, client)  # this park is below BRIEF_PARTS_FROM: one document
    fonts = subprocess.run(["pdffonts", "-"], input=single, capture_output=True).stdout
    assert len(fonts.splitlines()) == 2 + 3  # its three faces embedded once
    joined = render(app, client, BRIEF_PARTS_FROM=0, BRIEF_PART_UNITS=25)
    pages = int(re.search(r"Pages:\s+(\d+)", info(joined)).group(1))
    assert pages > int(re.search(r"Pages:\s+(\d+)", info(single)).group(1))  # parts: new pages
    # Every line of the single document, page numbers aside, is in the joined one.
    footer = re.compile(r"第\d+页共\d+页")
    got = [line for line in lines(joined) if not footer.fullmatch(line)]
    for line in lines(single):
        if not footer.fullmatch(line):
            assert line in got
    text = "".join(lines(joined))
    for sentence in ("截至3月底，园区共有12个省市重点项目", "当前在督问题24项，其中资金不足12项",
                     "三、进度滞后项目", "滞后工程11号项目", "W111的问题描述", "六、下步工作"):
        assert sentence in text
    # 第 x 页 共 N 页 on every page, in order, N the page count.
    numbers = [line for line in lines(joined) if footer.fullmatch(line)]
    assert numbers == [f"第{x}页共{pages}页" for x in range(1, pages + 1)]
    assert "Title:           示范产业园区重点项目督办简报 〔2026〕第1期" in info(joined)
    (tmp_path / "brief.pdf").write_bytes(joined)
    listed = subprocess.run(["pdfdetach", "-list", str(tmp_path / "brief.pdf")],
                            capture_output=True, text=True, check=True).stdout
    assert "问题台账-2026-03.xlsx" in listed
    subprocess.run(["pdfdetach", "-save", "1", "-o", str(tmp_path / "ledger.xlsx"),
                    str(tmp_path / "brief.pdf")], check=True)
    rows = list(load_workbook(tmp_path / "ledger.xlsx").active.iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == [f"W{n:02d}{k}" for n in range(12) for k in (0, 1)]


@pytest.mark.parametrize("processes", [1, 2])
def test_parts_come_out_in_their_order_and_numbered_over_the_whole(app, processes):
    from flask import render_template

    from tracker.pdf import render_pdf_parts

    doc = '<html lang="zh-CN"><head><title>标题</title></head><body><p>第{}部分</p></body></html>'
    with app.app_context():
        pdf = render_pdf_parts([doc.format(i) for i in range(5)], processes=processes,
                               footer=lambda y: render_template("pdf/footer.html", pages=y))
    assert lines(pdf) == [x for i in range(5) for x in (f"第{i}部分", f"第{i + 1}页共5页")]
    assert "Title:           标题" in info(pdf)
