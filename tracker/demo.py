"""A realistic demo park modelled on the park's own mid-year report (seed-report.txt)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, insert, select

from tracker.auth.models import Role, Unit, User
from tracker.errors import Refused
from tracker.extensions import db
from tracker.issues.models import (
    Category,
    EventKind,
    Issue,
    IssueEvent,
    IssueState,
    SupervisionLevel,
)
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.periods import Period, last_completed_month
from tracker.projects.models import (
    AnnualPlan,
    Bond,
    BondSpending,
    Level,
    ListLevel,
    MonthlyReport,
    Project,
    ProjectYearLevel,
    ReportState,
    Stage,
)
from tracker.timeutil import utc_start
from tracker.workreport import demo as workreport_demo

DEMO_USERS = [
    # login, name, role, unit, password
    ("admin", "系统管理员", Role.ADMIN, "园区管委会办公室", "duban-admin"),
    ("duchashi", "陈督查", Role.SUPERVISOR, "园区管委会督查室", "duban-super"),
    ("lingdao", "王主任", Role.VIEWER, "园区管委会", "duban-viewer"),
    ("zhangwei", "张伟", Role.MEMBER, "园区经济发展局", "duban-member"),
    ("lina", "李娜", Role.MEMBER, "园区规划建设局", "duban-member"),
    ("liuyang", "刘洋", Role.MEMBER, "园区招商服务中心", "duban-member"),
    ("zhaomin", "赵敏", Role.MEMBER, "园区自然资源分局", "duban-member"),
]
DEMO_LOGINS = frozenset(u[0] for u in DEMO_USERS)

UNITS = [
    "园区管委会",
    "园区管委会办公室",
    "园区管委会督查室",
    "园区经济发展局",
    "园区规划建设局",
    "园区招商服务中心",
    "园区自然资源分局",
    "园区财政金融局",
    "区生态环境分局",
    "区供电局",
]

# code, name, level, industry, stage, owner, total (万元), plan this year (None = not set)
PROJECTS = [
    ("SZ-01", "独立储能电站项目", Level.PROVINCIAL, "储能", Stage.CONSTRUCTION, "湾区储能科技有限公司", 120000, 36000),
    ("SZ-02", "高性能铝合金新材料产业园项目", Level.PROVINCIAL, "新材料", Stage.CONSTRUCTION, "华南铝业新材料有限公司", 150000, 42000),
    ("SZ-03", "金属智造精密部件基地项目", Level.PROVINCIAL, "金属智造", Stage.CONSTRUCTION, "精工金属智造有限公司", 85000, 26000),
    ("SZ-04", "绿色能源综合示范项目", Level.PROVINCIAL, "绿色能源", Stage.CONSTRUCTION, "园区绿色能源发展有限公司", 68000, 20000),
    ("SZ-05", "机械装备智能制造产业园项目", Level.PROVINCIAL, "机械装备", Stage.PREPARATION, "重装机械装备有限公司", 95000, 18000),
    ("SZ-06", "铝合金+汽车零部件产业园项目", Level.PROVINCIAL, "金属智造", Stage.PREPARATION, "湾区汽车零部件有限公司", 110000, 15000),
    ("SZ-07", "新型储能电池材料项目", Level.PROVINCIAL, "储能", Stage.CONSTRUCTION, "锂能材料科技有限公司", 72000, 24000),
    ("SZ-08", "安防科技产业园项目", Level.PROVINCIAL, "其他", Stage.PREPARATION, "湾区安防科技有限公司", 50000, None),
    ("SS-01", "标准厂房三期项目", Level.MUNICIPAL, "其他", Stage.CONSTRUCTION, "园区开发建设有限公司", 32000, 12000),
    ("SS-02", "人才公寓项目", Level.MUNICIPAL, "其他", Stage.CONSTRUCTION, "园区开发建设有限公司", 28000, 9000),
    ("SS-03", "园区主干道路改造工程", Level.MUNICIPAL, "其他", Stage.CONSTRUCTION, "园区开发建设有限公司", 18000, 8000),
    ("SS-04", "不锈钢深加工项目", Level.MUNICIPAL, "金属智造", Stage.CONSTRUCTION, "鑫达不锈钢制品有限公司", 26000, 10000),
    ("SS-05", "新材料中试基地项目", Level.MUNICIPAL, "新材料", Stage.CONSTRUCTION, "园区新材料研究院", 15000, 6000),
    ("SS-06", "光伏组件边框项目", Level.MUNICIPAL, "绿色能源", Stage.CONSTRUCTION, "阳光铝材有限公司", 22000, 7500),
    ("SS-07", "智能农机装备项目", Level.MUNICIPAL, "机械装备", Stage.CONSTRUCTION, "丰收农机装备有限公司", 19000, 6500),
    ("SS-08", "分布式光伏发电项目", Level.MUNICIPAL, "绿色能源", Stage.COMPLETED, "园区绿色能源发展有限公司", 12000, 4000),
    ("SS-09", "精密铸造产业升级项目", Level.MUNICIPAL, "金属智造", Stage.CONSTRUCTION, "恒力精密铸造有限公司", 24000, 8000),
    ("SS-10", "高端装备零部件项目", Level.MUNICIPAL, "机械装备", Stage.PREPARATION, "湾区高端装备有限公司", 30000, None),
    ("SS-11", "污水处理厂扩建工程", Level.MUNICIPAL, "其他", Stage.CONSTRUCTION, "园区水务有限公司", 16000, 7000),
    ("SS-12", "储能系统集成项目", Level.MUNICIPAL, "储能", Stage.CONSTRUCTION, "储能系统集成有限公司", 20000, 8500),
    ("SS-13", "铜箔新材料项目", Level.MUNICIPAL, "新材料", Stage.OPERATING, "铜冠新材料有限公司", 45000, 5000),
    ("QZ-01", "园区消防站建设项目", Level.DISTRICT, "其他", Stage.CONSTRUCTION, "园区开发建设有限公司", 6000, 3000),
    ("QZ-02", "企业服务中心改造项目", Level.DISTRICT, "其他", Stage.CONSTRUCTION, "园区开发建设有限公司", 3500, 2000),
    ("QZ-03", "小微企业创业园项目", Level.DISTRICT, "其他", Stage.CONSTRUCTION, "园区招商服务中心", 8000, 3500),
    ("QZ-04", "五金制品技改项目", Level.DISTRICT, "金属智造", Stage.CONSTRUCTION, "宏达五金制品有限公司", 4500, 2500),
    ("QZ-05", "铝型材表面处理项目", Level.DISTRICT, "新材料", Stage.CONSTRUCTION, "亮彩铝型材有限公司", 5200, 2600),
    ("QZ-06", "物流仓储中心项目", Level.DISTRICT, "其他", Stage.PREPARATION, "湾区物流有限公司", 9000, 2000),
    ("QZ-07", "充电桩示范网络项目", Level.DISTRICT, "绿色能源", Stage.CONSTRUCTION, "园区绿色能源发展有限公司", 2800, 1500),
    ("QZ-08", "机加工共享车间项目", Level.DISTRICT, "机械装备", Stage.CONSTRUCTION, "园区开发建设有限公司", 3800, 1800),
    ("QZ-09", "园区智慧管理平台项目", Level.DISTRICT, "其他", Stage.CONSTRUCTION, "园区管委会办公室", 2600, 1200),
]

LEADERS = ["黄副主任", "周副主任", "吴副主任"]
LEADS = ["zhangwei", "lina", "liuyang", "zhaomin"]
RESPONSIBLE = ["园区经济发展局", "园区规划建设局", "园区招商服务中心", "园区自然资源分局"]

PROGRESS_TEXT = [
    "主体结构施工中，完成桩基工程",
    "厂房钢结构吊装完成约六成",
    "设备基础施工，部分设备已进场",
    "办理施工许可，场地平整完成",
    "主体封顶，开展内部装修",
    "完成土地摘牌，推进规划报建",
]
NEXT_TEXT = [
    "加快设备安装调试",
    "推进钢结构吊装和屋面施工",
    "协调解决用地手续问题",
    "加快资金到位，保障施工进度",
    "组织竣工验收准备",
]

ISSUES = [
    # project code, category, description, unit, person, level, raised offset days, deadline offset, state
    ("SZ-02", Category.FUNDING, "项目二期建设资金缺口约1.2亿元，银行贷款审批进度慢，影响设备采购。", "园区财政金融局", "孙科长", SupervisionLevel.KEY, -150, -40, IssueState.IN_PROGRESS),
    ("SZ-05", Category.LAND_PROCEDURES, "项目用地农转用报批材料不完整，尚未取得用地批复。", "园区自然资源分局", "赵敏", SupervisionLevel.LISTED, -120, -10, IssueState.OPEN),
    ("SZ-06", Category.LAND_DELIVERY, "项目二期约80亩土地未完成征收交付，影响整体开工。", "园区自然资源分局", "赵敏", SupervisionLevel.KEY, -90, 20, IssueState.IN_PROGRESS),
    ("SS-01", Category.PLANNING, "标准厂房三期规划方案调整，需重新报审。", "园区规划建设局", "李娜", SupervisionLevel.NORMAL, -60, 15, IssueState.AWAITING_CONFIRMATION),
    ("SS-11", Category.ENVIRONMENT, "污水处理厂扩建环评批复未下达。", "区生态环境分局", "钱工", SupervisionLevel.NORMAL, -75, -5, IssueState.IN_PROGRESS),
    ("SS-04", Category.CONSTRUCTION, "施工单位人员不足，现场组织混乱，进度滞后。", "园区规划建设局", "李娜", SupervisionLevel.NORMAL, -40, 30, IssueState.OPEN),
    ("SZ-07", Category.UTILITIES, "项目专用变电站配套未完成，影响设备调试用电。", "区供电局", "郑经理", SupervisionLevel.KEY, -100, -25, IssueState.IN_PROGRESS),
    (None, Category.OTHER, "园区东片区施工车辆通行与周边村道冲突，需统筹交通组织。", "园区管委会办公室", "周主任", SupervisionLevel.NORMAL, -30, 45, IssueState.OPEN),
    ("SZ-01", Category.LAND_PROCEDURES, "储能电站项目林地使用手续待补办。", "园区自然资源分局", "赵敏", SupervisionLevel.NORMAL, -200, -120, IssueState.CLOSED),
    ("SS-06", Category.FUNDING, "企业流动资金紧张，设备款支付滞后。", "园区财政金融局", "孙科长", SupervisionLevel.NORMAL, -50, 10, IssueState.CLOSED),
    ("QZ-06", Category.LAND_DELIVERY, "物流仓储中心用地存在青苗补偿纠纷。", "园区自然资源分局", "赵敏", SupervisionLevel.NORMAL, -20, 60, IssueState.OPEN),
    ("SS-09", Category.OTHER, "重复录入的事项。", "园区经济发展局", "张伟", SupervisionLevel.NORMAL, -15, 30, IssueState.CANCELLED),
]


def _unit(name: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        unit = Unit(name=name)
        db.session.add(unit)
        db.session.flush()
    return unit


def _demo_users(must_change: bool) -> dict[str, User]:
    for name in UNITS:
        _unit(name)
    users = {}
    for login, name, role, unit, password in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.login == login))
        if user is None:
            # example.com addresses: a try-out's mail lands in instance/outbox/ as .eml files.
            user = User(login=login, name=name, role=role, unit=_unit(unit),
                        must_change_password=must_change, email=f"{login}@example.com")
            user.set_password(password)
            db.session.add(user)
        users[login] = user
    db.session.flush()
    return users


def _demo_project(i: int, row: tuple, lead: User, year: int) -> Project:
    code, name, level, industry, stage, owner, total, plan = row
    project = Project(
        code=code, name=name, level=level, industry=industry, stage=stage,
        owner_unit=_unit(owner), responsible_unit=lead.unit, lead=lead,
        leader_in_charge=LEADERS[i % len(LEADERS)], total_investment=Decimal(total),
        start_year=year - 1 if i % 3 else year, planned_completion_year=year + 1 + i % 2,
        # In the register since last year, whose figures it carries: loaded today, it is still
        # due for every month of this year (reports.grid.due_months).
        created_at=utc_start(date(year - 1, 1, 1), current_app.config["TIMEZONE"]),
    )
    db.session.add(project)
    db.session.flush()
    db.session.add(AnnualPlan(project_id=project.id, year=year - 1, amount=Decimal(total) / 4))
    if plan is not None:
        db.session.add(AnnualPlan(project_id=project.id, year=year, amount=Decimal(plan)))
    return project


def _demo_reports(rng: random.Random, i: int, project: Project, row: tuple, period: Period) -> None:
    """Last year approved; this year up to the last completed month, that month still open."""
    total, plan = row[6], row[7]
    year, last_month = period
    # A pace around time progress: some ahead, some behind, a few far behind.
    pace = Decimal(rng.choice([1.25, 1.1, 1.0, 0.95, 0.85, 0.7, 0.5]))
    base = Decimal(plan or total / 10) / 12 * pace
    for month in range(1, 13):
        db.session.add(MonthlyReport(
            project_id=project.id, year=year - 1, month=month,
            amount=(Decimal(total) / 48).quantize(Decimal("0.01")),
            progress_text=rng.choice(PROGRESS_TEXT), next_steps=rng.choice(NEXT_TEXT),
            state=ReportState.APPROVED,
        ))
    for month in range(1, last_month + 1):
        amount = (base * Decimal(rng.uniform(0.6, 1.4))).quantize(Decimal("0.01"))
        state = ReportState.APPROVED
        if month == last_month:
            # The latest month is still being reported: a few missing, drafts, returns.
            state = [ReportState.SUBMITTED, ReportState.APPROVED, ReportState.DRAFT, None,
                     ReportState.SUBMITTED, ReportState.RETURNED][i % 6]
            if state is None:
                continue
        db.session.add(MonthlyReport(
            project_id=project.id, year=year, month=month, amount=amount,
            progress_text=rng.choice(PROGRESS_TEXT), next_steps=rng.choice(NEXT_TEXT), state=state,
            return_comment="形象进度描述过于简略，请补充具体工程量。"
            if state is ReportState.RETURNED else "",
            updated_by_id=project.lead_id,
        ))


def _demo_bond(rng: random.Random, i: int, project: Project, period: Period) -> None:
    year, last_month = period
    granted = Decimal(rng.choice([3000, 5000, 8000]))
    full = project.code in ("SS-03",)
    bond = Bond(project_id=project.id, year=year, amount=granted,
                expected_on=date(year, min(12, last_month + 2 + i % 3), 18 + i % 10))
    db.session.add(bond)
    db.session.flush()
    share = granted / last_month * (Decimal("1") if full else Decimal("0.7"))
    spent = Decimal(0)
    for month in range(1, last_month + 1):
        amount = share.quantize(Decimal("0.01"))
        if full and month == last_month:
            amount = granted - spent
        spent += amount
        db.session.add(BondSpending(bond_id=bond.id, month=month, amount=amount))


def load_demo(today: date, *, keep_passwords: bool = False) -> tuple[bool, list[tuple[str, str, str]]]:
    """Load the demo park unless it is there; returns (loaded now, logins).

    Its passwords are printed in the README, so its accounts must choose their own at first
    sign-in, unless ``keep_passwords`` (``DUBAN_DEMO=1``: a try-out that ``make run`` starts).
    Refuses (``Refused``) a database that already holds projects or users of its own.
    """
    logins = [(login, role.value, pw) for login, _, role, _, pw in DEMO_USERS]
    if db.session.scalar(select(Project.id).where(Project.code == PROJECTS[0][0])):
        return False, logins
    projects = db.session.scalar(select(func.count(Project.id)))
    people = db.session.scalar(select(func.count(User.id)))
    if projects or people:
        raise Refused(f"数据库中已有数据（{projects} 个项目、{people} 个用户），"
                      "演示园区只载入空数据库，未做任何修改。")
    rng = random.Random(2026)
    users = _demo_users(must_change=not keep_passwords)
    period = last_completed_month(today)
    for i, row in enumerate(PROJECTS):
        project = _demo_project(i, row, users[LEADS[i % len(LEADS)]], period.year)
        _demo_reports(rng, i, project, row, period)
        if project.code in ("SZ-01", "SZ-02", "SZ-04", "SS-03", "SS-11"):
            _demo_bond(rng, i, project, period)

    _demo_photos(period)
    _demo_issues(today, users["duchashi"])
    _demo_milestones(today, users["duchashi"])
    _demo_year_levels(period.year - 1)
    workreport_demo.load(period.year, period.month)
    db.session.commit()
    return True, logins


# --- milestones (节点计划) and last year's list ------------------------------------------------

# Planned dates in days from today for the default template, by stage: 立项备案, 用地预审,
# 土地供应, 规划许可, 施工许可, 开工建设, 主体完工, 竣工验收, 投产运营; milestones before
# ``DONE_THROUGH`` are done (some of them late).
PLANNED = {
    Stage.PREPARATION: (-200, -150, -90, 25, 60, 90, 250, None, None),  # later ones unplanned
    Stage.CONSTRUCTION: (-400, -340, -300, -270, -245, -200, 60, 240, 330),
    Stage.COMPLETED: (-700, -650, -600, -560, -530, -500, -250, -60, -10),
    Stage.OPERATING: (-900, -850, -800, -760, -730, -700, -450, -250, -100),
}
DONE_THROUGH = {Stage.PREPARATION: 2, Stage.CONSTRUCTION: 6, Stage.COMPLETED: 8,
                Stage.OPERATING: 9}
LATE_DAYS = (0, -3, 0, 0, 12, 0, -1, 0, 0, 21, 0, -5, 0)  # actual − planned: a few done late
# Per project: (milestone index, planned offset or None for 不适用, actual offset or None).
SPECIAL = {
    "SZ-06": [(2, -100, -95)],  # land supplied, not started: 供地未开工
    "SZ-05": [(3, -30, None)],  # 规划许可 overdue
    "SS-03": [(6, -120, -90), (7, -20, None), (8, None, None)],  # 开工未竣工逾期; a road: no 投产
    "SS-02": [(6, 8, None)],  # 临期
    "SZ-03": [(6, -15, None)],  # 主体完工 overdue
    "SZ-07": [(6, -45, None)],
    "SS-12": [(6, 12, None)],
    "QZ-02": [(1, None, None), (2, None, None)],  # a renovation: no new land
    "QZ-09": [(1, None, None), (2, None, None), (3, None, None), (4, None, None)],  # software
}
OWN = [("SZ-01", "并网验收", 30), ("SZ-04", "光伏板安装完成", -10)]


def _demo_milestones(today: date, supervisor: User) -> None:
    """The default template's milestones for every project (one INSERT), dated by its stage."""
    templates = list(db.session.scalars(select(MilestoneTemplate).where(
        MilestoneTemplate.retired.is_(False)).order_by(MilestoneTemplate.position)))[:9]
    rows = []
    for project in db.session.scalars(select(Project).order_by(Project.code)):
        planned, done = PLANNED[project.stage], DONE_THROUGH[project.stage]
        special = {k: (p, a) for k, p, a in SPECIAL.get(project.code, [])}
        for k, template in enumerate(templates):
            plan_at = planned[k] + project.id % 5 * 3 if planned[k] is not None else None
            act_at = (plan_at + LATE_DAYS[(k + 3 * project.id) % len(LATE_DAYS)]
                      if k < done and plan_at is not None else None)
            plan_at, act_at = special.get(k, (plan_at, act_at))
            rows.append(_milestone_row(project.id, template.id, "", today, plan_at, act_at,
                                       k in special and plan_at is None, supervisor))
        rows += [_milestone_row(project.id, None, name, today, at, None, False, supervisor)
                 for code, name, at in OWN if code == project.code]
    db.session.execute(insert(ProjectMilestone.__table__), rows)


