"""Who may change what. Routes call these; services call them again before writing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from tracker.auth.models import Role, User


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
    if user.role in (Role.ADMIN, Role.SUPERVISOR):
        return True
    if user.role is not Role.MEMBER:
        return False
    return project.lead_id == user.id or any(u.id == user.id for u in project.liaisons)


def require(allowed: bool) -> None:
    """Abort with 403 unless ``allowed``."""
    if not allowed:
        abort(403)
