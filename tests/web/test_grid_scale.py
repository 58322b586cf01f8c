"""The reporting grid at a city's scale: the office filters and pages, a lead sees one page,
the page and each row action run a fixed number of statements whatever the park's size."""

from __future__ import annotations

import re
from io import BytesIO

from openpyxl import load_workbook

from tracker.extensions import db
from tracker.reports.filters import REVIEW_PAGE_SIZE

HX = {"HX-Request": "true"}


def _codes(html: str) -> list[str]:
    return re.findall(r"<tr id=\"review-([^\"]+)\"", html)


def _park(make_project, make_unit, users, n: int, prefix: str = "C") -> None:
    """``n`` projects: every third one of 园区规划建设局, every second one led by lead1,
    the first half with July submitted, the rest not reported."""
    other = make_unit("园区规划建设局")
    for i in range(n):
        p = make_project(f"{prefix}{i:04d}", plan=1000, lead=users["member"] if i % 2 else None,
                         months={1: 10, 7: 5} if i < n // 2 else {1: 10},
                         state="已报送" if i < n // 2 else "已审核")
        if i % 3 == 0:
            p.responsible_unit = other
    db.session.commit()


def test_the_office_pages_the_review_table_and_a_lead_sees_all_their_rows_on_one_page(
        client, users, login, make_project, make_unit):
    _park(make_project, make_unit, users, 240)
    login(users["supervisor"])
    first = client.get("/report/2026-07").get_data(as_text=True)
    assert len(_codes(first)) == REVIEW_PAGE_SIZE
    assert "第 1 / 3 页" in first and "本月应报 240 个项目" in first
    third = client.get("/report/2026-07?page=3").get_data(as_text=True)
    assert _codes(third) == [f"C{i:04d}" for i in range(200, 240)]
    assert "共 240 个项目：已审核 0 · 已报送 120" in third, "the counts are the month's, not the page's"

    client.post("/logout")
    login(users["member"])
    cards = client.get("/report/2026-07").get_data(as_text=True)
    assert cards.count('class="report-row card"') == 120
    assert 'class="pager"' not in cards and 'id="report-filters"' not in cards


def test_filters_by_unit_lead_and_state_combine_and_the_download_holds_every_filtered_row(
        client, users, login, make_project, make_unit):
    _park(make_project, make_unit, users, 240)
    unit = make_unit("园区规划建设局")
    login(users["supervisor"])
    lead = users["member"].id
    html = client.get(f"/report/2026-07?unit={unit.id}&lead={lead}&state=submitted").get_data(
        as_text=True)
    wanted = [f"C{i:04d}" for i in range(120) if i % 3 == 0 and i % 2]
    assert _codes(html) == wanted
    assert f"符合条件的 {len(wanted)} 个项目" in html
    assert f'<option value="{unit.id}" selected>园区规划建设局</option>' in html

    missing = client.get("/report/2026-07?state=missing&page=2").get_data(as_text=True)
    assert _codes(missing) == [f"C{i:04d}" for i in range(220, 240)]

    download = client.get("/report/2026-07?state=missing&format=xlsx")
    ws = load_workbook(BytesIO(download.data)).active
    codes = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert codes == [f"C{i:04d}" for i in range(120, 240)], "every filtered row, not one page"


def test_nothing_matches_says_so_and_offers_to_clear_the_filters(client, users, login,
                                                                  make_project, make_unit):
    _park(make_project, make_unit, users, 4)
    login(users["supervisor"])
    html = client.get("/report/2026-07?state=returned").get_data(as_text=True)
    assert "没有符合条件的项目。" in html and "清除筛选" in html


def test_htmx_filtering_answers_the_table_alone(client, users, login, make_project, make_unit):
    _park(make_project, make_unit, users, 6)
    login(users["supervisor"])
    response = client.get("/report/2026-07?state=submitted", headers=HX)
    html = response.get_data(as_text=True)
    assert '<div id="review-list">' in html
    assert "<title>" not in html and _codes(html) == ["C0000", "C0001", "C0002"]
    # Without JavaScript the same form is a plain GET with a button.
    page = client.get("/report/2026-07").get_data(as_text=True)
    assert 'method="get"' in page and "<noscript><button type=\"submit\">筛选</button></noscript>" in page


def test_cards_view_pages_for_the_office(client, users, login, make_project, make_unit):
    _park(make_project, make_unit, users, 70)
    login(users["supervisor"])
    html = client.get("/report/2026-07?view=cards&page=3").get_data(as_text=True)
    assert html.count('class="report-row card"') == 10
    assert "第 3 / 3 页" in html and 'id="row-C0069"' in html


def test_grid_pages_and_row_actions_run_a_fixed_number_of_queries(
        client, users, login, make_project, make_unit, count_queries):
    def queries(n: int) -> tuple[int, ...]:
        _park(make_project, make_unit, users, n, prefix=f"N{n}-")
        login(users["supervisor"])
        counts = []
        for url in ("/report/2026-07", "/report/2026-07?state=missing&page=2",
                    "/report/2026-07?view=cards", f"/report/2026-07?lead={users['member'].id}"):
            with count_queries() as q:
                assert client.get(url).status_code == 200
            counts.append(q.count)
        row = f"N{n}-0000"
        with count_queries() as q:
            response = client.post(f"/report/2026-07/{row}/return", headers=HX,
                                   data={"comment": "请补充", "view": "review"})
            assert response.status_code == 200
        counts.append(q.count)
        assert 'id="report-summary" hx-swap-oob="true"' in response.get_data(as_text=True)
        client.post("/logout")
        login(users["member"])
        with count_queries() as q:
            assert client.get("/report/2026-07").status_code == 200
        counts.append(q.count)
        client.post("/logout")
        return tuple(counts)

    assert queries(10) == queries(300)


def test_the_summary_after_a_row_action_counts_the_whole_month(client, users, login,
                                                               make_project, make_unit):
    _park(make_project, make_unit, users, 8)
    login(users["supervisor"])
    response = client.post("/report/2026-07/C0001/return", headers=HX,
                           data={"comment": "请补充", "view": "review"})
    html = response.get_data(as_text=True)
    assert "共 8 个项目：已审核 0 · 已报送 3 · 草稿 0 · 退回 1 · 未填报 4" in html
