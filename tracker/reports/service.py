"""Monthly reporting: the grid's rows, saving with optimistic locking, and the review flow.

State rules (DESIGN.md section 2): a lead edits draft and returned rows; a submitted
row goes back to draft by withdrawing it, until it is approved; an approved row
changes only by a supervisor (recorded as entered on the lead's behalf). Editing a
returned row makes it a draft again. Every field change is in the audit trail.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.service import apply_changes, record
from tracker.auth.models import User
from tracker.auth.permissions import can_report_for, can_supervise
from tracker.errors import Conflict, Refused
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.notify import events
from tracker.projects.models import (
    BondSpending,
    MonthlyReport,
    Project,
    ReportState,
)
from tracker.reports.grid import (
    UNUSUAL_CONFIRM,
    ZERO,
    GridRow,
    StaleSave,
    grid_rows,
    preview_row,
    validate_row,
)
from tracker.reports.locks import is_locked, locks_for
from tracker.timeutil import utcnow

# --- writing --------------------------------------------------------------------


LOCKED = "本月简报已发布，数据已锁定；如需修改，请督查室填写理由后解锁。"


def _check_unlocked(project: Project, year: int, month: int) -> None:
    if is_locked(year, month, project.id):
        raise Refused(LOCKED)


def _check_can_edit(user: User, project: Project, report: MonthlyReport | None) -> None:
    if not can_report_for(user, project):
        raise PermissionError
    if report is None or can_supervise(user):
        return
    if report.state is ReportState.SUBMITTED:
        raise Refused("本月数据已报送，如需修改请先撤回。")
    if report.state is ReportState.APPROVED:
        raise Refused("本月数据已审核，只有督查室可以修改。")


def _label(project: Project, year: int, month: int) -> str:
    return f"{project.code} {year}年{month}月"


def _version(text: str | None) -> int:
    """The version a form carried; anything but a small whole number is a stale page."""
    version = whole_number(text or "0")
    if version is None:
        raise Refused("页面数据已失效，请刷新页面后重新填写。")
    return version


def save_row(
    user: User,
    project: Project,
    year: int,
    month: int,
    form: dict[str, str],
) -> tuple[GridRow, StaleSave | None]:
    """Validate and save one row. A stale ``version`` gives a StaleSave and saves nothing.

    ``form["version"]`` is the report's version the user saw ("0" for a new row);
    ``form["bond_version"]`` likewise for the bond spending. Returns the fresh row.
    """
    values, errors = validate_row(form)
    row = grid_rows(user, year, month, only=project)[0]
    report, spending = row.report, row.spending
    if not can_report_for(user, project):
        raise PermissionError
    if errors:
        return preview_row(user, project, year, month, form, row), None
    checked = preview_row(user, project, year, month, form, replace(row))  # a copy: no second read
    if checked.errors:
        return checked, None
    changed_amount = "amount" in values and values["amount"] != (report.amount if report else None)
    if checked.unusual and changed_amount and form.get("confirm_unusual") != "1":
        # Possibly right, but a slip of a digit costs the whole park's figures: ask once.
        checked.errors["amount"] = "；".join(checked.unusual) + "。" + UNUSUAL_CONFIRM
        return checked, None

    seen, seen_bond = _version(form.get("version")), _version(form.get("bond_version"))
    current = report.version if report else 0
    current_bond = spending.version if spending else 0
    if seen != current or (row.bond is not None and seen_bond != current_bond):
        return _stale(user, project, year, month, form, row, report_changed=seen != current)

    _check_unlocked(project, year, month)
    _check_can_edit(user, project, report)
    try:
        _write_row(user, project, year, month, row, values)
        db.session.commit()
    except (StaleDataError, IntegrityError):
        # Someone saved (or created) the same row between our read and our write.
        db.session.rollback()
        row = grid_rows(user, year, month, only=project)[0]
        return _stale(user, project, year, month, form, row, report_changed=True)
    return grid_rows(user, year, month, only=project)[0], None


def _write_row(user: User, project: Project, year: int, month: int, row: GridRow,
               values: dict) -> None:
    """The row's changes and their audit entries, flushed but not committed."""
    report, spending = row.report, row.spending
    label = _label(project, year, month)
    note = "督查室代为填报" if can_supervise(user) and project.lead_id != user.id else ""
    if report is None:
        report = MonthlyReport(project_id=project.id, year=year, month=month,
                               state=ReportState.DRAFT, updated_by_id=user.id)
        db.session.add(report)
        db.session.flush()
        record(user_id=user.id, action="create", table="monthly_reports", record_id=report.id,
               label=label, project_id=project.id, note=note)
    changed = apply_changes(
        report,
        {k: values[k] for k in ("amount", "progress_text", "next_steps") if k in values},
        user_id=user.id, table="monthly_reports", label=label, project_id=project.id, note=note,
    )
    if changed and report.state is ReportState.RETURNED:
        apply_changes(report, {"state": ReportState.DRAFT}, user_id=user.id,
                      table="monthly_reports", label=label, project_id=project.id)
    if changed:
        report.updated_by_id = user.id
        report.updated_at = utcnow()

    if row.bond is not None and "bond_spent" in values and (
            spending is not None or values["bond_spent"] is not None):
        if spending is None:
            spending = BondSpending(bond_id=row.bond.id, month=month, amount=ZERO, updated_by_id=user.id)
            db.session.add(spending)
            db.session.flush()
            record(user_id=user.id, action="create", table="bond_spendings", record_id=spending.id,
                   label=label, project_id=project.id, note=note)
        bond_changed = apply_changes(
            spending, {"amount": values["bond_spent"] or ZERO}, user_id=user.id,
            table="bond_spendings", label=label, project_id=project.id, note=note,
        )
        if bond_changed:
            spending.updated_by_id = user.id


