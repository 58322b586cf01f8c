"""How a large brief is cut into parts (tracker/briefs/parts.py): every row once, in order,
group headers where the group starts, headings in the first chunk, parts of even cost."""

from __future__ import annotations

from tracker.briefs import parts


def snapshot(projects: int = 60, lagging: int = 20, issues: int = 90) -> dict:
    levels = (("省重点", projects // 2), ("市重点", projects - projects // 2))
    categories = (("资金不足", issues // 3), ("土地交付进度慢", issues - issues // 3))
    return {
        "charts": [{"title": f"图{i}", "svg": "<svg/>"} for i in range(3)],
        "progress_groups": [
            {"level": level, "count": n, "rows": [{"name": f"{level}{i}"} for i in range(n)]}
            for level, n in levels],
        "lagging": [{"name": f"滞后{i}", "issues": [{"description": "问题"}] * (i % 4)}
                    for i in range(lagging)],
        "issue_groups": [
            {"category": c, "count": n, "rows": [{"description": f"{c}{i}"} for i in range(n)]}
            for c, n in categories],
        "milestones_overdue": [{"project": f"节点{i}"} for i in range(50)],
        "units": [{}] * 4, "bonds": [{}] * 3,
    }


def shown_rows(plan: list[parts.Part], key: str) -> list[str]:
    return [row["name" if key != "issue_groups" else "description"]
            for p in plan for g in p.view[key] for row in g["rows"]]


def test_every_row_of_every_table_is_in_exactly_one_part_in_order():
    snap = snapshot()
    plan = parts.plan(snap, part_units=40)
    assert len(plan) > 4
    assert shown_rows(plan, "progress_groups") == shown_rows([parts.Part(snap)], "progress_groups")
    assert shown_rows(plan, "issue_groups") == shown_rows([parts.Part(snap)], "issue_groups")
    assert [r["name"] for p in plan for r in p.view["lagging"]] == [
        r["name"] for r in snap["lagging"]]
    assert [c["title"] for p in plan for c in p.view["charts"]] == ["图0", "图1", "图2"]
    assert [r["project"] for p in plan for r in p.view["milestones_overdue"]] == [
        f"节点{i}" for i in range(50)]


def test_a_group_cut_between_parts_shows_its_header_only_where_it_starts():
    plan = parts.plan(snapshot(), part_units=40)
    headers = [g["category"] for p in plan for g in p.view["issue_groups"]
               if not g["continued"]]
    assert headers == ["资金不足", "土地交付进度慢"]
    assert sum(g["continued"] for p in plan for g in p.view["issue_groups"]) >= 1


def test_headings_open_the_first_chunk_and_what_follows_a_table_closes_the_last():
    plan = parts.plan(snapshot(), part_units=40)
    for piece in ("head", "milestones", "progress", "ranking", "lagging", "issues", "tail"):
        assert sum(p.opens(piece) for p in plan) == 1, piece
        assert sum(p.closes(piece) for p in plan) == 1, piece
    assert plan[0].opens("head") and plan[-1].has("tail")
    order = [piece for p in plan for piece in parts.PIECES if p.has(piece)]
    assert order == sorted(order, key=parts.PIECES.index)  # the document's order


def test_the_head_comes_alone_then_parts_even_in_cost_and_in_number_for_two_processes():
    snap = snapshot(projects=200, lagging=60, issues=400)
    plan = parts.plan(snap, part_units=150)
    assert plan[0].spans == {"head": (0, 1, 1)}  # its serif faces: rendered before the rest
    assert (len(plan) - 1) % 2 == 0 and len(plan) - 1 >= (parts.cost(snap) - 40) / 150
    costs = [parts.cost(dict(p.view, **{k: [] for k in parts.ROWS_OF.values()}))
             - sum(parts.FIXED.values())
             + sum(parts._whole_cost(p.view, k) for k in parts.FIXED if p.has(k))
             for p in plan]
    assert abs(sum(costs) - parts.cost(snap)) < 1e-6
    assert max(costs[1:]) - min(costs[1:]) <= 2 * parts.CHART  # within a unit or two


def test_a_brief_without_lagging_projects_or_issues_still_has_their_sections():
    plan = parts.plan(snapshot(lagging=0, issues=0))
    assert len(plan) == 3
    assert sum(p.opens("lagging") for p in plan) == 1  # 三、… and 本月无红灯、黄灯项目。
    assert sum(p.opens("issues") for p in plan) == 1
