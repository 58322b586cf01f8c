"""The Chinese names of the audit trail's tables, actions and fields: one table for every page."""

from __future__ import annotations

TABLE_LABELS = {
    "projects": "项目",
    "annual_plans": "年度计划",
    "bonds": "专项债",
    "bond_spendings": "专项债支出",
    "monthly_reports": "月度进展",
    "issues": "问题",
    "issue_events": "办理进展",
    "briefs": "简报",
    "users": "用户",
    "units": "单位",
    "settings": "系统设置",
    "import_batches": "导入",
    "period_unlocks": "解锁",
    "milestone_templates": "节点模板",
    "project_milestones": "项目节点",
    "project_year_levels": "年度级别",
    "files": "附件",
    "wr_indicators": "经济指标名录",
    "wr_indicator_values": "经济指标",
    "wr_signed_projects": "招商签约",
    "wr_pipeline_projects": "储备项目",
    "wr_land_entries": "土地收储",
    "wr_targets": "年度目标",
    "work_reports": "工作情况汇报",
}
ACTION_LABELS = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "merge": "合并",
    "archive": "归档",
    "restore": "恢复",
    "password": "密码",
    "unlock": "解锁",
    "import": "导入",
    "publish": "发布",
    "send": "发送",
    "signout": "退出登录",
}
FIELD_LABELS = {
    "code": "项目编号", "name": "名称", "level": "级别", "industry": "行业", "stage": "建设阶段",
    "owner_unit_id": "业主单位", "responsible_unit_id": "责任单位", "lead_id": "项目负责人",
    "liaison_ids": "联络员", "leader_in_charge": "包挂领导", "total_investment": "总投资",
    "start_year": "开工年份", "planned_completion_year": "计划竣工年份", "archived_on": "归档日期",
    "amount": "金额", "expected_on": "预计支出完毕日期", "login": "账号", "role": "角色",
    "unit_id": "单位", "active": "启用", "password": "密码", "merged_into": "并入",
    "park_name": "园区名称", "issuing_body": "发文单位", "yellow_threshold": "黄灯阈值",
    "red_threshold": "红灯阈值", "contact": "联系人及电话", "state": "状态", "progress_text": "形象进度",
    "next_steps": "下步计划", "deadline": "办结时限", "log": "办理记录", "comment": "说明",
    "closed_on": "办结日期", "milestone_due_days": "节点临期天数", "planned_on": "计划完成日期",
    "actual_on": "实际完成日期", "not_applicable": "不适用", "note": "备注", "position": "排序",
    "retired": "停用", "filename": "文件名", "email": "邮箱", "notify_email": "邮件提醒", "wecom_webhook": "企业微信机器人",
    "dingtalk_webhook": "钉钉机器人", "dingtalk_secret": "钉钉加签密钥",
    # The work report's data (DESIGN.md section 15).
    "cumulative": "本期累计(亿元)", "last_year": "上年同期累计(亿元)", "signed_on": "签约日期",
    "investment": "计划投资(亿元)", "agreement": "协议类型", "progress": "进展",
    "acquired_on": "收储日期", "area": "面积(亩)", "location": "位置", "value": "目标值",
    "kind": "指标", "texts": "段落", "problems": "存在问题", "plans": "下一步工作计划",
}


def table_label(name: str) -> str:
    return TABLE_LABELS.get(name, name)


def field_label(name: str) -> str:
    """The Chinese name of a field, for the change history and the audit trail."""
    return FIELD_LABELS.get(name, name)


def action_label(name: str) -> str:
    return ACTION_LABELS.get(name, name)