def _stale(user: User, project: Project, year: int, month: int, form: dict[str, str],
           row: GridRow, report_changed: bool) -> tuple[GridRow, StaleSave]:
    """The conflict screen: what is stored now and who saved it, with the user's input kept."""
    report, spending = row.report, row.spending
    who = (report.updated_by if report and report_changed else None) or (
        spending.updated_by if spending else None
    )
    stamp = report.updated_at if report and report_changed else (spending.updated_at if spending else None)
    conflict = StaleSave(report, spending, who.name if who else "他人", stamp)
    row = preview_row(user, project, year, month, form, row)
    row.conflict = conflict
    return row, conflict


def _commit() -> None:
    """Commit a state change; a concurrent writer that got there first is a Conflict."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict("本行数据刚刚已被他人修改，请刷新页面后重试。") from None


def _transition(user: User, report: MonthlyReport, to: ReportState, comment: str = "") -> None:
    label = _label(report.project, report.year, report.month)
    apply_changes(report, {"state": to}, user_id=user.id, table="monthly_reports", label=label,
                  project_id=report.project_id, note=comment)
    if to is ReportState.SUBMITTED:
        report.submitted_at = utcnow()
    if to is ReportState.RETURNED:
        report.return_comment = comment


def _report(project: Project, year: int, month: int) -> MonthlyReport | None:
    return db.session.scalar(
        select(MonthlyReport).where(MonthlyReport.project_id == project.id,
                                    MonthlyReport.year == year, MonthlyReport.month == month)
    )


def submit(user: User, project: Project, year: int, month: int, reply: str = "") -> None:
    """草稿/退回 → 已报送; needs an amount. A returned row goes back only answered: changed
    (saving it makes it a draft) or with a ``reply`` to the 退回意见 (kept in the audit trail)."""
    if not can_report_for(user, project):
        raise PermissionError
    _check_unlocked(project, year, month)
    report = _report(project, year, month)
    if report is None or report.amount is None:
        raise Refused("请先填写并保存当月完成投资，再报送。")
    if report.state not in (ReportState.DRAFT, ReportState.RETURNED):
        raise Refused(f"当前状态为“{report.state.value}”，不能报送。")
    reply = (reply or "").strip()[:500]
    if report.state is ReportState.RETURNED and not reply:
        raise Refused("该行被退回：请按退回意见修改并保存，或填写对退回意见的答复后再报送。")
    _transition(user, report, ReportState.SUBMITTED, f"答复退回意见：{reply}" if reply else "")
    _commit()


def withdraw(user: User, project: Project, year: int, month: int) -> None:
    """已报送 → 草稿, until approved."""
    if not can_report_for(user, project):
        raise PermissionError
    _check_unlocked(project, year, month)
    report = _report(project, year, month)
    if report is None or report.state is not ReportState.SUBMITTED:
        raise Refused("只有已报送且未审核的数据可以撤回。")
    _transition(user, report, ReportState.DRAFT)
    _commit()


def review(user: User, project: Project, year: int, month: int, approve: bool, comment: str = "") -> None:
    """A supervisor approves (已审核) or returns (退回, with a comment) a submitted row."""
    if not can_supervise(user):
        raise PermissionError
    _check_unlocked(project, year, month)
    report = _report(project, year, month)
    if report is None or report.state is not ReportState.SUBMITTED:
        raise Refused("只能审核已报送的数据。")
    if not approve and not comment.strip():
        raise Refused("退回时请填写退回意见。")
    if approve and _own(user, report):
        raise Refused(FOUR_EYES)
    if not approve:
        _tell_returned(report, comment.strip())
    _transition(user, report, ReportState.APPROVED if approve else ReportState.RETURNED, comment.strip())
    _commit()


def _tell_returned(report: MonthlyReport, comment: str) -> None:
    """退回: the lead and the liaisons hear of it at once, with the comment."""
    project, period = report.project, f"{report.year}-{report.month:02d}"
    text = (f"【退回】{project.name}{report.year}年{report.month}月进展被督查室退回：{comment}。"
            f"请修改后重新报送：{{link}}")
    people = ([project.lead_id] if project.lead_id else []) + [u.id for u in project.liaisons]
    events.tell("退回", f"{project.code}@{period}", f"v{report.version}", people, text,
                f"/report/{period}")


FOUR_EYES = "不能审核本人负责或本人填报的数据（四眼原则），请由督查室其他人员审核。"


def _own(user: User, report: MonthlyReport) -> bool:
    """The four-eyes rule: nobody approves figures of a project they lead or that they entered."""
    return user.id in (report.project.lead_id, report.updated_by_id)


def approve_all(user: User, year: int, month: int) -> int:
    """Approve every submitted row of the month (but the user's own); returns how many."""
    if not can_supervise(user):
        raise PermissionError
    reports = list(db.session.scalars(
        select(MonthlyReport).where(MonthlyReport.year == year, MonthlyReport.month == month,
                                    MonthlyReport.state == ReportState.SUBMITTED)
        .options(selectinload(MonthlyReport.project))
    ))
    locked = locks_for(year, month)
    reports = [r for r in reports if not locked(r.project_id) and not _own(user, r)]
    for report in reports:
        _transition(user, report, ReportState.APPROVED, "批量审核")
    _commit()
    return len(reports)


def submit_all(user: User, year: int, month: int) -> int:
    """Submit every draft row with an amount among the user's projects; returns how many."""
    count = 0
    for row in grid_rows(user, year, month):
        r = row.report
        if row.locked:
            continue
        if r and r.amount is not None and r.state is ReportState.DRAFT:  # returned rows need a reply
            _transition(user, r, ReportState.SUBMITTED)
            count += 1
    db.session.commit()
    return count