def _milestone_row(pid: int, tid: int | None, name: str, today: date, plan_at: int | None,
                   act_at: int | None, not_applicable: bool, supervisor: User) -> dict:
    def day(offset: int | None) -> date | None:
        return today + timedelta(days=offset) if offset is not None else None

    return {"project_id": pid, "template_id": tid, "name": name, "planned_on": day(plan_at),
            "actual_on": min(day(act_at), today) if act_at is not None else None,
            "not_applicable": not_applicable, "note": "", "version": 1,
            "updated_by_id": supervisor.id, "updated_at": None}


def _demo_year_levels(year: int) -> None:
    """Last year's list was not this year's: SZ-08 was 市重点, QZ-01 not listed."""
    ids = dict(db.session.execute(select(Project.code, Project.id).where(
        Project.code.in_(("SZ-08", "QZ-01")))).all())
    db.session.add_all([
        ProjectYearLevel(project_id=ids["SZ-08"], year=year, level=ListLevel.MUNICIPAL),
        ProjectYearLevel(project_id=ids["QZ-01"], year=year, level=ListLevel.UNLISTED),
    ])


PHOTO_CAPTIONS = ("主体结构施工", "钢结构吊装", "厂房屋面施工", "设备基础浇筑", "场地平整", "外立面施工")


