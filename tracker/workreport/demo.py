"""The demo park's work report data: a year and a half of indicators (last year's twelve
months and this year's to the last completed month), signed and pipeline projects, land
entries and both years' targets, so that its mid-year report reads like the seed report.
Figures are invented and plausible; the demo command loads them with the rest of the park."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

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

# Each indicator's full-year value two years back (亿元) and its yearly growth.
BASE = {"output": ("52.40", "1.16"), "value_added": ("11.80", "1.12"),
        "investment": ("36.00", "1.09"), "tax": ("6.90", "1.05"), "refund": ("1.30", "1.35")}
# Share of the year reached by the end of each month: 先低后高, as the park's economy runs.
SHARE = (6, 13, 21, 29, 37, 46, 54, 62, 71, 80, 89, 100)

SIGNED = (  # (month, name, industry, 亿元, agreement)
    (2, "华锐铝合金汽车零部件项目", "金属智造", "6.80", Agreement.INVESTMENT),
    (3, "恒远新材料改性塑料项目", "新材料", "3.20", Agreement.INVESTMENT),
    (4, "粤能独立储能电站项目", "绿色能源", "12.00", Agreement.INVESTMENT),
    (5, "精工数控机床项目", "机械装备", "2.60", Agreement.FRAMEWORK),
    (6, "安捷智能安防科技项目", "电子信息", "4.50", Agreement.INVESTMENT),
    (8, "立达精密铸件项目", "金属智造", "3.80", Agreement.INVESTMENT),
    (9, "海纳复合材料项目", "新材料", "5.10", Agreement.INVESTMENT),
)
PIPELINE = (  # (name, industry, 亿元, progress)
    ("瑞丰安防科技产业园项目", "电子信息", "6.00", PipelineStage.FRAMEWORK),
    ("铝合金+汽车零部件产业园项目", "金属智造", "15.00", PipelineStage.SIGNING),
    ("华晟高端铝型材项目", "金属智造", "8.00", PipelineStage.TALKING),
    ("联创碳纤维新材料项目", "新材料", "6.50", PipelineStage.TALKING),
    ("众泰特种合金项目", "新材料", "4.20", PipelineStage.TALKING),
    ("博远工程机械配件项目", "机械装备", "3.60", PipelineStage.TALKING),
    ("迅达智能装备项目", "机械装备", "5.00", PipelineStage.FRAMEWORK),
    ("光合分布式光伏项目", "绿色能源", "3.00", PipelineStage.TALKING),
    ("氢能储运装备项目", "绿色能源", "4.80", PipelineStage.TALKING),
    ("锦程五金制品项目", "金属智造", "1.20", PipelineStage.TALKING),
    ("新宇环保涂料项目", "新材料", "1.50", PipelineStage.TALKING),
    ("宏图精密轴承项目", "机械装备", "2.20", PipelineStage.TALKING),
)
LAND = ((1, 18, "45", "东片区一期"), (3, 6, "60", "东片区一期"), (5, 20, "35.5", "东片区二期"),
        (6, 25, "40", "东片区二期"), (8, 12, "50", "北片区"), (10, 9, "30", "北片区"))
PROBLEMS = (
    "（二）产业结构有待优化。园区重点布局的金属智造、新材料、机械装备等产业项目大多处于引进建设阶段，"
    "经济效益尚未充分彰显。\n"
    "（三）要素保障还有不足。园区正全力推动道路交通、人才公寓、载体开发等基础设施建设，"
    "但在资金等要素保障上还客观存在较大缺口。"
)
PLANS = (
    "（一）一刻不松建设项目。坚持项目为王，紧盯年度目标任务，聚焦存在的突出问题，凝聚各方力量予以妥善化解，"
    "全力推动省市重点项目加速建设。同时加快专项债支出，为项目建设赋能。\n"
    "（二）保持定力招大引强。以金属智造、新材料、机械装备、绿色能源为重点领域，精准靶向招商，"
    "推动储备项目尽快签约落地。\n"
    "（三）集约连片开发载体。坚持集约化用地，成片征收、连片开发园区东片区土地，确保完成全年土地收储任务。"
)
TARGETS = {TargetKind.INVESTMENT: "80", TargetKind.LAND: "300"}


def _value(key: str, year: int, month: int, this_year: int) -> Decimal:
    base, growth = (Decimal(x) for x in BASE[key])
    full = base * growth ** (year - this_year + 2)
    return (full * SHARE[month - 1] / 100).quantize(Decimal("0.01"))


def load(year: int, last_month: int) -> None:
    """Add the demo data for year-1 (whole) and ``year`` through ``last_month`` (not committed)."""
    indicators = {i.key: i for i in db.session.scalars(select(Indicator)) if i.key}
    for y, months in ((year - 1, 12), (year, last_month)):
        for month in range(1, months + 1):
            for key, indicator in indicators.items():
                db.session.add(IndicatorValue(
                    indicator_id=indicator.id, year=y, month=month,
                    cumulative=_value(key, y, month, year),
                    last_year=_value(key, y - 1, month, year)))
        for kind, value in TARGETS.items():
            db.session.add(Target(year=y, kind=kind, value=Decimal(value)))
        for month, name, industry, amount, agreement in SIGNED:
            if y < year or month <= last_month:
                db.session.add(SignedProject(
                    name=name if y == year else f"{name}（{y}年）", industry=industry,
                    signed_on=date(y, month, 10), investment=Decimal(amount), agreement=agreement))
        for month, day, area, where in LAND:
            if y < year or month <= last_month:
                db.session.add(LandEntry(acquired_on=date(y, month, day), area=Decimal(area),
                                         location=where))
    if last_month >= 6:  # the office has started the mid-year report: its own paragraphs
        db.session.add(WorkReport(year=year, month=6, revision=1, texts={}, problems=PROBLEMS,
                                  plans=PLANS, correction_reason=""))
    for name, industry, amount, progress in PIPELINE:
        db.session.add(PipelineProject(name=name, industry=industry, investment=Decimal(amount),
                                       progress=progress))
