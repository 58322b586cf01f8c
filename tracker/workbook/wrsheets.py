"""Pure: the work report's sheets of the workbook (DESIGN.md section 15), read like the others
(``tracker.workbook.parse``): 经济指标, 招商签约, 储备项目, 土地收储, 年度目标.

Decisions where DESIGN.md is silent: rows match stored ones by 指标+年度+月份, 项目名称+签约日期,
项目名称, 日期+位置 and 年度+指标; a blank 本期累计 or 上年同期累计 clears the value; import never
deletes. 经济指标's 指标 must be a name of the park's indicator list (the planner checks).
"""

from __future__ import annotations

from tracker.workbook.parse import Sheet, _c

AGREEMENTS = ("投资协议", "框架协议")
PIPELINE_STAGES = ("洽谈中", "已签框架协议", "拟签投资协议")
TARGET_KINDS = ("年度招商任务", "土地收储")

ECONOMY = Sheet("经济指标", (
    _c("指标", "indicator", max_len=40),
    _c("年度", "year", "year"),
    _c("月份", "month", "month"),
    _c("本期累计(亿元)", "cumulative", "money", required=False),
    _c("上年同期累计(亿元)", "last_year", "money", required=False),
), key=("indicator", "year", "month"))

SIGNED = Sheet("招商签约", (
    _c("项目名称", "name", max_len=100),
    _c("行业", "industry", required=False, max_len=40),
    _c("签约日期", "signed_on", "date"),
    _c("计划总投资(亿元)", "investment", "money"),
    _c("协议类型", "agreement", "label", choices=AGREEMENTS),
), key=("name", "signed_on"))

PIPELINE = Sheet("储备项目", (
    _c("项目名称", "name", max_len=100),
    _c("行业", "industry", required=False, max_len=40),
    _c("计划投资(亿元)", "investment", "money"),
    _c("进展", "progress", "label", choices=PIPELINE_STAGES),
), key=("name",))

LAND = Sheet("土地收储", (
    _c("日期", "acquired_on", "date"),
    _c("面积(亩)", "area", "money"),
    _c("位置", "location", required=False, max_len=100),
), key=("acquired_on", "location"))

TARGETS = Sheet("年度目标", (
    _c("年度", "year", "year"),
    _c("指标", "kind", "label", choices=TARGET_KINDS),
    _c("目标值", "value", "money"),
), key=("year", "kind"))

WORK_REPORT_SHEETS: tuple[Sheet, ...] = (ECONOMY, SIGNED, PIPELINE, LAND, TARGETS)
WORK_REPORT_SHEET_NAMES = tuple(s.name for s in WORK_REPORT_SHEETS)

EXPLANATIONS: dict[tuple[str, str], str] = {
    ("经济指标", "指标"): "经济指标名录中的名称，如 规上工业总产值、规上工业增加值、全社会固定资产投资、全口径税收、退税",
    ("经济指标", "年度"): "四位年份",
    ("经济指标", "月份"): "1 至 12",
    ("经济指标", "本期累计(亿元)"): "1 月至该月的累计值，亿元，最多两位小数；留空则清空",
    ("经济指标", "上年同期累计(亿元)"): "上年同期的累计值，亿元；留空则汇报不写增长",
    ("招商签约", "项目名称"): "签约项目名称；与签约日期一起匹配已有记录",
    ("招商签约", "行业"): "自由填写，如 金属智造、新材料",
    ("招商签约", "签约日期"): "日期，或 YYYY-MM-DD 格式的文字",
    ("招商签约", "计划总投资(亿元)"): "亿元，最多两位小数，不能为负数",
    ("招商签约", "协议类型"): "投资协议、框架协议 之一",
    ("储备项目", "项目名称"): "有较强投资落户意向的项目；按名称匹配已有记录",
    ("储备项目", "行业"): "自由填写；汇报按行业的计划投资排序列出前四个行业",
    ("储备项目", "计划投资(亿元)"): "亿元，最多两位小数，不能为负数",
    ("储备项目", "进展"): "洽谈中、已签框架协议、拟签投资协议 之一",
    ("土地收储", "日期"): "收储日期，或 YYYY-MM-DD 格式的文字；与位置一起匹配已有记录",
    ("土地收储", "面积(亩)"): "亩，最多两位小数，不能为负数",
    ("土地收储", "位置"): "地块位置",
    ("年度目标", "年度"): "四位年份",
    ("年度目标", "指标"): "年度招商任务（亿元，计划投资）、土地收储（亩） 之一",
    ("年度目标", "目标值"): "亿元或亩，最多两位小数",
}