def _demo_photos(period: Period) -> None:
    """A site photo on each reported row of the latest month (so the gallery, the review and the
    brief show them at once); one taken two months early (拍摄时间不符) and one re-used from
    the month before (疑似重复)."""
    from datetime import datetime

    from tracker.files import service as files
    from tracker.files.models import REPORT
    from tracker.files.sample import jpeg, site_picture

    year, month = period
    before = period.previous()
    rows = db.session.scalars(select(MonthlyReport).where(
        MonthlyReport.year == year, MonthlyReport.month == month,
        MonthlyReport.state.in_((ReportState.SUBMITTED, ReportState.APPROVED)))
        .order_by(MonthlyReport.project_id)).all()

    def add(row_project: Project, y: int, m: int, data: bytes, n: int) -> None:
        files.store(user_id=row_project.lead_id, data=data, filename=f"现场{n}.jpg",
                    caption=PHOTO_CAPTIONS[n % len(PHOTO_CAPTIONS)], owner_kind=REPORT,
                    owner_id=row_project.id, project_id=row_project.id, year=y, month=m,
                    images_only=True, label=f"{row_project.code} {y}年{m}月 形象进度照片")

    for n, row in enumerate(rows):
        taken = datetime(year, month, 10 + n % 15, 10, 30)
        if n == 1:  # taken two months before the month it reports
            taken = datetime(before.previous().year, before.previous().month, 12, 9, 0)
        picture = site_picture(100 + n, (960, 720))
        if n == 2:  # the same picture as last month's, saved again
            add(row.project, before.year, before.month,
                jpeg(picture, taken=datetime(before.year, before.month, 20, 15, 0)), n)
        add(row.project, year, month, jpeg(picture, taken=taken, quality=80), n)


