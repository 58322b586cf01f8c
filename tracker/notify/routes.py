"""In-app notifications: ``/notifications`` (one's own, mark read, mark all read), the bell
that htmx refreshes, and ``/admin/notifications`` (every delivery, for admins).

Every form works without JavaScript; opening an item marks it read and goes to its page.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.auth.permissions import admin_required
from tracker.forms import whole_number
from tracker.http import is_htmx
from tracker.notify import queries, service
from tracker.notify.models import Channel, Delivery

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
