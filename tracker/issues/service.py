"""Blocking issues: the queries pages read through, and the only writers.

``create_issue`` and ``move`` are the only functions that change an issue. They check the
user's rights again (routes check first), append to the follow-up log (entries are never
edited) and write the audit trail. Readers are in ``tracker.issues.queries``.

Decisions where the design is silent:

- Any log entry, a comment included, counts as a change of the issue: it bumps ``version``,
  so a supervisor confirming from a page that does not show the latest progress gets the
  conflict screen instead of confirming blind.
- ``user=None`` means the system (the command-line import): no permission check, and the
  log and audit trail show no person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.service import apply_changes, record
from tracker.auth.models import Unit, User
from tracker.auth.permissions import require_supervisor
from tracker.errors import Conflict, Forbidden, Refused
from tracker.extensions import db
from tracker.issues import workflow
from tracker.issues.models import (
    Category,
    EventKind,
    Issue,
    IssueEvent,
    IssueState,
    SupervisionLevel,
)
from tracker.issues.queries import EVENT_KIND, MAX_COMMENT, capacities_of, previous_state
from tracker.issues.workflow import Action
from tracker.notify import events
from tracker.projects.models import Project

# --- writing -------------------------------------------------------------------


def _check_comment(comment: str | None, label: str = "说明") -> str:
    text = (comment or "").strip()
    if not text:
        raise Refused({"comment": f"请填写{label}。"})
    if len(text) > MAX_COMMENT:
        raise Refused({"comment": f"{label}不能超过 {MAX_COMMENT} 字。"})
    return text


def _taken_numbers(year: int) -> list[str]:
    return list(db.session.scalars(select(Issue.number).where(Issue.number.like(f"DB-{year}-%"))))


def create_issue(
    user: User | None,
    *,
    category: Category,
    description: str,
    responsible_unit: Unit | None,
    responsible_person: str = "",
    level: SupervisionLevel = SupervisionLevel.NORMAL,
    deadline: date | None,
    raised_on: date,
    project: Project | None = None,
    title: str = "",
    number: str | None = None,
    state: IssueState = IssueState.OPEN,
    closed_on: date | None = None,
    comment: str = "交办督办事项",
    batch_id: int | None = None,
) -> Issue:
    """Open (交办) an issue and write its first log entry and audit entry; flushes, no commit.

    ``number=None`` takes the next free ``DB-YYYY-NNNN`` of the raised year; the workbook
    import passes its own number, and may pass a ``state`` (and ``closed_on`` for 已办结):
    the log then gets one move to that state, effective on the closed date for 已办结 and
    on the raised date otherwise.
    """
    require_supervisor(user, "只有督查室可以交办督办事项。")
    description = (description or "").strip()
    if not description:
        raise Refused({"description": "请填写问题描述。"})
    if state is IssueState.CLOSED and closed_on is None:
        raise Refused({"closed_on": "已办结的问题须有办结日期。"})
    issue = Issue(
        project=project,
        category=category,
        title=(title or "").strip(),
        description=description,
        responsible_unit=responsible_unit,
        responsible_person=(responsible_person or "").strip(),
        level=level,
        raised_on=raised_on,
        deadline=deadline,
        state=state,
        closed_on=closed_on if state is IssueState.CLOSED else None,
        created_by_id=user.id if user else None,
        import_batch_id=batch_id,
    )
    for _attempt in range(5):
        issue.number = number or workflow.next_number(raised_on.year, _taken_numbers(raised_on.year))
        try:
            with db.session.begin_nested():  # a concurrent creator may take the same number
                db.session.add(issue)
                db.session.flush()
            break
        except IntegrityError:
            if number is not None:
                raise Refused({"number": f"问题编号 {number} 已存在。"}) from None
    else:  # pragma: no cover - five collisions in a row
        raise Refused({"number": "生成问题编号失败，请重试。"})
    uid = user.id if user else None
    db.session.add(
        IssueEvent(issue=issue, kind=EventKind.RAISED, from_state=None, to_state=IssueState.OPEN,
                   comment=comment, effective_on=raised_on, new_deadline=deadline, user_id=uid)
    )
    if state is not IssueState.OPEN:
        on = closed_on if state is IssueState.CLOSED else raised_on
        kind = EventKind.CANCEL if state is IssueState.CANCELLED else EventKind.MOVE
        db.session.add(
            IssueEvent(issue=issue, kind=kind, from_state=IssueState.OPEN, to_state=state,
                       comment=f"导入时状态为{state.value}", effective_on=on, user_id=uid)
        )
    record(
        user_id=uid, action="create", table="issues", record_id=issue.id, label=issue.number,
        project_id=project.id if project else None, new=issue.display_title,
        note=f"交办督办事项（{category.value}，{level.value}），责任单位 "
             f"{responsible_unit.name if responsible_unit else '未指定'}",
        batch_id=batch_id,
    )
    db.session.flush()
    if user is not None and batch_id is None and responsible_unit is not None:
        _tell_assigned(issue)
    return issue


# Evidence files (佐证) belong to tracker.attachments, a domain above this one: it registers
# its handler at start-up (handler(user, issue, action, event, uploads), may raise Refused).
_evidence_handler: Callable[..., None] | None = None


def set_evidence_handler(handler: Callable[..., None]) -> None:
    global _evidence_handler  # noqa: PLW0603  (set once, in create_app)
    _evidence_handler = handler


def _tell_assigned(issue: Issue) -> None:
    """交办: the unit's members and its group robots hear of it at once."""
    unit = issue.responsible_unit
    deadline = f"，办结时限：{issue.deadline.month}月{issue.deadline.day}日" if issue.deadline else ""
    text = (f"【交办】督查室交办督办事项{issue.number}「{issue.display_title}」，责任单位：{unit.name}"
            f"{deadline}。请登录办理：{{link}}")
    events.tell("交办", issue.number, "交办", events.unit_members(unit.id), text,
                f"/issues/{issue.number}", unit_id=unit.id)