def _demo_issues(today: date, supervisor: User) -> None:
    projects = {p.code: p for p in db.session.scalars(select(Project))}
    for n, (code, category, text, unit, person, level, raised, deadline, state) in enumerate(
        ISSUES, start=1
    ):
        raised_on = today + timedelta(days=raised)
        issue = Issue(
            number=f"DB-{raised_on.year}-{n:04d}",
            project=projects.get(code) if code else None,
            category=category,
            description=text,
            responsible_unit=_unit(unit),
            responsible_person=person,
            level=level,
            raised_on=raised_on,
            deadline=today + timedelta(days=deadline),
            state=state,
            created_by_id=supervisor.id,
        )
        db.session.add(issue)
        db.session.flush()
        events = [(EventKind.RAISED, None, IssueState.OPEN, "交办督办事项", raised_on)]
        mid = raised_on + timedelta(days=7)
        if state in (IssueState.IN_PROGRESS, IssueState.AWAITING_CONFIRMATION, IssueState.CLOSED):
            events.append(
                (EventKind.MOVE, IssueState.OPEN, IssueState.IN_PROGRESS, "已接收，正在协调办理", mid)
            )
        if state in (IssueState.AWAITING_CONFIRMATION, IssueState.CLOSED):
            events.append(
                (EventKind.MOVE, IssueState.IN_PROGRESS, IssueState.AWAITING_CONFIRMATION,
                 "问题已解决，申请办结确认", mid + timedelta(days=10))
            )
        if state is IssueState.CLOSED:
            closed_on = mid + timedelta(days=14)
            issue.closed_on = closed_on
            events.append(
                (EventKind.MOVE, IssueState.AWAITING_CONFIRMATION, IssueState.CLOSED,
                 "经核实已办结", closed_on)
            )
        if state is IssueState.CANCELLED:
            events.append(
                (EventKind.CANCEL, IssueState.OPEN, IssueState.CANCELLED, "重复交办，撤销", mid)
            )
        for kind, before, after, comment, on in events:
            db.session.add(
                IssueEvent(
                    issue_id=issue.id,
                    kind=kind,
                    from_state=before,
                    to_state=after,
                    comment=comment,
                    effective_on=on,
                    user_id=supervisor.id,
                )
            )
