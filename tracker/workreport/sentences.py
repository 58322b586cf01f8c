"""Pure: the work report's sentences (工作情况汇报, DESIGN.md section 15) from plain figures.

No Flask, no database. Amounts arrive in 亿元 and areas in 亩 (``Decimal``, unrounded) and
are shown half up, once. The sentences are compared to the character in the unit tests.

Decisions where DESIGN.md is silent:

- No value for any of the five indicators: no 经济运行 sentence. The first clause present
  follows ``园区共实现``. 退税 joins the 税收 clause with ``，`` (as in the seed report), else
  it opens its own clause with ``；``; 占比 needs the 全口径税收 of the same period.
- A last-year value of 0 has no growth to show (the clause drops it, as without one).
- No project signed: no 招商引资 sentence; no project in the pipeline: no 储备 sentence; a
  pipeline without any industry named drops the ``涉及…等相关行业领域`` clause.
- Industries tied on total investment keep the order of their first project.
- 亩 show up to two decimals without trailing zeros (120 亩, 35.5 亩).
- No land entry and no target: no 载体开发 sentence; a target of 0 counts as none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tracker.progress import fmt_decimal, half_up

ZERO = Decimal("0")
HUNDRED = Decimal("100")

# The indicators the sentence knows by meaning, in its order: (key, words in the sentence).
INDICATORS: tuple[tuple[str, str], ...] = (
    ("output", "规上工业总产值"),
    ("value_added", "规上工业增加值"),
    ("investment", "全社会固定资产投资总额"),
    ("tax", "全口径税收"),
    ("refund", "退税"),
)
# The default list of indicators (admin-editable names): (key, name).
DEFAULT_INDICATORS: tuple[tuple[str, str], ...] = (
    ("output", "规上工业总产值"),
    ("value_added", "规上工业增加值"),
    ("investment", "全社会固定资产投资"),
    ("tax", "全口径税收"),
    ("refund", "退税"),
)


@dataclass(frozen=True)
class Figure:
    """An indicator's cumulative 1-m value and the same period last year (亿元)."""

    value: Decimal
    last_year: Decimal | None = None


@dataclass(frozen=True)
class Signed:
    """A project signed this year: name and 计划总投资 (亿元)."""

    name: str
    investment: Decimal


@dataclass(frozen=True)
class Intended:
    """A project of the pipeline (储备项目): industry and 计划投资 (亿元)."""

    industry: str
    investment: Decimal


def label(month: int) -> str:
    """上半年 for June, 1月 for January, else 1-m月."""
    if month == 6:
        return "上半年"
    return "1月" if month == 1 else f"1-{month}月"


def yi(value: Decimal) -> str:
    """亿元 with two decimals."""
    return fmt_decimal(value, 2)


def mu(value: Decimal) -> str:
    """亩 with up to two decimals, trailing zeros dropped."""
    text = fmt_decimal(value, 2)
    return text.rstrip("0").rstrip(".") if "." in text else text


def ratio(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """part / whole in percent, unrounded; None without a whole."""
    if whole is None or whole == 0:
        return None
    return part / whole * HUNDRED


def growth_words(value: Decimal, last_year: Decimal | None) -> str | None:
    """增长{g}% / 下降{g}% / 与上年同期持平 from the growth as shown; None without last year."""
    rate = ratio(value - last_year, last_year) if last_year is not None else None
    if rate is None:
        return None
    shown = half_up(rate, 1)
    if shown == 0:
        return "与上年同期持平"
    return f"{'增长' if shown > 0 else '下降'}{fmt_decimal(abs(shown), 1)}%"


def economy_sentence(month: int, figures: Mapping[str, Figure]) -> str | None:
    """{label}园区共实现规上工业总产值{a}亿元，增长{g1}%；…，退税{e}亿元，占比{f}%。"""
    clauses: list[tuple[str, str]] = []  # (joiner before it, text)
    for key, words in INDICATORS:
        figure = figures.get(key)
        if figure is None:
            continue
        text = f"{words}{yi(figure.value)}亿元"
        if key == "refund":
            tax = figures.get("tax")
            share = ratio(figure.value, tax.value if tax else None)
            if share is not None:
                text += f"，占比{fmt_decimal(share, 1)}%"
            clauses.append(("，" if tax else "；", text))
            continue
        growth = growth_words(figure.value, figure.last_year)
        if growth:
            text += f"，{growth}"
        clauses.append(("；", text))
    if not clauses:
        return None
    body = clauses[0][1] + "".join(joiner + text for joiner, text in clauses[1:])
    return f"{label(month)}园区共实现{body}。"


def signed_sentence(month: int, signed: Sequence[Signed], target: Decimal | None) -> str | None:
    """{label}，园区共签约引进{n}个项目，计划总投资{x}亿元，完成年度任务的{r}%，其中…。"""
    if not signed:
        return None
    total = sum((s.investment for s in signed), ZERO)
    text = f"{label(month)}，园区共签约引进{len(signed)}个项目，计划总投资{yi(total)}亿元"
    done = ratio(total, target)
    if done is not None:
        text += f"，完成年度任务的{fmt_decimal(done, 1)}%"
    largest = max(signed, key=lambda s: s.investment)  # the first of equals
    text += f"，其中{largest.name}计划投资{yi(largest.investment)}亿元"
    if len(signed) > 1:
        text += f"，其余{len(signed) - 1}个项目计划投资{yi(total - largest.investment)}亿元"
    return text + "。"


def pipeline_sentence(pipeline: Sequence[Intended], most: int = 4) -> str | None:
    """还储备了{k}个有较强投资落户意向项目，涉及{i1}、{i2}等相关行业领域，总投资约{t}亿元。"""
    if not pipeline:
        return None
    by_industry: dict[str, Decimal] = {}
    for p in pipeline:
        if p.industry:
            by_industry[p.industry] = by_industry.get(p.industry, ZERO) + p.investment
    ranked = sorted(by_industry, key=lambda name: -by_industry[name])[:most]
    total = sum((p.investment for p in pipeline), ZERO)
    text = f"还储备了{len(pipeline)}个有较强投资落户意向项目，"
    if ranked:
        text += f"涉及{'、'.join(ranked)}等相关行业领域，"
    return text + f"总投资约{yi(total)}亿元。"


def investment_paragraph(month: int, signed: Sequence[Signed], target: Decimal | None,
                         pipeline: Sequence[Intended]) -> str | None:
    """招商引资: the signed projects' sentence, then the pipeline's."""
    parts = [signed_sentence(month, signed, target), pipeline_sentence(pipeline)]
    return "".join(p for p in parts if p) or None


def land_sentence(month: int, area: Decimal, target: Decimal | None,
                  entries: int = 1) -> str | None:
    """{label}完成新增收储土地{a}亩，完成年度任务的{r}%。 (the second clause with a target)"""
    done = ratio(area, target)
    if not entries and done is None:
        return None
    text = f"{label(month)}完成新增收储土地{mu(area)}亩"
    if done is not None:
        text += f"，完成年度任务的{fmt_decimal(done, 1)}%"
    return text + "。"
