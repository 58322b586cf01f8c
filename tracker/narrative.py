"""Pure: the monthly brief's sentences (DESIGN.md section 4) from plain figures.

No Flask, no database. Every figure arrives unrounded (``Decimal``) and is
shown through ``tracker.progress``'s formatters (half up, once). The sentences
are an interface: they are compared to the character, so wording lives here
and nowhere else.

Decisions where DESIGN.md is silent:

- With no project of the key group having a plan, the first sentence stops
  after the counts (there is no plan, completion or rate to state):
  ``截至m月底，园区共有{n}个省市重点项目，其中省重点项目{p}个，市重点项目{c}个。``
- Bonds whose amount granted is 0 count as fully spent; with nothing granted at
  all the bonds sentence is left out, as with no bonds.
- When the bonds not yet fully spent have no expected date, the bonds sentence
  ends after the progress: ``…进度为{r}%。``
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.periods import period_label
from tracker.progress import (
    GroupSummary,
    Light,
    bond_progress,
    deviation_words,
    fmt_month_day,
    fmt_pct,
    fmt_wan,
    fmt_yi,
    half_up,
)

ZERO = Decimal("0")


@dataclass(frozen=True)
class BondLine:
    """One special bond of the year: amount granted, spent in months 1..m, expected date."""

    granted: Decimal
    spent: Decimal
    expected_on: date | None = None

    @property
    def fully_spent(self) -> bool:
        return self.spent >= self.granted


@dataclass(frozen=True)
class IssueCounts:
    """Issue figures as of the month's last day.

    ``open_by_category`` lists (category, open issues) in the category order
    of DESIGN.md section 2; categories with 0 may be included, they are skipped.
    """

    open_by_category: Sequence[tuple[str, int]]
    new: int
    closed: int
    overdue: int

    @property
    def open_total(self) -> int:
        return sum(n for _, n in self.open_by_category)


def overview_sentence(summary: GroupSummary, month: int) -> str:
    """截至m月底，园区共有{n}个省市重点项目，… the 总体情况's first sentence."""
    head = (
        f"截至{month}月底，园区共有{summary.count}个省市重点项目，"
        f"其中省重点项目{summary.provincial}个，市重点项目{summary.municipal}个"
    )
    if summary.rate is None or summary.deviation is None:
        return head + "。"
    text = (
        f"{head}，年度计划投资{fmt_yi(summary.plan)}亿元，"
        f"{period_label(month)}完成投资{fmt_yi(summary.done)}亿元，"
        f"完成{fmt_pct(summary.rate)}%，{deviation_words(summary.deviation)}"
    )
    if summary.provincial_average is not None:
        text += f"，其中省重点项目平均投资进度为{fmt_pct(summary.provincial_average)}%"
    return text + "。"


def without_plan_sentence(summary: GroupSummary) -> str | None:
    """另有{k}个项目未下达年度计划：{name1}、{name2}。 — None when every project has a plan."""
    names = summary.without_plan
    if not names:
        return None
    return f"另有{len(names)}个项目未下达年度计划：{'、'.join(names)}。"


def bonds_sentence(bonds: Sequence[BondLine]) -> str | None:
    """今年共获政府专项债…; None without bonds (or with nothing granted)."""
    granted = sum((b.granted for b in bonds), ZERO)
    if not bonds or granted == 0:
        return None
    spent = sum((b.spent for b in bonds), ZERO)
    text = (
        f"今年共获政府专项债{fmt_wan(granted)}万元，目前已支出{fmt_wan(spent)}万元，"
        f"进度为{fmt_pct(bond_progress(granted, spent))}%"
    )
    pending = [b for b in bonds if not b.fully_spent]
    if not pending:
        return text + "，已全部支出完毕。"
    dates = [b.expected_on for b in pending if b.expected_on is not None]
    if not dates:
        return text + "。"
    return text + f"，预计{fmt_month_day(max(dates))}前可全部支出完毕。"


def overview_paragraph(summary: GroupSummary, month: int, bonds: Sequence[BondLine]) -> list[str]:
    """The sentences of 一、总体情况, in order (absent ones left out)."""
    sentences = [
        overview_sentence(summary, month),
        without_plan_sentence(summary),
        bonds_sentence(bonds),
    ]
    return [s for s in sentences if s]


def issues_sentence(counts: IssueCounts) -> str:
    """当前在督问题{n}项，其中…；本月新增{x}项、办结{y}项，逾期未办结{z}项。"""
    tail = f"本月新增{counts.new}项、办结{counts.closed}项，逾期未办结{counts.overdue}项。"
    present = [(c, n) for c, n in counts.open_by_category if n > 0]
    if not present:
        return f"当前在督问题0项；{tail}"
    parts = "、".join(f"{c}{n}项" for c, n in present)
    return f"当前在督问题{counts.open_total}项，其中{parts}；{tail}"


