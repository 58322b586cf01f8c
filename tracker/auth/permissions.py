"""Who may change what. Routes call these; services call them again before writing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from tracker.auth.models import Role, User
from tracker.errors import Forbidden


def roles_required(*roles: Role) -> Callable:
    """Sign-in required, and one of ``roles``; 403 otherwise."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


supervisor_required = roles_required(Role.ADMIN, Role.SUPERVISOR)
admin_required = roles_required(Role.ADMIN)


def can_report_for(user: User, project: Any) -> bool:
    """Supervisors and admins for every project; a member for the projects they lead or liaise."""
    if can_supervise(user):
        return True
    if user.role is not Role.MEMBER:
        return False
    return project.lead_id == user.id or any(u.id == user.id for u in project.liaisons)


def can_supervise(user: User | None) -> bool:
    """督查室 and admins: plan, review, assign, publish, unlock."""
    return user is not None and user.role in (Role.ADMIN, Role.SUPERVISOR)


def can_enter_figures(user: User) -> bool:
    """Everyone but the read-only leadership (领导) may open the reporting grid."""
    return user.role is not Role.VIEWER


def require_supervisor(user: User | None, message: str) -> None:
    """Raise ``Forbidden(message)`` unless ``user`` is the system (None) or can supervise."""
    if user is not None and not can_supervise(user):
        raise Forbidden(message)


def require(allowed: bool) -> None:
    """Abort with 403 unless ``allowed``."""
    if not allowed:
        abort(403)


def can_plan_milestones(user: User | None) -> bool:
    """督查室 and admins plan milestones: planned dates, 不适用, a project's own milestones."""
    return can_supervise(user)


def can_record_milestones(user: User, project: Any) -> bool:
    """The project's lead and liaisons record actual dates and notes (the office may too)."""
    return can_report_for(user, project)


def can_edit_milestone_template(user: User | None) -> bool:
    """Only admins change the park's milestone template."""
    return user is not None and user.role is Role.ADMIN
