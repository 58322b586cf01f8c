"""/milestones.pdf: the wall chart as an A3 landscape PDF for the scheduling meeting room, with
the wall chart's filters, the header row on every page, cells in their status colours."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from PIL import Image

from tracker.extensions import db
from tracker.projects.models import Project

HEADER = "项目立项备案用地预审土地供应规划许可施工许可开工建设主体完工竣工验收投产运营自定节点"


def pdf_text(data: bytes, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(["pdftotext", *pages, "-layout", "-", "-"], input=data,
                         capture_output=True, check=True).stdout.decode()
    return "".join(out.split())


def pdf_info(data: bytes) -> str:
    return subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def park(users, make_project, plan, today):
    make_project("A1", name="储能电站项目", lead=users["member"])
    make_project("B1", name="装备制造基地项目", level="市重点")
    plan("A1", "土地供应", planned=today - timedelta(days=40), actual=today - timedelta(days=45))
    plan("A1", "开工建设", planned=today - timedelta(days=12))
    plan("B1", "开工建设", planned=today + timedelta(days=3))


def test_the_pdf_is_an_a3_landscape_wall_chart_with_legend_and_dates(client, login, users, park,
                                                                       today):
    login(users["viewer"])
    response = client.get("/milestones.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "A3" in pdf_info(response.data) and "1190.55 x 841.89" in pdf_info(response.data)
    text = pdf_text(response.data)
    assert "示范产业园区重点项目节点计划挂图" in text
    assert f"截至{today.year}年{today.month}月{today.day}日·共2个项目" in text
    assert "按期完成1" in text and "逾期1" in text and "临期1" in text  # the legend with counts
    assert HEADER in text
    assert (today - timedelta(days=12)).isoformat() in text and "逾期12天" in text
    assert "储能电站项目" in text and "供地未开工" in text
    # The wall chart page links to it with the same filters.
    html = client.get("/milestones?level=市重点").get_data(as_text=True)
    assert 'href="/milestones.pdf?level=%E5%B8%82%E9%87%8D%E7%82%B9"' in html


def test_cells_carry_their_status_colour(client, login, users, park, tmp_path):
    login(users["viewer"])
    (tmp_path / "wall.pdf").write_bytes(client.get("/milestones.pdf").data)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", str(tmp_path / "wall.pdf"),
                    str(tmp_path / "wall")], check=True)
    colours = Image.open(tmp_path / "wall.png").convert("RGB").getcolors(1 << 20)
    present = {rgb for _, rgb in colours}
    for hex_ in ("EF9A9A", "FFE082", "C8E6C9"):  # 逾期, 临期, 按期完成 (status.colour)
        assert tuple(int(hex_[i:i + 2], 16) for i in (0, 2, 4)) in present


def test_the_filters_of_the_wall_chart_apply(client, login, users, park):
    login(users["viewer"])
    text = pdf_text(client.get("/milestones.pdf?level=市重点").data)
    assert "装备制造基地项目" in text and "储能电站项目" not in text
    node = pdf_text(client.get("/milestones.pdf?node=开工建设&status=逾期").data)
    assert "节点：开工建设·状态：逾期" in node and "储能电站项目" in node
    assert "装备制造基地项目" not in node and "土地供应" not in node
    empty = pdf_text(client.get("/milestones.pdf?q=不存在的项目").data)
    assert "没有符合条件的项目。" in empty


def test_the_header_row_repeats_on_every_page(client, login, users, make_project):
    for i in range(60):
        make_project(f"P{i:02d}", name=f"第{i}号项目")
    login(users["viewer"])
    data = client.get("/milestones.pdf").data
    pages = int(next(line.split()[-1] for line in pdf_info(data).splitlines()
                     if line.startswith("Pages:")))
    assert pages >= 2
    for page in range(1, pages + 1):
        assert HEADER in pdf_text(data, page)
    assert "第59号项目" in pdf_text(data, pages)  # every project, no pages of 100


def test_the_pdf_reads_in_a_fixed_number_of_queries(client, login, users, make_project, plan,
                                                    today, count_queries):
    login(users["viewer"])

    def queries(n: int) -> int:
        for i in range(n):
            make_project(f"N{n}-{i}", level=["省重点", "市重点", "区重点"][i % 3])
        plan(f"N{n}-0", "开工建设", planned=today - timedelta(days=3))
        with count_queries() as q:
            assert client.get("/milestones.pdf").status_code == 200
        return q.count

    assert queries(3) == queries(30)


def test_a_wall_of_more_than_500_projects_asks_for_a_filter(client, login, users, make_project,
                                                            make_unit):
    from tracker.projects.models import Level, Stage

    unit = make_unit()
    db.session.add_all([
        Project(code=f"P{i:03d}", name=f"第{i}号项目", level=Level.DISTRICT if i % 2 else Level.MUNICIPAL,
                industry="其他", stage=Stage.CONSTRUCTION, responsible_unit=unit)
        for i in range(501)
    ])
    db.session.commit()
    login(users["viewer"])
    refused = client.get("/milestones.pdf")
    assert refused.status_code == 400
    assert "挂图 PDF 一次最多500个项目（当前筛选出501个），请按级别" in refused.get_data(as_text=True)
    page = client.get("/milestones").get_data(as_text=True)
    assert "A3 挂图 PDF 一次最多500个项目，请先筛选" in page and "/milestones.pdf" not in page
    filtered = client.get("/milestones?level=市重点").get_data(as_text=True)
    assert 'href="/milestones.pdf?level=' in filtered  # 251 projects: the link is back