def move(
    user: User | None,
    issue: Issue,
    action: Action | str,
    *,
    comment: str,
    version: int | None,
    effective_on: date,
    new_deadline: date | None = None,
    uploads: Sequence[tuple[str, bytes]] | None = None,
) -> IssueEvent:
    """Take ``action`` on ``issue``: one new log entry, the state moved, the audit written.

    Raises ``Forbidden`` when the user holds no right on the issue at all, ``MoveRefused``
    when the action is not open to them in this state, ``Conflict`` when ``version``
    is not the issue's current one, ``Refused`` on bad input. Flushes; the caller commits
    (and turns a ``StaleDataError`` at commit into a conflict with ``commit_move``).
    ``uploads`` (a person's move from the issue page): evidence files for the new entry,
    checked and stored by the registered handler (办结需佐证 included).
    """
    held = capacities_of(user, issue)
    if not held:
        raise Forbidden("您不是该问题的责任单位、项目负责人或督查室，不能操作。")
    action = workflow.check(action, issue.state.value, held)
    if version is not None and version != issue.version:
        raise Conflict(f"{issue.number} changed since version {version}", issue=issue, seen_version=version)
    labels = {Action.EXTEND: "延期理由", Action.CANCEL: "撤销理由"}
    text = _check_comment(comment, labels.get(action, "说明"))
    before = issue.state
    changes: dict[str, Any] = {}
    if action is Action.EXTEND:
        if new_deadline is None:
            raise Refused({"new_deadline": "请填写新的办结时限。"})
        if new_deadline < effective_on:
            raise Refused({"new_deadline": "新的办结时限不能早于今天。"})
        if issue.deadline is not None and new_deadline <= issue.deadline:
            raise Refused({"new_deadline": f"延期后的时限须晚于原时限 {issue.deadline.isoformat()}。"})
        changes["deadline"] = new_deadline
    after = IssueState(
        workflow.target_state(action, before.value, _prev(issue) if action is Action.RESTORE else None).value
    )
    if after is not before:
        changes["state"] = after
        if after is IssueState.CLOSED:
            changes["closed_on"] = effective_on
        elif before is IssueState.CLOSED:
            changes["closed_on"] = None
    uid = user.id if user else None
    event = IssueEvent(
        issue=issue,
        kind=EVENT_KIND.get(action, EventKind.MOVE),
        from_state=before if action in workflow.STATE_MOVES else None,
        to_state=after if action in workflow.STATE_MOVES else None,
        comment=text,
        effective_on=effective_on,
        new_deadline=new_deadline if action is Action.EXTEND else None,
        user_id=uid,
    )
    db.session.add(event)
    pid = issue.project_id
    if changes:
        apply_changes(issue, changes, user_id=uid, table="issues", label=issue.number,
                      project_id=pid, note=f"{action.label}：{text}")
    else:
        flag_modified(issue, "state")  # a log entry is a change too: bump the version
    db.session.flush()
    record(user_id=uid, action="comment" if not changes else "log", table="issue_events",
           record_id=event.id, label=issue.number, project_id=pid, field=event.kind.value,
           new=text, note=action.label)
    if uploads is not None and _evidence_handler is not None:
        _evidence_handler(user, issue, action, event, list(uploads))
    if before is IssueState.AWAITING_CONFIRMATION and after in (IssueState.CLOSED, IssueState.IN_PROGRESS):
        _tell_confirmation(issue, event, text)
    return event


def _tell_confirmation(issue: Issue, event: IssueEvent, comment: str) -> None:
    """待确认 confirmed or sent back: the unit's members and the project's lead hear of it."""
    if event.to_state is IssueState.CLOSED:
        text = f"【确认办结】督办事项{issue.number}「{issue.display_title}」已由督查室确认办结。查看：{{link}}"
    else:
        text = (f"【退回办理】督办事项{issue.number}「{issue.display_title}」的办结申请被督查室退回："
                f"{comment}。请继续办理：{{link}}")
    people = events.unit_members(issue.responsible_unit_id)
    if issue.project is not None and issue.project.lead_id:
        people.append(issue.project.lead_id)
    events.tell("待确认", issue.number, f"e{event.id}", people, text, f"/issues/{issue.number}")


def _prev(issue: Issue) -> str | None:
    prev = previous_state(issue)
    return prev.value if prev else None


def commit_move(issue: Issue, seen_version: int | None) -> None:
    """Commit; a concurrent writer that got there first becomes a ``Conflict``."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(f"{issue.number} changed since version {seen_version or 0}", issue=issue,
                       seen_version=seen_version or 0) from None