def obstacles_sentence(counts: IssueCounts, most: int = 3) -> str | None:
    """有关省市项目建设还客观存在{c1}、{c2}、{c3}等问题，… — None when nothing is open.

    Most issues first; ties keep the category order (the sort is stable).
    """
    present = [(c, n) for c, n in counts.open_by_category if n > 0]
    if not present:
        return None
    ranked = sorted(present, key=lambda cn: -cn[1])[:most]
    names = "、".join(c for c, _ in ranked)
    return f"有关省市项目建设还客观存在{names}等问题，不同程度影响了建设进度。"


def issue_list_note(listed: int, rest: int) -> str | None:
    """The sentence before 四's list when open issues other than 挂牌督办, 重点督办 and overdue
    ones are left to the attached ledger; None when the list holds every open issue."""
    if rest == 0:
        return None
    return f"以下列示挂牌督办、重点督办及逾期未办结问题{listed}项，其余{rest}项见附件问题台账。"


def issues_paragraph(counts: IssueCounts) -> list[str]:
    """The sentences opening 四、问题督办情况."""
    return [s for s in (issues_sentence(counts), obstacles_sentence(counts)) if s]


def issue_label(year: int, number: int | None, correction: bool = False) -> str:
    """〔2026〕第7期, with （更正） for a correction (a draft shows the number it would get)."""
    text = f"〔{year}〕第{number if number is not None else '—'}期"
    return text + "（更正）" if correction else text


def milestone_sentence(month: int, planned: int, done: int, overdue: int,
                       any_planned: bool = True) -> str | None:
    """1-m月计划完成节点{a}个，已完成{b}个，节点完成率{r}%；截至m月底逾期未完成节点{d}个。

    DESIGN.md section 11: ``1月计划完成节点`` for m = 1; ``1-m月无计划完成节点；…`` with a = 0;
    None (the sentence left out) when no milestone has a planned date at all.
    """
    if not any_planned:
        return None
    tail = f"截至{month}月底逾期未完成节点{overdue}个。"
    label = period_label(month)
    if planned == 0:
        return f"{label}无计划完成节点；{tail}"
    rate = Decimal(done) * 100 / Decimal(planned)
    return f"{label}计划完成节点{planned}个，已完成{done}个，节点完成率{fmt_pct(rate)}%；{tail}"


# --- the brief's second edition (DESIGN.md section 12) ----------------------------------

LIGHT_RANK = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}
NAMES_SHOWN = 5


def lights_sentence(total: int, green: int, yellow: int, red: int, without_plan: int) -> str:
    """园区{n}个重点项目中，绿灯项目{g}个，黄灯项目{y}个，红灯项目{r}个[，另有{k}个项目未下达年度计划]。"""
    text = f"园区{total}个重点项目中，绿灯项目{green}个，黄灯项目{yellow}个，红灯项目{red}个"
    if without_plan:
        text += f"，另有{without_plan}个项目未下达年度计划"
    return text + "。"


@dataclass(frozen=True)
class LightChange:
    """A project of the table with its light the month before and now (None: no light)."""

    name: str
    before: Light | None
    now: Light | None


def comparison_sentence(rate_now: Decimal | None, rate_before: Decimal | None,
                        changes: Sequence[LightChange]) -> str:
    """与上月相比，省市重点项目完成率提高{x}个百分点，{a}个项目预警升级（…），{b}个项目预警好转。

    The difference is rounded half up to one decimal before its direction is read, so 0.04
    reads 持平. ``changes`` come in the table's order, which the names follow. Decision where
    DESIGN.md is silent: when the key group has no rate in one of the two months (no plan), the
    rate clause is left out and the sentence starts with the lights.
    """
    parts = []
    if rate_now is not None and rate_before is not None:
        diff = half_up(rate_now - rate_before, 1)
        if diff > 0:
            parts.append(f"省市重点项目完成率提高{fmt_pct(diff)}个百分点")
        elif diff < 0:
            parts.append(f"省市重点项目完成率下降{fmt_pct(-diff)}个百分点")
        else:
            parts.append("省市重点项目完成率持平")
    known = [c for c in changes if c.before is not None and c.now is not None]
    worse = [c.name for c in known if LIGHT_RANK[c.now] > LIGHT_RANK[c.before]]
    better = sum(1 for c in known if LIGHT_RANK[c.now] < LIGHT_RANK[c.before])
    if worse:
        names = "、".join(worse[:NAMES_SHOWN]) + ("等" if len(worse) > NAMES_SHOWN else "")
        parts.append(f"{len(worse)}个项目预警升级（{names}）")
    if better:
        parts.append(f"{better}个项目预警好转")
    if not worse and not better:
        parts.append("各项目预警等级无变化")
    return "与上月相比，" + "，".join(parts) + "。"


LATE_SHOWN = 10


def late_reports_sentence(month: int, due_on: date, names: Sequence[str]) -> str | None:
    """三's closing line: {m}月进展报送迟于{M}月{R}日的项目：甲项目、乙项目。 — at most ten names, then
    等{k}个项目; None when every report came by day R (section 13)."""
    if not names:
        return None
    shown = "、".join(names[:LATE_SHOWN])
    if len(names) > LATE_SHOWN:
        shown += f"等{len(names)}个项目"
    return f"{month}月进展报送迟于{due_on.month}月{due_on.day}日的项目：{shown}。"
