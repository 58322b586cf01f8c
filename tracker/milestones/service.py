"""Writing milestones: the park's template, a project's dates and notes, its own milestones.

The only place that writes them. Every function checks the permission on the server
(``tracker.auth.permissions``), validates before it changes anything, records each change in
the audit trail and commits once.

Who does what (DESIGN.md section 11; decisions where it is silent):

- Admins edit the template: add, rename, reorder, retire (and restore). A retired milestone
  is no longer given to projects nor shown on the wall chart; what projects recorded for it
  stays (and their page still shows it while it holds anything).
- 督查室 and admins plan: planned dates, 不适用, a project's own milestones (add, delete).
  Changing a planned date that was already set (or clearing it) needs a reason, kept in the
  audit entry's note as ``延期：{reason}``.
- The project's lead and liaisons record actual dates and notes; the office may record them
  too (the audit note says 督查室代为填报). An actual date cannot be after today.
- Recording the actual date of 开工建设, 竣工验收 or 投产运营 moves the project's stage forward
  to 在建, 竣工 or 投产 (never backward), audited on the project with the milestone named.
- A form carries the version it was loaded with; a stale one saves nothing and gets the
  conflict screen with what is stored now, who saved it and when.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.service import apply_changes, as_text, record
from tracker.auth.models import User
from tracker.auth.permissions import (
    can_edit_milestone_template,
    can_plan_milestones,
    can_record_milestones,
)
from tracker.errors import Forbidden, NotFound, Refused
from tracker.extensions import db
from tracker.milestones.forms import read_milestone, read_name, read_own
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.milestones.queries import (
    Line,
    StaleSave,
    ensure_rows,
    line_of,
    project_milestone,
)
from tracker.milestones.status import stage_after
from tracker.projects.models import Project, Stage
from tracker.settings import milestone_due_days
from tracker.timeutil import utcnow

PLANNING_ONLY = "计划完成日期和“不适用”由督查室制定；项目负责人和联络员填报实际完成日期和备注。"
NOT_YOURS = "只有项目负责人、联络员和督查室可以修改本项目的节点。"
TEMPLATE_ONLY = "只有管理员可以修改节点模板。"
PLANNERS_ONLY = "只有督查室和管理员可以增删项目的自定节点。"


def _label(project: Project, m: ProjectMilestone) -> str:
    return f"{project.code} {m.title}"


def _leads(user: User, project: Project) -> bool:
    return project.lead_id == user.id or any(u.id == user.id for u in project.liaisons)


# --- a project's milestone ------------------------------------------------------------


def _again(m: ProjectMilestone, data: dict, errors: dict, today: date) -> Line:
    """The row shown again with the user's input and the messages; nothing was written."""
    line = line_of(m, today, milestone_due_days())
    line.errors, line.form = errors, data
    return line


def _stale(project: Project, milestone_id: int, data: dict, today: date) -> Line:
    """The conflict screen: the milestone as stored now and who saved it, the input kept."""
    fresh = project_milestone(project, milestone_id)
    if fresh is None:  # a project's own milestone, deleted meanwhile
        raise NotFound("该节点刚刚已被删除。")
    line = _again(fresh, data, {}, today)
    line.conflict = StaleSave(fresh, fresh.updated_by.name if fresh.updated_by else "他人",
                              fresh.updated_at)
    return line


def save_milestone(user: User, project: Project, m: ProjectMilestone, data: dict,
                   today: date) -> Line:
    """Save one milestone row from its form (``data``: the posted strings).

    Returns the fresh line; or the line with ``errors`` (422) or ``conflict`` (409), nothing
    written. Raises ``Forbidden`` for a change the user may not make.
    """
    planner = can_plan_milestones(user)
    if not (planner or can_record_milestones(user, project)):
        raise Forbidden(NOT_YOURS)
    values, errors, seen = read_milestone(data)
    if errors:
        return _again(m, data, errors, today)
    changes = {k: v for k, v in values.items()
               if k in ("planned_on", "not_applicable", "actual_on", "note")
               and as_text(getattr(m, k)) != as_text(v)}
    if not planner and {"planned_on", "not_applicable"} & changes.keys():
        raise Forbidden(PLANNING_ONLY)
    if seen != m.version:
        return _stale(project, m.id, data, today)
    reason = values.get("reason", "")
    rescheduled = "planned_on" in changes and m.planned_on is not None
    if changes.get("actual_on") is not None and changes["actual_on"] > today:
        errors["actual_on"] = "实际完成日期不能晚于今天"
    if rescheduled and not reason:
        errors["reason"] = "修改已定的计划完成日期须填写延期理由"
    if errors:
        return _again(m, data, errors, today)
    if not changes:
        return line_of(m, today, milestone_due_days())

    audit = {"user_id": user.id, "table": "project_milestones", "label": _label(project, m),
             "project_id": project.id}
    if "planned_on" in changes:
        apply_changes(m, {"planned_on": changes["planned_on"]}, **audit,
                      note=f"延期：{reason}" if rescheduled else "")
    if "not_applicable" in changes:
        apply_changes(m, {"not_applicable": changes["not_applicable"]}, **audit)
    recorded = {k: changes[k] for k in ("actual_on", "note") if k in changes}
    if recorded:
        on_behalf = "督查室代为填报" if planner and not _leads(user, project) else ""
        apply_changes(m, recorded, **audit, note=on_behalf)
    m.updated_by_id = user.id
    m.updated_at = utcnow()
    if changes.get("actual_on") is not None and not m.not_applicable:
        _advance_stage(user, project, m)
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()  # someone saved this milestone (or the project) in between
        return _stale(project, m.id, data, today)
    return line_of(project_milestone(project, m.id), today, milestone_due_days())


