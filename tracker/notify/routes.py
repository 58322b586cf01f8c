"""In-app notifications: ``/notifications`` (one's own, mark read, mark all read), the bell
that htmx refreshes, and ``/admin/notifications`` (every delivery, for admins).

Every form works without JavaScript; opening an item marks it read and goes to its page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.auth.models import Unit, User
from tracker.auth.permissions import admin_required
from tracker.errors import Refused
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.http import is_htmx
from tracker.notify import admin as settings_admin
from tracker.notify import queries, service
from tracker.notify.models import Channel, Delivery
from tracker.settings import DEFAULTS

bp = Blueprint("notify", __name__)

ID = "int(max=2147483647)"


def _page() -> int:
    return whole_number(request.args.get("page")) or 1


@bp.route("/notifications")
@login_required
def index():
    unread_only = request.args.get("unread") == "1"
    items, pager = queries.my_notifications(current_user, _page(), unread_only)
    return render_template("notify/index.html", items=items, pager=pager, unread_only=unread_only,
                           unread=queries.unread_count(current_user))


@bp.route("/notifications/bell")
@login_required
def bell():
    """The bell alone: htmx swaps it in at most once a minute."""
    return render_template("notify/_bell.html", unread=queries.unread_count(current_user))


@bp.route(f"/notifications/<{ID}:notification_id>/open", methods=["POST"])
@login_required
def open_item(notification_id: int):
    n = service.mark_read(current_user, notification_id)
    # Only a path inside the app: a stored link never sends anyone elsewhere.
    if n.path.startswith("/") and not n.path.startswith("//"):
        return redirect(n.path)
    return redirect(url_for("notify.index"))


@bp.route(f"/notifications/<{ID}:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    n = service.mark_read(current_user, notification_id)
    if is_htmx():
        return render_template("notify/_item.html", n=n)
    return redirect(url_for("notify.index"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    service.mark_all_read(current_user)
    return redirect(url_for("notify.index"))


@bp.route("/admin/notifications")
@admin_required
def admin():
    filters = queries.DeliveryFilters.from_args(request.args)
    rows, pager, kinds = queries.deliveries(filters, _page())
    context = {"rows": rows, "pager": pager, "kinds": kinds, "filters": filters,
               "channels": list(Channel), "states": list(Delivery)}
    if is_htmx():
        return render_template("notify/_deliveries.html", **context)
    return render_template("notify/admin.html", **context)


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    """One's e-mail address and whether reminders also come by e-mail (in the app: always)."""
    return _preferences(current_user, url_for("notify.preferences"))


@bp.route(f"/admin/users/<{ID}:user_id>/notifications", methods=["GET", "POST"])
@admin_required
def user_preferences(user_id: int):
    """An admin sets a user's e-mail address and preference."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, description="该用户不存在。")
    return _preferences(user, url_for("notify.user_preferences", user_id=user.id))


def _preferences(user: User, here: str):  # noqa: ANN202
    errors: dict[str, str] = {}
    data = {"email": user.email, "notify_email": user.notify_email}
    if request.method == "POST":
        data = {"email": request.form.get("email", ""), "notify_email": request.form.get("notify_email") == "1"}
        try:
            service.set_preferences(current_user, user, data["email"], data["notify_email"])
        except Refused as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash("通知设置已保存。", "success")
            return redirect(here)
    return render_template("notify/preferences.html", data=data, errors=errors, user=user), 422 if errors else 200


@bp.route(f"/admin/units/<{ID}:unit_id>/robots", methods=["GET", "POST"])
@admin_required
def unit_robots(unit_id: int):
    """A unit's 企业微信/钉钉 group robots (the secret is never shown back)."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404, description="该单位不存在。")
    errors: dict[str, str] = {}
    data = {"wecom_webhook": unit.wecom_webhook, "dingtalk_webhook": unit.dingtalk_webhook}
    if request.method == "POST":
        data = request.form
        try:
            settings_admin.set_unit_robots(current_user, unit, request.form)
        except Refused as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash(f"已保存“{unit.name}”的工作群机器人。", "success")
            return redirect(url_for("notify.unit_robots", unit_id=unit.id))
    return render_template("notify/unit_robots.html", unit=unit, data=data, errors=errors,
                           labels=settings_admin.ROBOT_LABELS), 422 if errors else 200


@bp.route("/admin/notifications/settings", methods=["GET", "POST"])
@admin_required
def reminder_settings():
    """The reminder rules (day R and the day counts) and the office's group robots."""
    errors: dict[str, str] = {}
    data = settings_admin.reminder_settings()
    if request.method == "POST":
        data = request.form
        try:
            changed = settings_admin.save_reminder_settings(current_user, request.form)
        except Refused as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            flash("提醒设置已保存。" if changed else "没有修改任何设置。", "success")
            return redirect(url_for("notify.reminder_settings"))
    stored_secret = bool(settings_admin.reminder_settings()["office_dingtalk_secret"])
    return render_template("notify/settings.html", data=data, errors=errors, rules=settings_admin.RULE_LABELS,
                           robots=settings_admin.OFFICE_ROBOTS, stored_secret=stored_secret,
                           defaults=DEFAULTS), 422 if errors else 200
