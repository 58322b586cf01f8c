"""Locks on published months: once a month's brief is published, the figures and bond
spending of months 1..m of its year are locked in the grid and the import, until a
supervisor unlocks a month (for one project or all) with a reason.

Which months are published is the briefs' business, above this package: the app factory
hands their ``published_through`` to ``set_publication_source``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.auth.permissions import can_supervise
from tracker.errors import Forbidden, Refused
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.reports.models import PeriodUnlock
from tracker.timeutil import utcnow

PublicationSource = Callable[[int | None], dict[int, int]]


def _nothing_published(year: int | None = None) -> dict[int, int]:
    return {}


_published_through: PublicationSource = _nothing_published


def set_publication_source(source: PublicationSource) -> None:
    """``source(year)`` → {year: highest published month}; every year when ``year`` is None."""
    global _published_through
    _published_through = source


def published_through(year: int | None = None) -> dict[int, int]:
    """Year → its highest published month, as the registered source says."""
    return _published_through(year)


def end_unlocks_through(year: int, month: int) -> int:
    """Publishing relocks: end every open unlock of months 1..``month`` of ``year`` (no commit)."""
    unlocks = list(
        db.session.scalars(
            select(PeriodUnlock).where(
                PeriodUnlock.year == year,
                PeriodUnlock.month <= month,
                PeriodUnlock.relocked_at.is_(None),
            )
        )
    )
    for unlock in unlocks:
        unlock.relocked_at = utcnow()
    return len(unlocks)


def locked_through(year: int) -> int | None:
    """The highest published month of ``year`` (months 1..it are locked), or None."""
    return _published_through(year).get(year)


def is_locked(year: int, month: int, project_id: int | None = None) -> bool:
    """Whether the monthly figures (and bond spending) of (year, month) are locked.

    Locked once a brief of a month ≥ ``month`` of ``year`` is published, unless a
    supervisor unlocked that month for every project or for ``project_id``.
    """
    through = locked_through(year)
    if through is None or month > through:
        return False
    scope = PeriodUnlock.project_id.is_(None)
    if project_id is not None:
        scope = or_(scope, PeriodUnlock.project_id == project_id)
    unlocked = db.session.scalar(
        select(PeriodUnlock.id)
        .where(
            PeriodUnlock.year == year,
            PeriodUnlock.month == month,
            PeriodUnlock.relocked_at.is_(None),
            scope,
        )
        .limit(1)
    )
    return unlocked is None


def locks_for(year: int, month: int) -> Callable[[int], bool]:
    """``is_locked`` for many projects of one month in two queries: project id → locked."""
    through = locked_through(year)
    if through is None or month > through:
        return lambda project_id: False
    unlocks = active_unlocks(year, month)
    if any(u.project_id is None for u in unlocks):
        return lambda project_id: False
    open_ids = {u.project_id for u in unlocks}
    return lambda project_id: project_id not in open_ids


def active_unlocks(year: int, month: int) -> list[PeriodUnlock]:
    """Open unlocks of (year, month), oldest first."""
    return list(
        db.session.scalars(
            select(PeriodUnlock)
            .where(
                PeriodUnlock.year == year,
                PeriodUnlock.month == month,
                PeriodUnlock.relocked_at.is_(None),
            )
            .options(selectinload(PeriodUnlock.user))
            .order_by(PeriodUnlock.id)
        )
    )


def _require_supervisor(user: User | None) -> None:
    if not can_supervise(user):
        raise Forbidden("只有督查室可以解锁或重新锁定已发布月份。")


def unlock(
    year: int, month: int, reason: str, user: User, project_id: int | None = None
) -> PeriodUnlock:
    """A supervisor's unlock of a locked month (one project, or all), with a reason, audited."""
    _require_supervisor(user)
    reason = (reason or "").strip()
    if not reason:
        raise Refused("解锁须说明原因。")
    if len(reason) > 500:
        raise Refused("解锁原因不能超过500字。")
    if not is_locked(year, month, project_id):
        raise Refused(f"{year}年{month}月的数据未锁定，无需解锁。")
    project = db.session.get(Project, project_id) if project_id is not None else None
    if project_id is not None and project is None:
        raise Refused("项目不存在。")
    entry = PeriodUnlock(year=year, month=month, project_id=project_id, reason=reason, user_id=user.id)
    db.session.add(entry)
    db.session.flush()
    scope = project.name if project else "全部项目"
    record(user_id=user.id, action="unlock", table="period_unlocks", record_id=entry.id,
           label=f"{year}年{month}月 {scope}", project_id=project_id, note=f"解锁：{reason}")
    db.session.commit()
    return entry


def relock(year: int, month: int, user: User, project_id: int | None = None) -> int:
    """End the open unlocks of (year, month) — of one project, or all when None; audited."""
    _require_supervisor(user)
    unlocks = [
        u for u in active_unlocks(year, month) if project_id is None or u.project_id == project_id
    ]
    for u in unlocks:
        u.relocked_at = utcnow()
        record(user_id=user.id, action="relock", table="period_unlocks", record_id=u.id,
               label=f"{year}年{month}月", project_id=u.project_id, note="重新锁定")
    db.session.commit()
    return len(unlocks)