def _advance_stage(user: User, project: Project, m: ProjectMilestone) -> None:
    """开工建设 → 在建, 竣工验收 → 竣工, 投产运营 → 投产; never backward."""
    stage = stage_after(project.stage.value, m.key)
    if stage is not None:
        apply_changes(project, {"stage": Stage(stage)}, user_id=user.id, table="projects",
                      label=project.code, project_id=project.id,
                      note=f"节点“{m.title}”已完成（{m.actual_on.isoformat()}）")


def _names_in_use(project: Project) -> set[str]:
    """Every milestone name a project shows or could show: the template's and its own."""
    own = db.session.scalars(select(ProjectMilestone.name).where(
        ProjectMilestone.project_id == project.id, ProjectMilestone.template_id.is_(None)))
    return set(own) | set(db.session.scalars(select(MilestoneTemplate.name)))


def add_own(user: User, project: Project, data: dict) -> ProjectMilestone:
    """A milestone of the project's own (督查室, admins), with an optional planned date."""
    if not can_plan_milestones(user):
        raise Forbidden(PLANNERS_ONLY)
    values, errors = read_own(data)
    if not errors and values["name"] in _names_in_use(project):
        errors["name"] = f"本项目已有名为“{values['name']}”的节点"
    if errors:
        raise Refused(errors)
    ensure_rows([project.id])
    m = ProjectMilestone(project_id=project.id, name=values["name"],
                         planned_on=values.get("planned_on"), updated_by_id=user.id,
                         updated_at=utcnow())
    db.session.add(m)
    db.session.flush()
    for field in ("name", "planned_on"):
        if getattr(m, field):
            record(user_id=user.id, action="create", table="project_milestones", record_id=m.id,
                   label=f"{project.code} {m.name}", project_id=project.id, field=field,
                   new=getattr(m, field))
    db.session.commit()
    return m


def delete_own(user: User, project: Project, m: ProjectMilestone) -> str:
    """Delete a project's own milestone (督查室, admins); the template's cannot be. Its name."""
    if not can_plan_milestones(user):
        raise Forbidden(PLANNERS_ONLY)
    if not m.is_own:
        raise Refused("模板中的节点不能删除；不需要时请标记为“不适用”。")
    name = m.name
    for field in ("name", "planned_on", "actual_on", "note"):
        if getattr(m, field):
            record(user_id=user.id, action="delete", table="project_milestones", record_id=m.id,
                   label=f"{project.code} {name}", project_id=project.id, field=field,
                   old=getattr(m, field))
    db.session.delete(m)
    db.session.commit()
    return name


# --- the template (admins) -------------------------------------------------------------


def _check_admin(user: User) -> None:
    if not can_edit_milestone_template(user):
        raise Forbidden(TEMPLATE_ONLY)


def _check_name(data: dict, keep: MilestoneTemplate | None = None) -> str:
    name, errors = read_name(data)
    if not errors:
        taken = db.session.scalar(select(MilestoneTemplate.id).where(
            MilestoneTemplate.name == name, MilestoneTemplate.id != (keep.id if keep else -1)))
        own = db.session.scalar(
            select(Project.code).join(ProjectMilestone, ProjectMilestone.project_id == Project.id)
            .where(ProjectMilestone.template_id.is_(None), ProjectMilestone.name == name).limit(1))
        if taken is not None:
            errors["name"] = f"模板中已有名为“{name}”的节点（含已停用的）"
        elif own is not None:
            errors["name"] = f"项目 {own} 已自定了名为“{name}”的节点，请换一个名称"
    if errors:
        raise Refused(errors)
    return name


def _commit_template() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused({"name": "该名称刚刚已被使用，请换一个名称"}) from None


def add_template(user: User, data: dict) -> MilestoneTemplate:
    """A new milestone at the end of the template; projects get it when next read."""
    _check_admin(user)
    name = _check_name(data)
    last = db.session.scalar(select(func.max(MilestoneTemplate.position))) or 0
    t = MilestoneTemplate(name=name, position=last + 1, retired=False)
    db.session.add(t)
    db.session.flush()
    record(user_id=user.id, action="create", table="milestone_templates", record_id=t.id,
           label=name, field="name", new=name)
    _commit_template()
    return t


def rename_template(user: User, t: MilestoneTemplate, data: dict) -> tuple[str, str]:
    """Rename a template milestone (every project shows the new name); (old, new)."""
    _check_admin(user)
    old, name = t.name, _check_name(data, keep=t)
    apply_changes(t, {"name": name}, user_id=user.id, table="milestone_templates",
                  label=name, project_id=None)
    _commit_template()
    return old, name


def move_template(user: User, t: MilestoneTemplate, direction: str) -> None:
    """Move a template milestone one place up or down (retired ones keep their place)."""
    _check_admin(user)
    if direction not in ("up", "down"):
        raise Refused("未知的移动方向。")
    order = list(db.session.scalars(
        select(MilestoneTemplate).order_by(MilestoneTemplate.position, MilestoneTemplate.id)))
    i = order.index(t)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(order):
        return
    order[i], order[j] = order[j], order[i]
    for position, item in enumerate(order, start=1):
        apply_changes(item, {"position": position}, user_id=user.id, table="milestone_templates",
                      label=item.name, project_id=None)
    db.session.commit()


def set_retired(user: User, t: MilestoneTemplate, retired: bool) -> bool:
    """Retire (停用) or restore a template milestone; whether anything changed."""
    _check_admin(user)
    changed = apply_changes(t, {"retired": retired}, user_id=user.id,
                            table="milestone_templates", label=t.name, project_id=None)
    db.session.commit()
    return bool(changed)
